"""The SQL adapter: every port of :mod:`staycore.ports` on SQLite or PostgreSQL.

Built on SQLAlchemy Core (the ``sql`` extra; PostgreSQL also needs the ``postgres``
extra, psycopg 3). One :class:`Database` per process and URL; the stores share it:

* :class:`SqlStore`: aggregates (as documents, with optimistic versions), their query
  terms, and the transactional outbox.
* :class:`SqlIdempotencyStore`: idempotency keys.
* :class:`OutboxRelay`: publishes the outbox, at least once and in order.
* :class:`SqlOrderQueries`, :class:`SqlMemberQueries`, :class:`SqlServiceRequestQueries`:
  the queries the use cases ask of committed aggregates.

Correctness under concurrency comes from the database, never from a lock in the
process: conditional updates and row locks taken in a fixed order on PostgreSQL, one
write transaction at a time (``BEGIN IMMEDIATE``) on SQLite.

Example:
    >>> from staycore.adapters.sql import SqlStore
    >>> SqlStore.create("sqlite://")
    SqlStore(Database('sqlite://'))
"""

from staycore.adapters.sql.database import Database
from staycore.adapters.sql.idempotency import SqlIdempotencyStore
from staycore.adapters.sql.outbox import OutboxRelay
from staycore.adapters.sql.queries import (
    SqlMemberQueries,
    SqlOrderQueries,
    SqlServiceRequestQueries,
)
from staycore.adapters.sql.store import SqlRepository, SqlStore, SqlUnitOfWork

__all__ = [
    "Database",
    "OutboxRelay",
    "SqlIdempotencyStore",
    "SqlMemberQueries",
    "SqlOrderQueries",
    "SqlRepository",
    "SqlServiceRequestQueries",
    "SqlStore",
    "SqlUnitOfWork",
]
