"""The memory adapter's points ledger.

One lock guards every member's entries, so a ``post`` checks a batch against what is
stored and writes it while no other thread can post. Each member's account is kept
beside their entries and moved on by
:meth:`~staycore.membership.points.PointsAccount.apply` as entries are written, so
reading it and checking a batch against it cost what the member has open lots, not what
their history is. The SQL adapters get the same guarantee from the database (the
member's account row locked, or updated on its version, in the transaction that inserts
the entries), never from a lock in the process.

Example:
    >>> import pendulum
    >>> from staycore.adapters.memory.points import MemoryPointsLedger
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.points import ExpiryPolicy
    >>> ledger, guest = MemoryPointsLedger(), CustomerId.new()
    >>> policy, at = ExpiryPolicy.never(), pendulum.datetime(2026, 5, 3, tz="UTC")
    >>> _ = ledger.post(guest, ledger.account(guest).earn(500, at=at, key="earn:1", policy=policy))
    >>> stale = ledger.account(guest)
    >>> _ = ledger.post(guest, stale.redeem(400, at=at, key="redeem:1", policy=policy))
    >>> ledger.post(guest, stale.redeem(300, at=at, key="redeem:2", policy=policy))
    Traceback (most recent call last):
    ...
    staycore.membership.points.InsufficientPointsError: [loyalty.insufficient_points] ...
    >>> ledger.account(guest).balance, len(ledger.entries(guest))
    (100, 2)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from staycore.membership.ids import CustomerId, PointsEntryId
from staycore.membership.points import (
    PointsAccount,
    PointsEntry,
    check_batch,
    sort_batch,
)

__all__ = ["MemoryPointsLedger"]


class _Book:
    """One member's entries, by id in the order written and by key, and their account."""

    __slots__ = ("account", "by_id", "by_key")

    def __init__(self, customer: CustomerId) -> None:
        self.account = PointsAccount(customer=customer)
        self.by_id: dict[PointsEntryId, PointsEntry] = {}
        self.by_key: dict[str, PointsEntry] = {}


class MemoryPointsLedger:
    """A :class:`~staycore.ports.points.PointsLedger` in memory, safe between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._books: dict[CustomerId, _Book] = {}

    def post(self, customer: CustomerId, entries: Sequence[PointsEntry]) -> tuple[PointsEntry, ...]:
        """Append the member's new entries, all or none; return them as stored.

        Raises:
            InsufficientPointsError: An entry draws more than a lot has left now, or on
                a lot that is closed or past its expiry.
            LotNotDueError: An ``expire`` entry closes a lot that is not due.
            PointsKeyReusedError: A key is stored with other content.
            InvalidPointsEntryError: The batch holds another member's entry, a key or an
                id twice, or an id stored under another key.
        """
        batch = tuple(entries)
        check_batch(customer, batch)
        with self._lock:
            book = self._books.get(customer)
            if book is None:
                book = _Book(customer)
            stored, new = sort_batch(batch, book.by_key, book.by_id)
            if not new:
                return tuple(stored)
            account = book.account
            for entry in new:
                account = account.apply(entry)
            # Nothing above wrote: only now, with every check passed, is the batch kept.
            for entry in new:
                book.by_id[entry.id] = entry
                book.by_key[entry.key] = entry
            book.account = account
            self._books[customer] = book
            return tuple(stored)

    def account(self, customer: CustomerId) -> PointsAccount:
        """Return the member's account as their entries make it, now."""
        with self._lock:
            book = self._books.get(customer) if isinstance(customer, str) else None
            return PointsAccount(customer=customer) if book is None else book.account

    def entries(self, customer: CustomerId) -> tuple[PointsEntry, ...]:
        """Return the member's entries in the order they were written."""
        with self._lock:
            book = self._books.get(customer) if isinstance(customer, str) else None
            return () if book is None else tuple(book.by_id.values())

    def __repr__(self) -> str:
        return f"MemoryPointsLedger(members={len(self._books)})"
