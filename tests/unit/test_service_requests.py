"""Service requests: the policy and its defaults, the lifecycle, deadlines, escalation, reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

import pendulum
import pytest

from staycore.kernel.errors import IllegalTransitionError, NaiveDatetimeError
from staycore.kernel.events import DomainEvent, event_payload
from staycore.membership.errors import ServiceRequestError
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.membership.service import (
    MAX_TEXT_LENGTH,
    SERVICE_REQUEST_LIFECYCLE,
    SYSTEM,
    UNRESOLVED_STATUSES,
    Category,
    Deadline,
    Deadlines,
    InvalidRatingError,
    InvalidReportPeriodError,
    InvalidServicePolicyError,
    InvalidServiceRequestError,
    Priority,
    ServicePolicy,
    ServiceRequest,
    ServiceRequestAssigned,
    ServiceRequestCancelled,
    ServiceRequestClosed,
    ServiceRequestEscalated,
    ServiceRequestOpened,
    ServiceRequestReopened,
    ServiceRequestResolved,
    ServiceRequestUpdated,
    ServiceStatus,
    UnknownCategoryError,
    service_report,
)
from staycore.orders.ids import OrderId
from staycore.testing.errors import assert_refused

S = ServiceStatus
FIRST, RESOLUTION = Deadline.FIRST_RESPONSE, Deadline.RESOLUTION
CUSTOMER = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
ORDER = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
REQUEST_ID = ServiceRequestId("srq_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
OPENED = pendulum.datetime(2026, 7, 10, 20, tz="UTC")
POLICY = ServicePolicy.default()
STAFF = "desk:lea"

E = TypeVar("E", bound=DomainEvent)


def the(kind: type[E], events: tuple[DomainEvent, ...]) -> E:
    """The one event of a step, of type ``kind``."""
    [event] = events
    assert isinstance(event, kind)
    return event


def escalations(events: tuple[DomainEvent, ...]) -> list[ServiceRequestEscalated]:
    assert all(isinstance(e, ServiceRequestEscalated) for e in events)
    return [e for e in events if isinstance(e, ServiceRequestEscalated)]


def hours(first: float, resolution: float) -> Deadlines:
    return Deadlines(dt.timedelta(hours=first), dt.timedelta(hours=resolution))


def every_priority(deadlines: Deadlines) -> dict[Priority, Deadlines]:
    return dict.fromkeys(Priority, deadlines)


def opened(**changes: Any) -> ServiceRequest:
    arguments: dict[str, Any] = {
        "customer": CUSTOMER,
        "category": "complaint",
        "text": "The room next door was loud until 2 am.",
        "policy": POLICY,
        "at": OPENED,
    }
    arguments.update(changes)
    return ServiceRequest.open(REQUEST_ID, **arguments)[0]


ANSWERED = OPENED.add(minutes=20)
SOLVED = OPENED.add(hours=3)


def responded(at: pendulum.DateTime = ANSWERED) -> ServiceRequest:
    return opened().respond(by=STAFF, text="We are on it.", at=at)[0]


def resolved(at: pendulum.DateTime = SOLVED) -> ServiceRequest:
    return responded().resolve(by=STAFF, text="Moved to a quiet room.", at=at)[0]


# -- the policy ------------------------------------------------------------------------


def test_the_default_complaint_deadlines_are_those_of_the_source_documents() -> None:
    complaint = POLICY.category("complaint")
    assert complaint.team == "guest relations"
    assert complaint.deadlines_for(Priority.NORMAL) == hours(1, 48)
    assert complaint.deadlines_for(Priority.HIGH) == hours(1, 24)
    assert complaint.deadlines_for(Priority.LOW) == hours(1, 72)
    assert POLICY.feedback_within == dt.timedelta(hours=72)
    assert POLICY.default_priority is Priority.NORMAL


def test_every_default_category_answers_a_normal_request_within_an_hour() -> None:
    assert set(POLICY.categories) == {
        "complaint",
        "housekeeping",
        "maintenance",
        "billing",
        "other",
    }
    for category in POLICY.categories.values():
        normal = category.deadlines_for(Priority.NORMAL)
        assert normal.first_response <= dt.timedelta(hours=1)
        for deadlines in category.deadlines.values():
            assert deadlines.resolution <= POLICY.feedback_within
        # More urgent is never slower.
        by_priority = [category.deadlines_for(p) for p in Priority]
        assert [d.resolution for d in by_priority] == sorted(
            (d.resolution for d in by_priority), reverse=True
        )


@pytest.mark.parametrize("name", ["Billing", " billing ", "BILLING"])
def test_a_category_is_found_in_any_case(name: str) -> None:
    assert POLICY.category(name).name == "billing"


def test_an_unknown_category_is_refused_naming_the_known_ones() -> None:
    error = assert_refused(
        UnknownCategoryError,
        "service.unknown_category",
        "open the request under one of: billing, complaint, housekeeping, maintenance, other",
        lambda: POLICY.category("spa"),
    )
    assert error.category == "spa"
    assert isinstance(error, ServiceRequestError)
    assert_refused(
        UnknownCategoryError, "service.unknown_category", "'spa'", lambda: opened(category="spa")
    )


@pytest.mark.parametrize(
    ("first", "resolution", "says"),
    [
        (dt.timedelta(0), dt.timedelta(hours=1), "first_response must be a positive duration"),
        (dt.timedelta(hours=-1), dt.timedelta(hours=1), "first_response must be a positive"),
        (dt.timedelta(hours=1), dt.timedelta(0), "resolution must be a positive duration"),
        (3600, dt.timedelta(hours=1), "got 3600"),
        (dt.timedelta(hours=2), dt.timedelta(hours=1), "cannot be due before the first response"),
    ],
)
def test_deadlines_are_positive_and_the_resolution_is_not_due_first(
    first: Any, resolution: Any, says: str
) -> None:
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        says,
        lambda: Deadlines(first, resolution),
    )


def test_a_resolution_due_with_the_first_response_is_allowed() -> None:
    assert Deadlines(dt.timedelta(hours=1), dt.timedelta(hours=1)).resolution == dt.timedelta(
        hours=1
    )


def test_a_category_needs_deadlines_for_every_priority() -> None:
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        "has no deadlines for priority low, high, urgent; give every priority its deadlines",
        lambda: Category("spa", "spa", {Priority.NORMAL: hours(1, 8)}),
    )


@pytest.mark.parametrize(
    ("name", "team", "deadlines", "says"),
    [
        ("Spa", "spa", every_priority(hours(1, 8)), "lower-case letters"),
        ("", "spa", every_priority(hours(1, 8)), "got ''"),
        ("spa", " ", every_priority(hours(1, 8)), "needs a team"),
        ("spa", "spa", {"normal": hours(1, 8)}, "map each Priority to its Deadlines"),
        ("spa", "spa", [hours(1, 8)], "a mapping of Priority to Deadlines"),
    ],
)
def test_a_category_is_refused_for_a_bad_name_team_or_deadlines(
    name: str, team: str, deadlines: Any, says: str
) -> None:
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        says,
        lambda: Category(name, team, deadlines),
    )


def test_a_policy_is_refused_without_categories_or_with_one_twice() -> None:
    spa = Category("spa", "spa", every_priority(hours(1, 8)))
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        "at least one",
        lambda: ServicePolicy([]),
    )
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        "'spa' is declared twice",
        lambda: ServicePolicy([spa, spa]),
    )
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        "keyed by their own names",
        lambda: ServicePolicy({"wellness": spa}),
    )
    assert ServicePolicy({"spa": spa}).category("spa") == spa


def test_a_resolution_beyond_the_feedback_limit_is_refused() -> None:
    slow = Category("garden", "grounds", every_priority(hours(4, 96)))
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        "is resolved within 4 days, 0:00:00, beyond the 3 days, 0:00:00 in which the guest "
        "must hear the outcome; shorten it",
        lambda: ServicePolicy([slow]),
    )
    assert ServicePolicy([slow], feedback_within=dt.timedelta(hours=96)).category("garden")
    assert_refused(
        InvalidServicePolicyError,
        "service.invalid_policy",
        "feedback_within must be a positive duration",
        lambda: ServicePolicy([slow], feedback_within=dt.timedelta(0)),
    )


# -- opening ---------------------------------------------------------------------------


def test_opening_assigns_the_team_and_sets_the_deadlines_from_the_policy() -> None:
    request, events = ServiceRequest.open(
        REQUEST_ID,
        customer=CUSTOMER,
        category="complaint",
        text="  Loud neighbours.  ",
        policy=POLICY,
        at=OPENED.in_tz("Europe/Paris"),
        priority=Priority.HIGH,
        order=ORDER,
    )
    assert (request.status, request.version, request.team) == (S.OPEN, 1, "guest relations")
    assert (request.category, request.priority, request.order) == (
        "complaint",
        Priority.HIGH,
        ORDER,
    )
    assert request.text == "Loud neighbours."
    assert request.assignee is None
    assert request.first_response_due == OPENED.add(hours=1)
    assert request.resolution_due == OPENED.add(hours=24)
    assert request.escalation_level == 0
    assert request.breaches(OPENED.add(hours=1)) == ()
    [update] = request.updates
    assert (update.by, update.text, update.visible_to_customer, update.step) == (
        CUSTOMER,
        "Loud neighbours.",
        True,
        "open",
    )
    [event] = events
    assert isinstance(event, ServiceRequestOpened)
    assert (event.aggregate_id, event.aggregate_version) == (REQUEST_ID, 1)
    assert (event.team, event.priority, event.order) == ("guest relations", Priority.HIGH, ORDER)
    assert event.resolution_due == OPENED.add(hours=24)


def test_a_request_without_a_priority_takes_the_policys_default() -> None:
    assert opened().priority is Priority.NORMAL
    assert opened().resolution_due == OPENED.add(hours=48)
    urgent_by_default = ServicePolicy(POLICY.categories, default_priority=Priority.URGENT)
    assert opened(policy=urgent_by_default).first_response_due == OPENED.add(minutes=15)


def test_deadlines_are_elapsed_time_across_a_daylight_saving_change() -> None:
    # Paris moves to summer time in the night of 29 March 2026: 48 hours are 48 hours.
    at = pendulum.datetime(2026, 3, 28, 12, tz="Europe/Paris")
    request = opened(at=at)
    assert request.resolution_due - request.opened_at == dt.timedelta(hours=48)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("   ", "a request's text cannot be empty"),
        ("x" * (MAX_TEXT_LENGTH + 1), f"keep it to {MAX_TEXT_LENGTH}"),
        (None, "a request's text must be text"),
    ],
)
def test_opening_refuses_an_empty_or_too_long_text(text: Any, says: str) -> None:
    assert_refused(
        InvalidServiceRequestError, "service.invalid_request", says, lambda: opened(text=text)
    )


def test_opening_refuses_a_priority_that_is_not_one_and_a_naive_instant() -> None:
    assert_refused(
        InvalidServiceRequestError,
        "service.invalid_request",
        "priority must be a Priority",
        lambda: opened(priority="high"),
    )
    with pytest.raises(NaiveDatetimeError):
        opened(at=dt.datetime(2026, 7, 10, 20))  # noqa: DTZ001 - naive on purpose


# -- the lifecycle ---------------------------------------------------------------------


def test_the_lifecycle_table_has_the_declared_main_line_and_exits() -> None:
    table = SERVICE_REQUEST_LIFECYCLE
    assert table.initial is S.OPEN
    assert table.final == {S.CLOSED, S.CANCELLED}
    assert table.next_state(S.OPEN, "respond", None) is S.RESPONDED
    assert table.next_state(S.RESPONDED, "start", None) is S.IN_PROGRESS
    assert table.next_state(S.IN_PROGRESS, "resolve", None) is S.RESOLVED
    assert table.next_state(S.RESOLVED, "close", None) is S.CLOSED
    assert table.next_state(S.RESOLVED, "reopen", None) is S.IN_PROGRESS
    for status in UNRESOLVED_STATUSES:
        assert table.next_state(status, "cancel", None) is S.CANCELLED
        assert table.next_state(status, "escalate", None) is status
    assert not table.can_fire(S.RESOLVED, "escalate", None)
    assert table.allowed_events(S.CLOSED) == table.allowed_events(S.CANCELLED) == ()


def test_the_main_line_records_an_update_and_an_event_per_step() -> None:
    request = opened()
    request, responded_events = request.respond(by=STAFF, text="Sorry!", at=OPENED.add(minutes=5))
    request, started = request.start(by=STAFF, at=OPENED.add(minutes=10))
    request, resolved_events = request.resolve(by=STAFF, text="Quiet room.", at=OPENED.add(hours=1))
    request, closed = request.close(rating=4, comment=" Thanks. ", at=OPENED.add(hours=5))
    assert request.status is S.CLOSED
    assert request.version == 5
    assert [u.step for u in request.updates] == ["open", "respond", "start", "resolve", "close"]
    assert [u.visible_to_customer for u in request.updates] == [True, True, False, True, True]
    assert request.updates[2].text == "work started"
    assert request.responded_at == OPENED.add(minutes=5)
    assert request.resolved_at == OPENED.add(hours=1)
    assert request.ended_at == OPENED.add(hours=5)
    assert (request.rating, request.comment) == (4, "Thanks.")
    [respond] = responded_events
    assert isinstance(respond, ServiceRequestUpdated)
    assert (respond.step, respond.status, respond.by, respond.text) == (
        "respond",
        S.RESPONDED,
        STAFF,
        "Sorry!",
    )
    start = the(ServiceRequestUpdated, started)
    assert start.step == "start"
    assert not start.visible_to_customer
    [resolution] = resolved_events
    assert isinstance(resolution, ServiceRequestResolved)
    assert (resolution.late, resolution.aggregate_version) == (False, 4)
    [close] = closed
    assert isinstance(close, ServiceRequestClosed)
    assert (close.rating, close.comment, close.customer, close.category) == (
        4,
        "Thanks.",
        CUSTOMER,
        "complaint",
    )
    assert request.updates[-1].by == CUSTOMER


def test_steps_not_in_the_table_are_refused_and_change_nothing() -> None:
    request = opened()
    error = assert_refused(
        IllegalTransitionError,
        "state_machine.illegal_transition",
        "event 'close' is not allowed in state 'OPEN'; allowed events: respond, resolve, "
        "cancel, update, assign, escalate",
        lambda: request.close(rating=5, at=OPENED),
    )
    assert error.state is S.OPEN
    assert_refused(
        IllegalTransitionError,
        "state_machine.illegal_transition",
        "'start' is not allowed in state 'OPEN'",
        lambda: request.start(by=STAFF, at=OPENED),
    )
    assert_refused(
        IllegalTransitionError,
        "state_machine.illegal_transition",
        "'respond' is not allowed in state 'RESPONDED'",
        lambda: responded().respond(by=STAFF, text="Again", at=OPENED.add(hours=1)),
    )
    closed = resolved().close(rating=3, at=OPENED.add(hours=4))[0]
    for step in (
        lambda: closed.add_update(by=STAFF, text="More", at=OPENED.add(hours=5)),
        lambda: closed.assign(assignee="x", by=STAFF, at=OPENED.add(hours=5)),
        lambda: closed.cancel(at=OPENED.add(hours=5)),
        lambda: closed.reopen(by=STAFF, reason="No", at=OPENED.add(hours=5)),
    ):
        assert_refused(
            IllegalTransitionError, "state_machine.illegal_transition", "none: it is final", step
        )
    assert_refused(
        IllegalTransitionError,
        "state_machine.illegal_transition",
        "'cancel' is not allowed in state 'RESOLVED'",
        lambda: resolved().cancel(at=OPENED.add(hours=4)),
    )


def test_a_visible_update_on_an_open_request_is_its_first_response() -> None:
    internal, events = opened().add_update(
        by=STAFF, text="Called security.", at=OPENED.add(minutes=3), visible_to_customer=False
    )
    assert internal.status is S.OPEN
    assert internal.responded_at is None
    assert the(ServiceRequestUpdated, events).step == "update"
    answered, events = internal.add_update(by=STAFF, text="Sorry!", at=OPENED.add(minutes=4))
    assert answered.status is S.RESPONDED
    assert answered.responded_at == OPENED.add(minutes=4)
    assert the(ServiceRequestUpdated, events).step == "respond"
    later, events = answered.add_update(by=STAFF, text="Still on it.", at=OPENED.add(minutes=9))
    assert later.status is S.RESPONDED
    assert later.responded_at == OPENED.add(minutes=4)
    assert the(ServiceRequestUpdated, events).step == "update"


def test_resolving_an_open_request_answers_it_at_the_same_time() -> None:
    request, _ = opened().resolve(by=STAFF, text="Done.", at=OPENED.add(minutes=30))
    assert request.status is S.RESOLVED
    assert request.responded_at == request.resolved_at == OPENED.add(minutes=30)
    assert request.breaches(OPENED.add(days=10)) == ()


def test_a_resolution_after_its_deadline_is_marked_late() -> None:
    _, events = responded().resolve(by=STAFF, text="Done.", at=OPENED.add(hours=49))
    assert the(ServiceRequestResolved, events).late


def test_assigning_names_the_assignee_or_moves_the_team_and_is_internal() -> None:
    request, events = opened().assign(assignee=" eng:tom ", by=STAFF, at=OPENED)
    assert (request.assignee, request.team, request.status) == (
        "eng:tom",
        "guest relations",
        S.OPEN,
    )
    [event] = events
    assert isinstance(event, ServiceRequestAssigned)
    assert (event.assignee, event.team, event.by) == ("eng:tom", "guest relations", STAFF)
    assert request.updates[-1].visible_to_customer is False
    assert request.updates[-1].text == "assigned to eng:tom of guest relations"
    moved, _ = request.assign(assignee=None, by=STAFF, at=OPENED, team="engineering")
    assert (moved.assignee, moved.team) == (None, "engineering")
    assert moved.updates[-1].text == "assigned to the queue of engineering"
    assert moved.assign(assignee=None, by=STAFF, at=OPENED, team="engineering") == (moved, ())
    assert_refused(
        InvalidServiceRequestError,
        "service.invalid_request",
        "assignee must name who takes the step",
        lambda: request.assign(assignee=" ", by=STAFF, at=OPENED),
    )


def test_reopening_gives_a_fresh_resolution_deadline_and_clears_the_resolution() -> None:
    request, events = resolved().reopen(by=CUSTOMER, reason="Still noisy.", at=OPENED.add(hours=10))
    assert request.status is S.IN_PROGRESS
    assert request.resolved_at is None
    assert request.resolution_due == OPENED.add(hours=10 + 48)
    assert request.responded_at == OPENED.add(minutes=20)  # the first response stays met
    [event] = events
    assert isinstance(event, ServiceRequestReopened)
    assert (event.reason, event.resolution_due) == ("Still noisy.", OPENED.add(hours=58))
    assert request.updates[-1].visible_to_customer
    assert_refused(
        InvalidServiceRequestError,
        "service.invalid_request",
        "the reason to reopen cannot be empty",
        lambda: resolved().reopen(by=STAFF, reason="", at=OPENED.add(hours=10)),
    )


@pytest.mark.parametrize("rating", [0, 6, -1, True, 4.5, "5", None])
def test_a_rating_outside_one_to_five_is_refused(rating: Any) -> None:
    request = resolved()
    assert_refused(
        InvalidRatingError,
        "service.invalid_rating",
        "from 1 to 5",
        lambda: request.close(rating=rating, at=OPENED.add(hours=4)),
    )


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_at_the_bounds_close_the_request(rating: int) -> None:
    request, _ = resolved().close(rating=rating, at=OPENED.add(hours=4))
    assert request.rating == rating
    assert request.updates[-1].text == f"rated {rating} of 5"


def test_cancelling_is_the_guests_unless_staff_is_named() -> None:
    request, events = opened().cancel(at=OPENED.add(minutes=10))
    assert (request.status, request.ended_at) == (S.CANCELLED, OPENED.add(minutes=10))
    [event] = events
    assert isinstance(event, ServiceRequestCancelled)
    assert (event.by, event.reason) == (CUSTOMER, "")
    assert request.updates[-1].text == "withdrawn"
    _by_staff, events = responded().cancel(at=OPENED.add(hours=1), reason="Duplicate.", by=STAFF)
    cancelled = the(ServiceRequestCancelled, events)
    assert (cancelled.by, cancelled.reason) == (STAFF, "Duplicate.")


@pytest.mark.parametrize(
    ("step", "says"),
    [
        (lambda r: r.respond(by=" ", text="Hi", at=OPENED), "by must name who takes the step"),
        (lambda r: r.respond(by=STAFF, text="", at=OPENED), "an update's text cannot be empty"),
        (lambda r: r.resolve(by=STAFF, text=" ", at=OPENED), "the resolution cannot be empty"),
        (
            lambda r: r.respond(by=STAFF, text="Hi", at=OPENED.subtract(seconds=1)),
            "cannot be dated earlier",
        ),
    ],
)
def test_steps_refuse_a_missing_author_or_text_and_a_time_before_the_last_update(
    step: Any, says: str
) -> None:
    request = opened()
    assert_refused(
        InvalidServiceRequestError, "service.invalid_request", says, lambda: step(request)
    )


# -- deadlines and escalation ----------------------------------------------------------


def test_a_deadline_is_met_up_to_the_instant_it_is_due_and_breached_after() -> None:
    request = opened()
    assert request.breaches(OPENED.add(hours=1)) == ()
    assert request.breaches(OPENED.add(hours=1, seconds=1)) == (FIRST,)
    assert request.breaches(OPENED.add(hours=48, seconds=1)) == (FIRST, RESOLUTION)


def test_a_deadline_met_on_time_is_never_breached_and_one_met_late_stays_breached() -> None:
    on_time = responded(OPENED.add(hours=1))
    assert on_time.breaches(OPENED.add(days=1)) == ()
    late = responded(OPENED.add(hours=2))
    assert late.breaches(OPENED.add(minutes=90)) == (FIRST,)
    assert late.breaches(OPENED.add(days=1)) == (FIRST,)
    assert late.breaches(OPENED.add(minutes=30)) == ()


def test_a_request_cancelled_before_a_deadline_owes_nothing_after_it() -> None:
    cancelled, _ = opened().cancel(at=OPENED.add(minutes=30))
    assert cancelled.breaches(OPENED.add(days=5)) == ()
    late_cancel, _ = opened().cancel(at=OPENED.add(hours=2))
    assert late_cancel.breaches(OPENED.add(days=5)) == (FIRST,)


def test_escalating_raises_the_level_once_per_breached_deadline() -> None:
    request = opened()
    assert request.escalate(at=OPENED.add(hours=1)) == (request, ())
    first, events = request.escalate(at=OPENED.add(hours=2))
    assert (first.escalation_level, first.status, first.version) == (1, S.OPEN, 2)
    [event] = events
    assert isinstance(event, ServiceRequestEscalated)
    assert (event.deadline, event.due, event.level, event.status, event.team) == (
        FIRST,
        OPENED.add(hours=1),
        1,
        S.OPEN,
        "guest relations",
    )
    assert first.escalate(at=OPENED.add(hours=3)) == (first, ())
    update = first.updates[-1]
    assert (update.by, update.step, update.visible_to_customer) == (SYSTEM, "escalate", False)
    assert "escalated to level 1" in update.text
    both, events = first.escalate(at=OPENED.add(hours=49))
    assert both.escalation_level == 2
    assert the(ServiceRequestEscalated, events).deadline is RESOLUTION


def test_two_deadlines_breached_at_once_escalate_two_levels_in_one_change() -> None:
    request, events = opened().escalate(at=OPENED.add(days=3))
    assert request.escalation_level == 2
    assert request.version == 2
    assert [(e.deadline, e.level) for e in escalations(events)] == [(FIRST, 1), (RESOLUTION, 2)]
    assert [e.level for e in request.escalations] == [1, 2]


def test_escalation_keeps_the_status_and_is_a_no_op_once_resolved() -> None:
    late = responded(OPENED.add(hours=2))
    escalated, _ = late.escalate(at=OPENED.add(hours=3))
    assert escalated.status is S.RESPONDED
    done, _ = late.resolve(by=STAFF, text="Done.", at=OPENED.add(hours=3))
    assert done.breaches(OPENED.add(hours=4)) == (FIRST,)
    assert done.escalate(at=OPENED.add(hours=4)) == (done, ())


def test_a_reopened_request_escalates_its_new_resolution_deadline_on_its_own() -> None:
    late, _ = opened().escalate(at=OPENED.add(days=3))  # both deadlines, levels 1 and 2
    late, _ = late.resolve(by=STAFF, text="Done.", at=OPENED.add(days=3, hours=1))
    again, _ = late.reopen(by=CUSTOMER, reason="Not done.", at=OPENED.add(days=3, hours=2))
    assert again.breaches(OPENED.add(days=3, hours=3)) == (FIRST,)
    assert again.escalate(at=OPENED.add(days=3, hours=3)) == (again, ())
    overdue = OPENED.add(days=5, hours=3)
    assert again.breaches(overdue) == (FIRST, RESOLUTION)
    escalated, events = again.escalate(at=overdue)
    assert escalated.escalation_level == 3
    assert the(ServiceRequestEscalated, events).due == OPENED.add(days=5, hours=2)


def test_events_carry_plain_payloads() -> None:
    request, opened_events = ServiceRequest.open(
        REQUEST_ID,
        customer=CUSTOMER,
        category="billing",
        text="Charged twice.",
        policy=POLICY,
        at=OPENED,
        order=ORDER,
    )
    _escalated, escalated_events = request.escalate(at=OPENED.add(days=3))
    payload = event_payload(opened_events[0])
    assert payload["priority"] == "normal"
    assert payload["order"] == str(ORDER)
    assert payload["resolution_due"] == "2026-07-11T20:00:00+00:00"
    escalation = event_payload(escalated_events[0])
    assert (escalation["deadline"], escalation["status"]) == ("first_response", "open")


# -- reports ---------------------------------------------------------------------------


def a_request(category: str, at: pendulum.DateTime, **changes: Any) -> ServiceRequest:
    return ServiceRequest.open(
        ServiceRequestId.new(),
        customer=CUSTOMER,
        category=category,
        text="Help.",
        policy=POLICY,
        at=at,
        **changes,
    )[0]


def test_the_report_counts_a_periods_requests_by_category_status_and_breach() -> None:
    start, end = pendulum.datetime(2026, 7, 1, tz="UTC"), pendulum.datetime(2026, 8, 1, tz="UTC")
    now = pendulum.datetime(2026, 8, 3, tz="UTC")
    day = pendulum.datetime(2026, 7, 5, 10, tz="UTC")
    on_time = a_request("complaint", day)
    on_time = on_time.resolve(by=STAFF, text="Done.", at=day.add(minutes=30))[0]
    on_time = on_time.close(rating=5, at=day.add(hours=1))[0]
    late_answer = a_request("complaint", day).respond(by=STAFF, text="Hi", at=day.add(hours=2))[0]
    late_answer = late_answer.resolve(by=STAFF, text="Done.", at=day.add(hours=3))[0]
    late_answer = late_answer.close(rating=2, at=day.add(hours=4))[0]
    never = a_request("housekeeping", day)  # breaches both
    escalated = never.escalate(at=day.add(days=1))[0]
    cancelled = a_request("billing", day).cancel(at=day.add(minutes=5))[0]
    # Opened on the last evening of the period; its first response was late after it.
    last_evening = a_request("billing", end.subtract(minutes=30))
    outside = a_request("complaint", end)
    report = service_report(
        [on_time, late_answer, escalated, cancelled, last_evening, outside], start, end, at=now
    )
    assert report.opened == 5
    assert report.by_category == {"billing": 2, "complaint": 2, "housekeeping": 1}
    assert report.by_status == {
        S.OPEN: 2,
        S.RESPONDED: 0,
        S.IN_PROGRESS: 0,
        S.RESOLVED: 0,
        S.CLOSED: 2,
        S.CANCELLED: 1,
    }
    assert report.first_response_breaches == {"billing": 1, "complaint": 1, "housekeeping": 1}
    assert report.resolution_breaches == {"billing": 1, "complaint": 0, "housekeeping": 1}
    assert report.escalated == {"billing": 0, "complaint": 0, "housekeeping": 1}
    assert (report.rated, report.average_rating) == (2, Decimal("3.5"))
    assert (report.start, report.end, report.at) == (start, end, now)


def test_a_deadline_still_ahead_is_no_breach_yet() -> None:
    day = pendulum.datetime(2026, 7, 5, 10, tz="UTC")
    fresh = a_request("complaint", day)
    report = service_report(
        [fresh], day.start_of("month"), day.add(months=1), at=day.add(minutes=59)
    )
    assert report.first_response_breaches == {"complaint": 0}


def test_an_empty_report_has_no_average_and_every_status_at_zero() -> None:
    start = pendulum.datetime(2026, 7, 1, tz="UTC")
    report = service_report([], start, start.add(days=1), at=start)
    assert report.opened == report.rated == 0
    assert report.average_rating is None
    assert report.by_category == {}
    assert set(report.by_status) == set(ServiceStatus)
    assert not any(report.by_status.values())


def test_average_ratings_round_half_up_to_one_place() -> None:
    day = pendulum.datetime(2026, 7, 5, 10, tz="UTC")
    closed = []
    for rating in (5, 4, 4, 4):  # 4.25
        request = a_request("other", day).resolve(by=STAFF, text="Done.", at=day)[0]
        closed.append(request.close(rating=rating, at=day)[0])
    report = service_report(closed, day, day.add(seconds=1), at=day)
    assert report.average_rating == Decimal("4.3")


def test_a_report_period_must_end_after_it_starts() -> None:
    start = pendulum.datetime(2026, 7, 1, tz="UTC")
    assert_refused(
        InvalidReportPeriodError,
        "service.invalid_report_period",
        "must end after it starts",
        lambda: service_report([], start, start, at=start),
    )
