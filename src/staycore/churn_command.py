r"""``staycore churn``: score an order export for churn, segments and lifetime value.

Reads a CSV of orders (a customer id, a date and an amount per row; the column names are
options), scores every customer as of a day with
:func:`~staycore.membership.scoring.score_customers`, writes one row per customer to a
CSV, and prints the segments and the customers most at risk. Needs the ``analytics``
extra (numpy, scipy).

Example:
    >>> import pathlib, tempfile
    >>> from staycore.churn_command import run_churn
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "orders.csv").write_text(
    ...     "customer,date,amount\nmei,2026-01-10,320\nmei,2026-03-02,280\n"
    ...     "leo,2026-02-01,150\nleo,2026-02-20,90\nana,2026-04-01,500\n")
    115
    >>> import io
    >>> out = io.StringIO()
    >>> run_churn(folder / "orders.csv", at="2026-06-30", out_path=folder / "scores.csv",
    ...           lifetime=False, stdout=out)
    0
    >>> print(out.getvalue().splitlines()[0])
    3 customers from 5 orders, scored at 2026-06-30
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import os
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO, TypeVar

from staycore.kernel.errors import StaycoreError
from staycore.kernel.time import SystemClock
from staycore.membership.summaries import InvalidOrderDataError

__all__ = ["run_churn"]

T = TypeVar("T")

_PROGRESS_BYTES = 5_000_000  # files above this show a progress bar
_AT_RISK_SHOWN = 10


def run_churn(
    path: str | os.PathLike[str],
    *,
    at: str | None = None,
    out_path: str | os.PathLike[str] | None = None,
    customer_column: str = "customer",
    date_column: str = "date",
    amount_column: str = "amount",
    lifetime: bool = True,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Score the orders in ``path``; 0 on success, 2 with a message when they do not read.

    Example:
        See the module example.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        day = SystemClock().now().date() if at is None else _day(at)
        customers, dates, amounts, later = _read(
            Path(path), day, (customer_column, date_column, amount_column), err
        )
        from staycore.membership.scoring import score_customers  # noqa: PLC0415 - numpy

        scored = score_customers(customers, dates, amounts, at=day, lifetime=lifetime)
    except OSError as error:
        print(f"staycore churn: cannot read {path}: {error.strerror}", file=err)
        return 2
    except StaycoreError as error:
        print(f"staycore churn: {error}", file=err)
        return 2
    rows = scored.rows()
    target = Path(out_path) if out_path is not None else Path(path).with_suffix(".scores.csv")
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} customers from {len(customers)} orders, scored at {day}", file=out)
    if later:
        print(f"{later} orders after {day} left out", file=out)
    print("", file=out)
    print("segment               customers  mean churn risk", file=out)
    by_segment: dict[str, list[float]] = collections.defaultdict(list)
    for row in rows:
        by_segment[str(row["segment"])].append(float(str(row["churn_risk"])))
    for name, risks in sorted(by_segment.items(), key=lambda item: -len(item[1])):
        print(f"{name:20} {len(risks):>10}  {sum(risks) / len(risks):>15.3f}", file=out)
    at_risk = sorted(rows, key=lambda row: -float(str(row["churn_risk"])))[:_AT_RISK_SHOWN]
    print("", file=out)
    print("most at risk          churn risk  action           reason", file=out)
    for row in at_risk:
        print(
            f"{row['customer']!s:20} {float(str(row['churn_risk'])):>11.3f}  "
            f"{row['churn_action']!s:16} {row['churn_reason']}",
            file=out,
        )
    print(f"\nscores written to {target}", file=out)
    return 0


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"--at {text!r} is not a date; write it like 2026-06-30"
        raise InvalidOrderDataError(msg, field="--at") from None


def _read(
    path: Path, day: dt.date, columns: tuple[str, str, str], err: TextIO
) -> tuple[list[str], list[dt.date], list[Decimal], int]:
    """The order columns up to ``day``, and how many orders came after it."""
    size = path.stat().st_size
    customers: list[str] = []
    dates: list[dt.date] = []
    amounts: list[Decimal] = []
    later = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if reader.fieldnames is None:
            msg = f"{path} is empty: it needs a header row with {', '.join(columns)}"
            raise InvalidOrderDataError(msg, field="header")
        if missing:
            msg = (
                f"{path} has no column {', '.join(repr(c) for c in missing)}; its columns are "
                f"{', '.join(reader.fieldnames)} (name yours with --customer-column, "
                "--date-column, --amount-column)"
            )
            raise InvalidOrderDataError(msg, field="header")
        shown = 0
        for number, row in enumerate(reader, start=2):
            customer, date, amount = (row[c] for c in columns)
            on = _field(date, number, columns[1], dt.date.fromisoformat)
            if on > day:
                later += 1
                continue
            spent = _field(amount, number, columns[2], Decimal)
            if not spent.is_finite() or spent < 0:
                msg = f"line {number}: {columns[2]} {amount!r} must be an amount of 0 or more"
                raise InvalidOrderDataError(msg, field=columns[2], row=number)
            if not customer.strip():
                msg = f"line {number}: {columns[0]} is empty"
                raise InvalidOrderDataError(msg, field=columns[0], row=number)
            customers.append(customer.strip())
            dates.append(on)
            amounts.append(spent)
            if size > _PROGRESS_BYTES and number % 50_000 == 0:
                done = handle.tell() / size if handle.seekable() else 0.0
                filled = int(done * 30)
                print(
                    f"\rreading [{'#' * filled}{'.' * (30 - filled)}] {done:4.0%}", end="", file=err
                )
                shown += 1
        if shown:
            print(f"\rreading [{'#' * 30}] 100%", file=err)
    if not customers:
        msg = f"{path} has no orders on or before {day}"
        raise InvalidOrderDataError(msg, field="rows")
    return customers, dates, amounts, later


def _field(text: str, number: int, column: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text.strip())
    except (ValueError, InvalidOperation):
        msg = f"line {number}: {column} {text!r} cannot be read"
        raise InvalidOrderDataError(msg, field=column, row=number) from None
