"""The event publisher port: how committed domain events leave the process.

Events are first stored with the change that produced them (see
:mod:`staycore.ports.persistence`); a relay then hands them to a publisher. A publisher
delivers the events it is given in order and raises if it cannot, so the relay knows to
retry: delivery is at least once, and consumers de-duplicate on the event's aggregate id
and version.

Example:
    >>> from staycore.adapters.memory import RecordingPublisher
    >>> from staycore.ports.events import EventPublisher
    >>> isinstance(RecordingPublisher(), EventPublisher)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from staycore.kernel.events import DomainEvent

__all__ = ["EventPublisher"]


@runtime_checkable
class EventPublisher(Protocol):
    """Delivers domain events to whoever listens (a broker, a webhook, in-process handlers)."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Deliver ``events`` in order.

        Raises:
            Exception: Delivery failed; none of ``events`` may be taken as delivered.
        """
        ...
