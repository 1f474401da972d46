"""The memory adapter's appointment store.

One lock guards every resource and hold, so each operation is atomic: a reservation
checks the slot and takes its places while no other thread can change them. That is the
memory adapter's whole concurrency story; the SQL adapters get the same guarantee from
the database (a row lock on the resource, or a conditional insert), never from a lock in
the process.

Example:
    >>> from datetime import date
    >>> from staycore.adapters.memory import MemoryAppointmentStore
    >>> from staycore.availability.appointments import SlotHoldRequest, free_slots
    >>> from staycore.availability.ids import HoldId, ResourceId
    >>> from staycore.availability.schedule import Resource, WorkingHours
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-01T09:00:00Z")
    >>> store = MemoryAppointmentStore(clock)
    >>> chair = Resource(
    ...     id=ResourceId.new(),
    ...     name="Chair 1",
    ...     timezone="Asia/Taipei",
    ...     hours=WorkingHours.weekly({"mon-sat": "10:00-13:00"}),
    ...     slot_minutes=45,
    ...     buffer_minutes=15,
    ... )
    >>> store.save_resource(chair)
    >>> monday = chair.slots_on(date(2026, 5, 4))
    >>> def request(slot):
    ...     return SlotHoldRequest(
    ...         hold_id=HoldId.new(), resource=chair.id, slot=slot,
    ...         owner=Identifier.new(), expires_at=clock.now().add(minutes=15),
    ...     )
    >>> first = store.reserve(request(monday[0]))
    >>> store.reserve(request(monday[0]))
    Traceback (most recent call last):
    ...
    staycore.availability.appointments.SlotFullError: [availability.slot_full] ...
    >>> taken = store.taken(chair.id, chair.window(date(2026, 5, 4)))
    >>> [f"{free.slot.start:%H:%M}" for free in free_slots(chair, date(2026, 5, 4), taken=taken)]
    ['11:00', '12:00']
    >>> _ = clock.advance(minutes=16)  # the first client never paid
    >>> store.reserve(request(monday[0])).status.value
    'held'
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import attrs

from staycore.adapters.memory.hold_book import HoldBook, HoldKeeping
from staycore.availability.appointments import (
    ResourceNotFoundError,
    SlotHold,
    SlotHoldRequest,
    check_slot,
)
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.schedule import Resource
from staycore.kernel.time import Clock, Slot

__all__ = ["MemoryAppointmentStore"]


class MemoryAppointmentStore(HoldKeeping[SlotHold, SlotHoldRequest]):
    """An :class:`~staycore.ports.appointments.AppointmentStore` in memory, thread-safe.

    Args:
        clock: Tells when holds expire.

    Example:
        >>> from staycore.adapters.memory import MemoryAppointmentStore
        >>> from staycore.testing.clock import FrozenClock
        >>> MemoryAppointmentStore(FrozenClock("2026-05-01T09:00:00Z"))
        MemoryAppointmentStore(resources=0, holds=0)
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._resources: dict[ResourceId, Resource] = {}
        self._holds: HoldBook[SlotHold, SlotHoldRequest] = HoldBook(
            describe=lambda hold: (
                f"{hold.places} place(s) of {hold.resource} at {hold.slot.start.isoformat()}"
            ),
            keep_in_step=self._index,
        )
        # The holds that take places (held or confirmed), per resource: what ``taken``
        # and ``reserve`` look at, without walking released and expired history.
        self._live: dict[ResourceId, dict[HoldId, SlotHold]] = {}

    # -- resources -------------------------------------------------------------------

    def save_resource(self, resource: Resource) -> None:
        """Store ``resource``, or replace the stored one with the same id; holds stay.

        Example:
            Continuing the module example above:

            >>> store.resource(chair.id).name
            'Chair 1'
        """
        with self._lock:
            self._resources[resource.id] = resource
            self._live.setdefault(resource.id, {})

    def resource(self, resource_id: ResourceId) -> Resource:
        """Return the resource with ``resource_id``.

        Raises:
            ResourceNotFoundError: No such resource was saved.
        """
        with self._lock:
            return self._resource(resource_id)

    def taken(self, resource_id: ResourceId, during: Slot) -> Mapping[Slot, int]:
        """Return the places held or sold in slots that overlap ``during``.

        Raises:
            ResourceNotFoundError: No such resource was saved.
        """
        with self._lock:
            self._holds.expire_due(self._now())
            self._resource(resource_id)
            return self._taken(resource_id, during)

    # -- holds -----------------------------------------------------------------------

    def reserve(self, request: SlotHoldRequest) -> SlotHold:
        """Take the request's places in its slot, atomically, or take nothing.

        Raises:
            ResourceNotFoundError: No such resource was saved.
            SlotNotOfferedError: The resource does not offer the slot.
            SlotFullError: Fewer places are left than requested.
            DuplicateHoldError: The hold id was used for a different request.
        """
        with self._lock:
            retried = self._holds.retried(request)
            if retried is not None:
                return retried
            self._holds.expire_due(self._now())
            resource = self._resource(request.resource)
            taken = self._taken(resource.id, request.slot)
            offered = check_slot(resource, request.slot, taken=taken, places=request.places)
            # Keep the slot as the resource offers it, shown in the resource's timezone.
            return self._holds.add(attrs.evolve(request.to_hold(), slot=offered.slot))

    # -- internals (called with the lock held) --------------------------------------

    def _resource(self, resource_id: ResourceId) -> Resource:
        resource = self._resources.get(resource_id) if isinstance(resource_id, str) else None
        if resource is None:
            msg = f"no resource {resource_id!r} in this store; save_resource() it first"
            raise ResourceNotFoundError(msg)
        return resource

    def _taken(self, resource_id: ResourceId, during: Slot) -> dict[Slot, int]:
        taken: dict[Slot, int] = {}
        for hold in self._live.get(resource_id, {}).values():
            if hold.slot.overlaps(during):
                taken[hold.slot] = taken.get(hold.slot, 0) + hold.places
        return taken

    def _index(self, hold: SlotHold, was: HoldStatus | None) -> None:
        """Keep the index of live holds in step with the hold, whatever its status was."""
        live = self._live.setdefault(hold.resource, {})
        if hold.status.takes_inventory:
            live[hold.id] = hold
        else:
            live.pop(hold.id, None)

    def __repr__(self) -> str:
        with self._lock:
            resources, holds = len(self._resources), len(self._holds)
        return f"MemoryAppointmentStore(resources={resources}, holds={holds})"
