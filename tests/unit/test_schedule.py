"""Resources, working hours and exceptions: bad input, the slot grid, and daylight saving."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import attrs
import pytest

from staycore.availability.ids import ResourceId
from staycore.availability.schedule import (
    InvalidDayRangeError,
    InvalidScheduleError,
    InvalidSlotCapacityError,
    InvalidSlotLengthError,
    InvalidWorkingHoursError,
    Resource,
    ScheduleException,
    WorkingHours,
    WorkingInterval,
)
from staycore.kernel.errors import UnknownTimezoneError
from staycore.kernel.time import Slot
from staycore.testing.errors import assert_refused

MONDAY = dt.date(2026, 5, 4)
SPRING_FORWARD = dt.date(2026, 3, 29)  # Paris: 02:00 -> 03:00, a Sunday
FALL_BACK = dt.date(2026, 10, 25)  # Paris: 03:00 -> 02:00, a Sunday
ORDINARY_SUNDAY = dt.date(2026, 5, 3)


def _bad(value: object) -> Any:
    """A value of the wrong type, as untyped callers and JSON pass them."""
    return value


def therapist(**changes: Any) -> Resource:
    fields: dict[str, Any] = {
        "id": ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        "name": "Mei",
        "timezone": "Asia/Taipei",
        "hours": WorkingHours.weekly({"mon-fri": "09:00-12:00, 13:00-18:00"}),
        "slot_minutes": 60,
        "buffer_minutes": 15,
    }
    return Resource(**(fields | changes))


def wall(slots: tuple[Slot, ...]) -> list[str]:
    """The slots' wall-clock starts and ends, with offsets."""
    return [f"{s.start:%H:%M%z}-{s.end:%H:%M%z}" for s in slots]


def starts(slots: tuple[Slot, ...]) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


# -- working intervals -----------------------------------------------------------------


def test_an_interval_reads_text_and_times_alike() -> None:
    assert WorkingInterval.parse("9:00 - 12:30") == WorkingInterval(dt.time(9), dt.time(12, 30))
    assert WorkingInterval("09:00", "12:30").minutes == 210
    assert str(WorkingInterval.parse("18:00-24:00")) == "18:00-24:00"
    assert WorkingInterval.parse("00:00-24:00").minutes == 24 * 60


@pytest.mark.parametrize("text", ["14:00-13:00", "09:00-09:00", "22:00-02:00"])
def test_an_interval_must_end_after_it_starts_on_the_same_day(text: str) -> None:
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "split a night shift at midnight",
        lambda: WorkingInterval.parse(text),
    )


@pytest.mark.parametrize("text", ["09:00", "09:00-12:00-13:00", "nine to five"])
def test_unreadable_hours_say_how_to_write_them(text: str) -> None:
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "'09:00-12:00'",
        lambda: WorkingInterval.parse(text),
    )


@pytest.mark.parametrize(
    "text", ["25:00-26:00", "09:60-10:00", "24:30-24:45", "9:5-10:00", "9h-12h"]
)
def test_impossible_times_are_refused(text: str) -> None:
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "write a wall-clock time such as '09:30'",
        lambda: WorkingInterval.parse(text),
    )


def test_times_must_be_whole_minutes_without_a_zone() -> None:
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "must be a whole minute",
        lambda: WorkingInterval(dt.time(9, 0, 30), dt.time(12)),
    )
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "the resource has the zone",
        lambda: WorkingInterval(dt.time(9, tzinfo=dt.UTC), dt.time(12)),
    )
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "must be a time such as",
        lambda: WorkingInterval(_bad(9), dt.time(12)),
    )


# -- weekly hours ----------------------------------------------------------------------


def test_weekdays_are_named_by_abbreviation_full_name_index_or_range() -> None:
    hours = WorkingHours.weekly(
        {"Monday": "09:00-10:00", 1: "10:00-11:00", "wed-thu": "11:00-12:00", "sat-sun": ""}
    )
    assert [str(day[0]) if day else "" for day in hours.days] == [
        "09:00-10:00",
        "10:00-11:00",
        "11:00-12:00",
        "11:00-12:00",
        "",
        "",
        "",
    ]
    wrapped = WorkingHours.weekly({"fri-mon": "10:00-14:00"})
    assert [bool(day) for day in wrapped.days] == [True, False, False, False, True, True, True]


def test_a_days_hours_are_sorted_touching_ones_joined() -> None:
    hours = WorkingHours.weekly({"mon": "13:00-18:00, 09:00-12:00, 12:00-12:30"})
    assert hours.on(0) == (
        WorkingInterval.parse("09:00-12:30"),
        WorkingInterval.parse("13:00-18:00"),
    )
    listed = WorkingHours.weekly({"mon": [WorkingInterval.parse("09:00-10:00"), "10:00-11:00"]})
    assert listed.on(0) == (WorkingInterval.parse("09:00-11:00"),)


