"""Properties of stays, slots and the local-time conversions across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Literal

import pendulum
from hypothesis import assume, given
from hypothesis import strategies as st

from staycore.kernel.time import (
    Slot,
    Stay,
    local_date,
    local_instant,
    start_of_local_day,
    timezone,
)
from staycore.testing.strategies import booking_dates, instants, stays, timezones, wall_times

_ONE_DAY = dt.timedelta(days=1)
_TICK = dt.timedelta(microseconds=1)


def _utc(instant: dt.datetime) -> dt.datetime:
    """The instant as a plain UTC datetime: comparing there avoids same-zone wall-clock rules."""
    u = instant.astimezone(dt.UTC)
    return dt.datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, dt.UTC)


def _wall(instant: dt.datetime, zone: str) -> dt.datetime:
    """The naive wall-clock reading at ``zone`` of ``instant``."""
    return _utc(instant).astimezone(timezone(zone)).replace(tzinfo=None, fold=0)


def _offset(instant: dt.datetime, zone: str) -> dt.timedelta:
    """The UTC offset of ``zone`` at ``instant``."""
    offset = _utc(instant).astimezone(timezone(zone)).utcoffset()
    assert offset is not None
    return offset


# -- stays -----------------------------------------------------------------------------


@given(stay=stays(max_nights=60))
def test_a_stay_iterates_its_nights_as_consecutive_dates(stay: Stay) -> None:
    nights = list(stay)

    assert stay.nights == (stay.check_out - stay.check_in).days == len(nights)
    assert nights[0] == stay.check_in
    assert nights[-1] == stay.last_night == stay.check_out - _ONE_DAY
    assert all(later - earlier == _ONE_DAY for earlier, later in itertools.pairwise(nights))
    assert all(night in stay for night in nights)
    assert stay.check_out not in stay
    assert stay.check_in - _ONE_DAY not in stay
    assert Stay.parse(str(stay)) == stay
    assert Stay.of_nights(stay.check_in, stay.nights) == stay


@given(stay=stays(max_nights=45), zone=timezones())
def test_nights_count_dates_not_elapsed_hours(stay: Stay, zone: str) -> None:
    arrival, departure = stay.check_in_at(zone), stay.check_out_at(zone)
    # Both wall times exist on these dates (no gap moved them, not even a whole skipped
    # day, as Pacific/Apia skipped 2011-12-30).
    assume(_wall(arrival, zone) == dt.datetime.combine(stay.check_in, dt.time(15)))
    assume(_wall(departure, zone) == dt.datetime.combine(stay.check_out, dt.time(11)))
    shift = _offset(departure, zone) - _offset(arrival, zone)

    elapsed = _utc(departure) - _utc(arrival)

    assert local_date(arrival, zone) == stay.check_in
    assert local_date(departure, zone) == stay.check_out
    assert elapsed == stay.nights * _ONE_DAY - dt.timedelta(hours=4) - shift


@given(first=stays(max_nights=20), data=st.data())
def test_overlap_is_symmetric_and_agrees_with_the_nights(first: Stay, data: st.DataObject) -> None:
    second = data.draw(
        stays(
            max_nights=20,
            min_date=first.check_in - dt.timedelta(days=25),
            max_date=first.check_out + dt.timedelta(days=25),
        ),
        label="second",
    )
    shared = set(first) & set(second)

    assert first.overlaps(second) == second.overlaps(first) == bool(shared)
    overlap = first.overlap(second)
    assert overlap == second.overlap(first)
    assert (set(overlap) if overlap is not None else set()) == shared


# -- local time ------------------------------------------------------------------------


@given(instant=instants(), zone=timezones())
def test_an_existing_wall_time_converts_back_to_the_same_instant(
    instant: pendulum.DateTime, zone: str
) -> None:
    local = instant.in_tz(zone)
    day = dt.date(local.year, local.month, local.day)
    at = dt.time(local.hour, local.minute, local.second, local.microsecond)

    fold: Literal[0, 1] = 1 if local.fold else 0
    again = local_instant(day, at, zone, fold=fold)

    assert _utc(again) == _utc(instant)
    assert local_date(instant, zone) == day


@given(zone=timezones(), day=booking_dates(), at=wall_times())
def test_wall_times_map_to_instants_consistently_around_changes(
    zone: str, day: dt.date, at: dt.time
) -> None:
    requested = dt.datetime.combine(day, at)
    first = _utc(local_instant(day, at, zone, fold=0))
    second = _utc(local_instant(day, at, zone, fold=1))
    shown = _wall(first, zone)

    assert first <= second <= first + dt.timedelta(hours=1)
    if shown == requested:
        # The time exists: once (both folds agree) or twice (folds an offset apart).
        assert _wall(second, zone) == requested
        assert second - first == _offset(first, zone) - _offset(second, zone)
    else:
        # The time falls in a gap: both folds move it forward by the gap's length.
        gap = shown - requested
        assert first == second
        assert dt.timedelta(0) < gap <= _ONE_DAY
        before = first - gap
        assert gap == _offset(first, zone) - _offset(before, zone)


@given(zone=timezones(), day=booking_dates())
def test_a_local_day_starts_at_its_first_instant(zone: str, day: dt.date) -> None:
    start = start_of_local_day(day, zone)

    assert local_date(start, zone) >= day
    assert local_date(_utc(start) - _TICK, zone) < day
    assert _wall(start, zone).time() <= dt.time(1)


# -- slots -----------------------------------------------------------------------------


@given(start=instants(), minutes=st.integers(1, 3 * 24 * 60))
def test_a_slot_lasts_the_elapsed_minutes_asked_for(start: pendulum.DateTime, minutes: int) -> None:
    slot = Slot.starting(start, minutes=minutes)

    assert slot.minutes == minutes
    assert slot.duration == dt.timedelta(minutes=minutes)
    assert _utc(slot.end) - _utc(slot.start) == dt.timedelta(minutes=minutes)
    assert _utc(slot.start) == _utc(start)
    assert slot.end.utcoffset() == _utc(slot.end).astimezone(start.tzinfo).utcoffset()
    assert start in slot
    assert slot.end not in slot
    assert _utc(slot.end) - _TICK in slot
    assert Slot(slot.start, slot.end) == slot


@given(start=instants(timezones=["Europe/Paris", "America/New_York", "Australia/Lord_Howe"]))
def test_slots_compare_and_overlap_by_instant_not_by_wall_clock(
    start: pendulum.DateTime,
) -> None:
    first = Slot.starting(start, minutes=90)
    second = Slot.starting(first.start.add(minutes=60), minutes=90)
    third = Slot.starting(first.end, minutes=30)

    assert first < second < third
    assert first.overlaps(second)
    assert second.overlaps(first)
    assert not first.overlaps(third)
    assert not third.overlaps(first)
    assert sorted([third, first, second]) == [first, second, third]
    assert len({first, second, third}) == 3


@given(st.lists(st.tuples(instants(), timezones()), min_size=1, max_size=8))
def test_local_date_agrees_with_pendulum_whatever_it_was_asked_before(
    asked: list[tuple[pendulum.DateTime, str]],
) -> None:
    # local_date keeps its last answer per zone: asking again, in any order, at the same
    # or another instant, or at the same instant in another zone, must not change it.
    for instant, zone in [*asked, *reversed(asked)]:
        assert local_date(instant, zone) == instant.in_tz(zone).date()
