"""Transition tables: guards, messages, every problem of a broken table, and diagrams."""

from __future__ import annotations

import enum

import pytest

from staycore.kernel.errors import GuardRejectedError, IllegalTransitionError, TransitionTableError
from staycore.kernel.state_machine import Transition, TransitionTable


class Stage(enum.Enum):
    DRAFT = "draft"
    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def paid_in_full(order: dict[str, int]) -> bool:
    return order["due"] == 0


ORDER: TransitionTable[Stage, str, dict[str, int]] = TransitionTable(
    "order",
    states=Stage,
    initial=Stage.DRAFT,
    final={Stage.CONFIRMED, Stage.CANCELLED},
    transitions=[
        Transition(Stage.DRAFT, "hold", Stage.HELD),
        Transition(Stage.HELD, "confirm", Stage.CONFIRMED, guard=paid_in_full),
        Transition(Stage.HELD, "cancel", Stage.CANCELLED),
        Transition(Stage.DRAFT, "cancel", Stage.CANCELLED),
    ],
)


def test_a_guard_that_refuses_is_named_in_the_error() -> None:
    with pytest.raises(GuardRejectedError) as caught:
        ORDER.fire(Stage.HELD, "confirm", {"due": 500})

    error = caught.value
    assert error.code == "state_machine.guard_rejected"
    assert (error.state, error.event, error.guard) == (Stage.HELD, "confirm", "paid_in_full")
    assert "refused by guard 'paid_in_full'" in error.message
    assert "from state 'HELD'" in error.message
    assert "satisfy its condition before retrying" in error.message
    assert not ORDER.can_fire(Stage.HELD, "confirm", {"due": 500})


def test_a_guard_that_passes_lets_the_event_through() -> None:
    edge = ORDER.fire(Stage.HELD, "confirm", {"due": 0})
    assert edge.target is Stage.CONFIRMED
    assert edge.guard_name == "paid_in_full"
    assert ORDER.can_fire(Stage.HELD, "confirm", {"due": 0})


def test_a_callable_object_guard_is_named_by_its_class() -> None:
    class AlwaysNo:
        def __call__(self, context: object) -> bool:
            return False

    table: TransitionTable[str, str, None] = TransitionTable(
        "t",
        states=["a", "b"],
        initial="a",
        final=["b"],
        transitions=[Transition("a", "go", "b", guard=AlwaysNo())],
    )
    with pytest.raises(GuardRejectedError, match="guard 'AlwaysNo'"):
        table.next_state("a", "go", None)


def test_an_illegal_event_names_the_state_the_event_and_the_allowed_events() -> None:
    with pytest.raises(IllegalTransitionError) as caught:
        ORDER.next_state(Stage.DRAFT, "confirm", {"due": 0})

    error = caught.value
    assert error.code == "state_machine.illegal_transition"
    assert (
        error.message
        == "event 'confirm' is not allowed in state 'DRAFT'; allowed events: hold, cancel"
    )
    assert (error.state, error.event, error.allowed) == (Stage.DRAFT, "confirm", ("hold", "cancel"))


def test_an_event_in_a_final_state_says_the_state_is_final() -> None:
    with pytest.raises(IllegalTransitionError, match="allowed events: none: it is final"):
        ORDER.next_state(Stage.CANCELLED, "hold", {"due": 0})
    assert ORDER.allowed_events(Stage.CANCELLED) == ()
    assert ORDER.is_final(Stage.CANCELLED)


def test_a_broken_table_lists_every_problem_at_once() -> None:
    with pytest.raises(TransitionTableError) as caught:
        TransitionTable(
            "broken",
            states=["new", "open", "done", "lost", "stuck"],
            initial="new",
            final=["done", "gone"],
            transitions=[
                Transition("new", "open", "open"),
                Transition("new", "open", "done"),
                Transition("open", "close", "done"),
                Transition("open", "wander", "limbo"),
                Transition("done", "reopen", "open"),
                Transition("open", "jam", "stuck"),
            ],
        )

    message = caught.value.message
    assert caught.value.code == "state_machine.invalid_table"
    assert message.startswith("transition table 'broken' is invalid: ")
    for problem in [
        "final state 'gone' is not declared",
        "event 'open' is declared twice from 'new'",
        "open --wander--> limbo uses undeclared state 'limbo'",
        "final state 'done' has an exit: done --reopen--> open",
        "state 'lost' cannot be reached from 'new'",
        "state 'lost' is not final and has no exit",
        "state 'stuck' is not final and has no exit",
    ]:
        assert problem in message


@pytest.mark.parametrize(
    ("states", "initial", "problem"),
    [
        ([], "new", "it declares no states"),
        (["a", "b"], "new", "initial state 'new' is not declared"),
    ],
)
def test_a_table_needs_declared_states(states: list[str], initial: str, problem: str) -> None:
    with pytest.raises(TransitionTableError, match=problem):
        TransitionTable("t", states=states, initial=initial, final=[], transitions=[])


def test_mermaid_output() -> None:
    assert ORDER.to_mermaid() == (
        "stateDiagram-v2\n"
        "    [*] --> DRAFT\n"
        "    DRAFT --> HELD: hold\n"
        "    HELD --> CONFIRMED: confirm [paid_in_full]\n"
        "    HELD --> CANCELLED: cancel\n"
        "    DRAFT --> CANCELLED: cancel\n"
        "    CONFIRMED --> [*]\n"
        "    CANCELLED --> [*]"
    )


def test_graphviz_output_quotes_names() -> None:
    table: TransitionTable[str, str, None] = TransitionTable(
        'say "hi"',
        states=["a", 'b"q'],
        initial="a",
        final=['b"q'],
        transitions=[Transition("a", "go\\now", 'b"q')],
    )
    assert table.to_graphviz() == (
        'digraph "say \\"hi\\"" {\n'
        "    rankdir=LR;\n"
        "    node [shape=box, style=rounded];\n"
        '    "__start__" [shape=point];\n'
        '    "__start__" -> "a";\n'
        '    "b\\"q" [shape=doubleoctagon];\n'
        '    "a" -> "b\\"q" [label="go\\\\now"];\n'
        "}"
    )
    assert repr(table) == "TransitionTable('say \"hi\"', 2 states, 1 transitions)"


def test_diagrams_render_state_and_event_names_that_are_not_plain_words() -> None:
    table: TransitionTable[str, str, None] = TransitionTable(
        'guest "stay"',
        states=["new booking", "state0", "done: paid"],
        initial="new booking",
        final=["done: paid"],
        transitions=[
            Transition("new booking", "pay\nnow", "state0"),
            Transition("state0", "settle: all", "done: paid"),
        ],
    )
    assert table.to_mermaid().splitlines() == [
        "stateDiagram-v2",
        '    state "new booking" as state0',
        '    state "state0" as state1',
        '    state "done: paid" as state2',
        "    [*] --> state0",
        "    state0 --> state1: pay now",
        "    state1 --> state2: settle all",
        "    state2 --> [*]",
    ]
    graph = table.to_graphviz()
    assert graph.startswith('digraph "guest \\"stay\\"" {')
    assert '"new booking" -> "state0" [label="pay now"];' in graph
