"""Earning rules: how many points a stay, a referral, a review or a daily sign-in earns.

A programme's :class:`EarningRules` are data. A completed stay earns, each as its own
:class:`Earning` with the rule's name and a reason a guest can read:

* ``base``: ``points_per_unit`` points per unit of the programme's currency spent
  (10 points per EUR), on the stay's qualifying spend, rounded down to whole points;
* ``tier_bonus``: the member's tier bonus, a percent of the base points (+25 % for
  Gold), rounded down;
* ``promotion:<name>``: for each :class:`PointsPromotion` whose window holds the stay
  and whose channels include the stay's, the base points times its multiplier less
  one, rounded down (double points add the base points once more). Promotions add up;
  they never multiply each other or the tier bonus.

A component worth no points is left out. Other earnings are separate rules, each a
fixed number of points: ``referral`` (a referred guest's first stay), ``review`` (a
review left) and ``sign_in`` (once per local day in the guest app).

The use case turns each earning into a ledger entry with
:meth:`staycore.membership.points.PointsAccount.earn`, keyed by the order and the rule
(``f"earn:{order}:{earning.rule}"``), so a retried completion earns nothing twice.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.membership.earning import (
    ...     EarningRules, PointsPromotion, SignInRule, earnings_for_stay)
    >>> from staycore.membership.history import StayRecord
    >>> from staycore.orders.ids import OrderId
    >>> rules = EarningRules(
    ...     currency="EUR",
    ...     points_per_unit="10",
    ...     promotions=[PointsPromotion(name="summer double", multiplier="2",
    ...                                 start=dt.date(2026, 6, 1), end=dt.date(2026, 9, 1))],
    ...     referral_bonus=2000,
    ...     review_bonus=200,
    ...     sign_in=SignInRule(points=5),
    ... )
    >>> july = StayRecord(order=OrderId.new(), stay=Stay.parse("2026-07-10/2026-07-13"),
    ...                   spend=Money.of("360.00", "EUR"),
    ...                   completed_at=pendulum.datetime(2026, 7, 13, 10, tz="UTC"))
    >>> for earning in earnings_for_stay(rules, july, tier_bonus_percent=25):
    ...     print(f"{earning.rule}: {earning.points} ({earning.reason})")
    base: 3600 (10 points per EUR on EUR 360.00)
    tier_bonus: 900 (25 % tier bonus on 3,600 base points)
    promotion:summer double: 3600 (summer double: x2 on 3,600 base points)
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import Final, TypeGuard

import attrs

from staycore.kernel.currency import Currency
from staycore.kernel.errors import CurrencyMismatchError, StaycoreError
from staycore.kernel.money import to_decimal
from staycore.kernel.time import as_instant
from staycore.membership.errors import LoyaltyError
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.orders.ids import OrderId

__all__ = [
    "BASE",
    "REFERRAL",
    "REVIEW",
    "SIGN_IN",
    "TIER_BONUS",
    "Earning",
    "EarningRules",
    "InvalidEarningRulesError",
    "PointsPromotion",
    "SignInRule",
    "earnings_for_stay",
    "promotion_rule",
    "referral_earning",
    "review_earning",
    "sign_in_earning",
]

BASE: Final = "base"
"""The rule name of the points a stay earns per unit spent."""
TIER_BONUS: Final = "tier_bonus"
"""The rule name of the tier's bonus on the base points."""
REFERRAL: Final = "referral"
"""The rule name of the bonus for a referral that converted."""
REVIEW: Final = "review"
"""The rule name of the bonus for a review left."""
SIGN_IN: Final = "sign_in"
"""The rule name of the daily sign-in points."""

_HUNDRED: Final = Decimal(100)
_ONE: Final = Decimal(1)
# Whatever the host's decimal context: exact products, rounded down once to whole points.
_CONTEXT: Final = decimal.Context(prec=34, traps=[decimal.InvalidOperation, decimal.Overflow])


