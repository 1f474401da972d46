"""The RabbitMQ publisher against the real broker, behind the outbox relay.

The broker is the one at ``STAYCORE_AMQP_URL`` (by default the local one). Without it
these tests skip and say why, unless ``STAYCORE_REQUIRE_AMQP=1`` (CI sets it).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pika = pytest.importorskip("pika", reason="the RabbitMQ publisher needs the `amqp` extra")

from staycore.adapters.amqp import PublishFailedError, RabbitPublisher  # noqa: E402
from staycore.adapters.sql import OutboxRelay, SqlStore  # noqa: E402
from staycore.adapters.sql.store import event_id  # noqa: E402
from staycore.kernel.events import event_payload  # noqa: E402
from staycore.testing.contracts import GuestNote, GuestNoteEdited, GuestNoteWritten  # noqa: E402

AMQP_URL = os.environ.get("STAYCORE_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
AT = "2026-05-01T09:00:00Z"


@pytest.fixture
def channel() -> Iterator[Any]:
    try:
        connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    except pika.exceptions.AMQPError as error:
        reason = f"no RabbitMQ at STAYCORE_AMQP_URL={AMQP_URL!r}: {error!r}"
        if os.environ.get("STAYCORE_REQUIRE_AMQP") == "1":
            pytest.fail(f"STAYCORE_REQUIRE_AMQP=1 but {reason}")
        pytest.skip(reason)
    yield connection.channel()
    connection.close()


@pytest.fixture
def exchange(channel: Any) -> Iterator[str]:
    name = f"staycore.test.{uuid.uuid4().hex[:12]}"
    channel.exchange_declare(exchange=name, exchange_type="topic", durable=True)
    yield name
    channel.exchange_delete(exchange=name)


@pytest.fixture
def queue(channel: Any, exchange: str) -> str:
    declared = channel.queue_declare(queue="", exclusive=True)
    name: str = declared.method.queue
    channel.queue_bind(queue=name, exchange=exchange, routing_key="#")
    return name


def drain(channel: Any, queue: str) -> list[tuple[Any, bytes]]:
    messages: list[tuple[Any, bytes]] = []
    while True:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            return messages
        messages.append((properties, body))


def test_the_relay_publishes_the_outbox_to_rabbitmq_in_order(
    channel: Any, exchange: str, queue: str, tmp_path: Path
) -> None:
    store = SqlStore.create(f"sqlite:///{tmp_path / 'relay.db'}")
    note = GuestNote.write("arrives late")
    edited = note.edit("arrives after midnight")
    events = [GuestNoteWritten.of(note, AT), GuestNoteEdited.of(edited, AT)]
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.repository(GuestNote).save(edited, expected_version=1)
        uow.collect(*events)
        uow.commit()
    publisher = RabbitPublisher(AMQP_URL, exchange=exchange)
    relay = OutboxRelay(store.database, publisher)
    assert relay.relay_once() == 2
    publisher.close()
    messages = drain(channel, queue)
    assert [properties.message_id for properties, _ in messages] == [
        event_id(event) for event in events
    ]
    assert [properties.type for properties, _ in messages] == [
        "GuestNoteWritten",
        "GuestNoteEdited",
    ]
    assert all(properties.delivery_mode == 2 for properties, _ in messages)
    assert [json.loads(body) for _, body in messages] == [event_payload(e) for e in events]


def test_a_publisher_reconnects_after_losing_its_connection(
    channel: Any, exchange: str, queue: str
) -> None:
    publisher = RabbitPublisher(AMQP_URL, exchange=exchange)
    first = GuestNoteWritten.of(GuestNote.write("first"), AT)
    second = GuestNoteWritten.of(GuestNote.write("second"), AT)
    publisher.publish([first])
    publisher._connection.close()  # the broker dropped us between batches
    publisher.publish([second])
    publisher.close()
    ids = [properties.message_id for properties, _ in drain(channel, queue)]
    assert ids == [event_id(first), event_id(second)]


def test_an_unreachable_broker_leaves_the_batch_in_the_outbox(tmp_path: Path) -> None:
    store = SqlStore.create(f"sqlite:///{tmp_path / 'down.db'}")
    note = GuestNote.write("waiting for the broker")
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.collect(GuestNoteWritten.of(note, AT))
        uow.commit()
    down = RabbitPublisher("amqp://guest:guest@127.0.0.1:1/%2F")
    relay = OutboxRelay(store.database, down)
    with pytest.raises(PublishFailedError) as raised:
        relay.relay_once()
    assert raised.value.code == "events.publish_failed"
    assert "127.0.0.1:1" in raised.value.message
    assert "guest:guest" not in raised.value.message
    assert relay.pending() == 1
