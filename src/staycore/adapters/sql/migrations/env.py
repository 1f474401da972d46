"""Alembic's entry point for staycore's migrations: runs them on the database it is given.

Alembic runs this file for each command; imported any other way (documentation tools
walking the package) it does nothing.
"""

from __future__ import annotations

from alembic import context

from staycore.adapters.sql.migrations import VERSION_TABLE

try:
    _database = context.config.attributes["database"]
except (AttributeError, NameError):  # no migration is running: no Alembic context
    _database = None

if _database is not None:
    with _database.engine.connect() as connection:
        context.configure(
            connection=connection,
            version_table=VERSION_TABLE,
            compare_type=True,
            # SQLite alters a table by copying it; Alembic's batch mode does that.
            render_as_batch=_database.dialect == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
