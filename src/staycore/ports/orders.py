"""The order queries port: what the sweeper and the review rule ask of stored orders.

A repository finds an order by its id. Two use cases need more: the sweeper must find
the orders that are still open (to expire them, decline them or mark a no-show) and the
ended ones whose money is not settled (a refund a gateway timeout cut off), and leaving
a review must find whether the order already has one. A SQL adapter answers
these with an index; the memory adapter scans.

Example:
    >>> from staycore.adapters.memory import MemoryOrderQueries, MemoryStore
    >>> from staycore.ports.orders import OrderQueries
    >>> isinstance(MemoryOrderQueries(MemoryStore()), OrderQueries)
    True
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from staycore.orders.ids import OrderId, ReviewId

__all__ = ["OrderQueries"]


@runtime_checkable
class OrderQueries(Protocol):
    """Reads over committed orders and reviews."""

    def open_orders(self) -> tuple[OrderId, ...]:
        """Every committed order not in a final status, oldest first."""
        ...

    def unsettled_orders(self) -> tuple[OrderId, ...]:
        """Committed orders whose money is not settled, oldest first; the sweeper settles them.

        Those with a refund, capture or release the gateway has not answered, those
        that owe the guest money back, and those that ended (or expired) with money
        still held on a card: a gateway that timed out leaves them so.
        """
        ...

    def review_of(self, order_id: OrderId) -> ReviewId | None:
        """The review left for ``order_id``, if any."""
        ...
