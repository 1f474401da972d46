"""Benchmark: the order lifecycle table against the transitions and python-statemachine libraries.

100,000 orders go draft -> held -> awaiting_payment -> confirmed -> checked_in ->
checked_out, with a guard evaluated on every edge and the event of every edge recorded
on the order. The same lifecycle runs, in the same process, through:

* staycore's :data:`~staycore.orders.lifecycle.ORDER_LIFECYCLE` (one table for every
  order; the order keeps its status and its events);
* `transitions <https://github.com/pytransitions/transitions>`_, one ``Machine`` per order
  attached to it as its model, the usual way, with the guards as ``conditions`` and an
  ``after`` callback recording the event;
* `python-statemachine <https://python-statemachine.readthedocs.io>`_, one machine per
  order, with the guards as ``cond`` and an ``after`` callback recording the event.

Each library runs on a sample of the orders (it is much slower); machine creation counts,
as each order needs its machine. Prints one JSON line.

Run: ``python benchmarks/lifecycle.py [--orders 100000]`` (needs the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

from statemachine import State, StateMachine
from transitions import Machine

from staycore.orders.lifecycle import ORDER_LIFECYCLE, LifecycleFacts, OrderStatus

ARRIVAL = dt.date(2026, 7, 10)
PATH = ("hold", "await_payment", "confirm", "check_in", "check_out")
# The facts each step of the path is taken with: what an order knows at that moment.
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


class _Order:
    """The part of an order the lifecycle touches: its status and the events it recorded."""

    __slots__ = ("events", "status")

    def __init__(self) -> None:
        self.status = ORDER_LIFECYCLE.initial
        self.events: list[str] = []


def run_staycore(orders: int) -> float:
    """Microseconds per transition through the declared table."""
    table = ORDER_LIFECYCLE
    started = time.perf_counter()
    for _ in range(orders):
        order = _Order()
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
            }
        )
    )


if __name__ == "__main__":
    main()
