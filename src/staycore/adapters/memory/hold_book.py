"""The holds of a memory store: found by id, expired by a heap, moved through their lifecycle.

The memory inventory, appointment and stock stores keep their holds the same way, so
they keep them in one :class:`HoldBook` each. The book knows the hold lifecycle
(:func:`~staycore.availability.holds.next_status`), retries of a hold id, and expiry; the
store says the rest when it makes its book: what a hold holds, in words (for the error
on a reused hold id), what its holds are called (for the error on an unknown hold id),
and how to keep what it counts (rooms in a calendar, places in a slot, units of an item)
in step with a hold's status. The book has no lock: its store calls it with the store's
lock held.

Expiries are compared in UTC. Two aware datetimes in one timezone compare their wall
clocks and ignore ``fold``, so in the hour a clock falls back, 01:30 before the change
and 01:30 after it would compare equal: an extended hold would look unchanged to its old
heap entry and expire an hour early.

Example:
    >>> import pendulum
    >>> from staycore.adapters.memory.hold_book import HoldBook
    >>> from staycore.availability.ids import HoldId, UnitTypeId
    >>> from staycore.availability.stay_holds import StayHold, StayHoldRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Stay
    >>> moves = []
    >>> book: HoldBook[StayHold, StayHoldRequest] = HoldBook(
    ...     describe=lambda hold: f"{hold.stay}",
    ...     keep_in_step=lambda hold, was: moves.append(f"{was} -> {hold.status}"),
    ... )
    >>> nine = pendulum.datetime(2026, 5, 1, 9, tz="UTC")
    >>> request = StayHoldRequest(
    ...     hold_id=HoldId.new(), unit_type=UnitTypeId.new(),
    ...     stay=Stay.parse("2026-07-10/2026-07-12"), owner=Identifier.new(),
    ...     expires_at=nine.add(minutes=15),
    ... )
    >>> hold = book.add(request.to_hold())
    >>> book.retried(request) == hold  # the same request again gets the same hold
    True
    >>> [expired.status.value for expired in book.expire_due(nine.add(minutes=15))]
    ['expired']
    >>> moves
    ['None -> HoldStatus.HELD', 'HoldStatus.HELD -> HoldStatus.EXPIRED']
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from typing import Generic

import pendulum

from staycore.adapters.holds import H, R, evolve_hold, has_passed
from staycore.availability.holds import (
    DuplicateHoldError,
    HoldAction,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
    next_status,
)
from staycore.availability.ids import HoldId
from staycore.kernel.time import Clock, as_instant

__all__ = ["HoldBook", "HoldKeeping"]


def _utc(instant: pendulum.DateTime) -> pendulum.DateTime:
    return instant.in_tz("UTC")


class HoldBook(Generic[H, R]):
    """The holds of one memory store, by id and by expiry.

    Args:
        describe: What a hold holds, in words: "already holds ..." in the error on a
            hold id reused for a different request.
        keep_in_step: Called with each new version of a hold and the status it had
            before (``None`` for a new hold), before the book records it, so that the
            store's counts follow the hold; raising leaves the hold as it was.
        noun: What the store's holds are called: "no {noun} ..." in the error on an
            unknown hold id.

    Example:
        Continuing the module example above:

        >>> len(book), book.find(hold.id).status.value
        (1, 'expired')
        >>> book.find(HoldId.new())
        Traceback (most recent call last):
        ...
        staycore.availability.holds.HoldNotFoundError: [availability.hold_not_found] no hold ...
    """

    def __init__(
        self,
        *,
        describe: Callable[[H], str],
        keep_in_step: Callable[[H, HoldStatus | None], None],
        noun: str = "hold",
    ) -> None:
        self._describe = describe
        self._keep_in_step = keep_in_step
        self._noun = noun
        self._holds: dict[HoldId, H] = {}
        # Held holds by expiry in UTC, so expiring looks only at the holds that are due.
        # An entry goes stale when its hold is extended, confirmed or released; stale
        # entries are skipped when they come up.
        self._expiries: list[tuple[pendulum.DateTime, HoldId]] = []

    def __len__(self) -> int:
        return len(self._holds)

    def retried(self, request: R) -> H | None:
        """Return the hold an earlier, identical request got; ``None`` for a new hold id.

        Raises:
            DuplicateHoldError: The hold id was used for a different request.
        """
        existing = self._holds.get(request.hold_id)
        if existing is None or existing.matches(request):
            return existing
        msg = (
            f"hold id {request.hold_id} already holds {self._describe(existing)}; "
            "give a new request a new hold id"
        )
        raise DuplicateHoldError(msg)

    def add(self, hold: H) -> H:
        """Record a new held hold, and return it."""
        self._record(hold, was=None)
        heapq.heappush(self._expiries, (_utc(hold.expires_at), hold.id))
        return hold

    def live(self, now: pendulum.DateTime) -> list[H]:
        """Every hold that takes inventory at ``now``, after expiring those due."""
        self.expire_due(now)
        return [hold for hold in self._holds.values() if hold.status.takes_inventory]

    def update(self, hold: H) -> H:
        """Record a new version of a hold whose status stays as it is (new units, say)."""
        return self._record(hold, was=self.find(hold.id).status)

    def find(self, hold_id: HoldId) -> H:
        """Return the hold with ``hold_id`` as it was last recorded.

        Raises:
            HoldNotFoundError: No such hold.
        """
        # An id from an untyped caller may be anything; only text names a hold.
        hold = self._holds.get(hold_id) if isinstance(hold_id, str) else None
        if hold is None:
            msg = f"no {self._noun} {hold_id!r}: it was never reserved in this store"
            raise HoldNotFoundError(msg)
        return hold

    def current(self, hold_id: HoldId, now: pendulum.DateTime) -> H:
        """Return the hold with ``hold_id``, expired first if it is held past its expiry.

        Raises:
            HoldNotFoundError: No such hold.
        """
        hold = self.find(hold_id)
        if hold.status is HoldStatus.HELD and has_passed(hold.expires_at, now):
            return self._change(hold, HoldAction.EXPIRE)
        return hold

    def confirm(self, hold_id: HoldId, now: pendulum.DateTime) -> H:
        """Confirm the hold; confirming again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold expired (by ``now`` at the latest) or was released.
        """
        return self._change(self.current(hold_id, now), HoldAction.CONFIRM)

    def release(self, hold_id: HoldId) -> H:
        """Release the hold, held or confirmed; releasing again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
        """
        return self._change(self.find(hold_id), HoldAction.RELEASE)

    def extend(self, hold_id: HoldId, until: pendulum.DateTime, now: pendulum.DateTime) -> H:
        """Move a live hold's expiry to ``until``, and return the extended hold.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold is not ``held`` (or was held past its expiry by
                ``now``), or ``until`` is not after ``now``; checked in that order.
        """
        hold = self.current(hold_id, now)
        next_status(hold.status, HoldAction.EXTEND)  # refuses a hold that is not live
        if has_passed(until, now):
            msg = (
                f"cannot extend hold {hold_id} to {until.isoformat()}: that has passed; "
                "give an expiry in the future"
            )
            raise HoldNotActiveError(msg)
        extended = evolve_hold(hold, expires_at=until)
        self._record(extended, was=hold.status)
        heapq.heappush(self._expiries, (_utc(until), hold.id))
        return extended

    def expire_due(self, now: pendulum.DateTime) -> tuple[H, ...]:
        """Expire every held hold whose expiry has passed; return the holds expired now."""
        expired = []
        due = _utc(now)
        while self._expiries and self._expiries[0][0] <= due:
            expiry, hold_id = heapq.heappop(self._expiries)
            hold = self._holds[hold_id]
            if hold.status is HoldStatus.HELD and _utc(hold.expires_at) == expiry:
                expired.append(self._change(hold, HoldAction.EXPIRE))
        return tuple(expired)

    def _change(self, hold: H, action: HoldAction) -> H:
        status = next_status(hold.status, action)
        if status is hold.status:
            return hold
        return self._record(evolve_hold(hold, status=status), was=hold.status)

    def _record(self, hold: H, *, was: HoldStatus | None) -> H:
        self._keep_in_step(hold, was)
        self._holds[hold.id] = hold
        return hold


class HoldKeeping(Generic[H, R]):
    """The hold operations every memory store offers, on its book, under its lock.

    A store sets ``_clock``, ``_lock`` and ``_holds`` (its :class:`HoldBook`) in its
    ``__init__``; what it holds (rooms, places, units) and how it reserves are its own.
    """

    _clock: Clock
    _lock: threading.Lock
    _holds: HoldBook[H, R]

    def hold(self, hold_id: HoldId) -> H:
        """Return the hold with ``hold_id``.

        Raises:
            HoldNotFoundError: No such hold.
        """
        with self._lock:
            return self._holds.find(hold_id)

    def confirm(self, hold_id: HoldId) -> H:
        """Turn what a held hold holds into sold; confirming again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold expired or was released: reserve again.
        """
        with self._lock:
            return self._holds.confirm(hold_id, self._now())

    def release(self, hold_id: HoldId) -> H:
        """Free what a hold holds, held or sold; releasing again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
        """
        with self._lock:
            return self._holds.release(hold_id)

    def extend(self, hold_id: HoldId, until: pendulum.DateTime) -> H:
        """Move a live hold's expiry to ``until``.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold is not ``held``, or its expiry has passed (what
                it held may have gone to someone else), or ``until`` is not in the future.
        """
        new_expiry = as_instant(until, what="new hold expiry")
        with self._lock:
            return self._holds.extend(hold_id, new_expiry, self._now())

    def expire_due(self) -> tuple[H, ...]:
        """Expire every held hold whose expiry has passed; return the holds expired now."""
        with self._lock:
            return self._holds.expire_due(self._now())

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")
