"""The shared kernel: money, time, identifiers, events, errors and the state-machine engine.

Every context builds on these value types; none of them does I/O or reads the clock.

Example:
    >>> from staycore.kernel import Money, Stay
    >>> Stay.parse("2026-07-01/2026-07-04").nights * Money.of("2400", "TWD")
    Money('7200', 'TWD')
"""

from staycore.kernel.currency import Currency
from staycore.kernel.errors import StaycoreError
from staycore.kernel.events import DomainEvent, event_payload
from staycore.kernel.ids import Identifier, IdGenerator
from staycore.kernel.money import BANKERS, Money, RoundingPolicy
from staycore.kernel.state_machine import Transition, TransitionTable
from staycore.kernel.time import (
    Clock,
    Slot,
    Stay,
    SystemClock,
    as_instant,
    local_date,
    local_instant,
    start_of_local_day,
    timezone,
)

__all__ = [
    "BANKERS",
    "Clock",
    "Currency",
    "DomainEvent",
    "IdGenerator",
    "Identifier",
    "Money",
    "RoundingPolicy",
    "Slot",
    "Stay",
    "StaycoreError",
    "SystemClock",
    "Transition",
    "TransitionTable",
    "as_instant",
    "event_payload",
    "local_date",
    "local_instant",
    "start_of_local_day",
    "timezone",
]
