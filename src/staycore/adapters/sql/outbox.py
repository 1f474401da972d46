"""The outbox relay: committed events out through a publisher, at least once, in order.

Use cases store their events in ``staycore_outbox`` in the same transaction as the
change (:mod:`staycore.adapters.sql.store`). An :class:`OutboxRelay` then hands them to
an :class:`~staycore.ports.events.EventPublisher` (a broker, in-process handlers), in
outbox order, and marks them published once the publisher returns. So:

* **nothing is lost**: an event stays in the outbox until a publish of it returned; a
  publisher that raises (the broker is down) leaves the batch unpublished, and
  :meth:`OutboxRelay.run` tries again after a pause that doubles up to a limit;
* **at least once**: a relay that dies after publishing and before marking publishes
  the batch again when it (or another) restarts. Consumers de-duplicate on the event id
  (:func:`~staycore.adapters.sql.store.event_id`), which is the same every time;
* **in order per aggregate**: changes to one aggregate commit one after the other (its
  version decides), so their events sit in the outbox in that order, and only one relay
  publishes at a time: each batch first takes or renews a lease in
  ``staycore_outbox_leases``. Run as many relays as you like for availability; one
  works, and another takes over when its lease runs out.

No database lock is held while the publisher works: a slow broker never blocks a
booking.

Events reach the publisher whole: a relay given the store's cipher opens the personal
fields the store sealed in the rows (a review's text, what a service request says). An
erasure rewrites the events of the erased records in the outbox (see
:mod:`staycore.adapters.sql.store`), but what was published before it is out of the
store's hands: consumers that keep events (a search index, a data warehouse) must erase
the personal fields of an aggregate's earlier events when they receive its
:class:`~staycore.kernel.erasure.PersonalDataErased`.

Example:
    >>> from staycore.adapters.memory import RecordingPublisher
    >>> from staycore.adapters.sql import OutboxRelay, SqlStore
    >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
    >>> store = SqlStore.create("sqlite://")
    >>> note = GuestNote.write("arrives by train at 22:40")
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).add(note)
    ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
    ...     uow.commit()
    >>> publisher = RecordingPublisher()
    >>> relay = OutboxRelay(store.database, publisher)
    >>> relay.relay_once(), relay.relay_once()
    (1, 0)
    >>> [event.event_type for event in publisher.published]
    ['GuestNoteWritten']
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Final

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import outbox, outbox_leases, utc_text
from staycore.adapters.sql.store import outbox_event
from staycore.kernel.errors import PersistenceError
from staycore.kernel.time import Clock, SystemClock, as_instant
from staycore.ports.cipher import Cipher
from staycore.ports.events import EventPublisher

__all__ = ["InvalidRelayOptionsError", "OutboxRelay"]

_LOG = logging.getLogger(__name__)
_LEASE: Final = "relay"
_ROW = outbox.c
_LEASE_ROW = outbox_leases.c


class InvalidRelayOptionsError(PersistenceError):
    """A relay was given no batch to publish or no lease to hold."""

    code = "events.invalid_relay_options"


class OutboxRelay:
    """Publishes the outbox of ``database`` through ``publisher``.

    Args:
        database: The database the use cases commit to.
        publisher: Where events go. It must raise if it could not deliver them all.
        batch_size: Events handed to the publisher at once.
        lease_seconds: How long a relay may go silent before another takes over; make
            it longer than the slowest publish.
        clock: Tells the lease's time; the system clock by default.
        cipher: The cipher of the store that commits the events
            (:attr:`SqlStore.cipher <staycore.adapters.sql.SqlStore.cipher>`), with
            every key it sealed under: it opens their personal fields.

    Raises:
        InvalidRelayOptionsError: ``batch_size`` is below 1 or ``lease_seconds`` not
            positive.

    Example:
        See the module example.
    """

    def __init__(
        self,
        database: Database,
        publisher: EventPublisher,
        *,
        batch_size: int = 100,
        lease_seconds: float = 30.0,
        clock: Clock | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        if batch_size < 1 or lease_seconds <= 0:
            msg = (
                f"batch_size must be 1 or more and lease_seconds positive, got "
                f"{batch_size} and {lease_seconds}"
            )
            raise InvalidRelayOptionsError(msg)
        self._database = database
        self._publisher = publisher
        self._batch_size = batch_size
        self._lease_seconds = lease_seconds
        self._clock = clock or SystemClock()
        self._cipher = cipher
        self.name = f"relay-{uuid.uuid4().hex[:12]}"

    def relay_once(self) -> int:
        """Publish the next batch of unpublished events; return how many were published.

        0 when there is nothing to publish, or when another relay holds the lease.

        Raises:
            Exception: Whatever the publisher raised; the batch stays unpublished.
            UndecodableDocumentError: An event holds sealed fields and the relay was
                given no cipher.

        Example:
            See the module example.
        """
        if not self._database.run(self._take_lease):
            return 0
        query = (
            sa.select(_ROW.position, _ROW.event_id, _ROW.body)
            .where(_ROW.published_at.is_(None))
            .order_by(_ROW.position)
            .limit(self._batch_size)
        )
        with self._database.transaction(write=False) as connection:
            rows = connection.execute(query).all()
        if not rows:
            return 0
        events = [outbox_event(row.event_id, row.body, cipher=self._cipher) for row in rows]
        self._publisher.publish(events)
        positions = [row.position for row in rows]
        published = utc_text(self._now())
        self._database.run(
            lambda connection: connection.execute(
                outbox.update()
                .where(_ROW.position.in_(positions), _ROW.published_at.is_(None))
                .values(published_at=published)
            )
        )
        return len(rows)

    def run(
        self,
        stop: threading.Event,
        *,
        idle_seconds: float = 0.5,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        """Relay until ``stop`` is set: batch after batch, pausing when idle or failing.

        A failed publish is logged and tried again after 0.1 s, then twice as long each
        time up to ``max_backoff_seconds``; the events wait in the outbox meanwhile.

        Example:
            >>> import threading
            >>> stop = threading.Event()
            >>> stop.set()
            >>> relay.run(stop)  # returns at once: it was told to stop
        """
        backoff = 0.0
        while not stop.is_set():
            try:
                published = self.relay_once()
            except Exception:
                backoff = min(max(backoff * 2, 0.1), max_backoff_seconds)
                _LOG.warning("publishing the outbox failed; retrying in %.1fs", backoff)
                stop.wait(backoff)
                continue
            backoff = 0.0
            if published == 0:
                stop.wait(idle_seconds)

    def pending(self) -> int:
        """How many committed events are not published yet.

        Example:
            >>> relay.pending()
            0
        """
        query = sa.select(sa.func.count()).where(_ROW.published_at.is_(None))
        with self._database.transaction(write=False) as connection:
            return int(connection.execute(query).scalar_one())

    def _take_lease(self, connection: Connection) -> bool:
        """Take or renew the relay lease; ``False`` while another relay holds it."""
        now = self._now()
        until = utc_text(now.add(seconds=self._lease_seconds))
        lease = {"name": _LEASE, "holder": self.name, "expires_at": until}
        if insert_unless_present(connection, outbox_leases, lease):
            return True
        taken = connection.execute(
            outbox_leases.update()
            .where(
                _LEASE_ROW.name == _LEASE,
                sa.or_(_LEASE_ROW.holder == self.name, _LEASE_ROW.expires_at <= utc_text(now)),
            )
            .values(holder=self.name, expires_at=until)
            .returning(_LEASE_ROW.holder)
        ).first()
        return taken is not None

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")

    def __repr__(self) -> str:
        return f"OutboxRelay({self.name!r}, {self._publisher!r})"
