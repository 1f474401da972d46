"""Money rules of refunds, payment schedules and cancellation charges, for any input.

* a refund's parts add up to it, none exceeds its payment, and they follow the stated order;
* a schedule's instalments add up to the total, and what is due only grows with time;
* a cancellation charge is between zero and the value, and cancelling later never
  refunds more.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from staycore.kernel.currency import Currency
from staycore.kernel.money import Money
from staycore.orders.cancellation import CancellationPolicy, CancellationTier
from staycore.orders.refunds import (
    Refundable,
    RefundExceedsPaidError,
    RefundOrder,
    allocate_refund,
)
from staycore.orders.schedule import PaymentSchedule, ScheduleKind
from staycore.testing.strategies import booking_dates, currencies, instants, money, timezones

CURRENCIES = ["EUR", "JPY", "KWD", "USD"]
ZONES = ["Europe/Paris", "America/Santiago", "Australia/Lord_Howe", "Asia/Taipei", "UTC"]
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2027, 12, 31)


def _utc(instant: dt.datetime) -> dt.datetime:
    """Compare instants in UTC: datetimes sharing a tzinfo compare by wall clock."""
    return instant.astimezone(dt.UTC)


def _units(currency: Currency, most: int = 10**7) -> st.SearchStrategy[Money]:
    return st.integers(0, most).map(lambda units: Money.from_minor(units, currency))


# -- refunds ----------------------------------------------------------------------------


@st.composite
def refund_cases(draw: st.DrawFn) -> tuple[Money, list[Refundable]]:
    currency = draw(currencies(CURRENCIES))
    references = draw(st.lists(st.integers(0, 999), unique=True, max_size=8))
    # Few distinct instants and amounts, so that the tie-breaks are exercised.
    moments = draw(
        st.lists(
            instants(timezones=ZONES, min_date=FIRST, max_date=dt.date(2025, 1, 3)),
            min_size=1,
            max_size=3,
        )
    )
    amounts = _units(currency) | st.sampled_from([0, 1, 5000]).map(
        lambda units: Money.from_minor(units, currency)
    )
    payments = [
        Refundable(
            reference=f"pay_{reference:03d}",
            refundable=draw(amounts),
            captured_at=draw(st.sampled_from(moments)),
        )
        for reference in references
    ]
    available = sum(p.refundable.minor_units for p in payments)
    amount = Money.from_minor(draw(st.integers(0, available)), currency)
    return amount, payments


orders = st.sampled_from(RefundOrder)


def _name(payment: Refundable) -> str:
    return payment.reference


@given(case=refund_cases(), order=orders)
def test_refund_parts_add_up_and_never_exceed_a_payment(
    case: tuple[Money, list[Refundable]], order: RefundOrder
) -> None:
    amount, payments = case
    by_reference = {p.reference: p for p in payments}

    parts = allocate_refund(amount, payments, order=order)

    assert Money.total((p.amount for p in parts), amount.currency) == amount
    assert len({p.reference for p in parts}) == len(parts)
    for part in parts:
        assert part.amount.is_positive
        assert part.amount <= by_reference[part.reference].refundable


@given(case=refund_cases(), order=orders)
def test_refund_parts_follow_the_order_and_drain_each_payment_before_the_next(
    case: tuple[Money, list[Refundable]], order: RefundOrder
) -> None:
    amount, payments = case
    by_reference = {p.reference: p for p in payments}

    parts = allocate_refund(amount, payments, order=order)

    used = [by_reference[p.reference] for p in parts]
    for earlier, later in itertools.pairwise(used):
        earlier_at, later_at = _utc(earlier.captured_at), _utc(later.captured_at)
        if order is RefundOrder.LARGEST_FIRST:
            assert earlier.refundable >= later.refundable
        else:
            assert earlier_at >= later_at
    # Every part but the last empties its payment; no payment left out comes before it.
    assert all(part.amount == by_reference[part.reference].refundable for part in parts[:-1])
    if parts:
        last = by_reference[parts[-1].reference]
        skipped = [p for p in payments if p not in used and p.refundable.is_positive]
        for payment in skipped:
            if order is RefundOrder.LARGEST_FIRST:
                assert payment.refundable <= last.refundable
            else:
                assert _utc(payment.captured_at) <= _utc(last.captured_at)
    # Ties: largest first takes the most recent of equal payments, most recent first the
    # largest of payments captured together; then the reference decides.
    by_reference_name = sorted((p for p in payments if p.refundable.is_positive), key=_name)
    by_size = sorted(by_reference_name, key=lambda p: p.refundable.amount, reverse=True)
    by_time = sorted(by_reference_name, key=lambda p: _utc(p.captured_at), reverse=True)
    if order is RefundOrder.LARGEST_FIRST:
        expected = sorted(by_time, key=lambda p: p.refundable.amount, reverse=True)
    else:
        expected = sorted(by_size, key=lambda p: _utc(p.captured_at), reverse=True)
    assert used == expected[: len(used)]


@given(case=refund_cases(), order=orders, data=st.data())
def test_refund_parts_do_not_depend_on_how_payments_are_listed(
    case: tuple[Money, list[Refundable]], order: RefundOrder, data: st.DataObject
) -> None:
    amount, payments = case
    shuffled = data.draw(st.permutations(payments))

    assert allocate_refund(amount, payments, order=order) == allocate_refund(
        amount, shuffled, order=order
    )


@given(case=refund_cases())
def test_a_refund_one_unit_beyond_the_payments_is_refused(
    case: tuple[Money, list[Refundable]],
) -> None:
    amount, payments = case
    currency = amount.currency
    beyond = Money.total((p.refundable for p in payments), currency) + Money.from_minor(1, currency)

    with pytest.raises(RefundExceedsPaidError) as caught:
        allocate_refund(beyond, payments)

    assert caught.value.requested == beyond


# -- payment schedules ------------------------------------------------------------------


@st.composite
def schedules(draw: st.DrawFn) -> PaymentSchedule:
    kind = draw(st.sampled_from(ScheduleKind))
    if kind is ScheduleKind.FULL_PREPAYMENT:
        return PaymentSchedule.full_prepayment()
    if kind is ScheduleKind.PAY_AT_PROPERTY:
        return PaymentSchedule.pay_at_property()
    percent = Decimal(draw(st.integers(1, 9999))) / 100
    return PaymentSchedule.deposit_and_balance(
        percent,
        balance_days_before=draw(st.integers(0, 90)),
        due_time=draw(st.sampled_from([dt.time(0), dt.time(2, 30), dt.time(12)])),
    )


class Booking(NamedTuple):
    schedule: PaymentSchedule
    total: Money
    booked_at: pendulum.DateTime
    arrival: dt.date
    zone: str

    def terms(self) -> dict[str, Any]:
        return {"booked_at": self.booked_at, "arrival": self.arrival, "timezone": self.zone}


bookings = st.builds(
    Booking,
    schedule=schedules(),
    total=money(CURRENCIES, min_value=0, max_value=10**6),
    booked_at=instants(timezones=ZONES, min_date=FIRST, max_date=dt.date(2027, 6, 30)),
    arrival=booking_dates(min_date=FIRST, max_date=LAST, timezones=ZONES),
    zone=timezones(ZONES),
)


@given(booking=bookings)
def test_instalments_always_add_up_to_the_total(booking: Booking) -> None:
    schedule, total, booked_at = booking.schedule, booking.total, booking.booked_at

    parts = schedule.instalments(total, **booking.terms())

    assert Money.total((p.amount for p in parts), total.currency) == total
    assert all(p.amount.is_positive and p.amount.is_rounded for p in parts)
    assert [p.at_property for p in parts] == [
        schedule.kind is ScheduleKind.PAY_AT_PROPERTY for _ in parts
    ]
    for part in parts:
        if part.due_at is not None and not part.at_property:
            assert _utc(part.due_at) > _utc(booked_at)


@given(booking=bookings, hours=st.lists(st.integers(-48, 24 * 800), min_size=2, max_size=2))
def test_what_is_due_only_grows_with_time_and_starts_with_the_booking_instalments(
    booking: Booking, hours: list[int]
) -> None:
    schedule, total, booked_at = booking.schedule, booking.total, booking.booked_at

    def due_by(at: pendulum.DateTime) -> Money:
        return schedule.due_by(total, at, **booking.terms())

    early, late = (booked_at.add(hours=h) for h in sorted(hours))

    assert due_by(booked_at) == schedule.due_before_confirming(total, **booking.terms())
    assert due_by(early) <= due_by(late) <= total


@given(booking=bookings, share=st.fractions(0, 1))
def test_next_due_is_what_received_leaves_of_the_first_uncovered_instalment(
    booking: Booking, share: Fraction
) -> None:
    total = booking.total
    received = Money.from_minor(int(total.minor_units * share), total.currency)

    part = booking.schedule.next_due(total, received, **booking.terms())

    if received == total:
        assert part is None
    else:
        assert part is not None
        assert part.amount.is_positive
        assert part.amount <= total - received


# -- cancellation charges ---------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn, currency: Currency) -> CancellationPolicy:
    """Policies with tiers that refund less and keep no smaller fee as notice shortens."""
    notices = draw(st.lists(st.integers(0, 60 * 24), unique=True, max_size=4))
    notices.sort(reverse=True)
    percents = sorted((draw(st.integers(0, 10000)) for _ in notices), reverse=True)
    fees = sorted(draw(st.integers(0, 5000)) for _ in notices)
    with_fees = draw(st.booleans())
    tiers = [
        CancellationTier(
            notice=dt.timedelta(hours=hours),
            refund_percent=Decimal(percent) / 100,
            fee=Money.from_minor(fee, currency) if with_fees else None,
        )
        for hours, percent, fee in zip(notices, percents, fees, strict=True)
    ]
    check_in = draw(st.sampled_from([dt.time(15), dt.time(2, 30), dt.time(0)]))
    return CancellationPolicy.tiered("Drawn", tiers, check_in_time=check_in)


@st.composite
def charge_cases(
    draw: st.DrawFn,
) -> tuple[CancellationPolicy, Money, dt.date, str, pendulum.DateTime, pendulum.DateTime]:
    currency = draw(currencies(CURRENCIES))
    policy = draw(policies(currency))
    value = draw(_units(currency, 10**6))
    arrival = draw(booking_dates(min_date=dt.date(2026, 1, 1), max_date=LAST, timezones=ZONES))
    zone = draw(timezones(ZONES))
    window = instants(timezones=ZONES, min_date=arrival - dt.timedelta(days=70), max_date=arrival)
    early, late = sorted((draw(window), draw(window)), key=_utc)
    return policy, value, arrival, zone, early, late


@given(case=charge_cases())
def test_a_charge_is_between_nothing_and_the_value_and_waives_the_rest(
    case: tuple[CancellationPolicy, Money, dt.date, str, pendulum.DateTime, pendulum.DateTime],
) -> None:
    policy, value, arrival, zone, at, _ = case

    cost = policy.charge(value, cancelled_at=at, arrival=arrival, timezone=zone)

    assert Money.zero(value.currency) <= cost.charge <= value
    assert cost.charge + cost.waived == value
    assert cost.charge.is_rounded
    assert Money.zero(value.currency) <= cost.fee
    if cost.tier is None:
        assert cost.charge == value
    else:
        assert cost.deadline is not None
        assert _utc(at) < _utc(cost.deadline)


@given(case=charge_cases())
def test_cancelling_later_never_refunds_more(
    case: tuple[CancellationPolicy, Money, dt.date, str, pendulum.DateTime, pendulum.DateTime],
) -> None:
    policy, value, arrival, zone, early, late = case
    sooner = policy.charge(value, cancelled_at=early, arrival=arrival, timezone=zone)
    later = policy.charge(value, cancelled_at=late, arrival=arrival, timezone=zone)

    assert later.charge >= sooner.charge
    assert later.refund_percent <= sooner.refund_percent


@given(case=charge_cases())
def test_a_charge_applies_the_longest_notice_whose_deadline_is_ahead(
    case: tuple[CancellationPolicy, Money, dt.date, str, pendulum.DateTime, pendulum.DateTime],
) -> None:
    policy, value, arrival, zone, at, _ = case
    assume(policy.tiers)

    cost = policy.charge(value, cancelled_at=at, arrival=arrival, timezone=zone)

    ahead = [
        tier for tier, deadline in policy.deadlines(arrival, zone) if _utc(at) < _utc(deadline)
    ]
    assert cost.tier == (ahead[0] if ahead else None)
