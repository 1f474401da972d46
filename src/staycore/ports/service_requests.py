"""The service request queries port: what the service desk asks of stored requests.

A repository finds a request by its id. Two use cases need more: the sweeper that
escalates overdue requests must find every request still unresolved (its deadlines can
still pass), and a report must find the requests opened in a period. A SQL adapter
answers these with an index on the status and on the opening instant; the memory adapter
scans.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
    >>> from staycore.ports.service_requests import ServiceRequestQueries
    >>> isinstance(MemoryServiceRequestQueries(MemoryStore()), ServiceRequestQueries)
    True
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

from staycore.membership.ids import ServiceRequestId

__all__ = ["ServiceRequestQueries"]


@runtime_checkable
class ServiceRequestQueries(Protocol):
    """Reads over committed service requests."""

    def unresolved_requests(self) -> tuple[ServiceRequestId, ...]:
        """Every committed request open, responded or in progress, oldest first."""
        ...

    def opened_between(self, start: dt.datetime, end: dt.datetime) -> tuple[ServiceRequestId, ...]:
        """Every committed request opened in ``[start, end)``, oldest first."""
        ...
