"""Benchmark: the order aggregate's lifecycle against transitions and python-statemachine.

100,000 orders go draft -> held -> awaiting_payment -> confirmed -> checked_in ->
checked_out, with a guard evaluated on every edge and the event of every edge recorded.
The same lifecycle runs, in the same process, through:

* staycore's :class:`~staycore.orders.order.Order` aggregate: each order is placed
  (:meth:`~staycore.orders.order.Order.place`, counted like the peers' machine creation)
  and moved by its own methods, which read the facts of the order at that instant (its
  lines, its dates in the property's timezone, its payments against its schedule),
  fire :data:`~staycore.orders.lifecycle.ORDER_LIFECYCLE` and return a new immutable
  order with a typed :class:`~staycore.orders.events.OrderStatusChanged` event. The
  orders pay at the property, so that confirming needs no payment record, which is not a
  transition; its guard still sums the order's ledger against its schedule;
* `transitions <https://github.com/pytransitions/transitions>`_, one ``Machine`` per order
  attached to it as its model, the usual way, with the guards as ``conditions`` and an
  ``after`` callback recording the event;
* `python-statemachine <https://python-statemachine.readthedocs.io>`_, one machine per
  order, with the guards as ``cond`` and an ``after`` callback recording the event.

The peers' guards read facts prepared for them (they have no aggregate to ask), so
staycore does more work per edge than they do; ``table_us_per_transition`` times the
table alone on the same prepared facts, the like-for-like figure. Each library runs on
a sample of the orders (it is much slower); machine creation counts, as each order
needs its machine. Prints one JSON line.

Run: ``python benchmarks/lifecycle.py [--orders 100000]`` (needs the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

import pendulum
from statemachine import State, StateMachine
from transitions import Machine

from staycore.availability.ids import HoldId, UnitTypeId
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.ids import OrderId
from staycore.orders.lifecycle import ORDER_LIFECYCLE, LifecycleFacts, OrderStatus
from staycore.orders.lines import Channel, Guest, StayLine
from staycore.orders.order import Order
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.pricing.rate_plans import Guests

ARRIVAL = dt.date(2026, 7, 10)
PATH = ("hold", "await_payment", "confirm", "check_in", "check_out")
# The facts each step of the path is taken with, for the peers: what an order knows then.
_BEFORE = LifecycleFacts(
    lines=1,
    request_to_book=False,
    today=dt.date(2026, 7, 1),
    arrival=ARRIVAL,
    departure=dt.date(2026, 7, 13),
    paid_enough=True,
)
_DURING = LifecycleFacts(
    lines=1,
    request_to_book=False,
    today=ARRIVAL,
    arrival=ARRIVAL,
    departure=dt.date(2026, 7, 13),
    paid_enough=True,
)
STEPS = tuple(zip(PATH, (_BEFORE, _BEFORE, _BEFORE, _DURING, _DURING), strict=True))

# What staycore's orders are made of: one room for three nights, paid at the property.
_BOOKED_AT = pendulum.datetime(2026, 7, 1, 9, tz="UTC")
_ARRIVED_AT = pendulum.datetime(2026, 7, 10, 14, tz="UTC")
_LINE = StayLine.priced(
    unit_type=UnitTypeId.new(),
    stay=Stay.parse("2026-07-10/2026-07-13"),
    guests=Guests(2),
    total=Money.of("360.00", "EUR"),
    night_prices=[Money.of("120.00", "EUR")] * 3,
    hold=HoldId.new(),
)
_TERMS = BookingTerms(timezone="Europe/Paris", schedule=PaymentSchedule.pay_at_property())
_GUEST = Guest(name="Mei Tan", email="mei@example.com")


def run_staycore(orders: int) -> float:
    """Microseconds per transition of the order aggregate, placing included."""
    ids = [OrderId.new() for _ in range(orders)]  # a host's ids arrive with its requests
    started = time.perf_counter()
    for order_id in ids:
        order, placed = Order.place(
            order_id,
            guest=_GUEST,
            channel=Channel.DIRECT,
            lines=(_LINE,),
            terms=_TERMS,
            at=_BOOKED_AT,
        )
        events: list[DomainEvent] = [*placed]
        order, recorded = order.hold(at=_BOOKED_AT)  # held, then awaiting payment
        events += recorded
        order, recorded = order.confirm(at=_BOOKED_AT)
        events += recorded
        order, recorded = order.check_in(at=_ARRIVED_AT)
        events += recorded
        order, recorded = order.check_out(at=_ARRIVED_AT)
        events += recorded
    elapsed = time.perf_counter() - started
    assert order.status is OrderStatus.CHECKED_OUT, order.status
    assert len(events) == 1 + len(PATH), events
    return elapsed / (orders * len(PATH)) * 1e6


class _Record:
    """An order reduced to what the table touches: its status and the events it recorded."""

    __slots__ = ("events", "status")

    def __init__(self) -> None:
        self.status = ORDER_LIFECYCLE.initial
        self.events: list[str] = []


def run_table(orders: int) -> float:
    """Microseconds per transition of the table alone, on the peers' prepared facts.

    This is the like-for-like comparison of the lifecycle machinery: what the aggregate
    adds on top (its facts, a new immutable value and a typed event per edge) is the
    difference between this figure and :func:`run_staycore`'s.
    """
    table = ORDER_LIFECYCLE
    started = time.perf_counter()
    for _ in range(orders):
        order = _Record()
        for event, facts in STEPS:
            edge = table.fire(order.status, event, facts)
            order.status = edge.target
            order.events.append(edge.description)
    elapsed = time.perf_counter() - started
    assert order.status is OrderStatus.CHECKED_OUT
    return elapsed / (orders * len(STEPS)) * 1e6


class _TransitionsOrder:
    """A model for the transitions library: guards read the current facts.

    With ``send_event=True`` the library passes its event data to every callback.
    """

    def __init__(self) -> None:
        self.facts = _BEFORE
        self.events: list[str] = []

    def has_lines(self, _event: object) -> bool:
        return self.facts.lines > 0

    def books_instantly(self, _event: object) -> bool:
        return not self.facts.request_to_book

    def paid_enough(self, _event: object) -> bool:
        return self.facts.paid_enough

    def arrival_day_reached(self, _event: object) -> bool:
        return self.facts.today >= self.facts.arrival

    def record(self, event: Any) -> None:  # noqa: ANN401 - the library's EventData
        self.events.append(f"order.{event.transition.dest}")


_TRANSITIONS = [
    {"trigger": "hold", "source": "draft", "dest": "held", "conditions": "has_lines"},
    {
        "trigger": "await_payment",
        "source": "held",
        "dest": "awaiting_payment",
        "conditions": "books_instantly",
    },
    {
        "trigger": "confirm",
        "source": "awaiting_payment",
        "dest": "confirmed",
        "conditions": "paid_enough",
    },
    {
        "trigger": "check_in",
        "source": "confirmed",
        "dest": "checked_in",
        "conditions": "arrival_day_reached",
    },
    {
        "trigger": "check_out",
        "source": "checked_in",
        "dest": "checked_out",
        "conditions": "arrival_day_reached",
    },
]


def run_transitions(orders: int) -> float:
    """Microseconds per transition with one transitions ``Machine`` per order."""
    states = [status.value for status in OrderStatus]
    started = time.perf_counter()
    for _ in range(orders):
        order = _TransitionsOrder()
        Machine(
            model=order,
            states=states,
            transitions=_TRANSITIONS,
            initial="draft",
            after_state_change="record",
            send_event=True,
            auto_transitions=False,
        )
        for event, facts in STEPS:
            order.facts = facts
            getattr(order, event)()
    elapsed = time.perf_counter() - started
    assert order.state == "checked_out", order.state  # type: ignore[attr-defined]
    return elapsed / (orders * len(STEPS)) * 1e6


class _OrderMachine(StateMachine):
    """The same lifecycle path for python-statemachine."""

    draft = State(initial=True)
    held = State()
    awaiting_payment = State()
    confirmed = State()
    checked_in = State()
    checked_out = State(final=True)

    hold = draft.to(held, cond="has_lines")
    await_payment = held.to(awaiting_payment, cond="books_instantly")
    confirm = awaiting_payment.to(confirmed, cond="paid_enough")
    check_in = confirmed.to(checked_in, cond="arrival_day_reached")
    check_out = checked_in.to(checked_out, cond="arrival_day_reached")

    def __init__(self) -> None:
        self.facts = _BEFORE
        self.recorded: list[str] = []
        super().__init__()

    def has_lines(self) -> bool:
        return self.facts.lines > 0

    def books_instantly(self) -> bool:
        return not self.facts.request_to_book

    def paid_enough(self) -> bool:
        return self.facts.paid_enough

    def arrival_day_reached(self) -> bool:
        return self.facts.today >= self.facts.arrival

    def after_transition(self, target: State) -> None:
        self.recorded.append(f"order.{target.id}")


def run_statemachine(orders: int) -> float:
    """Microseconds per transition with one python-statemachine machine per order."""
    started = time.perf_counter()
    for _ in range(orders):
        machine = _OrderMachine()
        for event, facts in STEPS:
            machine.facts = facts
            machine.send(event)
    elapsed = time.perf_counter() - started
    assert machine.recorded[-1] == "order.checked_out", machine.recorded
    return elapsed / (orders * len(STEPS)) * 1e6


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--peer-orders", type=int, default=5_000)
    args = parser.parse_args()
    staycore_us = min(run_staycore(args.orders) for _ in range(3))
    table_us = min(run_table(args.orders) for _ in range(3))
    transitions_us = min(run_transitions(args.peer_orders) for _ in range(3))
    statemachine_us = min(run_statemachine(args.peer_orders) for _ in range(3))
    print(
        json.dumps(
            {
                "bench": "lifecycle",
                "orders": args.orders,
                "peer_orders": args.peer_orders,
                "staycore_us_per_transition": round(staycore_us, 3),
                "transitions_us_per_transition": round(transitions_us, 2),
                "statemachine_us_per_transition": round(statemachine_us, 2),
                "speedup_vs_transitions": round(transitions_us / staycore_us, 1),
                "speedup_vs_statemachine": round(statemachine_us / staycore_us, 1),
                "table_us_per_transition": round(table_us, 3),
                "table_speedup_vs_transitions": round(transitions_us / table_us, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
