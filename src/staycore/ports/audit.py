"""The audit log port: entries appended to one hash chain, and read back in order.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.audit.AuditLogContract`):

* :meth:`AuditLog.append` stores an :class:`~staycore.kernel.audit.AuditEntry` as the
  next :class:`~staycore.kernel.audit.AuditRecord`, built with
  :meth:`AuditRecord.chained(entry, after=head) <staycore.kernel.audit.AuditRecord.chained>`:
  numbered one more than the log's last record (1 for the first) and chained to its
  hash. Reading the head and writing the record is atomic: appenders racing from many
  threads, or many servers on one database, all land, one after the other, with no
  sequence taken twice and no fork in the chain.
* Records are only appended: the port has nothing to change or remove one, and an
  adapter keeps each exactly as written, so that
  :func:`~staycore.kernel.audit.verify_chain` over :meth:`AuditLog.records` finds no
  problem unless someone went around the port.
* :meth:`AuditLog.records` gives the records after a sequence, in sequence order, at
  most ``limit`` of them, so a long log is read (and verified) page by page.
  :meth:`AuditLog.head` gives the last record, or ``None`` for an empty log.
* :meth:`AuditLog.latest` gives the newest record whose entry names a record (the
  highest sequence among them), or ``None`` when none does: what the log last said
  about one record, read in one indexed lookup however long the log is.
* A value that is not an :class:`~staycore.kernel.audit.AuditEntry`, or a page that
  cannot be read, is refused with
  :class:`~staycore.kernel.audit.InvalidAuditEntryError`; nothing is appended.

Example:
    >>> import pendulum
    >>> from staycore.adapters.memory.audit import MemoryAuditLog
    >>> from staycore.kernel.audit import AuditEntry, verify_chain
    >>> from staycore.ports.audit import AuditLog
    >>> log = MemoryAuditLog()
    >>> isinstance(log, AuditLog)
    True
    >>> at = pendulum.datetime(2026, 5, 1, 9, tz="UTC")
    >>> for action in ("profile.update", "order.refund", "customers.export"):
    ...     _ = log.append(AuditEntry(actor="staff:mei", action=action, record="r1", at=at))
    >>> [record.sequence for record in log.records(after=1)]
    [2, 3]
    >>> verify_chain(log.records()).ok, log.head().entry.action
    (True, 'customers.export')
    >>> log.latest("r1").entry.action, log.latest("r2")
    ('customers.export', None)
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from staycore.kernel.audit import AuditEntry, AuditRecord

__all__ = ["AuditLog"]


@runtime_checkable
class AuditLog(Protocol):
    """An append-only, hash-chained log of audit entries."""

    def append(self, entry: AuditEntry) -> AuditRecord:
        """Store ``entry`` as the next record of the chain, atomically; return the record.

        Raises:
            InvalidAuditEntryError: ``entry`` is not an
                :class:`~staycore.kernel.audit.AuditEntry`; nothing was appended.
        """
        ...

    def records(self, *, after: int = 0, limit: int | None = None) -> tuple[AuditRecord, ...]:
        """Return the records whose sequence is above ``after``, in order, at most ``limit``.

        Raises:
            InvalidAuditEntryError: ``after`` or ``limit`` is not a whole number of 0 or
                more (``limit`` may be ``None``, for every record).
        """
        ...

    def head(self) -> AuditRecord | None:
        """Return the last record, or ``None`` when nothing was appended."""
        ...

    def latest(self, record: str) -> AuditRecord | None:
        """Return the newest record whose entry names ``record``, or ``None`` if none does.

        The newest is the one of the highest sequence; entries that name other records
        are not read. :func:`~staycore.app.configuration.record_configuration` reads it
        to tell whether a configuration changed since it was last recorded.

        Raises:
            InvalidAuditEntryError: ``record`` is not text.
        """
        ...
