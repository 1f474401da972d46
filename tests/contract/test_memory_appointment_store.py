"""The memory appointment store keeps the appointment store contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from staycore.adapters.memory import MemoryAppointmentStore
from staycore.availability.appointments import ResourceNotFoundError
from staycore.availability.holds import HoldNotFoundError
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import AppointmentStoreContract


class TestMemoryAppointmentStore(AppointmentStoreContract):
    @pytest.fixture
    def appointment_store(self, clock: FrozenClock) -> MemoryAppointmentStore:
        return MemoryAppointmentStore(clock)


@pytest.mark.parametrize("key", [[1], {}, Decimal("sNaN")])
def test_an_unhashable_id_names_no_resource_and_no_hold(key: Any) -> None:
    store = MemoryAppointmentStore(FrozenClock("2026-05-01T09:00:00Z"))
    with pytest.raises(ResourceNotFoundError):
        store.resource(key)
    with pytest.raises(HoldNotFoundError):
        store.confirm(key)
