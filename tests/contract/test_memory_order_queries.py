"""The memory order queries keep the order queries contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory import MemoryOrderQueries, MemoryStore
from staycore.testing.contracts import OrderQueriesContract
from staycore.testing.contracts.orders import Storage


class TestMemoryOrderQueries(OrderQueriesContract):
    @pytest.fixture
    def order_storage(self) -> Storage:
        store = MemoryStore()
        return store.unit_of_work, MemoryOrderQueries(store)
