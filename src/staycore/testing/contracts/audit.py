"""The contract suite of the audit log port (:mod:`staycore.ports.audit`).

Subclass :class:`AuditLogContract` and override ``log`` to build your adapter over an
empty log (the chain is one for the whole log, so the tests count from sequence 1).
Override ``peer`` too when your adapter can run on several servers: it is another
handle on the same log, as a second application server holds one, and the race test
spreads its appenders over both.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory.audit import MemoryAuditLog
    >>> from staycore.testing.contracts.audit import AuditLogContract
    >>> class TestMemoryAuditLog(AuditLogContract):
    ...     @pytest.fixture
    ...     def log(self) -> MemoryAuditLog:
    ...         return MemoryAuditLog()
    >>> "test_racing_appends_all_land_on_one_chain" in dir(TestMemoryAuditLog)
    True
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Final

import pendulum
import pytest

from staycore.kernel.audit import (
    GENESIS_HASH,
    MAX_DETAIL_LENGTH,
    MAX_NAME_LENGTH,
    AuditEntry,
    AuditRecord,
    InvalidAuditEntryError,
    chain_hash,
    digest_of,
    verify_chain,
)
from staycore.ports.audit import AuditLog

__all__ = ["AuditLogContract"]

START: Final = pendulum.datetime(2026, 5, 1, 9, tz="UTC")


class AuditLogContract:
    """The rules of :class:`~staycore.ports.audit.AuditLog`, as tests.

    Override :meth:`log`, and :meth:`peer` for an adapter shared between servers.
    ``racers`` threads each append ``appends_per_racer`` entries in the race test.
    """

    racers: ClassVar[int] = 8
    appends_per_racer: ClassVar[int] = 5

    @pytest.fixture
    def log(self) -> AuditLog:
        """Build the adapter under test, over an empty log; override this."""
        raise NotImplementedError("override the log fixture to build your adapter")

    @pytest.fixture
    def peer(self, log: AuditLog) -> AuditLog:
        """Another handle on the same log, as another server holds one; ``log`` by default."""
        return log

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def entry(n: int = 1, **changes: Any) -> AuditEntry:  # noqa: ANN401 - any field's value
        """An entry of a refund on order ``n``, ``n`` minutes after the start, with ``changes``."""
        fields: dict[str, Any] = {
            "actor": "staff:mei",
            "action": "order.refund",
            "record": f"order:{n}",
            "at": START.add(minutes=n),
            "before_digest": digest_of({"order": n, "paid": "4800.00"}),
            "after_digest": digest_of({"order": n, "paid": "2400.00"}),
            "detail": f"refund {n}",
        }
        fields.update(changes)
        return AuditEntry(**fields)

    @staticmethod
    def assert_intact(log: AuditLog, count: int) -> tuple[AuditRecord, ...]:
        """The log holds records 1 to ``count``, one unbroken chain; return them."""
        records = log.records()
        assert [record.sequence for record in records] == list(range(1, count + 1))
        report = verify_chain(records)
        assert report.ok, report.problems
        assert log.head() == (records[-1] if records else None)
        return records

    # -- appending and reading -------------------------------------------------------

    def test_the_log_has_every_method_of_the_port(self, log: AuditLog) -> None:
        """The adapter is an AuditLog, as ``isinstance`` checks a protocol."""
        assert isinstance(log, AuditLog)

    def test_an_empty_log_has_no_records(self, log: AuditLog) -> None:
        """No records, no head, and nothing after any sequence."""
        assert log.records() == ()
        assert log.records(after=3, limit=2) == ()
        assert log.head() is None

    def test_appends_are_numbered_from_one_and_chained(self, log: AuditLog) -> None:
        """Each append takes the next sequence and links to the hash of the record before."""
        entries = [self.entry(n) for n in range(1, 6)]
        appended = [log.append(entry) for entry in entries]
        records = self.assert_intact(log, 5)
        assert tuple(appended) == records
        assert [record.entry for record in records] == entries
        assert records[0].previous_hash == GENESIS_HASH
        for before, record in itertools.pairwise(records):
            assert record.previous_hash == before.hash
        for record in records:
            assert record.hash == chain_hash(record.previous_hash, record.sequence, record.entry)

    def test_the_same_entry_twice_is_two_records(self, log: AuditLog) -> None:
        """An audit log keeps what happened, each time: it does not take repeats for retries."""
        entry = self.entry()
        first, second = log.append(entry), log.append(entry)
        assert (first.sequence, second.sequence) == (1, 2)
        assert first.hash != second.hash
        self.assert_intact(log, 2)

    def test_entries_come_back_exactly(self, log: AuditLog, peer: AuditLog) -> None:
        """Text of any script, the longest fields, and instants to the microsecond, in UTC."""
        kathmandu = pendulum.datetime(2026, 3, 29, 2, 30, 15, 123456, tz="Asia/Kathmandu")
        entries = [
            self.entry(
                actor="staff:zoë",
                action="profile.update",
                record="顧客:台北-001",
                at=kathmandu,
                detail="name: Zoë → Zoé 🛎️\nphone changed\ttoo",
            ),
            self.entry(2, before_digest=None, after_digest=None, detail=""),
            self.entry(
                3,
                actor="a" * MAX_NAME_LENGTH,
                action="b" * MAX_NAME_LENGTH,
                record="ж" * MAX_NAME_LENGTH,
                detail="é" * MAX_DETAIL_LENGTH,
            ),
        ]
        for entry in entries:
            log.append(entry)
        for reader in (log, peer):
            stored = [record.entry for record in reader.records()]
            assert stored == entries
            assert stored[0].at == kathmandu
            assert stored[0].at.utcoffset() == pendulum.duration(0)
            assert (stored[0].at.hour, stored[0].at.minute) == (20, 45)
            assert stored[0].at.microsecond == 123456
        self.assert_intact(peer, 3)

    def test_records_are_read_page_by_page(self, log: AuditLog) -> None:
        """``after`` and ``limit`` page through the log, and each page verifies on its own."""
        for n in range(1, 8):
            log.append(self.entry(n))
        assert [r.sequence for r in log.records(after=2, limit=3)] == [3, 4, 5]
        assert [r.sequence for r in log.records(after=5)] == [6, 7]
        assert [r.sequence for r in log.records(limit=2)] == [1, 2]
        assert log.records(after=7) == log.records(after=100) == log.records(limit=0) == ()
        pages, after, previous_hash = [], 0, GENESIS_HASH
        while page := log.records(after=after, limit=3):
            report = verify_chain(page, after=after, previous_hash=previous_hash)
            assert report.ok, report.problems
            pages.append(page)
            after, previous_hash = report.end_sequence, report.end_hash
        assert [len(page) for page in pages] == [3, 3, 1]
        assert tuple(record for page in pages for record in page) == log.records()
        head = log.head()
        assert head is not None
        assert (after, previous_hash) == (head.sequence, head.hash)

    # -- the latest record naming one -----------------------------------------------

    def test_latest_of_a_record_never_written_is_none(self, log: AuditLog) -> None:
        """No entry names it: on an empty log, and on a log of other records."""
        assert log.latest("order:1") is None
        log.append(self.entry(1))
        assert log.latest("order:2") is None
        assert log.latest("order:") is None
        assert log.latest("ORDER:1") is None

    def test_latest_is_the_newest_of_several(self, log: AuditLog, peer: AuditLog) -> None:
        """Of the records naming one, the one of the highest sequence, whoever wrote it."""
        first = log.append(self.entry(1, detail="first"))
        assert log.latest("order:1") == first
        log.append(self.entry(1, detail="second"))
        newest = peer.append(self.entry(1, detail="third", at=START))
        for reader in (log, peer):
            assert reader.latest("order:1") == newest
        assert newest.entry.at < first.entry.at  # the sequence decides, not the instant

    def test_other_records_do_not_interfere(self, log: AuditLog) -> None:
        """Entries naming other records, before and after, leave each one's latest alone."""
        appended = [log.append(self.entry(n % 3, detail=f"append {n}")) for n in range(9)]
        log.append(self.entry(7, record="order:1x"))
        log.append(self.entry(8, record="顧客:台北-001"))
        for n in range(3):
            latest = log.latest(f"order:{n}")
            assert latest == [r for r in appended if r.entry.record == f"order:{n}"][-1]
        latest = log.latest("顧客:台北-001")
        assert latest is not None
        assert latest.sequence == 11
        self.assert_intact(log, 11)

    @pytest.mark.parametrize("record", [None, 1, b"order:1"])
    def test_latest_of_what_is_not_a_name_is_refused(
        self,
        log: AuditLog,
        record: Any,  # noqa: ANN401 - the values refused
    ) -> None:
        """A record is named by text."""
        with pytest.raises(InvalidAuditEntryError) as refused:
            log.latest(record)
        assert refused.value.code == "audit.invalid_entry"

    # -- refusals --------------------------------------------------------------------

    @pytest.mark.parametrize(
        "page",
        [{"after": -1}, {"after": True}, {"after": "3"}, {"limit": -1}, {"limit": 2.0}],
    )
    def test_a_page_that_cannot_be_read_is_refused(
        self,
        log: AuditLog,
        page: dict[str, Any],
    ) -> None:
        """``after`` and ``limit`` are whole numbers of 0 or more."""
        log.append(self.entry())
        with pytest.raises(InvalidAuditEntryError) as refused:
            log.records(**page)
        assert refused.value.code == "audit.invalid_entry"

    def test_what_is_not_an_entry_is_refused_and_nothing_is_appended(self, log: AuditLog) -> None:
        """Only an AuditEntry is appended; a refusal leaves the log as it was."""
        first = log.append(self.entry())
        refused_values: list[Any] = [
            None,
            "order.refund by staff:mei",
            {"actor": "staff:mei", "action": "order.refund", "record": "order:1", "at": START},
            first,
        ]
        for value in refused_values:
            with pytest.raises(InvalidAuditEntryError) as refused:
                log.append(value)
            assert refused.value.code == "audit.invalid_entry"
        assert log.records() == (first,)
        assert log.append(self.entry(2)).sequence == 2
        self.assert_intact(log, 2)

    # -- concurrency -----------------------------------------------------------------

    def test_racing_appends_all_land_on_one_chain(self, log: AuditLog, peer: AuditLog) -> None:
        """``racers`` threads, half on ``log`` and half on ``peer``, append at once."""
        start = threading.Barrier(self.racers)

        def append_all(racer: int) -> list[AuditRecord]:
            handle = log if racer % 2 == 0 else peer
            start.wait(timeout=10)
            return [
                handle.append(self.entry(racer, detail=f"racer {racer}, append {n}"))
                for n in range(self.appends_per_racer)
            ]

        with ThreadPoolExecutor(max_workers=self.racers) as pool:
            appended = list(pool.map(append_all, range(self.racers)))
        total = self.racers * self.appends_per_racer
        records = self.assert_intact(log, total)
        # What each append returned is what the log holds under that sequence.
        by_sequence = {record.sequence: record for mine in appended for record in mine}
        assert len(by_sequence) == total
        assert tuple(by_sequence[n] for n in range(1, total + 1)) == records
        for racer, mine in enumerate(appended):
            assert [record.entry.detail for record in mine] == [
                f"racer {racer}, append {n}" for n in range(self.appends_per_racer)
            ]
            sequences = [record.sequence for record in mine]
            assert sequences == sorted(sequences)
        assert peer.records() == records
