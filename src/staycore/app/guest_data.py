"""A guest's data on request: everything held about them as JSON, or erased.

:meth:`GuestData.export` gathers what every context keeps about one customer: the
profile (contact details, consents, stays, tags), the loyalty membership and every
points entry, the orders booked under them with their payment movements, their reviews
and their service requests. Each record is written whole, by
:func:`~staycore.kernel.events.plain_value`, so the export is what the stores hold, not
a summary of it. :meth:`~staycore.application.Application.acting_as` lets a guest
export their own data (``customers.export:own``) and writes every export to the audit
log.

:meth:`GuestData.erase` anonymises it: the profile loses every personal field, the
orders their guest's contact details and notes, the reviews their text, the service
requests what was written in them. Ids, money, dates, ratings and points stay, under the
customer id, which names no one: the books still balance and the reports still count.
The store erases the personal fields of those records' earlier events in its outbox in
the same commit (a review's text, what a service request says); events already
published are the consumers' to erase, on the
:class:`~staycore.kernel.erasure.PersonalDataErased` each record leaves.

Orders, reviews and service requests are found by reading every committed one of their
kind (:meth:`~staycore.ports.stores.AggregateStore.committed`): an export is a rare
request, answered within days, and this way no index has to be kept for it.

Example:
    >>> from staycore.testing.hotel import SandboxHotel
    >>> from staycore.app.guest_data import GuestData
    >>> hotel = SandboxHotel()
    >>> order = hotel.orders.place(hotel.booking("2026-07-10/2026-07-12"), idempotency_key="k")
    >>> data = GuestData(
    ...     uow=hotel.store.unit_of_work, aggregates=hotel.store, points=hotel.ledger)
    >>> export = data.export(order.guest.customer)
    >>> export["customer"] == order.guest.customer
    True
    >>> [placed["id"] for placed in export["orders"]] == [order.id]
    True
    >>> sorted(export)
    ['customer', 'member', 'orders', 'points', 'profile', 'reviews', 'service_requests']
    >>> data.erase(order.guest.customer, at=hotel.clock.now())  # no profile before a stay
    Erasure(profile=False, orders=1, reviews=0, service_requests=0)
    >>> hotel.orders.get(order.id).guest.name, hotel.orders.get(order.id).balance == order.balance
    ('erased', True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import attrs

from staycore.kernel.errors import AggregateNotFoundError
from staycore.kernel.events import DomainEvent, JSONValue, plain_value
from staycore.membership.ids import CustomerId
from staycore.membership.members import Member
from staycore.membership.profiles import CustomerProfile
from staycore.membership.service import ServiceRequest
from staycore.orders.order import Order
from staycore.orders.reviews import Review
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.ports.points import PointsLedger
from staycore.ports.stores import AggregateStore

__all__ = ["Erasure", "GuestData"]

A = TypeVar("A")
E = TypeVar("E", Order, Review, ServiceRequest, CustomerProfile)
R = TypeVar("R", Order, Review, ServiceRequest)
Erased = tuple[E, tuple[DomainEvent, ...]]


@attrs.frozen
class Erasure:
    """What an erasure changed: whether the profile, and how many of each record."""

    profile: bool
    orders: int
    reviews: int
    service_requests: int


class GuestData:
    """Everything held about a guest, gathered from every context.

    Args:
        uow: Opens units of work, to read the guest's profile and membership.
        aggregates: The committed orders, reviews and service requests.
        points: The points ledger.
    """

    def __init__(
        self, *, uow: UnitOfWorkFactory, aggregates: AggregateStore, points: PointsLedger
    ) -> None:
        self._uow = uow
        self._aggregates = aggregates
        self._points = points

    def export(self, customer: CustomerId) -> dict[str, JSONValue]:
        """Everything held about ``customer``, as JSON-ready values.

        A customer the stores know nothing of exports empty lists and ``None``: the
        answer to a request about someone never seen is that nothing is held.

        Example:
            See the module example.
        """

        def theirs(kind: type[Order | Review | ServiceRequest]) -> list[JSONValue]:
            return [
                plain_value(record)
                for record in self._aggregates.committed(kind)
                if _customer_of(record) == customer
            ]

        with self._uow() as uow:
            profile = _found(lambda: uow.repository(CustomerProfile).get(customer))
            member = _found(lambda: uow.repository(Member).get(customer))
        entries = self._points.entries(customer)
        return {
            "customer": str(customer),
            "profile": plain_value(profile),
            "member": plain_value(member),
            "points": {
                "balance": self._points.account(customer).balance if entries else 0,
                "entries": [plain_value(entry) for entry in entries],
            },
            "orders": theirs(Order),
            "reviews": theirs(Review),
            "service_requests": theirs(ServiceRequest),
        }

    def erase(self, customer: CustomerId, *, at: dt.datetime) -> Erasure:
        """Erase ``customer``'s personal data everywhere, in one unit of work.

        Erasing again changes nothing (and says so); the points ledger holds no personal
        data and stays as it is.

        Raises:
            ConcurrencyError: A record changed while it was erased: run it again.

        Example:
            See the module example.
        """
        with self._uow() as uow:

            def keep(before: E, after: Erased[E]) -> bool:
                changed, events = after
                if events:
                    uow.repository(type(before)).save(changed, expected_version=before.version)
                    uow.collect(*events)
                return bool(events)

            def erase_all(kind: type[R], erase: Callable[[R], Erased[R]]) -> int:
                records = self._aggregates.committed(kind)
                theirs = (record for record in records if _customer_of(record) == customer)
                return sum(keep(record, erase(record)) for record in theirs)

            profile = _found(lambda: uow.repository(CustomerProfile).get(customer))
            erasure = Erasure(
                profile=profile is not None and keep(profile, profile.erase(at=at)),
                orders=erase_all(Order, lambda order: order.erase_guest(at=at)),
                reviews=erase_all(Review, lambda review: _erased_review(review, at)),
                service_requests=erase_all(ServiceRequest, lambda request: request.erase(at=at)),
            )
            uow.commit()
        return erasure

    def __repr__(self) -> str:
        return f"GuestData({self._aggregates!r})"


def _customer_of(record: Order | Review | ServiceRequest) -> CustomerId | None:
    return record.guest.customer if isinstance(record, Order) else record.customer


def _erased_review(review: Review, at: dt.datetime) -> Erased[Review]:
    erased, event = review.erase(at=at)
    return erased, () if event is None else (event,)


def _found(read: Callable[[], A]) -> A | None:
    try:
        return read()
    except AggregateNotFoundError:
        return None
