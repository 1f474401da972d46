"""The SQL adapter's unit of work and idempotency store against the port contracts.

Every suite runs twice: on a SQLite file and on a real PostgreSQL (a schema per test).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from staycore.adapters.crypto import AesGcmCipher
from staycore.adapters.sql import Database, SqlIdempotencyStore, SqlOrderQueries, SqlStore
from staycore.kernel.errors import InvalidIdempotencyKeyError, UnstorableValueError
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import (
    CommittedEvents,
    GuestNote,
    IdempotencyStoreContract,
    OrderQueriesContract,
    UnitOfWorkContract,
)
from staycore.testing.contracts.orders import Storage

CIPHER = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1")


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


class TestSqlUnitOfWorkWithACipher(TestSqlUnitOfWork):
    """The same rules with the notes' text sealed in the rows and in the outbox."""

    @pytest.fixture
    def store(self, database: Database) -> SqlStore:
        return SqlStore(database, cipher=CIPHER)


class TestSqlIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def idempotency_store(self, database: Database, clock: FrozenClock) -> IdempotencyStore:
        return SqlIdempotencyStore(database, clock)


class TestSqlOrderQueries(OrderQueriesContract):
    @pytest.fixture
    def order_storage(self, database: Database) -> Storage:
        store = SqlStore(database)
        return store.unit_of_work, SqlOrderQueries(store)


@pytest.mark.parametrize("key", [None, 42, [1], "", "k" * 256, "pay\x00", "pay\ud800"])
def test_the_sql_store_refuses_the_keys_the_memory_store_refuses(
    database: Database, key: Any
) -> None:
    # Found by the fuzz suite: such keys failed in the driver, or (longer than the
    # column) only on PostgreSQL; both stores now refuse the same keys.
    store = SqlIdempotencyStore(database, FrozenClock("2026-05-01T09:00:00Z"))
    with pytest.raises(InvalidIdempotencyKeyError):
        store.claim(key, "sha256:ab", ttl=dt.timedelta(hours=1))


def test_text_a_database_cannot_encode_is_refused_and_writes_nothing(database: Database) -> None:
    # Found by the fuzz suite: a lone surrogate escaped as UnicodeEncodeError.
    store = SqlStore(database)
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(GuestNote.write("quiet room \ud800"))
        with pytest.raises(UnstorableValueError, match="valid Unicode"):
            uow.commit()
    assert store.committed(GuestNote) == ()
    assert store.outbox() == ()
