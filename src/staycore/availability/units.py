"""Units and the room rack: which physical room each booking occupies, night by night.

Most properties sell unit types ("Deluxe double: 3 rooms") and count them in an
:class:`~staycore.availability.inventory.InventoryCalendar`. Where a host assigns rooms
(room 101 to this guest, the sea-view apartment to that one), each :class:`Unit` also
gets its own nights, kept in a :class:`UnitRack` (hotels call it the room rack): for
every unit of one unit type and every night, who occupies it, a hold or a block, or
nobody.

The rack and the unit type's counts go together: an occupant of the rack is always
counted in the calendar too (a hold as held or sold, a block as blocked), so a unit
type never sells more rooms than it has, whether its rooms are assigned or not.
Assigning asks more than counting: a stay needs one unit free on *every* night, and
two half-free rooms (101 on Monday, 102 on Tuesday) do not make one. The rack reports
every unit and night in the way, so staff can move a guest or split the stay.

Example:
    >>> from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
    >>> from staycore.availability.units import Unit, UnitRack
    >>> from staycore.kernel.time import Stay
    >>> double = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> rack = UnitRack(double, Stay.parse("2026-07-01/2026-08-01"))
    >>> r101 = Unit(id=UnitId("unit_01JD3M7K2Q8ZP4V6W9X1Y3Z101"), unit_type=double, name="101")
    >>> r102 = Unit(id=UnitId("unit_01JD3M7K2Q8ZP4V6W9X1Y3Z102"), unit_type=double, name="102")
    >>> rack.add(r101)
    >>> rack.add(r102)
    >>> paint = BlockId("blk_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> rack.occupy([r101.id], Stay.parse("2026-07-11/2026-07-12"), paint)
    >>> [unit.name for unit in rack.free(Stay.parse("2026-07-10/2026-07-13"))]
    ['102']
    >>> rack.occupy([r101.id], Stay.parse("2026-07-10/2026-07-13"), HoldId.new())
    Traceback (most recent call last):
    ...
    staycore.availability.units.UnitTakenError: [availability.unit_taken] 101 is taken on ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import UnitId, UnitTypeId
from staycore.availability.inventory import NightOutsideCalendarError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay

__all__ = [
    "InvalidAssignmentError",
    "Unit",
    "UnitNotFoundError",
    "UnitRack",
    "UnitTakenError",
]


class UnitNotFoundError(AvailabilityError):
    """A unit was never added to its unit type's rack."""

    code = "availability.unit_not_found"


class InvalidAssignmentError(AvailabilityError):
    """An assignment names units of another unit type, too few or too many, or twice."""

    code = "availability.invalid_assignment"


class UnitTakenError(AvailabilityError):
    """Some of the units asked for are occupied on some nights.

    Attributes:
        taken: Every ``(unit, night, occupant)`` in the way, by unit then night.
    """

    code = "availability.unit_taken"

    def __init__(self, taken: tuple[tuple[Unit, dt.date, Identifier], ...]) -> None:
        by_unit: dict[str, list[str]] = {}
        for unit, night, occupant in taken:
            by_unit.setdefault(unit.name, []).append(f"{night} by {occupant}")
        where = "; ".join(f"{name} is taken on {', '.join(n)}" for name, n in by_unit.items())
        super().__init__(
            f"{where}; nothing was assigned. Choose a unit free on every night "
            "(free() lists them), or move the occupant first"
        )
        self.taken = taken


