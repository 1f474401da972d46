"""The memory adapter's stock store.

One lock guards every item and hold, so each operation is atomic: a reservation checks
and takes the units of all its lines while no other thread can change them. The SQL
adapters get the same guarantee from the database (conditional updates on the item
rows, in the request's item order), never from a lock in the process.

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

import heapq
import threading

import attrs
import pendulum

from staycore.availability.holds import (
    DuplicateHoldError,
    HoldAction,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
    next_status,
)
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
from staycore.kernel.time import Clock, as_instant

__all__ = ["MemoryStockStore"]


class MemoryStockStore:
    """A :class:`~staycore.ports.stock.StockStore` in memory, safe between threads.

    Args:
        clock: Tells when holds expire, and when low-stock events occur.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._levels: dict[ItemId, StockLevel] = {}
        self._holds: dict[HoldId, StockHold] = {}
        # What each reservation reported, returned again to a retry of it.
        self._events: dict[HoldId, tuple[LowStockReached, ...]] = {}
        # Held holds by expiry; entries of holds extended, confirmed or released since
        # go stale and are skipped when they come up.
        self._expiries: list[tuple[pendulum.DateTime, HoldId]] = []

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
            existing = self._holds.get(request.hold_id)
            if existing is not None:
                if existing.matches(request):
                    return StockReservation(hold=existing, events=self._events[existing.id])
                msg = (
                    f"hold id {request.hold_id} already holds other stock for "
                    f"{existing.owner}; give a new request a new hold id"
                )
                raise DuplicateHoldError(msg)
            now = self._now()
            self._expire_due(now)
            before = [self._level(line.item) for line in request.lines]
            shortages = tuple(
                StockShortage(line.item, wanted=line.quantity, available=level.available)
                for line, level in zip(request.lines, before, strict=True)
                if level.available < line.quantity
            )
            if shortages:
                raise OutOfStockError(shortages)
            events = []
            for line, level in zip(request.lines, before, strict=True):
                after = level.changed(held=line.quantity)
                self._levels[line.item] = after
                event = low_stock_crossed(level, after, now)
                if event is not None:
                    events.append(event)
            hold = request.to_hold()
            self._holds[hold.id] = hold
            self._events[hold.id] = tuple(events)
            heapq.heappush(self._expiries, (hold.expires_at, hold.id))
            return StockReservation(hold=hold, events=tuple(events))

    def hold(self, hold_id: HoldId) -> StockHold:
        """Return the hold with ``hold_id``.

        Raises:
            HoldNotFoundError: No such hold.
        """
        with self._lock:
            return self._find(hold_id)

    def confirm(self, hold_id: HoldId) -> StockHold:
        """Turn held units into sold ones; confirming again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold expired or was released: reserve again.
        """
        with self._lock:
            hold = self._find(hold_id)
            if hold.status is HoldStatus.HELD and hold.expires_at <= self._now():
                hold = self._change(hold, HoldAction.EXPIRE)
            return self._change(hold, HoldAction.CONFIRM)

    def release(self, hold_id: HoldId) -> StockHold:
        """Free a hold's units, held or sold; releasing again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
        """
        with self._lock:
            return self._change(self._find(hold_id), HoldAction.RELEASE)

    def extend(self, hold_id: HoldId, until: pendulum.DateTime) -> StockHold:
        """Move a live hold's expiry to ``until``, as the order's hold is extended.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold is not ``held``, its expiry has passed, or
                ``until`` is not in the future.
        """
        new_expiry = as_instant(until, what="new stock hold expiry")
        with self._lock:
            hold, now = self._find(hold_id), self._now()
            if hold.status is HoldStatus.HELD and hold.expires_at <= now:
                hold = self._change(hold, HoldAction.EXPIRE)
            if new_expiry <= now:
                msg = f"cannot extend hold {hold_id} to {new_expiry.isoformat()}: that has passed"
                raise HoldNotActiveError(msg)
            self._change(hold, HoldAction.EXTEND)
            extended = attrs.evolve(hold, expires_at=new_expiry)
            self._holds[hold_id] = extended
            heapq.heappush(self._expiries, (new_expiry, hold_id))
            return extended

    def expire_due(self) -> tuple[StockHold, ...]:
        """Expire every held hold whose expiry has passed; return the holds expired now."""
        with self._lock:
            return self._expire_due(self._now())

    # -- internals (called with the lock held) --------------------------------------

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")

    def _level(self, item_id: ItemId) -> StockLevel:
        level = self._levels.get(item_id)
        if level is None:
            msg = f"no stock item {item_id!r}: add_item() it before selling it"
            raise ItemNotFoundError(msg)
        return level

    def _find(self, hold_id: HoldId) -> StockHold:
        hold = self._holds.get(hold_id)
        if hold is None:
            msg = f"no stock hold {hold_id!r}: it was never reserved in this store"
            raise HoldNotFoundError(msg)
        return hold

    def _change(self, hold: StockHold, action: HoldAction) -> StockHold:
        """Apply ``action`` and move the hold's units between counts to match."""
        status = next_status(hold.status, action)
        if status is hold.status:
            return hold
        for line in hold.lines:
            held, sold = _counted(hold.status, line.quantity)
            held_after, sold_after = _counted(status, line.quantity)
            level = self._levels[line.item]
            self._levels[line.item] = level.changed(held=held_after - held, sold=sold_after - sold)
        changed = attrs.evolve(hold, status=status)
        self._holds[hold.id] = changed
        return changed

    def _expire_due(self, now: pendulum.DateTime) -> tuple[StockHold, ...]:
        expired = []
        while self._expiries and self._expiries[0][0] <= now:
            expiry, hold_id = heapq.heappop(self._expiries)
            hold = self._holds[hold_id]
            if hold.status is HoldStatus.HELD and hold.expires_at == expiry:
                expired.append(self._change(hold, HoldAction.EXPIRE))
        return tuple(expired)

    def __repr__(self) -> str:
        return f"MemoryStockStore(items={len(self._levels)}, holds={len(self._holds)})"


def _counted(status: HoldStatus, quantity: int) -> tuple[int, int]:
    """The (held, sold) units a hold of ``quantity`` counts for in ``status``."""
    if status is HoldStatus.HELD:
        return quantity, 0
    if status is HoldStatus.CONFIRMED:
        return 0, quantity
    return 0, 0
