"""A replacement is judged as if the old hold's rooms were given back first.

:meth:`InventoryCalendar.shortfalls` with ``giving_back`` is the one rule both inventory
stores decide a replacement by (the memory store asks it; the SQL store gives the rooms
back in its transaction and asks it without). These properties pin it to the plain
operations: giving back on a copy and then judging gives the same answer, whatever the
night owes (blocks taken when nothing was left, capacity cut below what is taken), and
the calendar asked does not change.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.availability.ids import UnitTypeId
from staycore.availability.inventory import Count, InvalidCapacityError, InventoryCalendar
from staycore.availability.nights import NightSelection
from staycore.kernel.time import Stay

HORIZON = Stay.parse("2026-07-01/2026-07-08")
UNIT_TYPE = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")


def _stays() -> st.SearchStrategy[Stay]:
    return st.builds(
        lambda first, nights: Stay.of_nights(HORIZON.check_in + dt.timedelta(days=first), nights),
        st.integers(0, 4),
        st.integers(1, 3),
    )


@st.composite
def _calendars(draw: st.DrawFn) -> InventoryCalendar:
    """A calendar whose nights may owe rooms: counts are taken whatever is left."""
    calendar = InventoryCalendar(UNIT_TYPE, HORIZON)
    calendar.set_capacity(NightSelection.of(HORIZON), draw(st.integers(0, 3)))
    for _ in range(draw(st.integers(0, 6))):
        count = draw(st.sampled_from(list(Count)))
        calendar.take(draw(_stays()), draw(st.integers(1, 2)), count)
    return calendar


def _snapshot(calendar: InventoryCalendar) -> list[object]:
    return [calendar.counts(night) for night in HORIZON]


@given(
    calendar=_calendars(),
    old=_stays(),
    old_rooms=st.integers(1, 2),
    old_count=st.sampled_from([Count.HELD, Count.SOLD]),
    stay=_stays(),
    rooms=st.integers(1, 3),
)
def test_judging_a_replacement_is_giving_back_then_judging(
    *,
    calendar: InventoryCalendar,
    old: Stay,
    old_rooms: int,
    old_count: Count,
    stay: Stay,
    rooms: int,
) -> None:
    calendar.take(old, old_rooms, old_count)  # the live hold being replaced
    before = _snapshot(calendar)
    judged = calendar.shortfalls(stay, rooms, giving_back=[(old, old_rooms, old_count)])
    assert _snapshot(calendar) == before

    released = calendar.window(HORIZON)
    released.give_back(old, old_rooms, old_count)
    assert judged == released.shortfalls(stay, rooms)


def test_the_found_night_pays_its_debt_before_the_replacement() -> None:
    """Capacity 2, one held, two blocked: with the hold given back, 2 - 0 - 2 = 0 left."""
    calendar = InventoryCalendar(UNIT_TYPE, HORIZON)
    calendar.set_capacity(NightSelection.of(HORIZON), 2)
    night = Stay.of_nights(HORIZON.check_in, 1)
    calendar.take(night, 1, Count.HELD)
    calendar.take(night, 2, Count.BLOCKED)
    refused = calendar.shortfalls(night, 1, giving_back=[(night, 1, Count.HELD)])
    assert [(s.wanted, s.available) for s in refused] == [(1, 0)]


def test_giving_back_more_than_a_count_has_is_refused() -> None:
    calendar = InventoryCalendar(UNIT_TYPE, HORIZON)
    night = Stay.of_nights(HORIZON.check_in, 1)
    with pytest.raises(InvalidCapacityError):
        calendar.shortfalls(night, 1, giving_back=[(night, 1, Count.HELD)])
