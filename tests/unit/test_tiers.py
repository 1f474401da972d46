"""Tier programmes: thresholds, windows, validity, upgrades, soft landing, progress, errors."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.errors import LoyaltyError
from staycore.membership.history import StayRecord, StayTotals, totals
from staycore.membership.tiers import (
    Benefits,
    CalendarYear,
    InvalidEvaluationDayError,
    InvalidTierProgramError,
    InvalidTierStatusError,
    Progress,
    RollingWindow,
    Threshold,
    Tier,
    TierChangeReason,
    TierProgram,
    TierStatus,
    UnknownTierError,
    ValidFor,
    ValidThrough,
)
from staycore.orders.ids import OrderId

ORDER = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
EXAMPLE = TierProgram.example("EUR")


def eur(amount: str | int) -> Money:
    return Money.of(amount, "EUR")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def stay(
    check_in: str, nights: int, spend: str | int = "100.00", currency: str = "EUR"
) -> StayRecord:
    booked = Stay.of_nights(day(check_in), nights)
    return StayRecord(
        order=ORDER,
        stay=booked,
        spend=Money.of(spend, currency),
        completed_at=pendulum.datetime(
            booked.check_out.year, booked.check_out.month, booked.check_out.day, 12, tz="UTC"
        ),
    )


def have(nights: int = 0, stays: int = 0, spend: str | int = 0) -> StayTotals:
    return StayTotals(nights=nights, stays=stays, spend=eur(spend))


def program(*thresholds: Threshold, **options: Any) -> TierProgram:
    names = ["Member", "Silver", "Gold", "Platinum", "Titanium"]
    tiers = [Tier(name=names[0])]
    tiers += [Tier(name=names[i + 1], threshold=t) for i, t in enumerate(thresholds)]
    return TierProgram(tiers=tiers, currency="EUR", **options)


def status(tier: str, qualified: str | None = None, through: str | None = None) -> TierStatus:
    return TierStatus(
        tier,
        None if qualified is None else day(qualified),
        None if through is None else day(through),
    )


SILVER_GOLD = program(Threshold(nights=10), Threshold(nights=25))
THREE = program(Threshold(nights=10), Threshold(nights=25), Threshold(nights=50))


# -- thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "met"),
    [
        (have(nights=25), True),
        (have(stays=12), True),
        (have(spend="5000.00"), True),
        (have(nights=24, stays=11, spend="4999.99"), False),
    ],
)
def test_any_one_alternative_meets_a_threshold(totals: StayTotals, met: bool) -> None:
    gold = Threshold(nights=25, stays=12, spend=eur("5000.00"))

    assert gold.met_by(totals) is met


def test_a_spend_asked_for_as_well_must_be_met_whichever_alternative_was() -> None:
    top = Threshold(nights=50, stays=30, and_spend=eur("10000.00"))

    assert not top.met_by(have(nights=60, spend="9999.99"))
    assert top.met_by(have(stays=30, spend="10000.00"))
    assert not top.met_by(have(nights=49, stays=29, spend="20000.00"))


def test_a_threshold_reads_as_its_alternatives_then_the_spend_besides() -> None:
    assert str(Threshold(stays=1)) == "1 stay"
    assert str(Threshold(nights=1, spend=eur("1200"))) == "1 night or EUR 1,200.00 spend"
    assert str(Threshold(nights=25, stays=12, and_spend=eur(10000))) == (
        "25 nights or 12 stays, and EUR 10,000.00 spend"
    )
    assert Threshold(nights=3).alternatives() == {"nights": 3}
    assert Threshold(nights=3).currency is None
    assert Threshold(nights=3, and_spend=eur(5)).currency == eur(5).currency


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        ({}, "a threshold needs nights, stays or spend"),
        ({"and_spend": eur(100)}, "and_spend alone cannot be met"),
        ({"nights": 0}, "threshold's nights is a whole number of 1 or more, or None; got 0"),
        ({"stays": -2}, "threshold's stays is a whole number of 1 or more"),
        ({"nights": True}, "got True"),
        ({"nights": "10"}, "got '10'"),
        ({"spend": eur(0)}, "threshold's spend is Money above zero"),
        ({"spend": eur("-5")}, "threshold's spend is Money above zero"),
        ({"spend": eur("10.005")}, "rounded to the minor unit"),
        ({"spend": "100 EUR"}, "got '100 EUR'"),
        ({"nights": 5, "and_spend": eur(0)}, "threshold's and_spend is Money above zero"),
        (
            {"spend": eur(100), "and_spend": Money.of(50, "USD")},
            "spend is in EUR and its and_spend in USD",
        ),
    ],
)
def test_a_bad_threshold_is_refused_with_what_to_fix(
    arguments: dict[str, Any], phrase: str
) -> None:
    with pytest.raises(InvalidTierProgramError) as caught:
        Threshold(**arguments)

    assert caught.value.code == "loyalty.invalid_tier_program"
    assert phrase in caught.value.message


# -- benefits and tiers -------------------------------------------------------------------


def test_benefits_default_to_nothing_special() -> None:
    plain = Benefits()

    assert plain.bonus_percent == Decimal(0)
    assert (plain.member_rate_plan, plain.late_checkout, plain.welcome_amenity) == (None,) * 3
    assert plain.upgrade_on_arrival is False
    assert Benefits(bonus_percent="12.5").bonus_percent == Decimal("12.5")


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        ({"bonus_percent": -10}, "a bonus percent is 0 or more"),
        ({"bonus_percent": 0.1}, "a bonus percent is a decimal number of 0 or more"),
        ({"bonus_percent": "lots"}, "such as '25', got 'lots'"),
        ({"member_rate_plan": " "}, "member_rate_plan is non-empty text or None"),
        ({"welcome_amenity": 3}, "welcome_amenity is non-empty text or None, got 3"),
        (
            {"late_checkout": dt.time(14, tzinfo=dt.UTC)},
            "late_checkout is a wall-clock time without tzinfo",
        ),
        ({"late_checkout": "14:00"}, "late_checkout is a wall-clock time"),
        ({"upgrade_on_arrival": "yes"}, "upgrade_on_arrival is True or False, got 'yes'"),
    ],
)
def test_bad_benefits_are_refused(arguments: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidTierProgramError) as caught:
        Benefits(**arguments)

    assert phrase in caught.value.message


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        ({"name": ""}, "a tier needs a name members see"),
        ({"name": "  "}, "a tier needs a name members see"),
        ({"name": "Gold", "threshold": 25}, "tier 'Gold': its threshold is a Threshold or None"),
        ({"name": "Gold", "benefits": {"bonus_percent": 25}}, "its benefits are Benefits"),
    ],
)
def test_a_bad_tier_is_refused(arguments: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidTierProgramError) as caught:
        Tier(**arguments)

    assert phrase in caught.value.message


# -- windows and validity -----------------------------------------------------------------


def test_a_calendar_year_starts_on_the_first_of_january() -> None:
    assert CalendarYear().first_day(day("2026-12-31")) == day("2026-01-01")
    assert CalendarYear().first_day(day("2027-01-01")) == day("2027-01-01")


def test_a_rolling_window_counts_back_its_days_with_the_last_one_included() -> None:
    assert RollingWindow(days=365).first_day(day("2026-06-03")) == day("2025-06-04")
    assert RollingWindow(days=1).first_day(day("2026-06-03")) == day("2026-06-03")


def test_valid_through_is_the_end_of_the_month_years_after_the_year_of_qualifying() -> None:
    rule = ValidThrough(month=2, years_after=2)

    assert rule.valid_through(day("2026-01-01")) == day("2028-02-29")  # leap year
    assert rule.valid_through(day("2026-12-31")) == day("2028-02-29")
    assert rule.valid_through(day("2027-06-03")) == day("2029-02-28")
    assert ValidThrough(month=12, years_after=0).valid_through(day("2026-06-03")) == day(
        "2026-12-31"
    )
    assert ValidThrough(month=4, years_after=1).valid_through(day("2026-06-03")) == day(
        "2027-04-30"
    )


def test_the_next_period_of_a_month_rule_ends_at_the_next_end_of_that_month() -> None:
    rule = ValidThrough()

    assert rule.next_period(day("2028-02-29")) == day("2029-02-28")
    assert rule.next_period(day("2027-02-28")) == day("2028-02-29")
    # A status ending on another day (a hand-made one) runs to the next end of February.
    assert rule.next_period(day("2027-01-10")) == day("2027-02-28")


def test_valid_for_counts_days_after_the_day_of_qualifying() -> None:
    rule = ValidFor(days=30)

    assert rule.valid_through(day("2026-06-03")) == day("2026-07-03")
    assert rule.next_period(day("2026-07-03")) == day("2026-08-02")


@pytest.mark.parametrize(
    ("build", "phrase"),
    [
        (lambda: RollingWindow(days=0), "a rolling window's length is a whole number of days"),
        (lambda: RollingWindow(days=True), "1 or more; got True"),
        (lambda: ValidFor(days=-3), "a validity's length is a whole number of days"),
        (lambda: ValidThrough(month=13), "a validity's month is 1 to 12, got 13"),
        (lambda: ValidThrough(month=0), "a validity's month is 1 to 12, got 0"),
        (lambda: ValidThrough(years_after=-1), "years_after is a whole number of 0 or more"),
        (
            lambda: ValidThrough(month=6, years_after=0),
            "ValidThrough(month=6, years_after=0) would end before members who qualify after "
            "June qualified; use month=12 or years_after=1 or more",
        ),
    ],
)
def test_bad_window_and_validity_numbers_are_refused(build: Any, phrase: str) -> None:
    with pytest.raises(InvalidTierProgramError) as caught:
        build()

    assert phrase in caught.value.message


# -- statuses -----------------------------------------------------------------------------


def test_a_status_reads_as_its_tier_and_dates() -> None:
    assert str(status("Member")) == "Member"
    assert str(status("Gold", "2026-08-20", "2028-02-29")) == (
        "Gold, qualified on 2026-08-20, valid through 2028-02-29"
    )


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        (("",), "a tier status names its tier"),
        (("Gold", day("2026-06-03"), None), "give both (a tier above the entry tier) or neither"),
        (("Gold", None, day("2026-06-03")), "give both"),
        (
            ("Gold", day("2026-06-03"), day("2026-06-02")),
            "would be valid through 2026-06-02, before it was qualified on 2026-06-03",
        ),
        (
            ("Gold", dt.datetime(2026, 6, 3, tzinfo=dt.UTC), day("2027-06-02")),
            "qualified_on is a date such as date(2026, 6, 3) or None",
        ),
    ],
)
def test_a_contradictory_status_is_refused(arguments: tuple[Any, ...], phrase: str) -> None:
    with pytest.raises(InvalidTierStatusError) as caught:
        TierStatus(*arguments)

    assert caught.value.code == "loyalty.invalid_tier_status"
    assert phrase in caught.value.message


# -- programme validation -----------------------------------------------------------------


def test_the_example_programme_is_modelled_on_the_big_hotel_ones() -> None:
    assert [tier.name for tier in EXAMPLE.tiers] == ["Member", "Silver", "Gold", "Platinum"]
    assert [tier.benefits.bonus_percent for tier in EXAMPLE.tiers] == [0, 10, 25, 50]
    assert EXAMPLE.tier("Platinum").threshold == Threshold(nights=50, and_spend=eur(10000))
    assert EXAMPLE.tier("Gold").benefits.upgrade_on_arrival
    assert EXAMPLE.window == CalendarYear()
    assert EXAMPLE.validity == ValidThrough(month=2, years_after=2)
    assert EXAMPLE.soft_landing == 1
    assert str(TierProgram.example("USD").currency) == "USD"


def test_a_higher_tier_may_offer_a_way_in_the_lower_one_does_not() -> None:
    by_stays_too = program(Threshold(nights=10), Threshold(nights=25, stays=12))

    assert by_stays_too.tier("Gold").threshold == Threshold(nights=25, stays=12)


def test_a_higher_tier_may_be_harder_only_by_the_spend_it_asks_besides() -> None:
    spend_besides = program(Threshold(nights=50), Threshold(nights=50, and_spend=eur(20000)))

    assert spend_besides.rank("Gold") == 2


LOW = Tier(name="Silver", threshold=Threshold(nights=10))


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        ({"tiers": []}, "a programme needs at least one tier: the entry tier every member holds"),
        ({"tiers": "Gold"}, "a programme's tiers are a sequence of Tier, entry tier first"),
        ({"tiers": [Tier(name="Member"), "Gold"]}, "a programme's tiers are Tier values"),
        ({"tiers": ["Member"]}, "a programme's tiers are Tier values, got 'Member'"),
        (
            {
                "tiers": [
                    Tier(name="Member"),
                    LOW,
                    Tier(name="silver", threshold=Threshold(nights=20)),
                ]
            },
            "two tiers are named 'Silver' and 'silver'; give each tier a name of its own",
        ),
        (
            {"tiers": [LOW]},
            "the first tier 'Silver' is the entry tier every member holds and has no threshold",
        ),
        (
            {"tiers": [Tier(name="Member"), LOW, Tier(name="Gold")]},
            "tier 'Gold' has no threshold; only the first tier, the entry tier, may have none",
        ),
        (
            {
                "tiers": [
                    Tier(name="Member"),
                    Tier(name="Silver", threshold=Threshold(spend=Money.of(1000, "USD"))),
                ]
            },
            "tier 'Silver' counts spend in USD, and the programme in EUR; give every amount in EUR",
        ),
        (
            {"tiers": [Tier(name="Member")], "window": "calendar"},
            "a programme's window is CalendarYear() or RollingWindow(days=...)",
        ),
        (
            {"tiers": [Tier(name="Member")], "validity": dt.timedelta(days=365)},
            "a programme's validity is ValidThrough(month=..., years_after=...) or ValidFor",
        ),
        ({"tiers": [Tier(name="Member")], "soft_landing": 0}, "soft_landing is how many tiers"),
        ({"tiers": [Tier(name="Member")], "soft_landing": True}, "or None to drop to what the"),
        ({"tiers": [Tier(name="Member")], "soft_landing": "1"}, "got '1'"),
    ],
)
def test_a_bad_programme_is_refused_naming_the_problem(
    arguments: dict[str, Any], phrase: str
) -> None:
    with pytest.raises(InvalidTierProgramError) as caught:
        TierProgram(currency="EUR", **arguments)

    assert caught.value.code == "loyalty.invalid_tier_program"
    assert phrase in caught.value.message


@pytest.mark.parametrize(
    ("thresholds", "phrase"),
    [
        (
            [Threshold(nights=25), Threshold(nights=10)],
            "tier 'Gold' asks for 10 nights, less than the 25 nights of 'Silver' below it; a "
            "higher tier asks at least as much on every measure both use",
        ),
        (
            [Threshold(nights=10, stays=6), Threshold(nights=25, stays=5)],
            "tier 'Gold' asks for 5 stays, less than the 6 stays of 'Silver'",
        ),
        (
            [Threshold(nights=10, spend=eur(2000)), Threshold(nights=25, spend=eur(1500))],
            "tier 'Gold' asks for EUR 1,500.00 spend, less than the EUR 2,000.00 spend",
        ),
        (
            [Threshold(nights=10), Threshold(spend=eur(5000))],
            "tiers 'Silver' (10 nights) and 'Gold' (EUR 5,000.00 spend) share no measure, so "
            "neither is clearly harder to reach; let 'Gold' count nights too",
        ),
        (
            [Threshold(nights=10, and_spend=eur(1000)), Threshold(nights=25)],
            "tier 'Gold' asks for no spend besides, less than the EUR 1,000.00 of 'Silver'",
        ),
        (
            [Threshold(nights=10, and_spend=eur(1000)), Threshold(nights=25, and_spend=eur(500))],
            "tier 'Gold' asks for EUR 500.00 spend besides, less than the EUR 1,000.00",
        ),
        (
            [Threshold(nights=10, stays=4), Threshold(nights=10, stays=4, spend=eur(900))],
            "tier 'Gold' (10 nights or 4 stays or EUR 900.00 spend) is no harder to reach than "
            "'Silver' (10 nights or 4 stays); raise one of its thresholds or merge the two tiers",
        ),
        (
            # Each tier is harder than the one below it, but Silver and Platinum share nothing.
            [Threshold(nights=10), Threshold(nights=20, stays=5), Threshold(stays=8)],
            "tiers 'Silver' (10 nights) and 'Platinum' (8 stays) share no measure",
        ),
    ],
)
def test_unordered_or_overlapping_thresholds_are_refused(
    thresholds: list[Threshold], phrase: str
) -> None:
    with pytest.raises(InvalidTierProgramError) as caught:
        program(*thresholds)

    assert phrase in caught.value.message


def test_the_errors_are_loyalty_errors_with_stable_codes() -> None:
    codes = {
        InvalidTierProgramError: "loyalty.invalid_tier_program",
        UnknownTierError: "loyalty.unknown_tier",
        InvalidTierStatusError: "loyalty.invalid_tier_status",
        InvalidEvaluationDayError: "loyalty.invalid_evaluation_day",
    }
    for error, code in codes.items():
        assert issubclass(error, LoyaltyError)
        assert error.code == code


# -- looking tiers up ---------------------------------------------------------------------


def test_tiers_are_looked_up_by_name_and_ranked_from_the_entry_tier() -> None:
    assert EXAMPLE.entry.name == "Member"
    assert [EXAMPLE.rank(name) for name in ("Member", "Silver", "Gold", "Platinum")] == [0, 1, 2, 3]
    assert EXAMPLE.tier("Gold").benefits.late_checkout == dt.time(14)
    assert EXAMPLE.benefits(None) == EXAMPLE.entry.benefits
    assert EXAMPLE.benefits(status("Silver", "2026-06-03", "2028-02-29")).bonus_percent == 10


def test_an_unknown_tier_name_is_refused_listing_the_tiers() -> None:
    with pytest.raises(UnknownTierError) as caught:
        EXAMPLE.tier("gold")

    assert caught.value.message == (
        "no tier is named 'gold'; the programme's tiers are Member, Silver, Gold, Platinum"
    )
    with pytest.raises(UnknownTierError):
        EXAMPLE.benefits(status("Diamond", "2026-06-03", "2028-02-29"))


# -- the window's totals ------------------------------------------------------------------


def test_the_calendar_year_counts_stays_by_check_out_up_to_the_day_asked() -> None:
    history = [
        stay("2025-12-29", 4, "400.00"),  # checks out 2026-01-02: a 2026 stay
        stay("2026-03-02", 3, "300.00"),
        stay("2026-11-20", 2, "200.00"),  # counted after the day asked for
        stay("2025-12-20", 2, "999.00"),  # 2025
    ]

    assert SILVER_GOLD.qualifying_totals(history, day("2026-06-30")) == have(7, 2, "700.00")
    assert SILVER_GOLD.qualifying_totals(history, day("2026-12-31")) == totals(
        history, start=day("2026-01-01"), end=day("2027-01-01"), currency="EUR"
    )


def test_a_rolling_window_counts_the_days_ending_on_the_day_asked() -> None:
    rolling = program(Threshold(nights=10), window=RollingWindow(days=30))
    history = [stay("2026-05-01", 3), stay("2026-05-29", 2), stay("2026-06-10", 1)]
    # Counted on 2026-05-04, 2026-05-31 and 2026-06-11.

    assert rolling.qualifying_totals(history, day("2026-06-02")).nights == 5
    assert rolling.qualifying_totals(history, day("2026-06-02")).stays == 2
    assert rolling.qualifying_totals(history, day("2026-06-03")).nights == 2  # 05-04 left
    assert rolling.qualifying_totals(history, day("2026-06-11")).nights == 3


def test_stays_on_one_day_add_up() -> None:
    history = [stay("2026-03-02", 3, "300.00"), stay("2026-03-01", 4, "250.50")]

    assert SILVER_GOLD.qualifying_totals(history, day("2026-03-05")) == have(7, 2, "550.50")


def test_spend_in_another_currency_than_the_programme_is_refused() -> None:
    history = [stay("2026-03-02", 3, "300.00", currency="USD")]

    with pytest.raises(CurrencyMismatchError) as caught:
        SILVER_GOLD.qualifying_totals(history, day("2026-03-05"))

    assert caught.value.message == (
        f"the stay of order {ORDER} spent USD 300.00, and the programme counts spend in EUR; "
        "convert the spend first"
    )


def test_qualifies_for_is_the_highest_tier_the_window_meets() -> None:
    # Gold may be reached by stays, which Silver does not count.
    by_stays = program(Threshold(nights=30), Threshold(nights=40, stays=5))
    short_stays = [stay(f"2026-0{month}-01", 1) for month in range(1, 6)]

    assert by_stays.qualifies_for(short_stays, day("2026-05-02")).name == "Gold"
    assert by_stays.qualifies_for(short_stays, day("2026-05-01")).name == "Member"
    assert EXAMPLE.qualifies_for([], day("2026-05-01")).name == "Member"


# -- evaluating ---------------------------------------------------------------------------


def test_a_member_without_stays_holds_the_entry_tier() -> None:
    assert EXAMPLE.evaluate([], None, day("2026-06-03")) == status("Member")
    assert EXAMPLE.replay([], day("2026-06-03")) == status("Member")


def test_the_upgrade_comes_on_the_day_the_qualifying_stay_counts() -> None:
    history = [stay("2026-03-02", 6), stay("2026-06-01", 4)]  # checks out 2026-06-05

    assert SILVER_GOLD.evaluate(history, None, day("2026-06-04")) == status("Member")
    assert SILVER_GOLD.evaluate(history, None, day("2026-06-05")) == status(
        "Silver", "2026-06-05", "2028-02-29"
    )
    # Evaluated late, it is still qualified on the day the stay counted.
    assert SILVER_GOLD.evaluate(history, None, day("2026-09-01")) == status(
        "Silver", "2026-06-05", "2028-02-29"
    )


def test_a_stay_over_new_year_counts_in_the_year_it_checks_out() -> None:
    history = [stay("2026-12-25", 10)]  # checks out 2027-01-04

    assert SILVER_GOLD.qualifies_for(history, day("2026-12-31")).name == "Member"
    assert SILVER_GOLD.replay(history, day("2027-01-04")) == status(
        "Silver", "2027-01-04", "2029-02-28"
    )


def test_a_member_may_skip_tiers_at_once() -> None:
    history = [stay("2026-07-01", 30)]

    assert SILVER_GOLD.replay(history, day("2026-08-01")) == status(
        "Gold", "2026-07-31", "2028-02-29"
    )


def test_stays_counted_after_the_day_asked_are_left_out() -> None:
    history = [stay("2026-07-01", 30)]

    assert SILVER_GOLD.evaluate(history, None, day("2026-07-30")) == status("Member")


def test_requalifying_in_the_same_year_moves_the_day_but_not_the_end() -> None:
    silver = status("Silver", "2026-03-11", "2028-02-29")
    history = [stay("2026-03-01", 10), stay("2026-05-01", 2)]

    assert SILVER_GOLD.evaluate(history, silver, day("2026-05-03")) == status(
        "Silver", "2026-05-03", "2028-02-29"
    )


def test_requalifying_the_next_year_holds_the_tier_a_year_longer() -> None:
    history = [stay("2026-03-01", 10), stay("2027-03-01", 10)]

    assert SILVER_GOLD.replay(history, day("2027-03-11")) == status(
        "Silver", "2027-03-11", "2029-02-28"
    )


def test_at_the_end_of_validity_the_soft_landing_drops_one_tier_for_one_more_period() -> None:
    history = [stay("2026-07-01", 50)]  # Platinum, counted 2026-08-20
    platinum = THREE.replay(history, day("2026-08-20"))

    assert platinum == status("Platinum", "2026-08-20", "2028-02-29")
    assert THREE.evaluate(history, platinum, day("2028-02-29")) == platinum
    gold = THREE.evaluate(history, platinum, day("2028-03-01"))
    assert gold == status("Gold", "2028-03-01", "2029-02-28")
    assert THREE.evaluate(history, gold, day("2029-03-01")) == status(
        "Silver", "2029-03-01", "2030-02-28"
    )
    # Several periods at once: each end drops one tier, down to the entry tier.
    assert THREE.evaluate(history, platinum, day("2030-03-01")) == status("Member")
    assert [(c.on, c.after.tier) for c in THREE.timeline(history, day("2031-01-01"))] == [
        (day("2026-08-20"), "Platinum"),
        (day("2028-03-01"), "Gold"),
        (day("2029-03-01"), "Silver"),
        (day("2030-03-01"), "Member"),
    ]


def test_without_a_soft_landing_the_member_drops_to_what_the_history_supports() -> None:
    hard = program(
        Threshold(nights=10), Threshold(nights=25), Threshold(nights=50), soft_landing=None
    )
    history = [stay("2026-07-01", 50)]

    assert hard.replay(history, day("2028-03-01")) == status("Member")


def test_a_soft_landing_of_two_tiers() -> None:
    two = program(Threshold(nights=10), Threshold(nights=25), Threshold(nights=50), soft_landing=2)
    history = [stay("2026-07-01", 50)]

    assert two.replay(history, day("2028-03-01")) == status("Silver", "2028-03-01", "2029-02-28")


def test_a_lower_tier_earned_while_holding_a_higher_one_holds_when_that_one_ends() -> None:
    hard = program(
        Threshold(nights=10), Threshold(nights=25), Threshold(nights=50), soft_landing=None
    )
    history = [stay("2026-07-01", 50), stay("2027-05-01", 12)]  # Silver in 2027, on 05-13

    assert hard.replay(history, day("2027-05-13")).tier == "Platinum"
    assert hard.replay(history, day("2028-03-01")) == status("Silver", "2027-05-13", "2029-02-28")


def test_a_window_still_qualifying_when_the_status_ends_qualifies_that_day() -> None:
    history = [stay("2026-07-01", 50), stay("2028-01-02", 26)]  # Gold on 2028-01-28

    # The 2028 window qualifies for Gold on 2028-03-01 too: Gold is earned again that day.
    assert THREE.replay(history, day("2028-03-01")) == status("Gold", "2028-03-01", "2030-02-28")


def test_a_soft_landing_never_drops_below_what_the_history_supports() -> None:
    two = program(Threshold(nights=10), Threshold(nights=25), Threshold(nights=50), soft_landing=2)
    history = [stay("2026-07-01", 50), stay("2027-03-01", 26)]  # Gold in 2027 on 03-27

    # Two tiers down would be Silver; Gold earned in 2027 holds until February 2029.
    assert two.replay(history, day("2028-03-01")) == status("Gold", "2027-03-27", "2029-02-28")
    assert THREE.replay(history, day("2028-03-01")) == status("Gold", "2027-03-27", "2029-02-28")


def test_a_tier_both_earned_and_landed_on_holds_for_the_longer_of_the_two() -> None:
    by_stays = program(
        Threshold(stays=1),
        Threshold(stays=2),
        Threshold(stays=3),
        window=RollingWindow(days=30),
        validity=ValidFor(days=30),
    )
    start = day("2026-01-01")
    counted = [0, 5, 11, 35]  # Platinum on day 11 (through day 41), Gold alone on day 35
    history = [stay(str(start + dt.timedelta(days=n - 1)), 1) for n in counted]

    assert by_stays.replay(history, start + dt.timedelta(days=41)).tier == "Platinum"
    # Day 42: the window holds one stay. Gold earned on day 35 holds to day 65; landed
    # softly from Platinum, it holds a period after day 41, to day 71.
    assert by_stays.replay(history, start + dt.timedelta(days=42)) == TierStatus(
        "Gold", start + dt.timedelta(days=35), start + dt.timedelta(days=71)
    )


def test_a_rolling_window_still_full_when_the_status_ends_qualifies_again_that_day() -> None:
    rolling = program(
        Threshold(nights=10), window=RollingWindow(days=365), validity=ValidFor(days=90)
    )
    history = [stay("2026-03-01", 10)]  # Silver on 2026-03-11, through 2026-06-09

    assert rolling.replay(history, day("2026-06-10")) == status(
        "Silver", "2026-06-10", "2026-09-08"
    )
    # The window holds the stay until 2027-03-10, the day the fourth period starts.
    timeline = rolling.timeline(history, day("2027-12-31"))
    assert [(c.on, c.after) for c in timeline[-2:]] == [
        (day("2027-03-10"), status("Silver", "2027-03-10", "2027-06-08")),
        (day("2027-06-09"), status("Member")),
    ]


def test_evaluate_picks_up_from_the_status_it_is_given() -> None:
    history = [stay("2026-03-01", 10), stay("2026-08-01", 20)]
    silver = SILVER_GOLD.evaluate(history[:1], None, day("2026-03-11"))

    gold = SILVER_GOLD.evaluate(history, silver, day("2026-08-21"))

    assert gold == status("Gold", "2026-08-21", "2028-02-29")
    assert gold == SILVER_GOLD.replay(history, day("2026-08-21"))
    assert SILVER_GOLD.evaluate(history, gold, day("2026-08-21")) == gold


def test_the_timeline_says_why_each_change_happened() -> None:
    history = [stay("2026-03-01", 10), stay("2027-03-01", 10), stay("2027-08-01", 20)]

    timeline = SILVER_GOLD.timeline(history, day("2030-03-01"))

    assert [(c.on, c.reason, c.after.tier) for c in timeline] == [
        (day("2026-03-11"), TierChangeReason.QUALIFIED, "Silver"),
        (day("2027-03-11"), TierChangeReason.REQUALIFIED, "Silver"),
        (day("2027-08-21"), TierChangeReason.QUALIFIED, "Gold"),
        (day("2029-03-01"), TierChangeReason.EXPIRED, "Silver"),
        (day("2030-03-01"), TierChangeReason.EXPIRED, "Member"),
    ]
    assert all(a.after == b.before for a, b in itertools.pairwise(timeline))
    assert SILVER_GOLD.replay(history, day("2030-03-01")) == timeline[-1].after


def test_evaluating_before_the_status_was_qualified_is_refused() -> None:
    silver = status("Silver", "2026-06-05", "2028-02-29")

    with pytest.raises(InvalidEvaluationDayError) as caught:
        SILVER_GOLD.evaluate([], silver, day("2026-06-04"))

    assert caught.value.message == (
        "cannot evaluate on 2026-06-04 a status qualified on 2026-06-05; evaluate on a later "
        "day, or replay the history to a day before"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda on: EXAMPLE.evaluate([], None, on),
        lambda on: EXAMPLE.replay([], on),
        lambda on: EXAMPLE.timeline([], on),
        lambda on: EXAMPLE.qualifying_totals([], on),
        lambda on: EXAMPLE.progress([], None, on),
    ],
)
def test_an_instant_is_not_a_day_to_evaluate_on(call: Any) -> None:
    with pytest.raises(InvalidEvaluationDayError) as caught:
        call(pendulum.datetime(2026, 6, 3, tz="Europe/Paris"))

    assert "tiers are evaluated on a local date such as date(2026, 6, 3)" in caught.value.message
    assert "Convert an instant with staycore.kernel.time.local_date" in caught.value.message


@pytest.mark.parametrize(
    ("given", "error", "phrase"),
    [
        (status("Member", "2026-01-01", "2027-01-01"), InvalidTierStatusError, "without dates"),
        (status("Gold"), InvalidTierStatusError, "every other tier with both"),
        (status("Diamond"), UnknownTierError, "no tier is named 'Diamond'"),
        ("Gold", InvalidTierStatusError, "a status is a TierStatus or None, got 'Gold'"),
    ],
)
def test_a_status_that_does_not_fit_the_programme_is_refused(
    given: Any, error: type[LoyaltyError], phrase: str
) -> None:
    with pytest.raises(error) as caught:
        SILVER_GOLD.evaluate([], given, day("2026-06-03"))

    assert phrase in caught.value.message


# -- progress -----------------------------------------------------------------------------


def test_progress_names_what_is_missing_on_each_alternative() -> None:
    history = [stay("2026-01-05", 11, "3800.00")] + [
        stay(f"2026-{month:02}-01", 1, "0.00") for month in range(2, 12)
    ]
    silver = EXAMPLE.replay(history, day("2026-11-02"))

    progress = EXAMPLE.progress(history, silver, day("2026-11-02"))

    assert silver.tier == "Silver"
    assert (progress.tier, progress.keep, progress.met) == ("Gold", False, False)
    assert (progress.missing_nights, progress.missing_stays) == (4, 1)
    assert progress.missing_spend == eur("1200.00")
    assert progress.missing_and_spend is None
    assert str(progress) == "4 nights or 1 stay or EUR 1,200.00 spend to Gold"


def test_progress_shows_the_spend_asked_for_as_well() -> None:
    top = Threshold(nights=50, stays=30, and_spend=eur(10000))

    both = Progress(tier="Platinum", threshold=top, totals=have(45, 28, "9000.00"))
    besides = Progress(tier="Platinum", threshold=top, totals=have(52, 28, "9000.00"))
    alone = Progress(
        tier="Platinum", threshold=Threshold(nights=50, and_spend=eur(10000)), totals=have(45)
    )

    assert str(both) == "5 nights or 2 stays, and EUR 1,000.00 spend to Platinum"
    assert str(besides) == "EUR 1,000.00 spend to Platinum"
    assert (besides.missing_nights, besides.missing_and_spend) == (0, eur("1000.00"))
    assert str(alone) == "5 nights and EUR 10,000.00 spend to Platinum"


def test_missing_spend_is_rounded_up_so_spending_it_is_enough() -> None:
    gold = Threshold(spend=eur(1000))

    progress = Progress(tier="Gold", threshold=gold, totals=have(spend="999.994"))

    assert progress.missing_spend == eur("0.01")
    assert str(progress) == "EUR 0.01 spend to Gold"


def test_amounts_read_in_the_currencys_own_minor_units() -> None:
    yen = Threshold(spend=Money.of(120000, "JPY"))
    totals_in_yen = StayTotals(nights=0, stays=0, spend=Money.of(2500, "JPY"))

    assert str(Progress(tier="Gold", threshold=yen, totals=totals_in_yen)) == (
        "JPY 117,500 spend to Gold"
    )


def test_progress_once_met_says_so() -> None:
    history = [stay("2026-03-01", 12)]
    member = status("Member")  # not evaluated since the stay

    progress = EXAMPLE.progress(history, member, day("2026-03-13"))

    assert progress.met
    assert progress.missing_nights == 0
    assert str(progress) == "qualifies for Silver"


def test_at_the_top_there_is_nothing_to_reach() -> None:
    platinum = status("Platinum", "2026-08-20", "2028-02-29")

    progress = EXAMPLE.progress([], platinum, day("2026-09-01"))

    assert progress.at_top
    assert (progress.tier, progress.threshold, progress.met) == (None, None, False)
    assert progress.missing_nights is None
    assert str(progress) == "top tier reached"


def test_to_keep_is_what_requalifies_for_the_tier_held() -> None:
    history = [stay("2026-03-01", 26), stay("2027-03-01", 20)]
    gold = EXAMPLE.replay(history, day("2027-12-01"))

    to_keep = EXAMPLE.to_keep(history, gold, day("2027-12-01"))

    assert gold == status("Gold", "2026-03-27", "2028-02-29")
    assert (to_keep.tier, to_keep.keep, to_keep.missing_nights) == ("Gold", True, 5)
    assert str(to_keep) == "5 nights or 11 stays or EUR 4,900.00 spend to keep Gold"
    history.append(stay("2027-12-01", 5))
    assert str(EXAMPLE.to_keep(history, gold, day("2027-12-06"))) == "qualifies to keep Gold"


def test_the_entry_tier_is_always_kept() -> None:
    to_keep = EXAMPLE.to_keep([], None, day("2026-06-03"))

    assert (to_keep.tier, to_keep.met) == ("Member", True)
    assert str(to_keep) == "qualifies to keep Member"
