"""The shipped migrations create exactly the models' tables, from empty and step by step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from staycore.adapters.sql import Database, SqlStore
from staycore.adapters.sql.migrations import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    revisions,
    upgrade,
)
from staycore.adapters.sql.schema import metadata
from staycore.cli import main
from staycore.testing.contracts import GuestNote
from staycore.testing.databases import DIALECTS, open_database


@pytest.fixture(params=DIALECTS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path, tables=False)


def differences(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return list(compare_metadata(context, metadata))


def test_upgrading_an_empty_database_gives_the_models_tables(empty: Database) -> None:
    assert current_revision(empty) is None
    upgrade(empty)
    assert current_revision(empty) == head_revision()
    assert differences(empty) == []
    tables = set(sa.inspect(empty.engine).get_table_names())
    assert tables == set(metadata.tables) | {VERSION_TABLE}


def test_upgrading_again_changes_nothing(empty: Database) -> None:
    upgrade(empty)
    upgrade(empty)
    assert current_revision(empty) == head_revision()
    assert differences(empty) == []


@pytest.mark.parametrize("start", revisions())
def test_each_version_upgrades_to_the_newest_keeping_its_data(empty: Database, start: str) -> None:
    upgrade(empty, start)
    note = GuestNote.write("kept across upgrades")
    with SqlStore(empty).unit_of_work() as uow:
        uow.repository(GuestNote).add(note)
        uow.commit()
    upgrade(empty)
    assert current_revision(empty) == head_revision()
    with SqlStore(empty).unit_of_work() as uow:
        assert uow.repository(GuestNote).get(note.id) == note


def test_revisions_form_one_line_ending_at_the_head() -> None:
    shipped = revisions()
    assert shipped[-1] == head_revision()
    assert len(shipped) == len(set(shipped))


def test_the_db_command_upgrades_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", url]) == 0
    assert f"upgraded from revision empty to {head_revision()}" in capsys.readouterr().out
    assert main(["db", "upgrade", url]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert differences(Database(url)) == []


def test_the_db_command_refuses_an_unknown_store(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "mysql://localhost/shop"]) == 2
    error = capsys.readouterr().err
    assert "persistence.invalid_url" in error
    assert "sqlite:///path.db" in error


def test_the_db_command_reports_an_unreachable_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    assert "persistence.unavailable" in capsys.readouterr().err
