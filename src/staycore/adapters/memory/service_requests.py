"""Service request queries over a :class:`~staycore.adapters.memory.MemoryStore`, by scanning it.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
    >>> MemoryServiceRequestQueries(MemoryStore()).unresolved_requests()
    ()
"""

from __future__ import annotations

import datetime as dt

from staycore.adapters.memory.store import MemoryStore
from staycore.kernel.time import as_instant
from staycore.membership.ids import ServiceRequestId
from staycore.membership.service import UNRESOLVED_STATUSES, ServiceRequest

__all__ = ["MemoryServiceRequestQueries"]


class MemoryServiceRequestQueries:
    """A :class:`~staycore.ports.service_requests.ServiceRequestQueries` over a memory store.

    Args:
        store: The store the use cases commit to.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def unresolved_requests(self) -> tuple[ServiceRequestId, ...]:
        """Every committed request open, responded or in progress, oldest first.

        Ids sort by the time they were drawn, which is when the request was opened.

        Example:
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
            >>> MemoryServiceRequestQueries(MemoryStore()).unresolved_requests()
            ()
        """
        return tuple(
            sorted(
                request.id
                for request in self._store.committed(ServiceRequest)
                if request.status in UNRESOLVED_STATUSES
            )
        )

    def opened_between(self, start: dt.datetime, end: dt.datetime) -> tuple[ServiceRequestId, ...]:
        """Every committed request opened in ``[start, end)``, oldest first.

        Example:
            >>> import pendulum
            >>> from staycore.adapters.memory import MemoryStore
            >>> from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
            >>> queries = MemoryServiceRequestQueries(MemoryStore())
            >>> queries.opened_between(pendulum.datetime(2026, 7, 1), pendulum.datetime(2026, 8, 1))
            ()
        """
        first, after = as_instant(start, what="start"), as_instant(end, what="end")
        found = [
            request
            for request in self._store.committed(ServiceRequest)
            if first <= request.opened_at < after
        ]
        found.sort(key=lambda request: (request.opened_at, request.id))
        return tuple(request.id for request in found)
