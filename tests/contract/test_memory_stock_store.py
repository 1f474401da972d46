"""The memory stock store keeps the stock store contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory import MemoryStockStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import StockStoreContract


class TestMemoryStockStore(StockStoreContract):
    @pytest.fixture
    def stock_store(self, clock: FrozenClock) -> MemoryStockStore:
        return MemoryStockStore(clock)
