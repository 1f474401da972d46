"""Nightly inventory: what a unit type has, has sold, holds and has blocked, night by night.

An :class:`InventoryCalendar` covers one unit type over a horizon of nights and keeps,
for each night, five counts: the capacity (rooms that exist), an overbooking allowance
(rooms the property deliberately sells beyond capacity), and the rooms sold, held for
unpaid orders, and blocked (maintenance, owner use, bookings made elsewhere). From them:

    available = capacity + allowance - sold - held - blocked, never below zero.

The counts live in arrays indexed by night offset, so a stay is a slice, not a walk
through a dictionary of dates. The calendar is a pure data structure: stores keep it,
and make taking inventory atomic (see :mod:`staycore.ports.inventory`).

Example:
    >>> from datetime import date
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.availability.inventory import Count, InventoryCalendar
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.kernel.time import Stay
    >>> deluxe = InventoryCalendar(
    ...     UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), Stay.parse("2026-07-01/2026-09-01")
    ... )
    >>> deluxe.set_capacity(NightSelection.of(deluxe.horizon), 3)
    >>> stay = Stay.parse("2026-07-10/2026-07-12")
    >>> deluxe.take(stay, 2, Count.HELD)
    >>> [deluxe.available(night) for night in stay]
    [1, 1]
    >>> [(str(s.night), s.wanted, s.available) for s in deluxe.shortfalls(stay, 2)]
    [('2026-07-10', 2, 1), ('2026-07-11', 2, 1)]
"""

from __future__ import annotations

import datetime as dt
import enum
from array import array
from collections.abc import Iterable
from typing import Final

import attrs

from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.kernel.errors import InvalidStayError
from staycore.kernel.time import Stay

__all__ = [
    "MAX_ROOMS",
    "Count",
    "InvalidCapacityError",
    "InventoryCalendar",
    "NightCounts",
    "NightOutsideCalendarError",
    "NotAvailableError",
    "Shortfall",
]


class InvalidCapacityError(AvailabilityError):
    """A capacity, allowance or room count is negative, or not a whole number."""

    code = "availability.invalid_capacity"


class NightOutsideCalendarError(AvailabilityError):
    """A night lies outside the calendar's horizon: open the calendar further first."""

    code = "availability.outside_calendar"


class NotAvailableError(AvailabilityError):
    """Not enough rooms are left on some nights of a stay.

    Attributes:
        shortfalls: Every night that lacks rooms, with what was wanted and what is left.
    """

    code = "availability.not_available"

    def __init__(self, unit_type: UnitTypeId, shortfalls: tuple[Shortfall, ...]) -> None:
        nights = ", ".join(f"{s.night} ({s.available} of {s.wanted})" for s in shortfalls)
        super().__init__(
            f"{unit_type} has too few rooms left on {nights}; nothing was taken. "
            "Offer other dates or another unit type"
        )
        self.unit_type = unit_type
        self.shortfalls = shortfalls


class Count(enum.Enum):
    """The counts that take rooms away from availability."""

    SOLD = "sold"
    HELD = "held"
    BLOCKED = "blocked"


@attrs.frozen
class NightCounts:
    """The counts of one night.

    Attributes:
        night: The night.
        capacity: Rooms that exist.
        allowance: Rooms the property sells beyond capacity (overbooking).
        sold: Rooms sold to confirmed orders.
        held: Rooms held for unpaid orders.
        blocked: Rooms out of sale.
    """

    night: dt.date
    capacity: int
    allowance: int
    sold: int
    held: int
    blocked: int

    @property
    def available(self) -> int:
        """Rooms that can still be sold that night; never below zero."""
        return max(0, self.capacity + self.allowance - self.sold - self.held - self.blocked)


@attrs.frozen
class Shortfall:
    """A night that cannot give a stay the rooms it wants."""

    night: dt.date
    wanted: int
    available: int


