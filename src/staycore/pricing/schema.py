"""Rule sets as data: a pricing document, in JSON or YAML, read into rules and rate plans.

A host keeps a property's pricing as a *pricing document* wherever it likes (a file, a
database column, an admin form) and reads it with :func:`load_pricing` or
:meth:`PricingDocument.from_data`. The document is checked in full: a
:class:`InvalidRuleSetDocumentError` lists every problem at once, each with where it is
(``rate_plans[0].base_price``), so whoever wrote the document can fix all of them in one
go. A document that reads gives the domain's own values: :meth:`PricingDocument.rule_set`
(a :class:`~staycore.pricing.rules.RuleSet`), :meth:`PricingDocument.rate_plan` (a
:class:`~staycore.pricing.rate_plans.RatePlan`) and :attr:`PricingDocument.coupons`.

The format, in short (see the how-to "Write a pricing rule set" for every field):

* ``schema_version`` is the version of the format: this module reads ``1`` and refuses
  any other, so a document written for a later format is never half understood.
  ``version`` is the rule set's own version, recorded by every quote.
* Amounts are in the document's ``currency``: ``"120.00"``. Write them as text or as
  numbers. :func:`load_pricing` reads a number with a fraction (``120.5``) exactly, as a
  decimal, never through a binary float; a Python ``float`` handed to
  :meth:`PricingDocument.from_data` is refused, because most decimal amounts have no
  exact float.
* Changes are text with their sign: ``"+15%"``, ``"-10 %"`` (a percentage of the running
  price), ``"+20.00"``, ``"-5"`` (an amount). See :func:`parse_change`.
* Date ranges are ``"2026-07-01/2026-09-01"``, the end date not included, as for a stay;
  weekdays are names: ``["fri", "sat"]``.
* Rate plans, promotions and unit types are named by *keys* (``"standard"``). Each key
  gets a stable identifier, derived from the key by :func:`derived_id`: the same
  document gives the same ids on every machine and after every edit that keeps the key,
  so coupons and orders that hold the ids still find their plan and promotion. A plan or
  promotion may pin an id of its own (``"id": "rp_..."``); a host maps unit type keys to
  its own unit types with the ``unit_types`` argument.

:class:`PricingData` is the document's shape as a pydantic model: its
``model_json_schema()`` gives a JSON Schema for editors and forms.

Example:
    >>> from staycore.pricing.schema import load_pricing
    >>> document = load_pricing('''{
    ...     "schema_version": 1, "version": "2026-1", "currency": "EUR",
    ...     "timezone": "Europe/Lisbon",
    ...     "rate_plans": [
    ...         {"key": "standard", "name": "Standard", "unit_type": "double",
    ...          "base_price": "100.00"},
    ...         {"key": "flex", "name": "Non-refundable", "derived_from": "standard",
    ...          "change": "-10%"}
    ...     ],
    ...     "weekdays": [{"name": "weekend", "weekdays": ["fri", "sat"], "change": "+15%"}]
    ... }''')
    >>> document.rule_set().weekdays[0].change
    PriceChange(factor=Decimal('1.15'), add=Decimal('0'))
    >>> document.rate_plan("flex").id
    RatePlanId('rp_0000000000...')
    >>> load_pricing('{"schema_version": 1, "version": "2026-1", "currency": "EUR", '
    ...              '"timezone": "Europe/Lisbon", "floor": "-5", "tiers": {"gold": "5%"}}')
    Traceback (most recent call last):
    ...
    staycore.pricing.schema.InvalidRuleSetDocumentError: [pricing.invalid_document] ...
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import functools
import hashlib
import json
import os
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, TypeVar

import pendulum
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from staycore.availability.ids import UnitTypeId
from staycore.kernel.currency import Currency
from staycore.kernel.documents import UnreadableDocumentError, model_at, read_document
from staycore.kernel.documents import document_path as _path
from staycore.kernel.documents import shown as _shown
from staycore.kernel.errors import StaycoreError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money, RoundingPolicy, to_decimal
from staycore.kernel.time import Stay, as_instant, timezone
from staycore.pricing.changes import InvalidPriceChangeError, PriceChange
from staycore.pricing.coupons import Coupon, UnknownCouponError, normalize_code
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion, Stacking
from staycore.pricing.rate_plans import InvalidRatePlanError, RateOverride, RatePlan
from staycore.pricing.rules import (
    DemandCurve,
    Fee,
    FeeBasis,
    LeadTime,
    LeadTimeRule,
    LengthOfStayRule,
    RuleSet,
    Season,
    Tax,
    WeekdayRule,
)

__all__ = [
    "SCHEMA_VERSION",
    "CouponData",
    "DemandPointData",
    "FeeData",
    "InvalidRuleSetDocumentError",
    "LeadTimeData",
    "LengthOfStayData",
    "OverrideData",
    "PricingData",
    "PricingDocument",
    "PromotionData",
    "RatePlanData",
    "RoundingData",
    "SeasonData",
    "TaxData",
    "UnknownRatePlanError",
    "WeekdayData",
    "derived_id",
    "load_pricing",
    "parse_change",
]

SCHEMA_VERSION: Final = 1
"""The version of the document format this module reads."""

I = TypeVar("I", bound=Identifier)  # noqa: E741 - the conventional name for an id type
T = TypeVar("T")
E = TypeVar("E")
R = TypeVar("R")

_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES: Final = {name: name for name in _WEEKDAYS} | dict(
    zip(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        _WEEKDAYS,
        strict=True,
    )
)
_ROUNDING_MODES: Final = {
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_up": decimal.ROUND_HALF_UP,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
    "05up": decimal.ROUND_05UP,
}
_CHANGE: Final = re.compile(
    r"^\s*(?P<sign>[+-]?)\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<percent>%?)\s*$"
)
_DATE_RANGE: Final = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*/\s*(\d{4}-\d{2}-\d{2})\s*$")
_PLAIN_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_HUNDRED: Final = Decimal(100)


# -- errors ------------------------------------------------------------------------------


class InvalidRuleSetDocumentError(PricingError):
    """A pricing document cannot be read: every problem, each with where it is.

    Attributes:
        problems: ``(path, message)`` pairs, such as ``("seasons[1].nights",
            '"2026-07-01/2026-06-01" ends before it starts')``; the path is empty for a
            problem with the document as a whole.
        source: The file the document came from, or ``""``.

    Example:
        >>> from staycore.pricing.schema import InvalidRuleSetDocumentError
        >>> error = InvalidRuleSetDocumentError([("floor", "must be 0 or more")])
        >>> print(error.message)
        the pricing document has 1 problem:
          floor: must be 0 or more
    """

    code = "pricing.invalid_document"

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str = "") -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.source = source
        count = len(self.problems)
        what = f"pricing document {source}" if source else "the pricing document"
        lines = [f"{what} has {count} problem{'s' if count != 1 else ''}:"]
        lines += [
            f"  {path}: {message}" if path else f"  {message}" for path, message in self.problems
        ]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_document_error, (self.problems, self.source))


def _rebuild_document_error(
    problems: tuple[tuple[str, str], ...], source: str
) -> InvalidRuleSetDocumentError:
    return InvalidRuleSetDocumentError(problems, source=source)


class UnknownRatePlanError(PricingError):
    """A pricing document has no rate plan with the key asked for."""

    code = "pricing.unknown_rate_plan"


# -- reading values ------------------------------------------------------------------------


def _decimal(value: object, what: str, example: str) -> Decimal:
    """A decimal written as text or a number; a float is refused, never read approximately."""
    if isinstance(value, float):
        msg = (
            f"{value!r} is a binary float, which cannot hold most decimal numbers exactly; "
            f'write it as text, such as "{example}"'
        )
        raise ValueError(msg)
    try:
        number = to_decimal(value)
    except StaycoreError:
        msg = f'must be {what} such as "{example}", got {_shown(value)}'
        raise ValueError(msg) from None
    return number


def _amount(value: object) -> Decimal:
    number = _decimal(value, "a decimal amount", "120.00")
    if number < 0:
        msg = f'must be a decimal amount such as "120.00", got {_shown(value)} (0 or more)'
        raise ValueError(msg)
    return number


def _positive_amount(value: object) -> Decimal:
    number = _decimal(value, "a decimal amount", "20.00")
    if number <= 0:
        msg = f'must be a decimal amount above 0, such as "20.00"; got {_shown(value)}'
        raise ValueError(msg)
    return number


def _tax_rate(value: object) -> Decimal:
    number = _decimal(value, "a percentage", "10")
    if not 0 <= number <= _HUNDRED:
        msg = f'must be a percentage from 0 to 100, such as "10" for 10 %; got {_shown(value)}'
        raise ValueError(msg)
    return number


def _discount_percent(value: object) -> Decimal:
    number = _decimal(value, "a percentage", "10")
    if not 0 < number <= _HUNDRED:
        msg = f'must be a percentage above 0 and at most 100, such as "10"; got {_shown(value)}'
        raise ValueError(msg)
    return number


def _occupancy(value: object) -> Decimal:
    number = _decimal(value, "a share of the rooms sold", "0.8")
    if not 0 <= number <= 1:
        msg = f'must be a share from 0 to 1, such as "0.8" for 80 % full; got {_shown(value)}'
        raise ValueError(msg)
    return number


def parse_change(text: str) -> PriceChange:
    """Read a price change as a pricing document writes it.

    A percentage of the running price is a signed number and ``%``: ``"+15%"``,
    ``"-10 %"``. An amount in the document's currency is a signed number: ``"+20.00"``,
    ``"-5"``. The sign is required, so that ``"10%"`` is never read as a rise that was
    meant as a discount.

    Raises:
        InvalidPriceChangeError: The text is not a signed percentage or amount, or a
            percentage takes more than the whole price.

    Example:
        >>> from staycore.pricing.schema import parse_change
        >>> str(parse_change("-10 %")), str(parse_change("+20.00"))
        ('-10 %', '+20.00')
        >>> parse_change("10%")
        Traceback (most recent call last):
        ...
        staycore.pricing.changes.InvalidPriceChangeError: [pricing.invalid_change] ...
    """
    if not isinstance(text, str):
        msg = 'a change is text with its sign, such as "+15%", "-10%", "+20.00" or "-5"; ' + (
            f"got the number {text}: put it in quotes"
            if isinstance(text, int | Decimal) and not isinstance(text, bool)
            else f"got {_shown(text)}"
        )
        raise InvalidPriceChangeError(msg)
    match = _CHANGE.match(text)
    if match is None:
        msg = (
            f'{_shown(text)} is not a change: write a signed percentage such as "+15%" or '
            '"-10 %", or a signed amount such as "+20.00" or "-5"'
        )
        raise InvalidPriceChangeError(msg)
    if not match["sign"]:
        bare = text.strip()
        msg = f'{_shown(text)} needs a sign: "+{bare}" raises the price, "-{bare}" lowers it'
        raise InvalidPriceChangeError(msg)
    number = match["sign"] + match["number"]
    if match["percent"]:
        return PriceChange.percent(number)
    return PriceChange.amount(number)


def _change(value: object) -> str:
    try:
        parse_change(value)  # type: ignore[arg-type]  # refused with a message if not text
    except StaycoreError as error:
        raise ValueError(error.message) from None
    return str(value).strip()


def _percent_change(value: object) -> str:
    text = _change(value)
    if not text.endswith("%"):
        msg = f'demand moves prices by a percentage, such as "+20%"; got {_shown(value)}'
        raise ValueError(msg)
    return text


def _date_range(value: object) -> str:
    match = _DATE_RANGE.match(value) if isinstance(value, str) else None
    if match is None:
        msg = (
            'must be a date range such as "2026-07-01/2026-09-01" (the end date not '
            f"included), got {_shown(value)}"
        )
        raise ValueError(msg)
    try:
        start, end = (dt.date.fromisoformat(part) for part in match.groups())
    except ValueError as error:
        msg = f"{_shown(value)} is not a date range: {error}"
        raise ValueError(msg) from None
    if end < start:
        msg = f"{_shown(value)} ends before it starts"
        raise ValueError(msg)
    if end == start:
        msg = (
            f"{_shown(value)} holds no night: the end date is the first one not included, "
            "so it comes after the start"
        )
        raise ValueError(msg)
    return f"{start}/{end}"


def _weekday(value: object) -> str:
    name = _WEEKDAY_NAMES.get(value.strip().lower()) if isinstance(value, str) else None
    if name is None:
        msg = f"{_shown(value)} is not a weekday; write mon, tue, wed, thu, fri, sat or sun"
        raise ValueError(msg)
    return name


def _some(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        msg = 'needs at least one weekday, such as ["fri", "sat"]'
        raise ValueError(msg)
    return value


def _instant(value: object) -> str:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        msg = (
            'must be a date and time with its offset, such as "2026-05-01T00:00:00+02:00"; '
            f"got {_shown(value)}"
        )
        raise ValueError(msg)
    if moment.utcoffset() is None:
        msg = (
            f'{_shown(value)} has no offset; add one, such as "+02:00" or "Z", to name one instant'
        )
        raise ValueError(msg)
    return str(value).strip()


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"must be some text, got {_shown(value)}"
        raise ValueError(msg)
    return value.strip()


def _currency(value: object) -> str:
    try:
        return Currency.of(value).code  # type: ignore[arg-type]  # refused if not text
    except StaycoreError:
        msg = f'must be an ISO 4217 currency code such as "EUR" or "JPY", got {_shown(value)}'
        raise ValueError(msg) from None


def _timezone(value: object) -> str:
    try:
        return timezone(value).name  # type: ignore[arg-type]  # refused if not text
    except StaycoreError as error:
        raise ValueError(error.message) from None


def _id_text(kind: type[Identifier]) -> Callable[[object], str]:
    def check(value: object) -> str:
        try:
            return str(kind(value))  # type: ignore[arg-type]  # refused if not text
        except StaycoreError as error:
            raise ValueError(error.message) from None

    return check


def _coupon_shorthand(value: object) -> object:
    return {"promotion": value} if isinstance(value, str) else value


def _rounding_shorthand(value: object) -> object:
    return {"mode": value} if isinstance(value, str) else value


_TEXT_INPUT: Final[Any] = str
_NUMBER_INPUT: Final[Any] = str | int

Text = Annotated[str, BeforeValidator(_text, json_schema_input_type=_TEXT_INPUT)]
Key = Text
Amount = Annotated[Decimal, BeforeValidator(_amount, json_schema_input_type=_NUMBER_INPUT)]
PositiveAmount = Annotated[
    Decimal, BeforeValidator(_positive_amount, json_schema_input_type=_NUMBER_INPUT)
]
TaxRate = Annotated[Decimal, BeforeValidator(_tax_rate, json_schema_input_type=_NUMBER_INPUT)]
DiscountPercent = Annotated[
    Decimal, BeforeValidator(_discount_percent, json_schema_input_type=_NUMBER_INPUT)
]
Occupancy = Annotated[Decimal, BeforeValidator(_occupancy, json_schema_input_type=_NUMBER_INPUT)]
Change = Annotated[str, BeforeValidator(_change, json_schema_input_type=_TEXT_INPUT)]
PercentChange = Annotated[str, BeforeValidator(_percent_change, json_schema_input_type=_TEXT_INPUT)]
DateRange = Annotated[str, BeforeValidator(_date_range, json_schema_input_type=_TEXT_INPUT)]
Weekday = Annotated[str, BeforeValidator(_weekday, json_schema_input_type=_TEXT_INPUT)]
Weekdays = Annotated[tuple[Weekday, ...], AfterValidator(_some)]
Instant = Annotated[str, BeforeValidator(_instant, json_schema_input_type=_TEXT_INPUT)]
Count = Annotated[StrictInt, Field(ge=0)]
PositiveCount = Annotated[StrictInt, Field(ge=1)]


# -- the document's shape ------------------------------------------------------------------


# Every entry refuses a field it does not know (a typo) and cannot change once read.
_ENTRY: Final = ConfigDict(extra="forbid", frozen=True)


class OverrideData(BaseModel):
    """A nightly price for some nights of a rate plan: a date range, weekdays, or both.

    Attributes:
        price: The nightly price on the nights selected.
        nights: A date range, ``"2026-12-24/2027-01-02"``.
        weekdays: Weekday names, ``["fri", "sat"]``.
    """

    model_config = _ENTRY

    price: Amount
    nights: DateRange | None = None
    weekdays: Weekdays | None = None

    @model_validator(mode="after")
    def _selects_nights(self) -> OverrideData:
        if self.nights is None and self.weekdays is None:
            msg = "an override sets the price of some nights: give nights, weekdays or both"
            raise ValueError(msg)
        return self


_OWN_PRICES: Final = (
    "unit_type",
    "base_price",
    "overrides",
    "base_occupancy",
    "extra_adult",
    "child",
    "taxes_included",
)


class RatePlanData(BaseModel):
    """A rate plan: its own prices, or ``derived_from`` another plan with a ``change``.

    Attributes:
        key: Names the plan in the document and on the command line (``"standard"``).
        id: Pins the plan's id (``"rp_..."``); derived from the key when absent.
        name: What guests see; the key when absent.
        unit_type: The key of the unit type it prices (a plan with its own prices).
        base_price: The nightly price for up to ``base_occupancy`` guests.
        overrides: Prices for some nights; the last that covers a night sets its price.
        base_occupancy: Guests included in the price.
        extra_adult: Added per night for each adult above the base occupancy.
        child: Added per night for each child above it.
        taxes_included: Whether the prices include the percentage taxes.
        derived_from: The key of the plan a derived plan follows.
        change: The derived plan's change to its parent's price (``"-10%"``).
    """

    model_config = _ENTRY

    key: Key
    id: Annotated[str, BeforeValidator(_id_text(RatePlanId), json_schema_input_type=str)] | None = (
        None
    )
    name: Text | None = None
    unit_type: Key | None = None
    base_price: Amount | None = None
    overrides: tuple[OverrideData, ...] = ()
    base_occupancy: PositiveCount = 2
    extra_adult: Amount | None = None
    child: Amount | None = None
    taxes_included: StrictBool = False
    derived_from: Key | None = None
    change: Change | None = None

    @model_validator(mode="after")
    def _own_or_derived(self) -> RatePlanData:
        if self.derived_from is not None:
            own = [name for name in _OWN_PRICES if name in self.model_fields_set]
            problems = [
                'a derived plan needs a change to its parent\'s price, such as "change": "-10%"'
                if self.change is None
                else "",
                "a derived plan takes its prices, unit type and taxes from "
                f"{_shown(self.derived_from)}; remove {', '.join(own)}"
                if own
                else "",
            ]
        else:
            missing = [name for name in ("unit_type", "base_price") if getattr(self, name) is None]
            problems = [
                f"a rate plan needs {' and '.join(missing)} (or derived_from and change, "
                "to follow another plan)"
                if missing
                else "",
                'a change belongs to a derived plan: add "derived_from", or remove "change"'
                if self.change is not None
                else "",
            ]
        message = "; ".join(problem for problem in problems if problem)
        if message:
            raise ValueError(message)
        return self


class SeasonData(BaseModel):
    """A change over a date range, optionally on some weekdays of it.

    Attributes:
        name: What the breakdown calls it.
        nights: The date range, ``"2026-07-01/2026-09-01"``.
        change: ``"+20%"``, ``"-15.00"``.
        weekdays: Only these weekdays of the range.
    """

    model_config = _ENTRY

    name: Text
    nights: DateRange
    change: Change
    weekdays: Weekdays | None = None


class WeekdayData(BaseModel):
    """A change on some weekdays, all year.

    Attributes:
        name: What the breakdown calls it.
        weekdays: Weekday names, ``["fri", "sat"]``.
        change: ``"+15%"``.
    """

    model_config = _ENTRY

    name: Text
    weekdays: Weekdays
    change: Change


class DemandPointData(BaseModel):
    """A point of the demand curve: at this occupancy, this percentage.

    Attributes:
        occupancy: The share of rooms sold, 0 to 1.
        change: A percentage change, ``"+20%"``.
    """

    model_config = _ENTRY

    occupancy: Occupancy
    change: PercentChange


class LeadTimeData(BaseModel):
    """An early-bird or last-minute change.

    Attributes:
        name: What the breakdown calls it.
        kind: ``"early_bird"`` (``days`` or more ahead) or ``"last_minute"`` (``days`` or
            fewer).
        days: Days between the booking date and arrival.
        change: ``"-10%"``.
    """

    model_config = _ENTRY

    name: Text
    kind: Literal["early_bird", "last_minute"]
    days: Count
    change: Change


class LengthOfStayData(BaseModel):
    """A change for stays of at least some nights; the longest tier reached applies.

    Attributes:
        min_nights: The nights a stay needs.
        change: ``"-10%"``.
    """

    model_config = _ENTRY

    min_nights: PositiveCount
    change: Change


class FeeData(BaseModel):
    """A fixed charge.

    Attributes:
        name: What the breakdown calls it.
        amount: The charge per unit of ``per``.
        per: ``"stay"``, ``"night"``, ``"guest"`` (once per stay) or ``"guest_night"``.
        taxable: Whether percentage taxes apply to it.
    """

    model_config = _ENTRY

    name: Text
    amount: Amount
    per: Literal["stay", "night", "guest", "guest_night"] = "stay"
    taxable: StrictBool = True


class TaxData(BaseModel):
    """A percentage tax, or a levy per person per night.

    A percentage tax is added to the prices, or included in them, as each rate plan's
    ``taxes_included`` says; a levy says so itself with ``included``.

    Attributes:
        name: What the breakdown calls it.
        percent: The rate of a percentage tax, 0 to 100 (``"10"``).
        per_person_night: The amount of a levy.
        included: For a levy, whether the prices include it already.
        adults_only: For a levy, whether children are exempt.
    """

    model_config = _ENTRY

    name: Text
    percent: TaxRate | None = None
    per_person_night: Amount | None = None
    included: StrictBool = False
    adults_only: StrictBool = False

    @model_validator(mode="after")
    def _one_basis(self) -> TaxData:
        if (self.percent is None) == (self.per_person_night is None):
            msg = 'a tax has either "percent" (a rate) or "per_person_night" (a levy), not both'
            if self.percent is None:
                msg = 'a tax needs "percent" (a rate such as "10") or "per_person_night" (a levy)'
            raise ValueError(msg)
        levy_only = [name for name in ("included", "adults_only") if name in self.model_fields_set]
        if self.percent is not None and levy_only:
            msg = (
                f"{' and '.join(levy_only)} {'belong' if len(levy_only) > 1 else 'belongs'} to "
                "a levy; a percentage tax is included or added as each rate plan's "
                "taxes_included says"
            )
            raise ValueError(msg)
        return self


_KIND_FIELDS: Final = {
    "percent": ("percent",),
    "amount": ("amount",),
    "threshold": ("amount", "threshold"),
    "free_nights": ("stay_nights", "pay_nights"),
}


class PromotionData(BaseModel):
    """A promotion: a discount with its scope and stacking rule.

    Attributes:
        key: Names the promotion in the document; coupons point at it.
        id: Pins its id (``"promo_..."``); derived from the key when absent.
        name: What the breakdown calls it; the key when absent.
        kind: ``"percent"``, ``"amount"``, ``"threshold"`` or ``"free_nights"``.
        percent: For ``percent``: above 0, at most 100.
        amount: For ``amount`` and ``threshold``: what it takes off.
        threshold: For ``threshold``: what the stay must cost at least.
        stay_nights: For ``free_nights``: the N of "stay N, pay M".
        pay_nights: For ``free_nights``: the M.
        requires_code: Whether only a coupon unlocks it.
        first_booking_only: Only for a customer's first booking.
        valid_from: Bookable from this instant, ``"2026-05-01T00:00:00+01:00"``.
        valid_until: Bookable until before this instant.
        stay_dates: Every night of the stay must be in this date range.
        unit_types: Only for these unit type keys.
        rate_plans: Only for these rate plan keys.
        min_nights: Stays of at least this many nights.
        stacking: ``"combinable"`` or ``"exclusive"``.
        priority: Lower applies first.
    """

    model_config = _ENTRY

    key: Key
    id: (
        Annotated[str, BeforeValidator(_id_text(PromotionId), json_schema_input_type=str)] | None
    ) = None
    name: Text | None = None
    kind: Literal["percent", "amount", "threshold", "free_nights"]
    percent: DiscountPercent | None = None
    amount: PositiveAmount | None = None
    threshold: PositiveAmount | None = None
    stay_nights: PositiveCount | None = None
    pay_nights: PositiveCount | None = None
    requires_code: StrictBool = True
    first_booking_only: StrictBool = False
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    stay_dates: DateRange | None = None
    unit_types: tuple[Key, ...] | None = None
    rate_plans: tuple[Key, ...] | None = None
    min_nights: Count = 0
    stacking: Literal["combinable", "exclusive"] = "combinable"
    priority: StrictInt = 100

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> PromotionData:
        needed = _KIND_FIELDS[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        others = {name for names in _KIND_FIELDS.values() for name in names} - set(needed)
        unused = [name for name in sorted(others) if getattr(self, name) is not None]
        problems = []
        if missing:
            problems.append(
                f"a promotion of kind {_shown(self.kind)} needs {' and '.join(missing)}"
            )
        if unused:
            problems.append(
                f"a promotion of kind {_shown(self.kind)} has no use for {', '.join(unused)}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class CouponData(BaseModel):
    """A coupon code: the promotion it unlocks and the limits on its use.

    In the document, ``"SUMMER10": "summer"`` is short for
    ``"SUMMER10": {"promotion": "summer"}``.

    Attributes:
        promotion: The key of the promotion it unlocks.
        max_uses: How many orders may use it, over all customers.
        max_uses_per_customer: How many of those one customer may have.
        budget: The most discount it may give in all.
    """

    model_config = _ENTRY

    promotion: Key
    max_uses: PositiveCount | None = None
    max_uses_per_customer: PositiveCount | None = None
    budget: PositiveAmount | None = None


class RoundingData(BaseModel):
    """How each line of a quote is rounded, once.

    In the document, ``"rounding": "half_up"`` is short for ``{"mode": "half_up"}``.

    Attributes:
        mode: ``"half_even"`` (the default), ``"half_up"``, ``"half_down"``, ``"up"``,
            ``"down"``, ``"ceiling"``, ``"floor"`` or ``"05up"``.
        increment: A coarser step than the currency's minor unit, such as ``"0.05"``.
    """

    model_config = _ENTRY

    mode: Literal["half_even", "half_up", "half_down", "up", "down", "ceiling", "floor", "05up"] = (
        "half_even"
    )
    increment: PositiveAmount | None = None


class PricingData(BaseModel):
    """A pricing document as written: the format's fields, each value checked.

    Read one with :meth:`PricingDocument.from_data` or :func:`load_pricing`, which also
    check that the parts fit together (keys that exist, a floor below the ceiling) and
    report every problem with its place in the document.

    Attributes:
        schema_version: The format's version: 1.
        version: The rule set's own version, recorded by every quote.
        namespace: Keeps this document's derived ids apart from another's that uses the
            same keys (a property's slug, say); empty by default.
        currency: The ISO 4217 code of every amount.
        timezone: The property's IANA timezone.
        rate_plans: The rate plans.
        seasons: Date-range changes, in order.
        weekdays: Weekday changes, in order.
        demand: The demand curve's points, occupancy rising; none for no demand pricing.
        lead_time: Early-bird and last-minute changes.
        length_of_stay: Length-of-stay tiers.
        tiers: Changes by customer tier name.
        floor: The lowest a night may cost after the rules.
        ceiling: The highest a night may cost after the rules.
        fees: Fees, in order.
        taxes: Taxes and levies, in order.
        promotions: Promotions.
        coupons: Coupon codes and what they unlock.
        quote_minutes: How long a quote stays valid.
        rounding: How each line is rounded.
    """

    model_config = _ENTRY

    schema_version: Literal[1]
    version: Text
    namespace: Annotated[str, Field(strict=True)] = ""
    currency: Annotated[str, BeforeValidator(_currency, json_schema_input_type=str)]
    timezone: Annotated[str, BeforeValidator(_timezone, json_schema_input_type=str)]
    rate_plans: tuple[RatePlanData, ...] = ()
    seasons: tuple[SeasonData, ...] = ()
    weekdays: tuple[WeekdayData, ...] = ()
    demand: tuple[DemandPointData, ...] | None = None
    lead_time: tuple[LeadTimeData, ...] = ()
    length_of_stay: tuple[LengthOfStayData, ...] = ()
    tiers: dict[Key, Change] = Field(default_factory=dict)
    floor: Amount | None = None
    ceiling: Amount | None = None
    fees: tuple[FeeData, ...] = ()
    taxes: tuple[TaxData, ...] = ()
    promotions: tuple[PromotionData, ...] = ()
    coupons: dict[str, Annotated[CouponData, BeforeValidator(_coupon_shorthand)]] = Field(
        default_factory=dict
    )
    quote_minutes: PositiveCount = 30
    rounding: Annotated[RoundingData, BeforeValidator(_rounding_shorthand)] = RoundingData()


# -- identifiers ---------------------------------------------------------------------------


def derived_id(kind: type[I], key: str, *, namespace: str = "") -> I:
    """The identifier a pricing document gives the key ``key`` of an item of ``kind``.

    The id is a ULID whose timestamp is 0 (1970-01-01, which marks it as derived rather
    than made at an instant) and whose 80 random bits are the first 80 bits of the
    SHA-256 of the kind's prefix, the namespace and the key. The same key gives the same
    id on every machine and in every version of the rule set, so coupons and orders that
    hold it keep finding their promotion and plan; the version is left out on purpose.

    Example:
        >>> from staycore.pricing.ids import RatePlanId
        >>> from staycore.pricing.schema import derived_id
        >>> derived_id(RatePlanId, "standard") == derived_id(RatePlanId, "standard")
        True
        >>> derived_id(RatePlanId, "standard", namespace="casa-azul")
        RatePlanId('rp_0000000000...')
        >>> derived_id(RatePlanId, "standard").timestamp.year
        1970
    """
    digest = hashlib.sha256(f"staycore/{kind.prefix}/{namespace}/{key}".encode()).digest()
    value = int.from_bytes(digest[:10], "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return kind(f"{kind.prefix}_{''.join(reversed(chars))}")


# -- building the domain's values --------------------------------------------------------


class _Problems:
    """The problems found while building, each with its path."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def attempt(self, path: str, make: Callable[[], T]) -> T | None:
        """``make()``, or ``None`` with its error's message noted at ``path``."""
        try:
            return make()
        except StaycoreError as error:
            self.add(path, error.message)
            return None


def _weekday_numbers(names: Iterable[str]) -> frozenset[int]:
    return frozenset(_WEEKDAYS.index(name) for name in names)


def _instant_value(text: str | None) -> pendulum.DateTime | None:
    return None if text is None else as_instant(dt.datetime.fromisoformat(text))


def _keys_listed(keys: Iterable[str]) -> str:
    listed = ", ".join(json.dumps(key, ensure_ascii=False) for key in keys)
    return listed or "none"


class _Builder:
    """Builds a document's rate plans, rule set and coupons, collecting every problem."""

    def __init__(self, data: PricingData, unit_types: Mapping[str, UnitTypeId]) -> None:
        self.data = data
        self.problems = _Problems()
        self.currency = Currency.of(data.currency)
        self.unit_types = self._unit_types(unit_types)
        self.plan_ids = {
            plan.key: RatePlanId(plan.id or self.derived(RatePlanId, plan.key))
            for plan in data.rate_plans
        }
        self.plans: dict[str, RatePlan] = {}
        self.promotions: dict[str, Promotion] = {}
        self.coupons: dict[str, Coupon] = {}
        self._failed: set[str] = set()
        self._build_plans()
        self._build_promotions()
        self._build_coupons()
        self.rule_set = self._build_rule_set()

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)

    def derived(self, kind: type[I], key: str) -> I:
        return derived_id(kind, key, namespace=self.data.namespace)

    def _unit_types(self, given: Mapping[str, UnitTypeId]) -> dict[str, UnitTypeId]:
        named = {plan.unit_type for plan in self.data.rate_plans if plan.unit_type is not None}
        ids = {key: self.derived(UnitTypeId, key) for key in sorted(named)}
        ids.update({key: UnitTypeId(value) for key, value in given.items()})
        return ids

    # rate plans -------------------------------------------------------------------------

    def _build_plans(self) -> None:
        entries: dict[str, tuple[int, RatePlanData]] = {}
        ids: dict[str, int] = {}
        for index, entry in enumerate(self.data.rate_plans):
            if entry.key in entries:
                self.problems.add(
                    f"rate_plans[{index}].key",
                    f"{_shown(entry.key)} is the key of rate_plans[{entries[entry.key][0]}] "
                    "already; keys are unique",
                )
                continue
            entries[entry.key] = (index, entry)
            plan_id = self.plan_ids[entry.key]
            if plan_id in ids:
                self.problems.add(
                    f"rate_plans[{index}].id",
                    f"{plan_id} is the id of rate_plans[{ids[plan_id]}] already; ids are unique",
                )
            ids[plan_id] = index
        for key in entries:
            self._plan(key, entries, [])

    def _plan(
        self, key: str, entries: Mapping[str, tuple[int, RatePlanData]], chain: list[str]
    ) -> RatePlan | None:
        """The plan ``key``, after the plan it derives from; ``None`` on a problem."""
        if key in self.plans:
            return self.plans[key]
        if key in self._failed:
            return None
        plan = self._make_plan(key, entries, [*chain, key])
        if plan is None:
            self._failed.add(key)
        else:
            self.plans[key] = plan
        return plan

    def _make_plan(
        self, key: str, entries: Mapping[str, tuple[int, RatePlanData]], chain: list[str]
    ) -> RatePlan | None:
        index, entry = entries[key]
        path = f"rate_plans[{index}]"
        plan_id, name = self.plan_ids[key], entry.name or entry.key
        parent_key, change = entry.derived_from, entry.change
        if parent_key is None or change is None:
            return self.problems.attempt(
                path, functools.partial(self._own_plan, entry, plan_id, name, path)
            )
        if parent_key not in entries:
            self.problems.add(
                f"{path}.derived_from",
                f"no rate plan has the key {_shown(parent_key)}; "
                f"the keys are {_keys_listed(entries)}",
            )
            return None
        if parent_key in chain:
            loop = [*chain[chain.index(parent_key) :], parent_key]
            self.problems.add(
                f"{path}.derived_from",
                "rate plans derive from each other in a loop: " + " -> ".join(loop),
            )
            return None
        parent = self._plan(parent_key, entries, chain)
        if parent is None:
            return None
        return self.problems.attempt(
            path, functools.partial(parent.derive, plan_id, name, parse_change(change))
        )

    def _own_plan(self, entry: RatePlanData, plan_id: RatePlanId, name: str, path: str) -> RatePlan:
        overrides = []
        for index, override in enumerate(entry.overrides):
            made = self.problems.attempt(
                f"{path}.overrides[{index}]", functools.partial(self._override, override)
            )
            if made is not None:
                overrides.append(made)
        if entry.unit_type is None or entry.base_price is None:  # pragma: no cover - read so
            msg = "a rate plan needs unit_type and base_price"
            raise InvalidRatePlanError(msg)
        return RatePlan(
            id=plan_id,
            unit_type=self.unit_types[entry.unit_type],
            name=name,
            base_price=self.money(entry.base_price),
            overrides=overrides,
            base_occupancy=entry.base_occupancy,
            extra_adult=None if entry.extra_adult is None else self.money(entry.extra_adult),
            child=None if entry.child is None else self.money(entry.child),
            taxes_included=entry.taxes_included,
        )

    def _override(self, override: OverrideData) -> RateOverride:
        return RateOverride(
            self.money(override.price),
            None if override.nights is None else Stay.parse(override.nights),
            None if override.weekdays is None else _weekday_numbers(override.weekdays),
        )

    # promotions and coupons -------------------------------------------------------------

    def _build_promotions(self) -> None:
        keys: dict[str, int] = {}
        ids: dict[str, int] = {}
        for index, entry in enumerate(self.data.promotions):
            path = f"promotions[{index}]"
            if entry.key in keys:
                self.problems.add(
                    f"{path}.key",
                    f"{_shown(entry.key)} is the key of promotions[{keys[entry.key]}] already; "
                    "keys are unique",
                )
                continue
            keys[entry.key] = index
            promotion_id = PromotionId(entry.id or self.derived(PromotionId, entry.key))
            if promotion_id in ids:
                self.problems.add(
                    f"{path}.id",
                    f"{promotion_id} is the id of promotions[{ids[promotion_id]}] already; "
                    "ids are unique",
                )
            ids[promotion_id] = index
            scope = (
                self._scope(f"{path}.unit_types", entry.unit_types, self.unit_types),
                self._scope(f"{path}.rate_plans", entry.rate_plans, self.plan_ids),
            )
            promotion = self.problems.attempt(
                path, functools.partial(self._promotion, entry, promotion_id, *scope)
            )
            if promotion is not None:
                self.promotions[entry.key] = promotion

    def _scope(
        self, path: str, keys: Sequence[str] | None, known: Mapping[str, I]
    ) -> frozenset[I] | None:
        if keys is None:
            return None
        found = []
        for index, key in enumerate(keys):
            if key in known:
                found.append(known[key])
            else:
                self.problems.add(
                    f"{path}[{index}]",
                    f"no such key {_shown(key)}; the keys are {_keys_listed(known)}",
                )
        return frozenset(found)

    def _promotion(
        self,
        entry: PromotionData,
        promotion_id: PromotionId,
        unit_types: frozenset[UnitTypeId] | None,
        rate_plans: frozenset[RatePlanId] | None,
    ) -> Promotion:
        return Promotion(
            id=promotion_id,
            name=entry.name or entry.key,
            kind=DiscountKind(entry.kind),
            percent=entry.percent if entry.percent is not None else Decimal(0),
            amount=None if entry.amount is None else self.money(entry.amount),
            threshold=None if entry.threshold is None else self.money(entry.threshold),
            stay_nights=entry.stay_nights or 0,
            pay_nights=entry.pay_nights or 0,
            requires_code=entry.requires_code,
            first_booking_only=entry.first_booking_only,
            valid_from=_instant_value(entry.valid_from),
            valid_until=_instant_value(entry.valid_until),
            stay_dates=None if entry.stay_dates is None else Stay.parse(entry.stay_dates),
            unit_types=unit_types,
            rate_plans=rate_plans,
            min_nights=entry.min_nights,
            stacking=Stacking(entry.stacking),
            priority=entry.priority,
        )

    def _build_coupons(self) -> None:
        seen: dict[str, str] = {}
        promotion_keys = [promotion.key for promotion in self.data.promotions]
        for code, entry in self.data.coupons.items():
            path = _path(("coupons", code))
            normalized = self.problems.attempt(path, functools.partial(normalize_code, code))
            if entry.promotion not in promotion_keys:
                self.problems.add(
                    f"{path}.promotion",
                    f"no promotion has the key {_shown(entry.promotion)}; the keys are "
                    f"{_keys_listed(promotion_keys)}",
                )
            if normalized is None:
                continue
            if normalized in seen:
                self.problems.add(
                    path,
                    f"{_shown(code)} is the code {_shown(seen[normalized])} as guests type it "
                    f"({normalized}); keep one",
                )
                continue
            seen[normalized] = code
            promotion = self.promotions.get(entry.promotion)
            if promotion is not None:  # a promotion that failed has its own problem
                coupon = self.problems.attempt(
                    path, functools.partial(self._coupon, entry, normalized, promotion)
                )
                if coupon is not None:
                    self.coupons[normalized] = coupon

    def _coupon(self, entry: CouponData, code: str, promotion: Promotion) -> Coupon:
        return Coupon(
            code=code,
            promotion=promotion.id,
            max_uses=entry.max_uses,
            max_uses_per_customer=entry.max_uses_per_customer,
            budget=None if entry.budget is None else self.money(entry.budget),
        )

    # the rule set ----------------------------------------------------------------------

    def _each(self, name: str, entries: Sequence[E], make: Callable[[E], R]) -> list[R]:
        made = []
        for index, entry in enumerate(entries):
            value = self.problems.attempt(f"{name}[{index}]", functools.partial(make, entry))
            if value is not None:
                made.append(value)
        return made

    def _build_rule_set(self) -> RuleSet | None:
        data, problems = self.data, self.problems
        seasons = self._each("seasons", data.seasons, _season)
        weekdays = self._each("weekdays", data.weekdays, _weekday_rule)
        demand = None
        if data.demand is not None:
            points = [(p.occupancy, _percent_of(p.change)) for p in data.demand]
            demand = problems.attempt("demand", functools.partial(DemandCurve, points))
        lead_time = self._each("lead_time", data.lead_time, _lead_time_rule)
        length_of_stay = self._each("length_of_stay", data.length_of_stay, _length_of_stay_rule)
        tiers = {name: parse_change(change) for name, change in data.tiers.items()}
        fees = self._each("fees", data.fees, self._fee)
        taxes = self._each("taxes", data.taxes, self._tax)
        floor = None if data.floor is None else self.money(data.floor)
        ceiling = None if data.ceiling is None else self.money(data.ceiling)
        if floor is not None and ceiling is not None and floor > ceiling:
            problems.add(
                "floor",
                f"{floor.amount} is above the ceiling {ceiling.amount}; "
                "lower the floor or raise the ceiling",
            )
        rounding = problems.attempt(
            "rounding",
            functools.partial(
                RoundingPolicy, _ROUNDING_MODES[data.rounding.mode], data.rounding.increment
            ),
        )
        if problems.found or rounding is None:
            return None
        return problems.attempt(
            "",
            functools.partial(
                RuleSet,
                version=data.version,
                currency=self.currency,
                timezone=data.timezone,
                seasons=seasons,
                weekdays=weekdays,
                demand=demand,
                lead_time=lead_time,
                length_of_stay=length_of_stay,
                tiers=tiers,
                floor=floor,
                ceiling=ceiling,
                fees=fees,
                taxes=taxes,
                promotions=list(self.promotions.values()),
                quote_minutes=data.quote_minutes,
                rounding=rounding,
            ),
        )

    def _fee(self, entry: FeeData) -> Fee:
        return Fee(entry.name, self.money(entry.amount), FeeBasis(entry.per), taxable=entry.taxable)

    def _tax(self, entry: TaxData) -> Tax:
        if entry.per_person_night is None:
            return Tax.percent(entry.name, entry.percent or Decimal(0))
        return Tax.per_person_night(
            entry.name,
            self.money(entry.per_person_night),
            included=entry.included,
            adults_only=entry.adults_only,
        )


def _season(entry: SeasonData) -> Season:
    weekdays = None if entry.weekdays is None else _weekday_numbers(entry.weekdays)
    return Season(entry.name, Stay.parse(entry.nights), parse_change(entry.change), weekdays)


def _weekday_rule(entry: WeekdayData) -> WeekdayRule:
    return WeekdayRule(entry.name, _weekday_numbers(entry.weekdays), parse_change(entry.change))


def _lead_time_rule(entry: LeadTimeData) -> LeadTimeRule:
    return LeadTimeRule(entry.name, LeadTime(entry.kind), entry.days, parse_change(entry.change))


def _length_of_stay_rule(entry: LengthOfStayData) -> LengthOfStayRule:
    return LengthOfStayRule(entry.min_nights, parse_change(entry.change))


def _percent_of(change: str) -> Decimal:
    """The percentage of a change written ``"+20%"``: ``Decimal('20')``."""
    return Decimal(change.replace("%", "").replace(" ", ""))


# -- the document ----------------------------------------------------------------------------


class PricingDocument:
    """A pricing document that reads: its rule set, rate plans and coupons.

    Make one with :func:`load_pricing` or :meth:`from_data`; the constructor takes a
    :class:`PricingData` that pydantic has validated already.

    Args:
        data: The document's fields.
        unit_types: The host's own unit type ids, by the keys the document uses; a key
            not given gets an id derived from it (:func:`derived_id`).
        source: Where the document came from, for error messages.

    Attributes:
        data: The document's fields, as read.
        unit_types: Every unit type key the rate plans name, and every one the host
            gave, with its id.
        rate_plans: Every rate plan, by key.
        promotions: Every promotion, by key.
        coupons: Every coupon, by its normalized code; each has a ``code`` and the
            ``promotion`` it unlocks, as :func:`staycore.pricing.quote.quote` takes them.

    Raises:
        InvalidRuleSetDocumentError: The document's parts do not fit together: every
            problem, with its path.
        InvalidIdentifierError: A unit type id given is not one.
    """

    __slots__ = ("_rule_set", "coupons", "data", "promotions", "rate_plans", "unit_types")

    def __init__(
        self,
        data: PricingData,
        *,
        unit_types: Mapping[str, UnitTypeId] | None = None,
        source: str = "",
    ) -> None:
        built = _Builder(data, unit_types or {})
        if built.problems.found or built.rule_set is None:
            raise InvalidRuleSetDocumentError(built.problems.found, source=source)
        self.data = data
        self.unit_types: Mapping[str, UnitTypeId] = types.MappingProxyType(built.unit_types)
        self.rate_plans: Mapping[str, RatePlan] = types.MappingProxyType(built.plans)
        self.promotions: Mapping[str, Promotion] = types.MappingProxyType(built.promotions)
        self.coupons: Mapping[str, Coupon] = types.MappingProxyType(built.coupons)
        self._rule_set = built.rule_set

    @classmethod
    def from_data(
        cls,
        data: Mapping[str, Any] | PricingData,
        *,
        unit_types: Mapping[str, UnitTypeId] | None = None,
        source: str = "",
    ) -> PricingDocument:
        """Read a document from data already parsed (a ``dict`` from JSON, YAML, a form).

        Every field is checked first, and every problem reported with its path; when
        every field reads, the parts are checked together (keys that exist, ids that
        are unique, a floor below the ceiling), again reporting every problem.

        Args:
            data: The document's fields.
            unit_types: The host's unit type ids by key; see the class.
            source: Where the document came from, for error messages.

        Raises:
            InvalidRuleSetDocumentError: The document does not read.

        Example:
            >>> from staycore.pricing.schema import PricingDocument
            >>> PricingDocument.from_data({"schema_version": 2})
            Traceback (most recent call last):
            ...
            staycore.pricing.schema.InvalidRuleSetDocumentError: [pricing.invalid_document] ...
        """
        if isinstance(data, PricingData):
            return cls(data, unit_types=unit_types, source=source)
        if not isinstance(data, Mapping):
            problem = (
                "a pricing document is a mapping (a JSON object) of fields such as "
                f"schema_version, version, currency and rate_plans; got {_shown(data)}"
            )
            raise InvalidRuleSetDocumentError([("", problem)], source=source)
        problems: list[tuple[str, str]] = []
        fields = dict(data)
        version = fields.get("schema_version")
        if "schema_version" not in fields:
            problems.append(
                (
                    "schema_version",
                    f"required: the version of the format the document is written in; "
                    f"write {SCHEMA_VERSION}",
                )
            )
        elif isinstance(version, int) and not isinstance(version, bool):
            if version != SCHEMA_VERSION:
                problem = (
                    f"this staycore reads schema_version {SCHEMA_VERSION} only, not {version}: "
                    "upgrade staycore to read this document, or write it for schema_version "
                    f"{SCHEMA_VERSION}"
                )
                raise InvalidRuleSetDocumentError([("schema_version", problem)], source=source)
        else:
            problems.append(
                (
                    "schema_version",
                    f"must be the whole number {SCHEMA_VERSION}, got {_shown(version)}",
                )
            )
        fields["schema_version"] = SCHEMA_VERSION
        try:
            validated = PricingData.model_validate(fields)
        except ValidationError as error:
            problems += [_problem(detail) for detail in error.errors()]
        if problems:
            raise InvalidRuleSetDocumentError(problems, source=source)
        return cls(validated, unit_types=unit_types, source=source)

    def rule_set(self) -> RuleSet:
        """The rule set: every rule, fee, tax and promotion of the document.

        Example:
            Continuing the module example above:

            >>> document.rule_set().version
            '2026-1'
        """
        return self._rule_set

    def rate_plan(self, key: str) -> RatePlan:
        """The rate plan with ``key``.

        Raises:
            UnknownRatePlanError: The document has no plan with that key.

        Example:
            Continuing the module example above:

            >>> document.rate_plan("flex").name
            'Non-refundable'
            >>> document.rate_plan("flexi")
            Traceback (most recent call last):
            ...
            staycore.pricing.schema.UnknownRatePlanError: [pricing.unknown_rate_plan] ...
        """
        plan = self.rate_plans.get(key)
        if plan is None:
            msg = (
                f"the rule set {self._rule_set.version!r} has no rate plan {_shown(key)}; "
                f"its plans are {_keys_listed(self.rate_plans)}"
            )
            raise UnknownRatePlanError(msg)
        return plan

    def coupon(self, code: str) -> Coupon:
        """The coupon with ``code``, as a guest types it (``" summer-10"`` is ``SUMMER10``).

        Raises:
            InvalidCouponCodeError: ``code`` cannot be a code.
            UnknownCouponError: The document has no such code.
        """
        normalized = normalize_code(code)
        coupon = self.coupons.get(normalized)
        if coupon is None:
            msg = (
                f"the rule set {self._rule_set.version!r} has no coupon {_shown(normalized)}; "
                f"its codes are {_keys_listed(self.coupons)}"
            )
            raise UnknownCouponError(msg)
        return coupon

    def with_unit_types(self, unit_types: Mapping[str, UnitTypeId]) -> PricingDocument:
        """The same document with the host's unit type ids for some keys.

        Example:
            Continuing the module example above:

            >>> from staycore.availability.ids import UnitTypeId
            >>> double = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
            >>> document.with_unit_types({"double": double}).rate_plan("flex").unit_type
            UnitTypeId('ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7')
        """
        return PricingDocument(self.data, unit_types={**self.unit_types, **unit_types})

    def __repr__(self) -> str:
        return (
            f"PricingDocument(version={self._rule_set.version!r}, "
            f"rate_plans={list(self.rate_plans)!r})"
        )


