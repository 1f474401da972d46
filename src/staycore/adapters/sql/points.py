"""The SQL adapter's points ledger: members' entries, appended atomically, and their accounts.

Each member has an account row, holding their
:class:`~staycore.membership.points.PointsAccount` (as the codec writes it) and its
version, and one entry row per entry, numbered by the account version it made. A
``post`` is one transaction:

1. it locks the member's account row (``SELECT ... FOR UPDATE`` on PostgreSQL; the row
   is inserted first for a member never posted to). Every post for the member takes
   this lock first, so two servers posting for one member run one after the other,
   each against what the other committed; posts for different members never wait for
   each other. On SQLite the write transaction (``BEGIN IMMEDIATE``) already excludes
   every other writer.
2. it reads the stored entries under the batch's keys or ids (one statement), and tells
   retries from new entries, in the order and with the refusals of the port;
3. it applies the new entries to the locked account with
   :meth:`~staycore.membership.points.PointsAccount.apply`, the domain's own check, which
   refuses an overdraw, a draw on a closed or expired lot, or an expiry not due;
4. it inserts the entries and writes the account back.

The unique keys on ``(customer, key)`` and ``(customer, entry_id)`` stand behind the
lock: even a writer that skipped it could not store a key or an id twice. Reading the
account reads one row, however long the member's history.

Example:
    >>> import pendulum
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.points import SqlPointsLedger
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.points import ExpiryPolicy
    >>> ledger = SqlPointsLedger(SqlStore.create("sqlite://").database)
    >>> guest = CustomerId.new()
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

from collections.abc import Sequence
from typing import Final, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import IDENTIFIER, metadata
from staycore.kernel.errors import StoreBusyError
from staycore.membership.ids import CustomerId, PointsEntryId
from staycore.membership.points import (
    MAX_KEY_LENGTH,
    PointsAccount,
    PointsEntry,
    check_batch,
    sort_batch,
)

__all__ = ["SqlPointsLedger", "points_accounts", "points_entries"]


points_accounts: Final = sa.Table(
    "staycore_points_accounts",
    metadata,
    sa.Column("customer", IDENTIFIER, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, comment="entries applied"),
    sa.Column("body", sa.Text, nullable=False, comment="the account, as the codec writes it"),
)
"""Each member's account as their entries make it; its row is the member's lock."""

points_entries: Final = sa.Table(
    "staycore_points_entries",
    metadata,
    sa.Column("customer", IDENTIFIER, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("entry_id", IDENTIFIER, nullable=False),
    sa.Column("key", sa.String(MAX_KEY_LENGTH), nullable=False),
    sa.Column("body", sa.Text, nullable=False, comment="the entry, as the codec writes it"),
    sa.UniqueConstraint("customer", "key"),
    sa.UniqueConstraint("customer", "entry_id"),
)
"""Every member's entries; ``position`` is the account version each made (1, 2, ...)."""

_ACCOUNT = points_accounts.c
_ENTRY = points_entries.c


