"""The audit trail: who changed what, when, chained by hash so that no edit goes unseen.

Every change to personal data, money, permissions or rule sets, and every export of
customer data, is worth an :class:`AuditEntry`: the actor, the action
(``"order.refund"``, ``"profile.update"``, ``"customers.export"``), the record it
touched, the instant, and a digest of the record before and after (:func:`digest_of`),
so that the trail proves what changed without holding the personal data itself.

An audit log (:class:`staycore.ports.audit.AuditLog`) stores each entry as an
:class:`AuditRecord`: numbered 1, 2, 3... without gaps, and chained, each record's
:attr:`~AuditRecord.hash` covering its sequence, its entry and the hash of the record
before it (the first links to :data:`GENESIS_HASH`). A stored entry edited no longer
gives its record's hash; a hash edited to match breaks the link from the record after
it; a record deleted or put in leaves a gap, a repeat or a broken link. :func:`verify_chain` reads
the records and lists every such problem.

**What is hashed.** :func:`digest_of` hashes the *canonical JSON* of a value: keys
sorted, no whitespace (``","`` and ``":"`` as separators), non-ASCII characters written
as they are (``ensure_ascii=False``), encoded in UTF-8, hashed with SHA-256 and written
as 64 lowercase hex characters. :func:`chain_hash` is :func:`digest_of` of one JSON
object holding the record's fields, so the format is written down in one place::

    {"action": ..., "actor": ..., "after_digest": <hex or null>,
     "at": "2026-05-01T01:00:00.000000+00:00", "before_digest": <hex or null>,
     "detail": ..., "previous_hash": <hex>, "record": ..., "sequence": <integer>}

The instant is written in UTC with microseconds, always the same width. Anyone can check
a log with that recipe and a SHA-256, in any language, without staycore.

A chain proves nothing about records cut from its end: a log truncated after record 90
is a well-formed log of 90 records. Keep the head (its sequence and hash, from
:attr:`ChainReport.end_sequence` and :attr:`ChainReport.end_hash`) somewhere the log's
writers cannot change, and check that the log still reaches it.

Example:
    >>> import attrs
    >>> import pendulum
    >>> from staycore.kernel.audit import AuditEntry, AuditRecord, digest_of, verify_chain
    >>> refund = AuditEntry(
    ...     actor="staff:mei",
    ...     action="order.refund",
    ...     record="ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7",
    ...     at=pendulum.datetime(2026, 5, 1, 9, tz="Asia/Taipei"),
    ...     before_digest=digest_of({"paid": "4800.00", "currency": "TWD"}),
    ...     after_digest=digest_of({"paid": "2400.00", "currency": "TWD"}),
    ...     detail="one night of two cancelled",
    ... )
    >>> refund.at.isoformat()
    '2026-05-01T01:00:00+00:00'
    >>> first = AuditRecord.chained(refund, after=None)
    >>> export = attrs.evolve(refund, action="customers.export", record="segment:gold",
    ...                       before_digest=None, after_digest=None, detail="412 rows")
    >>> second = AuditRecord.chained(export, after=first)
    >>> (first.sequence, second.sequence), second.previous_hash == first.hash
    ((1, 2), True)
    >>> verify_chain([first, second]).ok
    True
    >>> edited = attrs.evolve(first, entry=attrs.evolve(refund, detail="nothing refunded"))
    >>> report = verify_chain([edited, second])
    >>> report.ok, [(problem.sequence, problem.fault.value) for problem in report.problems]
    (False, [(1, 'altered')])
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import attrs
import pendulum

from staycore.kernel.documents import document_path
from staycore.kernel.errors import KernelError
from staycore.kernel.time import as_instant

__all__ = [
    "GENESIS_HASH",
    "MAX_DETAIL_LENGTH",
    "MAX_NAME_LENGTH",
    "AuditEntry",
    "AuditRecord",
    "ChainFault",
    "ChainProblem",
    "ChainReport",
    "Digestible",
    "InvalidAuditEntryError",
    "chain_hash",
    "check_page",
    "check_record",
    "digest_of",
    "is_name",
    "verify_chain",
]

MAX_NAME_LENGTH: Final = 200
"""The longest ``actor``, ``action`` or ``record`` an entry may carry, in characters."""

MAX_DETAIL_LENGTH: Final = 2000
"""The longest ``detail`` an entry may carry, in characters."""

GENESIS_HASH: Final = "0" * 64
"""What the first record of a log links to, as its ``previous_hash``."""

Digestible = str | int | bool | None | Sequence["Digestible"] | Mapping[str, "Digestible"]
"""The values :func:`digest_of` hashes. Text, whole numbers, booleans, ``None``, and lists,
tuples and text-keyed mappings of them; floats and decimals are refused (write amounts as
text, ``f"{amount:f}"``, so that one amount has one digest)."""

_UTC: Final = pendulum.UTC
_HEX_DIGEST: Final = re.compile(r"[0-9a-f]{64}")
# NUL cannot be stored in a PostgreSQL text column, and a lone surrogate is not UTF-8:
# neither could be stored, nor hashed as the format says.
_UNSTORABLE: Final = re.compile(r"[\x00\ud800-\udfff]")
# Names also refuse control characters, so that no actor or record can pose as several
# lines of a log viewer or a CSV export.
_NOT_IN_NAMES: Final = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class InvalidAuditEntryError(KernelError):
    """An audit entry, a record or a position in the log was given bad input.

    Example:
        >>> import pendulum
        >>> from staycore.kernel.audit import AuditEntry
        >>> AuditEntry(actor=" ", action="order.refund", record="ord_1",
        ...            at=pendulum.datetime(2026, 5, 1, tz="UTC"))
        Traceback (most recent call last):
        ...
        staycore.kernel.audit.InvalidAuditEntryError: [audit.invalid_entry] ...
    """

    code = "audit.invalid_entry"


# -- digests ---------------------------------------------------------------------------


def digest_of(value: Digestible) -> str:
    """Return the SHA-256 digest of ``value``'s canonical JSON, as 64 lowercase hex characters.

    The canonical JSON has its keys sorted and no whitespace, writes non-ASCII characters
    as they are, and is hashed as UTF-8 (see the module's documentation). Tuples are
    written as lists, so ``(1, 2)`` and ``[1, 2]`` have one digest; key order never
    matters.

    Args:
        value: What to digest, usually a record's state before or after a change.

    Raises:
        InvalidAuditEntryError: ``value`` holds a float, a decimal, bytes, a mapping with
            a key that is not text, or any other value JSON does not write as it is.

    Example:
        >>> import hashlib
        >>> from staycore.kernel.audit import digest_of
        >>> digest = digest_of({"nights": 3, "name": "Zoë"})
        >>> digest == hashlib.sha256('{"name":"Zoë","nights":3}'.encode("utf-8")).hexdigest()
        True
        >>> digest[:16]
        'a12d7c6557864f7e'
        >>> digest_of({"total": 12.5})
        Traceback (most recent call last):
        ...
        staycore.kernel.audit.InvalidAuditEntryError: [audit.invalid_entry] ...
    """
    text = json.dumps(_plain(value, ()), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        msg = "cannot digest text holding a lone surrogate: it is not UTF-8; decode it properly"
        raise InvalidAuditEntryError(msg) from None
    return hashlib.sha256(data).hexdigest()


def _plain(value: object, path: tuple[str | int, ...]) -> object:
    """``value`` as plain JSON values (dicts, lists), or an error naming where it is not."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item, (*path, n)) for n, item in enumerate(value)]
    where = f" at {document_path(path)}" if path else ""
    if isinstance(value, Mapping):
        plain: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                msg = (
                    f"cannot digest the mapping{where}: its key {key!r} is not text, and "
                    "JSON would write it as text; use text keys"
                )
                raise InvalidAuditEntryError(msg)
            plain[key] = _plain(item, (*path, key))
        return plain
    msg = (
        f"cannot digest {type(value).__name__} {value!r}{where}: pass JSON values (text, "
        "whole numbers, booleans, None, lists and text-keyed mappings); write amounts and "
        "instants as text"
    )
    raise InvalidAuditEntryError(msg)


# -- entries ---------------------------------------------------------------------------


def _text(value: object) -> object:
    # An identifier (a str subclass) is kept as the plain text a store gives back.
    return str(value) if isinstance(value, str) else value


def _utc(value: dt.datetime) -> pendulum.DateTime:
    instant = as_instant(value, what="audit entry instant")
    return instant if instant.tzinfo is _UTC else instant.in_tz(_UTC)


def is_name(value: object) -> bool:
    r"""Whether ``value`` can name an entry's actor, action or record.

    Non-blank text of at most :data:`MAX_NAME_LENGTH` characters, with no control
    character and no lone surrogate.

    Example:
        >>> from staycore.kernel.audit import is_name
        >>> is_name("configuration:access_policy"), is_name("two\nlines"), is_name(" ")
        (True, False, False)
    """
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value) <= MAX_NAME_LENGTH
        and not _NOT_IN_NAMES.search(value)
    )