# -- reading text ------------------------------------------------------------------------------


def load_pricing(
    source: str | os.PathLike[str],
    *,
    format: Literal["json", "yaml"] | None = None,
    unit_types: Mapping[str, UnitTypeId] | None = None,
) -> PricingDocument:
    """Read a pricing document from its text, or from a file.

    Args:
        source: The document's text (a ``str``), or the path of a file (a
            :class:`pathlib.Path` or another path-like object).
        format: ``"json"`` or ``"yaml"``. By default a file's suffix says
            (``.json``, ``.yaml``, ``.yml``), and text that starts with ``{`` is JSON,
            any other YAML. JSON needs nothing more; YAML needs PyYAML
            (``pip install 'staycore[yaml]'``). Numbers are read as exact decimals.
        unit_types: The host's unit type ids by key; see :class:`PricingDocument`.

    Returns:
        The document.

    Raises:
        InvalidRuleSetDocumentError: The text is not JSON or YAML, a key is written twice
            in one mapping, YAML is asked for without PyYAML, or the document does not
            read: every problem, with its path.
        OSError: The file cannot be read.

    Example:
        See the module example.
    """
    try:
        data, name = read_document(source, format=format, reader="load_pricing")
    except UnreadableDocumentError as error:
        raise InvalidRuleSetDocumentError(error.problems, source=error.source) from None
    return PricingDocument.from_data(data, unit_types=unit_types, source=name)