class InvalidEarningRulesError(LoyaltyError):
    """Earning rules are out of range: a negative rate or bonus, a multiplier below 1, ...

    Example:
        >>> from staycore.membership.earning import EarningRules
        >>> EarningRules(currency="EUR", points_per_unit="-1")
        Traceback (most recent call last):
        ...
        staycore.membership.earning.InvalidEarningRulesError: [loyalty.invalid_earning_rules] ...
    """

    code = "loyalty.invalid_earning_rules"


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: object, what: str, *, least: Decimal) -> Decimal:
    try:
        number = to_decimal(value, what=what)
    except StaycoreError as error:
        msg = f"{what} is a decimal number such as '10' or '1.5', got {value!r}"
        raise InvalidEarningRulesError(msg) from error
    if number < least:
        msg = f"{what} must be at least {least}, got {value!r}"
        raise InvalidEarningRulesError(msg)
    return number


def _points_at_least(value: object, what: str, least: int) -> int:
    if not _whole(value) or value < least:
        msg = f"{what} is a whole number of points, at least {least}; got {value!r}"
        raise InvalidEarningRulesError(msg)
    return value


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=decimal.ROUND_FLOOR, context=_CONTEXT))


def _show(number: Decimal) -> str:
    return format(number.normalize(_CONTEXT), "f")


@attrs.frozen
class Earning:
    """Points one earning rule gives, and why.

    Attributes:
        rule: The rule (``"base"``, ``"tier_bonus"``, ``"promotion:<name>"``,
            ``"referral"``, ``"review"``, ``"sign_in"``).
        points: The points, at least 1.
        reason: Why, in words a guest reads.

    Example:
        >>> from staycore.membership.earning import Earning
        >>> Earning("review", 200, "review bonus").points
        200
    """

    rule: str
    points: int
    reason: str

    def __attrs_post_init__(self) -> None:
        _points_at_least(self.points, f"the points of earning {self.rule!r}", 1)


# -- promotions ------------------------------------------------------------------------


