"""The memory inventory store keeps the inventory store contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory import MemoryInventoryStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import InventoryStoreContract


class TestMemoryInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def inventory_store(self, clock: FrozenClock) -> MemoryInventoryStore:
        return MemoryInventoryStore(clock)
