"""Payment schedules: everything at booking, a deposit and a balance, or pay at the property.

A :class:`PaymentSchedule` is the property's rule for *when* an order's total is paid. It
turns a total into :class:`Instalment` values, each with what is due and when:

* :meth:`PaymentSchedule.full_prepayment`: the whole total at booking;
* :meth:`PaymentSchedule.deposit_and_balance`: a percentage at booking, the rest a number of
  days before arrival, at a local time of the property (by default the start of that day).
  A booking made so late that the balance would already be due pays the whole total at
  booking instead: the schedule collapses into one instalment;
* :meth:`PaymentSchedule.pay_at_property`: nothing online, everything at check-in.

Deposit and balance are split with :meth:`~staycore.kernel.money.Money.allocate`, so they
always add up to the total, to the minor unit. Due instants are worked out in the
property's timezone with :func:`~staycore.kernel.time.local_instant`, so "14 days before
arrival" is midnight local time fourteen calendar days earlier, across daylight-saving
changes. Nothing here reads the clock: the booking instant is passed in.

Example:
    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.orders.schedule import PaymentSchedule
    >>> schedule = PaymentSchedule.deposit_and_balance(Decimal(30), balance_days_before=14)
    >>> booked = pendulum.datetime(2026, 6, 1, 9, tz="Europe/Paris")
    >>> for part in schedule.instalments(Money.of("1000.00", "EUR"), booked_at=booked,
    ...                                  arrival=dt.date(2026, 7, 10), timezone="Europe/Paris"):
    ...     print(part.name, part.amount, part.due_at and part.due_at.isoformat())
    deposit EUR 300.00 None
    balance EUR 700.00 2026-06-26T00:00:00+02:00
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import Money, to_decimal
from staycore.kernel.time import as_instant, local_instant, start_of_local_day
from staycore.kernel.time import timezone as find_timezone
from staycore.orders.errors import OrderError

__all__ = [
    "MAX_BALANCE_DAYS",
    "Instalment",
    "InvalidScheduleError",
    "PaymentSchedule",
    "ScheduleKind",
]

MAX_BALANCE_DAYS: Final = 366
"""The most days before arrival a balance may fall due, a year with its leap day."""

_HUNDRED: Final = Decimal(100)
# Exact decimal arithmetic whatever the host's decimal context: an inexact result raises.
_EXACT: Final = decimal.Context(prec=34, traps=[decimal.Inexact, decimal.InvalidOperation])


class InvalidScheduleError(OrderError):
    """A payment schedule is set up wrong, or asked to split a total it cannot.

    Example:
        >>> from staycore.orders.schedule import PaymentSchedule
        >>> PaymentSchedule.deposit_and_balance(100, balance_days_before=7)
        Traceback (most recent call last):
        ...
        staycore.orders.schedule.InvalidScheduleError: [orders.invalid_schedule] ...
    """

    code = "orders.invalid_schedule"


class ScheduleKind(enum.Enum):
    """How an order's total is paid."""

    FULL_PREPAYMENT = "full_prepayment"
    DEPOSIT_AND_BALANCE = "deposit_and_balance"
    PAY_AT_PROPERTY = "pay_at_property"


