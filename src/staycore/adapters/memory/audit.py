"""The memory adapter's audit log.

One lock guards the records, so an append reads the head and adds the record chained to
it while no other thread can append: sequences never repeat and the chain never forks.
The SQL adapters get the same guarantee from the database (a table lock, or the write
transaction, and the sequence as primary key), never from a lock in the process.

Example:
    >>> import pendulum
    >>> from staycore.adapters.memory.audit import MemoryAuditLog
    >>> from staycore.kernel.audit import AuditEntry, verify_chain
    >>> log = MemoryAuditLog()
    >>> entry = AuditEntry(actor="staff:mei", action="tier_rules.replace", record="gold",
    ...                    at=pendulum.datetime(2026, 5, 1, 9, tz="UTC"))
    >>> log.append(entry).sequence, log.append(entry).sequence
    (1, 2)
    >>> verify_chain(log.records()).ok
    True
    >>> log.latest("gold").sequence, log.latest("silver")
    (2, None)
"""

from __future__ import annotations

import threading

from staycore.kernel.audit import (
    AuditEntry,
    AuditRecord,
    InvalidAuditEntryError,
    check_page,
    check_record,
)

__all__ = ["MemoryAuditLog"]


class MemoryAuditLog:
    """A :class:`~staycore.ports.audit.AuditLog` in memory, safe between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The record of sequence n sits at index n - 1.
        self._records: list[AuditRecord] = []
        # The newest record naming each record, by that name.
        self._latest: dict[str, AuditRecord] = {}

    def append(self, entry: AuditEntry) -> AuditRecord:
        """Store ``entry`` as the next record of the chain, atomically; return the record.

        Raises:
            InvalidAuditEntryError: ``entry`` is not an
                :class:`~staycore.kernel.audit.AuditEntry`; nothing was appended.
        """
        if not isinstance(entry, AuditEntry):
            msg = f"an audit log appends AuditEntry values, got {entry!r}"
            raise InvalidAuditEntryError(msg)
        with self._lock:
            head = self._records[-1] if self._records else None
            record = AuditRecord.chained(entry, after=head)
            self._records.append(record)
            self._latest[record.entry.record] = record
            return record

    def records(self, *, after: int = 0, limit: int | None = None) -> tuple[AuditRecord, ...]:
        """Return the records whose sequence is above ``after``, in order, at most ``limit``.

        Raises:
            InvalidAuditEntryError: ``after`` or ``limit`` is not a whole number of 0 or
                more (``limit`` may be ``None``, for every record).
        """
        check_page(after, limit)
        with self._lock:
            end = None if limit is None else after + limit
            return tuple(self._records[after:end])

    def head(self) -> AuditRecord | None:
        """Return the last record, or ``None`` when nothing was appended."""
        with self._lock:
            return self._records[-1] if self._records else None

    def latest(self, record: str) -> AuditRecord | None:
        """Return the newest record whose entry names ``record``, or ``None`` if none does.

        Raises:
            InvalidAuditEntryError: ``record`` is not text.
        """
        name = check_record(record)
        with self._lock:
            return self._latest.get(name)

    def __repr__(self) -> str:
        return f"MemoryAuditLog(records={len(self._records)})"
