"""The memory restriction store keeps the restriction store contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from staycore.adapters.memory import MemoryRestrictionStore
from staycore.availability.inventory import NightOutsideCalendarError
from staycore.kernel.time import Stay
from staycore.testing.contracts import RestrictionStoreContract


class TestMemoryRestrictionStore(RestrictionStoreContract):
    @pytest.fixture
    def restriction_store(self) -> MemoryRestrictionStore:
        return MemoryRestrictionStore()


@pytest.mark.parametrize("unit_type", [[1], {}, Decimal("sNaN")])
def test_an_unhashable_unit_type_has_no_restrictions(unit_type: Any) -> None:
    with pytest.raises(NightOutsideCalendarError):
        MemoryRestrictionStore().restrictions(unit_type, Stay.parse("2026-07-01/2026-07-02"))
