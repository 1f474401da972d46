"""The memory adapter's stock store.

One lock guards every item and hold, so each operation is atomic: a reservation checks
and takes the units of all its lines while no other thread can change them. The SQL
adapters get the same guarantee from the database (conditional updates on the item
rows, in the request's item order), never from a lock in the process. The holds are kept
in a :class:`~staycore.adapters.memory.hold_book.HoldBook`, as the inventory and
appointment stores keep theirs.

Example:
    >>> from staycore.adapters.memory import MemoryStockStore
    >>> from staycore.availability.ids import HoldId
    >>> from staycore.availability.stock import ItemId, StockItem, StockRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-06-01T09:00:00Z")
    >>> store = MemoryStockStore(clock)
    >>> transfer = store.add_item(
    ...     StockItem(id=ItemId.new(), name="Airport transfer", on_hand=3, low_stock_threshold=1)
    ... ).item
    >>> def request(units: int) -> StockRequest:
    ...     return StockRequest(
    ...         hold_id=HoldId.new(), lines={transfer.id: units},
    ...         owner=Identifier.new(), expires_at=clock.now().add(minutes=15),
    ...     )
    >>> reservation = store.reserve(request(2))
    >>> [(e.event_type, e.available) for e in reservation.events]
    [('LowStockReached', 1)]
    >>> store.reserve(request(2))
    Traceback (most recent call last):
    ...
    staycore.availability.stock.OutOfStockError: [availability.out_of_stock] ...
    >>> _ = clock.advance(minutes=16)  # the first guest never paid
    >>> store.reserve(request(2)).hold.status.value
    'held'
"""

from __future__ import annotations

import threading

from staycore.adapters.memory.hold_book import HoldBook, HoldKeeping
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId
from staycore.availability.stock import (
    DuplicateItemError,
    ItemId,
    ItemNotFoundError,
    LowStockReached,
    OutOfStockError,
    StockHold,
    StockItem,
    StockLevel,
    StockRequest,
    StockReservation,
    StockShortage,
    low_stock_crossed,
)
from staycore.kernel.time import Clock

__all__ = ["MemoryStockStore"]


class MemoryStockStore(HoldKeeping[StockHold, StockRequest]):
    """A :class:`~staycore.ports.stock.StockStore` in memory, safe between threads.

    Args:
        clock: Tells when holds expire, and when low-stock events occur.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._levels: dict[ItemId, StockLevel] = {}
        self._holds: HoldBook[StockHold, StockRequest] = HoldBook(
            describe=lambda hold: f"other stock for {hold.owner}",
            keep_in_step=self._count,
            noun="stock hold",
        )
        # What each reservation reported, returned again to a retry of it.
        self._events: dict[HoldId, tuple[LowStockReached, ...]] = {}

    # -- items -----------------------------------------------------------------------

    def add_item(self, item: StockItem) -> StockLevel:
        """Start counting ``item``, with nothing held or sold.

        Raises:
            DuplicateItemError: An item with this id was added before: restock it.
        """
        with self._lock:
            if item.id in self._levels:
                msg = f"{item.id} is already counted; restock() it to add units"
                raise DuplicateItemError(msg)
            level = StockLevel(item=item)
            self._levels[item.id] = level
            return level

    def restock(self, item_id: ItemId, units: int) -> StockLevel:
        """Add ``units`` (at least 1) to the item's units on hand.

        Raises:
            ItemNotFoundError: No such item.
            InvalidQuantityError: ``units`` is not a whole number of at least 1.
        """
        with self._lock:
            level = self._level(item_id).restocked(units)
            self._levels[item_id] = level
            return level

    def level(self, item_id: ItemId) -> StockLevel:
        """Return the item with its units held, sold and available.

        Raises:
            ItemNotFoundError: No such item.
        """
        with self._lock:
            return self._level(item_id)

    # -- holds -----------------------------------------------------------------------

    def reserve(self, request: StockRequest) -> StockReservation:
        """Hold the units of every line of the request, or none of them.

        Raises:
            OutOfStockError: Some items have too few units left; nothing was taken.
            ItemNotFoundError: A line names an item never added; nothing was taken.
            DuplicateHoldError: The hold id was used for a different request.
        """
        with self._lock:
            retried = self._holds.retried(request)
            if retried is not None:
                return StockReservation(hold=retried, events=self._events[retried.id])
            now = self._now()
            self._holds.expire_due(now)
            before = [self._level(line.item) for line in request.lines]
            shortages = tuple(
                StockShortage(line.item, wanted=line.quantity, available=level.available)
                for line, level in zip(request.lines, before, strict=True)
                if level.available < line.quantity
            )
            if shortages:
                raise OutOfStockError(shortages)
            hold = self._holds.add(request.to_hold())  # takes the units, by _count
            crossings = (
                low_stock_crossed(level, self._levels[line.item], now)
                for line, level in zip(request.lines, before, strict=True)
            )
            events = tuple(event for event in crossings if event is not None)
            self._events[hold.id] = events
            return StockReservation(hold=hold, events=events)

    # -- internals (called with the lock held) --------------------------------------

    def _level(self, item_id: ItemId) -> StockLevel:
        level = self._levels.get(item_id)
        if level is None:
            msg = f"no stock item {item_id!r}: add_item() it before selling it"
            raise ItemNotFoundError(msg)
        return level

    def _count(self, hold: StockHold, was: HoldStatus | None) -> None:
        """Move the hold's units between the items' counts to match its new status."""
        if was is hold.status:  # extended: the units stay where they are
            return
        levels = {}
        for line in hold.lines:
            held, sold = _counted(was, line.quantity)
            held_after, sold_after = _counted(hold.status, line.quantity)
            level = self._levels[line.item]
            levels[line.item] = level.changed(held=held_after - held, sold=sold_after - sold)
        self._levels.update(levels)  # every line or none, should a count refuse its change

    def __repr__(self) -> str:
        return f"MemoryStockStore(items={len(self._levels)}, holds={len(self._holds)})"


def _counted(status: HoldStatus | None, quantity: int) -> tuple[int, int]:
    """The (held, sold) units a hold of ``quantity`` counts for in ``status`` (``None``: new)."""
    if status is HoldStatus.HELD:
        return quantity, 0
    if status is HoldStatus.CONFIRMED:
        return 0, quantity
    return 0, 0
