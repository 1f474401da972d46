"""The order lifecycle: one declared table, every edge with its guard and its event.

An order moves through the states of :class:`OrderStatus` only along the edges of
:data:`ORDER_LIFECYCLE`, a :class:`~staycore.kernel.state_machine.TransitionTable` checked
when it is declared. Each edge has a guard over :class:`LifecycleFacts`, the facts about
the order at the moment of the event (worked out by the order and the use cases from the
clock, the payments and the property's timezone), and names the event it records
(:attr:`~staycore.kernel.state_machine.Transition.description`), in the past tense:
``order.held``, ``order.confirmed``, ...

The main line is draft -> held -> [awaiting_approval, for request-to-book properties] ->
awaiting_payment -> confirmed -> checked_in -> checked_out -> completed; the exits are
cancelled, expired (a hold or a payment term lapsed), declined (by the host, or when the
approval deadline passes) and no_show. Expired is final but for one edge: money that
arrives after the order expired revives it (``revive``) when its inventory can be held
again; otherwise the money is refunded and the order stays expired.

Example:
    >>> import datetime as dt
    >>> from staycore.orders.lifecycle import ORDER_LIFECYCLE, LifecycleFacts, OrderStatus
    >>> facts = LifecycleFacts(lines=1, request_to_book=False, today=dt.date(2026, 7, 1),
    ...                        arrival=dt.date(2026, 7, 10), departure=dt.date(2026, 7, 13))
    >>> edge = ORDER_LIFECYCLE.fire(OrderStatus.HELD, "await_payment", facts)
    >>> edge.target.value, edge.description
    ('awaiting_payment', 'order.awaiting_payment')
    >>> ORDER_LIFECYCLE.can_fire(OrderStatus.AWAITING_PAYMENT, "confirm", facts)
    False
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Final, Protocol

import attrs

from staycore.kernel.state_machine import Transition, TransitionTable

__all__ = ["ORDER_LIFECYCLE", "LifecycleFacts", "OrderFacts", "OrderStatus"]


class OrderStatus(enum.Enum):
    """Where an order is in its lifecycle."""

    DRAFT = "draft"
    HELD = "held"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_PAYMENT = "awaiting_payment"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DECLINED = "declined"
    NO_SHOW = "no_show"

    # Each status is one object: identity is its equality, and hashing it so is free,
    # where Enum's own hash is a Python call on every lookup of the lifecycle's table.
    __hash__ = object.__hash__


class OrderFacts(Protocol):
    """What the guards of the lifecycle read; see :class:`LifecycleFacts` for each fact.

    :class:`LifecycleFacts` is the plain value; an order supplies its own facts lazily
    (:meth:`staycore.orders.order.Order.facts`), so that a guard computes only the fact
    it reads.
    """

    @property
    def lines(self) -> int: ...  # noqa: D102 - see LifecycleFacts
    @property
    def request_to_book(self) -> bool: ...  # noqa: D102
    @property
    def today(self) -> dt.date: ...  # noqa: D102
    @property
    def arrival(self) -> dt.date: ...  # noqa: D102
    @property
    def departure(self) -> dt.date: ...  # noqa: D102
    @property
    def approval_lapsed(self) -> bool: ...  # noqa: D102
    @property
    def hold_lapsed(self) -> bool: ...  # noqa: D102
    @property
    def paid_enough(self) -> bool: ...  # noqa: D102
    @property
    def settled(self) -> bool: ...  # noqa: D102


@attrs.frozen(kw_only=True)
class LifecycleFacts:
    """What the guards of the lifecycle read: the order's facts at the moment of an event.

    Attributes:
        lines: How many lines the order has.
        request_to_book: Whether the property approves each booking.
        today: The local date at the property now.
        arrival: The first night (the check-in date).
        departure: The check-out date.
        approval_lapsed: Whether the host's approval deadline has passed.
        hold_lapsed: Whether the hold (or the payment term) has run out.
        paid_enough: Whether what the payment schedule asks before confirming is paid.
        settled: Whether nothing is left to pay or to refund.
    """

    lines: int
    request_to_book: bool
    today: dt.date
    arrival: dt.date
    departure: dt.date
    approval_lapsed: bool = False
    hold_lapsed: bool = False
    paid_enough: bool = False
    settled: bool = False


# -- guards: each one a fact an edge needs, named as the diagram shows it ---------------


def has_lines(facts: OrderFacts) -> bool:
    """An order holds something: at least one line."""
    return facts.lines > 0


def needs_approval(facts: OrderFacts) -> bool:
    """The property approves each booking."""
    return facts.request_to_book


def books_instantly(facts: OrderFacts) -> bool:
    """The property takes bookings without approval."""
    return not facts.request_to_book


def approval_open(facts: OrderFacts) -> bool:
    """The host may still approve or decline."""
    return not facts.approval_lapsed


def approval_lapsed(facts: OrderFacts) -> bool:
    """The host let the approval deadline pass: the order is declined."""
    return facts.approval_lapsed


def hold_lapsed(facts: OrderFacts) -> bool:
    """The hold or the payment term ran out."""
    return facts.hold_lapsed


def paid_enough(facts: OrderFacts) -> bool:
    """What the schedule asks before confirming (a deposit, or everything) is paid."""
    return facts.paid_enough


def before_arrival_ends(facts: OrderFacts) -> bool:
    """The arrival day has not ended: the guest may still cancel or come."""
    return facts.today <= facts.arrival


def arrival_day_reached(facts: OrderFacts) -> bool:
    """The arrival day has come: the guest may check in, and later out."""
    return facts.today >= facts.arrival


def arrival_day_over(facts: OrderFacts) -> bool:
    """The arrival day has passed without a check-in."""
    return facts.today > facts.arrival


def settled(facts: OrderFacts) -> bool:
    """Nothing is left to pay or refund."""
    return facts.settled


_S = OrderStatus


def _edge(
    source: OrderStatus,
    event: str,
    target: OrderStatus,
    guard: Callable[[OrderFacts], bool],
) -> Transition[OrderStatus, str, OrderFacts]:
    """An edge whose event is ``order.<target>``, the record every transition leaves."""
    return Transition(
        source,
        event,
        target,
        guard=guard,
        description=f"order.{target.value}",
    )


ORDER_LIFECYCLE: Final[TransitionTable[OrderStatus, str, OrderFacts]] = TransitionTable(
    "order",
    states=OrderStatus,
    initial=_S.DRAFT,
    final={_S.COMPLETED, _S.CANCELLED, _S.DECLINED, _S.NO_SHOW},
    transitions=[
        _edge(_S.DRAFT, "hold", _S.HELD, has_lines),
        _edge(_S.DRAFT, "cancel", _S.CANCELLED, before_arrival_ends),
        _edge(_S.HELD, "request_approval", _S.AWAITING_APPROVAL, needs_approval),
        _edge(_S.HELD, "await_payment", _S.AWAITING_PAYMENT, books_instantly),
        _edge(_S.HELD, "expire", _S.EXPIRED, hold_lapsed),
        _edge(_S.HELD, "cancel", _S.CANCELLED, before_arrival_ends),
        _edge(_S.AWAITING_APPROVAL, "approve", _S.AWAITING_PAYMENT, approval_open),
        _edge(_S.AWAITING_APPROVAL, "decline", _S.DECLINED, approval_open),
        _edge(_S.AWAITING_APPROVAL, "lapse", _S.DECLINED, approval_lapsed),
        _edge(_S.AWAITING_APPROVAL, "cancel", _S.CANCELLED, before_arrival_ends),
        _edge(_S.AWAITING_PAYMENT, "confirm", _S.CONFIRMED, paid_enough),
        _edge(_S.AWAITING_PAYMENT, "expire", _S.EXPIRED, hold_lapsed),
        _edge(_S.AWAITING_PAYMENT, "cancel", _S.CANCELLED, before_arrival_ends),
        _edge(_S.EXPIRED, "revive", _S.CONFIRMED, paid_enough),
        _edge(_S.CONFIRMED, "check_in", _S.CHECKED_IN, arrival_day_reached),
        _edge(_S.CONFIRMED, "no_show", _S.NO_SHOW, arrival_day_over),
        _edge(_S.CONFIRMED, "cancel", _S.CANCELLED, before_arrival_ends),
        _edge(_S.CHECKED_IN, "check_out", _S.CHECKED_OUT, arrival_day_reached),
        _edge(_S.CHECKED_OUT, "complete", _S.COMPLETED, settled),
    ],
)
"""The order lifecycle; see the module docstring, and :doc:`/concepts/orders` for its
diagram, generated from this table."""
