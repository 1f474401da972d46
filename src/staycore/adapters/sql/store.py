"""The SQL store: aggregates as documents with optimistic versions, and the outbox.

A :class:`SqlStore` is the :class:`~staycore.adapters.unit_of_work.CommitTarget` of the
SQL adapter. Its units of work read committed aggregates one short read at a time, keep
their changes to themselves, and commit them in one short write transaction that:

* inserts each new aggregate, refused if its id was taken meanwhile;
* updates each changed one only where its row still has the version the change was
  computed from (``UPDATE ... WHERE version = :read``): a conditional update the
  database makes atomic, so two servers can never both win;
* rewrites the aggregate's query terms (:mod:`staycore.adapters.sql.terms`);
* appends the collected events to the outbox, their personal fields sealed by the
  store's cipher as an aggregate's are (bound to the row: ``outbox/<event id>``);
* if it records :class:`~staycore.kernel.erasure.PersonalDataErased` for an aggregate,
  erases the personal fields of that aggregate's earlier events in the outbox, published
  or not (:func:`~staycore.kernel.erasure.without_personal_data`), keeping their ids
  and positions. Events a relay already handed to a publisher are beyond its reach:
  consumers that keep events must honour ``PersonalDataErased`` themselves.

All of it or none: a refused check raises and the transaction rolls back. Rows are
written in the order of their keys, so two commits over the same aggregates take
their row locks in the same order and cannot deadlock.

Example:
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
    >>> store = SqlStore.create("sqlite://")
    >>> note = GuestNote.write("allergic to feathers")
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).add(note)
    ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
    ...     uow.commit()
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).get(note.id).text
    'allergic to feathers'
    >>> [event.event_type for event in store.outbox()]
    ['GuestNoteWritten']
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import aggregate_terms, aggregates, metadata, outbox, utc_text
from staycore.adapters.sql.terms import terms_of
from staycore.adapters.unit_of_work import (
    AggregateKey,
    BufferedRepository,
    BufferedUnitOfWork,
    PendingWrite,
)
from staycore.kernel.erasure import PersonalDataErased, without_personal_data
from staycore.kernel.errors import ConcurrencyError, DuplicateAggregateError
from staycore.kernel.events import DomainEvent
from staycore.kernel.sealed import InvalidCipherKeyError
from staycore.ports.cipher import Cipher
from staycore.ports.persistence import Aggregate

__all__ = ["SqlRepository", "SqlStore", "SqlUnitOfWork", "event_id", "kind_name", "outbox_event"]

A = TypeVar("A", bound=Aggregate)


def kind_name(kind: type[object]) -> str:
    """The name an aggregate type is stored under: its module and class.

    Example:
        >>> from staycore.adapters.sql.store import kind_name
        >>> from staycore.orders.order import Order
        >>> kind_name(Order)
        'staycore.orders.order:Order'
    """
    return f"{kind.__module__}:{kind.__qualname__}"


def event_id(event: DomainEvent) -> str:
    """An event's id: the digest of its plain stored form, the same each time it is re-sent.

    Consumers de-duplicate on it: a relay that dies between publishing and marking an
    event sent publishes it again under the same id. Two events equal in every field,
    aggregate version and instant included, are one fact and share an id. The digest is
    of the event as it was committed, unsealed: neither the store's cipher and key nor
    a later erasure of its personal fields changes it.

    Example:
        >>> from staycore.adapters.sql.store import event_id
        >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
        >>> written = GuestNoteWritten.of(GuestNote.write("quiet"), "2026-05-01T09:00:00Z")
        >>> event_id(written) == event_id(written), len(event_id(written))
        (True, 32)
    """
    return _digest(encode(event))


def outbox_event(event_id: str, body: str, *, cipher: Cipher | None = None) -> DomainEvent:
    """The event an outbox row holds: its body decoded, its sealed fields opened.

    Args:
        event_id: The row's ``event_id``: sealed fields are bound to it.
        body: The row's ``body``.
        cipher: The cipher of the store that wrote the row; needed if it sealed any.

    Raises:
        UndecodableDocumentError: The body is not an event's document, or holds sealed
            fields and no cipher was given.
        CipherError: A sealed field does not open (an unknown key, or a body moved from
            another row).

    Example:
        >>> from staycore.adapters.crypto import AesGcmCipher
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.adapters.sql.schema import outbox
        >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
        >>> cipher = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1")
        >>> store = SqlStore.create("sqlite://", cipher=cipher)
        >>> note = GuestNote.write("allergic to feathers")
        >>> with store.unit_of_work() as uow:
        ...     uow.repository(GuestNote).add(note)
        ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
        ...     uow.commit()
        >>> with store.database.transaction(write=False) as connection:
        ...     row = connection.execute(outbox.select()).one()
        >>> "feathers" in row.body, outbox_event(row.event_id, row.body, cipher=cipher).text
        (False, 'allergic to feathers')
    """
    return cast(DomainEvent, decode(body, cipher=cipher, record=_outbox_record(event_id)))


def _outbox_record(event_id: str) -> str:
    """The record an outbox row's sealed fields are bound to."""
    return f"outbox/{event_id}"


