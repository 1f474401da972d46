"""The contract suite of the appointment store port (:mod:`staycore.ports.appointments`).

Subclass :class:`AppointmentStoreContract` and override ``appointment_store`` to build
your adapter on the ``clock`` the suite provides; every test saves a fresh resource, so
the suite runs against an empty store or a shared database alike.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryAppointmentStore
    >>> from staycore.testing.clock import FrozenClock
    >>> from staycore.testing.contracts import AppointmentStoreContract
    >>> class TestMemoryAppointmentStore(AppointmentStoreContract):
    ...     @pytest.fixture
    ...     def appointment_store(self, clock: FrozenClock) -> MemoryAppointmentStore:
    ...         return MemoryAppointmentStore(clock)
    >>> "test_racing_for_the_last_places_only_that_many_win" in dir(TestMemoryAppointmentStore)
    True
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import ClassVar

import attrs
import pendulum
import pytest

from staycore.availability.appointments import (
    MisalignedSlotError,
    OutsideWorkingHoursError,
    ResourceNotFoundError,
    SlotFullError,
    SlotHoldRequest,
)
from staycore.availability.holds import (
    DuplicateHoldError,
    HoldNotActiveError,
    HoldNotFoundError,
    HoldStatus,
)
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.schedule import Resource, ScheduleException, WorkingHours
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Slot
from staycore.ports.appointments import AppointmentStore
from staycore.testing.clock import FrozenClock

__all__ = ["AppointmentStoreContract"]

_MONDAY = date(2026, 6, 15)
_SUNDAY = date(2026, 6, 14)
# The first 01:30 of the night Europe/London falls back (01:30 BST), and the second.
_FIRST_ONE_THIRTY = pendulum.datetime(2026, 10, 25, 0, 30, tz="UTC").in_tz("Europe/London")
_SECOND_ONE_THIRTY = _FIRST_ONE_THIRTY.add(hours=1)
_RACE_TIMEOUT = 30.0  # seconds; only reached when an adapter deadlocks


class AppointmentStoreContract:
    """The rules of :class:`~staycore.ports.appointments.AppointmentStore`, as tests.

    Override :meth:`appointment_store`. ``racers`` and ``places_left`` size the race test.

    The resource the tests book works Monday to Friday, 09:00-12:00 and 13:00-17:00 in
    Europe/Paris, with 60-minute slots and a 15-minute buffer: on a weekday its slots
    start at 09:00, 10:15, 13:00, 14:15 and 15:30.

    Example:
        >>> from staycore.testing.contracts import AppointmentStoreContract
        >>> "test_an_expired_hold_frees_its_places" in dir(AppointmentStoreContract)
        True
    """

    racers: ClassVar[int] = 8
    """How many threads race for the last places of one slot."""

    places_left: ClassVar[int] = 3
    """How many places are left in the slot they race for."""

    @pytest.fixture
    def clock(self) -> FrozenClock:
        """The clock the store must read for expiry; tests move it."""
        return FrozenClock("2026-06-01T09:00:00Z")

    @pytest.fixture
    def appointment_store(self, clock: FrozenClock) -> AppointmentStore:
        """Build the adapter under test on ``clock``; override this."""
        raise NotImplementedError("override the appointment_store fixture to build your adapter")

    @staticmethod
    def saved_resource(store: AppointmentStore, capacity: int = 1) -> Resource:
        """Save and return a fresh resource (see the class docstring) of ``capacity``."""
        resource = Resource(
            id=ResourceId.new(),
            name="Contract therapist",
            timezone="Europe/Paris",
            hours=WorkingHours.weekly({"mon-fri": "09:00-12:00, 13:00-17:00"}),
            slot_minutes=60,
            buffer_minutes=15,
            capacity=capacity,
        )
        store.save_resource(resource)
        return resource

    @staticmethod
    def request(
        clock: FrozenClock, resource: Resource, slot: Slot, places: int = 1, minutes: int = 15
    ) -> SlotHoldRequest:
        """A request for ``places`` in ``slot`` of ``resource``, expiring in ``minutes``."""
        return SlotHoldRequest(
            hold_id=HoldId.new(),
            resource=resource.id,
            slot=slot,
            places=places,
            owner=Identifier.new(),
            expires_at=clock.now().add(minutes=minutes),
        )

    @staticmethod
    def taken_on(
        store: AppointmentStore, resource: Resource, day: date = _MONDAY
    ) -> dict[Slot, int]:
        """The places taken in the resource's slots on ``day``, as a plain dict."""
        return dict(store.taken(resource.id, resource.window(day)))

    # -- resources -------------------------------------------------------------------

    def test_a_saved_resource_is_read_back_and_replaced(
        self, appointment_store: AppointmentStore
    ) -> None:
        """A saved resource is what ``resource`` returns; saving it again replaces it."""
        resource = self.saved_resource(appointment_store)
        assert appointment_store.resource(resource.id) == resource
        sick = resource.with_exception(ScheduleException(day=_MONDAY, note="sick day"))
        appointment_store.save_resource(sick)
        assert appointment_store.resource(resource.id) == sick

    def test_an_unknown_resource_is_not_found(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Reading, listing or booking a resource never saved raises ResourceNotFoundError."""
        ghost = attrs.evolve(self.saved_resource(appointment_store), id=ResourceId.new())
        slot = ghost.slots_on(_MONDAY)[0]
        operations: list[Callable[[], object]] = [
            lambda: appointment_store.resource(ghost.id),
            lambda: appointment_store.taken(ghost.id, ghost.window(_MONDAY)),
            lambda: appointment_store.reserve(self.request(clock, ghost, slot)),
        ]
        for operation in operations:
            with pytest.raises(ResourceNotFoundError) as refused:
                operation()
            assert refused.value.code == "availability.resource_not_found"

    def test_saving_a_resource_again_keeps_its_holds(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """New hours or a closed day leave booked appointments standing."""
        resource = self.saved_resource(appointment_store)
        slot = resource.slots_on(_MONDAY)[0]
        hold = appointment_store.reserve(self.request(clock, resource, slot))
        closed = resource.with_exception(ScheduleException(day=_MONDAY, note="training"))
        appointment_store.save_resource(closed)
        assert appointment_store.hold(hold.id).status is HoldStatus.HELD
        assert self.taken_on(appointment_store, closed) == {slot: 1}

    # -- reserving -------------------------------------------------------------------

    def test_reserving_takes_places_in_that_slot_only(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A hold takes its places in its slot; other slots and days stay free."""
        resource = self.saved_resource(appointment_store, capacity=6)
        slot = resource.slots_on(_MONDAY)[1]
        hold = appointment_store.reserve(self.request(clock, resource, slot, places=2))
        assert (hold.status, hold.slot, hold.places, hold.resource) == (
            HoldStatus.HELD,
            slot,
            2,
            resource.id,
        )
        assert appointment_store.hold(hold.id) == hold
        assert self.taken_on(appointment_store, resource) == {slot: 2}
        assert self.taken_on(appointment_store, resource, date(2026, 6, 16)) == {}

    def test_the_slot_may_be_given_in_any_timezone(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A slot names two instants: the same slot written in UTC is the same slot."""
        resource = self.saved_resource(appointment_store)
        slot = resource.slots_on(_MONDAY)[0]
        in_utc = Slot(slot.start.in_tz("UTC"), slot.end.in_tz("UTC"))
        hold = appointment_store.reserve(self.request(clock, resource, in_utc))
        assert hold.slot == slot
        assert self.taken_on(appointment_store, resource) == {slot: 1}

    def test_capacity_per_slot_is_respected_and_a_refusal_takes_nothing(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Places beyond capacity are refused with how many remain; nothing is taken."""
        resource = self.saved_resource(appointment_store, capacity=6)
        slot = resource.slots_on(_MONDAY)[0]
        appointment_store.reserve(self.request(clock, resource, slot, places=4))
        with pytest.raises(SlotFullError) as refused:
            appointment_store.reserve(self.request(clock, resource, slot, places=3))
        assert (refused.value.code, refused.value.remaining) == ("availability.slot_full", 2)
        assert self.taken_on(appointment_store, resource) == {slot: 4}
        appointment_store.reserve(self.request(clock, resource, slot, places=2))
        with pytest.raises(SlotFullError) as full:
            appointment_store.reserve(self.request(clock, resource, slot))
        assert full.value.remaining == 0
        assert self.taken_on(appointment_store, resource) == {slot: 6}

    def test_a_slot_the_resource_does_not_offer_is_refused_and_takes_nothing(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Off the grid, outside the hours or on a day off: refused, naming nearby slots."""
        resource = self.saved_resource(appointment_store)
        nine, quarter_past_ten = resource.slots_on(_MONDAY)[:2]
        at_ten = Slot.starting(nine.start.add(hours=1), minutes=60)
        with pytest.raises(MisalignedSlotError) as misaligned:
            appointment_store.reserve(self.request(clock, resource, at_ten))
        assert misaligned.value.code == "availability.slot_not_aligned"
        assert misaligned.value.nearest == (nine, quarter_past_ten)
        at_eight = Slot.starting(nine.start.subtract(hours=1), minutes=60)
        on_sunday = Slot.starting(nine.start.subtract(days=1), minutes=60)
        for outside in (at_eight, on_sunday):
            with pytest.raises(OutsideWorkingHoursError) as refused:
                appointment_store.reserve(self.request(clock, resource, outside))
            assert refused.value.code == "availability.outside_working_hours"
            assert nine in refused.value.nearest
        assert self.taken_on(appointment_store, resource) == {}
        assert self.taken_on(appointment_store, resource, _SUNDAY) == {}

    def test_a_closed_day_refuses_its_slots(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """After a sick day is saved, that day's slots are refused; other days are not."""
        resource = self.saved_resource(appointment_store)
        sick = resource.with_exception(ScheduleException(day=_MONDAY, note="sick day"))
        appointment_store.save_resource(sick)
        slot = resource.slots_on(_MONDAY)[0]
        with pytest.raises(OutsideWorkingHoursError) as refused:
            appointment_store.reserve(self.request(clock, resource, slot))
        assert "sick day" in refused.value.message
        tuesday = resource.slots_on(date(2026, 6, 16))[0]
        assert appointment_store.reserve(self.request(clock, resource, tuesday)).places == 1

    def test_a_single_place_resource_is_never_booked_twice_at_once(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """After the slots change, a new slot overlapping a booked one is refused."""
        resource = self.saved_resource(appointment_store)
        nine = resource.slots_on(_MONDAY)[0]
        appointment_store.reserve(self.request(clock, resource, nine))
        shorter = attrs.evolve(resource, slot_minutes=45, buffer_minutes=0)
        appointment_store.save_resource(shorter)
        new_nine, quarter_to_ten, half_past_ten = shorter.slots_on(_MONDAY)[:3]
        for overlapping in (new_nine, quarter_to_ten):
            with pytest.raises(SlotFullError):
                appointment_store.reserve(self.request(clock, shorter, overlapping))
        appointment_store.reserve(self.request(clock, shorter, half_past_ten))
        assert self.taken_on(appointment_store, shorter) == {nine: 1, half_past_ten: 1}

    def test_a_retried_request_gets_its_hold_back(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """The same hold id and request returns the same hold and takes nothing more."""
        resource = self.saved_resource(appointment_store, capacity=6)
        request = self.request(clock, resource, resource.slots_on(_MONDAY)[0], places=2)
        first = appointment_store.reserve(request)
        assert appointment_store.reserve(request) == first
        assert self.taken_on(appointment_store, resource) == {request.slot: 2}

    def test_a_hold_id_reused_for_another_request_is_refused(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A different request under a used hold id is an error, and takes nothing."""
        resource = self.saved_resource(appointment_store, capacity=6)
        first, second = resource.slots_on(_MONDAY)[:2]
        request = self.request(clock, resource, first)
        appointment_store.reserve(request)
        with pytest.raises(DuplicateHoldError):
            appointment_store.reserve(attrs.evolve(request, slot=second))
        assert self.taken_on(appointment_store, resource) == {first: 1}

    # -- the hold lifecycle ------------------------------------------------------------

    def test_confirming_turns_held_into_sold_once(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A confirmed hold keeps its places, past its expiry; a second confirm does nothing."""
        resource = self.saved_resource(appointment_store)
        slot = resource.slots_on(_MONDAY)[0]
        hold = appointment_store.reserve(self.request(clock, resource, slot))
        for _ in range(2):
            assert appointment_store.confirm(hold.id).status is HoldStatus.CONFIRMED
        clock.advance(hours=1)
        assert appointment_store.expire_due() == ()
        assert appointment_store.hold(hold.id).status is HoldStatus.CONFIRMED
        assert self.taken_on(appointment_store, resource) == {slot: 1}

    def test_releasing_frees_held_or_sold_places_once(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Release frees the places whether held or sold; a second release does nothing."""
        resource = self.saved_resource(appointment_store, capacity=2)
        slot = resource.slots_on(_MONDAY)[0]
        held = appointment_store.reserve(self.request(clock, resource, slot))
        sold = appointment_store.reserve(self.request(clock, resource, slot))
        appointment_store.confirm(sold.id)
        for _ in range(2):
            assert appointment_store.release(held.id).status is HoldStatus.RELEASED
            assert appointment_store.release(sold.id).status is HoldStatus.RELEASED
        assert self.taken_on(appointment_store, resource) == {}
        appointment_store.reserve(self.request(clock, resource, slot, places=2))

    def test_an_expired_hold_frees_its_places(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """At its expiry an unpaid hold is expired (once) and its places come back."""
        resource = self.saved_resource(appointment_store, capacity=3)
        slot = resource.slots_on(_MONDAY)[0]
        hold = appointment_store.reserve(self.request(clock, resource, slot, places=3))
        clock.advance(minutes=14, seconds=59)
        assert appointment_store.expire_due() == ()
        assert self.taken_on(appointment_store, resource) == {slot: 3}
        clock.advance(seconds=1)
        assert [expired.id for expired in appointment_store.expire_due()] == [hold.id]
        assert appointment_store.expire_due() == ()
        assert appointment_store.hold(hold.id).status is HoldStatus.EXPIRED
        assert appointment_store.release(hold.id).status is HoldStatus.EXPIRED
        assert self.taken_on(appointment_store, resource) == {}

    def test_a_lapsed_hold_never_keeps_a_place_from_a_new_client(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Listing and reserving ignore holds past their expiry, even if no sweep ran."""
        resource = self.saved_resource(appointment_store)
        slot = resource.slots_on(_MONDAY)[0]
        appointment_store.reserve(self.request(clock, resource, slot))
        clock.advance(minutes=20)
        assert self.taken_on(appointment_store, resource) == {}
        assert appointment_store.reserve(self.request(clock, resource, slot)).places == 1

    def test_an_expired_hold_cannot_be_confirmed(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Payment after expiry is refused, even before a sweep: the order must reserve again."""
        resource = self.saved_resource(appointment_store)
        slot = resource.slots_on(_MONDAY)[0]
        hold = appointment_store.reserve(self.request(clock, resource, slot))
        clock.advance(minutes=30)
        with pytest.raises(HoldNotActiveError) as refused:
            appointment_store.confirm(hold.id)
        assert refused.value.code == "availability.hold_not_active"
        assert appointment_store.hold(hold.id).status is HoldStatus.EXPIRED
        assert self.taken_on(appointment_store, resource) == {}

    def test_extending_needs_a_live_hold(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A live hold can be extended; a lapsed, released or confirmed one cannot."""
        resource = self.saved_resource(appointment_store, capacity=6)
        slot = resource.slots_on(_MONDAY)[0]
        hold = appointment_store.reserve(self.request(clock, resource, slot, minutes=15))
        clock.advance(minutes=10)
        extended = appointment_store.extend(hold.id, clock.now().add(minutes=30))
        assert extended.expires_at == clock.now().add(minutes=30)
        assert appointment_store.hold(hold.id) == extended
        clock.advance(minutes=20)  # past the first expiry, not the new one
        assert appointment_store.expire_due() == ()
        clock.advance(minutes=10)
        with pytest.raises(HoldNotActiveError):
            appointment_store.extend(hold.id, clock.now().add(minutes=30))
        assert self.taken_on(appointment_store, resource) == {}
        released = appointment_store.reserve(self.request(clock, resource, slot))
        appointment_store.release(released.id)
        confirmed = appointment_store.reserve(self.request(clock, resource, slot))
        appointment_store.confirm(confirmed.id)
        for finished in (released, confirmed):
            with pytest.raises(HoldNotActiveError):
                appointment_store.extend(finished.id, clock.now().add(minutes=30))

    def test_extending_into_the_past_is_refused_and_changes_nothing(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A new expiry that has already passed is refused; the hold keeps its own."""
        resource = self.saved_resource(appointment_store)
        slot = resource.slots_on(_MONDAY)[0]
        hold = appointment_store.reserve(self.request(clock, resource, slot))
        with pytest.raises(HoldNotActiveError):
            appointment_store.extend(hold.id, clock.now())
        assert appointment_store.hold(hold.id) == hold

    def test_a_hold_extended_into_the_repeated_hour_lasts_until_its_new_expiry(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """A hold extended from the first 01:30 of a fall-back night to the second keeps.

        Europe/London falls back on 25 October 2026: 01:30 comes in summer time (00:30
        UTC), then again in winter time (01:30 UTC). On the wall clock the two look the
        same, so the hold's first expiry must not be taken for its new one.
        """
        resource = self.saved_resource(appointment_store)
        monday = date(2026, 10, 26)
        slot = resource.slots_on(monday)[0]
        clock.set(_FIRST_ONE_THIRTY.subtract(minutes=30))
        request = attrs.evolve(self.request(clock, resource, slot), expires_at=_FIRST_ONE_THIRTY)
        hold = appointment_store.reserve(request)
        extended = appointment_store.extend(hold.id, _SECOND_ONE_THIRTY)
        assert extended.expires_at.in_tz("UTC") == _SECOND_ONE_THIRTY.in_tz("UTC")
        clock.set(_FIRST_ONE_THIRTY)
        assert appointment_store.expire_due() == ()
        assert appointment_store.hold(hold.id).status is HoldStatus.HELD
        assert self.taken_on(appointment_store, resource, monday) == {slot: 1}
        clock.set(_SECOND_ONE_THIRTY)
        assert [h.id for h in appointment_store.expire_due()] == [hold.id]
        assert self.taken_on(appointment_store, resource, monday) == {}

    def test_an_unknown_hold_is_not_found(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """Every hold operation on an unknown id raises HoldNotFoundError."""
        unknown = HoldId.new()
        operations: list[Callable[[], object]] = [
            lambda: appointment_store.hold(unknown),
            lambda: appointment_store.confirm(unknown),
            lambda: appointment_store.release(unknown),
            lambda: appointment_store.extend(unknown, clock.now().add(minutes=5)),
        ]
        for operation in operations:
            with pytest.raises(HoldNotFoundError):
                operation()

    # -- concurrency -----------------------------------------------------------------

    def test_racing_for_the_last_places_only_that_many_win(
        self, appointment_store: AppointmentStore, clock: FrozenClock
    ) -> None:
        """``racers`` threads race for the last ``places_left`` places: that many win."""
        resource = self.saved_resource(appointment_store, capacity=self.places_left + 3)
        slot = resource.slots_on(_MONDAY)[2]
        appointment_store.reserve(self.request(clock, resource, slot, places=3))
        requests = [self.request(clock, resource, slot) for _ in range(self.racers)]
        start = threading.Barrier(self.racers, timeout=_RACE_TIMEOUT)

        def race(request: SlotHoldRequest) -> bool:
            start.wait()
            try:
                appointment_store.reserve(request)
            except SlotFullError:
                return False
            return True

        with ThreadPoolExecutor(max_workers=self.racers) as pool:
            won = list(pool.map(race, requests, timeout=_RACE_TIMEOUT))
        assert sum(won) == self.places_left, f"{sum(won)} of {self.racers} racers got a place"
        assert self.taken_on(appointment_store, resource) == {slot: resource.capacity}
        winners = [request for request, got in zip(requests, won, strict=True) if got]
        for request in winners:
            assert appointment_store.hold(request.hold_id).status is HoldStatus.HELD
