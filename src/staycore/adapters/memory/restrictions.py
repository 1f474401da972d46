"""The memory adapter's restriction store.

One lock guards every calendar, so each change is atomic: its values are checked against
the nights as they are and written while no other thread can change them, and a
snapshot is copied while none can either. That is the memory adapter's whole concurrency
story; the SQL adapters get the same guarantee from the database, never from a lock in
the process.

Example:
    >>> import calendar
    >>> from datetime import date
    >>> from staycore.adapters.memory import MemoryRestrictionStore
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.restrictions import Restriction
    >>> from staycore.kernel.time import Stay
    >>> store, suite = MemoryRestrictionStore(), UnitTypeId.new()
    >>> july = Stay.parse("2026-07-01/2026-08-01")
    >>> store.open_restrictions(suite, july)
    >>> weekends = NightSelection(july, {calendar.FRIDAY, calendar.SATURDAY})
    >>> store.restrict(suite, weekends, {Restriction.MIN_STAY_ARRIVAL: 2})
    >>> store.restrict(suite, NightSelection.of(july), {Restriction.MAX_STAY_ARRIVAL: 14})
    >>> week = store.restrictions(suite, Stay.parse("2026-07-01/2026-07-08"))
    >>> week.column(Restriction.MIN_STAY_ARRIVAL, week.horizon)
    [0, 0, 2, 2, 0, 0, 0]
    >>> store.restrict(suite, weekends, {Restriction.MIN_STAY_ARRIVAL: 21})
    Traceback (most recent call last):
    ...
    staycore...ContradictoryRestrictionsError: ... would exceed max_stay_arrival 14 ...
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from staycore.availability.ids import UnitTypeId
from staycore.availability.inventory import NightOutsideCalendarError
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import Restriction, RestrictionCalendar
from staycore.kernel.time import Stay

__all__ = ["MemoryRestrictionStore"]


class MemoryRestrictionStore:
    """A :class:`~staycore.ports.restrictions.RestrictionStore` in memory, safe between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calendars: dict[UnitTypeId, RestrictionCalendar] = {}

    def open_restrictions(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        """Give ``unit_type`` restrictions over ``horizon``; an open calendar grows to cover it."""
        with self._lock:
            current = self._calendars.get(unit_type)
            if current is None:
                self._calendars[unit_type] = RestrictionCalendar(horizon)
            elif current.horizon.overlap(horizon) != horizon:
                self._calendars[unit_type] = current.grown_to(horizon)

    def restrict(
        self,
        unit_type: UnitTypeId,
        nights: NightSelection,
        changes: Mapping[Restriction, bool | int],
    ) -> None:
        """Set the restrictions in ``changes`` on the selected nights; the others stay.

        Raises:
            NightOutsideCalendarError: ``unit_type`` has no restrictions, or a selected
                night is outside them.
            InvalidRestrictionError: A value is of the wrong type or below zero.
            ContradictoryRestrictionsError: A minimum would exceed its maximum on a night.
                Nothing is changed when any error is raised.
        """
        with self._lock:
            calendar = self._calendar(unit_type)
            outside = next((night for night in nights if night not in calendar.horizon), None)
            if outside is not None:
                msg = (
                    f"{outside} is outside the restrictions of {unit_type} "
                    f"({calendar.horizon}); open_restrictions() over that night first"
                )
                raise NightOutsideCalendarError(msg)
            calendar.apply(nights, changes)

    def restrictions(self, unit_type: UnitTypeId, nights: Stay) -> RestrictionCalendar:
        """Return a copy of the restrictions over ``nights``; nights outside read as not set.

        Raises:
            NightOutsideCalendarError: ``unit_type`` has no restrictions.
        """
        with self._lock:
            return self._calendar(unit_type).window(nights)

    def _calendar(self, unit_type: UnitTypeId) -> RestrictionCalendar:
        """The calendar of ``unit_type``; called with the lock held."""
        calendar = self._calendars.get(unit_type) if isinstance(unit_type, str) else None
        if calendar is None:
            msg = (
                f"{unit_type!r} has no restrictions; open_restrictions() it over the nights "
                "you sell"
            )
            raise NightOutsideCalendarError(msg)
        return calendar

    def __repr__(self) -> str:
        return f"MemoryRestrictionStore(calendars={len(self._calendars)})"
