"""An event publisher and a notifier that record what they deliver, for tests and demos.

Both can be told to fail their next calls with an error of the test's choosing, so that
what retries (an outbox relay, a reminder job) can be tested against a broker or an SMS
gateway that is down.

Example:
    >>> from staycore.adapters.memory import RecordingNotifier
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.ports.notifier import Channel, Message
    >>> notifier = RecordingNotifier()
    >>> reminder = Message(
    ...     recipient=Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     channel=Channel.SMS,
    ...     template="payment.balance_due",
    ...     idempotency_key="balance-due-ord-42",
    ... )
    >>> notifier.send(reminder)
    >>> notifier.send(reminder)  # a retried job: the guest is not told twice
    >>> len(notifier.sent)
    1
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence

from staycore.kernel.events import DomainEvent
from staycore.ports.notifier import Message

__all__ = ["RecordingNotifier", "RecordingPublisher"]


class _PlannedFailures:
    """Errors to raise on the next calls, one per call, in order. Not thread-safe alone."""

    def __init__(self) -> None:
        self._errors: deque[Exception] = deque()

    def add(self, error: Exception, times: int) -> None:
        self._errors.extend([error] * times)

    def raise_next(self) -> None:
        if self._errors:
            # A fresh traceback each time: the same instance may be raised repeatedly.
            raise self._errors.popleft().with_traceback(None)


class RecordingPublisher:
    """An :class:`~staycore.ports.events.EventPublisher` that keeps what it publishes.

    Safe to share between threads. A failed call records none of its events, as the port
    requires.

    Example:
        >>> from staycore.adapters.memory import RecordingPublisher
        >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
        >>> publisher = RecordingPublisher()
        >>> written = GuestNoteWritten.of(GuestNote.write("vegan"), "2026-05-01T09:00:00Z")
        >>> publisher.fail_next(ConnectionError("broker unreachable"))
        >>> publisher.publish([written])
        Traceback (most recent call last):
        ...
        ConnectionError: broker unreachable
        >>> publisher.publish([written])  # the relay's retry
        >>> publisher.published == (written,)
        True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._published: list[DomainEvent] = []
        self._failures = _PlannedFailures()

    @property
    def published(self) -> tuple[DomainEvent, ...]:
        """Every event delivered so far, in delivery order."""
        with self._lock:
            return tuple(self._published)

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Record ``events`` in order, or raise the next planned failure and record none.

        Example:
            >>> from staycore.adapters.memory import RecordingPublisher
            >>> publisher = RecordingPublisher()
            >>> publisher.publish([])
            >>> publisher.published
            ()
        """
        with self._lock:
            self._failures.raise_next()
            self._published.extend(events)

    def fail_next(self, error: Exception, *, times: int = 1) -> None:
        """Make the next ``times`` calls to :meth:`publish` raise ``error``.

        Example:
            >>> from staycore.adapters.memory import RecordingPublisher
            >>> publisher = RecordingPublisher()
            >>> publisher.fail_next(TimeoutError("broker timed out"), times=2)
            >>> for _attempt in range(3):
            ...     try:
            ...         publisher.publish([])
            ...     except TimeoutError:
            ...         print("failed")
            ...     else:
            ...         print("delivered")
            failed
            failed
            delivered
        """
        with self._lock:
            self._failures.add(error, times)


class RecordingNotifier:
    """A :class:`~staycore.ports.notifier.Notifier` that keeps the messages it sends.

    A message whose ``idempotency_key`` was already sent is not sent again; messages
    without a key are always sent. Safe to share between threads.

    Example:
        >>> from staycore.adapters.memory import RecordingNotifier
        >>> from staycore.kernel.ids import Identifier
        >>> from staycore.ports.notifier import Channel, Message
        >>> notifier = RecordingNotifier()
        >>> notifier.send(
        ...     Message(
        ...         recipient=Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...         channel=Channel.EMAIL,
        ...         template="birthday.offer",
        ...     )
        ... )
        >>> [message.template for message in notifier.sent]
        ['birthday.offer']
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[Message] = []
        self._keys: set[str] = set()
        self._failures = _PlannedFailures()

    @property
    def sent(self) -> tuple[Message, ...]:
        """Every message sent so far, in sending order."""
        with self._lock:
            return tuple(self._sent)

    def send(self, message: Message) -> None:
        """Record ``message``, unless its idempotency key was already sent.

        Raises the next planned failure, if any, without recording the message or its key,
        so that a retry sends it.

        Example:
            >>> from staycore.adapters.memory import RecordingNotifier
            >>> from staycore.kernel.ids import Identifier
            >>> from staycore.ports.notifier import Channel, Message
            >>> notifier = RecordingNotifier()
            >>> welcome = Message(
            ...     recipient=Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
            ...     channel=Channel.CHAT,
            ...     template="stay.welcome",
            ...     idempotency_key="welcome-ord-7",
            ... )
            >>> notifier.fail_next(ConnectionError("SMS gateway down"))
            >>> notifier.send(welcome)
            Traceback (most recent call last):
            ...
            ConnectionError: SMS gateway down
            >>> notifier.send(welcome)
            >>> notifier.sent == (welcome,)
            True
        """
        with self._lock:
            key = message.idempotency_key
            if key is not None and key in self._keys:
                return
            self._failures.raise_next()
            self._sent.append(message)
            if key is not None:
                self._keys.add(key)

    def fail_next(self, error: Exception, *, times: int = 1) -> None:
        """Make the next ``times`` calls to :meth:`send` raise ``error``.

        Example:
            >>> from staycore.adapters.memory import RecordingNotifier
            >>> notifier = RecordingNotifier()
            >>> notifier.fail_next(ConnectionError("SMS gateway down"), times=3)
        """
        with self._lock:
            self._failures.add(error, times)
