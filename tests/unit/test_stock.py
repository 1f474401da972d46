"""Add-on stock values: what they accept, what they refuse, and when stock is low."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
import pytest

from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId
from staycore.availability.stock import (
    InvalidQuantityError,
    InvalidStockItemError,
    ItemId,
    LowStockReached,
    OutOfStockError,
    StockItem,
    StockLevel,
    StockLine,
    StockRequest,
    StockShortage,
    low_stock_crossed,
)
from staycore.kernel.errors import InvalidIdentifierError, NaiveDatetimeError
from staycore.kernel.events import event_payload
from staycore.kernel.ids import Identifier
from staycore.testing.errors import assert_refused

WINE = ItemId("item_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
CAKE = ItemId("item_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8")
HOLD = HoldId("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
ORDER = Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
NOON = pendulum.datetime(2026, 6, 1, 12, tz="UTC")


def _bad(value: object) -> Any:
    """A value of the wrong type, as untyped callers and JSON pass them."""
    return value


def wine(on_hand: int = 10, threshold: int = 3) -> StockItem:
    return StockItem(id=WINE, name="Bottle of wine", on_hand=on_hand, low_stock_threshold=threshold)


def request(lines: Any) -> StockRequest:
    return StockRequest(hold_id=HOLD, lines=lines, owner=ORDER, expires_at=NOON)


# -- bad input -------------------------------------------------------------------------


def test_item_ids_have_their_own_prefix() -> None:
    assert ItemId.new().startswith("item_")
    assert_refused(InvalidIdentifierError, "ids.invalid", "ItemId", lambda: ItemId(str(HOLD)))


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"on_hand": -1}, "on_hand must be a whole number of units, zero or more"),
        ({"on_hand": 2.5}, "on_hand must be a whole number"),
        ({"on_hand": True}, "on_hand must be a whole number"),
        ({"on_hand": "3"}, "on_hand must be a whole number"),
        ({"low_stock_threshold": -2}, "low_stock_threshold must be a whole number"),
    ],
)
def test_bad_item_counts_are_refused(fields: dict[str, Any], says: str) -> None:
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        says,
        lambda: StockItem(id=WINE, name="Wine", **fields),
    )


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_item_needs_a_name(name: object) -> None:
    assert_refused(
        InvalidStockItemError,
        "availability.invalid_stock_item",
        "needs a name",
        lambda: StockItem(id=WINE, name=_bad(name)),
    )


@pytest.mark.parametrize("quantity", [0, -1, 1.0, True, None])
def test_a_line_takes_at_least_one_whole_unit(quantity: object) -> None:
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "at least 1",
        lambda: StockLine(WINE, _bad(quantity)),
    )


def test_a_bad_line_inside_a_request_is_refused() -> None:
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "at least 1",
        lambda: request({WINE: 2, CAKE: 0}),
    )
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "StockLine values",
        lambda: request([(WINE, 2)]),
    )


@pytest.mark.parametrize("lines", [{}, [], ()])
def test_a_request_needs_a_line(lines: object) -> None:
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "at least one line",
        lambda: request(lines),
    )


def test_a_request_needs_an_aware_expiry() -> None:
    naive = dt.datetime(2026, 6, 1, 12)  # noqa: DTZ001
    assert_refused(
        NaiveDatetimeError,
        "time.naive_datetime",
        "stock hold expiry",
        lambda: StockRequest(hold_id=HOLD, lines={WINE: 1}, owner=ORDER, expires_at=naive),
    )


def test_a_level_never_holds_more_than_is_on_hand() -> None:
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "restock it",
        lambda: StockLevel(item=wine(on_hand=4), held=3, sold=2),
    )
    level = StockLevel(item=wine(on_hand=4), held=3)
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "held",
        lambda: level.changed(held=-4),
    )
    assert_refused(
        InvalidQuantityError,
        "availability.invalid_quantity",
        "at least 1",
        lambda: level.restocked(0),
    )


def test_out_of_stock_says_how_many_are_left() -> None:
    error = assert_refused(
        OutOfStockError,
        "availability.out_of_stock",
        f"{WINE} (1 left, 3 wanted)",
        lambda: _raise(OutOfStockError((StockShortage(WINE, wanted=3, available=1),))),
    )
    assert error.shortages == (StockShortage(WINE, 3, 1),)


def _raise(error: Exception) -> None:
    raise error


# -- requests and holds ------------------------------------------------------------------


def test_lines_of_one_item_are_added_together_and_sorted() -> None:
    merged = request([StockLine(WINE, 1), StockLine(CAKE, 2), StockLine(WINE, 2)])
    assert merged.lines == (StockLine(WINE, 3), StockLine(CAKE, 2))
    assert merged == request({CAKE: 2, WINE: 3})


def test_a_hold_matches_only_its_own_request() -> None:
    hold = request({WINE: 2}).to_hold()
    assert hold.status is HoldStatus.HELD
    assert hold.matches(request({WINE: 2}))
    assert not hold.matches(request({WINE: 1}))
    other_owner = StockRequest(
        hold_id=HOLD, lines={WINE: 2}, owner=Identifier.new(), expires_at=NOON
    )
    assert not hold.matches(other_owner)


# -- levels and low stock ------------------------------------------------------------------


def test_available_is_on_hand_minus_held_minus_sold() -> None:
    level = StockLevel(item=wine(on_hand=10), held=4, sold=3)
    assert (level.available, level.is_low) == (3, True)
    moved = level.changed(held=-1, sold=1)
    assert (moved.held, moved.sold, moved.available, moved.version) == (3, 4, 3, 2)
    restocked = moved.restocked(5)
    assert (restocked.item.on_hand, restocked.available, restocked.version) == (15, 8, 3)


@pytest.mark.parametrize(
    ("held_before", "held_after", "reported"),
    [
        (6, 7, True),  # 4 -> 3: crosses a threshold of 3
        (5, 10, True),  # 5 -> 0: jumps past it
        (7, 8, False),  # 3 -> 2: already low
        (4, 6, False),  # 6 -> 4: still above
        (8, 2, False),  # stock coming back never reports low
    ],
)
def test_low_stock_is_reported_on_the_crossing_only(
    held_before: int, held_after: int, reported: bool
) -> None:
    before = StockLevel(item=wine(), held=held_before)
    after = StockLevel(item=wine(), held=held_after, version=2)
    event = low_stock_crossed(before, after, NOON)
    assert (event is not None) is reported


def test_the_low_stock_event_names_the_item_and_its_counts() -> None:
    event = low_stock_crossed(
        StockLevel(item=wine(), held=6), StockLevel(item=wine(), held=8, version=7), NOON
    )
    assert isinstance(event, LowStockReached)
    assert (event.item, event.available, event.threshold, event.aggregate_version) == (
        WINE,
        2,
        3,
        7,
    )
    payload = event_payload(event)
    assert payload == {
        "event_type": "LowStockReached",
        "aggregate_id": str(WINE),
        "aggregate_version": 7,
        "occurred_at": "2026-06-01T12:00:00+00:00",
        "name": "Bottle of wine",
        "available": 2,
        "threshold": 3,
    }


def test_a_zero_threshold_reports_the_last_unit_sold() -> None:
    item = wine(on_hand=2, threshold=0)
    assert low_stock_crossed(StockLevel(item=item, held=1), StockLevel(item=item, held=2), NOON)
    assert not low_stock_crossed(StockLevel(item=item), StockLevel(item=item, held=1), NOON)
