"""Properties of transition tables: random walks stay inside, broken tables are refused."""

from __future__ import annotations

import enum
import re
from collections.abc import Hashable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from staycore.kernel.errors import IllegalTransitionError, TransitionTableError
from staycore.kernel.state_machine import Transition, TransitionTable
from staycore.testing.strategies import event_sequences, transition_tables

Table = TransitionTable[Hashable, str, None]
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_FOREIGN_EVENT = "EVENT-NOBODY-DECLARED"


def _label(value: object) -> str:
    """How messages name a state or event: an enum member by its name, else its text."""
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else str(value)


def _rebuild(
    table: Table,
    *,
    states: list[Hashable] | None = None,
    final: list[Hashable] | None = None,
    extra: list[Transition[Hashable, str, None]] | None = None,
) -> Table:
    return TransitionTable(
        "mutated",
        states=states if states is not None else list(table.states),
        initial=table.initial,
        final=final if final is not None else list(table.final),
        transitions=[*table.transitions, *(extra or [])],
    )


def _fresh_state(table: Table) -> Hashable:
    candidate: Hashable = ("undeclared", len(table.states))
    assert candidate not in table.states
    return candidate


@given(table=transition_tables())
def test_generated_tables_are_valid(table: Table) -> None:
    again = _rebuild(table)

    assert again.states == table.states
    assert table.initial in table.states
    for state in table.states:
        exits = [edge.event for edge in table.transitions if edge.source == state]
        assert table.allowed_events(state) == tuple(exits)
        assert table.is_final(state) == (not exits)
    lines = table.to_mermaid().split("\n")
    declarations = [line for line in lines if line.startswith("    state ")]
    names = [s.name if isinstance(s, enum.Enum) else str(s) for s in table.states]
    named = [n for n in names if not _PLAIN.fullmatch(n) or re.fullmatch(r"state\d+", n)]
    # Every state whose name is not a plain word is declared once with its name as label.
    assert len(declarations) == len(named)
    assert all(any(f'"{n}"' in line for line in declarations) for n in named)
    edges = len(lines) - len(declarations)
    assert edges == 2 + len(table.transitions) + len(table.final)


@given(data=st.data())
def test_random_events_never_leave_the_declared_states(data: st.DataObject) -> None:
    table = data.draw(transition_tables(), label="table")
    events = data.draw(event_sequences(table), label="events")
    edges = {(edge.source, edge.event): edge.target for edge in table.transitions}

    state = table.initial
    for event in [*events, _FOREIGN_EVENT]:
        target = edges.get((state, event))
        if target is not None:
            assert table.can_fire(state, event, None)
            state = table.next_state(state, event, None)
            assert state == target
            assert state in table.states
            continue
        allowed = tuple(edge.event for edge in table.transitions if edge.source == state)
        assert not table.can_fire(state, event, None)
        with pytest.raises(IllegalTransitionError) as caught:
            table.next_state(state, event, None)
        error = caught.value
        assert error.code == "state_machine.illegal_transition"
        assert (error.state, error.event, error.allowed) == (state, event, allowed)
        assert repr(_label(state)) in error.message
        assert repr(_label(event)) in error.message
        assert all(_label(name) in error.message for name in allowed)
        if not allowed:
            assert "final" in error.message
        assert state in table.states  # the caller's state is untouched


@given(table=transition_tables(), data=st.data())
def test_an_edge_to_an_undeclared_state_is_refused(table: Table, data: st.DataObject) -> None:
    sources = [state for state in table.states if not table.is_final(state)]
    assume(sources)
    source = data.draw(st.sampled_from(sources))
    stranger = _fresh_state(table)

    with pytest.raises(TransitionTableError) as caught:
        _rebuild(table, extra=[Transition(source, _FOREIGN_EVENT, stranger)])

    assert caught.value.code == "state_machine.invalid_table"
    assert "undeclared state" in caught.value.message
    assert repr(_label(stranger)) in caught.value.message


@given(table=transition_tables())
def test_an_unreachable_state_is_refused(table: Table) -> None:
    island = _fresh_state(table)

    with pytest.raises(TransitionTableError) as caught:
        _rebuild(table, states=[*table.states, island], final=[*table.final, island])

    assert "cannot be reached" in caught.value.message
    assert repr(_label(island)) in caught.value.message


@given(table=transition_tables(), data=st.data())
def test_a_dead_end_state_is_refused(table: Table, data: st.DataObject) -> None:
    sources = [state for state in table.states if not table.is_final(state)]
    assume(sources)
    source = data.draw(st.sampled_from(sources))
    dead_end = _fresh_state(table)

    with pytest.raises(TransitionTableError) as caught:
        _rebuild(
            table,
            states=[*table.states, dead_end],
            extra=[Transition(source, _FOREIGN_EVENT, dead_end)],
        )

    assert "is not final and has no exit" in caught.value.message
    assert repr(_label(dead_end)) in caught.value.message


@given(table=transition_tables(), data=st.data())
def test_an_exit_from_a_final_state_is_refused(table: Table, data: st.DataObject) -> None:
    assume(table.final)
    final = data.draw(st.sampled_from(sorted(table.final, key=repr)))
    target = data.draw(st.sampled_from(table.states))

    with pytest.raises(TransitionTableError) as caught:
        _rebuild(table, extra=[Transition(final, _FOREIGN_EVENT, target)])

    assert "has an exit" in caught.value.message
    assert repr(_label(final)) in caught.value.message


@given(table=transition_tables(), data=st.data())
def test_an_event_declared_twice_from_a_state_is_refused(table: Table, data: st.DataObject) -> None:
    assume(table.transitions)
    edge = data.draw(st.sampled_from(table.transitions))

    with pytest.raises(TransitionTableError) as caught:
        _rebuild(table, extra=[Transition(edge.source, edge.event, table.initial)])

    assert "declared twice" in caught.value.message