def test_weekly_hours_repr_reads_back() -> None:
    hours = WorkingHours.weekly({"mon-fri": "09:00-12:00, 13:00-18:00", "sun": "18:00-24:00"})
    assert eval(repr(hours), {"WorkingHours": WorkingHours}) == hours  # noqa: S307


def test_overlapping_hours_are_refused_naming_both() -> None:
    error = assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "list each stretch of work once",
        lambda: WorkingHours.weekly({"tue": "09:00-12:00, 11:30-14:00"}),
    )
    assert "09:00-12:00 and 11:30-14:00 on tue overlap" in error.message


@pytest.mark.parametrize("day", ["funday", "mo", 7, -1, True, "mon-xyz"])
def test_an_unknown_weekday_is_refused(day: Any) -> None:
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "use mon, tue, wed, thu, fri, sat, sun",
        lambda: WorkingHours.weekly({day: "09:00-10:00"}),
    )


def test_a_weekday_named_twice_is_refused() -> None:
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "fri is named twice, by 'mon-fri' and 'fri'",
        lambda: WorkingHours.weekly({"mon-fri": "09:00-17:00", "fri": "09:00-13:00"}),
    )


def test_weekly_hours_need_seven_days() -> None:
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "one entry per weekday",
        lambda: WorkingHours([("09:00-10:00",)] * 5),
    )
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "hours for mon must be text",
        lambda: WorkingHours([_bad(9)] * 7),
    )


# -- resources -------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -30, True, 1.5, "60"])
def test_a_slot_length_must_be_positive_whole_minutes(minutes: Any) -> None:
    assert_refused(
        InvalidSlotLengthError,
        "availability.invalid_slot_length",
        "slot_minutes (the length of a slot) must be a whole number of at least 1",
        lambda: therapist(slot_minutes=minutes),
    )


def test_a_buffer_may_be_zero_but_not_negative() -> None:
    assert therapist(buffer_minutes=0).step_minutes == 60
    assert_refused(
        InvalidSlotLengthError,
        "availability.invalid_slot_length",
        "buffer_minutes (the pause after each slot) must be a whole number of at least 0",
        lambda: therapist(buffer_minutes=-5),
    )


@pytest.mark.parametrize("capacity", [0, -1, False, 2.0])
def test_capacity_is_at_least_one_client(capacity: Any) -> None:
    assert_refused(
        InvalidSlotCapacityError,
        "availability.invalid_slot_capacity",
        "1 for a masseur",
        lambda: therapist(capacity=capacity),
    )


def test_a_resource_needs_a_known_timezone_a_name_and_a_resource_id() -> None:
    assert_refused(
        UnknownTimezoneError,
        "time.unknown_timezone",
        "use an IANA name",
        lambda: therapist(timezone="+08:00"),
    )
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "a name its staff recognise",
        lambda: therapist(name="  "),
    )
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "is not a ResourceId",
        lambda: therapist(id="ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    )
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "WorkingHours.weekly(...)",
        lambda: therapist(hours={"mon": "09:00-10:00"}),
    )
    assert therapist(id="res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7").id == therapist().id


def test_one_exception_per_day_kept_in_order() -> None:
    later = ScheduleException(day=dt.date(2026, 5, 5), note="training")
    earlier = ScheduleException(day=MONDAY, hours="10:00-12:00")
    resource = therapist(exceptions=[later, earlier])
    assert resource.exceptions == (earlier, later)
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "two exceptions for 2026-05-04",
        lambda: therapist(exceptions=[earlier, ScheduleException(day=MONDAY)]),
    )
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "must be ScheduleException values",
        lambda: therapist(exceptions=[MONDAY]),
    )


def test_an_exception_day_is_a_plain_date() -> None:
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "must be a calendar date",
        lambda: ScheduleException(day=dt.datetime(2026, 5, 4, tzinfo=dt.UTC)),
    )
    assert_refused(
        InvalidWorkingHoursError,
        "availability.invalid_working_hours",
        "overlap",
        lambda: ScheduleException(day=MONDAY, hours="09:00-11:00, 10:00-12:00"),
    )


def test_with_exception_replaces_the_days_exception_and_without_removes_it() -> None:
    sick = therapist().with_exception(ScheduleException(day=MONDAY, note="sick day"))
    short = sick.with_exception(ScheduleException(day=MONDAY, hours="09:00-11:00"))
    assert len(short.exceptions) == 1
    assert starts(short.slots_on(MONDAY)) == ["09:00"]
    assert short.without_exception(MONDAY) == therapist()
    assert therapist().without_exception(MONDAY) == therapist()