def _digest(body: str) -> str:
    # "surrogatepass": a body with a lone surrogate still gets its id here, and the
    # database then refuses to store it as any text it cannot encode.
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class SqlRepository(BufferedRepository[A]):
    """Aggregates of one type, as seen from one :class:`SqlUnitOfWork`.

    Example:
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.testing.contracts import GuestNote
        >>> with SqlStore.create("sqlite://").unit_of_work() as uow:
        ...     uow.repository(GuestNote)
        SqlRepository(GuestNote)
    """


class SqlUnitOfWork(BufferedUnitOfWork):
    """One unit of work over a :class:`SqlStore`; its commit is one write transaction.

    Example:
        >>> from staycore.adapters.sql import SqlStore, SqlUnitOfWork
        >>> isinstance(SqlStore.create("sqlite://").unit_of_work(), SqlUnitOfWork)
        True
    """

    _repository_type = SqlRepository[Aggregate]


class SqlStore:
    """Aggregates and the outbox in a SQL database.

    Give each request its own unit of work from :meth:`unit_of_work`, which is a
    :data:`~staycore.ports.persistence.UnitOfWorkFactory`; share the store.

    Args:
        database: The database, with staycore's tables (``staycore db upgrade URL``).
        cipher: Encrypts the personal fields of every aggregate and outbox event at
            rest (see :mod:`~staycore.adapters.sql.codec`); the same cipher, with every
            key used, must read them back (give it to the
            :class:`~staycore.adapters.sql.OutboxRelay` too).

    Example:
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.ports import UnitOfWork
        >>> isinstance(SqlStore.create("sqlite://").unit_of_work(), UnitOfWork)
        True
    """

    def __init__(self, database: Database, *, cipher: Cipher | None = None) -> None:
        self.database = database
        self._cipher = cipher
        # A use case reads the same aggregate several times (an order: to check it, to
        # change it, to answer with it), and decoding a document costs several times the
        # query. Aggregates are immutable values and a document decodes to one value, so
        # the values of the documents read last are kept, by document text (its sealed
        # fields included, so a document sealed again decodes again).
        self._decoded = functools.lru_cache(maxsize=_DECODED_KEPT)(self._decode_document)

    @classmethod
    def create(
        cls,
        url: str,
        *,
        cipher: Cipher | None = None,
        **options: Any,  # noqa: ANN401 - Database's options
    ) -> SqlStore:
        """A store at ``url`` with its tables created if missing: for tests and examples.

        Deployments create and upgrade the tables with migrations instead
        (``staycore db upgrade URL``).

        Example:
            See the module example.
        """
        database = Database(url, **options)
        metadata.create_all(database.engine)
        return cls(database, cipher=cipher)

    @property
    def cipher(self) -> Cipher | None:
        """The cipher the store seals personal fields with, if any: its relay needs it.

        Example:
            >>> from staycore.adapters.sql import SqlStore
            >>> SqlStore.create("sqlite://").cipher is None
            True
        """
        return self._cipher

    def unit_of_work(self) -> SqlUnitOfWork:
        """Open a new unit of work over this store; use it once, in a ``with`` block.

        Example:
            >>> from staycore.adapters.sql import SqlStore
            >>> with SqlStore.create("sqlite://").unit_of_work() as uow:
            ...     uow.rollback()
        """
        return SqlUnitOfWork(self)

    def outbox(self, *, unpublished: bool = False) -> tuple[DomainEvent, ...]:
        """Every committed event in commit order; only those not yet published if asked.

        Personal fields sealed in the rows are opened with the store's cipher; events of
        an aggregate whose personal data was erased come without it.

        Example:
            See the module example.
        """
        query = sa.select(outbox.c.event_id, outbox.c.body).order_by(outbox.c.position)
        if unpublished:
            query = query.where(outbox.c.published_at.is_(None))
        with self.database.transaction(write=False) as connection:
            rows = connection.execute(query).all()
        return tuple(outbox_event(row.event_id, row.body, cipher=self._cipher) for row in rows)

    def committed(self, kind: type[A]) -> tuple[A, ...]:
        """Every committed aggregate of type ``kind``, in id order.

        Example:
            >>> from staycore.adapters.sql import SqlStore
            >>> from staycore.testing.contracts import GuestNote
            >>> SqlStore.create("sqlite://").committed(GuestNote)
            ()
        """
        name = kind_name(kind)
        query = (
            sa.select(aggregates.c.id, aggregates.c.body)
            .where(aggregates.c.kind == name)
            .order_by(aggregates.c.id)
        )
        with self.database.transaction(write=False) as connection:
            rows = connection.execute(query).all()
        return tuple(cast(A, self._decode(name, row.id, row.body)) for row in rows)

    def reseal(self, *, batch: int = 200) -> int:
        """Seal again, under the cipher's current key, every document sealed under another.

        The batch job of a key rotation: make the new key current (keeping the old one
        in the cipher), run this until it returns 0, then retire the old key. It covers
        the aggregates and the events in the outbox. Documents are read a batch at a
        time and each is written back in its own short transaction, only if it is still
        as it was read: an aggregate at the version it was read at (one a unit of work
        changed meanwhile was sealed under the current key by that commit), an event
        with the body it was read with (one an erasure rewrote meanwhile was sealed
        under the current key by it). Versions, event ids and positions do not move: the
        values are the same, only their seals are new. Documents with no sealed field
        (written before the store had a cipher) are left as they are.

        Returns:
            How many documents it sealed again.

        Raises:
            InvalidCipherKeyError: The store has no cipher.

        Example:
            >>> from staycore.adapters.crypto import AesGcmCipher
            >>> from staycore.adapters.sql import SqlStore
            >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
            >>> old = {"2026": AesGcmCipher.generate_key()}
            >>> store = SqlStore.create("sqlite://", cipher=AesGcmCipher(old, current="2026"))
            >>> note = GuestNote.write("allergic to feathers")  # its text is personal
            >>> with store.unit_of_work() as uow:
            ...     uow.repository(GuestNote).add(note)
            ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
            ...     uow.commit()
            >>> rotated = SqlStore(store.database, cipher=AesGcmCipher(
            ...     {**old, "2027": AesGcmCipher.generate_key()}, current="2027"))
            >>> rotated.reseal(), rotated.reseal()  # the note, and its event
            (2, 0)
        """
        cipher = self._cipher
        if cipher is None:
            msg = "this store has no cipher to seal with: build it with SqlStore(..., cipher=...)"
            raise InvalidCipherKeyError(msg)
        return self._reseal_aggregates(cipher, batch) + self._reseal_outbox(cipher, batch)

    def _reseal_aggregates(self, cipher: Cipher, batch: int) -> int:
        row = aggregates.c
        last: tuple[str, str] = ("", "")
        resealed = 0
        while True:
            query = (
                sa.select(row.kind, row.id, row.version, row.body)
                .where(row.body.contains(_SEALED), sa.tuple_(row.kind, row.id) > last)
                .order_by(row.kind, row.id)
                .limit(batch)
            )
            with self.database.transaction(write=False) as connection:
                found = connection.execute(query).all()
            if not found:
                return resealed
            last = (found[-1].kind, found[-1].id)
            for kind, aggregate_id, version, body in found:
                if _sealed_under_another(body, cipher):
                    resealed += self._reseal(cipher, kind, aggregate_id, version, body)

    def _reseal(self, cipher: Cipher, kind: str, aggregate_id: str, version: int, body: str) -> int:
        """Write one document back under the current key, if still at ``version``."""
        record = f"{kind}/{aggregate_id}"
        fresh = encode(decode(body, cipher=cipher, record=record), cipher=cipher, record=record)
        row = aggregates.c
        update = (
            aggregates.update()
            .where(row.kind == kind, row.id == aggregate_id, row.version == version)
            .values(body=fresh)
        )

        def write(connection: Connection) -> int:
            return connection.execute(update).rowcount

        return self.database.run(write)

    def _reseal_outbox(self, cipher: Cipher, batch: int) -> int:
        row = outbox.c
        last = 0
        resealed = 0
        while True:
            query = (
                sa.select(row.position, row.event_id, row.body)
                .where(row.body.contains(_SEALED), row.position > last)
                .order_by(row.position)
                .limit(batch)
            )
            with self.database.transaction(write=False) as connection:
                found = connection.execute(query).all()
            if not found:
                return resealed
            last = found[-1].position
            for position, event_id, body in found:
                if _sealed_under_another(body, cipher):
                    resealed += self._reseal_event(cipher, position, event_id, body)

    def _reseal_event(self, cipher: Cipher, position: int, event_id: str, body: str) -> int:
        """Write one outbox event back under the current key, if its body is unchanged."""
        fresh = _outbox_body(outbox_event(event_id, body, cipher=cipher), event_id, cipher)
        row = outbox.c
        update = outbox.update().where(row.position == position, row.body == body)

        def write(connection: Connection) -> int:
            return connection.execute(update.values(body=fresh)).rowcount

        return self.database.run(write)

    def ids_with(self, kind: type[object], term: str, *, prefix: bool = False) -> tuple[str, ...]:
        """The ids of ``kind`` with ``term`` (or a term starting with it), by term then id.

        Example:
            >>> from staycore.adapters.sql import SqlStore
            >>> from staycore.orders.order import Order
            >>> SqlStore.create("sqlite://").ids_with(Order, "open")
            ()
        """
        terms = aggregate_terms.c
        if prefix:
            return self.ids_between(kind, term, term + "\uffff")
        return self._term_ids(kind, terms.term == term)

    def ids_between(self, kind: type[object], low: str, high: str) -> tuple[str, ...]:
        """The ids of ``kind`` with a term in ``[low, high)``, by term then id.

        Example:
            >>> from staycore.adapters.sql import SqlStore
            >>> from staycore.orders.order import Order
            >>> SqlStore.create("sqlite://").ids_between(Order, "a", "b")
            ()
        """
        terms = aggregate_terms.c
        return self._term_ids(kind, terms.term >= low, terms.term < high)

    def _term_ids(self, kind: type[object], *where: sa.ColumnElement[bool]) -> tuple[str, ...]:
        terms = aggregate_terms.c
        query = (
            sa.select(terms.id)
            .where(terms.kind == kind_name(kind), *where)
            .order_by(terms.term, terms.id)
        )
        with self.database.transaction(write=False) as connection:
            return tuple(connection.execute(query).scalars().all())

    # -- the unit of work's side ------------------------------------------------------

    def _read(self, key: AggregateKey) -> Aggregate | None:
        kind, aggregate_id = key
        where = {"kind": kind_name(kind), "id": str(aggregate_id)}
        with self.database.transaction(write=False) as connection:
            body = connection.execute(_READ, where).scalar_one_or_none()
        if body is None:
            return None
        return cast(Aggregate, self._decode(kind_name(kind), str(aggregate_id), body))

    def _decode(self, kind: str, aggregate_id: str, body: str) -> object:
        return self._decoded(kind, aggregate_id, body)

    def _decode_document(self, kind: str, aggregate_id: str, body: str) -> object:
        return decode(body, cipher=self._cipher, record=f"{kind}/{aggregate_id}")

    def _apply(
        self, writes: Mapping[AggregateKey, PendingWrite], events: Sequence[DomainEvent]
    ) -> None:
        # Encode before the transaction: it holds locks, and encoding needs none.
        rows = sorted(
            (
                kind_name(kind),
                str(aggregate_id),
                write,
                encode(
                    write.aggregate,
                    cipher=self._cipher,
                    record=f"{kind_name(kind)}/{aggregate_id}",
                ),
                terms_of(write.aggregate),
            )
            for (kind, aggregate_id), write in writes.items()
        )
        entries = [_outbox_row(event, self._cipher) for event in events]
        erased = sorted({str(e.aggregate_id) for e in events if isinstance(e, PersonalDataErased)})

        def commit(connection: Connection) -> None:
            for kind, aggregate_id, write, body, terms in rows:
                _write(connection, kind, aggregate_id, write, body)
                _write_terms(connection, kind, aggregate_id, terms, new=write.base_version is None)
            if entries:
                connection.execute(outbox.insert(), entries)
            if erased:
                _erase_from_outbox(connection, erased, self._cipher)

        # Nothing but these statements runs in the transaction, so a busy database's
        # refusal is safe to answer by running it again.
        self.database.run(commit)
        if erased:
            # What was erased must not outlive the erasure in memory either.
            self._decoded.cache_clear()

    def __repr__(self) -> str:
        return f"SqlStore({self.database!r})"


