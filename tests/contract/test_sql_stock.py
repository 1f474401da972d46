"""The SQL stock store against the stock store contract, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.stock import SqlStockStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import StockStoreContract
from staycore.testing.databases import DIALECTS, open_database


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path)


class TestSqlStockStore(StockStoreContract):
    @pytest.fixture
    def stock_store(self, database: Database, clock: FrozenClock) -> SqlStockStore:
        return SqlStockStore(database, clock)
