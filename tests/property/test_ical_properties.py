"""iCalendar sync: export then import keeps every blocked night; importing is idempotent."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("icalendar", reason="the iCalendar adapter needs the `ical` extra")

from staycore.adapters.ical import export_feed, parse_feed
from staycore.availability.blocks import Block, BlockReason, ExternalSource
from staycore.availability.external import (
    ExportEntry,
    ExternalBooking,
    ImportPlan,
    export_entries,
    plan_import,
)
from staycore.availability.ids import BlockId, UnitTypeId
from staycore.kernel.time import Stay
from staycore.testing.strategies import stays

UNIT = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
FEED = "airbnb:listing-42"
STAMP = pendulum.datetime(2026, 5, 1, 9, tz="UTC")

# Text a channel might put in a summary: punctuation iCalendar escapes, accents, emoji.
summaries = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), include_characters=',;\\:"'
    ),
    max_size=30,
).map(str.strip)


def _stays(max_nights: int) -> st.SearchStrategy[Stay]:
    return stays(
        max_nights=max_nights, min_date=dt.date(2026, 1, 1), max_date=dt.date(2027, 12, 31)
    )


uids = st.text(alphabet="abcdef0123456789-@.", min_size=1, max_size=12).filter(str.strip)


@st.composite
def feeds(draw: st.DrawFn) -> list[ExternalBooking]:
    """A feed's events: distinct UIDs, sometimes listed twice with the same dates."""
    by_uid = draw(st.dictionaries(uids, st.tuples(_stays(21), summaries)))
    events = [ExternalBooking(uid, nights, summary) for uid, (nights, summary) in by_uid.items()]
    repeats = draw(st.lists(st.sampled_from(events), max_size=3)) if events else []
    return events + repeats


@st.composite
def current_blocks(draw: st.DrawFn) -> list[Block]:
    """Blocks a previous import may have left, with stray ones of other feeds."""
    blocks = []
    for uid, nights, feed in draw(
        st.lists(st.tuples(uids, _stays(21), st.sampled_from([FEED, "vrbo"])))
    ):
        blocks.append(
            Block(
                id=BlockId.new(),
                unit_type=UNIT,
                nights=nights,
                reason=BlockReason.EXTERNAL_BOOKING,
                source=ExternalSource(feed, uid),
            )
        )
    return blocks


def _plan(events: Sequence[ExternalBooking], current: Sequence[Block]) -> ImportPlan:
    # An empty feed stands for cancelled bookings here; the outage guard has its unit tests.
    return plan_import(
        FEED,
        UNIT,
        events,
        current=current,
        confirmed=(),
        new_block_id=BlockId.new,
        allow_empty=True,
    )


def _apply(plan: ImportPlan, current: Iterable[Block]) -> list[Block]:
    gone = {block.id for block in plan.remove} | {old.id for old, _ in plan.move}
    return [b for b in current if b.id not in gone] + [*plan.add, *(new for _, new in plan.move)]


def _nights(stays_: Iterable[Stay]) -> Counter[dt.date]:
    return Counter(night for stay in stays_ for night in stay)


@given(entries=st.dictionaries(uids, st.tuples(_stays(30), summaries)))
def test_export_then_parse_gives_back_every_entry(entries: dict[str, tuple[Stay, str]]) -> None:
    exported = [ExportEntry(f"{uid}@staycore", stay, text) for uid, (stay, text) in entries.items()]
    text = export_feed("Garden Cabin", exported, stamped_at=STAMP)

    parsed = parse_feed(text)
    assert [(e.uid, e.nights, e.summary) for e in parsed] == [
        (e.uid, e.nights, e.summary) for e in exported
    ]


@given(events=feeds())
def test_import_then_export_round_trips_the_blocked_nights(events: list[ExternalBooking]) -> None:
    feed_text = export_feed(
        "channel", [(e.uid, e.nights, e.summary) for e in events], stamped_at=STAMP
    )
    blocks = _plan(parse_feed(feed_text), []).blocks

    ours = export_feed("ours", export_entries(UNIT, [], blocks), stamped_at=STAMP)
    distinct = {e.uid: e.nights for e in events}
    assert _nights(e.nights for e in parse_feed(ours)) == _nights(distinct.values())


@given(events=feeds(), current=current_blocks())
def test_applying_a_plan_then_planning_again_changes_nothing(
    events: list[ExternalBooking], current: list[Block]
) -> None:
    plan = _plan(events, current)
    after = _apply(plan, current)

    again = _plan(events, after)
    assert again.changes_nothing
    assert set(again.unchanged) == set(plan.blocks)


@given(events=feeds(), current=current_blocks())
def test_after_an_import_each_event_has_one_block_on_its_nights(
    events: list[ExternalBooking], current: list[Block]
) -> None:
    after = _apply(_plan(events, current), current)

    mine = [b for b in after if b.source is not None and b.source.feed == FEED]
    assert sorted((b.source.uid, b.nights) for b in mine if b.source) == sorted(
        {(e.uid, e.nights) for e in events}
    )
    # Blocks of other feeds are never touched.
    assert [b for b in after if b not in mine] == [
        b for b in current if b.source is not None and b.source.feed != FEED
    ]


@given(events=feeds(), confirmed=st.lists(_stays(14), max_size=4))
def test_every_overlap_with_our_bookings_is_reported(
    events: list[ExternalBooking], confirmed: list[Stay]
) -> None:
    plan = plan_import(
        FEED, UNIT, events, current=(), confirmed=confirmed, new_block_id=BlockId.new
    )
    reported = {(c.event.uid, c.booking) for c in plan.conflicts}
    expected = {(e.uid, stay) for e in events for stay in confirmed if e.nights.overlaps(stay)}
    assert reported == expected
    assert all(c.block in plan.add for c in plan.conflicts)
