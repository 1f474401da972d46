"""The contract suite of the inventory store port (:mod:`staycore.ports.inventory`).

Subclass :class:`InventoryStoreContract` and override ``inventory_store`` to build your
adapter on the ``clock`` the suite provides; every test opens a fresh unit type, so the
suite runs against an empty store or a shared database alike.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryInventoryStore
    >>> from staycore.testing.clock import FrozenClock
    >>> from staycore.testing.contracts import InventoryStoreContract
    >>> class TestMemoryInventoryStore(InventoryStoreContract):
    ...     @pytest.fixture
    ...     def inventory_store(self, clock: FrozenClock) -> MemoryInventoryStore:
    ...         return MemoryInventoryStore(clock)
    >>> "test_racing_for_the_last_rooms_only_that_many_win" in dir(TestMemoryInventoryStore)
    True
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import ClassVar

import attrs
import pendulum
import pytest

from staycore.availability.blocks import Block, BlockReason
from staycore.availability.holds import (
    DuplicateHoldError,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
)
from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import (
    InvalidCapacityError,
    NightOutsideCalendarError,
    NotAvailableError,
)
from staycore.availability.nights import NightSelection
from staycore.availability.stay_holds import StayHoldRequest
from staycore.availability.units import (
    InvalidAssignmentError,
    Unit,
    UnitNotFoundError,
    UnitTakenError,
)
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.ports.inventory import InventoryStore
from staycore.testing.clock import FrozenClock

__all__ = ["InventoryStoreContract"]

_HORIZON = Stay.parse("2026-07-01/2026-09-01")
_STAY = Stay.parse("2026-07-10/2026-07-13")
# The first 01:30 of the night Europe/London falls back (01:30 BST), and the second.
_FIRST_ONE_THIRTY = pendulum.datetime(2026, 10, 25, 0, 30, tz="UTC").in_tz("Europe/London")
_SECOND_ONE_THIRTY = _FIRST_ONE_THIRTY.add(hours=1)


class InventoryStoreContract:
    """The rules of :class:`~staycore.ports.inventory.InventoryStore`, as tests.

    Override :meth:`inventory_store`. ``racers`` and ``rooms_left`` size the race test.
    """

    racers: ClassVar[int] = 8
    rooms_left: ClassVar[int] = 3

    @pytest.fixture
    def clock(self) -> FrozenClock:
        """The clock the store must read for expiry; tests move it."""
        return FrozenClock("2026-06-01T09:00:00Z")

    @pytest.fixture
    def inventory_store(self, clock: FrozenClock) -> InventoryStore:
        """Build the adapter under test on ``clock``; override this."""
        raise NotImplementedError("override the inventory_store fixture to build your adapter")

    @pytest.fixture
    def unit_type(self, inventory_store: InventoryStore) -> UnitTypeId:
        """A fresh unit type with 2 rooms over the whole horizon."""
        unit_type = UnitTypeId.new()
        inventory_store.open_calendar(unit_type, _HORIZON)
        inventory_store.set_capacity(unit_type, NightSelection.of(_HORIZON), 2)
        return unit_type

    @staticmethod
    def request(
        clock: FrozenClock,
        unit_type: UnitTypeId,
        stay: Stay = _STAY,
        rooms: int = 1,
        minutes: int = 15,
    ) -> StayHoldRequest:
        """A request for ``rooms`` of ``unit_type`` over ``stay``, expiring in ``minutes``."""
        return StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=unit_type,
            stay=stay,
            rooms=rooms,
            owner=Identifier.new(),
            expires_at=clock.now().add(minutes=minutes),
        )

    @staticmethod
    def available(store: InventoryStore, unit_type: UnitTypeId, stay: Stay = _STAY) -> list[int]:
        """The rooms available on each night of ``stay``."""
        return [counts.available for counts in store.counts(unit_type, stay)]

    # -- reserving -------------------------------------------------------------------

    def test_reserving_takes_every_night(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A hold takes its rooms on every night of the stay, and only those."""
        hold = inventory_store.reserve(self.request(clock, unit_type, rooms=2))
        assert hold.status is HoldStatus.HELD
        assert self.available(inventory_store, unit_type) == [0, 0, 0]
        around = Stay.parse("2026-07-09/2026-07-14")
        assert self.available(inventory_store, unit_type, around) == [2, 0, 0, 0, 2]
        assert [c.held for c in inventory_store.counts(unit_type, _STAY)] == [2, 2, 2]

    def test_a_short_night_refuses_the_whole_stay_and_takes_nothing(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """All nights or none: one full night refuses the stay and names that night."""
        inventory_store.reserve(
            self.request(clock, unit_type, Stay.parse("2026-07-11/2026-07-12"), 2)
        )
        with pytest.raises(NotAvailableError) as refused:
            inventory_store.reserve(self.request(clock, unit_type))
        assert [s.night for s in refused.value.shortfalls] == [date(2026, 7, 11)]
        assert refused.value.code == "availability.not_available"
        assert self.available(inventory_store, unit_type) == [2, 0, 2]

    def test_the_allowance_sells_beyond_capacity(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """The overbooking allowance adds sellable rooms on its nights."""
        inventory_store.set_allowance(unit_type, NightSelection.of(_STAY), 1)
        inventory_store.reserve(self.request(clock, unit_type, rooms=3))
        assert self.available(inventory_store, unit_type) == [0, 0, 0]

    def test_a_retried_request_gets_its_hold_back(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """The same hold id and request returns the same hold and takes nothing more."""
        request = self.request(clock, unit_type)
        first = inventory_store.reserve(request)
        assert inventory_store.reserve(request) == first
        assert self.available(inventory_store, unit_type) == [1, 1, 1]

    def test_a_hold_id_reused_for_another_request_is_refused(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A different request under a used hold id is an error, and takes nothing."""
        request = self.request(clock, unit_type)
        inventory_store.reserve(request)
        other = StayHoldRequest(
            hold_id=request.hold_id,
            unit_type=unit_type,
            stay=Stay.parse("2026-08-01/2026-08-03"),
            owner=request.owner,
            expires_at=request.expires_at,
        )
        with pytest.raises(DuplicateHoldError):
            inventory_store.reserve(other)
        assert self.available(inventory_store, unit_type, other.stay) == [2, 2]

    def test_nights_outside_the_calendar_are_refused_whole(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A stay reaching past the calendar is refused, and nothing inside is taken."""
        edge = Stay.parse("2026-08-30/2026-09-03")
        with pytest.raises(NightOutsideCalendarError):
            inventory_store.reserve(self.request(clock, unit_type, edge))
        inside = Stay.parse("2026-08-30/2026-09-01")
        assert self.available(inventory_store, unit_type, inside) == [2, 2]

    def test_negative_capacity_is_refused_and_nothing_changes(
        self, inventory_store: InventoryStore, unit_type: UnitTypeId
    ) -> None:
        """Bad capacities raise a staycore error with a code; the calendar stays."""
        with pytest.raises(InvalidCapacityError) as refused:
            inventory_store.set_capacity(unit_type, NightSelection.of(_STAY), -1)
        assert refused.value.code == "availability.invalid_capacity"
        assert self.available(inventory_store, unit_type) == [2, 2, 2]

    def test_a_growing_calendar_keeps_its_counts(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Opening a calendar further keeps every count; new nights start empty."""
        inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.open_calendar(unit_type, Stay.parse("2026-06-01/2026-12-01"))
        assert self.available(inventory_store, unit_type) == [1, 1, 1]
        later = Stay.parse("2026-11-01/2026-11-02")
        assert self.available(inventory_store, unit_type, later) == [0]

    # -- replacing ---------------------------------------------------------------------

    def test_replacing_counts_the_old_rooms_as_free(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A full house can still move a guest a night later: their own rooms are free."""
        mine = inventory_store.reserve(self.request(clock, unit_type, rooms=2))
        inventory_store.confirm(mine.id)
        later = Stay.parse("2026-07-11/2026-07-14")
        moved = inventory_store.replace(mine.id, self.request(clock, unit_type, later, rooms=2))
        assert moved.status is HoldStatus.CONFIRMED
        assert inventory_store.hold(mine.id).status is HoldStatus.RELEASED
        around = Stay.parse("2026-07-10/2026-07-14")
        assert self.available(inventory_store, unit_type, around) == [2, 0, 0, 0]

    def test_a_refused_replacement_changes_nothing(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """When a new night is short, the old hold stays as it was."""
        mine = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.reserve(self.request(clock, unit_type, Stay.parse("2026-07-13/2026-07-14")))
        inventory_store.reserve(self.request(clock, unit_type, Stay.parse("2026-07-13/2026-07-14")))
        longer = Stay.parse("2026-07-10/2026-07-14")
        with pytest.raises(NotAvailableError) as refused:
            inventory_store.replace(mine.id, self.request(clock, unit_type, longer))
        assert [s.night for s in refused.value.shortfalls] == [date(2026, 7, 13)]
        assert inventory_store.hold(mine.id).status is HoldStatus.HELD
        assert self.available(inventory_store, unit_type) == [1, 1, 1]

    def test_replacing_needs_a_live_hold_and_a_retry_finds_the_new_one(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A released hold cannot be replaced; replacing twice with one request is one swap."""
        mine = inventory_store.reserve(self.request(clock, unit_type))
        shorter = self.request(clock, unit_type, Stay.parse("2026-07-10/2026-07-12"))
        first = inventory_store.replace(mine.id, shorter)
        assert inventory_store.replace(mine.id, shorter) == first
        assert self.available(inventory_store, unit_type) == [1, 1, 2]
        with pytest.raises(HoldNotActiveError):
            inventory_store.replace(mine.id, self.request(clock, unit_type))

    # -- the hold lifecycle ------------------------------------------------------------

    def test_confirming_turns_held_into_sold_once(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Confirming moves the rooms from held to sold; a second confirm changes nothing."""
        hold = inventory_store.reserve(self.request(clock, unit_type))
        for _ in range(2):
            assert inventory_store.confirm(hold.id).status is HoldStatus.CONFIRMED
        counts = inventory_store.counts(unit_type, _STAY)
        assert [(c.held, c.sold, c.available) for c in counts] == [(0, 1, 1)] * 3

    def test_releasing_frees_held_or_sold_rooms_once(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Release frees the rooms whether held or sold; a second release does nothing."""
        held = inventory_store.reserve(self.request(clock, unit_type))
        sold = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.confirm(sold.id)
        for _ in range(2):
            assert inventory_store.release(held.id).status is HoldStatus.RELEASED
            assert inventory_store.release(sold.id).status is HoldStatus.RELEASED
        assert self.available(inventory_store, unit_type) == [2, 2, 2]

    def test_an_expired_hold_frees_its_nights(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Past its expiry an unpaid hold is expired (once) and its rooms come back."""
        hold = inventory_store.reserve(self.request(clock, unit_type, rooms=2, minutes=15))
        clock.advance(minutes=14)
        assert inventory_store.expire_due() == ()
        clock.advance(minutes=1)
        expired = inventory_store.expire_due()
        assert [h.id for h in expired] == [hold.id]
        assert inventory_store.expire_due() == ()
        assert inventory_store.hold(hold.id).status is HoldStatus.EXPIRED
        assert self.available(inventory_store, unit_type) == [2, 2, 2]

    def test_a_lapsed_hold_never_keeps_a_room_from_a_new_guest(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Reserving expires due holds first, even if no sweeper ran."""
        inventory_store.reserve(self.request(clock, unit_type, rooms=2))
        clock.advance(minutes=20)
        assert inventory_store.reserve(self.request(clock, unit_type, rooms=2)).rooms == 2

    def test_an_expired_hold_cannot_be_confirmed(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Payment after expiry is refused: the order must reserve again."""
        hold = inventory_store.reserve(self.request(clock, unit_type))
        clock.advance(minutes=30)
        with pytest.raises(HoldNotActiveError):
            inventory_store.confirm(hold.id)
        assert self.available(inventory_store, unit_type) == [2, 2, 2]

    def test_extending_needs_a_live_hold(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A live hold can be extended; a lapsed or released one cannot."""
        hold = inventory_store.reserve(self.request(clock, unit_type, minutes=15))
        clock.advance(minutes=10)
        extended = inventory_store.extend(hold.id, clock.now().add(minutes=30))
        assert extended.expires_at == clock.now().add(minutes=30)
        clock.advance(minutes=20)
        assert inventory_store.expire_due() == ()
        clock.advance(minutes=15)
        with pytest.raises(HoldNotActiveError):
            inventory_store.extend(hold.id, clock.now().add(minutes=30))
        released = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.release(released.id)
        with pytest.raises(HoldNotActiveError):
            inventory_store.extend(released.id, clock.now().add(minutes=30))

    def test_a_hold_extended_into_the_repeated_hour_lasts_until_its_new_expiry(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A hold extended from the first 01:30 of a fall-back night to the second keeps.

        Europe/London falls back on 25 October 2026: 01:30 comes in summer time (00:30
        UTC), then again in winter time (01:30 UTC). On the wall clock the two look the
        same, so the hold's first expiry must not be taken for its new one.
        """
        clock.set(_FIRST_ONE_THIRTY.subtract(minutes=30))
        request = attrs.evolve(self.request(clock, unit_type), expires_at=_FIRST_ONE_THIRTY)
        hold = inventory_store.reserve(request)
        extended = inventory_store.extend(hold.id, _SECOND_ONE_THIRTY)
        assert extended.expires_at.in_tz("UTC") == _SECOND_ONE_THIRTY.in_tz("UTC")
        clock.set(_FIRST_ONE_THIRTY)
        assert inventory_store.expire_due() == ()
        assert inventory_store.hold(hold.id).status is HoldStatus.HELD
        assert self.available(inventory_store, unit_type) == [1, 1, 1]
        clock.set(_SECOND_ONE_THIRTY)
        assert [h.id for h in inventory_store.expire_due()] == [hold.id]
        assert self.available(inventory_store, unit_type) == [2, 2, 2]

    def test_an_unknown_hold_is_not_found(self, inventory_store: InventoryStore) -> None:
        """Every hold operation on an unknown id raises HoldNotFoundError."""
        unknown = HoldId.new()
        operations: list[Callable[[], object]] = [
            lambda: inventory_store.hold(unknown),
            lambda: inventory_store.confirm(unknown),
            lambda: inventory_store.release(unknown),
        ]
        for operation in operations:
            with pytest.raises(HoldNotFoundError):
                operation()

    # -- blocks ----------------------------------------------------------------------

    def test_blocks_take_rooms_even_when_none_are_left_and_come_back_once(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A block counts against availability (never below zero) until it is removed."""
        inventory_store.reserve(self.request(clock, unit_type, rooms=2))
        block = Block(
            id=BlockId.new(), unit_type=unit_type, nights=_STAY, reason=BlockReason.MAINTENANCE
        )
        for _ in range(2):
            inventory_store.block(block)
        assert [c.blocked for c in inventory_store.counts(unit_type, _STAY)] == [1, 1, 1]
        assert self.available(inventory_store, unit_type) == [0, 0, 0]
        for _ in range(2):
            inventory_store.unblock(block.id)
        assert [c.blocked for c in inventory_store.counts(unit_type, _STAY)] == [0, 0, 0]

    def test_a_block_of_one_unit_occupies_it_and_counts_once(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Blocking room 101 takes one room of the type and leaves 101 off the free list."""
        r101, r102 = self.units(inventory_store, unit_type, 2)

        def repaint(unit: Unit) -> Block:
            return Block(
                id=BlockId.new(),
                unit_type=unit_type,
                nights=_STAY,
                reason=BlockReason.MAINTENANCE,
                unit=unit.id,
            )

        paint = repaint(r101)
        inventory_store.block(paint)
        assert self.available(inventory_store, unit_type) == [1, 1, 1]
        assert inventory_store.rack(unit_type, _STAY).free(_STAY) == (r102,)
        guest = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.assign(guest.id, [r102.id])
        with pytest.raises(UnitTakenError):  # a guest is in 102: move them first
            inventory_store.block(repaint(r102))
        assert [c.blocked for c in inventory_store.counts(unit_type, _STAY)] == [1, 1, 1]
        inventory_store.unblock(paint.id)
        assert inventory_store.rack(unit_type, _STAY).free(_STAY) == (r101,)

    # -- reading ---------------------------------------------------------------------

    def test_reads_are_snapshots_of_what_takes_the_nights(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """calendar, holds and blocks show the store, and changing them changes nothing."""
        held = inventory_store.reserve(self.request(clock, unit_type))
        later = inventory_store.reserve(
            self.request(clock, unit_type, Stay.parse("2026-08-10/2026-08-12"))
        )
        block = Block(
            id=BlockId.new(), unit_type=unit_type, nights=_STAY, reason=BlockReason.OWNER_USE
        )
        inventory_store.block(block)
        around = Stay.parse("2026-06-28/2026-07-14")  # starts before the calendar
        snapshot = inventory_store.calendar(unit_type, around)
        assert snapshot.availability(around)[:3] == [0, 0, 0]
        assert snapshot.availability(_STAY) == [0, 0, 0]
        snapshot.set_capacity(NightSelection.of(_STAY), 9)
        assert self.available(inventory_store, unit_type) == [0, 0, 0]
        assert inventory_store.holds(unit_type, around) == (held,)
        assert {h.id for h in inventory_store.holds(unit_type, _HORIZON)} == {held.id, later.id}
        assert inventory_store.blocks(unit_type, around) == (block,)
        assert inventory_store.blocks(unit_type, Stay.parse("2026-08-01/2026-08-02")) == ()

    def test_holds_lists_only_live_holds(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Released and lapsed holds are not listed; confirmed ones are."""
        sold = inventory_store.reserve(self.request(clock, unit_type, minutes=60))
        inventory_store.confirm(sold.id)
        released = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.release(released.id)
        inventory_store.reserve(self.request(clock, unit_type, minutes=5))
        clock.advance(minutes=10)
        listed = inventory_store.holds(unit_type, _STAY)
        assert [(h.id, h.status) for h in listed] == [(sold.id, HoldStatus.CONFIRMED)]

    # -- units -----------------------------------------------------------------------

    @staticmethod
    def units(store: InventoryStore, unit_type: UnitTypeId, count: int) -> list[Unit]:
        """Add ``count`` units named 101, 102, ... to ``unit_type``."""
        added = [
            Unit(id=UnitId.new(), unit_type=unit_type, name=str(101 + n)) for n in range(count)
        ]
        for unit in added:
            store.add_unit(unit)
        return added

    def test_assigning_puts_a_hold_in_a_unit_for_its_nights(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """An assigned hold occupies its unit on each night; others stay free."""
        r101, r102 = self.units(inventory_store, unit_type, 2)
        hold = inventory_store.reserve(self.request(clock, unit_type))
        assigned = inventory_store.assign(hold.id, [r102.id])
        assert assigned.units == (r102.id,)
        assert inventory_store.hold(hold.id).units == (r102.id,)
        rack = inventory_store.rack(unit_type, _HORIZON)
        assert [rack.occupant(r102.id, night) for night in _STAY] == [hold.id] * 3
        assert rack.free(_STAY) == (r101,)
        assert rack.free(Stay.parse("2026-07-13/2026-07-14")) == (r101, r102)
        assert inventory_store.confirm(hold.id).units == (r102.id,)
        assert self.available(inventory_store, unit_type) == [1, 1, 1]

    def test_a_unit_taken_on_one_night_is_refused_and_nothing_moves(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """All nights or none: one occupied night refuses the unit and names it."""
        (r101,) = self.units(inventory_store, unit_type, 1)
        first = inventory_store.reserve(
            self.request(clock, unit_type, Stay.parse("2026-07-12/2026-07-14"))
        )
        inventory_store.assign(first.id, [r101.id])
        second = inventory_store.reserve(self.request(clock, unit_type))
        with pytest.raises(UnitTakenError) as refused:
            inventory_store.assign(second.id, [r101.id])
        assert refused.value.code == "availability.unit_taken"
        assert [(u.id, night, who) for u, night, who in refused.value.taken] == [
            (r101.id, date(2026, 7, 12), first.id)
        ]
        rack = inventory_store.rack(unit_type, _STAY)
        assert [rack.occupant(r101.id, night) for night in _STAY] == [None, None, first.id]
        assert inventory_store.hold(second.id).units == ()

    def test_reassigning_moves_the_hold_and_is_idempotent(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Assigning again moves the hold; the same units again change nothing."""
        r101, r102 = self.units(inventory_store, unit_type, 2)
        hold = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.assign(hold.id, [r101.id])
        inventory_store.assign(hold.id, [r101.id])
        inventory_store.assign(hold.id, [r102.id])
        assert inventory_store.rack(unit_type, _STAY).free(_STAY) == (r101,)

    def test_released_and_expired_holds_leave_their_units(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """A freed hold's units are free again, and a dead hold cannot be assigned."""
        r101, r102 = self.units(inventory_store, unit_type, 2)
        released = inventory_store.reserve(self.request(clock, unit_type, minutes=60))
        lapsing = inventory_store.reserve(self.request(clock, unit_type, minutes=5))
        inventory_store.assign(released.id, [r101.id])
        inventory_store.assign(lapsing.id, [r102.id])
        inventory_store.release(released.id)
        clock.advance(minutes=10)
        inventory_store.expire_due()
        assert inventory_store.rack(unit_type, _STAY).free(_STAY) == (r101, r102)
        for dead in (released, lapsing):
            with pytest.raises(HoldNotActiveError):
                inventory_store.assign(dead.id, [r101.id])

    def test_bad_assignments_are_refused(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """One unit per room, each once, of the hold's unit type; unknown holds not found."""
        r101, r102 = self.units(inventory_store, unit_type, 2)
        other_type = UnitTypeId.new()
        inventory_store.open_calendar(other_type, _HORIZON)
        (elsewhere,) = self.units(inventory_store, other_type, 1)
        pair = inventory_store.reserve(self.request(clock, unit_type, rooms=2))
        with pytest.raises(InvalidAssignmentError):
            inventory_store.assign(pair.id, [r101.id])
        with pytest.raises(InvalidAssignmentError):
            inventory_store.assign(pair.id, [r101.id, r101.id])
        with pytest.raises(UnitNotFoundError):
            inventory_store.assign(pair.id, [r101.id, elsewhere.id])
        with pytest.raises(HoldNotFoundError):
            inventory_store.assign(HoldId.new(), [r101.id])
        assert inventory_store.rack(unit_type, _STAY).free(_STAY) == (r101, r102)
        assert inventory_store.assign(pair.id, [r102.id, r101.id]).units == (r102.id, r101.id)

    def test_units_need_an_open_calendar_and_unique_ids(
        self, inventory_store: InventoryStore, unit_type: UnitTypeId
    ) -> None:
        """A unit of a type with no calendar, or a second unit under one id, is refused."""
        (r101,) = self.units(inventory_store, unit_type, 1)
        inventory_store.add_unit(r101)  # the same unit again: nothing changes
        with pytest.raises(InvalidAssignmentError):
            inventory_store.add_unit(attrs.evolve(r101, name="Suite"))
        with pytest.raises(NightOutsideCalendarError):
            inventory_store.add_unit(Unit(id=UnitId.new(), unit_type=UnitTypeId.new(), name="1"))
        assert inventory_store.rack(unit_type, _STAY).units == (r101,)

    def test_a_unit_grows_with_its_calendar(
        self, inventory_store: InventoryStore, clock: FrozenClock, unit_type: UnitTypeId
    ) -> None:
        """Opening the calendar further keeps every assignment; new nights are free."""
        (r101,) = self.units(inventory_store, unit_type, 1)
        hold = inventory_store.reserve(self.request(clock, unit_type))
        inventory_store.assign(hold.id, [r101.id])
        inventory_store.open_calendar(unit_type, Stay.parse("2026-06-01/2026-12-01"))
        grown = inventory_store.rack(unit_type, Stay.parse("2026-06-01/2026-12-01"))
        assert grown.occupant(r101.id, _STAY.check_in) == hold.id
        assert grown.free(Stay.parse("2026-11-01/2026-11-30")) == (r101,)

    # -- concurrency -----------------------------------------------------------------

    def test_racing_for_one_unit_only_one_wins(
        self, inventory_store: InventoryStore, clock: FrozenClock
    ) -> None:
        """``racers`` holds race to be assigned the same unit: exactly one gets it."""
        unit_type = UnitTypeId.new()
        inventory_store.open_calendar(unit_type, _HORIZON)
        inventory_store.set_capacity(unit_type, NightSelection.of(_STAY), self.racers)
        (suite,) = self.units(inventory_store, unit_type, 1)
        holds = [
            inventory_store.reserve(self.request(clock, unit_type)) for _ in range(self.racers)
        ]
        start = threading.Barrier(self.racers)

        def race(hold_id: HoldId) -> bool:
            start.wait(timeout=10)
            try:
                inventory_store.assign(hold_id, [suite.id])
            except UnitTakenError:
                return False
            return True

        with ThreadPoolExecutor(max_workers=self.racers) as pool:
            won = list(pool.map(race, [hold.id for hold in holds]))
        assert sum(won) == 1, f"{sum(won)} of {self.racers} holds got the one unit"
        rack = inventory_store.rack(unit_type, _STAY)
        (winner,) = [hold for hold, got in zip(holds, won, strict=True) if got]
        assert [rack.occupant(suite.id, night) for night in _STAY] == [winner.id] * 3

    def test_racing_for_the_last_rooms_only_that_many_win(
        self, inventory_store: InventoryStore, clock: FrozenClock
    ) -> None:
        """``racers`` threads race for ``rooms_left`` rooms: exactly that many win."""
        unit_type = UnitTypeId.new()
        inventory_store.open_calendar(unit_type, _HORIZON)
        inventory_store.set_capacity(unit_type, NightSelection.of(_STAY), self.rooms_left)
        requests = [self.request(clock, unit_type) for _ in range(self.racers)]
        start = threading.Barrier(self.racers)

        def race(request: StayHoldRequest) -> bool:
            start.wait(timeout=10)
            try:
                inventory_store.reserve(request)
            except NotAvailableError:
                return False
            return True

        with ThreadPoolExecutor(max_workers=self.racers) as pool:
            won = list(pool.map(race, requests))
        assert sum(won) == self.rooms_left, f"{sum(won)} of {self.racers} racers got a room"
        assert self.available(inventory_store, unit_type) == [0, 0, 0]
        held = [c.held for c in inventory_store.counts(unit_type, _STAY)]
        assert held == [self.rooms_left] * 3
