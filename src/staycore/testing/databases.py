"""Databases for tests of SQL adapters: a SQLite file, and a schema on a real PostgreSQL.

staycore's own suites run the contract suites on both through :func:`open_database`;
an integrator whose adapter works on staycore's tables can do the same. PostgreSQL is
the server at ``STAYCORE_PG_DSN`` (by default the local one); each test gets a schema
of its own, dropped afterwards. With no server reachable, PostgreSQL tests skip and
say why, unless ``STAYCORE_REQUIRE_PG=1`` (staycore's CI sets it), which makes the
skip a failure. Needs the ``sql`` and ``postgres`` extras, and pytest.

Example:
    >>> from staycore.testing.databases import DIALECTS, open_database
    >>> DIALECTS
    ('sqlite', 'postgresql')
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from staycore.adapters.sql import Database
from staycore.adapters.sql.schema import metadata

__all__ = [
    "DIALECTS",
    "PG_DSN",
    "REQUIRE_PG",
    "database",
    "open_database",
    "postgresql_reachable",
    "require_postgresql",
    "second_server",
]

PG_DSN = os.environ.get("STAYCORE_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("STAYCORE_REQUIRE_PG") == "1"
DIALECTS = ("sqlite", "postgresql")


def postgresql_reachable() -> str | None:
    """Why PostgreSQL cannot be used, or ``None`` when it can.

    Example:
        >>> from staycore.testing.databases import postgresql_reachable
        >>> reason = postgresql_reachable()
        >>> reason is None or "PostgreSQL" in reason or "psycopg" in reason
        True
    """
    try:
        import psycopg  # noqa: PLC0415 - the `postgres` extra
    except ImportError:
        return "psycopg is not installed (the `postgres` extra)"
    try:
        psycopg.connect(PG_DSN.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.Error as error:
        return f"no PostgreSQL at STAYCORE_PG_DSN={PG_DSN!r}: {str(error).strip()}"
    return None


def require_postgresql() -> None:
    """Skip the test (or, with ``STAYCORE_REQUIRE_PG=1``, fail it) without PostgreSQL.

    Example:
        Call it first in a test that needs the server; it returns when there is one.
    """
    reason = postgresql_reachable()
    if reason is None:
        return
    if REQUIRE_PG:
        pytest.fail(f"STAYCORE_REQUIRE_PG=1 but {reason}")
    pytest.skip(reason)


def open_database(dialect: str, tmp_path: Path, *, tables: bool = True) -> Iterator[Database]:
    """A fresh database of ``dialect``, with staycore's tables unless told otherwise.

    A generator, for a pytest fixture to ``yield from``; it drops what it made.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.testing.databases import open_database
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     for database in open_database("sqlite", Path(folder)):
        ...         print(SqlStore(database).outbox())
        ()
    """
    if dialect == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'staycore.db'}")
        if tables:
            metadata.create_all(database.engine)
        yield database
        database.dispose()
        return
    require_postgresql()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    database = Database(PG_DSN, schema=schema)
    try:
        if tables:
            metadata.create_all(database.engine)
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A pytest fixture: each test runs on a SQLite file, then on PostgreSQL.

    Load it with ``pytest_plugins = ["staycore.testing.databases"]`` in a
    ``conftest.py``, as staycore's own does.

    Example:
        A test that takes ``database`` runs twice: ``test_x[sqlite]``, ``test_x[postgresql]``.
    """
    yield from open_database(request.param, tmp_path)


@pytest.fixture
def second_server(database: Database) -> Iterator[Database]:
    """A pytest fixture: another process's view of ``database``, with its own connections.

    Example:
        Two stores, one on ``database`` and one on ``second_server``, race as two
        application servers sharing one database would.
    """
    other = Database(database.url, schema=database.schema)
    yield other
    other.dispose()
