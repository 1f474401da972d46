"""Every store the use cases need, from one storage adapter, as one value.

A storage adapter (memory, SQL, a host's own) provides all of these together, over one
storage, so that what a use case commits through its unit of work is what the queries
read: :func:`staycore.adapters.memory.memory_stores` and
:func:`staycore.adapters.sql.sql_stores` build a :class:`Stores` each.

Example:
    >>> from staycore.adapters.memory import memory_stores
    >>> from staycore.testing.clock import FrozenClock
    >>> stores = memory_stores(FrozenClock("2026-05-01T09:00:00Z"))
    >>> with stores.aggregates.unit_of_work() as uow:
    ...     uow.rollback()
    >>> stores.aggregates.outbox()
    ()
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar, runtime_checkable

import attrs

from staycore.kernel.events import DomainEvent
from staycore.ports.appointments import AppointmentStore
from staycore.ports.audit import AuditLog
from staycore.ports.coupons import CouponStore
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.inventory import InventoryStore
from staycore.ports.members import MemberQueries
from staycore.ports.orders import OrderQueries
from staycore.ports.persistence import Aggregate, UnitOfWork
from staycore.ports.points import PointsLedger
from staycore.ports.restrictions import RestrictionStore
from staycore.ports.service_requests import ServiceRequestQueries
from staycore.ports.stock import StockStore

__all__ = ["AggregateStore", "Stores"]

A = TypeVar("A", bound=Aggregate)


@runtime_checkable
class AggregateStore(Protocol):
    """Where units of work commit: aggregates and the outbox of their events."""

    def unit_of_work(self) -> UnitOfWork:
        """Open a new unit of work over the store."""
        ...

    def outbox(self) -> tuple[DomainEvent, ...]:
        """Every committed event, in commit order."""
        ...

    def committed(self, kind: type[A]) -> tuple[A, ...]:
        """Every committed aggregate of type ``kind``."""
        ...


@attrs.frozen
class Stores:
    """The stores of one storage adapter, over one storage.

    Attributes:
        aggregates: Units of work, committed aggregates and the outbox.
        inventory: Nightly calendars, blocks and holds.
        restrictions: The restrictions of each unit type.
        appointments: Resources and the holds on their slots.
        stock: Counted add-on items and their holds.
        coupons: Coupon codes and their redemptions.
        points: Members' points entries.
        idempotency: Idempotency keys.
        orders: Queries over committed orders and reviews.
        members: The enrolled members.
        service_requests: Queries over service requests.
        audit: The audit trail: who changed what, chained by hash.
        atomic: Opens a block whose store operations all commit together, or none of
            them: one database transaction on SQL; nothing on the memory adapter,
            whose operations each take effect at once (and die with the process).
    """

    aggregates: AggregateStore
    inventory: InventoryStore
    restrictions: RestrictionStore
    appointments: AppointmentStore
    stock: StockStore
    coupons: CouponStore
    points: PointsLedger
    idempotency: IdempotencyStore
    orders: OrderQueries
    members: MemberQueries
    service_requests: ServiceRequestQueries
    audit: AuditLog
    atomic: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext
