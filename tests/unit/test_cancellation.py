"""Cancellation policies: tiers, local deadlines across DST, fees, and what a charge says."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from staycore.kernel.errors import NaiveDatetimeError, UnknownTimezoneError
from staycore.kernel.money import Money
from staycore.orders.cancellation import (
    CancellationCharge,
    CancellationPolicy,
    CancellationTier,
    InvalidCancellationError,
    InvalidCancellationPolicyError,
)
from staycore.orders.errors import OrderError

PARIS = "Europe/Paris"
ARRIVAL = dt.date(2026, 7, 10)
VALUE = Money.of("500.00", "EUR")


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def tier(notice: dt.timedelta, percent: int | str, fee: str | None = None) -> CancellationTier:
    return CancellationTier(
        notice=notice,
        refund_percent=percent,
        fee=None if fee is None else Money.of(fee, "EUR"),
    )


MODERATE = CancellationPolicy.tiered("Moderate", [tier(days(7), 100), tier(days(1), 50)])


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz=PARIS)


def charge(
    policy: CancellationPolicy,
    cancelled_at: dt.datetime,
    value: Money = VALUE,
    arrival: dt.date = ARRIVAL,
    timezone: str = PARIS,
) -> CancellationCharge:
    return policy.charge(value, cancelled_at=cancelled_at, arrival=arrival, timezone=timezone)


# -- tiers and their deadlines ----------------------------------------------------------


def test_tiers_are_kept_longest_notice_first_whatever_order_they_are_given_in() -> None:
    given = CancellationPolicy.tiered("Moderate", [tier(days(1), 50), tier(days(7), 100)])

    assert given == MODERATE
    assert [t.notice for t in given.tiers] == [days(7), days(1)]


def test_deadlines_are_check_in_time_local_minus_the_notice() -> None:
    deadlines = MODERATE.deadlines(ARRIVAL, PARIS)

    assert [(t.describe_notice, d.isoformat()) for t, d in deadlines] == [
        ("7-day", "2026-07-03T15:00:00+02:00"),
        ("1-day", "2026-07-09T15:00:00+02:00"),
    ]


@pytest.mark.parametrize(
    ("arrival", "seven_days_before"),
    [
        # Summer time starts in Europe/Paris on 29 March 2026: the week lasts 167 hours.
        (dt.date(2026, 4, 2), "2026-03-26T15:00:00+01:00"),
        # Summer time ends on 25 October 2026: the week lasts 169 hours.
        (dt.date(2026, 10, 29), "2026-10-22T15:00:00+02:00"),
    ],
)
def test_a_deadline_keeps_the_local_wall_time_across_a_dst_week(
    arrival: dt.date, seven_days_before: str
) -> None:
    ((_, deadline), _) = MODERATE.deadlines(arrival, PARIS)

    assert deadline.isoformat() == seven_days_before
    check_in = local(arrival.year, arrival.month, arrival.day, 15)
    assert (check_in - deadline).in_hours() in (167, 169)


def test_notice_under_a_day_is_elapsed_time_across_the_change() -> None:
    # From 15:00 on 30 March (summer time) back 36 hours: 1 day on the wall clock to
    # 15:00 on 29 March, then 12 elapsed hours to 03:00 summer time, which is 02:00 UTC - 1.
    policy = CancellationPolicy.tiered("Short", [tier(dt.timedelta(hours=36), 100)])

    ((_, deadline),) = policy.deadlines(dt.date(2026, 3, 30), PARIS)

    assert deadline.isoformat() == "2026-03-29T03:00:00+02:00"
    assert deadline.in_tz("UTC").isoformat() == "2026-03-29T01:00:00+00:00"


def test_the_policy_check_in_time_moves_every_deadline() -> None:
    policy = CancellationPolicy.flexible(check_in_time=dt.time(14))

    ((_, deadline),) = policy.deadlines(ARRIVAL, "Asia/Taipei")

    assert deadline.isoformat() == "2026-07-09T14:00:00+08:00"


# -- which tier applies -----------------------------------------------------------------


def test_one_instant_before_a_deadline_gets_the_tier_and_the_deadline_itself_does_not() -> None:
    seven_days = local(2026, 7, 3, 15)

    before = charge(MODERATE, seven_days.subtract(microseconds=1))
    at = charge(MODERATE, seven_days)

    assert (before.refund_percent, before.charge) == (Decimal(100), Money.of("0.00", "EUR"))
    assert before.tier == tier(days(7), 100)
    assert before.deadline == seven_days
    assert (at.refund_percent, at.charge) == (Decimal(50), Money.of("250.00", "EUR"))
    assert at.tier == tier(days(1), 50)


def test_after_the_last_deadline_nothing_is_refunded() -> None:
    late = charge(MODERATE, local(2026, 7, 9, 15))

    assert late.tier is None
    assert late.deadline is None
    assert late.refund_percent == 0
    assert late.charge == VALUE
    assert late.waived.is_zero
    assert late.fee.is_zero


def test_a_cancellation_in_utc_is_placed_against_local_deadlines() -> None:
    # 15:00 in Paris on 3 July is 13:00 UTC.
    assert charge(MODERATE, pendulum.datetime(2026, 7, 3, 12, 59, tz="UTC")).refund_percent == 100
    assert charge(MODERATE, pendulum.datetime(2026, 7, 3, 13, tz="UTC")).refund_percent == 50


def test_a_deadline_in_a_dst_week_is_met_by_its_utc_instant() -> None:
    # Seven days before 2 April 15:00 (summer time) is 26 March 15:00 winter time = 14:00 UTC.
    arrival = dt.date(2026, 4, 2)

    in_time = charge(
        MODERATE, pendulum.datetime(2026, 3, 26, 13, 59, 59, tz="UTC"), arrival=arrival
    )
    too_late = charge(MODERATE, pendulum.datetime(2026, 3, 26, 14, tz="UTC"), arrival=arrival)

    assert in_time.refund_percent == 100
    assert too_late.refund_percent == 50


def test_a_non_refundable_policy_keeps_everything_even_months_ahead() -> None:
    policy = CancellationPolicy.non_refundable()

    cost = charge(policy, local(2026, 1, 1, 9))

    assert cost.charge == VALUE
    assert cost.refund_percent == 0
    assert policy.deadlines(ARRIVAL, PARIS) == ()
    assert "'Non-refundable'" in cost.explanation
    assert "nothing refunded" in cost.explanation


def test_a_zero_notice_tier_lasts_until_check_in() -> None:
    policy = CancellationPolicy.flexible("Until check-in", notice=dt.timedelta(0))

    assert charge(policy, local(2026, 7, 10, 14, 59)).charge.is_zero
    assert charge(policy, local(2026, 7, 10, 15)).charge == VALUE


# -- amounts: rounding and fees ---------------------------------------------------------


def test_the_share_kept_is_rounded_half_to_even_and_waived_is_the_rest() -> None:
    cost = charge(MODERATE, local(2026, 7, 5, 9), value=Money.of("10.01", "EUR"))

    assert cost.charge == Money.of("5.00", "EUR")  # 5.005 rounds to even
    assert cost.waived == Money.of("5.01", "EUR")


def test_a_fee_is_kept_on_top_of_the_share_not_refunded() -> None:
    policy = CancellationPolicy.tiered(
        "With fee", [tier(days(7), 100, "20.00"), tier(days(1), 50, "20.00")]
    )

    early, late = charge(policy, local(2026, 7, 1, 9)), charge(policy, local(2026, 7, 5, 9))

    assert (early.charge, early.fee, early.waived) == (
        Money.of("20.00", "EUR"),
        Money.of("20.00", "EUR"),
        Money.of("480.00", "EUR"),
    )
    assert late.charge == Money.of("270.00", "EUR")


def test_a_fee_is_capped_so_the_charge_never_exceeds_the_value() -> None:
    policy = CancellationPolicy.tiered("With fee", [tier(days(7), 50, "30.00")])

    cost = charge(policy, local(2026, 7, 1, 9), value=Money.of("40.00", "EUR"))

    assert cost.charge == Money.of("40.00", "EUR")
    assert cost.fee == Money.of("20.00", "EUR")
    assert cost.waived.is_zero
    assert "capped at EUR 20.00" in cost.explanation


def test_a_zero_value_costs_nothing() -> None:
    policy = CancellationPolicy.tiered("With fee", [tier(days(7), 50, "30.00")])

    cost = charge(policy, local(2026, 7, 1, 9), value=Money.zero("EUR"))

    assert cost.charge.is_zero
    assert cost.waived.is_zero


# -- explanations -----------------------------------------------------------------------


def test_a_charge_in_time_explains_deadline_refund_and_fee() -> None:
    cost = charge(MODERATE, local(2026, 7, 2, 10))

    assert cost.explanation == (
        "cancelled 2026-07-02 10:00 Europe/Paris, before the 7-day deadline 2026-07-03 15:00: "
        "100 % refunded, no fee; EUR 0.00 of EUR 500.00 forfeited"
    )


def test_a_late_charge_names_the_deadline_it_missed() -> None:
    cost = charge(MODERATE, pendulum.datetime(2026, 7, 9, 14, tz="UTC"))

    assert cost.explanation == (
        "cancelled 2026-07-09 16:00 Europe/Paris, past the 1-day deadline 2026-07-09 15:00: "
        "nothing refunded; EUR 500.00 of EUR 500.00 forfeited"
    )


def test_a_fee_is_named_in_the_explanation() -> None:
    policy = CancellationPolicy.tiered("With fee", [tier(days(7), "12.5", "20.00")])

    cost = charge(policy, local(2026, 7, 1, 9))

    assert "12.5 % refunded less a fee of EUR 20.00;" in cost.explanation
    assert cost.charge == Money.of("457.50", "EUR")


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"notice": -days(1)}, "zero or more"),
        ({"notice": 7}, "timedelta"),
        ({"refund_percent": 101}, "0 to 100"),
        ({"refund_percent": -1}, "0 to 100"),
        ({"refund_percent": 0.5}, "such as '50'"),
        ({"fee": Money.of("-1.00", "EUR")}, "not negative"),
        ({"fee": Money.of("1.001", "EUR")}, "rounded"),
    ],
)
def test_a_tier_out_of_range_says_what_to_fix(changes: dict[str, Any], phrase: str) -> None:
    fields: dict[str, Any] = {"notice": days(7), "refund_percent": 100} | changes

    with pytest.raises(InvalidCancellationPolicyError, match=phrase) as caught:
        CancellationTier(**fields)

    assert caught.value.code == "orders.invalid_cancellation_policy"
    assert isinstance(caught.value, OrderError)


@pytest.mark.parametrize(
    ("tiers", "phrase"),
    [
        ([tier(days(7), 100), tier(days(7), 50)], "same 7-day notice"),
        ([tier(days(7), 50), tier(days(1), 100)], "refunds 100 %, more than"),
        ([tier(days(7), 100, "20.00"), tier(days(1), 50, "10.00")], "smaller fee"),
        ([tier(days(7), 100, "20.00"), tier(days(1), 50)], "smaller fee"),
        (
            [
                tier(days(7), 100, "20.00"),
                CancellationTier(
                    notice=days(1), refund_percent=Decimal(50), fee=Money.of(20, "USD")
                ),
            ],
            "EUR, USD",
        ),
        ("7 days", "sequence of CancellationTier"),
        ([(days(7), 100)], "CancellationTier values"),
    ],
)
def test_a_contradictory_policy_says_what_to_fix(tiers: Any, phrase: str) -> None:
    with pytest.raises(InvalidCancellationPolicyError, match=phrase):
        CancellationPolicy.tiered("Odd", tiers)


def test_a_policy_needs_a_name_and_a_wall_clock_check_in_time() -> None:
    with pytest.raises(InvalidCancellationPolicyError, match="needs a name"):
        CancellationPolicy.non_refundable(" ")
    with pytest.raises(InvalidCancellationPolicyError, match="without tzinfo"):
        CancellationPolicy.flexible(check_in_time=dt.time(15, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (Money.of("-1.00", "EUR"), "not negative"),
        (Money.of("1.001", "EUR"), "rounded"),
        ("500.00", "Money"),
    ],
)
def test_a_value_that_cannot_be_charged_is_refused(value: Any, phrase: str) -> None:
    with pytest.raises(InvalidCancellationError, match=phrase) as caught:
        charge(MODERATE, local(2026, 7, 1, 9), value=value)

    assert caught.value.code == "orders.invalid_cancellation"


def test_a_value_in_another_currency_than_the_fees_is_refused() -> None:
    policy = CancellationPolicy.tiered("With fee", [tier(days(7), 100, "20.00")])

    with pytest.raises(InvalidCancellationError, match="fees in EUR"):
        charge(policy, local(2026, 7, 1, 9), value=Money.of("100.00", "USD"))


def test_a_policy_without_fees_charges_any_currency() -> None:
    cost = charge(MODERATE, local(2026, 7, 5, 9), value=Money.of("1001", "JPY"))

    assert cost.charge == Money.of("500", "JPY")  # 500.5 rounds to even


def test_bad_instants_dates_and_zones_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        charge(MODERATE, dt.datetime(2026, 7, 1, 9))  # noqa: DTZ001
    with pytest.raises(UnknownTimezoneError):
        charge(MODERATE, local(2026, 7, 1, 9), timezone="+02:00")
    with pytest.raises(InvalidCancellationError, match="calendar date"):
        MODERATE.deadlines(local(2026, 7, 10), PARIS)


def test_a_host_decimal_context_does_not_change_a_charge() -> None:
    policy = CancellationPolicy.tiered("Odd percent", [tier(days(7), "12.345")])

    with decimal.localcontext(prec=3):
        cost = charge(policy, local(2026, 7, 1, 9), value=Money.of("1000.00", "EUR"))

    assert cost.charge == Money.of("876.55", "EUR")


def test_a_percent_too_precise_to_compute_exactly_is_refused() -> None:
    with pytest.raises(InvalidCancellationPolicyError, match="34 significant digits"):
        tier(days(7), "12." + "3" * 40)
