"""``staycore kpi``: the KPI table of a period from the demo's SQLite store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.migrations import upgrade
from staycore.cli import main
from staycore.demo import YearReport, run_year


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, YearReport]:
    """The demo's year (fewer guests than ``staycore demo``'s), in a SQLite file."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    report = run_year(io.StringIO(), store=f"sqlite:///{path}", seed=5, guests=20)
    return path, report


def kpis(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    assert main(["kpi", *argv]) == 0
    lines = capsys.readouterr().out.splitlines()
    return {
        line.split()[0]: line.split()[1] if "EUR" not in line else line.split()[2]
        for line in lines[1:]
    }


def test_the_year_reads_back_as_the_demo_printed_it(
    demo: tuple[Path, YearReport], capsys: pytest.CaptureFixture[str]
) -> None:
    path, report = demo
    table = kpis(capsys, str(path), "--from", "2026-01-01", "--to", "2027-01-01")
    # The store holds the homestay only: its orders and its calendars, as the demo read them.
    for name in ("occupancy", "adr", "revpar", "cancellation_rate", "no_show_rate"):
        value = report.kpis.value(name)
        assert value is not None
        assert table[name] == str(getattr(value, "amount", value)), name
    assert table["booking_conversion"] == "-"  # the store keeps no searches


def test_the_default_period_runs_from_the_first_arrivals_month(
    demo: tuple[Path, YearReport], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpi", str(demo[0])]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("KPIs from 2026-01-01 to 2026-12-31 (before 2027-01-01), ")
    assert first.endswith(f", {demo[1].orders} orders in the store")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "July"], "--from 'July' is not a day: write it YYYY-MM-DD"),
        (["--from", "2026-08-01", "--to", "2026-07-01"], "must come after"),
    ],
)
def test_a_period_that_does_not_read_says_how_to_write_it(
    demo: tuple[Path, YearReport],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    assert main(["kpi", str(demo[0]), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_says_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.db"
    assert main(["kpi", str(missing)]) == 2
    assert "staycore demo --db" in capsys.readouterr().err
    assert not missing.exists()


def test_a_store_without_orders_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    upgrade(Database(f"sqlite:///{empty}"))
    assert main(["kpi", str(empty)]) == 2
    assert "holds no orders" in capsys.readouterr().err


def test_the_demo_refuses_to_overwrite_a_database(
    demo: tuple[Path, YearReport], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--db", str(demo[0])]) == 2
    assert "already exists" in capsys.readouterr().err
