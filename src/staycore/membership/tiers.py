"""Loyalty tiers as data: thresholds, a qualification window, validity and a soft landing.

A :class:`TierProgram` is a list of :class:`Tier` values, the entry tier every member
holds first, then each higher tier with a :class:`Threshold`: qualifying nights, stays or
spend (any one of them is enough), and optionally a spend that must be met as well. The
programme measures a member's :class:`~staycore.membership.history.StayRecord` history
over a :class:`CalendarYear` or a :class:`RollingWindow`, and a tier once reached is held
until a date its :class:`ValidThrough` (or :class:`ValidFor`) rule gives. Each tier
carries its :class:`Benefits`.

Everything works on local dates, the days stays count on (their check-out dates), and
nothing reads a clock. The status of a member is a :class:`TierStatus`, and follows
these rules, applied day by day in order:

* **Qualifying.** On each day a stay counts, the window's totals as of that day (the
  stays counted from the window's first day up to and including that day) are measured
  against the thresholds. A tier above the one held is reached at once: it is qualified
  on that day and valid through the day the validity rule gives. The tier held is
  re-qualified: its ``qualified_on`` moves to that day, and its ``valid_through`` to the
  rule's date when that is later. A lower tier changes nothing on the day, but still
  counts when the status ends (next rule).
* **Validity ends.** On the day after ``valid_through`` the member keeps the highest of:
  the tier the window qualifies for that day; a tier qualified for on an earlier day
  whose validity reaches that day (a lower tier earned while holding a higher one); and,
  with a soft landing, the tier held less ``soft_landing`` tiers. A tier the history
  supports keeps the validity it earned (its latest qualifying day decides); a tier
  granted by the soft landing alone holds for one more validity period
  (:meth:`ValidThrough.next_period`), as the big hotel programmes do. When several
  periods have passed, this repeats at the end of each. The entry tier never ends.

So a tier held depends only on the history and the day: :meth:`TierProgram.evaluate`
after every stay gives the same status as :meth:`TierProgram.replay` from scratch. Stays
are expected in the order they count; a stay recorded after a later one was evaluated
still counts in the totals of the days after it, and ``replay`` gives the status as if
it had been recorded in time.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.membership.history import StayRecord
    >>> from staycore.membership.tiers import TierProgram
    >>> from staycore.orders.ids import OrderId
    >>> def stay(text: str, spend: str) -> StayRecord:
    ...     nights = Stay.parse(text)
    ...     return StayRecord(
    ...         order=OrderId.new(), stay=nights, spend=Money.of(spend, "EUR"),
    ...         completed_at=pendulum.parse(f"{nights.check_out}T12:00:00Z"))
    >>> program = TierProgram.example("EUR")
    >>> [tier.name for tier in program.tiers]
    ['Member', 'Silver', 'Gold', 'Platinum']
    >>> history = [stay("2026-03-02/2026-03-06", "620.00"),
    ...            stay("2026-05-10/2026-05-14", "540.00"),
    ...            stay("2026-06-01/2026-06-03", "310.00")]
    >>> status = program.evaluate(history, None, on=dt.date(2026, 6, 3))
    >>> print(status)
    Silver, qualified on 2026-06-03, valid through 2028-02-29
    >>> print(program.progress(history, status, on=dt.date(2026, 6, 3)))
    15 nights or 9 stays or EUR 3,530.00 spend to Gold
    >>> program.benefits(status).bonus_percent
    Decimal('10')

    Without another stay, the status ends with February 2028, and the soft landing is one
    tier down, the entry tier:

    >>> print(program.evaluate(history, status, on=dt.date(2028, 3, 1)))
    Member
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import decimal
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from staycore.kernel.currency import Currency
from staycore.kernel.errors import CurrencyMismatchError, StaycoreError
from staycore.kernel.money import Money, RoundingPolicy, to_decimal
from staycore.membership.errors import LoyaltyError
from staycore.membership.history import StayRecord, StayTotals

__all__ = [
    "Benefits",
    "CalendarYear",
    "InvalidEvaluationDayError",
    "InvalidTierProgramError",
    "InvalidTierStatusError",
    "Progress",
    "QualificationWindow",
    "RollingWindow",
    "Threshold",
    "Tier",
    "TierChange",
    "TierChangeReason",
    "TierProgram",
    "TierStatus",
    "UnknownTierError",
    "ValidFor",
    "ValidThrough",
    "ValidityRule",
]

_ONE_DAY: Final = dt.timedelta(days=1)
# What a member still has to spend is rounded up: spending it must be enough.
_UP: Final = RoundingPolicy(decimal.ROUND_CEILING)
_OR_MEASURES: Final = ("nights", "stays", "spend")


# -- errors ------------------------------------------------------------------------------


class InvalidTierProgramError(LoyaltyError):
    """A tier programme, a tier, its threshold or its benefits are out of range or unordered.

    Example:
        >>> from staycore.membership.tiers import Threshold
        >>> Threshold()
        Traceback (most recent call last):
        ...
        staycore.membership.tiers.InvalidTierProgramError: [loyalty.invalid_tier_program] ...
    """

    code = "loyalty.invalid_tier_program"


class UnknownTierError(LoyaltyError):
    """A tier name is not one of the programme's tiers.

    Example:
        >>> from staycore.membership.tiers import TierProgram
        >>> TierProgram.example().tier("Diamond")
        Traceback (most recent call last):
        ...
        staycore.membership.tiers.UnknownTierError: [loyalty.unknown_tier] ...
    """

    code = "loyalty.unknown_tier"


class InvalidTierStatusError(LoyaltyError):
    """A tier status has dates that contradict each other or its tier.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import TierStatus
        >>> TierStatus("Gold", dt.date(2026, 6, 3), None)
        Traceback (most recent call last):
        ...
        staycore.membership.tiers.InvalidTierStatusError: [loyalty.invalid_tier_status] ...
    """

    code = "loyalty.invalid_tier_status"


class InvalidEvaluationDayError(LoyaltyError):
    """A status was asked for on something other than a date, or before it was qualified.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import TierProgram
        >>> TierProgram.example().replay([], until=dt.datetime(2026, 6, 3, tzinfo=dt.UTC))
        Traceback (most recent call last):
        ...
        staycore.membership.tiers.InvalidEvaluationDayError:
        [loyalty.invalid_evaluation_day] ...
    """

    code = "loyalty.invalid_evaluation_day"


# -- thresholds and benefits -------------------------------------------------------------


def _count_problem(value: object, what: str) -> str:
    if value is None or (not isinstance(value, bool) and isinstance(value, int) and value >= 1):
        return ""
    return f"a threshold's {what} is a whole number of 1 or more, or None; got {value!r}"


def _amount_problem(value: object, what: str) -> str:
    if value is None or (isinstance(value, Money) and value.is_positive and value.is_rounded):
        return ""
    return (
        f"a threshold's {what} is Money above zero, rounded to the minor unit, or None; "
        f"got {value!r}"
    )


def _money_text(money: Money) -> str:
    """``EUR 1,200.00``: an amount as a guest reads it, rounded up to the minor unit."""
    return f"{money.currency.code} {money.rounded(_UP).amount:,f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _measure_text(measure: str, value: int | Money) -> str:
    if isinstance(value, Money):
        return f"{_money_text(value)} {measure}"
    return _plural(value, measure.removesuffix("s"))


@attrs.frozen(kw_only=True)
class Threshold:
    """What a member must reach in the window to qualify for a tier.

    ``nights``, ``stays`` and ``spend`` are alternatives: meeting any one of those set is
    enough. ``and_spend``, when set, must be met as well, whichever alternative was.

    Attributes:
        nights: Qualifying nights, or ``None`` when nights do not count.
        stays: Qualifying stays, or ``None``.
        spend: Qualifying spend, or ``None``.
        and_spend: A spend that must also be met, or ``None``.

    Raises:
        InvalidTierProgramError: None of ``nights``, ``stays`` and ``spend`` is set, a
            count is not a whole number of 1 or more, an amount is not positive Money
            rounded to the minor unit, or the amounts are in two currencies.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.membership.history import StayTotals
        >>> from staycore.membership.tiers import Threshold
        >>> top = Threshold(nights=50, and_spend=Money.of("10000.00", "EUR"))
        >>> print(top)
        50 nights, and EUR 10,000.00 spend
        >>> top.met_by(StayTotals(nights=52, stays=20, spend=Money.of("9800.00", "EUR")))
        False
    """

    nights: int | None = None
    stays: int | None = None
    spend: Money | None = None
    and_spend: Money | None = None

    def __attrs_post_init__(self) -> None:
        problems = (
            _count_problem(self.nights, "nights"),
            _count_problem(self.stays, "stays"),
            _amount_problem(self.spend, "spend"),
            _amount_problem(self.and_spend, "and_spend"),
        )
        problem = next(filter(None, problems), "")
        if not problem and self.nights is None and self.stays is None and self.spend is None:
            problem = (
                "a threshold needs nights, stays or spend (any one of them qualifies); "
                "and_spend alone cannot be met"
            )
        spend, also = self.spend, self.and_spend
        if (
            not problem
            and spend is not None
            and also is not None
            and spend.currency != also.currency
        ):
            problem = (
                f"a threshold's spend is in {spend.currency} and its and_spend in "
                f"{also.currency}; give both in the programme's currency"
            )
        if problem:
            raise InvalidTierProgramError(problem)

    @property
    def currency(self) -> Currency | None:
        """The currency of the threshold's amounts, or ``None`` when it counts no spend."""
        amount = self.spend if self.spend is not None else self.and_spend
        return None if amount is None else amount.currency

    def alternatives(self) -> dict[str, int | Money]:
        """The measures any one of which qualifies, by name: ``nights``, ``stays``, ``spend``.

        Example:
            >>> from staycore.membership.tiers import Threshold
            >>> Threshold(nights=25, stays=12).alternatives()
            {'nights': 25, 'stays': 12}
        """
        found: dict[str, int | Money] = {}
        if self.nights is not None:
            found["nights"] = self.nights
        if self.stays is not None:
            found["stays"] = self.stays
        if self.spend is not None:
            found["spend"] = self.spend
        return found

    def met_by(self, totals: StayTotals) -> bool:
        """Whether ``totals`` meet one of the alternatives, and the ``and_spend`` if set.

        Example:
            >>> from staycore.kernel.money import Money
            >>> from staycore.membership.history import StayTotals
            >>> from staycore.membership.tiers import Threshold
            >>> Threshold(nights=25, stays=12).met_by(
            ...     StayTotals(nights=14, stays=12, spend=Money.zero("EUR")))
            True
        """
        met = (
            (self.nights is not None and totals.nights >= self.nights)
            or (self.stays is not None and totals.stays >= self.stays)
            or (self.spend is not None and totals.spend >= self.spend)
        )
        return met and (self.and_spend is None or totals.spend >= self.and_spend)

    def __str__(self) -> str:
        text = " or ".join(_measure_text(*item) for item in self.alternatives().items())
        if self.and_spend is not None:
            text += f", and {_measure_text('spend', self.and_spend)}"
        return text


