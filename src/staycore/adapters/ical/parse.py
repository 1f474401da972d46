"""Reading a channel's iCalendar feed (RFC 5545) into the nights of its bookings.

Booking channels write each booking as a VEVENT with a date-only DTSTART (the arrival)
and an exclusive DTEND (the departure: the night of DTEND is not booked), which is how
staycore counts a stay, so a feed's dates become a :class:`~staycore.kernel.time.Stay`
as they are. Reading DTEND as the last night, a common mistake, blocks one night too
many after every booking.

What :func:`parse_feed` accepts, and how it reads it:

* DTSTART with VALUE=DATE, and DTEND, or DURATION in whole days and weeks, or neither
  (RFC 5545: a date-only event without an end lasts one day, so one night).
* DTSTART and DTEND as date-times, as a few feeds write them: the nights are the local
  dates from the start up to (not including) the date of the end, read in the
  property's timezone ``tz`` if given, else in the event's own zone (floating times by
  their wall clock). An event that starts and ends on the same date takes that night:
  something is booked there, and dropping it would sell it.
* Events with STATUS:CANCELLED are skipped: the booking is gone, so its block goes too.

Anything else is refused with :class:`~staycore.availability.external.MalformedFeedError`
(code ``availability.malformed_feed``), naming the event by its position and UID. The
whole feed is refused, never imported in part: the events left out would release their
blocks and the nights would be sold twice.

Example:
    >>> from staycore.adapters.ical import parse_feed
    >>> feed = '''BEGIN:VCALENDAR
    ... VERSION:2.0
    ... PRODID:-//Airbnb Inc//Hosting Calendar 0.8.8//EN
    ... BEGIN:VEVENT
    ... UID:1418fb94e984-6a0b@airbnb.com
    ... SUMMARY:Reserved
    ... DTSTART;VALUE=DATE:20260712
    ... DTEND;VALUE=DATE:20260715
    ... END:VEVENT
    ... END:VCALENDAR
    ... '''
    >>> [(event.uid, str(event.nights), event.nights.nights) for event in parse_feed(feed)]
    [('1418fb94e984-6a0b@airbnb.com', '2026-07-12/2026-07-15', 3)]
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from icalendar import Calendar, Event
from icalendar.error import InvalidCalendar

from staycore.availability.external import ExternalBooking, MalformedFeedError
from staycore.kernel.errors import StaycoreError
from staycore.kernel.time import Stay, Timezone, local_date, timezone

__all__ = ["parse_feed"]

_ONE_DAY: Final = dt.timedelta(days=1)


def parse_feed(
    text: str | bytes, *, tz: str | Timezone | None = None
) -> tuple[ExternalBooking, ...]:
    """Read the bookings of an iCalendar feed, in the order the feed lists them.

    Args:
        text: The feed as downloaded (bytes are read as UTF-8). Never a file name: the
            text is parsed as it is.
        tz: The property's IANA timezone, to read date-time events by its local dates.

    Returns:
        One :class:`~staycore.availability.external.ExternalBooking` per event that is
        not cancelled. Duplicate UIDs are returned as they are; planning the import
        (:func:`~staycore.availability.external.plan_import`) decides about them.

    Raises:
        MalformedFeedError: The text is not one VCALENDAR, or an event has no UID or
            DTSTART, ends before it starts, repeats (RRULE), or has unreadable dates.
        UnknownTimezoneError: ``tz`` is not an IANA timezone.

    Example:
        >>> from staycore.adapters.ical import parse_feed
        >>> parse_feed("<html><body>Please log in</body></html>")
        Traceback (most recent call last):
        ...
        staycore.availability.external.MalformedFeedError: [availability.malformed_feed] ...
    """
    zone = None if tz is None else timezone(tz)
    calendar = _calendar(text)
    bookings = []
    for index, event in enumerate(calendar.events, start=1):
        if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
            continue
        where = _where(index, event)
        try:
            bookings.append(
                ExternalBooking(_uid(event, where), _nights(event, where, zone), _summary(event))
            )
        except MalformedFeedError:
            raise
        except (StaycoreError, InvalidCalendar, ValueError, OverflowError) as error:
            message = getattr(error, "message", str(error))
            msg = f"{where} has dates that cannot be read: {message}"
            raise MalformedFeedError(msg) from None
    return tuple(bookings)


def _calendar(text: str | bytes) -> Calendar:
    if isinstance(text, str):
        # Bytes, because icalendar reads a str without line breaks as a file name.
        data = text.encode("utf-8")
    elif isinstance(text, bytes):
        data = text
    else:
        msg = f"a feed is the text of an iCalendar file (str or bytes), got {type(text).__name__}"
        raise MalformedFeedError(msg)
    # A byte-order mark is not part of the first line, whatever some servers send.
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        msg = (
            f"the feed is not an iCalendar file ({_short(str(error))}); check that the URL "
            "serves the calendar itself (text/calendar), not a login or error page"
        )
        raise MalformedFeedError(msg) from None
    # from_ical returns whatever single component the text holds, a lone VEVENT too.
    if not isinstance(calendar, Calendar):
        msg = (
            f"the feed must be one VCALENDAR, but it is a {calendar.name}; "
            "check that the URL serves the whole calendar"
        )
        raise MalformedFeedError(msg)
    return calendar


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(index: int, event: Event) -> str:
    uid = str(event.get("UID", "")).strip()
    return f"event {index} (UID {uid!r})" if uid else f"event {index}"


def _uid(event: Event, where: str) -> str:
    uid = str(event.get("UID", "")).strip()
    if not uid:
        msg = (
            f"{where} has no UID; without one its block cannot be found again when the "
            "feed changes, so ask the channel for a feed with UIDs"
        )
        raise MalformedFeedError(msg)
    return uid


def _summary(event: Event) -> str:
    return str(event.get("SUMMARY", "")).strip()


def _nights(event: Event, where: str, zone: Timezone | None) -> Stay:
    broken = [f"{name} ({problem})" for name, problem in event.errors]
    if broken:
        msg = f"{where} has unreadable properties: {', '.join(broken)}"
        raise MalformedFeedError(msg)
    if "RRULE" in event or "RDATE" in event:
        msg = (
            f"{where} repeats (RRULE or RDATE); a booking is one stay, so ask the channel "
            "for a feed with one event per booking"
        )
        raise MalformedFeedError(msg)
    # icalendar does not type these properties; narrow them here, once.
    start: object = event.DTSTART
    end: object = event.DTEND
    duration: object = event.DURATION
    if not isinstance(start, dt.date):
        msg = f"{where} has no DTSTART, so its nights are unknown"
        raise MalformedFeedError(msg)
    if not isinstance(end, dt.date | None) or not isinstance(duration, dt.timedelta | None):
        msg = f"{where} has a DTEND or DURATION that is not a date, date-time or duration"
        raise MalformedFeedError(msg)
    if end is not None and duration is not None:
        msg = f"{where} has both DTEND and DURATION; RFC 5545 allows one of them"
        raise MalformedFeedError(msg)
    if isinstance(start, dt.datetime):
        return _nights_of_times(start, end, duration, where, zone)
    if isinstance(end, dt.datetime):
        msg = f"{where} mixes a date-only DTSTART with a date-time DTEND; use one kind"
        raise MalformedFeedError(msg)
    if duration is not None:
        if duration % _ONE_DAY or duration < dt.timedelta(0):
            msg = (
                f"{where} has a date-only DTSTART, so its DURATION must be a whole number "
                f"of days or weeks, not negative; got {duration}"
            )
            raise MalformedFeedError(msg)
        end = start + duration
    # RFC 5545, 3.6.1: a date-only DTSTART without DTEND or DURATION is a one-day event.
    return _stay(start, end if end is not None else start + _ONE_DAY, where)


def _nights_of_times(
    start: dt.datetime,
    end: dt.date | None,
    duration: dt.timedelta | None,
    where: str,
    zone: Timezone | None,
) -> Stay:
    if end is not None and not isinstance(end, dt.datetime):
        msg = f"{where} mixes a date-time DTSTART with a date-only DTEND; use one kind"
        raise MalformedFeedError(msg)
    finish = end if end is not None else start + (duration or dt.timedelta(0))
    if finish < start:
        msg = f"{where} ends ({finish.isoformat()}) before it starts ({start.isoformat()})"
        raise MalformedFeedError(msg)
    first, departure = _local(start, zone), _local(finish, zone)
    # Same-day events (a viewing, a cleaning slot) still take that night: see the module.
    return Stay(first, max(departure, first + _ONE_DAY))


def _local(value: dt.datetime, zone: Timezone | None) -> dt.date:
    if value.tzinfo is None or zone is None:
        # Floating times are wall-clock times wherever the property is; aware ones
        # without a property zone are read in their own zone.
        return value.date()
    return local_date(value, zone)


def _stay(start: dt.date, end: dt.date, where: str) -> Stay:
    if end < start:
        msg = f"{where} ends ({end}) before it starts ({start}); DTEND is the departure date"
        raise MalformedFeedError(msg)
    # DTEND equal to DTSTART breaks RFC 5545, but some feeds write one-day events so.
    return Stay(start, max(end, start + _ONE_DAY))
