"""The KPI facts read from real orders: outcome, nights, revenue and money."""

from __future__ import annotations

import datetime as dt

from staycore.adapters.payments import SUCCEEDING_CARD
from staycore.app.kpis import order_fact, room_nights_available
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.kpis import Outcome
from staycore.testing.hotel import SandboxHotel


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_a_stayed_order_counts_its_room_nights_and_revenue() -> None:
    hotel = SandboxHotel()
    mei = hotel.loyalty.enrol(name="Mei Tan")
    fact = order_fact(hotel.stay_completed(mei, "2026-07-10/2026-07-13"))
    assert (fact.outcome, fact.room_nights, fact.room_revenue) == (Outcome.STAYED, 3, eur("360.00"))
    assert (fact.customer, fact.arrival, fact.placed_on) == (
        mei,
        dt.date(2026, 7, 10),
        dt.date(2026, 6, 1),
    )
    assert (fact.paid, fact.refunded, fact.coupon) == (eur("360.00"), eur("0.00"), False)


def test_a_cancelled_order_counts_no_nights_and_its_refund() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking("2026-07-10/2026-07-12"), idempotency_key="b")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    fact = order_fact(hotel.orders.cancel(order.id, idempotency_key="c"))
    assert (fact.outcome, fact.room_nights, fact.room_revenue) == (
        Outcome.CANCELLED,
        0,
        eur("0.00"),
    )
    assert (fact.paid, fact.refunded) == (eur("72.00"), eur("72.00"))  # the deposit, back


def test_an_order_before_arrival_is_open() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking("2026-07-10/2026-07-12"), idempotency_key="b")
    assert order_fact(order).outcome is Outcome.OPEN


def test_room_nights_available_are_the_rooms_of_every_night() -> None:
    hotel = SandboxHotel(rooms=3)
    july = dt.date(2026, 7, 1), dt.date(2026, 7, 11)
    assert room_nights_available(hotel.inventory, [hotel.unit_type], *july) == 30
    assert [c.capacity for c in hotel.inventory.counts(hotel.unit_type, Stay(*july))] == [3] * 10