# -- pydantic's errors, as a document's problems --------------------------------------------


def _model_at(location: Sequence[int | str]) -> type[BaseModel] | None:
    return model_at(PricingData, location)


def _problem(error: ErrorDetails) -> tuple[str, str]:
    location = [part for part in error["loc"] if part != "[key]"]
    path = _path(location)
    kind, value = error["type"], error["input"]
    context = error.get("ctx") or {}
    messages = {
        "missing": "required, but missing",
        "int_type": f"must be a whole number, got {_shown(value)}",
        "bool_type": f"must be true or false, got {_shown(value)}",
        "string_type": f"must be text, got {_shown(value)}",
        "tuple_type": f"must be a list, got {_shown(value)}",
        "list_type": f"must be a list, got {_shown(value)}",
        "dict_type": f"must be a mapping, got {_shown(value)}",
        "model_type": f"must be a mapping of fields, got {_shown(value)}",
        "greater_than_equal": f"must be {context.get('ge')} or more, got {_shown(value)}",
    }
    if kind == "value_error" and "error" in context:
        message = str(context["error"])
    elif kind == "literal_error":
        expected = str(context.get("expected", "")).replace("'", '"')
        message = f"must be {expected}, got {_shown(value)}"
    elif kind == "extra_forbidden":
        model = _model_at(location[:-1])
        names = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(location[-1]), names, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"the fields are {', '.join(names)}"
        message = f"unknown field; {hint}"
    else:
        default = error["msg"][:1].lower() + error["msg"][1:]
        message = messages.get(kind, f"{default}, got {_shown(value)}")
    return path, message
