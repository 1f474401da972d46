"""The check every use case makes of its arguments before it reads, holds or writes.

Hosts call the use cases from code no type checker sees (a web handler, a task queue, a
notebook), so an argument may arrive as ``None``, a list or ``True`` where a
:class:`~staycore.kernel.time.Stay` belongs. Passed on, it fails deep inside with an
``AttributeError`` or a ``TypeError``, possibly after something was held. So a use case
checks each argument where it receives it, with :func:`expect` or, for a collection,
:func:`expect_each`, and refuses a wrong type with an :class:`InvalidArgumentError` that
names the argument, the type expected and an example of one.

Only the type is checked here: values are the types' own business (``Stay.parse``
refuses a reversed stay). Instants are checked by
:func:`~staycore.kernel.time.as_instant`, which refuses naive ones too, and text where an
id belongs by the id's own constructor.

Example:
    >>> from staycore.app.arguments import InvalidArgumentError, expect
    >>> from staycore.kernel.time import Stay
    >>> stay = Stay.parse("2026-07-10/2026-07-12")
    >>> expect(stay, Stay, name="stay") is stay
    True
    >>> try:
    ...     expect(None, Stay, name="Availability.check: stay",
    ...            example="Stay.parse('2026-07-10/2026-07-12')")
    ... except InvalidArgumentError as error:
    ...     print(error)
    [app.invalid_argument] Availability.check: stay must be a Stay such as
    Stay.parse('2026-07-10/2026-07-12'), got None
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import TypeGuard, TypeVar

from staycore.kernel.errors import StaycoreError
from staycore.kernel.ids import Identifier

__all__ = ["InvalidArgumentError", "expect", "expect_each", "expect_optional"]

T = TypeVar("T")

# isinstance takes a bool for an int and a datetime for a date; no caller means one.
_IMPOSTORS: dict[type, type] = {int: bool, dt.date: dt.datetime}
# Collections of characters or bytes, and mappings: never what a collection argument means.
_NOT_COLLECTIONS = (str, bytes, bytearray, Mapping)
_SHOWN = 80


class InvalidArgumentError(StaycoreError):
    """A use case was given an argument of the wrong type, such as ``None`` for a stay.

    Nothing was read, held or written: pass the type the message names, and call again.

    Example:
        >>> from staycore.app.arguments import InvalidArgumentError
        >>> InvalidArgumentError("Pricing.quote: pricer must be a Pricer, got None").code
        'app.invalid_argument'
    """

    code = "app.invalid_argument"


class _WrongKindError(Exception):
    """A value is not of the kind checked for (turned into the caller's error)."""


def expect(
    value: object,
    kind: type[T],
    *,
    name: str,
    example: str = "",
    what: str = "",
    error: type[StaycoreError] = InvalidArgumentError,
) -> T:
    """Return ``value`` if it is a ``kind``; refuse it otherwise.

    A bool is not taken for an int, nor a datetime for a date. Where ``kind`` is an
    :class:`~staycore.kernel.ids.Identifier`, text is taken too and checked by the id's
    constructor, as :meth:`~staycore.kernel.ids.Identifier.validate` does: ids arrive as
    text from JSON.

    Args:
        value: The argument as the caller gave it.
        kind: The type it must have.
        name: The argument, with the use case that takes it
            (``"Availability.check: stay"``).
        example: How to make one, for the message (``"Stay.parse('2026-07-10/2026-07-12')"``).
        what: What it must be, when more than the type's name (``"the Quote the guest
            accepted"``); ``kind``'s name by default.
        error: The error raised; it takes the message.

    Returns:
        ``value``, typed as a ``kind`` (an id built from text, for an id kind).

    Raises:
        InvalidArgumentError: ``value`` is not a ``kind`` (or ``error``, if given).
        InvalidIdentifierError: ``value`` is text that is not an id of ``kind``.

    Example:
        >>> from staycore.app.arguments import expect
        >>> from staycore.kernel.money import Money
        >>> expect(Money.of("50.00", "EUR"), Money, name="amount")
        Money('50.00', 'EUR')
        >>> expect(True, int, name="Availability.set_capacity: capacity", example="3")
        Traceback (most recent call last):
        ...
        staycore.app.arguments.InvalidArgumentError: [app.invalid_argument]
        Availability.set_capacity: capacity must be an int such as 3, got True
    """
    try:
        return _as(value, kind)
    except _WrongKindError:
        wanted = what or _a(kind.__name__)
        raise error(_message(name, wanted, example, _shown(value))) from None


def expect_optional(
    value: object,
    kind: type[T],
    *,
    name: str,
    example: str = "",
    what: str = "",
    error: type[StaycoreError] = InvalidArgumentError,
) -> T | None:
    """Return ``None`` for an argument left out, else what :func:`expect` makes of it.

    For an argument whose ``None`` means "the default" (what is due now, the whole
    horizon); say so in ``example``.

    Raises:
        InvalidArgumentError: ``value`` is neither ``None`` nor a ``kind`` (or ``error``,
            if given).

    Example:
        >>> from staycore.app.arguments import expect_optional
        >>> from staycore.kernel.money import Money
        >>> expect_optional(None, Money, name="Orders.pay: amount") is None
        True
        >>> expect_optional("50", Money, name="Orders.pay: amount",
        ...                 example="Money.of('50.00', 'EUR'), or None for what is due now")
        Traceback (most recent call last):
        ...
        staycore.app.arguments.InvalidArgumentError: [app.invalid_argument]
        Orders.pay: amount must be a Money such as Money.of('50.00', 'EUR'), or None for
        what is due now, got '50'
    """
    if value is None:
        return None
    return expect(value, kind, name=name, example=example, what=what, error=error)


def expect_each(
    value: object,
    kind: type[T],
    *,
    name: str,
    example: str = "",
    what: str = "",
    error: type[StaycoreError] = InvalidArgumentError,
) -> tuple[T, ...]:
    """Return the items of ``value`` if it is a collection of ``kind``; refuse it otherwise.

    A list, a tuple, a set or another sized collection is taken, and each item checked as
    :func:`expect` checks one; text, bytes and mappings are refused, although Python
    iterates them, since no caller means their characters or keys. A one-shot iterator is
    refused too: checking it would spend it.

    Args:
        value: The argument as the caller gave it.
        kind: The type each item must have.
        name: The argument, with the use case that takes it
            (``"Orders.cancel_lines: lines"``).
        example: How to make one, for the message (``"[order.lines[0].id]"``).
        what: What it must be, when more than a collection of the type's name
            (``"a list of StayRequest"``).
        error: The error raised; it takes the message.

    Returns:
        The items, in the collection's order, typed as ``kind`` (ids built from text,
        for an id kind).

    Raises:
        InvalidArgumentError: ``value`` is not a collection, or one of its items is not a
            ``kind`` (or ``error``, if given).
        InvalidIdentifierError: An item is text that is not an id of ``kind``.

    Example:
        >>> import datetime as dt
        >>> from staycore.app.arguments import expect_each
        >>> expect_each({dt.date(2026, 7, 22)}, dt.date, name="nights")
        (datetime.date(2026, 7, 22),)
        >>> expect_each("SUMMER10", str, name="Pricing.quote: codes", example="['SUMMER10']")
        Traceback (most recent call last):
        ...
        staycore.app.arguments.InvalidArgumentError: [app.invalid_argument]
        Pricing.quote: codes must be a collection of str such as ['SUMMER10'], got 'SUMMER10'
    """
    wanted = what or f"a collection of {kind.__name__}"
    if isinstance(value, _NOT_COLLECTIONS) or not isinstance(value, Collection):
        raise error(_message(name, wanted, example, _shown(value)))
    items = []
    for item in value:
        try:
            items.append(_as(item, kind))
        except _WrongKindError:
            raise error(_message(name, wanted, example, f"{_shown(item)} in it")) from None
    return tuple(items)


def _is(value: object, kind: type[T]) -> TypeGuard[T]:
    impostor = _IMPOSTORS.get(kind)
    return isinstance(value, kind) and not (impostor is not None and isinstance(value, impostor))


def _as(value: object, kind: type[T]) -> T:
    """``value`` as a ``kind``.

    Raises:
        _WrongKindError: It is not one.
    """
    if _is(value, kind):
        return value
    if isinstance(value, str) and issubclass(kind, Identifier):
        return kind(value)
    raise _WrongKindError


def _message(name: str, wanted: str, example: str, got: str) -> str:
    such_as = f" such as {example}" if example else ""
    return f"{name} must be {wanted}{such_as}, got {got}"


def _a(noun: str) -> str:
    """``noun`` with its article: an Order, a Stay (and a UnitId: a U sounds "you")."""
    return f"an {noun}" if noun[0] in "AEIOaeio" else f"a {noun}"


def _shown(value: object) -> str:
    """``value`` as a message shows it: its ``repr``, cut short."""
    try:
        text = repr(value)
    except ValueError:  # an int past sys.get_int_max_str_digits() has no repr
        return f"{_a(type(value).__name__)} too long to show"
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 3]}..."
