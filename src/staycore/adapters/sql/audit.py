"""The SQL adapter's audit log: one row per record, chained by hash, appended one at a time.

Each record is a row of ``staycore_audit_log``, its entry in plain columns (so an auditor
can read the table with SQL alone), its sequence the primary key. An append is one
write transaction:

1. on PostgreSQL it locks the table in ``SHARE ROW EXCLUSIVE`` mode, which only one
   transaction holds at a time and which lets readers through: appenders on every server
   queue there, so none reads a head another is about to move past, and each append
   lands on the first try. On SQLite the write transaction (``BEGIN IMMEDIATE``) already
   excludes every other writer.
2. it reads the head (the row of the highest sequence) and builds the next record with
   :meth:`AuditRecord.chained <staycore.kernel.audit.AuditRecord.chained>`;
3. it inserts the row.

The primary key stands behind the lock: a writer that skipped it could not store a
sequence twice; its insert would find the sequence taken, and the append would run again
(:meth:`Database.run <staycore.adapters.sql.database.Database.run>`) from the new head.

Inside :meth:`Database.atomic <staycore.adapters.sql.database.Database.atomic>`, the
append joins the block's transaction and the table stays locked until the block ends:
append audit entries last in a block, so that the lock is held for as short a time as
possible and always taken after the block's other locks.

The adapter has no statement that changes or deletes a row. A row changed by hand is
found by :func:`~staycore.kernel.audit.verify_chain`; a row changed so that it is no
record at all (a blank actor, an instant that is not one) cannot be read, and reading
it raises :class:`~staycore.adapters.sql.codec.UndecodableDocumentError`.

Example:
    >>> import pendulum
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.audit import SqlAuditLog
    >>> from staycore.kernel.audit import AuditEntry, digest_of, verify_chain
    >>> log = SqlAuditLog(SqlStore.create("sqlite://").database)
    >>> entry = AuditEntry(
    ...     actor="staff:mei", action="profile.update", record="cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7",
    ...     at=pendulum.datetime(2026, 5, 1, 9, tz="Asia/Taipei"),
    ...     before_digest=digest_of({"phone": "+886 2 1234"}),
    ...     after_digest=digest_of({"phone": "+886 2 5678"}),
    ... )
    >>> log.append(entry).sequence, log.append(entry).sequence
    (1, 2)
    >>> log.records()[0].entry == entry, verify_chain(log.records()).ok
    (True, True)
    >>> log.latest("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7").sequence
    2
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.codec import UndecodableDocumentError
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import INSTANT, instant_of, metadata, utc_text
from staycore.kernel.audit import (
    MAX_NAME_LENGTH,
    AuditEntry,
    AuditRecord,
    InvalidAuditEntryError,
    check_page,
    check_record,
)
from staycore.kernel.errors import StaycoreError, StoreBusyError

__all__ = ["SqlAuditLog", "audit_log"]

_Row: TypeAlias = sa.Row[*tuple[Any, ...]]
_NAME = sa.String(MAX_NAME_LENGTH)
_HASH = sa.String(64)
# A plain INTEGER on SQLite makes the sequence the table's rowid: rows are kept in
# sequence order.
_SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

audit_log: Final = sa.Table(
    "staycore_audit_log",
    metadata,
    sa.Column("sequence", _SEQUENCE, primary_key=True, autoincrement=False),
    sa.Column("at", INSTANT, nullable=False),
    sa.Column("actor", _NAME, nullable=False),
    sa.Column("action", _NAME, nullable=False),
    sa.Column("record", _NAME, nullable=False),
    sa.Column("before_digest", _HASH, nullable=True),
    sa.Column("after_digest", _HASH, nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("previous_hash", _HASH, nullable=False, comment="the hash of the record before"),
    sa.Column("hash", _HASH, nullable=False, comment="chain_hash of this row and previous_hash"),
    sa.Index(None, "record", "sequence"),  # the latest record naming one (migration 0005)
    comment="who changed what and when, each record chained to the one before by hash",
)
"""Every audit record, by sequence; rows are only ever inserted."""

_LOG = audit_log.c
_HEAD: Final = sa.select(audit_log).order_by(_LOG.sequence.desc()).limit(1)


class SqlAuditLog:
    """A :class:`~staycore.ports.audit.AuditLog` in a SQL database.

    Args:
        database: The database, with staycore's tables.

    Example:
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.adapters.sql.audit import SqlAuditLog
        >>> from staycore.ports.audit import AuditLog
        >>> isinstance(SqlAuditLog(SqlStore.create("sqlite://").database), AuditLog)
        True
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    def append(self, entry: AuditEntry) -> AuditRecord:
        """Store ``entry`` as the next record of the chain, atomically; return the record.

        Raises:
            InvalidAuditEntryError: ``entry`` is not an
                :class:`~staycore.kernel.audit.AuditEntry`; nothing was appended.
            StoreBusyError: The table stayed locked by other appenders longer than the
                database's lock timeout; nothing was appended.

        Example:
            Continuing the module example above:

            >>> record = log.append(entry)
            >>> record.sequence, record.previous_hash == log.records()[1].hash
            (3, True)
        """
        if not isinstance(entry, AuditEntry):
            msg = f"an audit log appends AuditEntry values, got {entry!r}"
            raise InvalidAuditEntryError(msg)

        def append(connection: Connection) -> AuditRecord:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(
                    f"LOCK TABLE {audit_log.name} IN SHARE ROW EXCLUSIVE MODE"
                )
            head = connection.execute(_HEAD).first()
            record = AuditRecord.chained(entry, after=None if head is None else _record(head))
            if not insert_unless_present(connection, audit_log, _row(record)):  # pragma: no cover
                # Only a writer that skipped the table lock can have taken the sequence.
                msg = (
                    f"audit record {record.sequence} was written by a transaction that did not "
                    "lock the table first; append again"
                )
                raise StoreBusyError(msg)
            return record

        return self._database.run(append)

    def records(self, *, after: int = 0, limit: int | None = None) -> tuple[AuditRecord, ...]:
        """Return the records whose sequence is above ``after``, in order, at most ``limit``.

        Raises:
            InvalidAuditEntryError: ``after`` or ``limit`` is not a whole number of 0 or
                more (``limit`` may be ``None``, for every record).
            UndecodableDocumentError: A row was changed so that it is no record at all.

        Example:
            Continuing the module example above:

            >>> [record.sequence for record in log.records(after=1, limit=1)]
            [2]
        """
        check_page(after, limit)
        query = sa.select(audit_log).where(_LOG.sequence > after).order_by(_LOG.sequence)
        if limit is not None:
            query = query.limit(limit)
        with self._database.transaction(write=False) as connection:
            rows = connection.execute(query).all()
        return tuple(_record(row) for row in rows)

    def head(self) -> AuditRecord | None:
        """Return the last record, or ``None`` when nothing was appended.

        Raises:
            UndecodableDocumentError: The row was changed so that it is no record at all.

        Example:
            Continuing the module example above:

            >>> log.head() == log.records()[-1]
            True
        """
        with self._database.transaction(write=False) as connection:
            row = connection.execute(_HEAD).first()
        return None if row is None else _record(row)

    def latest(self, record: str) -> AuditRecord | None:
        """Return the newest record whose entry names ``record``, or ``None`` if none does.

        One lookup on the index of ``(record, sequence)``: the last entry of ``record``
        in it.

        Raises:
            InvalidAuditEntryError: ``record`` is not text.
            UndecodableDocumentError: The row was changed so that it is no record at all.

        Example:
            Continuing the module example above:

            >>> log.latest("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7") == log.head(), log.latest("cus_2")
            (True, None)
        """
        name = check_record(record)
        query = (
            sa.select(audit_log).where(_LOG.record == name).order_by(_LOG.sequence.desc()).limit(1)
        )
        with self._database.transaction(write=False) as connection:
            row = connection.execute(query).first()
        return None if row is None else _record(row)

    def __repr__(self) -> str:
        return f"SqlAuditLog({self._database!r})"


def _row(record: AuditRecord) -> dict[str, object]:
    entry = record.entry
    return {
        "sequence": record.sequence,
        "at": utc_text(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "record": entry.record,
        "before_digest": entry.before_digest,
        "after_digest": entry.after_digest,
        "detail": entry.detail,
        "previous_hash": record.previous_hash,
        "hash": record.hash,
    }


def _record(row: _Row) -> AuditRecord:
    """The record a row holds, as it is: a row edited by hand is for verify_chain to find."""
    try:
        entry = AuditEntry(
            actor=row.actor,
            action=row.action,
            record=row.record,
            at=instant_of(row.at),
            before_digest=row.before_digest,
            after_digest=row.after_digest,
            detail=row.detail,
        )
        return AuditRecord(
            sequence=row.sequence, entry=entry, previous_hash=row.previous_hash, hash=row.hash
        )
    except (StaycoreError, TypeError, ValueError) as error:
        msg = (
            f"the audit log's row of sequence {row.sequence} is not a record ({error}): it "
            "was changed outside staycore; restore it from a backup, then verify the chain"
        )
        raise UndecodableDocumentError(msg) from None
