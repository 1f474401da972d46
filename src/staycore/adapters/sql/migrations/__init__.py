"""staycore's schema migrations (Alembic), shipped in the package.

:func:`upgrade` brings a database at a URL to the newest schema, from empty or from any
earlier version; ``staycore db upgrade URL`` runs it. Alembic records the version in
``staycore_alembic_version``, apart from any ``alembic_version`` table of the host's own.

Each migration spells out its tables rather than reading them from
:data:`staycore.adapters.sql.schema.metadata`: a migration must stay what it was when it
shipped, while the models move on. The test suite checks that upgrading an empty
database gives exactly the models' tables.

Example:
    >>> from staycore.adapters.sql.migrations import current_revision, head_revision, upgrade
    >>> from staycore.adapters.sql import Database
    >>> database = Database("sqlite://")
    >>> current_revision(database) is None
    True
    >>> upgrade(database)
    >>> current_revision(database) == head_revision()
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from staycore.adapters.sql.database import Database, translated_errors

__all__ = ["VERSION_TABLE", "current_revision", "head_revision", "revisions", "upgrade"]

VERSION_TABLE: Final = "staycore_alembic_version"
_HERE: Final = Path(__file__).parent


def _config(database: Database | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["database"] = database
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Create or upgrade staycore's tables in ``database`` to ``revision`` (the newest).

    Raises:
        StoreUnavailableError: The database cannot be reached.

    Example:
        See the module example.
    """
    with translated_errors(database.url):
        command.upgrade(_config(database), revision)


def current_revision(database: Database) -> str | None:
    """The revision ``database`` is at; ``None`` before the first upgrade.

    Example:
        See the module example.
    """
    with translated_errors(database.url), database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def revisions() -> list[str]:
    """Every revision this staycore ships, oldest first.

    Example:
        >>> from staycore.adapters.sql.migrations import revisions
        >>> revisions()[0]
        '0001'
    """
    script = ScriptDirectory.from_config(_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def head_revision() -> str:
    """The newest revision this staycore ships.

    Example:
        >>> from staycore.adapters.sql.migrations import head_revision
        >>> head_revision()
        '0005'
    """
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "staycore ships at least one migration"  # noqa: S101
    return head
