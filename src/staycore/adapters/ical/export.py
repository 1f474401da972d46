"""Writing a unit's booked and blocked nights as an iCalendar feed (RFC 5545).

Every event has a date-only DTSTART (the first night) and an exclusive date-only DTEND
(the departure), the form every channel reads the same way; date-times would put the
nights at the mercy of the reader's timezone. UIDs come from the entries (see
:func:`~staycore.availability.external.export_entries`, which derives them from hold and
block ids), so a booking keeps its UID and the reading channel moves its block rather
than adding one. DTSTAMP is an instant passed in: the same entries and instant always
give the same text, which lets a host serve the feed with an ETag.

Example:
    >>> import pendulum
    >>> from staycore.adapters.ical import export_feed
    >>> from staycore.kernel.time import Stay
    >>> text = export_feed(
    ...     "Garden Cabin",
    ...     [("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7@villa.example",
    ...       Stay.parse("2026-07-12/2026-07-15"), "Reserved")],
    ...     stamped_at=pendulum.datetime(2026, 5, 1, 9, tz="Asia/Taipei"),
    ... )
    >>> for line in text.splitlines():
    ...     print(line)
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//staycore//EN
    CALSCALE:GREGORIAN
    METHOD:PUBLISH
    X-WR-CALNAME:Garden Cabin
    BEGIN:VEVENT
    UID:hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7@villa.example
    DTSTAMP:20260501T010000Z
    DTSTART;VALUE=DATE:20260712
    DTEND;VALUE=DATE:20260715
    SUMMARY:Reserved
    TRANSP:OPAQUE
    END:VEVENT
    END:VCALENDAR
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event

from staycore.availability.external import ExportEntry
from staycore.kernel.time import Stay, as_instant

__all__ = ["export_feed"]


def _entry(value: ExportEntry | tuple[str, Stay, str]) -> ExportEntry:
    return value if isinstance(value, ExportEntry) else ExportEntry(*value)


def export_feed(
    unit_name: str,
    entries: Iterable[ExportEntry | tuple[str, Stay, str]],
    *,
    stamped_at: dt.datetime,
    prodid: str = "-//staycore//EN",
) -> str:
    """Write ``entries`` as a VCALENDAR text, one VEVENT each, in the order given.

    Args:
        unit_name: The calendar's display name (X-WR-CALNAME), such as the listing's.
        entries: :class:`~staycore.availability.external.ExportEntry` values, or
            ``(uid, nights, summary)`` tuples.
        stamped_at: The instant written as every event's DTSTAMP (in UTC), usually when
            the bookings were read; passed in so that the output is deterministic.
        prodid: The PRODID naming the software that wrote the feed.

    Returns:
        The feed, with CRLF line endings, ready to serve as ``text/calendar``.

    Raises:
        NaiveDatetimeError: ``stamped_at`` has no timezone.
        MalformedFeedError: An entry has a blank UID.

    Example:
        Continuing the module example above:

        >>> "DTEND;VALUE=DATE:20260715" in text
        True
    """
    stamp = as_instant(stamped_at, what="stamped_at").in_tz("UTC")
    # A plain datetime in UTC: icalendar writes it with a trailing Z, as RFC 5545 wants.
    stamp_utc = dt.datetime(
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second, tzinfo=dt.UTC
    )
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", prodid)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", unit_name)
    for value in entries:
        entry = _entry(value)
        event = Event()
        event.add("UID", entry.uid)
        event.add("DTSTAMP", stamp_utc)
        event.add("DTSTART", entry.nights.check_in)
        event.add("DTEND", entry.nights.check_out)
        event.add("SUMMARY", entry.summary)
        # Busy: readers that honour TRANSP treat transparent events as free time.
        event.add("TRANSP", "OPAQUE")
        calendar.add_component(event)
    # Properties in the order added, not sorted: the usual order, and as deterministic.
    written: bytes = calendar.to_ical(sorted=False)
    return written.decode("utf-8")
