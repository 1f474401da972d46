"""Service requests and complaints: the closed loop a hotel runs on what its guests ask.

A guest opens a :class:`ServiceRequest` (a complaint, a housekeeping or maintenance
request, a billing question) under a :class:`Category`, optionally about an order. The
:class:`ServicePolicy` gives the category's team, which the request is assigned to on
opening, and its :class:`Deadlines` for the request's :class:`Priority`: the first
response is due within one duration of opening, the resolution within another. The
defaults (:meth:`ServicePolicy.default`) follow the source documents: a first response
within 1 hour for an after-sales problem, complaints resolved within 48 hours (24 when
the priority is high), and the outcome back to the guest within 72 hours at the latest.

The request moves along :data:`SERVICE_REQUEST_LIFECYCLE`, one declared table: open ->
responded -> in progress -> resolved -> closed (with the guest's satisfaction rating),
with a reopen from resolved and a cancel (the guest withdrew it) while it is unresolved.
Every step appends an :class:`Update` to the request's timeline (who, when, what, and
whether the guest sees it) and returns the changed request, one version on, with the
events it records. The first word the guest hears from staff (a response, a visible
update, or the resolution itself) meets the first-response deadline.

A deadline is *breached* when it passed before it was met (:meth:`ServiceRequest.breaches`);
a cancelled request owes nothing after it was withdrawn. Escalation is a level, not a
status, so that an escalated request keeps its place in the lifecycle:
:meth:`ServiceRequest.escalate` raises it by one for each breached deadline not yet
escalated, and does nothing when called again. A reopened request gets a fresh
resolution deadline, which is escalated on its own when it too passes.

:func:`service_report` counts a period's requests by category and status, their
breaches by category, and the mean rating, for reports.

Example:
    >>> import pendulum
    >>> from staycore.membership.ids import CustomerId, ServiceRequestId
    >>> from staycore.membership.service import Priority, ServicePolicy, ServiceRequest
    >>> policy = ServicePolicy.default()
    >>> opened_at = pendulum.datetime(2026, 7, 10, 20, tz="UTC")
    >>> request, events = ServiceRequest.open(
    ...     ServiceRequestId("srq_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     customer=CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     category="complaint",
    ...     text="The room next door was loud until 2 am.",
    ...     policy=policy,
    ...     at=opened_at,
    ... )
    >>> request.status.value, request.team, request.priority.value
    ('open', 'guest relations', 'normal')
    >>> request.first_response_due.isoformat(), request.resolution_due.isoformat()
    ('2026-07-10T21:00:00+00:00', '2026-07-12T20:00:00+00:00')
    >>> [d.value for d in request.breaches(opened_at.add(hours=2))]
    ['first_response']
    >>> request, events = request.escalate(at=opened_at.add(hours=2))
    >>> request.escalation_level, request.status.value, events[0].event_type
    (1, 'open', 'ServiceRequestEscalated')
    >>> request, _ = request.respond(
    ...     by="desk:lea", text="So sorry! We moved the neighbours' party.",
    ...     at=opened_at.add(hours=2, minutes=5))
    >>> request, _ = request.resolve(
    ...     by="desk:lea", text="A quiet room on the top floor for tonight.",
    ...     at=opened_at.add(hours=3))
    >>> request, events = request.close(rating=4, at=opened_at.add(days=1))
    >>> request.status.value, request.rating, [u.step for u in request.updates]
    ('closed', 4, ['open', 'escalate', 'respond', 'resolve', 'close'])
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs
import pendulum

from staycore.kernel.erasure import ERASED, PERSONAL, PersonalDataErased, personal
from staycore.kernel.events import DomainEvent
from staycore.kernel.state_machine import Transition, TransitionTable
from staycore.kernel.time import as_instant
from staycore.membership.errors import ServiceRequestError
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.orders.ids import OrderId

__all__ = [
    "MAX_RATING",
    "MAX_TEXT_LENGTH",
    "MIN_RATING",
    "SERVICE_REQUEST_LIFECYCLE",
    "SYSTEM",
    "UNRESOLVED_STATUSES",
    "Category",
    "Change",
    "Deadline",
    "Deadlines",
    "Escalation",
    "InvalidRatingError",
    "InvalidReportPeriodError",
    "InvalidServicePolicyError",
    "InvalidServiceRequestError",
    "Priority",
    "ServicePolicy",
    "ServiceReport",
    "ServiceRequest",
    "ServiceRequestCancelled",
    "ServiceRequestClosed",
    "ServiceRequestEscalated",
    "ServiceRequestOpened",
    "ServiceRequestReopened",
    "ServiceRequestResolved",
    "ServiceRequestUpdated",
    "ServiceStatus",
    "UnknownCategoryError",
    "Update",
    "service_report",
]

MIN_RATING: Final = 1
"""The lowest satisfaction rating a guest may give."""

MAX_RATING: Final = 5
"""The highest satisfaction rating a guest may give."""

MAX_TEXT_LENGTH: Final = 5_000
"""The most characters a request's text, an update or a comment may have once stripped."""

SYSTEM: Final = "system"
"""Who the timeline names for steps nobody took by hand (an escalation)."""

_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")


# -- errors ----------------------------------------------------------------------------


class InvalidServicePolicyError(ServiceRequestError):
    """A category or a service policy breaks the rules of deadlines.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.service import Deadlines
        >>> Deadlines(first_response=dt.timedelta(hours=2), resolution=dt.timedelta(hours=1))
        Traceback (most recent call last):
        ...
        staycore.membership.service.InvalidServicePolicyError: [service.invalid_policy] ...
    """

    code = "service.invalid_policy"


class UnknownCategoryError(ServiceRequestError):
    """A request names a category the service policy does not have.

    Attributes:
        category: The name asked for.
        known: The names the policy has, sorted.

    Example:
        >>> from staycore.membership.service import UnknownCategoryError
        >>> print(UnknownCategoryError("spa", ("billing", "complaint")).message)
        there is no service category 'spa'; open the request under one of: billing,
        complaint (or add the category to the service policy)
    """

    code = "service.unknown_category"

    def __init__(self, category: str, known: Iterable[str]) -> None:
        self.category = category
        self.known = tuple(sorted(known))
        super().__init__(
            f"there is no service category {category!r}; open the request under one of: "
            f"{', '.join(self.known)} (or add the category to the service policy)"
        )


