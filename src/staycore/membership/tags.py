"""Tag rules as data: which guests are ``business_high_value``, ``family``, ``high_net_worth``.

A :class:`TagRule` gives a tag (a short lower-case name) to every profile that meets its
condition. Conditions are small values over a profile's history, combined with
:class:`AllOf` and :class:`AnyOf` (or ``&`` and ``|``):

* :class:`ConsecutiveStays`: the last ``count`` stays, by check-out, were all in one
  room category ("three stays in a row in an executive room");
* :class:`StaysWith`: at least ``at_least`` stays with children (or without);
* :class:`ReferralsConverted`: at least ``at_least`` friends the guest referred became
  guests;
* :class:`SpendWithin`: more than ``over`` spent in the ``days`` days up to the day of
  evaluation ("over EUR 5,000 in 12 months");
* :class:`Compare`: one of the summary figures of :data:`TAG_FIELDS` against a value
  (``stays >= 5``, ``days_since_last_stay > 180``).

:func:`evaluate_tags` gives the tags a profile earns on a day, each with a reason built
from the facts that earned it ("3 stays in a row in an executive room, the last on
2026-10-04"); :func:`refresh_tags` puts them on the profile. The use cases re-evaluate
them after every completed stay. Rules read the history *as of* the evaluation: the stays
counted (checked out) on or before the day ``on``, and the reviews and referrals recorded
at or before the instant ``at``.

Rules are data. :func:`parse_tag_rules` reads them from plain mappings (JSON, or YAML
loaded with ``yaml.safe_load``), checked with pydantic: a :class:`InvalidTagRuleError`
lists every problem with where it is (``[0].when.consecutive_stays.count``) and what is
expected; a comparison over a field not in :data:`TAG_FIELDS` raises
:class:`UnknownTagFieldError`, which lists the fields there are.

Spend is summed in the currency of the amount it is compared with; a stay in another
currency raises :class:`~staycore.kernel.errors.CurrencyMismatchError`, as
:func:`~staycore.membership.history.totals` does: a programme runs in one currency.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.membership.history import StayRecord
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.profiles import ContactDetails, CustomerProfile
    >>> from staycore.membership.tags import evaluate_tags, parse_tag_rules
    >>> from staycore.orders.ids import OrderId
    >>> rules = parse_tag_rules([
    ...     {"tag": "business_high_value",
    ...      "when": {"consecutive_stays": {"count": 3, "room": "executive"}}},
    ...     {"tag": "family", "when": {"stays_with_children": {"at_least": 1}}},
    ...     {"tag": "regular", "when": {"field": "stays", "op": ">=", "value": 5}},
    ... ])
    >>> at = pendulum.datetime(2026, 10, 4, 12, tz="UTC")
    >>> guest, _ = CustomerProfile.register(
    ...     CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), name="Kenji Sato",
    ...     at=at.subtract(years=1))
    >>> for n, check_out in enumerate(["2026-06-12", "2026-08-21", "2026-10-04"]):
    ...     record = StayRecord(
    ...         order=OrderId(f"ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A{n}"),
    ...         stay=Stay(dt.date.fromisoformat(check_out) - dt.timedelta(days=2),
    ...                   dt.date.fromisoformat(check_out)),
    ...         spend=Money.of("600.00", "EUR"), completed_at=at, room="executive")
    ...     guest, _ = guest.record_stay(record, at=at)
    >>> [(tag.name, tag.reason) for tag in evaluate_tags(rules, guest, on=at.date(), at=at)]
    [('business_high_value', '3 stays in a row in an executive room, the last on 2026-10-04')]
"""

from __future__ import annotations

import abc
import datetime as dt
import decimal
import difflib
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Final

import attrs
import pendulum
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from staycore.kernel.currency import Currency
from staycore.kernel.documents import document_path, model_at, shown
from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import Money, to_decimal
from staycore.kernel.time import as_instant
from staycore.membership.errors import MembershipError
from staycore.membership.history import StayRecord, totals
from staycore.membership.profiles import (
    CustomerProfile,
    ProfileChange,
    Referral,
    ReviewRecord,
    Tag,
)

__all__ = [
    "DEFAULT_TAG_RULES",
    "OPERATORS",
    "TAG_FIELDS",
    "AllOf",
    "AnyOf",
    "Compare",
    "ConditionData",
    "ConsecutiveStays",
    "InvalidTagRuleError",
    "ProfileFacts",
    "ReferralsConverted",
    "SpendWithin",
    "StaysWith",
    "TagCondition",
    "TagRule",
    "TagRuleData",
    "UnknownTagFieldError",
    "default_tag_rules",
    "evaluate_tags",
    "parse_tag_rules",
    "refresh_tags",
]

TAG_FIELDS: Final = (
    "stays",
    "nights",
    "spend",
    "average_review",
    "days_since_last_stay",
    "referrals",
    "reviews",
)
"""The summary figures a :class:`Compare` reads, as of the day of evaluation.

``stays``, ``nights`` and ``spend`` over every stay counted; ``average_review`` the mean
of the review scores (none without reviews); ``days_since_last_stay`` from the last
check-out (none without stays); ``referrals`` the friends referred, converted or not;
``reviews`` the reviews left.
"""

OPERATORS: Final = ("<", "<=", "==", ">=", ">")
"""The comparisons a :class:`Compare` makes."""

_OPERATIONS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}
_SAYS: Final = {"<": "under", "<=": "at most", "==": "exactly", ">=": "at least", ">": "over"}
_RULE_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_ONE_DAY: Final = dt.timedelta(days=1)
_MEAN: Final = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
_SHOWN_PLACES: Final = Decimal("0.01")
_PLAIN_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# -- errors ----------------------------------------------------------------------------


