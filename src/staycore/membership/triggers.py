"""Triggers: the touches that keep guests coming back, worked out without a scheduler.

A host runs :func:`due_triggers` (through the use case
:meth:`staycore.app.loyalty.Loyalty.run_triggers`) as often as it likes: every hour, once
a night, or after a missed week. It looks at each member as they stand on a day and
returns the actions due, each with an idempotency key that names its occasion, so an
action is taken once however often the triggers run, and one missed on its first day is
still taken on the next run:

* **birthday offer**: the birthday is ``birthday_days_before`` days away or less (the key
  names the year);
* **win-back**: no stay for ``win_back_after_days`` days or more (the key names the last
  stay, so a guest who comes back and leaves again is won back again);
* **tier nudge**: the tier ends within ``tier_expiry_days_before`` days and the member
  has not yet done what keeps it (the key names the tier's end);
* **points reminder**: points expire within ``points_expiry_days_before`` days (the key
  names the expiry day);
* **upgrade prompt**: a member of one of the ``upgrade_tiers`` arrives today (the key
  names the order).

Only the birthday offer, the win-back and the nudges are marketing; whether a message may
go is the use case's to check against the profile's consent.

Example:
    >>> import datetime as dt
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.triggers import MemberSnapshot, TriggerSettings, due_triggers
    >>> mei = MemberSnapshot(
    ...     customer=CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     birthday=dt.date(1990, 12, 2),
    ...     last_stay_on=dt.date(2026, 3, 1),
    ... )
    >>> for action in due_triggers(TriggerSettings(), [mei], today=dt.date(2026, 11, 30)):
    ...     print(action.key)
    ...     print("  ", action.reason)
    birthday_offer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:2026
       birthday on 2026-12-02, in 2 days
    win_back:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:2026-03-01
       no stay for 274 days, since 2026-03-01
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping

import attrs

from staycore.membership.errors import MembershipError
from staycore.membership.ids import CustomerId
from staycore.orders.ids import OrderId

__all__ = [
    "DueAction",
    "ExpiringPoints",
    "InvalidTriggerSettingsError",
    "MemberSnapshot",
    "TriggerKind",
    "TriggerSettings",
    "due_triggers",
]


class InvalidTriggerSettingsError(MembershipError):
    """A trigger was set with a negative or zero number of days."""

    code = "membership.invalid_trigger"


class TriggerKind(enum.Enum):
    """What a trigger does."""

    BIRTHDAY_OFFER = "birthday_offer"
    WIN_BACK = "win_back"
    TIER_NUDGE = "tier_nudge"
    POINTS_REMINDER = "points_reminder"
    UPGRADE_PROMPT = "upgrade_prompt"

    @property
    def is_marketing(self) -> bool:
        """Whether the guest must have agreed to marketing for it to reach them."""
        return self is not TriggerKind.POINTS_REMINDER and self is not TriggerKind.UPGRADE_PROMPT


def _check_days(least: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            msg = f"{attribute.name} must be a whole number of days, {least} or more; got {value!r}"
            raise InvalidTriggerSettingsError(msg)

    return check


def _names(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


def _values(values: Mapping[str, str]) -> Mapping[str, str]:
    return dict(values)


@attrs.frozen(kw_only=True)
class TriggerSettings:
    """When each trigger fires; the defaults are the big hotel programmes'.

    Attributes:
        birthday_days_before: Days before the birthday the offer goes (3).
        win_back_after_days: Days without a stay that make a guest one to win back
            (182, half a year).
        tier_expiry_days_before: Days before a tier ends that a member short of keeping
            it is nudged (60).
        points_expiry_days_before: Days before points expire that the member is
            reminded (30).
        upgrade_tiers: Tiers whose members' arrival prompts a free upgrade.

    Raises:
        InvalidTriggerSettingsError: A number of days is negative (or zero where a day
            before is meant).

    Example:
        >>> from staycore.membership.triggers import TriggerSettings
        >>> TriggerSettings(birthday_days_before=-3)
        Traceback (most recent call last):
        ...
        staycore.membership.triggers.InvalidTriggerSettingsError: [membership.invalid_trigger] ...
    """

    birthday_days_before: int = attrs.field(default=3, validator=_check_days(0))
    win_back_after_days: int = attrs.field(default=182, validator=_check_days(1))
    tier_expiry_days_before: int = attrs.field(default=60, validator=_check_days(0))
    points_expiry_days_before: int = attrs.field(default=30, validator=_check_days(0))
    upgrade_tiers: frozenset[str] = attrs.field(default=frozenset(), converter=_names)


@attrs.frozen
class ExpiringPoints:
    """Points that expire on a day.

    Attributes:
        points: How many.
        expires_on: The last day they can be spent is the day before.
    """

    points: int
    expires_on: dt.date


def _expiring(values: Iterable[ExpiringPoints]) -> tuple[ExpiringPoints, ...]:
    return tuple(values)


def _arriving(values: Iterable[OrderId]) -> tuple[OrderId, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class MemberSnapshot:
    """A member as the triggers see them on a day.

    Attributes:
        customer: Who.
        birthday: Their birthday, if they gave it.
        last_stay_on: The check-out day of their last stay, if any.
        tier: Their tier's name, if they hold one that can end.
        tier_ends_on: The last day of that tier.
        to_keep_tier: What they still have to do to keep it, as a sentence
            (``"4 nights or 1 stay to keep Gold"``); empty when they have done it.
        expiring: Their points by the day they expire.
        arriving: Orders of theirs that arrive today.
    """

    customer: CustomerId
    birthday: dt.date | None = None
    last_stay_on: dt.date | None = None
    tier: str | None = None
    tier_ends_on: dt.date | None = None
    to_keep_tier: str = ""
    expiring: tuple[ExpiringPoints, ...] = attrs.field(default=(), converter=_expiring)
    arriving: tuple[OrderId, ...] = attrs.field(default=(), converter=_arriving)


@attrs.frozen(kw_only=True)
class DueAction:
    """An action a trigger says is due.

    Attributes:
        kind: Which trigger.
        customer: For whom.
        key: Names the occasion: the use case takes the action once per key.
        reason: Why it is due, in one sentence.
        values: What a message template fills in, as text.
        order: The order it is about (an arrival), if any.
    """

    kind: TriggerKind
    customer: CustomerId
    key: str
    reason: str
    values: Mapping[str, str] = attrs.field(factory=dict, converter=_values, hash=False)
    order: OrderId | None = None


def due_triggers(
    settings: TriggerSettings, members: Iterable[MemberSnapshot], *, today: dt.date
) -> tuple[DueAction, ...]:
    """The actions due on ``today`` (the property's calendar day) for ``members``.

    Each member's actions come in the order of :class:`TriggerKind`.

    Example:
        See the module example.
    """
    due: list[DueAction] = []
    for member in members:
        due += _birthday(settings, member, today)
        due += _win_back(settings, member, today)
        due += _tier_nudge(settings, member, today)
        due += _points(settings, member, today)
        due += _arrivals(settings, member)
    return tuple(due)


def _key(kind: TriggerKind, member: MemberSnapshot, occasion: object) -> str:
    return f"{kind.value}:{member.customer}:{occasion}"


def _next_birthday(birthday: dt.date, today: dt.date) -> dt.date:
    """The birthday's next day on or after ``today``; 29 February falls on 28th in other years."""
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = dt.date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError(today)  # pragma: no cover - one of two years is always ahead


def _birthday(settings: TriggerSettings, member: MemberSnapshot, today: dt.date) -> list[DueAction]:
    if member.birthday is None:
        return []
    day = _next_birthday(member.birthday, today)
    days = (day - today).days
    if days > settings.birthday_days_before:
        return []
    kind = TriggerKind.BIRTHDAY_OFFER
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return [
        DueAction(
            kind=kind,
            customer=member.customer,
            key=_key(kind, member, day.year),
            reason=f"birthday on {day.isoformat()}, {when}",
            values={"birthday": day.isoformat()},
        )
    ]


def _win_back(settings: TriggerSettings, member: MemberSnapshot, today: dt.date) -> list[DueAction]:
    if member.last_stay_on is None:
        return []
    days = (today - member.last_stay_on).days
    if days < settings.win_back_after_days:
        return []
    kind = TriggerKind.WIN_BACK
    return [
        DueAction(
            kind=kind,
            customer=member.customer,
            key=_key(kind, member, member.last_stay_on.isoformat()),
            reason=f"no stay for {days} days, since {member.last_stay_on.isoformat()}",
            values={"last_stay_on": member.last_stay_on.isoformat(), "days": str(days)},
        )
    ]


def _tier_nudge(
    settings: TriggerSettings, member: MemberSnapshot, today: dt.date
) -> list[DueAction]:
    ends = member.tier_ends_on
    if member.tier is None or ends is None or not member.to_keep_tier or ends < today:
        return []
    days = (ends - today).days
    if days > settings.tier_expiry_days_before:
        return []
    kind = TriggerKind.TIER_NUDGE
    return [
        DueAction(
            kind=kind,
            customer=member.customer,
            key=_key(kind, member, ends.isoformat()),
            reason=f"{member.tier} ends on {ends.isoformat()}: {member.to_keep_tier}",
            values={
                "tier": member.tier,
                "ends_on": ends.isoformat(),
                "to_keep": member.to_keep_tier,
            },
        )
    ]


def _points(settings: TriggerSettings, member: MemberSnapshot, today: dt.date) -> list[DueAction]:
    by_day: dict[dt.date, int] = {}
    for lot in member.expiring:
        if (
            today <= lot.expires_on
            and (lot.expires_on - today).days <= settings.points_expiry_days_before
        ):
            by_day[lot.expires_on] = by_day.get(lot.expires_on, 0) + lot.points
    kind = TriggerKind.POINTS_REMINDER
    return [
        DueAction(
            kind=kind,
            customer=member.customer,
            key=_key(kind, member, day.isoformat()),
            reason=f"{points:,} points expire on {day.isoformat()}",
            values={"points": str(points), "expires_on": day.isoformat()},
        )
        for day, points in sorted(by_day.items())
    ]


def _arrivals(settings: TriggerSettings, member: MemberSnapshot) -> list[DueAction]:
    if member.tier is None or member.tier not in settings.upgrade_tiers:
        return []
    kind = TriggerKind.UPGRADE_PROMPT
    return [
        DueAction(
            kind=kind,
            customer=member.customer,
            key=_key(kind, member, order),
            reason=f"a {member.tier} member arrives today: offer a free upgrade",
            values={"tier": member.tier},
            order=order,
        )
        for order in member.arriving
    ]
