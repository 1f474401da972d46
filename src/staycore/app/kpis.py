"""The operating KPIs of a property, from its orders and its inventory.

:func:`~staycore.membership.kpis.kpi_table` works on plain facts; this module reads them
from what the use cases keep: an :class:`~staycore.membership.kpis.OrderFact` from each
order (:func:`order_fact`) and the room nights the inventory offered
(:func:`room_nights_available`).

Example:
    >>> import datetime as dt
    >>> from staycore.app.kpis import order_fact, room_nights_available
    >>> from staycore.membership.kpis import kpi_table
    >>> from staycore.testing.hotel import SandboxHotel
    >>> hotel = SandboxHotel()
    >>> mei = hotel.loyalty.enrol(name="Mei Tan")
    >>> order = hotel.stay_completed(mei, "2026-07-10/2026-07-13")
    >>> july = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
    >>> available = room_nights_available(hotel.inventory, [hotel.unit_type], *july)
    >>> table = kpi_table([order_fact(order)], start=july[0], end=july[1],
    ...                   room_nights_available=available, currency="EUR")
    >>> available, str(table.value("occupancy")), str(table.value("adr"))
    (62, '0.0484', 'EUR 120.00')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from staycore.availability.ids import UnitTypeId
from staycore.kernel.money import Money
from staycore.kernel.time import Stay, local_date
from staycore.membership.kpis import OrderFact, Outcome
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import StayLine
from staycore.orders.order import Order
from staycore.ports.inventory import InventoryStore

__all__ = ["order_fact", "room_nights_available"]

_OUTCOMES = {
    OrderStatus.CHECKED_IN: Outcome.STAYED,
    OrderStatus.CHECKED_OUT: Outcome.STAYED,
    OrderStatus.COMPLETED: Outcome.STAYED,
    OrderStatus.CANCELLED: Outcome.CANCELLED,
    OrderStatus.NO_SHOW: Outcome.NO_SHOW,
    OrderStatus.EXPIRED: Outcome.LAPSED,
    OrderStatus.DECLINED: Outcome.LAPSED,
}


def order_fact(order: Order) -> OrderFact:
    """What the KPIs read of ``order``: its outcome, room nights, revenue and money.

    An order that has not reached check-in is open; one checked in counts as stayed.
    Room revenue is the quoted value of its stay lines, less what was refunded of it
    (never below zero); days are the property's.

    Example:
        See the module example.
    """
    outcome = _OUTCOMES.get(order.status, Outcome.OPEN)
    stays = [line for line in order.active_lines if isinstance(line, StayLine)]
    nights = revenue = None
    if outcome is Outcome.STAYED:
        nights = sum(line.stay.nights for line in stays)
        value = Money.total((line.total for line in stays), order.currency)
        revenue = max(value - order.ledger.refunded, Money.zero(order.currency))
    return OrderFact(
        order=order.id,
        customer=order.guest.customer,
        placed_on=local_date(order.placed_at, order.terms.timezone),
        arrival=order.arrival,
        outcome=outcome,
        room_nights=nights or 0,
        room_revenue=revenue or Money.zero(order.currency),
        paid=order.ledger.captured,
        refunded=order.ledger.refunded,
        coupon=bool(order.coupon_codes),
    )


def room_nights_available(
    inventory: InventoryStore, unit_types: Iterable[UnitTypeId], start: dt.date, end: dt.date
) -> int:
    """Room nights offered in ``[start, end)``: capacity less blocked rooms, night by night.

    A unit type offers nothing on nights outside its calendar.

    Example:
        See the module example.
    """
    nights = Stay(start, end)
    total = 0
    for unit_type in unit_types:
        calendar = inventory.calendar(unit_type, nights)  # zeros outside the calendar
        for night in nights:
            count = calendar.counts(night)
            total += max(count.capacity - count.blocked, 0)
    return total
