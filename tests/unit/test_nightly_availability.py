"""Night selections, inventory calendars, restrictions and the hold lifecycle."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pendulum
import pytest

from staycore.availability.blocks import Block, BlockReason, InvalidBlockError
from staycore.availability.holds import (
    HOLD_LIFECYCLE,
    HoldAction,
    HoldNotActiveError,
    HoldStatus,
    next_status,
)
from staycore.availability.ids import BlockId, HoldId, PropertyId, UnitTypeId
from staycore.availability.inventory import (
    MAX_ROOMS,
    Count,
    InvalidCapacityError,
    InventoryCalendar,
    NightOutsideCalendarError,
)
from staycore.availability.nights import InvalidSelectionError, NightSelection
from staycore.availability.restrictions import (
    ContradictoryRestrictionsError,
    InvalidRestrictionError,
    Restriction,
    RestrictionCalendar,
)
from staycore.availability.search import InvalidSearchError, Listing, PortfolioIndex, SearchQuery
from staycore.availability.stay_holds import StayHoldRequest
from staycore.availability.units import UnitNotFoundError, UnitRack
from staycore.kernel.errors import InvalidIdentifierError, InvalidStayError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.testing.errors import assert_refused

HORIZON = Stay.parse("2026-07-01/2026-08-01")
BOOKED_ON = dt.date(2026, 6, 1)


def _bad(value: object) -> Any:
    return value


def _calendar(capacity: int = 2) -> InventoryCalendar:
    inventory = InventoryCalendar(UnitTypeId.new(), HORIZON)
    inventory.set_capacity(NightSelection.of(HORIZON), capacity)
    return inventory


# -- night selections ------------------------------------------------------------------


def test_weekday_patterns_select_only_those_weekdays() -> None:
    fridays = NightSelection.between(
        dt.date(2026, 7, 1), dt.date(2026, 8, 1), weekdays={calendar.FRIDAY}
    )
    assert [night.day for night in fridays] == [3, 10, 17, 24, 31]
    assert str(fridays) == "2026-07-01/2026-08-01 (Fri)"


@pytest.mark.parametrize("weekdays", [{7}, {-1}, set(), {True}])
def test_impossible_weekdays_are_refused(weekdays: set[int]) -> None:
    assert_refused(
        InvalidSelectionError,
        "availability.invalid_selection",
        "0 (Monday) to 6 (Sunday)",
        lambda: NightSelection(HORIZON, weekdays),
    )


def test_a_pattern_that_selects_nothing_is_refused() -> None:
    assert_refused(
        InvalidSelectionError,
        "availability.invalid_selection",
        "has no Sunday",
        lambda: NightSelection(Stay.parse("2026-07-01/2026-07-03"), {calendar.SUNDAY}),
    )


# -- inventory calendars ---------------------------------------------------------------


def test_available_is_capacity_plus_allowance_minus_everything_taken() -> None:
    inventory = _calendar(capacity=3)
    stay = Stay.parse("2026-07-10/2026-07-11")
    inventory.set_allowance(NightSelection.of(stay), 1)
    inventory.take(stay, 1, Count.SOLD)
    inventory.take(stay, 1, Count.HELD)
    inventory.take(stay, 1, Count.BLOCKED)
    assert inventory.available(dt.date(2026, 7, 10)) == 1
    inventory.take(stay, 5, Count.BLOCKED)  # blocks take rooms that are not there
    assert inventory.available(dt.date(2026, 7, 10)) == 0
    counts = inventory.counts(dt.date(2026, 7, 10))
    assert (counts.capacity, counts.allowance, counts.blocked, counts.available) == (3, 1, 6, 0)


def test_bulk_capacity_by_weekday_leaves_other_nights_alone() -> None:
    inventory = _calendar(capacity=2)
    weekends = NightSelection(HORIZON, {calendar.FRIDAY, calendar.SATURDAY})
    inventory.set_capacity(weekends, 3)
    assert inventory.available(dt.date(2026, 7, 3)) == 3  # a Friday
    assert inventory.available(dt.date(2026, 7, 5)) == 2  # a Sunday


@pytest.mark.parametrize("capacity", [-1, _bad("3"), _bad(2.5), _bad(True)])
def test_bad_capacities_are_refused_and_change_nothing(capacity: Any) -> None:
    inventory = _calendar(capacity=2)
    assert_refused(
        InvalidCapacityError,
        "availability.invalid_capacity",
        "whole number of rooms",
        lambda: inventory.set_capacity(NightSelection.of(HORIZON), capacity),
    )
    assert inventory.available(dt.date(2026, 7, 1)) == 2


def test_a_selection_reaching_outside_the_calendar_changes_nothing() -> None:
    inventory = _calendar(capacity=2)
    assert_refused(
        NightOutsideCalendarError,
        "availability.outside_calendar",
        "open the calendar over that night first",
        lambda: inventory.set_capacity(
            NightSelection.between(dt.date(2026, 7, 30), dt.date(2026, 8, 2)), 5
        ),
    )
    assert inventory.available(dt.date(2026, 7, 30)) == 2


def test_giving_back_more_than_was_taken_is_refused_whole() -> None:
    inventory = _calendar()
    inventory.take(Stay.parse("2026-07-10/2026-07-11"), 1, Count.HELD)
    assert_refused(
        InvalidCapacityError,
        "availability.invalid_capacity",
        "cannot give back 1 held rooms on 2026-07-11",
        lambda: inventory.give_back(Stay.parse("2026-07-10/2026-07-12"), 1, Count.HELD),
    )
    assert inventory.counts(dt.date(2026, 7, 10)).held == 1


# -- restrictions ----------------------------------------------------------------------


def _rules() -> RestrictionCalendar:
    return RestrictionCalendar(HORIZON)


def test_every_violation_is_reported_with_its_night() -> None:
    rules = _rules()
    stay = Stay.parse("2026-07-10/2026-07-12")
    rules.restrict(NightSelection.of(stay), stop_sell=True)
    rules.restrict(NightSelection.of(Stay.of_nights(stay.check_in, 1)), closed_to_arrival=True)
    rules.restrict(NightSelection.of(Stay.of_nights(stay.check_out, 1)), closed_to_departure=True)
    rules.restrict(NightSelection.of(Stay.of_nights(stay.check_in, 1)), min_stay_arrival=3)
    found = [(v.night.day, v.restriction) for v in rules.check(stay, booked_on=BOOKED_ON)]
    assert found == [
        (10, Restriction.CLOSED_TO_ARRIVAL),
        (10, Restriction.MIN_STAY_ARRIVAL),
        (10, Restriction.STOP_SELL),
        (11, Restriction.STOP_SELL),
        (12, Restriction.CLOSED_TO_DEPARTURE),
    ]


def test_setting_one_restriction_never_resets_another() -> None:
    rules = _rules()
    july = NightSelection.of(HORIZON)
    rules.restrict(july, min_stay_arrival=2, closed_to_arrival=True)
    rules.restrict(july, max_stay_arrival=7)
    assert rules.on(dt.date(2026, 7, 5)) == {
        Restriction.CLOSED_TO_ARRIVAL: 1,
        Restriction.MIN_STAY_ARRIVAL: 2,
        Restriction.MAX_STAY_ARRIVAL: 7,
    }
    rules.restrict(july, closed_to_arrival=False, min_stay_arrival=0)
    assert rules.on(dt.date(2026, 7, 5)) == {Restriction.MAX_STAY_ARRIVAL: 7}


def test_length_of_stay_rules_read_arrival_and_through_nights() -> None:
    rules = _rules()
    rules.restrict(
        NightSelection.between(dt.date(2026, 7, 3), dt.date(2026, 7, 5)), max_stay_arrival=3
    )
    rules.restrict(
        NightSelection.between(dt.date(2026, 7, 20), dt.date(2026, 7, 21)), min_stay_through=4
    )
    long_arrival = Stay.parse("2026-07-03/2026-07-08")
    assert [v.restriction for v in rules.check(long_arrival, booked_on=BOOKED_ON)] == [
        Restriction.MAX_STAY_ARRIVAL
    ]
    through = Stay.parse("2026-07-19/2026-07-22")  # 3 nights, through the 20th
    (violation,) = rules.check(through, booked_on=BOOKED_ON)
    assert (violation.night, violation.restriction) == (
        dt.date(2026, 7, 20),
        Restriction.MIN_STAY_THROUGH,
    )
    assert "at least 4 nights, not 3" in violation.reason
    assert rules.check(Stay.parse("2026-07-18/2026-07-22"), booked_on=BOOKED_ON) == ()


def test_lead_time_counts_days_from_the_booking_date() -> None:
    rules = _rules()
    rules.restrict(NightSelection.of(HORIZON), min_lead_days=3, max_lead_days=30)
    stay = Stay.parse("2026-07-10/2026-07-12")
    assert rules.check(stay, booked_on=dt.date(2026, 7, 7)) == ()
    (too_late,) = rules.check(stay, booked_on=dt.date(2026, 7, 8))
    assert too_late.restriction is Restriction.MIN_LEAD_DAYS
    (too_early,) = rules.check(stay, booked_on=dt.date(2026, 6, 9))
    assert too_early.restriction is Restriction.MAX_LEAD_DAYS
    (past,) = rules.check(stay, booked_on=dt.date(2026, 7, 11))
    assert "before the booking date" in past.reason


def test_contradicting_restrictions_are_refused_and_nothing_changes() -> None:
    rules = _rules()
    week = NightSelection.between(dt.date(2026, 7, 1), dt.date(2026, 7, 8))
    rules.restrict(week, max_stay_arrival=5)
    assert_refused(
        ContradictoryRestrictionsError,
        "availability.contradictory_restrictions",
        "min_stay_arrival 6 would exceed max_stay_arrival 5",
        lambda: rules.restrict(NightSelection.of(HORIZON), min_stay_arrival=6, stop_sell=True),
    )
    assert rules.on(dt.date(2026, 7, 10)) == {}
    assert_refused(
        ContradictoryRestrictionsError,
        "availability.contradictory_restrictions",
        "min_lead_days 10 would exceed max_lead_days 2",
        lambda: rules.restrict(week, min_lead_days=10, max_lead_days=2),
    )


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"stop_sell": 1}, "stop_sell is True or False"),
        ({"min_stay_arrival": -1}, "whole number of days, 0 for no limit"),
        ({"max_lead_days": True}, "whole number of days, 0 for no limit"),
    ],
)
def test_bad_restriction_values_are_refused(changes: dict[str, Any], says: str) -> None:
    rules = _rules()
    assert_refused(
        InvalidRestrictionError,
        "availability.invalid_restriction",
        says,
        lambda: rules.restrict(NightSelection.of(HORIZON), **changes),
    )


def test_restrictions_outside_the_calendar_are_refused() -> None:
    assert_refused(
        InvalidRestrictionError,
        "availability.invalid_restriction",
        "outside the restriction calendar",
        lambda: _rules().restrict(
            NightSelection.of(Stay.parse("2026-08-01/2026-08-02")), stop_sell=True
        ),
    )


# -- holds and blocks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (HoldStatus.HELD, HoldAction.CONFIRM, HoldStatus.CONFIRMED),
        (HoldStatus.CONFIRMED, HoldAction.CONFIRM, HoldStatus.CONFIRMED),
        (HoldStatus.CONFIRMED, HoldAction.RELEASE, HoldStatus.RELEASED),
        (HoldStatus.RELEASED, HoldAction.RELEASE, HoldStatus.RELEASED),
        (HoldStatus.EXPIRED, HoldAction.EXPIRE, HoldStatus.EXPIRED),
        (HoldStatus.CONFIRMED, HoldAction.EXPIRE, HoldStatus.CONFIRMED),
        (HoldStatus.HELD, HoldAction.EXTEND, HoldStatus.HELD),
    ],
)
def test_hold_actions_are_idempotent(
    status: HoldStatus, action: HoldAction, after: HoldStatus
) -> None:
    assert next_status(status, action) is after


@pytest.mark.parametrize("status", [HoldStatus.RELEASED, HoldStatus.EXPIRED])
@pytest.mark.parametrize("action", [HoldAction.CONFIRM, HoldAction.EXTEND])
def test_a_dead_hold_cannot_be_confirmed_or_extended(
    status: HoldStatus, action: HoldAction
) -> None:
    assert_refused(
        HoldNotActiveError,
        "availability.hold_not_active",
        "reserve the inventory again",
        lambda: next_status(status, action),
    )
    assert_refused(
        HoldNotActiveError,
        "availability.hold_not_active",
        f"cannot {action.value} a hold that is {status.value}",
        lambda: next_status(status, action),
    )


def test_the_hold_lifecycle_diagram_names_every_edge() -> None:
    diagram = HOLD_LIFECYCLE.to_mermaid()
    assert "HELD --> CONFIRMED: CONFIRM" in diagram
    assert "CONFIRMED --> RELEASED: RELEASE" in diagram


@pytest.mark.parametrize("rooms", [0, -1, _bad("1")])
def test_a_hold_request_needs_rooms(rooms: Any) -> None:
    assert_refused(
        InvalidCapacityError,
        "availability.invalid_capacity",
        "at least 1",
        lambda: StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=UnitTypeId.new(),
            stay=Stay.parse("2026-07-10/2026-07-12"),
            rooms=rooms,
            owner=Identifier.new(),
            expires_at=pendulum.datetime(2026, 7, 1, tz="UTC"),
        ),
    )


def test_blocks_need_rooms_and_imported_ones_their_source() -> None:
    nights = Stay.parse("2026-07-10/2026-07-12")
    assert_refused(
        InvalidBlockError,
        "availability.invalid_block",
        "at least 1",
        lambda: Block(
            id=BlockId.new(),
            unit_type=UnitTypeId.new(),
            nights=nights,
            reason=BlockReason.MAINTENANCE,
            rooms=0,
        ),
    )
    assert_refused(
        InvalidBlockError,
        "availability.invalid_block",
        "needs its source",
        lambda: Block(
            id=BlockId.new(),
            unit_type=UnitTypeId.new(),
            nights=nights,
            reason=BlockReason.EXTERNAL_BOOKING,
        ),
    )


# -- hostile input (found by tests/fuzz) ------------------------------------------------

_NIGHTS = Stay.parse("2026-07-10/2026-07-12")


def _hold_request(**changes: Any) -> StayHoldRequest:
    fields: dict[str, Any] = {
        "hold_id": HoldId.new(),
        "unit_type": UnitTypeId.new(),
        "stay": _NIGHTS,
        "owner": Identifier.new(),
        "expires_at": pendulum.datetime(2026, 6, 1, 12, tz="UTC"),
    }
    return StayHoldRequest(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"hold_id": None}, InvalidIdentifierError),
        ({"hold_id": [1]}, InvalidIdentifierError),
        ({"unit_type": "ut_nope"}, InvalidIdentifierError),
        ({"owner": 42}, InvalidIdentifierError),
        ({"stay": "2026-07-10/2026-07-12"}, InvalidStayError),
        ({"rooms": MAX_ROOMS + 1}, InvalidCapacityError),
    ],
)
def test_a_hold_request_of_the_wrong_types_is_refused(
    changes: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        _hold_request(**changes)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"id": None}, InvalidIdentifierError),
        ({"unit_type": [1]}, InvalidIdentifierError),
        ({"unit": 7}, InvalidIdentifierError),
        ({"nights": None}, InvalidBlockError),
        ({"reason": "maintenance"}, InvalidBlockError),
        ({"rooms": 10**400}, InvalidBlockError),
    ],
)
def test_a_block_of_the_wrong_types_is_refused(
    changes: dict[str, Any], error: type[Exception]
) -> None:
    fields: dict[str, Any] = {
        "id": BlockId.new(),
        "unit_type": UnitTypeId.new(),
        "nights": _NIGHTS,
        "reason": BlockReason.MAINTENANCE,
    }
    with pytest.raises(error):
        Block(**(fields | changes))


@pytest.mark.parametrize("span", [None, [], "2026-07-10/2026-07-12"])
def test_a_night_selection_spans_a_stay(span: Any) -> None:
    assert_refused(
        InvalidSelectionError,
        "availability.invalid_selection",
        "spans a Stay",
        lambda: NightSelection(span),
    )


def test_counts_above_the_most_rooms_are_refused_not_overflowed() -> None:
    calendar = InventoryCalendar(UnitTypeId.new(), _NIGHTS)
    assert_refused(
        InvalidCapacityError,
        "availability.invalid_capacity",
        "at most 1,000,000",
        lambda: calendar.set_capacity(NightSelection.of(_NIGHTS), 10**400),
    )
    calendar.set_capacity(NightSelection.of(_NIGHTS), MAX_ROOMS)
    assert calendar.counts(_NIGHTS.check_in).capacity == MAX_ROOMS


def test_a_calendar_covers_a_stay() -> None:
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "covers a Stay",
        lambda: InventoryCalendar(UnitTypeId.new(), None),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"max_guests": None}, "sleeps a whole number"),
        ({"max_guests": float("nan")}, "sleeps a whole number"),
        ({"name": b"Loft"}, "name is text"),
    ],
)
def test_a_listing_of_the_wrong_types_is_refused(fields: dict[str, Any], says: str) -> None:
    # Found by the fuzz suite: a listing sleeping None was accepted, and every search
    # after it failed with TypeError.
    valid: dict[str, Any] = {
        "property_id": PropertyId.new(),
        "unit_type": UnitTypeId.new(),
        "name": "Loft",
        "max_guests": 2,
    }
    assert_refused(
        InvalidSearchError, "availability.invalid_search", says, lambda: Listing(**(valid | fields))
    )
    with pytest.raises(InvalidIdentifierError):
        Listing(**(valid | {"unit_type": None}))


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"stay": None}, "is for a Stay"),
        ({"booked_on": None}, "booked_on is a calendar date"),
        ({"booked_on": dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)}, "booked_on is a calendar date"),
    ],
)
def test_a_search_query_of_the_wrong_types_is_refused(fields: dict[str, Any], says: str) -> None:
    valid: dict[str, Any] = {"stay": _NIGHTS, "guests": 2, "booked_on": dt.date(2026, 6, 1)}
    assert_refused(
        InvalidSearchError,
        "availability.invalid_search",
        says,
        lambda: SearchQuery(**(valid | fields)),
    )


def test_the_index_searches_queries_and_knows_no_unhashable_unit_type() -> None:
    index = PortfolioIndex(_NIGHTS)
    assert [1] not in index
    assert_refused(
        InvalidSearchError,
        "availability.invalid_search",
        "takes a SearchQuery",
        lambda: index.search(None),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("unit_id", [[1], {}, None])
def test_a_rack_knows_no_unit_by_an_id_that_is_not_text(unit_id: Any) -> None:
    rack = UnitRack(UnitTypeId.new(), _NIGHTS)
    assert_refused(
        UnitNotFoundError,
        "availability.unit_not_found",
        "add() it first",
        lambda: rack.unit(unit_id),
    )
