"""Schedules for appointments: resources, their working hours, and the slots they offer.

A :class:`Resource` is what an appointment is booked on: a therapist, a treatment room, a
chair, a yoga class. It works weekly :class:`WorkingHours` in its own IANA timezone,
with :class:`ScheduleException` days (a holiday, a sick day, a day with other hours),
and offers slots of a fixed length, each followed by a buffer (time to clean up or
write notes), each taking up to ``capacity`` clients at once (a masseur: 1; a class: 6).

Slots are laid out on a grid, one working interval at a time: the first starts when the
interval opens, the next one slot length plus buffer later, and so on while a slot still
*ends* by closing time. The buffer after the last slot may run past closing: clean-up
after the last client costs no slot. Intervals that touch (09:00-12:00 and 12:00-15:00)
are joined into one, so the grid and its buffers run straight through.

The grid is stepped in elapsed time from the instant the interval opens, found with
:func:`~staycore.kernel.time.local_instant`, so every slot lasts its length and no two
slots overlap, even on a daylight-saving day. Working hours are wall-clock times: on
the day clocks change, 09:00-18:00 is still 09:00-18:00 local. Only an interval that
spans the change itself (a night shift from 00:00 to 06:00) is an hour shorter or longer
that day, and its slots after the change start at wall-clock times shifted by it. An
opening or closing time that occurs twice that day means its first occurrence; one the
clocks skip is reached when they jump past it.

Everything here is a pure function of the resource and the day: no clock, no store.
What is taken lives in the store (:mod:`staycore.ports.appointments`); what is free is
worked out by :mod:`staycore.availability.appointments`.

Example:
    >>> from datetime import date
    >>> from staycore.availability.ids import ResourceId
    >>> from staycore.availability.schedule import Resource, ScheduleException, WorkingHours
    >>> week = {"mon-fri": "09:00-12:00, 13:00-18:00", "sat": "10:00-14:00"}
    >>> mei = Resource(
    ...     id=ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     name="Mei (massage)",
    ...     timezone="Asia/Taipei",
    ...     hours=WorkingHours.weekly(week),
    ...     slot_minutes=60,
    ...     buffer_minutes=15,
    ... )
    >>> [f"{s.start:%H:%M}-{s.end:%H:%M}" for s in mei.slots_on(date(2026, 5, 2))]  # a Saturday
    ['10:00-11:00', '11:15-12:15', '12:30-13:30']
    >>> mei.slots_on(date(2026, 5, 3))  # Sundays off
    ()
    >>> sick = mei.with_exception(ScheduleException(day=date(2026, 5, 4), note="sick day"))
    >>> len(mei.slots_on(date(2026, 5, 4))), len(sick.slots_on(date(2026, 5, 4)))
    (6, 0)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

import attrs
import pendulum

from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import ResourceId
from staycore.kernel.errors import InvalidIdentifierError
from staycore.kernel.time import Slot, Timezone, local_instant, start_of_local_day, timezone

__all__ = [
    "WEEKDAYS",
    "InvalidDayRangeError",
    "InvalidScheduleError",
    "InvalidSlotCapacityError",
    "InvalidSlotLengthError",
    "InvalidWorkingHoursError",
    "Resource",
    "ScheduleException",
    "WorkingHours",
    "WorkingInterval",
]

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as :meth:`WorkingHours.weekly` reads them, Monday first (``date.weekday()``)."""

_DAY_MINUTES: Final = 24 * 60
_ONE_DAY: Final = dt.timedelta(days=1)
_CLOCK: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_MIDNIGHT: Final = dt.time(0)
_WEEKDAY_NAMES: Final = {
    name: index
    for index, names in enumerate(
        zip(
            WEEKDAYS,
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            strict=True,
        )
    )
    for name in names
}


# -- errors ----------------------------------------------------------------------------


class InvalidScheduleError(AvailabilityError):
    """A resource's schedule is invalid; the specific errors below say how.

    Raised itself for what belongs to no narrower kind: a resource without a name, two
    exceptions for one day, an unknown weekday name.
    """

    code = "availability.invalid_schedule"


class InvalidWorkingHoursError(InvalidScheduleError):
    """Working hours end before they start, overlap, or are not whole minutes."""

    code = "availability.invalid_working_hours"


