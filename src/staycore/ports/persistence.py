"""Persistence ports: aggregates, repositories and the unit of work.

The rules every adapter keeps (and the contract suite in
:class:`staycore.testing.contracts.UnitOfWorkContract` checks):

* A unit of work is one transaction, used once: ``with factory() as uow:``. Inside it,
  :meth:`UnitOfWork.repository` gives the repository of an aggregate type. Nothing is
  visible to other units of work until :meth:`UnitOfWork.commit`; leaving the block
  without committing (normally or by an exception) rolls everything back.
* Aggregates are immutable values with an ``id`` and a ``version``. A change produces a
  new value with a higher version; :meth:`Repository.save` stores it only if the stored
  version still equals ``expected_version`` (optimistic concurrency), otherwise it raises
  :class:`~staycore.kernel.errors.ConcurrencyError`, at the latest from ``commit``.
* Events handed to :meth:`UnitOfWork.collect` are stored with the change in the same
  commit (a transactional outbox), and dropped with it on rollback.
* A commit that stores :class:`~staycore.kernel.erasure.PersonalDataErased` for an
  aggregate erases the personal fields of that aggregate's earlier events in the outbox
  (:func:`~staycore.kernel.erasure.without_personal_data`), in the same commit.
* A unit of work reads its own writes.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.testing.contracts import GuestNote
    >>> store = MemoryStore()
    >>> note = GuestNote.write("prefers a quiet room")
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).add(note)
    ...     uow.commit()
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).get(note.id).text
    'prefers a quiet room'
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self, TypeVar, runtime_checkable

from staycore.kernel.events import DomainEvent
from staycore.kernel.ids import Identifier

__all__ = ["Aggregate", "Repository", "UnitOfWork", "UnitOfWorkFactory"]


class Aggregate(Protocol):
    """What a repository stores: an immutable value with an identity and a version."""

    @property
    def id(self) -> Identifier:
        """The aggregate's identity, unique within its type."""
        ...

    @property
    def version(self) -> int:
        """Incremented by every change; 1 for a new aggregate."""
        ...


A = TypeVar("A", bound=Aggregate)


class Repository(Protocol[A]):
    """Stores and loads aggregates of one type inside a unit of work."""

    def get(self, aggregate_id: Identifier) -> A:
        """Return the aggregate with ``aggregate_id``.

        Raises:
            AggregateNotFoundError: No such aggregate exists (or it was never committed).
        """
        ...

    def add(self, aggregate: A) -> None:
        """Store a new aggregate.

        Raises:
            DuplicateAggregateError: An aggregate with the same id exists (raised here or,
                at the latest, by ``commit``).
        """
        ...

    def save(self, aggregate: A, *, expected_version: int) -> None:
        """Replace a stored aggregate with a changed value.

        Args:
            aggregate: The new value; its version must be above ``expected_version``.
            expected_version: The version the change was computed from.

        Raises:
            ConcurrencyError: The stored version is no longer ``expected_version``
                (raised here or, at the latest, by ``commit``).
            AggregateNotFoundError: The aggregate was never added.
        """
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """One transaction over every repository, with the events it produced."""

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """End the transaction, rolling back whatever was not committed."""
        ...

    def repository(self, kind: type[A]) -> Repository[A]:
        """Return the repository for aggregates of type ``kind``."""
        ...

    def collect(self, *events: DomainEvent) -> None:
        """Queue events to be stored with this transaction's changes."""
        ...

    def commit(self) -> None:
        """Make every change and collected event durable and visible, all or nothing."""
        ...

    def rollback(self) -> None:
        """Discard every change and collected event."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Opens a new unit of work; use cases take one of these rather than a unit of work."""
