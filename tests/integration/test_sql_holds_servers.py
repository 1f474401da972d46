"""Two application servers on one database: the SQL hold keepers never oversell between them.

Each test opens the database twice (two :class:`Database` objects: two connection pools,
as two servers have) and races threads through both. On PostgreSQL the stores must keep
every count right by the database's locks alone, and take them in an order that never
deadlocks: a transaction the database gives up (a deadlock) counts as a failure here,
although :meth:`Database.run` would retry it.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.engine import Connection

from staycore.adapters.sql import Database
from staycore.adapters.sql.appointments import SqlAppointmentStore
from staycore.adapters.sql.inventory import SqlInventoryStore
from staycore.adapters.sql.stock import SqlStockStore
from staycore.availability.appointments import SlotFullError, SlotHoldRequest
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import HoldId, ResourceId, UnitId, UnitTypeId
from staycore.availability.inventory import NotAvailableError
from staycore.availability.nights import NightSelection
from staycore.availability.schedule import Resource, WorkingHours
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.stock import (
    ItemId,
    OutOfStockError,
    StockItem,
    StockRequest,
    StockReservation,
)
from staycore.availability.units import Unit, UnitTakenError
from staycore.kernel.errors import StoreBusyError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay
from staycore.testing.clock import FrozenClock
from staycore.testing.databases import DIALECTS, open_database

T = TypeVar("T")

HORIZON = Stay.parse("2026-07-01/2026-07-11")
THREADS = 8
ATTEMPTS = 12  # per thread


class WatchedDatabase(Database):
    """A database that counts the transactions it gave up (deadlocks, on PostgreSQL)."""

    given_up = 0
    _guard = threading.Lock()

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        try:
            with super().transaction(write=write) as connection:
                yield connection
        except StoreBusyError:
            with WatchedDatabase._guard:
                WatchedDatabase.given_up += 1
            raise


@pytest.fixture(params=DIALECTS)
def servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """The same database opened by two servers."""
    for first in open_database(request.param, tmp_path):
        one = WatchedDatabase(first.url, schema=first.schema)
        two = WatchedDatabase(first.url, schema=first.schema)
        WatchedDatabase.given_up = 0
        try:
            yield one, two
        finally:
            one.dispose()
            two.dispose()
        assert WatchedDatabase.given_up == 0, "a transaction was given up: a deadlock?"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock("2026-06-01T09:00:00Z")


def seeded(seed: int) -> random.Random:
    """A reproducible source of random choices, one per thread."""
    return random.Random(seed)  # noqa: S311 - reproducibility is the point here


def race(work: Callable[[int], T], threads: int = THREADS) -> list[T]:
    """Run ``work(thread)`` on ``threads`` threads started together; their results."""
    start = threading.Barrier(threads, timeout=30)

    def run(thread: int) -> T:
        start.wait()
        return work(thread)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(threads), timeout=120))


def stay_request(
    clock: FrozenClock, unit_type: UnitTypeId, stay: Stay, rooms: int = 1, minutes: int = 15
) -> StayHoldRequest:
    return StayHoldRequest(
        hold_id=HoldId.new(),
        unit_type=unit_type,
        stay=stay,
        rooms=rooms,
        owner=Identifier.new(),
        expires_at=clock.now().add(minutes=minutes),
    )


def inventory_stores(
    servers: tuple[Database, Database], clock: FrozenClock
) -> list[SqlInventoryStore]:
    return [SqlInventoryStore(database, clock) for database in servers]


def open_unit_types(store: SqlInventoryStore, count: int, capacity: int) -> list[UnitTypeId]:
    unit_types = [UnitTypeId.new() for _ in range(count)]
    for unit_type in unit_types:
        store.open_calendar(unit_type, HORIZON)
        store.set_capacity(unit_type, NightSelection.of(HORIZON), capacity)
    return unit_types


def test_two_servers_never_sell_a_night_twice(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Reserving, confirming, moving and releasing overlapping stays through two servers.

    Afterwards every night counts exactly the rooms of the live holds on it, and never
    more than its capacity.
    """
    stores = inventory_stores(servers, clock)
    unit_types = open_unit_types(stores[0], 2, capacity=3)

    def book(thread: int) -> list[StayHold]:
        rng = seeded(thread)
        store = stores[thread % 2]
        kept: list[StayHold] = []
        for _ in range(ATTEMPTS):
            unit_type = rng.choice(unit_types)
            first = HORIZON.check_in + timedelta(days=rng.randrange(7))
            stay = Stay.of_nights(first, rng.randint(1, 3))
            try:
                hold = store.reserve(stay_request(clock, unit_type, stay, rng.randint(1, 2)))
            except NotAvailableError:
                continue
            move = rng.random()
            if move < 0.4:
                hold = store.confirm(hold.id)
            elif move < 0.6:
                store.release(hold.id)
                continue
            elif move < 0.8:
                later = Stay.of_nights(stay.check_in + timedelta(days=1), stay.nights)
                with contextlib.suppress(NotAvailableError):
                    hold = store.replace(hold.id, stay_request(clock, unit_type, later))
            kept.append(hold)
        return kept

    kept = [hold for holds in race(book) for hold in holds]
    assert kept, "some reservations must succeed"
    for unit_type in unit_types:
        live = stores[1].holds(unit_type, HORIZON)
        assert {hold.id for hold in live} == {h.id for h in kept if h.unit_type == unit_type}
        for counts in stores[0].counts(unit_type, HORIZON):
            on_night = [hold for hold in live if counts.night in hold.stay]
            held = sum(h.rooms for h in on_night if h.status is HoldStatus.HELD)
            sold = sum(h.rooms for h in on_night if h.status is HoldStatus.CONFIRMED)
            assert (counts.held, counts.sold) == (held, sold), counts
            assert counts.held + counts.sold <= counts.capacity, counts