class InvalidServiceRequestError(ServiceRequestError):
    """A request's text, author, assignee or instant breaks the rules of a request.

    Example:
        Continuing the module example above:

        >>> request.add_update(by="desk:lea", text="  ", at=opened_at.add(days=1))
        Traceback (most recent call last):
        ...
        staycore.membership.service.InvalidServiceRequestError: [service.invalid_request] ...
    """

    code = "service.invalid_request"


class InvalidRatingError(ServiceRequestError):
    """A satisfaction rating is not a whole number from 1 to 5.

    Example:
        >>> from staycore.membership.service import InvalidRatingError
        >>> InvalidRatingError.code
        'service.invalid_rating'
    """

    code = "service.invalid_rating"


class InvalidReportPeriodError(ServiceRequestError):
    """A report's period ends at or before it starts.

    Example:
        >>> from staycore.membership.service import InvalidReportPeriodError
        >>> InvalidReportPeriodError.code
        'service.invalid_report_period'
    """

    code = "service.invalid_report_period"


# -- the policy ------------------------------------------------------------------------


class Priority(enum.Enum):
    """How urgent a request is; each category gives every priority its own deadlines.

    Example:
        >>> from staycore.membership.service import Priority
        >>> [p.value for p in Priority]
        ['low', 'normal', 'high', 'urgent']
    """

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Deadline(enum.Enum):
    """The two deadlines every request runs against.

    Example:
        >>> from staycore.membership.service import Deadline
        >>> [d.value for d in Deadline]
        ['first_response', 'resolution']
    """

    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


def _positive(name: str) -> Callable[[object, attrs.Attribute[dt.timedelta], dt.timedelta], None]:
    """An attrs validator refusing anything but a positive timedelta."""

    def check(_instance: object, _attribute: attrs.Attribute[dt.timedelta], value: object) -> None:
        if not isinstance(value, dt.timedelta) or value <= dt.timedelta(0):
            msg = f"{name} must be a positive duration, such as timedelta(hours=1); got {value!r}"
            raise InvalidServicePolicyError(msg)

    return check


@attrs.frozen
class Deadlines:
    """How soon a request must get its first response, and its resolution, after opening.

    Attributes:
        first_response: Elapsed time from opening to the first word to the guest.
        resolution: Elapsed time from opening (or reopening) to the resolution; not
            shorter than ``first_response``.

    Raises:
        InvalidServicePolicyError: A duration is not a positive timedelta, or the
            resolution is due before the first response.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.service import Deadlines
        >>> Deadlines(dt.timedelta(hours=1), dt.timedelta(hours=48)).resolution
        datetime.timedelta(days=2)
    """

    first_response: dt.timedelta = attrs.field(validator=_positive("first_response"))
    resolution: dt.timedelta = attrs.field(validator=_positive("resolution"))

    def __attrs_post_init__(self) -> None:
        if self.resolution < self.first_response:
            msg = (
                f"the resolution (within {self.resolution}) cannot be due before the first "
                f"response (within {self.first_response}); give it at least as long"
            )
            raise InvalidServicePolicyError(msg)


def _by_priority(value: Mapping[Priority, Deadlines]) -> dict[Priority, Deadlines]:
    if not isinstance(value, Mapping):
        msg = f"deadlines must be a mapping of Priority to Deadlines; got {value!r}"
        raise InvalidServicePolicyError(msg)
    return dict(value)


