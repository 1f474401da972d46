"""Reading channel feeds and writing our own, with the icalendar package."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

pytest.importorskip("icalendar", reason="the iCalendar adapter needs the `ical` extra")

from staycore.adapters.ical import export_feed, parse_feed
from staycore.availability.external import (
    ExportEntry,
    ExternalBooking,
    MalformedFeedError,
)
from staycore.kernel.errors import NaiveDatetimeError
from staycore.kernel.time import Stay
from staycore.testing.errors import assert_refused


def _crlf(text: str) -> str:
    return "\r\n".join(text.strip().splitlines()) + "\r\n"


# What Airbnb serves for a listing: reservations as "Reserved", nights the host closed or
# that lie beyond the booking window as "Airbnb (Not available)", date-only throughout.
AIRBNB = _crlf("""
BEGIN:VCALENDAR
PRODID;X-RICAL-TZSOURCE=TZINFO:-//Airbnb Inc//Hosting Calendar 0.8.8//EN
CALSCALE:GREGORIAN
VERSION:2.0
BEGIN:VEVENT
DTEND;VALUE=DATE:20260715
DTSTART;VALUE=DATE:20260712
UID:1418fb94e984-f2a4c1a5b6ba3c0e1b0e3d7f64c1a2b3@airbnb.com
DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/de
 tails/HMABCDEF12\\nPhone Number (Last 4 Digits): 1234
