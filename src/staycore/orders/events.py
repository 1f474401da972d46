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
import pendulum

from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.ids import OrderId
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

# What a frozen attrs class's own __init__ uses to set its fields; a class without
# slots keeps them all in one dict, set at once.
_new = object.__new__
_set = object.__setattr__


@attrs.frozen(kw_only=True, slots=False)  # built by of_order: see its docstring
class OrderPlaced(DomainEvent):
    """A guest placed an order (it is a draft until its inventory is held)."""

    channel: Channel
    total: Money
    lines: int
    arrival: dt.date
    departure: dt.date

    @classmethod
    def of_order(  # noqa: PLR0917 - the fields in order: a hot path
        cls,
        order_id: OrderId,
        at: pendulum.DateTime,
        channel: Channel,
        total: Money,
        lines: int,
        arrival: dt.date,
        departure: dt.date,
    ) -> OrderPlaced:
        """The event of an order just placed, built without the checks.

        For :meth:`staycore.orders.order.Order.place`, which checked every field
        already (see :meth:`OrderStatusChanged.of_edge`). The version is 1.

        Example:
            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.events import OrderPlaced
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.lines import Channel
            >>> order_id, total = OrderId.new(), Money.of("240.00", "EUR")
            >>> at = pendulum.datetime(2026, 6, 1, 10, tz="UTC")
            >>> days = dt.date(2026, 7, 10), dt.date(2026, 7, 12)
            >>> OrderPlaced.of_order(order_id, at, Channel.DIRECT, total, 1, *days) == (
            ...     OrderPlaced(aggregate_id=order_id, aggregate_version=1, occurred_at=at,
            ...                 channel=Channel.DIRECT, total=total, lines=1,
            ...                 arrival=days[0], departure=days[1]))
            True
        """
        if at.tzinfo is not pendulum.UTC:
            at = at.in_tz(pendulum.UTC)
        event = _new(cls)
        fields = {
            "aggregate_id": order_id,
            "aggregate_version": 1,
            "occurred_at": at,
            "channel": channel,
            "total": total,
            "lines": lines,
            "arrival": arrival,
            "departure": departure,
        }
        _set(event, "__dict__", fields)
        return event


@attrs.frozen(kw_only=True, slots=False)  # built by of_edge: see its docstring
class OrderStatusChanged(DomainEvent):
    """The order took an edge of its lifecycle; ``name`` is the edge's event."""

    name: str
    source: OrderStatus
    target: OrderStatus
    reason: str = ""

    @classmethod
    def of_edge(  # noqa: PLR0917 - the fields in order: a hot path
        cls,
        order_id: OrderId,
        version: int,
        at: pendulum.DateTime,
        name: str,
        source: OrderStatus,
        target: OrderStatus,
        reason: str = "",
    ) -> OrderStatusChanged:
        """The event of a lifecycle edge the order took, built without the checks.

        For :class:`~staycore.orders.order.Order` itself, on every transition: its id,
        version, instant and edge are checked already, and attrs' frozen ``__init__``
        (a call per field, and the checks) costs three times as much as setting the
        fields' dict at once. An instant not in UTC is converted, as the checked
        constructor does.

        Example:
            >>> import pendulum
            >>> from staycore.orders.events import OrderStatusChanged
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.lifecycle import OrderStatus
            >>> order_id = OrderId.new()
            >>> at = pendulum.datetime(2026, 7, 1, 12, tz="Europe/Paris")
            >>> fast = OrderStatusChanged.of_edge(
            ...     order_id, 4, at, "order.confirmed",
            ...     OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED)
            >>> fast == OrderStatusChanged(
            ...     aggregate_id=order_id, aggregate_version=4, occurred_at=at,
            ...     name="order.confirmed", source=OrderStatus.AWAITING_PAYMENT,
            ...     target=OrderStatus.CONFIRMED)
            True
            >>> fast.occurred_at.isoformat()
            '2026-07-01T10:00:00+00:00'
        """
        if at.tzinfo is not pendulum.UTC:
            at = at.in_tz(pendulum.UTC)
        event = _new(cls)
        fields = {
            "aggregate_id": order_id,
            "aggregate_version": version,
            "occurred_at": at,
            "name": name,
            "source": source,
            "target": target,
            "reason": reason,
        }
        _set(event, "__dict__", fields)
        return event


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
