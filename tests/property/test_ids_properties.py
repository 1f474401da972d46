"""Properties of identifiers: validity, round trips and creation order."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.ids import Identifier, IdGenerator
from staycore.testing.strategies import identifiers


def _seeded(seed: int) -> random.Random:
    """A seeded generator, for reproducible (not secret) identifiers."""
    return random.Random(seed)  # noqa: S311


class PropertyOrderId(Identifier):
    prefix = "prop_ord"


class PropertyGuestId(Identifier):
    prefix = "prop_gst"


class _Clock:
    """A clock that tells the instants it is given, one per call, then the last forever."""

    def __init__(self, *instants: dt.datetime) -> None:
        self._instants = list(instants)

    def now(self) -> pendulum.DateTime:
        instant = self._instants.pop(0) if len(self._instants) > 1 else self._instants[0]
        return pendulum.instance(instant)


class _MaxRandom(random.Random):
    """Always the largest random part, so the next id in the millisecond overflows it."""

    def getrandbits(self, k: int) -> int:
        return (1 << k) - 1


_INSTANTS = st.datetimes(
    min_value=dt.datetime(1970, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=dt.datetime(9999, 12, 31, 23, 59, 58),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


@given(order=identifiers(PropertyOrderId))
def test_an_identifier_round_trips_through_its_constructor(order: PropertyOrderId) -> None:
    again = PropertyOrderId(str(order))

    assert again == order
    assert type(again) is PropertyOrderId
    assert again.timestamp == order.timestamp
    assert repr(again) == f"PropertyOrderId({str(order)!r})"
    assert Identifier(str(order)) == order
    assert str(order).startswith("prop_ord_")
    assert len(order) == len("prop_ord_") + 26


@given(anything=identifiers(Identifier))
def test_the_base_class_accepts_every_kind(anything: Identifier) -> None:
    assert Identifier(str(anything)) == anything


@given(instant=_INSTANTS, seed=st.integers(0, 2**32))
def test_the_timestamp_is_the_clock_time_to_the_millisecond(
    instant: dt.datetime, seed: int
) -> None:
    ids = IdGenerator(_Clock(instant), _seeded(seed))

    order = ids.new(PropertyOrderId)

    expected = instant.replace(microsecond=instant.microsecond // 1000 * 1000)
    assert order.timestamp == expected
    assert PropertyOrderId(str(order)) == order


@given(instant=_INSTANTS, count=st.integers(2, 50), seed=st.integers(0, 2**32))
def test_ids_from_a_frozen_clock_strictly_increase(
    instant: dt.datetime, count: int, seed: int
) -> None:
    ids = IdGenerator(_Clock(instant), _seeded(seed))

    made = [ids.new(PropertyOrderId) for _ in range(count)]

    assert all(earlier < later for earlier, later in itertools.pairwise(made))


@given(instants=st.lists(_INSTANTS, min_size=2, max_size=30), seed=st.integers(0, 2**32))
def test_ids_increase_even_when_the_clock_steps_back(
    instants: list[dt.datetime], seed: int
) -> None:
    ids = IdGenerator(_Clock(*instants), _seeded(seed))

    made = [ids.new(PropertyOrderId if i % 2 else PropertyGuestId) for i in range(len(instants))]

    ulids = [str(identifier).rpartition("_")[2] for identifier in made]
    assert all(earlier < later for earlier, later in itertools.pairwise(ulids))
    latest = max(instant.replace(microsecond=0) for instant in instants)
    assert made[-1].timestamp >= latest


@given(instant=_INSTANTS)
def test_a_full_random_part_moves_to_the_next_millisecond(instant: dt.datetime) -> None:
    ids = IdGenerator(_Clock(instant), _MaxRandom())

    first, second = ids.new(PropertyOrderId), ids.new(PropertyOrderId)

    assert first < second
    assert second.timestamp - first.timestamp == dt.timedelta(milliseconds=1)
