"""FrozenClock: reading, setting and advancing a clock that tests control."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pendulum
import pytest

from staycore.kernel.errors import InvalidInstantError, NaiveDatetimeError
from staycore.kernel.time import Clock
from staycore.testing import FrozenClock

THREADS = 8


def test_it_is_a_clock() -> None:
    assert isinstance(FrozenClock("2026-05-01T09:00:00Z"), Clock)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-05-01T09:00:00Z", "2026-05-01T09:00:00+00:00"),
        ("2026-05-01T17:00:00+08:00", "2026-05-01T17:00:00+08:00"),
        (" 2026-05-01 09:00:00.250-03:00 ", "2026-05-01T09:00:00.250000-03:00"),
        (dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), "2026-05-01T09:00:00+00:00"),
        (pendulum.datetime(2026, 5, 1, 11, tz="Europe/Paris"), "2026-05-01T11:00:00+02:00"),
    ],
)
def test_it_shows_the_instant_it_was_given_in_its_zone(
    start: dt.datetime | str, expected: str
) -> None:
    now = FrozenClock(start).now()
    assert isinstance(now, pendulum.DateTime)
    assert now.isoformat() == expected


def test_a_zone_given_by_name_is_kept() -> None:
    clock = FrozenClock(pendulum.datetime(2026, 5, 1, 11, tz="Europe/Paris"))
    assert clock.now().timezone_name == "Europe/Paris"


@pytest.mark.parametrize(
    ("start", "says"),
    [
        ("2026-05-01T09:00:00", "no offset"),
        ("2026-05-01", "no offset"),
        ("tomorrow at nine", "cannot read an instant"),
        ("", "cannot read an instant"),
        (dt.datetime(2026, 5, 1, 9), "has no timezone"),  # noqa: DTZ001 - naive on purpose
        (dt.date(2026, 5, 1), "must be a timezone-aware datetime"),
        (1777626000, "must be a timezone-aware datetime"),
    ],
)
def test_a_value_that_names_no_instant_is_refused(start: object, says: str) -> None:
    with pytest.raises(InvalidInstantError, match=says):
        FrozenClock(start)  # type: ignore[arg-type]


def test_it_stands_still() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    assert clock.now() == clock.now() == pendulum.datetime(2026, 5, 1, 9, tz="UTC")


def test_set_moves_it_to_any_instant_backwards_too() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    clock.set("2026-12-31T23:59:59+08:00")
    assert clock.now().isoformat() == "2026-12-31T23:59:59+08:00"
    clock.set(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert clock.now() == pendulum.datetime(2025, 1, 1, tz="UTC")


def test_set_refuses_a_naive_instant_and_keeps_the_time() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    with pytest.raises(NaiveDatetimeError):
        clock.set("2026-06-01T09:00:00")
    assert clock.now().isoformat() == "2026-05-01T09:00:00+00:00"


def test_advance_takes_a_timedelta_keywords_or_both() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    assert clock.advance(dt.timedelta(hours=1)).isoformat() == "2026-05-01T10:00:00+00:00"
    assert clock.advance(minutes=30, seconds=15).isoformat() == "2026-05-01T10:30:15+00:00"
    assert clock.advance(dt.timedelta(days=1), hours=2).isoformat() == "2026-05-02T12:30:15+00:00"
    assert clock.now().isoformat() == "2026-05-02T12:30:15+00:00"


def test_advance_with_nothing_leaves_it_where_it_was() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    assert clock.advance() == pendulum.datetime(2026, 5, 1, 9, tz="UTC")


def test_a_negative_advance_moves_it_back() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    assert clock.advance(hours=-2).isoformat() == "2026-05-01T07:00:00+00:00"


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Paris springs forward at 02:00 on 29 March 2026: a day later shows 13:00.
        (pendulum.datetime(2026, 3, 28, 12, tz="Europe/Paris"), "2026-03-29T13:00:00+02:00"),
        # Paris falls back at 03:00 on 25 October 2026: a day later shows 11:00.
        (pendulum.datetime(2026, 10, 24, 12, tz="Europe/Paris"), "2026-10-25T11:00:00+01:00"),
    ],
)
def test_advance_is_elapsed_time_across_daylight_saving(
    start: pendulum.DateTime, expected: str
) -> None:
    clock = FrozenClock(start)
    moved = clock.advance(days=1)
    assert moved.isoformat() == expected
    assert moved.timezone_name == "Europe/Paris"


def test_concurrent_advances_all_count() -> None:
    clock = FrozenClock("2026-05-01T09:00:00Z")
    barrier = threading.Barrier(THREADS, timeout=10)

    def tick(_thread: int) -> None:
        barrier.wait()
        for _ in range(100):
            clock.advance(seconds=1)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(tick, range(THREADS)))
    assert clock.now() == pendulum.datetime(2026, 5, 1, 9, tz="UTC").add(seconds=THREADS * 100)


def test_repr_shows_the_instant() -> None:
    assert (
        repr(FrozenClock("2026-05-01T17:00:00+08:00")) == "FrozenClock('2026-05-01T17:00:00+08:00')"
    )
