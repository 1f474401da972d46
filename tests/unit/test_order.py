"""The order aggregate on its own: lines, derived money, the lifecycle and line changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from staycore.availability.ids import HoldId, ResourceId, UnitTypeId
from staycore.availability.stock import ItemId
from staycore.kernel.errors import (
    GuardRejectedError,
    IllegalTransitionError,
    InvalidAmountError,
    InvalidIdentifierError,
    UnknownTimezoneError,
)
from staycore.kernel.money import Money
from staycore.kernel.time import Slot, Stay
from staycore.orders.events import OrderLinesCancelled, OrderStatusChanged, StayChanged
from staycore.orders.ids import OrderId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import (
    AddOnLine,
    Channel,
    Guest,
    InvalidGuestError,
    InvalidLineError,
    SlotLine,
    StayLine,
)
from staycore.orders.order import LineNotFoundError, Order, OrderNotChangeableError
from staycore.orders.payments import (
    InvalidPaymentError,
    MovementKind,
    MovementStatus,
    PaymentMovement,
    PaymentRequest,
    PaymentStatus,
)
from staycore.orders.terms import BookingTerms, InvalidTermsError
from staycore.pricing.rate_plans import Guests
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import moderate_policy

NOW = pendulum.datetime(2026, 6, 1, 10, tz="UTC")
ARRIVED = pendulum.datetime(2026, 7, 10, 14, tz="UTC")
TERMS = BookingTerms(timezone="Europe/Paris", cancellation=moderate_policy())


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def stay_line(stay: str = "2026-07-10/2026-07-13", total: str = "360.00") -> StayLine:
    nights = Stay.parse(stay)
    return StayLine.priced(
        unit_type=UnitTypeId.new(),
        stay=nights,
        guests=Guests(2),
        total=eur(total),
        night_prices=[eur("100.00")] * nights.nights,
        hold=HoldId.new(),
    )


def placed(*lines: StayLine | SlotLine | AddOnLine, terms: BookingTerms = TERMS) -> Order:
    order, _ = Order.place(
        OrderId.new(),
        guest=Guest(name="Mei Tan", phone="+33 6 12 34 56 78"),
        channel=Channel.OTA,
        lines=lines or (stay_line(),),
        terms=terms,
        at=NOW,
    )
    return order


def capture(order: Order, amount: str, reference: str = "ch_1") -> PaymentMovement:
    return PaymentMovement(
        reference=reference,
        kind=MovementKind.CAPTURE,
        status=MovementStatus.SUCCEEDED,
        amount=eur(amount),
        order=order.id,
        occurred_at=NOW,
    )


def confirmed(order: Order | None = None) -> Order:
    order = order or placed()
    order, _ = order.hold(at=NOW)
    order, _ = order.record_payment(capture(order, str(order.value.amount)), at=NOW)
    order, _ = order.confirm(at=NOW)
    return order


# -- lines ---------------------------------------------------------------------------


def test_a_stay_shares_its_total_over_its_nights_to_the_cent() -> None:
    line = StayLine.priced(
        unit_type=UnitTypeId.new(),
        stay=Stay.parse("2026-07-10/2026-07-13"),
        guests=Guests(2),
        total=eur("100.00"),
        night_prices=[eur("90.00"), eur("120.00"), eur("90.00")],
        hold=HoldId.new(),
    )
    assert line.nightly == (eur("30.00"), eur("40.00"), eur("30.00"))
    assert line.total == eur("100.00")
    uneven = stay_line(total="100.00")
    assert sum(p.amount for p in uneven.nightly) == Decimal("100.00")


def test_nights_are_cut_off_only_at_the_ends_of_a_stay() -> None:
    line = stay_line()
    assert str(line.without_nights([dt.date(2026, 7, 10)]).stay) == "2026-07-11/2026-07-13"
    for nights in ([dt.date(2026, 7, 11)], [dt.date(2026, 7, 20)], list(line.stay), []):
        with pytest.raises(InvalidLineError):
            line.without_nights(nights)


def test_bad_lines_and_guests_are_refused_with_what_to_fix() -> None:
    assert_refused(
        InvalidLineError,
        "orders.invalid_line",
        "has 2 nights but 1 prices",
        lambda: StayLine(
            unit_type=UnitTypeId.new(),
            stay=Stay.parse("2026-07-10/2026-07-12"),
            guests=Guests(1),
            nightly=[eur("1.00")],
            hold=HoldId.new(),
        ),
    )
    with pytest.raises(InvalidLineError, match="takes stock"):
        AddOnLine(name="Wine", unit_price=eur("30.00"), item=ItemId.new())
    with pytest.raises(InvalidLineError, match="at least 1"):
        AddOnLine(name="Wine", unit_price=eur("30.00"), quantity=0)
    with pytest.raises(InvalidGuestError, match="name"):
        Guest(name="  ")
    with pytest.raises(InvalidGuestError, match="country code"):
        Guest(name="Mei", phone="123")
    with pytest.raises(UnknownTimezoneError):
        BookingTerms(timezone="Mars/Olympus")
    with pytest.raises(InvalidTermsError, match="hold_for"):
        BookingTerms(timezone="Europe/Paris", hold_for=dt.timedelta(0))


def test_an_order_books_a_stay_or_a_slot_in_one_currency() -> None:
    breakfast = AddOnLine(name="Breakfast", unit_price=eur("15.00"))
    with pytest.raises(InvalidLineError, match="add-ons come with one"):
        placed(breakfast)
    dollars = StayLine.priced(
        unit_type=UnitTypeId.new(),
        stay=Stay.parse("2026-07-10/2026-07-11"),
        guests=Guests(1),
        total=Money.of("50.00", "USD"),
        night_prices=[Money.of("50.00", "USD")],
        hold=HoldId.new(),
    )
    with pytest.raises(InvalidLineError, match="one currency"):
        placed(stay_line(), dollars)


def test_a_slot_order_takes_its_dates_from_the_slot_in_the_property_zone() -> None:
    massage = SlotLine(
        resource=ResourceId.new(),
        slot=Slot.starting(pendulum.datetime(2026, 7, 10, 23, 30, tz="UTC"), minutes=60),
        price=eur("80.00"),
        hold=HoldId.new(),
    )
    order = placed(massage)
    assert (order.arrival, order.departure) == (dt.date(2026, 7, 11), dt.date(2026, 7, 11))


def test_an_order_is_placed_under_an_order_id() -> None:
    with pytest.raises(InvalidIdentifierError, match="must be an OrderId"):
        Order.place(
            HoldId.new(),  # type: ignore[arg-type]
            guest=Guest(name="Mei Tan", email="mei@example.com"),
            channel=Channel.DIRECT,
            lines=[stay_line()],
            terms=TERMS,
            at=NOW,
        )


def test_what_an_order_works_out_from_its_lines_follows_every_change_of_them() -> None:
    """Value and dates are kept once read: every change of the lines must drop them."""
    early = stay_line("2026-07-10/2026-07-12", "200.00")
    late = stay_line("2026-07-11/2026-07-14", "360.00")
    order = confirmed(placed(early, late))
    assert (order.value, order.arrival, order.departure) == (
        eur("560.00"),
        dt.date(2026, 7, 10),
        dt.date(2026, 7, 14),
    )
    fewer, _ = order.cancel_lines([early.id], at=NOW)
    assert (fewer.value, fewer.arrival) == (eur("360.00"), dt.date(2026, 7, 11))
    shorter, _ = fewer.cancel_nights(late.id, [dt.date(2026, 7, 11)], hold=HoldId.new(), at=NOW)
    assert (shorter.value, shorter.arrival) == (eur("240.00"), dt.date(2026, 7, 12))
    moved, _ = shorter.change_stay(
        late.id,
        stay=Stay.parse("2026-08-01/2026-08-03"),
        total=eur("300.00"),
        night_prices=[eur("150.00")] * 2,
        hold=HoldId.new(),
        at=NOW,
    )
    assert (moved.value, moved.arrival, moved.departure) == (
        eur("300.00"),
        dt.date(2026, 8, 1),
        dt.date(2026, 8, 3),
    )
    assert (order.value, order.arrival) == (eur("560.00"), dt.date(2026, 7, 10))


# -- money ---------------------------------------------------------------------------


def test_money_is_derived_from_lines_charges_and_payments() -> None:
    order = placed(stay_line(), stay_line("2026-07-20/2026-07-22", "200.00"))
    order, _ = order.hold(at=NOW)
    assert (order.value, order.due, order.received) == (eur("560.00"), eur("560.00"), eur("0"))
    order, events = order.record_payment(capture(order, "600.00"), at=NOW)
    assert order.payment_status is PaymentStatus.OVERPAID
    assert order.refund_due == eur("40.00")
    assert [e.event_type for e in events] == ["PaymentRecorded"]
    again, nothing = order.record_payment(capture(order, "600.00"), at=NOW)
    assert again is order
    assert nothing == ()


def test_a_payment_for_another_order_is_refused() -> None:
    order = placed()
    other = placed()
    with pytest.raises(InvalidPaymentError, match="not"):
        order.record_payment(capture(other, "10.00"), at=NOW)


def test_an_expired_order_owes_nothing_but_keeps_its_lines_for_late_money() -> None:
    order, _ = placed().hold(at=NOW)
    order, _ = order.expire(at=NOW.add(minutes=15))
    assert order.status is OrderStatus.EXPIRED
    assert order.due.is_zero
    assert order.value == eur("360.00")


# -- the lifecycle -------------------------------------------------------------------


def test_every_change_records_its_edge_and_moves_the_version() -> None:
    order = placed()
    held, events = order.hold(at=NOW)
    assert [(e.source, e.target) for e in events if isinstance(e, OrderStatusChanged)] == [
        (OrderStatus.DRAFT, OrderStatus.HELD),
        (OrderStatus.HELD, OrderStatus.AWAITING_PAYMENT),
    ]
    assert [e.aggregate_version for e in events] == [2, 3]
    assert held.version == 3
    assert held.expires_at == NOW.add(minutes=15)


def test_the_payment_term_runs_from_the_hold_not_from_the_placing() -> None:
    # A hold at the placing's instant keeps the term placing set; a later one starts anew.
    held, _ = placed().hold(at=NOW.add(minutes=5))
    assert held.expires_at == NOW.add(minutes=20)


def test_guards_refuse_what_the_facts_do_not_allow() -> None:
    held, _ = placed().hold(at=NOW)
    with pytest.raises(GuardRejectedError):
        held.confirm(at=NOW)  # nothing paid
    with pytest.raises(GuardRejectedError):
        held.expire(at=NOW.add(minutes=14))  # still within the payment term
    with pytest.raises(IllegalTransitionError):
        held.check_in(at=ARRIVED)
    order = confirmed()
    with pytest.raises(GuardRejectedError):
        order.check_in(at=NOW)  # before the arrival day
    with pytest.raises(GuardRejectedError):
        order.no_show(at=ARRIVED)  # the arrival day is not over


def test_a_request_to_book_waits_for_the_host_until_its_deadline() -> None:
    terms = BookingTerms(timezone="Europe/Paris", request_to_book=True)
    asked, _ = placed(terms=terms).hold(at=NOW)
    assert asked.status is OrderStatus.AWAITING_APPROVAL
    assert asked.approval_deadline == NOW.add(hours=24)
    with pytest.raises(GuardRejectedError):
        asked.approve(at=NOW.add(hours=25))
    lapsed, _ = asked.lapse(at=NOW.add(hours=25))
    assert lapsed.status is OrderStatus.DECLINED
    approved, _ = asked.approve(at=NOW.add(hours=2))
    assert approved.expires_at == NOW.add(hours=2, minutes=15)
    assert approved.approval_deadline is None


# -- changing lines ------------------------------------------------------------------


def test_cancelling_under_the_policy_keeps_the_charge_as_due() -> None:
    order = confirmed()
    cancelled, events = order.cancel(at=pendulum.datetime(2026, 7, 7, 10, tz="UTC"))
    [charge] = cancelled.charges
    assert charge.charge == eur("180.00")  # the 50 % tier
    assert (cancelled.value, cancelled.due) == (eur("0"), eur("180.00"))
    assert cancelled.refund_due == eur("180.00")
    assert [type(e) for e in events] == [OrderLinesCancelled, OrderStatusChanged]
    assert all(line.cancelled for line in cancelled.lines)


def test_cancelling_lines_keeps_at_least_a_stay_or_a_slot() -> None:
    breakfast = AddOnLine(name="Breakfast", unit_price=eur("15.00"), quantity=2)
    order = confirmed(placed(stay_line(), breakfast))
    with pytest.raises(InvalidLineError, match="add-ons only"):
        order.cancel_lines([order.lines[0].id], at=NOW)
    without, _ = order.cancel_lines([breakfast.id], at=NOW)
    assert without.value == eur("360.00")
    with pytest.raises(LineNotFoundError, match="already cancelled"):
        without.cancel_lines([breakfast.id], at=NOW)


def test_lines_change_only_on_a_live_order_before_arrival() -> None:
    order = confirmed()
    line = order.lines[0]
    with pytest.raises(OrderNotChangeableError, match="has passed"):
        order.cancel_nights(
            line.id, [dt.date(2026, 7, 12)], hold=HoldId.new(), at=ARRIVED.add(days=1)
        )
    cancelled, _ = order.cancel(at=NOW)
    with pytest.raises(OrderNotChangeableError, match="cancelled"):
        cancelled.cancel_lines([line.id], at=NOW)


def test_a_date_change_reprices_the_line_and_records_the_difference() -> None:
    order = confirmed()
    line = order.lines[0]
    moved, events = order.change_stay(
        line.id,
        stay=Stay.parse("2026-07-11/2026-07-15"),
        total=eur("440.00"),
        night_prices=[eur("110.00")] * 4,
        hold=HoldId.new(),
        at=NOW,
    )
    [changed] = events
    assert isinstance(changed, StayChanged)
    assert changed.difference == eur("80.00")
    assert moved.balance == eur("80.00")
    assert moved.line(line.id).id == line.id


def test_a_chargeback_reported_before_its_capture_waits_for_it() -> None:
    order, _ = placed().hold(at=NOW)
    taken = capture(order, "360.00", reference="ch_9")
    back = PaymentMovement(
        reference="cb_1",
        kind=MovementKind.CHARGEBACK,
        status=MovementStatus.SUCCEEDED,
        amount=eur("360.00"),
        order=order.id,
        parent="ch_9",
        occurred_at=NOW,
    )
    early, _ = order.record_payment(back, at=NOW)
    assert early.received.is_zero
    assert early.ledger.charged_back.is_zero
    both, _ = early.record_payment(taken, at=NOW)
    assert both.received.is_zero
    assert both.ledger.charged_back == eur("360.00")
    assert both.payment_status is PaymentStatus.REFUNDED


# -- hostile input (found by tests/fuzz) ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": None}, "a guest's name is text"),
        ({"name": ["Mei"]}, "a guest's name is text"),
        ({"name": "Mei", "email": True}, "e-mail is text or None"),
        ({"name": "Mei", "phone": b"+33 6 12 34 56 78"}, "phone is text or None"),
    ],
)
def test_a_guest_of_the_wrong_types_is_refused(fields: dict[str, Any], says: str) -> None:
    assert_refused(InvalidGuestError, "orders.invalid_guest", says, lambda: Guest(**fields))


def _stay_line(rooms: Any) -> StayLine:
    return StayLine(
        unit_type=UnitTypeId.new(),
        stay=Stay.parse("2026-07-10/2026-07-11"),
        guests=Guests(2),
        rooms=rooms,
        nightly=[Money.of("100.00", "EUR")],
        hold=HoldId.new(),
    )


@pytest.mark.parametrize("rooms", [None, Decimal("NaN"), 1.0, True, 0])
def test_a_stay_line_takes_a_whole_number_of_rooms(rooms: Any) -> None:
    assert_refused(
        InvalidLineError, "orders.invalid_line", "whole number", lambda: _stay_line(rooms)
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"slot": None}, "needs the Slot booked"),
        ({"price": "40.00"}, "price is Money"),
        ({"places": None}, "places must be a whole number"),
    ],
)
def test_a_slot_line_of_the_wrong_types_is_refused(fields: dict[str, Any], says: str) -> None:
    start = pendulum.datetime(2026, 7, 10, 10, tz="UTC")
    valid: dict[str, Any] = {
        "resource": ResourceId.new(),
        "slot": Slot(start, start.add(hours=1)),
        "price": Money.of("40.00", "EUR"),
        "hold": HoldId.new(),
    }
    assert_refused(
        InvalidLineError, "orders.invalid_line", says, lambda: SlotLine(**(valid | fields))
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": None}, "name is text"),
        ({"quantity": None}, "whole quantity"),
        ({"quantity": Decimal("NaN")}, "whole quantity"),
        ({"unit_price": True}, "unit price in Money"),
        ({"unit_price": None}, "unit price in Money"),
    ],
)
def test_an_add_on_line_of_the_wrong_types_is_refused(fields: dict[str, Any], says: str) -> None:
    valid: dict[str, Any] = {"name": "Breakfast", "quantity": 2, "unit_price": Money.of(15, "EUR")}
    assert_refused(
        InvalidLineError, "orders.invalid_line", says, lambda: AddOnLine(**(valid | fields))
    )


def test_an_add_on_too_dear_to_round_is_refused_with_a_money_error() -> None:
    line = AddOnLine(name="Gold", quantity=10**400, unit_price=Money.of("15.00", "EUR"))
    with pytest.raises(InvalidAmountError, match="34 significant digits"):
        _ = line.total


@pytest.mark.parametrize("nights", [[None], [Decimal("sNaN")], [[1]], [dt.datetime(2026, 7, 10)]])  # noqa: DTZ001
def test_cancelling_nights_that_are_not_dates_is_refused(nights: list[Any]) -> None:
    line = StayLine.priced(
        unit_type=UnitTypeId.new(),
        stay=Stay.parse("2026-07-10/2026-07-12"),
        guests=Guests(2),
        total=Money.of("200.00", "EUR"),
        night_prices=[Money.of("100.00", "EUR")] * 2,
        hold=HoldId.new(),
    )
    assert_refused(
        InvalidLineError,
        "orders.invalid_line",
        "calendar dates",
        lambda: line.without_nights(nights),
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"hold_for": None}, "hold_for must be a positive duration"),
        ({"hold_for": 900}, "hold_for must be a positive duration"),
        ({"hold_for": dt.timedelta.max}, "at most 366 days"),
        ({"approval_window": dt.timedelta(days=400)}, "at most 366 days"),
        ({"reminder_days": None}, "whole number of days"),
        ({"reminder_days": Decimal("NaN")}, "whole number of days"),
    ],
)
def test_booking_terms_of_the_wrong_types_are_refused(fields: dict[str, Any], says: str) -> None:
    assert_refused(
        InvalidTermsError,
        "orders.invalid_terms",
        says,
        lambda: BookingTerms(timezone="Europe/Paris", **fields),
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [({"amount": None}, "asks for Money"), ({"method": True}, "payment method as text")],
)
def test_a_payment_request_of_the_wrong_types_is_refused(fields: dict[str, Any], says: str) -> None:
    valid: dict[str, Any] = {
        "order": OrderId.new(),
        "amount": Money.of("50.00", "EUR"),
        "method": "4242424242424242",
    }
    assert_refused(
        InvalidPaymentError,
        "payments.invalid_payment",
        says,
        lambda: PaymentRequest(**(valid | fields)),
    )
