"""Time: stays are local dates, slots are instants, and the clock is passed in.

Two kinds of time meet in a booking system and must not be mixed:

* A *night* is a local calendar date of the property. A :class:`Stay` from 3 to 5 March
  has the nights of 3 and 4 March (check-out is exclusive), whatever the timezone and
  however many hours those nights last across a daylight-saving change.
* An *instant* is a point on the universal timeline, always timezone-aware. A
  :class:`Slot` (an appointment from 14:00 to 15:00) is two instants; deadlines and
  expiries are instants. Naive datetimes are refused everywhere.

Converting between them goes through the property's IANA timezone with
:func:`local_instant` and :func:`local_date`, which are right across daylight-saving
changes: an ambiguous wall-clock time (the hour that repeats in autumn) takes its first
occurrence unless ``fold=1`` asks for the second, and a wall-clock time that does not
exist (the hour skipped in spring) moves forward by the length of the gap.

The domain never reads the system clock: it takes a :class:`Clock`.

Example:
    >>> from datetime import date, time
    >>> from staycore.kernel.time import Stay, local_instant
    >>> stay = Stay(date(2026, 3, 28), date(2026, 3, 30))
    >>> [str(night) for night in stay]
    ['2026-03-28', '2026-03-29']
    >>> local_instant(date(2026, 3, 29), time(2, 30), "Europe/Paris").isoformat()
    '2026-03-29T03:30:00+02:00'
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from typing import Final, Literal, Protocol, runtime_checkable

import attrs
import pendulum
from pendulum.tz.exceptions import AmbiguousTime, InvalidTimezone, NonExistingTime
from pendulum.tz.timezone import PendulumTimezone

from staycore.kernel.errors import (
    InvalidInstantError,
    InvalidSlotError,
    InvalidStayError,
    NaiveDatetimeError,
    UnknownTimezoneError,
)

__all__ = [
    "Clock",
    "Slot",
    "Stay",
    "SystemClock",
    "Timezone",
    "as_instant",
    "local_date",
    "local_instant",
    "start_of_local_day",
    "timezone",
]

Timezone = pendulum.Timezone
"""An IANA timezone, as pendulum represents it."""

_ONE_DAY: Final = dt.timedelta(days=1)
# Zones by name: pendulum reads the zone's file on every lookup, and the zones are
# immutable, so each is read once per process.
_ZONES: dict[str, Timezone] = {}
_ZONEINFOS: dict[str, zoneinfo.ZoneInfo] = {}
_LAST_DATES: dict[str, tuple[dt.datetime, dt.date]] = {}
_ISO_INTERVAL: Final = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*/\s*(\d{4}-\d{2}-\d{2})\s*$")


def timezone(name: str | Timezone) -> Timezone:
    """Look up an IANA timezone by name.

    Args:
        name: An IANA name such as ``"Asia/Taipei"``, or a timezone.

    Raises:
        UnknownTimezoneError: The name is not an IANA timezone (fixed offsets such as
            ``"+08:00"`` are refused: they do not follow daylight-saving rules).

    Example:
        >>> from staycore.kernel.time import timezone
        >>> timezone("Asia/Taipei").name
        'Asia/Taipei'
    """
    if isinstance(name, Timezone):
        return name
    if not isinstance(name, str):
        msg = f"timezone must be an IANA name such as 'Europe/Paris', got {name!r}"
        raise UnknownTimezoneError(msg)
    known = _ZONES.get(name)
    if known is not None:
        return known
    try:
        zone = pendulum.timezone(name)
    except (InvalidTimezone, ValueError, OSError):  # OSError: a name too long for a file
        zone = None
    if not isinstance(zone, Timezone):
        msg = f"unknown timezone {name!r}; use an IANA name such as 'Europe/Paris' or 'Asia/Tokyo'"
        raise UnknownTimezoneError(msg)
    _ZONES[name] = zone
    return zone


def as_instant(value: dt.datetime, *, what: str = "instant") -> pendulum.DateTime:
    """Return ``value`` as a timezone-aware pendulum ``DateTime``; refuse naive ones.

    Args:
        value: An aware :class:`datetime.datetime` (stdlib or pendulum).
        what: How to name the value in the error message.

    Raises:
        NaiveDatetimeError: ``value`` has no timezone.
        InvalidInstantError: ``value`` is not a datetime.

    Example:
        >>> from datetime import datetime, timezone
        >>> from staycore.kernel.time import as_instant
        >>> as_instant(datetime(2026, 1, 1, tzinfo=timezone.utc)).isoformat()
        '2026-01-01T00:00:00+00:00'
    """
    if isinstance(value, pendulum.DateTime) and (
        value.tzinfo is pendulum.UTC or isinstance(value.tzinfo, PendulumTimezone)
    ):  # UTC first: PendulumTimezone is an ABC, several times dearer to check
        return value  # pendulum's zones always give an offset: nothing to check or rebuild
    if not isinstance(value, dt.datetime):
        msg = f"{what} must be a timezone-aware datetime, got {value!r}"
        raise InvalidInstantError(msg)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            f"{what} {value.isoformat()} has no timezone; attach one "
            "(e.g. pendulum.datetime(..., tz='UTC')) so it names one instant"
        )
        raise NaiveDatetimeError(msg)
    # pendulum.instance() passes a pendulum DateTime through as it is, and pendulum's own
    # arithmetic drops a tzinfo that is not pendulum's (``dt.astimezone(timezone.utc)``),
    # so rebuild such values from a plain datetime.
    plain = dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
        fold=value.fold,
    )
    return pendulum.instance(plain)


def local_instant(
    day: dt.date, at: dt.time, tz: str | Timezone, *, fold: Literal[0, 1] = 0
) -> pendulum.DateTime:
    """Return the instant when the wall clock at ``tz`` shows ``at`` on ``day``.

    Args:
        day: The local date.
        at: The local wall-clock time (naive; any tzinfo on it is an error).
        tz: The property's IANA timezone.
        fold: For a time that occurs twice (clocks going back), 0 picks the first
            occurrence and 1 the second. Times that do not occur (clocks going forward)
            move forward by the length of the gap.

    Example:
        >>> from datetime import date, time
        >>> from staycore.kernel.time import local_instant
        >>> autumn = local_instant(date(2026, 10, 25), time(2, 30), "Europe/Paris")
        >>> autumn.in_tz("UTC").isoformat()
        '2026-10-25T00:30:00+00:00'
        >>> again = local_instant(date(2026, 10, 25), time(2, 30), "Europe/Paris", fold=1)
        >>> again.in_tz("UTC").isoformat()
        '2026-10-25T01:30:00+00:00'
    """
    if at.tzinfo is not None:
        msg = f"local time {at} must be a wall-clock time without tzinfo; pass the timezone as tz"
        raise NaiveDatetimeError(msg)
    _require_date(day, "day")
    wall = (day.year, day.month, day.day, at.hour, at.minute, at.second, at.microsecond)
    zone = timezone(tz)
    try:
        return pendulum.datetime(*wall, tz=zone, fold=fold, raise_on_unknown_times=True)
    except AmbiguousTime:
        return pendulum.datetime(*wall, tz=zone, fold=fold)
    except NonExistingTime:
        # With fold=1 pendulum reads a skipped wall time with the offset from after the
        # change, which moves it forward by the gap (02:30 -> 03:30); fold=0 would move
        # it backwards, onto the previous day when the gap is at midnight.
        return pendulum.datetime(*wall, tz=zone, fold=1)


def start_of_local_day(day: dt.date, tz: str | Timezone) -> pendulum.DateTime:
    """Return the first instant of ``day`` at ``tz``.

    That is usually midnight, but not where a daylight-saving change skips midnight
    (America/Santiago in September starts its day at 01:00).

    Example:
        >>> from datetime import date
        >>> from staycore.kernel.time import start_of_local_day
        >>> start_of_local_day(date(2026, 9, 6), "America/Santiago").isoformat()
        '2026-09-06T01:00:00-03:00'
    """
    return local_instant(day, dt.time(0), tz)


def local_date(instant: dt.datetime, tz: str | Timezone) -> dt.date:
    """Return the calendar date that the wall clock at ``tz`` shows at ``instant``.

    Example:
        >>> from staycore.kernel.time import local_date
        >>> import pendulum
        >>> local_date(pendulum.datetime(2026, 12, 31, 17, tz="UTC"), "Asia/Taipei")
        datetime.date(2027, 1, 1)
    """
    # This runs on every lifecycle guard that reads "today", and asks come in runs at one
    # instant (a sweep or a report over many orders, a use case's several steps at one
    # reading of the clock): the last answer per zone is kept. Aware instants compare as
    # instants, so equal means the same local date; a naive or wrong value never equals
    # one and goes on to be refused.
    name = tz if isinstance(tz, str) else tz.name
    last = _LAST_DATES.get(name)
    if last is not None and last[0] == instant:
        return last[1]
    # The standard library's zoneinfo (the same tz database pendulum reads) converts a
    # plain UTC datetime in C, at a fraction of the cost of pendulum's in_tz().
    zone = _zoneinfo(tz)
    utc = as_instant(instant)
    if utc.tzinfo is not pendulum.UTC:
        utc = utc.in_tz(pendulum.UTC)
    plain = dt.datetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, tzinfo=dt.UTC
    )
    day = plain.astimezone(zone).date()
    _LAST_DATES[name] = (utc, day)  # one tuple: a reader in another thread sees both or neither
    return day


def _zoneinfo(tz: str | Timezone) -> zoneinfo.ZoneInfo:
    """The standard library's zone for ``tz``, checked by :func:`timezone` when first seen."""
    name = tz if isinstance(tz, str) else tz.name
    zone = _ZONEINFOS.get(name)
    if zone is None:
        zone = _ZONEINFOS[name] = zoneinfo.ZoneInfo(timezone(tz).name)
    return zone


