"""The memory adapter's inventory store.

One lock guards every calendar, block and hold, so each operation is atomic: a
reservation checks and takes all its nights while no other thread can change them.
That is the memory adapter's whole concurrency story; the SQL adapters get the same
guarantee from the database, never from a lock in the process.

Example:
    >>> from datetime import date
    >>> from staycore.adapters.memory import MemoryInventoryStore
    >>> from staycore.availability.ids import HoldId, UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.stay_holds import StayHoldRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Stay
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-01T09:00:00Z")
    >>> store, twin = MemoryInventoryStore(clock), UnitTypeId.new()
    >>> july = Stay.parse("2026-07-01/2026-08-01")
    >>> store.open_calendar(twin, july)
    >>> store.set_capacity(twin, NightSelection.of(july), 1)
    >>> def request(stay: str) -> StayHoldRequest:
    ...     return StayHoldRequest(
    ...         hold_id=HoldId.new(), unit_type=twin, stay=Stay.parse(stay),
    ...         owner=Identifier.new(), expires_at=clock.now().add(minutes=15),
    ...     )
    >>> first = store.reserve(request("2026-07-10/2026-07-12"))
    >>> store.reserve(request("2026-07-11/2026-07-13"))
    Traceback (most recent call last):
    ...
    staycore.availability.inventory.NotAvailableError: [availability.not_available] ...
    >>> _ = clock.advance(minutes=16)  # the first guest never paid
    >>> store.reserve(request("2026-07-11/2026-07-13")).status.value
    'held'
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import attrs

from staycore.adapters.memory.hold_book import HoldBook, HoldKeeping
from staycore.availability.blocks import Block
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import (
    Count,
    InventoryCalendar,
    NightCounts,
    NightOutsideCalendarError,
    NotAvailableError,
)
from staycore.availability.nights import NightSelection
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.units import InvalidAssignmentError, Unit, UnitRack
from staycore.kernel.time import Clock, Stay

__all__ = ["MemoryInventoryStore"]


# What each status counts as in the calendar; released and expired holds count as nothing.
_COUNT_OF = {HoldStatus.HELD: Count.HELD, HoldStatus.CONFIRMED: Count.SOLD}


class MemoryInventoryStore(HoldKeeping[StayHold, StayHoldRequest]):
    """An :class:`~staycore.ports.inventory.InventoryStore` in memory, safe between threads.

    Args:
        clock: Tells when holds expire.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calendars: dict[UnitTypeId, InventoryCalendar] = {}
        self._racks: dict[UnitTypeId, UnitRack] = {}
        self._blocks: dict[BlockId, Block] = {}
        self._holds: HoldBook[StayHold, StayHoldRequest] = HoldBook(
            describe=lambda hold: f"{hold.stay} of {hold.unit_type}",
            keep_in_step=self._count,
        )

    # -- calendars -------------------------------------------------------------------

    def open_calendar(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        """Make ``unit_type`` countable over ``horizon``; an open calendar grows to cover it."""
        with self._lock:
            current = self._calendars.get(unit_type)
            if current is None:
                self._calendars[unit_type] = InventoryCalendar(unit_type, horizon)
                self._racks[unit_type] = UnitRack(unit_type, horizon)
            elif current.horizon.overlap(horizon) != horizon:
                self._calendars[unit_type] = current.grown_to(horizon)
                self._racks[unit_type] = self._racks[unit_type].grown_to(horizon)

    def set_capacity(self, unit_type: UnitTypeId, nights: NightSelection, capacity: int) -> None:
        """Set the rooms that exist on the selected nights."""
        with self._lock:
            self._calendar(unit_type).set_capacity(nights, capacity)

    def set_allowance(self, unit_type: UnitTypeId, nights: NightSelection, allowance: int) -> None:
        """Set the overbooking allowance on the selected nights."""
        with self._lock:
            self._calendar(unit_type).set_allowance(nights, allowance)

    def counts(self, unit_type: UnitTypeId, nights: Stay) -> tuple[NightCounts, ...]:
        """Return the counts of every night of ``nights``, in order."""
        with self._lock:
            calendar = self._calendar(unit_type)
            return tuple(calendar.counts(night) for night in nights)

    def calendar(self, unit_type: UnitTypeId, nights: Stay) -> InventoryCalendar:
        """Return a snapshot of the unit type's counts over ``nights`` (zero outside)."""
        with self._lock:
            return self._calendar(unit_type).window(nights)

    def holds(self, unit_type: UnitTypeId, nights: Stay) -> tuple[StayHold, ...]:
        """Return the live holds of the unit type on any of ``nights``."""
        with self._lock:
            return tuple(
                hold
                for hold in self._holds.live(self._now())
                if hold.unit_type == unit_type and hold.stay.overlap(nights) is not None
            )

    def blocks(self, unit_type: UnitTypeId, nights: Stay) -> tuple[Block, ...]:
        """Return the blocks of the unit type that take any of ``nights``."""
        with self._lock:
            return tuple(
                block
                for block in self._blocks.values()
                if block.unit_type == unit_type and block.nights.overlap(nights) is not None
            )

    # -- blocks ----------------------------------------------------------------------

    def block(self, block: Block) -> None:
        """Take the block's rooms out of sale; blocking the same block again does nothing."""
        with self._lock:
            if block.id in self._blocks:
                return
            calendar = self._calendar(block.unit_type)
            if block.unit is not None:  # checks the nights too, before anything changes
                self._racks[block.unit_type].occupy([block.unit], block.nights, block.id)
            calendar.take(block.nights, block.rooms, Count.BLOCKED)
            self._blocks[block.id] = block

    def unblock(self, block_id: BlockId) -> None:
        """Give a block's rooms back; unknown or already removed blocks are ignored."""
        with self._lock:
            block = self._blocks.pop(block_id, None)
            if block is not None:
                self._calendar(block.unit_type).give_back(block.nights, block.rooms, Count.BLOCKED)
                self._racks[block.unit_type].vacate(block.id)

    # -- holds -----------------------------------------------------------------------

    def reserve(self, request: StayHoldRequest) -> StayHold:
        """Hold the rooms of every night of the request's stay, or none of them.

        Raises:
            NotAvailableError: Some night lacks rooms; nothing was taken.
            DuplicateHoldError: The hold id was used for a different request.
            NightOutsideCalendarError: The stay reaches outside the calendar.
        """
        with self._lock:
            retried = self._holds.retried(request)
            if retried is not None:
                return retried
            self._holds.expire_due(self._now())
            calendar = self._calendar(request.unit_type)
            shortfalls = calendar.shortfalls(request.stay, request.rooms)
            if shortfalls:
                raise NotAvailableError(request.unit_type, shortfalls)
            return self._holds.add(request.to_hold())  # takes the rooms, by _count

    def replace(self, hold_id: HoldId, request: StayHoldRequest) -> StayHold:
        """Release a live hold and take ``request`` instead, or change nothing.

        Raises:
            HoldNotFoundError: No hold ``hold_id``.
            HoldNotActiveError: The old hold was released or has expired.
            NotAvailableError: Some night lacks rooms even with the old hold's given back.
            DuplicateHoldError: The request's hold id was used for a different request.
        """
        with self._lock:
            retried = self._holds.retried(request)
            if retried is not None:
                return retried
            self._holds.expire_due(self._now())
            old = self._holds.current(hold_id, self._now())
            if not old.status.takes_inventory:
                msg = f"hold {hold_id} is {old.status.value}: there is nothing to replace"
                raise HoldNotActiveError(msg)
            calendar = self._calendar(request.unit_type)
            # The calendar decides, as if the old hold were given back first: its rooms
            # pay what a night owes (blocks taken when nothing was left) before anything
            # is left for the request. The SQL store releases the old hold, then judges.
            giving_back = (
                [(old.stay, old.rooms, _COUNT_OF[old.status])]
                if old.unit_type == request.unit_type
                else []
            )
            shortfalls = calendar.shortfalls(request.stay, request.rooms, giving_back=giving_back)
            if shortfalls:
                raise NotAvailableError(request.unit_type, shortfalls)
            self._holds.release(hold_id)
            new = self._holds.add(request.to_hold())
            if old.status is HoldStatus.CONFIRMED:
                new = self._holds.confirm(new.id, self._now())
            return new

    # -- units -----------------------------------------------------------------------

    def add_unit(self, unit: Unit) -> None:
        """Add a unit to its unit type's rack; adding the same unit again does nothing."""
        with self._lock:
            self._calendar(unit.unit_type)  # refuses a unit type with no calendar
            self._racks[unit.unit_type].add(unit)

    def rack(self, unit_type: UnitTypeId, nights: Stay) -> UnitRack:
        """Return a snapshot of the unit type's units and their occupants over ``nights``."""
        with self._lock:
            self._calendar(unit_type)
            return self._racks[unit_type].window(nights)

    def assign(self, hold_id: HoldId, units: Sequence[UnitId]) -> StayHold:
        """Put a live hold in ``units``, one per room it holds, or in none of them.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold was released or has expired.
            InvalidAssignmentError: Not one unit per room, or a unit given twice.
            UnitNotFoundError: A unit is not one of the hold's unit type.
            UnitTakenError: Another hold or block occupies a unit on some night.
        """
        with self._lock:
            hold = self._holds.current(hold_id, self._now())
            if not hold.status.takes_inventory:
                msg = f"hold {hold_id} is {hold.status.value}: it has no nights to assign"
                raise HoldNotActiveError(msg)
            if len(units) != hold.rooms:
                msg = f"hold {hold_id} holds {hold.rooms} rooms: assign {hold.rooms} units"
                raise InvalidAssignmentError(msg)
            self._racks[hold.unit_type].occupy(units, hold.stay, hold.id)
            return self._holds.update(attrs.evolve(hold, units=tuple(units)))

    # -- internals (called with the lock held) --------------------------------------

    def _calendar(self, unit_type: UnitTypeId) -> InventoryCalendar:
        calendar = self._calendars.get(unit_type) if isinstance(unit_type, str) else None
        if calendar is None:
            msg = f"{unit_type!r} has no calendar; open_calendar() it over the nights you sell"
            raise NightOutsideCalendarError(msg)
        return calendar

    def _count(self, hold: StayHold, was: HoldStatus | None) -> None:
        """Move the hold's rooms between the calendar's counts to match its new status."""
        before = None if was is None else _COUNT_OF.get(was)
        after = _COUNT_OF.get(hold.status)
        if before is after:  # extended or assigned: the rooms stay where they are
            return
        calendar = self._calendar(hold.unit_type)
        if before is not None and after is not None:
            calendar.move(hold.stay, hold.rooms, before, after)
        elif before is not None:
            calendar.give_back(hold.stay, hold.rooms, before)
            self._racks[hold.unit_type].vacate(hold.id)  # a freed hold leaves its units
        elif after is not None:
            calendar.take(hold.stay, hold.rooms, after)

    def __repr__(self) -> str:
        return (
            f"MemoryInventoryStore(calendars={len(self._calendars)}, "
            f"holds={len(self._holds)}, blocks={len(self._blocks)})"
        )