class SqlPointsLedger:
    """A :class:`~staycore.ports.points.PointsLedger` in a SQL database.

    Args:
        database: The database, with staycore's tables.

    Example:
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.adapters.sql.points import SqlPointsLedger
        >>> from staycore.ports.points import PointsLedger
        >>> isinstance(SqlPointsLedger(SqlStore.create("sqlite://").database), PointsLedger)
        True
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    def post(self, customer: CustomerId, entries: Sequence[PointsEntry]) -> tuple[PointsEntry, ...]:
        """Append the member's new entries, all or none; return them as stored.

        Raises:
            InsufficientPointsError: An entry draws more than a lot has left now, or on
                a lot that is closed or past its expiry.
            LotNotDueError: An ``expire`` entry closes a lot that is not due.
            PointsKeyReusedError: A key is stored with other content.
            InvalidPointsEntryError: The batch holds another member's entry, a key or an
                id twice, or an id stored under another key.

        Example:
            Continuing the module example above: a retry returns what was stored.

            >>> batch = ledger.account(guest).redeem(50, at=at, key="redeem:3", policy=policy)
            >>> ledger.post(guest, batch) == ledger.post(guest, batch)
            True
            >>> ledger.account(guest).balance
            50
        """
        batch = tuple(entries)
        check_batch(customer, batch)
        if not batch:
            return ()
        owner = str(customer)
        # Encode before the transaction: it holds the member's lock, and encoding needs none.
        bodies = {entry.key: encode(entry) for entry in batch}

        def post(connection: Connection) -> tuple[PointsEntry, ...]:
            account = _locked_account(connection, customer)
            stored, new = sort_batch(batch, *_stored(connection, owner, batch))
            if not new:
                return tuple(stored)
            before = account.version
            for entry in new:
                account = account.apply(entry)
            connection.execute(
                points_entries.insert(),
                [
                    {
                        "customer": owner,
                        "position": before + n,
                        "entry_id": str(entry.id),
                        "key": entry.key,
                        "body": bodies[entry.key],
                    }
                    for n, entry in enumerate(new, start=1)
                ],
            )
            moved = connection.execute(
                points_accounts.update()
                .where(_ACCOUNT.customer == owner, _ACCOUNT.version == before)
                .values(version=account.version, body=encode(account))
            )
            if moved.rowcount != 1:  # pragma: no cover - the lock above rules it out
                msg = f"the points account of {customer} moved under its lock: post again"
                raise StoreBusyError(msg)
            return tuple(stored)

        return self._database.run(post)

    def account(self, customer: CustomerId) -> PointsAccount:
        """Return the member's account as their entries make it, now.

        Example:
            >>> ledger.account(CustomerId.new()).balance
            0
        """
        query = sa.select(_ACCOUNT.body).where(_ACCOUNT.customer == str(customer))
        with self._database.transaction(write=False) as connection:
            body = connection.execute(query).scalar_one_or_none()
        return PointsAccount(customer=customer) if body is None else _account(body)

    def entries(self, customer: CustomerId) -> tuple[PointsEntry, ...]:
        """Return the member's entries in the order they were written.

        Example:
            >>> [entry.key for entry in ledger.entries(guest)]
            ['earn:1', 'redeem:1', 'redeem:3']
        """
        query = (
            sa.select(_ENTRY.body).where(_ENTRY.customer == str(customer)).order_by(_ENTRY.position)
        )
        with self._database.transaction(write=False) as connection:
            bodies = connection.execute(query).scalars().all()
        return tuple(_entry_of(body) for body in bodies)

    def __repr__(self) -> str:
        return f"SqlPointsLedger({self._database!r})"


def _account(body: str) -> PointsAccount:
    return cast(PointsAccount, decode(body))


def _entry_of(text: str) -> PointsEntry:
    return cast(PointsEntry, decode(text))


def _locked_account(connection: Connection, customer: CustomerId) -> PointsAccount:
    """The member's account, its row locked until the transaction ends; made if missing."""
    query = sa.select(_ACCOUNT.body).where(_ACCOUNT.customer == str(customer)).with_for_update()
    body = connection.execute(query).scalar_one_or_none()
    if body is not None:
        return _account(body)
    empty = PointsAccount(customer=customer)
    row = {"customer": str(customer), "version": 0, "body": encode(empty)}
    if insert_unless_present(connection, points_accounts, row):
        return empty  # the new row is this transaction's until it ends
    # Another transaction made the row first; on PostgreSQL the insert waited for it to
    # commit, and this read, a new statement, sees what it committed.
    return _account(connection.execute(query).scalar_one())


def _stored(
    connection: Connection, owner: str, batch: Sequence[PointsEntry]
) -> tuple[dict[str, PointsEntry], dict[PointsEntryId, PointsEntry]]:
    """The member's stored entries under the batch's keys or ids, by key and by id."""
    query = sa.select(_ENTRY.body).where(
        _ENTRY.customer == owner,
        sa.or_(
            _ENTRY.key.in_([entry.key for entry in batch]),
            _ENTRY.entry_id.in_([str(entry.id) for entry in batch]),
        ),
    )
    found = [_entry_of(body) for body in connection.execute(query).scalars()]
    return {entry.key: entry for entry in found}, {entry.id: entry for entry in found}
