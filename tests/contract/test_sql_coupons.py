"""The SQL coupon store against the coupon store contract, on SQLite and PostgreSQL.

Besides the contract, two :class:`Database` objects on one file or schema stand for two
application servers: their redemptions race for the same counts, and never over-redeem.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.coupons import SqlCouponStore
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.pricing.coupons import (
    BudgetExhaustedError,
    Coupon,
    CouponExhaustedError,
    CustomerLimitReachedError,
    DuplicateCouponError,
    RedemptionRequest,
    UnknownCouponError,
)
from staycore.pricing.ids import PromotionId
from staycore.testing.contracts import CouponStoreContract


class TestSqlCouponStore(CouponStoreContract):
    @pytest.fixture
    def coupon_store(self, database: Database) -> SqlCouponStore:
        return SqlCouponStore(database)


Refusal = type[Exception] | None


def _race(calls: list[tuple[SqlCouponStore, RedemptionRequest]]) -> list[Refusal]:
    start = threading.Barrier(len(calls))

    def redeem(call: tuple[SqlCouponStore, RedemptionRequest]) -> Refusal:
        store, request = call
        start.wait(timeout=10)
        try:
            store.redeem(request)
        except (CouponExhaustedError, CustomerLimitReachedError, BudgetExhaustedError) as error:
            return type(error)
        return None

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(redeem, calls))


def test_two_servers_never_redeem_more_than_the_limits(
    database: Database, second_server: Database
) -> None:
    """Orders spread over two servers race for 3 uses, 1 per guest and a budget of 5."""
    stores = (SqlCouponStore(database), SqlCouponStore(second_server))
    contract = CouponStoreContract
    uses = contract.add(stores[0], max_uses=3)
    budget = contract.add(stores[1], budget=Money.of("50.00", "EUR"))
    guest = Identifier.new()
    per_guest = contract.add(stores[0], max_uses_per_customer=1)
    calls = [
        (stores[n % 2], contract.request(coupon, discount="10.00", customer=customer))
        for n in range(8)
        for coupon, customer in ((uses, None), (budget, None), (per_guest, guest))
    ]
    outcomes = _race(calls)
    won = {
        coupon.code: sum(
            outcome is None
            for (_, request), outcome in zip(calls, outcomes, strict=True)
            if request.code == coupon.code
        )
        for coupon in (uses, budget, per_guest)
    }
    assert won == {uses.code: 3, budget.code: 5, per_guest.code: 1}
    for store in stores:
        assert store.usage(uses.code).uses == 3
        assert store.usage(budget.code).remaining_budget == Money.of("0.00", "EUR")
        assert store.usage(per_guest.code, guest).customer_uses == 1


def test_a_release_on_one_server_frees_the_use_for_the_other(
    database: Database, second_server: Database
) -> None:
    """Counts live in the database: a release committed by one server is seen by the other."""
    first, second = SqlCouponStore(database), SqlCouponStore(second_server)
    coupon = CouponStoreContract.add(first, max_uses=1)
    request = CouponStoreContract.request(coupon)
    first.redeem(request)
    with pytest.raises(CouponExhaustedError):
        second.redeem(CouponStoreContract.request(coupon))
    released = second.release(coupon.code, request.order)
    assert released is not None
    assert not released.is_live
    assert first.release(coupon.code, request.order) == released
    second.redeem(CouponStoreContract.request(coupon))
    assert first.usage(coupon.code).uses == 1


def test_a_large_batch_is_added_in_one_transaction(database: Database) -> None:
    """More codes than one look-up takes at once: all added, and a clash refuses them all."""
    store = SqlCouponStore(database)
    batch = [CouponStoreContract.coupon(max_uses=1) for _ in range(1200)]
    store.add_coupons(batch[:700])
    store.add_coupons(batch)  # the first 700 again: identical, skipped
    assert store.coupon(batch[-1].code) == batch[-1]
    assert store.usage(batch[0].code).uses == 0
    fresh = [CouponStoreContract.coupon() for _ in range(900)]
    clash = Coupon(code=batch[0].code, promotion=PromotionId.new())
    with pytest.raises(DuplicateCouponError):
        store.add_coupons([*fresh, clash])
    for coupon in (fresh[0], fresh[-1]):
        with pytest.raises(UnknownCouponError):
            store.coupon(coupon.code)
