"""The use cases on the SQL stores tell the same story as on the memory ones.

The demo's chapters (availability, orders with a deposit, webhooks, reminders and a
refunded cancellation, loyalty with tiers, rewards and a win-back trigger) run on each
store and must print the same, apart from the random codes of generated coupons; the
service desk's queries must find the same requests.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pendulum

from staycore.adapters.memory import RecordingNotifier, memory_stores
from staycore.adapters.sql import Database, sql_stores
from staycore.app.service_desk import ServiceDesk
from staycore.demo import run_demo
from staycore.kernel.time import Clock
from staycore.membership.ids import CustomerId
from staycore.ports.stores import Stores
from staycore.testing.clock import FrozenClock

StoresOf = Callable[[Clock], Stores]


def told(stores: StoresOf) -> list[str]:
    out = io.StringIO()
    run_demo(out, stores=stores)
    return re.sub(r"\b(PTS|BACK)[0-9A-F]+\b", "<code>", out.getvalue()).splitlines()


def test_the_demo_tells_the_same_story_on_sql(database: Database) -> None:
    on_sql = told(lambda clock: sql_stores(database, clock))
    assert on_sql == told(memory_stores)
    assert any("refund" in line for line in on_sql)
    assert any("win_back" in line for line in on_sql)


def service_story(stores: StoresOf) -> list[object]:
    clock = FrozenClock("2026-07-10T20:00:00Z")
    built = stores(clock)
    desk = ServiceDesk(
        uow=built.aggregates.unit_of_work,
        queries=built.service_requests,
        clock=clock,
        notifier=RecordingNotifier(),
        idempotency=built.idempotency,
    )
    guest = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    towels = desk.open(guest, category="housekeeping", text="Towels.", idempotency_key="a")
    clock.advance(hours=1)
    noise = desk.open(guest, category="complaint", text="Noisy.", idempotency_key="b")
    clock.advance(hours=1)
    desk.resolve(towels.id, by="hk:ana", text="On their way.")
    escalated = [r.escalation_level for r in desk.escalate_due()]
    july = built.service_requests.opened_between(
        pendulum.datetime(2026, 7, 10, 20, 30, tz="UTC"), pendulum.datetime(2026, 8, 1, tz="UTC")
    )
    return [
        [str(r) == str(noise.id) for r in built.service_requests.unresolved_requests()],
        [str(r) == str(noise.id) for r in july],
        escalated,
    ]


def test_the_service_desk_finds_the_same_requests_on_sql(database: Database) -> None:
    on_sql = service_story(lambda clock: sql_stores(database, clock))
    assert on_sql == service_story(memory_stores)
    assert on_sql[0] == [True]
