"""Publishing domain events to RabbitMQ (AMQP 0-9-1), with publisher confirms.

:class:`RabbitPublisher` is an :class:`~staycore.ports.events.EventPublisher` for the
outbox relay (:class:`~staycore.adapters.sql.OutboxRelay`). Each event becomes one
persistent message on a topic exchange (``staycore.events`` by default), routed by its
event type, with:

* the body: :func:`~staycore.kernel.events.event_payload` as JSON;
* ``message_id``: :func:`~staycore.adapters.sql.store.event_id`, the same each time the
  relay re-sends the event, for consumers to de-duplicate on;
* ``type``: the event type; ``timestamp``: when it happened.

The channel is in confirm mode: :meth:`RabbitPublisher.publish` returns only once the
broker has taken every message of the batch, and raises otherwise, so the relay leaves
the batch in the outbox and tries again. Needs the ``amqp`` extra (pika).

Example:
    .. skip: start if(__import__("importlib.util").util.find_spec("pika") is None, reason="no pika")

    >>> from staycore.adapters.amqp import RabbitPublisher
    >>> publisher = RabbitPublisher("amqp://guest:guest@127.0.0.1:5672/%2F")
    >>> publisher
    RabbitPublisher('amqp://127.0.0.1:5672/%2F', exchange='staycore.events')
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import Any

from staycore.adapters.sql.store import event_id
from staycore.kernel.errors import PersistenceError
from staycore.kernel.events import DomainEvent, event_payload

__all__ = ["PublishFailedError", "RabbitPublisher", "message_of"]


class PublishFailedError(PersistenceError):
    """The broker did not take a batch of events: they stay in the outbox for a retry."""

    code = "events.publish_failed"


def message_of(event: DomainEvent) -> tuple[bytes, dict[str, Any]]:
    """The body and the properties of the message that carries ``event``.

    Example:
        >>> from staycore.adapters.amqp import message_of
        >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
        >>> written = GuestNoteWritten.of(GuestNote.write("late"), "2026-05-01T09:00:00Z")
        >>> body, properties = message_of(written)
        >>> properties["type"], properties["delivery_mode"], len(properties["message_id"])
        ('GuestNoteWritten', 2, 32)
    """
    body = json.dumps(event_payload(event), separators=(",", ":")).encode()
    properties = {
        "message_id": event_id(event),
        "type": event.event_type,
        "timestamp": int(event.occurred_at.timestamp()),
        "content_type": "application/json",
        "delivery_mode": 2,  # persistent: the broker keeps it across a restart
    }
    return body, properties


class RabbitPublisher:
    """Publishes events to a RabbitMQ exchange and waits for the broker's confirms.

    Connects on first use and again after a failure; use one per thread (pika's
    connections are not shared between threads).

    Args:
        url: The broker, ``amqp://user:password@host:port/vhost`` (``%2F`` is ``/``).
        exchange: A topic exchange, declared durable if missing.

    Example:
        See the module example.
    """

    def __init__(self, url: str, *, exchange: str = "staycore.events") -> None:
        self._url = url
        self.exchange = exchange
        self._connection: Any = None
        self._channel: Any = None

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Publish ``events`` in order; return once the broker confirmed every one.

        Raises:
            PublishFailedError: The broker could not be reached, refused or lost a
                message; none of the batch may be taken as delivered.

        Example:
            See the module example; :class:`~staycore.adapters.sql.OutboxRelay` calls it.
        """
        import pika  # noqa: PLC0415 - the `amqp` extra
        from pika import exceptions  # noqa: PLC0415

        try:
            channel = self._open()
            for event in events:
                body, properties = message_of(event)
                channel.basic_publish(
                    exchange=self.exchange,
                    routing_key=event.event_type,
                    body=body,
                    properties=pika.BasicProperties(**properties),
                    mandatory=False,
                )
        except (exceptions.AMQPError, OSError) as error:
            self.close()
            msg = (
                f"RabbitMQ at {self._shown()} did not take the batch ({error!r}); the "
                "events stay in the outbox and the relay will try again"
            )
            raise PublishFailedError(msg) from error

    def close(self) -> None:
        """Close the connection, if open; the next publish opens a new one.

        Example:
            >>> publisher.close()
        """
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):  # closing a broken connection
                connection.close()

    def _open(self) -> Any:  # noqa: ANN401 - a pika channel
        import pika  # noqa: PLC0415 - the `amqp` extra

        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        self._connection = pika.BlockingConnection(pika.URLParameters(self._url))
        channel = self._connection.channel()
        channel.exchange_declare(exchange=self.exchange, exchange_type="topic", durable=True)
        channel.confirm_delivery()
        self._channel = channel
        return channel

    def _shown(self) -> str:
        scheme, _, rest = self._url.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"

    def __repr__(self) -> str:
        return f"RabbitPublisher({self._shown()!r}, exchange={self.exchange!r})"