class InvalidSlotLengthError(InvalidScheduleError):
    """A slot length is not a positive whole number of minutes, or a buffer is negative."""

    code = "availability.invalid_slot_length"


class InvalidSlotCapacityError(InvalidScheduleError):
    """A resource's capacity per slot is not a whole number of at least 1."""

    code = "availability.invalid_slot_capacity"


class InvalidDayRangeError(AvailabilityError):
    """A range of days ends before it starts, or its days are not plain dates."""

    code = "availability.invalid_day_range"


# -- working intervals -----------------------------------------------------------------


def _clock_time(value: dt.time | str, what: str) -> dt.time:
    """Read a wall-clock time given as ``time`` or ``"HH:MM"``; ``"24:00"`` is midnight."""
    if isinstance(value, str):
        match = _CLOCK.match(value)
        hour, minute = (int(part) for part in match.groups()) if match else (-1, -1)
        if (hour, minute) == (24, 0):
            return _MIDNIGHT
        if not (0 <= hour < 24 and 0 <= minute < 60):
            msg = f"cannot read {what} {value!r}; write a wall-clock time such as '09:30'"
            raise InvalidWorkingHoursError(msg)
        return dt.time(hour, minute)
    if not isinstance(value, dt.time):
        msg = f"{what} must be a time such as time(9, 30) or '09:30', got {value!r}"
        raise InvalidWorkingHoursError(msg)
    if value.tzinfo is not None:
        msg = f"{what} {value} must be a wall-clock time without tzinfo; the resource has the zone"
        raise InvalidWorkingHoursError(msg)
    if value.second or value.microsecond:
        msg = f"{what} {value} must be a whole minute, such as {value:%H:%M}"
        raise InvalidWorkingHoursError(msg)
    return value


def _opens(value: dt.time | str) -> dt.time:
    return _clock_time(value, "opening time")


def _closes(value: dt.time | str) -> dt.time:
    return _clock_time(value, "closing time")


def _minute_of_day(at: dt.time) -> int:
    return at.hour * 60 + at.minute


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@attrs.frozen(repr=False)
class WorkingInterval:
    """A stretch of one day when a resource works, in local wall-clock time.

    It starts at ``start`` and ends at ``end`` the same day; an ``end`` of midnight
    (``time(0)`` or ``"24:00"``) means the end of the day. Intervals do not cross
    midnight: split a night shift in two, one part on each day.

    Attributes:
        start: When work starts, a whole minute.
        end: When work stops, a whole minute after ``start``; midnight is the day's end.

    Raises:
        InvalidWorkingHoursError: A time is unreadable, not a whole minute, carries a
            timezone, or ``end`` is not after ``start``.

    Example:
        >>> from datetime import time
        >>> from staycore.availability.schedule import WorkingInterval
        >>> WorkingInterval(time(9), time(12)) == WorkingInterval.parse("09:00-12:00")
        True
        >>> WorkingInterval.parse("18:00-24:00").minutes
        360
        >>> WorkingInterval.parse("14:00-13:00")
        Traceback (most recent call last):
        ...
        staycore.availability.schedule.InvalidWorkingHoursError: ...
    """

    start: dt.time = attrs.field(converter=_opens)
    end: dt.time = attrs.field(converter=_closes)

    def __attrs_post_init__(self) -> None:
        if self.end_minute <= self.start_minute:
            msg = (
                f"working hours {self} end before they start; an interval ends on the day "
                "it starts (write midnight as 24:00), so split a night shift at midnight"
            )
            raise InvalidWorkingHoursError(msg)

    @classmethod
    def parse(cls, text: str) -> WorkingInterval:
        """Read ``"09:00-12:00"``; ``"24:00"`` is the end of the day.

        Raises:
            InvalidWorkingHoursError: The text is not two times joined by ``-``.

        Example:
            >>> from staycore.availability.schedule import WorkingInterval
            >>> WorkingInterval.parse(" 9:00 - 12:30 ")
            WorkingInterval('09:00-12:30')
        """
        parts = text.split("-") if isinstance(text, str) else []
        if len(parts) != 2:
            msg = f"cannot read working hours from {text!r}; write them as '09:00-12:00'"
            raise InvalidWorkingHoursError(msg)
        return cls(parts[0], parts[1])

    @property
    def start_minute(self) -> int:
        """Minutes from midnight to ``start``."""
        return _minute_of_day(self.start)

    @property
    def end_minute(self) -> int:
        """Minutes from midnight to ``end``; 1440 when it ends at midnight."""
        return _minute_of_day(self.end) or _DAY_MINUTES

    @property
    def minutes(self) -> int:
        """The interval's length on the wall clock, in minutes."""
        return self.end_minute - self.start_minute

    def instants(
        self, day: dt.date, tz: str | Timezone
    ) -> tuple[pendulum.DateTime, pendulum.DateTime]:
        """The instants the interval opens and closes on ``day`` at ``tz``.

        Each is the first instant the wall clock shows that time or later: a time that
        occurs twice is reached the first time, and one the clocks skip is reached when
        they jump past it. So intervals that do not overlap on the wall clock never
        overlap in time, whatever the clocks do.

        Example:
            >>> from datetime import date
            >>> from staycore.availability.schedule import WorkingInterval
            >>> opens, closes = WorkingInterval.parse("22:00-24:00").instants(
            ...     date(2026, 5, 1), "Asia/Taipei"
            ... )
            >>> opens.isoformat(), closes.isoformat()
            ('2026-05-01T22:00:00+08:00', '2026-05-02T00:00:00+08:00')
            >>> opens, closes = WorkingInterval.parse("01:00-02:30").instants(
            ...     date(2026, 3, 29), "Europe/Paris"
            ... )
            >>> closes.isoformat()  # the clocks jump from 02:00 straight to 03:00
            '2026-03-29T03:00:00+02:00'
        """
        zone = timezone(tz)
        opens = _reached(day, self.start, zone)
        if self.end == _MIDNIGHT:
            return opens, _reached(day + _ONE_DAY, _MIDNIGHT, zone)
        return opens, _reached(day, self.end, zone)

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"

    def __repr__(self) -> str:
        return f"WorkingInterval('{self}')"