# The key ids of the sealed values in a document, as the codec writes them.
# Documents whose decoded values a store keeps: a few use cases' worth of aggregates.
_DECODED_KEPT: Final = 1024
# The statements of every read and write, built once: building one costs more than the
# database takes to run it.
_READ: Final = sa.select(aggregates.c.body).where(
    aggregates.c.kind == sa.bindparam("kind"), aggregates.c.id == sa.bindparam("id")
)
_UPDATE: Final = (
    aggregates.update()
    .where(  # an update's parameters may not be named as its columns
        aggregates.c.kind == sa.bindparam("where_kind"),
        aggregates.c.id == sa.bindparam("where_id"),
        aggregates.c.version == sa.bindparam("where_version"),
    )
    .values(version=sa.bindparam("new_version"), body=sa.bindparam("new_body"))
)
_DELETE_TERMS: Final = aggregate_terms.delete().where(
    aggregate_terms.c.kind == sa.bindparam("kind"), aggregate_terms.c.id == sa.bindparam("id")
)
_SEALED_UNDER: Final = re.compile(r'"\$sealed":"v1\.([A-Za-z0-9_-]+)\.')
_SEALED: Final = '"$sealed":"'
_REWRITE_EVENT: Final = (
    outbox.update()
    .where(outbox.c.position == sa.bindparam("at"))
    .values(body=sa.bindparam("new_body"))
)


