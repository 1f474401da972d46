"""Rate plans: what a unit type costs per night, before any pricing rule.

A :class:`RatePlan` gives a unit type its nightly price: a base price, overrides for
date ranges and weekdays ("Fridays and Saturdays: 140.00", "Christmas week: 190.00"),
and supplements per extra adult and per child above a base occupancy. A derived plan
("non-refundable = standard - 10 %", "member = standard - 5 %") has no prices of its own:
it applies its change to its parent's price for the same night and party, so it follows
every change to the parent.

Example:
    >>> import calendar
    >>> from datetime import date
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.pricing.changes import PriceChange
    >>> from staycore.pricing.ids import RatePlanId
    >>> from staycore.pricing.rate_plans import Guests, RateOverride, RatePlan
    >>> standard = RatePlan(
    ...     id=RatePlanId("rp_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     unit_type=UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     name="Standard",
    ...     base_price=Money.of("120.00", "EUR"),
    ...     overrides=[RateOverride(Money.of("140.00", "EUR"),
    ...                             weekdays={calendar.FRIDAY, calendar.SATURDAY})],
    ...     base_occupancy=2, extra_adult=Money.of("25.00", "EUR"),
    ...     child=Money.of("10.00", "EUR"),
    ... )
    >>> standard.nightly(date(2026, 7, 10), Guests(adults=3, children=1))  # a Friday
    Decimal('175.00')
    >>> flex = standard.derive(RatePlanId("rp_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8"), "Non-refundable",
    ...                        PriceChange.percent("-10"))
    >>> flex.nightly(date(2026, 7, 10), Guests(adults=2))
    Decimal('126.000')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from staycore.availability.ids import UnitTypeId
from staycore.kernel.currency import Currency
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.pricing.changes import PriceChange
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import RatePlanId

__all__ = ["Guests", "InvalidGuestsError", "InvalidRatePlanError", "RateOverride", "RatePlan"]


class InvalidRatePlanError(PricingError):
    """A rate plan has a negative price, mixes currencies, or an override selects nothing."""

    code = "pricing.invalid_rate_plan"


class InvalidGuestsError(PricingError):
    """A party has no adult, or a negative or non-whole number of guests."""

    code = "pricing.invalid_guests"


def _whole(value: int, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        msg = f"{what} must be a whole number of at least {least}, got {value!r}"
        raise InvalidGuestsError(msg)
    return value


def _adults(value: int) -> int:
    return _whole(value, "adults", 1)


def _children(value: int) -> int:
    return _whole(value, "children", 0)


@attrs.frozen
class Guests:
    """A party: adults and children sharing one unit.

    Raises:
        InvalidGuestsError: No adult, or a negative number of children.
    """

    adults: int = attrs.field(converter=_adults)
    children: int = attrs.field(default=0, converter=_children)

    @property
    def count(self) -> int:
        """Everyone in the party."""
        return self.adults + self.children


def _weekdays(value: Iterable[int] | None) -> frozenset[int] | None:
    if value is None:
        return None
    days = frozenset(value)
    if not days or any(isinstance(d, bool) or d not in range(7) for d in days):
        msg = f"weekdays are 0 (Monday) to 6 (Sunday), at least one; got {value!r}"
        raise InvalidRatePlanError(msg)
    return days


@attrs.frozen
class RateOverride:
    """A nightly price for some nights: a date range, some weekdays, or both.

    Attributes:
        price: The nightly price on the nights selected.
        nights: The date range (check-out exclusive), or ``None`` for every date.
        weekdays: The weekdays (``calendar.MONDAY`` = 0), or ``None`` for every day.
    """

    price: Money
    nights: Stay | None = None
    weekdays: frozenset[int] | None = attrs.field(default=None, converter=_weekdays)

    def covers(self, night: dt.date) -> bool:
        """Whether the override sets the price of ``night``.

        Example:
            >>> from datetime import date
            >>> from staycore.kernel.money import Money
            >>> from staycore.kernel.time import Stay
            >>> from staycore.pricing.rate_plans import RateOverride
            >>> summer = RateOverride(Money.of("150", "EUR"), Stay.parse("2026-07-01/2026-09-01"))
            >>> summer.covers(date(2026, 8, 31)), summer.covers(date(2026, 9, 1))
            (True, False)
        """
        return (self.nights is None or night in self.nights) and (
            self.weekdays is None or night.weekday() in self.weekdays
        )


def _overrides(value: Iterable[RateOverride]) -> tuple[RateOverride, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class RatePlan:
    """How a unit type is priced per night, before any pricing rule.

    Attributes:
        id: The plan's identity.
        unit_type: The unit type it prices.
        name: What guests see ("Standard", "Non-refundable").
        base_price: The nightly price for up to ``base_occupancy`` guests.
        overrides: Prices for some nights; the last override that covers a night sets
            its price, so list general ones (a season) before specific ones (its
            weekends).
        base_occupancy: Guests included in the price.
        extra_adult: Added per night for each adult above ``base_occupancy``.
        child: Added per night for each child above ``base_occupancy`` (adults fill
            the included places first).
        taxes_included: Whether the prices include the taxes of the rule set.
        parent: For a derived plan, the plan it follows; ``None`` otherwise.
        change: For a derived plan, the change applied to the parent's nightly price.

    Raises:
        InvalidRatePlanError: A price is negative or in another currency than the base
            price, or the base occupancy is below 1.
    """

    id: RatePlanId
    unit_type: UnitTypeId
    name: str
    base_price: Money
    overrides: tuple[RateOverride, ...] = attrs.field(default=(), converter=_overrides)
    base_occupancy: int = 2
    extra_adult: Money | None = None
    child: Money | None = None
    taxes_included: bool = False
    parent: RatePlan | None = None
    change: PriceChange | None = None

    def __attrs_post_init__(self) -> None:
        prices = [self.base_price, *(o.price for o in self.overrides)]
        prices += [p for p in (self.extra_adult, self.child) if p is not None]
        for price in prices:
            if price.currency != self.base_price.currency:
                msg = (
                    f"rate plan {self.name!r} prices in {self.base_price.currency} but has "
                    f"a price in {price.currency}; one plan has one currency"
                )
                raise InvalidRatePlanError(msg)
            if price.is_negative:
                msg = f"rate plan {self.name!r} has a negative price {price}; prices are 0 or more"
                raise InvalidRatePlanError(msg)
        if isinstance(self.base_occupancy, bool) or not (
            isinstance(self.base_occupancy, int) and self.base_occupancy >= 1
        ):
            msg = (
                "base occupancy is a whole number of guests, at least 1; "
                f"got {self.base_occupancy!r}"
            )
            raise InvalidRatePlanError(msg)
        if (self.parent is None) != (self.change is None):
            msg = "a derived plan needs both its parent and its change; use RatePlan.derive()"
            raise InvalidRatePlanError(msg)

    @property
    def currency(self) -> Currency:
        """The plan's currency."""
        return self.base_price.currency

    def derive(self, plan_id: RatePlanId, name: str, change: PriceChange) -> RatePlan:
        """A plan that prices every night as this one does, then applies ``change``.

        Example:
            See the module example.
        """
        return RatePlan(
            id=plan_id,
            unit_type=self.unit_type,
            name=name,
            base_price=self.base_price,
            base_occupancy=self.base_occupancy,
            taxes_included=self.taxes_included,
            parent=self,
            change=change,
        )

    def nightly(self, night: dt.date, guests: Guests) -> Decimal:
        """The exact price of ``night`` for ``guests``, before pricing rules.

        Example:
            See the module example.
        """
        if self.parent is not None and self.change is not None:
            return self.change.apply(self.parent.nightly(night, guests))
        price = self.base_price.amount
        for override in self.overrides:
            if override.covers(night):
                price = override.price.amount
        return price + self.supplement(guests)

    def supplement(self, guests: Guests) -> Decimal:
        """What the party adds per night above the base occupancy.

        Example:
            Continuing the module example above:

            >>> standard.supplement(Guests(adults=1, children=3))
            Decimal('20.00')
        """
        if self.parent is not None:  # a derived plan follows its parent's supplements too
            return self.parent.supplement(guests)
        extra_adults = max(0, guests.adults - self.base_occupancy)
        places_left = max(0, self.base_occupancy - guests.adults)
        extra_children = max(0, guests.children - places_left)
        total = Decimal(0)
        if extra_adults and self.extra_adult is not None:
            total += self.extra_adult.amount * extra_adults
        if extra_children and self.child is not None:
            total += self.child.amount * extra_children
        return total
