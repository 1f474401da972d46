"""The `staycore` command: the demo tells its story and usage errors say so."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

from staycore import __version__
from staycore.cli import main
from staycore.demo import BOOKING_LIFECYCLE, BookingState
from staycore.kernel.errors import GuardRejectedError
from staycore.kernel.money import Money


def test_demo_shows_allocation_dst_and_the_lifecycle_graph(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
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


def test_console_script_runs_the_demo() -> None:
    script = shutil.which("staycore") or f"{sys.prefix}/bin/staycore"
    result = subprocess.run(  # noqa: S603 - our own installed console script
        [script, "demo"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "A lifecycle is a table" in result.stdout


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