def _bonus(value: Decimal | int | str) -> Decimal:
    try:
        percent = to_decimal(value, what="bonus percent")
    except StaycoreError as error:
        msg = f"a bonus percent is a decimal number of 0 or more such as '25', got {value!r}"
        raise InvalidTierProgramError(msg) from error
    if percent < 0:
        msg = f"a bonus percent is 0 or more (on base points), got {percent}"
        raise InvalidTierProgramError(msg)
    return percent


@attrs.frozen(kw_only=True)
class Benefits:
    """What a tier gives its members.

    Attributes:
        bonus_percent: Bonus points, in percent of the base points of an earning.
        member_rate_plan: The code of the rate plan pricing offers the tier's members, or
            ``None`` for the public rates.
        late_checkout: The latest check-out the tier may ask for (a wall-clock time), or
            ``None``.
        upgrade_on_arrival: Whether the front desk offers a room upgrade on arrival.
        welcome_amenity: What the guest finds in the room (``"welcome drink"``), or ``None``.

    Raises:
        InvalidTierProgramError: The bonus is negative or not a decimal, a text is empty,
            or the late check-out is not a wall-clock time.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import Benefits
        >>> gold = Benefits(bonus_percent="25", late_checkout=dt.time(14))
        >>> gold.bonus_percent, gold.upgrade_on_arrival
        (Decimal('25'), False)
    """

    bonus_percent: Decimal = attrs.field(default=Decimal(0), converter=_bonus)
    member_rate_plan: str | None = None
    late_checkout: dt.time | None = None
    upgrade_on_arrival: bool = False
    welcome_amenity: str | None = None

    def __attrs_post_init__(self) -> None:
        texts = {"member_rate_plan": self.member_rate_plan, "welcome_amenity": self.welcome_amenity}
        problem = next(
            (
                f"a benefit's {name} is non-empty text or None, got {value!r}"
                for name, value in texts.items()
                if value is not None and (not isinstance(value, str) or not value.strip())
            ),
            "",
        )
        at = self.late_checkout
        if not problem and at is not None and (not isinstance(at, dt.time) or at.tzinfo):
            problem = (
                f"late_checkout is a wall-clock time without tzinfo such as time(14), "
                f"got {at!r}; the property's timezone applies"
            )
        if not problem and not isinstance(self.upgrade_on_arrival, bool):
            problem = f"upgrade_on_arrival is True or False, got {self.upgrade_on_arrival!r}"
        if problem:
            raise InvalidTierProgramError(problem)