def _write(
    connection: Connection, kind: str, aggregate_id: str, write: PendingWrite, body: str
) -> None:
    version = write.aggregate.version
    name = kind.rpartition(":")[2]
    if write.base_version is None:
        new = {"kind": kind, "id": aggregate_id, "version": version, "body": body}
        if not insert_unless_present(connection, aggregates, new):
            msg = (
                f"{name} {aggregate_id!r} was added by another unit of work first; load it "
                "and save a change, or give the new one a fresh id"
            )
            raise DuplicateAggregateError(msg)
        return
    row = aggregates.c
    updated = connection.execute(
        _UPDATE,
        {
            "where_kind": kind,
            "where_id": aggregate_id,
            "where_version": write.base_version,
            "new_version": version,
            "new_body": body,
        },
    )
    if updated.rowcount != 1:
        current = connection.execute(
            sa.select(row.version).where(row.kind == kind, row.id == aggregate_id)
        ).scalar_one_or_none()
        now = "gone" if current is None else f"at version {current}"
        msg = (
            f"{name} {aggregate_id!r} is {now}, not at version {write.base_version} it was "
            "read at: another change was committed first; reload it and retry the command"
        )
        raise ConcurrencyError(msg)


def _write_terms(
    connection: Connection, kind: str, aggregate_id: str, terms: tuple[str, ...], *, new: bool
) -> None:
    if not new:  # a new aggregate, just inserted, has no terms to replace
        connection.execute(_DELETE_TERMS, {"kind": kind, "id": aggregate_id})
    if terms:
        connection.execute(
            aggregate_terms.insert(),
            [{"kind": kind, "term": term, "id": aggregate_id} for term in sorted(set(terms))],
        )


