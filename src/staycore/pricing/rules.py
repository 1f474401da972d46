"""Pricing rules: what moves a night's price, the fees and taxes, all in one rule set.

A :class:`RuleSet` holds a property's pricing rules, versioned as a whole. The quote
engine (:mod:`staycore.pricing.quote`) applies them in this order, each to the price the
previous one left:

1. the rate plan's nightly price for the party (:mod:`staycore.pricing.rate_plans`);
2. seasons (:class:`Season`): date ranges, optionally on some weekdays, in listed order;
3. weekday adjustments (:class:`WeekdayRule`);
4. demand (:class:`DemandCurve`): a percentage read off the night's occupancy;
5. lead time (:class:`LeadTimeRule`): early bird and last minute;
6. length of stay (:class:`LengthOfStayRule`): the tier with the most nights reached;
7. the customer's tier (:attr:`RuleSet.tiers`): member rates;
8. the floor and ceiling (:attr:`RuleSet.floor`, :attr:`RuleSet.ceiling`), which bound
   each night after every rule above, so no rule sells a night below its floor.

Each night is then rounded once, per :attr:`RuleSet.rounding`. On the whole stay come
promotions and coupons (:mod:`staycore.pricing.promotions`), then fees (:class:`Fee`),
then taxes (:class:`Tax`) on what remains. Promotions are discounts on the stay, shown
as their own lines: a floor guards prices set by rules, not a discount a host chose to
give.

Example:
    >>> from decimal import Decimal
    >>> from staycore.kernel.money import Money
    >>> from staycore.pricing.changes import PriceChange
    >>> from staycore.pricing.rules import DemandCurve, Fee, FeeBasis, RuleSet, Tax
    >>> rules = RuleSet(
    ...     version="2026-11", currency="EUR", timezone="Europe/Paris",
    ...     demand=DemandCurve([("0.5", "0"), ("0.9", "20")]),
    ...     fees=[Fee("Cleaning", Money.of("40.00", "EUR"), FeeBasis.STAY)],
    ...     taxes=[Tax.percent("VAT", "10")],
    ... )
    >>> rules.demand.percent(Decimal("0.7"))
    Decimal('10.000000')
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Final

import attrs

from staycore.kernel.currency import Currency
from staycore.kernel.money import BANKERS, Money, RoundingPolicy, to_decimal
from staycore.kernel.time import Stay, timezone
from staycore.pricing.changes import PriceChange
from staycore.pricing.errors import PricingError
from staycore.pricing.promotions import Promotion

__all__ = [
    "DemandCurve",
    "Fee",
    "FeeBasis",
    "InvalidRuleError",
    "LeadTime",
    "LeadTimeRule",
    "LengthOfStayRule",
    "RuleSet",
    "Season",
    "Tax",
    "TaxBasis",
    "WeekdayRule",
]

_PERCENT_PLACES: Final = Decimal("0.000001")
# Interpolating divides; the share is kept to 34 digits, then the percentage to six places.
_INTERPOLATION: Final = Context(prec=34)
_HUNDRED: Final = Decimal(100)


class InvalidRuleError(PricingError):
    """A pricing rule is out of range, contradicts another, or uses another currency."""

    code = "pricing.invalid_rule"


def _weekdays(value: Iterable[int] | None) -> frozenset[int] | None:
    if value is None:
        return None
    days = frozenset(value)
    if not days or any(isinstance(d, bool) or d not in range(7) for d in days):
        msg = f"weekdays are 0 (Monday) to 6 (Sunday), at least one; got {value!r}"
        raise InvalidRuleError(msg)
    return days


def _days(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{what} must be a whole number of days, 0 or more; got {value!r}"
        raise InvalidRuleError(msg)
    return value


@attrs.frozen
class Season:
    """A change over a date range ("summer: +20 %"), optionally only on some weekdays.

    Attributes:
        name: What the breakdown calls it.
        nights: The nights it covers (check-out exclusive).
        change: The change it makes.
        weekdays: Only these weekdays of the range, or ``None`` for all.
    """

    name: str
    nights: Stay
    change: PriceChange
    weekdays: frozenset[int] | None = attrs.field(default=None, converter=_weekdays)

    def covers(self, night: dt.date) -> bool:
        """Whether the season changes ``night``'s price."""
        return night in self.nights and (self.weekdays is None or night.weekday() in self.weekdays)


