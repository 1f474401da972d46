"""The error hierarchy: one root, one family per context, one stable code per error.

Every error staycore raises on purpose is a :class:`StaycoreError`. Each subclass
declares a ``code``: a short dotted string (``"money.currency_mismatch"``) that never
changes once released, so host applications can map errors to HTTP statuses, user
messages or retries without parsing the text. The message says what to fix.

Codes are checked when a subclass is declared: a missing, malformed or reused code
is a programming error and fails at import time, not in production.

Example:
    >>> from staycore.kernel.errors import CurrencyMismatchError, StaycoreError
    >>> try:
    ...     raise CurrencyMismatchError("cannot add EUR to USD; convert one side first")
    ... except StaycoreError as error:
    ...     print(error.code)
    money.currency_mismatch
"""

from __future__ import annotations

import re
from typing import ClassVar

__all__ = [
    "AggregateNotFoundError",
    "AllocationError",
    "ConcurrencyError",
    "CurrencyMismatchError",
    "DuplicateAggregateError",
    "GuardRejectedError",
    "IdempotencyConflictError",
    "IdempotencyInProgressError",
    "IllegalTransitionError",
    "InvalidAmountError",
    "InvalidDurationError",
    "InvalidIdempotencyKeyError",
    "InvalidIdentifierError",
    "InvalidInstantError",
    "InvalidSlotError",
    "InvalidStayError",
    "InvalidStoreUrlError",
    "KernelError",
    "MoneyError",
    "NaiveDatetimeError",
    "NotRoundedError",
    "PersistenceError",
    "StateMachineError",
    "StaycoreError",
    "StoreBusyError",
    "StoreSchemaError",
    "StoreUnavailableError",
    "TimeError",
    "TransitionTableError",
    "UnitOfWorkStateError",
    "UnknownCurrencyError",
    "UnknownTimezoneError",
    "UnstorableValueError",
    "VersionNotAdvancedError",
    "error_codes",
]

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_REGISTRY: dict[str, type[StaycoreError]] = {}


class StaycoreError(Exception):
    """Root of every error staycore raises on purpose.

    Attributes:
        code: Stable, dotted identifier of the error kind (``context.reason``).
        message: What went wrong and what the caller should do about it.

    Example:
        >>> from staycore.kernel.errors import StaycoreError, UnknownCurrencyError
        >>> issubclass(UnknownCurrencyError, StaycoreError)
        True
        >>> UnknownCurrencyError("unknown currency 'XXY'").code
        'money.unknown_currency'
    """

    code: ClassVar[str] = "staycore.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            msg = f"{cls.__qualname__} must declare a dotted lower-case `code` such as 'money.x'"
            raise TypeError(msg)
        owner = _REGISTRY.get(code)
        # A module reloaded in a REPL declares the same class again; only a different
        # class reusing the code is a mistake.
        if owner is not None and _path(owner) != _path(cls):
            msg = f"error code {code!r} of {cls.__qualname__} is already used by {owner!r}"
            raise TypeError(msg)
        _REGISTRY[code] = cls

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def error_codes() -> dict[str, type[StaycoreError]]:
    """Return every declared error code and its class, for documentation and mapping tables.

    Example:
        >>> from staycore.kernel.errors import error_codes
        >>> error_codes()["time.invalid_stay"].__name__
        'InvalidStayError'
    """
    return dict(_REGISTRY)


class KernelError(StaycoreError):
    """A kernel value (money, time, identifier, state machine) was given bad input."""

    code = "kernel.error"


# -- money -----------------------------------------------------------------------------


class MoneyError(KernelError):
    """Money or currency was used in a way the money rules forbid."""

    code = "money.error"


class UnknownCurrencyError(MoneyError):
    """The currency code is not an ISO 4217 code staycore knows."""

    code = "money.unknown_currency"


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""

    code = "money.currency_mismatch"


class InvalidAmountError(MoneyError):
    """An amount is not an exact decimal (a float, NaN, infinity or unparsable text)."""

    code = "money.invalid_amount"


class NotRoundedError(MoneyError):
    """An operation needs an amount in whole minor units, and got a finer one."""

    code = "money.not_rounded"


class AllocationError(MoneyError):
    """Ratios for an allocation are empty, negative, all zero or not exact numbers."""

    code = "money.invalid_ratios"


# -- time ------------------------------------------------------------------------------


class TimeError(KernelError):
    """A date, instant, stay, slot or timezone is invalid."""

    code = "time.error"


class InvalidInstantError(TimeError):
    """A value that should name an instant is not a datetime or unreadable text."""

    code = "time.invalid_instant"


class NaiveDatetimeError(InvalidInstantError):
    """A datetime without a timezone was given where an instant is required."""

    code = "time.naive_datetime"