def _name(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"a unit needs a name its staff recognise, such as a room number; got {value!r}"
        raise InvalidAssignmentError(msg)
    return value


@attrs.frozen(kw_only=True)
class Unit:
    """One physical room, apartment or bed of a unit type.

    Attributes:
        id: The unit's identity.
        unit_type: The unit type it is sold as.
        name: What staff call it: "101", "Sea-view apartment".

    Raises:
        InvalidAssignmentError: The name is blank.
    """

    id: UnitId
    unit_type: UnitTypeId
    name: str = attrs.field(converter=_name)


class UnitRack:
    """The units of one unit type and who occupies each, night by night.

    A pure data structure like the inventory calendar: stores keep it, and make
    assigning atomic (see :mod:`staycore.ports.inventory`).

    Args:
        unit_type: The unit type whose units these are.
        horizon: The nights covered; the same as the unit type's calendar.
    """

    __slots__ = ("_nights", "_units", "_where", "horizon", "unit_type")

    def __init__(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        self.unit_type = unit_type
        self.horizon = horizon
        self._units: dict[UnitId, Unit] = {}
        # For each unit, the occupant of each night offset, or None.
        self._nights: dict[UnitId, list[Identifier | None]] = {}
        # For each occupant, its units and nights, so vacating needs no search.
        self._where: dict[Identifier, tuple[tuple[UnitId, ...], Stay]] = {}

    # -- reading ---------------------------------------------------------------------

    @property
    def units(self) -> tuple[Unit, ...]:
        """The units, in the order they were added."""
        return tuple(self._units.values())

    def unit(self, unit_id: UnitId) -> Unit:
        """Return the unit with ``unit_id``.

        Raises:
            UnitNotFoundError: It is not in this rack.
        """
        unit = self._units.get(unit_id) if isinstance(unit_id, str) else None
        if unit is None:
            msg = f"{unit_id!r} is not a unit of {self.unit_type}; add() it first"
            raise UnitNotFoundError(msg)
        return unit

    def free(self, nights: Stay) -> tuple[Unit, ...]:
        """The units nobody occupies on any night of ``nights``.

        Raises:
            NightOutsideCalendarError: ``nights`` reaches outside the horizon.
        """
        first, end = self._span(nights)
        return tuple(
            unit
            for unit_id, unit in self._units.items()
            if not any(self._nights[unit_id][first:end])
        )

    def occupant(self, unit_id: UnitId, night: dt.date) -> Identifier | None:
        """Who occupies the unit on ``night``: a hold id, a block id, or ``None``.

        Example:
            Continuing the module example above:

            >>> from datetime import date
            >>> rack.occupant(r101.id, date(2026, 7, 11)) == paint
            True
        """
        first, _ = self._span(Stay.of_nights(night, 1))
        return self._nights[self.unit(unit_id).id][first]

    def assigned(self, occupant: Identifier) -> tuple[UnitId, ...]:
        """The units ``occupant`` occupies; empty when none.

        Example:
            Continuing the module example above:

            >>> rack.assigned(paint) == (r101.id,)
            True
        """
        units, _ = self._where.get(occupant, ((), self.horizon))
        return units

    # -- changing --------------------------------------------------------------------

    def add(self, unit: Unit) -> None:
        """Add a unit, free on every night; adding the same unit again does nothing.

        Raises:
            InvalidAssignmentError: The unit is of another unit type, or its id is
                taken by a different unit.
        """
        if unit.unit_type != self.unit_type:
            msg = f"{unit.name} is a unit of {unit.unit_type}, not of {self.unit_type}"
            raise InvalidAssignmentError(msg)
        known = self._units.get(unit.id)
        if known is not None and known != unit:
            msg = f"{unit.id} is already the unit {known.name!r}; give a new unit a new id"
            raise InvalidAssignmentError(msg)
        if known is None:
            self._units[unit.id] = unit
            self._nights[unit.id] = [None] * self.horizon.nights

    def occupy(self, unit_ids: Sequence[UnitId], nights: Stay, occupant: Identifier) -> None:
        """Put ``occupant`` in each of ``unit_ids`` for ``nights``, or in none of them.

        An occupant is in one place at a time: occupying again moves it, and the units
        it leaves count as free while the new ones are checked.

        Raises:
            UnitNotFoundError: A unit is not in the rack.
            InvalidAssignmentError: No unit given, or one given twice.
            NightOutsideCalendarError: ``nights`` reaches outside the horizon.
            UnitTakenError: Another occupant is in a unit on some night; every one is
                listed. Nothing changes when any error is raised.
        """
        units = [self.unit(unit_id) for unit_id in unit_ids]
        if not units or len({unit.id for unit in units}) != len(units):
            msg = f"give each unit once, at least one; got {[unit.name for unit in units]}"
            raise InvalidAssignmentError(msg)
        first, end = self._span(nights)
        taken = tuple(
            (unit, self.horizon.check_in + dt.timedelta(days=i), other)
            for unit in units
            for i, other in enumerate(self._nights[unit.id][first:end], start=first)
            if other is not None and other != occupant
        )
        if taken:
            raise UnitTakenError(taken)
        self.vacate(occupant)
        for unit in units:
            self._nights[unit.id][first:end] = [occupant] * nights.nights
        self._where[occupant] = (tuple(unit.id for unit in units), nights)

    def vacate(self, occupant: Identifier) -> tuple[UnitId, ...]:
        """Free every night ``occupant`` occupies; return the units it left.

        Example:
            Continuing the module example above:

            >>> rack.vacate(paint) == (r101.id,)
            True
            >>> rack.vacate(paint)
            ()
        """
        units, nights = self._where.pop(occupant, ((), self.horizon))
        first, end = self._span(nights) if units else (0, 0)
        for unit_id in units:
            self._nights[unit_id][first:end] = [None] * (end - first)
        return units

    def window(self, nights: Stay) -> UnitRack:
        """An independent copy of the rack over ``nights``; nights outside it are free.

        Example:
            Continuing the module example above:

            >>> july = rack.window(Stay.parse("2026-06-25/2026-07-15"))
            >>> [unit.name for unit in july.free(Stay.parse("2026-06-25/2026-07-01"))]
            ['101', '102']
        """
        copy = UnitRack(self.unit_type, nights)
        for unit in self._units.values():
            copy.add(unit)
        for occupant, (units, held) in self._where.items():
            overlap = held.overlap(nights)
            if overlap is not None:
                copy.occupy(units, overlap, occupant)
        return copy

    def grown_to(self, horizon: Stay) -> UnitRack:
        """Return a rack over this horizon and ``horizon`` together, occupants kept.

        Example:
            Continuing the module example above:

            >>> str(rack.grown_to(Stay.parse("2026-08-01/2026-09-01")).horizon)
            '2026-07-01/2026-09-01'
        """
        hull = Stay(
            min(self.horizon.check_in, horizon.check_in),
            max(self.horizon.check_out, horizon.check_out),
        )
        return self.window(hull)

    # -- internals -------------------------------------------------------------------

    def _span(self, nights: Stay) -> tuple[int, int]:
        """Offsets of the first night and past the last, checking all are covered."""
        if nights.overlap(self.horizon) != nights:
            msg = (
                f"{nights} reaches outside the units' nights of {self.unit_type} "
                f"({self.horizon}); open the calendar over those nights first"
            )
            raise NightOutsideCalendarError(msg)
        first = (nights.check_in - self.horizon.check_in).days
        return first, first + nights.nights

    def __repr__(self) -> str:
        return f"UnitRack({self.unit_type!r}, {self.horizon}, {len(self._units)} units)"