def _some_weekdays(value: Iterable[int]) -> frozenset[int]:
    return _weekdays(value) or frozenset()


@attrs.frozen
class WeekdayRule:
    """A change on some weekdays, all year ("Friday and Saturday nights: +15 %").

    Attributes:
        name: What the breakdown calls it.
        weekdays: The weekdays (``calendar.MONDAY`` = 0).
        change: The change it makes.
    """

    name: str
    weekdays: frozenset[int] = attrs.field(converter=_some_weekdays)
    change: PriceChange


def _points(value: Iterable[tuple[object, object]]) -> tuple[tuple[Decimal, Decimal], ...]:
    points = []
    for occupancy, percent in value:
        o = to_decimal(occupancy, what="occupancy")
        p = to_decimal(percent, what="percentage")
        if not 0 <= o <= 1:
            msg = f"occupancy is a share from 0 to 1, got {o}"
            raise InvalidRuleError(msg)
        if p < -_HUNDRED:
            msg = f"a demand change of {p} % would take more than the whole price"
            raise InvalidRuleError(msg)
        points.append((o, p))
    occupancies = [o for o, _ in points]
    if not points or occupancies != sorted(set(occupancies)):
        msg = "a demand curve needs points with occupancies rising strictly, e.g. 0.5, 0.8, 0.95"
        raise InvalidRuleError(msg)
    percents = [p for _, p in points]
    if percents != sorted(percents):
        msg = "a demand curve never falls: the fuller the night, the higher the price"
        raise InvalidRuleError(msg)
    return tuple(points)


@attrs.frozen
class DemandCurve:
    """A percentage change read off a night's occupancy, straight between its points.

    Below the first point the first percentage holds, above the last the last. The
    percentage between two points is interpolated and kept to six decimal places.

    Attributes:
        points: ``(occupancy, percent)`` pairs, occupancy from 0 to 1 rising strictly,
            percentages never falling.

    Raises:
        InvalidRuleError: The points are out of range, out of order, or fall.
    """

    points: tuple[tuple[Decimal, Decimal], ...] = attrs.field(converter=_points)

    def percent(self, occupancy: Decimal) -> Decimal:
        """The percentage for a night at ``occupancy`` (0 to 1).

        Example:
            Continuing the module example above:

            >>> rules.demand.percent(Decimal("0.95")), rules.demand.percent(Decimal("0.2"))
            (Decimal('20'), Decimal('0'))
        """
        points = self.points
        if occupancy <= points[0][0]:
            return points[0][1]
        for (o0, p0), (o1, p1) in itertools.pairwise(points):
            if occupancy <= o1:
                with localcontext(_INTERPOLATION):
                    share = (occupancy - o0) / (o1 - o0)
                    return (p0 + (p1 - p0) * share).quantize(_PERCENT_PLACES, ROUND_HALF_EVEN)
        return points[-1][1]


class LeadTime(enum.Enum):
    """Which side of the lead time a rule rewards."""

    EARLY_BIRD = "early_bird"
    LAST_MINUTE = "last_minute"


def _lead_days(value: int) -> int:
    return _days(value, "lead days")


@attrs.frozen
class LeadTimeRule:
    """A change for stays booked early, or at the last minute.

    Attributes:
        name: What the breakdown calls it.
        kind: Early bird (``days`` or more ahead) or last minute (``days`` or fewer).
        days: The threshold, in days between the booking date and arrival.
        change: The change it makes.
    """

    name: str
    kind: LeadTime
    days: int = attrs.field(converter=_lead_days)
    change: PriceChange

    def applies(self, lead_days: int) -> bool:
        """Whether a stay booked ``lead_days`` before arrival gets the change."""
        if self.kind is LeadTime.EARLY_BIRD:
            return lead_days >= self.days
        return lead_days <= self.days


def _min_nights(value: int) -> int:
    return _days(value, "min nights")


