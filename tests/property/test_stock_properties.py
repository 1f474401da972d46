"""Random sequences of stock operations never oversell and keep every count exact.

A hypothesis rule-based state machine drives the memory stock store with restocks,
reservations of one or two items, confirmations, releases, expiries and clock advances.
After every step, for every item:

* available is never negative and equals on hand - held - sold;
* held and sold equal the sums over the holds in each status;
* a reservation reported low stock exactly for the items it took from above the
  threshold to at or below it.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from staycore.adapters.memory import MemoryStockStore
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import HoldId
from staycore.availability.stock import ItemId, OutOfStockError, StockItem, StockRequest
from staycore.kernel.ids import Identifier
from staycore.testing.clock import FrozenClock

THRESHOLDS = (0, 2, 4)


class StockMachine(RuleBasedStateMachine):
    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock("2026-06-01T09:00:00Z")
        self.store = MemoryStockStore(self.clock)
        self.items = [ItemId.new() for _ in THRESHOLDS]
        self.on_hand = dict.fromkeys(self.items, 3)
        for item, threshold in zip(self.items, THRESHOLDS, strict=True):
            self.store.add_item(
                StockItem(id=item, name="Add-on", on_hand=3, low_stock_threshold=threshold)
            )
        self.reserved: list[HoldId] = []

    @rule(index=st.integers(0, len(THRESHOLDS) - 1), units=st.integers(1, 4))
    def restock(self, index: int, units: int) -> None:
        item = self.items[index]
        self.store.restock(item, units)
        self.on_hand[item] += units

    @rule(
        target=holds,
        lines=st.dictionaries(
            st.integers(0, len(THRESHOLDS) - 1), st.integers(1, 4), min_size=1, max_size=2
        ),
        minutes=st.integers(1, 30),
    )
    def reserve(self, lines: dict[int, int], minutes: int) -> HoldId:
        request = StockRequest(
            hold_id=HoldId.new(),
            lines={self.items[index]: units for index, units in lines.items()},
            owner=Identifier.new(),
            expires_at=self.clock.now().add(minutes=minutes),
        )
        self.store.expire_due()  # so that "before" is what reserve decides on
        before = {line.item: self.store.level(line.item) for line in request.lines}
        fits = all(before[line.item].available >= line.quantity for line in request.lines)
        try:
            reservation = self.store.reserve(request)
        except OutOfStockError:
            assert not fits
            return request.hold_id
        assert fits
        self.reserved.append(request.hold_id)
        crossed = {
            line.item
            for line in request.lines
            if before[line.item].available
            > before[line.item].item.low_stock_threshold
            >= before[line.item].available - line.quantity
        }
        assert {event.item for event in reservation.events} == crossed
        return request.hold_id

    @rule(hold_id=holds)
    def confirm(self, hold_id: HoldId) -> None:
        if hold_id not in self.reserved:
            return
        try:
            self.store.confirm(hold_id)
        except HoldNotActiveError:
            assert self.store.hold(hold_id).status in (HoldStatus.EXPIRED, HoldStatus.RELEASED)

    @rule(hold_id=holds)
    def release(self, hold_id: HoldId) -> None:
        if hold_id in self.reserved:
            self.store.release(hold_id)

    @rule()
    def expire(self) -> None:
        self.store.expire_due()

    @rule(minutes=st.integers(1, 20))
    def advance(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @invariant()
    def counts_add_up(self) -> None:
        held = dict.fromkeys(self.items, 0)
        sold = dict.fromkeys(self.items, 0)
        for hold_id in self.reserved:
            hold = self.store.hold(hold_id)
            if hold.status.takes_inventory:
                counts = held if hold.status is HoldStatus.HELD else sold
                for line in hold.lines:
                    counts[line.item] += line.quantity
        for item in self.items:
            level = self.store.level(item)
            assert level.available >= 0
            assert level.item.on_hand == self.on_hand[item]
            assert (level.held, level.sold) == (held[item], sold[item])
            assert level.available == self.on_hand[item] - held[item] - sold[item]


TestStockMachine = StockMachine.TestCase
TestStockMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
