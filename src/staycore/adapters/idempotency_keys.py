"""What an idempotency key may be, the same for every store that keeps keys.

A key comes from the client (a header, a form field, a task id), so a store checks it
before using it: text of 1 to :data:`MAX_KEY_LENGTH` characters, with no NUL and no
lone surrogates (both stores keep keys as UTF-8 text, and PostgreSQL refuses NUL). The
memory and SQL stores refuse the same keys, so a host that moves from one to the other
sees no difference.

Example:
    >>> from staycore.adapters.idempotency_keys import checked_key
    >>> checked_key("pay-7f3a")
    'pay-7f3a'
    >>> checked_key("")
    Traceback (most recent call last):
    ...
    staycore.kernel.errors.InvalidIdempotencyKeyError: [idempotency.invalid_key] ...
"""

from __future__ import annotations

from typing import Final

from staycore.kernel.errors import InvalidIdempotencyKeyError

__all__ = ["MAX_KEY_LENGTH", "checked_key"]

MAX_KEY_LENGTH: Final = 255
"""The longest key, in characters: the SQL store's column holds 255."""


def checked_key(key: object) -> str:
    """``key`` if a store can keep it as an idempotency key.

    Raises:
        InvalidIdempotencyKeyError: ``key`` is not text, is empty or longer than
            :data:`MAX_KEY_LENGTH`, or holds NUL or a lone surrogate.

    Example:
        >>> from staycore.adapters.idempotency_keys import checked_key
        >>> checked_key(42)
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.InvalidIdempotencyKeyError: [idempotency.invalid_key] ...
    """
    if not isinstance(key, str):
        msg = f"an idempotency key is text such as 'pay-7f3a', got {type(key).__name__}"
        raise InvalidIdempotencyKeyError(msg)
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        msg = (
            f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters, got {len(key)}; "
            "send a short unique key per request, such as a UUID"
        )
        raise InvalidIdempotencyKeyError(msg)
    if "\x00" in key or not _encodable(key):
        msg = (
            f"idempotency key {key[:40]!r} holds NUL or a lone surrogate, which no store "
            "can keep; send the key as plain text, such as a UUID"
        )
        raise InvalidIdempotencyKeyError(msg)
    return key


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
