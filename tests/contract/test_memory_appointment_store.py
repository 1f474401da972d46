"""The memory appointment store keeps the appointment store contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory import MemoryAppointmentStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import AppointmentStoreContract


class TestMemoryAppointmentStore(AppointmentStoreContract):
    @pytest.fixture
    def appointment_store(self, clock: FrozenClock) -> MemoryAppointmentStore:
        return MemoryAppointmentStore(clock)