@attrs.frozen
class LengthOfStayRule:
    """A change for stays of at least some nights ("7+ nights: -10 %").

    Only the rule with the most nights a stay reaches applies.
    """

    min_nights: int = attrs.field(converter=_min_nights)
    change: PriceChange


class FeeBasis(enum.Enum):
    """What a fee is counted per."""

    STAY = "stay"
    NIGHT = "night"
    GUEST = "guest"  # per guest, once per stay
    GUEST_NIGHT = "guest_night"


@attrs.frozen
class Fee:
    """A fixed charge: cleaning per stay, linen per guest, a resort fee per night.

    Attributes:
        name: What the breakdown calls it.
        amount: The charge per unit of ``basis``.
        basis: What it is counted per.
        taxable: Whether percentage taxes apply to it.
    """

    name: str
    amount: Money
    basis: FeeBasis = FeeBasis.STAY
    taxable: bool = True

    def __attrs_post_init__(self) -> None:
        if self.amount.is_negative:
            msg = f"fee {self.name!r} is negative ({self.amount}); a discount is a promotion"
            raise InvalidRuleError(msg)

    def units(self, nights: int, guests: int) -> int:
        """How many times the fee is charged for a stay."""
        return {
            FeeBasis.STAY: 1,
            FeeBasis.NIGHT: nights,
            FeeBasis.GUEST: guests,
            FeeBasis.GUEST_NIGHT: guests * nights,
        }[self.basis]


class TaxBasis(enum.Enum):
    """How a tax is computed."""

    PERCENT = "percent"
    PER_PERSON_NIGHT = "per_person_night"


@attrs.frozen(kw_only=True)
class Tax:
    """A tax or levy: a percentage of the price, or an amount per person per night.

    Build one with :meth:`percent` or :meth:`per_person_night`.

    Attributes:
        name: What the breakdown calls it.
        basis: Percentage or per person per night.
        rate: The percentage, for a percentage tax.
        amount: The amount, for a levy per person per night.
        included: Whether prices already include it (it is shown, not added).
        adults_only: For a levy, whether children are exempt.
    """

    name: str
    basis: TaxBasis
    rate: Decimal = Decimal(0)
    amount: Money | None = None
    included: bool = False
    adults_only: bool = False

    @classmethod
    def percent(cls, name: str, rate: Decimal | int | str, *, included: bool = False) -> Tax:
        """A tax of ``rate`` percent, from 0 to 100.

        Raises:
            InvalidRuleError: The rate is outside 0 to 100.
        """
        value = to_decimal(rate, what="tax rate")
        if not 0 <= value <= _HUNDRED:
            msg = f"tax {name!r} has rate {value} %; a tax rate is from 0 to 100 %"
            raise InvalidRuleError(msg)
        return cls(name=name, basis=TaxBasis.PERCENT, rate=value, included=included)

    @classmethod
    def per_person_night(
        cls, name: str, amount: Money, *, included: bool = False, adults_only: bool = False
    ) -> Tax:
        """A levy of ``amount`` per guest per night, such as a city tax.

        Raises:
            InvalidRuleError: The amount is negative.
        """
        if amount.is_negative:
            msg = f"levy {name!r} is negative ({amount})"
            raise InvalidRuleError(msg)
        return cls(
            name=name,
            basis=TaxBasis.PER_PERSON_NIGHT,
            amount=amount,
            included=included,
            adults_only=adults_only,
        )


def _seasons_tuple(value: Iterable[Season]) -> tuple[Season, ...]:
    return tuple(value)


def _weekdays_tuple(value: Iterable[WeekdayRule]) -> tuple[WeekdayRule, ...]:
    return tuple(value)


def _lead_time_tuple(value: Iterable[LeadTimeRule]) -> tuple[LeadTimeRule, ...]:
    return tuple(value)


def _length_of_stay_tuple(value: Iterable[LengthOfStayRule]) -> tuple[LengthOfStayRule, ...]:
    return tuple(value)


def _fees_tuple(value: Iterable[Fee]) -> tuple[Fee, ...]:
    return tuple(value)


