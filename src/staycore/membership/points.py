"""Points: a member's append-only ledger, and the account derived from it.

Every change to a member's points is a :class:`PointsEntry`, and entries are only ever
appended. Balance, lots and expiry dates are worked out from the entries, never stored
by hand: :class:`PointsAccount` is that derived state, built from scratch with
:meth:`PointsAccount.of` or moved on one entry at a time with :meth:`PointsAccount.apply`
(which costs as much as the member has open lots, however long their history).

**Lots.** An entry that adds points (an ``earn``, or an ``adjust`` upwards) opens a
:class:`Lot` named by the entry's id, with its own expiry. An entry that takes points
away (``redeem``, ``expire``, ``reverse``, or an ``adjust`` downwards) says which lots it
drew on, in :attr:`PointsEntry.draws`: no lot gives more than it has left, so no point
is spent twice, and the balance, which is what the open lots have left, is never
negative.

**Spending.** Redeeming, reversing and adjusting downwards draw on the oldest lots first
(by the instant they were earned, then by id), and only on lots that are live: a lot
whose expiry has passed is never drawn on again, except by the ``expire`` entry that
closes it, whether or not that entry was written yet. :meth:`PointsAccount.available`
is what can be spent at an instant.

**Expiry.** An :class:`ExpiryPolicy` says when lots lapse: a fixed lifetime from earning
(``ExpiryPolicy.lifetime(months=36)``), an inactivity window (all the member's points
lapse ``months`` after their last earning or redemption, a window that may depend on the
member's tier), or never. The policy is applied when an entry is written, and what it
decides is written into the entry, so that the ledger alone gives the expiry schedule:
an opening entry carries its lot's :attr:`~PointsEntry.expires_at`, and under an
inactivity window an earning or redemption carries :attr:`~PointsEntry.renews_to`, the
instant every live lot now lapses at (lots only ever move later, and a lot already past
its expiry is not brought back). :meth:`PointsAccount.expire_due` writes one ``expire``
entry per lot whose expiry has passed.

**Reversing.** When an order that earned points is refunded or cancelled,
:meth:`PointsAccount.reverse` takes back what it earned, less what of it expired: first
what is left of the order's own lots, then, for what the member already spent, from
their other live lots, oldest first, down to a balance of zero. What cannot be taken
back is written off, and named in the entry's reason and the :class:`Reversal`. An order
is reversed once.

**Keys.** Every entry carries an idempotency key, unique per member. Stores
(:class:`staycore.ports.points.PointsLedger`) take a retry, the same key with the same
:meth:`~PointsEntry.repeats` content, as the entry already written. The keys of
``expire`` entries (``"expire:<lot>"``) and, by default, of reversals
(``"reverse:<order>"``) are made here, so that two sweeps, or two reversals of one
order, cannot both land.

Commands (:meth:`~PointsAccount.earn`, :meth:`~PointsAccount.redeem`,
:meth:`~PointsAccount.expire_due`, :meth:`~PointsAccount.reverse`,
:meth:`~PointsAccount.adjust`) are pure: they return new entries to post, and change
nothing. Points themselves are whole numbers; :mod:`staycore.membership.earning` works
out how many a stay earns.

Example:
    >>> import pendulum
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.points import ExpiryPolicy, PointsAccount
    >>> from staycore.orders.ids import OrderId
    >>> guest = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> policy = ExpiryPolicy.lifetime(months=24)
    >>> may, june = OrderId.new(), OrderId.new()
    >>> account = PointsAccount(customer=guest)
    >>> for entry in account.earn(3600, at=pendulum.datetime(2026, 5, 3, tz="UTC"),
    ...                           key=f"earn:{may}", policy=policy, order=may, rule="base",
    ...                           reason="10 points per EUR on EUR 360.00"):
    ...     account = account.apply(entry)
    >>> for entry in account.earn(1500, at=pendulum.datetime(2026, 6, 9, tz="UTC"),
    ...                           key=f"earn:{june}", policy=policy, order=june):
    ...     account = account.apply(entry)
    >>> (redeemed,) = account.redeem(4000, at=pendulum.datetime(2026, 7, 1, tz="UTC"),
    ...                              key="redeem:1", policy=policy)
    >>> [draw.points for draw in redeemed.draws]  # the May lot first
    [3600, 400]
    >>> account = account.apply(redeemed)
    >>> account.balance, [(lot.left, lot.expires_at.date().isoformat()) for lot in account.lots]
    (1100, [(1100, '2028-06-09')])
    >>> later = pendulum.datetime(2028, 7, 1, tz="UTC")
    >>> account.available(later)
    0
    >>> (expired,) = account.expire_due(later)
    >>> expired.kind.value, expired.points, expired.key == f"expire:{account.lots[0].id}"
    ('expire', -1100, True)
    >>> account.apply(expired).balance
    0
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, NamedTuple, TypeGuard

import attrs
import pendulum

from staycore.kernel.ids import IdGenerator
from staycore.kernel.time import as_instant
from staycore.membership.errors import LoyaltyError
from staycore.membership.ids import CustomerId, PointsEntryId
from staycore.orders.ids import OrderId

__all__ = [
    "MAX_KEY_LENGTH",
    "Draw",
    "EntryKind",
    "ExpiryKind",
    "ExpiryPolicy",
    "InsufficientPointsError",
    "InvalidExpiryPolicyError",
    "InvalidPointsEntryError",
    "Lot",
    "LotNotDueError",
    "PointsAccount",
    "PointsEntry",
    "PointsKeyReusedError",
    "Reversal",
    "check_batch",
    "sort_batch",
]

MAX_KEY_LENGTH: Final = 200
"""The longest idempotency key an entry may carry."""

_UTC: Final = pendulum.UTC
_MAX_MONTHS: Final = 1200


# -- errors ----------------------------------------------------------------------------


class InvalidPointsEntryError(LoyaltyError):
    """An entry is malformed: zero points, a sign its kind forbids, draws that do not add up.

    Example:
        >>> import pendulum
        >>> from staycore.membership.ids import CustomerId, PointsEntryId
        >>> from staycore.membership.points import EntryKind, PointsEntry
        >>> PointsEntry(id=PointsEntryId.new(), customer=CustomerId.new(), kind=EntryKind.EARN,
        ...             points=-5, at=pendulum.datetime(2026, 5, 1, tz="UTC"), key="earn:1")
        Traceback (most recent call last):
        ...
        staycore.membership.points.InvalidPointsEntryError: [loyalty.invalid_entry] ...
    """

    code = "loyalty.invalid_entry"


class InvalidExpiryPolicyError(LoyaltyError):
    """An expiry policy has a window or lifetime that is not a whole number of months >= 1.

    Example:
        >>> from staycore.membership.points import ExpiryPolicy
        >>> ExpiryPolicy.lifetime(months=0)
        Traceback (most recent call last):
        ...
        staycore.membership.points.InvalidExpiryPolicyError: [loyalty.invalid_expiry_policy] ...
    """

    code = "loyalty.invalid_expiry_policy"


class InsufficientPointsError(LoyaltyError):
    """Fewer points are there to take than asked: nothing was written.

    Raised by a command asking for more than the member can spend, and by
    :meth:`PointsAccount.apply` (so by every store) for an entry that draws more than a
    lot has left, or draws on a lot that is closed or past its expiry: the entries were
    computed from an account that has changed since.

    Attributes:
        available: The points there were to take (in the lot, when ``lot`` is given).
        wanted: The points asked for.
        lot: The lot drawn on too far, or ``None`` for the member's points as a whole.

    Example:
        >>> from staycore.membership.points import InsufficientPointsError
        >>> error = InsufficientPointsError("too few points", available=120, wanted=500)
        >>> error.code, error.available, error.wanted
        ('loyalty.insufficient_points', 120, 500)
    """

    code = "loyalty.insufficient_points"

    def __init__(
        self, message: str, *, available: int, wanted: int, lot: PointsEntryId | None = None
    ) -> None:
        super().__init__(message)
        self.available = available
        self.wanted = wanted
        self.lot = lot


class LotNotDueError(LoyaltyError):
    """An ``expire`` entry closes a lot that is not past its expiry at the entry's instant.

    Most often the member earned or redeemed meanwhile, which renewed the lot under an
    inactivity window: read the account again and expire what is due then.

    Example:
        >>> from staycore.membership.points import LotNotDueError
        >>> LotNotDueError.code
        'loyalty.lot_not_due'
    """

    code = "loyalty.lot_not_due"


class PointsKeyReusedError(LoyaltyError):
    """An entry's key was already written for this member with other content.

    Attributes:
        stored: The entry written under the key.
        offered: The entry refused.

    Example:
        >>> from staycore.membership.points import PointsKeyReusedError
        >>> PointsKeyReusedError.code
        'loyalty.key_reused'
    """

    code = "loyalty.key_reused"

    def __init__(self, stored: PointsEntry, offered: PointsEntry) -> None:
        super().__init__(
            f"key {stored.key!r} of {stored.customer} was written for {stored.describe()}, "
            f"not {offered.describe()}; a retry must repeat what the first entry asked for "
            "(its kind, order, points, rule and reason), and a new entry needs a new key"
        )
        self.stored = stored
        self.offered = offered


# -- entries ---------------------------------------------------------------------------


class EntryKind(enum.Enum):
    """What an entry does to a member's points.

    Example:
        >>> from staycore.membership.points import EntryKind
        >>> EntryKind("redeem") is EntryKind.REDEEM
        True
    """

    EARN = "earn"
    """Points earned by a stay, a referral, a review or a sign-in; opens a lot."""
    REDEEM = "redeem"
    """Points spent on a discount or a reward."""
    EXPIRE = "expire"
    """What was left of one lot, lapsed."""
    REVERSE = "reverse"
    """Points an order earned, taken back because it was refunded or cancelled."""
    ADJUST = "adjust"
    """A correction by staff, with its reason, upwards (opening a lot) or downwards."""


_TAKING: Final = frozenset({EntryKind.REDEEM, EntryKind.EXPIRE, EntryKind.REVERSE})


class Draw(NamedTuple):
    """The points an entry took from one lot: the lot's id, and how many.

    Example:
        Continuing the module example above:

        >>> redeemed.draws[0].points, redeemed.draws[0].lot == redeemed.draws[0][0]
        (3600, True)
    """

    lot: PointsEntryId
    """The id of the entry that opened the lot."""
    points: int
    """How many points were taken from it, at least 1."""


# A NamedTuple's __new__ is made in a module of its own, which autodoc cannot find.
Draw.__new__.__module__ = __name__


def _utc(value: dt.datetime) -> pendulum.DateTime:
    instant = as_instant(value, what="points entry instant")
    return instant if instant.tzinfo is _UTC else instant.in_tz(_UTC)


def _utc_or_none(value: dt.datetime | None) -> pendulum.DateTime | None:
    return None if value is None else _utc(value)


def _draws(value: Iterable[tuple[PointsEntryId, int]]) -> tuple[Draw, ...]:
    try:
        return tuple(draw if isinstance(draw, Draw) else Draw(*draw) for draw in value)
    except TypeError:
        msg = f"draws must be (lot id, points) pairs, got {value!r}"
        raise InvalidPointsEntryError(msg) from None


def _entry_kind(value: EntryKind | str) -> EntryKind:
    try:
        return EntryKind(value)
    except ValueError:
        kinds = ", ".join(kind.value for kind in EntryKind)
        msg = f"an entry's kind is one of {kinds}; got {value!r}"
        raise InvalidPointsEntryError(msg) from None


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@attrs.frozen(kw_only=True)
class PointsEntry:
    """One line of a member's points ledger; never changed once written.

    ``points`` is signed: an ``earn``, or an ``adjust`` upwards, adds points and opens a
    lot under the entry's id; a ``redeem``, an ``expire``, a ``reverse``, or an
    ``adjust`` downwards, takes points away and names the lots it took them from.

    Attributes:
        id: The entry's id; for an entry that opens a lot, also the lot's.
        customer: The member.
        kind: What the entry does.
        points: The points added (positive) or taken away (negative); never zero.
        at: When it happened, in UTC.
        key: The idempotency key, unique per member, at most :data:`MAX_KEY_LENGTH`
            characters.
        order: The order that earned, redeemed or is reversed, if any.
        reason: Why, in words a guest or an auditor reads ("10 points per EUR on
            EUR 360.00"); required for an ``adjust``.
        rule: The earning rule that gave the points (``"base"``, ``"tier_bonus"``); empty
            for other kinds.
        expires_at: When the lot this entry opens lapses, or ``None`` if it never does;
            only on entries that open a lot.
        renews_to: Under an inactivity window, the instant this earning or redemption
            moves the expiry of every live lot to (never earlier); ``None`` otherwise.
        draws: For an entry that takes points away, the lots it took them from, oldest
            first, adding up to ``-points``; one lot exactly for an ``expire``.

    Raises:
        InvalidPointsEntryError: Zero or non-whole points, a sign the kind forbids, draws
            that are missing, repeated or do not add up, an expiry or renewal on an entry
            that cannot have one or not after ``at``, a blank key, or an ``adjust``
            without a reason.

    Example:
        Continuing the module example above:

        >>> redeemed.kind.value, redeemed.points, redeemed.opens_lot
        ('redeem', -4000, False)
        >>> sum(draw.points for draw in redeemed.draws)
        4000
    """

    id: PointsEntryId
    customer: CustomerId
    kind: EntryKind = attrs.field(converter=_entry_kind)
    points: int
    at: pendulum.DateTime = attrs.field(converter=_utc)
    key: str
    order: OrderId | None = None
    reason: str = ""
    rule: str = ""
    expires_at: pendulum.DateTime | None = attrs.field(default=None, converter=_utc_or_none)
    renews_to: pendulum.DateTime | None = attrs.field(default=None, converter=_utc_or_none)
    draws: tuple[Draw, ...] = attrs.field(default=(), converter=_draws)

    def __attrs_post_init__(self) -> None:
        if not _whole(self.points) or self.points == 0:
            msg = f"a points entry moves a whole number of points other than 0, got {self.points!r}"
            raise InvalidPointsEntryError(msg)
        if not isinstance(self.key, str) or not self.key.strip() or len(self.key) > MAX_KEY_LENGTH:
            msg = (
                f"an entry's key is non-blank text of at most {MAX_KEY_LENGTH} characters "
                f"(e.g. 'earn:<order>:base'), got {self.key!r}"
            )
            raise InvalidPointsEntryError(msg)
        if not isinstance(self.reason, str) or not isinstance(self.rule, str):
            msg = f"reason and rule are text, got {self.reason!r} and {self.rule!r}"
            raise InvalidPointsEntryError(msg)
        kind = self.kind
        if kind is EntryKind.ADJUST and not self.reason.strip():
            msg = "an adjustment needs a reason: say why staff changed the points"
            raise InvalidPointsEntryError(msg)
        if (kind is EntryKind.EARN and self.points < 0) or (kind in _TAKING and self.points > 0):
            sign = "add" if kind is EntryKind.EARN else "take away"
            msg = f"a {kind.value} entry must {sign} points, got {self.points:+d}"
            raise InvalidPointsEntryError(msg)
        if self.points > 0:
            self._check_opening()
        else:
            self._check_taking()
        if self.renews_to is not None:
            if not self.is_activity:
                msg = (
                    f"only earnings and redemptions renew the lots, not a {kind.value} entry "
                    f"of {self.points:+d} points; leave renews_to out"
                )
                raise InvalidPointsEntryError(msg)
            if self.renews_to <= self.at:
                msg = f"renews_to {self.renews_to} must be after the entry's instant {self.at}"
                raise InvalidPointsEntryError(msg)

    def _check_opening(self) -> None:
        if self.draws:
            msg = f"an entry adding {self.points} points opens a lot and draws on none"
            raise InvalidPointsEntryError(msg)
        if self.expires_at is not None and self.expires_at <= self.at:
            msg = (
                f"a lot opened at {self.at} must expire after it, not at {self.expires_at}; "
                "leave expires_at out for points that never expire"
            )
            raise InvalidPointsEntryError(msg)

    def _check_taking(self) -> None:
        if self.expires_at is not None:
            msg = (
                f"only an entry that opens a lot has an expiry; a {self.kind.value} of "
                f"{self.points} points does not"
            )
            raise InvalidPointsEntryError(msg)
        draws = self.draws
        lots = {draw.lot for draw in draws}
        if (
            not draws
            or len(lots) != len(draws)
            or not all(_whole(draw.points) and draw.points > 0 for draw in draws)
            or sum(draw.points for draw in draws) != -self.points
        ):
            msg = (
                f"a {self.kind.value} of {self.points} points must draw {-self.points} "
                f"points from its lots, at least 1 from each and each lot once; got {draws!r}"
            )
            raise InvalidPointsEntryError(msg)
        if self.kind is EntryKind.EXPIRE and len(draws) != 1:
            msg = f"an expire entry closes one lot, not {len(draws)}; write one entry per lot"
            raise InvalidPointsEntryError(msg)

    @property
    def opens_lot(self) -> bool:
        """Whether the entry adds points, opening a lot under its id."""
        return self.points > 0

    @property
    def is_activity(self) -> bool:
        """Whether it counts as the member's activity (an earning or a redemption).

        A staff credit (an ``adjust`` upwards) counts too, as an earning would: its lot
        lapses with the others under an inactivity window.
        """
        return self.kind is EntryKind.REDEEM or self.points > 0

    def repeats(self, other: PointsEntry) -> bool:
        """Whether ``other`` asks for this entry again: a retry, not a new entry.

        A retry repeats what was asked for: the member, key, kind and order, and, for
        the points a caller chooses (earning, redeeming, adjusting), the points, rule
        and reason. An ``expire`` or a ``reverse`` takes what the ledger holds when it is
        computed, so one computed again from another account takes another number of
        points; it is still the same expiry of the same lot, or the same reversal of
        the order, and repeats the first. The id, instant, expiry and draws of a retry
        may differ: the entry written first stands.

        Example:
            Continuing the module example above:

            >>> import attrs
            >>> from staycore.membership.ids import PointsEntryId
            >>> later = attrs.evolve(redeemed, id=PointsEntryId.new(), at=redeemed.at.add(hours=1))
            >>> redeemed.repeats(later), redeemed.repeats(attrs.evolve(later, reason="spa"))
            (True, False)
        """
        same = (
            self.customer == other.customer
            and self.key == other.key
            and self.kind is other.kind
            and self.order == other.order
        )
        if not same:
            return False
        if self.kind is EntryKind.EXPIRE:
            return self.draws[0].lot == other.draws[0].lot
        if self.kind is EntryKind.REVERSE:
            return True
        return (
            self.points == other.points and self.rule == other.rule and self.reason == other.reason
        )

    def describe(self) -> str:
        """Say what the entry does, in a few words, for messages and logs.

        Example:
            Continuing the module example above:

            >>> redeemed.describe()
            'redeem of -4000 points at 2026-07-01T00:00:00+00:00'
        """
        order = f" on {self.order}" if self.order is not None else ""
        return f"{self.kind.value} of {self.points:+d} points{order} at {self.at.isoformat()}"


# -- expiry ----------------------------------------------------------------------------


class ExpiryKind(enum.Enum):
    """How an :class:`ExpiryPolicy` decides when points lapse.

    Example:
        >>> from staycore.membership.points import ExpiryKind, ExpiryPolicy
        >>> ExpiryPolicy.lifetime(months=36).kind is ExpiryKind.LIFETIME
        True
    """

    NEVER = "never"
    """Points never lapse."""
    LIFETIME = "lifetime"
    """Each lot lapses a fixed number of months after it was earned."""
    INACTIVITY = "inactivity"
    """Every lot lapses a number of months after the member's last activity."""


def _expiry_kind(value: ExpiryKind | str) -> ExpiryKind:
    try:
        return ExpiryKind(value)
    except ValueError:
        kinds = ", ".join(kind.value for kind in ExpiryKind)
        msg = f"an expiry policy's kind is one of {kinds}; got {value!r}"
        raise InvalidExpiryPolicyError(msg) from None


def _months(value: object, what: str) -> int:
    if not _whole(value) or not 1 <= value <= _MAX_MONTHS:
        msg = f"{what} must be a whole number of months from 1 to {_MAX_MONTHS}, got {value!r}"
        raise InvalidExpiryPolicyError(msg)
    return value


def _tier_months(
    value: Mapping[str, int] | Iterable[tuple[str, int]],
) -> tuple[tuple[str, int], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    try:
        checked = {}
        for tier, months in pairs:
            if not isinstance(tier, str) or not tier:
                msg = f"tiers are named by non-empty text, got {tier!r}"
                raise InvalidExpiryPolicyError(msg)
            checked[tier] = _months(months, f"the window of tier {tier!r}")
    except (TypeError, ValueError):
        msg = f"by_tier maps tier names to months, such as {{'gold': 36}}; got {value!r}"
        raise InvalidExpiryPolicyError(msg) from None
    return tuple(sorted(checked.items()))


@attrs.frozen(kw_only=True)
class ExpiryPolicy:
    """When a programme's points lapse: never, a lifetime per lot, or after inactivity.

    Build one with :meth:`never`, :meth:`lifetime` or :meth:`inactivity`. Months are
    calendar months counted in UTC from the instant (pendulum's ``add(months=)``: the
    31 January plus one month is the 28 or 29 February).

    Attributes:
        kind: Which rule applies.
        months: The lifetime, or the default inactivity window; ``None`` for ``never``.
        by_tier: Inactivity windows of particular tiers, by tier name, sorted.

    Raises:
        InvalidExpiryPolicyError: A window or lifetime that is not 1 to 1200 months, or
            tiers on a policy that is not an inactivity window.

    Example:
        >>> import pendulum
        >>> from staycore.membership.points import ExpiryPolicy
        >>> idle = ExpiryPolicy.inactivity(months=18, by_tier={"gold": 24})
        >>> january = pendulum.datetime(2026, 1, 31, tz="UTC")
        >>> idle.renewal(january).date(), idle.renewal(january, tier="gold").date()
        (Date(2027, 7, 31), Date(2028, 1, 31))
        >>> print(idle)
        18 months after the last earning or redemption (gold: 24 months)
    """

    kind: ExpiryKind = attrs.field(converter=_expiry_kind)
    months: int | None = None
    by_tier: tuple[tuple[str, int], ...] = attrs.field(default=(), converter=_tier_months)

    def __attrs_post_init__(self) -> None:
        if self.kind is ExpiryKind.NEVER:
            if self.months is not None:
                msg = "a policy under which points never expire has no months"
                raise InvalidExpiryPolicyError(msg)
        else:
            _months(self.months, f"the {self.kind.value} months")
        if self.by_tier and self.kind is not ExpiryKind.INACTIVITY:
            msg = "only an inactivity window may depend on the tier; drop by_tier"
            raise InvalidExpiryPolicyError(msg)

    @classmethod
    def never(cls) -> ExpiryPolicy:
        """Points that never lapse.

        Example:
            >>> from staycore.membership.points import ExpiryPolicy
            >>> print(ExpiryPolicy.never())
            never
        """
        return cls(kind=ExpiryKind.NEVER)

    @classmethod
    def lifetime(cls, *, months: int) -> ExpiryPolicy:
        """Each lot lapses ``months`` calendar months after it was earned.

        Example:
            >>> import pendulum
            >>> from staycore.membership.points import ExpiryPolicy
            >>> ExpiryPolicy.lifetime(months=36).lot_expiry(
            ...     pendulum.datetime(2026, 5, 3, 10, tz="UTC")).isoformat()
            '2029-05-03T10:00:00+00:00'
        """
        return cls(kind=ExpiryKind.LIFETIME, months=months)

    @classmethod
    def inactivity(cls, *, months: int, by_tier: Mapping[str, int] | None = None) -> ExpiryPolicy:
        """All the member's points lapse ``months`` after their last earning or redemption.

        Args:
            months: The window, for members of a tier not in ``by_tier`` or of none.
            by_tier: Windows of particular tiers, by tier name (``{"gold": 36}``).

        Example:
            >>> from staycore.membership.points import ExpiryPolicy
            >>> ExpiryPolicy.inactivity(months=24, by_tier={"gold": 36}).months_for("gold")
            36
        """
        return cls(kind=ExpiryKind.INACTIVITY, months=months, by_tier=by_tier or {})

    def months_for(self, tier: str | None = None) -> int | None:
        """The months a lot lives for a member of ``tier``; ``None`` if it never lapses.

        Example:
            >>> from staycore.membership.points import ExpiryPolicy
            >>> idle = ExpiryPolicy.inactivity(months=24, by_tier={"gold": 36})
            >>> idle.months_for("silver"), idle.months_for(None)
            (24, 24)
        """
        for name, months in self.by_tier:
            if name == tier:
                return months
        return self.months

    def lot_expiry(self, at: dt.datetime, tier: str | None = None) -> pendulum.DateTime | None:
        """When a lot earned at ``at`` by a member of ``tier`` lapses; ``None`` for never.

        Example:
            >>> import pendulum
            >>> from staycore.membership.points import ExpiryPolicy
            >>> ExpiryPolicy.never().lot_expiry(pendulum.datetime(2026, 5, 3, tz="UTC")) is None
            True
        """
        months = self.months_for(tier)
        return None if months is None else _utc(at).add(months=months)

    def renewal(self, at: dt.datetime, tier: str | None = None) -> pendulum.DateTime | None:
        """Under an inactivity window, when every live lot lapses after activity at ``at``.

        ``None`` under the other policies: activity renews nothing.

        Example:
            >>> import pendulum
            >>> from staycore.membership.points import ExpiryPolicy
            >>> ExpiryPolicy.lifetime(months=36).renewal(january) is None
            True
        """
        if self.kind is not ExpiryKind.INACTIVITY:
            return None
        return self.lot_expiry(at, tier)

    def __str__(self) -> str:
        if self.kind is ExpiryKind.NEVER:
            return "never"
        if self.kind is ExpiryKind.LIFETIME:
            return f"{self.months} months after earning"
        tiers = ", ".join(f"{name}: {months} months" for name, months in self.by_tier)
        return f"{self.months} months after the last earning or redemption" + (
            f" ({tiers})" if tiers else ""
        )


# -- the account -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Lot:
    """Points opened by one entry, and what is left of them.

    Attributes:
        id: The id of the entry that opened it.
        points: The points it opened with.
        left: The points not yet drawn, at least 1 while the lot is open.
        earned_at: When it was opened; the oldest lots are spent first.
        expires_at: When it lapses (after any renewal), or ``None`` if it never does.
        order: The order that earned it, if any.

    Example:
        Continuing the module example above:

        >>> lot = account.lots[0]
        >>> lot.points, lot.left, lot.order == june
        (1500, 1100, True)
    """

    id: PointsEntryId
    points: int
    left: int
    earned_at: pendulum.DateTime
    expires_at: pendulum.DateTime | None
    order: OrderId | None

    def is_live(self, at: dt.datetime) -> bool:
        """Whether its points can still be spent at ``at`` (its expiry has not passed).

        Example:
            >>> lot.is_live(pendulum.datetime(2028, 6, 9, tz="UTC"))
            False
        """
        return self.expires_at is None or self.expires_at > at

    @property
    def sort_key(self) -> tuple[pendulum.DateTime, str]:
        """The order lots are spent in, oldest earned first, then by id."""
        return (self.earned_at, self.id)

    def moved(self, *, left: int | None = None, expires_at: pendulum.DateTime | None = None) -> Lot:
        """This lot with less left, or a later expiry.

        The account moves lots on every entry, and :func:`attrs.evolve` costs several
        times a plain constructor call.

        Example:
            >>> lot.moved(left=100).left, lot.moved(left=100).expires_at == lot.expires_at
            (100, True)
        """
        return Lot(
            id=self.id,
            points=self.points,
            left=self.left if left is None else left,
            earned_at=self.earned_at,
            expires_at=self.expires_at if expires_at is None else expires_at,
            order=self.order,
        )


@attrs.frozen(kw_only=True)
class Reversal:
    """What reversing an order's points takes back, and what it cannot.

    Attributes:
        order: The order refunded or cancelled.
        earned: The points its earnings added.
        expired: Of those, the points that lapsed (or are past their expiry now): the
            member never had the use of them, so they are not taken back.
        taken: The points the entries take back, from the order's lots and then from
            the member's other lots.
        unrecovered: What the member spent and has no points left to cover: written off,
            never a negative balance.
        already_reversed: Whether the order was reversed before; then nothing is taken.
        entries: The entries to post: one ``reverse`` entry, or none.

    Example:
        >>> import pendulum
        >>> from staycore.membership.ids import CustomerId
        >>> from staycore.membership.points import ExpiryPolicy, PointsAccount
        >>> from staycore.orders.ids import OrderId
        >>> refunded, never = OrderId.new(), ExpiryPolicy.never()
        >>> member = CustomerId.new()
        >>> def day(n):
        ...     return pendulum.datetime(2026, 5, n, tz="UTC")
        >>> history = [*PointsAccount(customer=member).earn(
        ...     1000, at=day(3), key="earn:stay", policy=never, order=refunded)]
        >>> history += PointsAccount.of(member, history).earn(
        ...     500, at=day(4), key="referral:1", policy=never, rule="referral")
        >>> history += PointsAccount.of(member, history).redeem(
        ...     800, at=day(5), key="redeem:spa", policy=never)
        >>> reversal = PointsAccount.of(member, history).reverse(
        ...     refunded, at=day(9), entries=history)
        >>> reversal.earned, reversal.taken, reversal.unrecovered
        (1000, 700, 300)
        >>> [draw.points for draw in reversal.entries[0].draws]  # its own lot, then others
        [200, 500]
        >>> print(reversal.entries[0].reason)
        order ord_... reversed: 1000 points earned, 700 taken back, 300 already spent and
        not recovered
    """

    order: OrderId
    earned: int
    expired: int
    taken: int
    unrecovered: int
    already_reversed: bool
    entries: tuple[PointsEntry, ...]


def _new_id(ids: IdGenerator | None) -> PointsEntryId:
    return PointsEntryId.new() if ids is None else ids.new(PointsEntryId)


def _positive(points: object, what: str) -> int:
    if not _whole(points) or points <= 0:
        msg = f"{what} a whole number of points, at least 1; got {points!r}"
        raise InvalidPointsEntryError(msg)
    return points


def _renewed(lots: Sequence[Lot], entry: PointsEntry) -> list[Lot]:
    """The lots after ``entry`` renewed them: live lots lapse no earlier than its renewal."""
    to = entry.renews_to
    if to is None:
        return list(lots)
    at = entry.at
    return [
        lot.moved(expires_at=to) if lot.expires_at is not None and at < lot.expires_at < to else lot
        for lot in lots
    ]


@attrs.frozen(kw_only=True)
class PointsAccount:
    """One member's points as their ledger makes them: balance, open lots, last activity.

    Start from ``PointsAccount(customer=...)`` (no entries) and :meth:`apply` entries in
    the order they were written, or build it with :meth:`of`. Either way costs what the
    member has open lots per entry, not what their history is.

    Attributes:
        customer: The member.
        balance: The points they have, expired lots not yet closed included: what the
            entries add up to, and what the open lots have left; never negative.
        lots: The open lots (at least one point left), oldest first.
        last_activity: When they last earned, redeemed or had points added by staff,
            or ``None``.
        version: How many entries were applied.

    Raises:
        InvalidPointsEntryError: The balance is not what the lots have left.

    Example:
        Continuing the module example above:

        >>> account.balance, len(account.lots), account.version
        (1100, 1, 3)
        >>> account.last_activity.date().isoformat()
        '2026-07-01'
    """

    customer: CustomerId = attrs.field(validator=CustomerId.validate)
    balance: int = 0
    lots: tuple[Lot, ...] = ()
    last_activity: pendulum.DateTime | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if self.balance != sum(lot.left for lot in self.lots) or self.balance < 0:
            msg = (
                f"an account's balance is what its open lots have left, "
                f"{sum(lot.left for lot in self.lots)}, not {self.balance}"
            )
            raise InvalidPointsEntryError(msg)

    @classmethod
    def of(cls, customer: CustomerId, entries: Iterable[PointsEntry]) -> PointsAccount:
        """Build the account from a member's entries, in the order they were written.

        Raises:
            InvalidPointsEntryError: An entry is another member's, or reopens an open lot.
            InsufficientPointsError: An entry draws more than a lot has, or on a closed lot.
            LotNotDueError: An ``expire`` entry closes a lot before its expiry.

        Example:
            Continuing the module example above:

            >>> at = pendulum.datetime(2026, 9, 1, tz="UTC")
            >>> (bonus,) = PointsAccount(customer=guest).earn(
            ...     100, at=at, key="referral:1", policy=policy, rule="referral")
            >>> (spent,) = PointsAccount.of(guest, [bonus]).redeem(
            ...     60, at=at, key="redeem:9", policy=policy)
            >>> PointsAccount.of(guest, [bonus, spent]).balance
            40
        """
        account = cls(customer=customer)
        for entry in entries:
            account = account.apply(entry)
        return account

    # -- queries -------------------------------------------------------------------------

    def available(self, at: dt.datetime) -> int:
        """The points that can be spent at ``at``: the balance less lots past their expiry.

        Example:
            Continuing the module example above:

            >>> account.available(pendulum.datetime(2027, 1, 1, tz="UTC"))
            1100
        """
        instant = _utc(at)
        return sum(lot.left for lot in self.lots if lot.is_live(instant))

    def expiring(self, *, before: dt.datetime, after: dt.datetime | None = None) -> tuple[Lot, ...]:
        """The open lots that lapse before ``before`` (and after ``after``), soonest first.

        For reminders: ``expiring(before=now.add(days=30), after=now)`` is what lapses in
        the next 30 days; each lot says how many points it has left and when it lapses.

        Example:
            Continuing the module example above:

            >>> now = pendulum.datetime(2028, 5, 15, tz="UTC")
            >>> [(lot.left, lot.expires_at.date().isoformat())
            ...  for lot in account.expiring(before=now.add(days=30), after=now)]
            [(1100, '2028-06-09')]
        """
        end, start = _utc(before), _utc_or_none(after)
        lots = [
            lot
            for lot in self.lots
            if lot.expires_at is not None
            and lot.expires_at < end
            and (start is None or lot.expires_at > start)
        ]
        return tuple(sorted(lots, key=lambda lot: (lot.expires_at, lot.sort_key)))

    # -- applying entries ----------------------------------------------------------------

    def apply(self, entry: PointsEntry) -> PointsAccount:
        """Return the account after ``entry``; refuse an entry that does not fit it.

        An opening entry adds a lot (and, under an inactivity window, renews the live
        ones); a taking entry draws on open lots, which must be live at its instant and
        have the points it draws (an ``expire`` entry, instead, closes a lot past its
        expiry, drawing all that is left). This is the check every store makes, under
        its lock or in its transaction, before it writes an entry.

        Raises:
            InvalidPointsEntryError: The entry is another member's, reopens an open lot,
                or expires less than what its lot has left.
            InsufficientPointsError: It draws more than a lot has left, or on a lot that
                is closed, unknown, or (but for an ``expire``) past its expiry.
            LotNotDueError: An ``expire`` entry closes a lot that is not past its expiry.

        Example:
            Continuing the module example above:

            >>> account.apply(redeemed)  # the May lot is spent already
            Traceback (most recent call last):
            ...
            staycore.membership.points.InsufficientPointsError: [loyalty.insufficient_points] ...
        """
        if entry.customer != self.customer:
            msg = f"entry {entry.id} is {entry.customer}'s, not {self.customer}'s"
            raise InvalidPointsEntryError(msg)
        lots = self._opened(entry) if entry.points > 0 else self._drawn(entry)
        activity = self.last_activity
        if entry.is_activity and (activity is None or entry.at > activity):
            activity = entry.at
        return PointsAccount(
            customer=self.customer,
            balance=self.balance + entry.points,
            lots=tuple(lots),
            last_activity=activity,
            version=self.version + 1,
        )

    def _opened(self, entry: PointsEntry) -> list[Lot]:
        if any(lot.id == entry.id for lot in self.lots):
            msg = f"lot {entry.id} is open already; an entry that opens a lot needs a new id"
            raise InvalidPointsEntryError(msg)
        lots = _renewed(self.lots, entry)
        lot = Lot(
            id=entry.id,
            points=entry.points,
            left=entry.points,
            earned_at=entry.at,
            expires_at=entry.expires_at,
            order=entry.order,
        )
        keys = [other.sort_key for other in lots]
        lots.insert(bisect.bisect(keys, lot.sort_key), lot)
        return lots

    def _drawn(self, entry: PointsEntry) -> list[Lot]:
        lots = list(self.lots)
        where = {lot.id: index for index, lot in enumerate(lots)}
        for draw in entry.draws:
            index = where.get(draw.lot)
            if index is None:
                msg = (
                    f"{entry.describe()} draws {draw.points} points on lot {draw.lot}, which "
                    f"is not open (spent, expired or never opened) for {self.customer}: read "
                    "the account again and compute the entries from it"
                )
                raise InsufficientPointsError(msg, available=0, wanted=draw.points, lot=draw.lot)
            lot = lots[index]
            self._check_draw(entry, lot, draw)
            lots[index] = lot.moved(left=lot.left - draw.points)
        lots = [lot for lot in lots if lot.left]
        return _renewed(lots, entry)

    @staticmethod
    def _check_draw(entry: PointsEntry, lot: Lot, draw: Draw) -> None:
        if entry.kind is EntryKind.EXPIRE:
            if lot.expires_at is None or lot.expires_at > entry.at:
                when = "never" if lot.expires_at is None else f"at {lot.expires_at}"
                msg = (
                    f"lot {lot.id} lapses {when}, not by {entry.at}: it is not due (activity "
                    "may have renewed it); read the account again and expire what is due then"
                )
                raise LotNotDueError(msg)
            if draw.points < lot.left:
                msg = (
                    f"an expire entry closes all that is left of lot {lot.id}, {lot.left} "
                    f"points, not {draw.points}"
                )
                raise InvalidPointsEntryError(msg)
        elif not lot.is_live(entry.at):
            msg = (
                f"lot {lot.id} lapsed at {lot.expires_at}, before {entry.describe()}: "
                "expired points cannot be spent or taken back; expire the lot instead"
            )
            raise InsufficientPointsError(msg, available=0, wanted=draw.points, lot=lot.id)
        if draw.points > lot.left:
            msg = (
                f"lot {lot.id} has {lot.left} points left, fewer than the {draw.points} that "
                f"{entry.describe()} draws: other entries took them since the account was "
                "read; read it again and compute the entries from it"
            )
            raise InsufficientPointsError(msg, available=lot.left, wanted=draw.points, lot=lot.id)

    # -- commands ------------------------------------------------------------------------

    def _take(
        self, points: int, at: pendulum.DateTime, first: Iterable[Lot] = ()
    ) -> tuple[Draw, ...]:
        """Draw ``points`` from the lots in ``first``, then from the oldest live lots."""
        draws: list[Draw] = []
        seen: set[PointsEntryId] = set()
        wanted = points
        for lot in (*first, *self.lots):
            if wanted == 0:
                break
            if lot.id in seen or not lot.is_live(at):
                continue
            seen.add(lot.id)
            taken = min(lot.left, wanted)
            draws.append(Draw(lot.id, taken))
            wanted -= taken
        return tuple(draws)

    def _require_available(self, points: int, at: pendulum.DateTime, what: str) -> None:
        available = self.available(at)
        if points > available:
            lapsed = self.balance - available
            note = f" ({lapsed} more have expired)" if lapsed else ""
            msg = (
                f"{self.customer} has {available} points to {what} at {at.isoformat()}{note}, "
                f"fewer than the {points} asked for; ask for at most {available}"
            )
            raise InsufficientPointsError(msg, available=available, wanted=points)

    def earn(
        self,
        points: int,
        *,
        at: dt.datetime,
        key: str,
        policy: ExpiryPolicy,
        tier: str | None = None,
        order: OrderId | None = None,
        reason: str = "",
        rule: str = "",
        ids: IdGenerator | None = None,
    ) -> tuple[PointsEntry, ...]:
        """Earn ``points``: one ``earn`` entry, opening a lot that lapses under ``policy``.

        Args:
            points: The points earned, at least 1 (see :mod:`staycore.membership.earning`).
            at: When they were earned.
            key: The idempotency key, e.g. ``f"earn:{order}:{rule}"``.
            policy: The programme's expiry policy; under an inactivity window the
                earning also renews every live lot.
            tier: The member's tier, for a window that depends on it.
            order: The order that earned them.
            reason: Why, for the guest ("10 points per EUR on EUR 360.00").
            rule: The earning rule (``"base"``, ``"tier_bonus"``, ``"referral"``).
            ids: Where the entry's id comes from, for reproducible ids; fresh otherwise.

        Raises:
            InvalidPointsEntryError: ``points`` is not a whole number of at least 1.

        Example:
            Continuing the module example above:

            >>> (entry,) = account.earn(250, at=pendulum.datetime(2026, 8, 1, tz="UTC"),
            ...                         key="review:1", policy=policy, rule="review")
            >>> entry.points, entry.expires_at.date().isoformat()
            (250, '2028-08-01')
        """
        instant = _utc(at)
        expires_at = policy.lot_expiry(instant, tier)
        entry = PointsEntry(
            id=_new_id(ids),
            customer=self.customer,
            kind=EntryKind.EARN,
            points=_positive(points, "earn"),
            at=instant,
            key=key,
            order=order,
            reason=reason,
            rule=rule,
            expires_at=expires_at,
            renews_to=expires_at if policy.kind is ExpiryKind.INACTIVITY else None,
        )
        return (entry,)

    def redeem(
        self,
        points: int,
        *,
        at: dt.datetime,
        key: str,
        policy: ExpiryPolicy,
        tier: str | None = None,
        order: OrderId | None = None,
        reason: str = "",
        ids: IdGenerator | None = None,
    ) -> tuple[PointsEntry, ...]:
        """Spend ``points``: one ``redeem`` entry drawing on the oldest live lots first.

        Points past their expiry at ``at`` are never spent, whether or not their lots
        were expired yet.

        Args:
            points: The points to spend, at least 1.
            at: When they are spent.
            key: The idempotency key, e.g. ``f"redeem:{order}"``.
            policy: The programme's expiry policy; under an inactivity window the
                redemption renews every live lot.
            tier: The member's tier, for a window that depends on it.
            order: The order the points pay towards, if any.
            reason: What for ("EUR 40.00 off order ..."); says the points by default.
            ids: Where the entry's id comes from, for reproducible ids; fresh otherwise.

        Raises:
            InsufficientPointsError: The member has fewer points live at ``at``.
            InvalidPointsEntryError: ``points`` is not a whole number of at least 1.

        Example:
            Continuing the module example above:

            >>> account.redeem(2000, at=pendulum.datetime(2026, 8, 1, tz="UTC"),
            ...                key="redeem:2", policy=policy)
            Traceback (most recent call last):
            ...
            staycore.membership.points.InsufficientPointsError: [loyalty.insufficient_points] ...
        """
        instant = _utc(at)
        points = _positive(points, "redeem")
        self._require_available(points, instant, "redeem")
        entry = PointsEntry(
            id=_new_id(ids),
            customer=self.customer,
            kind=EntryKind.REDEEM,
            points=-points,
            at=instant,
            key=key,
            order=order,
            reason=reason or f"{points} points redeemed",
            renews_to=policy.renewal(instant, tier),
            draws=self._take(points, instant),
        )
        return (entry,)

    def expire_due(
        self, at: dt.datetime, *, ids: IdGenerator | None = None
    ) -> tuple[PointsEntry, ...]:
        """Lapse every lot whose expiry has passed at ``at``: one ``expire`` entry per lot.

        Each entry's key is ``"expire:<lot id>"``, so a lot expired by two sweeps at
        once is expired once: the second is a retry of the first.

        Example:
            Continuing the module example above:

            >>> account.expire_due(pendulum.datetime(2027, 1, 1, tz="UTC"))
            ()
        """
        instant = _utc(at)
        return tuple(
            PointsEntry(
                id=_new_id(ids),
                customer=self.customer,
                kind=EntryKind.EXPIRE,
                points=-lot.left,
                at=instant,
                key=f"expire:{lot.id}",
                order=lot.order,
                reason=(
                    f"{lot.left} of {lot.points} points earned on "
                    f"{lot.earned_at.date().isoformat()} lapsed on "
                    f"{lot.expires_at.date().isoformat()}"
                ),
                draws=(Draw(lot.id, lot.left),),
            )
            for lot in self.lots
            if lot.expires_at is not None and lot.expires_at <= instant
        )

    def reverse(
        self,
        order: OrderId,
        *,
        at: dt.datetime,
        entries: Iterable[PointsEntry],
        key: str | None = None,
        ids: IdGenerator | None = None,
    ) -> Reversal:
        """Take back what ``order`` earned, because it was refunded or cancelled.

        The rule: the order owes what its ``earn`` entries added, less what of it lapsed
        (or is past its expiry at ``at``), since the member never had the use of that.
        It is taken first from what is left of the order's own lots, then, for what the
        member already spent, from their other live lots, oldest first. What the member
        no longer has is not taken (the balance never goes negative): it is written off,
        and named in the entry's reason and :attr:`Reversal.unrecovered`.

        An order is reversed once: if ``entries`` hold a ``reverse`` entry of the order,
        nothing more is taken. A reversal that finds nothing at all to take back writes
        no entry, so a later reversal of the order tries again.

        Args:
            order: The order refunded or cancelled.
            at: When.
            entries: The member's entries (``ledger.entries(customer)``), to find what
                the order earned and what of it lapsed; only this reads the history.
            key: The idempotency key; ``"reverse:<order>"`` by default, so that two
                reversals of one order cannot both land.
            ids: Where the entry's id comes from, for reproducible ids; fresh otherwise.

        Raises:
            InvalidPointsEntryError: ``entries`` hold another member's entry.

        Example:
            See :class:`Reversal`.
        """
        instant = _utc(at)
        earned = lapsed = 0
        own: set[PointsEntryId] = set()
        already = False
        history = list(entries)
        for entry in history:
            if entry.customer != self.customer:
                msg = f"entry {entry.id} is {entry.customer}'s; pass {self.customer}'s entries"
                raise InvalidPointsEntryError(msg)
            if entry.order == order and entry.kind is EntryKind.EARN:
                earned += entry.points
                own.add(entry.id)
            already = already or (entry.order == order and entry.kind is EntryKind.REVERSE)
        for entry in history:
            if entry.kind is EntryKind.EXPIRE:
                lapsed += sum(draw.points for draw in entry.draws if draw.lot in own)
        own_lots = [lot for lot in self.lots if lot.id in own]
        lapsed += sum(lot.left for lot in own_lots if not lot.is_live(instant))
        if already:
            return Reversal(
                order=order,
                earned=earned,
                expired=lapsed,
                taken=0,
                unrecovered=0,
                already_reversed=True,
                entries=(),
            )
        owed = max(earned - lapsed, 0)
        draws = self._take(min(owed, self.available(instant)), instant, first=own_lots)
        taken = sum(draw.points for draw in draws)
        unrecovered = owed - taken
        reason = f"order {order} reversed: {earned} points earned"
        if lapsed:
            reason += f", {lapsed} of them expired"

        reason += f", {taken} taken back"
        if unrecovered:
            reason += f", {unrecovered} already spent and not recovered"
        reversal: tuple[PointsEntry, ...] = ()
        if taken:
            reversal = (
                PointsEntry(
                    id=_new_id(ids),
                    customer=self.customer,
                    kind=EntryKind.REVERSE,
                    points=-taken,
                    at=instant,
                    key=key if key is not None else f"reverse:{order}",
                    order=order,
                    reason=reason,
                    draws=draws,
                ),
            )
        return Reversal(
            order=order,
            earned=earned,
            expired=lapsed,
            taken=taken,
            unrecovered=unrecovered,
            already_reversed=False,
            entries=reversal,
        )

    def adjust(
        self,
        points: int,
        *,
        at: dt.datetime,
        key: str,
        reason: str,
        policy: ExpiryPolicy | None = None,
        tier: str | None = None,
        order: OrderId | None = None,
        ids: IdGenerator | None = None,
    ) -> tuple[PointsEntry, ...]:
        """Correct the points by hand: one ``adjust`` entry, with staff's reason.

        Upwards, it opens a lot that lapses under ``policy`` like an earning (and, under
        an inactivity window, renews the live lots). Downwards, it draws on the oldest
        live lots first, like a redemption, and renews nothing.

        Args:
            points: The points to add (positive) or take away (negative).
            at: When.
            key: The idempotency key.
            reason: Why; required, since an auditor will ask.
            policy: The programme's expiry policy; required to add points.
            tier: The member's tier, for a window that depends on it.
            order: The order the correction concerns, if any.
            ids: Where the entry's id comes from, for reproducible ids; fresh otherwise.

        Raises:
            InvalidPointsEntryError: Zero or non-whole points, a blank reason, or points
                added without a policy.
            InsufficientPointsError: More points taken away than are live at ``at``.

        Example:
            Continuing the module example above:

            >>> (goodwill,) = account.adjust(500, at=pendulum.datetime(2026, 8, 1, tz="UTC"),
            ...                              key="adjust:42", policy=policy,
            ...                              reason="noisy room, night of 31 July")
            >>> goodwill.kind.value, goodwill.points
            ('adjust', 500)
            >>> account.adjust(-50, at=pendulum.datetime(2026, 8, 1, tz="UTC"),
            ...                key="adjust:43", reason=" ")
            Traceback (most recent call last):
            ...
            staycore.membership.points.InvalidPointsEntryError: [loyalty.invalid_entry] ...
        """
        instant = _utc(at)
        if not _whole(points) or points == 0:
            msg = f"adjust by a whole number of points other than 0, got {points!r}"
            raise InvalidPointsEntryError(msg)
        if not isinstance(reason, str) or not reason.strip():
            msg = "an adjustment needs a reason: say why staff changed the points"
            raise InvalidPointsEntryError(msg)
        if points > 0:
            if policy is None:
                msg = "adding points opens a lot: pass the programme's expiry policy"
                raise InvalidPointsEntryError(msg)
            expires_at = policy.lot_expiry(instant, tier)
            renews_to = expires_at if policy.kind is ExpiryKind.INACTIVITY else None
            draws: tuple[Draw, ...] = ()
        else:
            self._require_available(-points, instant, "take away")
            expires_at = renews_to = None
            draws = self._take(-points, instant)
        entry = PointsEntry(
            id=_new_id(ids),
            customer=self.customer,
            kind=EntryKind.ADJUST,
            points=points,
            at=instant,
            key=key,
            order=order,
            reason=reason,
            expires_at=expires_at,
            renews_to=renews_to,
            draws=draws,
        )
        return (entry,)


# -- posting a batch (what every ledger adapter checks) ----------------------------------


def check_batch(customer: CustomerId, batch: Sequence[PointsEntry]) -> None:
    """Refuse a batch that cannot be one member's, before a ledger takes its lock.

    Raises:
        InvalidPointsEntryError: An item is not an entry, is another member's, or the
            batch holds a key or an id twice.

    Example:
        >>> import pendulum
        >>> from staycore.membership.ids import CustomerId
        >>> from staycore.membership.points import ExpiryPolicy, PointsAccount, check_batch
        >>> guest = CustomerId.new()
        >>> earned = PointsAccount(customer=guest).earn(
        ...     100, at=pendulum.datetime(2026, 5, 3, tz="UTC"), key="earn:1",
        ...     policy=ExpiryPolicy.never())
        >>> check_batch(guest, earned)
        >>> check_batch(CustomerId.new(), earned)
        Traceback (most recent call last):
        ...
        staycore.membership.points.InvalidPointsEntryError: [loyalty.invalid_entry] ...
    """
    keys: set[str] = set()
    ids: set[PointsEntryId] = set()
    for entry in batch:
        if not isinstance(entry, PointsEntry):
            msg = f"post PointsEntry values, got {entry!r}"
            raise InvalidPointsEntryError(msg)
        if entry.customer != customer:
            msg = f"entry {entry.id} is {entry.customer}'s, posted as {customer}'s; post it alone"
            raise InvalidPointsEntryError(msg)
        if entry.key in keys or entry.id in ids:
            msg = (
                f"the batch holds key {entry.key!r} or id {entry.id} twice; "
                "each entry needs its own key and id"
            )
            raise InvalidPointsEntryError(msg)
        keys.add(entry.key)
        ids.add(entry.id)


def sort_batch(
    batch: Sequence[PointsEntry],
    by_key: Mapping[str, PointsEntry],
    by_id: Mapping[PointsEntryId, PointsEntry],
) -> tuple[tuple[PointsEntry, ...], tuple[PointsEntry, ...]]:
    """Tell a batch's retries from its new entries, given the member's stored entries.

    Args:
        batch: The entries posted, checked by :func:`check_batch`.
        by_key: Stored entries under the batch's keys (others may be left out).
        by_id: Stored entries under the batch's ids (others may be left out).

    Returns:
        The batch as the ledger returns it (a retried entry as it was stored), and the
        entries to append, in order.

    Raises:
        PointsKeyReusedError: A key is stored with other content.
        InvalidPointsEntryError: An id is stored under another key.

    Example:
        Continuing the example of :func:`check_batch`:

        >>> from staycore.membership.points import sort_batch
        >>> sort_batch(earned, {}, {}) == (earned, earned)
        True
        >>> stored = {entry.key: entry for entry in earned}
        >>> sort_batch(earned, stored, {}) == (earned, ())
        True
    """
    stored: list[PointsEntry] = []
    new: list[PointsEntry] = []
    for entry in batch:
        earlier = by_key.get(entry.key)
        if earlier is not None:
            if not earlier.repeats(entry):
                raise PointsKeyReusedError(earlier, entry)
            stored.append(earlier)
            continue
        if entry.id in by_id:
            msg = (
                f"entry id {entry.id} is stored under key {by_id[entry.id].key!r}, "
                f"not {entry.key!r}; give the entry a new id"
            )
            raise InvalidPointsEntryError(msg)
        stored.append(entry)
        new.append(entry)
    return tuple(stored), tuple(new)
