"""Tier statuses follow from the history alone, for any programme and any history.

Programmes are drawn with one to four tiers above the entry tier, thresholds on a measure
every tier shares plus optional other alternatives and a spend asked for besides, a
calendar-year or rolling window, a month-end or day-count validity, and a soft landing
of one or two tiers or none. Histories are up to 16 stays over three years. Then:

* evaluating after every stay (and on random days in between) gives, at every step and
  at the end, the status replayed from scratch, and the one a naive day-by-day model
  gives that shares no code with the programme's walk;
* a status only drops when it runs out, and then by at most ``soft_landing`` tiers; it
  only rises on a day a stay counts;
* a member never holds a tier above the best one a window qualified for so far;
* progress is zero-missing exactly when the window meets the tier it leads to, and what
  it says is missing is exactly enough.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.history import StayRecord, StayTotals, totals
from staycore.membership.tiers import (
    CalendarYear,
    RollingWindow,
    Threshold,
    Tier,
    TierChangeReason,
    TierProgram,
    TierStatus,
    ValidFor,
    ValidThrough,
)
from staycore.orders.ids import OrderId

ORDER = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
FIRST = dt.date(2026, 1, 1)
MEASURES = ("nights", "stays", "spend")


def eur(amount: int) -> Money:
    return Money.of(amount, "EUR")


@st.composite
def programs(draw: DrawFn) -> TierProgram:
    """A valid programme: every measure a tier uses grows strictly from tier to tier."""
    count = draw(st.integers(1, 4))
    shared = draw(st.sampled_from(MEASURES))
    # Once a tier asks for a spend besides, every tier above it asks at least as much.
    besides_from = draw(st.integers(1, count + 1))
    levels = dict.fromkeys(MEASURES, 0)
    besides = 0
    tiers = [Tier(name="T0")]
    for rank in range(1, count + 1):
        levels["nights"] += draw(st.integers(1, 8))
        levels["stays"] += draw(st.integers(1, 2))
        levels["spend"] += draw(st.integers(1, 6)) * 100
        used = {shared} | {m for m in MEASURES if draw(st.booleans())}
        if rank >= besides_from:
            besides += draw(st.integers(1 if rank == besides_from else 0, 4)) * 100
        threshold = Threshold(
            nights=levels["nights"] if "nights" in used else None,
            stays=levels["stays"] if "stays" in used else None,
            spend=eur(levels["spend"]) if "spend" in used else None,
            and_spend=eur(besides) if besides else None,
        )
        tiers.append(Tier(name=f"T{rank}", threshold=threshold))
    window = draw(st.sampled_from([CalendarYear(), None]))
    validity = draw(
        st.one_of(
            st.builds(ValidThrough, month=st.integers(1, 12), years_after=st.integers(1, 2)),
            st.just(ValidThrough(month=12, years_after=0)),
            st.builds(ValidFor, days=st.integers(10, 500)),
        )
    )
    return TierProgram(
        tiers=tiers,
        currency="EUR",
        window=window or RollingWindow(days=draw(st.integers(15, 400))),
        validity=validity,
        soft_landing=draw(st.sampled_from([None, 1, 2])),
    )


def record(check_in: dt.date, nights: int, spend: int) -> StayRecord:
    booked = Stay.of_nights(check_in, nights)
    out = booked.check_out
    return StayRecord(
        order=ORDER,
        stay=booked,
        spend=eur(spend),
        completed_at=pendulum.datetime(out.year, out.month, out.day, 12, tz="UTC"),
    )


histories = st.lists(
    st.builds(
        record,
        check_in=st.dates(FIRST, FIRST + dt.timedelta(days=1100)),
        nights=st.integers(1, 8),
        spend=st.integers(0, 600),
    ),
    max_size=16,
)


def by_day(history: list[StayRecord]) -> list[StayRecord]:
    return sorted(history, key=lambda stay: stay.counted_on)


# -- a model that shares no code with the programme's walk ---------------------------------


def naive_status(program: TierProgram, history: list[StayRecord], until: dt.date) -> TierStatus:
    """The status on ``until``, walking every single day and adding stays up each time."""
    rule, window = program.validity, program.window
    counted = {stay.counted_on for stay in history}

    def rank_on(day: dt.date) -> int:
        have = totals(
            history, start=window.first_day(day), end=day + dt.timedelta(days=1), currency="EUR"
        )
        met = [
            rank
            for rank, tier in enumerate(program.tiers)
            if tier.threshold is not None and tier.threshold.met_by(have)
        ]
        return max(met, default=0)

    rank, qualified, through = 0, None, None
    day = min(counted, default=until)
    while day <= until:
        if through is not None and through < day:
            floor = 0 if program.soft_landing is None else max(rank - program.soft_landing, 0)
            earned = [
                (q, rank_on(q))
                for q in sorted(counted | {day}, reverse=True)
                if q <= day and rule.valid_through(q) >= day
            ]
            supported = max(r for _, r in earned)
            landing = max(supported, floor)
            if landing == 0:
                rank, qualified, through = 0, None, None
            elif supported < landing:
                rank, qualified, through = landing, day, rule.next_period(through)
            else:
                q = next(q for q, r in earned if r >= landing)
                granted = rule.next_period(through)
                best = rule.valid_through(q)
                rank, qualified = landing, q
                through = max(best, granted) if floor == landing else best
        if day in counted:
            now = rank_on(day)
            if now > rank:
                rank, qualified, through = now, day, rule.valid_through(day)
            elif now == rank > 0 and through is not None:
                qualified, through = day, max(through, rule.valid_through(day))
        day += dt.timedelta(days=1)
    return TierStatus(program.tiers[rank].name, qualified, through)


# -- properties ---------------------------------------------------------------------------


@given(program=programs(), history=histories, data=st.data())
def test_evaluating_after_every_stay_equals_replaying_from_scratch(
    program: TierProgram, history: list[StayRecord], data: st.DataObject
) -> None:
    ordered = by_day(history)
    status: TierStatus | None = None
    evaluated = FIRST
    for index, stay in enumerate(ordered):
        seen = ordered[: index + 1]
        following = ordered[index + 1].counted_on if index + 1 < len(ordered) else None
        latest = following or stay.counted_on + dt.timedelta(days=800)
        days = sorted(data.draw(st.lists(st.dates(stay.counted_on, latest), max_size=2)))
        for on in [stay.counted_on, *days]:
            status = program.evaluate(seen, status, on)
            assert status == program.replay(seen, on)
            assert program.evaluate(seen, status, on) == status
            evaluated = on
    until = evaluated + dt.timedelta(days=data.draw(st.integers(0, 1500)))

    final = program.evaluate(history, status, until)

    assert final == program.replay(history, until) == naive_status(program, history, until)
    assert program.evaluate(history, None, until) == final


@given(program=programs(), history=histories, later=st.integers(0, 1500))
def test_a_status_drops_only_when_it_runs_out_and_by_at_most_the_soft_landing(
    program: TierProgram, history: list[StayRecord], later: int
) -> None:
    counted = {stay.counted_on for stay in history}
    until = max(counted, default=FIRST) + dt.timedelta(days=later)

    timeline = program.timeline(history, until)

    for change in timeline:
        before, after = program.rank(change.before.tier), program.rank(change.after.tier)
        if change.reason is TierChangeReason.EXPIRED:
            ended = change.before.valid_through
            assert ended is not None
            assert change.on == ended + dt.timedelta(days=1)
            # Never below what the window qualifies for that day, nor the soft landing.
            assert after >= program.rank(program.qualifies_for(history, change.on).name)
            if program.soft_landing is not None:
                floor = max(before - program.soft_landing, 0)
                assert after >= floor
                # A tier landed on is held at least one more validity period.
                if after == floor > 0:
                    assert change.after.valid_through is not None
                    assert change.after.valid_through >= program.validity.next_period(ended)
        else:
            assert change.on in counted
            assert after >= before
        if change.after.valid_through is not None:
            assert change.after.valid_through >= change.on
    statuses = [TierStatus(program.entry.name)] + [change.after for change in timeline]
    assert all(a == change.before for a, change in zip(statuses, timeline, strict=False))
    assert statuses[-1] == program.replay(history, until)


@given(program=programs(), history=histories, later=st.integers(0, 1500))
def test_a_member_never_holds_a_tier_above_what_a_window_qualified_for(
    program: TierProgram, history: list[StayRecord], later: int
) -> None:
    counted = sorted({stay.counted_on for stay in history})
    until = max(counted, default=FIRST) + dt.timedelta(days=later)

    for change in program.timeline(history, until):
        best = max(
            (
                program.rank(program.qualifies_for(history, day).name)
                for day in counted
                if day <= change.on
            ),
            default=0,
        )
        assert program.rank(change.after.tier) <= best


@st.composite
def statuses(draw: DrawFn, program: TierProgram) -> TierStatus:
    rank = draw(st.integers(0, len(program.tiers) - 1))
    if rank == 0:
        return TierStatus(program.entry.name)
    qualified = draw(st.dates(FIRST, FIRST + dt.timedelta(days=1100)))
    return TierStatus(
        program.tiers[rank].name, qualified, program.validity.valid_through(qualified)
    )


def _zero(value: int | Money) -> bool:
    return value.is_zero if isinstance(value, Money) else value == 0


def _more(have: StayTotals, measure: str, extra: int | Money) -> StayTotals:
    """``have`` with ``extra`` more of ``measure``."""
    if isinstance(extra, Money):
        return StayTotals(nights=have.nights, stays=have.stays, spend=have.spend + extra)
    nights = have.nights + (extra if measure == "nights" else 0)
    stays = have.stays + (extra if measure == "stays" else 0)
    return StayTotals(nights=nights, stays=stays, spend=have.spend)


@given(program=programs(), history=histories, data=st.data())
def test_progress_is_zero_missing_exactly_when_the_window_meets_the_tier(
    program: TierProgram, history: list[StayRecord], data: st.DataObject
) -> None:
    status = data.draw(statuses(program))
    on = data.draw(st.dates(FIRST, FIRST + dt.timedelta(days=1200)))
    have = program.qualifying_totals(history, on)

    for progress in (program.progress(history, status, on), program.to_keep(history, status, on)):
        assert progress.totals == have
        if progress.at_top:
            assert program.rank(status.tier) == len(program.tiers) - 1
            assert not progress.keep
            continue
        threshold = progress.threshold
        if threshold is None:  # keeping the entry tier
            assert progress.met
            continue
        missing = {
            "nights": progress.missing_nights,
            "stays": progress.missing_stays,
            "spend": progress.missing_spend,
        }
        besides = progress.missing_and_spend
        zero = any(value is not None and _zero(value) for value in missing.values()) and (
            besides is None or besides.is_zero
        )
        assert progress.met == zero == threshold.met_by(have)
        if progress.met:
            assert program.rank(program.qualifies_for(history, on).name) >= program.rank(
                progress.tier or ""
            )
        assert ("qualifies" in str(progress)) == progress.met
        # What is missing is exactly enough on its own measure: one unit less is not.
        for measure, value in missing.items():
            target = getattr(threshold, measure)
            assert (value is None) == (target is None)
            if value is None or _zero(value):
                continue
            short = (
                value - Money(value.currency.quantum, value.currency)
                if isinstance(value, Money)
                else value - 1
            )
            assert getattr(_more(have, measure, value), measure) >= target
            assert getattr(_more(have, measure, short), measure) < target


@given(program=programs(), history=histories, on=st.dates(FIRST, FIRST + dt.timedelta(days=1200)))
def test_the_window_totals_are_the_stays_counted_in_it_up_to_the_day(
    program: TierProgram, history: list[StayRecord], on: dt.date
) -> None:
    expected = totals(
        history,
        start=program.window.first_day(on),
        end=on + dt.timedelta(days=1),
        currency="EUR",
    )

    assert program.qualifying_totals(history, on) == expected
    assert (
        program.qualifies_for(history, on).name
        == program.tiers[
            max(
                (
                    r
                    for r, t in enumerate(program.tiers)
                    if t.threshold and t.threshold.met_by(expected)
                ),
                default=0,
            )
        ].name
    )
