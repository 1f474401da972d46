"""Contract suites: the tests an adapter must pass to stand in for a port.

Each suite is a pytest class that states the rules of one port as tests. An adapter
author subclasses it in their own test module, under a name starting with ``Test``,
and overrides the fixtures that build their adapter; pytest then runs every rule against
it. The suites' own names do not start with ``Test``, so pytest never runs them alone.

* :class:`UnitOfWorkContract` and :class:`IdempotencyStoreContract`:
  :mod:`staycore.ports.persistence` and :mod:`staycore.ports.idempotency`.
* :class:`InventoryStoreContract`: :mod:`staycore.ports.inventory`.
* :class:`RestrictionStoreContract`: :mod:`staycore.ports.restrictions`.
* :class:`AppointmentStoreContract`: :mod:`staycore.ports.appointments`.
* :class:`StockStoreContract`: :mod:`staycore.ports.stock`.
* :class:`CouponStoreContract`: :mod:`staycore.ports.coupons`.
* :class:`PaymentGatewayContract`: :mod:`staycore.ports.payments`.
* :class:`OrderQueriesContract`: :mod:`staycore.ports.orders`.
* :class:`PointsLedgerContract`: :mod:`staycore.ports.points`.
* :class:`AuditLogContract`: :mod:`staycore.ports.audit`.
* :class:`CipherContract`: :mod:`staycore.ports.cipher`.

This package needs pytest (the ``dev`` extra). For pytest's detailed assertion messages
in the suites, call ``pytest.register_assert_rewrite("staycore.testing.contracts")`` at
the top of your ``conftest.py``, before anything imports this package.

Example:
    >>> from staycore.testing.contracts import UnitOfWorkContract
    >>> UnitOfWorkContract.__name__.startswith("Test")
    False
"""

from staycore.testing.contracts.appointments import AppointmentStoreContract
from staycore.testing.contracts.audit import AuditLogContract
from staycore.testing.contracts.cipher import CipherContract
from staycore.testing.contracts.coupons import CouponStoreContract
from staycore.testing.contracts.inventory import InventoryStoreContract
from staycore.testing.contracts.orders import OrderQueriesContract
from staycore.testing.contracts.payments import PaymentGatewayContract
from staycore.testing.contracts.persistence import (
    CommittedEvents,
    GuestNote,
    GuestNoteEdited,
    GuestNoteWritten,
    IdempotencyStoreContract,
    NoteId,
    UnitOfWorkContract,
)
from staycore.testing.contracts.points import PointsLedgerContract
from staycore.testing.contracts.restrictions import RestrictionStoreContract
from staycore.testing.contracts.stock import StockStoreContract

__all__ = [
    "AppointmentStoreContract",
    "AuditLogContract",
    "CipherContract",
    "CommittedEvents",
    "CouponStoreContract",
    "GuestNote",
    "GuestNoteEdited",
    "GuestNoteWritten",
    "IdempotencyStoreContract",
    "InventoryStoreContract",
    "NoteId",
    "OrderQueriesContract",
    "PaymentGatewayContract",
    "PointsLedgerContract",
    "RestrictionStoreContract",
    "StockStoreContract",
    "UnitOfWorkContract",
]