class InvalidDurationError(TimeError):
    """A duration (a time to live, a slot length) is not positive or not a timedelta."""

    code = "time.invalid_duration"


class UnknownTimezoneError(TimeError):
    """A timezone name is not in the IANA database."""

    code = "time.unknown_timezone"


class InvalidStayError(TimeError):
    """A stay is empty, reversed, or its dates are not plain dates."""

    code = "time.invalid_stay"


class InvalidSlotError(TimeError):
    """A slot ends at or before its start."""

    code = "time.invalid_slot"


# -- identifiers -----------------------------------------------------------------------


class InvalidIdentifierError(KernelError):
    """An identifier has the wrong prefix or is not a well-formed ULID."""

    code = "ids.invalid"


# -- state machines --------------------------------------------------------------------


class StateMachineError(KernelError):
    """A transition table or a transition on it is invalid."""

    code = "state_machine.error"


class TransitionTableError(StateMachineError):
    """A transition table is inconsistent (unknown, unreachable or dead-end states)."""

    code = "state_machine.invalid_table"


class IllegalTransitionError(StateMachineError):
    """An event is not allowed in the current state.

    Attributes:
        state: The current state.
        event: The event that was refused.
        allowed: The events the current state does accept.
    """

    code = "state_machine.illegal_transition"

    def __init__(self, state: object, event: object, allowed: tuple[object, ...]) -> None:
        names = ", ".join(_name(e) for e in allowed) or "none: it is final"
        super().__init__(
            f"event {_name(event)!r} is not allowed in state {_name(state)!r}; "
            f"allowed events: {names}"
        )
        self.state = state
        self.event = event
        self.allowed = allowed


class GuardRejectedError(StateMachineError):
    """An event is declared for the state, but its guard refused the transition.

    Attributes:
        state: The current state.
        event: The event whose guard refused.
        guard: The name of the guard that refused.
    """

    code = "state_machine.guard_rejected"

    def __init__(self, state: object, event: object, guard: str) -> None:
        super().__init__(
            f"event {_name(event)!r} from state {_name(state)!r} was refused by "
            f"guard {guard!r}; satisfy its condition before retrying"
        )
        self.state = state
        self.event = event
        self.guard = guard


def _name(value: object) -> str:
    """Name a state or event for a message: an enum's name, else its text."""
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else str(value)


# -- persistence (raised by adapters through the ports) ---------------------------------


class PersistenceError(StaycoreError):
    """Storage refused or could not complete an operation."""

    code = "persistence.error"


class AggregateNotFoundError(PersistenceError):
    """No aggregate with the requested identifier exists."""

    code = "persistence.not_found"


class DuplicateAggregateError(PersistenceError):
    """An aggregate with the same identifier already exists."""

    code = "persistence.duplicate"


class ConcurrencyError(PersistenceError):
    """The aggregate changed since it was read: reload it and retry the command."""

    code = "persistence.stale_version"


class VersionNotAdvancedError(PersistenceError):
    """A changed aggregate was saved with a version not above the one it came from."""

    code = "persistence.version_not_advanced"


class UnitOfWorkStateError(PersistenceError):
    """A unit of work was used outside its ``with`` block, or after it finished."""

    code = "persistence.unit_of_work_state"


class StoreBusyError(PersistenceError):
    """The database gave up a transaction to keep others consistent: run it again.

    A serialization failure, a deadlock or a lock that was not granted in time. Nothing
    of the transaction was written; use cases run it again a few times before raising.
    """

    code = "persistence.busy"


class StoreUnavailableError(PersistenceError):
    """The database cannot be reached, or the connection was lost mid-transaction.

    Nothing of the transaction was written. Retry later with the same idempotency key.
    """

    code = "persistence.unavailable"


class StoreSchemaError(PersistenceError):
    """The database lacks staycore's tables, or has them at another version."""

    code = "persistence.schema"


class InvalidStoreUrlError(PersistenceError):
    """A store URL names no database staycore can use."""

    code = "persistence.invalid_url"


class UnstorableValueError(PersistenceError):
    """The database cannot store a value: text with lone surrogates, a number too large.

    Nothing of the transaction was written. Fix the value (send text as valid Unicode);
    retrying the same value fails the same way.
    """

    code = "persistence.unstorable_value"


class IdempotencyConflictError(PersistenceError):
    """An idempotency key was reused for a different request."""

    code = "idempotency.key_reused"


class IdempotencyInProgressError(PersistenceError):
    """A request with this idempotency key is still running: retry after it finishes."""

    code = "idempotency.in_progress"


class InvalidIdempotencyKeyError(PersistenceError):
    """An idempotency key is not text a store can keep: empty, too long, or unencodable."""

    code = "idempotency.invalid_key"
