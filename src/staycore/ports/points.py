"""The points ledger port: members' points entries, appended atomically.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.points.PointsLedgerContract`):

* Entries are only appended, never changed or removed. :meth:`PointsLedger.entries`
  gives a member's entries in the order they were written, and
  :meth:`PointsLedger.account` gives the account they make: always equal to
  :meth:`PointsAccount.of(customer, entries(customer))
  <staycore.membership.points.PointsAccount.of>`, read at a cost that does not grow with
  the member's history (keep the account beside the entries, or keep its open lots). A
  member never posted to has no entries and an empty account.
* :meth:`PointsLedger.post` writes every entry of one member's batch, or none. Each new
  entry is checked against what is stored *now*, in order, with
  :meth:`~staycore.membership.points.PointsAccount.apply`: an entry that draws more than
  a lot has left, or on a lot that is closed or past its expiry, refuses the batch with
  :class:`~staycore.membership.points.InsufficientPointsError`; an ``expire`` entry of a
  lot not due (renewed meanwhile) with
  :class:`~staycore.membership.points.LotNotDueError`. So two redemptions computed from
  one stale account cannot both land, on any adapter and across processes, and the
  balance never goes negative.
* Keys are unique per member. An entry whose key is stored for an entry it
  :meth:`~staycore.membership.points.PointsEntry.repeats` (the same request: the same
  points asked for, or the expiry of the same lot, or the reversal of the same order)
  is a retry: it is not written again, and the stored entry stands in its place in what
  ``post`` returns. A batch of retries only changes nothing. An entry whose key is
  stored for another request refuses the batch with
  :class:`~staycore.membership.points.PointsKeyReusedError`. Keys are checked before the
  points, so a retry succeeds even when the points have been spent since.
* A batch is refused whole, with
  :class:`~staycore.membership.points.InvalidPointsEntryError`, when it holds another
  member's entry, two entries of one key or one id, or an entry whose id is stored
  under another key.
* Nothing is half-applied: a ``post`` that raises writes nothing.

Example:
    >>> import pendulum
    >>> from staycore.adapters.memory.points import MemoryPointsLedger
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.points import ExpiryPolicy
    >>> from staycore.ports.points import PointsLedger
    >>> ledger = MemoryPointsLedger()
    >>> isinstance(ledger, PointsLedger)
    True
    >>> guest, policy = CustomerId.new(), ExpiryPolicy.lifetime(months=24)
    >>> earned = ledger.account(guest).earn(
    ...     500, at=pendulum.datetime(2026, 5, 3, tz="UTC"), key="earn:1", policy=policy)
    >>> ledger.post(guest, earned) == ledger.post(guest, earned) == ledger.entries(guest)
    True
    >>> ledger.account(guest).balance
    500
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from staycore.membership.ids import CustomerId
from staycore.membership.points import PointsAccount, PointsEntry

__all__ = ["PointsLedger"]


@runtime_checkable
class PointsLedger(Protocol):
    """Members' points ledgers: entries appended atomically, and the accounts they make."""

    def post(self, customer: CustomerId, entries: Sequence[PointsEntry]) -> tuple[PointsEntry, ...]:
        """Append the member's new entries, all or none; return them as stored.

        Returns:
            One entry per entry given, in order: the entry written, or for a retry the
            entry stored under its key.

        Raises:
            InsufficientPointsError: An entry draws more than a lot has left now, or on
                a lot that is closed or past its expiry.
            LotNotDueError: An ``expire`` entry closes a lot that is not due.
            PointsKeyReusedError: A key is stored with other content.
            InvalidPointsEntryError: The batch holds another member's entry, a key or an
                id twice, or an id stored under another key.
        """
        ...

    def account(self, customer: CustomerId) -> PointsAccount:
        """Return the member's account as their entries make it, now."""
        ...

    def entries(self, customer: CustomerId) -> tuple[PointsEntry, ...]:
        """Return the member's entries in the order they were written."""
        ...
