"""Search through the availability use cases always agrees with the stores.

A hypothesis rule-based state machine changes capacity, restrictions and blocks, holds,
confirms and releases stays, and lets holds expire, all through
:class:`~staycore.app.availability.Availability`. After any sequence, a search answers
exactly what checking the stores night by night answers: the index the use cases keep
never lags behind a change they made, and a stay refused for restrictions took nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from staycore.adapters.memory import MemoryInventoryStore, MemoryRestrictionStore
from staycore.app.availability import Availability
from staycore.availability.blocks import Block, BlockReason
from staycore.availability.holds import HoldNotActiveError, HoldNotFoundError
from staycore.availability.ids import BlockId, HoldId, PropertyId, UnitTypeId
from staycore.availability.inventory import NotAvailableError
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import StayRestrictedError
from staycore.availability.search import Listing, SearchQuery
from staycore.availability.stay_holds import StayHoldRequest
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.testing.clock import FrozenClock

HORIZON = Stay.parse("2026-07-01/2026-07-15")
NIGHTS = list(HORIZON)
BOOKED_ON = dt.date(2026, 6, 25)


def _stays() -> st.SearchStrategy[Stay]:
    return st.tuples(st.integers(0, len(NIGHTS) - 1), st.integers(1, 5)).map(
        lambda pair: Stay.of_nights(NIGHTS[pair[0]], min(pair[1], len(NIGHTS) - pair[0]))
    )


_RULES = st.one_of(
    st.fixed_dictionaries({"stop_sell": st.booleans()}),
    st.fixed_dictionaries({"closed_to_arrival": st.booleans()}),
    st.fixed_dictionaries({"closed_to_departure": st.booleans()}),
    st.fixed_dictionaries({"min_stay_arrival": st.integers(0, 3)}),
    st.fixed_dictionaries({"min_stay_through": st.integers(0, 4)}),
    st.fixed_dictionaries({"min_lead_days": st.integers(0, 12)}),
)


class AvailabilityMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    blocks = Bundle("blocks")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock("2026-06-25T09:00:00Z")
        self.inventory = MemoryInventoryStore(self.clock)
        self.nights = Availability(self.inventory, MemoryRestrictionStore(), horizon=HORIZON)
        place = PropertyId.new()
        self.listings = [
            Listing(place, UnitTypeId.new(), f"type {n}", guests) for n, guests in enumerate((2, 4))
        ]
        for listing in self.listings:
            self.nights.open_unit_type(listing, HORIZON)
            self.nights.set_capacity(listing.unit_type, NightSelection.of(HORIZON), 2)

    @rule(which=st.integers(0, 1), stay=_stays(), capacity=st.integers(0, 3))
    def set_capacity(self, which: int, stay: Stay, capacity: int) -> None:
        unit_type = self.listings[which].unit_type
        self.nights.set_capacity(unit_type, NightSelection.of(stay), capacity)

    @rule(which=st.integers(0, 1), stay=_stays(), changes=_RULES)
    def restrict(self, which: int, stay: Stay, changes: dict[str, int | bool]) -> None:
        self.nights.restrict(self.listings[which].unit_type, NightSelection.of(stay), **changes)

    @rule(target=blocks, which=st.integers(0, 1), stay=_stays())
    def block(self, which: int, stay: Stay) -> Block:
        block = Block(
            id=BlockId.new(),
            unit_type=self.listings[which].unit_type,
            nights=stay,
            reason=BlockReason.MAINTENANCE,
        )
        self.nights.block(block)
        return block

    @rule(block=blocks)
    def unblock(self, block: Block) -> None:
        self.nights.unblock(block)

    @rule(target=holds, which=st.integers(0, 1), stay=_stays(), rooms=st.integers(1, 2))
    def hold(self, which: int, stay: Stay, rooms: int) -> HoldId:
        unit_type = self.listings[which].unit_type
        request = StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=unit_type,
            stay=stay,
            rooms=rooms,
            owner=Identifier.new(),
            expires_at=self.clock.now().add(minutes=15),
        )
        self.nights.expire_due()  # what hold_stay does first, so "before" is comparable
        before = self.inventory.counts(unit_type, stay)
        try:
            self.nights.hold_stay(request, booked_on=BOOKED_ON)
        except (StayRestrictedError, NotAvailableError):
            assert self.inventory.counts(unit_type, stay) == before  # nothing was taken
        return request.hold_id

    @rule(hold_id=holds, action=st.sampled_from(["confirm", "release", "extend"]))
    def settle(self, hold_id: HoldId, action: str) -> None:
        try:
            self.inventory.hold(hold_id)
        except HoldNotFoundError:  # the hold was refused, so never stored
            return
        with contextlib.suppress(HoldNotActiveError):  # it lapsed, or was settled before
            if action == "confirm":
                self.nights.confirm(hold_id)
            elif action == "release":
                self.nights.release(hold_id)
            else:
                self.nights.extend(hold_id, self.clock.now().add(minutes=10))

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def sweep(self) -> None:
        for hold in self.nights.expire_due():
            assert hold.expires_at <= self.clock.now()

    @invariant()
    def the_index_copies_equal_the_stores(self) -> None:
        for listing in self.listings:
            copy = self.nights.index.inventory(listing.unit_type)
            stored = self.inventory.calendar(listing.unit_type, HORIZON)
            assert copy.availability(HORIZON) == stored.availability(HORIZON)

    @invariant()
    def search_agrees_with_the_stores(self) -> None:
        stays = [Stay.of_nights(night, length) for night in NIGHTS[:-2] for length in (1, 2)]
        for stay in (*stays, Stay.parse("2026-07-08/2026-07-13")):
            for guests in (2, 3):
                query = SearchQuery(stay, guests=guests, booked_on=BOOKED_ON)
                found = [listing.name for listing in self.nights.search(query).bookable()]
                assert found == [listing.name for listing in self._oracle(query)], query

    def _oracle(self, query: SearchQuery) -> list[Listing]:
        """The listings that can take ``query``, read from the stores night by night."""
        return [
            listing
            for listing in self.listings
            if listing.max_guests >= query.guests
            and not self.inventory.calendar(listing.unit_type, query.stay).shortfalls(
                query.stay, query.rooms
            )
            and not self.nights.check(listing.unit_type, query.stay, booked_on=query.booked_on)
        ]


AvailabilityMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25)
TestAvailabilityMachine = AvailabilityMachine.TestCase


def test_the_oracle_sees_a_hold() -> None:
    """The oracle itself is not blind: a hold of the last room takes the listing away."""
    machine = AvailabilityMachine()
    machine.set_capacity(0, HORIZON, 1)
    query = SearchQuery(Stay.parse("2026-07-02/2026-07-04"), guests=2, booked_on=BOOKED_ON)
    assert [listing.name for listing in machine._oracle(query)] == ["type 0", "type 1"]
    machine.hold(0, query.stay, 1)
    assert [listing.name for listing in machine._oracle(query)] == ["type 1"]
    machine.search_agrees_with_the_stores()
    with pytest.raises(NotAvailableError):
        machine.inventory.reserve(
            StayHoldRequest(
                hold_id=HoldId.new(),
                unit_type=machine.listings[0].unit_type,
                stay=query.stay,
                owner=Identifier.new(),
                expires_at=machine.clock.now().add(minutes=15),
            )
        )
