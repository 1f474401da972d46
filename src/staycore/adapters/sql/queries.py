"""Order, member and service-request queries over a :class:`~staycore.adapters.sql.SqlStore`.

Each query selects on the terms every save writes (:mod:`staycore.adapters.sql.terms`),
so it reads an index, not every aggregate; the answers are the memory queries' answers.

Example:
    >>> from staycore.adapters.sql import SqlOrderQueries, SqlStore
    >>> SqlOrderQueries(SqlStore.create("sqlite://")).open_orders()
    ()
"""

from __future__ import annotations

import datetime as dt

from staycore.adapters.sql.schema import utc_text
from staycore.adapters.sql.store import SqlStore
from staycore.adapters.sql.terms import MEMBER, OPEN, OPENED, REVIEW_OF, UNRESOLVED, UNSETTLED
from staycore.kernel.time import as_instant
from staycore.membership.ids import ServiceRequestId
from staycore.membership.members import Member
from staycore.membership.service import ServiceRequest
from staycore.orders.ids import CustomerId, OrderId, ReviewId
from staycore.orders.order import Order
from staycore.orders.reviews import Review

__all__ = ["SqlMemberQueries", "SqlOrderQueries", "SqlServiceRequestQueries"]


class SqlOrderQueries:
    """A :class:`~staycore.ports.orders.OrderQueries` over a SQL store's committed orders.

    Args:
        store: The store the use cases commit to.

    Example:
        See the module example.
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def open_orders(self) -> tuple[OrderId, ...]:
        """Every committed order not in a final status, oldest first (ids sort by time).

        Example:
            See the module example.
        """
        return tuple(OrderId(found) for found in self._store.ids_with(Order, OPEN))

    def unsettled_orders(self) -> tuple[OrderId, ...]:
        """Orders whose money is not settled (see the port), oldest first.

        Example:
            >>> SqlOrderQueries(SqlStore.create("sqlite://")).unsettled_orders()
            ()
        """
        return tuple(OrderId(found) for found in self._store.ids_with(Order, UNSETTLED))

    def review_of(self, order_id: OrderId) -> ReviewId | None:
        """The review left for ``order_id``, if any.

        Example:
            >>> queries = SqlOrderQueries(SqlStore.create("sqlite://"))
            >>> queries.review_of(OrderId.new()) is None
            True
        """
        found = self._store.ids_with(Review, f"{REVIEW_OF}{order_id}")
        return ReviewId(found[0]) if found else None


class SqlMemberQueries:
    """The members committed to a SQL store, by when they joined, less those merged away.

    Args:
        store: The store the loyalty use cases save members in.

    Example:
        >>> from staycore.adapters.sql import SqlMemberQueries, SqlStore
        >>> SqlMemberQueries(SqlStore.create("sqlite://")).members()
        ()
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def members(self) -> tuple[CustomerId, ...]:
        """Every enrolled member, in the order they joined.

        Example:
            See the class example.
        """
        return tuple(
            CustomerId(found) for found in self._store.ids_with(Member, MEMBER, prefix=True)
        )


class SqlServiceRequestQueries:
    """A :class:`~staycore.ports.service_requests.ServiceRequestQueries` over a SQL store.

    Args:
        store: The store the use cases commit to.

    Example:
        >>> import pendulum
        >>> from staycore.adapters.sql import SqlServiceRequestQueries, SqlStore
        >>> queries = SqlServiceRequestQueries(SqlStore.create("sqlite://"))
        >>> queries.unresolved_requests()
        ()
        >>> queries.opened_between(pendulum.datetime(2026, 7, 1), pendulum.datetime(2026, 8, 1))
        ()
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def unresolved_requests(self) -> tuple[ServiceRequestId, ...]:
        """Every committed request open, responded or in progress, oldest first.

        Example:
            See the class example.
        """
        found = self._store.ids_with(ServiceRequest, UNRESOLVED)
        return tuple(ServiceRequestId(request) for request in found)

    def opened_between(self, start: dt.datetime, end: dt.datetime) -> tuple[ServiceRequestId, ...]:
        """Every committed request opened in ``[start, end)``, oldest first.

        Example:
            See the class example.
        """
        low = f"{OPENED}{utc_text(as_instant(start, what='start'))}"
        high = f"{OPENED}{utc_text(as_instant(end, what='end'))}"
        found = self._store.ids_between(ServiceRequest, low, high)
        return tuple(ServiceRequestId(request) for request in found)
