"""Ports: what a host plugs into staycore, as small ``typing.Protocol`` classes.

A port names a capability the use cases need (storage, a clock, publishing events,
sending messages, remembering idempotency keys) and nothing about how it is done.
:mod:`staycore.adapters` ships reference implementations; a host writes its own and
proves it with the contract suites in :mod:`staycore.testing.contracts`.

Ports import the kernel and the domain packages whose values they carry, never the use
cases or the adapters.

Example:
    >>> from staycore.ports import Clock, UnitOfWork
    >>> from staycore.adapters.memory import MemoryStore
    >>> isinstance(MemoryStore().unit_of_work(), UnitOfWork)
    True
"""

from staycore.ports.appointments import AppointmentStore
from staycore.ports.audit import AuditLog
from staycore.ports.cipher import Cipher
from staycore.ports.clock import Clock
from staycore.ports.coupons import CouponStore
from staycore.ports.events import EventPublisher
from staycore.ports.holds import HoldKeeper
from staycore.ports.idempotency import IdempotencyRecord, IdempotencyStore
from staycore.ports.inventory import InventoryStore
from staycore.ports.members import MemberQueries
from staycore.ports.notifier import Channel, Message, Notifier
from staycore.ports.orders import OrderQueries
from staycore.ports.payments import PaymentGateway
from staycore.ports.persistence import Aggregate, Repository, UnitOfWork, UnitOfWorkFactory
from staycore.ports.points import PointsLedger
from staycore.ports.restrictions import RestrictionStore
from staycore.ports.service_requests import ServiceRequestQueries
from staycore.ports.stock import StockStore
from staycore.ports.stores import AggregateStore, Stores

__all__ = [
    "Aggregate",
    "AggregateStore",
    "AppointmentStore",
    "AuditLog",
    "Channel",
    "Cipher",
    "Clock",
    "CouponStore",
    "EventPublisher",
    "HoldKeeper",
    "IdempotencyRecord",
    "IdempotencyStore",
    "InventoryStore",
    "MemberQueries",
    "Message",
    "Notifier",
    "OrderQueries",
    "PaymentGateway",
    "PointsLedger",
    "Repository",
    "RestrictionStore",
    "ServiceRequestQueries",
    "StockStore",
    "Stores",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
