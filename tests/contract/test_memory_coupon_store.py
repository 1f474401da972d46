"""The memory coupon store keeps the coupon store contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory import MemoryCouponStore
from staycore.testing.contracts import CouponStoreContract


class TestMemoryCouponStore(CouponStoreContract):
    @pytest.fixture
    def coupon_store(self) -> MemoryCouponStore:
        return MemoryCouponStore()
