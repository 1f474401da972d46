"""Payment schedules: full prepayment, deposit and balance, pay at the property."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from staycore.kernel.errors import NaiveDatetimeError, UnknownTimezoneError
from staycore.kernel.money import Money
from staycore.orders.errors import OrderError
from staycore.orders.schedule import (
    Instalment,
    InvalidScheduleError,
    PaymentSchedule,
    ScheduleKind,
)

PARIS = "Europe/Paris"
ARRIVAL = dt.date(2026, 7, 10)
BOOKED = pendulum.datetime(2026, 6, 1, 9, tz="UTC")
TOTAL = Money.of("1000.00", "EUR")
DEPOSIT_30 = PaymentSchedule.deposit_and_balance(30, balance_days_before=14)


def terms(**changes: Any) -> dict[str, Any]:
    return {"booked_at": BOOKED, "arrival": ARRIVAL, "timezone": PARIS} | changes


# -- full prepayment --------------------------------------------------------------------


def test_full_prepayment_asks_for_everything_at_booking() -> None:
    schedule = PaymentSchedule.full_prepayment()

    assert schedule.instalments(TOTAL, **terms()) == (Instalment("full", TOTAL, None, False),)
    assert schedule.due_before_confirming(TOTAL, **terms()) == TOTAL
    assert schedule.due_by(TOTAL, BOOKED, **terms()) == TOTAL
    assert schedule.due_by(TOTAL, BOOKED.subtract(microseconds=1), **terms()).is_zero


# -- deposit and balance ----------------------------------------------------------------


def test_deposit_is_due_at_booking_and_balance_at_local_midnight_days_before_arrival() -> None:
    deposit, balance = DEPOSIT_30.instalments(TOTAL, **terms())

    assert deposit == Instalment("deposit", Money.of("300.00", "EUR"), None, False)
    assert balance.name == "balance"
    assert balance.amount == Money.of("700.00", "EUR")
    assert balance.due_at is not None
    assert balance.due_at.isoformat() == "2026-06-26T00:00:00+02:00"
    assert not balance.at_property


@pytest.mark.parametrize(
    ("total", "percent"),
    [
        (Money.of("100.00", "EUR"), "33.33"),
        (Money.of("0.05", "EUR"), 30),
        (Money.of("999.99", "USD"), "12.5"),
        (Money.of("12345", "JPY"), 20),
        (Money.of("10.001", "KWD"), 50),
    ],
)
def test_deposit_and_balance_add_up_to_the_total_exactly(
    total: Money, percent: Decimal | int | str
) -> None:
    schedule = PaymentSchedule.deposit_and_balance(percent, balance_days_before=30)

    parts = schedule.instalments(total, **terms())

    assert Money.total((p.amount for p in parts), total.currency) == total
    assert all(p.amount.is_rounded and p.amount.is_positive for p in parts)


def test_a_zero_share_is_left_out_of_a_tiny_total() -> None:
    parts = DEPOSIT_30.instalments(Money.of("0.01", "EUR"), **terms())

    assert [(p.name, p.amount) for p in parts] == [("balance", Money.of("0.01", "EUR"))]
    assert DEPOSIT_30.due_before_confirming(Money.of("0.01", "EUR"), **terms()).is_zero


def test_balance_due_keeps_local_wall_time_across_the_spring_change() -> None:
    # Europe/Paris goes to summer time on 29 March 2026 at 02:00.
    schedule = PaymentSchedule.deposit_and_balance(30, balance_days_before=7, due_time=dt.time(12))

    due = schedule.balance_due(arrival=dt.date(2026, 4, 2), timezone=PARIS)

    assert due.isoformat() == "2026-03-26T12:00:00+01:00"


def test_a_balance_due_in_the_skipped_hour_moves_past_the_gap() -> None:
    schedule = PaymentSchedule.deposit_and_balance(
        30, balance_days_before=2, due_time=dt.time(2, 30)
    )

    due = schedule.balance_due(arrival=dt.date(2026, 3, 31), timezone=PARIS)

    assert due.isoformat() == "2026-03-29T03:30:00+02:00"


def test_a_balance_due_at_a_skipped_midnight_falls_at_the_start_of_that_day() -> None:
    # America/Santiago skips from 00:00 to 01:00 on 6 September 2026.
    schedule = PaymentSchedule.deposit_and_balance(50, balance_days_before=1)

    due = schedule.balance_due(arrival=dt.date(2026, 9, 7), timezone="America/Santiago")

    assert due.isoformat() == "2026-09-06T01:00:00-03:00"


def test_a_booking_at_the_balance_due_instant_pays_everything_at_booking() -> None:
    due = DEPOSIT_30.balance_due(arrival=ARRIVAL, timezone=PARIS)

    at_due = DEPOSIT_30.instalments(TOTAL, **terms(booked_at=due))
    just_before = DEPOSIT_30.instalments(TOTAL, **terms(booked_at=due.subtract(microseconds=1)))

    assert at_due == (Instalment("full", TOTAL, None, False),)
    assert [p.name for p in just_before] == ["deposit", "balance"]
    assert DEPOSIT_30.due_before_confirming(TOTAL, **terms(booked_at=due)) == TOTAL


def test_a_booking_after_the_balance_due_date_collapses_the_schedule() -> None:
    late = pendulum.datetime(2026, 7, 8, 18, tz="Asia/Taipei")

    assert DEPOSIT_30.instalments(TOTAL, **terms(booked_at=late)) == (
        Instalment("full", TOTAL, None, False),
    )


def test_a_balance_due_on_arrival_day_is_due_at_its_start() -> None:
    schedule = PaymentSchedule.deposit_and_balance(25, balance_days_before=0)

    _, balance = schedule.instalments(TOTAL, **terms())

    assert balance.due_at is not None
    assert balance.due_at.isoformat() == "2026-07-10T00:00:00+02:00"


def test_due_by_adds_the_balance_at_its_due_instant() -> None:
    due = DEPOSIT_30.balance_due(arrival=ARRIVAL, timezone=PARIS)

    assert DEPOSIT_30.due_by(TOTAL, BOOKED, **terms()) == Money.of("300.00", "EUR")
    assert DEPOSIT_30.due_by(TOTAL, due.subtract(microseconds=1), **terms()) == Money.of(
        "300.00", "EUR"
    )
    assert DEPOSIT_30.due_by(TOTAL, due.in_tz("UTC"), **terms()) == TOTAL
    assert DEPOSIT_30.due_by(TOTAL, BOOKED.subtract(days=1), **terms()).is_zero


def test_next_due_walks_the_instalments_with_what_is_still_owed() -> None:
    def owed(received: str) -> tuple[str, Money] | None:
        part = DEPOSIT_30.next_due(TOTAL, Money.of(received, "EUR"), **terms())
        return None if part is None else (part.name, part.amount)

    assert owed("0.00") == ("deposit", Money.of("300.00", "EUR"))
    assert owed("299.99") == ("deposit", Money.of("0.01", "EUR"))
    assert owed("300.00") == ("balance", Money.of("700.00", "EUR"))
    assert owed("900.00") == ("balance", Money.of("100.00", "EUR"))
    assert owed("1000.00") is None
    assert owed("1200.00") is None


def test_next_due_keeps_the_due_instant_of_the_instalment() -> None:
    part = DEPOSIT_30.next_due(TOTAL, Money.of("300.00", "EUR"), **terms())

    assert part is not None
    assert part.due_at == DEPOSIT_30.balance_due(arrival=ARRIVAL, timezone=PARIS)


# -- pay at the property ----------------------------------------------------------------


def test_pay_at_property_asks_for_nothing_online() -> None:
    schedule = PaymentSchedule.pay_at_property()

    (part,) = schedule.instalments(TOTAL, **terms())

    assert part.name == "at_property"
    assert part.at_property
    assert part.due_at is not None
    assert part.due_at.isoformat() == "2026-07-10T00:00:00+02:00"
    assert schedule.due_before_confirming(TOTAL, **terms()).is_zero
    assert schedule.due_by(TOTAL, pendulum.datetime(2027, 1, 1, tz="UTC"), **terms()).is_zero
    reminder = schedule.next_due(TOTAL, Money.zero("EUR"), **terms())
    assert reminder is not None
    assert reminder.at_property


# -- zero totals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    [PaymentSchedule.full_prepayment(), DEPOSIT_30, PaymentSchedule.pay_at_property()],
    ids=lambda s: s.kind.value,
)
def test_a_zero_total_has_no_instalments(schedule: PaymentSchedule) -> None:
    zero = Money.zero("EUR")

    assert schedule.instalments(zero, **terms()) == ()
    assert schedule.due_before_confirming(zero, **terms()) == zero
    assert schedule.due_by(zero, BOOKED, **terms()) == zero
    assert schedule.next_due(zero, zero, **terms()) is None


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "phrase"),
    [
        (lambda: PaymentSchedule(kind=ScheduleKind.DEPOSIT_AND_BALANCE), "above 0 and below 100"),
        (lambda: PaymentSchedule.deposit_and_balance(0, balance_days_before=1), "full_prepayment"),
        (lambda: PaymentSchedule.deposit_and_balance(100, balance_days_before=1), "below 100"),
        (lambda: PaymentSchedule.deposit_and_balance("x", balance_days_before=1), "'30'"),
        (
            lambda: PaymentSchedule.deposit_and_balance("1." + "1" * 40, balance_days_before=1),
            "34 significant digits",
        ),
        (lambda: PaymentSchedule.deposit_and_balance(30, balance_days_before=-1), "0 to 366"),
        (lambda: PaymentSchedule.deposit_and_balance(30, balance_days_before=367), "0 to 366"),
        (lambda: PaymentSchedule.deposit_and_balance(30, balance_days_before=True), "an int"),
        (
            lambda: PaymentSchedule.deposit_and_balance(
                30, balance_days_before=1, due_time=dt.time(1, tzinfo=dt.UTC)
            ),
            "without tzinfo",
        ),
        (
            lambda: PaymentSchedule(kind=ScheduleKind.FULL_PREPAYMENT, deposit_percent=30),
            "leave deposit_percent",
        ),
        (
            lambda: PaymentSchedule(kind=ScheduleKind.PAY_AT_PROPERTY, balance_days_before=3),
            "leave deposit_percent",
        ),
        (lambda: PaymentSchedule(kind="full"), "FULL_PREPAYMENT"),  # type: ignore[arg-type]
    ],
)
def test_a_schedule_set_up_wrong_says_what_to_fix(build: Any, phrase: str) -> None:
    with pytest.raises(InvalidScheduleError, match=phrase) as caught:
        build()

    assert caught.value.code == "orders.invalid_schedule"
    assert isinstance(caught.value, OrderError)


@pytest.mark.parametrize(
    ("total", "phrase"),
    [
        (Money.of("-1.00", "EUR"), "not negative"),
        (Money.of("1.005", "EUR"), "rounded"),
        ("100.00", "must be Money"),
    ],
)
def test_a_total_that_cannot_be_split_is_refused(total: Any, phrase: str) -> None:
    with pytest.raises(InvalidScheduleError, match=phrase):
        DEPOSIT_30.instalments(total, **terms())


def test_bad_instants_dates_and_zones_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        DEPOSIT_30.instalments(TOTAL, **terms(booked_at=dt.datetime(2026, 6, 1)))  # noqa: DTZ001
    with pytest.raises(UnknownTimezoneError):
        DEPOSIT_30.instalments(TOTAL, **terms(timezone="Mars/Olympus"))
    with pytest.raises(InvalidScheduleError, match="calendar date"):
        DEPOSIT_30.instalments(TOTAL, **terms(arrival=BOOKED))
    with pytest.raises(NaiveDatetimeError):
        DEPOSIT_30.due_by(TOTAL, dt.datetime(2026, 6, 1), **terms())  # noqa: DTZ001


def test_money_received_in_another_currency_is_refused() -> None:
    with pytest.raises(InvalidScheduleError, match="in EUR"):
        DEPOSIT_30.next_due(TOTAL, Money.of("10.00", "USD"), **terms())
    with pytest.raises(InvalidScheduleError, match="not negative"):
        DEPOSIT_30.next_due(TOTAL, Money.of("-10.00", "EUR"), **terms())
