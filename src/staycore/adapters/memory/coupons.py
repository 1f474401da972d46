"""The memory adapter's coupon store.

One lock guards every coupon, count and redemption, so each operation is atomic: a
redemption checks the coupon's uses, the customer's uses and the budget, and counts
them, while no other thread can change them. The SQL adapters get the same guarantee
from the database (one conditional update of the coupon's counts, with the customer's
count and the redemption row in the same transaction), never from a lock in the
process. The rules themselves are :meth:`~staycore.pricing.coupons.CouponUsage.redeemed`
and :meth:`~staycore.pricing.coupons.CouponUsage.released`: this store only keeps the
counts they move.

Example:
    >>> from staycore.adapters.memory import MemoryCouponStore
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.money import Money
    >>> from staycore.pricing.coupons import Coupon, RedemptionRequest
    >>> from staycore.pricing.ids import PromotionId
    >>> store = MemoryCouponStore()
    >>> store.add_coupons(
    ...     [Coupon(code="LASTROOM", promotion=PromotionId.new(), max_uses=1)]
    ... )
    >>> def request(order: Identifier) -> RedemptionRequest:
    ...     return RedemptionRequest(
    ...         code="last-room", order=order,
    ...         customer=Identifier.new(), discount=Money.of("30.00", "EUR"),
    ...     )
    >>> first = Identifier.new()
    >>> store.redeem(request(first)).status.value
    'redeemed'
    >>> store.redeem(request(Identifier.new()))
    Traceback (most recent call last):
    ...
    staycore.pricing.coupons.CouponExhaustedError: [pricing.coupon_exhausted] ...
    >>> store.release("LASTROOM", first).status.value  # the first order was cancelled
    'released'
    >>> store.redeem(request(Identifier.new())).status.value
    'redeemed'
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import attrs

from staycore.kernel.ids import Identifier
from staycore.pricing.coupons import (
    Coupon,
    CouponUsage,
    DuplicateCouponError,
    DuplicateRedemptionError,
    Redemption,
    RedemptionRequest,
    UnknownCouponError,
    normalize_code,
)

__all__ = ["MemoryCouponStore"]


class MemoryCouponStore:
    """A :class:`~staycore.ports.coupons.CouponStore` in memory, safe between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Each code's usage over all customers: the coupon, its live uses and spent budget.
        self._usages: dict[str, CouponUsage] = {}
        # Live uses per (code, customer); customers with none are left out.
        self._customer_uses: dict[tuple[str, Identifier], int] = {}
        # The latest redemption per (code, order), live or released.
        self._redemptions: dict[tuple[str, Identifier], Redemption] = {}

    def add_coupons(self, coupons: Sequence[Coupon]) -> None:
        """Add every coupon of the batch, or none.

        Raises:
            DuplicateCouponError: A code is taken by a different coupon; nothing was added.
        """
        with self._lock:
            batch: dict[str, Coupon] = {}
            for coupon in coupons:
                known = self._usages.get(coupon.code)
                taken = known.coupon if known is not None else batch.get(coupon.code)
                if taken is not None and taken != coupon:
                    msg = (
                        f"coupon code {coupon.code} is taken by another coupon (of "
                        f"{taken.promotion}); nothing of this batch was added. Issue "
                        "its codes again with issue_codes(..., avoid=<the codes issued>)"
                    )
                    raise DuplicateCouponError(msg)
                if known is None:
                    batch[coupon.code] = coupon
            for code, coupon in batch.items():
                self._usages[code] = CouponUsage(coupon=coupon)

    def coupon(self, code: str) -> Coupon:
        """Return the coupon of ``code`` (normalized first).

        Raises:
            UnknownCouponError: No coupon has this code.
            InvalidCouponCodeError: ``code`` cannot be a code at all.
        """
        code = normalize_code(code)
        with self._lock:
            return self._usage(code).coupon

    def redeem(self, request: RedemptionRequest) -> Redemption:
        """Count the order's use of the code and its discount, if every limit allows it.

        Raises:
            UnknownCouponError: No coupon has this code.
            CurrencyMismatchError: The coupon's budget is in another currency.
            CouponExhaustedError: The coupon has no uses left.
            CustomerLimitReachedError: The customer has no uses of it left.
            BudgetExhaustedError: Less budget is left than the discount.
            DuplicateRedemptionError: The order redeemed the code live with another
                customer or discount.
        """
        with self._lock:
            usage = self._usage(request.code, request.customer)
            key = (request.code, request.order)
            earlier = self._redemptions.get(key)
            if earlier is not None and earlier.is_live:
                if earlier.matches(request):
                    return earlier  # a retry
                raise DuplicateRedemptionError(earlier, request)
            self._keep(usage.redeemed(request), request.customer)
            redemption = request.to_redemption()
            self._redemptions[key] = redemption
            return redemption

    def release(self, code: str, order: Identifier) -> Redemption | None:
        """Give back the order's use of the code and its discount; ``None`` if it had none.

        Raises:
            UnknownCouponError: No coupon has this code.
        """
        code = normalize_code(code)
        with self._lock:
            self._usage(code)
            # An order id from an untyped caller may be anything; only text names an order.
            redemption = self._redemptions.get((code, order)) if isinstance(order, str) else None
            if redemption is None or not redemption.is_live:
                return redemption
            customer = redemption.customer
            self._keep(self._usage(code, customer).released(redemption), customer)
            released = redemption.released()
            self._redemptions[code, order] = released
            return released

    def usage(self, code: str, customer: Identifier | None = None) -> CouponUsage:
        """Return the code's live uses and spent budget, and ``customer``'s live uses if given.

        Raises:
            UnknownCouponError: No coupon has this code.
        """
        code = normalize_code(code)
        with self._lock:
            return self._usage(code, customer)

    # -- internals (called with the lock held) --------------------------------------

    def _usage(self, code: str, customer: Identifier | None = None) -> CouponUsage:
        usage = self._usages.get(code)
        if usage is None:
            msg = (
                f"no coupon has the code {code}: check it with the guest, or add_coupons() "
                "it before it is redeemed"
            )
            raise UnknownCouponError(msg)
        if customer is None:
            return usage
        uses = self._customer_uses.get((code, customer), 0)
        return attrs.evolve(usage, customer=customer, customer_uses=uses)

    def _keep(self, usage: CouponUsage, customer: Identifier) -> None:
        """Store a usage counted for ``customer``: the code's counts, and the customer's."""
        key = (usage.code, customer)
        if usage.customer_uses:
            self._customer_uses[key] = usage.customer_uses
        else:
            self._customer_uses.pop(key, None)
        self._usages[usage.code] = attrs.evolve(usage, customer=None, customer_uses=None)

    def __repr__(self) -> str:
        return (
            f"MemoryCouponStore(coupons={len(self._usages)}, redemptions={len(self._redemptions)})"
        )
