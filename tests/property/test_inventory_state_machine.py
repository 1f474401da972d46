"""Random sequences of inventory operations never oversell and keep every count exact.

A hypothesis rule-based state machine drives the memory inventory store with capacity
changes, blocks, holds, releases, confirmations, expiries and clock advances, and keeps
its own model of what each night must hold. After every step:

* no night shows negative availability;
* every successful reservation fitted in capacity + allowance when it was made;
* held, sold and blocked on each night equal the sums over the live holds and blocks;
* each unit of the room rack is occupied, night by night, exactly by the live hold
  assigned to it, and never by a released or expired one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from staycore.adapters.memory import MemoryInventoryStore
from staycore.availability.blocks import Block, BlockReason
from staycore.availability.holds import HoldNotActiveError, HoldNotFoundError, HoldStatus
from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import NotAvailableError
from staycore.availability.nights import NightSelection
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.units import Unit, UnitTakenError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.testing.clock import FrozenClock

HORIZON = Stay.parse("2026-07-01/2026-07-15")
NIGHTS = list(HORIZON)


def _stays() -> st.SearchStrategy[Stay]:
    return st.tuples(st.integers(0, len(NIGHTS) - 1), st.integers(1, 5)).map(
        lambda pair: Stay.of_nights(NIGHTS[pair[0]], min(pair[1], len(NIGHTS) - pair[0]))
    )


class InventoryMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    blocks = Bundle("blocks")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock("2026-06-01T09:00:00Z")
        self.store = MemoryInventoryStore(self.clock)
        self.unit_type = UnitTypeId.new()
        self.store.open_calendar(self.unit_type, HORIZON)
        self.units = [
            Unit(id=UnitId.new(), unit_type=self.unit_type, name=str(n)) for n in (1, 2, 3)
        ]
        for unit in self.units:
            self.store.add_unit(unit)
        self.capacity = dict.fromkeys(NIGHTS, 0)
        self.allowance = dict.fromkeys(NIGHTS, 0)
        self.live_blocks: dict[BlockId, Block] = {}
        self.reserved: list[HoldId] = []

    # -- operations ------------------------------------------------------------------

    @rule(stay=_stays(), capacity=st.integers(0, 4))
    def set_capacity(self, stay: Stay, capacity: int) -> None:
        self.store.set_capacity(self.unit_type, NightSelection.of(stay), capacity)
        self.capacity.update(dict.fromkeys(stay, capacity))

    @rule(stay=_stays(), allowance=st.integers(0, 1))
    def set_allowance(self, stay: Stay, allowance: int) -> None:
        self.store.set_allowance(self.unit_type, NightSelection.of(stay), allowance)
        self.allowance.update(dict.fromkeys(stay, allowance))

    @rule(target=blocks, stay=_stays(), rooms=st.integers(1, 2))
    def block(self, stay: Stay, rooms: int) -> BlockId:
        block = Block(
            id=BlockId.new(),
            unit_type=self.unit_type,
            nights=stay,
            rooms=rooms,
            reason=BlockReason.OWNER_USE,
        )
        self.store.block(block)
        self.live_blocks[block.id] = block
        return block.id

    @rule(block_id=blocks)
    def unblock(self, block_id: BlockId) -> None:
        self.store.unblock(block_id)
        self.live_blocks.pop(block_id, None)

    @rule(target=holds, stay=_stays(), rooms=st.integers(1, 3), minutes=st.integers(1, 60))
    def reserve(self, stay: Stay, rooms: int, minutes: int) -> HoldId:
        # What is left once due holds expire, which the store does before deciding.
        self.store.expire_due()
        left = {night: self._available(night) for night in stay}
        request = StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=self.unit_type,
            stay=stay,
            rooms=rooms,
            owner=Identifier.new(),
            expires_at=self.clock.now().add(minutes=minutes),
        )
        short = {night for night in stay if left[night] < rooms}
        if short:
            with pytest.raises(NotAvailableError) as refused:
                self.store.reserve(request)
            assert {s.night for s in refused.value.shortfalls} == short
        else:
            assert self.store.reserve(request).status is HoldStatus.HELD
            self.reserved.append(request.hold_id)
        return request.hold_id

    @rule(hold_id=holds)
    def confirm(self, hold_id: HoldId) -> None:
        if hold_id not in self.reserved:
            with pytest.raises(HoldNotFoundError):
                self.store.confirm(hold_id)
            return
        before = self.store.hold(hold_id)
        try:
            after = self.store.confirm(hold_id)
        except HoldNotActiveError:
            assert before.status is not HoldStatus.CONFIRMED
            return
        assert after.status is HoldStatus.CONFIRMED

    @rule(hold_id=holds)
    def release(self, hold_id: HoldId) -> None:
        if hold_id not in self.reserved:
            with pytest.raises(HoldNotFoundError):
                self.store.release(hold_id)
            return
        assert not self.store.release(hold_id).status.takes_inventory

    @rule(hold_id=holds, first=st.integers(0, 2))
    def assign(self, hold_id: HoldId, first: int) -> None:
        if hold_id not in self.reserved:
            return
        hold = self.store.hold(hold_id)
        units = [self.units[(first + n) % 3].id for n in range(hold.rooms)]
        rack = self.store.rack(self.unit_type, hold.stay)
        in_the_way = {
            unit_id
            for unit_id in units
            for night in hold.stay
            if rack.occupant(unit_id, night) not in (None, hold_id)
        }
        lapsed = hold.status is HoldStatus.HELD and hold.expires_at <= self.clock.now()
        if lapsed or not hold.status.takes_inventory:
            with pytest.raises(HoldNotActiveError):
                self.store.assign(hold_id, units)
        elif in_the_way:
            with pytest.raises(UnitTakenError) as refused:
                self.store.assign(hold_id, units)
            assert {unit.id for unit, _, _ in refused.value.taken} == in_the_way
        else:
            assert self.store.assign(hold_id, units).units == tuple(units)

    @rule(minutes=st.integers(1, 45))
    def advance_clock(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def expire(self) -> None:
        for hold in self.store.expire_due():
            assert hold.status is HoldStatus.EXPIRED
            assert hold.expires_at <= self.clock.now()

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def counts_match_the_live_holds_and_blocks(self) -> None:
        held: Counter[dt.date] = Counter()
        sold: Counter[dt.date] = Counter()
        blocked: Counter[dt.date] = Counter()
        for hold in self._all_holds():
            if hold.status is HoldStatus.HELD:
                held.update(dict.fromkeys(hold.stay, hold.rooms))
            elif hold.status is HoldStatus.CONFIRMED:
                sold.update(dict.fromkeys(hold.stay, hold.rooms))
        for block in self.live_blocks.values():
            for night in block.nights:
                blocked[night] += block.rooms
        for counts in self.store.counts(self.unit_type, HORIZON):
            night = counts.night
            assert (counts.held, counts.sold, counts.blocked) == (
                held[night],
                sold[night],
                blocked[night],
            )
            assert counts.capacity == self.capacity[night]
            assert counts.allowance == self.allowance[night]
            assert counts.available >= 0

    @invariant()
    def units_hold_exactly_their_live_holds(self) -> None:
        rack = self.store.rack(self.unit_type, HORIZON)
        expected: dict[tuple[UnitId, dt.date], Identifier] = {}
        for hold in self._all_holds():
            if hold.status.takes_inventory:
                for unit_id in hold.units:
                    expected.update(dict.fromkeys(((unit_id, n) for n in hold.stay), hold.id))
        for unit in self.units:
            for night in NIGHTS:
                assert rack.occupant(unit.id, night) == expected.get((unit.id, night))

    # -- helpers ---------------------------------------------------------------------

    def _available(self, night: dt.date) -> int:
        (counts,) = self.store.counts(self.unit_type, Stay.of_nights(night, 1))
        return counts.available

    def _all_holds(self) -> list[StayHold]:
        return [self.store.hold(hold_id) for hold_id in self.reserved]


InventoryMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30)
TestInventoryMachine = InventoryMachine.TestCase