def _require_date(value: object, what: str) -> dt.date:
    """Accept a plain calendar date (not a datetime), as ``datetime.date``."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"{what} must be a calendar date such as date(2026, 3, 3), got {value!r}"
        raise InvalidStayError(msg)
    return dt.date(value.year, value.month, value.day)


def _to_date(value: dt.date) -> dt.date:
    return _require_date(value, "stay date")


@attrs.frozen(order=True, repr=False)
class Stay:
    """A stay: the local nights from ``check_in`` up to, not including, ``check_out``.

    Attributes:
        check_in: The first night, a local date of the property.
        check_out: The departure date; the night of ``check_out`` is not part of the stay.

    Raises:
        InvalidStayError: The dates are not plain dates, or check-out is not after check-in.

    Example:
        >>> from datetime import date
        >>> from staycore.kernel.time import Stay
        >>> stay = Stay(date(2026, 12, 30), date(2027, 1, 2))
        >>> stay.nights, date(2026, 12, 31) in stay, date(2027, 1, 2) in stay
        (3, True, False)
        >>> Stay(date(2026, 3, 5), date(2026, 3, 5))
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.InvalidStayError: [time.invalid_stay] ...
    """

    check_in: dt.date = attrs.field(converter=_to_date)
    check_out: dt.date = attrs.field(converter=_to_date)

    def __attrs_post_init__(self) -> None:
        if self.check_out <= self.check_in:
            msg = (
                f"check-out {self.check_out} must be after check-in {self.check_in}: "
                "a stay has at least one night"
            )
            raise InvalidStayError(msg)

    @classmethod
    def of_nights(cls, check_in: dt.date, nights: int) -> Stay:
        """Build a stay of ``nights`` nights from ``check_in``.

        Example:
            >>> from datetime import date
            >>> from staycore.kernel.time import Stay
            >>> Stay.of_nights(date(2026, 2, 27), 3).check_out
            datetime.date(2026, 3, 2)
        """
        if isinstance(nights, bool) or not isinstance(nights, int) or nights < 1:
            msg = f"a stay needs a whole number of nights, at least 1; got {nights!r}"
            raise InvalidStayError(msg)
        first = _require_date(check_in, "check-in")
        try:
            return cls(first, first + dt.timedelta(days=nights))
        except OverflowError:
            msg = f"a stay of {nights} nights from {first} would end after the year 9999"
            raise InvalidStayError(msg) from None

    @classmethod
    def parse(cls, text: str) -> Stay:
        """Parse an ISO 8601 date interval, ``"2026-03-03/2026-03-05"``.

        Example:
            >>> from staycore.kernel.time import Stay
            >>> Stay.parse("2026-03-03/2026-03-05").nights
            2
        """
        match = _ISO_INTERVAL.match(text) if isinstance(text, str) else None
        if match is None:
            msg = f"cannot read a stay from {text!r}; write it as 'YYYY-MM-DD/YYYY-MM-DD'"
            raise InvalidStayError(msg)
        try:
            check_in, check_out = (dt.date.fromisoformat(part) for part in match.groups())
        except ValueError as error:
            msg = f"cannot read a stay from {text!r}: {error}"
            raise InvalidStayError(msg) from None
        return cls(check_in, check_out)

    @property
    def nights(self) -> int:
        """How many nights the stay has."""
        return (self.check_out - self.check_in).days

    @property
    def last_night(self) -> dt.date:
        """The last night of the stay (the day before check-out)."""
        return self.check_out - _ONE_DAY

    def __iter__(self) -> Iterator[dt.date]:
        night = self.check_in
        while night < self.check_out:
            yield night
            night += _ONE_DAY

    def __contains__(self, night: object) -> bool:
        if isinstance(night, dt.datetime) or not isinstance(night, dt.date):
            return False
        return self.check_in <= night < self.check_out

    def overlaps(self, other: Stay) -> bool:
        """Whether the two stays share at least one night.

        Example:
            >>> from staycore.kernel.time import Stay
            >>> a, b = Stay.parse("2026-03-01/2026-03-04"), Stay.parse("2026-03-04/2026-03-06")
            >>> a.overlaps(b)
            False
        """
        return self.check_in < other.check_out and other.check_in < self.check_out

    def overlap(self, other: Stay) -> Stay | None:
        """Return the nights both stays share, or ``None`` when they share none.

        Example:
            >>> from staycore.kernel.time import Stay
            >>> a, b = Stay.parse("2026-03-01/2026-03-05"), Stay.parse("2026-03-03/2026-03-08")
            >>> a.overlap(b)
            Stay('2026-03-03/2026-03-05')
        """
        if not self.overlaps(other):
            return None
        return Stay(max(self.check_in, other.check_in), min(self.check_out, other.check_out))

    def check_in_at(self, tz: str | Timezone, at: dt.time = dt.time(15)) -> pendulum.DateTime:
        """The instant check-in opens, at local time ``at`` of the property.

        Example:
            >>> from staycore.kernel.time import Stay
            >>> Stay.parse("2026-03-03/2026-03-05").check_in_at("Asia/Taipei").isoformat()
            '2026-03-03T15:00:00+08:00'
        """
        return local_instant(self.check_in, at, tz)

    def check_out_at(self, tz: str | Timezone, at: dt.time = dt.time(11)) -> pendulum.DateTime:
        """The instant check-out closes, at local time ``at`` of the property."""
        return local_instant(self.check_out, at, tz)

    def __repr__(self) -> str:
        return f"Stay('{self}')"

    def __str__(self) -> str:
        return f"{self.check_in.isoformat()}/{self.check_out.isoformat()}"


def _to_start(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="slot start")


def _to_end(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="slot end")


def _utc(value: dt.datetime) -> dt.datetime:
    """The instant in UTC, for comparisons.

    Python compares two datetimes that share a tzinfo by their wall clocks, ignoring
    ``fold``, so 02:30 before and after clocks go back would compare equal.
    """
    return value.astimezone(dt.UTC)


@attrs.frozen(order=True, repr=False)
class Slot:
    """A span of time between two instants, for appointments: start included, end excluded.

    Attributes:
        start: The first instant of the slot (timezone-aware).
        end: The instant the slot ends (timezone-aware, after ``start``).

    Raises:
        NaiveDatetimeError: An instant has no timezone.
        InvalidSlotError: The slot ends at or before its start.

    Example:
        >>> import pendulum
        >>> from staycore.kernel.time import Slot
        >>> massage = Slot.starting(pendulum.datetime(2026, 5, 1, 14, tz="Asia/Taipei"), minutes=90)
        >>> massage.end.isoformat(), massage.minutes
        ('2026-05-01T15:30:00+08:00', 90)
    """

    start: pendulum.DateTime = attrs.field(converter=_to_start, eq=_utc, order=_utc)
    end: pendulum.DateTime = attrs.field(converter=_to_end, eq=_utc, order=_utc)

    def __attrs_post_init__(self) -> None:
        if _utc(self.end) <= _utc(self.start):
            msg = (
                f"slot end {self.end.isoformat()} must be after its start {self.start.isoformat()}"
            )
            raise InvalidSlotError(msg)

    @classmethod
    def starting(cls, start: dt.datetime, *, minutes: int) -> Slot:
        """Build a slot of ``minutes`` elapsed minutes from ``start``.

        Elapsed time, not wall-clock time: a 60-minute slot that spans a daylight-saving
        change still lasts 60 minutes.
        """
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
            msg = f"a slot lasts a whole number of minutes, at least 1; got {minutes!r}"
            raise InvalidSlotError(msg)
        begin = as_instant(start, what="slot start")
        # Add in UTC, where every minute is a minute, then show the end in the start's zone.
        end = (begin.in_tz("UTC") + dt.timedelta(minutes=minutes)).astimezone(begin.tzinfo)
        return cls(begin, end)

    @property
    def duration(self) -> dt.timedelta:
        """The elapsed time between start and end."""
        return self.end - self.start

    @property
    def minutes(self) -> int:
        """The elapsed whole minutes between start and end."""
        return int(self.duration.total_seconds() // 60)

    def overlaps(self, other: Slot) -> bool:
        """Whether the two slots share any instant (touching ends do not overlap).

        Example:
            >>> import pendulum
            >>> from staycore.kernel.time import Slot
            >>> nine = pendulum.datetime(2026, 5, 1, 9, tz="UTC")
            >>> first = Slot.starting(nine, minutes=60)
            >>> first.overlaps(Slot.starting(nine.add(hours=1), minutes=30))
            False
        """
        return _utc(self.start) < _utc(other.end) and _utc(other.start) < _utc(self.end)

    def __contains__(self, instant: object) -> bool:
        if not isinstance(instant, dt.datetime) or instant.utcoffset() is None:
            return False
        return _utc(self.start) <= _utc(instant) < _utc(self.end)

    def __repr__(self) -> str:
        return f"Slot('{self.start.isoformat()}', '{self.end.isoformat()}')"


@runtime_checkable
class Clock(Protocol):
    """Tells the current instant. Pass one in; never read the system clock in the domain.

    Example:
        >>> from staycore.kernel.time import Clock, SystemClock
        >>> isinstance(SystemClock(), Clock)
        True
    """

    def now(self) -> pendulum.DateTime:
        """Return the current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock, in UTC.

    Example:
        >>> from staycore.kernel.time import SystemClock
        >>> SystemClock().now().timezone_name
        'UTC'
    """

    def now(self) -> pendulum.DateTime:
        """Return the current instant in UTC."""
        return pendulum.now("UTC")

    def __repr__(self) -> str:
        return "SystemClock()"
