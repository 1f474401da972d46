"""Every store of the SQL adapter, over one :class:`~staycore.adapters.sql.Database`.

Example:
    >>> from staycore.adapters.sql import Database, sql_stores
    >>> from staycore.adapters.sql.migrations import upgrade
    >>> from staycore.testing.clock import FrozenClock
    >>> database = Database("sqlite://")
    >>> upgrade(database)
    >>> stores = sql_stores(database, FrozenClock("2026-05-01T09:00:00Z"))
    >>> stores.orders.open_orders(), stores.aggregates.outbox()
    ((), ())
"""

from __future__ import annotations

from staycore.adapters.sql.appointments import SqlAppointmentStore
from staycore.adapters.sql.audit import SqlAuditLog
from staycore.adapters.sql.coupons import SqlCouponStore
from staycore.adapters.sql.database import Database
from staycore.adapters.sql.idempotency import SqlIdempotencyStore
from staycore.adapters.sql.inventory import SqlInventoryStore
from staycore.adapters.sql.points import SqlPointsLedger
from staycore.adapters.sql.queries import (
    SqlMemberQueries,
    SqlOrderQueries,
    SqlServiceRequestQueries,
)
from staycore.adapters.sql.restrictions import SqlRestrictionStore
from staycore.adapters.sql.stock import SqlStockStore
from staycore.adapters.sql.store import SqlStore
from staycore.kernel.time import Clock
from staycore.ports.cipher import Cipher
from staycore.ports.stores import Stores

__all__ = ["sql_stores"]


def sql_stores(database: Database, clock: Clock, *, cipher: Cipher | None = None) -> Stores:
    """Every store the use cases need, in ``database``; placing an order is atomic in it.

    Args:
        database: A database with staycore's tables (``staycore db upgrade URL``).
        clock: Tells when holds and idempotency keys expire.
        cipher: Encrypts guests' personal data (names, contact details, identity
            numbers, birthdays, what they and the staff wrote in reviews and service
            requests) at rest, in the aggregates and in the outbox's events; give the
            same to the :class:`~staycore.adapters.sql.OutboxRelay`.

    Example:
        See the module example.
    """
    store = SqlStore(database, cipher=cipher)
    return Stores(
        aggregates=store,
        inventory=SqlInventoryStore(database, clock),
        restrictions=SqlRestrictionStore(database),
        appointments=SqlAppointmentStore(database, clock),
        stock=SqlStockStore(database, clock),
        coupons=SqlCouponStore(database),
        points=SqlPointsLedger(database),
        idempotency=SqlIdempotencyStore(database, clock),
        orders=SqlOrderQueries(store),
        members=SqlMemberQueries(store),
        service_requests=SqlServiceRequestQueries(store),
        audit=SqlAuditLog(database),
        atomic=database.atomic,
    )
