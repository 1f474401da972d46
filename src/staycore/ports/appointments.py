"""The appointment store port: resources, and places in their slots, taken atomically.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.AppointmentStoreContract`):

* :meth:`AppointmentStore.reserve` checks the request with
  :func:`~staycore.availability.appointments.check_slot` against what is taken *and*
  takes the places in one atomic step: two requests racing for the last place cannot
  both get it, on any adapter and across processes. A slot the resource does not offer
  is refused with :class:`~staycore.availability.appointments.SlotNotOfferedError`, a
  full one with :class:`~staycore.availability.appointments.SlotFullError`.
  Capacity counts clients at once: places in a slot that overlaps the one asked for
  (booked under an earlier schedule) count against it.
* Reserving again with the same hold id and the same request returns the existing hold
  (a retry after a lost connection); with a different request it is refused with
  :class:`~staycore.availability.stay_holds.DuplicateHoldError`.
* Confirming, releasing and expiring are idempotent (see
  :mod:`staycore.availability.holds`); an expired or released hold frees its places.
  A hold whose expiry has passed counts for nothing, even before :meth:`expire_due`
  runs: ``reserve`` and ``taken`` expire due holds first, and ``confirm`` refuses one.
* Extending works only for a hold that is still ``held`` and not past its expiry.
* Saving a resource again replaces it (new hours, a sick day) and keeps every hold:
  booked appointments stand, and still count against the new schedule's slots.
* Nothing is half-applied: an operation that raises changes nothing.

Example:
    >>> from staycore.adapters.memory import MemoryAppointmentStore
    >>> from staycore.ports.appointments import AppointmentStore
    >>> from staycore.testing.clock import FrozenClock
    >>> isinstance(MemoryAppointmentStore(FrozenClock("2026-05-01T09:00:00Z")), AppointmentStore)
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from staycore.availability.appointments import SlotHold, SlotHoldRequest
from staycore.availability.ids import ResourceId
from staycore.availability.schedule import Resource
from staycore.kernel.time import Slot
from staycore.ports.holds import HoldKeeper

__all__ = ["AppointmentStore"]


@runtime_checkable
class AppointmentStore(HoldKeeper[SlotHold], Protocol):
    """Resources with their schedules, and holds on places in their slots."""

    def save_resource(self, resource: Resource) -> None:
        """Store ``resource``, or replace the stored one with the same id; holds stay."""
        ...

    def resource(self, resource_id: ResourceId) -> Resource:
        """Return the resource with ``resource_id``.

        Raises:
            ResourceNotFoundError: No such resource was saved.
        """
        ...

    def taken(self, resource_id: ResourceId, during: Slot) -> Mapping[Slot, int]:
        """Return the places held or sold in the resource's slots that overlap ``during``.

        Holds past their expiry are not counted. Pass the result to
        :func:`~staycore.availability.appointments.free_slots` with
        ``during=resource.window(first_day, last_day)``.

        Raises:
            ResourceNotFoundError: No such resource was saved.
        """
        ...

    def reserve(self, request: SlotHoldRequest) -> SlotHold:
        """Take the request's places in its slot, atomically, or take nothing.

        Raises:
            ResourceNotFoundError: No such resource was saved.
            SlotNotOfferedError: The resource does not offer the slot.
            SlotFullError: Fewer places are left than requested.
            DuplicateHoldError: The hold id was used for a different request.
        """
        ...
