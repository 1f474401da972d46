"""Benchmark: eight processes booking the same rooms at once, and the oversell counted after.

8 worker processes each make 500 booking attempts: a random stay of 1 to 5 nights
within 30 nights, on one of 3 unit types with 5 rooms each, placed through the real use
cases (:class:`~staycore.app.orders.Orders`: a quote, an idempotency key, the holds and
the order in one transaction) on the SQL adapter. Most attempts find the nights taken:
450 room-nights cannot hold 4,000 stays. Afterwards the database is read, not the
workers' reports:

* ``oversold_nights``: the nights of a unit type with more rooms held or sold than it
  has; it must be 0;
* every successful attempt must be an order in the database, its rooms held: the held
  room-nights in the calendars must equal those of the orders placed
  (``held_matches_orders``).

``reservations_per_s`` is booking attempts per second over all workers (an attempt that
finds no room costs a quote, an availability check and a rolled-back reservation).
With pgbench on the machine, the same run measures pgbench's simple-update TPS (``-N``,
8 clients, 10 s) on a scratch database of the same server, and ``ratio_to_pgbench`` is
the first over the second: how close a booking comes to the server's floor of a
transaction. Prints one JSON line.

Run: ``python benchmarks/concurrency.py [--store postgresql|sqlite] [--workers 8]
[--attempts 500]``; PostgreSQL at ``STAYCORE_PG_DSN`` (default: the local server).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from staycore.adapters.memory import RecordingNotifier
from staycore.adapters.payments import SandboxGateway
from staycore.adapters.sql import Database, SqlStore, sql_stores
from staycore.adapters.sql.migrations import upgrade
from staycore.app.availability import Availability
from staycore.app.order_holds import OrderHolds
from staycore.app.orders import Orders, PlaceOrder, StayRequest
from staycore.app.pricing import Pricing
from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.search import Listing
from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import Guest, StayLine
from staycore.orders.order import Order
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.pricing.ids import RatePlanId
from staycore.pricing.quote import Pricer
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.pricing.schema import derived_id
from staycore.testing.clock import FrozenClock

PG_DSN = os.environ.get("STAYCORE_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
UNIT_TYPES = [derived_id(UnitTypeId, f"bench-{n}") for n in range(3)]
ROOMS = 5
NIGHTS = Stay.parse("2026-07-01/2026-07-31")
HORIZON = Stay.parse("2026-06-01/2026-09-01")
NOW = "2026-06-01T09:00:00Z"
TERMS = BookingTerms(timezone="Europe/Paris", schedule=PaymentSchedule.pay_at_property())


def _pricer(unit_type: UnitTypeId) -> Pricer:
    return Pricer(
        RatePlan(
            id=derived_id(RatePlanId, f"plan-{unit_type}"),
            unit_type=unit_type,
            name="Room",
            base_price=Money.of("100.00", "EUR"),
        ),
        RuleSet(version="bench", currency="EUR", timezone="Europe/Paris"),
    )


def _orders(database: Database) -> tuple[Orders, Pricing, Availability]:
    clock = FrozenClock(NOW)
    stores = sql_stores(database, clock)
    availability = Availability(stores.inventory, stores.restrictions, horizon=HORIZON)
    pricing = Pricing(stores.coupons, clock)
    orders = Orders(
        uow=stores.aggregates.unit_of_work,
        queries=stores.orders,
        holds=OrderHolds(availability, stores.appointments, stores.stock),
        pricing=pricing,
        gateway=SandboxGateway(clock, secret="whsec_bench"),  # noqa: S106 - a sandbox
        notifier=RecordingNotifier(),
        idempotency=stores.idempotency,
        clock=clock,
        atomic=stores.atomic,
    )
    return orders, pricing, availability


def set_up(database: Database) -> None:
    """The property: three unit types of five rooms, open over the horizon."""
    upgrade(database)
    _, _, availability = _orders(database)
    for unit_type in UNIT_TYPES:
        listing = Listing(PropertyId.new(), unit_type, f"Room {unit_type[-4:]}", 2)
        availability.open_unit_type(listing, HORIZON)
        availability.set_capacity(unit_type, NightSelection.of(HORIZON), ROOMS)


def work(url: str, schema: str | None, seed: int, attempts: int, start: Any) -> dict[str, Any]:  # noqa: ANN401 - a multiprocessing event
    """One worker: ``attempts`` bookings; returns what it saw."""
    database = Database(url, schema=schema)
    orders, pricing, _ = _orders(database)
    pricers = {unit_type: _pricer(unit_type) for unit_type in UNIT_TYPES}
    draw = random.Random(seed)
    outcomes: dict[str, int] = {}
    start.wait()
    began = time.perf_counter()
    for _ in range(attempts):
        unit_type = draw.choice(UNIT_TYPES)
        nights = draw.randint(1, 5)
        check_in = NIGHTS.check_in + dt.timedelta(days=draw.randint(0, NIGHTS.nights - nights))
        stay = Stay(check_in, check_in + dt.timedelta(days=nights))
        try:
            quote = pricing.quote(pricers[unit_type], stay, Guests(2))
            command = PlaceOrder(
                guest=Guest(name="Bench Guest"),
                terms=TERMS,
                stays=[StayRequest(pricer=pricers[unit_type], quote=quote)],
            )
            orders.place(command, idempotency_key=uuid.uuid4().hex)
            outcome = "succeeded"
        except AvailabilityError:
            outcome = "not_available"
        except StaycoreError as error:
            outcome = error.code
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    elapsed = time.perf_counter() - began
    database.dispose()
    return {"outcomes": outcomes, "seconds": elapsed}


def count(database: Database) -> dict[str, Any]:
    """What the database holds after the run: oversell, and holds against orders."""
    stores = sql_stores(database, FrozenClock(NOW))
    oversold = 0
    held_nights = 0
    for unit_type in UNIT_TYPES:
        for night in stores.inventory.counts(unit_type, NIGHTS):
            taken = night.held + night.sold + night.blocked
            oversold += taken > night.capacity + night.allowance
            held_nights += night.held + night.sold
    placed = [
        order
        for order in SqlStore(database).committed(Order)
        if order.status is OrderStatus.AWAITING_PAYMENT or order.status is OrderStatus.CONFIRMED
    ]
    order_nights = sum(
        line.stay.nights * line.rooms
        for order in placed
        for line in order.active_lines
        if isinstance(line, StayLine)
    )
    return {
        "orders": len(placed),
        "oversold_nights": oversold,
        "held_matches_orders": held_nights == order_nights,
    }


def pgbench_tps(clients: int) -> float | None:
    """pgbench's simple-update TPS on a scratch database of the server; None without it."""
    if shutil.which("pgbench") is None:
        return None
    url = sa.engine.make_url(PG_DSN)
    scratch = f"staycore_pgbench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
    env = {**os.environ, "PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432)}
    env["PGUSER"] = url.username or "postgres"
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            ["pgbench", "-i", "-q", "-s", "1", scratch],  # noqa: S607 - on PATH
            env=env,
            check=True,
            capture_output=True,
        )
        ran = subprocess.run(  # noqa: S603 - fixed arguments
            ["pgbench", "-N", "-c", str(clients), "-j", "2", "-T", "10", scratch],  # noqa: S607
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.dispose()
    found = re.search(r"tps = ([0-9.]+)", ran.stdout)
    return float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--attempts", type=int, default=500)
    args = parser.parse_args()
    schema: str | None = None
    folder = tempfile.TemporaryDirectory()
    if args.store == "sqlite":
        url = f"sqlite:///{Path(folder.name) / 'bench.db'}"
    else:
        url, schema = PG_DSN, f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    database = Database(url, schema=schema)
    try:
        set_up(database)
        context = multiprocessing.get_context("spawn")
        start = context.Manager().Event()
        with context.Pool(args.workers) as pool:
            runs = [
                pool.apply_async(work, (url, schema, seed, args.attempts, start))
                for seed in range(args.workers)
            ]
            time.sleep(1.0)  # every worker imported and connected
            began = time.perf_counter()
            start.set()
            results = [run.get() for run in runs]
            wall = time.perf_counter() - began
        outcomes: dict[str, int] = {}
        for result in results:
            for outcome, times in result["outcomes"].items():
                outcomes[outcome] = outcomes.get(outcome, 0) + times
        stored = count(database)
    finally:
        database.dispose()
        if schema is not None:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
        folder.cleanup()
    attempts = sum(outcomes.values())
    rate = attempts / wall
    tps = pgbench_tps(args.workers) if args.store == "postgresql" else None
    print(
        json.dumps(
            {
                "bench": "concurrency",
                "store": args.store,
                "workers": args.workers,
                "attempts": attempts,
                "succeeded": outcomes.get("succeeded", 0),
                "orders_in_database": stored["orders"],
                "outcomes": outcomes,
                "oversold_nights": stored["oversold_nights"],
                "held_matches_orders": stored["held_matches_orders"],
                "reservations_per_s": round(rate, 1),
                "pgbench_tps": None if tps is None else round(tps, 1),
                "ratio_to_pgbench": None if tps is None else round(rate / tps, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
