"""The SQL appointment store against the appointment store contract, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.appointments import SqlAppointmentStore
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import AppointmentStoreContract
from staycore.testing.databases import DIALECTS, open_database


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path)


class TestSqlAppointmentStore(AppointmentStoreContract):
    @pytest.fixture
    def appointment_store(self, database: Database, clock: FrozenClock) -> SqlAppointmentStore:
        return SqlAppointmentStore(database, clock)
