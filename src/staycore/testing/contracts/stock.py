"""The contract suite of the stock store port (:mod:`staycore.ports.stock`).

Subclass :class:`StockStoreContract` and override ``stock_store`` to build your adapter
on the ``clock`` the suite provides; every test adds fresh items, so the suite runs
against an empty store or a shared database alike.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryStockStore
    >>> from staycore.testing.clock import FrozenClock
    >>> from staycore.testing.contracts import StockStoreContract
    >>> class TestMemoryStockStore(StockStoreContract):
    ...     @pytest.fixture
    ...     def stock_store(self, clock: FrozenClock) -> MemoryStockStore:
    ...         return MemoryStockStore(clock)
    >>> "test_racing_for_the_last_units_only_that_many_win" in dir(TestMemoryStockStore)
    True
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pendulum
import pytest

from staycore.availability.holds import (
    DuplicateHoldError,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
)
from staycore.availability.ids import HoldId
from staycore.availability.stock import (
    DuplicateItemError,
    InvalidQuantityError,
    ItemId,
    ItemNotFoundError,
    OutOfStockError,
    StockItem,
    StockRequest,
)
from staycore.kernel.ids import Identifier
from staycore.ports.stock import StockStore
from staycore.testing.clock import FrozenClock

__all__ = ["StockStoreContract"]

# The first 01:30 of the night Europe/London falls back (01:30 BST), and the second.
_FIRST_ONE_THIRTY = pendulum.datetime(2026, 10, 25, 0, 30, tz="UTC").in_tz("Europe/London")
_SECOND_ONE_THIRTY = _FIRST_ONE_THIRTY.add(hours=1)


class StockStoreContract:
    """The rules of :class:`~staycore.ports.stock.StockStore`, as tests.

    Override :meth:`stock_store`. ``racers`` and ``units_left`` size the race test.
    """

    racers: ClassVar[int] = 8
    units_left: ClassVar[int] = 3

    @pytest.fixture
    def clock(self) -> FrozenClock:
        """The clock the store must read for expiry; tests move it."""
        return FrozenClock("2026-06-01T09:00:00Z")

    @pytest.fixture
    def stock_store(self, clock: FrozenClock) -> StockStore:
        """Build the adapter under test on ``clock``; override this."""
        raise NotImplementedError("override the stock_store fixture to build your adapter")

    @pytest.fixture
    def breakfast(self, stock_store: StockStore) -> ItemId:
        """A fresh item: 10 breakfast vouchers, low at 3."""
        return self.add(stock_store, "Breakfast voucher", 10, 3)

    @pytest.fixture
    def transfer(self, stock_store: StockStore) -> ItemId:
        """A fresh item: 2 airport transfers, low at 0 (sold out)."""
        return self.add(stock_store, "Airport transfer", 2, 0)

    @staticmethod
    def add(store: StockStore, name: str, on_hand: int, threshold: int) -> ItemId:
        """Add a fresh item to ``store`` and return its id."""
        item = StockItem(id=ItemId.new(), name=name, on_hand=on_hand, low_stock_threshold=threshold)
        store.add_item(item)
        return item.id

    @staticmethod
    def request(clock: FrozenClock, lines: Mapping[ItemId, int], minutes: int = 15) -> StockRequest:
        """A request for ``lines``, expiring in ``minutes``."""
        return StockRequest(
            hold_id=HoldId.new(),
            lines=lines,
            owner=Identifier.new(),
            expires_at=clock.now().add(minutes=minutes),
        )

    @staticmethod
    def available(store: StockStore, *items: ItemId) -> list[int]:
        """The units available of each of ``items``."""
        return [store.level(item).available for item in items]

    # -- items -----------------------------------------------------------------------

    def test_an_added_item_is_all_available(
        self, stock_store: StockStore, breakfast: ItemId
    ) -> None:
        """A new item has its units on hand available, nothing held or sold."""
        level = stock_store.level(breakfast)
        assert (level.item.on_hand, level.held, level.sold, level.available) == (10, 0, 0, 10)
        assert level.item.name == "Breakfast voucher"

    def test_adding_an_item_twice_is_refused(
        self, stock_store: StockStore, breakfast: ItemId
    ) -> None:
        """A second item under a used id is refused; the first keeps its counts."""
        with pytest.raises(DuplicateItemError) as refused:
            stock_store.add_item(StockItem(id=breakfast, name="Breakfast voucher", on_hand=99))
        assert refused.value.code == "availability.item_exists"
        assert self.available(stock_store, breakfast) == [10]

    def test_restocking_adds_units_and_bad_units_are_refused(
        self, stock_store: StockStore, breakfast: ItemId
    ) -> None:
        """Restocking adds to on hand; zero, negative or fractional units change nothing."""
        assert stock_store.restock(breakfast, 5).available == 15
        for units in (0, -1, 1.5, True):
            with pytest.raises(InvalidQuantityError):
                stock_store.restock(breakfast, units)  # type: ignore[arg-type]
        assert stock_store.level(breakfast).item.on_hand == 15

    def test_an_unknown_item_is_not_found(self, stock_store: StockStore) -> None:
        """Levels and restocks of an item never added raise ItemNotFoundError."""
        unknown = ItemId.new()
        operations: list[Callable[[], object]] = [
            lambda: stock_store.level(unknown),
            lambda: stock_store.restock(unknown, 1),
        ]
        for operation in operations:
            with pytest.raises(ItemNotFoundError):
                operation()

    # -- reserving -------------------------------------------------------------------

    def test_reserving_takes_every_line(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId, transfer: ItemId
    ) -> None:
        """A hold takes the units of every line, under the request's hold id."""
        request = self.request(clock, {breakfast: 4, transfer: 1})
        hold = stock_store.reserve(request).hold
        assert hold.id == request.hold_id
        assert hold.status is HoldStatus.HELD
        assert self.available(stock_store, breakfast, transfer) == [6, 1]
        assert stock_store.level(breakfast).held == 4
        assert stock_store.hold(hold.id) == hold

    def test_a_short_line_refuses_the_whole_request_and_takes_nothing(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId, transfer: ItemId
    ) -> None:
        """All lines or none: a short item refuses the request and says how many are left."""
        with pytest.raises(OutOfStockError) as refused:
            stock_store.reserve(self.request(clock, {breakfast: 4, transfer: 3}))
        assert refused.value.code == "availability.out_of_stock"
        shortages = [(s.item, s.wanted, s.available) for s in refused.value.shortages]
        assert shortages == [(transfer, 3, 2)]
        assert self.available(stock_store, breakfast, transfer) == [10, 2]

    def test_a_line_of_an_unknown_item_refuses_the_whole_request(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """An item never added refuses the request; the known lines take nothing."""
        with pytest.raises(ItemNotFoundError):
            stock_store.reserve(self.request(clock, {breakfast: 1, ItemId.new(): 1}))
        assert self.available(stock_store, breakfast) == [10]

    def test_a_retried_request_gets_its_hold_and_events_back(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """The same hold id and request returns the same reservation and takes nothing more."""
        request = self.request(clock, {breakfast: 8})
        first = stock_store.reserve(request)
        assert len(first.events) == 1
        assert stock_store.reserve(request) == first
        assert self.available(stock_store, breakfast) == [2]

    def test_a_hold_id_reused_for_another_request_is_refused(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId, transfer: ItemId
    ) -> None:
        """A different request under a used hold id is an error, and takes nothing."""
        request = self.request(clock, {breakfast: 1})
        stock_store.reserve(request)
        other = StockRequest(
            hold_id=request.hold_id,
            lines={transfer: 1},
            owner=request.owner,
            expires_at=request.expires_at,
        )
        with pytest.raises(DuplicateHoldError):
            stock_store.reserve(other)
        assert self.available(stock_store, breakfast, transfer) == [9, 2]

    # -- the hold lifecycle ------------------------------------------------------------

    def test_confirming_turns_held_into_sold_once(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId, transfer: ItemId
    ) -> None:
        """Confirming moves every line from held to sold; a second confirm changes nothing."""
        hold = stock_store.reserve(self.request(clock, {breakfast: 2, transfer: 1})).hold
        for _ in range(2):
            assert stock_store.confirm(hold.id).status is HoldStatus.CONFIRMED
        levels = [stock_store.level(item) for item in (breakfast, transfer)]
        assert [(lv.held, lv.sold, lv.available) for lv in levels] == [(0, 2, 8), (0, 1, 1)]

    def test_releasing_frees_held_or_sold_units_once(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """Release frees the units whether held or sold; a second release does nothing."""
        held = stock_store.reserve(self.request(clock, {breakfast: 2})).hold
        sold = stock_store.reserve(self.request(clock, {breakfast: 3})).hold
        stock_store.confirm(sold.id)
        for _ in range(2):
            assert stock_store.release(held.id).status is HoldStatus.RELEASED
            assert stock_store.release(sold.id).status is HoldStatus.RELEASED
        level = stock_store.level(breakfast)
        assert (level.held, level.sold, level.available) == (0, 0, 10)

    def test_an_expired_hold_frees_its_units_once(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """Past its expiry an unpaid hold is expired (once) and its units come back."""
        hold = stock_store.reserve(self.request(clock, {breakfast: 5}, minutes=15)).hold
        clock.advance(minutes=14)
        assert stock_store.expire_due() == ()
        clock.advance(minutes=1)
        assert [h.id for h in stock_store.expire_due()] == [hold.id]
        assert stock_store.expire_due() == ()
        assert stock_store.release(hold.id).status is HoldStatus.EXPIRED
        assert stock_store.hold(hold.id).status is HoldStatus.EXPIRED
        assert self.available(stock_store, breakfast) == [10]

    def test_a_lapsed_hold_never_keeps_stock_from_a_new_guest(
        self, stock_store: StockStore, clock: FrozenClock, transfer: ItemId
    ) -> None:
        """Reserving expires due holds first, even if no sweeper ran."""
        stock_store.reserve(self.request(clock, {transfer: 2}))
        clock.advance(minutes=20)
        assert stock_store.reserve(self.request(clock, {transfer: 2})).hold.lines[0].quantity == 2

    def test_an_expired_hold_cannot_be_confirmed(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """Payment after expiry is refused: the order must reserve again."""
        hold = stock_store.reserve(self.request(clock, {breakfast: 4})).hold
        clock.advance(minutes=30)
        with pytest.raises(HoldNotActiveError):
            stock_store.confirm(hold.id)
        assert self.available(stock_store, breakfast) == [10]

    def test_extending_needs_a_live_hold(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """A live hold can be extended with its order's hold; a lapsed one cannot."""
        hold = stock_store.reserve(self.request(clock, {breakfast: 1}, minutes=15)).hold
        clock.advance(minutes=10)
        extended = stock_store.extend(hold.id, clock.now().add(minutes=30))
        assert extended.expires_at == clock.now().add(minutes=30)
        clock.advance(minutes=20)
        assert stock_store.expire_due() == ()
        clock.advance(minutes=15)
        with pytest.raises(HoldNotActiveError):
            stock_store.extend(hold.id, clock.now().add(minutes=30))
        assert self.available(stock_store, breakfast) == [10]

    def test_a_hold_extended_into_the_repeated_hour_lasts_until_its_new_expiry(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """A hold extended from the first 01:30 of a fall-back night to the second keeps.

        Europe/London falls back on 25 October 2026: 01:30 comes in summer time (00:30
        UTC), then again in winter time (01:30 UTC). On the wall clock the two look the
        same, so the hold's first expiry must not be taken for its new one.
        """
        clock.set(_FIRST_ONE_THIRTY.subtract(minutes=30))
        request = StockRequest(
            hold_id=HoldId.new(),
            lines={breakfast: 2},
            owner=Identifier.new(),
            expires_at=_FIRST_ONE_THIRTY,
        )
        hold = stock_store.reserve(request).hold
        extended = stock_store.extend(hold.id, _SECOND_ONE_THIRTY)
        assert extended.expires_at.in_tz("UTC") == _SECOND_ONE_THIRTY.in_tz("UTC")
        clock.set(_FIRST_ONE_THIRTY)
        assert stock_store.expire_due() == ()
        assert stock_store.hold(hold.id).status is HoldStatus.HELD
        assert self.available(stock_store, breakfast) == [8]
        clock.set(_SECOND_ONE_THIRTY)
        assert [h.id for h in stock_store.expire_due()] == [hold.id]
        assert self.available(stock_store, breakfast) == [10]

    def test_an_unknown_hold_is_not_found(self, stock_store: StockStore) -> None:
        """Every hold operation on an unknown id raises HoldNotFoundError."""
        unknown = HoldId.new()
        operations: list[Callable[[], object]] = [
            lambda: stock_store.hold(unknown),
            lambda: stock_store.confirm(unknown),
            lambda: stock_store.release(unknown),
        ]
        for operation in operations:
            with pytest.raises(HoldNotFoundError):
                operation()

    # -- low stock -------------------------------------------------------------------

    def test_low_stock_is_reported_once_per_crossing(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId
    ) -> None:
        """Only the reservation that crosses the threshold reports it, until stock rises."""
        reserve = stock_store.reserve
        assert reserve(self.request(clock, {breakfast: 6})).events == ()  # 4 left
        crossing = reserve(self.request(clock, {breakfast: 2})).events  # 2 left: low
        assert [(e.item, e.available, e.threshold) for e in crossing] == [(breakfast, 2, 3)]
        assert crossing[0].name == "Breakfast voucher"
        assert crossing[0].occurred_at == clock.now()
        assert crossing[0].aggregate_version == stock_store.level(breakfast).version
        assert reserve(self.request(clock, {breakfast: 1})).events == ()  # still low
        stock_store.restock(breakfast, 5)  # 6 left: armed again
        again = reserve(self.request(clock, {breakfast: 4})).events
        assert [(e.item, e.available) for e in again] == [(breakfast, 2)]

    def test_freed_stock_arms_the_threshold_again(
        self, stock_store: StockStore, clock: FrozenClock, breakfast: ItemId, transfer: ItemId
    ) -> None:
        """A release lifts stock above the threshold; the next crossing is reported."""
        first = stock_store.reserve(self.request(clock, {breakfast: 7, transfer: 2}))
        assert sorted(e.item for e in first.events) == sorted([breakfast, transfer])
        stock_store.release(first.hold.id)
        again = stock_store.reserve(self.request(clock, {breakfast: 8, transfer: 1}))
        assert [(e.item, e.available) for e in again.events] == [(breakfast, 2)]

    def test_an_item_added_already_low_reports_nothing(
        self, stock_store: StockStore, clock: FrozenClock
    ) -> None:
        """Stock that was never above the threshold never crosses it."""
        scarce = self.add(stock_store, "Late checkout", 2, 5)
        assert stock_store.reserve(self.request(clock, {scarce: 1})).events == ()
        assert stock_store.level(scarce).is_low

    # -- concurrency -----------------------------------------------------------------

    def test_racing_for_the_last_units_only_that_many_win(
        self, stock_store: StockStore, clock: FrozenClock
    ) -> None:
        """``racers`` threads race for ``units_left`` units: exactly that many win."""
        item = self.add(stock_store, "Sunset cruise seat", self.units_left, 0)
        requests = [self.request(clock, {item: 1}) for _ in range(self.racers)]
        start = threading.Barrier(self.racers)

        def race(request: StockRequest) -> int | None:
            start.wait(timeout=10)
            try:
                return len(stock_store.reserve(request).events)
            except OutOfStockError:
                return None

        with ThreadPoolExecutor(max_workers=self.racers) as pool:
            results = list(pool.map(race, requests))
        won = [events for events in results if events is not None]
        assert len(won) == self.units_left, f"{len(won)} of {self.racers} racers got a unit"
        assert sum(won) == 1, "exactly one winner takes the item to its threshold"
        level = stock_store.level(item)
        assert (level.held, level.available) == (self.units_left, 0)
