"""Hypothesis strategies for every kernel type, for property-based tests of booking rules.

The strategies lean towards the inputs that break booking systems: currencies with 0, 3
and 4 minor units, negative and very large amounts, ratios that do not divide evenly,
dates on daylight-saving changes and around the turn of the year, wall-clock times that
happen twice or not at all, and identifiers with timestamps from 1970 to the year 9999.

Installing staycore registers them with hypothesis (through the ``hypothesis`` entry
point), so ``st.from_type(Money)`` and ``st.builds(...)`` over classes with ``Money``,
``Currency``, ``Stay``, ``Slot``, ``RoundingPolicy`` or ``Identifier`` fields work in a
host application's tests with no import. Identifier kinds declared after hypothesis was
imported are registered by :func:`register_identifier_kinds`, or drawn with
:func:`identifiers` directly.

Every public function returns a strategy and checks its arguments when called, so a bad
argument fails where it is written rather than in the middle of a test run.

Example:
    >>> from hypothesis import given
    >>> from staycore.testing.strategies import money, stays
    >>> @given(price=money(currencies=["TWD"], min_value=0), stay=stays(max_nights=14))
    ... def test_a_stay_never_costs_less_than_a_night(price, stay):
    ...     assert stay.nights * price >= price
    >>> test_a_stay_never_costs_less_than_a_night()
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar

import pendulum

from staycore.availability.ids import UnitTypeId
from staycore.kernel.currency import Currency, iso_codes
from staycore.kernel.ids import Identifier
from staycore.kernel.money import ROUNDING_MODES, Money, RoundingPolicy, to_decimal
from staycore.kernel.state_machine import Transition, TransitionTable
from staycore.kernel.time import Slot, Stay, local_instant, timezone
from staycore.pricing.changes import PriceChange
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion, Stacking
from staycore.pricing.rate_plans import Guests, RatePlan
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

_EARLY_HOOK_CALLS: list[None] = []


def _hypothesis_setup_hook() -> None:
    """Register the strategies with hypothesis; hypothesis calls it through the entry point.

    When this module is imported before hypothesis, its own ``import hypothesis`` below
    runs the entry point while the module is half built, so the hook is defined first and
    the registration waits for the end of the module.
    """
    register = globals().get("_register_strategies")
    if register is None:
        _EARLY_HOOK_CALLS.append(None)
    else:
        register()


# Imported after the hook on purpose: see _hypothesis_setup_hook.
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import InvalidArgument  # noqa: E402
from hypothesis.strategies import DrawFn, SearchStrategy  # noqa: E402

__all__ = [
    "TIMEZONES",
    "amounts",
    "booking_dates",
    "currencies",
    "event_sequences",
    "guests",
    "identifiers",
    "instants",
    "money",
    "price_changes",
    "promotions",
    "rate_plans",
    "ratios",
    "register_identifier_kinds",
    "rounding_policies",
    "rule_sets",
    "slots",
    "stays",
    "timezones",
    "transition_tables",
    "wall_times",
]

I = TypeVar("I", bound=Identifier)  # noqa: E741 - the kernel's name for an identifier type
S = TypeVar("S", bound=Hashable)
E = TypeVar("E", bound=Hashable)

AmountLike = Decimal | int | str
"""A bound or ratio given to a strategy: never a float, as everywhere in staycore."""

TIMEZONES: Final[tuple[str, ...]] = (
    "UTC",
    "Europe/Paris",  # the EU rule: 02:00 -> 03:00 in March, 03:00 -> 02:00 in October
    "Europe/London",
    "Europe/Dublin",  # the IANA data models winter as a negative daylight-saving shift
    "America/New_York",
    "America/Santiago",  # changes at midnight: some days start at 01:00
    "America/Havana",  # also at midnight, on other dates
    "America/St_Johns",  # a half-hour offset with daylight saving
    "Australia/Lord_Howe",  # a 30-minute daylight-saving shift
    "Australia/Sydney",  # southern hemisphere: summer over the turn of the year
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",  # skipped 2011-12-30 entirely; daylight saving until 2021
    "Africa/Casablanca",  # clocks change around Ramadan, several times a year
    "Asia/Taipei",  # no daylight saving
    "Asia/Kolkata",  # +05:30, no daylight saving
    "Asia/Kathmandu",  # +05:45
    "Pacific/Kiritimati",  # +14:00: the first to see a new day
)
"""IANA zones whose rules trip up date and time code, used by :func:`timezones`."""

_MIN_DATE: Final = dt.date(2010, 1, 1)
_MAX_DATE: Final = dt.date(2037, 12, 31)
_DEFAULT_LIMIT: Final = Decimal(10) ** 15
"""Amounts range over plus or minus a quadrillion major units unless bounded."""
_EXTRA_PLACES: Final = 4
"""Digits below the minor unit that unrounded amounts may carry."""
_EXACT: Final = decimal.Context(prec=100, traps=[decimal.Inexact, decimal.InvalidOperation])
_NOTABLE_CURRENCIES: Final = ("EUR", "USD", "JPY", "KWD", "BHD", "CLF", "TWD", "KRW")
_INCREMENTS: Final = ("0.01", "0.05", "0.1", "0.25", "0.5", "1", "5", "10", "50", "100")
_TRICKY_TIMES: Final = tuple(
    dt.time(hour, minute) for hour in (0, 1, 2, 3, 23) for minute in (0, 15, 30, 45)
)
_ULID_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS: Final = 80
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MS: Final = dt.timedelta(milliseconds=1)
_LAST_MS: Final = (dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=dt.UTC) - _EPOCH) // _ONE_MS
"""The latest ULID timestamp a ``datetime`` can show (ULIDs go on to the year 10889)."""
_STATE_KINDS: Final = ("int", "str", "enum")


# -- money -----------------------------------------------------------------------------


def currencies(codes: Iterable[str | Currency] | None = None) -> SearchStrategy[Currency]:
    """Currencies: every ISO 4217 currency staycore knows, or those of ``codes``.

    Draws lean towards a few telling currencies (EUR, USD, JPY with no minor unit, KWD
    and BHD with three, CLF with four) but reach every one.

    Args:
        codes: The currencies to draw from (codes or :class:`Currency` values, including
            ones outside ISO 4217); all known ISO currencies by default.

    Raises:
        UnknownCurrencyError: A code is not an ISO 4217 code.
        InvalidArgument: ``codes`` is empty.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import currencies
        >>> find(currencies(["JPY", "KWD"]), lambda c: c.minor_units > 0)
        Currency('KWD')
    """
    return _currencies(_currency_key(codes))


def amounts(
    currency: str | Currency,
    *,
    min_value: AmountLike | None = None,
    max_value: AmountLike | None = None,
    rounded: bool = True,
) -> SearchStrategy[Decimal]:
    """Exact decimal amounts of ``currency``, written with its minor units.

    Args:
        currency: The currency whose minor units the amounts use.
        min_value: The smallest amount, in major units; minus 10**15 by default.
        max_value: The largest amount, in major units; 10**15 by default.
        rounded: Whole minor units only (the default); with False, amounts carry up to
            four more digits, as prices do before they are rounded.

    Raises:
        InvalidArgument: No amount with those digits lies between the bounds.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import amounts
        >>> find(amounts("KWD", min_value="0.0005"), lambda amount: True)
        Decimal('0.001')
        >>> find(amounts("JPY", max_value=-100), lambda amount: True)
        Decimal('-100')
    """
    resolved = Currency.of(currency)
    places = _places(resolved, rounded)
    low, high = _unit_bounds(resolved, places, min_value, max_value)
    return _scaled_integers(low, high, places)


def money(
    currencies: Iterable[str | Currency] | None = None,
    *,
    min_value: AmountLike | None = None,
    max_value: AmountLike | None = None,
    rounded: bool = True,
) -> SearchStrategy[Money]:
    """Money in any of ``currencies``: zero, negative, tiny and very large amounts.

    Args:
        currencies: The currencies to draw from; every ISO currency by default.
        min_value: The smallest amount, in major units of whichever currency is drawn.
        max_value: The largest amount, in major units.
        rounded: Whole minor units only (the default); with False, amounts may carry
            digits below the minor unit, as a price does before :meth:`Money.rounded`.

    Raises:
        UnknownCurrencyError: A code is not an ISO 4217 code.
        InvalidArgument: The bounds leave no amount for one of the currencies.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import money
        >>> money(currencies=["JPY"]).validate()
        >>> find(money(currencies=["JPY"], min_value=1000), lambda price: True)
        Money('1000', 'JPY')
        >>> find(money(currencies=["USD"], rounded=False), lambda m: not m.is_rounded).currency
        Currency('USD')
    """
    key = _currency_key(currencies)
    for currency in _currency_pool(key):
        _unit_bounds(currency, _places(currency, rounded), min_value, max_value)
    return _money(key, min_value, max_value, rounded)


@st.composite
def _currencies(draw: DrawFn, codes: tuple[Currency, ...] | None) -> Currency:
    return draw(_currency_choice(codes))


@st.composite
def _money(
    draw: DrawFn,
    codes: tuple[Currency, ...] | None,
    min_value: AmountLike | None,
    max_value: AmountLike | None,
    rounded: bool,
) -> Money:
    currency = draw(_currency_choice(codes))
    places = _places(currency, rounded)
    low, high = _unit_bounds(currency, places, min_value, max_value)
    return Money(draw(_scaled_integers(low, high, places)), currency)


def ratios(*, min_size: int = 1, max_size: int = 8) -> SearchStrategy[list[AmountLike]]:
    """Ratios for :meth:`Money.allocate`: non-negative exact numbers, never all zero.

    They mix ints, decimal strings and ``Decimal`` values, zeros among them, large
    weights and long fractions such as ``Decimal(1) / 3``, which do not divide evenly.

    Args:
        min_size: The fewest ratios in a list (at least 1).
        max_size: The most ratios in a list.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import ratios
        >>> len(find(ratios(min_size=3, max_size=3), lambda weights: True))
        3
    """
    if min_size < 1 or max_size < min_size:
        msg = f"need 1 <= min_size <= max_size, got min_size={min_size}, max_size={max_size}"
        raise InvalidArgument(msg)
    return _ratios(min_size, max_size)


def _ratio() -> SearchStrategy[AmountLike]:
    thirds = st.tuples(st.integers(1, 100), st.integers(1, 100)).map(
        lambda pair: decimal.Context(prec=28).divide(Decimal(pair[0]), Decimal(pair[1]))
    )
    return st.one_of(
        st.integers(0, 100),
        st.integers(0, 10**12),
        st.decimals(min_value=0, max_value=1000, places=4),
        st.decimals(min_value=0, max_value=1, places=2).map(lambda d: f"{d:f}"),
        thirds,
    )


@st.composite
def _ratios(draw: DrawFn, min_size: int, max_size: int) -> list[AmountLike]:
    weights = draw(st.lists(_ratio(), min_size=min_size - 1, max_size=max_size - 1))
    positive = draw(_ratio().filter(lambda r: Decimal(r) > 0))
    weights.insert(draw(st.integers(0, len(weights))), positive)
    return weights


def rounding_policies(
    *,
    modes: Iterable[str] | None = None,
    increments: Iterable[AmountLike] | None = _INCREMENTS,
) -> SearchStrategy[RoundingPolicy]:
    """Rounding policies: any :mod:`decimal` rounding mode, with or without an increment.

    Args:
        modes: The ``decimal.ROUND_*`` modes to draw from; all eight by default.
        increments: Increments to round to besides the currency's minor unit, such as
            ``"0.05"`` for cash rounding; ``None`` for the minor unit only.

    Raises:
        InvalidArgument: ``modes`` is empty.
        InvalidAmountError: A mode or an increment is one the kernel refuses.

    Example:
        >>> import decimal
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import rounding_policies
        >>> policies = rounding_policies(modes=[decimal.ROUND_HALF_UP], increments=["0.05"])
        >>> find(policies, lambda policy: policy.increment is not None)
        RoundingPolicy(mode='ROUND_HALF_UP', increment=Decimal('0.05'))
    """
    mode_pool = list(modes) if modes is not None else list(ROUNDING_MODES)
    if not mode_pool:
        raise InvalidArgument("modes must name at least one decimal.ROUND_* mode")
    for mode in mode_pool:
        RoundingPolicy(mode)  # raises InvalidAmountError for a mode decimal does not know
    steps = [RoundingPolicy(increment=i).increment for i in increments or ()]
    step_strategy: SearchStrategy[Decimal | None] = st.none()
    if steps:
        step_strategy = st.one_of(st.none(), st.sampled_from(steps))
    return st.builds(RoundingPolicy, st.sampled_from(mode_pool), step_strategy)


def _currency_key(codes: Iterable[str | Currency] | None) -> tuple[Currency, ...] | None:
    """Resolve and check ``codes`` once; ``None`` stands for every ISO currency."""
    if codes is None:
        return None
    key = tuple(dict.fromkeys(Currency.of(code) for code in codes))
    if not key:
        raise InvalidArgument("currencies must name at least one currency")
    return key


def _currency_pool(codes: tuple[Currency, ...] | None) -> tuple[Currency, ...]:
    return tuple(Currency.of(code) for code in iso_codes()) if codes is None else codes


@functools.cache
def _currency_choice(codes: tuple[Currency, ...] | None) -> SearchStrategy[Currency]:
    pool = _currency_pool(codes)
    notable = [c for c in pool if c.code in _NOTABLE_CURRENCIES]
    everything = st.sampled_from(pool)
    return st.one_of(st.sampled_from(notable), everything) if notable else everything


def _places(currency: Currency, rounded: bool) -> int:
    return currency.minor_units + (0 if rounded else _EXTRA_PLACES)


def _unit_bounds(
    currency: Currency, places: int, min_value: AmountLike | None, max_value: AmountLike | None
) -> tuple[int, int]:
    """Return the range of ``10**-places`` steps between the bounds."""
    low = -_DEFAULT_LIMIT if min_value is None else to_decimal(min_value, what="min_value")
    high = _DEFAULT_LIMIT if max_value is None else to_decimal(max_value, what="max_value")
    if min_value is not None and max_value is None:
        high = max(high, low + _DEFAULT_LIMIT)
    if max_value is not None and min_value is None:
        low = min(low, high - _DEFAULT_LIMIT)
    first = math.ceil(_EXACT.scaleb(low, places))
    last = math.floor(_EXACT.scaleb(high, places))
    if first > last:
        msg = (
            f"no {currency} amount with {places} decimal places lies between "
            f"{min_value} and {max_value}; widen the bounds"
        )
        raise InvalidArgument(msg)
    return first, last


def _scaled_integers(low: int, high: int, places: int) -> SearchStrategy[Decimal]:
    """Whole numbers of ``10**-places`` steps from ``low`` to ``high``, as decimals."""
    small = 10 ** (places + 4)
    options = [st.integers(low, high)]
    if max(low, -small) <= min(high, small) and (low < -small or high > small):
        options.insert(0, st.integers(max(low, -small), min(high, small)))
    return st.one_of(options).map(lambda units: _EXACT.scaleb(Decimal(units), -places))


# -- dates, instants, stays and slots --------------------------------------------------


def timezones(names: Iterable[str] | None = None) -> SearchStrategy[str]:
    """IANA timezone names with daylight-saving rules worth testing against.

    Args:
        names: The zones to draw from; :data:`TIMEZONES` by default.

    Raises:
        UnknownTimezoneError: A name is not an IANA timezone.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import timezones
        >>> find(timezones(), lambda name: name.startswith("Australia/L"))
        'Australia/Lord_Howe'
    """
    return st.sampled_from(_zone_pool(_zone_key(names)))


def booking_dates(
    *,
    min_date: dt.date = _MIN_DATE,
    max_date: dt.date = _MAX_DATE,
    timezones: Iterable[str] | None = None,
) -> SearchStrategy[dt.date]:
    """Calendar dates, a third of them on daylight-saving changes and a third at year end.

    Args:
        min_date: The earliest date (2010-01-01 by default).
        max_date: The latest date (2037-12-31 by default).
        timezones: Whose daylight-saving changes to lean towards; :data:`TIMEZONES`
            by default.

    Example:
        >>> import datetime as dt
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import booking_dates
        >>> window = booking_dates(min_date=dt.date(2026, 1, 1), max_date=dt.date(2026, 12, 31))
        >>> find(window, lambda day: day.month == 12 and day.day > 30)
        datetime.date(2026, 12, 31)
    """
    _check_window(min_date, max_date)
    return _dates(_zone_key(timezones), min_date, max_date)


def wall_times() -> SearchStrategy[dt.time]:
    """Naive wall-clock times, leaning towards the hours in which clocks change.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import wall_times
        >>> find(wall_times(), lambda at: at.hour == 2 and at.minute == 30)
        datetime.time(2, 30)
    """
    return st.one_of(st.sampled_from(_TRICKY_TIMES), st.times())


def instants(
    *,
    timezones: Iterable[str] | None = None,
    min_date: dt.date = _MIN_DATE,
    max_date: dt.date = _MAX_DATE,
) -> SearchStrategy[pendulum.DateTime]:
    """Timezone-aware instants, shown in one of ``timezones``, often next to a DST change.

    Each is the instant a wall clock in the zone shows a drawn time on a drawn local date
    (either occurrence of a repeated time; a skipped time moves past the gap), so the
    instants cluster where daylight-saving bugs live.

    Args:
        timezones: The zones to draw from; :data:`TIMEZONES` by default.
        min_date: The earliest local date.
        max_date: The latest local date.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import instants
        >>> find(instants(timezones=["Asia/Taipei"]), lambda instant: True).utcoffset()
        datetime.timedelta(seconds=28800)
    """
    _check_window(min_date, max_date)
    return _instants(_zone_key(timezones), min_date, max_date)


def stays(
    *,
    min_nights: int = 1,
    max_nights: int = 30,
    min_date: dt.date = _MIN_DATE,
    max_date: dt.date = _MAX_DATE,
) -> SearchStrategy[Stay]:
    """Stays that often include a night of a daylight-saving change or the new year.

    Args:
        min_nights: The fewest nights (at least 1).
        max_nights: The most nights.
        min_date: The earliest check-in.
        max_date: The latest check-out.

    Raises:
        InvalidArgument: The bounds leave no stay.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import stays
        >>> find(stays(max_nights=7), lambda stay: stay.nights > 6).nights
        7
    """
    if min_nights < 1 or max_nights < min_nights:
        msg = f"need 1 <= min_nights <= max_nights, got {min_nights} and {max_nights}"
        raise InvalidArgument(msg)
    _check_window(min_date, max_date)
    if (max_date - min_date).days < min_nights:
        msg = f"no stay of {min_nights} nights fits between {min_date} and {max_date}"
        raise InvalidArgument(msg)
    return _stays(min_nights, max_nights, min_date, max_date)


def slots(
    *,
    min_minutes: int = 1,
    max_minutes: int = 24 * 60,
    timezones: Iterable[str] | None = None,
    min_date: dt.date = _MIN_DATE,
    max_date: dt.date = _MAX_DATE,
) -> SearchStrategy[Slot]:
    """Appointment slots starting at :func:`instants`, often across a DST change.

    Args:
        min_minutes: The shortest slot, in elapsed minutes (at least 1).
        max_minutes: The longest slot, in elapsed minutes.
        timezones: The zones the starts are shown in; :data:`TIMEZONES` by default.
        min_date: The earliest local start date.
        max_date: The latest local start date.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import slots
        >>> find(slots(min_minutes=30, max_minutes=90), lambda slot: slot.minutes > 89).minutes
        90
    """
    if min_minutes < 1 or max_minutes < min_minutes:
        msg = f"need 1 <= min_minutes <= max_minutes, got {min_minutes} and {max_minutes}"
        raise InvalidArgument(msg)
    _check_window(min_date, max_date)
    return _slots(
        zones=_zone_key(timezones),
        min_date=min_date,
        max_date=max_date,
        min_minutes=min_minutes,
        max_minutes=max_minutes,
    )


@st.composite
def _slots(
    draw: DrawFn,
    *,
    zones: tuple[str, ...] | None,
    min_date: dt.date,
    max_date: dt.date,
    min_minutes: int,
    max_minutes: int,
) -> Slot:
    start = draw(_instants(zones, min_date, max_date))
    return Slot.starting(start, minutes=draw(st.integers(min_minutes, max_minutes)))


def _zone_key(names: Iterable[str] | None) -> tuple[str, ...] | None:
    """Check ``names`` once; ``None`` stands for :data:`TIMEZONES`."""
    if names is None:
        return None
    key = tuple(dict.fromkeys(names))
    if not key:
        raise InvalidArgument("timezones must name at least one IANA timezone")
    for name in key:
        timezone(name)  # raises UnknownTimezoneError for a bad name
    return key


def _zone_pool(key: tuple[str, ...] | None) -> tuple[str, ...]:
    return TIMEZONES if key is None else key


def _check_window(min_date: dt.date, max_date: dt.date) -> None:
    for value in (min_date, max_date):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            msg = f"date bounds must be calendar dates, got {value!r}"
            raise InvalidArgument(msg)
    if max_date < min_date:
        msg = f"max_date {max_date} is before min_date {min_date}"
        raise InvalidArgument(msg)


@functools.cache
def _change_dates(zone: str, year: int) -> tuple[dt.date, ...]:
    """The local dates in ``year`` on which the UTC offset of ``zone`` changes.

    Found by sampling the offset once a UTC day and bisecting each change to the minute;
    both the local date before and after the change are kept (a change at midnight
    touches two dates).
    """
    tz = timezone(zone)
    moment = dt.datetime(year, 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=1)
    offset = moment.astimezone(tz).utcoffset()
    found: set[dt.date] = set()
    for _ in range(368):
        later = moment + dt.timedelta(days=1)
        later_offset = later.astimezone(tz).utcoffset()
        if later_offset != offset:
            low, high = moment, later
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.update((low.astimezone(tz).date(), high.astimezone(tz).date()))
        moment, offset = later, later_offset
    return tuple(sorted(day for day in found if day.year == year))


@st.composite
def _change_date(
    draw: DrawFn, zones: tuple[str, ...] | None, low: dt.date, high: dt.date
) -> dt.date:
    zone = draw(st.sampled_from(_zone_pool(zones)))
    year = draw(st.integers(low.year, high.year))
    candidates = [day for day in _change_dates(zone, year) if low <= day <= high]
    if not candidates:
        return draw(st.dates(low, high))
    return draw(st.sampled_from(candidates))


@st.composite
def _year_end(draw: DrawFn, low: dt.date, high: dt.date) -> dt.date:
    year = draw(st.integers(low.year - 1, high.year))
    day = dt.date(year, 12, 20) + dt.timedelta(days=draw(st.integers(0, 21)))
    if not low <= day <= high:
        return draw(st.dates(low, high))
    return day


def _dates(zones: tuple[str, ...] | None, low: dt.date, high: dt.date) -> SearchStrategy[dt.date]:
    return st.one_of(st.dates(low, high), _change_date(zones, low, high), _year_end(low, high))


@st.composite
def _instants(
    draw: DrawFn, zones: tuple[str, ...] | None, low: dt.date, high: dt.date
) -> pendulum.DateTime:
    zone = draw(st.sampled_from(_zone_pool(zones)))
    day = draw(_dates((zone,), low, high))
    at = draw(wall_times())
    fold: Literal[0, 1] = draw(st.sampled_from((0, 1)))
    return local_instant(day, at, zone, fold=fold)


@st.composite
def _stays(draw: DrawFn, min_nights: int, max_nights: int, low: dt.date, high: dt.date) -> Stay:
    longest = min(max_nights, (high - low).days)
    nights = draw(st.integers(min_nights, longest))
    # Pick a night worth testing, then place the stay so that it holds that night.
    night = draw(_dates(None, low, high - dt.timedelta(days=1)))
    check_in = night - dt.timedelta(days=draw(st.integers(0, nights - 1)))
    check_in = min(max(check_in, low), high - dt.timedelta(days=nights))
    return Stay.of_nights(check_in, nights)


# -- identifiers -----------------------------------------------------------------------


def identifiers(kind: type[I]) -> SearchStrategy[I]:
    """Valid identifiers of ``kind``, with ULID timestamps from 1970 to the year 9999.

    Most timestamps are recent (2020 to 2040); the random part covers all 80 bits. For
    the :class:`Identifier` base class, the prefix is any valid prefix or none.

    Args:
        kind: An :class:`Identifier` subclass (or the base class itself).

    Raises:
        InvalidArgument: ``kind`` is not an :class:`Identifier` class.

    Example:
        >>> from hypothesis import find
        >>> from staycore.kernel.ids import Identifier
        >>> from staycore.testing.strategies import identifiers
        >>> class DocBookingId(Identifier):
        ...     prefix = "doc_bkg"
        >>> booking = find(identifiers(DocBookingId), lambda booking: True)
        >>> type(booking).__name__, booking.startswith("doc_bkg_")
        ('DocBookingId', True)
    """
    if not (isinstance(kind, type) and issubclass(kind, Identifier)):
        msg = f"kind must be an Identifier subclass, got {kind!r}"
        raise InvalidArgument(msg)
    if kind.prefix:
        prefixes: SearchStrategy[str] = st.just(kind.prefix)
    else:
        shapes = st.from_regex(r"[a-z][a-z0-9]{0,5}(_[a-z0-9]{1,4}){0,2}", fullmatch=True)
        prefixes = st.one_of(st.just(""), shapes)
    return _identifiers(kind, prefixes)


@st.composite
def _identifiers(draw: DrawFn, kind: type[I], prefixes: SearchStrategy[str]) -> I:
    prefix = draw(prefixes)
    millis = draw(st.one_of(st.integers(_millis(2020), _millis(2040)), st.integers(0, _LAST_MS)))
    rand = draw(st.integers(0, (1 << _RANDOM_BITS) - 1))
    return kind(_identifier_text(prefix, millis, rand))


def _millis(year: int) -> int:
    return (dt.datetime(year, 1, 1, tzinfo=dt.UTC) - _EPOCH) // _ONE_MS


def _identifier_text(prefix: str, millis: int, rand: int) -> str:
    value = (millis << _RANDOM_BITS) | rand
    digits = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        digits.append(_ULID_ALPHABET[digit])
    ulid = "".join(reversed(digits))
    return f"{prefix}_{ulid}" if prefix else ulid


def register_identifier_kinds() -> None:
    """Make ``st.from_type`` draw every :class:`Identifier` kind declared so far.

    Hypothesis resolves a registered base class, not its subclasses, so kinds declared
    after hypothesis was imported (in a host application, or in a test module) need this
    call, typically once in a ``conftest.py``. Calling it again is harmless.

    Example:
        >>> from hypothesis import find, strategies as st
        >>> from staycore.kernel.ids import Identifier
        >>> from staycore.testing.strategies import register_identifier_kinds
        >>> class DocRoomId(Identifier):
        ...     prefix = "doc_room_kind"
        >>> register_identifier_kinds()
        >>> find(st.from_type(DocRoomId), lambda room: True).startswith("doc_room_kind_")
        True
    """
    pending = list(Identifier.__subclasses__())
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        st.register_type_strategy(kind, _identifiers_for)


def _identifiers_for(kind: type[Identifier]) -> SearchStrategy[Identifier]:
    return identifiers(kind)


# -- state machines --------------------------------------------------------------------


def transition_tables(
    *,
    min_states: int = 1,
    max_states: int = 8,
    max_extra_transitions: int = 12,
    state_kind: Literal["int", "str", "enum"] | None = None,
) -> SearchStrategy[TransitionTable[Hashable, str, None]]:
    """Valid random transition tables (no guards), for testing code that runs lifecycles.

    Every state is reachable from the initial one (a random spanning tree grows from it),
    every non-final state has an exit, final states have none, and each (state, event)
    pair has at most one edge. Extra random edges add cycles, self-loops and parallel
    edges; declaration order is shuffled.

    Args:
        min_states: The fewest states (at least 1).
        max_states: The most states.
        max_extra_transitions: The most edges beyond those that make the table valid.
        state_kind: States as ``"int"``, ``"str"`` (letters and digits of any script,
            and ``_``) or members of a generated ``"enum"``; any of the three by
            default. Events are always strings.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.strategies import transition_tables
        >>> table = find(transition_tables(min_states=3, state_kind="int"), lambda t: True)
        >>> len(table.states), table.initial in table.states, table.is_final(table.initial)
        (3, True, False)
    """
    if min_states < 1 or max_states < min_states:
        msg = f"need 1 <= min_states <= max_states, got {min_states} and {max_states}"
        raise InvalidArgument(msg)
    if max_extra_transitions < 0:
        raise InvalidArgument("max_extra_transitions must not be negative")
    kinds = _STATE_KINDS if state_kind is None else (state_kind,)
    if not set(kinds) <= set(_STATE_KINDS):
        msg = f"state_kind must be one of {_STATE_KINDS}, got {state_kind!r}"
        raise InvalidArgument(msg)
    return _tables(min_states, max_states, max_extra_transitions, kinds)


def _state_values(draw: DrawFn, kind: str, count: int) -> list[Hashable]:
    if kind == "int":
        ints = draw(st.lists(st.integers(), min_size=count, max_size=count, unique=True))
        return list(ints)
    if kind == "str":
        # Names as a lifecycle has them (any script), without the spaces and line breaks
        # that diagrams cannot hold.
        name = st.text(st.characters(categories=("L", "N"), include_characters="_"), min_size=1)
        texts = draw(st.lists(name, min_size=count, max_size=count, unique=True))
        return list(texts)
    members = enum.Enum("GeneratedState", [(f"S{i}", f"s{i}") for i in range(count)])  # type: ignore[misc]
    return list(members)


@st.composite
def _tables(
    draw: DrawFn, min_states: int, max_states: int, max_extra: int, kinds: Sequence[str]
) -> TransitionTable[Hashable, str, None]:
    count = draw(st.integers(min_states, max_states))
    states = _state_values(draw, draw(st.sampled_from(kinds)), count)
    # The initial state is never final unless it is the only state.
    final = [False] + [draw(st.booleans()) for _ in states[1:]]
    if count == 1:
        final[0] = draw(st.booleans())
    edges: list[tuple[int, int]] = []
    for index in range(1, count):
        parent = draw(st.sampled_from([j for j in range(index) if not final[j]]))
        edges.append((parent, index))
    sources = [j for j in range(count) if not final[j]]
    for source in sources:
        if all(edge[0] != source for edge in edges):
            edges.append((source, draw(st.integers(0, count - 1))))
    if sources:
        extra = st.tuples(st.sampled_from(sources), st.integers(0, count - 1))
        edges += draw(st.lists(extra, max_size=max_extra))
    edges = draw(st.permutations(edges))
    degree = max((sum(1 for e in edges if e[0] == s) for s in sources), default=0)
    names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
    events = draw(st.lists(names, min_size=degree, max_size=degree, unique=True))
    order = {source: draw(st.permutations(events)) for source in sources}
    used: dict[int, int] = dict.fromkeys(sources, 0)
    transitions: list[Transition[Hashable, str, None]] = []
    for source, target in edges:
        transitions.append(Transition(states[source], order[source][used[source]], states[target]))
        used[source] += 1
    return TransitionTable(
        "generated",
        states=states,
        initial=states[0],
        final=[state for state, is_final in zip(states, final, strict=True) if is_final],
        transitions=transitions,
    )


def event_sequences(
    table: TransitionTable[S, E, Any], *, max_size: int = 30
) -> SearchStrategy[list[E]]:
    """Sequences of the events ``table`` declares, most of them legal where they occur.

    The sequence follows the table from its initial state: three steps in four take an
    event the current state accepts (guards are not consulted), the rest take any event
    of the table, which is often illegal there.

    Args:
        table: The lifecycle to walk.
        max_size: The longest sequence.

    Example:
        >>> from hypothesis import find
        >>> from staycore.kernel.state_machine import Transition, TransitionTable
        >>> from staycore.testing.strategies import event_sequences
        >>> light = TransitionTable(
        ...     "light", states=["off", "on"], initial="off", final=[],
        ...     transitions=[Transition("off", "press", "on"), Transition("on", "press", "off")],
        ... )
        >>> find(event_sequences(light), lambda events: len(events) == 2)
        ['press', 'press']
    """
    if max_size < 0:
        raise InvalidArgument("max_size must not be negative")
    events = list(dict.fromkeys(edge.event for edge in table.transitions))
    if not events:
        return st.just([])
    targets = {(edge.source, edge.event): edge.target for edge in table.transitions}
    accepted: dict[S, list[E]] = {}
    for edge in table.transitions:
        accepted.setdefault(edge.source, []).append(edge.event)
    return _walks(
        initial=table.initial,
        targets=targets,
        accepted=accepted,
        events=events,
        max_size=max_size,
    )


@st.composite
def _walks(
    draw: DrawFn,
    *,
    initial: S,
    targets: dict[tuple[S, E], S],
    accepted: dict[S, list[E]],
    events: list[E],
    max_size: int,
) -> list[E]:
    state, walk = initial, []
    for _ in range(draw(st.integers(0, max_size))):
        options = accepted.get(state)
        legal = bool(options) and draw(st.integers(0, 3)) > 0
        event = draw(st.sampled_from(options if legal and options else events))
        walk.append(event)
        state = targets.get((state, event), state)
    return walk


# -- pricing ---------------------------------------------------------------------------


def guests(*, max_adults: int = 6, max_children: int = 4) -> SearchStrategy[Guests]:
    """Parties: at least one adult, and children.

    Example:
        >>> from hypothesis import given
        >>> from staycore.testing.strategies import guests
        >>> @given(guests(max_adults=2))
        ... def test(party):
        ...     assert 1 <= party.adults <= 2
        >>> test()
    """
    return st.builds(Guests, st.integers(1, max_adults), st.integers(0, max_children))


def price_changes(*, currency: str | Currency = "EUR") -> SearchStrategy[PriceChange]:
    """Changes a pricing rule makes: -60 % to +80 %, or plus or minus 30 major units.

    Example:
        >>> from decimal import Decimal
        >>> from hypothesis import given
        >>> from staycore.testing.strategies import price_changes
        >>> @given(price_changes())
        ... def test(change):
        ...     assert change.apply(Decimal(0)) == change.add
        >>> test()
    """
    places = Currency.of(currency).minor_units
    percents = st.integers(-60, 80).map(PriceChange.percent)
    amounts_ = st.integers(-30 * 10**places, 30 * 10**places).map(
        lambda units: PriceChange.amount(Decimal(units).scaleb(-places))
    )
    return st.one_of(percents, amounts_)


def rate_plans(*, currency: str | Currency = "EUR") -> SearchStrategy[RatePlan]:
    """Rate plans with supplements, sometimes derived from a parent plan.

    Example:
        >>> from hypothesis import given
        >>> from staycore.testing.strategies import rate_plans
        >>> @given(rate_plans(currency="JPY"))
        ... def test(plan):
        ...     assert plan.currency.code == "JPY"
        >>> test()
    """
    return _rate_plans(Currency.of(currency))


@st.composite
def _rate_plans(draw: DrawFn, currency: Currency) -> RatePlan:
    price = _prices(currency)
    plan = RatePlan(
        id=draw(identifiers(RatePlanId)),
        unit_type=draw(identifiers(UnitTypeId)),
        name="Standard",
        base_price=draw(price),
        base_occupancy=draw(st.integers(1, 3)),
        extra_adult=draw(price),
        child=draw(price),
        taxes_included=draw(st.booleans()),
    )
    if draw(st.booleans()):
        plan = plan.derive(draw(identifiers(RatePlanId)), "Derived", draw(price_changes()))
    return plan


def promotions(*, currency: str | Currency = "EUR") -> SearchStrategy[Promotion]:
    """Promotions of every kind, applying by themselves, with stacking and priorities.

    Example:
        >>> from hypothesis import given
        >>> from staycore.testing.strategies import promotions
        >>> @given(promotions())
        ... def test(promotion):
        ...     assert not promotion.requires_code
        >>> test()
    """
    return _promotions(Currency.of(currency))


@st.composite
def _promotions(draw: DrawFn, currency: Currency) -> Promotion:
    kind = draw(st.sampled_from(DiscountKind))
    fields: dict[str, Any] = {
        "id": draw(identifiers(PromotionId)),
        "name": f"{kind.value} {draw(st.integers(0, 99))}",
        "kind": kind,
        "requires_code": False,
        "stacking": draw(st.sampled_from(Stacking)),
        "priority": draw(st.integers(0, 3)),
        "min_nights": draw(st.integers(0, 3)),
    }
    if kind is DiscountKind.PERCENT:
        fields["percent"] = Decimal(draw(st.integers(1, 100)))
    elif kind is DiscountKind.FREE_NIGHTS:
        stay_nights = draw(st.integers(2, 5))
        fields.update(stay_nights=stay_nights, pay_nights=draw(st.integers(1, stay_nights - 1)))
    else:
        positive = _prices(currency, least=1)
        fields.update(amount=draw(positive), threshold=draw(positive))
    return Promotion(**fields)


def rule_sets(
    *, currency: str | Currency = "EUR", nights: Stay | None = None
) -> SearchStrategy[RuleSet]:
    """Rule sets with every kind of rule, fee, tax and promotion, in one currency.

    Args:
        currency: The rule set's currency.
        nights: Where seasons fall; the summer of 2026 by default.

    Example:
        >>> from hypothesis import given
        >>> from staycore.testing.strategies import rule_sets
        >>> @given(rule_sets())
        ... def test(rules):
        ...     assert rules.floor is None or rules.ceiling is None or rules.floor <= rules.ceiling
        >>> test()
    """
    return _rule_sets(Currency.of(currency), nights or _SEASON_NIGHTS)


@st.composite
def _rule_sets(draw: DrawFn, currency: Currency, nights: Stay) -> RuleSet:
    changes = price_changes(currency=currency)
    percents = st.integers(-60, 80).map(PriceChange.percent)
    bounds = sorted(draw(st.lists(_prices(currency), min_size=2, max_size=2)))
    return RuleSet(
        version="generated",
        currency=currency,
        timezone=draw(timezones()),
        seasons=[
            Season(
                "season",
                draw(stays(min_date=nights.check_in, max_date=nights.last_night)),
                draw(changes),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        weekdays=[WeekdayRule("weekend", {4, 5}, draw(changes))],
        demand=draw(st.none() | st.just(DemandCurve([("0.5", "0"), ("0.9", "25")]))),
        lead_time=[
            LeadTimeRule(
                "early bird", LeadTime.EARLY_BIRD, draw(st.integers(0, 90)), draw(percents)
            )
        ],
        length_of_stay=[LengthOfStayRule(7, PriceChange.percent(-draw(st.integers(0, 30))))],
        tiers={"gold": PriceChange.percent(-5)},
        floor=draw(st.none() | st.just(bounds[0])),
        ceiling=draw(st.none() | st.just(bounds[1])),
        fees=[Fee("Cleaning", draw(_prices(currency)), draw(st.sampled_from(FeeBasis)))],
        taxes=[
            Tax.percent("VAT", draw(st.integers(0, 25))),
            Tax.per_person_night("City tax", draw(_prices(currency, most=5))),
        ],
        promotions=draw(st.lists(_promotions(currency), max_size=3)),
    )


_SEASON_NIGHTS: Final = Stay(dt.date(2026, 6, 1), dt.date(2026, 10, 1))


def _prices(currency: Currency, *, least: int = 0, most: int = 500) -> SearchStrategy[Money]:
    """Rounded prices from ``least`` to ``most`` major units."""
    scale = 10**currency.minor_units
    return st.integers(least * scale, most * scale).map(
        lambda units: Money.from_minor(units, currency)
    )


# -- registration ----------------------------------------------------------------------


def _registered(factory: Callable[[], SearchStrategy[Any]]) -> Callable[[type], Any]:
    """Defer building a strategy until hypothesis resolves the type, not at import."""
    return lambda _type: factory()


def _register_strategies() -> None:
    """Register the strategies for the kernel types with ``st.from_type``.

    Registers callables rather than strategies so nothing is built while hypothesis is
    still being imported.
    """
    st.register_type_strategy(Currency, _registered(currencies))
    st.register_type_strategy(Money, _registered(money))
    st.register_type_strategy(RoundingPolicy, _registered(rounding_policies))
    st.register_type_strategy(Stay, _registered(stays))
    st.register_type_strategy(Slot, _registered(slots))
    st.register_type_strategy(Identifier, _identifiers_for)
    st.register_type_strategy(Guests, _registered(guests))
    st.register_type_strategy(PriceChange, _registered(price_changes))
    st.register_type_strategy(RatePlan, _registered(rate_plans))
    st.register_type_strategy(Promotion, _registered(promotions))
    st.register_type_strategy(RuleSet, _registered(rule_sets))
    register_identifier_kinds()


if _EARLY_HOOK_CALLS:
    _register_strategies()
