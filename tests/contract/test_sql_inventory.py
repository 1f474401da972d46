"""The SQL inventory store against the inventory store contract, on both databases."""

from __future__ import annotations

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.inventory import SqlInventoryStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import InventoryStoreContract


class TestSqlInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def inventory_store(self, database: Database, clock: FrozenClock) -> SqlInventoryStore:
        return SqlInventoryStore(database, clock)
