"""The SQL inventory store against the inventory store contract, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.inventory import SqlInventoryStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import InventoryStoreContract
from staycore.testing.databases import DIALECTS, open_database


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path)


class TestSqlInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def inventory_store(self, database: Database, clock: FrozenClock) -> SqlInventoryStore:
        return SqlInventoryStore(database, clock)
