"""Every store of the memory adapter, over one :class:`~staycore.adapters.memory.MemoryStore`.

Example:
    >>> from staycore.adapters.memory import memory_stores
    >>> from staycore.testing.clock import FrozenClock
    >>> memory_stores(FrozenClock("2026-05-01T09:00:00Z")).orders.open_orders()
    ()
"""

from __future__ import annotations

from staycore.adapters.memory.appointments import MemoryAppointmentStore
from staycore.adapters.memory.audit import MemoryAuditLog
from staycore.adapters.memory.coupons import MemoryCouponStore
from staycore.adapters.memory.idempotency import MemoryIdempotencyStore
from staycore.adapters.memory.inventory import MemoryInventoryStore
from staycore.adapters.memory.members import MemoryMemberQueries
from staycore.adapters.memory.orders import MemoryOrderQueries
from staycore.adapters.memory.points import MemoryPointsLedger
from staycore.adapters.memory.restrictions import MemoryRestrictionStore
from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
from staycore.adapters.memory.stock import MemoryStockStore
from staycore.adapters.memory.store import MemoryStore
from staycore.kernel.time import Clock
from staycore.ports.stores import Stores

__all__ = ["memory_stores"]


def memory_stores(clock: Clock) -> Stores:
    """Every store the use cases need, in this process's memory.

    Args:
        clock: Tells when holds and idempotency keys expire.

    Example:
        See the module example.
    """
    store = MemoryStore()
    return Stores(
        aggregates=store,
        inventory=MemoryInventoryStore(clock),
        restrictions=MemoryRestrictionStore(),
        appointments=MemoryAppointmentStore(clock),
        stock=MemoryStockStore(clock),
        coupons=MemoryCouponStore(),
        points=MemoryPointsLedger(),
        idempotency=MemoryIdempotencyStore(clock),
        orders=MemoryOrderQueries(store),
        members=MemoryMemberQueries(store),
        service_requests=MemoryServiceRequestQueries(store),
        audit=MemoryAuditLog(),
    )
