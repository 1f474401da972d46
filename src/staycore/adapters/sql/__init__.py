"""The SQL adapter: every port of :mod:`staycore.ports` on SQLite or PostgreSQL.

Built on SQLAlchemy Core (the ``sql`` extra; PostgreSQL also needs the ``postgres``
extra, psycopg 3). One :class:`Database` per process and URL; the stores share it:

* :class:`SqlStore`: aggregates (as documents, with optimistic versions), their query
  terms, and the transactional outbox.
* :class:`SqlIdempotencyStore`: idempotency keys.
* :class:`SqlInventoryStore`: nightly calendars, blocks, holds and units.
* :class:`SqlAppointmentStore`: resources and the holds on their slots.
* :class:`SqlStockStore`: counted add-on items and the holds on their units.
* :class:`SqlRestrictionStore`: the restrictions of each unit type, night by night.
* :class:`SqlCouponStore`: coupon codes and the redemptions counted against their limits.
* :class:`SqlPointsLedger`: members' points entries, with each account kept up to date.
* :class:`SqlAuditLog`: the audit log, one hash chain, appended one record at a time.
* :class:`OutboxRelay`: publishes the outbox, at least once and in order.
* :class:`SqlOrderQueries`, :class:`SqlMemberQueries`, :class:`SqlServiceRequestQueries`:
  the queries the use cases ask of committed aggregates.
* :func:`sql_stores`: all of them over one database, as the
  :class:`~staycore.ports.stores.Stores` the use cases take.

Correctness under concurrency comes from the database, never from a lock in the
process: conditional updates and row locks taken in a fixed order on PostgreSQL, one
write transaction at a time (``BEGIN IMMEDIATE``) on SQLite.

Example:
    >>> from staycore.adapters.sql import SqlStore
    >>> SqlStore.create("sqlite://")
    SqlStore(Database('sqlite://'))
"""

from staycore.adapters.sql.appointments import SqlAppointmentStore
from staycore.adapters.sql.audit import SqlAuditLog
from staycore.adapters.sql.coupons import SqlCouponStore
from staycore.adapters.sql.database import Database
from staycore.adapters.sql.idempotency import SqlIdempotencyStore
from staycore.adapters.sql.inventory import SqlInventoryStore
from staycore.adapters.sql.outbox import OutboxRelay
from staycore.adapters.sql.points import SqlPointsLedger
from staycore.adapters.sql.queries import (
    SqlMemberQueries,
    SqlOrderQueries,
    SqlServiceRequestQueries,
)
from staycore.adapters.sql.restrictions import SqlRestrictionStore
from staycore.adapters.sql.stock import SqlStockStore
from staycore.adapters.sql.store import SqlRepository, SqlStore, SqlUnitOfWork
from staycore.adapters.sql.stores import sql_stores

__all__ = [
    "Database",
    "OutboxRelay",
    "SqlAppointmentStore",
    "SqlAuditLog",
    "SqlCouponStore",
    "SqlIdempotencyStore",
    "SqlInventoryStore",
    "SqlMemberQueries",
    "SqlOrderQueries",
    "SqlPointsLedger",
    "SqlRepository",
    "SqlRestrictionStore",
    "SqlServiceRequestQueries",
    "SqlStockStore",
    "SqlStore",
    "SqlUnitOfWork",
    "sql_stores",
]
