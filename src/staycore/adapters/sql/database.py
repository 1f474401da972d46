"""A database at a URL: the engine, its transactions, and the driver's errors in staycore's words.

:class:`Database` wraps a SQLAlchemy engine for one of the two stores staycore runs on:

* SQLite (``sqlite:///path/to/file.db``), the embedded default, through the standard
  library's driver. Every write transaction starts with ``BEGIN IMMEDIATE``, which takes
  the database's write lock at once: two transactions never both read and then race to
  write, so nothing needs retrying on a busy-but-consistent file except the wait for
  the lock (``busy_timeout``). The file runs in WAL mode, so readers never wait for it.
* PostgreSQL (``postgresql://...`` or ``postgresql+psycopg://...``), through psycopg 3,
  at READ COMMITTED: the stores take row locks or make conditional updates where they
  must, in a fixed order.

Errors the driver raises leave :meth:`Database.transaction` as staycore errors:
serialization failures, deadlocks and lock timeouts as
:class:`~staycore.kernel.errors.StoreBusyError` (run the transaction again:
:meth:`Database.run` does, a few times), a lost or refused connection as
:class:`~staycore.kernel.errors.StoreUnavailableError`, and missing tables as
:class:`~staycore.kernel.errors.StoreSchemaError`. In every case the transaction was
rolled back: nothing of it was written.

Example:
    >>> import sqlalchemy as sa
    >>> from staycore.adapters.sql.database import Database
    >>> db = Database("sqlite://")
    >>> with db.transaction() as connection:
    ...     connection.execute(sa.text("select 1 + 1")).scalar_one()
    2
    >>> db.dialect
    'sqlite'
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from staycore.kernel.errors import (
    InvalidStoreUrlError,
    PersistenceError,
    StoreBusyError,
    StoreSchemaError,
    StoreUnavailableError,
    UnstorableValueError,
)

__all__ = [
    "AtomicBlockSpoiledError",
    "Database",
    "Dialect",
    "insert_unless_present",
    "translated_errors",
]

T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]

# PostgreSQL's SQLSTATE codes for a transaction given up to keep others consistent.
_BUSY_STATES: Final = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available
    "57014",  # query_canceled (statement or lock timeout)
}
_MISSING_STATES: Final = {"42P01", "42703"}  # undefined_table, undefined_column
_SCHEMA_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SQLITE_BUSY: Final = ("database is locked", "database table is locked", "database is busy")
_SQLITE_MISSING: Final = ("no such table", "no such column", "has no column")


class AtomicBlockSpoiledError(PersistenceError):
    """A store operation failed inside an atomic block, and the block carried on."""

    code = "persistence.atomic_block_spoiled"


class Database:
    """One database at ``url``, shared by the stores of one process.

    Args:
        url: ``sqlite:///path.db`` (``sqlite://`` alone is a private in-memory database,
            for tests and examples), or ``postgresql://user@host:port/dbname``
            (``postgresql+psycopg://`` is the same).
        schema: PostgreSQL only: the schema staycore's tables live in (the connection's
            ``search_path``); by default the server's default. Tests give each test its own.
        pool_size: PostgreSQL only: connections kept open, per process.
        lock_timeout: How long a statement waits for a lock (SQLite: the file's write
            lock) before the transaction gives up with
            :class:`~staycore.kernel.errors.StoreBusyError`, in seconds.
        echo: Log every statement (SQLAlchemy's ``echo``).

    Raises:
        InvalidStoreUrlError: The URL is not a SQLite or PostgreSQL URL, or the driver
            it needs is not installed (the ``sql`` and ``postgres`` extras).

    Example:
        >>> from staycore.adapters.sql.database import Database
        >>> Database("mysql://localhost/shop")
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.InvalidStoreUrlError: [persistence.invalid_url] ...
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        pool_size: int = 5,
        lock_timeout: float = 30.0,
        echo: bool = False,
    ) -> None:
        self.url = url
        self.schema = schema
        self.dialect: Dialect = _dialect_of(url)
        # The connection of the atomic() block the current thread (or task) is in, and
        # whether an operation in it failed.
        self._atomic: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
            f"staycore_atomic_{id(self)}", default=None
        )
        self._spoiled = contextvars.ContextVar(f"staycore_spoiled_{id(self)}", default=False)
        wait_ms = max(int(lock_timeout * 1000), 1)
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, wait_ms=wait_ms, echo=echo)
        else:
            self.engine = _postgresql_engine(
                url, schema=schema, pool_size=pool_size, wait_ms=wait_ms, echo=echo
            )

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """Run a block in one transaction: committed when it ends, rolled back if it raises.

        Inside :meth:`atomic`, the block joins the atomic transaction instead: what it
        writes commits or rolls back with everything else there.

        Args:
            write: Whether the block writes. On SQLite a writing transaction takes the
                write lock when it begins; a reading one never waits for a writer.

        Raises:
            StoreBusyError: The database gave the transaction up (deadlock, serialization
                failure, lock timeout); nothing was written.
            StoreUnavailableError: The connection failed; nothing was written.
            StoreSchemaError: A table is missing: run ``staycore db upgrade URL``.

        Example:
            See the module example.
        """
        joined = self._atomic.get()
        if joined is not None:
            try:
                with translated_errors(self.url):
                    yield joined
            except BaseException:
                # What a writing block wrote before it raised stays in the atomic
                # transaction: only rolling all of it back undoes it.
                if write:
                    self._spoiled.set(True)
                raise
            return
        with translated_errors(self.url), self.engine.connect() as opened:
            connection = opened if write else opened.execution_options(staycore_read_only=True)
            with connection.begin():
                yield connection

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """Make every store operation in the block one transaction: all of it, or none.

        The stores of this database run each operation in a transaction of its own;
        inside the block they all join one write transaction instead, committed when the
        block ends and rolled back, with everything in it, if it raises or the process
        dies. Placing an order uses it so that the holds, the coupon redemptions, the
        order and its idempotency key are stored together or not at all. Keep the block
        to database work: it holds its locks (on SQLite, the whole file's write lock)
        until it ends. Nested blocks join the outer one.

        A store operation that fails inside the block may have written part of its work
        (a hold row claimed before its nights were found full): let the failure end the
        block, which rolls it all back. A block that catches such a failure and carries on
        is rolled back when it ends, with :class:`AtomicBlockSpoiledError`.

        Raises:
            StoreBusyError: The database gave the transaction up; nothing was written.
            AtomicBlockSpoiledError: An operation failed in the block and the block went
                on; nothing was written.

        Example:
            >>> from staycore.adapters.sql import SqlStore
            >>> from staycore.testing.contracts import GuestNote
            >>> store = SqlStore.create("sqlite://")
            >>> try:
            ...     with store.database.atomic():
            ...         with store.unit_of_work() as uow:
            ...             uow.repository(GuestNote).add(GuestNote.write("all or nothing"))
            ...             uow.commit()
            ...         raise RuntimeError("the process failed before the block ended")
            ... except RuntimeError:
            ...     pass
            >>> store.committed(GuestNote)
            ()
        """
        if self._atomic.get() is not None:
            yield
            return
        with self.transaction() as connection:
            token, spoiled = self._atomic.set(connection), self._spoiled.set(False)
            try:
                yield
                if self._spoiled.get():
                    msg = (
                        "a store operation failed inside an atomic block and the block went "
                        "on; what the operation wrote cannot be told apart, so nothing of "
                        "the block was kept: let the failure end the block"
                    )
                    raise AtomicBlockSpoiledError(msg)
            finally:
                self._atomic.reset(token)
                self._spoiled.reset(spoiled)

    def run(self, work: Callable[[Connection], T], *, write: bool = True, attempts: int = 5) -> T:
        """Run ``work`` in a transaction, again (after a short random pause) when busy.

        Only :class:`~staycore.kernel.errors.StoreBusyError` is retried: the database
        rolled the transaction back, so running ``work`` again is safe as long as
        ``work`` does nothing but database work.

        Args:
            work: Gets the transaction's connection; its result is returned.
            write: Whether ``work`` writes (see :meth:`transaction`).
            attempts: How many times to try, at least 1.

        Raises:
            StoreBusyError: Still busy after ``attempts`` tries.

        Example:
            >>> import sqlalchemy as sa
            >>> from staycore.adapters.sql.database import Database
            >>> Database("sqlite://").run(lambda c: c.execute(sa.text("select 7")).scalar())
            7
        """
        if self._atomic.get() is not None:
            # Inside atomic(): a refusal rolls back the whole block, which only its
            # caller can run again.
            with self.transaction(write=write) as connection:
                return work(connection)
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction(write=write) as connection:
                    return work(connection)
            except StoreBusyError:
                if attempt >= attempts:
                    raise
                # Jittered backoff, so that two transactions that collided do not collide
                # again in step.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - not secret
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or when done).

        Example:
            >>> from staycore.adapters.sql.database import Database
            >>> Database("sqlite://").dispose()
        """
        self.engine.dispose()

    def __repr__(self) -> str:
        shown = self.engine.url.render_as_string(hide_password=True)
        schema = f", schema={self.schema!r}" if self.schema else ""
        return f"Database({shown!r}{schema})"


def _dialect_of(url: str) -> Dialect:
    scheme = url.partition(":")[0].lower()
    if scheme in {"sqlite", "sqlite+pysqlite"}:
        return "sqlite"
    if scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
        return "postgresql"
    msg = (
        f"{_hidden(url)!r} is not a store staycore runs on: use sqlite:///path.db or "
        "postgresql://user@host:port/dbname"
    )
    raise InvalidStoreUrlError(msg)


def _hidden(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return url.partition("@")[2] or url


def _sqlite_engine(url: str, *, wait_ms: int, echo: bool) -> Engine:
    memory = url.rstrip("/") in {"sqlite:", "sqlite+pysqlite:"} or ":memory:" in url
    options: dict[str, Any] = {"echo": echo}
    if memory:
        # One connection for the whole in-memory database, or each would see its own.
        options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = sa.create_engine(url.replace("sqlite+pysqlite:", "sqlite:", 1), **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # The driver's own transaction handling would BEGIN lazily, in deferred mode;
        # staycore begins every transaction itself (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {wait_ms:d}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode, NORMAL loses no committed transaction when the process dies,
            # only (possibly) the last ones when the machine loses power.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("staycore_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgresql_engine(
    url: str, *, schema: str | None, pool_size: int, wait_ms: int, echo: bool
) -> Engine:
    scheme, _, rest = url.partition("://")
    if scheme != "postgresql+psycopg":
        url = f"postgresql+psycopg://{rest}"
    options = f"-c lock_timeout={wait_ms:d}"
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            msg = f"schema {schema!r} must be a plain name: letters, digits and underscores"
            raise InvalidStoreUrlError(msg)
        options += f" -c search_path={schema}"
    connect_args: dict[str, Any] = {"options": options, "connect_timeout": 10}
    try:
        return sa.create_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            pool_pre_ping=True,
            connect_args=connect_args,
        )
    except ModuleNotFoundError as missing:
        msg = f"PostgreSQL needs psycopg: pip install 'staycore[postgres]' ({missing})"
        raise InvalidStoreUrlError(msg) from None


def insert_unless_present(
    connection: Connection, table: sa.Table, row: Mapping[str, object]
) -> bool:
    """Insert ``row`` into ``table`` unless its key is taken; return whether it went in.

    A plain insert of a taken key fails, and on PostgreSQL a failed statement spoils the
    whole transaction; this one inserts nothing instead. (The driver's row count cannot
    tell: psycopg reports none for this statement, so the inserted key is returned.)

    Example:
        >>> import sqlalchemy as sa
        >>> from staycore.adapters.sql.database import Database, insert_unless_present
        >>> key = sa.Column("key", sa.String, primary_key=True)
        >>> table = sa.Table("doc_keys", sa.MetaData(), key)
        >>> db = Database("sqlite://")
        >>> table.create(db.engine)
        >>> with db.transaction() as connection:
        ...     [insert_unless_present(connection, table, {"key": "a"}) for _ in range(2)]
        [True, False]
    """
    key = (connection.dialect.name, table)
    statement = _INSERTS.get(key)
    if statement is None:
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415 - by dialect
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # noqa: PLC0415
        statement = insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
        _INSERTS[key] = statement
    return connection.execute(statement, dict(row)).first() is not None


# Built once per dialect and table: building a statement costs more than running it.
_INSERTS: dict[tuple[str, sa.Table], sa.Insert] = {}


@contextlib.contextmanager
def translated_errors(url: str = "") -> Iterator[None]:
    """Turn the driver's errors raised in the block into staycore's.

    Example:
        >>> import sqlalchemy as sa
        >>> from staycore.adapters.sql.database import Database, translated_errors
        >>> db = Database("sqlite://")
        >>> with translated_errors(), db.engine.connect() as connection:
        ...     connection.execute(sa.text("select * from staycore_nothing"))
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.StoreSchemaError: [persistence.schema] ...
    """
    try:
        yield
    except exc.DBAPIError as error:
        raise _translated(error, url) from error
    except exc.StatementError as error:
        # SQLAlchemy's wrapper of an error raised while it prepared the statement.
        if isinstance(error.orig, UnicodeEncodeError | OverflowError):
            raise _unstorable(error.orig) from error
        raise
    except (UnicodeEncodeError, OverflowError) as error:
        # The driver could not bind a parameter: nothing was sent, nothing written.
        raise _unstorable(error) from error


def _unstorable(error: BaseException) -> UnstorableValueError:
    return UnstorableValueError(
        f"the database cannot store a value it was given ({error}); text must be valid "
        "Unicode (no lone surrogates) and numbers must fit their column: fix the value, "
        "as retrying it fails the same way"
    )


def _translated(error: exc.DBAPIError, url: str) -> PersistenceError:
    original = error.orig
    state = getattr(original, "sqlstate", None) or ""
    text = str(original).lower()
    where = f" ({_hidden(url)})" if url else ""
    if state in _BUSY_STATES or any(busy in text for busy in _SQLITE_BUSY):
        return StoreBusyError(
            f"the database gave this transaction up to keep others consistent ({original}); "
            "nothing was written: run it again"
        )
    if state in _MISSING_STATES or any(missing in text for missing in _SQLITE_MISSING):
        return StoreSchemaError(
            f"the database{where} lacks staycore's tables or columns ({original}); "
            "create or upgrade them with `staycore db upgrade URL`"
        )
    if error.connection_invalidated or state.startswith("08") or state in {"57P01", "57P02"}:
        return StoreUnavailableError(
            f"the database{where} cannot be reached or the connection was lost "
            f"({original}); nothing of the transaction was written: retry later with the "
            "same idempotency key"
        )
    if isinstance(error, exc.OperationalError):
        return StoreUnavailableError(
            f"the database{where} refused the operation ({original}); nothing of the "
            "transaction was written"
        )
    return PersistenceError(f"the database{where} refused a statement: {original}")