def _outbox_row(event: DomainEvent, cipher: Cipher | None) -> dict[str, object]:
    plain = encode(event)
    identity = _digest(plain)  # of the plain form: the same with any cipher, or none
    return {
        "event_id": identity,
        "aggregate_id": str(event.aggregate_id),
        "aggregate_version": event.aggregate_version,
        "event_type": event.event_type,
        "occurred_at": utc_text(event.occurred_at),
        "body": plain if cipher is None else _outbox_body(event, identity, cipher),
    }


def _outbox_body(event: DomainEvent, event_id: str, cipher: Cipher | None) -> str:
    """An event as its outbox row keeps it: personal fields sealed, bound to the row."""
    return encode(event, cipher=cipher, record=_outbox_record(event_id))


def _erase_from_outbox(
    connection: Connection, aggregate_ids: Sequence[str], cipher: Cipher | None
) -> None:
    """Erase the personal fields of every outbox event of ``aggregate_ids``, in place.

    Each changed event keeps its row: its position, its id (the digest of what was
    committed, which consumers de-duplicate on) and whether it was published.
    """
    row = outbox.c
    found = connection.execute(
        sa.select(row.position, row.event_id, row.body)
        .where(row.aggregate_id.in_(aggregate_ids))
        .order_by(row.position)
    ).all()
    for position, identity, body in found:
        event = outbox_event(identity, body, cipher=cipher)
        erased = without_personal_data(event)
        if erased is not event:
            connection.execute(
                _REWRITE_EVENT,
                {"at": position, "new_body": _outbox_body(erased, identity, cipher)},
            )


def _sealed_under_another(body: str, cipher: Cipher) -> bool:
    """Whether a document holds a value sealed under a key other than the current one."""
    return any(key != cipher.current_key_id for key in _SEALED_UNDER.findall(body))
