"""Two placements that take the same nights in opposite orders: PostgreSQL gives one up, and
``Orders.place`` runs it again, so both orders are placed and no room is sold twice.

Each order holds two stays of the same rooms; one order names them early stay first, the
other late stay first. A barrier makes both placements hold their first stay before
either asks for its second, so they wait for each other: a deadlock, every time. The
database breaks it by refusing one transaction (``StoreBusyError``), which rolled back
all of that placement; the use case places it again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import pytest

from staycore.adapters.sql import Database, sql_stores
from staycore.kernel.errors import StoreBusyError
from staycore.testing.hotel import SandboxHotel

EARLY, LATE = "2026-07-10/2026-07-12", "2026-07-20/2026-07-22"


def test_opposite_placements_both_land_after_the_deadlock(database: Database) -> None:
    if database.dialect == "sqlite":
        pytest.skip("one writer at a time: on SQLite the second placement waits, never deadlocks")
    refusals: list[str] = []

    @contextlib.contextmanager
    def atomic_noting_refusals() -> Iterator[None]:
        try:
            with database.atomic():
                yield
        except StoreBusyError as refused:
            refusals.append(refused.code)
            raise

    hotel = SandboxHotel(
        rooms=2,
        stores=lambda clock: attrs.evolve(
            sql_stores(database, clock), atomic=atomic_noting_refusals
        ),
    )
    inventory: Any = hotel.inventory
    reserve: Callable[..., Any] = inventory.reserve
    both_hold_one = threading.Barrier(2, timeout=10)
    waited = threading.local()

    def reserve_then_meet(request: Any) -> Any:
        hold = reserve(request)
        if not getattr(waited, "done", False):
            waited.done = True  # only the first attempt's first stay waits
            both_hold_one.wait()
        return hold

    inventory.reserve = reserve_then_meet
    commands = [hotel.booking(EARLY, LATE), hotel.booking(LATE, EARLY)]
    with ThreadPoolExecutor(2) as pool:
        placed = list(
            pool.map(
                lambda n: hotel.orders.place(commands[n], idempotency_key=f"order-{n}"),
                range(2),
            )
        )
    assert {order.status.value for order in placed} == {"awaiting_payment"}
    for stay in (EARLY, LATE):
        assert [count.held for count in hotel.counts(stay)] == [2, 2]
    assert len(hotel.stores.orders.open_orders()) == 2
    # The deadlock happened, and the refused placement ran again (a retry may meet the
    # other placement once more; place gives up after three refusals).
    assert refusals
    assert set(refusals) == {"persistence.busy"}
