"""The memory restriction store keeps the restriction store contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory import MemoryRestrictionStore
from staycore.testing.contracts import RestrictionStoreContract


class TestMemoryRestrictionStore(RestrictionStoreContract):
    @pytest.fixture
    def restriction_store(self) -> MemoryRestrictionStore:
        return MemoryRestrictionStore()