@attrs.frozen
class Category:
    """A kind of request, the team it goes to, and its deadlines for every priority.

    Attributes:
        name: The category's key, lower case (``"complaint"``, ``"housekeeping"``).
        team: Who requests of this category are assigned to on opening.
        deadlines: The :class:`Deadlines` of each :class:`Priority`, one for every
            priority.

    Raises:
        InvalidServicePolicyError: A name that is not lower-case letters, digits and
            underscores, an empty team, or a priority without deadlines.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.service import Category, Deadlines, Priority
        >>> def hours(first: float, resolved: float) -> Deadlines:
        ...     return Deadlines(dt.timedelta(hours=first), dt.timedelta(hours=resolved))
        >>> spa = Category("spa", "spa", {
        ...     Priority.LOW: hours(4, 48), Priority.NORMAL: hours(2, 24),
        ...     Priority.HIGH: hours(1, 8), Priority.URGENT: hours(1, 2)})
        >>> spa.deadlines_for(Priority.HIGH).resolution
        datetime.timedelta(seconds=28800)
        >>> Category("spa", "spa", {Priority.NORMAL: hours(2, 24)})
        Traceback (most recent call last):
        ...
        staycore.membership.service.InvalidServicePolicyError: [service.invalid_policy] ...
    """

    name: str
    team: str
    deadlines: Mapping[Priority, Deadlines] = attrs.field(converter=_by_priority, hash=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            msg = (
                f"a category's name is lower-case letters, digits and underscores, "
                f"starting with a letter (such as 'complaint'); got {self.name!r}"
            )
            raise InvalidServicePolicyError(msg)
        if not isinstance(self.team, str) or not self.team.strip():
            msg = f"category {self.name!r} needs a team to assign its requests to"
            raise InvalidServicePolicyError(msg)
        for key, value in self.deadlines.items():
            if not isinstance(key, Priority) or not isinstance(value, Deadlines):
                msg = (
                    f"category {self.name!r} maps {key!r} to {value!r}; map each Priority "
                    "to its Deadlines"
                )
                raise InvalidServicePolicyError(msg)
        missing = [p.value for p in Priority if p not in self.deadlines]
        if missing:
            msg = (
                f"category {self.name!r} has no deadlines for priority {', '.join(missing)}; "
                "give every priority its deadlines"
            )
            raise InvalidServicePolicyError(msg)

    def deadlines_for(self, priority: Priority) -> Deadlines:
        """The deadlines of a request of this category at ``priority``.

        Example:
            >>> from staycore.membership.service import Priority, ServicePolicy
            >>> complaint = ServicePolicy.default().category("complaint")
            >>> complaint.deadlines_for(Priority.NORMAL).first_response
            datetime.timedelta(seconds=3600)
        """
        return self.deadlines[priority]


def _by_name(value: Iterable[Category] | Mapping[str, Category]) -> dict[str, Category]:
    items = value.values() if isinstance(value, Mapping) else value
    categories: dict[str, Category] = {}
    for category in items:
        if not isinstance(category, Category):
            msg = f"a service policy holds Category values; got {category!r}"
            raise InvalidServicePolicyError(msg)
        if category.name in categories:
            msg = f"category {category.name!r} is declared twice; declare each category once"
            raise InvalidServicePolicyError(msg)
        categories[category.name] = category
    if isinstance(value, Mapping) and any(key != c.name for key, c in value.items()):
        msg = "a service policy's categories are keyed by their own names"
        raise InvalidServicePolicyError(msg)
    return categories


def _hours(first_response: float, resolution: float) -> Deadlines:
    return Deadlines(dt.timedelta(hours=first_response), dt.timedelta(hours=resolution))


# (team, low, normal, high, urgent), each priority as (first response, resolution) hours.
# Complaints follow the source documents; the rest are common hotel practice.
_DEFAULTS: Final = {
    "complaint": ("guest relations", (1, 72), (1, 48), (1, 24), (0.25, 4)),
    "housekeeping": ("housekeeping", (1, 8), (0.5, 2), (0.25, 1), (1 / 6, 0.5)),
    "maintenance": ("engineering", (4, 72), (1, 24), (0.5, 8), (0.25, 2)),
    "billing": ("front office", (4, 72), (1, 24), (1, 8), (0.5, 4)),
    "other": ("front desk", (4, 72), (1, 48), (1, 24), (0.5, 8)),
}


@attrs.frozen
class ServicePolicy:
    """The categories a desk handles, and the rules every request runs under.

    Attributes:
        categories: Each :class:`Category` by its name (built from any iterable of
            categories).
        feedback_within: The latest the guest hears the outcome, from opening: no
            category's resolution deadline may be longer (the resolution is always
            told to the guest).
        default_priority: The priority of a request opened without one.

    Raises:
        InvalidServicePolicyError: No categories, a category declared twice, a
            non-positive ``feedback_within``, or a resolution deadline beyond it.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.service import ServicePolicy
        >>> policy = ServicePolicy.default()
        >>> sorted(policy.categories)
        ['billing', 'complaint', 'housekeeping', 'maintenance', 'other']
        >>> policy.feedback_within
        datetime.timedelta(days=3)
        >>> ServicePolicy(policy.categories, feedback_within=dt.timedelta(hours=48))
        Traceback (most recent call last):
        ...
        staycore.membership.service.InvalidServicePolicyError: [service.invalid_policy] ...
    """

    categories: Mapping[str, Category] = attrs.field(converter=_by_name, hash=False)
    feedback_within: dt.timedelta = attrs.field(
        default=dt.timedelta(hours=72), validator=_positive("feedback_within"), kw_only=True
    )
    default_priority: Priority = attrs.field(default=Priority.NORMAL, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.categories:
            msg = "a service policy needs at least one category to open requests under"
            raise InvalidServicePolicyError(msg)
        if not isinstance(self.default_priority, Priority):
            msg = f"default_priority must be a Priority; got {self.default_priority!r}"
            raise InvalidServicePolicyError(msg)
        for category in self.categories.values():
            for priority, deadlines in category.deadlines.items():
                if deadlines.resolution > self.feedback_within:
                    msg = (
                        f"category {category.name!r} at priority {priority.value} is resolved "
                        f"within {deadlines.resolution}, beyond the {self.feedback_within} "
                        "in which the guest must hear the outcome; shorten it"
                    )
                    raise InvalidServicePolicyError(msg)

    @classmethod
    def default(cls) -> ServicePolicy:
        """Complaints, housekeeping, maintenance, billing and other, with common deadlines.

        Complaints go to guest relations: a first response within 1 hour, resolved
        within 72 / 48 / 24 hours at low / normal / high priority, and within 4 hours
        (first response in 15 minutes) when urgent. Every resolution is due within the
        72 hours in which the guest hears the outcome.

        Example:
            >>> from staycore.membership.service import Priority, ServicePolicy
            >>> complaint = ServicePolicy.default().category("complaint")
            >>> complaint.team, complaint.deadlines_for(Priority.HIGH).resolution
            ('guest relations', datetime.timedelta(days=1))
        """
        return cls(
            Category(
                name,
                team,
                {
                    priority: _hours(*hours)
                    for priority, hours in zip(Priority, by_priority, strict=True)
                },
            )
            for name, (team, *by_priority) in _DEFAULTS.items()
        )

    def category(self, name: str) -> Category:
        """The category called ``name`` (in any case, spaces around ignored).

        Raises:
            UnknownCategoryError: The policy has no such category.

        Example:
            >>> from staycore.membership.service import ServicePolicy
            >>> ServicePolicy.default().category(" Billing ").team
            'front office'
            >>> ServicePolicy.default().category("spa")
            Traceback (most recent call last):
            ...
            staycore.membership.service.UnknownCategoryError: [service.unknown_category] ...
        """
        found = self.categories.get(name.strip().lower()) if isinstance(name, str) else None
        if found is None:
            raise UnknownCategoryError(str(name), self.categories)
        return found


# -- the lifecycle ---------------------------------------------------------------------


class ServiceStatus(enum.Enum):
    """Where a request is in its lifecycle (escalation is a level beside it).

    Example:
        >>> from staycore.membership.service import ServiceStatus
        >>> [s.value for s in ServiceStatus]
        ['open', 'responded', 'in_progress', 'resolved', 'closed', 'cancelled']
    """

    OPEN = "open"
    RESPONDED = "responded"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_S = ServiceStatus

# In lifecycle order, so that the table (and its diagrams) list them the same every run.
_UNRESOLVED: Final = (_S.OPEN, _S.RESPONDED, _S.IN_PROGRESS)

UNRESOLVED_STATUSES: Final[frozenset[ServiceStatus]] = frozenset(_UNRESOLVED)
"""The statuses in which the team still owes the guest a fix, and deadlines can pass."""


def _steps(
    sources: Iterable[ServiceStatus], event: str
) -> list[Transition[ServiceStatus, str, None]]:
    """``event`` allowed in each of ``sources``, leaving the status as it is."""
    return [Transition(source, event, source, description=f"service.{event}") for source in sources]


SERVICE_REQUEST_LIFECYCLE: Final[TransitionTable[ServiceStatus, str, None]] = TransitionTable(
    "service_request",
    states=ServiceStatus,
    initial=_S.OPEN,
    final={_S.CLOSED, _S.CANCELLED},
    transitions=[
        Transition(_S.OPEN, "respond", _S.RESPONDED, description="service.responded"),
        Transition(_S.OPEN, "resolve", _S.RESOLVED, description="service.resolved"),
        Transition(_S.OPEN, "cancel", _S.CANCELLED, description="service.cancelled"),
        Transition(_S.RESPONDED, "start", _S.IN_PROGRESS, description="service.in_progress"),
        Transition(_S.RESPONDED, "resolve", _S.RESOLVED, description="service.resolved"),
        Transition(_S.RESPONDED, "cancel", _S.CANCELLED, description="service.cancelled"),
        Transition(_S.IN_PROGRESS, "resolve", _S.RESOLVED, description="service.resolved"),
        Transition(_S.IN_PROGRESS, "cancel", _S.CANCELLED, description="service.cancelled"),
        Transition(_S.RESOLVED, "reopen", _S.IN_PROGRESS, description="service.reopened"),
        Transition(_S.RESOLVED, "close", _S.CLOSED, description="service.closed"),
        # Steps that leave the status as it is, declared here so that one table says
        # what may happen in each status.
        *_steps([*_UNRESOLVED, _S.RESOLVED], "update"),
        *_steps([*_UNRESOLVED, _S.RESOLVED], "assign"),
        *_steps(_UNRESOLVED, "escalate"),
    ],
)
"""The lifecycle of a service request; the self-loops are the steps that keep the status."""


# -- the timeline ----------------------------------------------------------------------


def _instant(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="at")


def _optional_instant(value: dt.datetime | None) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, what="instant")


@attrs.frozen(kw_only=True)
class Update:
    """One entry of a request's timeline.

    Attributes:
        at: When it was written.
        by: Who wrote it: a staff id, the customer's id, or :data:`SYSTEM`.
        text: What it says.
        visible_to_customer: Whether the guest sees it (and is sent it).
        step: The lifecycle step it records (``"open"``, ``"respond"``, ``"update"``,
            ``"assign"``, ``"start"``, ``"escalate"``, ``"resolve"``, ``"reopen"``,
            ``"close"``, ``"cancel"``).

    Example:
        Continuing the module example above:

        >>> first = request.updates[0]
        >>> first.by == request.customer, first.visible_to_customer, first.step
        (True, True, 'open')
    """

    at: pendulum.DateTime = attrs.field(converter=_instant)
    by: str
    text: str
    visible_to_customer: bool
    step: str


@attrs.frozen(kw_only=True)
class Escalation:
    """A deadline that passed unmet, and the escalation level it raised the request to.

    Attributes:
        deadline: Which deadline.
        due: When it was due; with ``deadline``, what is escalated once.
        at: When it was escalated.
        level: The request's escalation level after it.

    Example:
        Continuing the module example above:

        >>> escalation = request.escalations[0]
        >>> escalation.deadline.value, escalation.due.hour, escalation.level
        ('first_response', 21, 1)
    """

    deadline: Deadline
    due: pendulum.DateTime = attrs.field(converter=_instant)
    at: pendulum.DateTime = attrs.field(converter=_instant)
    level: int


# -- events ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ServiceRequestOpened(DomainEvent):
    """A guest opened a request; it was assigned to its category's team.

    ``text`` is what the guest wrote: personal data, sealed at rest and
    :data:`~staycore.kernel.erasure.ERASED` with the guest's data.

    Example:
        >>> from staycore.membership.service import ServiceRequestOpened
        >>> ServiceRequestOpened.__mro__[1].__name__
        'DomainEvent'
    """

    customer: CustomerId
    category: str
    priority: Priority
    team: str
    order: OrderId | None
    text: str = attrs.field(metadata=PERSONAL)
    first_response_due: pendulum.DateTime
    resolution_due: pendulum.DateTime


@attrs.frozen(kw_only=True)
class ServiceRequestAssigned(DomainEvent):
    """A request was given to a team member, or moved to another team.

    Example:
        >>> from staycore.membership.service import ServiceRequestAssigned
        >>> [f.name for f in ServiceRequestAssigned.__attrs_attrs__][3:]
        ['team', 'assignee', 'by']
    """

    team: str
    assignee: str | None
    by: str


@attrs.frozen(kw_only=True)
class ServiceRequestUpdated(DomainEvent):
    """A request took a step that is not an opening, resolution or end.

    ``step`` is ``"respond"`` (the first word to the guest), ``"start"`` (work began)
    or ``"update"`` (a note, visible or not). ``text`` is what the staff wrote about the
    guest's request: personal data, sealed at rest and
    :data:`~staycore.kernel.erasure.ERASED` with the guest's data.

    Example:
        >>> from staycore.membership.service import ServiceRequestUpdated
        >>> [f.name for f in ServiceRequestUpdated.__attrs_attrs__][3:]
        ['step', 'status', 'by', 'text', 'visible_to_customer']
    """

    step: str
    status: ServiceStatus
    by: str
    text: str = attrs.field(metadata=PERSONAL)
    visible_to_customer: bool


@attrs.frozen(kw_only=True)
class ServiceRequestEscalated(DomainEvent):
    """A deadline passed unmet; the request's escalation level went up by one.

    Example:
        Continuing the module example above:

        >>> escalated = request.escalations[0]
        >>> ServiceRequestEscalated(
        ...     aggregate_id=request.id, aggregate_version=2, occurred_at=escalated.at,
        ...     deadline=escalated.deadline, due=escalated.due, level=escalated.level,
        ...     status=ServiceStatus.OPEN, team=request.team).level
        1
    """

    deadline: Deadline
    due: pendulum.DateTime
    level: int
    status: ServiceStatus
    team: str


@attrs.frozen(kw_only=True)
class ServiceRequestResolved(DomainEvent):
    """The team resolved a request; ``late`` when its resolution deadline had passed.

    ``text`` (how it was resolved) is personal data, sealed at rest and
    :data:`~staycore.kernel.erasure.ERASED` with the guest's data.

    Example:
        >>> from staycore.membership.service import ServiceRequestResolved
        >>> [f.name for f in ServiceRequestResolved.__attrs_attrs__][3:]
        ['by', 'text', 'resolution_due', 'late']
    """

    by: str
    text: str = attrs.field(metadata=PERSONAL)
    resolution_due: pendulum.DateTime
    late: bool


@attrs.frozen(kw_only=True)
class ServiceRequestReopened(DomainEvent):
    """A resolved request was reopened, with a fresh resolution deadline.

    ``reason`` (as written) is personal data, sealed at rest and
    :data:`~staycore.kernel.erasure.ERASED` with the guest's data.

    Example:
        >>> from staycore.membership.service import ServiceRequestReopened
        >>> [f.name for f in ServiceRequestReopened.__attrs_attrs__][3:]
        ['by', 'reason', 'resolution_due']
    """

    by: str
    reason: str = attrs.field(metadata=PERSONAL)
    resolution_due: pendulum.DateTime


@attrs.frozen(kw_only=True)
class ServiceRequestClosed(DomainEvent):
    """The guest closed a resolved request with a satisfaction rating.

    ``comment`` (the guest's, may be empty) is personal data, sealed at rest and
    emptied with the guest's data, as the request's own comment.

    Example:
        Continuing the module example above:

        >>> closed = events[0]
        >>> closed.event_type, closed.rating, closed.category
        ('ServiceRequestClosed', 4, 'complaint')
    """

    customer: CustomerId
    category: str
    rating: int
    comment: str = attrs.field(metadata=personal(erased_as=""))


@attrs.frozen(kw_only=True)
class ServiceRequestCancelled(DomainEvent):
    """An unresolved request was withdrawn (by the guest, or by staff for them).

    ``reason`` (as written, may be empty) is personal data, sealed at rest and emptied
    with the guest's data.

    Example:
        >>> from staycore.membership.service import ServiceRequestCancelled
        >>> [f.name for f in ServiceRequestCancelled.__attrs_attrs__][3:]
        ['by', 'reason']
    """

    by: str
    reason: str = attrs.field(metadata=personal(erased_as=""))


# -- the aggregate ---------------------------------------------------------------------

Change = tuple["ServiceRequest", tuple[DomainEvent, ...]]
"""A request after a step, and the events the step recorded (none if nothing changed)."""


def _text(value: object, what: str, *, required: bool = True) -> str:
    if not isinstance(value, str):
        msg = f"{what} must be text; got {value!r}"
        raise InvalidServiceRequestError(msg)
    text = value.strip()
    if required and not text:
        msg = f"{what} cannot be empty; say what happened"
        raise InvalidServiceRequestError(msg)
    if len(text) > MAX_TEXT_LENGTH:
        msg = f"{what} has {len(text)} characters; keep it to {MAX_TEXT_LENGTH}"
        raise InvalidServiceRequestError(msg)
    return text


def _who(value: object, what: str = "by") -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{what} must name who takes the step (a staff id); got {value!r}"
        raise InvalidServiceRequestError(msg)
    return value.strip()


def _after(instant: pendulum.DateTime, delta: dt.timedelta) -> pendulum.DateTime:
    """``instant`` plus the elapsed time ``delta``, in UTC (where every hour is an hour)."""
    return instant.in_tz(pendulum.UTC) + delta


@attrs.frozen(kw_only=True)
class ServiceRequest:
    """A guest's request or complaint, from opening to the guest's rating.

    Build one with :meth:`open`; change it only through its methods, each of which
    returns the changed request (one version on) and the events it records.

    Attributes:
        id: The request's identity.
        version: Incremented by every change.
        customer: The guest who opened it.
        category: The name of its :class:`Category`.
        priority: How urgent it is.
        team: The team it is assigned to.
        assignee: The team member working on it, if one was named.
        order: The order (the stay) it is about, if any.
        text: What the guest asked, as they wrote it (stripped).
        opened_at: When it was opened.
        deadlines: The category's deadlines for its priority, as they were at opening:
            a later change of policy does not move them.
        status: Where it is in :data:`SERVICE_REQUEST_LIFECYCLE`.
        first_response_due: When the first response is due.
        resolution_due: When the resolution is due (reset by a reopen).
        responded_at: When the guest first heard from staff.
        resolved_at: When it was last resolved; ``None`` while unresolved.
        ended_at: When it was closed or cancelled.
        rating: The guest's satisfaction rating, from 1 to 5, once closed.
        comment: The guest's comment with the rating.
        escalations: Every escalation, in order; its length is the escalation level.
        updates: The timeline, oldest first.
    """

    id: ServiceRequestId
    version: int
    customer: CustomerId
    category: str
    priority: Priority
    team: str
    assignee: str | None = None
    order: OrderId | None = None
    text: str
    opened_at: pendulum.DateTime = attrs.field(converter=_instant)
    deadlines: Deadlines
    status: ServiceStatus = ServiceStatus.OPEN
    first_response_due: pendulum.DateTime = attrs.field(converter=_instant)
    resolution_due: pendulum.DateTime = attrs.field(converter=_instant)
    responded_at: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    resolved_at: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    ended_at: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    rating: int | None = None
    comment: str = ""
    escalations: tuple[Escalation, ...] = ()
    updates: tuple[Update, ...] = ()

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        request_id: ServiceRequestId,
        *,
        customer: CustomerId,
        category: str,
        text: str,
        policy: ServicePolicy,
        at: dt.datetime,
        priority: Priority | None = None,
        order: OrderId | None = None,
    ) -> Change:
        """A new request, assigned to its category's team, with its deadlines set.

        Args:
            request_id: The request's id.
            customer: The guest opening it.
            category: The name of a category of ``policy``.
            text: What the guest asks; stripped, not empty, at most
                :data:`MAX_TEXT_LENGTH` characters.
            policy: Gives the team and the deadlines.
            at: When it is opened; the deadlines run from here.
            priority: How urgent; the policy's default priority when omitted.
            order: The order (the stay) it is about.

        Raises:
            UnknownCategoryError: The policy has no such category.
            InvalidServiceRequestError: The text is empty or too long.
            NaiveDatetimeError: ``at`` has no timezone.

        Example:
            See the module example.
        """
        found = policy.category(category)
        level = policy.default_priority if priority is None else priority
        if not isinstance(level, Priority):
            msg = f"priority must be a Priority (low, normal, high, urgent); got {level!r}"
            raise InvalidServiceRequestError(msg)
        what = _text(text, "a request's text")
        opened_at = _instant(at)
        deadlines = found.deadlines_for(level)
        request = cls(
            id=request_id,
            version=1,
            customer=customer,
            category=found.name,
            priority=level,
            team=found.team,
            order=order,
            text=what,
            opened_at=opened_at,
            deadlines=deadlines,
            first_response_due=_after(opened_at, deadlines.first_response),
            resolution_due=_after(opened_at, deadlines.resolution),
            updates=(
                Update(at=opened_at, by=customer, text=what, visible_to_customer=True, step="open"),
            ),
        )
        opened = ServiceRequestOpened(
            aggregate_id=request.id,
            aggregate_version=1,
            occurred_at=opened_at,
            customer=customer,
            category=request.category,
            priority=level,
            team=request.team,
            order=order,
            text=what,
            first_response_due=request.first_response_due,
            resolution_due=request.resolution_due,
        )
        return request, (opened,)

    # -- deadlines -----------------------------------------------------------------

    @property
    def escalation_level(self) -> int:
        """How many breached deadlines were escalated; it never goes down."""
        return len(self.escalations)

    def due(self, deadline: Deadline) -> pendulum.DateTime:
        """When ``deadline`` is (or was) due.

        Example:
            Continuing the module example above:

            >>> request.due(Deadline.FIRST_RESPONSE) == request.first_response_due
            True
        """
        if deadline is Deadline.FIRST_RESPONSE:
            return self.first_response_due
        return self.resolution_due

    def met_at(self, deadline: Deadline) -> pendulum.DateTime | None:
        """When ``deadline`` was met: the first response, or the (latest) resolution.

        Example:
            Continuing the module example above:

            >>> request.met_at(Deadline.RESOLUTION).isoformat()
            '2026-07-10T23:00:00+00:00'
        """
        if deadline is Deadline.FIRST_RESPONSE:
            return self.responded_at
        return self.resolved_at

    def breaches(self, at: dt.datetime) -> tuple[Deadline, ...]:
        """The deadlines that had passed unmet by ``at``.

        A deadline is breached once ``at`` is past it (it is met up to and including
        the instant it is due) and it was not met by then; a request cancelled before
        a deadline owes nothing after. A breach, once there, stays: meeting the
        deadline late does not undo it.

        Raises:
            NaiveDatetimeError: ``at`` has no timezone.

        Example:
            Continuing the module example above:

            >>> [d.value for d in request.breaches(opened_at.add(days=5))]
            ['first_response']
        """
        now = _instant(at)
        return tuple(d for d in Deadline if self._breached(d, now))

    def _breached(self, deadline: Deadline, now: pendulum.DateTime) -> bool:
        due = self.due(deadline)
        if now <= due:
            return False
        settled = [t for t in (self.met_at(deadline), self.ended_at) if t is not None]
        return not settled or min(settled) > due

    def escalate(self, *, at: dt.datetime) -> Change:
        """Escalate every deadline breached by ``at`` and not escalated yet.

        Each raises :attr:`escalation_level` by one and records a
        :class:`ServiceRequestEscalated`; the status stays as it is. Calling again
        with nothing new to escalate, or on a request no longer unresolved, changes
        nothing and returns no events, so a sweeper may call it as often as it likes.

        Raises:
            InvalidServiceRequestError: ``at`` is before the last update.

        Example:
            Continuing the module example above:

            >>> request.escalate(at=opened_at.add(days=9)) == (request, ())
            True
        """
        now = _instant(at)
        if not SERVICE_REQUEST_LIFECYCLE.can_fire(self.status, "escalate", None):
            return self, ()
        done = {(e.deadline, e.due) for e in self.escalations}
        fresh = [d for d in self.breaches(now) if (d, self.due(d)) not in done]
        if not fresh:
            return self, ()
        self._check_time(now)
        escalations = list(self.escalations)
        updates = list(self.updates)
        for deadline in fresh:
            due = self.due(deadline)
            escalations.append(
                Escalation(deadline=deadline, due=due, at=now, level=len(escalations) + 1)
            )
            updates.append(
                Update(
                    at=now,
                    by=SYSTEM,
                    text=(
                        f"the {deadline.value.replace('_', ' ')} was due at {due.isoformat()} "
                        f"and is not met: escalated to level {len(escalations)}"
                    ),
                    visible_to_customer=False,
                    step="escalate",
                )
            )
        changed = self._next(escalations=tuple(escalations), updates=tuple(updates))
        events = tuple(
            ServiceRequestEscalated(
                aggregate_id=self.id,
                aggregate_version=changed.version,
                occurred_at=now,
                deadline=e.deadline,
                due=e.due,
                level=e.level,
                status=self.status,
                team=self.team,
            )
            for e in escalations[len(self.escalations) :]
        )
        return changed, events

    # -- steps ---------------------------------------------------------------------

    def respond(self, *, by: str, text: str, at: dt.datetime) -> Change:
        """Staff answer the guest for the first time; the first-response deadline is met.

        Raises:
            IllegalTransitionError: The request is not open (it has had its response).
            InvalidServiceRequestError: An empty ``by`` or text, or ``at`` before the
                last update.

        Example:
            See the module example.
        """
        return self._updated("respond", by=by, text=text, at=at, visible=True)

    def add_update(
        self, *, by: str, text: str, at: dt.datetime, visible_to_customer: bool = True
    ) -> Change:
        """Add a progress note to the timeline; the guest sees it unless it is internal.

        A visible update on an open request is the guest's first word from staff: it
        is the response, and moves the request to ``responded``.

        Raises:
            IllegalTransitionError: The request is closed or cancelled.
            InvalidServiceRequestError: An empty ``by`` or text, or ``at`` before the
                last update.

        Example:
            Continuing the module example above:

            >>> note, _ = ServiceRequest.open(
            ...     ServiceRequestId.new(), customer=request.customer, category="maintenance",
            ...     text="The shower drips.", policy=policy, at=opened_at)
            >>> note, _ = note.add_update(by="eng:tom", text="Parts ordered.", at=opened_at,
            ...                           visible_to_customer=False)
            >>> note.status.value
            'open'
            >>> note, events = note.add_update(by="eng:tom", text="Fixed by noon.", at=opened_at)
            >>> note.status.value, events[0].step
            ('responded', 'respond')
        """
        if visible_to_customer and self.status is ServiceStatus.OPEN:
            return self._updated("respond", by=by, text=text, at=at, visible=True)
        return self._updated("update", by=by, text=text, at=at, visible=visible_to_customer)

    def start(self, *, by: str, at: dt.datetime, text: str = "") -> Change:
        """Work on a responded request began (an internal step).

        Raises:
            IllegalTransitionError: The request has not been responded to, or is past it.
            InvalidServiceRequestError: An empty ``by``, or ``at`` before the last update.

        Example:
            Continuing the module example above:

            >>> started, events = note.start(by="eng:tom", at=opened_at)
            >>> started.status.value, started.updates[-1].text
            ('in_progress', 'work started')
        """
        what = _text(text, "the note", required=False) or "work started"
        return self._updated("start", by=by, text=what, at=at, visible=False)

    def _updated(self, step: str, *, by: str, text: str, at: dt.datetime, visible: bool) -> Change:
        now = _instant(at)
        who = _who(by)
        what = _text(text, "an update's text")
        changes: dict[str, Any] = {}
        if step == "respond":
            changes["responded_at"] = now
        changed = self._step(step, now, who, what, visible, **changes)
        event = ServiceRequestUpdated(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            step=step,
            status=changed.status,
            by=who,
            text=what,
            visible_to_customer=visible,
        )
        return changed, (event,)

    def assign(
        self, *, assignee: str | None, by: str, at: dt.datetime, team: str | None = None
    ) -> Change:
        """Give the request to a team member, or move it to another team (an internal step).

        Args:
            assignee: Who works on it; ``None`` leaves it in the team's queue.
            by: Who assigns it.
            at: When.
            team: The team it moves to; its current team when omitted.

        Assigning it to whom it already is changes nothing.

        Raises:
            IllegalTransitionError: The request is closed or cancelled.
            InvalidServiceRequestError: An empty ``by``, ``assignee`` or ``team``, or
                ``at`` before the last update.

        Example:
            Continuing the module example above:

            >>> mine, events = note.assign(assignee="eng:tom", by="eng:lead", at=opened_at)
            >>> mine.assignee, mine.team, events[0].event_type
            ('eng:tom', 'engineering', 'ServiceRequestAssigned')
            >>> mine.assign(assignee="eng:tom", by="eng:lead", at=opened_at) == (mine, ())
            True
        """
        now = _instant(at)
        who = _who(by)
        person = None if assignee is None else _who(assignee, "assignee")
        to_team = self.team if team is None else _who(team, "team")
        if (person, to_team) == (self.assignee, self.team):
            SERVICE_REQUEST_LIFECYCLE.fire(self.status, "assign", None)
            return self, ()
        text = f"assigned to {person or 'the queue'} of {to_team}"
        changed = self._step("assign", now, who, text, False, assignee=person, team=to_team)
        event = ServiceRequestAssigned(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            team=to_team,
            assignee=person,
            by=who,
        )
        return changed, (event,)

    def resolve(self, *, by: str, text: str, at: dt.datetime) -> Change:
        """The team resolved the request, and tells the guest how.

        Resolving an open request answers it too: the first-response deadline is met
        at the same instant.

        Raises:
            IllegalTransitionError: The request is resolved, closed or cancelled.
            InvalidServiceRequestError: An empty ``by`` or text, or ``at`` before the
                last update.

        Example:
            See the module example.
        """
        now = _instant(at)
        who = _who(by)
        what = _text(text, "the resolution")
        changed = self._step(
            "resolve",
            now,
            who,
            what,
            True,
            resolved_at=now,
            responded_at=self.responded_at or now,
        )
        event = ServiceRequestResolved(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            by=who,
            text=what,
            resolution_due=self.resolution_due,
            late=now > self.resolution_due,
        )
        return changed, (event,)

    def reopen(self, *, by: str, reason: str, at: dt.datetime) -> Change:
        """A resolved request was not resolved after all: back to work, with a new deadline.

        The resolution is due again within the request's resolution time, from ``at``.

        Raises:
            IllegalTransitionError: The request is not resolved.
            InvalidServiceRequestError: An empty ``by`` or reason, or ``at`` before the
                last update.

        Example:
            Continuing the module example above:

            >>> fixed, _ = started.resolve(by="eng:tom", text="New washer.", at=opened_at)
            >>> again, _ = fixed.reopen(by=str(fixed.customer), reason="Dripping again.",
            ...                         at=opened_at.add(hours=30))
            >>> again.status.value, again.resolution_due.isoformat()
            ('in_progress', '2026-07-13T02:00:00+00:00')
        """
        now = _instant(at)
        who = _who(by)
        why = _text(reason, "the reason to reopen")
        due = _after(now, self.deadlines.resolution)
        changed = self._step("reopen", now, who, why, True, resolved_at=None, resolution_due=due)
        event = ServiceRequestReopened(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            by=who,
            reason=why,
            resolution_due=due,
        )
        return changed, (event,)

    def close(self, *, rating: int, at: dt.datetime, comment: str = "") -> Change:
        """The guest closes the resolved request with a satisfaction rating from 1 to 5.

        Raises:
            InvalidRatingError: ``rating`` is not a whole number from 1 to 5.
            IllegalTransitionError: The request is not resolved.
            InvalidServiceRequestError: The comment is too long, or ``at`` is before
                the last update.

        Example:
            Continuing the module example above:

            >>> fixed.close(rating=6, at=opened_at)
            Traceback (most recent call last):
            ...
            staycore.membership.service.InvalidRatingError: [service.invalid_rating] ...
        """
        if isinstance(rating, bool) or not isinstance(rating, int):
            msg = f"a rating is a whole number from {MIN_RATING} to {MAX_RATING}; got {rating!r}"
            raise InvalidRatingError(msg)
        if not MIN_RATING <= rating <= MAX_RATING:
            msg = f"a rating is from {MIN_RATING} to {MAX_RATING}; got {rating}"
            raise InvalidRatingError(msg)
        now = _instant(at)
        said = _text(comment, "the comment", required=False)
        text = said or f"rated {rating} of {MAX_RATING}"
        changed = self._step(
            "close", now, self.customer, text, True, rating=rating, comment=said, ended_at=now
        )
        event = ServiceRequestClosed(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            customer=self.customer,
            category=self.category,
            rating=rating,
            comment=said,
        )
        return changed, (event,)

    def cancel(self, *, at: dt.datetime, reason: str = "", by: str | None = None) -> Change:
        """The request was withdrawn before it was resolved; no deadline runs after.

        Args:
            at: When.
            reason: Why, if said.
            by: Who withdrew it; the guest when omitted.

        Raises:
            IllegalTransitionError: The request is resolved, closed or cancelled.
            InvalidServiceRequestError: An empty ``by``, a reason too long, or ``at``
                before the last update.

        Example:
            Continuing the module example above:

            >>> withdrawn, events = again.cancel(at=opened_at.add(hours=31), reason="Checked out.")
            >>> withdrawn.status.value, events[0].by == withdrawn.customer
            ('cancelled', True)
        """
        now = _instant(at)
        who = self.customer if by is None else _who(by)
        why = _text(reason, "the reason", required=False)
        text = why or "withdrawn"
        changed = self._step("cancel", now, who, text, True, ended_at=now)
        event = ServiceRequestCancelled(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            by=who,
            reason=why,
        )
        return changed, (event,)

    def erase(self, *, at: dt.datetime) -> Change:
        """The request without what the guest and the staff wrote, on the guest's request.

        The request's text, every update's text and the guest's closing comment become
        :data:`~staycore.kernel.erasure.ERASED` (the comment empty); the category,
        deadlines, steps and rating stay, so the service reports still count it.
        Erasing again changes nothing.

        Example:
            Continuing the module example above:

            >>> erased, (event,) = request.erase(at=request.opened_at.add(days=60))
            >>> erased.text, {u.text for u in erased.updates}, event.fields
            ('erased', {'erased'}, ('text', 'updates', 'comment'))
        """
        updates = tuple(attrs.evolve(update, text=ERASED) for update in self.updates)
        if self.text == ERASED and updates == self.updates and not self.comment:
            return self, ()
        changed = self._next(text=ERASED, updates=updates, comment="")
        event = PersonalDataErased(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=_instant(at),
            fields=("text", "updates", "comment"),
        )
        return changed, (event,)

    # -- internals -----------------------------------------------------------------

    def _check_time(self, now: pendulum.DateTime) -> None:
        last = self.updates[-1].at if self.updates else self.opened_at
        if now < last:
            msg = (
                f"request {self.id} was last updated at {last.isoformat()}, so a step "
                f"cannot be dated earlier, at {now.isoformat()}; pass the current time"
            )
            raise InvalidServiceRequestError(msg)

    def _step(
        self,
        event: str,
        now: pendulum.DateTime,
        by: str,
        text: str,
        visible: bool,
        **changes: Any,  # noqa: ANN401 - fields of ServiceRequest
    ) -> ServiceRequest:
        """Take the lifecycle edge ``event``, append its update, and apply ``changes``."""
        target = SERVICE_REQUEST_LIFECYCLE.next_state(self.status, event, None)
        self._check_time(now)
        update = Update(at=now, by=by, text=text, visible_to_customer=visible, step=event)
        return self._next(status=target, updates=(*self.updates, update), **changes)

    def _next(self, **changes: Any) -> ServiceRequest:  # noqa: ANN401 - fields
        return attrs.evolve(self, version=self.version + 1, **changes)