def _bound(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        try:
            return as_instant(value, what="promotion bound")
        except StaycoreError as error:
            msg = f"a promotion bound {value.isoformat()} needs a timezone, or give a date"
            raise InvalidEarningRulesError(msg) from error
    if isinstance(value, dt.date):
        return value
    msg = f"a promotion's window is bounded by dates or instants, got {value!r}"
    raise InvalidEarningRulesError(msg)


def _channels(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not all(isinstance(name, str) and name for name in value):
        msg = f"channels are a collection of channel names such as {{'direct'}}, got {value!r}"
        raise InvalidEarningRulesError(msg)
    return frozenset(value)


def _multiplier(value: Decimal | int | str) -> Decimal:
    return _decimal(value, "a promotion's multiplier", least=_ONE)


def promotion_rule(name: str) -> str:
    """The rule name of a promotion's earnings: ``"promotion:<name>"``.

    Example:
        >>> from staycore.membership.earning import promotion_rule
        >>> promotion_rule("summer double")
        'promotion:summer double'
    """
    return f"promotion:{name}"


@attrs.frozen(kw_only=True)
class PointsPromotion:
    """A multiplier on base points for stays in a window, on some channels or all.

    Attributes:
        name: How the promotion is called; unique among a programme's promotions.
        multiplier: At least 1: a stay earns its base points times this in all, so the
            promotion adds ``base * (multiplier - 1)``, rounded down.
        start: The first day (a date) or instant of the window.
        end: The day or instant after the window: the window is ``[start, end)``.
        channels: The channels it applies to (``{"direct"}``); empty for every channel.

    A window of dates holds a stay whose check-out date (the day it counts on) is in
    it; a window of instants holds a stay completed within it.

    Raises:
        InvalidEarningRulesError: A blank name, a multiplier below 1, a window that is
            empty or mixes dates and instants, or channels given as one string.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.earning import PointsPromotion
        >>> PointsPromotion(name="app week", multiplier="1.5", channels={"app"},
        ...                 start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 8)).bonus_on(1001)
        500
    """

    name: str
    multiplier: Decimal = attrs.field(converter=_multiplier)
    start: dt.date = attrs.field(converter=_bound)
    end: dt.date = attrs.field(converter=_bound)
    channels: frozenset[str] = attrs.field(default=frozenset(), converter=_channels)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            msg = f"a promotion needs a name, got {self.name!r}"
            raise InvalidEarningRulesError(msg)
        instants = isinstance(self.start, dt.datetime), isinstance(self.end, dt.datetime)
        if instants[0] != instants[1]:
            msg = (
                f"promotion {self.name!r} is bounded by {self.start!r} and {self.end!r}: "
                "give two dates or two instants"
            )
            raise InvalidEarningRulesError(msg)
        if not self.start < self.end:
            msg = (
                f"promotion {self.name!r} must end after it starts, not {self.start} to {self.end}"
            )
            raise InvalidEarningRulesError(msg)

    @property
    def rule(self) -> str:
        """The rule name its earnings carry."""
        return promotion_rule(self.name)

    def applies_to(self, stay: StayRecord) -> bool:
        """Whether ``stay`` earns this promotion: in its window, and on one of its channels.

        Example:
            Continuing the module example above:

            >>> rules.promotions[0].applies_to(july)
            True
        """
        if self.channels and stay.channel not in self.channels:
            return False
        if isinstance(self.start, dt.datetime):
            return self.start <= stay.completed_at < self.end
        return self.start <= stay.counted_on < self.end

    def bonus_on(self, base: int) -> int:
        """The points it adds to ``base`` points: ``base * (multiplier - 1)``, rounded down.

        Example:
            Continuing the module example above:

            >>> rules.promotions[0].bonus_on(3600)
            3600
        """
        return _floor(_CONTEXT.multiply(Decimal(base), self.multiplier - _ONE))


# -- the rules -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SignInRule:
    """Points for signing in to the guest app, once per local day.

    Attributes:
        points: The points per day, at least 1.

    Example:
        >>> from staycore.membership.earning import SignInRule
        >>> SignInRule(points=0)
        Traceback (most recent call last):
        ...
        staycore.membership.earning.InvalidEarningRulesError: [loyalty.invalid_earning_rules] ...
    """

    points: int

    def __attrs_post_init__(self) -> None:
        _points_at_least(self.points, "the sign-in points", 1)


def _currency(value: Currency | str) -> Currency:
    try:
        return Currency.of(value)
    except StaycoreError as error:
        msg = f"a programme earns on spend in one ISO 4217 currency such as 'EUR', got {value!r}"
        raise InvalidEarningRulesError(msg) from error


def _rate(value: Decimal | int | str) -> Decimal:
    return _decimal(value, "points per currency unit", least=Decimal(0))


def _promotions(value: Iterable[PointsPromotion]) -> tuple[PointsPromotion, ...]:
    promotions = tuple(value)
    if not all(isinstance(promotion, PointsPromotion) for promotion in promotions):
        msg = f"promotions are PointsPromotion values, got {promotions!r}"
        raise InvalidEarningRulesError(msg)
    names = [promotion.name for promotion in promotions]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        msg = f"promotion names must be unique, and {', '.join(twice)} appear twice"
        raise InvalidEarningRulesError(msg)
    return promotions


def _bonus(value: int) -> int:
    return _points_at_least(value, "a bonus", 0)


@attrs.frozen(kw_only=True)
class EarningRules:
    """What a programme gives points for.

    Attributes:
        currency: The currency spend earns in; a stay's spend must be in it.
        points_per_unit: Base points per unit of ``currency`` spent, zero or more.
        promotions: Promotions multiplying base points, with unique names.
        referral_bonus: Points for a referral that converted; 0 for none.
        review_bonus: Points for a review left; 0 for none.
        sign_in: The daily sign-in rule, or ``None`` for no sign-in points.

    Raises:
        InvalidEarningRulesError: An unknown currency, a negative rate or bonus, or two
            promotions of one name.

    Example:
        Continuing the module example above:

        >>> rules.currency, rules.points_per_unit, rules.sign_in.points
        (Currency('EUR'), Decimal('10'), 5)
    """

    currency: Currency = attrs.field(converter=_currency)
    points_per_unit: Decimal = attrs.field(converter=_rate)
    promotions: tuple[PointsPromotion, ...] = attrs.field(default=(), converter=_promotions)
    referral_bonus: int = attrs.field(default=0, converter=_bonus)
    review_bonus: int = attrs.field(default=0, converter=_bonus)
    sign_in: SignInRule | None = None


def earnings_for_stay(
    rules: EarningRules, stay: StayRecord, *, tier_bonus_percent: Decimal | int | str = 0
) -> tuple[Earning, ...]:
    """The points a completed stay earns: base, tier bonus, and each promotion's extra.

    Args:
        rules: The programme's earning rules.
        stay: The stay, with its qualifying spend, channel and check-out date.
        tier_bonus_percent: The member's tier bonus, a percent of the base points (25
            for +25 %); 0 without a tier.

    Returns:
        One earning per component worth at least one point, base first, then the tier
        bonus, then the promotions in the order the rules list them.

    Raises:
        CurrencyMismatchError: The stay's spend is in another currency than the rules.
        InvalidEarningRulesError: A negative tier bonus.

    Example:
        Continuing the module example above (a stay on another channel, after summer):

        >>> import attrs
        >>> autumn = attrs.evolve(july, stay=Stay.parse("2026-10-02/2026-10-04"),
        ...                       spend=Money.of("219.99", "EUR"))
        >>> [(e.rule, e.points) for e in earnings_for_stay(rules, autumn)]
        [('base', 2199)]
        >>> earnings_for_stay(rules, attrs.evolve(july, spend=Money.of("360", "USD")))
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.CurrencyMismatchError: [money.currency_mismatch] ...
    """
    bonus_percent = _decimal(tier_bonus_percent, "the tier bonus percent", least=Decimal(0))
    spend = stay.spend
    if spend.currency != rules.currency:
        msg = (
            f"the programme earns on spend in {rules.currency}, and the stay of order "
            f"{stay.order} was spent in {spend.currency}; convert the spend first"
        )
        raise CurrencyMismatchError(msg)
    base = _floor(_CONTEXT.multiply(spend.amount, rules.points_per_unit))
    if base <= 0:
        return ()
    shown = f"{base:,}"
    earnings = [
        Earning(
            BASE, base, f"{_show(rules.points_per_unit)} points per {spend.currency} on {spend}"
        )
    ]
    tier_bonus = _floor(_CONTEXT.divide(_CONTEXT.multiply(Decimal(base), bonus_percent), _HUNDRED))
    if tier_bonus > 0:
        earnings.append(
            Earning(
                TIER_BONUS,
                tier_bonus,
                f"{_show(bonus_percent)} % tier bonus on {shown} base points",
            )
        )
    for promotion in rules.promotions:
        bonus = promotion.bonus_on(base) if promotion.applies_to(stay) else 0
        if bonus > 0:
            earnings.append(
                Earning(
                    promotion.rule,
                    bonus,
                    f"{promotion.name}: x{_show(promotion.multiplier)} on {shown} base points",
                )
            )
    return tuple(earnings)


def referral_earning(rules: EarningRules, *, referred: CustomerId) -> Earning | None:
    """The points for referring ``referred``, whose first stay completed; ``None`` for none.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.ids import CustomerId
        >>> friend = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        >>> referral = referral_earning(rules, referred=friend)
        >>> referral.rule, referral.points, referral.reason
        ('referral', 2000, 'referred cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7, who stayed')
    """
    if rules.referral_bonus == 0:
        return None
    return Earning(REFERRAL, rules.referral_bonus, f"referred {referred}, who stayed")


def review_earning(rules: EarningRules, *, order: OrderId) -> Earning | None:
    """The points for reviewing the stay of ``order``; ``None`` for none.

    Example:
        Continuing the module example above:

        >>> review_earning(rules, order=july.order).points
        200
    """
    if rules.review_bonus == 0:
        return None
    return Earning(REVIEW, rules.review_bonus, f"reviewed the stay of order {order}")


def sign_in_earning(
    rules: EarningRules, *, last_sign_in: dt.date | None, today: dt.date
) -> Earning | None:
    """The points for signing in on ``today`` (a local date); ``None`` if none are due.

    None are due without a sign-in rule, or when the member signed in today already.
    A last sign-in after ``today`` (a clock or timezone off) earns nothing either, so
    that no day is paid twice. Key the entry by the day (``f"sign_in:{today}"``).

    Example:
        Continuing the module example above:

        >>> sign_in_earning(rules, last_sign_in=dt.date(2026, 7, 13), today=dt.date(2026, 7, 14))
        Earning(rule='sign_in', points=5, reason='signed in on 2026-07-14')
        >>> sign_in_earning(rules, last_sign_in=dt.date(2026, 7, 14), today=dt.date(2026, 7, 14))
    """
    for value, what in ((today, "today"), (last_sign_in, "last_sign_in")):
        if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
            msg = f"{what} is a local calendar date such as date(2026, 7, 14), got {value!r}"
            raise InvalidEarningRulesError(msg)
    if rules.sign_in is None or (last_sign_in is not None and last_sign_in >= today):
        return None
    return Earning(SIGN_IN, rules.sign_in.points, f"signed in on {today.isoformat()}")
