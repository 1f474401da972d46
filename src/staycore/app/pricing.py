"""Pricing use cases: quote with the codes a guest typed, and redeem them with the order.

:class:`Pricing` puts the quote engine (:mod:`staycore.pricing.quote`) over a
:class:`~staycore.ports.coupons.CouponStore` and a clock:

* :meth:`Pricing.quote` looks each code up in the store (an unknown code is listed in
  the quote's refusals, with why, rather than failing the quote) and prices the stay at
  the clock's time;
* :meth:`Pricing.redeem` counts, for an order, the use of every code that gave a
  discount, with that discount against the coupon's budget, all or none: when one is
  refused (its last use went to another order a moment ago), those already redeemed are
  released before the error reaches the caller, and the order must quote again;
* :meth:`Pricing.release` gives an order's uses back when it is cancelled or expires.

Given an audit log (:func:`staycore.bootstrap` passes the stores' own), :class:`Pricing`
records each rule set the first time the process prices with it, as the configuration
``rule_set:<version>`` (:func:`~staycore.app.configuration.record_configuration`): a new
version, or new rules under a known one, leaves one ``configuration.changed`` entry. A
rule set already seen costs a dictionary lookup by identity, not a digest or a query.

Example:
    >>> from decimal import Decimal
    >>> from staycore.adapters.memory import MemoryCouponStore
    >>> from staycore.app.pricing import Pricing
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.pricing.coupons import Coupon
    >>> from staycore.pricing.ids import PromotionId, RatePlanId
    >>> from staycore.pricing.promotions import DiscountKind, Promotion
    >>> from staycore.pricing.quote import Pricer
    >>> from staycore.pricing.rate_plans import Guests, RatePlan
    >>> from staycore.pricing.rules import RuleSet
    >>> from staycore.testing.clock import FrozenClock
    >>> sale = Promotion(id=PromotionId.new(), name="Autumn sale", kind=DiscountKind.PERCENT,
    ...                  percent=Decimal(10))
    >>> pricer = Pricer(
    ...     RatePlan(id=RatePlanId.new(), unit_type=UnitTypeId.new(), name="Loft",
    ...              base_price=Money.of("100.00", "EUR")),
    ...     RuleSet(version="v1", currency="EUR", timezone="Europe/Paris", promotions=[sale]),
    ... )
    >>> store = MemoryCouponStore()
    >>> store.add_coupons([Coupon(code="AUTUMN10", promotion=sale.id, max_uses=1)])
    >>> pricing = Pricing(store, FrozenClock("2026-11-22T09:00:00Z"))
    >>> q = pricing.quote(pricer, Stay.parse("2026-12-01/2026-12-03"), Guests(2),
    ...                   codes=["autumn-10", "NOPE"])
    >>> str(q.total), [r.name for r in q.refusals]
    ('EUR 180.00', ['NOPE'])
    >>> [str(r.discount) for r in pricing.redeem(q, order=Identifier.new(),
    ...                                          customer=Identifier.new())]
    ['EUR 20.00']
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Collection, Mapping
from decimal import Decimal

from staycore.app.arguments import expect, expect_each
from staycore.app.configuration import configuration_digest, record_configuration, rule_set_name
from staycore.app.undo import undo
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Clock, Stay
from staycore.ports.audit import AuditLog
from staycore.ports.coupons import CouponStore
from staycore.pricing.coupons import (
    Coupon,
    InvalidCouponCodeError,
    Redemption,
    RedemptionRequest,
    UnknownCouponError,
)
from staycore.pricing.quote import Pricer, Quote, QuoteExpiredError, Refusal
from staycore.pricing.rate_plans import Guests
from staycore.pricing.rules import RuleSet

__all__ = ["Pricing"]

# How the messages of refused arguments show the values wanted.
_QUOTE = "pricing.quote(pricer, stay, guests)"
_CODES = "['SUMMER10']"


class Pricing:
    """The use cases of pricing, over a coupon store and a clock.

    Args:
        coupons: Where coupons and their uses are kept.
        clock: The booking instant of every quote, and what expires them.
        audit: Where each rule set priced with is recorded when it is new or changed
            (see the module's documentation); ``None`` records nothing.

    Example:
        >>> from staycore.adapters.memory import MemoryAuditLog, MemoryCouponStore
        >>> from staycore.app.pricing import Pricing
        >>> from staycore.availability.ids import UnitTypeId
        >>> from staycore.kernel.money import Money
        >>> from staycore.kernel.time import Stay
        >>> from staycore.pricing.ids import RatePlanId
        >>> from staycore.pricing.quote import Pricer
        >>> from staycore.pricing.rate_plans import Guests, RatePlan
        >>> from staycore.pricing.rules import RuleSet
        >>> from staycore.testing.clock import FrozenClock
        >>> log = MemoryAuditLog()
        >>> pricing = Pricing(MemoryCouponStore(), FrozenClock("2026-11-22T09:00:00Z"), audit=log)
        >>> loft = RatePlan(id=RatePlanId.new(), unit_type=UnitTypeId.new(), name="Loft",
        ...                 base_price=Money.of("100.00", "EUR"))
        >>> winter = Pricer(loft, RuleSet(version="w1", currency="EUR", timezone="Europe/Paris"))
        >>> stay = Stay.parse("2026-12-01/2026-12-03")
        >>> _ = pricing.quote(winter, stay, Guests(2))
        >>> _ = pricing.quote(winter, stay, Guests(1))
        >>> [(r.entry.record, r.entry.detail) for r in log.records()]
        [('configuration:rule_set:w1', 'rule_set:w1: first recorded')]
    """

    def __init__(
        self, coupons: CouponStore, clock: Clock, *, audit: AuditLog | None = None
    ) -> None:
        self._coupons = coupons
        self._clock = clock
        self._audit = audit
        # The rule sets known to be recorded: by identity (frozen values, checked with a
        # weak reference so that a reused id is not taken for the same rule set), and by
        # version and digest (an equal rule set built again costs a digest, not a query).
        self._known: dict[int, weakref.ref[RuleSet]] = {}
        self._recorded: set[tuple[str, str]] = set()

    def quote(
        self,
        pricer: Pricer,
        stay: Stay,
        guests: Guests,
        *,
        codes: Collection[str] = (),
        tier: str | None = None,
        occupancy: Mapping[dt.date, Decimal] | None = None,
        first_booking: bool = False,
    ) -> Quote:
        """Price a stay now, with the coupon codes the guest typed.

        A code the store does not know, or text that cannot be a code, is refused in the
        quote with the reason; the rest of the quote stands.

        Raises:
            InvalidArgumentError: ``pricer`` is not a :class:`~staycore.pricing.quote.Pricer`,
                or ``codes`` not a collection of text.
            StoreBusyError: The rule set is new to this process and changed, and the
                audit log stayed locked too long to record it; quote again.
            StoreUnavailableError: The same, with the audit log's database unreachable.

        Example:
            See the module example.
        """
        pricer = expect(
            pricer, Pricer, name="Pricing.quote: pricer", example="Pricer(rate_plan, rules)"
        )
        typed = expect_each(codes, str, name="Pricing.quote: codes", example=_CODES)
        found: list[Coupon] = []
        refused: list[Refusal] = []
        for code in typed:
            try:
                found.append(self._coupons.coupon(code))
            except (UnknownCouponError, InvalidCouponCodeError) as error:
                refused.append(Refusal(code, f"it is not a valid code ({error.code})"))
        quote = pricer.quote(
            stay,
            guests,
            booked_at=self._clock.now(),
            tier=tier,
            coupons=found,
            occupancy=occupancy,
            first_booking=first_booking,
            refused=refused,
        )
        if self._audit is not None:
            self._record(pricer.rules, self._audit)
        return quote

    def _record(self, rules: RuleSet, audit: AuditLog) -> None:
        """Record ``rules`` in the audit log if this process has not priced with it yet."""
        key = id(rules)
        known = self._known.get(key)
        if known is not None and known() is rules:
            return
        seen = (rules.version, configuration_digest(rules))
        if seen not in self._recorded:
            record_configuration(audit, self._clock, name=rule_set_name(rules.version), value=rules)
            self._recorded.add(seen)

        def forget(
            gone: weakref.ref[RuleSet], known: dict[int, weakref.ref[RuleSet]] = self._known
        ) -> None:
            if known.get(key) is gone:
                del known[key]

        self._known[key] = weakref.ref(rules, forget)

    def redeem(
        self, quote: Quote, *, order: Identifier, customer: Identifier
    ) -> tuple[Redemption, ...]:
        """Redeem every code that gave the quote a discount, for ``order``: all or none.

        Retrying with the same quote and order returns the same redemptions.

        Raises:
            QuoteExpiredError: The quote expired: quote again.
            CouponExhaustedError: A code has no uses left (another order took the last).
            CustomerLimitReachedError: The customer used a code as often as allowed.
            BudgetExhaustedError: A code's budget cannot cover its discount.
                Nothing stays redeemed when any error is raised.
            InvalidArgumentError: ``quote`` is not a :class:`~staycore.pricing.quote.Quote`.
        """
        quote = expect(quote, Quote, name="Pricing.redeem: quote", example=_QUOTE)
        if self._clock.now() >= quote.expires_at:
            msg = f"the quote expired at {quote.expires_at.isoformat()}; quote the stay again"
            raise QuoteExpiredError(msg)
        redeemed: list[Redemption] = []
        try:
            for code, discount in quote.coupon_discounts:
                request = RedemptionRequest(
                    code=code, order=order, customer=customer, discount=discount
                )
                redeemed.append(self._coupons.redeem(request))
        except BaseException:
            undo(
                [functools.partial(self._coupons.release, r.code, order) for r in redeemed],
                what="redeeming a quote's coupons",
            )
            raise
        return tuple(redeemed)

    def release(self, quote: Quote, *, order: Identifier) -> tuple[Redemption, ...]:
        """Give back the uses ``order`` redeemed for the quote's codes (a cancellation).

        Releasing again does nothing; codes the order never redeemed are skipped.
        """
        quote = expect(quote, Quote, name="Pricing.release: quote", example=_QUOTE)
        return self.release_codes([code for code, _ in quote.coupon_discounts], order=order)

    def release_codes(self, codes: Collection[str], *, order: Identifier) -> tuple[Redemption, ...]:
        """Give back the uses ``order`` redeemed for ``codes``; see :meth:`release`."""
        typed = expect_each(codes, str, name="Pricing.release_codes: codes", example=_CODES)
        released = (self._coupons.release(code, order) for code in typed)
        return tuple(redemption for redemption in released if redemption is not None)
