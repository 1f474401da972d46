"""Resource search: which resources can take a party in a window, and what a refusal says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
import pytest

from staycore.availability.appointments import FreeSlot
from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import ResourceId
from staycore.availability.resource_search import (
    BookableResource,
    InvalidResourceSearchError,
    ResourceQuery,
    ResourceRefusal,
    ResourceSearchResult,
    search_resources,
)
from staycore.availability.schedule import Resource, ScheduleException, WorkingHours
from staycore.kernel.time import Slot
from staycore.testing.errors import assert_refused

MONDAY = dt.date(2026, 5, 4)
TAIPEI = "Asia/Taipei"
PARIS = "Europe/Paris"
CODE = "availability.invalid_resource_search"


def _bad(value: object) -> Any:
    """A value of the wrong type, as untyped callers and JSON pass them."""
    return value


def at(day: dt.date, hour: int, minute: int = 0, tz: str = TAIPEI) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=tz)


def window(day: dt.date, start: int, end: int, *, last_day: dt.date | None = None) -> Slot:
    """From ``start`` o'clock on ``day`` to ``end`` o'clock (24 for midnight) on ``last_day``."""
    until = last_day or day
    if end == 24:
        until, end = until + dt.timedelta(days=1), 0
    return Slot(at(day, start), at(until, end))


def mei(**changes: Any) -> Resource:
    """A therapist: one client at a time, weekdays with a lunch break."""
    fields: dict[str, Any] = {
        "id": ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        "name": "Mei (massage)",
        "timezone": TAIPEI,
        "hours": WorkingHours.weekly({"mon-fri": "09:00-12:00, 13:00-18:00"}),
        "slot_minutes": 60,
        "buffer_minutes": 15,
    }
    return Resource(**(fields | changes))


def yoga(**changes: Any) -> Resource:
    """A class of six, three evening slots on weekdays: 18:00, 19:00 and 20:00."""
    fields: dict[str, Any] = {
        "id": ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8"),
        "name": "Evening yoga",
        "timezone": TAIPEI,
        "hours": WorkingHours.weekly({"mon-fri": "18:00-21:00"}),
        "slot_minutes": 50,
        "buffer_minutes": 10,
        "capacity": 6,
    }
    return Resource(**(fields | changes))


def evening_slots(day: dt.date = MONDAY) -> tuple[Slot, ...]:
    return yoga().slots_on(day)


def search(
    listed: list[Resource],
    taken: dict[ResourceId, dict[Slot, int]] | None = None,
    **query: Any,
) -> ResourceSearchResult:
    return search_resources(listed, ResourceQuery(**query), taken=taken or {})


def reasons(result: ResourceSearchResult) -> dict[str, tuple[str, ...]]:
    return {refusal.resource.name: refusal.reasons for refusal in result.refusals}


def starts(found: BookableResource) -> list[tuple[str, int]]:
    return [(f"{free.slot.start:%a %H:%M}", free.remaining) for free in found.slots]


# -- bookable or refused ---------------------------------------------------------------


def test_bookable_resources_list_their_slots_in_the_window_and_the_others_say_why() -> None:
    six, seven, _ = evening_slots()
    result = search(
        [mei(), yoga()],
        {yoga().id: {six: 5, seven: 1}},
        window=window(MONDAY, 17, 21),
        party=2,
    )
    assert [found.resource for found in result.bookable] == [yoga()]
    assert starts(result.bookable[0]) == [("Mon 19:00", 5), ("Mon 20:00", 6)]
    assert result.refusals == (
        ResourceRefusal(
            mei(),
            (
                "serves 1 client at a time, not 2",
                "works 09:00-12:00, 13:00-18:00 on Mon 2026-05-04, but none of its "
                "60-minute slots fits between 17:00 and 21:00 (Asia/Taipei)",
            ),
        ),
    )
    assert result.query == ResourceQuery(window=window(MONDAY, 17, 21), party=2)


def test_only_slots_lying_entirely_inside_the_window_are_offered() -> None:
    # 09:00-10:00 has begun at 09:30, and 13:00-14:00 ends after 13:30.
    result = search([mei()], window=Slot(at(MONDAY, 9, 30), at(MONDAY, 13, 30)))
    assert starts(result.bookable[0]) == [("Mon 10:15", 1)]
    assert [free.slot for free in result.bookable[0].slots] == [mei().slots_on(MONDAY)[1]]


def test_a_slot_that_exactly_fills_the_window_is_offered() -> None:
    ten_fifteen = mei().slots_on(MONDAY)[1]
    result = search([mei()], window=ten_fifteen)
    assert result.bookable == (BookableResource(mei(), (FreeSlot(ten_fifteen, 1),)),)


def test_results_keep_the_order_the_resources_were_given_in() -> None:
    others = [
        yoga(id=ResourceId.new(), name=name) for name in ("Room 3", "Room 1", "Room 2", "Gym")
    ]
    result = search([*others, mei()], window=window(MONDAY, 18, 21), party=2)
    assert [found.resource.name for found in result.bookable] == [
        "Room 3",
        "Room 1",
        "Room 2",
        "Gym",
    ]
    assert [refusal.resource.name for refusal in result.refusals] == ["Mei (massage)"]


def test_a_resource_missing_from_taken_has_nothing_taken() -> None:
    result = search([yoga()], {mei().id: {}}, window=window(MONDAY, 18, 21), party=6)
    assert [free.remaining for free in result.bookable[0].slots] == [6, 6, 6]


# -- the party and capacity ------------------------------------------------------------


def test_a_party_above_capacity_is_refused_with_the_capacity() -> None:
    result = search([mei(), yoga()], window=window(MONDAY, 9, 21), party=7)
    assert result.bookable == ()
    assert reasons(result) == {
        "Mei (massage)": ("serves 1 client at a time, not 7",),
        "Evening yoga": ("serves 6 clients at a time, not 7",),
    }


def test_above_capacity_and_full_gives_both_reasons() -> None:
    taken = {yoga().id: dict.fromkeys(evening_slots(), 6)}
    result = search([yoga()], taken, window=window(MONDAY, 18, 21), party=8)
    assert reasons(result) == {
        "Evening yoga": (
            "serves 6 clients at a time, not 8",
            "all 3 slots between 18:00 and 21:00 on Mon 2026-05-04 (Asia/Taipei) are full",
        )
    }


# -- full and partly full slots --------------------------------------------------------


def test_partly_full_slots_say_how_many_places_are_left() -> None:
    taken = {yoga().id: dict.fromkeys(evening_slots(), 4)}
    result = search([yoga()], taken, window=window(MONDAY, 18, 21), party=3)
    assert reasons(result) == {
        "Evening yoga": (
            "only 2 places left in any slot between 18:00 and 21:00 on Mon 2026-05-04 "
            "(Asia/Taipei), 3 wanted",
        )
    }
    fewer = search([yoga()], taken, window=window(MONDAY, 18, 21), party=2)
    assert starts(fewer.bookable[0]) == [("Mon 18:00", 2), ("Mon 19:00", 2), ("Mon 20:00", 2)]


def test_the_fullest_slot_is_not_what_a_refusal_quotes_but_the_emptiest() -> None:
    six, seven, eight = evening_slots()
    taken = {yoga().id: {six: 6, seven: 5, eight: 4}}
    result = search([yoga()], taken, window=window(MONDAY, 18, 21), party=3)
    assert reasons(result)["Evening yoga"][0].startswith("only 2 places left in any slot")
    one = search([yoga()], {yoga().id: {six: 5}}, window=window(MONDAY, 18, 19), party=2)
    assert reasons(one) == {
        "Evening yoga": (
            "only 1 place left in the only slot between 18:00 and 19:00 on Mon 2026-05-04 "
            "(Asia/Taipei), 2 wanted",
        )
    }


def test_full_slots_say_they_are_full() -> None:
    taken = {mei().id: dict.fromkeys(mei().slots_on(MONDAY), 1)}
    result = search([mei()], taken, window=window(MONDAY, 8, 19))
    assert reasons(result) == {
        "Mei (massage)": (
            "all 6 slots between 08:00 and 19:00 on Mon 2026-05-04 (Asia/Taipei) are full",
        )
    }
    nine = mei().slots_on(MONDAY)[0]
    only = search([mei()], {mei().id: {nine: 1}}, window=window(MONDAY, 9, 10))
    assert reasons(only) == {
        "Mei (massage)": (
            "the only slot between 09:00 and 10:00 on Mon 2026-05-04 (Asia/Taipei) is full",
        )
    }


def test_places_taken_in_an_overlapping_older_slot_count() -> None:
    # Booked when Mei's slots were 90 minutes: 09:00-10:30 overlaps 10:15-11:15.
    older = Slot.starting(at(MONDAY, 9), minutes=90)
    result = search([mei()], {mei().id: {older: 1}}, window=window(MONDAY, 9, 12))
    assert reasons(result) == {
        "Mei (massage)": (
            "all 2 slots between 09:00 and 12:00 on Mon 2026-05-04 (Asia/Taipei) are full",
        )
    }


# -- no working hours in the window ----------------------------------------------------


def test_a_window_over_a_break_says_the_resource_does_not_work_then() -> None:
    result = search([mei()], window=window(MONDAY, 12, 13))
    assert reasons(result) == {
        "Mei (massage)": (
            "does not work between 12:00 and 13:00 (Asia/Taipei); it works 09:00-12:00, "
            "13:00-18:00 on Mon 2026-05-04",
        )
    }


def test_a_window_too_short_for_a_slot_says_none_fits() -> None:
    result = search([mei()], window=Slot(at(MONDAY, 9, 30), at(MONDAY, 10, 30)))
    assert reasons(result) == {
        "Mei (massage)": (
            "works 09:00-12:00, 13:00-18:00 on Mon 2026-05-04, but none of its 60-minute "
            "slots fits between 09:30 and 10:30 (Asia/Taipei)",
        )
    }


def test_an_exception_day_names_its_note() -> None:
    holiday = mei().with_exception(ScheduleException(day=MONDAY, note="Labour Day"))
    result = search([holiday], window=window(MONDAY, 9, 18))
    assert reasons(result) == {"Mei (massage)": ("is closed on 2026-05-04 (Labour Day)",)}
    short = mei().with_exception(
        ScheduleException(day=MONDAY, hours="10:00-11:00", note="team meeting")
    )
    result = search([short], window=window(MONDAY, 13, 18))
    assert reasons(result) == {
        "Mei (massage)": (
            "does not work between 13:00 and 18:00 (Asia/Taipei); it works 10:00-11:00 on "
            "Mon 2026-05-04 (team meeting)",
        )
    }


def test_each_day_of_a_long_window_gives_its_reason_once() -> None:
    weekend = window(MONDAY - dt.timedelta(days=2), 0, 24, last_day=MONDAY - dt.timedelta(days=1))
    assert reasons(search([mei()], window=weekend)) == {
        "Mei (massage)": ("does not work on Saturdays", "does not work on Sundays")
    }
    never = mei(hours=WorkingHours.weekly({}))
    fortnight = window(MONDAY, 0, 24, last_day=MONDAY + dt.timedelta(days=13))
    assert reasons(search([never], window=fortnight))["Mei (massage)"] == tuple(
        f"does not work on {name}s"
        for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )


def test_no_hours_and_above_capacity_give_both_reasons() -> None:
    sunday = MONDAY - dt.timedelta(days=1)
    result = search([mei()], window=window(sunday, 9, 18), party=2)
    assert reasons(result) == {
        "Mei (massage)": ("serves 1 client at a time, not 2", "does not work on Sundays")
    }


# -- days and timezones ----------------------------------------------------------------


def test_a_window_across_midnight_reaches_both_local_days() -> None:
    late = mei(hours=WorkingHours.weekly({"mon-sun": "00:00-02:00, 22:00-24:00"}), buffer_minutes=0)
    tuesday = MONDAY + dt.timedelta(days=1)
    result = search([late], window=window(MONDAY, 23, 1, last_day=tuesday))
    assert starts(result.bookable[0]) == [("Mon 23:00", 1), ("Tue 00:00", 1)]
    full = {late.id: {free.slot: 1 for free in result.bookable[0].slots}}
    refused = search([late], full, window=window(MONDAY, 23, 1, last_day=tuesday))
    assert reasons(refused) == {
        "Mei (massage)": (
            "all 2 slots between Mon 2026-05-04 23:00 and Tue 2026-05-05 01:00 "
            "(Asia/Taipei) are full",
        )
    }
    to_midnight = search([late], full, window=window(MONDAY, 23, 24))
    assert reasons(to_midnight) == {
        "Mei (massage)": (
            "the only slot between 23:00 and 24:00 on Mon 2026-05-04 (Asia/Taipei) is full",
        )
    }


def test_a_window_ending_at_midnight_does_not_reach_the_next_day() -> None:
    sunday_only = mei(hours=WorkingHours.weekly({"sun": "00:00-02:00"}))
    saturday = MONDAY - dt.timedelta(days=2)
    result = search([sunday_only], window=window(saturday, 22, 24))
    assert reasons(result) == {"Mei (massage)": ("does not work on Saturdays",)}


def test_each_resource_reads_the_window_in_its_own_timezone() -> None:
    # Saturday 22:00 UTC is already Sunday 00:00 in Paris, where the desk works Sundays.
    desk = mei(
        id=ResourceId.new(),
        name="Night desk",
        timezone=PARIS,
        hours=WorkingHours.weekly({"sun": "00:00-04:00"}),
        buffer_minutes=0,
    )
    in_utc = Slot(
        pendulum.datetime(2026, 5, 2, 22, tz="UTC"), pendulum.datetime(2026, 5, 3, 0, tz="UTC")
    )
    result = search([desk, mei()], window=in_utc)
    assert [f"{f.slot.start:%a %H:%M%z}" for f in result.bookable[0].slots] == [
        "Sun 00:00+0200",
        "Sun 01:00+0200",
    ]
    # Mei, in Taipei, reads the same window as Sunday 06:00-08:00.
    assert reasons(result) == {"Mei (massage)": ("does not work on Sundays",)}


def test_the_autumn_dst_day_offers_both_two_oclocks() -> None:
    desk = mei(
        name="Night desk",
        timezone=PARIS,
        hours=WorkingHours.weekly({"sun": "00:00-04:00"}),
        buffer_minutes=0,
    )
    autumn = dt.date(2026, 10, 25)
    # 02:00 CEST to 03:00 CET: two hours of time, both of them 02:00-03:00 on the wall.
    both = Slot(
        pendulum.datetime(2026, 10, 25, 0, tz="UTC"), pendulum.datetime(2026, 10, 25, 2, tz="UTC")
    )
    result = search([desk], window=both)
    listed = [f"{f.slot.start:%H:%M%z}" for f in result.bookable[0].slots]
    assert listed == ["02:00+0200", "02:00+0100"]
    first, second = desk.slots_on(autumn)[2:4]
    later = search([desk], {desk.id: {first: 1}}, window=both)
    assert [f.slot for f in later.bookable[0].slots] == [second]
    full = search([desk], {desk.id: {first: 1, second: 1}}, window=both)
    assert reasons(full) == {
        "Night desk": (
            "all 2 slots between 02:00 and 03:00 on Sun 2026-10-25 (Europe/Paris) are full",
        )
    }


def test_the_whole_autumn_dst_day_is_one_local_day_of_25_hours() -> None:
    desk = mei(
        name="Night desk",
        timezone=PARIS,
        hours=WorkingHours.weekly({"sun": "00:00-04:00"}),
        buffer_minutes=0,
    )
    autumn = dt.date(2026, 10, 25)
    result = search([desk], window=desk.window(autumn))
    assert [f.slot for f in result.bookable[0].slots] == list(desk.slots_on(autumn))
    assert len(result.bookable[0].slots) == 5


# -- which resources -------------------------------------------------------------------


def test_the_query_can_limit_the_resources_searched() -> None:
    evening = window(MONDAY, 17, 21)
    only_mei = search([mei(), yoga()], window=evening, resources={mei().id})
    assert only_mei.bookable == ()
    assert [refusal.resource for refusal in only_mei.refusals] == [mei()]
    only_yoga = search([mei(), yoga()], window=evening, resources=frozenset({yoga().id}))
    assert [found.resource for found in only_yoga.bookable] == [yoga()]
    assert only_yoga.refusals == ()
    nothing = search([mei(), yoga()], window=evening, resources=[])
    assert (nothing.bookable, nothing.refusals) == ((), ())
    unknown = search([mei()], window=evening, resources={ResourceId.new()})
    assert (unknown.bookable, unknown.refusals) == ((), ())


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("party", [0, -1, True, "2", 1.5, None])
def test_a_query_needs_a_party_of_at_least_one(party: object) -> None:
    error = assert_refused(
        InvalidResourceSearchError,
        CODE,
        "a whole number of clients booking one slot together, at least 1",
        lambda: ResourceQuery(window=window(MONDAY, 9, 18), party=_bad(party)),
    )
    assert isinstance(error, AvailabilityError)


def test_a_query_needs_a_window_as_a_slot() -> None:
    assert_refused(
        InvalidResourceSearchError,
        CODE,
        "needs its window as a Slot of two aware instants",
        lambda: ResourceQuery(window=_bad("2026-05-04T09:00/18:00")),
    )
    assert_refused(
        InvalidResourceSearchError,
        CODE,
        "got None",
        lambda: ResourceQuery(window=_bad(None)),
    )


@pytest.mark.parametrize("resources", [["res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"], [["x"]], "res_x", 3])
def test_a_query_limits_resources_by_resource_id(resources: object) -> None:
    assert_refused(
        InvalidResourceSearchError,
        CODE,
        "resources must be",
        lambda: ResourceQuery(window=window(MONDAY, 9, 18), resources=_bad(resources)),
    )


def test_a_search_lists_each_resource_once() -> None:
    assert_refused(
        InvalidResourceSearchError,
        CODE,
        "res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 (Mei again) is listed twice; list each resource once",
        lambda: search([mei(), yoga(), mei(name="Mei again")], window=window(MONDAY, 9, 18)),
    )
    assert_refused(
        InvalidResourceSearchError,
        CODE,
        "search resources with Resource values, got 'Mei'",
        lambda: search([_bad("Mei")], window=window(MONDAY, 9, 18)),
    )
