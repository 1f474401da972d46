"""The memory adapter's unit of work and repositories.

A :class:`MemoryUnitOfWork` is the :class:`~staycore.adapters.unit_of_work.BufferedUnitOfWork`
of a :class:`~staycore.adapters.memory.MemoryStore`: it keeps its changes and events to
itself until it commits, and the store checks and applies them in one step under its
lock.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.testing.contracts import GuestNote
    >>> store = MemoryStore()
    >>> note = GuestNote.write("asks for a ground-floor room")
    >>> with store.unit_of_work() as uow:
    ...     notes = uow.repository(GuestNote)
    ...     notes.add(note)
    ...     notes.save(note.edit("needs a ground-floor room"), expected_version=1)
    ...     notes.get(note.id).version
    2
"""

from __future__ import annotations

from typing import TypeVar

from staycore.adapters.unit_of_work import (
    AggregateKey,
    BufferedRepository,
    BufferedUnitOfWork,
    PendingWrite,
)
from staycore.ports.persistence import Aggregate

__all__ = ["AggregateKey", "MemoryRepository", "MemoryUnitOfWork", "PendingWrite"]

A = TypeVar("A", bound=Aggregate)


class MemoryRepository(BufferedRepository[A]):
    """Aggregates of one type, as seen from one :class:`MemoryUnitOfWork`.

    Example:
        >>> from staycore.adapters.memory import MemoryStore
        >>> from staycore.testing.contracts import GuestNote
        >>> with MemoryStore().unit_of_work() as uow:
        ...     uow.repository(GuestNote)
        MemoryRepository(GuestNote)
    """


class MemoryUnitOfWork(BufferedUnitOfWork):
    """One transaction over a :class:`~staycore.adapters.memory.MemoryStore`.

    Use it once, in a ``with`` block. Leaving the block without :meth:`commit`, normally
    or by an exception, discards every change and event.

    Example:
        >>> from staycore.adapters.memory import MemoryStore
        >>> from staycore.adapters.memory.unit_of_work import MemoryUnitOfWork
        >>> isinstance(MemoryStore().unit_of_work(), MemoryUnitOfWork)
        True
    """

    _repository_type = MemoryRepository[Aggregate]
