"""Promotions: discounts on a stay, who may have them, and how they stack.

A :class:`Promotion` is a discount (:class:`DiscountKind`: an amount, a percentage, an
amount over a spend threshold, free nights) with its scope: when it can be booked,
which stay dates, unit types and rate plans, a minimum of nights, a first booking only.
Some apply by themselves; most are unlocked by a coupon code (see
:mod:`staycore.pricing.coupons`, which also counts uses and budgets at redemption).

The quote (:mod:`staycore.pricing.quote`) takes the promotions that apply in order of
:attr:`Promotion.priority`, then name. An exclusive promotion applies alone: when it is
first, the others are refused ("cannot be combined with ..."); when a combinable one
came first, the exclusive one is refused. Each discount is taken from what earlier ones
left, so "10 % then 20.00 off" and "20.00 off then 10 %" differ, and the order is
yours to set. A promotion that does not apply is never dropped silently: the quote
lists it with the reason.

Example:
    >>> from decimal import Decimal
    >>> from staycore.kernel.money import Money
    >>> from staycore.pricing.ids import PromotionId
    >>> from staycore.pricing.promotions import DiscountKind, Promotion
    >>> stay4pay3 = Promotion(id=PromotionId("promo_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...                       name="Stay 4, pay 3", kind=DiscountKind.FREE_NIGHTS,
    ...                       stay_nights=4, pay_nights=3)
    >>> nights = [Decimal("120.00"), Decimal("100.00"), Decimal("140.00"), Decimal("140.00")]
    >>> stay4pay3.discount(nights, Decimal("500.00"), Decimal("500.00"))
    Decimal('100.00')
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from staycore.availability.ids import UnitTypeId
from staycore.kernel.money import Money, to_decimal
from staycore.kernel.time import Stay, as_instant
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import PromotionId, RatePlanId

__all__ = [
    "DiscountKind",
    "InvalidPromotionError",
    "Promotion",
    "PromotionContext",
    "Stacking",
]

_HUNDRED: Final = Decimal(100)
_ONE_HUNDREDTH: Final = Decimal("0.01")


class InvalidPromotionError(PricingError):
    """A promotion's discount is out of range, or its scope contradicts itself."""

    code = "pricing.invalid_promotion"


class DiscountKind(enum.Enum):
    """What a promotion takes off."""

    AMOUNT = "amount"  # a fixed amount off the stay
    PERCENT = "percent"  # a percentage of the stay
    THRESHOLD = "threshold"  # an amount off a stay that costs at least the threshold
    FREE_NIGHTS = "free_nights"  # stay N, pay M: the cheapest nights of each N are free


class Stacking(enum.Enum):
    """Whether a promotion combines with others."""

    COMBINABLE = "combinable"
    EXCLUSIVE = "exclusive"


@attrs.frozen(kw_only=True)
class PromotionContext:
    """What a promotion's scope is checked against: the stay being quoted.

    Attributes:
        stay: The nights.
        unit_type: The unit type.
        rate_plan: The rate plan (its own id; a derived plan is its own plan).
        booked_at: The booking instant.
        booked_on: The booking date, a local date of the property.
        first_booking: Whether the customer has never booked before.
    """

    stay: Stay
    unit_type: UnitTypeId
    rate_plan: RatePlanId
    booked_at: pendulum.DateTime
    booked_on: dt.date
    first_booking: bool


def _ids(value: Iterable[UnitTypeId] | None) -> frozenset[UnitTypeId] | None:
    return None if value is None else frozenset(value)


def _plan_ids(value: Iterable[RatePlanId] | None) -> frozenset[RatePlanId] | None:
    return None if value is None else frozenset(value)


def _instant(value: pendulum.DateTime | None) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, what="promotion validity")


