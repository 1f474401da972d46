"""``staycore kpi``: the KPI table of a period, read from a store such as the demo's.

Opens a SQL store (the SQLite file ``staycore demo`` leaves, or any staycore database by
URL) with :func:`staycore.bootstrap`, without changing its tables, and prints what its
analytics (:meth:`Analytics.kpis <staycore.app.analytics.Analytics.kpis>`) read from
every order, review, member and service request committed to it: the KPI table of a
period, with each KPI's formula. Room nights available come from the inventory calendars
of every unit type in the store. Needs the ``sql`` extra.

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

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

import staycore
from staycore.application import Application
from staycore.kernel.errors import StaycoreError
from staycore.orders.order import Order

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
        a day does not read, or its tables are not this staycore's (with a message
        saying what to fix).

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
        # A report reads: the tables are checked, never created or upgraded.
        with staycore.bootstrap(store=url, migrate=False) as app:
            return _report(app, first, after, out)
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


def _report(app: Application, first: dt.date | None, after: dt.date | None, out: TextIO) -> int:
    orders = app.stores.aggregates.committed(Order)
    if not orders:
        print(
            f"staycore kpi: {app.database!r} holds no orders; book some, or run staycore demo",
            file=sys.stderr,
        )
        return 2
    start = first or min(order.arrival for order in orders).replace(day=1)
    end = after or _next_month(max(order.arrival for order in orders))
    if end <= start:
        msg = f"--to {end} must come after --from {start}"
        raise _UsageError(msg)
    table = app.analytics.kpis(start, end)
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
