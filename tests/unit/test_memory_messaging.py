"""RecordingPublisher and RecordingNotifier: what they record, and failing on request."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from staycore.adapters.memory import RecordingNotifier, RecordingPublisher
from staycore.kernel.events import DomainEvent
from staycore.kernel.ids import Identifier
from staycore.ports.events import EventPublisher
from staycore.ports.notifier import Channel, Message, Notifier
from staycore.testing.contracts import GuestNote, GuestNoteEdited, GuestNoteWritten

AT = "2026-05-01T09:00:00Z"
GUEST = Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
THREADS = 8


class BrokerDownError(Exception):
    pass


def events(count: int) -> list[DomainEvent]:
    note = GuestNote.write("text 0")
    found: list[DomainEvent] = [GuestNoteWritten.of(note, AT)]
    for index in range(1, count):
        note = note.edit(f"text {index}")
        found.append(GuestNoteEdited.of(note, AT))
    return found


def message(template: str = "booking.confirmed", key: str | None = None) -> Message:
    return Message(recipient=GUEST, channel=Channel.EMAIL, template=template, idempotency_key=key)


def test_recorders_satisfy_their_ports() -> None:
    assert isinstance(RecordingPublisher(), EventPublisher)
    assert isinstance(RecordingNotifier(), Notifier)


def test_publisher_records_events_in_delivery_order() -> None:
    publisher = RecordingPublisher()
    first, second, third = events(3)
    publisher.publish([first, second])
    publisher.publish([])
    publisher.publish((third,))
    assert publisher.published == (first, second, third)


def test_publisher_fails_as_planned_and_records_nothing_of_a_failed_call() -> None:
    publisher = RecordingPublisher()
    first, second = events(2)
    publisher.fail_next(BrokerDownError("down"), times=2)
    for _attempt in range(2):
        with pytest.raises(BrokerDownError, match="down"):
            publisher.publish([first, second])
        assert publisher.published == ()
    publisher.publish([first, second])
    publisher.publish([first])
    assert publisher.published == (first, second, first)


def test_planned_failures_are_raised_in_the_order_planned() -> None:
    publisher = RecordingPublisher()
    publisher.fail_next(BrokerDownError("first"))
    publisher.fail_next(TimeoutError("second"))
    with pytest.raises(BrokerDownError):
        publisher.publish([])
    with pytest.raises(TimeoutError):
        publisher.publish([])
    publisher.publish(events(1))
    assert len(publisher.published) == 1


def test_failing_zero_times_plans_no_failure() -> None:
    publisher = RecordingPublisher()
    publisher.fail_next(BrokerDownError("never"), times=0)
    publisher.publish(events(1))
    assert len(publisher.published) == 1


def test_concurrent_batches_are_recorded_whole() -> None:
    publisher = RecordingPublisher()
    batches = [events(3) for _ in range(THREADS * 10)]
    barrier = threading.Barrier(THREADS, timeout=10)

    def publish(start: int) -> None:
        barrier.wait()
        for batch in batches[start::THREADS]:
            publisher.publish(batch)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(publish, range(THREADS)))
    recorded = publisher.published
    assert len(recorded) == 3 * len(batches)
    # Every event is distinct, so whole batches show up as the aligned runs of three.
    runs = {recorded[i : i + 3] for i in range(0, len(recorded), 3)}
    assert runs == {tuple(batch) for batch in batches}


def test_notifier_records_messages_in_order() -> None:
    notifier = RecordingNotifier()
    confirmed, reminder = message("booking.confirmed"), message("payment.balance_due")
    notifier.send(confirmed)
    notifier.send(reminder)
    assert notifier.sent == (confirmed, reminder)


def test_notifier_sends_a_repeated_idempotency_key_once() -> None:
    notifier = RecordingNotifier()
    notifier.send(message(key="confirm-1"))
    notifier.send(message(template="another.template", key="confirm-1"))
    notifier.send(message(key="confirm-2"))
    assert [m.idempotency_key for m in notifier.sent] == ["confirm-1", "confirm-2"]
    assert notifier.sent[0].template == "booking.confirmed"


def test_notifier_sends_every_message_without_a_key() -> None:
    notifier = RecordingNotifier()
    notifier.send(message())
    notifier.send(message())
    assert len(notifier.sent) == 2


def test_a_failed_send_does_not_use_up_its_idempotency_key() -> None:
    notifier = RecordingNotifier()
    notifier.fail_next(BrokerDownError("gateway down"))
    with pytest.raises(BrokerDownError):
        notifier.send(message(key="welcome-1"))
    assert notifier.sent == ()
    notifier.send(message(key="welcome-1"))
    notifier.send(message(key="welcome-1"))
    assert len(notifier.sent) == 1


def test_racing_sends_of_one_key_reach_the_guest_once() -> None:
    notifier = RecordingNotifier()
    barrier = threading.Barrier(THREADS, timeout=10)

    def send(_thread: int) -> None:
        barrier.wait()
        for _ in range(20):
            notifier.send(message(key="birthday-2026"))

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(send, range(THREADS)))
    assert len(notifier.sent) == 1