@attrs.frozen(kw_only=True)
class Promotion:
    """A discount with its scope and stacking rule.

    Attributes:
        id: The promotion's identity (coupons name it).
        name: What the breakdown calls it.
        kind: What it takes off.
        percent: For :attr:`DiscountKind.PERCENT`, above 0 and at most 100.
        amount: For an amount or threshold discount, what it takes off.
        threshold: For a threshold discount, what the stay must cost at least.
        stay_nights: For free nights, the N of "stay N, pay M".
        pay_nights: For free nights, the M.
        requires_code: Whether only a coupon unlocks it; ``False`` applies it to every
            stay in scope.
        first_booking_only: Only for a customer's first booking.
        valid_from: Bookable from this instant on, or ``None``.
        valid_until: Bookable until before this instant, or ``None``.
        stay_dates: Every night of the stay must be in these nights, or ``None``.
        unit_types: Only these unit types, or ``None`` for all.
        rate_plans: Only these rate plans, or ``None`` for all.
        min_nights: Stays of at least this many nights; 0 for any.
        stacking: Exclusive or combinable.
        priority: Lower applies first.

    Raises:
        InvalidPromotionError: The discount does not fit its kind, or its validity window
            ends before it starts.
    """

    id: PromotionId
    name: str
    kind: DiscountKind
    percent: Decimal = attrs.field(default=Decimal(0), converter=to_decimal)
    amount: Money | None = None
    threshold: Money | None = None
    stay_nights: int = 0
    pay_nights: int = 0
    requires_code: bool = True
    first_booking_only: bool = False
    valid_from: pendulum.DateTime | None = attrs.field(default=None, converter=_instant)
    valid_until: pendulum.DateTime | None = attrs.field(default=None, converter=_instant)
    stay_dates: Stay | None = None
    unit_types: frozenset[UnitTypeId] | None = attrs.field(default=None, converter=_ids)
    rate_plans: frozenset[RatePlanId] | None = attrs.field(default=None, converter=_plan_ids)
    min_nights: int = 0
    stacking: Stacking = Stacking.COMBINABLE
    priority: int = 100

    def __attrs_post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise InvalidPromotionError(f"promotion {self.name!r}: {problem}")

    def _problem(self) -> str:
        kind, amount, threshold = self.kind, self.amount, self.threshold
        window = self.valid_from, self.valid_until
        checks = [
            (
                kind is DiscountKind.PERCENT and not 0 < self.percent <= _HUNDRED,
                f"a percentage off is above 0 and at most 100, not {self.percent}",
            ),
            (
                kind in (DiscountKind.AMOUNT, DiscountKind.THRESHOLD)
                and (amount is None or not amount.is_positive),
                "an amount off needs a positive amount",
            ),
            (
                kind is DiscountKind.THRESHOLD
                and (
                    threshold is None
                    or amount is None
                    or threshold.currency != amount.currency
                    or not threshold.is_positive
                ),
                "a threshold discount needs a positive threshold in the amount's currency",
            ),
            (
                kind is DiscountKind.FREE_NIGHTS and not 1 <= self.pay_nights < self.stay_nights,
                f"'stay {self.stay_nights}, pay {self.pay_nights}' needs "
                "1 <= pay nights < stay nights",
            ),
            (
                window[0] is not None and window[1] is not None and window[1] <= window[0],
                "its validity ends before it starts",
            ),
            (
                isinstance(self.min_nights, bool) or self.min_nights < 0,
                f"min nights is 0 or more, not {self.min_nights}",
            ),
        ]
        return next((message for failed, message in checks if failed), "")

    def refusal(self, context: PromotionContext) -> str:
        """Why the promotion does not apply to ``context``; empty when it does.

        Example:
            Continuing the module example above:

            >>> import pendulum
            >>> from staycore.availability.ids import UnitTypeId
            >>> from staycore.kernel.time import Stay
            >>> from staycore.pricing.ids import RatePlanId
            >>> from staycore.pricing.promotions import PromotionContext
            >>> context = PromotionContext(
            ...     stay=Stay.parse("2026-07-10/2026-07-13"), unit_type=UnitTypeId.new(),
            ...     rate_plan=RatePlanId.new(), booked_at=pendulum.datetime(2026, 6, 1, tz="UTC"),
            ...     booked_on=pendulum.date(2026, 6, 1), first_booking=False)
            >>> stay4pay3.refusal(context)
            'a stay of 3 nights has no free night: stay 4, pay 3'
        """
        instant, stay = context.booked_at, context.stay
        reason = ""
        if self.valid_from is not None and instant < self.valid_from:
            reason = f"it can be booked from {self.valid_from.isoformat()}"
        elif self.valid_until is not None and instant >= self.valid_until:
            reason = f"it expired at {self.valid_until.isoformat()}"
        elif self.first_booking_only and not context.first_booking:
            reason = "it is for a first booking only"
        elif self.stay_dates is not None and stay.overlap(self.stay_dates) != stay:
            reason = f"it is for stays within {self.stay_dates}"
        elif self.unit_types is not None and context.unit_type not in self.unit_types:
            reason = "it is not for this unit type"
        elif self.rate_plans is not None and context.rate_plan not in self.rate_plans:
            reason = "it is not for this rate plan"
        else:
            reason = self.length_refusal(stay.nights)
        return reason

    @property
    def scoped(self) -> bool:
        """Whether the promotion limits when, what or whom beyond a stay's length.

        An unscoped promotion is refused only by :meth:`length_refusal`, so a quote
        checks it without building a :class:`PromotionContext`.
        """
        return (
            self.valid_from is not None
            or self.valid_until is not None
            or self.first_booking_only
            or self.stay_dates is not None
            or self.unit_types is not None
            or self.rate_plans is not None
        )

    def length_refusal(self, nights: int) -> str:
        """Why a stay of ``nights`` is too short for the promotion; empty when it is not.

        Example:
            Continuing the module example above:

            >>> stay4pay3.length_refusal(4)
            ''
        """
        if nights < self.min_nights:
            return f"it needs a stay of at least {self.min_nights} nights"
        if self.kind is DiscountKind.FREE_NIGHTS and nights < self.stay_nights:
            return (
                f"a stay of {nights} nights has no free night: "
                f"stay {self.stay_nights}, pay {self.pay_nights}"
            )
        return ""

    def discount(self, nights: Sequence[Decimal], subtotal: Decimal, left: Decimal) -> Decimal:
        """The exact discount, never more than ``left``.

        Args:
            nights: Each night's price (rounded, as the quote lines show them).
            subtotal: The stay's room subtotal, for a threshold.
            left: What earlier discounts left of the subtotal.

        Returns:
            The discount; 0 when a threshold is not reached.
        """
        kind = self.kind
        if kind is DiscountKind.PERCENT:
            off = left * self.percent * _ONE_HUNDREDTH
        elif kind is DiscountKind.FREE_NIGHTS:
            free = len(nights) // self.stay_nights * (self.stay_nights - self.pay_nights)
            off = sum(sorted(nights)[:free], Decimal(0))
        elif self.amount is None:  # pragma: no cover - refused when the promotion is made
            off = Decimal(0)
        elif kind is DiscountKind.THRESHOLD:
            reached = self.threshold is not None and subtotal >= self.threshold.amount
            off = self.amount.amount if reached else Decimal(0)
        else:
            off = self.amount.amount
        return min(off, left)