def _check_name(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not is_name(value):
        msg = (
            f"an audit entry's {attribute.name} is non-blank text of at most "
            f"{MAX_NAME_LENGTH} characters without control characters, got {value!r}"
        )
        raise InvalidAuditEntryError(msg)


def _check_digest(_instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not (isinstance(value, str) and _HEX_DIGEST.fullmatch(value)):
        msg = (
            f"{attribute.name} is a SHA-256 digest in 64 lowercase hex characters (as "
            f"digest_of gives), or None when there is no state to digest; got {value!r}"
        )
        raise InvalidAuditEntryError(msg)


def _check_detail(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, str) or len(value) > MAX_DETAIL_LENGTH or _UNSTORABLE.search(value):
        msg = (
            f"an audit entry's detail is text of at most {MAX_DETAIL_LENGTH} characters, "
            f"without NUL characters or lone surrogates; got {value!r:.80}"
        )
        raise InvalidAuditEntryError(msg)


@attrs.frozen(kw_only=True)
class AuditEntry:
    """What happened, as a caller records it: who did what to which record, and when.

    Attributes:
        actor: Who did it: a staff member's or a customer's id, or a process
            (``"system:sweeper"``).
        action: What was done, as ``context.verb`` (``"order.refund"``,
            ``"profile.update"``, ``"tier_rules.replace"``, ``"customers.export"``).
        record: Which record: an aggregate's id, or what an export covered.
        at: When it happened; stored in UTC.
        before_digest: :func:`digest_of` the record's state before the change, or
            ``None`` (nothing existed before, or an export).
        after_digest: :func:`digest_of` the record's state after the change, or ``None``
            (it was erased, or an export).
        detail: A short note for the human reading the trail; no personal data.

    Raises:
        InvalidAuditEntryError: ``actor``, ``action`` or ``record`` is blank, longer than
            :data:`MAX_NAME_LENGTH` or holds a control character; a digest is not 64
            lowercase hex characters; ``detail`` is longer than
            :data:`MAX_DETAIL_LENGTH` or holds a NUL character.
        NaiveDatetimeError: ``at`` has no timezone.

    Example:
        >>> import pendulum
        >>> from staycore.kernel.audit import AuditEntry
        >>> entry = AuditEntry(actor="staff:mei", action="profile.update",
        ...                    record="cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7",
        ...                    at=pendulum.datetime(2026, 5, 1, 11, tz="Europe/Rome"))
        >>> entry.at.isoformat(), entry.before_digest, entry.detail
        ('2026-05-01T09:00:00+00:00', None, '')
        >>> AuditEntry(actor="staff:mei", action="profile.update", record="cus_1",
        ...            at=entry.at, after_digest="ABC")
        Traceback (most recent call last):
        ...
        staycore.kernel.audit.InvalidAuditEntryError: [audit.invalid_entry] ...
    """

    actor: str = attrs.field(converter=_text, validator=_check_name)
    action: str = attrs.field(converter=_text, validator=_check_name)
    record: str = attrs.field(converter=_text, validator=_check_name)
    at: pendulum.DateTime = attrs.field(converter=_utc)
    before_digest: str | None = attrs.field(default=None, validator=_check_digest)
    after_digest: str | None = attrs.field(default=None, validator=_check_digest)
    detail: str = attrs.field(default="", converter=_text, validator=_check_detail)


# -- records and the chain -------------------------------------------------------------


def _check_sequence(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"a record's sequence is a whole number of at least 1, got {value!r}"
        raise InvalidAuditEntryError(msg)
    return value


def _check_hash(value: object, what: str) -> str:
    if not isinstance(value, str) or not _HEX_DIGEST.fullmatch(value):
        msg = f"{what} is a SHA-256 hash in 64 lowercase hex characters, got {value!r}"
        raise InvalidAuditEntryError(msg)
    return value


def chain_hash(previous_hash: str, sequence: int, entry: AuditEntry) -> str:
    """Return the hash a record of ``entry`` at ``sequence``, after ``previous_hash``, has.

    It is :func:`digest_of` a JSON object of the record's fields: ``previous_hash``,
    ``sequence``, and ``actor``, ``action``, ``record``, ``at`` (UTC, as
    ``2026-05-01T01:00:00.000000+00:00``), ``before_digest``, ``after_digest`` and
    ``detail`` of the entry. Every adapter stores it, and :func:`verify_chain` checks it.

    Raises:
        InvalidAuditEntryError: ``previous_hash`` is not 64 lowercase hex characters,
            ``sequence`` is not a whole number of at least 1, or ``entry`` is not an
            :class:`AuditEntry`.

    Example:
        Continuing the module example above:

        >>> from staycore.kernel.audit import GENESIS_HASH, chain_hash
        >>> chain_hash(GENESIS_HASH, 1, refund) == first.hash
        True
        >>> chain_hash(GENESIS_HASH, 2, refund) == first.hash
        False
    """
    _check_hash(previous_hash, "previous_hash")
    _check_sequence(sequence)
    if not isinstance(entry, AuditEntry):
        msg = f"an audit record holds an AuditEntry, got {entry!r}"
        raise InvalidAuditEntryError(msg)
    return digest_of(
        {
            "previous_hash": previous_hash,
            "sequence": sequence,
            "actor": entry.actor,
            "action": entry.action,
            "record": entry.record,
            "at": entry.at.in_tz(_UTC).isoformat(timespec="microseconds"),
            "before_digest": entry.before_digest,
            "after_digest": entry.after_digest,
            "detail": entry.detail,
        }
    )


def _record_sequence(_instance: object, _attribute: attrs.Attribute[int], value: object) -> None:
    _check_sequence(value)


def _record_entry(
    _instance: object, _attribute: attrs.Attribute[AuditEntry], value: object
) -> None:
    if not isinstance(value, AuditEntry):
        msg = f"an audit record holds an AuditEntry, got {value!r}"
        raise InvalidAuditEntryError(msg)


def _record_hash(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_hash(value, f"a record's {attribute.name}")


@attrs.frozen(kw_only=True)
class AuditRecord:
    """An entry as an audit log stores it: numbered, and chained to the record before.

    Build the next record of a log with :meth:`chained`. The constructor checks the
    fields' form only, not that ``hash`` is right: a record read from a store that was
    tampered with must still be a value, so that :func:`verify_chain` can report it.

    Attributes:
        sequence: The record's place in the log: 1, 2, 3... without gaps.
        entry: What was recorded.
        previous_hash: The hash of the record before, or :data:`GENESIS_HASH` for the
            first.
        hash: :func:`chain_hash` of ``previous_hash``, ``sequence`` and ``entry``.

    Raises:
        InvalidAuditEntryError: ``sequence`` is not a whole number of at least 1, a hash
            is not 64 lowercase hex characters, or ``entry`` is not an
            :class:`AuditEntry`.

    Example:
        Continuing the module example above:

        >>> first.sequence, first.previous_hash == GENESIS_HASH, len(first.hash)
        (1, True, 64)
    """

    sequence: int = attrs.field(validator=_record_sequence)
    entry: AuditEntry = attrs.field(validator=_record_entry)
    previous_hash: str = attrs.field(validator=_record_hash)
    hash: str = attrs.field(validator=_record_hash)

    @classmethod
    def chained(cls, entry: AuditEntry, *, after: AuditRecord | None) -> AuditRecord:
        """Return the record that appends ``entry`` to a log whose last record is ``after``.

        Args:
            entry: What to record.
            after: The log's last record (its head), or ``None`` for an empty log.

        Raises:
            InvalidAuditEntryError: ``entry`` is not an :class:`AuditEntry`, or
                ``after`` is not a record.

        Example:
            Continuing the module example above:

            >>> third = AuditRecord.chained(refund, after=second)
            >>> third.sequence, third.previous_hash == second.hash
            (3, True)
        """
        if after is None:
            sequence, previous = 1, GENESIS_HASH
        elif isinstance(after, AuditRecord):
            sequence, previous = after.sequence + 1, after.hash
        else:
            msg = f"after is the log's last AuditRecord, or None for an empty log; got {after!r}"
            raise InvalidAuditEntryError(msg)
        return cls(
            sequence=sequence,
            entry=entry,
            previous_hash=previous,
            hash=chain_hash(previous, sequence, entry),
        )


class ChainFault(enum.Enum):
    """What :func:`verify_chain` found wrong with a record."""

    ALTERED = "altered"
    """The record's fields do not give its hash: its entry, sequence or hash was edited."""
    BROKEN_LINK = "broken_link"
    """Its ``previous_hash`` is not the hash of the record read before it (or of the
    trusted start): a record before it was edited, removed or put in."""
    GAP = "gap"
    """Sequence numbers are missing before it: records were removed."""
    OUT_OF_ORDER = "out_of_order"
    """Its sequence repeats or goes back: a record was copied, put in, or moved."""


@attrs.frozen
class ChainProblem:
    """One problem :func:`verify_chain` found.

    Attributes:
        sequence: The sequence of the record with the problem, as stored.
        position: Where that record came in the records read, from 0 (two records may
            share a sequence).
        fault: What is wrong.
        message: The problem in words, for a report.
    """

    sequence: int
    position: int
    fault: ChainFault
    message: str


@attrs.frozen
class ChainReport:
    """What :func:`verify_chain` found: the problems, none for an intact chain.

    Attributes:
        checked: How many records were read.
        problems: Every problem, in the order the records were read.
        end_sequence: The sequence of the last record read (or the ``after`` given,
            when none was read).
        end_hash: The hash of the last record read (or the ``previous_hash`` given).
            With :attr:`end_sequence`, what to verify the next records from, and the head
            to keep apart from the log (see the module's documentation).
    """

    checked: int
    problems: tuple[ChainProblem, ...]
    end_sequence: int
    end_hash: str

    @property
    def ok(self) -> bool:
        """Whether the records form one intact chain.

        Example:
            >>> from staycore.kernel.audit import verify_chain
            >>> verify_chain([]).ok
            True
        """
        return not self.problems


def verify_chain(
    records: Iterable[AuditRecord], *, after: int = 0, previous_hash: str = GENESIS_HASH
) -> ChainReport:
    """Check that ``records`` form one intact chain; report every problem, never raise for one.

    Each record is checked against the one read before it: its sequence is one more
    (:attr:`ChainFault.GAP` if it is further on, :attr:`ChainFault.OUT_OF_ORDER` if it
    repeats or goes back), its ``previous_hash`` is that record's hash
    (:attr:`ChainFault.BROKEN_LINK`), and its own fields give its hash
    (:attr:`ChainFault.ALTERED`). The records are read once, in the order given, so a
    long log can be checked page by page, each page from where the one before ended
    (:attr:`ChainReport.end_sequence` and :attr:`ChainReport.end_hash`).

    Args:
        records: The records, in sequence order, as the log gives them.
        after: The sequence of the trusted record just before ``records``; 0 when they
            start at the beginning of the log.
        previous_hash: That trusted record's hash; :data:`GENESIS_HASH` from the
            beginning.

    Raises:
        InvalidAuditEntryError: An item of ``records`` is not an :class:`AuditRecord`,
            ``after`` is not a whole number of at least 0, or ``previous_hash`` is not 64
            lowercase hex characters (or not :data:`GENESIS_HASH` with ``after=0``).

    Example:
        Continuing the module example above: the second record alone, trusting the first.

        >>> report = verify_chain([second], after=1, previous_hash=first.hash)
        >>> report.ok, report.checked, report.end_sequence, report.end_hash == second.hash
        (True, 1, 2, True)
        >>> [problem.message for problem in verify_chain([second]).problems]
        ['record 1 is missing before record 2',
         'record 2 does not link to the start of the log (the genesis hash)']
    """
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        msg = f"after is the sequence of the record before the window, 0 or more; got {after!r}"
        raise InvalidAuditEntryError(msg)
    _check_hash(previous_hash, "previous_hash")
    if after == 0 and previous_hash != GENESIS_HASH:
        msg = (
            "a log's first record links to GENESIS_HASH; give previous_hash only with the "
            "sequence (after) of the record it is the hash of"
        )
        raise InvalidAuditEntryError(msg)
    problems: list[ChainProblem] = []
    highest, link, last, checked = after, previous_hash, after, 0
    linked_to = f"record {after}" if after else "the start of the log (the genesis hash)"
    for position, record in enumerate(records):
        if not isinstance(record, AuditRecord):
            msg = f"verify_chain reads AuditRecords, got {record!r} at position {position}"
            raise InvalidAuditEntryError(msg)
        sequence = record.sequence
        found: list[tuple[ChainFault, str]] = []
        if sequence <= highest:
            found.append(
                (
                    ChainFault.OUT_OF_ORDER,
                    f"record {sequence} comes after record {highest}: it repeats or is "
                    "out of place",
                )
            )
        elif sequence > highest + 1:
            missing = (
                f"record {highest + 1} is"
                if sequence == highest + 2
                else f"records {highest + 1} to {sequence - 1} are"
            )
            found.append((ChainFault.GAP, f"{missing} missing before record {sequence}"))
        if record.previous_hash != link:
            found.append(
                (ChainFault.BROKEN_LINK, f"record {sequence} does not link to {linked_to}")
            )
        if record.hash != chain_hash(record.previous_hash, sequence, record.entry):
            found.append(
                (
                    ChainFault.ALTERED,
                    f"record {sequence} does not hash to its stored hash: its entry, "
                    "sequence or hash was changed after it was written",
                )
            )
        problems.extend(ChainProblem(sequence, position, *problem) for problem in found)
        highest, link, last, checked = max(highest, sequence), record.hash, sequence, checked + 1
        linked_to = f"record {sequence} before it"
    return ChainReport(checked, tuple(problems), last, link)


def check_page(after: int, limit: int | None) -> None:
    """Refuse a page of an audit log that cannot be read: adapters call it first.

    Args:
        after: The sequence records are read after: a whole number, 0 or more.
        limit: The most records to read, a whole number 0 or more; ``None`` for all.

    Raises:
        InvalidAuditEntryError: Either is not as described.

    Example:
        >>> from staycore.kernel.audit import check_page
        >>> check_page(0, None)
        >>> check_page(10, -1)
        Traceback (most recent call last):
        ...
        staycore.kernel.audit.InvalidAuditEntryError: [audit.invalid_entry] ...
    """
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        msg = (
            f"after is the sequence to read records after: a whole number, 0 or more; got {after!r}"
        )
        raise InvalidAuditEntryError(msg)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        msg = f"limit is the most records to read, a whole number 0 or more, or None; got {limit!r}"
        raise InvalidAuditEntryError(msg)


def check_record(record: object) -> str:
    """Refuse a record name that no entry can carry: adapters call it before a lookup.

    Args:
        record: The record name to look entries up by: text.

    Returns:
        ``record``, as plain text (an identifier becomes the text a store gives back).

    Raises:
        InvalidAuditEntryError: ``record`` is not text.

    Example:
        >>> from staycore.kernel.audit import check_record
        >>> check_record("configuration:access_policy")
        'configuration:access_policy'
        >>> check_record(7)
        Traceback (most recent call last):
        ...
        staycore.kernel.audit.InvalidAuditEntryError: [audit.invalid_entry] ...
    """
    if not isinstance(record, str):
        msg = f"an audit entry's record is named by text, such as 'ord_01JD3M7K...'; got {record!r}"
        raise InvalidAuditEntryError(msg)
    return str(record)
