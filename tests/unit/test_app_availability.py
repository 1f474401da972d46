"""The availability use cases: restrictions before holds, search kept in step, feeds applied."""

from __future__ import annotations

import datetime as dt

import pytest

from staycore.adapters.memory import MemoryInventoryStore, MemoryRestrictionStore
from staycore.app.availability import Availability
from staycore.availability.blocks import Block, BlockReason
from staycore.availability.external import EmptyFeedError, ExternalBooking
from staycore.availability.ids import BlockId, HoldId, PropertyId, UnitId, UnitTypeId
from staycore.availability.inventory import NotAvailableError
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import (
    InvalidRestrictionError,
    Restriction,
    StayRestrictedError,
)
from staycore.availability.search import Listing, SearchQuery
from staycore.availability.stay_holds import StayHoldRequest
from staycore.availability.units import Unit
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.testing.clock import FrozenClock
from staycore.testing.errors import assert_refused

SEASON = Stay.parse("2026-12-01/2027-03-01")
BOOKED_ON = dt.date(2026, 11, 22)
NEW_YEAR = Stay.parse("2026-12-30/2027-01-02")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock("2026-11-22T09:00:00Z")


@pytest.fixture
def inventory(clock: FrozenClock) -> MemoryInventoryStore:
    return MemoryInventoryStore(clock)


@pytest.fixture
def restrictions() -> MemoryRestrictionStore:
    return MemoryRestrictionStore()


@pytest.fixture
def nights(inventory: MemoryInventoryStore, restrictions: MemoryRestrictionStore) -> Availability:
    return Availability(inventory, restrictions, horizon=SEASON)


@pytest.fixture
def loft(nights: Availability) -> Listing:
    listing = Listing(PropertyId.new(), UnitTypeId.new(), "Loft", 2)
    nights.open_unit_type(listing, SEASON)
    nights.set_capacity(listing.unit_type, NightSelection.of(SEASON), 1)
    return listing


def _request(clock: FrozenClock, listing: Listing, stay: Stay = NEW_YEAR) -> StayHoldRequest:
    return StayHoldRequest(
        hold_id=HoldId.new(),
        unit_type=listing.unit_type,
        stay=stay,
        owner=Identifier.new(),
        expires_at=clock.now().add(minutes=15),
    )


def _bookable(nights: Availability, stay: Stay = NEW_YEAR) -> list[str]:
    query = SearchQuery(stay, guests=2, booked_on=BOOKED_ON)
    return [listing.name for listing in nights.search(query).bookable()]


# -- restrictions before holds ---------------------------------------------------------


def test_a_restricted_stay_is_refused_with_every_violation_and_nothing_is_held(
    nights: Availability, loft: Listing, clock: FrozenClock, inventory: MemoryInventoryStore
) -> None:
    nights.restrict(loft.unit_type, NightSelection.of(NEW_YEAR), min_stay_through=4)
    nights.restrict(
        loft.unit_type,
        NightSelection.between(dt.date(2027, 1, 2), dt.date(2027, 1, 3)),
        closed_to_departure=True,
    )
    refused = assert_refused(
        StayRestrictedError,
        "availability.stay_restricted",
        "departures are closed on 2027-01-02",
        lambda: nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON),
    )
    assert [v.restriction for v in refused.violations] == [
        Restriction.MIN_STAY_THROUGH,
        Restriction.MIN_STAY_THROUGH,
        Restriction.MIN_STAY_THROUGH,
        Restriction.CLOSED_TO_DEPARTURE,
    ]
    assert [c.held for c in inventory.counts(loft.unit_type, NEW_YEAR)] == [0, 0, 0]


def test_restrict_takes_the_keywords_of_the_calendar_and_refuses_unknown_ones(
    nights: Availability, loft: Listing
) -> None:
    nights.restrict(loft.unit_type, NightSelection.of(NEW_YEAR), stop_sell=True)
    assert _bookable(nights) == []
    assert_refused(
        InvalidRestrictionError,
        "availability.invalid_restriction",
        "unknown restrictions ['min_stay']",
        lambda: nights.restrict(loft.unit_type, NightSelection.of(NEW_YEAR), min_stay=3),
    )


def test_check_reads_the_departure_date_and_lead_time(nights: Availability, loft: Listing) -> None:
    nights.restrict(loft.unit_type, NightSelection.of(SEASON), min_lead_days=45)
    (violation,) = nights.check(loft.unit_type, NEW_YEAR, booked_on=BOOKED_ON)
    assert violation.restriction is Restriction.MIN_LEAD_DAYS
    assert nights.check(loft.unit_type, NEW_YEAR, booked_on=dt.date(2026, 11, 1)) == ()


# -- search kept in step ---------------------------------------------------------------


def test_search_follows_every_hold_change(
    nights: Availability, loft: Listing, clock: FrozenClock
) -> None:
    assert _bookable(nights) == ["Loft"]
    held = nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    assert _bookable(nights) == []
    nights.release(held.id)
    assert _bookable(nights) == ["Loft"]
    sold = nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    nights.confirm(sold.id)
    assert _bookable(nights) == []
    clock.advance(hours=1)
    assert nights.expire_due() == ()  # a sold hold does not expire
    assert _bookable(nights) == []


def test_search_follows_capacity_blocks_and_restrictions(
    nights: Availability, loft: Listing
) -> None:
    block = Block(
        id=BlockId.new(), unit_type=loft.unit_type, nights=NEW_YEAR, reason=BlockReason.OWNER_USE
    )
    nights.block(block)
    assert _bookable(nights) == []
    nights.unblock(block)
    assert _bookable(nights) == ["Loft"]
    nights.set_capacity(loft.unit_type, NightSelection.of(NEW_YEAR), 0)
    assert _bookable(nights) == []
    nights.set_allowance(loft.unit_type, NightSelection.of(NEW_YEAR), 1)
    assert _bookable(nights) == ["Loft"]
    nights.restrict(loft.unit_type, NightSelection.of(NEW_YEAR), closed_to_arrival=True)
    assert _bookable(nights) == []


def test_resync_reads_changes_made_by_another_process(
    nights: Availability,
    loft: Listing,
    clock: FrozenClock,
    inventory: MemoryInventoryStore,
) -> None:
    inventory.reserve(_request(clock, loft))  # not through the use cases
    assert _bookable(nights) == ["Loft"]  # search answers from its copy...
    with pytest.raises(NotAvailableError):  # ...and the store refuses the room
        nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    nights.resync(loft.unit_type)
    assert _bookable(nights) == []


def test_opening_a_listed_unit_type_again_keeps_its_calendar(
    nights: Availability, loft: Listing, clock: FrozenClock
) -> None:
    nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    nights.open_unit_type(loft, Stay.parse("2026-11-01/2027-06-01"))
    assert _bookable(nights) == []
    later = Stay.parse("2027-01-10/2027-01-12")
    assert _bookable(nights, later) == ["Loft"]


def test_assigned_units_follow_the_hold(
    nights: Availability, loft: Listing, clock: FrozenClock, inventory: MemoryInventoryStore
) -> None:
    room = Unit(id=UnitId.new(), unit_type=loft.unit_type, name="Loft")
    inventory.add_unit(room)
    hold = nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    assert nights.assign(hold.id, [room.id]).units == (room.id,)
    nights.release(hold.id)
    assert inventory.rack(loft.unit_type, NEW_YEAR).free(NEW_YEAR) == (room,)


# -- channel feeds ---------------------------------------------------------------------


def _event(uid: str, stay: str) -> ExternalBooking:
    return ExternalBooking(uid, Stay.parse(stay), "Reserved")


def test_importing_a_feed_blocks_moves_and_frees_nights_and_search_follows(
    nights: Availability, loft: Listing, inventory: MemoryInventoryStore
) -> None:
    first = nights.import_feed(
        "airbnb:loft", loft.unit_type, [_event("a", "2026-12-30/2027-01-02")], horizon=SEASON
    )
    assert len(first.add) == 1
    assert _bookable(nights) == []
    again = nights.import_feed(
        "airbnb:loft", loft.unit_type, [_event("a", "2026-12-30/2027-01-02")], horizon=SEASON
    )
    assert again.changes_nothing
    moved = nights.import_feed(
        "airbnb:loft", loft.unit_type, [_event("a", "2027-01-05/2027-01-07")], horizon=SEASON
    )
    assert len(moved.move) == 1
    assert _bookable(nights) == ["Loft"]
    assert _bookable(nights, Stay.parse("2027-01-05/2027-01-07")) == []
    blocked = [
        c.blocked for c in inventory.counts(loft.unit_type, Stay.parse("2027-01-04/2027-01-08"))
    ]
    assert blocked == [0, 1, 1, 0]


def test_an_empty_feed_is_refused_and_changes_nothing(nights: Availability, loft: Listing) -> None:
    nights.import_feed(
        "airbnb:loft", loft.unit_type, [_event("a", "2026-12-30/2027-01-02")], horizon=SEASON
    )
    with pytest.raises(EmptyFeedError):
        nights.import_feed("airbnb:loft", loft.unit_type, [], horizon=SEASON)
    assert _bookable(nights) == []
    nights.import_feed("airbnb:loft", loft.unit_type, [], horizon=SEASON, allow_empty=True)
    assert _bookable(nights) == ["Loft"]


def test_a_feed_event_on_a_confirmed_booking_is_blocked_and_reported(
    nights: Availability, loft: Listing, clock: FrozenClock
) -> None:
    nights.set_capacity(loft.unit_type, NightSelection.of(NEW_YEAR), 2)
    ours = nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    nights.confirm(ours.id)
    plan = nights.import_feed(
        "airbnb:loft", loft.unit_type, [_event("a", "2027-01-01/2027-01-03")], horizon=SEASON
    )
    (conflict,) = plan.conflicts
    assert conflict.booking == NEW_YEAR
    assert conflict.nights == Stay.parse("2027-01-01/2027-01-02")


def test_export_shows_confirmed_bookings_and_blocks_but_not_a_channels_own(
    nights: Availability, loft: Listing, clock: FrozenClock
) -> None:
    sold = nights.hold_stay(_request(clock, loft), booked_on=BOOKED_ON)
    nights.confirm(sold.id)
    nights.hold_stay(
        _request(clock, loft, Stay.parse("2027-02-01/2027-02-03")), booked_on=BOOKED_ON
    )
    nights.import_feed(
        "airbnb:loft", loft.unit_type, [_event("a", "2027-01-10/2027-01-12")], horizon=SEASON
    )
    entries = nights.export_entries(loft.unit_type, SEASON, uid_domain="villa.example")
    assert [(str(e.nights), e.summary) for e in entries] == [
        ("2026-12-30/2027-01-02", "Reserved"),
        ("2027-01-10/2027-01-12", "Not available"),
    ]
    for_airbnb = nights.export_entries(loft.unit_type, SEASON, for_feed="airbnb:loft")
    assert [str(e.nights) for e in for_airbnb] == ["2026-12-30/2027-01-02"]
    assert entries[0].uid == f"{sold.id}@villa.example"
