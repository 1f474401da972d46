"""A small typed state-machine engine: a transition table declared as data.

A lifecycle (an order, a hold, a service request) is one :class:`TransitionTable`: the
states, the initial and final states, and every allowed edge as a :class:`Transition`
``(source, event) -> target`` with an optional guard. The table is checked when it is
declared, so a lifecycle with a state nobody can reach, a state nobody can leave, or an
edge to an undeclared state never ships. Every problem is reported at once.

Firing an event is a dictionary lookup plus the guard call: no reflection, no attribute
magic, no per-call allocation. The engine holds no current state; the aggregate does,
and asks the table where an event leads. That keeps aggregates immutable values and
lets one table serve every order in the system.

Example:
    >>> import enum
    >>> from staycore.kernel.state_machine import Transition, TransitionTable
    >>> class Door(enum.Enum):
    ...     OPEN = "open"
    ...     CLOSED = "closed"
    ...     GONE = "gone"
    >>> door = TransitionTable(
    ...     "door",
    ...     states=Door,
    ...     initial=Door.CLOSED,
    ...     final={Door.GONE},
    ...     transitions=[
    ...         Transition(Door.CLOSED, "open", Door.OPEN),
    ...         Transition(Door.OPEN, "close", Door.CLOSED),
    ...         Transition(Door.CLOSED, "remove", Door.GONE),
    ...     ],
    ... )
    >>> door.next_state(Door.CLOSED, "open", None)
    <Door.OPEN: 'open'>
    >>> door.next_state(Door.OPEN, "remove", None)
    Traceback (most recent call last):
    ...
    staycore.kernel.errors.IllegalTransitionError: [state_machine.illegal_transition] event \
'remove' is not allowed in state 'OPEN'; allowed events: close
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

import attrs

from staycore.kernel.errors import GuardRejectedError, IllegalTransitionError, TransitionTableError

__all__ = ["Guard", "Transition", "TransitionTable"]

_MERMAID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_GENERATED_ID = re.compile(r"^state\d+$")

S = TypeVar("S", bound=Hashable)
E = TypeVar("E", bound=Hashable)
C = TypeVar("C")

Guard = Callable[[C], bool]
"""A predicate over the caller's context that must hold for a transition to fire."""


@attrs.frozen
class Transition(Generic[S, E, C]):
    """One edge of a lifecycle: in state ``source``, event ``event`` leads to ``target``.

    Attributes:
        source: The state the edge leaves.
        event: The event that triggers it.
        target: The state it leads to.
        guard: Optional predicate over the context passed to
            :meth:`TransitionTable.fire`; the transition is refused when it returns False.
        description: Free text for documentation and diagrams.

    Example:
        >>> from staycore.kernel.state_machine import Transition
        >>> def paid_in_full(order: dict[str, int]) -> bool:
        ...     return order["due"] == 0
        >>> Transition("awaiting_payment", "confirm", "confirmed", guard=paid_in_full).guard_name
        'paid_in_full'
    """

    source: S
    event: E
    target: S
    guard: Guard[C] | None = attrs.field(default=None, kw_only=True)
    description: str = attrs.field(default="", kw_only=True)

    @property
    def guard_name(self) -> str | None:
        """The guard's name for messages and diagrams, or ``None`` without a guard."""
        if self.guard is None:
            return None
        return getattr(self.guard, "__name__", type(self.guard).__name__)


