"""Every public use case, fuzzed with hostile input one argument at a time.

For each public method of each use case of ``staycore.bootstrap(store="memory")`` the
table in :mod:`fuzz_calls` holds a valid call against a prepared hotel, written as the
constructors of the commands and values it takes (``PlaceOrder``, ``Guest``,
``Stay.parse``, ``Money.of``, the ids...). Hypothesis puts a hostile value (a wrong
type, a unicode edge case, an injection string: :mod:`staycore.testing.hostile`) at one
place of that call, keeping the rest valid, and :func:`fuzz_calls.attempt` checks that:

* only a :class:`~staycore.kernel.errors.StaycoreError` escapes;
* a refused call leaves the stores exactly as they were (aggregates and versions, the
  outbox, the nights' counts and holds, coupon uses, points, stock, slots, unfinished
  idempotency claims, payments, messages);
* after an accepted call, the sweepers and searches still run.

Findings in ``staycore.app`` (which this suite may not change) are listed in
:data:`APP_FINDINGS` (empty while none is open): each is reproduced by
:func:`test_an_app_finding_still_fails`, marked ``xfail(strict=True)`` so that fixing it
turns the test red until the entry goes, and its place is left out of the fuzzing until
then.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import attrs
import pytest
from fuzz_calls import (
    CALLS,
    READS,
    Hotel,
    Path,
    attempt,
    build,
    case_id,
    cases,
    public_methods,
    use_cases,
)
from fuzz_world import build_world
from hypothesis import HealthCheck, example, given, settings

from staycore.kernel.errors import StaycoreError
from staycore.testing.hostile import INJECTIONS, MARKER, hostile_values

_PREPARED = build_world()
CASES = cases(_PREPARED)
HOTEL = Hotel()


@attrs.frozen
class Finding:
    """A bug in ``staycore.app``: in short, in full, and the fix proposed."""

    summary: str
    detail: str
    fix: str


F: dict[str, Finding] = {}
"""The findings in ``staycore.app``, by name: none open at present.

``unchecked-arguments`` (a wrong-typed argument escaping as AttributeError/TypeError) was
fixed by checking each argument where the use case receives it
(:mod:`staycore.app.arguments`, code ``app.invalid_argument``).
"""


@attrs.frozen
class AppFinding:
    """A place whose hostile value still breaks a rule, because of a finding in the app."""

    finding: str
    value: Callable[[], object]


APP_FINDINGS: dict[str, AppFinding] = {}
"""Places the fuzzing leaves out, each with the value that shows its finding."""

FUZZED = [(name, path) for name, path in CASES if case_id(name, path) not in APP_FINDINGS]

EXPECTED_REFUSALS = {
    "booking.confirm": "state_machine.guard_rejected",  # the order owes its payment
    "booking.mark_no_show": "state_machine.guard_rejected",  # the guest arrives today
    "service_desk.start": "state_machine.illegal_transition",  # not responded to yet
}
"""Table calls refused in the prepared hotel, with the code: the refusal is the point."""


def test_every_public_use_case_method_has_a_fuzz_entry() -> None:
    app = _PREPARED.app
    assert set(use_cases(app)) >= {"availability", "booking", "loyalty", "service_desk"}
    assert public_methods(app) == set(CALLS(_PREPARED))


NOT_FUZZED = {"availability.import_feed": {"new_block_id"}}
"""Parameters the table leaves at their defaults: code the host passes, not input."""


def test_the_fuzz_table_gives_every_parameter_of_every_method() -> None:
    for name, recipe in CALLS(_PREPARED).items():
        parameters = [
            p
            for p in inspect.signature(recipe.of).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        given = {p.name for p in parameters[: len(recipe.args)]} | set(recipe.kwargs)
        missing = {p.name for p in parameters} - given - NOT_FUZZED.get(name, set())
        assert not missing, f"{name}: the table leaves {sorted(missing)} unfuzzed"


@pytest.mark.parametrize("name", sorted(CALLS(_PREPARED)))
def test_each_table_call_is_valid(name: str) -> None:
    world = build_world()
    refused = None
    try:
        build(CALLS(world)[name])
    except StaycoreError as error:
        refused = error
    code = None if refused is None else refused.code
    assert EXPECTED_REFUSALS.get(name) == code, f"{name}: {refused}"


def test_the_app_findings_name_places_of_the_table() -> None:
    places = {case_id(name, path) for name, path in CASES}
    assert set(APP_FINDINGS) <= places
    assert {found.finding for found in APP_FINDINGS.values()} == set(F)
    assert set(READS) <= set(CALLS(_PREPARED))


def _place(name: str, path: Path) -> object:
    return pytest.param(name, path, id=case_id(name, path))


@pytest.mark.parametrize(("name", "path"), [_place(n, p) for n, p in FUZZED])
@settings(max_examples=4, suppress_health_check=[HealthCheck.too_slow])
@given(value=hostile_values())
@example(value=None)
@example(value=10**400)
@example(value=float("nan"))
@example(value="\ud800")
@example(value=INJECTIONS[0])
def test_a_hostile_value_is_refused_or_kept(name: str, path: Path, value: object) -> None:
    attempt(HOTEL, name, path, value)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        pytest.param(
            name,
            path,
            id=case_id(name, path),
            marks=pytest.mark.xfail(
                strict=True,
                reason=(
                    f"app finding {APP_FINDINGS[case_id(name, path)].finding!r}: "
                    f"{F[APP_FINDINGS[case_id(name, path)].finding].summary}"
                ),
            ),
        )
        for name, path in CASES
        if case_id(name, path) in APP_FINDINGS
    ],
)
def test_an_app_finding_still_fails(name: str, path: Path) -> None:
    attempt(Hotel(), name, path, APP_FINDINGS[case_id(name, path)].value())


def test_the_hostile_values_carry_the_marker() -> None:
    assert all(MARKER in text for text in INJECTIONS)
