"""Cancellation policies as data: "until 7 days before arrival, 100 % refund; then 50 %".

A :class:`CancellationPolicy` is a list of :class:`CancellationTier` values. Each tier says
how much of the cancelled value is refunded when the guest cancels at least ``notice``
before check-in, and may keep a fixed fee on top. Cancelling after every tier's deadline
refunds nothing; a policy without tiers is non-refundable.

**Deadlines are local.** A tier's deadline is the check-in instant (the arrival date at
the policy's check-in time, in the property's timezone) minus the notice, counted on the
property's wall clock: the whole days of the notice move the calendar, so "7 days before"
a 15:00 check-in is 15:00 local time seven days earlier, even when the clocks changed in
between (that week then lasts 167 or 169 hours). What is left of the notice under a day
(the 12 hours of a 36-hour notice) is elapsed time. A wall-clock time that does not exist
or occurs twice follows :func:`~staycore.kernel.time.local_instant`: the gap moves it
forward, and the first of two occurrences is taken. A guest cancels in time when they
cancel strictly before the deadline.

:meth:`CancellationPolicy.charge` says what a cancellation costs: the share of the value
not refunded, rounded with the kernel's policy (banker's rounding to the minor unit), plus
the tier's fee, never more than the value itself. Each charge explains itself in one
sentence a guest can read. The order applies it: what stays due after a cancellation is
the value of the lines still active plus the charges retained, and anything received
beyond that is refunded.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.orders.cancellation import CancellationPolicy, CancellationTier
    >>> moderate = CancellationPolicy.tiered("Moderate", [
    ...     CancellationTier(notice=dt.timedelta(days=7), refund_percent=100),
    ...     CancellationTier(notice=dt.timedelta(days=1), refund_percent=50),
    ... ])
    >>> cost = moderate.charge(
    ...     Money.of("500.00", "EUR"),
    ...     cancelled_at=pendulum.datetime(2026, 7, 6, 10, tz="Europe/Paris"),
    ...     arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
    >>> cost.charge, cost.waived
    (Money('250.00', 'EUR'), Money('250.00', 'EUR'))
    >>> print(cost.explanation)
    cancelled 2026-07-06 10:00 Europe/Paris, before the 1-day deadline 2026-07-09 15:00:
    50 % refunded, no fee; EUR 250.00 of EUR 500.00 forfeited
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import Money, to_decimal
from staycore.kernel.time import as_instant, local_instant
from staycore.kernel.time import timezone as find_timezone
from staycore.orders.errors import OrderError

__all__ = [
    "CancellationCharge",
    "CancellationPolicy",
    "CancellationTier",
    "InvalidCancellationError",
    "InvalidCancellationPolicyError",
]

_HUNDRED: Final = Decimal(100)
# Exact decimal arithmetic whatever the host's decimal context: an inexact result raises.
_EXACT: Final = decimal.Context(prec=34, traps=[decimal.Inexact, decimal.InvalidOperation])
_NO_TIME: Final = dt.timedelta(0)
_UNITS: Final = (
    ("day", dt.timedelta(days=1)),
    ("hour", dt.timedelta(hours=1)),
    ("minute", dt.timedelta(minutes=1)),
    ("second", dt.timedelta(seconds=1)),
)


class InvalidCancellationPolicyError(OrderError):
    """A cancellation policy or one of its tiers is out of range or contradicts itself.

    Example:
        >>> import datetime as dt
        >>> from staycore.orders.cancellation import CancellationTier
        >>> CancellationTier(notice=dt.timedelta(days=7), refund_percent=120)
        Traceback (most recent call last):
        ...
        staycore.orders.cancellation.InvalidCancellationPolicyError:
        [orders.invalid_cancellation_policy] ...
    """

    code = "orders.invalid_cancellation_policy"


class InvalidCancellationError(OrderError):
    """A cancellation was priced on a value that is negative, unrounded or in another currency.

    Example:
        >>> import datetime as dt
        >>> import pendulum
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.cancellation import CancellationPolicy
        >>> CancellationPolicy.flexible().charge(
        ...     Money.of("-5.00", "EUR"), cancelled_at=pendulum.datetime(2026, 7, 1, tz="UTC"),
        ...     arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
        Traceback (most recent call last):
        ...
        staycore.orders.cancellation.InvalidCancellationError: [orders.invalid_cancellation] ...
    """

    code = "orders.invalid_cancellation"


def _percent(value: Decimal | int | str) -> Decimal:
    try:
        return to_decimal(value, what="refund percent")
    except StaycoreError as error:
        msg = f"a refund percent is a decimal number from 0 to 100 such as '50', got {value!r}"
        raise InvalidCancellationPolicyError(msg) from error


@attrs.frozen(kw_only=True)
class CancellationTier:
    """What a cancellation made at least ``notice`` before check-in refunds.

    Attributes:
        notice: How long before check-in the guest must cancel, zero or more: a zero
            notice lasts until check-in.
        refund_percent: The share of the cancelled value refunded, 0 to 100.
        fee: A fixed amount kept on top of the share not refunded, or ``None``. The
            charge never exceeds the cancelled value, whatever the fee.

    Raises:
        InvalidCancellationPolicyError: The notice is negative or not a timedelta, the
            percent is out of range, or the fee is negative or unrounded.

    Example:
        >>> import datetime as dt
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.cancellation import CancellationTier
        >>> tier = CancellationTier(notice=dt.timedelta(days=30), refund_percent="100",
        ...                         fee=Money.of("20.00", "EUR"))
        >>> tier.refund_percent, tier.fee
        (Decimal('100'), Money('20.00', 'EUR'))
    """

    notice: dt.timedelta
    refund_percent: Decimal = attrs.field(converter=_percent)
    fee: Money | None = None

    def __attrs_post_init__(self) -> None:
        notice, percent, fee = self.notice, self.refund_percent, self.fee
        problem = ""
        if not isinstance(notice, dt.timedelta) or notice < _NO_TIME:
            problem = f"a tier's notice is a timedelta of zero or more, not {notice!r}"
        elif not 0 <= percent <= _HUNDRED:
            problem = f"a tier refunds 0 to 100 % of the value, not {percent}"
        elif not _exact(percent):
            problem = f"a refund percent has at most 34 significant digits, not {percent}"
        elif fee is not None and (
            not isinstance(fee, Money) or fee.is_negative or not fee.is_rounded
        ):
            problem = (
                f"a tier's fee is Money rounded to the minor unit and not negative, "
                f"got {fee!r}; leave it None for no fee"
            )
        if problem:
            raise InvalidCancellationPolicyError(problem)

    @property
    def describe_notice(self) -> str:
        """The notice as a deadline's name, such as ``"7-day"``, ``"36-hour"`` or ``"check-in"``.

        Example:
            >>> import datetime as dt
            >>> from staycore.orders.cancellation import CancellationTier
            >>> CancellationTier(notice=dt.timedelta(hours=36), refund_percent=50).describe_notice
            '36-hour'
        """
        return _notice_text(self.notice)


def _sorted_tiers(tiers: Iterable[CancellationTier]) -> tuple[CancellationTier, ...]:
    if isinstance(tiers, str) or not isinstance(tiers, Iterable):
        msg = f"a policy's tiers are a sequence of CancellationTier, got {tiers!r}"
        raise InvalidCancellationPolicyError(msg)
    found = tuple(tiers)
    strangers = [tier for tier in found if not isinstance(tier, CancellationTier)]
    if strangers:
        msg = f"a policy's tiers are CancellationTier values, got {strangers[0]!r}"
        raise InvalidCancellationPolicyError(msg)
    return tuple(sorted(found, key=lambda tier: tier.notice, reverse=True))


@attrs.frozen(kw_only=True)
class CancellationCharge:
    """What a cancellation costs the guest, and why.

    Attributes:
        value: What was cancelled.
        refund_percent: The share of the value refunded by the tier that applied (0 when
            none did).
        fee: The fixed fee actually kept, after the cap (zero when there is none).
        charge: What the guest forfeits: the share not refunded plus the fee, at most
            ``value``.
        waived: What the guest no longer owes: ``value - charge``.
        tier: The tier that applied, or ``None`` when the guest cancelled after every
            deadline (or the policy has no tiers).
        deadline: The deadline the guest met, or ``None``.
        explanation: One sentence for the guest and the support team.

    Example:
        See :meth:`CancellationPolicy.charge`:

        >>> import datetime as dt
        >>> import pendulum
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.cancellation import CancellationPolicy
        >>> cost = CancellationPolicy.non_refundable().charge(
        ...     Money.of("120.00", "USD"), cancelled_at=pendulum.datetime(2026, 1, 2, tz="UTC"),
        ...     arrival=dt.date(2026, 3, 1), timezone="America/New_York")
        >>> cost.charge, cost.tier, cost.deadline
        (Money('120.00', 'USD'), None, None)
    """

    value: Money
    refund_percent: Decimal
    fee: Money
    charge: Money
    waived: Money
    tier: CancellationTier | None
    deadline: pendulum.DateTime | None
    explanation: str


@attrs.frozen(kw_only=True)
class CancellationPolicy:
    """Tiers of refunds by notice before check-in; build one with the class methods.

    Tiers are kept longest notice first. A tier with less notice may not refund more, nor
    keep a smaller fee, than a tier with more notice: otherwise a guest would gain by
    waiting to cancel.

    Attributes:
        name: What the guest is shown ("Moderate").
        tiers: The tiers, sorted longest notice first; none for a non-refundable policy.
        check_in_time: The local time check-in opens, from which notices are counted.

    Raises:
        InvalidCancellationPolicyError: The name is empty, two tiers share a notice, fees
            are in different currencies, a shorter notice refunds more (or keeps a
            smaller fee) than a longer one, or the check-in time is not a wall time.

    Example:
        >>> import datetime as dt
        >>> from staycore.orders.cancellation import CancellationPolicy, CancellationTier
        >>> policy = CancellationPolicy.tiered("Strict", [
        ...     CancellationTier(notice=dt.timedelta(days=1), refund_percent=0),
        ...     CancellationTier(notice=dt.timedelta(days=14), refund_percent=50),
        ... ])
        >>> [tier.describe_notice for tier in policy.tiers]
        ['14-day', '1-day']
        >>> CancellationPolicy.tiered("Odd", [
        ...     CancellationTier(notice=dt.timedelta(days=14), refund_percent=50),
        ...     CancellationTier(notice=dt.timedelta(days=1), refund_percent=100),
        ... ])
        Traceback (most recent call last):
        ...
        staycore.orders.cancellation.InvalidCancellationPolicyError:
        [orders.invalid_cancellation_policy] ...
    """

    name: str
    tiers: tuple[CancellationTier, ...] = attrs.field(converter=_sorted_tiers)
    check_in_time: dt.time = dt.time(15)

    def __attrs_post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise InvalidCancellationPolicyError(f"cancellation policy {self.name!r}: {problem}")

    def _problem(self) -> str:
        at = self.check_in_time
        fees = sorted({str(tier.fee.currency) for tier in self.tiers if tier.fee is not None})
        checks = [
            (
                not isinstance(self.name, str) or not self.name.strip(),
                "a policy needs a name to show the guest",
            ),
            (
                not isinstance(at, dt.time) or at.tzinfo is not None,
                "the check-in time is a wall-clock time without tzinfo such as time(15), "
                f"not {at!r}; the property's timezone is passed apart",
            ),
            (len(fees) > 1, f"its fees are in {', '.join(fees)}; use one currency"),
        ]
        problem = next((message for failed, message in checks if failed), "")
        pairs = zip(self.tiers, self.tiers[1:], strict=False)
        return problem or next(filter(None, (_tier_problem(*pair) for pair in pairs)), "")

    # -- construction ------------------------------------------------------------------

    @classmethod
    def tiered(
        cls,
        name: str,
        tiers: Iterable[CancellationTier],
        *,
        check_in_time: dt.time = dt.time(15),
    ) -> CancellationPolicy:
        """A policy of ``tiers``, in any order.

        Example:
            >>> import datetime as dt
            >>> from staycore.orders.cancellation import CancellationPolicy, CancellationTier
            >>> CancellationPolicy.tiered("Until check-in", [
            ...     CancellationTier(notice=dt.timedelta(0), refund_percent=100)]).name
            'Until check-in'
        """
        return cls(name=name, tiers=tiers, check_in_time=check_in_time)

    @classmethod
    def non_refundable(
        cls, name: str = "Non-refundable", *, check_in_time: dt.time = dt.time(15)
    ) -> CancellationPolicy:
        """A policy that never refunds: every cancellation forfeits the whole value.

        Example:
            >>> from staycore.orders.cancellation import CancellationPolicy
            >>> CancellationPolicy.non_refundable().tiers
            ()
        """
        return cls(name=name, tiers=(), check_in_time=check_in_time)

    @classmethod
    def flexible(
        cls,
        name: str = "Flexible",
        *,
        notice: dt.timedelta = dt.timedelta(days=1),
        check_in_time: dt.time = dt.time(15),
    ) -> CancellationPolicy:
        """A full refund until ``notice`` before check-in (a day by default), nothing after.

        Example:
            >>> from staycore.orders.cancellation import CancellationPolicy
            >>> tier, = CancellationPolicy.flexible().tiers
            >>> tier.describe_notice, tier.refund_percent
            ('1-day', Decimal('100'))
        """
        tier = CancellationTier(notice=notice, refund_percent=_HUNDRED)
        return cls(name=name, tiers=(tier,), check_in_time=check_in_time)

    # -- deadlines and charges ---------------------------------------------------------

    def deadlines(
        self, arrival: dt.date, timezone: str
    ) -> tuple[tuple[CancellationTier, pendulum.DateTime], ...]:
        """Each tier with its deadline, earliest first, in the property's timezone.

        Shows a guest "free cancellation until ...". A cancellation strictly before a
        deadline gets that tier's refund.

        Args:
            arrival: The check-in date, a local date of the property.
            timezone: The property's IANA timezone.

        Raises:
            InvalidCancellationError: ``arrival`` is not a date.
            UnknownTimezoneError: ``timezone`` is not an IANA timezone.

        Example:
            Across the change to summer time in Europe/Paris (29 March 2026), seven days
            before 15:00 is still 15:00 on the wall clock:

            >>> import datetime as dt
            >>> from staycore.orders.cancellation import CancellationPolicy, CancellationTier
            >>> policy = CancellationPolicy.tiered("Moderate", [
            ...     CancellationTier(notice=dt.timedelta(days=7), refund_percent=100),
            ...     CancellationTier(notice=dt.timedelta(hours=36), refund_percent=50),
            ... ])
            >>> for tier, deadline in policy.deadlines(dt.date(2026, 4, 2), "Europe/Paris"):
            ...     print(tier.describe_notice, deadline.isoformat())
            7-day 2026-03-26T15:00:00+01:00
            36-hour 2026-04-01T03:00:00+02:00
        """
        day = _require_arrival(arrival)
        zone = find_timezone(timezone)
        return tuple((tier, self._deadline(tier, day, zone)) for tier in self.tiers)

    def _deadline(
        self, tier: CancellationTier, arrival: dt.date, zone: pendulum.Timezone
    ) -> pendulum.DateTime:
        whole_days = dt.timedelta(days=tier.notice.days)
        wall = local_instant(arrival - whole_days, self.check_in_time, zone)
        rest = tier.notice - whole_days
        if not rest:
            return wall
        # Under a day, the notice is elapsed time: subtract it in UTC, then show it locally.
        return (wall.in_tz("UTC") - rest).in_tz(zone)

    def charge(
        self,
        value: Money,
        *,
        cancelled_at: dt.datetime,
        arrival: dt.date,
        timezone: str,
    ) -> CancellationCharge:
        """What cancelling ``value`` at ``cancelled_at`` costs the guest.

        The tier with the longest notice whose deadline is still ahead applies (the guest
        cancels strictly before it); when none is, nothing is refunded. The charge is the
        share not refunded, rounded to the minor unit (half to even), plus the tier's fee,
        capped at ``value``.

        Args:
            value: What is cancelled (a whole order, or the lines cancelled from it),
                rounded and not negative.
            cancelled_at: The instant of cancellation (timezone-aware).
            arrival: The check-in date, a local date of the property.
            timezone: The property's IANA timezone.

        Raises:
            InvalidCancellationError: The value is negative, unrounded or in another
                currency than the policy's fees, or ``arrival`` is not a date.
            NaiveDatetimeError: ``cancelled_at`` has no timezone.
            UnknownTimezoneError: ``timezone`` is not an IANA timezone.

        Example:
            At the very instant of the deadline it has passed; the fee is capped so the
            charge never exceeds the value:

            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.cancellation import CancellationPolicy, CancellationTier
            >>> policy = CancellationPolicy.tiered("With a fee", [
            ...     CancellationTier(notice=dt.timedelta(days=7), refund_percent=100,
            ...                      fee=Money.of("30.00", "EUR")),
            ...     CancellationTier(notice=dt.timedelta(days=1), refund_percent=90,
            ...                      fee=Money.of("30.00", "EUR")),
            ... ])
            >>> terms = dict(arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
            >>> deadline = pendulum.datetime(2026, 7, 3, 15, tz="Europe/Paris")
            >>> early = policy.charge(Money.of("20.00", "EUR"),
            ...                       cancelled_at=deadline.subtract(seconds=1), **terms)
            >>> early.charge, early.fee
            (Money('20.00', 'EUR'), Money('20.00', 'EUR'))
            >>> print(early.explanation)
            cancelled 2026-07-03 14:59 Europe/Paris, before the 7-day deadline 2026-07-03 15:00:
            100 % refunded less a fee of EUR 30.00, capped at EUR 20.00; EUR 20.00 of
            EUR 20.00 forfeited
            >>> policy.charge(Money.of("500.00", "EUR"), cancelled_at=deadline, **terms).charge
            Money('80.00', 'EUR')
        """
        self._require_value(value)
        moment = as_instant(cancelled_at, what="cancelled_at")
        deadlines = self.deadlines(arrival, timezone)
        applied = next((met for met in deadlines if _utc(moment) < _utc(met[1])), None)
        tier, deadline = applied or (None, None)
        percent = tier.refund_percent if tier is not None else Decimal(0)
        kept_share = (value * _kept_factor(percent)).rounded()
        fee = tier.fee if tier is not None and tier.fee is not None else None
        charge = min(kept_share + fee, value) if fee is not None else kept_share
        kept_fee = charge - kept_share
        when = f"cancelled {_wall(moment.in_tz(find_timezone(timezone)))} {timezone}"
        forfeited = f"{charge} of {value} forfeited"
        if tier is None or deadline is None:
            missed = (
                f", past {_deadline_name(deadlines[-1][0])} {_wall(deadlines[-1][1])}"
                if deadlines
                else f" under the {self.name!r} policy"
            )
            explanation = f"{when}{missed}: nothing refunded; {forfeited}"
        else:
            if fee is None or fee.is_zero:
                fee_text = ", no fee"
            elif kept_fee == fee:
                fee_text = f" less a fee of {fee}"
            else:
                fee_text = f" less a fee of {fee}, capped at {kept_fee}"
            explanation = (
                f"{when}, before {_deadline_name(tier)} {_wall(deadline)}: "
                f"{_pct(percent)} % refunded{fee_text}; {forfeited}"
            )
        return CancellationCharge(
            value=value,
            refund_percent=percent,
            fee=kept_fee,
            charge=charge,
            waived=value - charge,
            tier=tier,
            deadline=deadline,
            explanation=explanation,
        )

    def _require_value(self, value: object) -> None:
        if not isinstance(value, Money) or value.is_negative or not value.is_rounded:
            msg = (
                "a cancelled value is Money rounded to the minor unit and not negative, "
                f"got {value!r}"
            )
            raise InvalidCancellationError(msg)
        fees = {tier.fee.currency for tier in self.tiers if tier.fee is not None}
        if fees and value.currency not in fees:
            msg = (
                f"policy {self.name!r} keeps fees in {next(iter(fees))}, and the cancelled "
                f"value is in {value.currency}; price the order in the policy's currency"
            )
            raise InvalidCancellationError(msg)


def _tier_problem(longer: CancellationTier, shorter: CancellationTier) -> str:
    """Why ``shorter`` (the next tier by notice) contradicts ``longer``; empty if it does not."""
    if longer.notice == shorter.notice:
        return f"two tiers have the same {longer.describe_notice} notice; merge them"
    if shorter.refund_percent > longer.refund_percent:
        return (
            f"the {shorter.describe_notice} tier refunds {_pct(shorter.refund_percent)} %, "
            f"more than the {longer.describe_notice} tier's {_pct(longer.refund_percent)} %: "
            "cancelling later would pay the guest; refund less as the notice shortens"
        )
    if _fee_amount(shorter) < _fee_amount(longer):
        return (
            f"the {shorter.describe_notice} tier keeps a smaller fee than the "
            f"{longer.describe_notice} tier: cancelling later would pay the guest; "
            "keep the fee the same or raise it as the notice shortens"
        )
    return ""


def _notice_text(notice: dt.timedelta) -> str:
    if not notice:
        return "check-in"
    for name, unit in _UNITS:
        if not notice % unit:
            return f"{notice // unit}-{name}"
    return f"{notice}"


def _deadline_name(tier: CancellationTier) -> str:
    return "check-in" if not tier.notice else f"the {tier.describe_notice} deadline"


def _wall(instant: pendulum.DateTime) -> str:
    return instant.format("YYYY-MM-DD HH:mm")


def _pct(percent: Decimal) -> str:
    return f"{percent.normalize(_EXACT):f}"


def _kept_factor(percent: Decimal) -> Decimal:
    """The share of the value kept, ``(100 - percent) / 100``, exact."""
    kept: Decimal = _EXACT.subtract(_HUNDRED, percent).scaleb(-2, _EXACT)
    return kept


def _exact(percent: Decimal) -> bool:
    try:
        _kept_factor(percent)
    except decimal.Inexact:
        return False
    return True


def _fee_amount(tier: CancellationTier) -> Decimal:
    return tier.fee.amount if tier.fee is not None else Decimal(0)


def _require_arrival(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"arrival must be a calendar date such as date(2026, 7, 10), got {value!r}"
        raise InvalidCancellationError(msg)
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    """The instant in UTC: Python compares datetimes sharing a tzinfo by wall clock."""
    return value.astimezone(dt.UTC)
