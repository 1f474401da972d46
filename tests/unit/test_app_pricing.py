"""The pricing use cases: codes looked up for the quote, redeemed all or none, given back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from staycore.adapters.memory import MemoryCouponStore
from staycore.app.pricing import Pricing
from staycore.availability.ids import UnitTypeId
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.pricing.coupons import BudgetExhaustedError, Coupon, CouponExhaustedError
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion
from staycore.pricing.quote import Pricer, QuoteExpiredError
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.testing.clock import FrozenClock

STAY = Stay.parse("2026-12-01/2026-12-03")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


class Shop:
    def __init__(self) -> None:
        self.sale = Promotion(
            id=PromotionId.new(),
            name="Sale",
            kind=DiscountKind.PERCENT,
            percent=Decimal(10),
            priority=1,  # before the gift: 10 % of the rooms, then 15.00 off
        )
        self.gift = Promotion(
            id=PromotionId.new(), name="Gift", kind=DiscountKind.AMOUNT, amount=eur("15.00")
        )
        self.pricer = Pricer(
            RatePlan(
                id=RatePlanId.new(),
                unit_type=UnitTypeId.new(),
                name="Loft",
                base_price=eur("100.00"),
            ),
            RuleSet(
                version="v1",
                currency="EUR",
                timezone="Europe/Paris",
                promotions=[self.sale, self.gift],
            ),
        )
        self.store = MemoryCouponStore()
        self.store.add_coupons(
            [
                Coupon(code="SALE10", promotion=self.sale.id, max_uses=1),
                Coupon(code="GIFT15", promotion=self.gift.id, budget=eur("20.00")),
            ]
        )
        self.clock = FrozenClock("2026-11-22T09:00:00Z")
        self.pricing = Pricing(self.store, self.clock)


@pytest.fixture
def shop() -> Shop:
    return Shop()


def test_unknown_and_malformed_codes_are_refused_in_the_quote(shop: Shop) -> None:
    q = shop.pricing.quote(shop.pricer, STAY, Guests(2), codes=["sale 10", "WHO", "%%"])
    assert str(q.total) == "EUR 180.00"
    assert [(r.name, r.reason) for r in q.refusals] == [
        ("WHO", "it is not a valid code (pricing.unknown_coupon)"),
        ("%%", "it is not a valid code (pricing.invalid_coupon_code)"),
    ]
    assert [(code, str(m)) for code, m in q.coupon_discounts] == [("SALE10", "EUR 20.00")]


def test_redeeming_counts_every_code_with_its_discount(shop: Shop) -> None:
    q = shop.pricing.quote(shop.pricer, STAY, Guests(2), codes=["SALE10", "GIFT15"])
    order, customer = Identifier.new(), Identifier.new()
    redeemed = shop.pricing.redeem(q, order=order, customer=customer)
    assert [(r.code, str(r.discount)) for r in redeemed] == [
        ("SALE10", "EUR 20.00"),
        ("GIFT15", "EUR 15.00"),
    ]
    assert shop.pricing.redeem(q, order=order, customer=customer) == redeemed  # a retry
    assert shop.store.usage("SALE10").uses == 1
    assert shop.store.usage("GIFT15").spent == eur("15.00")


def test_one_refused_code_leaves_none_redeemed(shop: Shop) -> None:
    first = shop.pricing.quote(shop.pricer, STAY, Guests(2), codes=["GIFT15"])
    shop.pricing.redeem(first, order=Identifier.new(), customer=Identifier.new())
    both = shop.pricing.quote(shop.pricer, STAY, Guests(2), codes=["SALE10", "GIFT15"])
    with pytest.raises(BudgetExhaustedError):  # 5.00 of the budget left, 15.00 wanted
        shop.pricing.redeem(both, order=Identifier.new(), customer=Identifier.new())
    assert shop.store.usage("SALE10").uses == 0


def test_the_last_use_goes_to_one_order_and_a_cancellation_gives_it_back(shop: Shop) -> None:
    q = shop.pricing.quote(shop.pricer, STAY, Guests(2), codes=["SALE10"])
    winner = Identifier.new()
    shop.pricing.redeem(q, order=winner, customer=Identifier.new())
    with pytest.raises(CouponExhaustedError):
        shop.pricing.redeem(q, order=Identifier.new(), customer=Identifier.new())
    (released,) = shop.pricing.release(q, order=winner)
    assert released.code == "SALE10"
    assert shop.pricing.release(q, order=winner) == (released,)  # again: nothing more
    assert shop.store.usage("SALE10").uses == 0
    shop.pricing.redeem(q, order=Identifier.new(), customer=Identifier.new())


def test_an_expired_quote_is_not_redeemed(shop: Shop) -> None:
    q = shop.pricing.quote(shop.pricer, STAY, Guests(2), codes=["SALE10"])
    shop.clock.advance(minutes=31)
    with pytest.raises(QuoteExpiredError):
        shop.pricing.redeem(q, order=Identifier.new(), customer=Identifier.new())
    assert shop.store.usage("SALE10").uses == 0
