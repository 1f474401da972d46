"""Checking that staycore refuses bad input the way it promises.

Every refusal is a :class:`~staycore.kernel.errors.StaycoreError` with a stable ``code``
and a message that says what to fix. :func:`assert_refused` checks all three at once, so
a test of bad input cannot pass on the wrong error, the wrong code or a message that no
longer tells the caller what to do. It needs no test framework.

Example:
    >>> from staycore.kernel.errors import UnknownCurrencyError
    >>> from staycore.kernel.money import Money
    >>> from staycore.testing.errors import assert_refused
    >>> error = assert_refused(
    ...     UnknownCurrencyError, "money.unknown_currency", "ISO 4217", lambda: Money.of(1, "XYZ")
    ... )
    >>> error.code
    'money.unknown_currency'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from staycore.kernel.errors import StaycoreError

__all__ = ["assert_refused"]

E = TypeVar("E", bound=StaycoreError)


def assert_refused(error: type[E], code: str, says: str, call: Callable[[], object]) -> E:
    """Call ``call`` and check that it raises ``error`` with ``code``, saying ``says``.

    Args:
        error: The error class expected (a subclass is accepted).
        code: The stable code the error must carry.
        says: A phrase the message must contain: the advice a caller needs.
        call: The refused operation, usually a lambda.

    Returns:
        The raised error, for further checks.

    Raises:
        AssertionError: Nothing was raised, or the code, message or text is not as promised.
            Any other exception propagates unchanged.

    Example:
        >>> from staycore.kernel.errors import InvalidStayError
        >>> from staycore.kernel.time import Stay
        >>> from staycore.testing.errors import assert_refused
        >>> assert_refused(InvalidStayError, "time.invalid_stay", "YYYY-MM-DD", lambda: 42)
        Traceback (most recent call last):
        ...
        AssertionError: expected InvalidStayError [time.invalid_stay], but nothing was raised
    """
    try:
        call()
    except error as raised:
        problems = []
        if raised.code != code:
            problems.append(f"code {raised.code!r} instead of {code!r}")
        if says not in raised.message:
            problems.append(f"a message without {says!r}: {raised.message!r}")
        if str(raised) != f"[{raised.code}] {raised.message}":
            problems.append(f"text {str(raised)!r} that does not start with its code")
        if problems:
            msg = f"{type(raised).__name__} was raised with " + "; ".join(problems)
            raise AssertionError(msg) from raised
        return raised
    msg = f"expected {error.__name__} [{code}], but nothing was raised"
    raise AssertionError(msg)