class InvalidTagRuleError(MembershipError):
    """Tag rules, or a condition of one, cannot be read: every problem, each with where it is.

    Attributes:
        problems: ``(path, message)`` pairs, such as
            ``("[0].when.consecutive_stays.count", "must be 1 or more, got 0")``.

    Example:
        >>> from staycore.membership.tags import InvalidTagRuleError
        >>> print(InvalidTagRuleError([("[1].tag", "required, but missing")]).message)
        the tag rules are not valid:
          [1].tag: required, but missing
    """

    code = "membership.invalid_tag_rule"

    def __init__(
        self, problems: Iterable[tuple[str, str]], *, what: str = "the tag rules are not valid"
    ) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.what = what
        lines = [f"{what}:"]
        lines += [
            f"  {path}: {message}" if path else f"  {message}" for path, message in self.problems
        ]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.problems, self.what))


def _rebuild_error(
    kind: type[InvalidTagRuleError], problems: tuple[tuple[str, str], ...], what: str
) -> InvalidTagRuleError:
    return kind(problems, what=what)


class UnknownTagFieldError(InvalidTagRuleError):
    """A comparison reads a field tag rules do not know; the message lists those they do.

    :func:`parse_tag_rules` raises it when every problem it found is an unknown field,
    and :class:`InvalidTagRuleError` (which it subclasses) otherwise.

    Example:
        >>> from staycore.membership.tags import Compare
        >>> Compare("visits", ">=", 5)
        Traceback (most recent call last):
        ...
        staycore.membership.tags.UnknownTagFieldError: [membership.unknown_tag_field]
        Compare is not valid:
          field: "visits" is not a field tag rules compare; the fields are stays, nights,
          spend, average_review, days_since_last_stay, referrals, reviews
    """

    code = "membership.unknown_tag_field"


def _refuse(kind: type, path: str, message: str) -> InvalidTagRuleError:
    return InvalidTagRuleError([(path, message)], what=f"{kind.__name__} is not valid")


