"""The memory adapter against the port contracts, plus what only the memory adapter promises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from staycore.adapters.memory import MemoryIdempotencyStore, MemoryStore
from staycore.kernel.errors import (
    AggregateNotFoundError,
    ConcurrencyError,
    DuplicateAggregateError,
    IdempotencyConflictError,
    InvalidDurationError,
    InvalidIdempotencyKeyError,
    UnitOfWorkStateError,
    VersionNotAdvancedError,
)
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import (
    CommittedEvents,
    GuestNote,
    GuestNoteEdited,
    GuestNoteWritten,
    IdempotencyStoreContract,
    NoteId,
    UnitOfWorkContract,
)

AT = "2026-05-01T09:00:00Z"
TTL = dt.timedelta(hours=1)


class TestMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()

    @pytest.fixture
    def uow_factory(self, store: MemoryStore) -> UnitOfWorkFactory:
        return store.unit_of_work

    @pytest.fixture
    def committed_events(self, store: MemoryStore) -> CommittedEvents:
        return store.outbox


class TestMemoryIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def idempotency_store(self, clock: FrozenClock) -> IdempotencyStore:
        return MemoryIdempotencyStore(clock)


@attrs.frozen
class RoomNote:
    """A second aggregate type, to show that types do not share ids."""

    id: NoteId
    version: int


def committed(store: MemoryStore, note: GuestNote) -> None:
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.commit()


def test_commit_rechecks_versions_and_applies_nothing_when_one_is_stale() -> None:
    store = MemoryStore()
    contested, bystander = GuestNote.write("contested"), GuestNote.write("bystander")
    committed(store, contested)
    with store.unit_of_work() as slow:
        slow.repository(GuestNote).save(contested.edit("slow"), expected_version=1)
        slow.repository(GuestNote).add(bystander)
        slow.collect(GuestNoteWritten.of(bystander, AT))
        with store.unit_of_work() as fast:
            fast.repository(GuestNote).save(contested.edit("fast"), expected_version=1)
            fast.collect(GuestNoteEdited.of(contested.edit("fast"), AT))
            fast.commit()
        with pytest.raises(ConcurrencyError):
            slow.commit()
    assert store.outbox() == (GuestNoteEdited.of(contested.edit("fast"), AT),)
    assert repr(store) == "MemoryStore(aggregates=1, outbox=1)"


def test_commit_rechecks_that_a_new_id_is_still_free() -> None:
    store = MemoryStore()
    note = GuestNote.write("mine")
    with store.unit_of_work() as slow:
        slow.repository(GuestNote).add(note)
        committed(store, attrs.evolve(note, text="theirs"))
        with pytest.raises(DuplicateAggregateError):
            slow.commit()
    with store.unit_of_work() as uow:
        assert uow.repository(GuestNote).get(note.id).text == "theirs"


def test_a_failed_commit_finishes_the_unit_of_work() -> None:
    store = MemoryStore()
    note = GuestNote.write("taken")
    with store.unit_of_work() as slow:
        slow.repository(GuestNote).add(note)
        committed(store, note)
        with pytest.raises(DuplicateAggregateError):
            slow.commit()
        with pytest.raises(UnitOfWorkStateError):
            slow.commit()


@pytest.mark.parametrize("version", [1, 0])
def test_saving_without_a_higher_version_is_a_programming_error(version: int) -> None:
    store = MemoryStore()
    note = GuestNote.write("unchanged")
    committed(store, note)
    with store.unit_of_work() as uow, pytest.raises(VersionNotAdvancedError) as raised:
        uow.repository(GuestNote).save(attrs.evolve(note, version=version), expected_version=1)
    assert raised.value.code == "persistence.version_not_advanced"
    assert "higher version" in raised.value.message


def test_aggregates_of_different_types_may_share_an_id() -> None:
    store = MemoryStore()
    note = GuestNote.write("same id")
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.repository(RoomNote).add(RoomNote(note.id, 1))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.repository(GuestNote).get(note.id) == note
        assert uow.repository(RoomNote).get(note.id) == RoomNote(note.id, 1)


def test_outbox_is_a_snapshot() -> None:
    store = MemoryStore()
    snapshot = store.outbox()
    note = GuestNote.write("after the snapshot")
    with store.unit_of_work() as uow:
        uow.collect(GuestNoteWritten.of(note, AT))
        uow.commit()
    assert snapshot == ()
    assert len(store.outbox()) == 1


def test_an_idempotency_record_expires_exactly_at_its_ttl() -> None:
    clock = FrozenClock(AT)
    store = MemoryIdempotencyStore(clock)
    assert store.claim("k", "f", ttl=TTL) is None
    clock.advance(TTL - dt.timedelta(microseconds=1))
    with pytest.raises(IdempotencyConflictError):
        store.claim("k", "other", ttl=TTL)
    clock.advance(microseconds=1)
    assert store.claim("k", "other", ttl=TTL) is None


def test_idempotency_expiry_is_elapsed_time_whatever_the_clocks_zone() -> None:
    clock = FrozenClock(dt.datetime(2026, 3, 28, 12, tzinfo=dt.UTC))
    clock.set(clock.now().in_tz("Europe/Paris"))
    store = MemoryIdempotencyStore(clock)
    assert store.claim("k", "f", ttl=dt.timedelta(days=1)) is None
    record_expiry = clock.now().add(hours=24)
    clock.advance(hours=23, minutes=59)  # Paris shows 13:59, past the claim's 13:00
    with pytest.raises(IdempotencyConflictError):
        store.claim("k", "other", ttl=TTL)
    store.complete("k", "f", "done")
    replayed = store.claim("k", "f", ttl=TTL)
    assert replayed is not None
    assert replayed.expires_at == record_expiry


def test_an_idempotency_request_completes_once() -> None:
    store = MemoryIdempotencyStore(FrozenClock(AT))
    assert store.claim("k", "f", ttl=TTL) is None
    store.complete("k", "f", "first")
    with pytest.raises(IdempotencyConflictError):
        store.complete("k", "f", "second")
    replayed = store.claim("k", "f", ttl=TTL)
    assert replayed is not None
    assert replayed.result == "first"


def test_completing_an_expired_claim_is_refused() -> None:
    clock = FrozenClock(AT)
    store = MemoryIdempotencyStore(clock)
    assert store.claim("k", "f", ttl=TTL) is None
    clock.advance(TTL)
    with pytest.raises(IdempotencyConflictError):
        store.complete("k", "f", "too late")


@pytest.mark.parametrize("ttl", [dt.timedelta(0), dt.timedelta(seconds=-1)])
def test_an_idempotency_ttl_must_be_positive(ttl: dt.timedelta) -> None:
    store = MemoryIdempotencyStore(FrozenClock(AT))
    with pytest.raises(InvalidDurationError, match="positive"):
        store.claim("k", "f", ttl=ttl)
    assert store.claim("k", "f", ttl=TTL) is None


@pytest.mark.parametrize("aggregate_id", [[1], {}, Decimal("sNaN"), None, 42])
def test_an_id_that_is_not_text_finds_no_aggregate(aggregate_id: Any) -> None:
    # Found by the fuzz suite: an unhashable id escaped as TypeError.
    with MemoryStore().unit_of_work() as uow, pytest.raises(AggregateNotFoundError):
        uow.repository(GuestNote).get(aggregate_id)


@pytest.mark.parametrize(
    "key", [None, 42, [1], Decimal("sNaN"), b"pay-1", "", "k" * 256, "pay\x00", "pay\ud800"]
)
def test_a_key_no_store_can_keep_is_refused_and_claims_nothing(key: Any) -> None:
    store = MemoryIdempotencyStore(FrozenClock("2026-05-01T09:00:00Z"))
    with pytest.raises(InvalidIdempotencyKeyError):
        store.claim(key, "sha256:ab", ttl=dt.timedelta(hours=1))
    assert repr(store).endswith("keys=0)")
