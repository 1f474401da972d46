"""The appointment use cases read what is taken from the store and never offer the past."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from staycore.adapters.memory import MemoryAppointmentStore
from staycore.app.appointments import Appointments
from staycore.availability.appointments import (
    ResourceNotFoundError,
    SlotFullError,
    SlotHoldRequest,
)
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.resource_search import InvalidResourceSearchError, ResourceQuery
from staycore.availability.schedule import Resource, WorkingHours
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Slot
from staycore.testing.clock import FrozenClock

MONDAY = dt.date(2026, 5, 4)
TZ = "Asia/Taipei"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(pendulum.datetime(2026, 5, 4, 8, tz=TZ))


@pytest.fixture
def spa(clock: FrozenClock) -> Appointments:
    return Appointments(MemoryAppointmentStore(clock), clock)


def _resource(name: str, capacity: int = 1) -> Resource:
    return Resource(
        id=ResourceId.new(),
        name=name,
        timezone=TZ,
        hours=WorkingHours.weekly({"mon-fri": "09:00-12:00"}),
        slot_minutes=60,
        capacity=capacity,
    )


def _at(hour: int, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 5, 4, hour, minute, tz=TZ)


def _request(
    clock: FrozenClock, resource: Resource, hour: int, places: int = 1, minutes: int = 15
) -> SlotHoldRequest:
    return SlotHoldRequest(
        hold_id=HoldId.new(),
        resource=resource.id,
        slot=Slot.starting(_at(hour), minutes=60),
        places=places,
        owner=Identifier.new(),
        expires_at=clock.now().add(minutes=minutes),
    )


def _starts(slots: object) -> list[str]:
    return [f"{free.slot.start:%H:%M}" for free in slots]  # type: ignore[attr-defined]


def test_free_slots_leave_out_full_and_started_slots(spa: Appointments, clock: FrozenClock) -> None:
    yoga = _resource("Yoga", capacity=3)
    spa.save_resource(yoga)
    spa.hold_slot(_request(clock, yoga, 10, places=2))
    assert _starts(spa.free_slots(yoga.id, MONDAY)) == ["09:00", "10:00", "11:00"]
    assert _starts(spa.free_slots(yoga.id, MONDAY, party=2)) == ["09:00", "11:00"]
    clock.set(_at(9, 30))
    assert _starts(spa.free_slots(yoga.id, MONDAY)) == ["10:00", "11:00"]


def test_find_searches_from_now_on_and_explains_refusals(
    spa: Appointments, clock: FrozenClock
) -> None:
    mei, lin = _resource("Mei"), _resource("Lin")
    for resource in (mei, lin):
        spa.save_resource(resource)
    spa.hold_slot(_request(clock, lin, 11, minutes=240))
    clock.set(_at(10, 30))
    found = spa.find(ResourceQuery(window=Slot(_at(9), _at(12))), [mei.id, lin.id])
    assert [(b.resource.name, _starts(b.slots)) for b in found.bookable] == [("Mei", ["11:00"])]
    ((refused, reasons),) = [(r.resource.name, r.reasons) for r in found.refusals]
    assert refused == "Lin"
    assert any("full" in reason for reason in reasons)


def test_a_window_that_is_over_is_refused(spa: Appointments, clock: FrozenClock) -> None:
    mei = _resource("Mei")
    spa.save_resource(mei)
    clock.set(_at(13))
    with pytest.raises(InvalidResourceSearchError):
        spa.find(ResourceQuery(window=Slot(_at(9), _at(12))), [mei.id])


def test_unknown_resources_are_refused(spa: Appointments) -> None:
    with pytest.raises(ResourceNotFoundError):
        spa.free_slots(ResourceId.new(), MONDAY)
    with pytest.raises(ResourceNotFoundError):
        spa.find(ResourceQuery(window=Slot(_at(9), _at(12))), [ResourceId.new()])


def test_the_hold_lifecycle_passes_through_to_the_store(
    spa: Appointments, clock: FrozenClock
) -> None:
    mei = _resource("Mei")
    spa.save_resource(mei)
    paid = spa.hold_slot(_request(clock, mei, 9))
    assert spa.confirm(paid.id).status is HoldStatus.CONFIRMED
    with pytest.raises(SlotFullError):
        spa.hold_slot(_request(clock, mei, 9))
    lapsing = spa.hold_slot(_request(clock, mei, 10))
    extended = spa.extend(lapsing.id, clock.now().add(minutes=30))
    assert extended.expires_at == clock.now().add(minutes=30)
    clock.advance(minutes=31)
    assert [hold.id for hold in spa.expire_due()] == [lapsing.id]
    assert spa.release(paid.id).status is HoldStatus.RELEASED
    assert _starts(spa.free_slots(mei.id, MONDAY)) == ["09:00", "10:00", "11:00"]
