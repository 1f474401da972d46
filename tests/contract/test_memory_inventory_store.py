"""The memory inventory store keeps the inventory store contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from staycore.adapters.memory import MemoryInventoryStore
from staycore.availability.holds import HoldNotFoundError
from staycore.availability.inventory import NightOutsideCalendarError
from staycore.kernel.time import Stay
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import InventoryStoreContract


class TestMemoryInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def inventory_store(self, clock: FrozenClock) -> MemoryInventoryStore:
        return MemoryInventoryStore(clock)


@pytest.mark.parametrize("key", [[1], {}, Decimal("sNaN")])
def test_an_unhashable_id_names_no_hold_and_no_calendar(key: Any) -> None:
    # Found by the fuzz suite: such ids escaped from dict lookups as TypeError.
    store = MemoryInventoryStore(FrozenClock("2026-05-01T09:00:00Z"))
    with pytest.raises(HoldNotFoundError):
        store.hold(key)
    with pytest.raises(NightOutsideCalendarError):
        store.counts(key, Stay.parse("2026-07-01/2026-07-02"))