MAX_ROOMS: Final = 1_000_000
"""The most rooms a count, a hold or a block may give one night (the counts are 32-bit)."""


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ROOMS:
        msg = (
            f"{what} must be a whole number of rooms, zero or more, at most {MAX_ROOMS:,}; "
            f"got {value!r}"
        )
        raise InvalidCapacityError(msg)
    return value


class InventoryCalendar:
    """The nightly counts of one unit type over a horizon of nights.

    Args:
        unit_type: The unit type counted.
        horizon: The nights covered (check-out exclusive); every count starts at zero.
    """

    __slots__ = ("_counts", "horizon", "unit_type")

    def __init__(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        if not isinstance(horizon, Stay):
            msg = f"a calendar covers a Stay of nights, got {horizon!r}"
            raise InvalidStayError(msg)
        self.unit_type = unit_type
        self.horizon = horizon
        size = horizon.nights
        # One array per count; "i" holds any room count a property can have.
        self._counts: dict[str, array[int]] = {
            name: array("i", bytes(4 * size))
            for name in ("capacity", "allowance", *(c.value for c in Count))
        }

    # -- reading ---------------------------------------------------------------------

    def counts(self, night: dt.date) -> NightCounts:
        """Return the counts of ``night``.

        Raises:
            NightOutsideCalendarError: ``night`` is outside the horizon.
        """
        i = self._offset(night)
        c = self._counts
        return NightCounts(
            night,
            c["capacity"][i],
            c["allowance"][i],
            c["sold"][i],
            c["held"][i],
            c["blocked"][i],
        )

    def available(self, night: dt.date) -> int:
        """Rooms still available on ``night``; never below zero."""
        self._offset(night)  # refuses a night outside the horizon
        (left,) = self.availability(Stay.of_nights(night, 1))
        return left

    def availability(self, nights: Stay) -> list[int]:
        """Rooms available on each night of ``nights``, in order.

        Raises:
            NightOutsideCalendarError: ``nights`` reaches outside the horizon.

        Example:
            Continuing the module example above:

            >>> deluxe.availability(Stay.parse("2026-07-09/2026-07-12"))
            [3, 1, 1]
        """
        first = self._span(nights)
        end, c = first + nights.nights, self._counts
        return [
            max(0, capacity + allowance - sold - held - blocked)
            for capacity, allowance, sold, held, blocked in zip(
                *(
                    c[name][first:end]
                    for name in ("capacity", "allowance", "sold", "held", "blocked")
                ),
                strict=True,
            )
        ]

    def shortfalls(
        self,
        stay: Stay,
        rooms: int,
        *,
        giving_back: Iterable[tuple[Stay, int, Count]] = (),
    ) -> tuple[Shortfall, ...]:
        """Every night of ``stay`` with fewer than ``rooms`` available; empty if it fits.

        Args:
            stay: The nights wanted.
            rooms: The rooms wanted each night.
            giving_back: Rooms to judge the stay without, as ``(nights, rooms, count)``:
                the live hold a replacement releases (its nights, rooms, and
                :attr:`Count.HELD` or :attr:`Count.SOLD`). The stay is judged exactly
                as if :meth:`give_back` had been called with each first; nothing
                changes.

        Raises:
            NightOutsideCalendarError: The stay reaches outside the horizon.
            InvalidCapacityError: ``rooms`` is below 1, or a count holds fewer rooms
                than ``giving_back`` gives back from it.

        Example:
            Rooms given back are added to what a night has *before* it is clamped at
            zero. Continuing the module example above (3 rooms, 2 held on 10 and 11
            July): a pipe bursts and two rooms are out of order on 10 July, the free
            one and one of the held ones. The night owes a room (3 - 2 - 2 = -1; it
            shows 0 available). The guest holding two rooms asks to keep one: with
            their two given back, 3 - 0 - 2 = 1 room is left, so one fits, two do not:

            >>> night = Stay.parse("2026-07-10/2026-07-11")
            >>> deluxe.take(night, 2, Count.BLOCKED)
            >>> deluxe.available(night.check_in)
            0
            >>> theirs = [(stay, 2, Count.HELD)]
            >>> deluxe.shortfalls(night, 1, giving_back=theirs)
            ()
            >>> [(s.wanted, s.available) for s in deluxe.shortfalls(night, 2, giving_back=theirs)]
            [(2, 1)]
            >>> deluxe.give_back(night, 2, Count.BLOCKED)  # repaired
        """
        wanted = _count(rooms, "rooms wanted")
        if wanted < 1:
            msg = "a stay takes at least 1 room"
            raise InvalidCapacityError(msg)
        judged = self._without(stay, giving_back)
        return tuple(
            Shortfall(night, wanted, left)
            for night, left in zip(stay, judged.availability(stay), strict=True)
            if left < wanted
        )

    def grown_to(self, horizon: Stay) -> InventoryCalendar:
        """Return a calendar over this horizon and ``horizon`` together, counts kept.

        Example:
            Continuing the module example above:

            >>> longer = deluxe.grown_to(Stay.parse("2026-08-15/2026-12-31"))
            >>> str(longer.horizon), longer.available(date(2026, 7, 10))
            ('2026-07-01/2026-12-31', 1)
        """
        return self.window(
            Stay(
                min(self.horizon.check_in, horizon.check_in),
                max(self.horizon.check_out, horizon.check_out),
            )
        )

    def window(self, nights: Stay) -> InventoryCalendar:
        """An independent copy of the counts over ``nights``; nights outside start at zero.

        Stores hand out windows as snapshots, so a reader can never change the store.

        Example:
            Continuing the module example above:

            >>> snapshot = deluxe.window(Stay.parse("2026-06-30/2026-07-11"))
            >>> snapshot.availability(Stay.parse("2026-06-30/2026-07-11"))[0::10]
            [0, 1]
        """
        copy = InventoryCalendar(self.unit_type, nights)
        copy.paste(self)
        return copy

    def paste(self, other: InventoryCalendar) -> None:
        """Overwrite the counts of the nights ``other`` covers with its counts.

        Nights of ``other`` outside this horizon are ignored. A search index keeps its
        copy of a store's calendar up to date this way, night range by night range.

        Raises:
            InvalidCapacityError: ``other`` counts another unit type.

        Example:
            Continuing the module example above:

            >>> fresh = InventoryCalendar(deluxe.unit_type, Stay.parse("2026-07-10/2026-07-11"))
            >>> snapshot.paste(fresh)  # the store says: nothing on 10 July any more
            >>> snapshot.availability(Stay.parse("2026-07-09/2026-07-11"))
            [3, 0]
        """
        if other.unit_type != self.unit_type:
            msg = f"cannot paste counts of {other.unit_type} into the calendar of {self.unit_type}"
            raise InvalidCapacityError(msg)
        overlap = other.horizon.overlap(self.horizon)
        if overlap is None:
            return
        target = (overlap.check_in - self.horizon.check_in).days
        source = (overlap.check_in - other.horizon.check_in).days
        for name, values in self._counts.items():
            values[target : target + overlap.nights] = other._counts[name][
                source : source + overlap.nights
            ]

    # -- changing --------------------------------------------------------------------

    def set_capacity(self, nights: NightSelection, capacity: int) -> None:
        """Set the rooms that exist on the selected nights.

        A capacity below what is already sold leaves the calendar overbooked: nothing
        more can be sold, and the sales stand.

        Raises:
            InvalidCapacityError: ``capacity`` is negative.
            NightOutsideCalendarError: A selected night is outside the horizon.
        """
        self._set("capacity", nights, _count(capacity, "capacity"))

    def set_allowance(self, nights: NightSelection, allowance: int) -> None:
        """Set how many rooms may be sold beyond capacity on the selected nights.

        Raises:
            InvalidCapacityError: ``allowance`` is negative.
            NightOutsideCalendarError: A selected night is outside the horizon.
        """
        self._set("allowance", nights, _count(allowance, "allowance"))

    def take(self, stay: Stay, rooms: int, count: Count) -> None:
        """Add ``rooms`` to ``count`` on every night of ``stay``, whatever is available.

        Check :meth:`shortfalls` first to sell only what is left; blocks are taken even
        when nothing is left, because the rooms are gone in any case.

        Raises:
            NightOutsideCalendarError: The stay reaches outside the horizon.
        """
        self._add(count.value, stay, _count(rooms, "rooms"))

    def give_back(self, stay: Stay, rooms: int, count: Count) -> None:
        """Remove ``rooms`` from ``count`` on every night of ``stay``.

        Raises:
            InvalidCapacityError: ``count`` holds fewer rooms than that on some night;
                nothing is changed then.
        """
        taken = _count(rooms, "rooms")
        values, first = self._counts[count.value], self._span(stay)
        short = [i for i in range(first, first + stay.nights) if values[i] < taken]
        if short:
            night = self.horizon.check_in + dt.timedelta(days=short[0])
            msg = (
                f"cannot give back {taken} {count.value} rooms on {night}: only {values[short[0]]}"
            )
            raise InvalidCapacityError(msg)
        self._add(count.value, stay, -taken)

    def move(self, stay: Stay, rooms: int, source: Count, target: Count) -> None:
        """Move ``rooms`` from one count to another, e.g. held to sold on payment."""
        self.give_back(stay, rooms, source)
        self.take(stay, rooms, target)

    # -- internals -------------------------------------------------------------------

    def _offset(self, night: dt.date) -> int:
        if night not in self.horizon:
            msg = (
                f"{night} is outside the calendar of {self.unit_type} ({self.horizon}); "
                "open the calendar over that night first"
            )
            raise NightOutsideCalendarError(msg)
        return (night - self.horizon.check_in).days

    def _span(self, stay: Stay) -> int:
        """Return the offset of the stay's first night, checking all of it is covered."""
        self._offset(stay.check_in)
        self._offset(stay.last_night)
        return (stay.check_in - self.horizon.check_in).days

    def _without(
        self, stay: Stay, giving_back: Iterable[tuple[Stay, int, Count]]
    ) -> InventoryCalendar:
        """The counts of ``stay`` with ``giving_back`` given back: this calendar, or a copy.

        This is where a replacement is decided, for every store: a hold's rooms are
        given back to the *counts*, and only then is the night's availability clamped
        at zero. A night can owe rooms: blocks are taken even when nothing is left, and
        capacity can be cut below what is sold, and the sales and holds then stand.
        The rooms a replaced hold frees first pay that debt (``capacity 2, held 1,
        blocked 2`` leaves ``2 - 0 - 2 = 0`` once the hold is given back, not
        ``max(0, -1) + 1 = 1``); a replacement is a new hold, and a night that owes
        rooms sells nothing more, to anyone. The SQL store reaches the same answer by
        releasing the old hold in its transaction and judging the request on the
        counts that leaves.
        """
        freed = tuple(giving_back)
        if not freed:
            return self
        self._span(stay)  # refuses a stay outside the horizon, before the copy hides it
        judged = self.window(stay)
        for nights, rooms, count in freed:
            overlap = nights.overlap(stay)
            if overlap is None:
                _count(rooms, "rooms")
                continue
            judged.give_back(overlap, rooms, count)  # refuses more than the count has
        return judged

    def _set(self, name: str, nights: NightSelection, value: int) -> None:
        offsets = self._offsets(nights)  # all checked before anything changes
        values = self._counts[name]
        for i in offsets:
            values[i] = value

    def _offsets(self, nights: Iterable[dt.date]) -> list[int]:
        return [self._offset(night) for night in nights]

    def _add(self, name: str, stay: Stay, delta: int) -> None:
        values, first = self._counts[name], self._span(stay)
        for i in range(first, first + stay.nights):
            values[i] += delta

    def __repr__(self) -> str:
        return f"InventoryCalendar({self.unit_type!r}, {self.horizon})"
