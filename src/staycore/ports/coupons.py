"""The coupon store port: coupon codes, and their redemptions counted atomically.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.CouponStoreContract`):

* Codes are normalized on the way in (:func:`~staycore.pricing.coupons.normalize_code`):
  ``coupon(" summer-10")`` finds ``SUMMER10``. A code never added raises
  :class:`~staycore.pricing.coupons.UnknownCouponError` from every method.
* :meth:`CouponStore.add_coupons` adds every coupon of the batch, or none: a code already
  taken by a different coupon (in the store or earlier in the batch) refuses the whole
  batch with :class:`~staycore.pricing.coupons.DuplicateCouponError`. Adding a coupon
  identical to one already there changes nothing, and keeps its uses: a retried batch
  is safe.
* :meth:`CouponStore.redeem` checks and counts in one atomic step, on any adapter and
  across processes: the coupon's live uses stay within ``max_uses``, each customer's
  within ``max_uses_per_customer``, and the sum of the live discounts within ``budget``.
  Of any number of requests racing for the last use (or the last of a customer's uses,
  or the last of the budget), only as many win as fit. When several checks fail, the
  first of the order of :meth:`~staycore.pricing.coupons.CouponUsage.redeemed` is raised:
  :class:`~staycore.kernel.errors.CurrencyMismatchError` (a discount outside the
  budget's currency), :class:`~staycore.pricing.coupons.CouponExhaustedError`,
  :class:`~staycore.pricing.coupons.CustomerLimitReachedError`,
  :class:`~staycore.pricing.coupons.BudgetExhaustedError`.
* A redemption is keyed by code and order. While it is live, redeeming again with the
  same order, code, customer and discount returns it and counts nothing (a retry after a
  lost connection); with another customer or discount it is refused with
  :class:`~staycore.pricing.coupons.DuplicateRedemptionError`. Both are decided before
  the limits are checked, so a retry succeeds even when the coupon has since run out.
  After a release the order may redeem the code again, as a new redemption counted
  anew (a date change that repriced the stay).
* :meth:`CouponStore.release` gives the use, the customer's use and the discount back,
  and is idempotent: releasing a released redemption returns it and changes nothing; a
  known code the order never redeemed returns ``None``.
* Validity windows, scopes and stacking are the quote's rules
  (:mod:`staycore.pricing.promotions`), not the store's: the store counts.
* Nothing is half-applied: an operation that raises changes nothing.

Example:
    >>> from staycore.adapters.memory import MemoryCouponStore
    >>> from staycore.ports.coupons import CouponStore
    >>> isinstance(MemoryCouponStore(), CouponStore)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from staycore.kernel.ids import Identifier
from staycore.pricing.coupons import Coupon, CouponUsage, Redemption, RedemptionRequest

__all__ = ["CouponStore"]


@runtime_checkable
class CouponStore(Protocol):
    """Coupon codes, and the redemptions that count against their limits."""

    def add_coupons(self, coupons: Sequence[Coupon]) -> None:
        """Add every coupon of the batch, or none.

        Raises:
            DuplicateCouponError: A code is taken by a different coupon; nothing was added.
        """
        ...

    def coupon(self, code: str) -> Coupon:
        """Return the coupon of ``code`` (normalized first).

        Raises:
            UnknownCouponError: No coupon has this code.
            InvalidCouponCodeError: ``code`` cannot be a code at all.
        """
        ...

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
        ...

    def release(self, code: str, order: Identifier) -> Redemption | None:
        """Give back the order's use of the code and its discount; ``None`` if it had none.

        Raises:
            UnknownCouponError: No coupon has this code.
        """
        ...

    def usage(self, code: str, customer: Identifier | None = None) -> CouponUsage:
        """Return the code's live uses and spent budget, and ``customer``'s live uses if given.

        Raises:
            UnknownCouponError: No coupon has this code.
        """
        ...
