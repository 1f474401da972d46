"""The memory coupon store keeps the coupon store contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from staycore.adapters.memory import MemoryCouponStore
from staycore.pricing.coupons import Coupon
from staycore.pricing.ids import PromotionId
from staycore.testing.contracts import CouponStoreContract


class TestMemoryCouponStore(CouponStoreContract):
    @pytest.fixture
    def coupon_store(self) -> MemoryCouponStore:
        return MemoryCouponStore()


@pytest.mark.parametrize("order", [[1], {}, Decimal("sNaN")])
def test_releasing_for_an_unhashable_order_releases_nothing(order: Any) -> None:
    store = MemoryCouponStore()
    store.add_coupons([Coupon(code="AUTUMN10", promotion=PromotionId.new(), max_uses=1)])
    assert store.release("AUTUMN10", order) is None
