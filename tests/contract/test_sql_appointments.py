"""The SQL appointment store against the appointment store contract, on both databases."""

from __future__ import annotations

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.appointments import SqlAppointmentStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import AppointmentStoreContract


class TestSqlAppointmentStore(AppointmentStoreContract):
    @pytest.fixture
    def appointment_store(self, database: Database, clock: FrozenClock) -> SqlAppointmentStore:
        return SqlAppointmentStore(database, clock)
