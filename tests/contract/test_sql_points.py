"""The SQL points ledger against the points ledger contract, on SQLite and PostgreSQL.

Besides the contract: two :class:`Database` objects on one file or schema stand for two
application servers posting for one member, and on PostgreSQL a member's lock is shown
to hold back only that member's posts.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from staycore.adapters.sql import Database
from staycore.adapters.sql.codec import encode
from staycore.adapters.sql.points import SqlPointsLedger, points_accounts
from staycore.membership.ids import CustomerId
from staycore.membership.points import InsufficientPointsError, PointsAccount
from staycore.testing.contracts.points import LIFETIME, START, PointsLedgerContract


class TestSqlPointsLedger(PointsLedgerContract):
    @pytest.fixture
    def ledger(self, database: Database) -> SqlPointsLedger:
        return SqlPointsLedger(database)


def test_two_servers_never_overdraw_one_member(database: Database, second_server: Database) -> None:
    """Stale redemptions spread over two servers: only what the lots hold lands."""
    ledgers = (SqlPointsLedger(database), SqlPointsLedger(second_server))
    guest = CustomerId.new()
    for day in range(4):
        PointsLedgerContract.earn(ledgers[0], guest, 250, at=START.add(days=day))
    stale = ledgers[1].account(guest)
    # Each draws 100 on the oldest lot: two of the eight fit it.
    batches = [
        stale.redeem(100, at=START.add(days=5), key=f"redeem:{n}", policy=LIFETIME)
        for n in range(8)
    ]
    start = threading.Barrier(len(batches))

    def post(n: int) -> bool:
        start.wait(timeout=10)
        try:
            ledgers[n % 2].post(guest, batches[n])
        except InsufficientPointsError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        landed = list(pool.map(post, range(len(batches))))
    assert landed.count(True) == 2
    for ledger in ledgers:
        assert ledger.account(guest).balance == 800
        PointsLedgerContract.assert_consistent(ledger, guest)


def test_the_account_row_is_read_not_recomputed(database: Database) -> None:
    """``account`` reads the stored account: it does not replay the member's entries."""
    ledger = SqlPointsLedger(database)
    guest = CustomerId.new()
    PointsLedgerContract.earn(ledger, guest, 300)
    # Put another (valid) account in the row: what ``account`` returns must follow it.
    planted = PointsAccount(customer=guest, version=99)
    with database.transaction() as connection:
        connection.execute(
            points_accounts.update()
            .where(points_accounts.c.customer == str(guest))
            .values(body=encode(planted), version=99)
        )
    assert ledger.account(guest) == planted


def test_a_member_locked_on_postgresql_holds_back_only_their_posts(
    database: Database, second_server: Database
) -> None:
    """While one transaction holds a member's row, another member's post goes through."""
    if database.dialect != "postgresql":
        pytest.skip("on SQLite every write transaction excludes the others")
    ledger = SqlPointsLedger(second_server)
    held, free = CustomerId.new(), CustomerId.new()
    PointsLedgerContract.earn(ledger, held, 100)
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        with database.transaction() as connection:
            connection.execute(
                sa.select(points_accounts.c.version)
                .where(points_accounts.c.customer == str(held))
                .with_for_update()
            )
            blocked = pool.submit(functools.partial(PointsLedgerContract.earn, ledger, held, 50))
            other = pool.submit(functools.partial(PointsLedgerContract.earn, ledger, free, 50))
            other.result(timeout=30)  # not held back by the lock on another member
            assert not blocked.done()  # it cannot finish while the row is locked
        blocked.result(timeout=30)  # the lock is gone with the transaction
    finally:
        pool.shutdown()
    assert (ledger.account(held).balance, ledger.account(free).balance) == (150, 50)