def _taxes_tuple(value: Iterable[Tax]) -> tuple[Tax, ...]:
    return tuple(value)


def _promotions_tuple(value: Iterable[Promotion]) -> tuple[Promotion, ...]:
    return tuple(value)


def _currency(value: Currency | str) -> Currency:
    return Currency.of(value)


def _tiers(value: Mapping[str, PriceChange]) -> Mapping[str, PriceChange]:
    return dict(value)


@attrs.frozen(kw_only=True)
class RuleSet:
    """A property's pricing rules, versioned as a whole.

    Attributes:
        version: Names this set of rules; every quote records it.
        currency: The currency of every amount in the rules.
        timezone: The property's timezone: the booking date for lead time is read there.
        seasons: Date-range changes, applied in this order.
        weekdays: Weekday changes, applied in this order.
        demand: The demand curve, or ``None`` for no demand pricing.
        lead_time: Early-bird and last-minute rules; every one that applies is applied.
        length_of_stay: Length-of-stay tiers; the one with most nights reached applies.
        tiers: Changes by customer tier name ("gold": -5 %).
        floor: The lowest a night may cost after the rules, or ``None``.
        ceiling: The highest a night may cost after the rules, or ``None``.
        fees: Fees, in this order.
        taxes: Taxes and levies, in this order.
        promotions: Promotions and the coupons that unlock them (see
            :mod:`staycore.pricing.promotions`).
        quote_minutes: How long a quote stays valid.
        rounding: How each line is rounded, once.

    Raises:
        InvalidRuleError: The floor is above the ceiling, or an amount is in another
            currency.
    """

    version: str
    currency: Currency = attrs.field(converter=_currency)
    timezone: str
    seasons: tuple[Season, ...] = attrs.field(default=(), converter=_seasons_tuple)
    weekdays: tuple[WeekdayRule, ...] = attrs.field(default=(), converter=_weekdays_tuple)
    demand: DemandCurve | None = None
    lead_time: tuple[LeadTimeRule, ...] = attrs.field(default=(), converter=_lead_time_tuple)
    length_of_stay: tuple[LengthOfStayRule, ...] = attrs.field(
        default=(), converter=_length_of_stay_tuple
    )
    tiers: Mapping[str, PriceChange] = attrs.field(factory=dict, converter=_tiers)
    floor: Money | None = None
    ceiling: Money | None = None
    fees: tuple[Fee, ...] = attrs.field(default=(), converter=_fees_tuple)
    taxes: tuple[Tax, ...] = attrs.field(default=(), converter=_taxes_tuple)
    promotions: tuple[Promotion, ...] = attrs.field(default=(), converter=_promotions_tuple)
    quote_minutes: int = 30
    rounding: RoundingPolicy = BANKERS

    def __attrs_post_init__(self) -> None:
        timezone(self.timezone)  # refuses an unknown zone
        if not isinstance(self.version, str) or not self.version.strip():
            msg = "a rule set needs a version, such as '2026-11' or '3'"
            raise InvalidRuleError(msg)
        amounts = [m for m in (self.floor, self.ceiling) if m is not None]
        amounts += [fee.amount for fee in self.fees]
        amounts += [tax.amount for tax in self.taxes if tax.amount is not None]
        for promotion in self.promotions:
            amounts += [m for m in (promotion.amount, promotion.threshold) if m is not None]
        for amount in amounts:
            if amount.currency != self.currency:
                msg = (
                    f"rule set {self.version!r} is in {self.currency} but has an amount in "
                    f"{amount.currency}; one rule set has one currency"
                )
                raise InvalidRuleError(msg)
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            msg = (
                f"the floor {self.floor} is above the ceiling {self.ceiling}; "
                "lower the floor or raise the ceiling"
            )
            raise InvalidRuleError(msg)
        if isinstance(self.quote_minutes, bool) or not (
            isinstance(self.quote_minutes, int) and self.quote_minutes >= 1
        ):
            msg = (
                "a quote stays valid for a whole number of minutes, at least 1; "
                f"got {self.quote_minutes!r}"
            )
            raise InvalidRuleError(msg)
