"""``staycore kpi``: the KPI table of a period from the demo's SQLite store."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from staycore.adapters.sql import Database
from staycore.adapters.sql.migrations import upgrade
from staycore.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--db", str(path)]) == 0
    return path


def kpis(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    assert main(["kpi", *argv]) == 0
    lines = capsys.readouterr().out.splitlines()
    return {
        line.split()[0]: line.split()[1] if "EUR" not in line else line.split()[2]
        for line in lines[1:]
    }


def test_july_of_the_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = kpis(capsys, str(demo), "--from", "2026-07-01", "--to", "2026-08-01")
    # The loyalty chapter's hotel (3 rooms) had two 3-night stays in July; the orders
    # chapter's hotel (2 rooms) sold nothing that stayed; the availability chapter's
    # calendars lie in December and January. 6 room nights of 31 x (3 + 2) = 155.
    assert table["occupancy"] == f"{6 / 155:.4f}"
    assert table["adr"] == "120.00"
    assert table["revpar"] == f"{720 / 155:.2f}"
    assert table["booking_conversion"] == "-"  # the demo records no searches


def test_the_default_period_runs_from_the_first_arrivals_month(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpi", str(demo)]) == 0
    assert capsys.readouterr().out.startswith("KPIs from 2026-06-01 to 2026-07-31")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "July"], "--from 'July' is not a day: write it YYYY-MM-DD"),
        (["--from", "2026-08-01", "--to", "2026-07-01"], "must come after"),
    ],
)
def test_a_period_that_does_not_read_says_how_to_write_it(
    demo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["kpi", str(demo), *argv]) == 2
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
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--db", str(demo)]) == 2
    assert "already exists" in capsys.readouterr().err
