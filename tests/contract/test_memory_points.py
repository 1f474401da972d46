"""The memory points ledger keeps the points ledger contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from staycore.adapters.memory.points import MemoryPointsLedger
from staycore.kernel.errors import InvalidIdentifierError
from staycore.testing.contracts.points import PointsLedgerContract


class TestMemoryPointsLedger(PointsLedgerContract):
    @pytest.fixture
    def ledger(self) -> MemoryPointsLedger:
        return MemoryPointsLedger()


@pytest.mark.parametrize("customer", [[1], {}, Decimal("sNaN")])
def test_an_unhashable_customer_has_no_entries_and_no_account(customer: Any) -> None:
    ledger = MemoryPointsLedger()
    assert ledger.entries(customer) == ()
    with pytest.raises(InvalidIdentifierError):
        ledger.account(customer)
