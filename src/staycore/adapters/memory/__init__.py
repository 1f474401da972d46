"""The memory adapter: every port of :mod:`staycore.ports`, in process memory.

It is the reference adapter: it keeps each port's rules exactly (the contract suites in
:mod:`staycore.testing.contracts` pass against it) and is safe to share between the
threads of one process. Nothing survives the process, and nothing is shared with another
one, so it serves tests, demos and single-process tools, not a deployment.

* :class:`MemoryStore`, :class:`MemoryUnitOfWork`, :class:`MemoryRepository`: aggregates
  and the outbox of committed events.
* :class:`MemoryIdempotencyStore`: idempotency keys, expiring by a clock.
* :class:`MemoryInventoryStore`: nightly calendars, blocks and holds.
* :class:`MemoryRestrictionStore`: the restrictions of each unit type, night by night.
* :class:`MemoryAppointmentStore`: resources and the holds on their slots.
* :class:`MemoryStockStore`: counted add-on items and the holds on their units.
* :class:`MemoryCouponStore`: coupon codes and the redemptions counted against their limits.
* :class:`MemoryOrderQueries`: the open orders and the reviews of a memory store.
* :class:`MemoryPointsLedger`: members' points entries, with each account kept up to date.
* :class:`MemoryMemberQueries`, :class:`MemoryServiceRequestQueries`: the members and the
  service requests of a memory store.
* :class:`MemoryAuditLog`: the audit trail, one hash chain.
* :class:`RecordingPublisher`, :class:`RecordingNotifier`: keep what they deliver, and
  fail on request.
* :func:`memory_stores`: all of the stores above over one memory store, as the
  :class:`~staycore.ports.stores.Stores` the use cases take.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.testing.contracts import GuestNote, GuestNoteWritten
    >>> store = MemoryStore()
    >>> note = GuestNote.write("arrives by train at 22:40")
    >>> with store.unit_of_work() as uow:
    ...     uow.repository(GuestNote).add(note)
    ...     uow.collect(GuestNoteWritten.of(note, "2026-05-01T09:00:00Z"))
    ...     uow.commit()
    >>> [event.event_type for event in store.outbox()]
    ['GuestNoteWritten']
"""

from staycore.adapters.memory.appointments import MemoryAppointmentStore
from staycore.adapters.memory.audit import MemoryAuditLog
from staycore.adapters.memory.coupons import MemoryCouponStore
from staycore.adapters.memory.idempotency import MemoryIdempotencyStore
from staycore.adapters.memory.inventory import MemoryInventoryStore
from staycore.adapters.memory.members import MemoryMemberQueries
from staycore.adapters.memory.messaging import RecordingNotifier, RecordingPublisher
from staycore.adapters.memory.orders import MemoryOrderQueries
from staycore.adapters.memory.points import MemoryPointsLedger
from staycore.adapters.memory.restrictions import MemoryRestrictionStore
from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
from staycore.adapters.memory.stock import MemoryStockStore
from staycore.adapters.memory.store import MemoryStore
from staycore.adapters.memory.stores import memory_stores
from staycore.adapters.memory.unit_of_work import MemoryRepository, MemoryUnitOfWork

__all__ = [
    "MemoryAppointmentStore",
    "MemoryAuditLog",
    "MemoryCouponStore",
    "MemoryIdempotencyStore",
    "MemoryInventoryStore",
    "MemoryMemberQueries",
    "MemoryOrderQueries",
    "MemoryPointsLedger",
    "MemoryRepository",
    "MemoryRestrictionStore",
    "MemoryServiceRequestQueries",
    "MemoryStockStore",
    "MemoryStore",
    "MemoryUnitOfWork",
    "RecordingNotifier",
    "RecordingPublisher",
    "memory_stores",
]
