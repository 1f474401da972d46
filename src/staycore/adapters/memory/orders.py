"""Order queries over a :class:`~staycore.adapters.memory.MemoryStore`, by scanning it.

Example:
    >>> from staycore.adapters.memory import MemoryOrderQueries, MemoryStore
    >>> MemoryOrderQueries(MemoryStore()).open_orders()
    ()
"""

from __future__ import annotations

from staycore.adapters.memory.store import MemoryStore
from staycore.orders.ids import OrderId, ReviewId
from staycore.orders.lifecycle import ORDER_LIFECYCLE, OrderStatus
from staycore.orders.order import Order
from staycore.orders.reviews import Review

__all__ = ["MemoryOrderQueries"]


class MemoryOrderQueries:
    """A :class:`~staycore.ports.orders.OrderQueries` over a memory store's committed orders.

    Args:
        store: The store the use cases commit to.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def open_orders(self) -> tuple[OrderId, ...]:
        """Every committed order not in a final status, oldest first (ids sort by time)."""
        return tuple(
            sorted(
                order.id
                for order in self._store.committed(Order)
                if not ORDER_LIFECYCLE.is_final(order.status)
            )
        )

    def unsettled_orders(self) -> tuple[OrderId, ...]:
        """Orders whose money is not settled (see the port), oldest first."""
        return tuple(
            sorted(
                order.id
                for order in self._store.committed(Order)
                if order.requests
                or order.refund_due.is_positive
                or (_ended(order) and order.ledger.authorized.is_positive)
            )
        )

    def review_of(self, order_id: OrderId) -> ReviewId | None:
        """The review left for ``order_id``, if any."""
        return next(
            (review.id for review in self._store.committed(Review) if review.order == order_id),
            None,
        )


def _ended(order: Order) -> bool:
    return ORDER_LIFECYCLE.is_final(order.status) or order.status is OrderStatus.EXPIRED
