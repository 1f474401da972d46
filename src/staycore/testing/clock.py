"""A clock that stands still until the test moves it.

Domain code never reads the system clock: it is handed a
:class:`~staycore.kernel.time.Clock`. In tests that clock is a :class:`FrozenClock`, so
"the hold expires after 15 minutes" is checked by moving time, not by sleeping.

Example:
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-01T09:00:00Z")
    >>> clock.advance(minutes=15).isoformat()
    '2026-05-01T09:15:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import threading

import pendulum

from staycore.kernel.errors import InvalidInstantError, NaiveDatetimeError
from staycore.kernel.time import as_instant

__all__ = ["FrozenClock"]


def _to_instant(value: dt.datetime | str) -> pendulum.DateTime:
    """Read an aware datetime, or ISO 8601 text with an offset, as a pendulum instant."""
    if not isinstance(value, str):
        return as_instant(value, what="frozen clock time")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        msg = (
            f"cannot read an instant from {value!r}; write ISO 8601 with an offset, "
            "e.g. '2026-05-01T09:00:00Z' or '2026-05-01T17:00:00+08:00'"
        )
        raise InvalidInstantError(msg) from None
    if parsed.tzinfo is None:
        msg = (
            f"{value!r} has no offset, so it names no single instant; "
            "add one, e.g. '2026-05-01T09:00:00Z' or '2026-05-01T17:00:00+08:00'"
        )
        raise NaiveDatetimeError(msg)
    return as_instant(parsed, what="frozen clock time")


class FrozenClock:
    """A :class:`~staycore.kernel.time.Clock` that shows the same instant until moved.

    The instant keeps the timezone it was given in, so a clock frozen at
    ``"...+08:00"`` reads like a wall clock in Taipei. Safe to share between threads.

    Args:
        start: The instant to show: an aware datetime, or ISO 8601 text with an offset
            such as ``"2026-05-01T09:00:00Z"``.

    Raises:
        InvalidInstantError: ``start`` is not readable as an instant
            (:class:`~staycore.kernel.errors.NaiveDatetimeError` when it has no timezone).

    Example:
        >>> from staycore.testing.clock import FrozenClock
        >>> clock = FrozenClock("2026-05-01T17:00:00+08:00")
        >>> clock.now().isoformat()
        '2026-05-01T17:00:00+08:00'
        >>> FrozenClock("2026-05-01T09:00:00")
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.NaiveDatetimeError: [time.naive_datetime] ...
    """

    def __init__(self, start: dt.datetime | str) -> None:
        self._instant = _to_instant(start)
        self._lock = threading.Lock()

    def now(self) -> pendulum.DateTime:
        """Return the instant the clock shows.

        Example:
            >>> from staycore.testing.clock import FrozenClock
            >>> clock = FrozenClock("2026-05-01T09:00:00Z")
            >>> clock.now() == clock.now()
            True
        """
        with self._lock:
            return self._instant

    def set(self, instant: dt.datetime | str) -> None:
        """Show ``instant`` from now on; it may be earlier than the current one.

        Args:
            instant: An aware datetime, or ISO 8601 text with an offset.

        Raises:
            InvalidInstantError: ``instant`` has no timezone or is not readable.

        Example:
            >>> from staycore.testing.clock import FrozenClock
            >>> clock = FrozenClock("2026-05-01T09:00:00Z")
            >>> clock.set("2026-12-31T23:59:59Z")
            >>> clock.now().year
            2026
        """
        moved = _to_instant(instant)
        with self._lock:
            self._instant = moved

    def advance(self, delta: dt.timedelta | None = None, **units: float) -> pendulum.DateTime:
        """Move the clock on by elapsed time, and return the new instant.

        Elapsed, not wall-clock: ``advance(days=1)`` adds 24 hours even across a
        daylight-saving change. A negative amount moves the clock back.

        Args:
            delta: How far to move.
            **units: Or as :class:`datetime.timedelta` keywords (``days``, ``hours``,
                ``minutes``, ``seconds``...), added to ``delta``.

        Example:
            >>> from staycore.testing.clock import FrozenClock
            >>> clock = FrozenClock("2026-03-28T12:00:00+01:00")
            >>> clock.set(clock.now().in_tz("Europe/Paris"))
            >>> clock.advance(days=1).isoformat()  # Paris moved to summer time overnight
            '2026-03-29T13:00:00+02:00'
        """
        step = (delta or dt.timedelta()) + dt.timedelta(**units)
        with self._lock:
            current = self._instant
            # Add in UTC, where every hour lasts an hour, then show it in the clock's zone.
            moved = (current.in_tz("UTC") + step).astimezone(current.tzinfo)
            self._instant = moved
            return moved

    def __repr__(self) -> str:
        return f"FrozenClock({self.now().isoformat()!r})"
