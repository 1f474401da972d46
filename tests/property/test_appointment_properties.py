"""Properties of slot grids and of the appointment store under random operations."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)
from hypothesis.strategies import DrawFn

from staycore.adapters.memory import MemoryAppointmentStore
from staycore.availability.appointments import (
    SlotFullError,
    SlotHold,
    SlotHoldRequest,
    free_slots,
    remaining_places,
)
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.schedule import (
    Resource,
    ScheduleException,
    WorkingHours,
    WorkingInterval,
)
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Slot
from staycore.testing.clock import FrozenClock
from staycore.testing.strategies import booking_dates, timezones

_DAY = 24 * 60
_FIRST, _LAST = dt.date(2024, 1, 1), dt.date(2030, 12, 31)


def _seconds(instant: dt.datetime) -> int:
    """Whole seconds since 1970: slots start on whole minutes, so this is exact."""
    return int(instant.timestamp())


def _clock_time(minute: int) -> dt.time:
    return dt.time(0) if minute == _DAY else dt.time(minute // 60, minute % 60)


@st.composite
def day_hours(draw: DrawFn) -> tuple[WorkingInterval, ...]:
    """Zero to three intervals of one day, often across the hours clocks change in."""
    cuts = draw(
        st.lists(
            st.one_of(st.integers(0, _DAY), st.sampled_from([0, 60, 120, 150, 180, 1440])),
            unique=True,
            max_size=6,
        )
    )
    bounds = sorted(cuts)
    return tuple(
        WorkingInterval(_clock_time(start), _clock_time(end))
        for start, end in zip(bounds[::2], bounds[1::2], strict=False)
    )


@st.composite
def resources(draw: DrawFn, *, capacity: int | None = None) -> Resource:
    """Resources in zones with tricky daylight saving, some with an exception day."""
    week = draw(st.lists(day_hours(), min_size=7, max_size=7))
    exceptions = draw(
        st.lists(
            st.builds(
                ScheduleException,
                day=booking_dates(min_date=_FIRST, max_date=_LAST),
                hours=day_hours(),
            ),
            max_size=2,
            unique_by=lambda exception: exception.day,
        )
    )
    return Resource(
        id=ResourceId.new(),
        name="Property therapist",
        timezone=draw(timezones()),
        hours=WorkingHours(week),
        slot_minutes=draw(st.integers(1, 240)),
        buffer_minutes=draw(st.integers(0, 60)),
        capacity=capacity if capacity is not None else draw(st.integers(1, 6)),
        exceptions=exceptions,
    )


# -- the grid --------------------------------------------------------------------------


@settings(max_examples=150)
@given(resource=resources(), day=booking_dates(min_date=_FIRST, max_date=_LAST))
def test_slots_lie_within_working_hours_last_their_length_and_never_overlap(
    resource: Resource, day: dt.date
) -> None:
    slots = [(_seconds(s.start), _seconds(s.end)) for s in resource.slots_on(day)]
    length, step = resource.slot_minutes * 60, resource.step_minutes * 60
    spans = [
        tuple(map(_seconds, interval.instants(day, resource.timezone)))
        for interval in resource.hours_on(day)
    ]

    assert all(end - start == length for start, end in slots)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(slots))
    assert all(a_close <= b_open for (_, a_close), (b_open, _) in itertools.pairwise(spans))
    placed = 0
    for opens, closes in spans:
        inside = [(start, end) for start, end in slots if opens <= start and end <= closes]
        # Every slot that fits is there: from opening, one step apart, until closing.
        fits = (closes - opens - length) // step + 1 if closes - opens >= length else 0
        assert len(inside) == fits
        assert all(b[0] - a[0] == step for a, b in itertools.pairwise(inside))
        assert not inside or inside[0][0] == opens
        placed += len(inside)
    assert placed == len(slots)


@settings(max_examples=50)
@given(
    resource=resources(),
    day=booking_dates(min_date=_FIRST, max_date=_LAST),
    days=st.integers(0, 3),
)
def test_slots_between_is_every_days_slots_in_order(
    resource: Resource, day: dt.date, days: int
) -> None:
    last = day + dt.timedelta(days=days)
    listed = resource.slots_between(day, last)
    each = [s for offset in range(days + 1) for s in resource.slots_on(day + dt.timedelta(offset))]
    assert list(listed) == each == sorted(each)
    window = resource.window(day, last)
    assert all(window.start <= slot.start and slot.end <= window.end for slot in listed)


# -- the store under random operations --------------------------------------------------


class AppointmentStoreMachine(RuleBasedStateMachine):
    """Reserve, confirm, release, extend and expire at random against a model.

    The model is the list of holds the machine got back and what it did to them; the
    store's ``taken`` must always equal the places of the holds the model says are live.
    """

    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock("2026-06-01T09:00:00Z")
        self.store = MemoryAppointmentStore(self.clock)
        self.model: dict[HoldId, SlotHold] = {}

    @initialize(
        resource=resources(),
        day=booking_dates(min_date=dt.date(2026, 6, 1), max_date=dt.date(2026, 12, 31)),
    )
    def open_resource(self, resource: Resource, day: dt.date) -> None:
        self.resource = resource
        self.day = day
        self.slots = resource.slots_on(day)
        self.store.save_resource(resource)

    def live(self, hold: SlotHold) -> bool:
        """Whether the model says ``hold`` still takes its places."""
        if hold.status is HoldStatus.HELD:
            return hold.expires_at > self.clock.now()
        return hold.status is HoldStatus.CONFIRMED

    def expected_taken(self) -> dict[Slot, int]:
        taken: dict[Slot, int] = {}
        for hold in self.model.values():
            if self.live(hold):
                taken[hold.slot] = taken.get(hold.slot, 0) + hold.places
        return taken

    @precondition(lambda self: bool(self.slots))
    @rule(
        target=holds,
        index=st.integers(0, 200),
        places=st.integers(1, 4),
        minutes=st.integers(1, 30),
    )
    def reserve(self, index: int, places: int, minutes: int) -> HoldId:
        slot = self.slots[index % len(self.slots)]
        request = SlotHoldRequest(
            hold_id=HoldId.new(),
            resource=self.resource.id,
            slot=slot,
            places=places,
            owner=Identifier.new(),
            expires_at=self.clock.now().add(minutes=minutes),
        )
        left = self.resource.capacity - self.expected_taken().get(slot, 0)
        refused: SlotFullError | None = None
        try:
            hold = self.store.reserve(request)
        except SlotFullError as error:
            refused = error
        if refused is not None:
            assert places > left
            assert refused.remaining == max(0, left)
        else:
            assert places <= left
            self.model[hold.id] = hold
        return request.hold_id

    @rule(hold_id=holds)
    def confirm(self, hold_id: HoldId) -> None:
        if hold_id not in self.model:
            return
        hold = self.model[hold_id]
        try:
            confirmed = self.store.confirm(hold_id)
        except HoldNotActiveError:
            assert not self.live(hold)
            self.model[hold_id] = self.store.hold(hold_id)
        else:
            assert self.live(hold)
            assert confirmed.status is HoldStatus.CONFIRMED
            self.model[hold_id] = confirmed

    @rule(hold_id=consumes(holds))
    def release(self, hold_id: HoldId) -> None:
        if hold_id not in self.model:
            return
        released = self.store.release(hold_id)
        assert released.status in (HoldStatus.RELEASED, HoldStatus.EXPIRED)
        self.model[hold_id] = released

    @rule(hold_id=holds, minutes=st.integers(1, 30))
    def extend(self, hold_id: HoldId, minutes: int) -> None:
        if hold_id not in self.model:
            return
        hold = self.model[hold_id]
        try:
            extended = self.store.extend(hold_id, self.clock.now().add(minutes=minutes))
        except HoldNotActiveError:
            assert not (hold.status is HoldStatus.HELD and self.live(hold))
        else:
            assert hold.status is HoldStatus.HELD
            assert self.live(hold)
            self.model[hold_id] = extended

    @rule(minutes=st.integers(1, 20))
    def advance(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def expire_due(self) -> None:
        expired = self.store.expire_due()
        for hold in expired:
            before = self.model[hold.id]
            assert before.status is HoldStatus.HELD
            assert not self.live(before)
            self.model[hold.id] = hold

    @invariant()
    def taken_is_what_the_operations_imply(self) -> None:
        if not hasattr(self, "resource"):
            return
        taken = dict(self.store.taken(self.resource.id, self.resource.window(self.day)))
        assert taken == self.expected_taken()

    @invariant()
    def remaining_places_stay_within_capacity(self) -> None:
        if not hasattr(self, "resource"):
            return
        taken = self.store.taken(self.resource.id, self.resource.window(self.day))
        for slot in self.slots:
            assert 0 <= remaining_places(self.resource, slot, taken) <= self.resource.capacity
        listed = free_slots(self.resource, self.day, taken=taken)
        assert all(1 <= free.remaining <= self.resource.capacity for free in listed)
        assert sum(taken.values()) <= self.resource.capacity * max(len(self.slots), 1)


AppointmentStoreMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25)
TestAppointmentStore = AppointmentStoreMachine.TestCase
