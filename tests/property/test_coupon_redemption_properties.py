"""Random sequences of redemptions and cancellations never break a coupon's limits.

A hypothesis rule-based state machine drives the memory coupon store with redemptions
(new ones, retries, conflicting ones, ones in the wrong currency) and releases
(cancelled orders) by a few customers and orders of one coupon with a global limit, a
per-customer limit and a budget, and keeps its own model of the live redemptions. Each
outcome is the one the model expects, refusals in the documented order. After every
step:

* each customer's live uses never exceed the per-customer limit;
* live uses never exceed ``max_uses``, and the spent budget never exceeds the budget;
* the store's usage equals the model's: a released order has given its use and its
  discount back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from staycore.adapters.memory import MemoryCouponStore
from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.pricing.coupons import (
    BudgetExhaustedError,
    Coupon,
    CouponExhaustedError,
    CustomerLimitReachedError,
    DuplicateRedemptionError,
    RedemptionRequest,
    RedemptionStatus,
)
from staycore.pricing.ids import PromotionId

MAX_USES = 4
PER_CUSTOMER = 2
BUDGET = Money.of("100.00", "EUR")
DISCOUNTS = [Money.of(amount, "EUR") for amount in ("10.00", "15.50", "25.00", "40.00")]
FOREIGN = Money.of("10.00", "USD")

customer_indexes = st.integers(0, 2)
order_indexes = st.integers(0, 5)


class CouponMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryCouponStore()
        self.coupon = Coupon(
            code="SPRING-SALE",
            promotion=PromotionId.new(),
            max_uses=MAX_USES,
            max_uses_per_customer=PER_CUSTOMER,
            budget=BUDGET,
        )
        self.store.add_coupons([self.coupon])
        self.customers = [Identifier.new() for _ in range(3)]
        self.orders = [Identifier.new() for _ in range(6)]
        # The model: each order's live redemption (customer, discount), and the last
        # redemption of each order ever redeemed, live or not.
        self.live: dict[Identifier, tuple[Identifier, Money]] = {}
        self.last: dict[Identifier, tuple[Identifier, Money]] = {}

    def spent(self) -> Money:
        return Money.total((discount for _, discount in self.live.values()), "EUR")

    def uses_of(self, customer: Identifier) -> int:
        return sum(1 for who, _ in self.live.values() if who == customer)

    def expected_refusal(self, customer: Identifier, discount: Money) -> type[Exception] | None:
        """What a new redemption must raise, checks in the documented order."""
        if discount.currency != BUDGET.currency:
            return CurrencyMismatchError
        if len(self.live) >= MAX_USES:
            return CouponExhaustedError
        if self.uses_of(customer) >= PER_CUSTOMER:
            return CustomerLimitReachedError
        if self.spent() + discount > BUDGET:
            return BudgetExhaustedError
        return None

    def redeem_as(self, order: Identifier, customer: Identifier, discount: Money) -> None:
        request = RedemptionRequest(
            code="spring sale", order=order, customer=customer, discount=discount
        )
        if order in self.live:
            expected: type[Exception] | None = (
                None if self.live[order] == (customer, discount) else DuplicateRedemptionError
            )
        else:
            expected = self.expected_refusal(customer, discount)
        if expected is not None:
            with pytest.raises(expected):
                self.store.redeem(request)
            return
        redemption = self.store.redeem(request)
        assert redemption.status is RedemptionStatus.REDEEMED
        assert (redemption.code, redemption.order) == ("SPRINGSALE", order)
        assert (redemption.customer, redemption.discount) == (customer, discount)
        self.live[order] = self.last[order] = (customer, discount)

    @rule(order=order_indexes, customer=customer_indexes, discount=st.sampled_from(DISCOUNTS))
    def redeem(self, order: int, customer: int, discount: Money) -> None:
        self.redeem_as(self.orders[order], self.customers[customer], discount)

    @rule(order=order_indexes)
    def retry(self, order: int) -> None:
        """Send an order's live redemption again (or its last one, if released)."""
        if self.orders[order] in self.last:
            self.redeem_as(self.orders[order], *self.last[self.orders[order]])

    @rule(order=order_indexes, customer=customer_indexes)
    def redeem_in_another_currency(self, order: int, customer: int) -> None:
        self.redeem_as(self.orders[order], self.customers[customer], FOREIGN)

    @rule(order=order_indexes)
    def cancel(self, order: int) -> None:
        """Cancel the order: release its use of the code, once or again."""
        key = self.orders[order]
        released = self.store.release("Spring-Sale", key)
        if key not in self.last:
            assert released is None
            return
        assert released is not None
        assert released.status is RedemptionStatus.RELEASED
        assert (released.customer, released.discount) == self.last[key]
        self.live.pop(key, None)

    @invariant()
    def limits_hold_and_usage_matches_the_model(self) -> None:
        usage = self.store.usage(self.coupon.code)
        assert usage.uses == len(self.live) <= MAX_USES
        assert usage.spent == self.spent()
        assert usage.spent is not None
        assert Decimal(0) <= usage.spent.amount <= BUDGET.amount
        assert usage.remaining_uses == MAX_USES - len(self.live)
        assert usage.remaining_budget == BUDGET - self.spent()
        for customer in self.customers:
            mine = self.store.usage(self.coupon.code, customer)
            assert mine.customer_uses == self.uses_of(customer) <= PER_CUSTOMER
            assert mine.remaining_for_customer == PER_CUSTOMER - self.uses_of(customer)


TestCouponMachine = CouponMachine.TestCase
TestCouponMachine.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