@attrs.frozen(kw_only=True)
class Tier:
    """One level of the programme: its name, what reaches it and what it gives.

    Attributes:
        name: What members and staff see ("Gold"); unique in its programme.
        threshold: What qualifies for it; ``None`` only for the entry tier.
        benefits: What it gives.

    Raises:
        InvalidTierProgramError: The name is empty, or the threshold or benefits are
            not :class:`Threshold` and :class:`Benefits` values.

    Example:
        >>> from staycore.membership.tiers import Benefits, Threshold, Tier
        >>> silver = Tier(name="Silver", threshold=Threshold(nights=10),
        ...               benefits=Benefits(bonus_percent=10))
        >>> print(silver.threshold)
        10 nights
    """

    name: str
    threshold: Threshold | None = None
    benefits: Benefits = attrs.field(factory=Benefits)

    def __attrs_post_init__(self) -> None:
        problem = ""
        if not isinstance(self.name, str) or not self.name.strip():
            problem = f"a tier needs a name members see, such as 'Gold'; got {self.name!r}"
        elif self.threshold is not None and not isinstance(self.threshold, Threshold):
            problem = (
                f"tier {self.name!r}: its threshold is a Threshold or None, got {self.threshold!r}"
            )
        elif not isinstance(self.benefits, Benefits):
            problem = f"tier {self.name!r}: its benefits are Benefits, got {self.benefits!r}"
        if problem:
            raise InvalidTierProgramError(problem)


# -- windows and validity ----------------------------------------------------------------


