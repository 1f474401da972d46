"""The inventory store port: nightly counts and holds, taken atomically.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.InventoryStoreContract`):

* :meth:`InventoryStore.reserve` takes the rooms of every night of the stay, or none:
  two requests racing for the last room cannot both get it, on any adapter and across
  processes. A refusal raises
  :class:`~staycore.availability.inventory.NotAvailableError` listing every short night.
* Reserving again with the same hold id and the same request returns the existing hold
  (a retry after a lost connection); with a different request it is refused.
* Confirming, releasing and expiring are idempotent (see
  :mod:`staycore.availability.holds`); an expired or released hold frees its rooms.
  Holds past their expiry are expired before any reservation is decided, so a lapsed
  hold never keeps a room from a paying guest.
* Extending works only for a hold that is still ``held`` and not past its expiry.
* :meth:`InventoryStore.replace` swaps a live hold for a new request (other dates, fewer
  rooms, another unit type) in one step: the old hold's own rooms count as free while
  the new request is checked, so a guest never loses their room to someone else half
  way through a change. The new hold keeps the old one's status (held or sold); on a
  refusal nothing changes.
* Blocks take rooms even when none are left (the rooms are gone in any case).
* Where a host assigns rooms, each :class:`~staycore.availability.units.Unit` of a unit
  type has its own nights (:class:`~staycore.availability.units.UnitRack`). Assigning
  puts a live hold in as many units as it holds rooms, each free on every night of its
  stay, atomically: two holds racing for room 101 cannot both get it. A block of one
  unit occupies it the same way. A hold that is released or expires leaves its units.
* Reads (:meth:`~InventoryStore.calendar`, :meth:`~InventoryStore.rack`,
  :meth:`~InventoryStore.holds`, :meth:`~InventoryStore.blocks`) return snapshots:
  changing what they return never changes the store.
* Nothing is half-applied: an operation that raises changes nothing.

Example:
    >>> from staycore.adapters.memory import MemoryInventoryStore
    >>> from staycore.ports.inventory import InventoryStore
    >>> from staycore.testing.clock import FrozenClock
    >>> isinstance(MemoryInventoryStore(FrozenClock("2026-05-01T09:00:00Z")), InventoryStore)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from staycore.availability.blocks import Block
from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import InventoryCalendar, NightCounts
from staycore.availability.nights import NightSelection
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.units import Unit, UnitRack
from staycore.kernel.time import Stay
from staycore.ports.holds import HoldKeeper

__all__ = ["InventoryStore"]


@runtime_checkable
class InventoryStore(HoldKeeper[StayHold], Protocol):
    """Nightly inventory per unit type, with blocks and holds."""

    def open_calendar(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        """Make ``unit_type`` countable over ``horizon``; an open calendar grows to cover it."""
        ...

    def set_capacity(self, unit_type: UnitTypeId, nights: NightSelection, capacity: int) -> None:
        """Set the rooms that exist on the selected nights."""
        ...

    def set_allowance(self, unit_type: UnitTypeId, nights: NightSelection, allowance: int) -> None:
        """Set the overbooking allowance on the selected nights."""
        ...

    def counts(self, unit_type: UnitTypeId, nights: Stay) -> tuple[NightCounts, ...]:
        """Return the counts of every night of ``nights``, in order."""
        ...

    def calendar(self, unit_type: UnitTypeId, nights: Stay) -> InventoryCalendar:
        """Return a snapshot of the unit type's counts over ``nights``.

        Nights outside the unit type's calendar read as zero, so a search index can ask
        for its whole horizon.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar.
        """
        ...

    def holds(self, unit_type: UnitTypeId, nights: Stay) -> tuple[StayHold, ...]:
        """Return the live holds (held, or confirmed) of the unit type on any of ``nights``.

        Holds past their expiry are expired first and left out.
        """
        ...

    def blocks(self, unit_type: UnitTypeId, nights: Stay) -> tuple[Block, ...]:
        """Return the blocks of the unit type that take any of ``nights``."""
        ...

    def block(self, block: Block) -> None:
        """Take the block's rooms out of sale; blocking the same block again does nothing."""
        ...

    def unblock(self, block_id: BlockId) -> None:
        """Give a block's rooms back; unknown or already removed blocks are ignored."""
        ...

    def reserve(self, request: StayHoldRequest) -> StayHold:
        """Hold the rooms of every night of the request's stay, or none of them."""
        ...

    def replace(self, hold_id: HoldId, request: StayHoldRequest) -> StayHold:
        """Release the live hold ``hold_id`` and take ``request`` instead, atomically.

        The old hold's rooms count as free while ``request`` is checked; the new hold is
        ``confirmed`` if the old one was, and ``held`` (until the request's expiry)
        otherwise, and is assigned no units. Retrying with the same request returns the
        new hold.

        Raises:
            HoldNotFoundError: No hold ``hold_id``.
            HoldNotActiveError: The old hold was released or has expired.
            NotAvailableError: Some night of the request lacks rooms even with the old
                hold's given back; nothing changed.
            DuplicateHoldError: The request's hold id was used for a different request.
        """
        ...

    def add_unit(self, unit: Unit) -> None:
        """Add a unit to its unit type's rack; adding the same unit again does nothing.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar yet.
            InvalidAssignmentError: The id is taken by a different unit.
        """
        ...

    def rack(self, unit_type: UnitTypeId, nights: Stay) -> UnitRack:
        """Return a snapshot of the unit type's units and their occupants over ``nights``.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar.
        """
        ...

    def assign(self, hold_id: HoldId, units: Sequence[UnitId]) -> StayHold:
        """Put a live hold in ``units``, one per room it holds, or in none of them.

        Assigning again moves the hold; assigning the same units again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold was released or has expired.
            InvalidAssignmentError: Not one unit per room, or a unit given twice.
            UnitNotFoundError: A unit is not one of the hold's unit type.
            UnitTakenError: Another hold or block occupies a unit on some night.
        """
        ...