SUMMARY:Reserved
END:VEVENT
BEGIN:VEVENT
DTEND;VALUE=DATE:20260802
DTSTART;VALUE=DATE:20260801
UID:1418fb94e984-0c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f@airbnb.com
SUMMARY:Airbnb (Not available)
END:VEVENT
BEGIN:VEVENT
DTEND;VALUE=DATE:20270712
DTSTART;VALUE=DATE:20261012
UID:1418fb94e984-9f8e7d6c5b4a39281706f5e4d3c2b1a0@airbnb.com
SUMMARY:Airbnb (Not available)
END:VEVENT
END:VCALENDAR
""")

# Booking.com's export: "CLOSED - Not available" events, no DTSTAMP on older feeds.
BOOKING = _crlf("""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//admin.booking.com//EN
CALSCALE:GREGORIAN
METHOD:PUBLISH
BEGIN:VEVENT
DTSTAMP:20260501T080000Z
DTSTART;VALUE=DATE:20260903
DTEND;VALUE=DATE:20260906
UID:b1a0e4c62f3d8e9a7b5c3d1e0f2a4b6c@booking.com
SUMMARY:CLOSED - Not available
END:VEVENT
BEGIN:VEVENT
DTSTAMP:20260501T080000Z
DTSTART;VALUE=DATE:20260910
DTEND;VALUE=DATE:20260911
UID:c2b1f5d73e4e9f0b8c6d4e2f1a3b5c7d@booking.com
SUMMARY:CLOSED - Not available
STATUS:CANCELLED
END:VEVENT
END:VCALENDAR
""")


def _feed(*event_lines: str) -> str:
    body = "\n".join(["BEGIN:VEVENT", *event_lines, "END:VEVENT"])
    return _crlf(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{body}\nEND:VCALENDAR")


# -- reading real-looking feeds --------------------------------------------------------


def test_an_airbnb_feed_reads_dtend_as_the_departure() -> None:
    events = parse_feed(AIRBNB)

    assert [(str(e.nights), e.summary) for e in events] == [
        ("2026-07-12/2026-07-15", "Reserved"),
        ("2026-08-01/2026-08-02", "Airbnb (Not available)"),
        ("2026-10-12/2027-07-12", "Airbnb (Not available)"),
    ]
    first = events[0]
    assert first.uid == "1418fb94e984-f2a4c1a5b6ba3c0e1b0e3d7f64c1a2b3@airbnb.com"
    # Three nights: the 12th, 13th and 14th; the guest leaves on the 15th.
    assert first.nights.nights == 3
    assert dt.date(2026, 7, 15) not in first.nights


def test_a_booking_com_feed_skips_cancelled_events() -> None:
    assert parse_feed(BOOKING.encode("utf-8")) == (
        ExternalBooking(
            "b1a0e4c62f3d8e9a7b5c3d1e0f2a4b6c@booking.com",
            Stay.parse("2026-09-03/2026-09-06"),
            "CLOSED - Not available",
        ),
    )


def test_line_feeds_and_a_byte_order_mark_are_accepted() -> None:
    text = "\ufeff" + AIRBNB.replace("\r\n", "\n")
    assert parse_feed(text.encode("utf-8")) == parse_feed(AIRBNB)


def test_an_empty_calendar_has_no_events() -> None:
    assert parse_feed(_crlf("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR")) == ()


def test_a_date_without_an_end_is_one_night() -> None:
    (event,) = parse_feed(_feed("UID:a", "DTSTART;VALUE=DATE:20260901"))
    assert event.nights == Stay.parse("2026-09-01/2026-09-02")


@pytest.mark.parametrize(
    ("duration", "nights"), [("P3D", "2026-09-01/2026-09-04"), ("P1W", "2026-09-01/2026-09-08")]
)
def test_a_duration_in_days_or_weeks_gives_the_departure(duration: str, nights: str) -> None:
    (event,) = parse_feed(_feed("UID:a", "DTSTART;VALUE=DATE:20260901", f"DURATION:{duration}"))
    assert event.nights == Stay.parse(nights)


def test_dtend_equal_to_dtstart_is_read_as_one_night() -> None:
    feed = _feed("UID:a", "DTSTART;VALUE=DATE:20260901", "DTEND;VALUE=DATE:20260901")
    assert parse_feed(feed)[0].nights == Stay.parse("2026-09-01/2026-09-02")


def test_date_times_are_read_by_the_local_date_of_the_property() -> None:
    # 16:00 UTC on 31 July is midnight on 1 August in Taipei.
    feed = _feed("UID:a", "DTSTART:20260731T160000Z", "DTEND:20260803T030000Z")
    assert parse_feed(feed, tz="Asia/Taipei")[0].nights == Stay.parse("2026-08-01/2026-08-03")
    assert parse_feed(feed)[0].nights == Stay.parse("2026-07-31/2026-08-03")


def test_date_times_with_a_tzid_and_floating_ones_use_their_own_dates() -> None:
    zoned = _feed(
        "UID:a",
        "DTSTART;TZID=Europe/Paris:20260801T150000",
        "DTEND;TZID=Europe/Paris:20260803T110000",
    )
    floating = _feed("UID:a", "DTSTART:20260801T150000", "DURATION:P1DT20H")
    assert parse_feed(zoned)[0].nights == Stay.parse("2026-08-01/2026-08-03")
    assert parse_feed(floating, tz="Asia/Tokyo")[0].nights == Stay.parse("2026-08-01/2026-08-03")


def test_a_same_day_date_time_event_takes_that_night() -> None:
    feed = _feed("UID:a", "DTSTART:20260801T100000Z", "DTEND:20260801T140000Z")
    assert parse_feed(feed, tz="UTC")[0].nights == Stay.parse("2026-08-01/2026-08-02")


def test_a_duplicate_uid_is_returned_for_the_plan_to_decide() -> None:
    lines = ("UID:a", "DTSTART;VALUE=DATE:20260901")
    body = _feed(*lines).replace(
        "END:VEVENT",
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260905\r\nEND:VEVENT",
        1,
    )
    assert [str(e.nights) for e in parse_feed(body)] == [
        "2026-09-01/2026-09-02",
        "2026-09-05/2026-09-06",
    ]


# -- malformed feeds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("<html><body>Sign in to continue</body></html>", "not an iCalendar file"),
        ("", "not an iCalendar file"),
        (b"\x00\x01garbage", "not an iCalendar file"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "not an iCalendar file"),
        (_crlf("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260901\nEND:VEVENT"), "one VCALENDAR"),
        (
            _crlf("BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VCALENDAR\nEND:VCALENDAR"),
            "not an iCalendar file",
        ),
        # A str without line breaks is never opened as a file name.
        ("/etc/hostname", "not an iCalendar file"),
    ],
)
def test_text_that_is_not_one_calendar_is_refused(text: str | bytes, says: str) -> None:
    assert_refused(
        MalformedFeedError, "availability.malformed_feed", says, lambda: parse_feed(text)
    )


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (("DTSTART;VALUE=DATE:20260901",), "event 2 has no UID"),
        (("UID:a@x",), "event 2 (UID 'a@x') has no DTSTART"),
        (
            ("UID:a@x", "DTSTART;VALUE=DATE:20260905", "DTEND;VALUE=DATE:20260901"),
            "ends (2026-09-01) before it starts (2026-09-05)",
        ),
        (
            ("UID:a@x", "DTSTART:20260905T100000Z", "DTEND:20260901T100000Z"),
            "before it starts",
        ),
        (("UID:a@x", "DTSTART;VALUE=DATE:2026x905"), "unreadable properties: DTSTART"),
        (
            ("UID:a@x", "DTSTART;VALUE=DATE:20260905", "DTEND;VALUE=DATE:20260907", "DURATION:P1D"),
            "both DTEND and DURATION",
        ),
        (
            ("UID:a@x", "DTSTART;VALUE=DATE:20260905", "DURATION:PT12H"),
            "whole number of days or weeks, not negative",
        ),
        (
            ("UID:a@x", "DTSTART;VALUE=DATE:20260905", "DURATION:-P2D"),
            "whole number of days or weeks, not negative",
        ),
        (
            ("UID:a@x", "DTSTART;VALUE=DATE:20260905", "DTEND:20260907T100000Z"),
            "mixes a date-only DTSTART with a date-time DTEND",
        ),
        (
            ("UID:a@x", "DTSTART:20260905T100000Z", "DTEND;VALUE=DATE:20260907"),
            "mixes a date-time DTSTART with a date-only DTEND",
        ),
        (("UID:a@x", "DTSTART;VALUE=DATE:20260905", "RRULE:FREQ=WEEKLY"), "repeats"),
        (("UID:a@x", "DTSTART;VALUE=DATE:99991231", "DURATION:P2D"), "cannot be read"),
    ],
)
def test_a_malformed_event_refuses_the_whole_feed_and_says_where(
    lines: tuple[str, ...], says: str
) -> None:
    good = "\r\n".join(["BEGIN:VEVENT", "UID:ok", "DTSTART;VALUE=DATE:20260801", "END:VEVENT"])
    text = _feed(*lines).replace("BEGIN:VEVENT", good + "\r\nBEGIN:VEVENT", 1)
    error = assert_refused(
        MalformedFeedError, "availability.malformed_feed", says, lambda: parse_feed(text)
    )
    assert "event 2" in error.message


def test_something_other_than_text_is_refused() -> None:
    assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        "str or bytes",
        lambda: parse_feed(42),  # type: ignore[arg-type]
    )


# -- export ----------------------------------------------------------------------------

STAMP = pendulum.datetime(2026, 5, 1, 9, 30, tz="Asia/Taipei")


def test_export_writes_date_only_events_with_exclusive_ends() -> None:
    text = export_feed(
        "Garden Cabin",
        [ExportEntry("hold_1@villa.example", Stay.parse("2026-07-12/2026-07-15"), "Reserved")],
        stamped_at=STAMP,
        prodid="-//Villa Example//staycore//EN",
    )
    lines = text.split("\r\n")
    assert text.endswith("\r\n")
    assert "PRODID:-//Villa Example//staycore//EN" in lines
    assert "X-WR-CALNAME:Garden Cabin" in lines
    assert "DTSTART;VALUE=DATE:20260712" in lines
    assert "DTEND;VALUE=DATE:20260715" in lines
    assert "DTSTAMP:20260501T013000Z" in lines
    assert "UID:hold_1@villa.example" in lines


def test_export_is_deterministic_and_escapes_text() -> None:
    entries = [("u1@x", Stay.parse("2026-07-12/2026-07-15"), "Closed; owner, family")]
    first = export_feed("Loft", entries, stamped_at=STAMP)
    assert first == export_feed("Loft", entries, stamped_at=STAMP)
    assert "SUMMARY:Closed\\; owner\\, family" in first
    assert parse_feed(first)[0].summary == "Closed; owner, family"


def test_export_needs_an_aware_stamp() -> None:
    assert_refused(
        NaiveDatetimeError,
        "time.naive_datetime",
        "has no timezone",
        lambda: export_feed("Loft", [], stamped_at=dt.datetime(2026, 5, 1)),  # noqa: DTZ001
    )


def test_export_refuses_a_blank_uid() -> None:
    assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        "non-blank UID",
        lambda: export_feed(
            "Loft", [(" ", Stay.parse("2026-07-12/2026-07-15"), "")], stamped_at=STAMP
        ),
    )
