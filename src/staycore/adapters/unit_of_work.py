"""A unit of work that keeps its changes until it commits, for any store that checks them.

A :class:`BufferedUnitOfWork` reads committed aggregates from its store and keeps its
changes and events to itself until :meth:`~BufferedUnitOfWork.commit`, which hands them
to the store to check and apply in one step: the memory store under its lock, the SQL
store in one short transaction. It keeps every rule of :mod:`staycore.ports.persistence`,
and checks versions and duplicate ids as early as it can (in ``add`` and ``save``) and
again at commit, where only the store can tell.

So a use case never holds a database transaction open while it talks to a payment
gateway: it reads, decides, calls out, and writes at the end, and the versions it read
decide whether its writes still hold.

A unit of work belongs to the thread that opened it, as a database transaction does; the
store behind it is what threads share.

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

import enum
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar, cast

import attrs

from staycore.kernel.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    DuplicateAggregateError,
    UnitOfWorkStateError,
    VersionNotAdvancedError,
)
from staycore.kernel.events import DomainEvent
from staycore.kernel.ids import Identifier
from staycore.ports.persistence import Aggregate

__all__ = [
    "AggregateKey",
    "BufferedRepository",
    "BufferedUnitOfWork",
    "CommitTarget",
    "PendingWrite",
]

A = TypeVar("A", bound=Aggregate)

AggregateKey = tuple[type[object], Identifier]
"""Where an aggregate lives in the store: its type and its id."""


@attrs.frozen
class PendingWrite:
    """A change that a unit of work holds until it commits.

    Attributes:
        aggregate: The value to store.
        base_version: The committed version the change was computed from, checked again
            at commit; ``None`` for a new aggregate, whose id must still be free then.

    Example:
        >>> from staycore.adapters.unit_of_work import PendingWrite
        >>> from staycore.testing.contracts import GuestNote
        >>> PendingWrite(GuestNote.write("vegetarian"), base_version=None).base_version is None
        True
    """

    aggregate: Aggregate
    base_version: int | None


class CommitTarget(Protocol):
    """What a buffered unit of work needs of its store."""

    def _read(self, key: AggregateKey) -> Aggregate | None:
        """Return the committed aggregate under ``key``, if any."""
        ...

    def _apply(
        self, writes: Mapping[AggregateKey, PendingWrite], events: Sequence[DomainEvent]
    ) -> None:
        """Check and apply the changes and events, all or nothing.

        Raises:
            DuplicateAggregateError: A new aggregate's id was committed meanwhile.
            ConcurrencyError: A changed aggregate is no longer at the version it was read at.
        """
        ...


class _Phase(enum.Enum):
    READY = "ready"
    OPEN = "open"
    FINISHED = "finished"


class BufferedUnitOfWork:
    """One transaction over a store, its changes kept until :meth:`commit`.

    Use it once, in a ``with`` block. Leaving the block without :meth:`commit`, normally
    or by an exception, discards every change and event.

    Args:
        store: The store to read from and commit to (a
            :class:`~staycore.adapters.memory.MemoryStore`, a
            :class:`~staycore.adapters.sql.SqlStore`).

    Raises:
        UnitOfWorkStateError: It is used outside its ``with`` block or after it finished.

    Example:
        >>> from staycore.adapters.memory import MemoryStore
        >>> from staycore.testing.contracts import GuestNote
        >>> uow = MemoryStore().unit_of_work()
        >>> uow.repository(GuestNote)
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.UnitOfWorkStateError: [persistence.unit_of_work_state] ...
    """

    _repository_type: type[BufferedRepository[Aggregate]]

    def __init__(self, store: CommitTarget) -> None:
        self._store = store
        self._phase = _Phase.READY
        self._writes: dict[AggregateKey, PendingWrite] = {}
        self._events: list[DomainEvent] = []

    def __enter__(self) -> Self:
        if self._phase is not _Phase.READY:
            msg = (
                "this unit of work was already used; a unit of work runs once, "
                "so open a new one with store.unit_of_work()"
            )
            raise UnitOfWorkStateError(msg)
        self._phase = _Phase.OPEN
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finish()

    def repository(self, kind: type[A]) -> BufferedRepository[A]:
        """Return the repository for aggregates of type ``kind``.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote
            >>> with MemoryStore().unit_of_work() as uow:
            ...     uow.repository(GuestNote)
            MemoryRepository(GuestNote)
        """
        self._require_open("repository()")
        return cast("BufferedRepository[A]", self._repository_type(self, kind))

    def collect(self, *events: DomainEvent) -> None:
        """Queue events to be stored with this unit of work's changes, in this order.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
            >>> store = MemoryStore()
            >>> note = GuestNote.write("celebrating an anniversary")
            >>> with store.unit_of_work() as uow:
            ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
            >>> store.outbox()  # never committed, so dropped
            ()
        """
        self._require_open("collect()")
        self._events.extend(events)

    def commit(self) -> None:
        """Apply every change and collected event to the store, all or nothing.

        The unit of work is finished afterwards, whether the commit succeeded or not.

        Raises:
            ConcurrencyError: A changed aggregate was changed by someone else first.
            DuplicateAggregateError: A new aggregate's id was taken by someone else first.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote
            >>> store = MemoryStore()
            >>> with store.unit_of_work() as uow:
            ...     uow.repository(GuestNote).add(GuestNote.write("brings a dog"))
            ...     uow.commit()
            >>> store
            MemoryStore(aggregates=1, outbox=0)
        """
        self._require_open("commit()")
        try:
            self._store._apply(self._writes, self._events)
        finally:
            self._finish()

    def rollback(self) -> None:
        """Discard every change and collected event, and finish the unit of work.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote
            >>> store = MemoryStore()
            >>> with store.unit_of_work() as uow:
            ...     uow.repository(GuestNote).add(GuestNote.write("early check-in"))
            ...     uow.rollback()
            >>> store
            MemoryStore(aggregates=0, outbox=0)
        """
        self._require_open("rollback()")
        self._finish()

    def _finish(self) -> None:
        self._phase = _Phase.FINISHED
        self._writes = {}
        self._events = []

    def _require_open(self, action: str) -> None:
        if self._phase is _Phase.OPEN:
            return
        if self._phase is _Phase.READY:
            msg = f"{action} needs an open unit of work: use it inside `with factory() as uow:`"
        else:
            msg = (
                f"{action} on a unit of work that already committed or rolled back; "
                "open a new one for the next transaction"
            )
        raise UnitOfWorkStateError(msg)

    def _read(self, kind: type[object], aggregate_id: Identifier) -> Aggregate | None:
        """Return this unit of work's own pending value, else the committed one."""
        pending = self._writes.get((kind, aggregate_id))
        if pending is not None:
            return pending.aggregate
        return self._store._read((kind, aggregate_id))

    def _get(self, kind: type[object], aggregate_id: Identifier) -> Aggregate:
        self._require_open("get()")
        # An id from an untyped caller may be anything; only text names an aggregate.
        found = self._read(kind, aggregate_id) if isinstance(aggregate_id, str) else None
        if found is None:
            msg = (
                f"no {kind.__name__} with id {aggregate_id!r}: it was never added, or added "
                "by a unit of work that has not committed"
            )
            raise AggregateNotFoundError(msg)
        return found

    def _add(self, kind: type[object], aggregate: Aggregate) -> None:
        self._require_open("add()")
        if self._read(kind, aggregate.id) is not None:
            msg = (
                f"{kind.__name__} {aggregate.id!r} already exists; load it and save a "
                "change, or give the new one a fresh id"
            )
            raise DuplicateAggregateError(msg)
        self._writes[kind, aggregate.id] = PendingWrite(aggregate, base_version=None)

    def _save(self, kind: type[object], aggregate: Aggregate, expected_version: int) -> None:
        self._require_open("save()")
        if aggregate.version <= expected_version:
            msg = (
                f"cannot save {kind.__name__} {aggregate.id!r} at version {aggregate.version} "
                f"over expected_version {expected_version}: a change must produce a value "
                "with a higher version than the one it was computed from"
            )
            raise VersionNotAdvancedError(msg)
        key = (kind, aggregate.id)
        pending = self._writes.get(key)
        current = pending.aggregate if pending is not None else self._store._read(key)
        if current is None:
            msg = f"no {kind.__name__} with id {aggregate.id!r} to save; add() a new aggregate"
            raise AggregateNotFoundError(msg)
        if current.version != expected_version:
            msg = (
                f"{kind.__name__} {aggregate.id!r} is at version {current.version}, not "
                f"{expected_version}: it changed since it was read; reload it and retry"
            )
            raise ConcurrencyError(msg)
        # The version to check at commit stays the committed one this unit of work first read.
        base = pending.base_version if pending is not None else current.version
        self._writes[key] = PendingWrite(aggregate, base_version=base)


