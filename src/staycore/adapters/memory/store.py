"""The in-memory store: committed aggregates and the outbox of committed events.

A :class:`MemoryStore` is the database of the memory adapter. Units of work read
committed aggregates from it and, on commit, apply their changes and events to it in one
step under its lock, after checking that nobody committed a conflicting change since.

A commit that records :class:`~staycore.kernel.erasure.PersonalDataErased` for an
aggregate also erases the personal fields of that aggregate's events in the outbox
(:func:`~staycore.kernel.erasure.without_personal_data`), in the same step: what the
guest asked to be erased is not kept in the events either.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.testing.contracts import GuestNote
    >>> store = MemoryStore()
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).add(GuestNote.write("allergic to feathers"))
    ...     uow.commit()
    >>> store
    MemoryStore(aggregates=1, outbox=0)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TypeVar, cast

from staycore.adapters.memory.unit_of_work import AggregateKey, MemoryUnitOfWork, PendingWrite
from staycore.kernel.erasure import PersonalDataErased, without_personal_data
from staycore.kernel.errors import ConcurrencyError, DuplicateAggregateError
from staycore.kernel.events import DomainEvent
from staycore.ports.persistence import Aggregate

A = TypeVar("A", bound=Aggregate)

__all__ = ["MemoryStore"]


class MemoryStore:
    """Committed aggregates, keyed by aggregate type and id, and an outbox of events.

    Share one store between the threads of a process; give each request its own unit
    of work from :meth:`unit_of_work`, which is a
    :data:`~staycore.ports.persistence.UnitOfWorkFactory`.

    Example:
        >>> from staycore.adapters.memory import MemoryStore
        >>> from staycore.ports import UnitOfWork
        >>> store = MemoryStore()
        >>> isinstance(store.unit_of_work(), UnitOfWork)
        True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._aggregates: dict[AggregateKey, Aggregate] = {}
        self._outbox: list[DomainEvent] = []

    def unit_of_work(self) -> MemoryUnitOfWork:
        """Open a new unit of work over this store; use it once, in a ``with`` block.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> with MemoryStore().unit_of_work() as uow:
            ...     uow.rollback()
        """
        return MemoryUnitOfWork(self)

    def outbox(self) -> tuple[DomainEvent, ...]:
        """Return every committed event, in commit order (and collection order within one).

        Events of an aggregate whose personal data was erased come without it.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
            >>> store = MemoryStore()
            >>> note = GuestNote.write("late arrival, around midnight")
            >>> with store.unit_of_work() as uow:
            ...     uow.repository(GuestNote).add(note)
            ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
            ...     uow.commit()
            >>> [event.event_type for event in store.outbox()]
            ['GuestNoteWritten']
        """
        with self._lock:
            return tuple(self._outbox)

    def committed(self, kind: type[A]) -> tuple[A, ...]:
        """Every committed aggregate of type ``kind``, for adapters that answer queries.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote
            >>> MemoryStore().committed(GuestNote)
            ()
        """
        with self._lock:
            found = [item for (k, _), item in self._aggregates.items() if k is kind]
        return tuple(cast(A, item) for item in found)

    def _read(self, key: AggregateKey) -> Aggregate | None:
        """Return the committed aggregate under ``key``, if any."""
        with self._lock:
            return self._aggregates.get(key)

    def _apply(
        self, writes: Mapping[AggregateKey, PendingWrite], events: Sequence[DomainEvent]
    ) -> None:
        """Check and apply a unit of work's changes and events, all or nothing.

        Raises:
            DuplicateAggregateError: A new aggregate's id was committed meanwhile.
            ConcurrencyError: A changed aggregate is no longer at the version it was read at.
        """
        with self._lock:
            # Check everything before touching anything, so a refused commit writes nothing.
            for (kind, aggregate_id), write in writes.items():
                current = self._aggregates.get((kind, aggregate_id))
                if write.base_version is None and current is not None:
                    msg = (
                        f"{kind.__name__} {aggregate_id!r} was added by another unit of work "
                        "first; load it and save a change, or give the new one a fresh id"
                    )
                    raise DuplicateAggregateError(msg)
                if write.base_version is not None and (
                    current is None or current.version != write.base_version
                ):
                    now = "gone" if current is None else f"at version {current.version}"
                    msg = (
                        f"{kind.__name__} {aggregate_id!r} is {now}, not at version "
                        f"{write.base_version} it was read at: another change was committed "
                        "first; reload it and retry the command"
                    )
                    raise ConcurrencyError(msg)
            for key, write in writes.items():
                self._aggregates[key] = write.aggregate
            self._outbox.extend(events)
            erased = {e.aggregate_id for e in events if isinstance(e, PersonalDataErased)}
            if erased:
                self._outbox = [
                    without_personal_data(event) if event.aggregate_id in erased else event
                    for event in self._outbox
                ]

    def __repr__(self) -> str:
        with self._lock:
            return f"MemoryStore(aggregates={len(self._aggregates)}, outbox={len(self._outbox)})"
