"""The outbox relay on SQLite and PostgreSQL: in order, at least once, nothing lost.

Includes the fault test: a relay killed (SIGKILL) in the middle of a batch re-sends it
when it restarts, and a consumer that de-duplicates by event id sees every event once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from staycore.adapters.memory import RecordingPublisher
from staycore.adapters.sql import Database, OutboxRelay, SqlStore
from staycore.adapters.sql.outbox import InvalidRelayOptionsError
from staycore.adapters.sql.store import event_id
from staycore.kernel.events import DomainEvent
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import GuestNote, GuestNoteEdited, GuestNoteWritten

AT = "2026-05-01T09:00:00Z"


@pytest.fixture
def store(database: Database) -> SqlStore:
    return SqlStore(database)


def commit_notes(store: SqlStore, count: int, *, edits: int = 0) -> list[DomainEvent]:
    """Write ``count`` notes, each edited ``edits`` times; return the events in commit order."""
    events: list[DomainEvent] = []
    for index in range(count):
        note = GuestNote.write(f"note {index}")
        with store.unit_of_work() as uow:
            uow.repository(GuestNote).add(note)
            written = GuestNoteWritten.of(note, AT)
            uow.collect(written)
            uow.commit()
        events.append(written)
        for edit in range(edits):
            changed = note.edit(f"note {index}, edit {edit}")
            with store.unit_of_work() as uow:
                uow.repository(GuestNote).save(changed, expected_version=note.version)
                edited = GuestNoteEdited.of(changed, AT)
                uow.collect(edited)
                uow.commit()
            events.append(edited)
            note = changed
    return events


def test_the_relay_publishes_every_event_once_in_outbox_order(store: SqlStore) -> None:
    events = commit_notes(store, 5, edits=2)
    publisher = RecordingPublisher()
    relay = OutboxRelay(store.database, publisher, batch_size=4)
    published = [relay.relay_once() for _ in range(5)]
    assert published == [4, 4, 4, 3, 0]
    assert publisher.published == tuple(events)
    assert relay.pending() == 0
    assert store.outbox(unpublished=True) == ()
    assert store.outbox() == tuple(events)  # published events stay, marked


def test_a_failing_publisher_loses_nothing_and_the_batch_is_retried(store: SqlStore) -> None:
    events = commit_notes(store, 3)
    publisher = RecordingPublisher()
    publisher.fail_next(ConnectionError("broker unreachable"), times=2)
    relay = OutboxRelay(store.database, publisher)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            relay.relay_once()
        assert relay.pending() == 3
    assert relay.relay_once() == 3
    assert publisher.published == tuple(events)


def test_run_backs_off_while_the_broker_is_down_then_drains(store: SqlStore) -> None:
    events = commit_notes(store, 4)
    publisher = RecordingPublisher()
    publisher.fail_next(ConnectionError("broker unreachable"), times=3)
    relay = OutboxRelay(store.database, publisher, batch_size=2)
    stop = threading.Event()
    worker = threading.Thread(
        target=relay.run, args=(stop,), kwargs={"idle_seconds": 0.01, "max_backoff_seconds": 0.05}
    )
    worker.start()
    try:
        for _ in range(500):
            if relay.pending() == 0:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert publisher.published == tuple(events)


def test_one_relay_at_a_time_holds_the_lease_until_it_lapses(store: SqlStore) -> None:
    events = commit_notes(store, 2)
    clock = FrozenClock(AT)
    first_publisher, second_publisher = RecordingPublisher(), RecordingPublisher()
    first = OutboxRelay(store.database, first_publisher, batch_size=1, clock=clock)
    second = OutboxRelay(store.database, second_publisher, batch_size=1, clock=clock)
    assert first.relay_once() == 1
    assert second.relay_once() == 0  # the first holds the lease
    clock.advance(seconds=31)  # the first went silent past its 30 s lease
    assert second.relay_once() == 1
    assert first.relay_once() == 0
    assert first_publisher.published + second_publisher.published == tuple(events)


@pytest.mark.parametrize(("batch_size", "lease_seconds"), [(0, 30.0), (10, 0.0)])
def test_a_relay_needs_a_batch_and_a_lease(
    store: SqlStore, batch_size: int, lease_seconds: float
) -> None:
    with pytest.raises(InvalidRelayOptionsError, match="batch_size must be 1 or more") as raised:
        OutboxRelay(
            store.database,
            RecordingPublisher(),
            batch_size=batch_size,
            lease_seconds=lease_seconds,
        )
    assert raised.value.code == "events.invalid_relay_options"


class FileConsumer:
    """A consumer downstream of a broker: appends each event id it is sent to a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def publish(self, events: Sequence[DomainEvent]) -> None:
        with self.path.open("a") as received:
            for event in events:
                received.write(event_id(event) + "\n")


_KILLED_RELAY = """
import os, signal, sys
from pathlib import Path
from staycore.adapters.sql import Database, OutboxRelay
from staycore.adapters.sql.outbox import InvalidRelayOptionsError
from staycore.adapters.sql.store import event_id

url, schema = sys.argv[1], sys.argv[2] or None
path, kill_after = Path(sys.argv[3]), int(sys.argv[4])

class DyingConsumer:
    sent = 0

    def publish(self, events):
        for event in events:
            with path.open("a") as received:
                received.write(event_id(event) + "\\n")
                received.flush()
                os.fsync(received.fileno())
            DyingConsumer.sent += 1
            if DyingConsumer.sent == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

relay = OutboxRelay(Database(url, schema=schema), DyingConsumer(), batch_size=10, lease_seconds=0.5)
while relay.relay_once():
    pass
"""


def test_a_relay_killed_mid_batch_resends_and_a_deduping_consumer_sees_each_event_once(
    store: SqlStore, tmp_path: Path
) -> None:
    events = commit_notes(store, 25)
    received = tmp_path / "received.txt"
    database = store.database
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            "-c",
            textwrap.dedent(_KILLED_RELAY),
            database.url,
            database.schema or "",
            str(received),
            "14",  # dies after 4 events of the second batch of 10
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    sent_before_death = received.read_text().split()
    assert len(sent_before_death) == 14
    # The first batch was marked; the second was not, though four of it went out.
    assert OutboxRelay(database, RecordingPublisher()).pending() == 15
    restarted = OutboxRelay(database, FileConsumer(received), lease_seconds=0.5)
    threading.Event().wait(0.6)  # the dead relay's lease lapses
    while restarted.relay_once():
        pass
    ids = received.read_text().split()
    expected = [event_id(event) for event in events]
    assert len(ids) == 29  # four events were delivered twice: at least once
    assert list(dict.fromkeys(ids)) == expected  # de-duplicated: each once, in order