def _count(value: object, kind: type, path: str, *, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        message = f"must be a whole number of {least} or more, got {value!r}"
        raise _refuse(kind, path, message)
    return value


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _number(value: Decimal) -> str:
    return f"{value.quantize(_SHOWN_PLACES, context=_MEAN).normalize(_MEAN):f}"


# -- what the rules read ---------------------------------------------------------------


def _converted_at(referral: Referral) -> pendulum.DateTime:
    return referral.converted_at or referral.at


@attrs.frozen(kw_only=True)
class ProfileFacts:
    """A profile's history as of a day: what the conditions of tag rules read.

    Build it with :meth:`of`.

    Attributes:
        on: The day of evaluation; windows end on it.
        at: The instant of evaluation.
        stays: The stays counted on or before ``on``, by check-out.
        reviews: The reviews left at or before ``at``.
        referrals: The friends referred at or before ``at``.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.tags import ProfileFacts
        >>> facts = ProfileFacts.of(guest, on=dt.date(2026, 9, 1), at=at)
        >>> len(facts.stays), facts.nights, facts.spend("EUR"), facts.days_since_last_stay
        (2, 4, Money('1200.00', 'EUR'), 11)
    """

    on: dt.date
    at: pendulum.DateTime
    stays: tuple[StayRecord, ...]
    reviews: tuple[ReviewRecord, ...]
    referrals: tuple[Referral, ...]

    @classmethod
    def of(cls, profile: CustomerProfile, *, on: dt.date, at: dt.datetime) -> ProfileFacts:
        """The facts of ``profile`` as of the day ``on`` and the instant ``at``.

        Raises:
            InvalidTagRuleError: ``on`` is not a calendar date.

        Example:
            See the class example.
        """
        if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
            message = f"must be a calendar date such as date(2026, 10, 4), got {on!r}"
            raise _refuse(cls, "on", message)
        instant = as_instant(at, what="at")
        return cls(
            on=on,
            at=instant,
            stays=tuple(s for s in profile.stays if s.counted_on <= on),
            reviews=tuple(r for r in profile.reviews if r.at <= instant),
            referrals=tuple(r for r in profile.referrals if r.at <= instant),
        )

    @property
    def nights(self) -> int:
        """The nights of every stay counted."""
        return sum(record.nights for record in self.stays)

    def spend(self, currency: Currency | str, *, days: int | None = None) -> Money:
        """What the stays counted cost, or those of the ``days`` days up to :attr:`on`.

        The window of ``days=365`` is the 365 days ending with :attr:`on`, that day
        included.

        Raises:
            CurrencyMismatchError: A stay was paid in another currency.

        Example:
            See the class example.
        """
        end = self.on + _ONE_DAY
        start = dt.date.min if days is None else end - dt.timedelta(days=days)
        return totals(self.stays, start=start, end=end, currency=currency).spend

    @property
    def average_review(self) -> Decimal | None:
        """The mean review score, or ``None`` without reviews."""
        if not self.reviews:
            return None
        total = sum((review.score for review in self.reviews), Decimal(0))
        return _MEAN.divide(total, Decimal(len(self.reviews)))

    @property
    def days_since_last_stay(self) -> int | None:
        """Whole days from the last check-out to :attr:`on`, or ``None`` without stays."""
        return (self.on - self.stays[-1].counted_on).days if self.stays else None

    @property
    def converted(self) -> tuple[Referral, ...]:
        """The referrals that converted at or before :attr:`at`, in the order they did."""
        done = [
            r for r in self.referrals if r.converted_at is not None and r.converted_at <= self.at
        ]
        return tuple(sorted(done, key=_converted_at))

    def value(
        self, field: str, currency: Currency | str | None = None
    ) -> int | Decimal | Money | None:
        """The figure ``field`` of :data:`TAG_FIELDS`; ``spend`` needs the ``currency``.

        Raises:
            UnknownTagFieldError: ``field`` is not one of :data:`TAG_FIELDS`.

        Example:
            Continuing the module example above:

            >>> facts.value("stays"), facts.value("average_review")
            (2, None)
        """
        if field == "spend":
            if currency is None:
                raise _refuse(type(self), "currency", 'spend is summed in a currency such as "EUR"')
            return self.spend(currency)
        figures: Mapping[str, Callable[[], int | Decimal | None]] = {
            "stays": lambda: len(self.stays),
            "nights": lambda: self.nights,
            "average_review": lambda: self.average_review,
            "days_since_last_stay": lambda: self.days_since_last_stay,
            "referrals": lambda: len(self.referrals),
            "reviews": lambda: len(self.reviews),
        }
        if field not in figures:
            what = "ProfileFacts is not valid"
            raise UnknownTagFieldError([("field", _unknown_field(field))], what=what)
        return figures[field]()


def _unknown_field(field: object) -> str:
    shown = json.dumps(field) if isinstance(field, str) else repr(field)
    return f"{shown} is not a field tag rules compare; the fields are {', '.join(TAG_FIELDS)}"


# -- conditions ------------------------------------------------------------------------


@attrs.frozen
class TagCondition(abc.ABC):
    """What a profile must meet to earn a tag: ``a & b`` is all of both, ``a | b`` either.

    Example:
        >>> from staycore.membership.tags import ReferralsConverted, StaysWith
        >>> either = StaysWith(at_least=2) | ReferralsConverted()
        >>> print(either.describe())
        at least 2 stays with children or at least 1 referral converted
    """

    @abc.abstractmethod
    def reason(self, facts: ProfileFacts) -> str | None:
        """Why ``facts`` meet the condition, in a sentence; ``None`` when they do not."""

    @abc.abstractmethod
    def describe(self) -> str:
        """The condition in words, for a rule's description."""

    def __and__(self, other: TagCondition) -> AllOf:
        return AllOf(_flattened(AllOf, (self, other)))

    def __or__(self, other: TagCondition) -> AnyOf:
        return AnyOf(_flattened(AnyOf, (self, other)))


def _flattened(
    kind: type[AllOf | AnyOf], conditions: Iterable[TagCondition]
) -> tuple[TagCondition, ...]:
    flat: list[TagCondition] = []
    for condition in conditions:
        flat.extend(condition.conditions if isinstance(condition, kind) else (condition,))
    return tuple(flat)


def _in_room(room: str) -> str:
    article = "an" if room[:1].lower() in "aeiou" else "a"
    noun = "" if room.lower().endswith(("room", "suite")) else " room"
    return f"{article} {room}{noun}"


def _room(value: str) -> str:
    return value.strip() if isinstance(value, str) else value


def _same_room(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@attrs.frozen(kw_only=True)
class ConsecutiveStays(TagCondition):
    """The last ``count`` stays, by check-out, were all in the room category ``room``.

    Room categories are matched ignoring case and surrounding spaces.
    A stay without a room category breaks the row.

    Attributes:
        room: The room category, as stay records name it (``"executive"``).
        count: How many stays in a row, at least 1.

    Raises:
        InvalidTagRuleError: ``count`` is under 1 or ``room`` is empty.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.tags import ConsecutiveStays
        >>> now = ProfileFacts.of(guest, on=at.date(), at=at)
        >>> ConsecutiveStays(count=4, room="executive").reason(now) is None
        True
        >>> ConsecutiveStays(count=2, room="Executive").describe()
        'the last 2 stays in an Executive room'
    """

    room: str = attrs.field(converter=_room)
    count: int = 3

    def __attrs_post_init__(self) -> None:
        _count(self.count, type(self), "count")
        if not isinstance(self.room, str) or not self.room.strip():
            raise _refuse(type(self), "room", 'must be a room category such as "executive"')

    def reason(self, facts: ProfileFacts) -> str | None:
        """Why the last stays meet the condition; ``None`` when they do not."""
        last = facts.stays[-self.count :]
        if len(last) < self.count or not all(_same_room(s.room, self.room) for s in last):
            return None
        on = last[-1].counted_on.isoformat()
        if self.count == 1:
            return f"the last stay was in {_in_room(self.room)}, on {on}"
        return f"{self.count} stays in a row in {_in_room(self.room)}, the last on {on}"

    def describe(self) -> str:
        """The condition in words."""
        if self.count == 1:
            return f"the last stay in {_in_room(self.room)}"
        return f"the last {self.count} stays in {_in_room(self.room)}"


@attrs.frozen(kw_only=True)
class StaysWith(TagCondition):
    """At least ``at_least`` stays with children (or, with ``children=False``, without).

    Attributes:
        children: Count stays with children (``True``) or without any (``False``).
        at_least: How many such stays, at least 1.

    Raises:
        InvalidTagRuleError: ``at_least`` is under 1, or ``children`` is not a bool.

    Example:
        >>> from staycore.membership.tags import StaysWith
        >>> StaysWith(children=False, at_least=3).describe()
        'at least 3 stays without children'
    """

    children: bool = True
    at_least: int = 1

    def __attrs_post_init__(self) -> None:
        _count(self.at_least, type(self), "at_least")
        if not isinstance(self.children, bool):
            raise _refuse(type(self), "children", f"must be true or false, got {self.children!r}")

    def _party(self) -> str:
        return "with children" if self.children else "without children"

    def reason(self, facts: ProfileFacts) -> str | None:
        """Which stays meet the condition; ``None`` when too few do."""
        found = [s for s in facts.stays if (s.children > 0) is self.children]
        if len(found) < self.at_least:
            return None
        on = found[-1].counted_on.isoformat()
        if len(found) == 1:
            return f"1 stay {self._party()}, on {on}"
        return f"{len(found)} stays {self._party()}, the last on {on}"

    def describe(self) -> str:
        """The condition in words."""
        return f"at least {_counted(self.at_least, 'stay')} {self._party()}"


@attrs.frozen(kw_only=True)
class ReferralsConverted(TagCondition):
    """At least ``at_least`` friends the guest referred became guests.

    Attributes:
        at_least: How many referrals converted, at least 1.

    Raises:
        InvalidTagRuleError: ``at_least`` is under 1.

    Example:
        >>> from staycore.membership.tags import ReferralsConverted
        >>> ReferralsConverted().describe()
        'at least 1 referral converted'
    """

    at_least: int = 1

    def __attrs_post_init__(self) -> None:
        _count(self.at_least, type(self), "at_least")

    def reason(self, facts: ProfileFacts) -> str | None:
        """Which referrals converted; ``None`` when too few did."""
        done = facts.converted
        if len(done) < self.at_least:
            return None
        on = _converted_at(done[-1]).date().isoformat()
        if len(done) == 1:
            return f"1 referral converted, on {on}"
        return f"{len(done)} referrals converted, the last on {on}"

    def describe(self) -> str:
        """The condition in words."""
        return f"at least {_counted(self.at_least, 'referral')} converted"


def _over(value: Money | str) -> Money:
    if isinstance(value, str):
        try:
            return Money.parse(value)
        except StaycoreError:
            message = f'must be an amount with its currency such as "5000 EUR", got {value!r}'
            raise _refuse(SpendWithin, "over", message) from None
    return value


@attrs.frozen(kw_only=True)
class SpendWithin(TagCondition):
    """More than ``over`` spent on the stays of the ``days`` days up to the day of evaluation.

    The window is the ``days`` days ending with the day of evaluation, that day
    included: a stay counts on its check-out date.

    Attributes:
        over: The spend to exceed, in the programme's currency (text such as
            ``"5000 EUR"`` is read as money).
        days: The length of the window, at least 1.

    Raises:
        InvalidTagRuleError: ``over`` is negative or not money, or ``days`` is under 1.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.tags import SpendWithin
        >>> rich = SpendWithin(over="1500 EUR", days=365)
        >>> rich.reason(ProfileFacts.of(guest, on=at.date(), at=at))
        'EUR 1800.00 spent in the 365 days to 2026-10-04, over EUR 1500'
        >>> rich.reason(ProfileFacts.of(guest, on=dt.date(2027, 8, 1), at=at)) is None
        True
    """

    over: Money = attrs.field(converter=_over)
    days: int = 365

    def __attrs_post_init__(self) -> None:
        _count(self.days, type(self), "days")
        if not isinstance(self.over, Money) or self.over.is_negative:
            message = f'must be an amount of 0 or more such as "5000 EUR", got {self.over!r}'
            raise _refuse(type(self), "over", message)

    def reason(self, facts: ProfileFacts) -> str | None:
        """What was spent in the window; ``None`` when it is not over the amount."""
        spent = facts.spend(self.over.currency, days=self.days)
        if spent <= self.over:
            return None
        return f"{spent} spent in the {self.days} days to {facts.on.isoformat()}, over {self.over}"

    def describe(self) -> str:
        """The condition in words."""
        return f"over {self.over} spent in {_counted(self.days, 'day')}"


def _compare_value(field: str, value: object) -> int | Decimal | Money:
    """``value`` as the figure ``field`` is, or a message saying what it should be."""
    if field == "spend":
        if isinstance(value, Money) and not value.is_negative:
            return value
        try:
            money = Money.parse(value) if isinstance(value, str) else None
        except StaycoreError:
            money = None
        if money is None or money.is_negative:
            msg = (
                'spend is compared with an amount and its currency such as "5000 EUR", '
                f"got {value!r}"
            )
            raise ValueError(msg)
        return money
    if field == "average_review":
        try:
            return to_decimal(value, what="value")
        except StaycoreError:
            msg = f'average_review is compared with a score such as "4.5", got {value!r}'
            raise ValueError(msg) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{field} is compared with a whole number of 0 or more, got {value!r}"
        raise ValueError(msg)
    return value


@attrs.frozen(init=False)
class Compare(TagCondition):
    """A figure of the profile (one of :data:`TAG_FIELDS`) compared with ``value``.

    ``spend`` is compared with money (text such as ``"5000 EUR"`` is read as money) and
    summed in its currency; ``average_review`` with a score; the others with whole
    numbers. A figure a profile does not have (the average of no reviews, the days since
    no stay) meets no comparison.

    Attributes:
        field: The figure, one of :data:`TAG_FIELDS`.
        op: The comparison, one of :data:`OPERATORS`.
        value: What the figure is compared with.

    Raises:
        UnknownTagFieldError: ``field`` is not one of :data:`TAG_FIELDS`.
        InvalidTagRuleError: ``op`` is not one of :data:`OPERATORS`, or ``value`` is not
            what ``field`` is compared with.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.tags import Compare
        >>> facts = ProfileFacts.of(guest, on=dt.date(2027, 1, 1), at=at)
        >>> Compare("days_since_last_stay", ">", 60).reason(facts)
        '89 days since the last stay, over 60'
        >>> Compare("spend", ">=", "1800 EUR").reason(facts)
        'EUR 1800.00 spent, at least EUR 1800'
        >>> Compare("stays", "=>", 3)
        Traceback (most recent call last):
        ...
        staycore.membership.tags.InvalidTagRuleError: [membership.invalid_tag_rule]
        Compare is not valid:
          op: "=>" is not a comparison; use one of <, <=, ==, >=, >
    """

    field: str
    op: str
    value: int | Decimal | Money

    def __init__(self, field: str, op: str, value: int | Decimal | Money | str) -> None:
        if field not in TAG_FIELDS:
            what = "Compare is not valid"
            raise UnknownTagFieldError([("field", _unknown_field(field))], what=what)
        if op not in _OPERATIONS:
            shown = json.dumps(op) if isinstance(op, str) else repr(op)
            message = f"{shown} is not a comparison; use one of {', '.join(OPERATORS)}"
            raise _refuse(type(self), "op", message)
        try:
            checked = _compare_value(field, value)
        except ValueError as error:
            raise _refuse(type(self), "value", str(error)) from None
        self.__attrs_init__(field, op, checked)

    def reason(self, facts: ProfileFacts) -> str | None:
        """The figure and the comparison it meets; ``None`` when it does not."""
        value = self.value
        figure = facts.value(self.field, value.currency if isinstance(value, Money) else None)
        if figure is None or not _OPERATIONS[self.op](figure, value):
            return None
        return f"{_figure(self.field, figure)}, {_SAYS[self.op]} {_shown_value(value)}"

    def describe(self) -> str:
        """The condition in words."""
        return f"{self.field} {self.op} {_shown_value(self.value)}"


def _shown_value(value: int | Decimal | Money) -> str:
    return _number(value) if isinstance(value, Decimal) else str(value)


def _figure(field: str, figure: int | Decimal | Money) -> str:
    if isinstance(figure, Money):
        return f"{figure} spent"
    if isinstance(figure, Decimal):
        return f"an average review of {_number(figure)}"
    texts = {
        "stays": _counted(figure, "stay"),
        "nights": _counted(figure, "night"),
        "days_since_last_stay": f"{_counted(figure, 'day')} since the last stay",
        "referrals": f"{_counted(figure, 'referral')} shared",
        "reviews": _counted(figure, "review"),
    }
    return texts[field]


def _conditions(value: Iterable[TagCondition]) -> tuple[TagCondition, ...]:
    return tuple(value) if isinstance(value, Iterable) else (value,)


def _check_group(kind: type, conditions: tuple[TagCondition, ...]) -> None:
    if not conditions:
        raise _refuse(kind, "conditions", "needs at least one condition")
    for index, condition in enumerate(conditions):
        if not isinstance(condition, TagCondition):
            message = f"must be a condition such as StaysWith(), got {condition!r}"
            raise _refuse(kind, f"conditions[{index}]", message)


def _described(condition: TagCondition) -> str:
    text = condition.describe()
    return f"({text})" if isinstance(condition, AllOf | AnyOf) else text


@attrs.frozen
class AllOf(TagCondition):
    """Every one of ``conditions`` is met; the reason gives each one's.

    Attributes:
        conditions: The conditions, at least one.

    Raises:
        InvalidTagRuleError: No condition, or something that is not one.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.tags import AllOf, Compare, ConsecutiveStays
        >>> both = AllOf([ConsecutiveStays(count=2, room="executive"), Compare("nights", ">=", 6)])
        >>> both.reason(ProfileFacts.of(guest, on=at.date(), at=at))
        '2 stays in a row in an executive room, the last on 2026-10-04; 6 nights, at least 6'
    """

    conditions: tuple[TagCondition, ...] = attrs.field(converter=_conditions)

    def __attrs_post_init__(self) -> None:
        _check_group(type(self), self.conditions)

    def reason(self, facts: ProfileFacts) -> str | None:
        """Each condition's reason; ``None`` when one is not met."""
        reasons: list[str] = []
        for condition in self.conditions:
            reason = condition.reason(facts)
            if reason is None:
                return None
            reasons.append(reason)
        return "; ".join(reasons)

    def describe(self) -> str:
        """The condition in words."""
        return " and ".join(_described(condition) for condition in self.conditions)


@attrs.frozen
class AnyOf(TagCondition):
    """At least one of ``conditions`` is met; the reason gives those met.

    Attributes:
        conditions: The conditions, at least one.

    Raises:
        InvalidTagRuleError: No condition, or something that is not one.

    Example:
        >>> from staycore.membership.tags import AnyOf
        >>> AnyOf([])
        Traceback (most recent call last):
        ...
        staycore.membership.tags.InvalidTagRuleError: [membership.invalid_tag_rule]
        AnyOf is not valid:
          conditions: needs at least one condition
    """

    conditions: tuple[TagCondition, ...] = attrs.field(converter=_conditions)

    def __attrs_post_init__(self) -> None:
        _check_group(type(self), self.conditions)

    def reason(self, facts: ProfileFacts) -> str | None:
        """The reasons of the conditions met; ``None`` when none is."""
        reasons = [r for r in (c.reason(facts) for c in self.conditions) if r is not None]
        return "; ".join(reasons) if reasons else None

    def describe(self) -> str:
        """The condition in words."""
        return " or ".join(_described(condition) for condition in self.conditions)


# -- rules -----------------------------------------------------------------------------


def _rule_name(value: str) -> str:
    if not isinstance(value, str) or not _RULE_NAME.match(value):
        message = (
            "must be a tag name of lower-case letters, digits and underscores, starting "
            f'with a letter, such as "business_high_value"; got {value!r}'
        )
        raise _refuse(TagRule, "name", message)
    return value


def _description(rule: TagRule) -> str:
    condition = rule.condition
    return condition.describe() if isinstance(condition, TagCondition) else ""


@attrs.frozen(kw_only=True)
class TagRule:
    """Give the tag ``name`` to every profile that meets ``condition``.

    Attributes:
        name: The tag, a lower-case name such as ``"business_high_value"``.
        condition: What a profile must meet.
        description: What the rule is for, in words; the condition's own words unless
            given.

    Raises:
        InvalidTagRuleError: The name is not a tag name, or the condition is not one.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.tags import Compare, TagRule
        >>> rule = TagRule(name="long_stayer", condition=Compare("nights", ">=", 5))
        >>> rule.description
        'nights >= 5'
        >>> rule.evaluate(ProfileFacts.of(guest, on=at.date(), at=at)).reason
        '6 nights, at least 5'
    """

    name: str = attrs.field(converter=_rule_name)
    condition: TagCondition
    description: str = attrs.field(default=attrs.Factory(_description, takes_self=True))

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.condition, TagCondition):
            message = f"must be a condition such as StaysWith(), got {self.condition!r}"
            raise _refuse(type(self), "condition", message)

    def evaluate(self, facts: ProfileFacts) -> Tag | None:
        """The tag, given at ``facts.at`` with its reason, or ``None`` when not earned.

        Example:
            See the class example.
        """
        reason = self.condition.reason(facts)
        if reason is None:
            return None
        return Tag(name=self.name, reason=reason, given_at=facts.at, rule=self.name)


def _unique(rules: Sequence[TagRule]) -> tuple[TagRule, ...]:
    found = tuple(rules)
    problems: list[tuple[str, str]] = []
    first: dict[str, int] = {}
    for index, rule in enumerate(found):
        if not isinstance(rule, TagRule):
            problems.append((f"[{index}]", f"must be a TagRule, got {rule!r}"))
        elif rule.name in first:
            problems.append((f"[{index}].name", _twice(rule.name, first[rule.name])))
        else:
            first[rule.name] = index
    if problems:
        raise InvalidTagRuleError(problems)
    return found


def _twice(name: str, first: int) -> str:
    return (
        f'"{name}" is given by the rule at [{first}] too; give each tag one rule '
        "(combine conditions with any_of)"
    )


def evaluate_tags(
    rules: Sequence[TagRule], profile: CustomerProfile, *, on: dt.date, at: dt.datetime
) -> tuple[Tag, ...]:
    """The tags ``profile`` earns as of the day ``on`` and the instant ``at``, in rule order.

    Each tag is given at ``at``, with the reason its condition gave.

    Raises:
        InvalidTagRuleError: Two rules give one tag, or a rule is not a :class:`TagRule`.
        CurrencyMismatchError: A spend rule's currency is not that of a stay.

    Example:
        See the module example.
    """
    facts = ProfileFacts.of(profile, on=on, at=at)
    earned = (rule.evaluate(facts) for rule in _unique(rules))
    return tuple(tag for tag in earned if tag is not None)


def refresh_tags(
    rules: Sequence[TagRule], profile: CustomerProfile, *, on: dt.date, at: dt.datetime
) -> ProfileChange:
    """Give ``profile`` the tags it earns now and take away those it no longer does.

    What :meth:`~staycore.membership.profiles.CustomerProfile.with_tags` does with the
    tags of :func:`evaluate_tags`: a tag still earned keeps its first reason.

    Example:
        Continuing the module example above:

        >>> tagged, (event,) = refresh_tags(rules, guest, on=at.date(), at=at)
        >>> event.added, tagged.version - guest.version
        (('business_high_value',), 1)
    """
    return profile.with_tags(evaluate_tags(rules, profile, on=on, at=at), at=at)


def default_tag_rules(high_net_worth_spend: Money) -> tuple[TagRule, ...]:
    """The four rules of a hotel CRM, with the yearly spend that makes a high net worth.

    * ``business_high_value``: three consecutive stays in an executive room;
    * ``family``: a stay with children;
    * ``social_promoter``: a referral that converted;
    * ``high_net_worth``: more than ``high_net_worth_spend`` in the last 365 days.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.membership.tags import default_tag_rules
        >>> [rule.description for rule in default_tag_rules(Money.of("150000", "JPY"))][3]
        'over JPY 150000 spent in the last 365 days'
    """
    over = _over(high_net_worth_spend)
    return (
        TagRule(
            name="business_high_value",
            condition=ConsecutiveStays(count=3, room="executive"),
            description="three consecutive stays in an executive room",
        ),
        TagRule(
            name="family",
            condition=StaysWith(children=True, at_least=1),
            description="stays with children",
        ),
        TagRule(
            name="social_promoter",
            condition=ReferralsConverted(at_least=1),
            description="shared a referral that converted",
        ),
        TagRule(
            name="high_net_worth",
            condition=SpendWithin(over=over, days=365),
            description=f"over {over} spent in the last 365 days",
        ),
    )


DEFAULT_TAG_RULES: Final = default_tag_rules(Money.of("5000.00", "EUR"))
"""The four rules of :func:`default_tag_rules`, for a programme in euros (over EUR 5,000.00)."""


# -- rules as data ---------------------------------------------------------------------


def _text_data(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"must be some text, got {shown(value)}"
        raise ValueError(msg)
    return value.strip()


def _tag_data(value: object) -> str:
    if not isinstance(value, str) or not _RULE_NAME.match(value):
        msg = (
            "must be a tag name of lower-case letters, digits and underscores, such as "
            f'"business_high_value"; got {shown(value)}'
        )
        raise ValueError(msg)
    return value


def _money_data(value: object) -> str:
    if isinstance(value, str):
        try:
            return str(Money.parse(value))
        except StaycoreError:
            pass
    msg = f'must be an amount with its currency, such as "5000 EUR"; got {shown(value)}'
    raise ValueError(msg)


def _field_data(value: object) -> str:
    if not isinstance(value, str) or value not in TAG_FIELDS:
        # Its own error type, so that parse_tag_rules can tell it from other problems.
        raise PydanticCustomError("unknown_tag_field", _unknown_field(value))
    return value


def _some(conditions: tuple[ConditionData, ...]) -> tuple[ConditionData, ...]:
    if not conditions:
        msg = "needs at least one condition"
        raise ValueError(msg)
    return conditions


def _op_data(value: object) -> str:
    if not isinstance(value, str) or value not in _OPERATIONS:
        msg = f"{shown(value)} is not a comparison; use one of {', '.join(OPERATORS)}"
        raise ValueError(msg)
    return value


_TEXT_INPUT: Final[Any] = str

Text = Annotated[str, BeforeValidator(_text_data, json_schema_input_type=_TEXT_INPUT)]
TagName = Annotated[str, BeforeValidator(_tag_data, json_schema_input_type=_TEXT_INPUT)]
MoneyText = Annotated[str, BeforeValidator(_money_data, json_schema_input_type=_TEXT_INPUT)]
FieldName = Annotated[str, BeforeValidator(_field_data, json_schema_input_type=_TEXT_INPUT)]
Operator = Annotated[str, BeforeValidator(_op_data, json_schema_input_type=_TEXT_INPUT)]
PositiveCount = Annotated[StrictInt, Field(ge=1)]

# Every entry refuses a key it does not know (a typo) and cannot change once read.
_ENTRY: Final = ConfigDict(extra="forbid", frozen=True)
_LEAVES: Final = ("consecutive_stays", "stays_with_children", "referrals_converted", "spend_within")
_GROUPS: Final = ("all_of", "any_of")
_COMPARISON: Final = ("field", "op", "value")


class ConsecutiveStaysData(BaseModel):
    """``{"count": 3, "room": "executive"}``: see :class:`ConsecutiveStays`."""

    model_config = _ENTRY

    room: Text
    count: PositiveCount = 3


class StaysWithChildrenData(BaseModel):
    """``{"at_least": 1}``: see :class:`StaysWith`."""

    model_config = _ENTRY

    at_least: PositiveCount = 1


class ReferralsConvertedData(BaseModel):
    """``{"at_least": 1}``: see :class:`ReferralsConverted`."""

    model_config = _ENTRY

    at_least: PositiveCount = 1


class SpendWithinData(BaseModel):
    """``{"days": 365, "over": "5000 EUR"}``: see :class:`SpendWithin`."""

    model_config = _ENTRY

    over: MoneyText
    days: PositiveCount = 365


class ConditionData(BaseModel):
    """One condition: a single key naming its kind, or ``field``, ``op`` and ``value``.

    Attributes:
        consecutive_stays: ``{"count": 3, "room": "executive"}``.
        stays_with_children: ``{"at_least": 1}``.
        referrals_converted: ``{"at_least": 1}``.
        spend_within: ``{"days": 365, "over": "5000 EUR"}``.
        all_of: A list of conditions, all met.
        any_of: A list of conditions, one met at least.
        field: The figure compared, one of :data:`TAG_FIELDS`.
        op: The comparison, one of :data:`OPERATORS`.
        value: What the figure is compared with.
    """

    model_config = _ENTRY

    consecutive_stays: ConsecutiveStaysData | None = None
    stays_with_children: StaysWithChildrenData | None = None
    referrals_converted: ReferralsConvertedData | None = None
    spend_within: SpendWithinData | None = None
    all_of: Annotated[tuple[ConditionData, ...], AfterValidator(_some)] = ()
    any_of: Annotated[tuple[ConditionData, ...], AfterValidator(_some)] = ()
    field: FieldName = ""
    op: Operator = ""
    value: Any = None

    @field_validator("value")
    @classmethod
    def _value_of_field(cls, value: object, info: ValidationInfo) -> object:
        field = info.data.get("field")
        if field not in TAG_FIELDS:
            return value  # the field's own problem is reported
        if isinstance(value, float) and field == "average_review":
            value = Decimal(repr(value))  # a score, as YAML reads 4.5
        return _compare_value(field, value)

    @model_validator(mode="before")
    @classmethod
    def _empty_leaves(cls, data: object) -> object:
        # `stays_with_children:` with nothing after it, in YAML, means its defaults.
        if isinstance(data, Mapping):
            return {
                key: {} if key in _LEAVES and item is None else item for key, item in data.items()
            }
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> ConditionData:
        given = self.model_fields_set
        kinds: list[str] = [kind for kind in (*_LEAVES, *_GROUPS) if kind in given]
        compared = [key for key in _COMPARISON if key in given]
        if compared:
            missing = [key for key in _COMPARISON if key not in given]
            if missing:
                msg = (
                    f"a comparison needs field, op and value, such as "
                    f'{{"field": "stays", "op": ">=", "value": 5}}; {" and ".join(missing)} missing'
                )
                raise ValueError(msg)
            kinds.append("field/op/value")
        if len(kinds) != 1:
            names = ", ".join((*_LEAVES, *_GROUPS))
            msg = (
                f"give one condition: {names}, or field/op/value"
                if not kinds
                else f"give one condition per mapping, not {' and '.join(kinds)}; combine "
                "them with all_of or any_of"
            )
            raise ValueError(msg)
        return self


class TagRuleData(BaseModel):
    """A tag rule as data: ``{"tag": "family", "when": {...}, "description": "..."}``.

    Attributes:
        tag: The tag the rule gives.
        when: The condition.
        description: What the rule is for; the condition's words when absent.
    """

    model_config = _ENTRY

    tag: TagName
    when: ConditionData
    description: Text | None = None


_Problem = tuple[str, str, bool]  # path, message, whether it is an unknown field


def _condition(data: ConditionData, path: str, problems: list[_Problem]) -> TagCondition | None:
    """The condition ``data`` describes, or ``None`` with its problems added to ``problems``."""
    given = data.model_fields_set
    try:
        return _leaf(data, given) or _group(data, path, problems)
    except InvalidTagRuleError as error:
        unknown = isinstance(error, UnknownTagFieldError)
        problems.extend((f"{path}.{where}", message, unknown) for where, message in error.problems)
        return None


def _leaf(data: ConditionData, given: set[str]) -> TagCondition | None:
    if data.consecutive_stays is not None:
        stays = data.consecutive_stays
        return ConsecutiveStays(count=stays.count, room=stays.room)
    if data.stays_with_children is not None:
        return StaysWith(children=True, at_least=data.stays_with_children.at_least)
    if data.referrals_converted is not None:
        return ReferralsConverted(at_least=data.referrals_converted.at_least)
    if data.spend_within is not None:
        return SpendWithin(over=data.spend_within.over, days=data.spend_within.days)
    if "field" in given:
        return Compare(data.field, data.op, data.value)
    return None


def _group(data: ConditionData, path: str, problems: list[_Problem]) -> TagCondition | None:
    key = "all_of" if data.all_of else "any_of"
    children = [
        _condition(child, f"{path}.{key}[{index}]", problems)
        for index, child in enumerate(getattr(data, key))
    ]
    found = [child for child in children if child is not None]
    if len(found) < len(children):
        return None
    return AllOf(found) if key == "all_of" else AnyOf(found)


def parse_tag_rules(data: Sequence[Mapping[str, Any]]) -> tuple[TagRule, ...]:
    """Read tag rules from plain data: a list of ``{"tag": ..., "when": ...}`` mappings.

    A condition is a mapping with one key naming its kind, or a comparison:

    * ``{"consecutive_stays": {"count": 3, "room": "executive"}}``
    * ``{"stays_with_children": {"at_least": 1}}``
    * ``{"referrals_converted": {"at_least": 1}}``
    * ``{"spend_within": {"days": 365, "over": "5000 EUR"}}``
    * ``{"field": "stays", "op": ">=", "value": 5}`` (see :class:`Compare`)
    * ``{"all_of": [...]}`` and ``{"any_of": [...]}``, lists of conditions.

    Counts default as the classes do (``count: 3``, ``at_least: 1``, ``days: 365``).
    Every problem is reported at once, with where it is.

    Raises:
        UnknownTagFieldError: Every problem is a comparison over an unknown field.
        InvalidTagRuleError: Anything else is wrong, each problem with its path.

    Example:
        >>> from staycore.membership.tags import DEFAULT_TAG_RULES, parse_tag_rules
        >>> parse_tag_rules([
        ...     {"tag": "business_high_value",
        ...      "description": "three consecutive stays in an executive room",
        ...      "when": {"consecutive_stays": {"count": 3, "room": "executive"}}},
        ...     {"tag": "family", "description": "stays with children",
        ...      "when": {"stays_with_children": {"at_least": 1}}},
        ...     {"tag": "social_promoter", "description": "shared a referral that converted",
        ...      "when": {"referrals_converted": {"at_least": 1}}},
        ...     {"tag": "high_net_worth",
        ...      "description": "over EUR 5000.00 spent in the last 365 days",
        ...      "when": {"spend_within": {"days": 365, "over": "5000.00 EUR"}}},
        ... ]) == DEFAULT_TAG_RULES
        True
        >>> parse_tag_rules([
        ...     {"tag": "vip", "when": {"all_of": [
        ...         {"consecutive_stays": {"count": 0, "room": "executive"}},
        ...         {"field": "visits", "op": ">=", "value": 5}]}},
        ...     {"tag": "Family", "when": {"stays_with_kids": {}}},
        ... ])
        Traceback (most recent call last):
        ...
        staycore.membership.tags.InvalidTagRuleError: [membership.invalid_tag_rule]
        the tag rules are not valid:
          [0].when.all_of[0].consecutive_stays.count: must be 1 or more, got 0
          [0].when.all_of[1].field: "visits" is not a field tag rules compare; the fields
            are stays, nights, spend, average_review, days_since_last_stay, referrals, reviews
          [1].tag: must be a tag name of lower-case letters, digits and underscores, such
            as "business_high_value"; got "Family"
          [1].when.stays_with_kids: unknown key; did you mean "stays_with_children"?
    """
    if isinstance(data, str | bytes | Mapping) or not isinstance(data, Sequence):
        message = (
            'tag rules are a list of mappings such as {"tag": "family", "when": '
            f'{{"stays_with_children": {{"at_least": 1}}}}}}, got {shown(data)}'
        )
        raise InvalidTagRuleError([("", message)])
    problems: list[_Problem] = []
    rules: list[TagRule] = []
    first: dict[str, int] = {}
    for index, entry in enumerate(data):
        try:
            parsed = TagRuleData.model_validate(entry)
        except ValidationError as error:
            problems.extend(_pydantic_problem(index, details) for details in error.errors())
            continue
        condition = _condition(parsed.when, f"[{index}].when", problems)
        if parsed.tag in first:
            problems.append((f"[{index}].tag", _twice(parsed.tag, first[parsed.tag]), False))
        first.setdefault(parsed.tag, index)
        if condition is not None:
            description = parsed.description or condition.describe()
            rules.append(TagRule(name=parsed.tag, condition=condition, description=description))
    if problems:
        found = [(path, message) for path, message, _ in problems]
        if all(unknown for _, _, unknown in problems):
            raise UnknownTagFieldError(found)
        raise InvalidTagRuleError(found)
    return tuple(rules)


# -- pydantic's errors, as the rules' problems -----------------------------------------------


def _path(index: int, location: Sequence[int | str]) -> str:
    """``(0, ("when", "all_of", 1, "field"))`` as ``[0].when.all_of[1].field``."""
    rest = document_path(location)
    return f"[{index}]" + (f".{rest}" if rest and not rest.startswith("[") else rest)


def _model_at(location: Sequence[int | str]) -> type[BaseModel] | None:
    return model_at(TagRuleData, location)


def _pydantic_problem(index: int, error: ErrorDetails) -> _Problem:
    location = [part for part in error["loc"] if part != "[key]"]
    kind, value = error["type"], error["input"]
    context = error.get("ctx") or {}
    messages = {
        "missing": "required, but missing",
        "int_type": f"must be a whole number, got {shown(value)}",
        "string_type": f"must be text, got {shown(value)}",
        "tuple_type": f"must be a list of conditions, got {shown(value)}",
        "model_type": f"must be a mapping, got {shown(value)}",
        "model_attributes_type": f"must be a mapping, got {shown(value)}",
        "greater_than_equal": f"must be {context.get('ge')} or more, got {shown(value)}",
    }
    if kind == "value_error" and "error" in context:
        message = str(context["error"])
    elif kind == "unknown_tag_field":
        message = error["msg"]
    elif kind == "extra_forbidden":
        model = _model_at(location[:-1])
        names = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(location[-1]), names, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"the keys are {', '.join(names)}"
        message = f"unknown key; {hint}"
    else:
        default = error["msg"][:1].lower() + error["msg"][1:]
        message = messages.get(kind, f"{default}, got {shown(value)}")
    if not location and kind in ("model_type", "model_attributes_type"):
        message = (
            f'must be a mapping such as {{"tag": "family", "when": {{...}}}}, got {shown(value)}'
        )
    return _path(index, location), message, kind == "unknown_tag_field"
