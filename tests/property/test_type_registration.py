"""The hypothesis entry point registers the kernel types: no strategies import needed here.

This module must not import ``staycore.testing.strategies``: what it checks is that
installing staycore is enough for ``st.from_type`` and ``st.builds`` to work.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import attrs
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.currency import Currency
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money, RoundingPolicy
from staycore.kernel.time import Slot, Stay


@attrs.frozen
class Booking:
    """A host application's own value type, built from kernel types."""

    reference: Identifier
    stay: Stay
    slot: Slot
    total: Money
    currency: Currency
    rounding: RoundingPolicy


# Hypothesis reads attrs field types, which postponed annotations leave as strings.
attrs.resolve_types(Booking)


@given(st.from_type(Money))
def test_from_type_draws_valid_money(amount: Money) -> None:
    assert isinstance(amount, Money)
    assert amount.is_rounded
    assert Money.parse(str(amount)) == amount


@given(st.builds(Booking))
def test_builds_fills_kernel_fields(booking: Booking) -> None:
    assert isinstance(booking.reference, Identifier)
    assert Identifier(str(booking.reference)) == booking.reference
    assert booking.stay.nights >= 1
    assert booking.slot.minutes >= 1
    assert booking.total.is_rounded
    assert isinstance(booking.currency, Currency)
    assert isinstance(booking.rounding, RoundingPolicy)


def _run(code: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


_RESOLVE = """
    from hypothesis import find, settings, strategies as st
    from staycore.kernel import Money, Stay
    once = settings(database=None, max_examples=50)
    money = find(st.from_type(Money), lambda m: m.is_positive, settings=once)
    stay = find(st.from_type(Stay), lambda s: s.nights > 1, settings=once)
    print(type(money).__name__, type(stay).__name__)
"""


def test_a_fresh_interpreter_resolves_kernel_types_through_the_entry_point() -> None:
    assert _run(_RESOLVE) == "Money Stay"


def test_importing_the_strategies_before_hypothesis_still_registers_them() -> None:
    # Importing the module first makes hypothesis call the hook on a half-built module.
    assert _run("import staycore.testing.strategies\n" + textwrap.dedent(_RESOLVE)) == (
        "Money Stay"
    )
