"""The SQL audit log against the audit log contract, on SQLite and PostgreSQL.

Besides the contract: two :class:`Database` objects on one file or schema stand for two
application servers appending to one chain (the contract's ``peer``); rows changed or
removed with plain SQL, going around the adapter, are found by ``verify_chain``; an
append in an atomic block that fails leaves nothing; and the migrations create the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from staycore.adapters.sql import Database
from staycore.adapters.sql.audit import SqlAuditLog
from staycore.adapters.sql.codec import UndecodableDocumentError
from staycore.adapters.sql.migrations import upgrade
from staycore.kernel.audit import AuditRecord, ChainFault, chain_hash, verify_chain
from staycore.testing.contracts.audit import AuditLogContract
from staycore.testing.databases import DIALECTS, open_database


class TestSqlAuditLog(AuditLogContract):
    @pytest.fixture
    def log(self, database: Database) -> SqlAuditLog:
        return SqlAuditLog(database)

    @pytest.fixture
    def peer(self, second_server: Database) -> SqlAuditLog:
        return SqlAuditLog(second_server)


def three_records(database: Database) -> tuple[SqlAuditLog, tuple[AuditRecord, ...]]:
    log = SqlAuditLog(database)
    for n in (1, 2, 3):
        log.append(AuditLogContract.entry(n))
    return log, log.records()


def run_sql(database: Database, statement: str, **values: object) -> None:
    """Run ``statement`` straight on the database, as someone going around staycore would."""
    with database.transaction() as connection:
        connection.execute(sa.text(statement), values)


def faults(records: tuple[AuditRecord, ...]) -> list[tuple[int, ChainFault]]:
    return [(problem.sequence, problem.fault) for problem in verify_chain(records).problems]


def test_a_detail_updated_with_sql_is_found(database: Database) -> None:
    log, before = three_records(database)
    run_sql(
        database, "UPDATE staycore_audit_log SET detail = 'nothing refunded' WHERE sequence = 2"
    )
    after = log.records()
    assert after[1].entry.detail == "nothing refunded"
    assert faults(after) == [(2, ChainFault.ALTERED)]
    assert faults(before) == []


def test_a_row_updated_with_its_hash_recomputed_breaks_the_next_link(database: Database) -> None:
    log, records = three_records(database)
    second = records[1]
    forged = chain_hash(second.previous_hash, 2, AuditLogContract.entry(2, detail="no refund"))
    run_sql(
        database,
        "UPDATE staycore_audit_log SET detail = 'no refund', hash = :hash WHERE sequence = 2",
        hash=forged,
    )
    assert faults(log.records()) == [(3, ChainFault.BROKEN_LINK)]


def test_a_deleted_row_leaves_a_gap(database: Database) -> None:
    log, _ = three_records(database)
    run_sql(database, "DELETE FROM staycore_audit_log WHERE sequence = 2")
    assert faults(log.records()) == [(3, ChainFault.GAP), (3, ChainFault.BROKEN_LINK)]


def test_a_deleted_head_is_found_against_the_head_kept_elsewhere(database: Database) -> None:
    log, records = three_records(database)
    kept = (records[-1].sequence, records[-1].hash)
    run_sql(database, "DELETE FROM staycore_audit_log WHERE sequence = 3")
    report = verify_chain(log.records())
    assert report.ok  # what is left is a well-formed, shorter chain
    assert (report.end_sequence, report.end_hash) != kept


def test_an_append_after_tampering_chains_to_the_stored_head(database: Database) -> None:
    """The log does not repair what it finds: the edit stays visible after new appends."""
    log, _ = three_records(database)
    run_sql(database, "UPDATE staycore_audit_log SET actor = 'staff:someone' WHERE sequence = 3")
    record = log.append(AuditLogContract.entry(4))
    assert record.sequence == 4
    assert faults(log.records()) == [(3, ChainFault.ALTERED)]


def test_a_row_that_is_no_record_cannot_be_read(database: Database) -> None:
    log, records = three_records(database)
    run_sql(database, "UPDATE staycore_audit_log SET actor = '  ' WHERE sequence = 2")
    with pytest.raises(UndecodableDocumentError) as refused:
        log.records()
    assert refused.value.code == "persistence.undecodable"
    assert "sequence 2" in refused.value.message
    assert log.head() == records[-1]  # the other rows still read
    assert log.records(after=2) == records[2:]


def test_an_append_in_a_failed_atomic_block_leaves_nothing(database: Database) -> None:
    log = SqlAuditLog(database)

    def change_and_audit() -> None:
        with database.atomic():
            log.append(AuditLogContract.entry(1))
            log.append(AuditLogContract.entry(2))
            raise RuntimeError("the change being audited failed")

    with pytest.raises(RuntimeError):
        change_and_audit()
    assert log.records() == ()
    assert log.append(AuditLogContract.entry(3)).sequence == 1


def test_appends_in_one_atomic_block_chain_on(database: Database) -> None:
    log = SqlAuditLog(database)
    with database.atomic():
        first = log.append(AuditLogContract.entry(1))
        second = log.append(AuditLogContract.entry(2))
    assert (first.sequence, second.sequence) == (1, 2)
    assert log.records() == (first, second)
    assert verify_chain(log.records()).ok


@pytest.fixture(params=DIALECTS)
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    for database in open_database(request.param, tmp_path, tables=False):
        upgrade(database)
        yield database


def test_the_migrations_make_the_table(migrated: Database) -> None:
    log = SqlAuditLog(migrated)
    entries = [AuditLogContract.entry(n) for n in (1, 2)]
    for entry in entries:
        log.append(entry)
    assert [record.entry for record in log.records()] == entries
    assert verify_chain(log.records()).ok
