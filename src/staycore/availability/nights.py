"""Night selections: the nights a bulk update applies to.

Hosts set inventory and restrictions in bulk: "Fridays and Saturdays in July: 3 rooms",
"stop-sell over New Year". A :class:`NightSelection` is a range of nights (check-out
exclusive, like a stay) and, optionally, the weekdays within it.

Example:
    >>> import calendar
    >>> from datetime import date
    >>> from staycore.availability.nights import NightSelection
    >>> weekends = NightSelection.between(
    ...     date(2026, 7, 1), date(2026, 8, 1), weekdays={calendar.FRIDAY, calendar.SATURDAY}
    ... )
    >>> len(list(weekends)), min(weekends)
    (9, datetime.date(2026, 7, 3))
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator

import attrs

from staycore.availability.errors import AvailabilityError
from staycore.kernel.time import Stay

__all__ = ["InvalidSelectionError", "NightSelection"]

_WEEKDAY_NAMES = tuple(calendar.day_name)


class InvalidSelectionError(AvailabilityError):
    """A night selection names a weekday that does not exist, or selects no night."""

    code = "availability.invalid_selection"


def _to_weekdays(value: Iterable[int] | None) -> frozenset[int] | None:
    if value is None:
        return None
    days = frozenset(value)
    bad = [d for d in days if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6]
    if bad or not days:
        msg = (
            f"weekdays must be a non-empty set of numbers 0 (Monday) to 6 (Sunday), "
            f"such as {{calendar.FRIDAY, calendar.SATURDAY}}; got {value!r}"
        )
        raise InvalidSelectionError(msg)
    return days


@attrs.frozen
class NightSelection:
    """A range of nights, optionally only on some weekdays.

    Attributes:
        span: The range of nights; its check-out night is not included.
        weekdays: The weekdays selected (``calendar.MONDAY`` = 0 ... ``calendar.SUNDAY``
            = 6), or ``None`` for every night of the span.

    Raises:
        InvalidSelectionError: A weekday is out of range, or the span has none of them.
    """

    span: Stay
    weekdays: frozenset[int] | None = attrs.field(default=None, converter=_to_weekdays)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.span, Stay):
            msg = (
                "a selection spans a Stay, such as Stay.parse('2026-07-01/2026-08-01'); "
                f"got {self.span!r}"
            )
            raise InvalidSelectionError(msg)
        if self.weekdays is not None and not any(True for _ in self):
            names = ", ".join(_WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
            msg = f"{self.span} has no {names}: the selection would change nothing"
            raise InvalidSelectionError(msg)

    @classmethod
    def between(
        cls, first: dt.date, end: dt.date, *, weekdays: Iterable[int] | None = None
    ) -> NightSelection:
        """Select the nights from ``first`` up to, not including, ``end``.

        Example:
            >>> from datetime import date
            >>> from staycore.availability.nights import NightSelection
            >>> len(list(NightSelection.between(date(2026, 12, 24), date(2027, 1, 2))))
            9
        """
        return cls(Stay(first, end), weekdays)

    @classmethod
    def of(cls, nights: Stay) -> NightSelection:
        """Select every night of ``nights``.

        Example:
            >>> from staycore.availability.nights import NightSelection
            >>> from staycore.kernel.time import Stay
            >>> NightSelection.of(Stay.parse("2026-05-01/2026-05-03")).weekdays is None
            True
        """
        return cls(nights)

    def __iter__(self) -> Iterator[dt.date]:
        if self.weekdays is None:
            yield from self.span
            return
        for night in self.span:
            if night.weekday() in self.weekdays:
                yield night

    def __str__(self) -> str:
        if self.weekdays is None:
            return str(self.span)
        names = ",".join(_WEEKDAY_NAMES[d][:3] for d in sorted(self.weekdays))
        return f"{self.span} ({names})"