class TransitionTable(Generic[S, E, C]):
    """A validated lifecycle: states, initial and final states, and transitions.

    Args:
        name: The lifecycle's name, used in diagrams and messages.
        states: Every state (an :class:`enum.Enum` class works, or any iterable).
        initial: The state every instance starts in.
        final: States with no exit (completed, cancelled, ...).
        transitions: Every allowed edge; at most one per (state, event).

    Raises:
        TransitionTableError: The table names undeclared states, declares an edge twice,
            leaves a state unreachable from ``initial``, gives a final state an exit, or
            leaves a non-final state without one. The message lists every problem.

    Example:
        >>> from staycore.kernel.state_machine import Transition, TransitionTable
        >>> TransitionTable(
        ...     "broken",
        ...     states=["new", "done", "lost"],
        ...     initial="new",
        ...     final=["done"],
        ...     transitions=[Transition("new", "finish", "done"), Transition("new", "x", "limbo")],
        ... )
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.TransitionTableError: [state_machine.invalid_table] ...
    """

    __slots__ = ("_allowed", "_edges", "final", "initial", "name", "states", "transitions")

    def __init__(
        self,
        name: str,
        *,
        states: Iterable[S],
        initial: S,
        final: Iterable[S],
        transitions: Iterable[Transition[S, E, C]],
    ) -> None:
        self.name = name
        self.states: tuple[S, ...] = tuple(dict.fromkeys(states))
        self.initial = initial
        self.final: frozenset[S] = frozenset(final)
        self.transitions: tuple[Transition[S, E, C], ...] = tuple(transitions)
        self._edges: dict[tuple[S, E], Transition[S, E, C]] = {}
        problems = self._index()
        problems += self._check_graph()
        if problems:
            msg = f"transition table {name!r} is invalid: " + "; ".join(problems)
            raise TransitionTableError(msg)
        allowed: dict[S, list[E]] = {state: [] for state in self.states}
        for edge in self.transitions:
            allowed[edge.source].append(edge.event)
        self._allowed: Mapping[S, tuple[E, ...]] = {s: tuple(e) for s, e in allowed.items()}

    def _index(self) -> list[str]:
        known = set(self.states)
        problems = []
        if not self.states:
            problems.append("it declares no states")
        if self.initial not in known:
            problems.append(f"initial state {_label(self.initial)!r} is not declared")
        problems += [f"final state {_label(s)!r} is not declared" for s in self.final - known]
        for edge in self.transitions:
            for end in (edge.source, edge.target):
                if end not in known:
                    problems.append(f"{_edge_label(edge)} uses undeclared state {_label(end)!r}")
            key = (edge.source, edge.event)
            if key in self._edges:
                problems.append(
                    f"event {_label(edge.event)!r} is declared twice from {_label(edge.source)!r}"
                )
            self._edges.setdefault(key, edge)
            if edge.source in self.final:
                problems.append(
                    f"final state {_label(edge.source)!r} has an exit: {_edge_label(edge)}"
                )
        return problems

    def _check_graph(self) -> list[str]:
        exits: dict[S, list[S]] = {}
        for edge in self.transitions:
            exits.setdefault(edge.source, []).append(edge.target)
        reached = {self.initial}
        queue = deque([self.initial])
        while queue:
            for target in exits.get(queue.popleft(), ()):
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        problems = [
            f"state {_label(s)!r} cannot be reached from {_label(self.initial)!r}"
            for s in self.states
            if s not in reached
        ]
        problems += [
            f"state {_label(s)!r} is not final and has no exit"
            for s in self.states
            if s not in self.final and s not in exits
        ]
        return problems

    # -- firing ----------------------------------------------------------------------

    def fire(self, state: S, event: E, context: C) -> Transition[S, E, C]:
        """Return the transition ``event`` takes from ``state``, checking its guard.

        Args:
            state: The current state.
            event: The event to apply.
            context: What the guard inspects (the aggregate, a command); ``None`` for
                tables without guards.

        Raises:
            IllegalTransitionError: ``event`` is not declared from ``state``; the error
                names the state, the event and the events ``state`` accepts.
            GuardRejectedError: The edge exists but its guard returned False.
        """
        edge = self._edges.get((state, event))
        if edge is None:
            raise IllegalTransitionError(state, event, self._allowed.get(state, ()))
        guard = edge.guard
        if guard is not None and not guard(context):
            raise GuardRejectedError(state, event, edge.guard_name or "guard")
        return edge

    def next_state(self, state: S, event: E, context: C) -> S:
        """Return the state ``event`` leads to from ``state`` (see :meth:`fire`)."""
        return self.fire(state, event, context).target

    def can_fire(self, state: S, event: E, context: C) -> bool:
        """Whether ``event`` is declared from ``state`` and its guard passes.

        Example:
            Continuing the module example above:

            >>> door.can_fire(Door.OPEN, "close", None), door.can_fire(Door.GONE, "open", None)
            (True, False)
        """
        edge = self._edges.get((state, event))
        return edge is not None and (edge.guard is None or edge.guard(context))

    def allowed_events(self, state: S) -> tuple[E, ...]:
        """The events declared from ``state``, in declaration order (guards not checked).

        Example:
            Continuing the module example above:

            >>> door.allowed_events(Door.CLOSED)
            ('open', 'remove')
        """
        return self._allowed.get(state, ())

    def is_final(self, state: S) -> bool:
        """Whether ``state`` is final (no event leads out of it)."""
        return state in self.final

    # -- diagrams --------------------------------------------------------------------

    def to_mermaid(self) -> str:
        """Render the table as a Mermaid ``stateDiagram-v2``.

        Example:
            Continuing the module example above:

            >>> print(door.to_mermaid())
            stateDiagram-v2
                [*] --> CLOSED
                CLOSED --> OPEN: open
                OPEN --> CLOSED: close
                CLOSED --> GONE: remove
                GONE --> [*]
        """
        # Mermaid ids must be plain words: a state named otherwise gets a generated id
        # (`state<n>`, a shape no plain name may take) and its name as the label.
        ids = {
            state: label
            if _MERMAID_ID.match(label) and not _GENERATED_ID.match(label)
            else f"state{index}"
            for index, state in enumerate(self.states)
            for label in (_label(state),)
        }
        lines = ["stateDiagram-v2"]
        lines += [
            f"    state {_quote(_label(s))} as {ids[s]}" for s in self.states if ids[s] != _label(s)
        ]
        lines.append(f"    [*] --> {ids[self.initial]}")
        lines += [
            f"    {ids[e.source]} --> {ids[e.target]}: {_mermaid_text(e)}" for e in self.transitions
        ]
        lines += [f"    {ids[s]} --> [*]" for s in self.states if s in self.final]
        return "\n".join(lines)

    def to_graphviz(self) -> str:
        """Render the table as a Graphviz ``digraph`` in the DOT language.

        Example:
            Continuing the module example above:

            >>> print(door.to_graphviz())
            digraph "door" {
                rankdir=LR;
                node [shape=box, style=rounded];
                "__start__" [shape=point];
                "__start__" -> "CLOSED";
                "GONE" [shape=doubleoctagon];
                "CLOSED" -> "OPEN" [label="open"];
                "OPEN" -> "CLOSED" [label="close"];
                "CLOSED" -> "GONE" [label="remove"];
            }
        """
        lines = [
            f"digraph {_quote(self.name)} {{",
            "    rankdir=LR;",
            "    node [shape=box, style=rounded];",
            '    "__start__" [shape=point];',
            f'    "__start__" -> {_quote(_label(self.initial))};',
        ]
        lines += [
            f"    {_quote(_label(s))} [shape=doubleoctagon];"
            for s in self.states
            if s in self.final
        ]
        lines += [
            f"    {_quote(_label(e.source))} -> {_quote(_label(e.target))} "
            f"[label={_quote(_arrow_text(e))}];"
            for e in self.transitions
        ]
        lines.append("}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"TransitionTable({self.name!r}, {len(self.states)} states, "
            f"{len(self.transitions)} transitions)"
        )


def _label(value: object) -> str:
    """Name a state or event: an enum's name, else its text."""
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else str(value)


def _edge_label(edge: Transition[S, E, C]) -> str:
    return f"{_label(edge.source)} --{_label(edge.event)}--> {_label(edge.target)}"


def _arrow_text(edge: Transition[S, E, C]) -> str:
    guard = edge.guard_name
    return f"{_label(edge.event)} [{guard}]" if guard else _label(edge.event)


def _mermaid_text(edge: Transition[S, E, C]) -> str:
    # A colon would end the transition's label early.
    return _one_line(_arrow_text(edge).replace(":", " "))


def _quote(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _one_line(text: str) -> str:
    return " ".join(text.split())