def _percent(value: Decimal | int | str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return to_decimal(value, what="deposit percent")
    except StaycoreError as error:
        msg = f"a deposit percent is a decimal number such as '30', got {value!r}"
        raise InvalidScheduleError(msg) from error


@attrs.frozen
class Instalment:
    """One payment a schedule asks for: how much, and when.

    Attributes:
        name: ``"full"``, ``"deposit"``, ``"balance"`` or ``"at_property"``.
        amount: What is due, rounded and positive.
        due_at: When it falls due; ``None`` means at booking, before the order is confirmed.
        at_property: Whether the guest pays it at the property rather than online.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.schedule import Instalment
        >>> Instalment("full", Money.of("250.00", "EUR"), None, at_property=False).due_at is None
        True
    """

    name: str
    amount: Money
    due_at: pendulum.DateTime | None
    at_property: bool = False


@attrs.frozen(kw_only=True)
class PaymentSchedule:
    """When an order's total is paid: build one with the class methods.

    Attributes:
        kind: Full prepayment, deposit and balance, or pay at the property.
        deposit_percent: For a deposit and balance, the share due at booking, above 0 and
            below 100; ``None`` for the other kinds.
        balance_days_before: For a deposit and balance, how many days before arrival the
            balance falls due, 0 to :data:`MAX_BALANCE_DAYS`; 0 for the other kinds.
        due_time: The local time of the property at which the balance falls due on that
            day; midnight (the start of the day) by default.

    Raises:
        InvalidScheduleError: The kind is unknown, a deposit and balance has no valid
            percent or days, another kind sets them, or the due time is not a wall time.

    Example:
        >>> from staycore.orders.schedule import PaymentSchedule, ScheduleKind
        >>> PaymentSchedule.full_prepayment().kind is ScheduleKind.FULL_PREPAYMENT
        True
        >>> PaymentSchedule(kind=ScheduleKind.DEPOSIT_AND_BALANCE)
        Traceback (most recent call last):
        ...
        staycore.orders.schedule.InvalidScheduleError: [orders.invalid_schedule] ...
    """

    kind: ScheduleKind
    deposit_percent: Decimal | None = attrs.field(default=None, converter=_percent)
    balance_days_before: int = 0
    due_time: dt.time = dt.time(0)

    def __attrs_post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise InvalidScheduleError(problem)

    def _problem(self) -> str:
        if not isinstance(self.kind, ScheduleKind):
            return f"a schedule kind is one of {[k.name for k in ScheduleKind]}, not {self.kind!r}"
        days, percent, due_time = self.balance_days_before, self.deposit_percent, self.due_time
        deposit = self.kind is ScheduleKind.DEPOSIT_AND_BALANCE
        whole = isinstance(days, int) and not isinstance(days, bool)
        checks = [
            (
                not whole,
                f"balance days before arrival must be an int, got {days!r}",
            ),
            (
                not isinstance(due_time, dt.time) or due_time.tzinfo is not None,
                "the balance due time must be a wall-clock time without tzinfo such as "
                f"time(0, 0), got {due_time!r}; the property's timezone is passed apart",
            ),
            (
                deposit and (percent is None or not 0 < percent < _HUNDRED or not _exact(percent)),
                f"a deposit is above 0 and below 100 % of the total, in at most 34 significant "
                f"digits, not {percent}; use full_prepayment() to take everything at booking",
            ),
            (
                deposit and whole and not 0 <= days <= MAX_BALANCE_DAYS,
                f"the balance falls due 0 to {MAX_BALANCE_DAYS} days before arrival, not {days}",
            ),
            (
                not deposit and (percent is not None or days != 0 or due_time != dt.time(0)),
                f"a {self.kind.value} schedule has no deposit or balance: leave "
                "deposit_percent, balance_days_before and due_time unset",
            ),
        ]
        return next((message for failed, message in checks if failed), "")

    # -- construction ------------------------------------------------------------------

    @classmethod
    def full_prepayment(cls) -> PaymentSchedule:
        """The whole total is paid at booking.

        Example:
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> PaymentSchedule.full_prepayment().deposit_percent is None
            True
        """
        return cls(kind=ScheduleKind.FULL_PREPAYMENT)

    @classmethod
    def deposit_and_balance(
        cls,
        percent: Decimal | int | str,
        *,
        balance_days_before: int,
        due_time: dt.time = dt.time(0),
    ) -> PaymentSchedule:
        """A deposit of ``percent`` at booking, the balance ``balance_days_before`` arrival.

        Args:
            percent: The deposit's share of the total, above 0 and below 100.
            balance_days_before: Days before the arrival date on which the balance falls due.
            due_time: The local time of the property at which it falls due that day.

        Raises:
            InvalidScheduleError: The percent or the days are out of range.

        Example:
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> PaymentSchedule.deposit_and_balance("25", balance_days_before=30).deposit_percent
            Decimal('25')
        """
        return cls(
            kind=ScheduleKind.DEPOSIT_AND_BALANCE,
            deposit_percent=percent,
            balance_days_before=balance_days_before,
            due_time=due_time,
        )

    @classmethod
    def pay_at_property(cls) -> PaymentSchedule:
        """Nothing is paid online: the guest pays the whole total at check-in.

        Example:
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> PaymentSchedule.pay_at_property().kind.value
            'pay_at_property'
        """
        return cls(kind=ScheduleKind.PAY_AT_PROPERTY)

    # -- what is due, and when ---------------------------------------------------------

    def instalments(
        self,
        total: Money,
        *,
        booked_at: dt.datetime,
        arrival: dt.date,
        timezone: str,
    ) -> tuple[Instalment, ...]:
        """Split ``total`` into the instalments of this schedule, in the order they fall due.

        A deposit and balance whose balance would fall due at or before ``booked_at`` (a late
        booking) asks for the whole total at booking, as one ``"full"`` instalment. A zero
        total asks for nothing; an instalment that would be zero (a total of a few minor
        units) is left out.

        Args:
            total: The order's total, rounded and not negative.
            booked_at: The instant of booking (timezone-aware).
            arrival: The check-in date, a local date of the property.
            timezone: The property's IANA timezone.

        Returns:
            The instalments; they add up to ``total`` exactly.

        Raises:
            InvalidScheduleError: The total is negative or finer than its minor unit, or
                the arrival is not a date.
            NaiveDatetimeError: ``booked_at`` has no timezone.
            UnknownTimezoneError: ``timezone`` is not an IANA timezone.

        Example:
            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> late = pendulum.datetime(2026, 7, 5, tz="UTC")
            >>> schedule = PaymentSchedule.deposit_and_balance(30, balance_days_before=14)
            >>> schedule.instalments(Money.of("400.00", "EUR"), booked_at=late,
            ...                      arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
            (Instalment(name='full', amount=Money('400.00', 'EUR'), due_at=None,
                        at_property=False),)
            >>> at_desk = PaymentSchedule.pay_at_property().instalments(
            ...     Money.of("400.00", "EUR"), booked_at=late, arrival=dt.date(2026, 7, 10),
            ...     timezone="Europe/Paris")
            >>> at_desk[0].name, at_desk[0].due_at.isoformat(), at_desk[0].at_property
            ('at_property', '2026-07-10T00:00:00+02:00', True)
        """
        _require_total(total)
        booked = as_instant(booked_at, what="booked_at")
        day = _require_arrival(arrival)
        find_timezone(timezone)
        if total.is_zero:
            return ()
        if self.kind is ScheduleKind.PAY_AT_PROPERTY:
            return (Instalment("at_property", total, start_of_local_day(day, timezone), True),)
        full = (Instalment("full", total, None, False),)
        if self.kind is ScheduleKind.FULL_PREPAYMENT:
            return full
        balance_due = self.balance_due(arrival=day, timezone=timezone)
        percent = self.deposit_percent
        if percent is None or _utc(balance_due) <= _utc(booked):
            return full
        deposit, balance = total.allocate([percent, _EXACT.subtract(_HUNDRED, percent)])
        parts = (
            Instalment("deposit", deposit, None, False),
            Instalment("balance", balance, balance_due, False),
        )
        return tuple(part for part in parts if not part.amount.is_zero)

    def balance_due(self, *, arrival: dt.date, timezone: str) -> pendulum.DateTime:
        """The instant the balance falls due: ``due_time`` local, N days before arrival.

        For the other kinds, which have no balance, it is the start of the arrival day.

        Example:
            >>> import datetime as dt
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> schedule = PaymentSchedule.deposit_and_balance(
            ...     30, balance_days_before=7, due_time=dt.time(12))
            >>> schedule.balance_due(arrival=dt.date(2026, 4, 2), timezone="Europe/Paris")
            DateTime(2026, 3, 26, 12, 0, 0, tzinfo=Timezone('Europe/Paris'))
        """
        day = _require_arrival(arrival) - dt.timedelta(days=self.balance_days_before)
        return local_instant(day, self.due_time, timezone)

    def due_before_confirming(
        self,
        total: Money,
        *,
        booked_at: dt.datetime,
        arrival: dt.date,
        timezone: str,
    ) -> Money:
        """What must be received before the order is confirmed: the instalments due at booking.

        That is the deposit, or the whole total (full prepayment, or a late booking), and
        zero when the guest pays at the property.

        Example:
            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> schedule = PaymentSchedule.deposit_and_balance(30, balance_days_before=14)
            >>> schedule.due_before_confirming(
            ...     Money.of("99.99", "EUR"), booked_at=pendulum.datetime(2026, 6, 1, tz="UTC"),
            ...     arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
            Money('30.00', 'EUR')
        """
        # Only a deposit depends on the dates (a late booking pays everything now); the
        # other kinds are answered without them, as this runs on every confirmation.
        if self.kind is ScheduleKind.PAY_AT_PROPERTY:
            return Money.zero(_require_total(total).currency)
        if self.kind is ScheduleKind.FULL_PREPAYMENT:
            return _require_total(total)
        parts = self.instalments(total, booked_at=booked_at, arrival=arrival, timezone=timezone)
        return Money.total((p.amount for p in parts if p.due_at is None), total.currency)

    def due_by(
        self,
        total: Money,
        at: dt.datetime,
        *,
        booked_at: dt.datetime,
        arrival: dt.date,
        timezone: str,
    ) -> Money:
        """What should have been paid online by ``at``: the instalments due at or before it.

        Instalments due at booking count as due at ``booked_at``; instalments paid at the
        property never count.

        Raises:
            NaiveDatetimeError: ``at`` or ``booked_at`` has no timezone.

        Example:
            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> schedule = PaymentSchedule.deposit_and_balance(30, balance_days_before=14)
            >>> terms = dict(booked_at=pendulum.datetime(2026, 6, 1, tz="UTC"),
            ...              arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
            >>> total = Money.of("1000.00", "EUR")
            >>> schedule.due_by(total, pendulum.datetime(2026, 6, 25, 21, 59, tz="UTC"), **terms)
            Money('300.00', 'EUR')
            >>> schedule.due_by(total, pendulum.datetime(2026, 6, 25, 22, 0, tz="UTC"), **terms)
            Money('1000.00', 'EUR')
        """
        moment = _utc(as_instant(at, what="at"))
        booked = as_instant(booked_at, what="booked_at")
        parts = self.instalments(total, booked_at=booked, arrival=arrival, timezone=timezone)
        due = (
            part.amount
            for part in parts
            if not part.at_property and _utc(part.due_at or booked) <= moment
        )
        return Money.total(due, total.currency)

    def next_due(
        self,
        total: Money,
        received: Money,
        *,
        booked_at: dt.datetime,
        arrival: dt.date,
        timezone: str,
    ) -> Instalment | None:
        """The first instalment that ``received`` does not cover yet, for reminders.

        Money received covers the instalments in the order they fall due. The instalment
        returned keeps its name and due instant, with the amount still owed on it (the whole
        instalment, or what a partial payment left). ``None`` when everything is covered.

        Raises:
            InvalidScheduleError: ``received`` is negative, unrounded or in another currency.

        Example:
            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.schedule import PaymentSchedule
            >>> schedule = PaymentSchedule.deposit_and_balance(30, balance_days_before=14)
            >>> terms = dict(booked_at=pendulum.datetime(2026, 6, 1, tz="UTC"),
            ...              arrival=dt.date(2026, 7, 10), timezone="Europe/Paris")
            >>> total = Money.of("1000.00", "EUR")
            >>> schedule.next_due(total, Money.of("100.00", "EUR"), **terms).amount
            Money('200.00', 'EUR')
            >>> reminder = schedule.next_due(total, Money.of("300.00", "EUR"), **terms)
            >>> reminder.name, reminder.amount, reminder.due_at.isoformat()
            ('balance', Money('700.00', 'EUR'), '2026-06-26T00:00:00+02:00')
            >>> schedule.next_due(total, total, **terms) is None
            True
        """
        parts = self.instalments(total, booked_at=booked_at, arrival=arrival, timezone=timezone)
        if not isinstance(received, Money) or received.currency != total.currency:
            msg = f"money received must be Money in {total.currency}, got {received!r}"
            raise InvalidScheduleError(msg)
        _require_total(received, what="money received")
        left = received
        for part in parts:
            if left < part.amount:
                return attrs.evolve(part, amount=part.amount - left)
            left -= part.amount
        return None


def _require_total(total: object, *, what: str = "a schedule's total") -> Money:
    if not isinstance(total, Money):
        msg = f"{what} must be Money, got {total!r}"
        raise InvalidScheduleError(msg)
    if total.is_negative or not total.is_rounded:
        msg = f"{what} must be rounded to the minor unit and not negative, got {total}"
        raise InvalidScheduleError(msg)
    return total


def _require_arrival(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"arrival must be a calendar date such as date(2026, 7, 10), got {value!r}"
        raise InvalidScheduleError(msg)
    return value


def _exact(percent: Decimal) -> bool:
    try:
        _EXACT.subtract(_HUNDRED, percent)
    except decimal.Inexact:
        return False
    return True


def _utc(value: dt.datetime) -> dt.datetime:
    """The instant in UTC: Python compares datetimes sharing a tzinfo by wall clock."""
    return value.astimezone(dt.UTC)
