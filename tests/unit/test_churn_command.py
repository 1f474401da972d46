"""``staycore churn``: an order export in, one scored row per customer out, errors by line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from staycore.churn_command import run_churn
from staycore.cli import main

CDNOW = Path(__file__).parent.parent / "data" / "cdnow" / "CDNOW_sample.txt"


def write(folder: Path, text: str, name: str = "orders.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_churn(path, stdout=out, stderr=err, **options)  # type: ignore[arg-type]
    return status, out.getvalue(), err.getvalue()


ORDERS = (
    "guest,day,total\n"
    "mei,2026-01-10,320\nmei,2026-03-02,280\nmei,2026-05-20,410\n"
    "leo,2026-02-01,150\nleo,2026-02-20,90\nana,2026-04-01,500\nana,2026-08-01,200\n"
)


def test_every_customer_gets_a_row_and_later_orders_are_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, ORDERS)
    status, out, _ = run(
        path,
        at="2026-06-30",
        customer_column="guest",
        date_column="day",
        amount_column="total",
        lifetime=False,
    )
    assert status == 0
    assert "3 customers from 6 orders, scored at 2026-06-30" in out
    assert "1 orders after 2026-06-30 left out" in out
    with (tmp_path / "orders.scores.csv").open() as handle:
        rows = {row["customer"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ana", "leo", "mei"}
    assert rows["mei"]["frequency"] == "2"
    assert rows["leo"]["churn_action"] == "win_back_offer"
    assert rows["leo"]["churn_reason"] == "overdue"
    assert all(0 <= float(row["churn_risk"]) <= 1 for row in rows.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty: it needs a header row"),
        ("who,when,what\nmei,2026-01-01,10\n", "has no column 'customer', 'date', 'amount'"),
        ("customer,date,amount\nmei,2026-01-01,-5\n", "line 2: amount '-5' must be an amount"),
        ("customer,date,amount\nmei,01/02/2026,5\n", "line 2: date '01/02/2026' cannot be read"),
        ("customer,date,amount\nmei,2026-01-01,abc\n", "line 2: amount 'abc' cannot be read"),
        ("customer,date,amount\nmei,2027-01-01,5\n", "has no orders on or before 2026-06-30"),
    ],
)
def test_an_export_that_does_not_read_says_where(tmp_path: Path, text: str, message: str) -> None:
    status, out, err = run(write(tmp_path, text), at="2026-06-30", lifetime=False)
    assert status == 2
    assert out == ""
    assert "[membership.invalid_order_data]" in err
    assert message in err
    assert not (tmp_path / "orders.scores.csv").exists()


def test_the_cdnow_sample_scores_with_the_lifetime_models(tmp_path: Path) -> None:
    lines = ["customer,date,amount"]
    for line in CDNOW.read_text().splitlines():
        _, customer, day, _, amount = line.split()
        lines.append(f"{customer},{day[:4]}-{day[4:6]}-{day[6:]},{amount}")
    path = write(tmp_path, "\n".join(lines) + "\n", "cdnow.csv")
    assert main(["churn", str(path), "--at", "1997-09-30"]) == 0
    with (tmp_path / "cdnow.scores.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2357
    for row in rows:
        assert 0 <= float(row["p_alive"]) <= 1
        assert float(row["expected_stays_12m"]) >= 0
        assert "nan" not in ",".join(row.values()).lower()
    one_timers = [row for row in rows if row["frequency"] == "0"]
    assert all(row["p_alive"] == "1.0" for row in one_timers)
