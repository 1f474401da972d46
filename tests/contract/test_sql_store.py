"""The SQL adapter's unit of work and idempotency store against the port contracts.

Every suite runs twice: on a SQLite file and on a real PostgreSQL (a schema per test).
"""

from __future__ import annotations

import pytest

from staycore.adapters.sql import Database, SqlIdempotencyStore, SqlOrderQueries, SqlStore
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import (
    CommittedEvents,
    IdempotencyStoreContract,
    OrderQueriesContract,
    UnitOfWorkContract,
)
from staycore.testing.contracts.orders import Storage


class TestSqlUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def store(self, database: Database) -> SqlStore:
        return SqlStore(database)

    @pytest.fixture
    def uow_factory(self, store: SqlStore) -> UnitOfWorkFactory:
        return store.unit_of_work

    @pytest.fixture
    def committed_events(self, store: SqlStore) -> CommittedEvents:
        return store.outbox


class TestSqlIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def idempotency_store(self, database: Database, clock: FrozenClock) -> IdempotencyStore:
        return SqlIdempotencyStore(database, clock)


class TestSqlOrderQueries(OrderQueriesContract):
    @pytest.fixture
    def order_storage(self, database: Database) -> Storage:
        store = SqlStore(database)
        return store.unit_of_work, SqlOrderQueries(store)
