"""Appointment use cases: free slots, which resources can take a party, and holds on slots.

:class:`Appointments` puts the pure rules of :mod:`staycore.availability.appointments`
and :mod:`staycore.availability.resource_search` over an
:class:`~staycore.ports.appointments.AppointmentStore` and a clock: it reads what is
taken from the store, leaves out slots that have already started, and lets the store
take places atomically.

Example:
    >>> from datetime import date
    >>> import pendulum
    >>> from staycore.adapters.memory import MemoryAppointmentStore
    >>> from staycore.app.appointments import Appointments
    >>> from staycore.availability.appointments import SlotHoldRequest
    >>> from staycore.availability.ids import HoldId, ResourceId
    >>> from staycore.availability.resource_search import ResourceQuery
    >>> from staycore.availability.schedule import Resource, WorkingHours
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Slot
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-04T01:00:00Z")  # 09:00 in Taipei
    >>> spa = Appointments(MemoryAppointmentStore(clock), clock)
    >>> mei = Resource(id=ResourceId.new(), name="Mei (massage)", timezone="Asia/Taipei",
    ...                hours=WorkingHours.weekly({"mon-fri": "09:00-12:00"}), slot_minutes=60)
    >>> spa.save_resource(mei)
    >>> [f"{free.slot.start:%H:%M}" for free in spa.free_slots(mei.id, date(2026, 5, 4))]
    ['09:00', '10:00', '11:00']
    >>> ten = spa.free_slots(mei.id, date(2026, 5, 4))[1].slot
    >>> _ = spa.hold_slot(SlotHoldRequest(hold_id=HoldId.new(), resource=mei.id, slot=ten,
    ...                                   owner=Identifier.new(),
    ...                                   expires_at=clock.now().add(minutes=15)))
    >>> morning = Slot(pendulum.datetime(2026, 5, 4, 9, 30, tz="Asia/Taipei"),
    ...                pendulum.datetime(2026, 5, 4, 12, tz="Asia/Taipei"))
    >>> found = spa.find(ResourceQuery(window=morning), [mei.id])
    >>> [f"{free.slot.start:%H:%M}" for free in found.bookable[0].slots]
    ['11:00']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pendulum

from staycore.app.arguments import expect, expect_each
from staycore.availability.appointments import FreeSlot, SlotHold, SlotHoldRequest, free_slots
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.resource_search import (
    InvalidResourceSearchError,
    ResourceQuery,
    ResourceSearchResult,
    search_resources,
)
from staycore.availability.schedule import Resource
from staycore.kernel.time import Clock, Slot
from staycore.ports.appointments import AppointmentStore

__all__ = ["Appointments"]


class Appointments:
    """The use cases of appointments, over an appointment store.

    Args:
        store: Where resources and holds on their slots are kept.
        clock: Tells which slots have already started (they are not offered).
    """

    def __init__(self, store: AppointmentStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def save_resource(self, resource: Resource) -> None:
        """Store a resource, or replace it (new hours, a sick day); booked places stay.

        Raises:
            InvalidArgumentError: ``resource`` is not a
                :class:`~staycore.availability.schedule.Resource`.
        """
        resource = expect(
            resource,
            Resource,
            name="Appointments.save_resource: resource",
            example="Resource(id=ResourceId.new(), name='Yoga studio', timezone=..., hours=...)",
        )
        self._store.save_resource(resource)

    def free_slots(
        self,
        resource_id: ResourceId,
        first_day: dt.date,
        last_day: dt.date | None = None,
        *,
        party: int = 1,
    ) -> tuple[FreeSlot, ...]:
        """The slots of a resource's days that have room for ``party`` and have not started.

        Raises:
            ResourceNotFoundError: No such resource.
            InvalidDayRangeError: ``last_day`` is before ``first_day``.
        """
        resource = self._store.resource(resource_id)
        taken = self._store.taken(resource_id, resource.window(first_day, last_day))
        return free_slots(
            resource, first_day, last_day, taken=taken, places=party, not_before=self._now()
        )

    def find(self, query: ResourceQuery, resources: Sequence[ResourceId]) -> ResourceSearchResult:
        """Which of ``resources`` can take the query's party in its window, and why not.

        Slots that have started are not offered: a window reaching into the past is
        searched from now on.

        Raises:
            ResourceNotFoundError: A resource was never saved.
            InvalidResourceSearchError: The window is over.
            InvalidArgumentError: ``query`` is not a
                :class:`~staycore.availability.resource_search.ResourceQuery`, or
                ``resources`` not a collection of resource ids.
        """
        query = expect(
            query,
            ResourceQuery,
            name="Appointments.find: query",
            example="ResourceQuery(window=Slot(start, end), party=2)",
        )
        resources = expect_each(
            resources, ResourceId, name="Appointments.find: resources", example="[resource.id]"
        )
        now = self._now()
        window = query.window
        if window.end <= now:
            msg = f"the window {window} is over; search from now on"
            raise InvalidResourceSearchError(msg)
        if window.start < now:
            window = Slot(now, window.end)
        saved = [self._store.resource(resource_id) for resource_id in resources]
        taken = {resource.id: self._store.taken(resource.id, window) for resource in saved}
        return search_resources(
            saved,
            ResourceQuery(window=window, party=query.party, resources=query.resources),
            taken=taken,
        )

    def hold_slot(self, request: SlotHoldRequest) -> SlotHold:
        """Take the request's places in its slot, atomically, or take nothing.

        Raises:
            SlotNotOfferedError: The resource does not offer the slot.
            SlotFullError: Fewer places are left than requested.
            InvalidArgumentError: ``request`` is not a
                :class:`~staycore.availability.appointments.SlotHoldRequest`.
        """
        request = expect(
            request,
            SlotHoldRequest,
            name="Appointments.hold_slot: request",
            example="SlotHoldRequest(hold_id=HoldId.new(), resource=..., slot=..., owner=..., "
            "expires_at=...)",
        )
        return self._store.reserve(request)

    def confirm(self, hold_id: HoldId) -> SlotHold:
        """Turn held places into sold; again does nothing."""
        return self._store.confirm(hold_id)

    def release(self, hold_id: HoldId) -> SlotHold:
        """Free a hold's places, held or sold; again does nothing."""
        return self._store.release(hold_id)

    def extend(self, hold_id: HoldId, until: pendulum.DateTime) -> SlotHold:
        """Give a live hold more time to be paid."""
        return self._store.extend(hold_id, until)

    def expire_due(self) -> tuple[SlotHold, ...]:
        """Expire every hold past its expiry and free its places; return those expired."""
        return self._store.expire_due()

    def _now(self) -> pendulum.DateTime:
        return self._clock.now()