class BufferedRepository(Generic[A]):
    """Aggregates of one type, as seen from one :class:`BufferedUnitOfWork`.

    Get one from :meth:`BufferedUnitOfWork.repository`; it reads the unit of work's own
    writes first, then what is committed.

    Args:
        unit_of_work: The unit of work it belongs to.
        kind: The aggregate type it stores.

    Example:
        >>> from staycore.adapters.memory import MemoryStore
        >>> from staycore.testing.contracts import GuestNote
        >>> note = GuestNote.write("prefers tea to coffee")
        >>> with MemoryStore().unit_of_work() as uow:
        ...     uow.repository(GuestNote).add(note)
        ...     uow.repository(GuestNote).get(note.id) == note
        True
    """

    def __init__(self, unit_of_work: BufferedUnitOfWork, kind: type[A]) -> None:
        self._unit_of_work = unit_of_work
        self._kind = kind

    def get(self, aggregate_id: Identifier) -> A:
        """Return the aggregate with ``aggregate_id``.

        Raises:
            AggregateNotFoundError: No such aggregate is committed or added in this unit
                of work.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote, NoteId
            >>> with MemoryStore().unit_of_work() as uow:
            ...     uow.repository(GuestNote).get(NoteId.new())
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.AggregateNotFoundError: [persistence.not_found] ...
        """
        return cast("A", self._unit_of_work._get(self._kind, aggregate_id))

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate, stored when the unit of work commits.

        Raises:
            DuplicateAggregateError: Its id is taken, here or (at commit) by another unit
                of work that committed first.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote
            >>> note = GuestNote.write("travels with a cot")
            >>> with MemoryStore().unit_of_work() as uow:
            ...     uow.repository(GuestNote).add(note)
            ...     uow.repository(GuestNote).add(note)
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.DuplicateAggregateError: [persistence.duplicate] ...
        """
        self._unit_of_work._add(self._kind, aggregate)

    def save(self, aggregate: A, *, expected_version: int) -> None:
        """Stage a changed aggregate, stored if its version is still ``expected_version``.

        Raises:
            ConcurrencyError: The aggregate is no longer at ``expected_version``, here or
                (at commit) because another unit of work committed a change first.
            AggregateNotFoundError: The aggregate was never added.
            VersionNotAdvancedError: ``aggregate.version`` is not above ``expected_version``.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.testing.contracts import GuestNote
            >>> store, note = MemoryStore(), GuestNote.write("quiet room")
            >>> with store.unit_of_work() as uow:
            ...     uow.repository(GuestNote).add(note)
            ...     uow.commit()
            >>> for text in ("top floor", "sea view"):  # both edits start from version 1
            ...     with store.unit_of_work() as uow:
            ...         uow.repository(GuestNote).save(note.edit(text), expected_version=1)
            ...         uow.commit()
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.ConcurrencyError: [persistence.stale_version] ...
        """
        self._unit_of_work._save(self._kind, aggregate, expected_version)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._kind.__name__})"


BufferedUnitOfWork._repository_type = BufferedRepository
