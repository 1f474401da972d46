"""RestrictionCalendar: changes given as data, windows, pasting and growing."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import (
    ContradictoryRestrictionsError,
    InvalidRestrictionError,
    Restriction,
    RestrictionCalendar,
)
from staycore.kernel.time import Stay
from staycore.testing.errors import assert_refused

HORIZON = Stay.parse("2026-07-01/2026-08-01")
WEEK = Stay.parse("2026-07-06/2026-07-13")


def _columns(rules: RestrictionCalendar, nights: Stay) -> dict[Restriction, list[int]]:
    return {r: rules.column(r, nights) for r in Restriction}


def _sample() -> RestrictionCalendar:
    rules = RestrictionCalendar(HORIZON)
    rules.restrict(NightSelection.of(WEEK), closed_to_arrival=True, max_lead_days=90)
    rules.restrict(NightSelection(HORIZON, {calendar.SATURDAY}), min_stay_arrival=2)
    return rules


# -- apply -------------------------------------------------------------------------


def test_apply_and_restrict_make_the_same_calendar() -> None:
    by_keywords, by_data = RestrictionCalendar(HORIZON), RestrictionCalendar(HORIZON)
    by_keywords.restrict(NightSelection.of(WEEK), stop_sell=True, min_stay_through=3)
    by_data.apply(
        NightSelection.of(WEEK), {Restriction.STOP_SELL: True, Restriction.MIN_STAY_THROUGH: 3}
    )
    assert _columns(by_keywords, HORIZON) == _columns(by_data, HORIZON)


def test_apply_with_no_changes_changes_nothing() -> None:
    rules = _sample()
    rules.apply(NightSelection.of(WEEK), {})
    assert _columns(rules, HORIZON) == _columns(_sample(), HORIZON)


def test_apply_refuses_a_key_that_is_not_a_restriction_and_changes_nothing() -> None:
    rules = RestrictionCalendar(HORIZON)
    changes = cast("dict[Restriction, bool | int]", {Restriction.STOP_SELL: True, "cta": True})
    assert_refused(
        InvalidRestrictionError,
        "availability.invalid_restriction",
        "Restriction('min_stay_arrival')",
        lambda: rules.apply(NightSelection.of(WEEK), changes),
    )
    assert rules.on(WEEK.check_in) == {}


def test_apply_refuses_a_contradiction_on_some_nights_and_changes_none() -> None:
    rules = RestrictionCalendar(HORIZON)
    rules.apply(NightSelection(HORIZON, {calendar.SUNDAY}), {Restriction.MAX_LEAD_DAYS: 5})
    assert_refused(
        ContradictoryRestrictionsError,
        "availability.contradictory_restrictions",
        "min_lead_days 7 would exceed max_lead_days 5 on 2026-07-12",
        lambda: rules.apply(
            NightSelection.of(WEEK), {Restriction.STOP_SELL: True, Restriction.MIN_LEAD_DAYS: 7}
        ),
    )
    assert rules.column(Restriction.STOP_SELL, WEEK) == [0] * 7
    assert rules.column(Restriction.MIN_LEAD_DAYS, WEEK) == [0] * 7


# -- window ------------------------------------------------------------------------


def test_a_window_reads_nights_outside_the_horizon_as_not_set() -> None:
    rules = _sample()
    rules.restrict(NightSelection.of(HORIZON), stop_sell=True)
    nights = Stay.parse("2026-06-29/2026-07-03")
    window = rules.window(nights)
    assert window.horizon == nights
    assert window.column(Restriction.STOP_SELL, nights) == [0, 0, 1, 1]
    far = rules.window(Stay.parse("2027-01-01/2027-01-03"))
    assert _columns(far, far.horizon) == {r: [0, 0] for r in Restriction}


def test_a_window_and_its_calendar_are_independent() -> None:
    rules = _sample()
    window = rules.window(WEEK)
    window.restrict(NightSelection.of(WEEK), stop_sell=True)
    rules.restrict(NightSelection.of(WEEK), min_stay_through=4)
    assert rules.column(Restriction.STOP_SELL, WEEK) == [0] * 7
    assert window.column(Restriction.MIN_STAY_THROUGH, WEEK) == [0] * 7


# -- paste -------------------------------------------------------------------------


def test_paste_overwrites_only_the_nights_the_other_covers() -> None:
    target = RestrictionCalendar(HORIZON)
    target.restrict(NightSelection.of(HORIZON), stop_sell=True, min_stay_through=2)
    source = RestrictionCalendar(Stay.parse("2026-07-30/2026-08-05"))
    source.restrict(NightSelection.of(source.horizon), closed_to_departure=True)
    target.paste(source)
    assert target.on(dt.date(2026, 7, 29)) == {
        Restriction.STOP_SELL: 1,
        Restriction.MIN_STAY_THROUGH: 2,
    }
    assert target.on(dt.date(2026, 7, 30)) == {Restriction.CLOSED_TO_DEPARTURE: 1}
    assert target.on(dt.date(2026, 7, 31)) == {Restriction.CLOSED_TO_DEPARTURE: 1}
    assert target.horizon == HORIZON


def test_paste_of_a_calendar_that_shares_no_night_changes_nothing() -> None:
    rules = _sample()
    other = RestrictionCalendar(Stay.parse("2026-08-01/2026-08-10"))
    other.restrict(NightSelection.of(other.horizon), stop_sell=True)
    rules.paste(other)
    assert _columns(rules, HORIZON) == _columns(_sample(), HORIZON)


# -- grown_to ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("horizon", "grown"),
    [
        ("2026-08-15/2026-09-01", "2026-07-01/2026-09-01"),
        ("2026-05-01/2026-05-02", "2026-05-01/2026-08-01"),
        ("2026-07-10/2026-07-11", "2026-07-01/2026-08-01"),
    ],
)
def test_a_grown_calendar_keeps_every_value(horizon: str, grown: str) -> None:
    rules = _sample()
    longer = rules.grown_to(Stay.parse(horizon))
    assert longer.horizon == Stay.parse(grown)
    assert _columns(longer, HORIZON) == _columns(rules, HORIZON)
    assert all(longer.on(night) == {} for night in longer.horizon if night not in HORIZON)
    assert rules.horizon == HORIZON


@given(
    first=st.integers(min_value=0, max_value=30),
    length=st.integers(min_value=1, max_value=10),
    value=st.integers(min_value=0, max_value=400),
    restriction=st.sampled_from([r for r in Restriction if r.value.endswith(("through", "days"))]),
)
def test_a_window_pasted_back_leaves_the_calendar_as_it_was(
    first: int, length: int, value: int, restriction: Restriction
) -> None:
    rules = RestrictionCalendar(HORIZON)
    nights = Stay.of_nights(HORIZON.check_in + dt.timedelta(days=first), length)
    inside = nights.overlap(HORIZON)  # the window may reach past the horizon
    assert inside is not None
    rules.apply(NightSelection.of(inside), {restriction: value})
    before = _columns(rules, HORIZON)
    rules.paste(rules.window(nights))
    assert _columns(rules, HORIZON) == before
    assert _columns(rules.grown_to(nights), HORIZON) == before


@pytest.mark.parametrize(
    "booked_on", [None, dt.timedelta(days=-1), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)]
)
def test_checking_needs_the_booking_date_as_a_date(booked_on: Any) -> None:
    # Found by the fuzz suite: TypeError, AttributeError or OverflowError escaped.
    rules = RestrictionCalendar(Stay.parse("2026-07-01/2026-08-01"))
    assert_refused(
        InvalidRestrictionError,
        "availability.invalid_restriction",
        "booked_on is a calendar date",
        lambda: rules.check(Stay.parse("2026-07-10/2026-07-12"), booked_on=booked_on),
    )


def test_a_number_of_days_beyond_a_century_is_refused_not_overflowed() -> None:
    rules = RestrictionCalendar(Stay.parse("2026-07-01/2026-08-01"))
    july = NightSelection.of(rules.horizon)
    assert_refused(
        InvalidRestrictionError,
        "availability.invalid_restriction",
        "at most 36,500",
        lambda: rules.apply(july, {Restriction.MIN_STAY_ARRIVAL: 10**400}),
    )
