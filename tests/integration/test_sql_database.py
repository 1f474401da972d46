"""The database wrapper: driver errors in staycore's words, retries, nothing half-written."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from staycore.adapters.sql import Database, SqlStore
from staycore.adapters.sql.database import AtomicBlockSpoiledError, translated_errors
from staycore.adapters.sql.schema import aggregates
from staycore.kernel.errors import (
    ConcurrencyError,
    InvalidStoreUrlError,
    StoreBusyError,
    StoreSchemaError,
    StoreUnavailableError,
    UnstorableValueError,
)
from staycore.testing.contracts import GuestNote
from staycore.testing.databases import PG_DSN, open_database, require_postgresql


def twin(database: Database, *, lock_timeout: float) -> Database:
    """A second Database on the same data: another process, as far as locks go."""
    return Database(database.url, schema=database.schema, lock_timeout=lock_timeout)


def count_notes(database: Database) -> int:
    with database.transaction(write=False) as connection:
        query = sa.select(sa.func.count()).select_from(aggregates)
        return int(connection.execute(query).scalar_one())


def test_a_lock_not_granted_in_time_is_a_busy_store_and_writes_nothing(database: Database) -> None:
    store = SqlStore(database)
    note = GuestNote.write("locked")
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.commit()
    impatient = twin(database, lock_timeout=0.2)
    holding, done = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        with database.transaction() as connection:
            connection.execute(
                sa.select(aggregates.c.id).where(aggregates.c.id == note.id).with_for_update()
            ).all()
            holding.set()
            done.wait(10)

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(10)
        with SqlStore(impatient).unit_of_work() as uow:
            uow.repository(GuestNote).add(GuestNote.write("never written"))
            uow.repository(GuestNote).save(note.edit("changed"), expected_version=1)
            with pytest.raises(StoreBusyError) as raised:
                uow.commit()
    finally:
        done.set()
        holder.join()
        impatient.dispose()
    assert raised.value.code == "persistence.busy"
    assert "run it again" in raised.value.message
    assert count_notes(database) == 1


def test_run_retries_a_busy_transaction_a_bounded_number_of_times(database: Database) -> None:
    calls = []

    def flaky(connection: sa.Connection) -> str:
        calls.append(connection)
        if len(calls) < 3:
            raise StoreBusyError("deadlock detected")
        return "done"

    assert database.run(flaky) == "done"
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(StoreBusyError):
        database.run(flaky, attempts=2)
    assert len(calls) == 2


def test_missing_tables_say_how_to_create_them(tmp_path: Path) -> None:
    for empty in open_database("sqlite", tmp_path, tables=False):
        with pytest.raises(StoreSchemaError, match="staycore db upgrade") as raised:
            SqlStore(empty).outbox()
        assert raised.value.code == "persistence.schema"


@pytest.fixture
def postgresql(tmp_path: Path) -> Iterator[Database]:
    require_postgresql()
    yield from open_database("postgresql", tmp_path)


def write_two_rows_losing_the_connection_between(database: Database, admin: sa.Engine) -> None:
    with database.transaction() as connection:
        connection.execute(
            aggregates.insert(), {"kind": "k", "id": "1", "version": 1, "body": "{}"}
        )
        backend = connection.execute(sa.text("select pg_backend_pid()")).scalar_one()
        with admin.begin() as other:
            other.execute(sa.text("select pg_terminate_backend(:pid)"), {"pid": backend})
        connection.execute(
            aggregates.insert(), {"kind": "k", "id": "2", "version": 1, "body": "{}"}
        )


def test_a_connection_lost_mid_transaction_writes_nothing(postgresql: Database) -> None:
    admin = sa.create_engine(PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1))
    with pytest.raises(StoreUnavailableError) as raised:
        write_two_rows_losing_the_connection_between(postgresql, admin)
    admin.dispose()
    assert raised.value.code == "persistence.unavailable"
    assert "nothing of the transaction was written" in raised.value.message
    assert count_notes(postgresql) == 0


def test_an_unreachable_server_is_an_unavailable_store() -> None:
    database = Database("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(StoreUnavailableError) as raised, database.transaction():
        pass
    assert "127.0.0.1:1" in raised.value.message


@pytest.mark.parametrize(
    ("url", "schema"),
    [("mysql://localhost/shop", None), ("postgresql://x@localhost/db", "a; drop table x")],
)
def test_an_unusable_url_or_schema_is_refused(url: str, schema: str | None) -> None:
    with pytest.raises(InvalidStoreUrlError):
        Database(url, schema=schema)


def test_a_password_never_shows(tmp_path: Path) -> None:
    database = Database("postgresql://shop:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in repr(database)
    with pytest.raises(StoreUnavailableError) as raised, database.transaction():
        pass
    assert "s3cret" not in str(raised.value)


def add_in_a_block_then_fail(database: Database, note: GuestNote) -> None:
    with database.atomic():
        with SqlStore(database).unit_of_work() as uow:
            uow.repository(GuestNote).add(note)
            uow.commit()
        raise RuntimeError("the process failed before the block ended")


def carry_on_after_a_failed_commit(database: Database, note: GuestNote) -> None:
    store = SqlStore(database)
    with database.atomic():
        with store.unit_of_work() as uow:
            uow.repository(GuestNote).add(GuestNote.write("written in the block"))
            uow.commit()
        with store.unit_of_work() as slow:
            slow.repository(GuestNote).save(note.edit("slow"), expected_version=1)
            with store.unit_of_work() as fast:
                fast.repository(GuestNote).save(note.edit("fast"), expected_version=1)
                fast.commit()
            # The slow commit fails in the database (the note moved on), and the block
            # carries on: it can no longer tell what was written.
            with contextlib.suppress(ConcurrencyError):
                slow.commit()


def test_an_atomic_block_commits_everything_or_nothing(database: Database) -> None:
    store = SqlStore(database)
    kept = GuestNote.write("kept")
    with database.atomic(), store.unit_of_work() as uow:
        uow.repository(GuestNote).add(kept)
        uow.commit()
    with pytest.raises(RuntimeError):
        add_in_a_block_then_fail(database, GuestNote.write("dropped"))
    assert store.committed(GuestNote) == (kept,)


def test_an_atomic_block_that_carries_on_after_a_failed_write_keeps_nothing(
    database: Database,
) -> None:
    store = SqlStore(database)
    note = GuestNote.write("taken")
    with store.unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.commit()
    with pytest.raises(AtomicBlockSpoiledError) as raised:
        carry_on_after_a_failed_commit(database, note)
    assert raised.value.code == "persistence.atomic_block_spoiled"
    assert store.committed(GuestNote) == (note,)


@pytest.mark.parametrize(
    "error", [UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates"), OverflowError("too big")]
)
def test_a_value_the_driver_cannot_bind_is_an_unstorable_value(error: Exception) -> None:
    # Found by the fuzz suite: the driver raised these while binding a parameter (a
    # lone surrogate; an int beyond SQLite's 64 bits), and they escaped untranslated.
    with pytest.raises(UnstorableValueError, match="cannot store a value"), translated_errors():
        raise error


def test_an_int_beyond_sqlite_integers_is_refused_as_unstorable(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'big.db'}")
    try:
        with pytest.raises(UnstorableValueError), database.transaction() as connection:
            connection.execute(sa.text("select :n"), {"n": 10**400})
    finally:
        database.dispose()
