"""Resource search finds exactly the slots that checking every slot of the window finds."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from staycore.availability.appointments import FreeSlot, free_slots, remaining_places
from staycore.availability.ids import ResourceId
from staycore.availability.resource_search import ResourceQuery, search_resources
from staycore.availability.schedule import (
    Resource,
    ScheduleException,
    WorkingHours,
    WorkingInterval,
)
from staycore.kernel.time import Slot, local_date
from staycore.testing.strategies import booking_dates, instants, timezones

_DAY = 24 * 60
_FIRST, _LAST = dt.date(2025, 1, 1), dt.date(2028, 12, 31)
_ONE_DAY = dt.timedelta(days=1)

Taken = dict[ResourceId, dict[Slot, int]]


def _clock_time(minute: int) -> dt.time:
    return dt.time(0) if minute == _DAY else dt.time(minute // 60, minute % 60)


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


@st.composite
def day_hours(draw: DrawFn) -> tuple[WorkingInterval, ...]:
    """Zero to three intervals of one day, often at midnight and the hours clocks change."""
    cuts = draw(
        st.lists(
            st.one_of(st.integers(0, _DAY), st.sampled_from([0, 60, 120, 180, 1320, _DAY])),
            unique=True,
            max_size=6,
        )
    )
    bounds = sorted(cuts)
    return tuple(
        WorkingInterval(_clock_time(start), _clock_time(end))
        for start, end in zip(bounds[::2], bounds[1::2], strict=False)
    )


@st.composite
def resources(draw: DrawFn) -> Resource:
    """A resource in a zone with tricky daylight saving, perhaps with an exception day."""
    exceptions = draw(
        st.lists(
            st.builds(
                ScheduleException,
                day=booking_dates(min_date=_FIRST, max_date=_LAST),
                hours=day_hours(),
                note=st.sampled_from(["", "holiday"]),
            ),
            max_size=2,
            unique_by=lambda exception: exception.day,
        )
    )
    return Resource(
        id=ResourceId.new(),
        name=draw(st.sampled_from(["Mei", "Room 2", "Yoga"])),
        timezone=draw(timezones()),
        hours=WorkingHours(draw(st.lists(day_hours(), min_size=7, max_size=7))),
        slot_minutes=draw(st.integers(5, 240)),
        buffer_minutes=draw(st.integers(0, 60)),
        capacity=draw(st.integers(1, 4)),
        exceptions=exceptions,
    )


def _nearby_slots(resource: Resource, window: Slot) -> tuple[Slot, ...]:
    """Every slot of the resource from the day before the window to the day after it."""
    first = local_date(window.start, resource.timezone) - _ONE_DAY
    last = local_date(window.end, resource.timezone) + _ONE_DAY
    return resource.slots_between(first, last)


@st.composite
def taken_places(draw: DrawFn, resource: Resource, window: Slot) -> dict[Slot, int]:
    """Places taken in slots around the window: on the grid, and some off it (older)."""
    grid = _nearby_slots(resource, window)
    taken: dict[Slot, int] = {}
    if not grid:
        return taken
    for slot in draw(st.lists(st.sampled_from(grid), max_size=10)):
        taken[slot] = draw(st.integers(0, resource.capacity + 1))
    for slot in draw(st.lists(st.sampled_from(grid), max_size=2)):
        older = Slot.starting(
            slot.start.add(minutes=draw(st.integers(-90, 90))), minutes=draw(st.integers(5, 120))
        )
        taken[older] = draw(st.integers(1, resource.capacity))
    return taken


@st.composite
def searches(draw: DrawFn) -> tuple[list[Resource], ResourceQuery, Taken]:
    """Resources, a query over a window of up to three days, and what is taken."""
    listed = draw(st.lists(resources(), min_size=1, max_size=4))
    window = Slot.starting(
        draw(instants(min_date=_FIRST, max_date=_LAST)),
        minutes=draw(st.one_of(st.integers(1, 6 * 60), st.integers(1, 3 * _DAY))),
    )
    ids = [resource.id for resource in listed]
    limit = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(ids))))
    taken = {resource.id: draw(taken_places(resource, window)) for resource in listed}
    party = draw(st.integers(1, 5))
    return listed, ResourceQuery(window=window, party=party, resources=limit), taken


def _inside(slot: Slot, window: Slot) -> bool:
    return _utc(window.start) <= _utc(slot.start) and _utc(slot.end) <= _utc(window.end)


@settings(max_examples=100)
@given(search=searches())
def test_a_resource_is_bookable_exactly_when_a_slot_in_the_window_has_room(
    search: tuple[list[Resource], ResourceQuery, Taken],
) -> None:
    listed, query, taken = search
    result = search_resources(listed, query, taken=taken)

    searched = [r for r in listed if query.resources is None or r.id in query.resources]
    bookable = {found.resource.id: found.slots for found in result.bookable}
    refused = {refusal.resource.id: refusal.reasons for refusal in result.refusals}
    assert not bookable.keys() & refused.keys()
    assert [r.id for r in searched if r.id in bookable] == list(bookable)
    assert [r.id for r in searched if r.id in refused] == list(refused)
    assert len(bookable) + len(refused) == len(searched)

    window, party = query.window, query.party
    for resource in searched:
        places = taken[resource.id]
        # Every slot of the days around the window, checked one by one.
        inside = [s for s in _nearby_slots(resource, window) if _inside(s, window)]
        every = [FreeSlot(slot, remaining_places(resource, slot, places)) for slot in inside]
        expected = [free for free in every if free.remaining >= party]
        # What free_slots lists for the party over the window's local days.
        first = local_date(window.start, resource.timezone)
        last = local_date(window.end, resource.timezone)
        listed_free = [
            free
            for free in free_slots(
                resource, first, last, taken=places, places=party, not_before=window.start
            )
            if _utc(free.slot.end) <= _utc(window.end)
        ]
        assert listed_free == expected
        if expected:
            assert list(bookable[resource.id]) == expected
            assert all(party <= free.remaining <= resource.capacity for free in expected)
        else:
            reasons = refused[resource.id]
            assert reasons
            assert all(isinstance(reason, str) and reason for reason in reasons)
            capacity = reasons[0] == (
                f"serves {resource.capacity} client{'s' if resource.capacity > 1 else ''} "
                f"at a time, not {party}"
            )
            assert capacity == (party > resource.capacity)
            said = reasons[1:] if capacity else reasons
            most = max((free.remaining for free in every), default=0)
            if not every:
                # No slot in the window at all: the reasons are the working hours, by day.
                assert said
                assert not any("full" in reason or "left in" in reason for reason in said)
            elif most == 0:
                assert len(said) == 1
                assert said[0].endswith(("are full", "is full"))
                assert said[0].startswith(f"all {len(every)} slots " if len(every) > 1 else "the")
            elif capacity:
                # Some places are left, but never enough: the capacity already says so.
                assert said == ()
            else:
                assert len(said) == 1
                assert said[0].startswith(f"only {most} place")
