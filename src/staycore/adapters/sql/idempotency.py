"""The SQL adapter's idempotency store: one row per key, claimed in one transaction.

A claim first inserts the key, unless a row holds it: a new key takes one statement.
Otherwise it reads the row with a lock (``SELECT ... FOR UPDATE`` on PostgreSQL; on
SQLite the write transaction already excludes every other writer), then replaces an
expired record, or answers from the one it found. Two servers claiming the same new key
at once both try to insert; the database lets one row in, the other insert waits for it
to commit, and that claim reads it and is told the request is running.

Example:
    >>> from datetime import timedelta
    >>> from staycore.adapters.sql import SqlIdempotencyStore, SqlStore
    >>> from staycore.testing.clock import FrozenClock
    >>> store = SqlStore.create("sqlite://")
    >>> keys = SqlIdempotencyStore(store.database, FrozenClock("2026-05-01T09:00:00Z"))
    >>> keys.claim("pay-42", "sha256:ab12", ttl=timedelta(hours=24)) is None
    True
    >>> keys.complete("pay-42", "sha256:ab12", '{"status": "paid"}')
    >>> keys.claim("pay-42", "sha256:ab12", ttl=timedelta(hours=24)).result
    '{"status": "paid"}'
"""

from __future__ import annotations

import datetime as dt

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.idempotency_keys import checked_key
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import idempotency_keys, instant_of, utc_text
from staycore.kernel.errors import (
    IdempotencyConflictError,
    IdempotencyInProgressError,
    InvalidDurationError,
)
from staycore.kernel.time import Clock, as_instant
from staycore.ports.idempotency import IdempotencyRecord

__all__ = ["SqlIdempotencyStore"]

_ROW = idempotency_keys.c


class SqlIdempotencyStore:
    """An :class:`~staycore.ports.idempotency.IdempotencyStore` in a SQL database.

    Args:
        database: The database, with staycore's tables.
        clock: Tells when records expire.

    Example:
        See the module example.
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def claim(self, key: str, fingerprint: str, *, ttl: dt.timedelta) -> IdempotencyRecord | None:
        """Start a request under ``key``, atomically (see the port).

        Raises:
            IdempotencyConflictError: ``key`` is held by a different fingerprint.
            IdempotencyInProgressError: The same request is still running.
            InvalidDurationError: ``ttl`` is not a positive duration.
            InvalidIdempotencyKeyError: ``key`` is not text a store can keep (see
                :func:`~staycore.adapters.idempotency_keys.checked_key`).

        Example:
            See the module example.
        """
        key = checked_key(key)
        if not isinstance(ttl, dt.timedelta) or ttl <= dt.timedelta(0):
            msg = f"ttl must be a positive duration such as timedelta(hours=24), got {ttl!r}"
            raise InvalidDurationError(msg)
        now = self._now()
        # Stored in UTC so that expiry is elapsed time, whatever zone the clock shows.
        claimed = {"key": key, "fingerprint": fingerprint, "result": None}
        claimed["expires_at"] = utc_text(now.in_tz("UTC") + ttl)

        def claim(connection: Connection) -> IdempotencyRecord | None:
            # A new key, the usual case, takes one statement.
            if insert_unless_present(connection, idempotency_keys, claimed):
                return None
            record = _live(connection, key, now)
            if record is None:
                # The stored record expired: replace it. Only an expired one goes: a
                # claim committed since the read above is live, and must stop this one.
                connection.execute(
                    idempotency_keys.delete().where(
                        _ROW.key == key, _ROW.expires_at <= utc_text(now)
                    )
                )
                if insert_unless_present(connection, idempotency_keys, claimed):
                    return None
                record = _live(connection, key, now)  # a concurrent claim got in first
                if record is None:  # pragma: no cover - it expired in between
                    msg = f"the claim on idempotency key {key!r} raced another: retry"
                    raise IdempotencyInProgressError(msg)
            if record.fingerprint != fingerprint:
                msg = (
                    f"idempotency key {key!r} was already used for a different request; "
                    "send a new key for a new request"
                )
                raise IdempotencyConflictError(msg)
            if record.result is None:
                msg = (
                    f"the request with idempotency key {key!r} is still running; "
                    "retry after it finishes"
                )
                raise IdempotencyInProgressError(msg)
            return record

        return self._database.run(claim)

    def complete(self, key: str, fingerprint: str, result: str) -> None:
        """Store the result of the request that claimed ``key`` (see the port).

        Raises:
            IdempotencyConflictError: ``key`` is not claimed by ``fingerprint``.

        Example:
            See the module example.
        """
        now = self._now()
        # One statement: only a live claim of this request, not yet completed, takes it.
        completing = (
            idempotency_keys.update()
            .where(
                _ROW.key == key,
                _ROW.fingerprint == fingerprint,
                _ROW.result.is_(None),
                _ROW.expires_at > utc_text(now),
            )
            .values(result=result)
            .returning(_ROW.key)
        )

        def complete(connection: Connection) -> None:
            if connection.execute(completing).first() is None:
                msg = (
                    f"cannot complete idempotency key {key!r}: it is not claimed by this "
                    "request (never claimed, expired, released, held by a different "
                    "request, or already completed); claim it before running the request"
                )
                raise IdempotencyConflictError(msg)

        self._database.run(complete)

    def release(self, key: str, fingerprint: str) -> None:
        """Give up an unfinished claim so that a retry can run; do nothing otherwise.

        Example:
            >>> from datetime import timedelta
            >>> keys.claim("pay-3", "sha256:ab", ttl=timedelta(hours=1)) is None
            True
            >>> keys.release("pay-3", "sha256:ab")  # the payment provider timed out
            >>> keys.claim("pay-3", "sha256:ab", ttl=timedelta(hours=1)) is None
            True
        """
        self._database.run(
            lambda connection: connection.execute(
                idempotency_keys.delete().where(
                    _ROW.key == key, _ROW.fingerprint == fingerprint, _ROW.result.is_(None)
                )
            )
        )

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")

    def __repr__(self) -> str:
        return f"SqlIdempotencyStore({self._database!r})"


def _live(connection: Connection, key: str, now: pendulum.DateTime) -> IdempotencyRecord | None:
    """The record of ``key``, locked until the transaction ends, unless it has expired."""
    query = sa.select(_ROW.fingerprint, _ROW.result, _ROW.expires_at).where(_ROW.key == key)
    row = connection.execute(query.with_for_update()).one_or_none()
    if row is None:
        return None
    expires_at = instant_of(row.expires_at)
    if now >= expires_at:
        return None
    return IdempotencyRecord(key, row.fingerprint, row.result, expires_at)
