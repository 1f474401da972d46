"""Contract suites for the persistence ports: the unit of work and the idempotency store.

* :class:`UnitOfWorkContract`: :mod:`staycore.ports.persistence`.
* :class:`IdempotencyStoreContract`: :mod:`staycore.ports.idempotency`.

The suites store :class:`GuestNote`, a tiny aggregate that also serves the examples
of the ports; its text, and its events' text, are personal data
(:data:`~staycore.kernel.erasure.PERSONAL`). They leave whatever they write behind and
use fresh ids and keys each time, so they run against an empty store or a shared one
alike. This module needs pytest (the ``dev`` extra). For pytest's detailed assertion
messages in the suites, call ``pytest.register_assert_rewrite("staycore.testing.contracts")``
at the top of your ``conftest.py``, before anything imports this module.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.ports.persistence import UnitOfWorkFactory
    >>> from staycore.testing.contracts import CommittedEvents, UnitOfWorkContract
    >>> class TestMemoryUnitOfWork(UnitOfWorkContract):
    ...     @pytest.fixture
    ...     def store(self) -> MemoryStore:
    ...         return MemoryStore()
    ...
    ...     @pytest.fixture
    ...     def uow_factory(self, store: MemoryStore) -> UnitOfWorkFactory:
    ...         return store.unit_of_work
    ...
    ...     @pytest.fixture
    ...     def committed_events(self, store: MemoryStore) -> CommittedEvents:
    ...         return store.outbox
    >>> "test_stale_save_is_refused_and_writes_nothing" in dir(TestMemoryUnitOfWork)
    True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar, Self, TypeVar

import attrs
import pytest

from staycore.kernel.erasure import ERASED, PERSONAL, PersonalDataErased
from staycore.kernel.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    DuplicateAggregateError,
    IdempotencyConflictError,
    IdempotencyInProgressError,
    UnitOfWorkStateError,
)
from staycore.kernel.events import DomainEvent
from staycore.kernel.ids import Identifier
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.testing.clock import FrozenClock

__all__ = [
    "CommittedEvents",
    "GuestNote",
    "GuestNoteEdited",
    "GuestNoteWritten",
    "IdempotencyStoreContract",
    "NoteId",
    "UnitOfWorkContract",
]

CommittedEvents = Callable[[], Sequence[DomainEvent]]
"""Lists the events an adapter has committed to its outbox, in commit order."""

_AT = "2026-05-01T09:00:00Z"
_RACE_TIMEOUT = 30.0  # seconds; only reached when an adapter deadlocks
_MEET_WAIT = 0.25  # seconds racers wait for each other between staging and committing
_R = TypeVar("_R")


# -- the aggregate the suites store -----------------------------------------------------


class NoteId(Identifier):
    """Identifies a :class:`GuestNote`.

    Example:
        >>> from staycore.testing.contracts import NoteId
        >>> NoteId.new().startswith("note_")
        True
    """

    prefix = "note"


@attrs.frozen
class GuestNote:
    """A note the staff keep about a guest: the aggregate the contract suites store.

    Attributes:
        id: The note's identity.
        version: 1 when written, one more for every edit.
        text: What the note says: personal data, sealed at rest, erased on request.

    Example:
        >>> from staycore.testing.contracts import GuestNote
        >>> note = GuestNote.write("prefers a quiet room")
        >>> edited = note.edit("prefers a quiet room, away from the lift")
        >>> (note.version, edited.version), edited.id == note.id
        ((1, 2), True)
    """

    id: NoteId
    version: int
    text: str = attrs.field(metadata=PERSONAL)

    @classmethod
    def write(cls, text: str) -> GuestNote:
        """Write a new note, with a fresh id, at version 1.

        Example:
            >>> from staycore.testing.contracts import GuestNote
            >>> GuestNote.write("vegetarian breakfast").version
            1
        """
        return cls(NoteId.new(), 1, text)

    def edit(self, text: str) -> GuestNote:
        """Return the note with new text, one version on.

        Example:
            >>> from staycore.testing.contracts import GuestNote
            >>> GuestNote.write("one pillow").edit("two pillows").text
            'two pillows'
        """
        return attrs.evolve(self, version=self.version + 1, text=text)

    def erase(self, *, at: dt.datetime | str) -> tuple[GuestNote, PersonalDataErased]:
        """The note without its text, on the guest's request, and the event that says so.

        Example:
            >>> from staycore.testing.contracts import GuestNote
            >>> erased, event = GuestNote.write("allergic to nuts").erase(
            ...     at="2026-05-02T09:00:00Z")
            >>> erased.text, erased.version, event.fields
            ('erased', 2, ('text',))
        """
        erased = attrs.evolve(self, version=self.version + 1, text=ERASED)
        event = PersonalDataErased(
            aggregate_id=self.id,
            aggregate_version=erased.version,
            occurred_at=at,
            fields=("text",),
        )
        return erased, event


@attrs.frozen(kw_only=True)
class _GuestNoteEvent(DomainEvent):
    """What both note events carry: the note's text after the change (personal data)."""

    text: str = attrs.field(metadata=PERSONAL)

    @classmethod
    def of(cls, note: GuestNote, occurred_at: dt.datetime | str) -> Self:
        """The event that produced ``note`` (its id, version and text), at ``occurred_at``.

        Example:
            >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
            >>> GuestNoteWritten.of(GuestNote.write("gluten-free"), "2026-05-01T09:00:00Z").text
            'gluten-free'
        """
        return cls(
            aggregate_id=note.id,
            aggregate_version=note.version,
            occurred_at=occurred_at,
            text=note.text,
        )