# -- the slot grid ---------------------------------------------------------------------


def test_slots_step_by_length_plus_buffer_and_end_by_closing() -> None:
    slots = therapist().slots_on(MONDAY)
    assert starts(slots) == ["09:00", "10:15", "13:00", "14:15", "15:30", "16:45"]
    assert all(slot.minutes == 60 for slot in slots)
    assert slots[-1].end.hour == 17
    assert slots[0].start.isoformat() == "2026-05-04T09:00:00+08:00"


def test_the_buffer_after_the_last_slot_may_run_past_closing() -> None:
    resource = therapist(
        hours=WorkingHours.weekly({"mon": "09:00-10:50"}), slot_minutes=50, buffer_minutes=10
    )
    assert wall(resource.slots_on(MONDAY)) == ["09:00+0800-09:50+0800", "10:00+0800-10:50+0800"]


def test_touching_intervals_run_one_grid_through() -> None:
    split = therapist(hours=WorkingHours.weekly({"mon": "09:00-10:00, 10:00-11:00"}))
    assert starts(split.slots_on(MONDAY)) == ["09:00"]  # 10:15 would end at 11:15
    continuous = therapist(hours=WorkingHours.weekly({"mon": "09:00-11:30"}))
    assert starts(continuous.slots_on(MONDAY)) == ["09:00", "10:15"]


def test_exceptions_close_a_day_or_change_its_hours() -> None:
    holiday = therapist(exceptions=[ScheduleException(day=MONDAY, note="Labour Day")])
    assert holiday.slots_on(MONDAY) == ()
    assert holiday.slots_on(MONDAY + dt.timedelta(days=1)) == therapist().slots_on(
        MONDAY + dt.timedelta(days=1)
    )
    sunday_shift = therapist(
        exceptions=[ScheduleException(day=ORDINARY_SUNDAY, hours="10:00-12:00")]
    )
    assert therapist().slots_on(ORDINARY_SUNDAY) == ()
    assert starts(sunday_shift.slots_on(ORDINARY_SUNDAY)) == ["10:00"]
    assert sunday_shift.exception_on(ORDINARY_SUNDAY) is not None
    assert sunday_shift.exception_on(MONDAY) is None


def test_a_slot_may_end_at_midnight() -> None:
    late = therapist(hours=WorkingHours.weekly({"mon": "22:00-24:00"}), buffer_minutes=0)
    assert [s.end.isoformat() for s in late.slots_on(MONDAY)] == [
        "2026-05-04T23:00:00+08:00",
        "2026-05-05T00:00:00+08:00",
    ]


def test_a_slot_longer_than_every_interval_gives_no_slots() -> None:
    assert therapist(slot_minutes=400).slots_on(MONDAY) == ()


def test_slots_between_includes_both_days_in_order() -> None:
    week = therapist().slots_between(MONDAY, MONDAY + dt.timedelta(days=6))
    assert len(week) == 5 * 6
    assert list(week) == sorted(week)
    assert therapist().slots_between(MONDAY, MONDAY) == therapist().slots_on(MONDAY)


def test_a_reversed_day_range_is_refused() -> None:
    assert_refused(
        InvalidDayRangeError,
        "availability.invalid_day_range",
        "pass the earlier day first",
        lambda: therapist().slots_between(MONDAY, MONDAY - dt.timedelta(days=1)),
    )
    assert_refused(
        InvalidDayRangeError,
        "availability.invalid_day_range",
        "must be a calendar date",
        lambda: therapist().slots_on(_bad(dt.datetime(2026, 5, 4, tzinfo=dt.UTC))),
    )
    assert_refused(
        InvalidDayRangeError,
        "availability.invalid_day_range",
        "backwards",
        lambda: therapist().window(MONDAY, MONDAY - dt.timedelta(days=1)),
    )


# -- daylight saving -------------------------------------------------------------------


def paris(hours: str, **changes: Any) -> Resource:
    return therapist(timezone="Europe/Paris", hours=WorkingHours.weekly({"sun": hours}), **changes)


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK])
def test_day_hours_keep_their_wall_clock_times_when_clocks_change_at_night(
    day: dt.date,
) -> None:
    resource = paris("09:00-12:00, 13:00-18:00")
    assert starts(resource.slots_on(day)) == starts(resource.slots_on(ORDINARY_SUNDAY))
    assert all(slot.duration == dt.timedelta(minutes=60) for slot in resource.slots_on(day))