# -- reports ---------------------------------------------------------------------------


def _counts(value: Mapping[Any, int]) -> dict[Any, int]:
    return dict(value)


@attrs.frozen(kw_only=True)
class ServiceReport:
    """What a period's requests add up to.

    Attributes:
        start: The period's first instant.
        end: The instant after the period.
        at: When the breaches were judged.
        opened: How many requests were opened in the period.
        by_category: Requests by category name.
        by_status: Requests by their status (every status, zeros included).
        first_response_breaches: Requests whose first response was late or is
            overdue, by category (every category of ``by_category``).
        resolution_breaches: The same for the resolution.
        escalated: Requests escalated at least once, by category.
        rated: How many were closed with a rating.
        average_rating: Their mean rating, to one decimal place (half up); ``None``
            without ratings.

    Example:
        See :func:`service_report`.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime
    at: pendulum.DateTime
    opened: int
    by_category: Mapping[str, int] = attrs.field(converter=_counts, hash=False)
    by_status: Mapping[ServiceStatus, int] = attrs.field(converter=_counts, hash=False)
    first_response_breaches: Mapping[str, int] = attrs.field(converter=_counts, hash=False)
    resolution_breaches: Mapping[str, int] = attrs.field(converter=_counts, hash=False)
    escalated: Mapping[str, int] = attrs.field(converter=_counts, hash=False)
    rated: int
    average_rating: Decimal | None

    @property
    def breaches(self) -> int:
        """Deadlines missed in all: late first responses and late resolutions.

        What the KPI table counts as service breaches.
        """
        return sum(self.first_response_breaches.values()) + sum(self.resolution_breaches.values())


def service_report(
    requests: Iterable[ServiceRequest],
    start: dt.datetime,
    end: dt.datetime,
    *,
    at: dt.datetime,
) -> ServiceReport:
    """Count the requests opened in ``[start, end)``: by category, status and breach.

    Statuses are those of the values given; breaches are judged at ``at`` (the
    current time: a deadline still ahead is no breach yet, however the period ends),
    so a request opened late in the period and answered late after it counts as
    breached.

    Args:
        requests: Requests, of any period; those opened outside it are left out.
        start: The period's first instant.
        end: The instant after the period.
        at: When to judge the breaches.

    Raises:
        InvalidReportPeriodError: ``end`` is not after ``start``.
        NaiveDatetimeError: An instant has no timezone.

    Example:
        Continuing the module example above:

        >>> report = service_report(
        ...     [request, withdrawn], opened_at.start_of("month"), opened_at.add(months=1),
        ...     at=opened_at.add(days=5))
        >>> report.opened, report.by_category, report.by_status[ServiceStatus.CLOSED]
        (2, {'complaint': 1, 'maintenance': 1}, 1)
        >>> report.first_response_breaches, report.resolution_breaches
        ({'complaint': 1, 'maintenance': 0}, {'complaint': 0, 'maintenance': 0})
        >>> report.breaches
        1
        >>> report.rated, report.average_rating
        (1, Decimal('4.0'))
    """
    first, after, now = _instant(start), _instant(end), _instant(at)
    if after <= first:
        msg = (
            f"a report's period must end after it starts; got {first.isoformat()} to "
            f"{after.isoformat()}"
        )
        raise InvalidReportPeriodError(msg)
    by_category: dict[str, int] = {}
    by_status = dict.fromkeys(ServiceStatus, 0)
    late_response: dict[str, int] = {}
    late_resolution: dict[str, int] = {}
    escalated: dict[str, int] = {}
    ratings: list[int] = []
    for request in requests:
        if not first <= request.opened_at < after:
            continue
        name = request.category
        by_category[name] = by_category.get(name, 0) + 1
        by_status[request.status] += 1
        breached = request.breaches(now)
        late_response[name] = late_response.get(name, 0) + (Deadline.FIRST_RESPONSE in breached)
        late_resolution[name] = late_resolution.get(name, 0) + (Deadline.RESOLUTION in breached)
        escalated[name] = escalated.get(name, 0) + (request.escalation_level > 0)
        if request.rating is not None:
            ratings.append(request.rating)
    names = sorted(by_category)
    return ServiceReport(
        start=first,
        end=after,
        at=now,
        opened=sum(by_category.values()),
        by_category={n: by_category[n] for n in names},
        by_status=by_status,
        first_response_breaches={n: late_response[n] for n in names},
        resolution_breaches={n: late_resolution[n] for n in names},
        escalated={n: escalated[n] for n in names},
        rated=len(ratings),
        average_rating=_mean(sum(ratings), len(ratings)) if ratings else None,
    )


def _mean(total: int, count: int) -> Decimal:
    """``total / count`` rounded to one decimal place, half up, in exact integer arithmetic."""
    tenths = (20 * total + count) // (2 * count)
    return Decimal(tenths).scaleb(-1)
