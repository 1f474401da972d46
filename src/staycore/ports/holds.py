"""What every store that holds inventory for orders offers: the hold operations.

Rooms on nights, places in slots and units of stock are held the same way: found by
hold id, confirmed when the order is paid, released when it is cancelled, extended while
live, and expired when their time runs out (see :mod:`staycore.availability.holds`).
:class:`HoldKeeper` states those operations once; the inventory, appointment and stock
store ports add how each takes its inventory.

Example:
    >>> from staycore.adapters.memory import MemoryStockStore
    >>> from staycore.ports.holds import HoldKeeper
    >>> from staycore.testing.clock import FrozenClock
    >>> isinstance(MemoryStockStore(FrozenClock("2026-05-01T09:00:00Z")), HoldKeeper)
    True
"""

from __future__ import annotations

from typing import Protocol, TypeVar, runtime_checkable

import pendulum

from staycore.availability.ids import HoldId

__all__ = ["HoldKeeper"]

H_co = TypeVar("H_co", covariant=True)


@runtime_checkable
class HoldKeeper(Protocol[H_co]):
    """The operations on holds, whatever they hold."""

    def hold(self, hold_id: HoldId) -> H_co:
        """Return the hold with ``hold_id``.

        Raises:
            HoldNotFoundError: No such hold.
        """
        ...

    def confirm(self, hold_id: HoldId) -> H_co:
        """Turn what a held hold holds into sold; confirming again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold expired or was released: reserve again.
        """
        ...

    def release(self, hold_id: HoldId) -> H_co:
        """Free what a hold holds, held or sold; releasing again does nothing."""
        ...

    def extend(self, hold_id: HoldId, until: pendulum.DateTime) -> H_co:
        """Move a live hold's expiry to ``until``, a future instant.

        Raises:
            HoldNotActiveError: The hold is not ``held`` or is past its expiry, or
                ``until`` is not in the future.
        """
        ...

    def expire_due(self) -> tuple[H_co, ...]:
        """Expire every held hold whose expiry has passed; return the holds expired now."""
        ...
