"""Service desk use cases: open, answer, assign, resolve and close guests' requests.

:class:`ServiceDesk` wires the service request aggregate
(:mod:`staycore.membership.service`) over the ports: a unit of work stores each step with
its events, a :class:`~staycore.ports.service_requests.ServiceRequestQueries` finds the
requests still unresolved (for the sweeper) and those of a period (for reports), and a
:class:`~staycore.ports.notifier.Notifier` keeps the guest informed.

The rules every use case keeps:

* **The guest hears every visible step.** Each update the guest may see (the opening,
  the response, visible notes, the resolution, a reopen, the close, a cancel) is sent as
  a :class:`~staycore.ports.notifier.Message`: ``service.opened``, ``service.updated``,
  ``service.resolved``, ``service.reopened``, ``service.closed``, ``service.cancelled``.
  These are service messages, not marketing, so no consent is asked. A message the
  notifier refuses is kept in :attr:`ServiceDesk.undelivered`; the step stands.
  Internal steps (assigning, starting work, internal notes, escalations) send nothing:
  escalations reach the host as :class:`~staycore.membership.service.ServiceRequestEscalated`
  events in the outbox.
* **Once per key.** Opening takes an idempotency key; every other step may take one. A
  repeat with the same key and the same command returns the request as it is now and
  does nothing again; the same key with another command is refused.
* **Escalation sweeps are idempotent.** :meth:`ServiceDesk.escalate_due` escalates each
  breached deadline once, however often it runs and from however many workers.

Example:
    >>> from staycore.adapters.memory import (
    ...     MemoryIdempotencyStore, MemoryStore, RecordingNotifier)
    >>> from staycore.adapters.memory.service_requests import MemoryServiceRequestQueries
    >>> from staycore.app.service_desk import ServiceDesk
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-07-10T20:00:00Z")
    >>> store, notifier = MemoryStore(), RecordingNotifier()
    >>> desk = ServiceDesk(
    ...     uow=store.unit_of_work, queries=MemoryServiceRequestQueries(store), clock=clock,
    ...     notifier=notifier, idempotency=MemoryIdempotencyStore(clock))
    >>> guest = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> request = desk.open(guest, category="housekeeping", text="Two more towels, please.",
    ...                     idempotency_key="towels")
    >>> request.team, request.first_response_due.isoformat()
    ('housekeeping', '2026-07-10T20:30:00+00:00')
    >>> _ = clock.advance(minutes=45)
    >>> [r.escalation_level for r in desk.escalate_due()]
    [1]
    >>> request = desk.resolve(request.id, by="hk:ana", text="Towels are on their way up.")
    >>> request = desk.close_with_rating(request.id, rating=5)
    >>> [m.template for m in notifier.sent]
    ['service.opened', 'service.resolved', 'service.closed']
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pendulum

from staycore.kernel.errors import ConcurrencyError
from staycore.kernel.events import DomainEvent
from staycore.kernel.time import Clock
from staycore.membership.errors import ServiceRequestError
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.membership.service import (
    Priority,
    ServicePolicy,
    ServiceReport,
    ServiceRequest,
    service_report,
)
from staycore.orders.ids import OrderId
from staycore.orders.order import Order
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.notifier import Channel, Message, Notifier
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.ports.service_requests import ServiceRequestQueries

__all__ = ["ForeignOrderError", "ServiceDesk"]

_KEY_TTL = dt.timedelta(days=7)

# The message each customer-visible step sends, by the step its update records.
_TEMPLATES = {
    "open": "service.opened",
    "respond": "service.updated",
    "update": "service.updated",
    "resolve": "service.resolved",
    "reopen": "service.reopened",
    "close": "service.closed",
    "cancel": "service.cancelled",
}

_Step = Callable[
    [ServiceRequest, pendulum.DateTime], tuple[ServiceRequest, tuple[DomainEvent, ...]]
]


class ForeignOrderError(ServiceRequestError):
    """A request names an order that another customer placed.

    Example:
        >>> from staycore.app.service_desk import ForeignOrderError
        >>> ForeignOrderError.code
        'service.foreign_order'
    """

    code = "service.foreign_order"


class ServiceDesk:
    """The service request use cases over the ports.

    Args:
        uow: Opens units of work for requests (and the orders they name).
        queries: Finds unresolved requests, and those of a period.
        clock: The time of every step.
        notifier: Tells the guest.
        idempotency: Remembers idempotency keys.
        policy: Categories, teams and deadlines; :meth:`ServicePolicy.default` when
            omitted.
        channel: The channel service messages go out on; the host's notifier reaches
            the guest there.

    Example:
        See the module example.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        queries: ServiceRequestQueries,
        clock: Clock,
        notifier: Notifier,
        idempotency: IdempotencyStore,
        policy: ServicePolicy | None = None,
        channel: Channel = Channel.EMAIL,
    ) -> None:
        self._uow = uow
        self._queries = queries
        self._clock = clock
        self._notifier = notifier
        self._idempotency = idempotency
        self.policy = ServicePolicy.default() if policy is None else policy
        """The categories, teams and deadlines new requests are opened under."""
        self._channel = channel
        self.undelivered: list[Message] = []
        """Messages the notifier refused; the steps they announce stand. Resend them."""

    # -- reading -------------------------------------------------------------------

    def get(self, request_id: ServiceRequestId) -> ServiceRequest:
        """The request as committed.

        Raises:
            AggregateNotFoundError: No such request.

        Example:
            Continuing the module example above:

            >>> desk.get(request.id).status.value
            'closed'
        """
        with self._uow() as uow:
            return uow.repository(ServiceRequest).get(request_id)

    def unresolved(self, *, team: str | None = None) -> tuple[ServiceRequest, ...]:
        """The requests still open, responded or in progress (of ``team``), oldest first.

        Example:
            Continuing the module example above:

            >>> desk.unresolved(team="housekeeping")
            ()
        """
        found = (self.get(request_id) for request_id in self._queries.unresolved_requests())
        return tuple(r for r in found if team is None or r.team == team)

    def report(self, start: dt.datetime, end: dt.datetime) -> ServiceReport:
        """Count the requests opened in ``[start, end)``, breaches judged now.

        Raises:
            InvalidReportPeriodError: ``end`` is not after ``start``.

        Example:
            Continuing the module example above:

            >>> report = desk.report(clock.now().start_of("month"), clock.now().add(days=1))
            >>> report.by_category, report.first_response_breaches, report.average_rating
            ({'housekeeping': 1}, {'housekeeping': 1}, Decimal('5.0'))
        """
        requests = [self.get(request_id) for request_id in self._queries.opened_between(start, end)]
        return service_report(requests, start, end, at=self._clock.now())

    # -- steps ---------------------------------------------------------------------

    def open(
        self,
        customer: CustomerId,
        *,
        category: str,
        text: str,
        idempotency_key: str,
        priority: Priority | None = None,
        order: OrderId | None = None,
    ) -> ServiceRequest:
        """Open a request for ``customer``, assigned to its category's team.

        Args:
            customer: The guest asking.
            category: A category of the desk's policy.
            text: What the guest asks.
            idempotency_key: A retry with the same key opens nothing new.
            priority: How urgent; the policy's default when omitted.
            order: The order (the stay) the request is about; it must be the customer's.

        Raises:
            UnknownCategoryError: The policy has no such category.
            InvalidServiceRequestError: The text is empty or too long.
            AggregateNotFoundError: ``order`` does not exist.
            ForeignOrderError: ``order`` is another customer's.

        Example:
            See the module example.
        """

        def run() -> ServiceRequest:
            now = self._clock.now()
            request, events = ServiceRequest.open(
                ServiceRequestId.new(),
                customer=customer,
                category=category,
                text=text,
                policy=self.policy,
                at=now,
                priority=priority,
                order=order,
            )
            with self._uow() as uow:
                if order is not None:
                    owner = uow.repository(Order).get(order).guest.customer
                    if owner != customer:
                        msg = (
                            f"order {order} was placed by another customer, not {customer}; "
                            "open the request about one of the guest's own orders, or none"
                        )
                        raise ForeignOrderError(msg)
                uow.repository(ServiceRequest).add(request)
                uow.collect(*events)
                uow.commit()
            self._tell(request, len(request.updates) - 1)
            return request

        command = ("open", customer, category, text, priority, order)
        return self._once(idempotency_key, command, run)

    def respond(
        self,
        request_id: ServiceRequestId,
        *,
        by: str,
        text: str,
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """Answer the guest for the first time; sends ``service.updated``.

        Raises:
            IllegalTransitionError: The request has had its response.
            InvalidServiceRequestError: An empty ``by`` or text.

        Example:
            Continuing the module example above:

            >>> desk.respond(request.id, by="hk:ana", text="On it!")
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.IllegalTransitionError: [state_machine.illegal_transition] ...
        """
        return self._step(
            request_id,
            lambda request, now: request.respond(by=by, text=text, at=now),
            idempotency_key,
            ("respond", request_id, by, text),
        )

    def add_update(
        self,
        request_id: ServiceRequestId,
        *,
        by: str,
        text: str,
        visible_to_customer: bool = True,
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """Add a progress note; a visible one is sent as ``service.updated``.

        A visible note on an open request is its first response.

        Raises:
            IllegalTransitionError: The request is closed or cancelled.
            InvalidServiceRequestError: An empty ``by`` or text.

        Example:
            Continuing the module example above:

            >>> leak = desk.open(guest, category="maintenance", text="The sink leaks.",
            ...                  idempotency_key="sink")
            >>> leak = desk.add_update(leak.id, by="eng:tom", text="Check the seal.",
            ...                        visible_to_customer=False)
            >>> leak.status.value, notifier.sent[-1].template
            ('open', 'service.opened')
        """
        return self._step(
            request_id,
            lambda request, now: request.add_update(
                by=by, text=text, at=now, visible_to_customer=visible_to_customer
            ),
            idempotency_key,
            ("add_update", request_id, by, text, visible_to_customer),
        )

    def assign(
        self,
        request_id: ServiceRequestId,
        *,
        assignee: str | None,
        by: str,
        team: str | None = None,
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """Give the request to a team member, or move it to another team's queue.

        Raises:
            IllegalTransitionError: The request is closed or cancelled.
            InvalidServiceRequestError: An empty ``by``, ``assignee`` or ``team``.

        Example:
            Continuing the module example above:

            >>> desk.assign(leak.id, assignee="eng:tom", by="eng:lead").assignee
            'eng:tom'
        """
        return self._step(
            request_id,
            lambda request, now: request.assign(assignee=assignee, by=by, at=now, team=team),
            idempotency_key,
            ("assign", request_id, assignee, by, team),
        )

    def start(
        self,
        request_id: ServiceRequestId,
        *,
        by: str,
        text: str = "",
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """Work on a responded request began (internal: nothing is sent).

        Raises:
            IllegalTransitionError: The request has not been responded to, or is past it.

        Example:
            Continuing the module example above:

            >>> leak = desk.respond(leak.id, by="eng:tom", text="Tom comes at 9.")
            >>> desk.start(leak.id, by="eng:tom").status.value
            'in_progress'
        """
        return self._step(
            request_id,
            lambda request, now: request.start(by=by, at=now, text=text),
            idempotency_key,
            ("start", request_id, by, text),
        )

    def resolve(
        self,
        request_id: ServiceRequestId,
        *,
        by: str,
        text: str,
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """The team resolved the request; sends ``service.resolved`` with how.

        Raises:
            IllegalTransitionError: The request is resolved, closed or cancelled.
            InvalidServiceRequestError: An empty ``by`` or text.

        Example:
            See the module example.
        """
        return self._step(
            request_id,
            lambda request, now: request.resolve(by=by, text=text, at=now),
            idempotency_key,
            ("resolve", request_id, by, text),
        )

    def reopen(
        self,
        request_id: ServiceRequestId,
        *,
        by: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """A resolved request goes back to work, with a new deadline (``service.reopened``).

        Raises:
            IllegalTransitionError: The request is not resolved.
            InvalidServiceRequestError: An empty ``by`` or reason.

        Example:
            Continuing the module example above:

            >>> leak = desk.resolve(leak.id, by="eng:tom", text="New seal fitted.")
            >>> desk.reopen(leak.id, by=guest, reason="Still dripping.").status.value
            'in_progress'
        """
        return self._step(
            request_id,
            lambda request, now: request.reopen(by=by, reason=reason, at=now),
            idempotency_key,
            ("reopen", request_id, by, reason),
        )

    def close_with_rating(
        self,
        request_id: ServiceRequestId,
        *,
        rating: int,
        comment: str = "",
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """The guest closes a resolved request with a rating from 1 to 5 (``service.closed``).

        Raises:
            InvalidRatingError: ``rating`` is not a whole number from 1 to 5.
            IllegalTransitionError: The request is not resolved.

        Example:
            See the module example.
        """
        return self._step(
            request_id,
            lambda request, now: request.close(rating=rating, at=now, comment=comment),
            idempotency_key,
            ("close", request_id, rating, comment),
        )

    def cancel(
        self,
        request_id: ServiceRequestId,
        *,
        reason: str = "",
        by: str | None = None,
        idempotency_key: str | None = None,
    ) -> ServiceRequest:
        """The request is withdrawn, by the guest unless ``by`` names staff (``service.cancelled``).

        Raises:
            IllegalTransitionError: The request is resolved, closed or cancelled.

        Example:
            Continuing the module example above:

            >>> desk.cancel(leak.id, reason="Checked out.").status.value
            'cancelled'
        """
        return self._step(
            request_id,
            lambda request, now: request.cancel(at=now, reason=reason, by=by),
            idempotency_key,
            ("cancel", request_id, reason, by),
        )

    # -- the sweeper ---------------------------------------------------------------

    def escalate_due(self) -> tuple[ServiceRequest, ...]:
        """Escalate every unresolved request whose deadline passed unmet; return those.

        Each breached deadline is escalated once: running again escalates only what
        broke since. A request another worker changed meanwhile is left to the next run.

        Example:
            Continuing the module example above:

            >>> desk.escalate_due()
            ()
        """
        escalated = []
        for request_id in self._queries.unresolved_requests():
            try:
                _, request, events = self._apply(
                    request_id, lambda request, now: request.escalate(at=now)
                )
            except ConcurrencyError:
                continue  # changed meanwhile: the next run sees it as it is now
            if events:
                escalated.append(request)
        return tuple(escalated)

    # -- internals -----------------------------------------------------------------

    def _step(
        self,
        request_id: ServiceRequestId,
        step: _Step,
        key: str | None,
        command: object,
    ) -> ServiceRequest:
        """Apply ``step`` now, once per ``key``, and tell the guest what they may see."""

        def run() -> ServiceRequest:
            before, after, _events = self._apply(request_id, step)
            for index in range(len(before.updates), len(after.updates)):
                self._tell(after, index)
            return after

        return run() if key is None else self._once(key, command, run)

    def _apply(
        self, request_id: ServiceRequestId, step: _Step
    ) -> tuple[ServiceRequest, ServiceRequest, tuple[DomainEvent, ...]]:
        """Load the request, take ``step`` at the clock's time, store it with its events.

        Returns the request before and after the step, and the step's events.
        """
        with self._uow() as uow:
            requests = uow.repository(ServiceRequest)
            request = requests.get(request_id)
            changed, events = step(request, self._clock.now())
            if events:
                requests.save(changed, expected_version=request.version)
                uow.collect(*events)
                uow.commit()
        return request, changed, events

    def _once(self, key: str, command: object, run: Callable[[], ServiceRequest]) -> ServiceRequest:
        """Run ``run`` once per idempotency key; a repeat returns the request as it is now."""
        fingerprint = hashlib.sha256(repr(command).encode()).hexdigest()
        record = self._idempotency.claim(key, fingerprint, ttl=_KEY_TTL)
        if record is not None and record.result is not None:
            return self.get(ServiceRequestId(record.result))
        try:
            request = run()
        except BaseException:
            self._idempotency.release(key, fingerprint)
            raise
        self._idempotency.complete(key, fingerprint, str(request.id))
        return request

    def _tell(self, request: ServiceRequest, index: int) -> bool:
        """Send the guest the update at ``index``, if they may see it.

        A refused message is kept in :attr:`undelivered`, not raised: the step stands.
        """
        update = request.updates[index]
        template = _TEMPLATES.get(update.step)
        if not update.visible_to_customer or template is None:
            return False
        message = Message(
            recipient=request.customer,
            channel=self._channel,
            template=template,
            variables={
                "request": str(request.id),
                "category": request.category,
                "status": request.status.value,
                "team": request.team,
                "update": update.text,
                "first_response_due": request.first_response_due.isoformat(),
                "resolution_due": request.resolution_due.isoformat(),
            },
            idempotency_key=f"{request.id}:{index}:{template}",
        )
        try:
            self._notifier.send(message)
        except Exception:  # the step stands; the message waits for a resend
            self.undelivered.append(message)
            return False
        return True
