"""Free slots and slot checks: what is listed, what is refused, and what the refusal says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
import pytest

from staycore.availability.appointments import (
    NEAREST_SEARCH_DAYS,
    FreeSlot,
    InvalidPlacesError,
    MisalignedSlotError,
    OutsideWorkingHoursError,
    SlotFullError,
    SlotHoldRequest,
    SlotNotOfferedError,
    check_slot,
    free_slots,
    remaining_places,
)
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.schedule import Resource, ScheduleException, WorkingHours
from staycore.kernel.errors import InvalidIdentifierError, InvalidSlotError, NaiveDatetimeError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Slot
from staycore.testing.errors import assert_refused

MONDAY = dt.date(2026, 5, 4)
TAIPEI = "Asia/Taipei"


def _bad(value: object) -> Any:
    """A value of the wrong type, as untyped callers and JSON pass them."""
    return value


def at(day: dt.date, hour: int, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=TAIPEI)


def slot(day: dt.date, hour: int, minute: int = 0, minutes: int = 60) -> Slot:
    return Slot.starting(at(day, hour, minute), minutes=minutes)


def resource(capacity: int = 1, **changes: Any) -> Resource:
    fields: dict[str, Any] = {
        "id": ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        "name": "Mei",
        "timezone": TAIPEI,
        "hours": WorkingHours.weekly({"mon-fri": "09:00-12:00, 13:00-18:00"}),
        "slot_minutes": 60,
        "buffer_minutes": 15,
        "capacity": capacity,
    }
    return Resource(**(fields | changes))


def starts(listed: tuple[FreeSlot, ...]) -> list[tuple[str, int]]:
    return [(f"{free.slot.start:%a %H:%M}", free.remaining) for free in listed]


# -- listing ---------------------------------------------------------------------------


def test_every_slot_is_free_when_nothing_is_taken() -> None:
    listed = free_slots(resource(capacity=6), MONDAY, taken={})
    assert [free.remaining for free in listed] == [6] * 6
    assert [free.slot for free in listed] == list(resource().slots_on(MONDAY))


def test_full_slots_are_left_out_and_the_rest_show_what_remains() -> None:
    taken = {slot(MONDAY, 9): 6, slot(MONDAY, 10, 15): 4}
    listed = free_slots(resource(capacity=6), MONDAY, taken=taken)
    assert starts(listed)[:2] == [("Mon 10:15", 2), ("Mon 13:00", 6)]
    assert len(listed) == 5


def test_a_party_sees_only_slots_with_room_for_all_of_it() -> None:
    taken = {slot(MONDAY, 9): 4, slot(MONDAY, 10, 15): 3}
    listed = free_slots(resource(capacity=6), MONDAY, taken=taken, places=3)
    assert starts(listed)[:2] == [("Mon 10:15", 3), ("Mon 13:00", 6)]


def test_a_range_lists_every_day_and_not_before_hides_what_has_begun() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    listed = free_slots(resource(), MONDAY, tuesday, taken={}, not_before=at(MONDAY, 16))
    assert starts(listed) == [("Mon 16:45", 1)] + [
        (f"Tue {hhmm}", 1) for hhmm in ("09:00", "10:15", "13:00", "14:15", "15:30", "16:45")
    ]
    from_utc = free_slots(resource(), MONDAY, taken={}, not_before=at(MONDAY, 16).in_tz("UTC"))
    assert from_utc == listed[:1]


def test_places_already_taken_elsewhere_do_not_count() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    listed = free_slots(resource(), MONDAY, taken={slot(tuesday, 9): 1, slot(MONDAY, 9): 0})
    assert len(listed) == 6


def test_listing_refuses_bad_input() -> None:
    assert_refused(
        InvalidPlacesError,
        "availability.invalid_places",
        "at least 1 (one per client)",
        lambda: free_slots(resource(), MONDAY, taken={}, places=0),
    )
    assert_refused(
        NaiveDatetimeError,
        "time.naive_datetime",
        "not_before",
        lambda: free_slots(
            resource(),
            MONDAY,
            taken={},
            not_before=dt.datetime(2026, 5, 4, 9),  # noqa: DTZ001 - the point of the test
        ),
    )


# -- capacity at once ------------------------------------------------------------------


def test_places_in_an_overlapping_older_slot_count_against_a_new_one() -> None:
    old_nine = slot(MONDAY, 9)  # booked when slots were 60 minutes
    shorter = resource(slot_minutes=45, buffer_minutes=0)
    taken = {old_nine: 1}
    assert starts(free_slots(shorter, MONDAY, taken=taken))[:2] == [
        ("Mon 10:30", 1),
        ("Mon 11:15", 1),
    ]
    assert remaining_places(shorter, slot(MONDAY, 9, 45, minutes=45), taken) == 0


def test_capacity_counts_the_most_taken_at_one_moment() -> None:
    longer = resource(capacity=3, slot_minutes=90, buffer_minutes=0)
    taken = {slot(MONDAY, 9, minutes=45): 2, slot(MONDAY, 9, 45, minutes=45): 2}
    assert remaining_places(longer, slot(MONDAY, 9, minutes=90), taken) == 1
    overlapping = {slot(MONDAY, 9, minutes=45): 2, slot(MONDAY, 9, 30, minutes=45): 2}
    assert remaining_places(longer, slot(MONDAY, 9, minutes=90), overlapping) == 0


def test_remaining_places_never_go_below_zero() -> None:
    # Capacity lowered after six places were sold: the slot is full, not at minus five.
    assert remaining_places(resource(capacity=1), slot(MONDAY, 9), {slot(MONDAY, 9): 6}) == 0


# -- checking a slot -------------------------------------------------------------------


def test_an_offered_slot_is_returned_in_the_resources_zone_with_its_places() -> None:
    asked = slot(MONDAY, 10, 15)
    in_utc = Slot(asked.start.in_tz("UTC"), asked.end.in_tz("UTC"))
    checked = check_slot(resource(capacity=6), in_utc, taken={asked: 2}, places=4)
    assert checked == FreeSlot(asked, 4)
    assert checked.slot.start.isoformat() == "2026-05-04T10:15:00+08:00"


@pytest.mark.parametrize(
    ("asked", "nearest"),
    [
        (slot(MONDAY, 10), ["09:00", "10:15"]),  # starts off the grid
        (slot(MONDAY, 9, minutes=90), ["09:00", "10:15"]),  # right start, wrong length
        (slot(MONDAY, 9, 30, minutes=30), ["09:00", "10:15"]),
    ],
)
def test_a_slot_off_the_grid_names_the_nearest_slots(asked: Slot, nearest: list[str]) -> None:
    error = assert_refused(
        MisalignedSlotError,
        "availability.slot_not_aligned",
        "its slots last 60 minutes and start every 75 minutes from when it opens (09:00, 13:00)",
        lambda: check_slot(resource(), asked, taken={}),
    )
    assert [f"{s.start:%H:%M}" for s in error.nearest] == nearest
    assert "the nearest are Mon 2026-05-04 09:00-10:00 (Asia/Taipei) and" in error.message
    assert error.slot == asked


@pytest.mark.parametrize(
    ("asked", "nearest"),
    [
        (slot(MONDAY, 8), ["09:00", "10:15"]),  # before opening
        (slot(MONDAY, 11, 30), ["10:15", "13:00"]),  # into lunch
        (slot(MONDAY, 17, 30), ["15:30", "16:45"]),  # past closing
    ],
)
def test_a_slot_outside_the_hours_says_what_they_are(asked: Slot, nearest: list[str]) -> None:
    error = assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "it works 09:00-12:00, 13:00-18:00 on Mon 2026-05-04, and a slot must fit within",
        lambda: check_slot(resource(), asked, taken={}),
    )
    assert [f"{s.start:%H:%M}" for s in error.nearest] == nearest
    assert isinstance(error, SlotNotOfferedError)


def test_a_refusal_names_the_nearest_slots_in_the_resources_zone() -> None:
    lunch = slot(MONDAY, 11, 30)
    in_utc = Slot(lunch.start.in_tz("UTC"), lunch.end.in_tz("UTC"))
    assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "Mei offers no slot Mon 2026-05-04 11:30-12:30 (Asia/Taipei): it works",
        lambda: check_slot(resource(), in_utc, taken={}),
    )
    assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "book one of its slots instead; the nearest are Mon 2026-05-04 10:15-11:15 "
        "(Asia/Taipei) and Mon 2026-05-04 13:00-14:00 (Asia/Taipei)",
        lambda: check_slot(resource(), in_utc, taken={}),
    )


def test_a_day_off_and_a_closed_day_say_so_and_look_to_other_days() -> None:
    sunday = MONDAY - dt.timedelta(days=1)
    error = assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "it does not work on Sundays",
        lambda: check_slot(resource(), slot(sunday, 10), taken={}),
    )
    assert [f"{s.start:%a %H:%M}" for s in error.nearest] == ["Mon 09:00", "Mon 10:15"]
    holiday = resource().with_exception(ScheduleException(day=MONDAY, note="Labour Day"))
    assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "it is closed on 2026-05-04 (Labour Day)",
        lambda: check_slot(holiday, slot(MONDAY, 9), taken={}),
    )
    short = resource().with_exception(
        ScheduleException(day=MONDAY, hours="10:00-11:00", note="team meeting")
    )
    assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "it works 10:00-11:00 on Mon 2026-05-04 (team meeting)",
        lambda: check_slot(short, slot(MONDAY, 9), taken={}),
    )


def test_a_resource_with_no_slots_nearby_says_so() -> None:
    closed = resource(hours=WorkingHours.weekly({}))
    error = assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        f"it offers no slot within {NEAREST_SEARCH_DAYS} days of 2026-05-04",
        lambda: check_slot(closed, slot(MONDAY, 9), taken={}),
    )
    assert error.nearest == ()


def test_a_slot_across_midnight_is_outside_the_hours() -> None:
    late = resource(hours=WorkingHours.weekly({"mon-sun": "22:00-24:00"}), buffer_minutes=0)
    assert check_slot(late, slot(MONDAY, 23), taken={}).remaining == 1
    error = assert_refused(
        OutsideWorkingHoursError,
        "availability.outside_working_hours",
        "Mon 2026-05-04 23:30 to Tue 2026-05-05 00:30 (Asia/Taipei)",
        lambda: check_slot(late, slot(MONDAY, 23, 30), taken={}),
    )
    assert [f"{s.start:%a %H:%M}" for s in error.nearest] == ["Mon 22:00", "Mon 23:00"]


def test_a_full_slot_says_how_many_places_remain() -> None:
    nine = slot(MONDAY, 9)
    error = assert_refused(
        SlotFullError,
        "availability.slot_full",
        "only 2 of 6 places are left in Mon 2026-05-04 09:00-10:00 (Asia/Taipei) with Mei, "
        "and 3 were asked for; nothing was taken, ask for 2 or fewer",
        lambda: check_slot(resource(capacity=6), nine, taken={nine: 4}, places=3),
    )
    assert (error.remaining, error.wanted, error.slot, error.resource) == (
        2,
        3,
        nine,
        resource().id,
    )
    assert_refused(
        SlotFullError,
        "availability.slot_full",
        "is full: all 6 places are taken",
        lambda: check_slot(resource(capacity=6), nine, taken={nine: 6}),
    )
    assert_refused(
        SlotFullError,
        "availability.slot_full",
        "is already booked; nothing was taken, choose another slot",
        lambda: check_slot(resource(), nine, taken={nine: 1}),
    )


def test_checking_refuses_bad_input() -> None:
    assert_refused(
        InvalidPlacesError,
        "availability.invalid_places",
        "got True",
        lambda: check_slot(resource(), slot(MONDAY, 9), taken={}, places=_bad(True)),
    )
    assert_refused(
        SlotNotOfferedError,
        "availability.slot_not_offered",
        "slot must be a Slot",
        lambda: check_slot(resource(), _bad("2026-05-04T09:00/10:00"), taken={}),
    )


# -- hold requests ---------------------------------------------------------------------


def request(**changes: Any) -> SlotHoldRequest:
    fields: dict[str, Any] = {
        "hold_id": HoldId("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        "resource": resource().id,
        "slot": slot(MONDAY, 9),
        "owner": Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        "expires_at": at(MONDAY, 8),
    }
    return SlotHoldRequest(**(fields | changes))


def test_a_hold_request_needs_places_and_an_aware_expiry() -> None:
    assert request().places == 1
    assert_refused(
        InvalidPlacesError,
        "availability.invalid_places",
        "got -2",
        lambda: request(places=-2),
    )
    assert_refused(
        NaiveDatetimeError,
        "time.naive_datetime",
        "hold expiry",
        lambda: request(expires_at=dt.datetime(2026, 5, 4, 8)),  # noqa: DTZ001
    )


def test_a_hold_matches_only_its_own_request() -> None:
    hold = request(places=2).to_hold()
    assert hold.matches(request(places=2))
    assert not hold.matches(request(places=1))
    assert not hold.matches(request(places=2, slot=slot(MONDAY, 10, 15)))
    assert not hold.matches(request(places=2, hold_id=HoldId.new()))
    # The expiry may differ: a retry computes it again.
    assert hold.matches(request(places=2, expires_at=at(MONDAY, 8, 5)))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"hold_id": None}, InvalidIdentifierError),
        ({"resource": [1]}, InvalidIdentifierError),
        ({"owner": 42}, InvalidIdentifierError),
        ({"slot": None}, InvalidSlotError),
    ],
)
def test_a_slot_hold_request_of_the_wrong_types_is_refused(
    changes: dict[str, Any], error: type[Exception]
) -> None:
    # Found by the fuzz suite: these were accepted, and failed inside the store.
    nine = pendulum.datetime(2026, 5, 4, 9, tz=TAIPEI)
    fields: dict[str, Any] = {
        "hold_id": HoldId.new(),
        "resource": ResourceId.new(),
        "slot": Slot(nine, nine.add(hours=1)),
        "owner": Identifier.new(),
        "expires_at": nine,
    }
    with pytest.raises(error):
        SlotHoldRequest(**(fields | changes))
