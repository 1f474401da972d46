"""The idempotency store port: running a request once, however often it is sent.

Payment webhooks arrive twice, guests double-click "pay", and clients retry after a
timeout. A host gives each request an idempotency key and a fingerprint of its content
(a hash of the command); the store makes sure that:

* the first request with a key runs, and its result is stored;
* a repeat with the same key and fingerprint gets the stored result back, and does not
  run again; while the first is still running, a repeat is told so;
* a repeat with the same key but a different fingerprint is refused with
  :class:`~staycore.kernel.errors.IdempotencyConflictError`: the same key cannot stand
  for two different requests.

The flow is ``claim`` -> run -> ``complete`` (or ``release`` if the request failed, so
that a retry can run it). Records expire after their time to live; an unfinished claim
left by a crashed process blocks its key until then.

Example:
    >>> from datetime import timedelta
    >>> from staycore.adapters.memory import MemoryIdempotencyStore
    >>> from staycore.testing.clock import FrozenClock
    >>> store = MemoryIdempotencyStore(FrozenClock("2026-05-01T09:00:00Z"))
    >>> store.claim("pay-42", "sha256:ab12", ttl=timedelta(hours=24)) is None
    True
    >>> store.complete("pay-42", "sha256:ab12", '{"status": "paid"}')
    >>> store.claim("pay-42", "sha256:ab12", ttl=timedelta(hours=24)).result
    '{"status": "paid"}'
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

import attrs
import pendulum

__all__ = ["IdempotencyRecord", "IdempotencyStore"]


@attrs.frozen
class IdempotencyRecord:
    """What the store remembers about a key.

    Attributes:
        key: The idempotency key.
        fingerprint: The fingerprint of the request that claimed the key.
        result: The stored result (text, usually JSON), or ``None`` while running.
        expires_at: When the store may forget the key.
    """

    key: str
    fingerprint: str
    result: str | None
    expires_at: pendulum.DateTime


@runtime_checkable
class IdempotencyStore(Protocol):
    """Remembers idempotency keys, their request fingerprints and results."""

    def claim(self, key: str, fingerprint: str, *, ttl: dt.timedelta) -> IdempotencyRecord | None:
        """Start a request under ``key``, atomically.

        Returns:
            ``None`` when the caller now owns the key and must run the request, then call
            :meth:`complete` or :meth:`release`; the completed record (with its
            ``result``) when the request already ran: replay that result.

        Raises:
            IdempotencyConflictError: ``key`` is held by a different fingerprint.
            IdempotencyInProgressError: The same request is still running.
        """
        ...

    def complete(self, key: str, fingerprint: str, result: str) -> None:
        """Store the result of the request that claimed ``key``.

        Raises:
            IdempotencyConflictError: ``key`` is not claimed by ``fingerprint``.
        """
        ...

    def release(self, key: str, fingerprint: str) -> None:
        """Give up an unfinished claim so that a retry can run; does nothing otherwise."""
        ...
