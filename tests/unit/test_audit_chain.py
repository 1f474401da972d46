"""The audit trail's domain: entries, digests, the hash chain and its verification.

The property tests build chains of random entries and check that ``verify_chain``
accepts every intact chain, and finds every edit of any field of any record, every
record removed, every two records swapped and every forged record put in (a record cut
from the end is found against the head kept apart, as the module says).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from staycore.kernel.audit import (
    GENESIS_HASH,
    MAX_DETAIL_LENGTH,
    MAX_NAME_LENGTH,
    AuditEntry,
    AuditRecord,
    ChainFault,
    ChainReport,
    InvalidAuditEntryError,
    chain_hash,
    check_page,
    digest_of,
    verify_chain,
)
from staycore.kernel.errors import InvalidInstantError, NaiveDatetimeError
from staycore.kernel.ids import Identifier
from staycore.testing.strategies import instants

AT = pendulum.datetime(2026, 5, 1, 9, tz="Asia/Taipei")
A_DIGEST = digest_of({"paid": "4800.00"})


def entry(**changes: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "actor": "staff:mei",
        "action": "order.refund",
        "record": "ord_1",
        "at": AT,
        "before_digest": A_DIGEST,
        "after_digest": None,
        "detail": "",
    }
    fields.update(changes)
    return AuditEntry(**fields)


def chain(entries: list[AuditEntry]) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    for item in entries:
        records.append(AuditRecord.chained(item, after=records[-1] if records else None))
    return records


def faults(report: ChainReport) -> list[tuple[int, ChainFault]]:
    return [(problem.position, problem.fault) for problem in report.problems]


# -- strategies ----------------------------------------------------------------------------

names = st.text(
    st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=MAX_NAME_LENGTH
).filter(str.strip)
details = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=80)
hex_digests = st.binary(min_size=32, max_size=32).map(bytes.hex)
digests = st.none() | hex_digests
audit_entries = st.builds(
    AuditEntry,
    actor=names,
    action=names,
    record=names,
    at=instants(),
    before_digest=digests,
    after_digest=digests,
    detail=details,
)
chains = st.lists(audit_entries, min_size=1, max_size=10).map(chain)
ENTRY_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "actor": names,
    "action": names,
    "record": names,
    "at": instants(),
    "before_digest": digests,
    "after_digest": digests,
    "detail": details,
}
RECORD_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "sequence": st.integers(min_value=1, max_value=10**12),
    "previous_hash": hex_digests,
    "hash": hex_digests,
}


# -- intact chains -------------------------------------------------------------------------


@given(chains)
def test_any_chain_verifies(records: list[AuditRecord]) -> None:
    report = verify_chain(records)
    assert report.ok, report.problems
    assert report.checked == len(records)
    assert (report.end_sequence, report.end_hash) == (len(records), records[-1].hash)
    assert [record.sequence for record in records] == list(range(1, len(records) + 1))


@given(chains, st.data())
def test_any_window_verifies_from_the_record_before_it(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(records)))
    before = records[start - 1].hash if start else GENESIS_HASH
    report = verify_chain(records[start:], after=start, previous_hash=before)
    assert report.ok, report.problems
    assert (report.end_sequence, report.end_hash) == (len(records), records[-1].hash)


# -- tampering -----------------------------------------------------------------------------


@given(chains, st.data())
def test_editing_any_field_of_any_record_is_found(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    record = records[position]
    field = data.draw(st.sampled_from(sorted(ENTRY_FIELDS) + sorted(RECORD_FIELDS)))
    if field in ENTRY_FIELDS:
        value = data.draw(ENTRY_FIELDS[field])
        edited = attrs.evolve(record, entry=attrs.evolve(record.entry, **{field: value}))
    else:
        edited = attrs.evolve(record, **{field: data.draw(RECORD_FIELDS[field])})
    assume(edited != record)
    tampered = [*records[:position], edited, *records[position + 1 :]]
    report = verify_chain(tampered)
    assert not report.ok
    assert (position, ChainFault.ALTERED) in faults(report)


@given(chains, st.data())
def test_deleting_any_record_is_found(records: list[AuditRecord], data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    head = (records[-1].sequence, records[-1].hash)
    report = verify_chain([*records[:position], *records[position + 1 :]])
    if position < len(records) - 1:
        assert (position, ChainFault.GAP) in faults(report)
        assert (position, ChainFault.BROKEN_LINK) in faults(report)
    else:
        # A record cut from the end leaves a shorter, intact chain: only the head kept
        # apart from the log tells.
        assert report.ok
        assert (report.end_sequence, report.end_hash) != head


@given(chains.filter(lambda records: len(records) > 1), st.data())
def test_swapping_any_two_records_is_found(records: list[AuditRecord], data: st.DataObject) -> None:
    first = data.draw(st.integers(min_value=0, max_value=len(records) - 2))
    second = data.draw(st.integers(min_value=first + 1, max_value=len(records) - 1))
    swapped = list(records)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    found = set(faults(verify_chain(swapped)))
    # The later record now comes first: records seem missing before it, and it does not
    # link to the record read before it; the earlier one comes back after its successors.
    assert {
        (first, ChainFault.GAP),
        (first, ChainFault.BROKEN_LINK),
        (second, ChainFault.OUT_OF_ORDER),
    } <= found


@given(chains.filter(lambda records: len(records) > 1), st.data())
def test_swapping_the_entries_of_two_records_is_found(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    first = data.draw(st.integers(min_value=0, max_value=len(records) - 2))
    second = data.draw(st.integers(min_value=first + 1, max_value=len(records) - 1))
    assume(records[first].entry != records[second].entry)
    swapped = list(records)
    swapped[first] = attrs.evolve(records[first], entry=records[second].entry)
    swapped[second] = attrs.evolve(records[second], entry=records[first].entry)
    assert {(first, ChainFault.ALTERED), (second, ChainFault.ALTERED)} <= set(
        faults(verify_chain(swapped))
    )


@given(chains, audit_entries, st.data())
def test_inserting_a_forged_record_is_found(
    records: list[AuditRecord], forged_entry: AuditEntry, data: st.DataObject
) -> None:
    """A forged record put before any stored one, even chained to the one before it."""
    position = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    well_formed = data.draw(st.booleans())
    before = records[position - 1] if position else None
    forged = AuditRecord.chained(forged_entry, after=before)
    if not well_formed:
        forged = attrs.evolve(forged, hash=data.draw(hex_digests))
    found = faults(verify_chain([*records[:position], forged, *records[position:]]))
    assert (position + 1, ChainFault.OUT_OF_ORDER) in found
    if well_formed:
        assert (position + 1, ChainFault.BROKEN_LINK) in found
    else:
        # Its made-up hash may even be the one the next record links to (the genesis
        # hash before the first): its own fields still do not give it.
        assert (position, ChainFault.ALTERED) in found


# -- the hash format -----------------------------------------------------------------------


def test_the_chain_hash_is_the_documented_recipe() -> None:
    """Pinned byte for byte: a change of format would make every stored chain fail."""
    record = entry(detail="Zoë → Zoé")
    expected = (
        '{"action":"order.refund","actor":"staff:mei","after_digest":null,'
        '"at":"2026-05-01T01:00:00.000000+00:00",'
        f'"before_digest":"{A_DIGEST}","detail":"Zoë → Zoé",'
        f'"previous_hash":"{GENESIS_HASH}","record":"ord_1","sequence":1}}'
    )
    assert chain_hash(GENESIS_HASH, 1, record) == hashlib.sha256(expected.encode()).hexdigest()
    assert AuditRecord.chained(record, after=None).hash == chain_hash(GENESIS_HASH, 1, record)


def test_digests_are_canonical() -> None:
    assert digest_of({"b": [1, True, None], "a": "x"}) == digest_of(
        {"a": "x", "b": (1, True, None)}
    )
    assert digest_of("") == hashlib.sha256(b'""').hexdigest()
    assert digest_of({"名": "台北"}) == hashlib.sha256('{"名":"台北"}'.encode()).hexdigest()
    assert digest_of({"n": 1}) != digest_of({"n": "1"})
    assert digest_of(True) != digest_of(1)
    assert digest_of(10**30) == hashlib.sha256(b"1" + b"0" * 30).hexdigest()
    assert digest_of(Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")) == digest_of(
        "ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"
    )


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (12.5, "cannot digest float"),
        ({"rate": Decimal("10.50")}, "cannot digest Decimal Decimal('10.50') at rate"),
        ({"rooms": [{"id": b"\x01"}]}, "at rooms[0].id"),
        ({1: "one"}, "its key 1 is not text"),
        ({"tags": {"vip"}}, "cannot digest set"),
        (AT, "cannot digest DateTime"),
        ("\ud800", "lone surrogate"),
    ],
)
def test_values_json_does_not_write_as_they_are_are_refused(value: Any, phrase: str) -> None:
    with pytest.raises(InvalidAuditEntryError) as refused:
        digest_of(value)
    assert refused.value.code == "audit.invalid_entry"
    assert phrase in refused.value.message


# -- entries and records -------------------------------------------------------------------


def test_an_entry_is_kept_in_utc_and_in_plain_text() -> None:
    made = entry(record=Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"))
    assert made.at.isoformat() == "2026-05-01T01:00:00+00:00"
    assert made.at.tzinfo is pendulum.UTC
    assert type(made.record) is str
    assert made == entry(record="ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7", at=AT.in_tz("UTC"))


def test_the_longest_fields_are_accepted() -> None:
    made = entry(
        actor="a" * MAX_NAME_LENGTH,
        action="b" * MAX_NAME_LENGTH,
        record="c" * MAX_NAME_LENGTH,
        detail="d" * MAX_DETAIL_LENGTH,
    )
    assert len(made.detail) == MAX_DETAIL_LENGTH


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"actor": ""}, "actor is non-blank text"),
        ({"action": " \t"}, "action is non-blank text"),
        ({"record": None}, "record is non-blank text"),
        ({"record": 42}, "record is non-blank text"),
        ({"actor": "x" * (MAX_NAME_LENGTH + 1)}, f"at most {MAX_NAME_LENGTH} characters"),
        ({"actor": "staff:mei\nstaff:admin"}, "without control characters"),
        ({"record": "ord\x00"}, "without control characters"),
        ({"before_digest": "ab" * 31}, "before_digest is a SHA-256 digest"),
        ({"after_digest": A_DIGEST.upper()}, "64 lowercase hex characters"),
        ({"after_digest": A_DIGEST + "\n"}, "after_digest is a SHA-256 digest"),
        ({"before_digest": b"\x00" * 32}, "before_digest is a SHA-256 digest"),
        ({"detail": "x" * (MAX_DETAIL_LENGTH + 1)}, f"at most {MAX_DETAIL_LENGTH} characters"),
        ({"detail": "a\x00b"}, "without NUL characters"),
        ({"detail": "\udc80"}, "lone surrogates"),
        ({"detail": None}, "detail is text"),
    ],
)
def test_bad_entry_fields_are_refused(changes: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidAuditEntryError) as refused:
        entry(**changes)
    assert refused.value.code == "audit.invalid_entry"
    assert phrase in refused.value.message


def test_an_entry_instant_needs_a_timezone() -> None:
    with pytest.raises(NaiveDatetimeError) as refused:
        entry(at=dt.datetime(2026, 5, 1, 9))  # noqa: DTZ001 - the naive value under test
    assert "audit entry instant" in refused.value.message
    with pytest.raises(InvalidInstantError):
        entry(at="2026-05-01T09:00:00+08:00")


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"sequence": 0}, "sequence is a whole number of at least 1"),
        ({"sequence": True}, "sequence is a whole number of at least 1"),
        ({"sequence": "1"}, "sequence is a whole number of at least 1"),
        ({"previous_hash": "0" * 63}, "previous_hash is a SHA-256 hash"),
        ({"hash": None}, "hash is a SHA-256 hash"),
        ({"entry": "a refund"}, "holds an AuditEntry"),
    ],
)
def test_bad_record_fields_are_refused(changes: dict[str, Any], phrase: str) -> None:
    fields: dict[str, Any] = {
        "sequence": 1,
        "entry": entry(),
        "previous_hash": GENESIS_HASH,
        "hash": A_DIGEST,
    }
    with pytest.raises(InvalidAuditEntryError) as refused:
        AuditRecord(**(fields | changes))
    assert phrase in refused.value.message


def test_a_record_chains_only_an_entry_after_a_record() -> None:
    with pytest.raises(InvalidAuditEntryError, match="holds an AuditEntry"):
        AuditRecord.chained("a refund", after=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidAuditEntryError, match="after is the log's last AuditRecord"):
        AuditRecord.chained(entry(), after="head")  # type: ignore[arg-type]
    with pytest.raises(InvalidAuditEntryError, match="previous_hash is a SHA-256 hash"):
        chain_hash("genesis", 1, entry())


# -- verification --------------------------------------------------------------------------


def test_the_problems_are_told_in_words() -> None:
    records = chain([entry(detail=str(n)) for n in range(1, 6)])
    report = verify_chain([records[0], records[3], records[4], records[4]])
    assert [(p.sequence, p.position, p.fault) for p in report.problems] == [
        (4, 1, ChainFault.GAP),
        (4, 1, ChainFault.BROKEN_LINK),
        (5, 3, ChainFault.OUT_OF_ORDER),
        (5, 3, ChainFault.BROKEN_LINK),
    ]
    assert [problem.message for problem in report.problems] == [
        "records 2 to 3 are missing before record 4",
        "record 4 does not link to record 1 before it",
        "record 5 comes after record 5: it repeats or is out of place",
        "record 5 does not link to record 5 before it",
    ]
    assert (report.checked, report.end_sequence) == (4, 5)


def test_an_empty_window_ends_where_it_starts() -> None:
    records = chain([entry()])
    report = verify_chain([], after=1, previous_hash=records[0].hash)
    assert report == ChainReport(0, (), 1, records[0].hash)
    assert report.ok


def test_a_window_checked_from_the_wrong_record_is_found() -> None:
    records = chain([entry(detail=str(n)) for n in range(3)])
    assert faults(verify_chain(records[1:], after=1, previous_hash=records[1].hash)) == [
        (0, ChainFault.BROKEN_LINK)
    ]
    assert faults(verify_chain(records[1:], after=2, previous_hash=records[0].hash)) == [
        (0, ChainFault.OUT_OF_ORDER)
    ]


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        ({"after": -1}, "after is the sequence of the record before the window"),
        ({"after": False}, "after is the sequence of the record before the window"),
        ({"after": 2, "previous_hash": "xyz"}, "previous_hash is a SHA-256 hash"),
        ({"previous_hash": A_DIGEST}, "a log's first record links to GENESIS_HASH"),
    ],
)
def test_a_window_that_cannot_be_checked_is_refused(options: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidAuditEntryError) as refused:
        verify_chain([], **options)
    assert phrase in refused.value.message


def test_only_records_are_verified() -> None:
    records = chain([entry()])
    with pytest.raises(InvalidAuditEntryError, match="at position 1"):
        verify_chain([records[0], records[0].entry])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("after", "limit", "valid"),
    [(0, None, True), (5, 0, True), (5, 10, True), (-1, None, False), (0, -1, False)],
)
def test_pages_are_checked(after: int, limit: int | None, valid: bool) -> None:
    if valid:
        check_page(after, limit)
    else:
        with pytest.raises(InvalidAuditEntryError):
            check_page(after, limit)