def _reached(day: dt.date, at: dt.time, zone: Timezone) -> pendulum.DateTime:
    """The first instant the wall clock at ``zone`` shows ``at`` on ``day``, or later.

    :func:`~staycore.kernel.time.local_instant` moves a skipped time forward by the
    gap (02:30 becomes 03:30), which would let an interval closing at 02:30 run past one
    opening at 03:00; the instant the clocks jump past 02:30 (03:00) keeps them apart.
    """
    instant = local_instant(day, at, zone)
    shown = dt.datetime.combine(instant.date(), instant.time())
    gap = shown - dt.datetime.combine(day, at)
    if not gap:
        return instant
    # The jump lies within ``gap`` before ``instant``: find it to the second.
    after_offset = instant.utcoffset()
    before, after = int(instant.timestamp() - gap.total_seconds()), int(instant.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if pendulum.from_timestamp(middle, tz=zone).utcoffset() == after_offset:
            after = middle
        else:
            before = middle
    return pendulum.from_timestamp(after, tz=zone)


def _intervals(
    value: str | Iterable[WorkingInterval | str], where: str
) -> tuple[WorkingInterval, ...]:
    """Read one day's hours, sort them, refuse overlaps and join those that touch."""
    if isinstance(value, str):
        items: list[WorkingInterval | str] = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, Iterable):
        items = list(value)
    else:
        msg = f"hours for {where} must be text such as '09:00-12:00, 13:00-18:00', got {value!r}"
        raise InvalidWorkingHoursError(msg)
    parsed = sorted(
        (
            item if isinstance(item, WorkingInterval) else WorkingInterval.parse(item)
            for item in items
        ),
        key=lambda interval: interval.start_minute,
    )
    joined: list[WorkingInterval] = []
    for interval in parsed:
        if joined and interval.start_minute < joined[-1].end_minute:
            msg = (
                f"working hours {joined[-1]} and {interval} on {where} overlap; "
                "list each stretch of work once"
            )
            raise InvalidWorkingHoursError(msg)
        if joined and interval.start_minute == joined[-1].end_minute:
            joined[-1] = WorkingInterval(joined[-1].start, interval.end)
        else:
            joined.append(interval)
    return tuple(joined)


