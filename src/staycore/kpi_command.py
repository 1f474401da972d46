"""``staycore kpi``: the KPI table of a period, read from a store such as the demo's.

Reads every order, review, member and service request committed to a SQL store (the
SQLite file ``staycore demo`` leaves, or any staycore database by URL), and prints
:func:`~staycore.membership.kpis.kpi_table` for a period with each KPI's formula. Room
nights available come from the inventory calendars of every unit type in the store.
Needs the ``sql`` extra.

Example:
    The demo's year, with fewer guests than ``staycore demo`` draws:

    >>> import io, pathlib, tempfile
    >>> from staycore.demo import run_year
    >>> from staycore.kpi_command import run_kpi
    >>> demo = pathlib.Path(tempfile.mkdtemp()) / "demo.db"
    >>> _ = run_year(io.StringIO(), store=f"sqlite:///{demo}", seed=1, guests=20)
    >>> out = io.StringIO()
    >>> run_kpi(str(demo), start="2026-07-01", end="2026-08-01", stdout=out)
    0
    >>> print(out.getvalue().splitlines()[0])
    KPIs from 2026-07-01 to 2026-07-31 (before 2026-08-01), 34 orders in the store
"""

from __future__ import annotations

import collections
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

import pendulum
import sqlalchemy as sa

from staycore.adapters.sql import (
    Database,
    SqlInventoryStore,
    SqlMemberQueries,
    SqlPointsLedger,
    SqlStore,
)
from staycore.adapters.sql.inventory import inventory_calendars
from staycore.app.kpis import order_fact, room_nights_available
from staycore.availability.ids import UnitTypeId
from staycore.kernel.errors import StaycoreError
from staycore.kernel.time import SystemClock
from staycore.membership.kpis import kpi_table
from staycore.membership.service import ServiceRequest, service_report
from staycore.orders.order import Order
from staycore.orders.reviews import Review

__all__ = ["run_kpi"]


def run_kpi(
    db: str,
    *,
    start: str | None = None,
    end: str | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Print the KPI table of ``[start, end)`` from the store at ``db``; return the exit status.

    Args:
        db: A SQLite file's path, or a store URL (``sqlite:///...``, ``postgresql://...``).
        start: The period's first day, ``YYYY-MM-DD``; by default the first of the month
            of the earliest arrival.
        end: The day after the period; by default the first of the month after the
            latest arrival.
        stdout: Where the table goes (standard output by default); problems go to
            standard error.

    Returns:
        0 with a table printed; 2 when the store cannot be read, holds no orders, or
        a day does not read (with a message saying what to fix).

    Example:
        See the module example.
    """
    out = stdout or sys.stdout
    if "://" not in db and not Path(db).is_file():
        print(
            f"staycore kpi: no store at {db}; write one with `staycore demo --db {db}`",
            file=sys.stderr,
        )
        return 2
    url = db if "://" in db else f"sqlite:///{db}"
    try:
        first, after = _day(start, "--from"), _day(end, "--to")
        database = Database(url)
        try:
            return _report(database, first, after, out)
        finally:
            database.dispose()
    except (StaycoreError, _UsageError) as error:
        print(f"staycore kpi: {error}", file=sys.stderr)
        return 2


class _UsageError(Exception):
    """An option's value does not read; its message says how to write it."""


def _day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{option} {text!r} is not a day: write it YYYY-MM-DD, e.g. 2026-07-01"
        raise _UsageError(msg) from None


def _report(database: Database, first: dt.date | None, after: dt.date | None, out: TextIO) -> int:
    store = SqlStore(database)
    orders = store.committed(Order)
    if not orders:
        print(
            f"staycore kpi: {database!r} holds no orders; book some, or run staycore demo",
            file=sys.stderr,
        )
        return 2
    start = first or min(order.arrival for order in orders).replace(day=1)
    end = after or _next_month(max(order.arrival for order in orders))
    if end <= start:
        msg = f"--to {end} must come after --from {start}"
        raise _UsageError(msg)
    currencies = collections.Counter(order.currency for order in orders)
    now = SystemClock().now()
    with database.transaction(write=False) as connection:
        unit_types = [
            UnitTypeId(found)
            for found in connection.execute(sa.select(inventory_calendars.c.unit_type)).scalars()
        ]
    inventory = SqlInventoryStore(database, SystemClock())
    reviews = [
        review.ratings.overall
        for review in store.committed(Review)
        if start <= review.written_at.date() < end
    ]
    ledger = SqlPointsLedger(database)
    points = sum(ledger.account(member).balance for member in SqlMemberQueries(store).members())
    report = service_report(
        store.committed(ServiceRequest),
        pendulum.datetime(start.year, start.month, start.day),
        pendulum.datetime(end.year, end.month, end.day),
        at=now,
    )
    table = kpi_table(
        [order_fact(order) for order in orders],
        start=start,
        end=end,
        room_nights_available=room_nights_available(inventory, unit_types, start, end),
        currency=currencies.most_common(1)[0][0],
        review_scores=reviews,
        points_outstanding=points,
        service_breaches=report.breaches,
    )
    last = end - dt.timedelta(days=1)
    print(
        f"KPIs from {start} to {last} (before {end}), {len(orders)} orders in the store",
        file=out,
    )
    rows = table.rows()
    width = max(len(name) for name, _, _ in rows)
    values = max(len(value) for _, value, _ in rows)
    for name, value, formula in rows:
        print(f"  {name:<{width}}  {value:>{values}}  {formula}", file=out)
    return 0


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
