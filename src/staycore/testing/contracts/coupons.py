"""The contract suite of the coupon store port (:mod:`staycore.ports.coupons`).

Subclass :class:`CouponStoreContract` and override ``coupon_store`` to build your
adapter; every test adds coupons under freshly issued codes, so the suite runs against an
empty store or a shared database alike.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryCouponStore
    >>> from staycore.testing.contracts import CouponStoreContract
    >>> class TestMemoryCouponStore(CouponStoreContract):
    ...     @pytest.fixture
    ...     def coupon_store(self) -> MemoryCouponStore:
    ...         return MemoryCouponStore()
    >>> "test_racing_for_the_last_use_only_one_wins" in dir(TestMemoryCouponStore)
    True
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pytest

from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.ports.coupons import CouponStore
from staycore.pricing.coupons import (
    BudgetExhaustedError,
    Coupon,
    CouponExhaustedError,
    CustomerLimitReachedError,
    DuplicateCouponError,
    DuplicateRedemptionError,
    InvalidCouponCodeError,
    RedemptionRequest,
    RedemptionStatus,
    UnknownCouponError,
    issue_codes,
)
from staycore.pricing.ids import PromotionId

__all__ = ["CouponStoreContract"]

_RaceOutcome = type[Exception] | None


def _eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


class CouponStoreContract:
    """The rules of :class:`~staycore.ports.coupons.CouponStore`, as tests.

    Override :meth:`coupon_store`. ``racers`` sizes the race tests, and ``budget_fits``
    is how many discounts fit the budget raced for (fewer than ``racers``).
    """

    racers: ClassVar[int] = 8
    budget_fits: ClassVar[int] = 3

    @pytest.fixture
    def coupon_store(self) -> CouponStore:
        """Build the adapter under test; override this."""
        raise NotImplementedError("override the coupon_store fixture to build your adapter")

    @staticmethod
    def coupon(
        *,
        max_uses: int | None = None,
        max_uses_per_customer: int | None = None,
        budget: Money | None = None,
    ) -> Coupon:
        """A coupon under a freshly issued code, with the given limits."""
        (code,) = issue_codes(1, prefix="CT", length=12)
        return Coupon(
            code=code,
            promotion=PromotionId.new(),
            max_uses=max_uses,
            max_uses_per_customer=max_uses_per_customer,
            budget=budget,
        )

    @classmethod
    def add(
        cls,
        store: CouponStore,
        *,
        max_uses: int | None = None,
        max_uses_per_customer: int | None = None,
        budget: Money | None = None,
    ) -> Coupon:
        """Add a fresh coupon with the given limits to ``store`` and return it."""
        coupon = cls.coupon(
            max_uses=max_uses, max_uses_per_customer=max_uses_per_customer, budget=budget
        )
        store.add_coupons([coupon])
        return coupon

    @staticmethod
    def request(
        coupon: Coupon,
        *,
        order: Identifier | None = None,
        customer: Identifier | None = None,
        discount: str = "10.00",
        currency: str = "EUR",
    ) -> RedemptionRequest:
        """A request to redeem ``coupon``, for a new order and customer unless given."""
        return RedemptionRequest(
            code=coupon.code,
            order=order or Identifier.new(),
            customer=customer or Identifier.new(),
            discount=Money.of(discount, currency),
        )

    @staticmethod
    def counts(store: CouponStore, coupon: Coupon) -> tuple[int, Money | None]:
        """The coupon's live uses and spent budget."""
        usage = store.usage(coupon.code)
        return usage.uses, usage.spent

    # -- coupons ---------------------------------------------------------------------

    def test_the_store_has_every_method_of_the_port(self, coupon_store: CouponStore) -> None:
        """The adapter is a CouponStore, as ``isinstance`` checks a protocol."""
        assert isinstance(coupon_store, CouponStore)

    def test_an_added_coupon_is_found_by_its_code_however_typed(
        self, coupon_store: CouponStore
    ) -> None:
        """Codes are normalized on the way in: case, spaces and hyphens do not matter."""
        coupon = self.add(coupon_store, max_uses=5, budget=_eur("100.00"))
        sloppy = f" {coupon.code[:4].lower()}-{coupon.code[4:8]} {coupon.code[8:]} "
        assert coupon_store.coupon(sloppy) == coupon
        usage = coupon_store.usage(sloppy)
        assert (usage.code, usage.uses, usage.spent) == (coupon.code, 0, _eur("0.00"))
        assert (usage.remaining_uses, usage.remaining_budget) == (5, _eur("100.00"))
        assert usage.customer is None

    def test_a_batch_is_added_whole(self, coupon_store: CouponStore) -> None:
        """Every coupon of a batch is added."""
        batch = [self.coupon(max_uses=1) for _ in range(5)]
        coupon_store.add_coupons(batch)
        assert [coupon_store.coupon(c.code) for c in batch] == batch

    def test_a_taken_code_refuses_the_whole_batch(self, coupon_store: CouponStore) -> None:
        """A code taken by a different coupon refuses the batch: nothing of it is added."""
        taken = self.add(coupon_store, max_uses=1)
        fresh = [self.coupon() for _ in range(3)]
        clash = Coupon(code=taken.code, promotion=PromotionId.new(), max_uses=1)
        with pytest.raises(DuplicateCouponError) as refused:
            coupon_store.add_coupons([*fresh[:2], clash, fresh[2]])
        assert refused.value.code == "pricing.coupon_exists"
        assert coupon_store.coupon(taken.code) == taken
        for coupon in fresh:
            with pytest.raises(UnknownCouponError):
                coupon_store.coupon(coupon.code)

    def test_two_coupons_of_one_code_in_a_batch_are_refused(
        self, coupon_store: CouponStore
    ) -> None:
        """A batch that gives one code to two different coupons adds nothing."""
        first = self.coupon(max_uses=1)
        second = Coupon(code=first.code, promotion=first.promotion, max_uses=2)
        with pytest.raises(DuplicateCouponError):
            coupon_store.add_coupons([first, second])
        with pytest.raises(UnknownCouponError):
            coupon_store.coupon(first.code)

    def test_adding_an_identical_coupon_again_changes_nothing(
        self, coupon_store: CouponStore
    ) -> None:
        """A retried batch is safe: identical coupons are skipped and keep their uses."""
        coupon = self.add(coupon_store, max_uses=3, budget=_eur("50.00"))
        coupon_store.redeem(self.request(coupon))
        other = self.coupon()
        coupon_store.add_coupons([coupon, other, other])
        assert self.counts(coupon_store, coupon) == (1, _eur("10.00"))
        assert coupon_store.coupon(other.code) == other

    def test_an_unknown_code_is_not_found(self, coupon_store: CouponStore) -> None:
        """Every method refuses a code never added with UnknownCouponError."""
        unknown = self.coupon()
        operations: list[Callable[[], object]] = [
            lambda: coupon_store.coupon(unknown.code),
            lambda: coupon_store.usage(unknown.code),
            lambda: coupon_store.redeem(self.request(unknown)),
            lambda: coupon_store.release(unknown.code, Identifier.new()),
        ]
        for operation in operations:
            with pytest.raises(UnknownCouponError) as refused:
                operation()
            assert refused.value.code == "pricing.unknown_coupon"

    def test_text_that_cannot_be_a_code_is_refused(self, coupon_store: CouponStore) -> None:
        """Looking up text that is no code at all says so, rather than 'not found'."""
        with pytest.raises(InvalidCouponCodeError):
            coupon_store.coupon("10% OFF")

    # -- redeeming -------------------------------------------------------------------

    def test_redeeming_counts_a_use_and_spends_the_budget(self, coupon_store: CouponStore) -> None:
        """A redemption is live, takes a use, the customer's use and its discount."""
        coupon = self.add(coupon_store, max_uses=5, max_uses_per_customer=2, budget=_eur("100"))
        request = self.request(coupon, discount="30.00")
        redemption = coupon_store.redeem(request)
        assert redemption.status is RedemptionStatus.REDEEMED
        assert (redemption.code, redemption.order, redemption.customer, redemption.discount) == (
            coupon.code,
            request.order,
            request.customer,
            request.discount,
        )
        usage = coupon_store.usage(coupon.code, request.customer)
        assert (usage.uses, usage.spent, usage.customer_uses) == (1, _eur("30.00"), 1)
        assert (usage.remaining_uses, usage.remaining_budget) == (4, _eur("70.00"))
        assert usage.remaining_for_customer == 1
        assert coupon_store.usage(coupon.code, Identifier.new()).customer_uses == 0

    def test_a_coupon_without_limits_is_never_exhausted(self, coupon_store: CouponStore) -> None:
        """No limits, no budget: every order may use it, and nothing is spent."""
        coupon = self.add(coupon_store)
        guest = Identifier.new()
        for currency in ("EUR", "USD", "TWD", "EUR"):
            coupon_store.redeem(self.request(coupon, customer=guest, currency=currency))
        usage = coupon_store.usage(coupon.code, guest)
        assert (usage.uses, usage.customer_uses, usage.spent) == (4, 4, None)
        assert (usage.remaining_uses, usage.remaining_budget) == (None, None)

    def test_the_last_use_goes_once(self, coupon_store: CouponStore) -> None:
        """With no uses left the coupon is refused for everyone, and nothing is counted."""
        coupon = self.add(coupon_store, max_uses=2, budget=_eur("100"))
        for _ in range(2):
            coupon_store.redeem(self.request(coupon))
        with pytest.raises(CouponExhaustedError) as refused:
            coupon_store.redeem(self.request(coupon))
        assert refused.value.code == "pricing.coupon_exhausted"
        assert self.counts(coupon_store, coupon) == (2, _eur("20.00"))

    def test_a_customer_gets_only_their_share(self, coupon_store: CouponStore) -> None:
        """The per-customer limit refuses the customer, not the next one."""
        coupon = self.add(coupon_store, max_uses=10, max_uses_per_customer=2)
        guest = Identifier.new()
        for _ in range(2):
            coupon_store.redeem(self.request(coupon, customer=guest))
        with pytest.raises(CustomerLimitReachedError) as refused:
            coupon_store.redeem(self.request(coupon, customer=guest))
        assert refused.value.code == "pricing.customer_limit_reached"
        assert refused.value.customer == guest
        assert coupon_store.usage(coupon.code, guest).customer_uses == 2
        coupon_store.redeem(self.request(coupon))  # another guest
        assert coupon_store.usage(coupon.code).uses == 3

    def test_a_discount_beyond_the_budget_left_is_refused(self, coupon_store: CouponStore) -> None:
        """The budget refuses a discount larger than what is left, and says what is left."""
        coupon = self.add(coupon_store, budget=_eur("50.00"))
        coupon_store.redeem(self.request(coupon, discount="35.00"))
        with pytest.raises(BudgetExhaustedError) as refused:
            coupon_store.redeem(self.request(coupon, discount="15.01"))
        assert refused.value.code == "pricing.budget_exhausted"
        assert (refused.value.remaining, refused.value.wanted) == (_eur("15.00"), _eur("15.01"))
        assert self.counts(coupon_store, coupon) == (1, _eur("35.00"))
        coupon_store.redeem(self.request(coupon, discount="15.00"))  # exactly what is left
        assert coupon_store.usage(coupon.code).remaining_budget == _eur("0.00")

    def test_a_discount_in_another_currency_than_the_budget_is_refused(
        self, coupon_store: CouponStore
    ) -> None:
        """A budget in EUR cannot pay a discount in USD; nothing is counted."""
        coupon = self.add(coupon_store, budget=_eur("50.00"))
        with pytest.raises(CurrencyMismatchError):
            coupon_store.redeem(self.request(coupon, currency="USD"))
        assert self.counts(coupon_store, coupon) == (0, _eur("0.00"))

    def test_refusals_come_in_a_fixed_order(self, coupon_store: CouponStore) -> None:
        """Currency, uses, the customer's uses, budget: the first check that fails is raised."""
        coupon = self.add(coupon_store, max_uses=1, max_uses_per_customer=1, budget=_eur("10"))
        guest = Identifier.new()
        coupon_store.redeem(self.request(coupon, customer=guest, discount="10.00"))
        with pytest.raises(CurrencyMismatchError):
            coupon_store.redeem(self.request(coupon, customer=guest, currency="USD"))
        with pytest.raises(CouponExhaustedError):
            coupon_store.redeem(self.request(coupon, customer=guest, discount="10.00"))
        roomier = self.add(coupon_store, max_uses=5, max_uses_per_customer=1, budget=_eur("10"))
        coupon_store.redeem(self.request(roomier, customer=guest, discount="10.00"))
        with pytest.raises(CustomerLimitReachedError):
            coupon_store.redeem(self.request(roomier, customer=guest, discount="10.00"))

    # -- retries and conflicts -------------------------------------------------------

    def test_a_retried_redemption_gets_the_same_one_back(self, coupon_store: CouponStore) -> None:
        """The same order, code, customer and discount again counts nothing more."""
        coupon = self.add(coupon_store, max_uses=1, budget=_eur("20.00"))
        request = self.request(coupon, discount="12.50")
        first = coupon_store.redeem(request)
        assert coupon_store.redeem(request) == first  # even with no use left
        assert self.counts(coupon_store, coupon) == (1, _eur("12.50"))

    def test_an_order_redeeming_differently_is_refused(self, coupon_store: CouponStore) -> None:
        """Another discount or customer under a live order and code is an error."""
        coupon = self.add(coupon_store, max_uses=5, budget=_eur("100.00"))
        request = self.request(coupon, discount="10.00")
        first = coupon_store.redeem(request)
        changes = [
            self.request(coupon, order=request.order, customer=request.customer, discount="11"),
            self.request(coupon, order=request.order, discount="10.00"),
        ]
        for changed in changes:
            with pytest.raises(DuplicateRedemptionError) as refused:
                coupon_store.redeem(changed)
            assert refused.value.code == "pricing.duplicate_redemption"
            assert refused.value.existing == first
        assert self.counts(coupon_store, coupon) == (1, _eur("10.00"))

    def test_an_order_may_redeem_several_codes(self, coupon_store: CouponStore) -> None:
        """Redemptions are per code and order: two coupons on one order count apart."""
        first = self.add(coupon_store, max_uses=1)
        second = self.add(coupon_store, max_uses=1)
        order, guest = Identifier.new(), Identifier.new()
        for coupon in (first, second):
            coupon_store.redeem(self.request(coupon, order=order, customer=guest))
        assert [coupon_store.usage(c.code).uses for c in (first, second)] == [1, 1]

    # -- releasing -------------------------------------------------------------------

    def test_releasing_gives_the_use_and_the_budget_back_once(
        self, coupon_store: CouponStore
    ) -> None:
        """A cancelled order frees its use, its customer's use and its discount, once."""
        coupon = self.add(coupon_store, max_uses=2, max_uses_per_customer=1, budget=_eur("40"))
        guest = Identifier.new()
        request = self.request(coupon, customer=guest, discount="25.00")
        coupon_store.redeem(request)
        coupon_store.redeem(self.request(coupon, discount="5.00"))
        for _ in range(2):
            released = coupon_store.release(request.code.lower(), request.order)
            assert released is not None
            assert released.status is RedemptionStatus.RELEASED
            assert released.discount == request.discount
        usage = coupon_store.usage(coupon.code, guest)
        assert (usage.uses, usage.spent, usage.customer_uses) == (1, _eur("5.00"), 0)

    def test_releasing_what_an_order_never_redeemed_returns_none(
        self, coupon_store: CouponStore
    ) -> None:
        """A known code with no redemption by the order: nothing to give back."""
        coupon = self.add(coupon_store, max_uses=1)
        coupon_store.redeem(self.request(coupon))
        assert coupon_store.release(coupon.code, Identifier.new()) is None
        assert coupon_store.usage(coupon.code).uses == 1

    def test_a_released_order_may_redeem_again(self, coupon_store: CouponStore) -> None:
        """After a release the order redeems anew, with a new discount, counted again."""
        coupon = self.add(coupon_store, max_uses=1, max_uses_per_customer=1, budget=_eur("30"))
        request = self.request(coupon, discount="20.00")
        coupon_store.redeem(request)
        coupon_store.release(coupon.code, request.order)
        repriced = self.request(
            coupon, order=request.order, customer=request.customer, discount="30.00"
        )
        again = coupon_store.redeem(repriced)
        assert (again.status, again.discount) == (RedemptionStatus.REDEEMED, _eur("30.00"))
        assert self.counts(coupon_store, coupon) == (1, _eur("30.00"))
        assert coupon_store.redeem(repriced) == again
        with pytest.raises(CouponExhaustedError):
            coupon_store.redeem(self.request(coupon, discount="1.00"))

    def test_a_release_lets_the_customer_and_the_next_guest_in(
        self, coupon_store: CouponStore
    ) -> None:
        """A use given back is free again: for the same customer, and for anyone."""
        coupon = self.add(coupon_store, max_uses=1, max_uses_per_customer=1)
        guest = Identifier.new()
        first = coupon_store.redeem(self.request(coupon, customer=guest))
        coupon_store.release(coupon.code, first.order)
        second = coupon_store.redeem(self.request(coupon, customer=guest))
        coupon_store.release(coupon.code, second.order)
        coupon_store.redeem(self.request(coupon))
        assert coupon_store.usage(coupon.code, guest).customer_uses == 0

    # -- concurrency -----------------------------------------------------------------

    def race(self, store: CouponStore, requests: Sequence[RedemptionRequest]) -> list[_RaceOutcome]:
        """Redeem ``requests`` from as many threads at once; ``None`` for each that won."""
        start = threading.Barrier(len(requests))

        def redeem(request: RedemptionRequest) -> _RaceOutcome:
            start.wait(timeout=10)
            try:
                store.redeem(request)
            except (CouponExhaustedError, CustomerLimitReachedError, BudgetExhaustedError) as e:
                return type(e)
            return None

        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            return list(pool.map(redeem, requests))

    def test_racing_for_the_last_use_only_one_wins(self, coupon_store: CouponStore) -> None:
        """``racers`` orders race for a coupon's one use left: exactly one gets it."""
        coupon = self.add(coupon_store, max_uses=2)
        coupon_store.redeem(self.request(coupon))
        outcomes = self.race(coupon_store, [self.request(coupon) for _ in range(self.racers)])
        assert outcomes.count(None) == 1, f"{outcomes.count(None)} of {self.racers} won"
        assert set(outcomes) == {None, CouponExhaustedError}
        assert coupon_store.usage(coupon.code).uses == 2

    def test_racing_orders_of_one_customer_get_one_use(self, coupon_store: CouponStore) -> None:
        """One customer's ``racers`` orders race against a limit of 1 each: one wins."""
        coupon = self.add(coupon_store, max_uses_per_customer=1)
        guest = Identifier.new()
        requests = [self.request(coupon, customer=guest) for _ in range(self.racers)]
        outcomes = self.race(coupon_store, requests)
        assert outcomes.count(None) == 1, f"{outcomes.count(None)} of {self.racers} won"
        assert set(outcomes) == {None, CustomerLimitReachedError}
        assert coupon_store.usage(coupon.code, guest).customer_uses == 1

    def test_racing_for_a_budget_only_what_fits_wins(self, coupon_store: CouponStore) -> None:
        """``racers`` discounts of 10.00 race for a budget of ``budget_fits`` of them."""
        budget = _eur("10.00") * self.budget_fits
        coupon = self.add(coupon_store, budget=budget)
        outcomes = self.race(
            coupon_store, [self.request(coupon, discount="10.00") for _ in range(self.racers)]
        )
        won = outcomes.count(None)
        assert won == self.budget_fits, f"{won} of {self.racers} won"
        assert set(outcomes) == {None, BudgetExhaustedError}
        assert self.counts(coupon_store, coupon) == (self.budget_fits, budget)

    def test_racing_retries_of_one_request_count_once(self, coupon_store: CouponStore) -> None:
        """The same request sent ``racers`` times at once is one redemption."""
        coupon = self.add(coupon_store, max_uses=5, budget=_eur("100.00"))
        request = self.request(coupon, discount="10.00")
        outcomes = self.race(coupon_store, [request] * self.racers)
        assert outcomes == [None] * self.racers
        assert self.counts(coupon_store, coupon) == (1, _eur("10.00"))