def _describe_hours(intervals: tuple[WorkingInterval, ...]) -> str:
    return ", ".join(str(interval) for interval in intervals)


# -- weekly hours ----------------------------------------------------------------------


def _week(
    value: Iterable[Iterable[WorkingInterval | str] | str],
) -> tuple[tuple[WorkingInterval, ...], ...]:
    days = list(value) if isinstance(value, Iterable) and not isinstance(value, str) else []
    if len(days) != len(WEEKDAYS):
        msg = (
            f"working hours need one entry per weekday, Monday first (7), got {value!r}; "
            "WorkingHours.weekly() builds them from names such as 'mon-fri'"
        )
        raise InvalidWorkingHoursError(msg)
    return tuple(_intervals(hours, WEEKDAYS[index]) for index, hours in enumerate(days))


def _weekday_index(name: str | int) -> int:
    if isinstance(name, int) and not isinstance(name, bool) and 0 <= name < len(WEEKDAYS):
        return name
    index = _WEEKDAY_NAMES.get(name.strip().lower()) if isinstance(name, str) else None
    if index is None:
        msg = f"unknown weekday {name!r}; use {', '.join(WEEKDAYS)} (or 0-6, Monday first)"
        raise InvalidScheduleError(msg)
    return index


def _weekdays(key: str | int) -> Iterator[int]:
    """The weekdays a key names: one day, or a range such as ``"mon-fri"`` (may wrap)."""
    if isinstance(key, str) and "-" in key:
        first, _, last = key.partition("-")
        start, stop = _weekday_index(first), _weekday_index(last)
        for offset in range((stop - start) % len(WEEKDAYS) + 1):
            yield (start + offset) % len(WEEKDAYS)
    else:
        yield _weekday_index(key)


@attrs.frozen(repr=False)
class WorkingHours:
    """When a resource works in an ordinary week: a tuple of intervals per weekday.

    Each day's intervals are sorted; intervals that touch are joined, and overlapping
    ones refused. A day without intervals is a day off. Build it with :meth:`weekly`.

    Attributes:
        days: Seven tuples of :class:`WorkingInterval`, Monday first.

    Raises:
        InvalidWorkingHoursError: There are not seven days, or a day's hours are invalid.

    Example:
        >>> from staycore.availability.schedule import WorkingHours
        >>> hours = WorkingHours.weekly({"mon-fri": "09:00-12:00, 12:00-13:00", "sun": ""})
        >>> hours.on(0), hours.on(6)
        ((WorkingInterval('09:00-13:00'),), ())
    """

    days: tuple[tuple[WorkingInterval, ...], ...] = attrs.field(converter=_week)

    @classmethod
    def weekly(
        cls, week: Mapping[str | int, str | Iterable[WorkingInterval | str]]
    ) -> WorkingHours:
        """Build weekly hours from weekday names (or ranges) and their hours.

        Args:
            week: Maps a weekday (``"mon"`` or ``"monday"``, an index 0-6 from Monday,
                or a range such as ``"mon-fri"`` or ``"fri-mon"``) to its hours: text
                such as ``"09:00-12:00, 13:00-18:00"`` or an iterable of intervals.
                Weekdays not named are days off.

        Raises:
            InvalidScheduleError: A weekday is unknown, or named twice.
            InvalidWorkingHoursError: Some hours are invalid.

        Example:
            >>> from staycore.availability.schedule import WorkingHours
            >>> WorkingHours.weekly({"fri-sun": "18:00-24:00"})
            WorkingHours.weekly({'fri': '18:00-24:00', 'sat': '18:00-24:00', 'sun': '18:00-24:00'})
            >>> WorkingHours.weekly({"mon-fri": "09:00-17:00", "fri": "09:00-13:00"})
            Traceback (most recent call last):
            ...
            staycore.availability.schedule.InvalidScheduleError: [availability.invalid_schedule] ...
        """
        if not isinstance(week, Mapping):
            msg = (
                "weekly hours map weekdays to hours, such as {'mon-fri': '09:00-17:00'}; "
                f"got {week!r}"
            )
            raise InvalidScheduleError(msg)
        days: list[str | Iterable[WorkingInterval | str]] = [()] * len(WEEKDAYS)
        named: dict[int, str | int] = {}
        for key, hours in week.items():
            for index in _weekdays(key):
                if index in named:
                    msg = (
                        f"{WEEKDAYS[index]} is named twice, by {named[index]!r} and {key!r}; "
                        "give each weekday its hours once"
                    )
                    raise InvalidScheduleError(msg)
                named[index] = key
                days[index] = hours
        return cls(days)

    def on(self, weekday: int) -> tuple[WorkingInterval, ...]:
        """The intervals of ``weekday`` (0 is Monday, as ``date.weekday()``).

        Example:
            >>> from datetime import date
            >>> from staycore.availability.schedule import WorkingHours
            >>> WorkingHours.weekly({"sun": "10:00-16:00"}).on(date(2026, 5, 3).weekday())
            (WorkingInterval('10:00-16:00'),)
        """
        return self.days[weekday]

    def __repr__(self) -> str:
        week = {WEEKDAYS[i]: _describe_hours(hours) for i, hours in enumerate(self.days) if hours}
        return f"WorkingHours.weekly({week!r})"


