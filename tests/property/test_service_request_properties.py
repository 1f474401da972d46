"""Random sequences of steps and clock moves never break a service request's rules.

A hypothesis rule-based state machine opens one request (any category, any priority) and
drives it with every step a desk takes (responses, visible and internal notes,
assignments, starting work, resolving, reopening, closing with any rating, cancelling,
escalating) while the clock moves on by minutes or days. It keeps its own model: the
status by the lifecycle as the issue states it (written out here, not read from the
table), the deadlines, when each was met, and what was escalated. Each outcome is the
one the model expects; a refused step changes nothing. After every step:

* the status is one the lifecycle table declares, and the model's;
* the escalation level never goes down, and each breached deadline of an unresolved
  request is escalated once, after an escalation;
* a deadline is reported breached exactly when it passed before it was met (or the
  request withdrawn), judged at the current time and at the instants around each
  deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pendulum
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from staycore.kernel.errors import IllegalTransitionError
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.membership.service import (
    SERVICE_REQUEST_LIFECYCLE,
    Change,
    Deadline,
    InvalidRatingError,
    Priority,
    ServicePolicy,
    ServiceRequest,
    ServiceRequestEscalated,
    ServiceStatus,
)

S = ServiceStatus
POLICY = ServicePolicy.default()
OPENED = pendulum.datetime(2026, 7, 10, 20, tz="UTC")
STAFF = "desk:lea"
SECOND = dt.timedelta(seconds=1)

# The lifecycle as the issue states it: the main line, reopen from resolved, cancel while
# unresolved. Notes and assignments keep the status, in every status but the final ones.
EDGES = {
    (S.OPEN, "respond"): S.RESPONDED,
    (S.OPEN, "resolve"): S.RESOLVED,
    (S.OPEN, "cancel"): S.CANCELLED,
    (S.RESPONDED, "start"): S.IN_PROGRESS,
    (S.RESPONDED, "resolve"): S.RESOLVED,
    (S.RESPONDED, "cancel"): S.CANCELLED,
    (S.IN_PROGRESS, "resolve"): S.RESOLVED,
    (S.IN_PROGRESS, "cancel"): S.CANCELLED,
    (S.RESOLVED, "reopen"): S.IN_PROGRESS,
    (S.RESOLVED, "close"): S.CLOSED,
}
FINAL = {S.CLOSED, S.CANCELLED}
UNRESOLVED = {S.OPEN, S.RESPONDED, S.IN_PROGRESS}


class ServiceRequestMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = OPENED
        self.highest_level = 0

    @initialize(
        category=st.sampled_from(sorted(POLICY.categories)), priority=st.sampled_from(Priority)
    )
    def open(self, category: str, priority: Priority) -> None:
        self.request, _ = ServiceRequest.open(
            ServiceRequestId.new(),
            customer=CustomerId.new(),
            category=category,
            text="Help, please.",
            policy=POLICY,
            at=self.now,
            priority=priority,
        )
        self.deadlines = POLICY.category(category).deadlines_for(priority)
        self.status = S.OPEN
        self.due = {
            Deadline.FIRST_RESPONSE: OPENED + self.deadlines.first_response,
            Deadline.RESOLUTION: OPENED + self.deadlines.resolution,
        }
        self.met: dict[Deadline, pendulum.DateTime | None] = dict.fromkeys(Deadline)
        self.ended: pendulum.DateTime | None = None
        self.escalated: set[tuple[Deadline, pendulum.DateTime]] = set()

    # -- the model -----------------------------------------------------------------

    def breached(self, deadline: Deadline, at: pendulum.DateTime) -> bool:
        due = self.due[deadline]
        settled = [t for t in (self.met[deadline], self.ended) if t is not None]
        return at > due and not (settled and min(settled) <= due)

    def take(self, step: str, call: Callable[[], Change]) -> bool:
        """Take ``step`` by ``call``; check it was refused exactly when the model says."""
        before = self.request
        target = EDGES.get((self.status, step))
        if step in ("update", "assign") and self.status not in FINAL:
            target = self.status
        if target is None:
            with pytest.raises(IllegalTransitionError):
                call()
            assert self.request == before
            return False
        self.request, events = call()
        assert self.request.version == before.version + 1
        assert len(events) == 1
        assert self.request.updates[-1].at == self.now
        self.status = target
        return True

    # -- steps ---------------------------------------------------------------------

    @rule(minutes=st.integers(0, 600) | st.integers(0, 5 * 24 * 60))
    def wait(self, minutes: int) -> None:
        self.now = self.now.add(minutes=minutes)

    @rule()
    def respond(self) -> None:
        if self.take("respond", lambda: self.request.respond(by=STAFF, text="Hi", at=self.now)):
            self.met[Deadline.FIRST_RESPONSE] = self.now

    @rule(visible=st.booleans())
    def add_update(self, visible: bool) -> None:
        step = "respond" if visible and self.status is S.OPEN else "update"

        def call() -> Change:
            return self.request.add_update(
                by=STAFF, text="News", at=self.now, visible_to_customer=visible
            )

        if self.take(step, call) and step == "respond":
            self.met[Deadline.FIRST_RESPONSE] = self.now

    @rule(assignee=st.sampled_from(["eng:tom", "eng:ana"]))
    def assign(self, assignee: str) -> None:
        if self.status in FINAL or self.request.assignee != assignee:
            self.take(
                "assign", lambda: self.request.assign(assignee=assignee, by=STAFF, at=self.now)
            )
        else:  # the same assignee again: nothing changes
            assert self.request.assign(assignee=assignee, by=STAFF, at=self.now) == (
                self.request,
                (),
            )

    @rule()
    def start(self) -> None:
        self.take("start", lambda: self.request.start(by=STAFF, at=self.now))

    @rule()
    def resolve(self) -> None:
        if self.take("resolve", lambda: self.request.resolve(by=STAFF, text="Done", at=self.now)):
            self.met[Deadline.RESOLUTION] = self.now
            if self.met[Deadline.FIRST_RESPONSE] is None:
                self.met[Deadline.FIRST_RESPONSE] = self.now

    @rule()
    def reopen(self) -> None:
        if self.take("reopen", lambda: self.request.reopen(by=STAFF, reason="Again", at=self.now)):
            self.met[Deadline.RESOLUTION] = None
            self.due[Deadline.RESOLUTION] = self.now + self.deadlines.resolution

    @rule(rating=st.integers(-1, 7))
    def close(self, rating: int) -> None:
        if not 1 <= rating <= 5:
            before = self.request
            with pytest.raises(InvalidRatingError):
                self.request.close(rating=rating, at=self.now)
            assert self.request == before
            return
        if self.take("close", lambda: self.request.close(rating=rating, at=self.now)):
            self.ended = self.now
            assert self.request.rating == rating

    @rule()
    def cancel(self) -> None:
        if self.take("cancel", lambda: self.request.cancel(at=self.now)):
            self.ended = self.now

    @rule()
    def escalate(self) -> None:
        before = self.request
        self.request, events = before.escalate(at=self.now)
        if self.status not in UNRESOLVED:
            assert (self.request, events) == (before, ())
            return
        due_now = {(d, self.due[d]) for d in Deadline if self.breached(d, self.now)}
        fresh = due_now - self.escalated
        assert all(isinstance(e, ServiceRequestEscalated) for e in events)
        escalations = [e for e in events if isinstance(e, ServiceRequestEscalated)]
        assert {(e.deadline, e.due) for e in escalations} == fresh
        assert self.request.version == before.version + (1 if fresh else 0)
        self.escalated |= fresh
        assert self.request.status is self.status

    # -- what always holds ---------------------------------------------------------

    @invariant()
    def the_status_is_the_tables_and_the_models(self) -> None:
        assert self.request.status in SERVICE_REQUEST_LIFECYCLE.states
        assert self.request.status is self.status

    @invariant()
    def escalation_never_goes_down_and_matches_what_was_escalated(self) -> None:
        level = self.request.escalation_level
        assert level >= self.highest_level
        self.highest_level = level
        assert level == len(self.escalated)
        assert [e.level for e in self.request.escalations] == list(range(1, level + 1))
        assert {(e.deadline, e.due) for e in self.request.escalations} == self.escalated

    @invariant()
    def only_deadlines_already_passed_were_escalated(self) -> None:
        for escalation in self.request.escalations:
            assert escalation.due < escalation.at <= self.now

    @invariant()
    def a_breach_is_reported_exactly_when_a_deadline_passed_unmet(self) -> None:
        probes = {self.now, self.now.add(days=30)}
        for due in self.due.values():
            probes |= {due, due + SECOND, due - SECOND}
        for at in probes:
            expected = tuple(d for d in Deadline if self.breached(d, at))
            assert self.request.breaches(at) == expected
        assert self.request.due(Deadline.FIRST_RESPONSE) == self.due[Deadline.FIRST_RESPONSE]
        assert self.request.due(Deadline.RESOLUTION) == self.due[Deadline.RESOLUTION]

    @invariant()
    def the_timeline_is_in_time_order(self) -> None:
        times = [u.at for u in self.request.updates]
        assert times == sorted(times)
        assert len(self.request.updates) >= self.request.version


def test_the_stated_lifecycle_is_the_declared_table() -> None:
    declared = {
        (edge.source, edge.event): edge.target
        for edge in SERVICE_REQUEST_LIFECYCLE.transitions
        if edge.source is not edge.target
    }
    assert declared == EDGES


TestServiceRequestMachine = ServiceRequestMachine.TestCase
TestServiceRequestMachine.settings = settings(
    max_examples=200, stateful_step_count=40, deadline=None
)
