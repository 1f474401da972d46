"""Configuration in the audit log: each change to the rules an application runs under.

Permissions (the :class:`~staycore.app.access.AccessPolicy`), the loyalty programme, the
service desk's policy and pricing rule sets are the host's configuration: values built
in code or read from documents, passed to :func:`staycore.bootstrap` or to
:meth:`Pricing.quote <staycore.app.pricing.Pricing.quote>`. staycore cannot see them
being edited, so it notices a change when it takes effect: :func:`record_configuration`
digests the value in use and compares the digest with the one the audit log last
recorded under the configuration's name. A new digest is written as one
``configuration.changed`` entry (:data:`CONFIGURATION_CHANGED`) on the record
``configuration:<name>`` (:func:`configuration_record`), its ``before_digest`` the digest
recorded last (``None`` the first time), its ``after_digest`` the new one; the same value
again writes nothing. The entries hold digests, never the values, so the trail proves
which configuration was in force from when without holding a copy of it.

What records what:

* :func:`staycore.bootstrap` records ``access_policy``, ``service_policy`` and, when it
  is given one, ``loyalty_programme``, as the application is built: one
  :meth:`~staycore.ports.audit.AuditLog.latest` lookup each.
* :class:`~staycore.app.pricing.Pricing` records each rule set the first time the
  process prices with it, as ``rule_set:<version>`` (:func:`rule_set_name`): a new
  version, or new rules under an old version, is a change.

**The digest.** :func:`configuration_digest` is
:func:`~staycore.kernel.audit.digest_of` the value's
:func:`~staycore.kernel.events.plain_value`: every field, amounts and instants as text,
sets sorted. A value with parts that have no plain form (a host's own tag condition
holding a float or a function, say) is still digested: a float as its ``repr`` (the
shortest text that reads back as the same float), a function or class as its qualified
name, an enum member as its value, and any other object as its type's qualified name.
Such a digest is the same in every process, so an unchanged configuration is never
taken for a changed one; but a change *inside* an object of that last kind (one with
neither attrs fields nor a plain form) goes unnoticed. Build configuration from attrs
values, as staycore's own are, to have every field covered.

Two servers that start at once with a new configuration may each record the change: the
log then holds the same change twice, both with the same digests.

Example:
    >>> from staycore.adapters.memory import MemoryAuditLog
    >>> from staycore.app.access import AccessPolicy
    >>> from staycore.app.configuration import record_configuration
    >>> from staycore.kernel.audit import verify_chain
    >>> from staycore.testing.clock import FrozenClock
    >>> log, clock = MemoryAuditLog(), FrozenClock("2026-06-01T09:00:00Z")
    >>> policy = AccessPolicy.least_privilege()
    >>> first = record_configuration(log, clock, name="access_policy", value=policy)
    >>> first.entry.action, first.entry.record, first.entry.before_digest
    ('configuration.changed', 'configuration:access_policy', None)
    >>> record_configuration(log, clock, name="access_policy", value=policy) is None
    True
    >>> night_audit = AccessPolicy.from_data({"night_audit": ["stays.manage"]})
    >>> second = record_configuration(log, clock, name="access_policy", value=night_audit)
    >>> second.entry.before_digest == first.entry.after_digest, second.entry.detail
    (True, 'access_policy: changed since record 1')
    >>> verify_chain(log.records()).ok
    True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import attrs

from staycore.kernel.audit import (
    MAX_NAME_LENGTH,
    AuditEntry,
    AuditRecord,
    InvalidAuditEntryError,
    digest_of,
    is_name,
)
from staycore.kernel.events import InvalidEventError, JSONValue, plain_value
from staycore.kernel.time import Clock
from staycore.ports.audit import AuditLog

__all__ = [
    "CONFIGURATION_CHANGED",
    "configuration_digest",
    "configuration_record",
    "record_configuration",
    "rule_set_name",
]

CONFIGURATION_CHANGED: Final = "configuration.changed"
"""The action of the audit entry that records a configuration in force for the first
time, or changed."""

_PREFIX: Final = "configuration:"


def configuration_record(name: str) -> str:
    """Return the audit record a configuration called ``name`` is recorded under.

    Args:
        name: The configuration's name, such as ``"access_policy"``.

    Returns:
        ``configuration:<name>``, for :meth:`AuditLog.latest
        <staycore.ports.audit.AuditLog.latest>` to find its last change.

    Raises:
        InvalidAuditEntryError: ``name`` is not non-blank text, holds a control
            character, or is too long for an audit record name
            (:data:`~staycore.kernel.audit.MAX_NAME_LENGTH` with the prefix).

    Example:
        >>> from staycore.app.configuration import configuration_record
        >>> configuration_record("access_policy")
        'configuration:access_policy'
        >>> configuration_record("")
        Traceback (most recent call last):
        ...
        staycore.kernel.audit.InvalidAuditEntryError: [audit.invalid_entry] ...
    """
    if not isinstance(name, str) or not name.strip() or not is_name(f"{_PREFIX}{name}"):
        msg = (
            "a configuration's name is non-blank text of at most "
            f"{MAX_NAME_LENGTH - len(_PREFIX)} characters without control characters, "
            f"such as 'access_policy'; got {name!r:.80}"
        )
        raise InvalidAuditEntryError(msg)
    return f"{_PREFIX}{name}"


def rule_set_name(version: str) -> str:
    """Return the configuration name a pricing rule set of ``version`` is recorded under.

    ``rule_set:<version>``; a version that cannot be part of an audit record name (too
    long, or holding a control character) is named by its digest instead, as
    ``rule_set:sha256:<digest of the version>``.

    Args:
        version: The rule set's :attr:`~staycore.pricing.rules.RuleSet.version`.

    Raises:
        InvalidAuditEntryError: ``version`` is not text.

    Example:
        >>> from staycore.app.configuration import configuration_record, rule_set_name
        >>> configuration_record(rule_set_name("2026-summer"))
        'configuration:rule_set:2026-summer'
        >>> rule_set_name("2026-" + "x" * 300)[:24]
        'rule_set:sha256:6c6ce330'
    """
    if not isinstance(version, str):
        msg = f"a rule set's version is text, such as '2026-11'; got {version!r}"
        raise InvalidAuditEntryError(msg)
    name = f"rule_set:{version}"
    if not is_name(f"{_PREFIX}{name}"):
        return f"rule_set:sha256:{digest_of(version)}"
    return name


def configuration_digest(value: object) -> str:
    """Return the digest that stands for ``value`` in a ``configuration.changed`` entry.

    :func:`~staycore.kernel.audit.digest_of` the value's
    :func:`~staycore.kernel.events.plain_value`. Parts with no plain form are digested
    as the module's documentation says, so that every value has a digest, the same in
    every process.

    Args:
        value: The configuration: an access policy, a programme, a rule set...

    Example:
        >>> from staycore.app.access import AccessPolicy
        >>> from staycore.app.configuration import configuration_digest
        >>> policy = AccessPolicy.from_data({"night_audit": ["stays.manage"]})
        >>> configuration_digest(policy) == configuration_digest(
        ...     AccessPolicy.from_data({"night_audit": ["stays.manage"]}))
        True
        >>> configuration_digest({"threshold": 0.5}) == configuration_digest({"threshold": 0.25})
        False
    """
    return digest_of(_plain(value))


def record_configuration(
    audit: AuditLog,
    clock: Clock,
    *,
    name: str,
    value: object,
    actor: str = "system",
) -> AuditRecord | None:
    """Record ``value`` as the configuration called ``name``, if it changed since last recorded.

    Reads the audit log's latest entry on ``configuration:<name>``: when its
    ``after_digest`` is the digest of ``value``, nothing is written and ``None`` is
    returned; otherwise (a new value, or the first time) one ``configuration.changed``
    entry is appended, from that digest (``None`` the first time) to the new one.

    Args:
        audit: The audit log.
        clock: When the change took effect: now.
        name: The configuration's name (see :func:`configuration_record`).
        value: The configuration now in force.
        actor: Who the entry names; the host's configuration has no signed-in author,
            so ``"system"`` by default.

    Returns:
        The record appended, or ``None`` when the value is the one recorded last.

    Raises:
        InvalidAuditEntryError: ``name`` or ``actor`` cannot be part of an audit entry.
        StoreBusyError: The log stayed locked longer than the database's timeout.
        StoreUnavailableError: The database cannot be reached.

    Example:
        See the module example.
    """
    record = configuration_record(name)
    digest = configuration_digest(value)
    previous = audit.latest(record)
    before = None if previous is None else previous.entry.after_digest
    if before == digest:
        return None
    detail = (
        f"{name}: first recorded"
        if previous is None
        else f"{name}: changed since record {previous.sequence}"
    )
    return audit.append(
        AuditEntry(
            actor=actor,
            action=CONFIGURATION_CHANGED,
            record=record,
            at=clock.now(),
            before_digest=before,
            after_digest=digest,
            detail=detail,
        )
    )


def _plain(value: object) -> JSONValue:  # noqa: PLR0911 - one branch per value kind
    """``value``'s plain form, with what has none written as the module says."""
    try:
        return plain_value(value)
    except InvalidEventError:
        pass
    kind = type(value)
    if attrs.has(kind):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(kind)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(item) for item in value), key=repr)
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, float):
        return repr(value)
    if callable(value):
        return _qualified(value)
    return f"<{_qualified(type(value))}>"


def _qualified(thing: object) -> str:
    module = getattr(thing, "__module__", None) or "?"
    name = getattr(thing, "__qualname__", None) or type(thing).__qualname__
    return f"{module}.{name}"
