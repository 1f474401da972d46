"""The `staycore` command: the demo tells its story and runs a year, quotes print every line,
errors say why."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import staycore
from staycore import __version__
from staycore.cli import main
from staycore.demo import BOOKING_LIFECYCLE, BookingState, run_demo, run_year
from staycore.demo.report import DEFAULT_GUESTS
from staycore.kernel.errors import GuardRejectedError
from staycore.kernel.money import Money
from staycore.orders.order import Order


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The real ``staycore demo``, as a user runs it (default seed and guests), once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    script = shutil.which("staycore") or f"{sys.prefix}/bin/staycore"
    result = subprocess.run(  # noqa: S603 - our own installed console script
        [script, "demo", "--db", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return path, result.stdout, result.stderr


def test_demo_shows_allocation_dst_and_the_lifecycle_graph(
    demo_run: tuple[Path, str, str],
) -> None:
    out = demo_run[1]
    assert "deposit + balance = TWD 10001.00" in out
    assert "USD 33.34, USD 33.33, USD 33.33" in out
    assert "[money.currency_mismatch]" in out
    # 15:00 on 28 March (+01:00) to 11:00 on 30 March (+02:00) is 43 elapsed hours.
    assert "elapsed between them: 43 hours" in out
    assert "it is read as 2026-03-29T03:30:00+02:00" in out
    assert "00:30 UTC, then 01:30 UTC" in out
    assert textwrap.indent(BOOKING_LIFECYCLE.to_mermaid(), " " * 6) in out
    assert "[state_machine.guard_rejected]" in out
    assert "allowed events: confirm, expire, cancel" in out
    # Availability: a restriction refuses the suite; the iCal import then takes the loft;
    # a hold takes the garden doubles until it expires.
    searches = out.split("search 2026-12-30/2027-01-01 for 2 guests:")
    assert len(searches) == 5
    assert "bookable         Garden double, Loft" in searches[1]
    assert "needs a stay of at least 3 nights, not 2" in searches[1]
    assert "blocked 2026-12-29/2027-01-02 (Reserved)" in searches[1]
    assert "bookable         Garden double\n" in searches[2]
    assert "Loft             2026-12-30: 0 of 1 rooms left" in searches[2]
    assert "importing the same feed again changes nothing: True" in out
    assert "an empty download is refused, not read as cancellations: availability.empty_feed" in out
    assert "bookable         none" in searches[3]
    assert "1 hold expired" in searches[3]
    assert "bookable         Garden double\n" in searches[4]


def test_demo_then_simulates_a_year_and_says_where_it_left_it(
    demo_run: tuple[Path, str, str],
) -> None:
    path, out, err = demo_run
    story, year = out.split("\nA year at the homestay: ", 1)
    assert "7. Loyalty:" in story
    assert year.startswith(f"{DEFAULT_GUESTS} guests, 365 days from 2026-01-01 (seed 2026)")
    for heading in ("KPIs, 2026-01-01 to 2026-12-31", "RFM segments", "Churn watch list"):
        assert f"\n{heading}" in year
    assert "  money conserved: yes: " in year
    assert out.endswith(f"\nThe demo's database: {path} (staycore kpi {path} reads it again)\n")
    assert err == ""  # no progress bar on a pipe, and nothing else
    with staycore.bootstrap(store=f"sqlite:///{path}") as app:
        orders = app.stores.aggregates.committed(Order)
    assert len(orders) > DEFAULT_GUESTS
    assert {order.arrival.year for order in orders} == {2026}


def test_the_story_reads_the_same_every_time() -> None:
    first, again = io.StringIO(), io.StringIO()
    run_demo(first)
    run_demo(again)
    assert first.getvalue() == again.getvalue()
    assert "coupon PTS" in first.getvalue()  # codes made from the guest's fixed id


def test_demo_runs_in_memory_without_the_sql_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "staycore.adapters.sql.migrations", None)  # not installed
    stores: list[str] = []

    def smaller_year(out: io.StringIO, *, store: str, seed: int, **options: object) -> object:
        stores.append(store)
        return run_year(out, store=store, seed=seed, guests=6, days=30)

    monkeypatch.setattr("staycore.cli.run_year", smaller_year)
    assert main(["demo", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert stores == ["memory"]
    assert "7. Loyalty:" in out
    assert "A year at the homestay: 6 guests, 30 days from 2026-01-01 (seed 4)" in out
    assert out.endswith("(in memory: install staycore[sql] to keep the demo in a SQLite file)\n")


@pytest.mark.parametrize("seed", ["-1", "seven", "1.5", ""])
def test_demo_seed_must_be_a_whole_number_from_zero(
    seed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path), "--seed", seed]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"staycore demo: --seed {seed!r} is not a seed: give a whole number, 0 or more, "
        "such as --seed 7\n"
    )
    assert not path.exists()


def test_demo_refuses_to_overwrite_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    path.write_text("mine")
    assert main(["demo", "--db", str(path)]) == 2
    assert "already exists; the demo writes a fresh database" in capsys.readouterr().err
    assert path.read_text() == "mine"


def test_console_script_refuses_a_negative_seed() -> None:
    script = shutil.which("staycore") or f"{sys.prefix}/bin/staycore"
    result = subprocess.run(  # noqa: S603 - our own installed console script
        [script, "demo", "--seed", "-1"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--seed '-1' is not a seed" in result.stderr


def test_version_flag_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"staycore {__version__}"


def test_no_command_prints_usage_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: staycore" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["dance"])
    assert exit_info.value.code == 2


def test_sample_lifecycle_confirms_only_when_nothing_is_due() -> None:
    held = BOOKING_LIFECYCLE.next_state(BookingState.DRAFT, "hold", Money.zero("EUR"))
    with pytest.raises(GuardRejectedError) as refused:
        BOOKING_LIFECYCLE.next_state(held, "confirm", Money.of("0.01", "EUR"))
    assert refused.value.guard == "nothing_due"
    assert (
        BOOKING_LIFECYCLE.next_state(held, "confirm", Money.zero("EUR")) is BookingState.CONFIRMED
    )


def test_demo_stops_quietly_when_its_reader_goes_away() -> None:
    script = shutil.which("staycore") or f"{sys.prefix}/bin/staycore"
    demo = subprocess.Popen(  # noqa: S603 - our own installed console script
        [script, "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert demo.stdout is not None
    assert demo.stderr is not None
    demo.stdout.close()  # before the demo has written anything: like `| head -0`
    with demo.stderr:
        errors = demo.stderr.read().decode()
    assert demo.wait(timeout=60) == 1
    assert "Traceback" not in errors


def test_every_command_stops_quietly_when_its_reader_goes_away(
    demo_run: tuple[Path, str, str],
) -> None:
    script = shutil.which("staycore") or f"{sys.prefix}/bin/staycore"
    kpi = subprocess.Popen(  # noqa: S603 - our own installed console script
        [script, "kpi", str(demo_run[0])], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert kpi.stdout is not None
    assert kpi.stderr is not None
    kpi.stdout.close()  # `staycore kpi FILE | head -0`
    with kpi.stderr:
        errors = kpi.stderr.read().decode()
    assert kpi.wait(timeout=60) == 1
    assert "Traceback" not in errors


# -- staycore quote ----------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
QUOTE = [
    "quote",
    str(EXAMPLES / "pricing.json"),
    "--plan",
    "standard",
    "--stay",
    "2026-07-10/2026-07-13",
    "--booked-at",
    "2026-06-01T10:00:00+01:00",
]


def test_quote_prints_what_was_quoted_then_every_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [*QUOTE, "--tier", "gold", "--coupon", "summer-10", "--occupancy", "2026-07-11=0.9"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "Garden double (standard), 2026-07-10/2026-07-13 (3 nights), 2 adults, tier gold; "
        "rules 2026.1; expires 2026-06-01T10:30:00+01:00",
        "2026-07-10  Garden double                    129.73",
        "2026-07-11  Garden double                    155.68",
        "2026-07-12  Garden double                    112.81",
        "discount    Summer 10 % (code SUMMER10)      -39.82",
        "fee         Cleaning                          40.00",
        "tax         VAT 6 %                           23.90",
        "tax         City tax                          24.00",
        "total                                        EUR 446.30",
    ]


def test_quote_reads_yaml_and_shows_the_party_and_refused_coupons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [*QUOTE, "--plan", "non-refundable", "--adults", "3", "--children", "1"]
    argv += ["--coupon", "WELCOME25", "--coupon", "SUMMER10", "--first-booking"]
    argv += ["--tier", "silver"]
    assert main(argv) == 0
    from_json = capsys.readouterr().out
    argv[1] = str(EXAMPLES / "pricing.yaml")
    assert main(argv) == 0
    from_yaml = capsys.readouterr().out
    assert from_json == from_yaml
    header = from_json.splitlines()[0]
    assert header.startswith(
        "Garden double, non-refundable (non-refundable), 2026-07-10/2026-07-13 (3 nights), "
        "3 adults, 1 child, tier silver (no rate of its own); rules 2026.1;"
    )
    assert (
        "not applied Welcome 25.00 (code WELCOME25): it is exclusive, and Summer 10 % "
        "applies already" in from_json
    )


def test_quote_is_booked_now_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(QUOTE[:-2]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "; rules 2026.1; expires 20" in header


def _bad_document(tmp_path: Path) -> str:
    path = tmp_path / "pricing.json"
    document = json.loads((EXAMPLES / "pricing.json").read_text(encoding="utf-8"))
    document["rate_plans"][0]["base_price"] = -5
    document["seasons"][1]["nights"] = "2026-07-01/2026-06-01"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({1: "missing.json"}, "staycore quote: cannot read missing.json: No such file"),
        (
            {3: "flex"},
            "[pricing.unknown_rate_plan] the rule set '2026.1' has no rate plan \"flex\"; "
            'its plans are "standard", "non-refundable", "member"',
        ),
        ({5: "2026-07-10"}, "[time.invalid_stay] cannot read a stay from '2026-07-10'"),
        ({7: "2026-06-01T10:00:00"}, "is not an instant with its offset"),
        ({7: "yesterday"}, "write it like 2026-06-01T10:00:00+02:00"),
        ({8: "--adults", 9: "0"}, "[pricing.invalid_guests] adults must be a whole number"),
        ({8: "--coupon", 9: "SPRING5"}, "[pricing.unknown_coupon] the rule set '2026.1' has no"),
        ({8: "--coupon", 9: "10%"}, "[pricing.invalid_coupon_code]"),
        ({8: "--occupancy", 9: "2026-07-11=1.5"}, "write it like 2026-07-11=0.8"),
        ({8: "--occupancy", 9: "0.8"}, "is not a night and a share from 0 to 1"),
        (
            {1: "BAD"},
            '  rate_plans[0].base_price: must be a decimal amount such as "120.00", got -5',
        ),
    ],
)
def test_quote_refusals_exit_2_with_the_reason(
    change: dict[int, str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*QUOTE, "", ""]
    for index, value in change.items():
        argv[index] = _bad_document(tmp_path) if value == "BAD" else value
    argv = [arg for arg in argv if arg]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert says in err, err
    assert err.startswith("staycore quote: ")
    assert "Traceback" not in err


def test_quote_lists_every_problem_of_a_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = list(QUOTE)
    argv[1] = bad = _bad_document(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"staycore quote: [pricing.invalid_document] pricing document {bad} has 2 problems:",
        '  rate_plans[0].base_price: must be a decimal amount such as "120.00", got -5 (0 or more)',
        '  seasons[1].nights: "2026-07-01/2026-06-01" ends before it starts',
    ]


def test_quote_without_a_plan_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["quote", str(EXAMPLES / "pricing.json"), "--stay", "2026-07-10/2026-07-13"])
    assert exit_info.value.code == 2
    assert "the following arguments are required: --plan" in capsys.readouterr().err


def test_console_script_quotes_and_refuses_without_a_traceback(tmp_path: Path) -> None:
    script = shutil.which("staycore") or f"{sys.prefix}/bin/staycore"
    good = subprocess.run(  # noqa: S603 - our own installed console script
        [script, *QUOTE], capture_output=True, text=True, check=False, timeout=60
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines()[-1].endswith("EUR 481.78")
    bad = subprocess.run(  # noqa: S603 - our own installed console script
        [
            script,
            "quote",
            _bad_document(tmp_path),
            "--plan",
            "standard",
            "--stay",
            "2026-07-10/2026-07-13",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "[pricing.invalid_document]" in bad.stderr
    assert "Traceback" not in bad.stderr
