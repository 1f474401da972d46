"""The service desk use cases, end to end over the memory adapters, beside a sandbox hotel."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self, TypeVar

import attrs
import pendulum
import pytest

from staycore.adapters.memory import MemoryIdempotencyStore, MemoryStore, MemoryUnitOfWork
from staycore.app.service_desk import ForeignOrderError, ServiceDesk
from staycore.kernel.errors import (
    AggregateNotFoundError,
    IdempotencyConflictError,
    IllegalTransitionError,
)
from staycore.kernel.events import DomainEvent
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.membership.service import (
    Deadline,
    InvalidRatingError,
    Priority,
    ServicePolicy,
    ServiceRequest,
    ServiceRequestEscalated,
    ServiceRequestOpened,
    ServiceStatus,
    UnknownCategoryError,
)
from staycore.orders.ids import OrderId
from staycore.orders.order import Order
from staycore.ports.notifier import Channel, Message
from staycore.ports.persistence import Aggregate, Repository, UnitOfWorkFactory
from staycore.ports.service_requests import ServiceRequestQueries
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SandboxHotel

S = ServiceStatus
GUEST = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
OTHER = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8")
STAFF = "desk:lea"

A = TypeVar("A", bound=Aggregate)


class Desk:
    """A service desk wired beside a sandbox hotel, sharing its store, clock and notifier."""

    def __init__(self, **options: Any) -> None:
        self.hotel = SandboxHotel(now="2026-07-10T20:00:00Z")
        self.clock = self.hotel.clock
        self.store = self.hotel.store
        self.notifier = self.hotel.notifier
        self.queries = self.hotel.stores.service_requests
        self.desk = self.wired(self.store.unit_of_work, **options)

    def wired(self, uow: UnitOfWorkFactory, **options: Any) -> ServiceDesk:
        return ServiceDesk(
            uow=uow,
            queries=self.queries,
            clock=self.clock,
            notifier=self.notifier,
            idempotency=MemoryIdempotencyStore(self.clock),
            **options,
        )

    def open(self, key: str = "open", **changes: Any) -> ServiceRequest:
        arguments: dict[str, Any] = {"category": "complaint", "text": "Loud neighbours."}
        arguments.update(changes)
        customer = arguments.pop("customer", GUEST)
        return self.desk.open(customer, idempotency_key=key, **arguments)

    def sent(self) -> list[Message]:
        return [m for m in self.notifier.sent if m.template.startswith("service.")]

    def templates(self) -> list[str]:
        return [m.template for m in self.sent()]

    def events(self, kind: type[DomainEvent]) -> list[Any]:
        return [e for e in self.store.outbox() if isinstance(e, kind)]

    def stored(self) -> tuple[ServiceRequest, ...]:
        return self.store.committed(ServiceRequest)


@pytest.fixture
def world() -> Desk:
    return Desk()


def an_order_of(world: Desk, customer: CustomerId) -> Order:
    command = world.hotel.booking("2026-07-20/2026-07-22")
    return world.hotel.orders.place(
        attrs.evolve(command, customer=customer), idempotency_key="book"
    )


# -- opening ---------------------------------------------------------------------------


def test_opening_stores_the_request_records_the_event_and_tells_the_guest(world: Desk) -> None:
    request = world.open(priority=Priority.HIGH)
    assert world.desk.get(request.id) == request
    assert (request.status, request.team, request.priority) == (
        S.OPEN,
        "guest relations",
        Priority.HIGH,
    )
    assert request.opened_at == world.clock.now()
    [opened] = world.events(ServiceRequestOpened)
    assert opened.aggregate_id == request.id
    [message] = world.sent()
    assert (message.recipient, message.channel, message.template) == (
        GUEST,
        Channel.EMAIL,
        "service.opened",
    )
    assert message.variables["request"] == str(request.id)
    assert message.variables["first_response_due"] == "2026-07-10T21:00:00+00:00"
    assert message.variables["resolution_due"] == "2026-07-11T20:00:00+00:00"
    assert message.variables["update"] == "Loud neighbours."


def test_opening_again_with_the_key_returns_the_request_and_opens_nothing_more(
    world: Desk,
) -> None:
    first = world.open()
    assert world.open() == first
    assert len(world.stored()) == 1
    assert world.templates() == ["service.opened"]
    with pytest.raises(IdempotencyConflictError):
        world.open(text="Another thing.")


def test_opening_about_the_guests_own_order_links_it(world: Desk) -> None:
    order = an_order_of(world, GUEST)
    request = world.open(order=order.id)
    assert request.order == order.id


def test_opening_about_another_customers_order_is_refused_and_stores_nothing(
    world: Desk,
) -> None:
    order = an_order_of(world, OTHER)
    assert_refused(
        ForeignOrderError,
        "service.foreign_order",
        "open the request about one of the guest's own orders",
        lambda: world.open(order=order.id),
    )
    assert world.stored() == ()
    assert world.sent() == []
    # The key was given back: the corrected request may use it.
    assert world.open(order=None).order is None


def test_opening_about_an_order_that_does_not_exist_is_refused(world: Desk) -> None:
    with pytest.raises(AggregateNotFoundError):
        world.open(order=OrderId.new())
    assert world.stored() == ()


def test_opening_under_an_unknown_category_is_refused(world: Desk) -> None:
    assert_refused(
        UnknownCategoryError,
        "service.unknown_category",
        "there is no service category 'spa'",
        lambda: world.open(category="spa"),
    )
    assert world.stored() == ()


def test_the_desk_opens_under_its_own_policy_and_channel() -> None:
    policy = ServicePolicy(ServicePolicy.default().categories, default_priority=Priority.URGENT)
    world = Desk(policy=policy, channel=Channel.SMS)
    request = world.open()
    assert request.priority is Priority.URGENT
    assert world.desk.policy is policy
    assert world.sent()[0].channel is Channel.SMS


# -- steps -----------------------------------------------------------------------------


def test_each_visible_step_tells_the_guest_and_internal_ones_do_not(world: Desk) -> None:
    request = world.open()
    world.desk.assign(request.id, assignee="gr:sam", by=STAFF)
    world.desk.add_update(
        request.id, by="gr:sam", text="Asked security.", visible_to_customer=False
    )
    world.desk.respond(request.id, by="gr:sam", text="We are sorry; security is on the way.")
    world.desk.start(request.id, by="gr:sam")
    world.desk.add_update(request.id, by="gr:sam", text="The party is over.")
    world.desk.resolve(request.id, by="gr:sam", text="A quiet room for tonight.")
    world.desk.reopen(request.id, by=GUEST, reason="Loud again.")
    world.desk.resolve(request.id, by="gr:sam", text="Moved you to the top floor.")
    closed = world.desk.close_with_rating(request.id, rating=4, comment="Good save.")
    assert world.templates() == [
        "service.opened",
        "service.updated",
        "service.updated",
        "service.resolved",
        "service.reopened",
        "service.resolved",
        "service.closed",
    ]
    assert (closed.status, closed.rating, closed.assignee) == (S.CLOSED, 4, "gr:sam")
    assert world.sent()[-1].variables["update"] == "Good save."
    assert len({m.idempotency_key for m in world.sent()}) == 7
    assert world.desk.get(request.id) == closed


def test_cancelling_tells_the_guest(world: Desk) -> None:
    request = world.open()
    cancelled = world.desk.cancel(request.id, reason="Sorted it myself.")
    assert cancelled.status is S.CANCELLED
    assert world.templates() == ["service.opened", "service.cancelled"]


def test_a_refused_step_changes_nothing_and_sends_nothing(world: Desk) -> None:
    request = world.open()
    with pytest.raises(IllegalTransitionError):
        world.desk.close_with_rating(request.id, rating=5)
    assert_refused(
        InvalidRatingError,
        "service.invalid_rating",
        "from 1 to 5",
        lambda: world.desk.close_with_rating(request.id, rating=9),
    )
    assert world.desk.get(request.id) == request
    assert world.templates() == ["service.opened"]


def test_a_step_with_a_key_is_taken_once(world: Desk) -> None:
    request = world.open()
    for _ in range(2):
        world.desk.add_update(request.id, by=STAFF, text="Checking.", idempotency_key="note-1")
    assert [u.text for u in world.desk.get(request.id).updates].count("Checking.") == 1
    with pytest.raises(IdempotencyConflictError):
        world.desk.add_update(request.id, by=STAFF, text="Other.", idempotency_key="note-1")
    world.desk.add_update(request.id, by=STAFF, text="Checking.")
    assert [u.text for u in world.desk.get(request.id).updates].count("Checking.") == 2


def test_a_message_the_notifier_refuses_is_kept_and_the_step_stands(world: Desk) -> None:
    request = world.open()
    world.notifier.fail_next(ConnectionError("mail server down"))
    resolved = world.desk.resolve(request.id, by=STAFF, text="Fixed.")
    assert world.desk.get(request.id).status is S.RESOLVED
    [kept] = world.desk.undelivered
    assert (kept.template, kept.variables["update"]) == ("service.resolved", "Fixed.")
    world.notifier.send(kept)
    assert world.templates() == ["service.opened", "service.resolved"]
    assert resolved.status is S.RESOLVED


def test_an_unknown_request_is_not_found(world: Desk) -> None:
    with pytest.raises(AggregateNotFoundError):
        world.desk.respond(ServiceRequestId.new(), by=STAFF, text="Hi")


# -- the sweeper -----------------------------------------------------------------------


def test_escalate_due_escalates_each_breach_once_and_tells_the_guest_nothing(world: Desk) -> None:
    complaint = world.open()
    towels = world.open("towels", category="housekeeping", text="Towels, please.")
    answered = world.open("fast", category="maintenance", text="The tap drips.")
    world.desk.respond(answered.id, by=STAFF, text="Coming.")
    assert world.desk.escalate_due() == ()
    world.clock.advance(minutes=45)  # the towels' first response (30 min) is late
    [escalated] = world.desk.escalate_due()
    assert (escalated.id, escalated.escalation_level) == (towels.id, 1)
    assert world.desk.escalate_due() == ()
    world.clock.advance(minutes=30)  # 75 min: the complaint's first response too
    assert [r.id for r in world.desk.escalate_due()] == [complaint.id]
    world.clock.advance(hours=1)  # the towels' resolution (2 h) is late
    assert [r.id for r in world.desk.escalate_due()] == [towels.id]
    assert world.desk.get(towels.id).escalation_level == 2
    assert world.desk.get(answered.id).escalation_level == 0
    deadlines = [(e.aggregate_id, e.deadline) for e in world.events(ServiceRequestEscalated)]
    assert deadlines == [
        (towels.id, Deadline.FIRST_RESPONSE),
        (complaint.id, Deadline.FIRST_RESPONSE),
        (towels.id, Deadline.RESOLUTION),
    ]
    assert world.templates() == ["service.opened"] * 3 + ["service.updated"]


def test_escalate_due_leaves_resolved_closed_and_cancelled_requests_alone(world: Desk) -> None:
    resolved = world.open("a")
    world.desk.resolve(resolved.id, by=STAFF, text="Done.")
    cancelled = world.open("b")
    world.desk.cancel(cancelled.id)
    world.clock.advance(days=5)
    assert world.desk.escalate_due() == ()
    assert world.events(ServiceRequestEscalated) == []


class RacingUnitOfWork:
    """A unit of work that lets another change commit just before its own commit."""

    def __init__(self, inner: MemoryUnitOfWork, race: Any) -> None:
        self._inner = inner
        self._race = race

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, traceback)

    def repository(self, kind: type[A]) -> Repository[A]:
        return self._inner.repository(kind)

    def collect(self, *events: DomainEvent) -> None:
        self._inner.collect(*events)

    def commit(self) -> None:
        self._race()
        self._inner.commit()

    def rollback(self) -> None:
        self._inner.rollback()


def test_escalate_due_leaves_a_request_changed_meanwhile_to_the_next_run(world: Desk) -> None:
    request = world.open()
    world.clock.advance(hours=2)
    store = world.store
    assert isinstance(store, MemoryStore)

    def race() -> None:
        world.desk.add_update(request.id, by=STAFF, text="Internal.", visible_to_customer=False)

    racing = world.wired(lambda: RacingUnitOfWork(store.unit_of_work(), race))
    assert racing.escalate_due() == ()
    assert world.desk.get(request.id).escalation_level == 0
    [escalated] = world.desk.escalate_due()
    assert escalated.escalation_level == 1


# -- queries ---------------------------------------------------------------------------


def test_unresolved_lists_open_requests_by_team(world: Desk) -> None:
    complaint = world.open("a")
    towels = world.open("b", category="housekeeping", text="Towels.")
    done = world.open("c", category="housekeeping", text="Soap.")
    world.desk.resolve(done.id, by=STAFF, text="Soap delivered.")
    assert [r.id for r in world.desk.unresolved()] == [complaint.id, towels.id]
    assert [r.id for r in world.desk.unresolved(team="housekeeping")] == [towels.id]
    assert world.queries.unresolved_requests() == (complaint.id, towels.id)
    assert isinstance(world.queries, ServiceRequestQueries)


def test_the_report_counts_the_periods_requests_and_judges_breaches_now(world: Desk) -> None:
    start = pendulum.datetime(2026, 7, 1, tz="UTC")
    late = world.open("a")
    quick = world.open("b", category="billing", text="Invoice, please.")
    world.desk.resolve(quick.id, by=STAFF, text="Sent.")
    world.desk.close_with_rating(quick.id, rating=3)
    world.clock.advance(hours=2)
    world.open("c", category="billing", text="Again.")
    report = world.desk.report(start, start.add(months=1))
    assert report.by_category == {"billing": 2, "complaint": 1}
    assert report.first_response_breaches == {"billing": 0, "complaint": 1}
    assert report.by_status[S.OPEN] == 2
    assert report.by_status[S.CLOSED] == 1
    assert report.at == world.clock.now()
    assert str(report.average_rating) == "3.0"
    assert world.queries.opened_between(start, start.add(days=1)) == ()
    assert late.id in world.queries.opened_between(start, start.add(months=1))
