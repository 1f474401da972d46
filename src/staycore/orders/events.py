"""The events an order records: every change of status, of lines and of money.

Each is a :class:`~staycore.kernel.events.DomainEvent` on the order, carrying the
order's version after the change. A status change records the lifecycle edge it took
by name (``order.confirmed``), as the table in :mod:`staycore.orders.lifecycle` says.

Example:
    >>> from staycore.orders.events import OrderStatusChanged
    >>> from staycore.orders.ids import OrderId
    >>> from staycore.orders.lifecycle import OrderStatus
    >>> event = OrderStatusChanged(
    ...     aggregate_id=OrderId.new(), aggregate_version=3, occurred_at="2026-07-01T10:00:00Z",
    ...     name="order.confirmed", source=OrderStatus.AWAITING_PAYMENT,
    ...     target=OrderStatus.CONFIRMED)
    >>> event.event_type, event.name
    ('OrderStatusChanged', 'order.confirmed')
"""

from __future__ import annotations

import datetime as dt

import attrs

from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import Channel
from staycore.orders.payments import MovementKind, MovementStatus, PaymentStatus

__all__ = [
    "LateMoneyResolved",
    "OrderLinesCancelled",
    "OrderPlaced",
    "OrderStatusChanged",
    "PaymentRecorded",
    "PaymentRequested",
    "RefundIssued",
    "StayChanged",
]


@attrs.frozen(kw_only=True)
class OrderPlaced(DomainEvent):
    """A guest placed an order (it is a draft until its inventory is held)."""

    channel: Channel
    total: Money
    lines: int
    arrival: dt.date
    departure: dt.date


@attrs.frozen(kw_only=True)
class OrderStatusChanged(DomainEvent):
    """The order took an edge of its lifecycle; ``name`` is the edge's event."""

    name: str
    source: OrderStatus
    target: OrderStatus
    reason: str = ""


@attrs.frozen(kw_only=True)
class PaymentRecorded(DomainEvent):
    """The order's ledger took a new movement, or a more final status of one."""

    reference: str
    kind: MovementKind
    status: MovementStatus
    amount: Money
    received: Money
    balance: Money
    payment_status: PaymentStatus


@attrs.frozen(kw_only=True)
class PaymentRequested(DomainEvent):
    """The order asked the gateway for a refund, a capture or a release, under ``key``."""

    key: str
    kind: MovementKind
    reference: str
    amount: Money
    reason: str = ""


@attrs.frozen(kw_only=True)
class RefundIssued(DomainEvent):
    """Part of a refund was asked of the gateway on one capture, and why that one."""

    reference: str
    capture: str
    amount: Money
    reason: str


@attrs.frozen(kw_only=True)
class OrderLinesCancelled(DomainEvent):
    """Lines, or nights of a line, were cancelled under the order's policy.

    ``value`` is what they cost, ``charge`` what the guest forfeits, ``explanation``
    which tier applied and why.
    """

    lines: tuple[str, ...]
    value: Money
    charge: Money
    explanation: str


@attrs.frozen(kw_only=True)
class StayChanged(DomainEvent):
    """A stay line moved to other dates and was priced again; ``difference`` is new - old."""

    line: str
    old_stay: Stay
    new_stay: Stay
    old_total: Money
    new_total: Money
    difference: Money


@attrs.frozen(kw_only=True)
class LateMoneyResolved(DomainEvent):
    """Money arrived after the order had expired: it was confirmed, or the money refunded."""

    outcome: str
    amount: Money
    reason: str
