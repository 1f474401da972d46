"""The in-memory idempotency store.

Keeps the rules of :mod:`staycore.ports.idempotency` for one process: a key is claimed
by one request at a time, a finished request's result is replayed, and every record is
forgotten once its time to live has passed on the store's clock.

Example:
    >>> from datetime import timedelta
    >>> from staycore.adapters.memory import MemoryIdempotencyStore
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-01T09:00:00Z")
    >>> store = MemoryIdempotencyStore(clock)
    >>> store.claim("webhook-7", "sha256:c0ffee", ttl=timedelta(minutes=5)) is None
    True
    >>> _ = clock.advance(minutes=5)  # the claim lapsed: a retry may run the request
    >>> store.claim("webhook-7", "sha256:c0ffee", ttl=timedelta(minutes=5)) is None
    True
"""

from __future__ import annotations

import datetime as dt
import threading

import pendulum

from staycore.adapters.idempotency_keys import checked_key
from staycore.kernel.errors import (
    IdempotencyConflictError,
    IdempotencyInProgressError,
    InvalidDurationError,
)
from staycore.kernel.time import Clock, as_instant
from staycore.ports.idempotency import IdempotencyRecord

__all__ = ["MemoryIdempotencyStore"]


class MemoryIdempotencyStore:
    """An :class:`~staycore.ports.idempotency.IdempotencyStore` in process memory.

    Safe to share between threads. A record expires when the clock reaches its
    ``expires_at`` (claim time plus ``ttl``); expired records are dropped as they are met.

    Args:
        clock: Tells when records expire; pass a
            :class:`~staycore.testing.clock.FrozenClock` in tests.

    Example:
        >>> from datetime import timedelta
        >>> from staycore.adapters.memory import MemoryIdempotencyStore
        >>> from staycore.testing.clock import FrozenClock
        >>> store = MemoryIdempotencyStore(FrozenClock("2026-05-01T09:00:00Z"))
        >>> store.claim("refund-9", "sha256:aa", ttl=timedelta(hours=1)) is None
        True
        >>> store.claim("refund-9", "sha256:bb", ttl=timedelta(hours=1))
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.IdempotencyConflictError: [idempotency.key_reused] ...
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, IdempotencyRecord] = {}

    def claim(self, key: str, fingerprint: str, *, ttl: dt.timedelta) -> IdempotencyRecord | None:
        """Start a request under ``key``, atomically.

        Args:
            key: The idempotency key the client sent.
            fingerprint: A fingerprint of the request's content.
            ttl: How long to remember the key, counted from now; positive.

        Returns:
            ``None`` when the caller now owns the key: run the request, then call
            :meth:`complete` or :meth:`release`. The completed record when the request
            already ran: replay its ``result``.

        Raises:
            IdempotencyConflictError: ``key`` is held by a different fingerprint.
            IdempotencyInProgressError: The same request is still running.
            InvalidDurationError: ``ttl`` is not a positive duration.
            InvalidIdempotencyKeyError: ``key`` is not text a store can keep (see
                :func:`~staycore.adapters.idempotency_keys.checked_key`).

        Example:
            >>> from datetime import timedelta
            >>> from staycore.adapters.memory import MemoryIdempotencyStore
            >>> from staycore.testing.clock import FrozenClock
            >>> store = MemoryIdempotencyStore(FrozenClock("2026-05-01T09:00:00Z"))
            >>> store.claim("pay-1", "sha256:ab", ttl=timedelta(hours=1)) is None
            True
            >>> store.claim("pay-1", "sha256:ab", ttl=timedelta(hours=1))
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.IdempotencyInProgressError: [idempotency.in_progress] ...
        """
        key = checked_key(key)
        if not isinstance(ttl, dt.timedelta) or ttl <= dt.timedelta(0):
            msg = f"ttl must be a positive duration such as timedelta(hours=24), got {ttl!r}"
            raise InvalidDurationError(msg)
        with self._lock:
            now = self._now()
            record = self._live(key, now)
            if record is None:
                # Stored in UTC so that expiry is elapsed time, whatever zone the clock shows.
                expires_at = now.in_tz("UTC") + ttl
                self._records[key] = IdempotencyRecord(key, fingerprint, None, expires_at)
                return None
            if record.fingerprint != fingerprint:
                msg = (
                    f"idempotency key {key!r} was already used for a different request; "
                    "send a new key for a new request"
                )
                raise IdempotencyConflictError(msg)
            if record.result is None:
                msg = (
                    f"the request with idempotency key {key!r} is still running; "
                    "retry after it finishes"
                )
                raise IdempotencyInProgressError(msg)
            return record

    def complete(self, key: str, fingerprint: str, result: str) -> None:
        """Store the result of the request that claimed ``key``.

        Args:
            key: The key the request claimed.
            fingerprint: The fingerprint it claimed the key with.
            result: What to replay to repeats of the request (text, usually JSON).

        Raises:
            IdempotencyConflictError: ``key`` is not claimed by ``fingerprint``: it was
                never claimed, the claim expired or was released, another request holds
                it, or the request already completed.

        Example:
            >>> from datetime import timedelta
            >>> from staycore.adapters.memory import MemoryIdempotencyStore
            >>> from staycore.testing.clock import FrozenClock
            >>> store = MemoryIdempotencyStore(FrozenClock("2026-05-01T09:00:00Z"))
            >>> store.complete("pay-2", "sha256:ab", "{}")
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.IdempotencyConflictError: [idempotency.key_reused] ...
        """
        with self._lock:
            record = self._live(key, self._now())
            if record is None or record.fingerprint != fingerprint or record.result is not None:
                msg = (
                    f"cannot complete idempotency key {key!r}: it is not claimed by this "
                    "request (never claimed, expired, released, held by a different "
                    "request, or already completed); claim it before running the request"
                )
                raise IdempotencyConflictError(msg)
            self._records[key] = IdempotencyRecord(key, fingerprint, result, record.expires_at)

    def release(self, key: str, fingerprint: str) -> None:
        """Give up an unfinished claim so that a retry can run; do nothing otherwise.

        Example:
            >>> from datetime import timedelta
            >>> from staycore.adapters.memory import MemoryIdempotencyStore
            >>> from staycore.testing.clock import FrozenClock
            >>> store = MemoryIdempotencyStore(FrozenClock("2026-05-01T09:00:00Z"))
            >>> store.claim("pay-3", "sha256:ab", ttl=timedelta(hours=1)) is None
            True
            >>> store.release("pay-3", "sha256:ab")  # the payment provider timed out
            >>> store.claim("pay-3", "sha256:ab", ttl=timedelta(hours=1)) is None
            True
        """
        with self._lock:
            record = self._records.get(key)
            if record is not None and record.fingerprint == fingerprint and record.result is None:
                del self._records[key]

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")

    def _live(self, key: str, now: pendulum.DateTime) -> IdempotencyRecord | None:
        """Return the record of ``key`` unless it has expired; forget it if it has."""
        record = self._records.get(key)
        if record is not None and now >= record.expires_at:
            del self._records[key]
            return None
        return record

    def __repr__(self) -> str:
        with self._lock:
            return f"MemoryIdempotencyStore({self._clock!r}, keys={len(self._records)})"
