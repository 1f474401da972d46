"""Bad input to the time values, and the daylight-saving cases spelled out."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest

from staycore.kernel.errors import (
    InvalidInstantError,
    InvalidSlotError,
    InvalidStayError,
    NaiveDatetimeError,
    UnknownTimezoneError,
)
from staycore.kernel.time import (
    Slot,
    Stay,
    as_instant,
    local_date,
    local_instant,
    start_of_local_day,
    timezone,
)
from staycore.testing.errors import assert_refused

NAIVE = dt.datetime(2026, 5, 1, 9, 0)  # noqa: DTZ001 - the point of these tests
AWARE = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def _bad(value: object) -> Any:
    """A value of the wrong type, as untyped callers and JSON pass them."""
    return value


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "+08:00", "", "Europe/paris/x"])
def test_an_unknown_timezone_names_valid_examples(name: str) -> None:
    assert_refused(
        UnknownTimezoneError,
        "time.unknown_timezone",
        "use an IANA name such as 'Europe/Paris'",
        lambda: timezone(name),
    )


def test_a_timezone_must_be_a_name() -> None:
    assert_refused(
        UnknownTimezoneError,
        "time.unknown_timezone",
        "must be an IANA name",
        lambda: timezone(_bad(8)),
    )


def test_naive_datetimes_are_refused_with_how_to_attach_a_zone() -> None:
    phrase = "has no timezone; attach one"
    assert_refused(NaiveDatetimeError, "time.naive_datetime", phrase, lambda: as_instant(NAIVE))
    assert_refused(
        NaiveDatetimeError, "time.naive_datetime", "slot start", lambda: Slot(NAIVE, AWARE)
    )
    assert_refused(
        NaiveDatetimeError, "time.naive_datetime", "slot end", lambda: Slot(AWARE, NAIVE)
    )
    assert_refused(
        NaiveDatetimeError, "time.naive_datetime", phrase, lambda: Slot.starting(NAIVE, minutes=30)
    )
    assert_refused(
        NaiveDatetimeError, "time.naive_datetime", phrase, lambda: local_date(NAIVE, "UTC")
    )


def test_something_other_than_a_datetime_is_not_an_instant() -> None:
    assert_refused(
        InvalidInstantError,
        "time.invalid_instant",
        "must be a timezone-aware datetime",
        lambda: as_instant(_bad("2026-05-01T09:00Z")),
    )
    assert_refused(
        InvalidInstantError,
        "time.invalid_instant",
        "must be a timezone-aware datetime",
        lambda: as_instant(_bad(dt.date(2026, 5, 1))),
    )


def test_a_wall_time_with_a_tzinfo_is_refused() -> None:
    at = dt.time(9, tzinfo=dt.UTC)
    assert_refused(
        NaiveDatetimeError,
        "time.naive_datetime",
        "pass the timezone as tz",
        lambda: local_instant(dt.date(2026, 5, 1), at, "UTC"),
    )


def test_a_stay_must_have_at_least_one_night() -> None:
    day = dt.date(2026, 3, 5)
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "a stay has at least one night",
        lambda: Stay(day, day),
    )
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "check-out 2026-03-04 must be after check-in 2026-03-05",
        lambda: Stay(day, dt.date(2026, 3, 4)),
    )


@pytest.mark.parametrize(
    "value",
    [AWARE, NAIVE, pendulum.datetime(2026, 3, 5), "2026-03-05", None, 20260305],
)
def test_stay_dates_must_be_calendar_dates(value: Any) -> None:
    phrase = "must be a calendar date such as date(2026, 3, 3)"
    assert_refused(
        InvalidStayError, "time.invalid_stay", phrase, lambda: Stay(value, dt.date(2026, 3, 9))
    )
    assert_refused(
        InvalidStayError, "time.invalid_stay", phrase, lambda: Stay(dt.date(2026, 3, 1), value)
    )
    assert_refused(InvalidStayError, "time.invalid_stay", phrase, lambda: Stay.of_nights(value, 2))


def test_a_pendulum_date_is_a_calendar_date() -> None:
    stay = Stay(pendulum.date(2026, 3, 5), pendulum.date(2026, 3, 7))
    assert type(stay.check_in) is dt.date
    assert stay == Stay.parse("2026-03-05/2026-03-07")


@pytest.mark.parametrize("nights", [0, -1, True, 2.0, "2"])
def test_of_nights_needs_a_whole_positive_number(nights: Any) -> None:
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "a whole number of nights, at least 1",
        lambda: Stay.of_nights(dt.date(2026, 3, 5), nights),
    )


@pytest.mark.parametrize(
    "text", ["2026-03-03", "2026-03-03/", "03/05/2026", "2026-03-03--2026-03-05", None]
)
def test_parse_shows_the_interval_shape(text: Any) -> None:
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "write it as 'YYYY-MM-DD/YYYY-MM-DD'",
        lambda: Stay.parse(text),
    )


def test_parse_reports_an_impossible_date() -> None:
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "cannot read a stay from '2026-02-30/2026-03-02'",
        lambda: Stay.parse("2026-02-30/2026-03-02"),
    )
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "must be after check-in",
        lambda: Stay.parse("2026-03-05/2026-03-01"),
    )


def test_a_slot_must_end_after_it_starts() -> None:
    later = AWARE + dt.timedelta(minutes=30)
    assert_refused(
        InvalidSlotError, "time.invalid_slot", "must be after its start", lambda: Slot(later, AWARE)
    )
    assert_refused(
        InvalidSlotError, "time.invalid_slot", "must be after its start", lambda: Slot(AWARE, AWARE)
    )
    # The same instant written in two zones is still an empty slot.
    taipei = AWARE.astimezone(ZoneInfo("Asia/Taipei"))
    assert_refused(
        InvalidSlotError,
        "time.invalid_slot",
        "must be after its start",
        lambda: Slot(AWARE, taipei),
    )


@pytest.mark.parametrize("minutes", [0, -30, True, 1.5])
def test_a_slot_lasts_whole_minutes(minutes: Any) -> None:
    assert_refused(
        InvalidSlotError,
        "time.invalid_slot",
        "a whole number of minutes, at least 1",
        lambda: Slot.starting(AWARE, minutes=minutes),
    )


# -- daylight saving, concretely -------------------------------------------------------


def test_a_skipped_paris_time_moves_forward_by_the_gap() -> None:
    spring = local_instant(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Paris")
    assert spring.isoformat() == "2026-03-29T03:30:00+02:00"
    again = local_instant(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Paris", fold=1)
    assert again.isoformat() == "2026-03-29T03:30:00+02:00"


def test_a_repeated_paris_time_has_two_instants() -> None:
    day, at = dt.date(2026, 10, 25), dt.time(2, 30)
    first = local_instant(day, at, "Europe/Paris")
    second = local_instant(day, at, "Europe/Paris", fold=1)
    assert first.isoformat() == "2026-10-25T02:30:00+02:00"
    assert second.isoformat() == "2026-10-25T02:30:00+01:00"
    assert first.in_tz("UTC").isoformat() == "2026-10-25T00:30:00+00:00"
    assert second.in_tz("UTC").isoformat() == "2026-10-25T01:30:00+00:00"


def test_santiago_starts_some_days_at_one_in_the_morning() -> None:
    assert (
        start_of_local_day(dt.date(2026, 9, 6), "America/Santiago").isoformat()
        == "2026-09-06T01:00:00-03:00"
    )
    assert (
        start_of_local_day(dt.date(2026, 9, 7), "America/Santiago").isoformat()
        == "2026-09-07T00:00:00-03:00"
    )
    assert (
        start_of_local_day(dt.date(2026, 4, 5), "America/Santiago").isoformat()
        == "2026-04-05T00:00:00-04:00"
    )


def test_lord_howe_shifts_by_half_an_hour() -> None:
    skipped = local_instant(dt.date(2026, 10, 4), dt.time(2, 15), "Australia/Lord_Howe")
    assert skipped.isoformat() == "2026-10-04T02:45:00+11:00"
    repeated = local_instant(dt.date(2026, 4, 5), dt.time(1, 45), "Australia/Lord_Howe", fold=1)
    assert repeated.isoformat() == "2026-04-05T01:45:00+10:30"


def test_a_stay_across_the_spring_change_keeps_its_nights() -> None:
    stay = Stay(dt.date(2026, 3, 28), dt.date(2026, 3, 31))
    assert stay.nights == 3
    assert [str(night) for night in stay] == ["2026-03-28", "2026-03-29", "2026-03-30"]
    arrival, departure = stay.check_in_at("Europe/Paris"), stay.check_out_at("Europe/Paris")
    assert arrival.isoformat() == "2026-03-28T15:00:00+01:00"
    assert departure.isoformat() == "2026-03-31T11:00:00+02:00"
    assert departure - arrival == dt.timedelta(hours=3 * 24 - 4 - 1)


def test_taipei_local_date_at_the_year_end() -> None:
    assert local_date(
        pendulum.datetime(2026, 12, 31, 15, 59, 59, tz="UTC"), "Asia/Taipei"
    ) == dt.date(2026, 12, 31)
    assert local_date(pendulum.datetime(2026, 12, 31, 16, tz="UTC"), "Asia/Taipei") == dt.date(
        2027, 1, 1
    )
    assert local_date(pendulum.datetime(2027, 1, 1, 7, tz="Asia/Taipei"), "UTC") == dt.date(
        2026, 12, 31
    )


def test_a_slot_starting_in_the_repeated_hour_lasts_what_was_asked() -> None:
    # Found by test_slots_compare_and_overlap_by_instant_not_by_wall_clock: Python compares
    # datetimes sharing a tzinfo by wall clock, so the end (02:30+01:00) looked equal to
    # the start (02:30+02:00) and the slot was refused.
    start = local_instant(dt.date(2026, 10, 25), dt.time(2, 30), "Europe/Paris")
    slot = Slot.starting(start, minutes=60)
    assert repr(slot) == "Slot('2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00+01:00')"
    assert slot.minutes == 60
    later = Slot.starting(slot.end, minutes=30)
    assert slot < later
    assert slot != later
    assert not slot.overlaps(later)
    assert slot.end not in slot
    assert slot.end in later


def test_an_instant_with_a_plain_utc_tzinfo_stays_aware() -> None:
    # pendulum's arithmetic dropped a non-pendulum tzinfo, so slot.start.add() was naive.
    start = pendulum.datetime(2026, 5, 1, 9, tz="Asia/Taipei").astimezone(dt.UTC)
    slot = Slot.starting(start, minutes=30)
    assert slot.start.add(minutes=5).isoformat() == "2026-05-01T01:05:00+00:00"
    assert as_instant(start).subtract(hours=1).utcoffset() == dt.timedelta(0)


def test_a_stay_that_would_end_after_the_year_9999_is_refused() -> None:
    assert_refused(
        InvalidStayError,
        "time.invalid_stay",
        "would end after the year 9999",
        lambda: Stay.of_nights(dt.date(9999, 12, 30), 5),
    )


@pytest.mark.parametrize("name", ["Europe/" + "x" * 300, "Z\u0351" * 200, "Asia/\x00Taipei"])
def test_a_name_no_zone_file_can_have_is_an_unknown_timezone(name: str) -> None:
    # Found by the fuzz suite: a name too long for a file name raised OSError.
    assert_refused(UnknownTimezoneError, "time.unknown_timezone", "IANA", lambda: timezone(name))