@attrs.frozen(kw_only=True)
class GuestNoteWritten(_GuestNoteEvent):
    """A note about a guest was written.

    Attributes:
        text: What the note says.

    Example:
        >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
        >>> note = GuestNote.write("allergic to nuts")
        >>> GuestNoteWritten.of(note, "2026-05-01T09:00:00Z").aggregate_version
        1
    """


@attrs.frozen(kw_only=True)
class GuestNoteEdited(_GuestNoteEvent):
    """A note about a guest was edited.

    Attributes:
        text: What the note says now.

    Example:
        >>> from staycore.testing.contracts import GuestNote, GuestNoteEdited
        >>> note = GuestNote.write("one guest").edit("two guests")
        >>> GuestNoteEdited.of(note, "2026-05-01T09:00:00Z").aggregate_version
        2
    """


# -- helpers shared by the suites -------------------------------------------------------


class _CommandFailedError(Exception):
    """Stands for any error that ends a command halfway through its unit of work."""


def _stored(factory: UnitOfWorkFactory, note_id: NoteId) -> GuestNote:
    with factory() as uow:
        return uow.repository(GuestNote).get(note_id)


def _nothing() -> None:
    return None


def _add(
    factory: UnitOfWorkFactory,
    note: GuestNote,
    *events: DomainEvent,
    before_commit: Callable[[], None] = _nothing,
) -> None:
    with factory() as uow:
        uow.repository(GuestNote).add(note)
        uow.collect(*events)
        before_commit()
        uow.commit()


def _save(
    factory: UnitOfWorkFactory,
    note: GuestNote,
    expected_version: int,
    *events: DomainEvent,
    before_commit: Callable[[], None] = _nothing,
) -> None:
    with factory() as uow:
        uow.repository(GuestNote).save(note, expected_version=expected_version)
        uow.collect(*events)
        before_commit()
        uow.commit()


def _race(
    racers: int, attempt: Callable[[int, Callable[[], None]], _R]
) -> list[_R | BaseException]:
    """Run ``attempt(index, meet)`` for each racer in its own thread, all released at once.

    A racer calls ``meet()`` after staging its change and before committing. It returns
    once every racer has called it, or after a short wait: where an adapter settles
    conflicts only at commit, all racers then commit against the same version; where it
    blocks racers in ``save`` (a row lock), the one that got through goes on alone.

    Returns each attempt's result, or the exception it raised.
    """
    start = threading.Barrier(racers, timeout=_RACE_TIMEOUT)
    staged = threading.Barrier(racers)

    def meet() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            staged.wait(timeout=_MEET_WAIT)

    def run(index: int) -> _R | BaseException:
        start.wait()
        try:
            return attempt(index, meet)
        except Exception as error:  # the caller checks which errors are expected
            return error

    with ThreadPoolExecutor(max_workers=racers) as pool:
        return list(pool.map(run, range(racers), timeout=_RACE_TIMEOUT))


