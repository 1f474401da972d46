"""The restriction store port: each unit type's restrictions, night by night, kept.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.RestrictionStoreContract`):

* A unit type has restrictions once :meth:`RestrictionStore.open_restrictions` opened
  them over a horizon, with nothing set. Opening again grows the calendar to cover the
  new horizon too, keeping every value; it never shrinks or clears it.
* :meth:`RestrictionStore.restrict` sets only the restrictions it is given, on only the
  selected nights (weekday selections included); every other restriction and night keeps
  its value. Concurrent changes to different restrictions of the same nights all land:
  an adapter never writes back a whole night it read before the change (a lost update).
* Refusals, with nothing changed: a value of the wrong type or below zero raises
  :class:`~staycore.availability.restrictions.InvalidRestrictionError`; a minimum above
  its maximum on any selected night, counting the values already stored, raises
  :class:`~staycore.availability.restrictions.ContradictoryRestrictionsError`, even
  when another request changed the other bound a moment before (the check and the write
  are one atomic step); a selected night outside the opened calendar, or a unit type
  whose restrictions were never opened, raises
  :class:`~staycore.availability.inventory.NightOutsideCalendarError`.
* :meth:`RestrictionStore.restrictions` returns a snapshot: a new
  :class:`~staycore.availability.restrictions.RestrictionCalendar` over exactly the nights
  asked for, which the caller may change without touching the store and which does not
  follow later changes to the store. Nights outside the opened calendar read as not set.
* Nothing is half-applied: an operation that raises changes nothing.

A stay's closed-to-departure restriction sits on its check-out date, which is not a
night of the stay. To check a stay, ask for the stay's nights and its departure date,
``Stay(stay.check_in, stay.check_out + timedelta(days=1))``, and check the stay
against that snapshot.

Example:
    >>> from datetime import date, timedelta
    >>> from staycore.adapters.memory import MemoryRestrictionStore
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.restrictions import Restriction
    >>> from staycore.kernel.time import Stay
    >>> from staycore.ports.restrictions import RestrictionStore
    >>> store, loft = MemoryRestrictionStore(), UnitTypeId.new()
    >>> isinstance(store, RestrictionStore)
    True
    >>> store.open_restrictions(loft, Stay.parse("2026-07-01/2026-09-01"))
    >>> sunday = NightSelection.between(date(2026, 7, 12), date(2026, 7, 13))
    >>> store.restrict(loft, sunday, {Restriction.CLOSED_TO_DEPARTURE: True})
    >>> stay = Stay.parse("2026-07-10/2026-07-12")
    >>> rules = store.restrictions(loft, Stay(stay.check_in, stay.check_out + timedelta(days=1)))
    >>> [v.reason for v in rules.check(stay, booked_on=date(2026, 6, 1))]
    ['departures are closed on 2026-07-12']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from staycore.availability.ids import UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import Restriction, RestrictionCalendar
from staycore.kernel.time import Stay

__all__ = ["RestrictionStore"]


@runtime_checkable
class RestrictionStore(Protocol):
    """The restrictions of every unit type, night by night."""

    def open_restrictions(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        """Give ``unit_type`` restrictions over ``horizon``; an open calendar grows to cover it."""
        ...

    def restrict(
        self,
        unit_type: UnitTypeId,
        nights: NightSelection,
        changes: Mapping[Restriction, bool | int],
    ) -> None:
        """Set the restrictions in ``changes`` on the selected nights; the others stay."""
        ...

    def restrictions(self, unit_type: UnitTypeId, nights: Stay) -> RestrictionCalendar:
        """Return a snapshot of the restrictions over ``nights``, a copy the caller owns."""
        ...
