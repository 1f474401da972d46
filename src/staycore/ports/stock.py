"""The stock store port: counted add-on items and holds on their units, taken atomically.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.StockStoreContract`):

* :meth:`StockStore.reserve` takes the units of every line of the request, or none: two
  requests racing for the last units cannot both get them, on any adapter and across
  processes. A refusal raises :class:`~staycore.availability.stock.OutOfStockError`
  listing every short item with how many are left; a line for an item never added
  raises :class:`~staycore.availability.stock.ItemNotFoundError`.
* The hold's id is the order's hold id (the one its nights or slot are held under), so a
  use case confirms, releases, extends and expires both with one id.
* Reserving again with the same hold id and the same request returns the hold as it is
  now, with the events the first reservation reported (a retry after a lost connection
  reports them again: low-stock events are delivered at least once). With a different
  request it is refused with :class:`~staycore.availability.holds.DuplicateHoldError`.
* Low-stock events: a reservation that takes an item from above its threshold to at or
  below it reports one :class:`~staycore.availability.stock.LowStockReached` for that
  item in :attr:`~staycore.availability.stock.StockReservation.events`; later
  reservations report nothing until stock rises above the threshold again. Events come
  back from ``reserve`` rather than from a store-wide queue, so each use case gets
  exactly its own events and puts them into its unit of work with the order.
* Confirming, releasing and expiring are idempotent (see
  :mod:`staycore.availability.holds`); an expired or released hold frees its units.
  Holds past their expiry are expired before any reservation is decided, so a lapsed
  hold never keeps stock from a paying guest, and confirming one is refused.
* Extending works only for a hold that is still ``held`` and not past its expiry.
* Nothing is half-applied: an operation that raises changes nothing.

Example:
    >>> from staycore.adapters.memory import MemoryStockStore
    >>> from staycore.ports.stock import StockStore
    >>> from staycore.testing.clock import FrozenClock
    >>> isinstance(MemoryStockStore(FrozenClock("2026-05-01T09:00:00Z")), StockStore)
    True
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from staycore.availability.stock import (
    ItemId,
    StockHold,
    StockItem,
    StockLevel,
    StockRequest,
    StockReservation,
)
from staycore.ports.holds import HoldKeeper

__all__ = ["StockStore"]


@runtime_checkable
class StockStore(HoldKeeper[StockHold], Protocol):
    """Counted add-on items, and holds on their units."""

    def add_item(self, item: StockItem) -> StockLevel:
        """Start counting ``item``, with nothing held or sold.

        Raises:
            DuplicateItemError: An item with this id was added before: restock it.
        """
        ...

    def restock(self, item_id: ItemId, units: int) -> StockLevel:
        """Add ``units`` (at least 1) to the item's units on hand.

        Raises:
            ItemNotFoundError: No such item.
            InvalidQuantityError: ``units`` is not a whole number of at least 1.
        """
        ...

    def level(self, item_id: ItemId) -> StockLevel:
        """Return the item with its units held, sold and available.

        Raises:
            ItemNotFoundError: No such item.
        """
        ...

    def reserve(self, request: StockRequest) -> StockReservation:
        """Hold the units of every line of the request, or none of them.

        Raises:
            OutOfStockError: Some items have too few units left; nothing was taken.
            ItemNotFoundError: A line names an item never added; nothing was taken.
            DuplicateHoldError: The hold id was used for a different request.
        """
        ...
