"""What the SQL inventory, appointment and stock stores share: their holds, in a table each.

The SQL counterpart of :mod:`staycore.adapters.memory.hold_book`. Each store keeps its
holds in a table of its own made by :func:`hold_table` (the hold's id, status, expiry
and body, plus the columns that store filters on), and works on it through a
:class:`SqlHoldBook`. The book knows the hold lifecycle
(:func:`~staycore.availability.holds.next_status`), retried hold ids (the same request
gets the same hold, a different one :class:`~staycore.availability.holds.DuplicateHoldError`),
and expiry; the store says how a hold's change of status moves what it counts (rooms per
night, units of an item), and the book calls it in the same transaction as it writes the
hold. :class:`SqlHoldKeeping` gives each store the public hold operations, each one
transaction.

Why a table per store rather than one shared table: each store filters its holds on
columns of its own, with their own types (a unit type and the dates of a stay; a
resource and the instants of a slot), and one order's hold id names its hold in two
stores at once (its nights and its add-on stock share it), so a shared table would need
untyped generic columns and a composite key for no gain.

Locks, on PostgreSQL: an operation on one hold locks its row (``SELECT ... FOR UPDATE``)
before the rows it counts on; a sweep locks the due holds in (expiry, id) order, then
lets the store lock every row their counts touch in its fixed order (``lock_counts``),
then changes them. So every transaction takes hold rows before count rows, each kind in
one order, and two of them cannot deadlock. On SQLite the write transaction excludes
every other writer already.

An operation that raises changes nothing, with the one exception the memory store
shares: confirming or extending a hold found past its expiry expires it, and that is
committed before the refusal is raised (:func:`settled`), so the hold reads as expired
and its inventory is free.

Expiries are stored and compared as UTC text: the same width for every instant, so text
order is time order, and an expiry moved into the repeated hour of a fall-back night is
after the first one, as it is in time.

Example:
    >>> import staycore.adapters.sql.stock
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.stock import SqlStockStore
    >>> from staycore.availability.ids import HoldId
    >>> from staycore.availability.stock import ItemId, StockItem, StockRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-06-01T09:00:00Z")
    >>> store = SqlStockStore(SqlStore.create("sqlite://").database, clock)
    >>> cruise = ItemId.new()
    >>> _ = store.add_item(StockItem(id=cruise, name="Sunset cruise", on_hand=4))
    >>> request = StockRequest(
    ...     hold_id=HoldId.new(), lines={cruise: 2}, owner=Identifier.new(),
    ...     expires_at=clock.now().add(minutes=15),
    ... )
    >>> hold = store.reserve(request).hold
    >>> store.reserve(request).hold == hold  # a retry gets the same hold
    True
    >>> _ = clock.advance(minutes=15)
    >>> [expired.status.value for expired in store.expire_due()]
    ['expired']
    >>> store.level(cruise).available
    4
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, cast

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import SchemaItem

from staycore.adapters.holds import H, R, evolve_hold, has_passed
from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import IDENTIFIER, INSTANT, metadata, utc_text
from staycore.availability.holds import (
    DuplicateHoldError,
    HoldAction,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
    next_status,
)
from staycore.availability.ids import HoldId
from staycore.kernel.time import Clock, as_instant

__all__ = ["SqlHoldBook", "SqlHoldKeeping", "hold_table", "settled"]


def hold_table(name: str, *columns: SchemaItem, comment: str) -> sa.Table:
    """Declare a store's table of holds: the columns every hold has, then ``columns``.

    Every hold table has ``id`` (the key), ``status``, ``expires_at`` (UTC text) and
    ``body`` (the hold, as the codec writes it), and an index on (status, expires_at)
    that finds the holds due to expire.

    Args:
        name: The table's name, ``staycore_<store>_holds``.
        columns: The store's own columns and indexes, for what it filters holds on.
        comment: What the table holds.

    Example:
        >>> import sqlalchemy as sa
        >>> from staycore.adapters.sql.holds import hold_table
        >>> table = hold_table(
        ...     "staycore_doc_holds", sa.Column("owner", sa.String(80)), comment="doc holds"
        ... )
        >>> [column.name for column in table.columns]
        ['id', 'status', 'expires_at', 'body', 'owner']
        >>> from staycore.adapters.sql.schema import metadata
        >>> metadata.remove(table)  # only an example
    """
    return sa.Table(
        name,
        metadata,
        sa.Column("id", IDENTIFIER, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("body", sa.Text, nullable=False, comment="the hold, as the codec writes it"),
        *columns,
        sa.Index(None, "status", "expires_at"),
        comment=comment,
    )


KeepInStep = Callable[[Connection, H, HoldStatus | None], None]
"""Moves a store's counts for a hold's new version, given the status it had (``None``: new)."""


class SqlHoldBook(Generic[H, R]):
    """The holds of one SQL store, in its hold table, worked on in the caller's transaction.

    Args:
        table: The store's hold table, made by :func:`hold_table`.
        describe: What a hold holds, in words: "already holds ..." in the error on a
            hold id reused for a different request.
        keep_in_step: Called with the connection, each new version of a hold and the
            status it had before, before the book writes it, so that the store's counts
            follow the hold in the same transaction; ``None`` when the hold rows are
            all the store counts (appointments: the live holds are the places taken).
        lock_counts: Called with the holds a sweep is about to expire, so that the store
            locks every row their counts touch, in its fixed order, before the first
            change; ``None`` when there is nothing to lock.
        columns: The store's own columns for a hold (unit type, stay...), written when
            the hold is added.
        scopes: Named conditions on the table (with bound parameters) that limit which
            due holds :meth:`due` finds: "the unit type's holds on these nights".
        noun: What the store's holds are called: "no {noun} ..." in the error on an
            unknown hold id.

    Example:
        Continuing the module example above:

        >>> book = store._holds
        >>> with store._database.transaction(write=False) as connection:
        ...     book.find(connection, hold.id).status.value
        'expired'
    """

    def __init__(
        self,
        table: sa.Table,
        *,
        describe: Callable[[H], str],
        keep_in_step: KeepInStep[H] | None = None,
        lock_counts: Callable[[Connection, Sequence[H]], None] | None = None,
        columns: Callable[[H], Mapping[str, object]] | None = None,
        scopes: Mapping[str, sa.ColumnElement[bool]] | None = None,
        noun: str = "hold",
    ) -> None:
        self.table = table
        self._describe = describe
        self._keep_in_step = keep_in_step
        self._lock_counts = lock_counts
        self._columns = columns
        self._noun = noun
        # Statements built once: building a statement costs more than running it.
        row = table.c
        self._find = sa.select(row.body).where(row.id == sa.bindparam("hold_key"))
        self._find_locked = self._find.with_for_update()
        self._write = table.update().where(row.id == sa.bindparam("hold_key"))
        due = (
            sa.select(row.body)
            .where(row.status == HoldStatus.HELD.value, row.expires_at <= sa.bindparam("due_at"))
            .order_by(row.expires_at, row.id)
            .with_for_update()
        )
        self._due: dict[tuple[str | None, bool], sa.Select[Any]] = {}
        wheres: dict[str | None, sa.ColumnElement[bool] | None] = {None: None}
        wheres.update(scopes or {})
        for scope, where in wheres.items():
            scoped = due if where is None else due.where(where)
            self._due[scope, False] = scoped
            self._due[scope, True] = scoped.where(row.id != sa.bindparam("sparing"))

    # -- reading ---------------------------------------------------------------------

    def find(self, connection: Connection, hold_id: HoldId, *, lock: bool = False) -> H:
        """Return the hold with ``hold_id`` as it was last written; locked if asked.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            See the class example.
        """
        query = self._find_locked if lock else self._find
        body = connection.execute(query, {"hold_key": str(hold_id)}).scalar()
        if body is None:
            msg = f"no {self._noun} {hold_id!r}: it was never reserved in this store"
            raise HoldNotFoundError(msg)
        return cast(H, decode(body))

    def retried(self, connection: Connection, request: R) -> H | None:
        """Return the hold an earlier, identical request got; ``None`` for a new hold id.

        Raises:
            DuplicateHoldError: The hold id was used for a different request.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction(write=False) as connection:
            ...     book.retried(connection, request).id == request.hold_id
            True
        """
        body = connection.execute(self._find, {"hold_key": str(request.hold_id)}).scalar()
        if body is None:
            return None
        existing = cast(H, decode(body))
        if existing.matches(request):
            return existing
        msg = (
            f"hold id {request.hold_id} already holds {self._describe(existing)}; "
            "give a new request a new hold id"
        )
        raise DuplicateHoldError(msg)

    def due(
        self,
        connection: Connection,
        now: dt.datetime,
        *,
        scope: str | None = None,
        params: Mapping[str, object] | None = None,
        sparing: HoldId | None = None,
    ) -> list[H]:
        """The held holds past their expiry at ``now`` (in ``scope``), locked, by expiry.

        Args:
            connection: The transaction.
            now: The clock's time.
            scope: Only the holds of this scope (given to the book), if any.
            sparing: A hold to leave out: the one being added in this transaction.
            params: The scope's parameters.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.due(connection, clock.now())
            []
        """
        values = {"due_at": utc_text(now), **(params or {})}
        if sparing is not None:
            values["sparing"] = str(sparing)
        query = self._due[scope, sparing is not None]
        return [cast(H, decode(body)) for body in connection.execute(query, values).scalars()]

    # -- changing --------------------------------------------------------------------

    def claim(self, connection: Connection, hold: H, request: R) -> H | None:
        """Write a new hold unless its id is taken; ``None`` when written, else the retry's.

        The store takes what the hold holds itself, in the same transaction: for a SQL
        store taking *is* the availability check (a conditional update), so the book
        does not call ``keep_in_step`` for a new hold. Claiming first also makes a
        concurrent retry of the same request wait for this one and get its hold.

        Raises:
            DuplicateHoldError: The hold id was used for a different request.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.claim(connection, hold, request).id == hold.id
            True
        """
        if insert_unless_present(connection, self.table, self._row(hold, with_columns=True)):
            return None
        retried = self.retried(connection, request)
        if retried is None:  # pragma: no cover - hold rows are never deleted
            msg = f"the {self._noun} {request.hold_id} raced another request: retry"
            raise DuplicateHoldError(msg)
        return retried

    def current(self, connection: Connection, hold_id: HoldId, now: dt.datetime) -> H:
        """Return the hold, locked, expired first if it is held past its expiry at ``now``.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.current(connection, hold.id, clock.now()).status.value
            'expired'
        """
        hold = self.find(connection, hold_id, lock=True)
        if hold.status is HoldStatus.HELD and has_passed(hold.expires_at, now):
            return self.change(connection, hold, HoldAction.EXPIRE)
        return hold

    def change(self, connection: Connection, hold: H, action: HoldAction) -> H:
        """Apply ``action`` to a locked hold, moving the store's counts; return the new hold.

        Raises:
            HoldNotActiveError: The action needs a live hold and this one is not.

        Example:
            Continuing the module example above (releasing an expired hold does nothing):

            >>> from staycore.availability.holds import HoldAction
            >>> with store._database.transaction() as connection:
            ...     expired = book.find(connection, hold.id, lock=True)
            ...     book.change(connection, expired, HoldAction.RELEASE).status.value
            'expired'
        """
        status = next_status(hold.status, action)
        if status is hold.status:
            return hold
        return self.write(connection, evolve_hold(hold, status=status), was=hold.status)

    def confirm(
        self, connection: Connection, hold_id: HoldId, now: dt.datetime
    ) -> H | HoldNotActiveError:
        """Confirm the hold; return it, or the refusal to raise once the expiry is committed.

        A hold found past its expiry is expired, and stays expired when the confirmation
        is refused: so the refusal is returned, for the caller to raise after commit.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.confirm(connection, hold.id, clock.now()).code
            'availability.hold_not_active'
        """
        hold = self.current(connection, hold_id, now)
        try:
            return self.change(connection, hold, HoldAction.CONFIRM)
        except HoldNotActiveError as refused:
            return refused

    def release(self, connection: Connection, hold_id: HoldId) -> H:
        """Release the hold, held or confirmed; releasing again does nothing.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.release(connection, hold.id).status.value
            'expired'
        """
        return self.change(
            connection, self.find(connection, hold_id, lock=True), HoldAction.RELEASE
        )

    def extend(
        self, connection: Connection, hold_id: HoldId, until: dt.datetime, now: dt.datetime
    ) -> H | HoldNotActiveError:
        """Move a live hold's expiry to ``until``; return it, or the refusal to raise.

        Refused (returned, as for :meth:`confirm`) when the hold is not ``held`` or was
        held past its expiry by ``now``, or ``until`` is not after ``now``.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.extend(connection, hold.id, clock.now().add(hours=1), clock.now()).code
            'availability.hold_not_active'
        """
        hold = self.current(connection, hold_id, now)
        try:
            next_status(hold.status, HoldAction.EXTEND)  # refuses a hold that is not live
        except HoldNotActiveError as refused:
            return refused
        if has_passed(until, now):
            msg = (
                f"cannot extend hold {hold_id} to {until.isoformat()}: that has passed; "
                "give an expiry in the future"
            )
            return HoldNotActiveError(msg)
        return self.write(connection, evolve_hold(hold, expires_at=until), was=hold.status)

    def expire(
        self, connection: Connection, holds: Sequence[H], *, counts_locked: bool = False
    ) -> tuple[H, ...]:
        """Expire locked held holds (from :meth:`due`), after the store locks their counts.

        Args:
            connection: The transaction.
            holds: The holds, as :meth:`due` returned them.
            counts_locked: The caller has locked every row their counts touch already
                (with more rows of its own, in one order).

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.expire(connection, book.due(connection, clock.now()))
            ()
        """
        if not holds:
            return ()
        if self._lock_counts is not None and not counts_locked:
            self._lock_counts(connection, holds)
        return tuple(self.change(connection, hold, HoldAction.EXPIRE) for hold in holds)

    def expire_due(
        self,
        connection: Connection,
        now: dt.datetime,
        *,
        scope: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> tuple[H, ...]:
        """Expire every held hold past its expiry at ``now`` (in ``scope``); return them.

        Example:
            Continuing the module example above:

            >>> with store._database.transaction() as connection:
            ...     book.expire_due(connection, clock.now())
            ()
        """
        return self.expire(connection, self.due(connection, now, scope=scope, params=params))

    def write(self, connection: Connection, hold: H, *, was: HoldStatus) -> H:
        """Write a new version of a locked hold, after moving the counts for it.

        Example:
            Continuing the module example above (the same version again: nothing moves):

            >>> with store._database.transaction() as connection:
            ...     same = book.find(connection, hold.id, lock=True)
            ...     book.write(connection, same, was=same.status) == same
            True
        """
        if self._keep_in_step is not None:
            self._keep_in_step(connection, hold, was)
        row = self._row(hold, with_columns=False)
        connection.execute(self._write, {"hold_key": row.pop("id"), **row})
        return hold

    def _row(self, hold: H, *, with_columns: bool) -> dict[str, object]:
        row: dict[str, object] = {
            "id": str(hold.id),
            "status": hold.status.value,
            "expires_at": utc_text(hold.expires_at),
            "body": encode(hold),
        }
        if with_columns and self._columns is not None:
            row.update(self._columns(hold))
        return row

    def __repr__(self) -> str:
        return f"SqlHoldBook({self.table.name})"


class SqlHoldKeeping(Generic[H, R]):
    """The hold operations every SQL store offers, each one transaction on its book.

    A store sets ``_database``, ``_clock`` and ``_holds`` (its :class:`SqlHoldBook`) in
    its ``__init__``; what it holds and how it reserves are its own.

    Example:
        Continuing the module example above:

        >>> isinstance(store, SqlHoldKeeping)
        True
    """

    _database: Database
    _clock: Clock
    _holds: SqlHoldBook[H, R]

    def hold(self, hold_id: HoldId) -> H:
        """Return the hold with ``hold_id``.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            Continuing the module example above:

            >>> store.hold(hold.id).status.value
            'expired'
        """
        with self._database.transaction(write=False) as connection:
            return self._holds.find(connection, hold_id)

    def confirm(self, hold_id: HoldId) -> H:
        """Turn what a held hold holds into sold; confirming again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold expired (it is marked so) or was released:
                reserve again.

        Example:
            Continuing the module example above:

            >>> store.confirm(hold.id)
            Traceback (most recent call last):
            ...
            staycore.availability.holds.HoldNotActiveError: [availability.hold_not_active] ...
        """
        now = self._now()
        return settled(
            self._database.run(lambda connection: self._holds.confirm(connection, hold_id, now))
        )

    def release(self, hold_id: HoldId) -> H:
        """Free what a hold holds, held or sold; releasing again does nothing.

        Raises:
            HoldNotFoundError: No such hold.

        Example:
            Continuing the module example above:

            >>> store.release(hold.id).status.value  # it had expired: already free
            'expired'
        """
        return self._database.run(lambda connection: self._holds.release(connection, hold_id))

    def extend(self, hold_id: HoldId, until: dt.datetime) -> H:
        """Move a live hold's expiry to ``until``.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold is not ``held``, or its expiry has passed (what
                it held may have gone to someone else), or ``until`` is not in the future.

        Example:
            Continuing the module example above:

            >>> store.extend(hold.id, clock.now().add(minutes=30))
            Traceback (most recent call last):
            ...
            staycore.availability.holds.HoldNotActiveError: [availability.hold_not_active] ...
        """
        new_expiry = as_instant(until, what="new hold expiry")
        now = self._now()
        return settled(
            self._database.run(
                lambda connection: self._holds.extend(connection, hold_id, new_expiry, now)
            )
        )

    def expire_due(self) -> tuple[H, ...]:
        """Expire every held hold whose expiry has passed; return the holds expired now.

        Example:
            Continuing the module example above:

            >>> store.expire_due()
            ()
        """
        now = self._now()
        return self._database.run(lambda connection: self._holds.expire_due(connection, now))

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")


def settled(outcome: H | HoldNotActiveError) -> H:
    """The hold a committed transaction returned, or raise the refusal it returned.

    A book's :meth:`~SqlHoldBook.confirm` and :meth:`~SqlHoldBook.extend` return their
    refusal instead of raising it, so that the expiry they found due is committed; a
    store's own operations on a hold may do the same.

    Example:
        >>> from staycore.adapters.sql.holds import settled
        >>> from staycore.availability.holds import HoldNotActiveError
        >>> settled(HoldNotActiveError("it expired"))
        Traceback (most recent call last):
        ...
        staycore.availability.holds.HoldNotActiveError: [availability.hold_not_active] it expired
    """
    if isinstance(outcome, HoldNotActiveError):
        raise outcome
    return outcome