def test_a_night_shift_on_the_spring_day_is_an_hour_shorter() -> None:
    slots = paris("00:00-06:00", buffer_minutes=0).slots_on(SPRING_FORWARD)
    assert wall(slots) == [
        "00:00+0100-01:00+0100",
        "01:00+0100-03:00+0200",  # 60 elapsed minutes: the clock jumps 02:00 -> 03:00
        "03:00+0200-04:00+0200",
        "04:00+0200-05:00+0200",
        "05:00+0200-06:00+0200",
    ]
    assert all(slot.duration == dt.timedelta(minutes=60) for slot in slots)


def test_a_night_shift_on_the_autumn_day_is_an_hour_longer() -> None:
    slots = paris("00:00-06:00", buffer_minutes=0).slots_on(FALL_BACK)
    assert wall(slots) == [
        "00:00+0200-01:00+0200",
        "01:00+0200-02:00+0200",
        "02:00+0200-02:00+0100",  # 02:00 to 02:00: the clock goes back an hour
        "02:00+0100-03:00+0100",
        "03:00+0100-04:00+0100",
        "04:00+0100-05:00+0100",
        "05:00+0100-06:00+0100",
    ]
    assert all(slot.duration == dt.timedelta(minutes=60) for slot in slots)
    assert all(a.end <= b.start for a, b in itertools.pairwise(slots))


def test_a_buffer_is_elapsed_time_across_the_change() -> None:
    slots = paris("01:00-05:00", slot_minutes=30, buffer_minutes=30).slots_on(SPRING_FORWARD)
    assert starts(slots) == ["01:00", "03:00", "04:00"]
    gaps = [b.start - a.end for a, b in itertools.pairwise(slots)]
    assert gaps == [dt.timedelta(minutes=30)] * 2


def test_a_skipped_opening_time_is_reached_when_the_clocks_jump_past_it() -> None:
    slots = paris("02:30-05:00", buffer_minutes=0).slots_on(SPRING_FORWARD)
    assert wall(slots) == ["03:00+0200-04:00+0200", "04:00+0200-05:00+0200"]


def test_a_skipped_closing_time_never_lets_an_interval_run_into_the_next() -> None:
    # Moved forward by the gap, 02:30 would close at 03:30, after the next interval opens.
    slots = paris("01:00-02:30, 03:00-04:00", slot_minutes=30, buffer_minutes=0).slots_on(
        SPRING_FORWARD
    )
    assert wall(slots) == [
        "01:00+0100-01:30+0100",
        "01:30+0100-03:00+0200",
        "03:00+0200-03:30+0200",
        "03:30+0200-04:00+0200",
    ]


def test_an_ambiguous_closing_time_is_its_first_occurrence() -> None:
    slots = paris("01:00-02:30", slot_minutes=30, buffer_minutes=0).slots_on(FALL_BACK)
    assert wall(slots)[-1] == "02:00+0200-02:30+0200"
    assert len(slots) == 3


def test_a_day_that_starts_at_one_oclock_opens_then() -> None:
    santiago = therapist(
        timezone="America/Santiago",
        hours=WorkingHours.weekly({"sun": "00:00-03:00"}),
        buffer_minutes=0,
    )
    assert wall(santiago.slots_on(dt.date(2026, 9, 6))) == [
        "01:00-0300-02:00-0300",
        "02:00-0300-03:00-0300",
    ]


def test_the_window_of_a_day_lasts_as_long_as_the_day() -> None:
    resource = paris("09:00-12:00")
    assert resource.window(SPRING_FORWARD).duration == dt.timedelta(hours=23)
    assert resource.window(FALL_BACK).duration == dt.timedelta(hours=25)
    week = resource.window(MONDAY, MONDAY + dt.timedelta(days=6))
    assert week.duration == dt.timedelta(days=7)
    assert week.start.isoformat() == "2026-05-04T00:00:00+02:00"


def test_a_resource_is_a_value() -> None:
    assert therapist() == therapist()
    assert attrs.evolve(therapist(), capacity=6) != therapist()
    assert hash(therapist()) == hash(therapist())


@pytest.mark.parametrize("week", [None, ["mon-fri", "09:00-17:00"], "mon-fri 09:00-17:00"])
def test_weekly_hours_are_a_mapping(week: Any) -> None:
    assert_refused(
        InvalidScheduleError,
        "availability.invalid_schedule",
        "map weekdays to hours",
        lambda: WorkingHours.weekly(week),
    )


def test_a_window_ending_on_the_last_date_is_refused_not_overflowed() -> None:
    assert_refused(
        InvalidDayRangeError,
        "availability.invalid_day_range",
        "must end before",
        lambda: therapist().window(dt.date(9999, 12, 30), dt.date.max),
    )
