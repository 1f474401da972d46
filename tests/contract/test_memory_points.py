"""The memory points ledger keeps the points ledger contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory.points import MemoryPointsLedger
from staycore.testing.contracts.points import PointsLedgerContract


class TestMemoryPointsLedger(PointsLedgerContract):
    @pytest.fixture
    def ledger(self) -> MemoryPointsLedger:
        return MemoryPointsLedger()
