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

import heapq
import threading
from collections.abc import Mapping

import attrs
import pendulum

from staycore.availability.appointments import (
    ResourceNotFoundError,
    SlotHold,
    SlotHoldRequest,
    check_slot,
)
from staycore.availability.holds import (
    DuplicateHoldError,
    HoldAction,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
    next_status,
)
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.schedule import Resource
from staycore.kernel.time import Clock, Slot, as_instant

__all__ = ["MemoryAppointmentStore"]


def _utc(instant: pendulum.DateTime) -> pendulum.DateTime:
    """The instant in UTC: two instants in one zone compare wall clocks and ignore ``fold``."""
    return instant.in_tz("UTC")


class MemoryAppointmentStore:
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
        self._holds: dict[HoldId, SlotHold] = {}
        # The holds that take places (held or confirmed), per resource: what ``taken``
        # and ``reserve`` look at, without walking released and expired history.
        self._live: dict[ResourceId, dict[HoldId, SlotHold]] = {}
        # Held holds by expiry, so expiring looks only at the holds that are due. An
        # entry goes stale when its hold is extended, confirmed or released; stale
        # entries are skipped when they come up.
        self._expiries: list[tuple[pendulum.DateTime, HoldId]] = []

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
            self._expire_due(self._now())
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
            existing = self._holds.get(request.hold_id)
            if existing is not None:
                if existing.matches(request):
                    return existing
                msg = (
                    f"hold id {request.hold_id} already holds {existing.places} place(s) "
                    f"of {existing.resource} at {existing.slot.start.isoformat()}; "
                    "give a new request a new hold id"
                )
                raise DuplicateHoldError(msg)
            self._expire_due(self._now())
            resource = self._resource(request.resource)
            taken = self._taken(resource.id, request.slot)
            offered = check_slot(resource, request.slot, taken=taken, places=request.places)
            # Keep the slot as the resource offers it, shown in the resource's timezone.
            hold = attrs.evolve(request.to_hold(), slot=offered.slot)
            self._store(hold)
            heapq.heappush(self._expiries, (_utc(hold.expires_at), hold.id))
            return hold

    def hold(self, hold_id: HoldId) -> SlotHold:
        """Return the hold with ``hold_id``.

        Raises:
            HoldNotFoundError: No such hold.
        """
        with self._lock:
            return self._find(hold_id)

    def confirm(self, hold_id: HoldId) -> SlotHold:
        """Turn a held hold into sold places; confirming again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold expired or was released: reserve again.
        """
        with self._lock:
            hold = self._lapse_if_due(self._find(hold_id), self._now())
            return self._change(hold, HoldAction.CONFIRM)

    def release(self, hold_id: HoldId) -> SlotHold:
        """Free a hold's places, held or sold; releasing again does nothing.

        Raises:
            HoldNotFoundError: No such hold.
        """
        with self._lock:
            return self._change(self._find(hold_id), HoldAction.RELEASE)

    def extend(self, hold_id: HoldId, until: pendulum.DateTime) -> SlotHold:
        """Move a live hold's expiry to ``until``, which must be in the future.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold is not ``held``, or its expiry has passed (its
                places may have gone to someone else), or ``until`` has passed.
        """
        new_expiry = as_instant(until, what="new hold expiry")
        with self._lock:
            now = self._now()
            hold = self._lapse_if_due(self._find(hold_id), now)
            next_status(hold.status, HoldAction.EXTEND)  # refuses a hold that is not live
            if _utc(new_expiry) <= _utc(now):
                msg = (
                    f"cannot extend hold {hold_id} to {new_expiry.isoformat()}: that has "
                    "passed; give an expiry in the future"
                )
                raise HoldNotActiveError(msg)
            extended = attrs.evolve(hold, expires_at=new_expiry)
            self._store(extended)
            heapq.heappush(self._expiries, (_utc(new_expiry), hold_id))
            return extended

    def expire_due(self) -> tuple[SlotHold, ...]:
        """Expire every held hold whose expiry has passed; return the holds expired now.

        Example:
            Continuing the module example above:

            >>> _ = clock.advance(minutes=15)
            >>> [hold.status.value for hold in store.expire_due()]
            ['expired']
            >>> store.expire_due()
            ()
        """
        with self._lock:
            return self._expire_due(self._now())

    # -- internals (called with the lock held) --------------------------------------

    def _now(self) -> pendulum.DateTime:
        return as_instant(self._clock.now(), what="clock time")

    def _resource(self, resource_id: ResourceId) -> Resource:
        resource = self._resources.get(resource_id)
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

    def _find(self, hold_id: HoldId) -> SlotHold:
        hold = self._holds.get(hold_id)
        if hold is None:
            msg = f"no hold {hold_id!r}: it was never reserved in this store"
            raise HoldNotFoundError(msg)
        return hold

    def _store(self, hold: SlotHold) -> None:
        """Record ``hold`` and keep the index of live holds in step with its status."""
        self._holds[hold.id] = hold
        live = self._live.setdefault(hold.resource, {})
        if hold.status.takes_inventory:
            live[hold.id] = hold
        else:
            live.pop(hold.id, None)

    def _change(self, hold: SlotHold, action: HoldAction) -> SlotHold:
        status = next_status(hold.status, action)
        if status is hold.status:
            return hold
        changed = attrs.evolve(hold, status=status)
        self._store(changed)
        return changed

    def _lapse_if_due(self, hold: SlotHold, now: pendulum.DateTime) -> SlotHold:
        """Expire ``hold`` if it is held past its expiry, whether or not a sweep ran."""
        if hold.status is HoldStatus.HELD and _utc(hold.expires_at) <= _utc(now):
            return self._change(hold, HoldAction.EXPIRE)
        return hold

    def _expire_due(self, now: pendulum.DateTime) -> tuple[SlotHold, ...]:
        expired = []
        due = _utc(now)
        while self._expiries and self._expiries[0][0] <= due:
            expiry, hold_id = heapq.heappop(self._expiries)
            hold = self._holds[hold_id]
            if hold.status is HoldStatus.HELD and _utc(hold.expires_at) == expiry:
                expired.append(self._change(hold, HoldAction.EXPIRE))
        return tuple(expired)

    def __repr__(self) -> str:
        with self._lock:
            resources, holds = len(self._resources), len(self._holds)
        return f"MemoryAppointmentStore(resources={resources}, holds={holds})"