# -- exceptions ------------------------------------------------------------------------


def _plain_date(value: dt.date, what: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"{what} must be a calendar date such as date(2026, 5, 4), got {value!r}"
        raise InvalidDayRangeError(msg)
    return dt.date(value.year, value.month, value.day)


def _exception_day(value: dt.date) -> dt.date:
    try:
        return _plain_date(value, "an exception's day")
    except InvalidDayRangeError as error:
        raise InvalidScheduleError(error.message) from None


def _exception_hours(value: str | Iterable[WorkingInterval | str]) -> tuple[WorkingInterval, ...]:
    return _intervals(value, "an exception day")


@attrs.frozen(kw_only=True)
class ScheduleException:
    """One day that does not follow the weekly hours: closed, or open other hours.

    Attributes:
        day: The local date it applies to.
        hours: The hours worked that day instead of the weekly ones; none (the default)
            closes the day: a holiday, a sick day, training.
        note: Why, for the staff and for the message a refused booking gets.

    Raises:
        InvalidScheduleError: ``day`` is not a plain date.
        InvalidWorkingHoursError: ``hours`` are invalid.

    Example:
        >>> from datetime import date
        >>> from staycore.availability.schedule import ScheduleException
        >>> ScheduleException(day=date(2026, 12, 25), note="Christmas").closed
        True
        >>> eve = ScheduleException(day=date(2026, 12, 31), hours="10:00-14:00", note="NYE")
        >>> eve.hours, eve.closed
        ((WorkingInterval('10:00-14:00'),), False)
    """

    day: dt.date = attrs.field(converter=_exception_day)
    hours: tuple[WorkingInterval, ...] = attrs.field(default=(), converter=_exception_hours)
    note: str = ""

    @property
    def closed(self) -> bool:
        """Whether the resource does not work at all that day."""
        return not self.hours


# -- resources -------------------------------------------------------------------------


def _resource_id(value: ResourceId | str) -> ResourceId:
    if isinstance(value, ResourceId):
        return value
    try:
        return ResourceId(value)
    except InvalidIdentifierError as error:
        raise InvalidScheduleError(error.message) from None


def _zone_name(value: str) -> str:
    return timezone(value).name


def _whole(value: int, what: str, least: int, error: type[InvalidScheduleError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        msg = f"{what} must be a whole number of at least {least}, got {value!r}"
        raise error(msg)
    return value


def _slot_minutes(value: int) -> int:
    return _whole(value, "slot_minutes (the length of a slot)", 1, InvalidSlotLengthError)


def _buffer_minutes(value: int) -> int:
    return _whole(value, "buffer_minutes (the pause after each slot)", 0, InvalidSlotLengthError)


def _capacity(value: int) -> int:
    return _whole(
        value, "capacity (clients served at once; 1 for a masseur)", 1, InvalidSlotCapacityError
    )


def _exceptions(value: Iterable[ScheduleException]) -> tuple[ScheduleException, ...]:
    by_day: dict[dt.date, ScheduleException] = {}
    for exception in value:
        if not isinstance(exception, ScheduleException):
            msg = f"exceptions must be ScheduleException values, got {exception!r}"
            raise InvalidScheduleError(msg)
        if exception.day in by_day:
            msg = (
                f"two exceptions for {exception.day}; keep one per day "
                "(Resource.with_exception() replaces the day's exception)"
            )
            raise InvalidScheduleError(msg)
        by_day[exception.day] = exception
    return tuple(sorted(by_day.values(), key=lambda exception: exception.day))


@attrs.frozen(kw_only=True)
class Resource:
    """Something appointments are booked on, with its schedule.

    Attributes:
        id: The resource's identity.
        name: What staff and clients call it ("Mei (massage)", "Room 2", "Morning yoga").
        timezone: The IANA timezone its working hours are read in.
        hours: Its weekly working hours.
        slot_minutes: How long a slot lasts, in elapsed minutes; at least 1.
        buffer_minutes: The pause after each slot before the next one starts (clean-up,
            notes); 0 or more. The pause after a day's last slot may run past closing.
        capacity: How many clients it serves at once, in one slot: 1 for a therapist, 6
            for a class of six.
        exceptions: Days that do not follow the weekly hours, at most one per day; kept
            sorted by day.

    Raises:
        UnknownTimezoneError: ``timezone`` is not an IANA name.
        InvalidSlotLengthError: ``slot_minutes`` is below 1 or ``buffer_minutes`` below 0.
        InvalidSlotCapacityError: ``capacity`` is below 1.
        InvalidScheduleError: The name is empty, the id is not a resource id, or two
            exceptions share a day.

    Example:
        >>> from datetime import date
        >>> from staycore.availability.ids import ResourceId
        >>> from staycore.availability.schedule import Resource, WorkingHours
        >>> yoga = Resource(
        ...     id=ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8"),
        ...     name="Morning yoga",
        ...     timezone="Europe/Paris",
        ...     hours=WorkingHours.weekly({"mon-sat": "07:00-08:00"}),
        ...     slot_minutes=60,
        ...     capacity=6,
        ... )
        >>> [slot.start.isoformat() for slot in yoga.slots_on(date(2026, 5, 4))]
        ['2026-05-04T07:00:00+02:00']
    """

    id: ResourceId = attrs.field(converter=_resource_id)
    name: str = attrs.field()
    timezone: str = attrs.field(converter=_zone_name)
    hours: WorkingHours = attrs.field()
    slot_minutes: int = attrs.field(converter=_slot_minutes)
    buffer_minutes: int = attrs.field(default=0, converter=_buffer_minutes)
    capacity: int = attrs.field(default=1, converter=_capacity)
    exceptions: tuple[ScheduleException, ...] = attrs.field(default=(), converter=_exceptions)

    @name.validator
    def _check_name(self, _attribute: object, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            msg = f"a resource needs a name its staff recognise, got {value!r}"
            raise InvalidScheduleError(msg)

    @hours.validator
    def _check_hours(self, _attribute: object, value: object) -> None:
        if not isinstance(value, WorkingHours):
            msg = f"hours must be WorkingHours, e.g. WorkingHours.weekly(...), got {value!r}"
            raise InvalidWorkingHoursError(msg)

    @property
    def step_minutes(self) -> int:
        """Minutes from one slot's start to the next one's: slot length plus buffer.

        Example:
            Continuing the class example above:

            >>> yoga.step_minutes
            60
        """
        return self.slot_minutes + self.buffer_minutes

    def exception_on(self, day: dt.date) -> ScheduleException | None:
        """The exception for ``day``, if it has one.

        Example:
            >>> from datetime import date
            >>> yoga.exception_on(date(2026, 5, 4)) is None
            True
        """
        wanted = _plain_date(day, "day")
        for exception in self.exceptions:
            if exception.day == wanted:
                return exception
        return None

    def hours_on(self, day: dt.date) -> tuple[WorkingInterval, ...]:
        """The hours worked on ``day``: its exception's, else the weekday's.

        Example:
            >>> from datetime import date
            >>> from staycore.availability.schedule import ScheduleException
            >>> later = ScheduleException(day=date(2026, 5, 4), hours="09:00-10:00")
            >>> late = yoga.with_exception(later)
            >>> late.hours_on(date(2026, 5, 4)), late.hours_on(date(2026, 5, 5))
            ((WorkingInterval('09:00-10:00'),), (WorkingInterval('07:00-08:00'),))
        """
        exception = self.exception_on(day)
        if exception is not None:
            return exception.hours
        return self.hours.on(_plain_date(day, "day").weekday())

    def slots_on(self, day: dt.date) -> tuple[Slot, ...]:
        """Every slot the resource offers on ``day``, in order, shown in its timezone.

        Example:
            >>> from datetime import date
            >>> [str(slot.start.time()) for slot in yoga.slots_on(date(2026, 5, 10))]  # Sunday
            []
        """
        wanted = _plain_date(day, "day")
        zone = timezone(self.timezone)
        length = dt.timedelta(minutes=self.slot_minutes)
        step = dt.timedelta(minutes=self.step_minutes)
        slots: list[Slot] = []
        for interval in self.hours_on(wanted):
            opens, closes = interval.instants(wanted, zone)
            # Step in UTC, where every minute lasts a minute: slots keep their length and
            # never overlap, whatever the clocks do that day.
            start, last_end = opens.in_tz("UTC"), closes.in_tz("UTC")
            while start + length <= last_end:
                slots.append(Slot(start.in_tz(zone), (start + length).in_tz(zone)))
                start += step
        return tuple(slots)

    def slots_between(self, first_day: dt.date, last_day: dt.date) -> tuple[Slot, ...]:
        """Every slot offered from ``first_day`` to ``last_day``, both included, in order.

        Raises:
            InvalidDayRangeError: ``last_day`` is before ``first_day``.

        Example:
            >>> from datetime import date
            >>> len(yoga.slots_between(date(2026, 5, 4), date(2026, 5, 10)))  # Mon to Sun
            6
        """
        days = _day_range(first_day, last_day)
        return tuple(slot for day in days for slot in self.slots_on(day))

    def window(self, first_day: dt.date, last_day: dt.date | None = None) -> Slot:
        """The span of time from ``first_day`` to the end of ``last_day``, in its timezone.

        Use it to ask a store what is taken on those days.

        Raises:
            InvalidDayRangeError: ``last_day`` is before ``first_day``.

        Example:
            >>> from datetime import date
            >>> yoga.window(date(2026, 3, 29))  # Paris springs forward: a 23-hour day
            Slot('2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00')
        """
        days = _day_range(first_day, first_day if last_day is None else last_day)
        if days[-1] == dt.date.max:
            msg = f"the days must end before {dt.date.max}, the last date a calendar can show"
            raise InvalidDayRangeError(msg)
        return Slot(
            start_of_local_day(days[0], self.timezone),
            start_of_local_day(days[-1] + _ONE_DAY, self.timezone),
        )

    def with_exception(self, exception: ScheduleException) -> Resource:
        """The resource with ``exception``, replacing any other exception for its day.

        Example:
            >>> from datetime import date
            >>> from staycore.availability.schedule import ScheduleException
            >>> ill = yoga.with_exception(ScheduleException(day=date(2026, 5, 5), note="ill"))
            >>> ill.exception_on(date(2026, 5, 5)).note, ill.slots_on(date(2026, 5, 5))
            ('ill', ())
        """
        kept = [other for other in self.exceptions if other.day != exception.day]
        return attrs.evolve(self, exceptions=(*kept, exception))

    def without_exception(self, day: dt.date) -> Resource:
        """The resource back on its weekly hours on ``day``.

        Example:
            >>> from datetime import date
            >>> len(ill.without_exception(date(2026, 5, 5)).slots_on(date(2026, 5, 5)))
            1
        """
        wanted = _plain_date(day, "day")
        return attrs.evolve(self, exceptions=[e for e in self.exceptions if e.day != wanted])


def _day_range(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    first, last = _plain_date(first_day, "first_day"), _plain_date(last_day, "last_day")
    if last < first:
        msg = f"the days run from {first} to {last}, backwards; pass the earlier day first"
        raise InvalidDayRangeError(msg)
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