def _positive_days(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{what} is a whole number of days, 1 or more; got {value!r}"
        raise InvalidTierProgramError(msg)


@attrs.frozen
class CalendarYear:
    """Qualify over the calendar year: the totals start again every 1 January.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import CalendarYear
        >>> CalendarYear().first_day(dt.date(2026, 6, 3))
        datetime.date(2026, 1, 1)
    """

    def first_day(self, on: dt.date) -> dt.date:
        """The first day of the window that ``on`` is the last day of, so far.

        Example:
            See the class example.
        """
        return dt.date(on.year, 1, 1)


@attrs.frozen
class RollingWindow:
    """Qualify over the last ``days`` days, ``on`` included.

    Attributes:
        days: The window's length, 1 or more.

    Raises:
        InvalidTierProgramError: ``days`` is not a whole number of 1 or more.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import RollingWindow
        >>> RollingWindow(days=365).first_day(dt.date(2026, 6, 3))
        datetime.date(2025, 6, 4)
    """

    days: int = 365

    def __attrs_post_init__(self) -> None:
        _positive_days(self.days, "a rolling window's length")

    def first_day(self, on: dt.date) -> dt.date:
        """The first day of the window that ends on ``on``.

        Example:
            See the class example.
        """
        return on - dt.timedelta(days=self.days - 1)


QualificationWindow = CalendarYear | RollingWindow
"""Over which days a programme adds up nights, stays and spend."""


def _last_day_of(month: int, year: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@attrs.frozen
class ValidThrough:
    """A status is valid to the end of ``month``, ``years_after`` years after qualifying.

    The default is what the big hotel programmes do: qualify any day of 2026, keep the
    status through February 2028 (the 29th: it is a leap year).

    Attributes:
        month: The month the status ends with, 1 to 12.
        years_after: How many years after the year of qualifying; 0 only with December
            (through the end of the year of qualifying).

    Raises:
        InvalidTierProgramError: The month is not 1 to 12, ``years_after`` is negative,
            or it is 0 with another month than December (the status would end before
            some members qualify).

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import ValidThrough
        >>> ValidThrough(month=2, years_after=2).valid_through(dt.date(2026, 6, 3))
        datetime.date(2028, 2, 29)
    """

    month: int = 2
    years_after: int = 2

    def __attrs_post_init__(self) -> None:
        month, years = self.month, self.years_after
        problem = ""
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            problem = f"a validity's month is 1 to 12, got {month!r}"
        elif isinstance(years, bool) or not isinstance(years, int) or years < 0:
            problem = f"a validity's years_after is a whole number of 0 or more, got {years!r}"
        elif years == 0 and month != 12:
            problem = (
                f"ValidThrough(month={month}, years_after=0) would end before members who "
                f"qualify after {calendar.month_name[month]} qualified; use month=12 or "
                "years_after=1 or more"
            )
        if problem:
            raise InvalidTierProgramError(problem)

    def valid_through(self, qualified_on: dt.date) -> dt.date:
        """The last day a status qualified for on ``qualified_on`` holds.

        Example:
            See the class example.
        """
        return _last_day_of(self.month, qualified_on.year + self.years_after)

    def next_period(self, end: dt.date) -> dt.date:
        """The end of the validity period after the one ending ``end``: a year later.

        Example:
            >>> import datetime as dt
            >>> from staycore.membership.tiers import ValidThrough
            >>> ValidThrough().next_period(dt.date(2028, 2, 29))
            datetime.date(2029, 2, 28)
        """
        this_year = _last_day_of(self.month, end.year)
        return this_year if this_year > end else _last_day_of(self.month, end.year + 1)


@attrs.frozen
class ValidFor:
    """A status is valid for ``days`` days after the day of qualifying.

    Attributes:
        days: How many days, 1 or more.

    Raises:
        InvalidTierProgramError: ``days`` is not a whole number of 1 or more.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import ValidFor
        >>> ValidFor(days=365).valid_through(dt.date(2026, 6, 3))
        datetime.date(2027, 6, 3)
    """

    days: int

    def __attrs_post_init__(self) -> None:
        _positive_days(self.days, "a validity's length")

    def valid_through(self, qualified_on: dt.date) -> dt.date:
        """The last day a status qualified for on ``qualified_on`` holds.

        Example:
            See the class example.
        """
        return qualified_on + dt.timedelta(days=self.days)

    def next_period(self, end: dt.date) -> dt.date:
        """The end of the validity period after the one ending ``end``.

        Example:
            >>> import datetime as dt
            >>> from staycore.membership.tiers import ValidFor
            >>> ValidFor(days=30).next_period(dt.date(2026, 7, 3))
            datetime.date(2026, 8, 2)
        """
        return end + dt.timedelta(days=self.days)


ValidityRule = ValidThrough | ValidFor
"""Until when a status reached on a day holds."""


# -- statuses, changes and progress ------------------------------------------------------


def _optional_day(value: object, what: str) -> None:
    if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
        msg = f"a tier status's {what} is a date such as date(2026, 6, 3) or None, got {value!r}"
        raise InvalidTierStatusError(msg)


@attrs.frozen
class TierStatus:
    """The tier a member holds, since when and until when.

    The entry tier has no dates. Any other tier has both: ``qualified_on`` is the last day
    the member qualified for it, or, for a tier granted by the soft landing alone, the day
    they landed on it.

    Attributes:
        tier: The tier's name.
        qualified_on: The day the status was last earned; ``None`` for the entry tier.
        valid_through: The last day it holds; ``None`` for the entry tier.

    Raises:
        InvalidTierStatusError: The name is empty, only one date is given, a date is not
            a plain date, or the status ends before it was qualified.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.tiers import TierStatus
        >>> print(TierStatus("Gold", dt.date(2026, 8, 20), dt.date(2028, 2, 29)))
        Gold, qualified on 2026-08-20, valid through 2028-02-29
        >>> print(TierStatus("Member"))
        Member
    """

    tier: str
    qualified_on: dt.date | None = None
    valid_through: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.tier, str) or not self.tier.strip():
            msg = f"a tier status names its tier, such as 'Gold'; got {self.tier!r}"
            raise InvalidTierStatusError(msg)
        _optional_day(self.qualified_on, "qualified_on")
        _optional_day(self.valid_through, "valid_through")
        first, last = self.qualified_on, self.valid_through
        if (first is None) != (last is None):
            msg = (
                f"status {self.tier!r} has qualified_on={first} and valid_through={last}; "
                "give both (a tier above the entry tier) or neither (the entry tier)"
            )
            raise InvalidTierStatusError(msg)
        if first is not None and last is not None and last < first:
            msg = (
                f"status {self.tier!r} would be valid through {last}, before it was "
                f"qualified on {first}"
            )
            raise InvalidTierStatusError(msg)

    def __str__(self) -> str:
        if self.qualified_on is None:
            return self.tier
        return f"{self.tier}, qualified on {self.qualified_on}, valid through {self.valid_through}"


class TierChangeReason(enum.StrEnum):
    """Why a member's status changed."""

    QUALIFIED = "qualified"
    """The window reached a higher tier, an upgrade."""
    REQUALIFIED = "requalified"
    """The window reached the tier held again, which was re-earned, maybe for longer."""
    EXPIRED = "expired"
    """The status ran out, and the member kept what the history supports or landed softly."""


@attrs.frozen(kw_only=True)
class TierChange:
    """One change of a member's status, as :meth:`TierProgram.timeline` lists them.

    Attributes:
        on: The day it happened.
        before: The status until then.
        after: The status from that day.
        reason: Why it changed.

    Example:
        Continuing the module example above:

        >>> for change in program.timeline(history, until=dt.date(2028, 3, 1)):
        ...     print(change.on, change.reason.value, change.after.tier)
        2026-06-03 qualified Silver
        2028-03-01 expired Member
    """

    on: dt.date
    before: TierStatus
    after: TierStatus
    reason: TierChangeReason


def _missing(target: Money, have: Money) -> Money:
    return (target - have).rounded(_UP) if have < target else Money.zero(target.currency)


@attrs.frozen(kw_only=True)
class Progress:
    """How far a member is from a tier, for the guest app's progress bar.

    :meth:`TierProgram.progress` leads to the next tier; :meth:`TierProgram.to_keep` to
    the tier held (what would re-qualify for it). At the top tier there is nothing to
    reach: ``tier`` is ``None``. The ``missing_*`` values say what is still missing on
    each measure the tier uses (``None`` for a measure it does not use); amounts are
    rounded up to the minor unit, so spending them is enough.

    Attributes:
        tier: The tier it leads to, or ``None`` at the top.
        threshold: That tier's threshold (``None`` at the top and for the entry tier).
        totals: What the member has in the window so far.
        keep: Whether this is about keeping the tier held rather than reaching the next.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.membership.history import StayTotals
        >>> from staycore.membership.tiers import Progress, Threshold
        >>> gold = Threshold(nights=25, stays=12, spend=Money.of("5000.00", "EUR"))
        >>> have = StayTotals(nights=21, stays=11, spend=Money.of("3799.50", "EUR"))
        >>> progress = Progress(tier="Gold", threshold=gold, totals=have)
        >>> progress.missing_nights, progress.missing_spend, progress.met
        (4, Money('1200.50', 'EUR'), False)
        >>> print(progress)
        4 nights or 1 stay or EUR 1,200.50 spend to Gold
    """

    tier: str | None
    threshold: Threshold | None
    totals: StayTotals
    keep: bool = False

    @property
    def at_top(self) -> bool:
        """Whether the member holds the top tier, with no tier left to reach."""
        return self.tier is None

    @property
    def met(self) -> bool:
        """Whether nothing is missing, the window qualifying for the tier."""
        if self.tier is None:
            return False
        return self.threshold is None or self.threshold.met_by(self.totals)

    @property
    def missing_nights(self) -> int | None:
        """The nights still missing, or ``None`` when the tier does not count nights."""
        needed = None if self.threshold is None else self.threshold.nights
        return None if needed is None else max(needed - self.totals.nights, 0)

    @property
    def missing_stays(self) -> int | None:
        """The stays still missing, or ``None`` when the tier does not count stays."""
        needed = None if self.threshold is None else self.threshold.stays
        return None if needed is None else max(needed - self.totals.stays, 0)

    @property
    def missing_spend(self) -> Money | None:
        """The spend still missing, or ``None`` when spend is not an alternative."""
        needed = None if self.threshold is None else self.threshold.spend
        return None if needed is None else _missing(needed, self.totals.spend)

    @property
    def missing_and_spend(self) -> Money | None:
        """The spend still missing on top, or ``None`` when the tier asks for none."""
        needed = None if self.threshold is None else self.threshold.and_spend
        return None if needed is None else _missing(needed, self.totals.spend)

    def __str__(self) -> str:
        if self.tier is None:
            return "top tier reached"
        goal = f"keep {self.tier}" if self.keep else self.tier
        if self.met:
            return f"qualifies to {goal}" if self.keep else f"qualifies for {goal}"
        alternatives = {
            "nights": self.missing_nights,
            "stays": self.missing_stays,
            "spend": self.missing_spend,
        }
        found = [(name, value) for name, value in alternatives.items() if value is not None]
        # When one alternative is met, only the spend asked for as well is missing.
        parts = [] if any(_is_zero(value) for _, value in found) else found
        text = " or ".join(_measure_text(*part) for part in parts)
        also = self.missing_and_spend
        if also is not None and not also.is_zero:
            extra = _measure_text("spend", also)
            text = extra if not text else f"{text}{',' if len(parts) > 1 else ''} and {extra}"
        return f"{text} to {goal}"


def _is_zero(value: int | Money) -> bool:
    return value.is_zero if isinstance(value, Money) else value == 0


# -- the programme -----------------------------------------------------------------------


def _tier_tuple(value: Iterable[Tier]) -> tuple[Tier, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"a programme's tiers are a sequence of Tier, entry tier first; got {value!r}"
        raise InvalidTierProgramError(msg)
    return tuple(value)


def _to_currency(value: Currency | str) -> Currency:
    return Currency.of(value)


def _require_day(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = (
            f"tiers are evaluated on a local date such as date(2026, 6, 3); {what} is "
            f"{value!r}. Convert an instant with staycore.kernel.time.local_date"
        )
        raise InvalidEvaluationDayError(msg)
    return value


@attrs.frozen(kw_only=True)
class TierProgram:
    """Tiers as data, and the rules that move members between them.

    See the module documentation for the rules, and :meth:`example` for a programme
    modelled on the big hotel ones.

    Attributes:
        tiers: The tiers, lowest first: the entry tier (no threshold), then one harder to
            reach after the other.
        currency: The currency spend is counted in.
        window: Over which days totals are counted: the calendar year by default.
        validity: Until when a status reached holds: the end of February two years after
            the year of qualifying by default.
        soft_landing: How many tiers a member may drop at once when a status ends
            (1 by default); ``None`` to drop to what the history supports.

    Raises:
        InvalidTierProgramError: There are no tiers; two share a name (whatever the case);
            the first has a threshold or another has none; an amount is in another
            currency; a higher tier shares no alternative with a lower one, asks less on
            one they share (or less spend besides), or is no harder on any; the window or
            validity is not one of the rule types; or ``soft_landing`` is below 1.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.membership.tiers import (
        ...     RollingWindow, Threshold, Tier, TierProgram, ValidFor)
        >>> by_visits = TierProgram(
        ...     tiers=[Tier(name="Guest"),
        ...            Tier(name="Regular", threshold=Threshold(stays=3)),
        ...            Tier(name="Insider", threshold=Threshold(stays=8))],
        ...     currency="EUR", window=RollingWindow(days=365), validity=ValidFor(days=365))
        >>> by_visits.entry.name, by_visits.rank("Insider")
        ('Guest', 2)
        >>> TierProgram(tiers=[Tier(name="Guest"),
        ...                    Tier(name="Regular", threshold=Threshold(stays=3)),
        ...                    Tier(name="Insider", threshold=Threshold(stays=2))],
        ...             currency="EUR")
        Traceback (most recent call last):
        ...
        staycore.membership.tiers.InvalidTierProgramError: [loyalty.invalid_tier_program] ...
    """

    tiers: tuple[Tier, ...] = attrs.field(converter=_tier_tuple)
    currency: Currency = attrs.field(converter=_to_currency)
    window: QualificationWindow = attrs.field(factory=CalendarYear)
    validity: ValidityRule = attrs.field(factory=ValidThrough)
    soft_landing: int | None = 1

    def __attrs_post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise InvalidTierProgramError(problem)

    def _problem(self) -> str:
        soft = self.soft_landing
        checks = [
            (
                not isinstance(self.window, CalendarYear | RollingWindow),
                f"a programme's window is CalendarYear() or RollingWindow(days=...), "
                f"got {self.window!r}",
            ),
            (
                not isinstance(self.validity, ValidThrough | ValidFor),
                f"a programme's validity is ValidThrough(month=..., years_after=...) or "
                f"ValidFor(days=...), got {self.validity!r}",
            ),
            (
                soft is not None
                and (isinstance(soft, bool) or not isinstance(soft, int) or soft < 1),
                f"soft_landing is how many tiers a member may drop at once, a whole number "
                f"of 1 or more, or None to drop to what the history supports; got {soft!r}",
            ),
        ]
        problem = next((message for failed, message in checks if failed), "")
        return self._tiers_problem() or problem or self._threshold_problem()

    def _tiers_problem(self) -> str:
        tiers = self.tiers
        strangers = [tier for tier in tiers if not isinstance(tier, Tier)]
        if strangers:
            return f"a programme's tiers are Tier values, got {strangers[0]!r}"
        if not tiers:
            return "a programme needs at least one tier: the entry tier every member holds"
        seen: dict[str, str] = {}
        for tier in tiers:
            key = tier.name.casefold()
            if key in seen:
                return (
                    f"two tiers are named {seen[key]!r} and {tier.name!r}; give each tier a "
                    "name of its own"
                )
            seen[key] = tier.name
        if tiers[0].threshold is not None:
            return (
                f"the first tier {tiers[0].name!r} is the entry tier every member holds and "
                "has no threshold; put a tier with threshold=None first"
            )
        return ""

    def _threshold_problem(self) -> str:
        for tier in self.tiers[1:]:
            threshold = tier.threshold
            if threshold is None:
                return (
                    f"tier {tier.name!r} has no threshold; only the first tier, the entry "
                    "tier, may have none"
                )
            if threshold.currency not in (None, self.currency):
                return (
                    f"tier {tier.name!r} counts spend in {threshold.currency}, and the "
                    f"programme in {self.currency}; give every amount in {self.currency}"
                )
        # Every pair, not only neighbours: "harder on a shared measure" is not transitive.
        ranked = [(tier.name, tier.threshold) for tier in self.tiers[1:] if tier.threshold]
        for high in range(1, len(ranked)):
            for low in range(high - 1, -1, -1):
                problem = _order_problem(*ranked[low], *ranked[high])
                if problem:
                    return problem
        return ""

    # -- construction ----------------------------------------------------------------

    @classmethod
    def example(cls, currency: Currency | str = "EUR") -> TierProgram:
        """A programme modelled on the big hotel ones, amounts in units of ``currency``.

        * Member: everyone; the member rate.
        * Silver: 10 nights or 4 stays; +10 % points, late check-out at 13:00.
        * Gold: 25 nights or 12 stays or 5,000 spend; +25 %, late check-out at 14:00,
          an upgrade on arrival, a welcome drink.
        * Platinum: 50 nights, and 10,000 spend; +50 %, late check-out at 16:00, an
          upgrade on arrival, breakfast.

        Qualifying over the calendar year, valid to the end of February two years after
        the year of qualifying, with a soft landing of one tier. The amounts suit euros
        or dollars; build your own tiers for a currency of smaller units.

        Example:
            >>> from staycore.membership.tiers import TierProgram
            >>> in_dollars = TierProgram.example("USD")
            >>> [str(tier.threshold) for tier in in_dollars.tiers[1:]]
            ['10 nights or 4 stays', '25 nights or 12 stays or USD 5,000.00 spend',
             '50 nights, and USD 10,000.00 spend']
        """
        code = Currency.of(currency)
        rate = "MEMBER"
        return cls(
            tiers=[
                Tier(name="Member", benefits=Benefits(member_rate_plan=rate)),
                Tier(
                    name="Silver",
                    threshold=Threshold(nights=10, stays=4),
                    benefits=Benefits(
                        bonus_percent=10, member_rate_plan=rate, late_checkout=dt.time(13)
                    ),
                ),
                Tier(
                    name="Gold",
                    threshold=Threshold(nights=25, stays=12, spend=Money.of(5000, code)),
                    benefits=Benefits(
                        bonus_percent=25,
                        member_rate_plan=rate,
                        late_checkout=dt.time(14),
                        upgrade_on_arrival=True,
                        welcome_amenity="welcome drink",
                    ),
                ),
                Tier(
                    name="Platinum",
                    threshold=Threshold(nights=50, and_spend=Money.of(10000, code)),
                    benefits=Benefits(
                        bonus_percent=50,
                        member_rate_plan=rate,
                        late_checkout=dt.time(16),
                        upgrade_on_arrival=True,
                        welcome_amenity="breakfast",
                    ),
                ),
            ],
            currency=code,
        )

    # -- looking tiers up ------------------------------------------------------------

    @property
    def entry(self) -> Tier:
        """The entry tier every member holds until they qualify for more."""
        return self.tiers[0]

    def rank(self, name: str) -> int:
        """The position of tier ``name``, 0 for the entry tier, higher for harder tiers.

        Raises:
            UnknownTierError: No tier has that name.

        Example:
            >>> from staycore.membership.tiers import TierProgram
            >>> TierProgram.example().rank("Gold") > TierProgram.example().rank("Silver")
            True
        """
        for index, tier in enumerate(self.tiers):
            if tier.name == name:
                return index
        names = ", ".join(tier.name for tier in self.tiers)
        msg = f"no tier is named {name!r}; the programme's tiers are {names}"
        raise UnknownTierError(msg)

    def tier(self, name: str) -> Tier:
        """The tier named ``name``.

        Raises:
            UnknownTierError: No tier has that name.

        Example:
            >>> from staycore.membership.tiers import TierProgram
            >>> print(TierProgram.example().tier("Platinum").threshold)
            50 nights, and EUR 10,000.00 spend
        """
        return self.tiers[self.rank(name)]

    def benefits(self, status: TierStatus | None) -> Benefits:
        """What the tier of ``status`` gives (``None``: the entry tier's).

        Raises:
            UnknownTierError: The status names a tier the programme does not have.

        Example:
            >>> import datetime as dt
            >>> from staycore.membership.tiers import TierProgram, TierStatus
            >>> gold = TierStatus("Gold", dt.date(2026, 8, 20), dt.date(2028, 2, 29))
            >>> TierProgram.example().benefits(gold).late_checkout
            datetime.time(14, 0)
        """
        return self.tiers[self._checked(status)[1]].benefits

    # -- measuring the window --------------------------------------------------------

    def qualifying_totals(self, history: Iterable[StayRecord], on: dt.date) -> StayTotals:
        """The nights, stays and spend counted in the window as of ``on``.

        That is the stays counted from the window's first day (1 January of the year of
        ``on``, or ``window.days - 1`` days before it) up to and including ``on``.

        Raises:
            InvalidEvaluationDayError: ``on`` is not a date.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above:

            >>> totals = program.qualifying_totals(history, dt.date(2026, 12, 31))
            >>> totals.nights, totals.stays, totals.spend
            (10, 3, Money('1470.00', 'EUR'))
        """
        day = _require_day(on, "on")
        return _Stays(history, self.currency).window(self.window.first_day(day), day)

    def qualifies_for(self, history: Iterable[StayRecord], on: dt.date) -> Tier:
        """The highest tier the window's totals as of ``on`` meet.

        Raises:
            InvalidEvaluationDayError: ``on`` is not a date.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above:

            >>> program.qualifies_for(history, dt.date(2026, 12, 31)).name
            'Silver'
            >>> program.qualifies_for(history, dt.date(2027, 1, 1)).name
            'Member'
        """
        return self.tiers[self._rank_of(self.qualifying_totals(history, on))]

    def _rank_of(self, totals: StayTotals) -> int:
        for index in range(len(self.tiers) - 1, 0, -1):
            threshold = self.tiers[index].threshold
            if threshold is not None and threshold.met_by(totals):
                return index
        return 0

    # -- statuses --------------------------------------------------------------------

    def evaluate(
        self, history: Iterable[StayRecord], status: TierStatus | None, on: dt.date
    ) -> TierStatus:
        """The member's status on ``on``, moved on from ``status`` by the rules.

        Upgrades on the day a stay qualifies, re-qualifies, and lets statuses end as the
        module documentation says. The days from ``status.qualified_on`` on are walked
        again (the days since a status last changed left it as it is, so walking them
        again changes nothing); an entry tier status or ``None`` is worked out from the
        whole history, as :meth:`replay` does.

        Args:
            history: The member's stays; stays counted after ``on`` are left out.
            status: The status last evaluated, or ``None`` for a new member.
            on: The day to evaluate on, a local date not before ``status.qualified_on``.

        Raises:
            InvalidEvaluationDayError: ``on`` is not a date or is before the status was
                qualified.
            UnknownTierError: The status names a tier the programme does not have.
            InvalidTierStatusError: The status has dates for the entry tier, or none for
                another tier.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above, the member comes back in August 2027:
            Gold, then re-qualifying in 2028 keeps it two years longer:

            >>> history.append(stay("2027-08-01/2027-08-27", "3100.00"))
            >>> status = program.evaluate(history, status, on=dt.date(2027, 8, 27))
            >>> print(status)
            Gold, qualified on 2027-08-27, valid through 2029-02-28
            >>> history.append(stay("2028-06-01/2028-06-26", "3000.00"))
            >>> print(program.evaluate(history, status, on=dt.date(2028, 6, 26)))
            Gold, qualified on 2028-06-26, valid through 2030-02-28
        """
        day = _require_day(on, "on")
        start, rank = self._checked(status)
        if start is not None and start.qualified_on is not None and day < start.qualified_on:
            msg = (
                f"cannot evaluate on {day} a status qualified on {start.qualified_on}; "
                "evaluate on a later day, or replay the history to a day before"
            )
            raise InvalidEvaluationDayError(msg)
        stays = _Stays(history, self.currency)
        if start is None or rank == 0:
            return self._walk(stays, None, day)[0]
        return self._walk(stays, start, day)[0]

    def replay(self, history: Iterable[StayRecord], until: dt.date) -> TierStatus:
        """The member's status on ``until``, worked out from scratch.

        Walks the days that matter in order (each day a stay counts, and the day after
        each status ends) from the entry tier.

        Raises:
            InvalidEvaluationDayError: ``until`` is not a date.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above:

            >>> print(program.replay(history, until=dt.date(2030, 3, 1)))
            Silver, qualified on 2030-03-01, valid through 2031-02-28
        """
        day = _require_day(until, "until")
        return self._walk(_Stays(history, self.currency), None, day)[0]

    def timeline(self, history: Iterable[StayRecord], until: dt.date) -> tuple[TierChange, ...]:
        """Every change of the member's status up to ``until``, in order.

        Raises:
            InvalidEvaluationDayError: ``until`` is not a date.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above:

            >>> for change in program.timeline(history, until=dt.date(2031, 3, 1)):
            ...     print(change.on, change.reason.value, change.after)
            2026-06-03 qualified Silver, qualified on 2026-06-03, valid through 2028-02-29
            2027-08-27 qualified Gold, qualified on 2027-08-27, valid through 2029-02-28
            2028-06-26 requalified Gold, qualified on 2028-06-26, valid through 2030-02-28
            2030-03-01 expired Silver, qualified on 2030-03-01, valid through 2031-02-28
            2031-03-01 expired Member
        """
        day = _require_day(until, "until")
        return self._walk(_Stays(history, self.currency), None, day)[1]

    def _checked(self, status: TierStatus | None) -> tuple[TierStatus | None, int]:
        if status is None:
            return None, 0
        if not isinstance(status, TierStatus):
            msg = f"a status is a TierStatus or None, got {status!r}"
            raise InvalidTierStatusError(msg)
        rank = self.rank(status.tier)
        if (rank == 0) != (status.qualified_on is None):
            msg = (
                f"the entry tier {self.entry.name!r} is held without dates, and every other "
                f"tier with both; got {status!r}"
            )
            raise InvalidTierStatusError(msg)
        return status, rank

    def _walk(
        self, stays: _Stays, status: TierStatus | None, until: dt.date
    ) -> tuple[TierStatus, tuple[TierChange, ...]]:
        """Apply the rules day by day from ``status`` (from scratch when ``None``)."""
        state = status if status is not None else TierStatus(self.entry.name)
        changes: list[TierChange] = []

        def move(day: dt.date, after: TierStatus, reason: TierChangeReason) -> None:
            nonlocal state
            if after != state:
                changes.append(TierChange(on=day, before=state, after=after, reason=reason))
                state = after

        def expire_before(day: dt.date) -> None:
            while state.valid_through is not None and state.valid_through < day:
                landed = self._landing(stays, self.rank(state.tier), state.valid_through)
                move(state.valid_through + _ONE_DAY, landed, TierChangeReason.EXPIRED)

        first = None if status is None else status.qualified_on
        for day in stays.days(first, until):
            expire_before(day)
            rank, held = self._rank_on(stays, day), self.rank(state.tier)
            if rank > held:
                upgraded = TierStatus(self.tiers[rank].name, day, self.validity.valid_through(day))
                move(day, upgraded, TierChangeReason.QUALIFIED)
            elif rank == held > 0 and state.valid_through is not None:
                through = max(state.valid_through, self.validity.valid_through(day))
                move(day, TierStatus(state.tier, day, through), TierChangeReason.REQUALIFIED)
        expire_before(until)
        return state, tuple(changes)

    def _rank_on(self, stays: _Stays, day: dt.date) -> int:
        return self._rank_of(stays.window(self.window.first_day(day), day))

    def _landing(self, stays: _Stays, held: int, valid_through: dt.date) -> TierStatus:
        """The status from the day after a status of tier ``held`` stops holding."""
        day = valid_through + _ONE_DAY
        floor = 0 if self.soft_landing is None else max(held - self.soft_landing, 0)
        # The days whose qualification still holds on `day`, latest first: `day` itself,
        # then the stay days before it back to the first whose validity ends earlier
        # (validity never shortens for a later day, so no earlier day holds either).
        earned: list[tuple[dt.date, int]] = [(day, self._rank_on(stays, day))]
        for counted in reversed(stays.days(None, day - _ONE_DAY)):
            if self.validity.valid_through(counted) < day:
                break
            earned.append((counted, self._rank_on(stays, counted)))
        supported = max(rank for _, rank in earned)
        landing = max(supported, floor)
        if landing == 0:
            return TierStatus(self.entry.name)
        name = self.tiers[landing].name
        granted = self.validity.next_period(valid_through)
        if supported < landing:
            return TierStatus(name, day, granted)
        qualified = next(counted for counted, rank in earned if rank >= landing)
        through = self.validity.valid_through(qualified)
        return TierStatus(name, qualified, max(through, granted) if floor == landing else through)

    # -- progress --------------------------------------------------------------------

    def progress(
        self, history: Iterable[StayRecord], status: TierStatus | None, on: dt.date
    ) -> Progress:
        """What is missing in the window as of ``on`` to reach the tier above ``status``.

        At the top tier, the progress has no tier (:attr:`Progress.at_top`).

        Raises:
            InvalidEvaluationDayError: ``on`` is not a date.
            UnknownTierError: The status names a tier the programme does not have.
            InvalidTierStatusError: The status's dates do not fit its tier.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above:

            >>> gold = program.evaluate(history, None, on=dt.date(2028, 12, 31))
            >>> progress = program.progress(history, gold, on=dt.date(2028, 12, 31))
            >>> progress.tier, progress.missing_nights, progress.missing_and_spend
            ('Platinum', 25, Money('7000.00', 'EUR'))
            >>> print(progress)
            25 nights and EUR 7,000.00 spend to Platinum
        """
        totals = self.qualifying_totals(history, on)
        rank = self._checked(status)[1]
        if rank + 1 == len(self.tiers):
            return Progress(tier=None, threshold=None, totals=totals)
        target = self.tiers[rank + 1]
        return Progress(tier=target.name, threshold=target.threshold, totals=totals)

    def to_keep(
        self, history: Iterable[StayRecord], status: TierStatus | None, on: dt.date
    ) -> Progress:
        """What is missing in the window as of ``on`` to re-qualify for the tier held.

        A stay that meets it before ``status.valid_through`` re-qualifies, and the tier
        holds as long as the validity rule gives from that day; what :meth:`evaluate`
        does at the end of the status otherwise is in the module documentation. The
        entry tier is always kept (:attr:`Progress.met`). Measured like
        :meth:`progress`: with a rolling window, stays that leave the window before the
        next stay are not foreseen.

        Raises:
            InvalidEvaluationDayError: ``on`` is not a date.
            UnknownTierError: The status names a tier the programme does not have.
            InvalidTierStatusError: The status's dates do not fit its tier.
            CurrencyMismatchError: A stay's spend is in another currency.

        Example:
            Continuing the module example above, Gold in January 2030 needs stays in
            2030 to last beyond February:

            >>> gold = program.evaluate(history, None, on=dt.date(2030, 1, 20))
            >>> print(program.to_keep(history, gold, on=dt.date(2030, 1, 20)))
            25 nights or 12 stays or EUR 5,000.00 spend to keep Gold
        """
        totals = self.qualifying_totals(history, on)
        held = self.tiers[self._checked(status)[1]]
        return Progress(tier=held.name, threshold=held.threshold, totals=totals, keep=True)


def _order_problem(lower: str, low: Threshold, higher: str, high: Threshold) -> str:
    """Why tier ``higher`` is not clearly harder to reach than ``lower``; empty if it is."""
    low_ways, high_ways = low.alternatives(), high.alternatives()
    shared = [name for name in _OR_MEASURES if name in low_ways and name in high_ways]
    if not shared:
        return (
            f"tiers {lower!r} ({low}) and {higher!r} ({high}) share no measure, so neither "
            f"is clearly harder to reach; let {higher!r} count {' or '.join(low_ways)} too"
        )
    for name in shared:
        if _size(high_ways[name]) < _size(low_ways[name]):
            return (
                f"tier {higher!r} asks for {_measure_text(name, high_ways[name])}, less than "
                f"the {_measure_text(name, low_ways[name])} of {lower!r} below it; a higher "
                "tier asks at least as much on every measure both use"
            )
    if _spend_also(high) < _spend_also(low):
        return (
            f"tier {higher!r} asks for {_also_text(high)} spend besides, less than the "
            f"{_also_text(low)} of {lower!r} below it; a higher tier asks at least the "
            "spend besides of the tiers below it"
        )
    if _spend_also(high) == _spend_also(low) and all(
        _size(high_ways[name]) == _size(low_ways[name]) for name in shared
    ):
        return (
            f"tier {higher!r} ({high}) is no harder to reach than {lower!r} ({low}); raise "
            "one of its thresholds or merge the two tiers"
        )
    return ""


def _size(value: int | Money) -> Decimal:
    return value.amount if isinstance(value, Money) else Decimal(value)


def _spend_also(threshold: Threshold) -> Decimal:
    return Decimal(0) if threshold.and_spend is None else threshold.and_spend.amount


def _also_text(threshold: Threshold) -> str:
    return "no" if threshold.and_spend is None else _money_text(threshold.and_spend)


class _Stays:
    """A member's stays by the day they count, with running totals for any window.

    Window totals are differences of running totals found by bisection, so the walk
    measures a window in logarithmic time however long the history is.
    """

    def __init__(self, history: Iterable[StayRecord], currency: Currency) -> None:
        by_day: dict[dt.date, tuple[int, int, Money]] = {}
        for record in history:
            if record.spend.currency != currency:
                msg = (
                    f"the stay of order {record.order} spent {record.spend}, and the "
                    f"programme counts spend in {currency}; convert the spend first"
                )
                raise CurrencyMismatchError(msg)
            nights, count, spend = by_day.get(record.counted_on, (0, 0, Money.zero(currency)))
            by_day[record.counted_on] = (nights + record.nights, count + 1, spend + record.spend)
        self.currency = currency
        self.counted_on = sorted(by_day)
        self._nights = [0]
        self._stays = [0]
        self._spend = [Money.zero(currency)]
        for day in self.counted_on:
            nights, count, spend = by_day[day]
            self._nights.append(self._nights[-1] + nights)
            self._stays.append(self._stays[-1] + count)
            self._spend.append(self._spend[-1] + spend)

    def days(self, first: dt.date | None, last: dt.date) -> Sequence[dt.date]:
        """The days stays count on from ``first`` (the first stay when ``None``) to ``last``."""
        start = 0 if first is None else bisect.bisect_left(self.counted_on, first)
        return self.counted_on[start : bisect.bisect_right(self.counted_on, last)]

    def window(self, first: dt.date, last: dt.date) -> StayTotals:
        """The totals of the stays counted from ``first`` to ``last``, both included."""
        start = bisect.bisect_left(self.counted_on, first)
        end = bisect.bisect_right(self.counted_on, last)
        if end <= start:
            return StayTotals(nights=0, stays=0, spend=Money.zero(self.currency))
        return StayTotals(
            nights=self._nights[end] - self._nights[start],
            stays=self._stays[end] - self._stays[start],
            spend=self._spend[end] - self._spend[start],
        )