def test_two_sweeps_expire_each_hold_once(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Sweepers on two servers expire every lapsed hold exactly once between them."""
    stores = inventory_stores(servers, clock)
    unit_types = open_unit_types(stores[0], 3, capacity=9)
    rng = seeded(7)
    lapsing = []
    for _ in range(24):
        stay = Stay.of_nights(HORIZON.check_in + timedelta(days=rng.randrange(8)), 2)
        request = stay_request(clock, rng.choice(unit_types), stay, minutes=rng.randint(1, 5))
        lapsing.append(stores[0].reserve(request))
    clock.advance(minutes=10)

    swept = race(lambda thread: stores[thread % 2].expire_due(), threads=4)

    expired = Counter(hold.id for holds in swept for hold in holds)
    assert expired == Counter(hold.id for hold in lapsing)
    for unit_type in unit_types:
        assert {c.held for c in stores[1].counts(unit_type, HORIZON)} == {0}


def test_a_lapsed_hold_expired_by_a_racing_reservation_is_given_back_once(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Reservations on two servers that both find one lapsed hold free its room once."""
    stores = inventory_stores(servers, clock)
    (unit_type,) = open_unit_types(stores[0], 1, capacity=2)
    stay = Stay.parse("2026-07-03/2026-07-06")
    lapsed = stores[0].reserve(stay_request(clock, unit_type, stay, rooms=2, minutes=5))
    clock.advance(minutes=6)

    def book(thread: int) -> bool:
        try:
            stores[thread % 2].reserve(stay_request(clock, unit_type, stay))
        except NotAvailableError:
            return False
        return True

    assert sum(race(book)) == 2
    assert stores[1].hold(lapsed.id).status is HoldStatus.EXPIRED
    assert [c.held for c in stores[0].counts(unit_type, stay)] == [2, 2, 2]


def test_two_servers_assign_one_unit_to_one_hold(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Holds racing for one unit through two servers: one gets it, the rest are told who."""
    stores = inventory_stores(servers, clock)
    (unit_type,) = open_unit_types(stores[0], 1, capacity=THREADS)
    suite = Unit(id=UnitId.new(), unit_type=unit_type, name="Suite")
    stores[0].add_unit(suite)
    stay = Stay.parse("2026-07-03/2026-07-06")
    holds = [stores[0].reserve(stay_request(clock, unit_type, stay)) for _ in range(THREADS)]

    def assign(thread: int) -> HoldId | None:
        try:
            stores[thread % 2].assign(holds[thread].id, [suite.id])
        except UnitTakenError as refused:
            (occupant,) = {who for _, _, who in refused.taken}
            return HoldId(occupant)
        return holds[thread].id

    winners = set(race(assign))
    assert len(winners) == 1
    (winner,) = winners
    rack = stores[1].rack(unit_type, stay)
    assert [rack.occupant(suite.id, night) for night in stay] == [winner] * stay.nights


def test_two_servers_fill_a_slot_to_capacity_and_no_further(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Clients booking one class through two servers: exactly its places are sold."""
    stores = [SqlAppointmentStore(database, clock) for database in servers]
    yoga = Resource(
        id=ResourceId.new(),
        name="Morning yoga",
        timezone="Europe/Paris",
        hours=WorkingHours.weekly({"mon-fri": "08:00-10:00"}),
        slot_minutes=60,
        capacity=5,
    )
    stores[0].save_resource(yoga)
    slot = yoga.slots_on(date(2026, 6, 15))[0]

    def book(thread: int) -> int:
        rng, won = seeded(thread), 0
        for _ in range(3):
            request = SlotHoldRequest(
                hold_id=HoldId.new(),
                resource=yoga.id,
                slot=slot,
                places=rng.randint(1, 2),
                owner=Identifier.new(),
                expires_at=clock.now().add(minutes=15),
            )
            with contextlib.suppress(SlotFullError):
                won += stores[thread % 2].reserve(request).places
        return won

    sold = sum(race(book))
    assert sold == stores[1].taken(yoga.id, slot)[slot]
    assert yoga.capacity - 1 <= sold <= yoga.capacity  # a party of 2 may not fit the last place


def test_two_servers_sell_stock_lines_all_or_none(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Multi-item requests through two servers never hold more than is on hand.

    Each item reports its low-stock event exactly once: stock only falls here, so the
    one reservation that took it to the threshold reports it.
    """
    stores = [SqlStockStore(database, clock) for database in servers]
    items = [ItemId.new() for _ in range(3)]
    for item in items:
        stores[0].add_item(StockItem(id=item, name="Kayak", on_hand=7, low_stock_threshold=2))
    orders: Sequence[dict[ItemId, int]] = [
        {items[0]: 1, items[1]: 1},
        {items[1]: 2, items[2]: 1},
        {items[2]: 1, items[0]: 2},
        {items[0]: 1, items[1]: 1, items[2]: 1},
    ]

    def buy(thread: int) -> list[StockReservation]:
        store, bought = stores[thread % 2], []
        for attempt in range(4):
            request = StockRequest(
                hold_id=HoldId.new(),
                lines=orders[(thread + attempt) % len(orders)],
                owner=Identifier.new(),
                expires_at=clock.now().add(minutes=15),
            )
            with contextlib.suppress(OutOfStockError):
                bought.append(store.reserve(request))
        return bought

    bought = [reservation for each in race(buy) for reservation in each]
    for item in items:
        level = stores[1].level(item)
        wanted = sum(line.quantity for r in bought for line in r.hold.lines if line.item == item)
        assert level.held == wanted <= level.item.on_hand
        events = [event for r in bought for event in r.events if event.item == item]
        assert len(events) == (1 if level.is_low else 0)


def test_a_confirmation_racing_an_expiry_sells_or_frees_the_rooms_once(
    servers: tuple[Database, Database], clock: FrozenClock
) -> None:
    """A payment and a sweep arriving together for a hold at its expiry: one of them wins.

    At its expiry the hold can no longer be confirmed: the payment is refused, and the
    hold is expired by whichever runs first (the refused payment marks it too), its
    rooms given back once.
    """
    stores = inventory_stores(servers, clock)
    (unit_type,) = open_unit_types(stores[0], 1, capacity=4)
    stay = Stay.parse("2026-07-02/2026-07-05")
    holds = [stores[0].reserve(stay_request(clock, unit_type, stay, minutes=5)) for _ in range(4)]
    clock.advance(minutes=5)

    def settle(thread: int) -> tuple[StayHold, ...]:
        if thread % 2:
            return stores[1].expire_due()
        with contextlib.suppress(HoldNotActiveError):
            stores[0].confirm(holds[thread // 2].id)
        return ()

    swept = Counter(hold.id for each in race(settle, threads=8) for hold in each)
    assert set(swept.values()) <= {1}, "a hold was expired twice"
    assert {stores[1].hold(hold.id).status for hold in holds} == {HoldStatus.EXPIRED}
    assert [(c.held, c.sold) for c in stores[1].counts(unit_type, stay)] == [(0, 0)] * 3
