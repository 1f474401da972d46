"""The iCalendar adapter: channel feeds in, our own feed out (the ``ical`` extra).

Airbnb, Booking.com, Vrbo and channel managers share a listing's bookings as iCalendar
feeds (RFC 5545). This package reads and writes their text with the
`icalendar <https://icalendar.readthedocs.io>`_ package; what the events mean for
inventory is decided in the domain, by
:func:`~staycore.availability.external.plan_import` and
:func:`~staycore.availability.external.export_entries`, which need no iCalendar library.

* :func:`parse_feed`: a feed's text to :class:`~staycore.availability.external.ExternalBooking`
  values, refusing malformed feeds as a whole.
* :func:`export_feed`: booked and blocked nights to a feed's text, deterministically.

Example:
    >>> import pendulum
    >>> from staycore.adapters.ical import export_feed, parse_feed
    >>> from staycore.kernel.time import Stay
    >>> text = export_feed(
    ...     "Loft", [("blk_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7@villa.example",
    ...              Stay.parse("2026-12-30/2027-01-02"), "Not available")],
    ...     stamped_at=pendulum.datetime(2026, 12, 1, tz="UTC"),
    ... )
    >>> [str(event.nights) for event in parse_feed(text)]
    ['2026-12-30/2027-01-02']
"""

try:
    import icalendar  # noqa: F401 - imported first only to say what is missing
except ImportError as missing:  # pragma: no cover - the dev environment has the extra
    msg = "staycore.adapters.ical needs the icalendar package: pip install 'staycore[ical]'"
    raise ImportError(msg) from missing

from staycore.adapters.ical.export import export_feed
from staycore.adapters.ical.parse import parse_feed

__all__ = ["export_feed", "parse_feed"]