def _only_winner(outcomes: Sequence[object], loses_with: type[Exception]) -> int:
    """Check that exactly one attempt returned and the rest raised ``loses_with``."""
    unexpected = [
        o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, loses_with)
    ]
    assert not unexpected, f"racers failed with unexpected errors: {unexpected!r}"
    winners = [index for index, o in enumerate(outcomes) if not isinstance(o, BaseException)]
    assert len(winners) == 1, (
        f"{len(winners)} of {len(outcomes)} racers won; exactly one should, "
        f"the others getting {loses_with.__name__}"
    )
    return winners[0]


# -- units of work ----------------------------------------------------------------------


class UnitOfWorkContract:
    """The rules of :mod:`staycore.ports.persistence`, for a unit-of-work adapter.

    Subclass it under a name starting with ``Test`` and override two fixtures:

    * ``uow_factory``: returns a :data:`~staycore.ports.persistence.UnitOfWorkFactory`
      over a store made (or cleaned) for the test.
    * ``committed_events``: returns a :data:`CommittedEvents` callable that lists the
      events committed to that store's outbox, in commit order.

    Lower :attr:`racers` if the store cannot serve that many concurrent transactions.

    Example:
        See the module example; a suite's tests are its ``test_`` methods:

        >>> from staycore.testing.contracts import UnitOfWorkContract
        >>> "test_only_one_of_racing_savers_wins" in dir(UnitOfWorkContract)
        True
    """

    racers: ClassVar[int] = 8
    """How many threads race to change one aggregate."""

    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        """Override: open units of work over a store made for the test."""
        msg = f"{type(self).__name__} must override the `uow_factory` fixture"
        raise NotImplementedError(msg)

    @pytest.fixture
    def committed_events(self) -> CommittedEvents:
        """Override: list the events committed to the same store's outbox, in order."""
        msg = f"{type(self).__name__} must override the `committed_events` fixture"
        raise NotImplementedError(msg)

    def test_added_aggregate_is_read_back_by_a_later_unit_of_work(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """An added and committed aggregate is what later units of work get."""
        note = GuestNote.write("prefers a quiet room")
        _add(uow_factory, note)
        assert _stored(uow_factory, note.id) == note

    def test_saved_change_is_read_back_by_a_later_unit_of_work(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A saved and committed change replaces the stored value, version after version."""
        note = GuestNote.write("one pillow")
        _add(uow_factory, note)
        second = note.edit("two pillows")
        _save(uow_factory, second, 1)
        assert _stored(uow_factory, note.id) == second
        third = second.edit("three pillows")
        _save(uow_factory, third, 2)
        assert _stored(uow_factory, note.id) == third

    def test_changes_are_invisible_to_others_until_commit(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Another unit of work sees neither an addition nor a change before commit."""
        note = GuestNote.write("arrives late")
        with uow_factory() as writer:
            writer.repository(GuestNote).add(note)
            with pytest.raises(AggregateNotFoundError):
                _stored(uow_factory, note.id)
            writer.commit()
        with uow_factory() as writer:
            writer.repository(GuestNote).save(note.edit("arrives early"), expected_version=1)
            assert _stored(uow_factory, note.id) == note
            writer.commit()
        assert _stored(uow_factory, note.id).text == "arrives early"

    def test_exception_discards_changes_and_events(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """An exception in the block propagates and rolls back changes and events."""
        kept = GuestNote.write("late checkout")
        _add(uow_factory, kept)
        lost = GuestNote.write("early check-in")
        before = len(committed_events())

        def fail_midway() -> None:
            with uow_factory() as uow:
                notes = uow.repository(GuestNote)
                notes.add(lost)
                notes.save(kept.edit("no late checkout"), expected_version=1)
                uow.collect(GuestNoteWritten.of(lost, _AT))
                raise _CommandFailedError

        with pytest.raises(_CommandFailedError):
            fail_midway()
        with pytest.raises(AggregateNotFoundError):
            _stored(uow_factory, lost.id)
        assert _stored(uow_factory, kept.id) == kept
        assert list(committed_events()[before:]) == []

    @pytest.mark.parametrize("explicit_rollback", [False, True], ids=["leave", "rollback"])
    def test_leaving_without_commit_or_rolling_back_discards_changes_and_events(
        self,
        uow_factory: UnitOfWorkFactory,
        committed_events: CommittedEvents,
        explicit_rollback: bool,
    ) -> None:
        """Leaving the block without commit, or calling rollback, discards everything."""
        note = GuestNote.write("needs a cot")
        before = len(committed_events())
        with uow_factory() as uow:
            uow.repository(GuestNote).add(note)
            uow.collect(GuestNoteWritten.of(note, _AT))
            if explicit_rollback:
                uow.rollback()
        with pytest.raises(AggregateNotFoundError):
            _stored(uow_factory, note.id)
        assert list(committed_events()[before:]) == []

    def test_getting_a_missing_aggregate_raises_not_found(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Getting an id that was never added raises AggregateNotFoundError."""
        with pytest.raises(AggregateNotFoundError):
            _stored(uow_factory, NoteId.new())

    def test_adding_a_taken_id_raises_duplicate_and_keeps_the_stored_one(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """Adding an id that is committed raises DuplicateAggregateError and writes nothing."""
        note = GuestNote.write("original")
        _add(uow_factory, note)
        impostor = attrs.evolve(note, text="impostor")
        before = len(committed_events())
        with pytest.raises(DuplicateAggregateError):
            _add(uow_factory, impostor, GuestNoteWritten.of(impostor, _AT))
        assert _stored(uow_factory, note.id) == note
        assert list(committed_events()[before:]) == []

    def test_adding_one_id_twice_in_a_unit_of_work_raises_duplicate(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Adding the same id twice in one unit of work raises DuplicateAggregateError."""
        note = GuestNote.write("twice")

        def add_twice() -> None:
            with uow_factory() as uow:
                uow.repository(GuestNote).add(note)
                uow.repository(GuestNote).add(attrs.evolve(note, text="again"))
                uow.commit()

        with pytest.raises(DuplicateAggregateError):
            add_twice()
        with pytest.raises(AggregateNotFoundError):
            _stored(uow_factory, note.id)

    def test_stale_save_is_refused_and_writes_nothing(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """Saving from a version that is no longer stored raises ConcurrencyError."""
        note = GuestNote.write("sea view")
        _add(uow_factory, note)
        first, second = note.edit("garden view"), note.edit("city view")
        first_edited = GuestNoteEdited.of(first, _AT)
        before = len(committed_events())
        _save(uow_factory, first, 1, first_edited)
        with pytest.raises(ConcurrencyError):
            _save(uow_factory, second, 1, GuestNoteEdited.of(second, _AT))
        assert _stored(uow_factory, note.id) == first
        assert list(committed_events()[before:]) == [first_edited]

    def test_saving_a_missing_aggregate_raises_not_found(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Saving an aggregate that was never added raises AggregateNotFoundError."""
        note = GuestNote.write("never added")
        with pytest.raises(AggregateNotFoundError):
            _save(uow_factory, note.edit("still never added"), 1)
        with pytest.raises(AggregateNotFoundError):
            _stored(uow_factory, note.id)

    def test_a_unit_of_work_reads_its_own_writes(self, uow_factory: UnitOfWorkFactory) -> None:
        """Inside one unit of work, get returns what add and save staged."""
        note = GuestNote.write("first draft")
        second, third = note.edit("second draft"), note.edit("second draft").edit("final")
        with uow_factory() as uow:
            notes = uow.repository(GuestNote)
            notes.add(note)
            assert notes.get(note.id) == note
            notes.save(second, expected_version=1)
            assert notes.get(note.id) == second
            notes.save(third, expected_version=2)
            assert uow.repository(GuestNote).get(note.id) == third
            uow.commit()
        assert _stored(uow_factory, note.id) == third

    def test_events_are_committed_in_order_with_their_change(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """Collected events reach the outbox with the commit, in collection and commit order."""
        note = GuestNote.write("vegan")
        edited = note.edit("vegan, no honey")
        written = GuestNoteWritten.of(note, _AT)
        first_edit = GuestNoteEdited.of(edited, _AT)
        second_edit = GuestNoteEdited.of(edited.edit("vegan, no honey, no soy"), _AT)
        before = len(committed_events())
        with uow_factory() as uow:
            uow.repository(GuestNote).add(note)
            uow.collect(written)
            uow.collect(first_edit)
            assert list(committed_events()[before:]) == []
            uow.commit()
        assert list(committed_events()[before:]) == [written, first_edit]
        _save(uow_factory, edited, 1, second_edit)
        assert list(committed_events()[before:]) == [written, first_edit, second_edit]

    def test_a_unit_of_work_refuses_use_after_commit(self, uow_factory: UnitOfWorkFactory) -> None:
        """After commit, the unit of work and its repositories raise UnitOfWorkStateError."""
        note = GuestNote.write("committed once")
        with uow_factory() as uow:
            notes = uow.repository(GuestNote)
            notes.add(note)
            uow.commit()
            with pytest.raises(UnitOfWorkStateError):
                uow.commit()
            with pytest.raises(UnitOfWorkStateError):
                uow.repository(GuestNote)
            with pytest.raises(UnitOfWorkStateError):
                uow.collect(GuestNoteWritten.of(note, _AT))
            with pytest.raises(UnitOfWorkStateError):
                notes.get(note.id)
        with pytest.raises(UnitOfWorkStateError):
            uow.__enter__()
        assert _stored(uow_factory, note.id) == note

    def test_a_unit_of_work_refuses_use_after_rollback(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """After rollback, committing or getting a repository raises UnitOfWorkStateError."""
        with uow_factory() as uow:
            uow.rollback()
            with pytest.raises(UnitOfWorkStateError):
                uow.commit()
            with pytest.raises(UnitOfWorkStateError):
                uow.repository(GuestNote)

    def test_a_unit_of_work_refuses_use_outside_its_block(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Before ``with`` and after it, the unit of work raises UnitOfWorkStateError."""
        unopened = uow_factory()
        with pytest.raises(UnitOfWorkStateError):
            unopened.repository(GuestNote)
        with pytest.raises(UnitOfWorkStateError):
            unopened.commit()
        with uow_factory() as uow:
            notes = uow.repository(GuestNote)
        with pytest.raises(UnitOfWorkStateError):
            uow.repository(GuestNote)
        with pytest.raises(UnitOfWorkStateError):
            notes.add(GuestNote.write("too late"))

    def test_only_one_of_racing_savers_wins(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """Of threads saving from one version, one commits; the rest get ConcurrencyError.

        Only the winner's events reach the outbox.
        """
        note = GuestNote.write("room 101")
        _add(uow_factory, note)
        edits = [note.edit(f"room {200 + racer}") for racer in range(self.racers)]
        before = len(committed_events())

        def save(racer: int, meet: Callable[[], None]) -> None:
            edited = GuestNoteEdited.of(edits[racer], _AT)
            _save(uow_factory, edits[racer], 1, edited, before_commit=meet)

        winner = _only_winner(_race(self.racers, save), ConcurrencyError)
        assert _stored(uow_factory, note.id) == edits[winner]
        assert list(committed_events()[before:]) == [GuestNoteEdited.of(edits[winner], _AT)]

    def test_only_one_of_racing_adders_wins(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """Of threads adding one id, one commits; the rest get DuplicateAggregateError.

        Only the winner's events reach the outbox.
        """
        note_id = NoteId.new()
        notes = [GuestNote(note_id, 1, f"copy {racer}") for racer in range(self.racers)]
        before = len(committed_events())

        def add(racer: int, meet: Callable[[], None]) -> None:
            written = GuestNoteWritten.of(notes[racer], _AT)
            _add(uow_factory, notes[racer], written, before_commit=meet)

        winner = _only_winner(_race(self.racers, add), DuplicateAggregateError)
        assert _stored(uow_factory, note_id) == notes[winner]
        assert list(committed_events()[before:]) == [GuestNoteWritten.of(notes[winner], _AT)]

    def test_after_an_erasure_no_event_in_the_outbox_holds_the_erased_text(
        self, uow_factory: UnitOfWorkFactory, committed_events: CommittedEvents
    ) -> None:
        """A commit recording PersonalDataErased erases the aggregate's events in the outbox.

        Every earlier event of the erased aggregate, published or not, loses its personal
        fields (as :func:`~staycore.kernel.erasure.without_personal_data` erases them) in
        the same commit, and keeps its place; other aggregates' events are untouched.
        """
        secret = f"allergic to penicillin, room {uuid.uuid4().hex}"
        note, other = GuestNote.write(secret), GuestNote.write(f"not erased {uuid.uuid4().hex}")
        edited = note.edit(f"{secret}, and to nuts")
        _add(uow_factory, note, GuestNoteWritten.of(note, _AT))
        _add(uow_factory, other, GuestNoteWritten.of(other, _AT))
        _save(uow_factory, edited, 1, GuestNoteEdited.of(edited, _AT))
        before = list(committed_events())
        assert any(secret in repr(event) for event in before)
        erased, erasure = edited.erase(at=_AT)
        _save(uow_factory, erased, 2, erasure)
        after = list(committed_events())
        assert [secret in repr(event) for event in after] == [False] * len(after), (
            "events of an erased aggregate still hold its personal data in the outbox"
        )
        place = [(e.event_type, e.aggregate_id, e.aggregate_version) for e in before]
        assert [(e.event_type, e.aggregate_id, e.aggregate_version) for e in after] == [
            *place,
            ("PersonalDataErased", note.id, 3),
        ]
        texts = [
            e.text for e in after if isinstance(e, _GuestNoteEvent) and e.aggregate_id == note.id
        ]
        assert texts == [ERASED, ERASED]
        assert GuestNoteWritten.of(other, _AT) in after
        assert _stored(uow_factory, note.id) == erased


# -- idempotency ------------------------------------------------------------------------


_TTL = dt.timedelta(hours=24)
_SECOND = dt.timedelta(seconds=1)


class IdempotencyStoreContract:
    """The rules of :mod:`staycore.ports.idempotency`, for an idempotency-store adapter.

    Subclass it under a name starting with ``Test`` and override the
    ``idempotency_store`` fixture: it receives the suite's ``clock`` fixture, a
    :class:`~staycore.testing.clock.FrozenClock`, and must build a store that reads the
    time from that clock (the tests move it to make records expire).

    Example:
        >>> import pytest
        >>> from staycore.adapters.memory import MemoryIdempotencyStore
        >>> from staycore.ports.idempotency import IdempotencyStore
        >>> from staycore.testing.clock import FrozenClock
        >>> from staycore.testing.contracts import IdempotencyStoreContract
        >>> class TestMemoryIdempotencyStore(IdempotencyStoreContract):
        ...     @pytest.fixture
        ...     def idempotency_store(self, clock: FrozenClock) -> IdempotencyStore:
        ...         return MemoryIdempotencyStore(clock)
        >>> "test_an_unfinished_claim_expires_after_its_ttl" in dir(TestMemoryIdempotencyStore)
        True
    """

    racers: ClassVar[int] = 8
    """How many threads race to claim one key."""

    @pytest.fixture
    def clock(self) -> FrozenClock:
        """The clock the store must read; tests advance it."""
        return FrozenClock(_AT)

    @pytest.fixture
    def idempotency_store(self, clock: FrozenClock) -> IdempotencyStore:
        """Override: build the store under test, reading the time from ``clock``."""
        msg = f"{type(self).__name__} must override the `idempotency_store` fixture"
        raise NotImplementedError(msg)

    @pytest.fixture
    def key(self) -> str:
        """A key no other test uses, so the suite can run against a shared store."""
        return f"contract-{uuid.uuid4().hex}"

    def test_the_first_claim_owns_the_key(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """The first claim of a key returns None: the caller runs the request."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None

    def test_a_completed_request_is_replayed(
        self, idempotency_store: IdempotencyStore, clock: FrozenClock, key: str
    ) -> None:
        """After complete, the same request gets the stored record back, every time."""
        claimed_at = clock.now()
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        idempotency_store.complete(key, "sha256:a", '{"status": "paid"}')
        clock.advance(hours=1)
        for _repeat in range(2):
            record = idempotency_store.claim(key, "sha256:a", ttl=_TTL)
            assert record is not None
            assert (record.key, record.fingerprint, record.result) == (
                key,
                "sha256:a",
                '{"status": "paid"}',
            )
            assert record.expires_at == claimed_at + _TTL

    def test_a_different_fingerprint_is_refused(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """A key cannot stand for another request, running or completed."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        with pytest.raises(IdempotencyConflictError):
            idempotency_store.claim(key, "sha256:b", ttl=_TTL)
        idempotency_store.complete(key, "sha256:a", "done")
        with pytest.raises(IdempotencyConflictError):
            idempotency_store.claim(key, "sha256:b", ttl=_TTL)

    def test_a_repeat_while_running_is_told_so(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """The same request, while the first is still running, is refused as in progress."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        with pytest.raises(IdempotencyInProgressError):
            idempotency_store.claim(key, "sha256:a", ttl=_TTL)

    def test_release_lets_a_retry_claim_the_key(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """A released claim frees the key for the retry, which then owns it."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        idempotency_store.release(key, "sha256:a")
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        with pytest.raises(IdempotencyInProgressError):
            idempotency_store.claim(key, "sha256:a", ttl=_TTL)

    def test_release_changes_nothing_but_the_owners_unfinished_claim(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """Release by another fingerprint, or after completion, leaves the key as it was."""
        idempotency_store.release(key, "sha256:a")  # nothing to release: no error
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        idempotency_store.release(key, "sha256:b")
        with pytest.raises(IdempotencyInProgressError):
            idempotency_store.claim(key, "sha256:a", ttl=_TTL)
        idempotency_store.complete(key, "sha256:a", "done")
        idempotency_store.release(key, "sha256:a")
        record = idempotency_store.claim(key, "sha256:a", ttl=_TTL)
        assert record is not None
        assert record.result == "done"

    def test_an_unfinished_claim_expires_after_its_ttl(
        self, idempotency_store: IdempotencyStore, clock: FrozenClock, key: str
    ) -> None:
        """A claim left unfinished (a crashed process) blocks its key only until its ttl."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        clock.advance(_TTL - _SECOND)
        with pytest.raises(IdempotencyConflictError):
            idempotency_store.claim(key, "sha256:b", ttl=_TTL)
        clock.advance(2 * _SECOND)
        assert idempotency_store.claim(key, "sha256:b", ttl=_TTL) is None

    def test_a_completed_record_expires_after_its_ttl(
        self, idempotency_store: IdempotencyStore, clock: FrozenClock, key: str
    ) -> None:
        """After its ttl a completed key is forgotten: the next claim owns it again."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        idempotency_store.complete(key, "sha256:a", "done")
        clock.advance(_TTL + _SECOND)
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None

    def test_complete_by_a_different_fingerprint_is_refused(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """Only the fingerprint that claimed a key can complete it."""
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None
        with pytest.raises(IdempotencyConflictError):
            idempotency_store.complete(key, "sha256:b", "forged")
        idempotency_store.complete(key, "sha256:a", "genuine")
        record = idempotency_store.claim(key, "sha256:a", ttl=_TTL)
        assert record is not None
        assert record.result == "genuine"

    def test_completing_an_unclaimed_key_is_refused(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """A key nobody claimed cannot be completed, and stays free."""
        with pytest.raises(IdempotencyConflictError):
            idempotency_store.complete(key, "sha256:a", "done")
        assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None

    def test_only_one_of_racing_claims_owns_the_key(
        self, idempotency_store: IdempotencyStore, key: str
    ) -> None:
        """Of threads claiming one key for one request, one owns it; the rest are told to wait."""

        def claim(_racer: int, _meet: Callable[[], None]) -> None:
            assert idempotency_store.claim(key, "sha256:a", ttl=_TTL) is None

        _only_winner(_race(self.racers, claim), IdempotencyInProgressError)
