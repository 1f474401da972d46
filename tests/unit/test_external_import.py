"""Planning the import of a channel's feed into blocks, and choosing what to export."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import pendulum
import pytest

from staycore.availability.blocks import Block, BlockReason, ExternalSource
from staycore.availability.external import (
    EmptyFeedError,
    ExportEntry,
    ExternalBooking,
    ImportPlan,
    MalformedFeedError,
    export_entries,
    plan_import,
)
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import BlockId, HoldId, UnitTypeId
from staycore.availability.stay_holds import StayHold
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.testing.errors import assert_refused

CABIN = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
LOFT = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8")
FEED = "airbnb:listing-42"


def _ids() -> Callable[[], BlockId]:
    counter = itertools.count(1)
    return lambda: BlockId(f"blk_01JD3M7K2Q8ZP4V6W9X1Y{next(counter):05d}")


def _event(uid: str, nights: str, summary: str = "Reserved") -> ExternalBooking:
    return ExternalBooking(uid, Stay.parse(nights), summary)


def _block(uid: str, nights: str, *, feed: str = FEED, unit_type: UnitTypeId = CABIN) -> Block:
    return Block(
        id=BlockId.new(),
        unit_type=unit_type,
        nights=Stay.parse(nights),
        reason=BlockReason.EXTERNAL_BOOKING,
        source=ExternalSource(feed, uid),
    )


def _plan(
    events: Sequence[ExternalBooking],
    current: Sequence[Block] = (),
    confirmed: Sequence[str] = (),
    **options: object,
) -> ImportPlan:
    return plan_import(
        FEED,
        CABIN,
        events,
        current=current,
        confirmed=[Stay.parse(stay) for stay in confirmed],
        new_block_id=_ids(),
        **options,  # type: ignore[arg-type]
    )


def _uids(blocks: Sequence[Block]) -> list[str]:
    return [block.source.uid for block in blocks if block.source is not None]


# -- add, move, remove, keep -----------------------------------------------------------


def test_new_events_become_external_blocks_with_their_source_and_summary() -> None:
    plan = _plan([_event("a@airbnb.com", "2026-07-12/2026-07-15")])

    (block,) = plan.add
    assert block.nights == Stay.parse("2026-07-12/2026-07-15")
    assert block.reason is BlockReason.EXTERNAL_BOOKING
    assert block.source == ExternalSource(FEED, "a@airbnb.com")
    assert (block.unit_type, block.rooms, block.note) == (CABIN, 1, "Reserved")
    assert (plan.move, plan.remove, plan.unchanged, plan.conflicts) == ((), (), (), ())


def test_an_event_whose_dates_change_moves_its_block_under_a_new_id() -> None:
    old = _block("a", "2026-07-12/2026-07-15")
    plan = _plan([_event("a", "2026-07-13/2026-07-16")], [old])

    ((before, after),) = plan.move
    assert before is old
    assert after.nights == Stay.parse("2026-07-13/2026-07-16")
    assert after.source == old.source
    # A new id lets the store block the new nights before it frees the old ones.
    assert after.id != old.id
    assert (plan.add, plan.remove, plan.unchanged) == ((), (), ())


def test_an_event_that_leaves_the_feed_releases_its_block() -> None:
    kept, gone = _block("a", "2026-07-12/2026-07-15"), _block("b", "2026-08-01/2026-08-03")
    plan = _plan([_event("a", "2026-07-12/2026-07-15")], [kept, gone])

    assert plan.remove == (gone,)
    assert plan.unchanged == (kept,)
    assert plan.blocks == (kept,)


def test_an_empty_feed_is_refused_while_blocks_from_it_stand() -> None:
    """An outage looks like an empty feed: it must not release every block."""
    blocks = [_block("a", "2026-07-12/2026-07-15"), _block("b", "2026-08-01/2026-08-03")]
    refused = assert_refused(
        EmptyFeedError, "availability.empty_feed", "2 blocks", lambda: _plan([], blocks)
    )
    assert isinstance(refused, MalformedFeedError)


def test_an_empty_feed_releases_every_block_when_the_host_says_so() -> None:
    blocks = [_block("a", "2026-07-12/2026-07-15"), _block("b", "2026-08-01/2026-08-03")]
    assert _plan([], blocks, allow_empty=True).remove == tuple(blocks)


def test_an_empty_feed_with_nothing_imported_before_changes_nothing() -> None:
    other = _block("a", "2026-07-12/2026-07-15", feed="booking.com")
    assert _plan([], [other]).changes_nothing


def test_a_summary_change_alone_keeps_the_block() -> None:
    block = _block("a", "2026-07-12/2026-07-15")
    plan = _plan([_event("a", "2026-07-12/2026-07-15", "Airbnb (Not available)")], [block])
    assert plan.changes_nothing
    assert plan.unchanged == (block,)


def test_blocks_of_other_feeds_unit_types_and_reasons_are_left_alone() -> None:
    other_feed = _block("a", "2026-07-12/2026-07-15", feed="booking.com")
    other_unit = _block("a", "2026-07-12/2026-07-15", unit_type=LOFT)
    repair = Block(
        id=BlockId.new(),
        unit_type=CABIN,
        nights=Stay.parse("2026-07-12/2026-07-15"),
        reason=BlockReason.MAINTENANCE,
    )
    plan = _plan([], [other_feed, other_unit, repair])
    assert plan.changes_nothing
    assert plan.unchanged == ()


def test_an_interrupted_move_left_two_blocks_and_the_next_import_keeps_one() -> None:
    old, new = _block("a", "2026-07-12/2026-07-15"), _block("a", "2026-07-13/2026-07-16")
    plan = _plan([_event("a", "2026-07-13/2026-07-16")], [old, new])
    assert plan.unchanged == (new,)
    assert plan.remove == (old,)


def test_two_stale_blocks_for_one_uid_move_one_and_release_the_other() -> None:
    first, second = _block("a", "2026-07-01/2026-07-03"), _block("a", "2026-07-05/2026-07-07")
    plan = _plan([_event("a", "2026-07-10/2026-07-12")], [first, second])
    assert [old for old, _ in plan.move] == [first]
    assert plan.remove == (second,)


def test_block_ids_are_made_in_feed_order() -> None:
    plan = _plan([_event("b", "2026-08-01/2026-08-03"), _event("a", "2026-07-01/2026-07-03")])
    assert _uids(plan.add) == ["b", "a"]
    assert [str(block.id)[-2:] for block in plan.add] == ["01", "02"]


# -- idempotency -----------------------------------------------------------------------


def test_planning_again_against_the_applied_plan_changes_nothing() -> None:
    events = [_event("a", "2026-07-12/2026-07-15"), _event("b", "2026-08-01/2026-08-03")]
    current = [_block("a", "2026-07-10/2026-07-12"), _block("c", "2026-09-01/2026-09-02")]
    first = _plan(events, current)
    assert not first.changes_nothing

    again = _plan(events, first.blocks)
    assert again.changes_nothing
    assert set(again.unchanged) == set(first.blocks)


# -- conflicts with our own bookings ---------------------------------------------------


def test_an_event_on_our_confirmed_nights_is_blocked_and_reported() -> None:
    plan = _plan([_event("a", "2026-07-12/2026-07-15")], confirmed=["2026-07-14/2026-07-17"])

    (conflict,) = plan.conflicts
    assert plan.add == (conflict.block,)
    assert conflict.booking == Stay.parse("2026-07-14/2026-07-17")
    assert conflict.nights == Stay.parse("2026-07-14/2026-07-15")
    assert conflict.feed == FEED
    assert plan.new_conflicts == (conflict,)
    assert "overlaps our confirmed booking 2026-07-14/2026-07-17" in str(conflict)


def test_touching_dates_are_not_a_conflict() -> None:
    # Our guest leaves on the 12th, theirs arrives on the 12th: the exclusive end at work.
    plan = _plan([_event("a", "2026-07-12/2026-07-15")], confirmed=["2026-07-10/2026-07-12"])
    assert plan.conflicts == ()


def test_a_conflict_is_reported_again_while_it_lasts_but_is_new_only_once() -> None:
    events = [_event("a", "2026-07-12/2026-07-15")]
    first = _plan(events, confirmed=["2026-07-13/2026-07-14"])
    again = _plan(events, first.blocks, confirmed=["2026-07-13/2026-07-14"])

    assert again.changes_nothing
    assert len(again.conflicts) == 1
    assert again.new_conflicts == ()


def test_an_event_over_two_of_our_bookings_gives_two_conflicts() -> None:
    plan = _plan(
        [_event("a", "2026-07-10/2026-07-20")],
        confirmed=["2026-07-11/2026-07-12", "2026-07-18/2026-07-22"],
    )
    assert [str(c.nights) for c in plan.conflicts] == [
        "2026-07-11/2026-07-12",
        "2026-07-18/2026-07-20",
    ]


# -- feed quirks -----------------------------------------------------------------------


def test_a_uid_listed_twice_with_the_same_nights_is_one_booking() -> None:
    plan = _plan([_event("a", "2026-07-12/2026-07-15"), _event("a", "2026-07-12/2026-07-15")])
    assert _uids(plan.add) == ["a"]


def test_a_uid_listed_twice_with_other_nights_is_refused() -> None:
    events = [_event("a", "2026-07-12/2026-07-15"), _event("a", "2026-07-20/2026-07-22")]
    error = assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        "keep the current blocks until then",
        lambda: _plan(events),
    )
    assert "'a'" in error.message
    assert "event 2" in error.message


def test_a_horizon_cuts_events_and_ignores_those_outside_it() -> None:
    horizon = Stay.parse("2026-07-01/2026-10-01")
    plan = _plan(
        [
            _event("past", "2026-06-01/2026-06-05"),
            _event("edge", "2026-09-28/2026-10-04"),
            _event("far", "2027-02-01/2027-02-03"),
        ],
        [_block("past", "2026-06-01/2026-06-05")],
        horizon=horizon,
    )
    assert [str(block.nights) for block in plan.add] == ["2026-09-28/2026-10-01"]
    assert _uids(plan.remove) == ["past"]


def test_skipped_summaries_are_not_imported_whatever_their_case() -> None:
    plan = _plan(
        [
            _event("r", "2026-07-12/2026-07-15", "Reserved"),
            _event("n", "2026-07-20/2027-01-20", "AIRBNB (NOT AVAILABLE)"),
        ],
        [_block("n", "2026-07-19/2027-01-19")],
        skip_summaries={"Airbnb (Not available)"},
    )
    assert _uids(plan.add) == ["r"]
    assert _uids(plan.remove) == ["n"]


@pytest.mark.parametrize("uid", ["", "   ", None])
def test_an_event_without_a_uid_is_refused(uid: object) -> None:
    assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        "non-blank UID",
        lambda: ExternalBooking(uid, Stay.parse("2026-07-12/2026-07-15")),  # type: ignore[arg-type]
    )


def test_something_other_than_an_event_is_refused() -> None:
    assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        "must be an ExternalBooking",
        lambda: _plan([("a", Stay.parse("2026-07-12/2026-07-15"))]),  # type: ignore[list-item]
    )


# -- export ----------------------------------------------------------------------------


def _hold(stay: str, status: HoldStatus, unit_type: UnitTypeId = CABIN) -> StayHold:
    return StayHold(
        id=HoldId.new(),
        unit_type=unit_type,
        stay=Stay.parse(stay),
        rooms=1,
        owner=Identifier.new(),
        expires_at=pendulum.datetime(2026, 6, 1, tz="UTC"),
        status=status,
    )


def test_export_shows_confirmed_bookings_and_blocks_of_the_unit_type_only() -> None:
    paid = _hold("2026-07-12/2026-07-15", HoldStatus.CONFIRMED)
    unpaid = _hold("2026-07-20/2026-07-21", HoldStatus.HELD)
    cancelled = _hold("2026-07-22/2026-07-23", HoldStatus.RELEASED)
    elsewhere = _hold("2026-07-12/2026-07-15", HoldStatus.CONFIRMED, LOFT)
    block = _block("x", "2026-07-01/2026-07-03", feed="booking.com")

    entries = export_entries(
        CABIN, [paid, unpaid, cancelled, elsewhere], [block], uid_domain="villa.example"
    )
    assert entries == (
        ExportEntry(f"{block.id}@villa.example", block.nights, "Not available"),
        ExportEntry(f"{paid.id}@villa.example", paid.stay, "Reserved"),
    )


def test_export_can_include_unpaid_holds() -> None:
    unpaid = _hold("2026-07-20/2026-07-21", HoldStatus.HELD)
    assert [e.nights for e in export_entries(CABIN, [unpaid], [], include_held=True)] == [
        unpaid.stay
    ]


def test_export_to_a_channel_leaves_out_that_channels_own_bookings() -> None:
    theirs, other = (
        _block("a", "2026-07-01/2026-07-03"),
        _block("b", "2026-07-05/2026-07-07", feed="vrbo"),
    )
    entries = export_entries(CABIN, [], [theirs, other], for_feed=FEED)
    assert [entry.uid for entry in entries] == [f"{other.id}@staycore"]


def test_export_uids_are_stable() -> None:
    block = _block("a", "2026-07-01/2026-07-03")
    assert export_entries(CABIN, [], [block]) == export_entries(CABIN, [], [block])


@pytest.mark.parametrize(
    "nights", [None, "2026-08-01/2026-08-03", Stay.parse("2026-08-01/2026-08-03").nights]
)
def test_an_event_needs_its_nights_as_a_stay(nights: Any) -> None:
    assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        "nights are a Stay",
        lambda: ExternalBooking("r1", nights),
    )


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"skip_summaries": None}, "skip_summaries is a collection"),
        ({"skip_summaries": "Blocked"}, "skip_summaries is a collection"),
        ({"skip_summaries": [b"Blocked"]}, "skip_summaries is a collection"),
        ({"events": None}, "events is a sequence"),
    ],
)
def test_a_feed_of_the_wrong_types_is_refused(changes: dict[str, Any], says: str) -> None:
    arguments: dict[str, Any] = {
        "feed": "airbnb",
        "unit_type": LOFT,
        "events": [ExternalBooking("r1", Stay.parse("2026-08-01/2026-08-03"))],
        "current": (),
        "confirmed": (),
        "new_block_id": BlockId.new,
    }
    assert_refused(
        MalformedFeedError,
        "availability.malformed_feed",
        says,
        lambda: plan_import(**(arguments | changes)),
    )
