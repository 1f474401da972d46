"""The SQL stock store against the stock store contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.stock import SqlStockStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import StockStoreContract


class TestSqlStockStore(StockStoreContract):
    @pytest.fixture
    def stock_store(self, database: Database, clock: FrozenClock) -> SqlStockStore:
        return SqlStockStore(database, clock)
