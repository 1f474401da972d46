"""An order's hold: its nights, its appointment slots and its add-on stock, all or nothing.

An order may take rooms of two unit types, a massage and three breakfast vouchers. Each
lives in its own store, and each store takes its part atomically; :class:`OrderHolds`
takes the parts one after the other and, when one is refused, gives back those already
taken before it re-raises, so the caller sees the whole order held or nothing held.
Confirming, releasing and extending act on every part the same way. A change to one
part (a night less, another date, one add-on cancelled) goes through
:meth:`OrderHolds.replace_stay` and :meth:`OrderHolds.release_parts`, which leave the
other parts as they are.

Every part carries the order as its owner and lapses at the same instant, so the stores'
expiry sweeps free an unpaid order's parts together. A part's store that cannot be
reached while parts are given back keeps that part only until its expiry.

Example:
    >>> from datetime import date
    >>> import attrs
    >>> from staycore.adapters.memory import (
    ...     MemoryAppointmentStore, MemoryInventoryStore, MemoryRestrictionStore, MemoryStockStore)
    >>> from staycore.app.availability import Availability
    >>> from staycore.app.order_holds import OrderHolds
    >>> from staycore.availability.ids import HoldId, PropertyId, UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.search import Listing
    >>> from staycore.availability.stay_holds import StayHoldRequest
    >>> from staycore.availability.stock import ItemId, OutOfStockError, StockItem, StockRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Stay
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-11-22T09:00:00Z")
    >>> season = Stay.parse("2026-12-01/2027-03-01")
    >>> nights = Availability(MemoryInventoryStore(clock), MemoryRestrictionStore(), horizon=season)
    >>> loft = Listing(PropertyId.new(), UnitTypeId.new(), "Loft", 2)
    >>> nights.open_unit_type(loft, season)
    >>> nights.set_capacity(loft.unit_type, NightSelection.of(season), 1)
    >>> stock = MemoryStockStore(clock)
    >>> breakfast = ItemId.new()
    >>> _ = stock.add_item(StockItem(id=breakfast, name="Breakfast voucher", on_hand=2))
    >>> holds = OrderHolds(nights, MemoryAppointmentStore(clock), stock)
    >>> order, hold_id = Identifier.new(), HoldId.new()
    >>> expiry = clock.now().add(minutes=15)
    >>> stay = StayHoldRequest(hold_id=hold_id, unit_type=loft.unit_type, owner=order,
    ...                        stay=Stay.parse("2026-12-24/2026-12-26"), expires_at=expiry)
    >>> holds.hold(stays=[stay], booked_on=date(2026, 11, 22),
    ...            stock=[StockRequest(hold_id=HoldId.new(), lines={breakfast: 4}, owner=order,
    ...                                expires_at=expiry)])
    Traceback (most recent call last):
    ...
    staycore.availability.stock.OutOfStockError: [availability.out_of_stock] ...
    >>> nights.hold_stay(attrs.evolve(stay, hold_id=HoldId.new()),  # the loft was given back
    ...                  booked_on=date(2026, 11, 22)).status.value
    'held'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

import attrs
import pendulum

from staycore.app.availability import Availability
from staycore.app.undo import undo
from staycore.availability.appointments import SlotHold, SlotHoldRequest
from staycore.availability.errors import AvailabilityError
from staycore.availability.holds import HoldNotActiveError
from staycore.availability.ids import HoldId
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.stock import LowStockReached, StockHold, StockRequest
from staycore.kernel.ids import Identifier
from staycore.ports.appointments import AppointmentStore
from staycore.ports.stock import StockStore

__all__ = ["InvalidOrderHoldError", "OrderHold", "OrderHolds"]

P = TypeVar("P", StayHold, SlotHold, StockHold)


class InvalidOrderHoldError(AvailabilityError):
    """An order's hold asks for nothing, or its parts name different owners or expiries."""

    code = "availability.invalid_order_hold"


@attrs.frozen(kw_only=True)
class OrderHold:
    """Everything one order holds.

    Attributes:
        owner: The order.
        expires_at: When every part lapses unless confirmed or extended.
        stays: The holds on nights, one per unit type and stay.
        slots: The holds on appointment slots.
        stock: The holds on add-on stock, one per add-on line that takes stock.
        events: The low-stock events reserving the stock caused: put them in the unit
            of work with the order (``uow.collect``).
    """

    owner: Identifier
    expires_at: pendulum.DateTime
    stays: tuple[StayHold, ...] = ()
    slots: tuple[SlotHold, ...] = ()
    stock: tuple[StockHold, ...] = ()
    events: tuple[LowStockReached, ...] = ()

    @property
    def parts(self) -> tuple[StayHold | SlotHold | StockHold, ...]:
        """Every part: nights first, then slots, then stock."""
        return (*self.stays, *self.slots, *self.stock)

    @property
    def hold_ids(self) -> tuple[HoldId, ...]:
        """The ids of every part, in the order of :attr:`parts`."""
        return tuple(part.id for part in self.parts)


class OrderHolds:
    """Holds an order's nights, slots and stock together, over their stores.

    Args:
        availability: The nightly use cases (restrictions are checked, search follows).
        appointments: Where slots are held.
        stock: Where add-on stock is held.
    """

    def __init__(
        self, availability: Availability, appointments: AppointmentStore, stock: StockStore
    ) -> None:
        self._availability = availability
        self._appointments = appointments
        self._stock = stock

    def hold(
        self,
        *,
        stays: Sequence[StayHoldRequest] = (),
        slots: Sequence[SlotHoldRequest] = (),
        stock: Sequence[StockRequest] = (),
        booked_on: dt.date,
    ) -> OrderHold:
        """Hold every part, or give back what was taken and raise why.

        Retrying with the same requests (after a lost connection) gets the same hold.

        Args:
            stays: Nights wanted.
            slots: Appointment slots wanted.
            stock: Add-on stock wanted.
            booked_on: The booking date, a local date of the property, for lead time.

        Raises:
            InvalidOrderHoldError: Nothing is asked for, or the parts disagree on owner
                or expiry.
            HoldNotActiveError: A retried part was released or expired since: make new
                hold ids for a new attempt.
            StaycoreError: Whatever a store refused (a restriction, no rooms, a full
                slot, no stock); nothing stays held.
        """
        owner, expires_at = _agreed(stays, slots, stock)
        taken: list[Callable[[], object]] = []
        try:
            held_stays = []
            for request in stays:
                stay = self._availability.hold_stay(request, booked_on=booked_on)
                taken.append(functools.partial(self._availability.release, stay.id))
                held_stays.append(stay)
            held_slots = []
            for slot_request in slots:
                slot = self._appointments.reserve(slot_request)
                taken.append(functools.partial(self._appointments.release, slot.id))
                held_slots.append(slot)
            reservations = []
            for stock_request in stock:
                reservation = self._stock.reserve(stock_request)
                taken.append(functools.partial(self._stock.release, reservation.hold.id))
                reservations.append(reservation)
            held = OrderHold(
                owner=owner,
                expires_at=expires_at,
                stays=tuple(held_stays),
                slots=tuple(held_slots),
                stock=tuple(r.hold for r in reservations),
                events=tuple(event for r in reservations for event in r.events),
            )
            _all_live(held)
        except BaseException:
            undo(reversed(taken), what="holding an order")
            raise
        return held

    def load(
        self,
        owner: Identifier,
        *,
        stays: Sequence[HoldId] = (),
        slots: Sequence[HoldId] = (),
        stock: Sequence[HoldId] = (),
    ) -> OrderHold:
        """The order's hold as its stores have it now, from the ids of its parts.

        Raises:
            InvalidOrderHoldError: No part is given, or a part belongs to someone else.
            HoldNotFoundError: A part is unknown to its store.
        """
        found_stays = tuple(self._availability.hold(part) for part in stays)
        found_slots = tuple(self._appointments.hold(part) for part in slots)
        found_stock = tuple(self._stock.hold(part) for part in stock)
        parts: tuple[StayHold | SlotHold | StockHold, ...] = (
            *found_stays,
            *found_slots,
            *found_stock,
        )
        if not parts or any(part.owner != owner for part in parts):
            ids = ", ".join(map(str, (*stays, *slots, *stock))) or "(none)"
            msg = f"the parts {ids} are not all held by {owner}"
            raise InvalidOrderHoldError(msg)
        return OrderHold(
            owner=owner,
            expires_at=min(part.expires_at for part in parts),
            stays=found_stays,
            slots=found_slots,
            stock=found_stock,
        )

    def confirm(self, hold: OrderHold) -> OrderHold:
        """Turn every part into sold (the order was paid); again does nothing.

        Raises:
            HoldNotActiveError: A part expired or was released; every part is released,
                and the order must hold again.
        """
        try:
            return self._each(hold, "confirm")
        except HoldNotActiveError:
            self.release(hold)
            raise

    def release(self, hold: OrderHold) -> OrderHold:
        """Free every part, held or sold; again does nothing."""
        return self._each(hold, "release")

    def extend(self, hold: OrderHold, until: pendulum.DateTime) -> OrderHold:
        """Give every part more time to be paid.

        Raises:
            HoldNotActiveError: A part is no longer live; every part is released.
        """
        try:
            extended = self._each(hold, "extend", until)
        except HoldNotActiveError:
            self.release(hold)
            raise
        return attrs.evolve(extended, expires_at=until)

    def replace_stay(
        self, hold: OrderHold, part: HoldId, request: StayHoldRequest, *, booked_on: dt.date
    ) -> OrderHold:
        """Move one stay of the order to other nights or rooms, keeping every other part.

        The swap is atomic in the inventory store (see
        :meth:`~staycore.app.availability.Availability.replace_stay`): on a refusal the
        order keeps what it had.

        Raises:
            InvalidOrderHoldError: ``part`` is not a stay of this order, or the request
                names another owner.
            StayRestrictedError: The new stay breaks restrictions.
            NotAvailableError: Some new night lacks rooms.
        """
        index = next((i for i, stay in enumerate(hold.stays) if stay.id == part), None)
        if index is None or request.owner != hold.owner:
            msg = (
                f"{part} is not a stay held by {hold.owner}, or the request is not "
                "theirs; replace one of the order's own stays for the order"
            )
            raise InvalidOrderHoldError(msg)
        new = self._availability.replace_stay(part, request, booked_on=booked_on)
        stays = (*hold.stays[:index], new, *hold.stays[index + 1 :])
        return attrs.evolve(hold, stays=stays)

    def release_parts(self, hold: OrderHold, parts: Collection[HoldId]) -> OrderHold:
        """Free some parts (a cancelled room, slot or add-on) and keep the rest as they are.

        Raises:
            InvalidOrderHoldError: A part is not one of the order's.
        """
        unknown = set(parts) - set(hold.hold_ids)
        if unknown:
            msg = f"{', '.join(sorted(unknown))} are not parts of {hold.owner}'s hold"
            raise InvalidOrderHoldError(msg)
        freed = hold.stays, hold.slots, hold.stock
        return attrs.evolve(
            hold,
            stays=tuple(self._availability.release(h.id) if h.id in parts else h for h in freed[0]),
            slots=tuple(self._appointments.release(h.id) if h.id in parts else h for h in freed[1]),
            stock=tuple(self._stock.release(h.id) if h.id in parts else h for h in freed[2]),
        )

    def _each(self, hold: OrderHold, action: str, *args: object) -> OrderHold:
        """Apply a hold operation to every part, nights through the availability use cases.

        A part that is not live (it expired, or was released) makes the store refuse to
        confirm or extend it, so an order is never confirmed without its inventory. The
        parts of lines an order cancelled are not in its hold: load it from the active
        lines (:meth:`load`).
        """

        def apply(store: object, part: P) -> P:
            changed: P = getattr(store, action)(part.id, *args)
            return changed

        return attrs.evolve(
            hold,
            stays=tuple(apply(self._availability, h) for h in hold.stays),
            slots=tuple(apply(self._appointments, h) for h in hold.slots),
            stock=tuple(apply(self._stock, h) for h in hold.stock),
        )


def _agreed(
    stays: Sequence[StayHoldRequest],
    slots: Sequence[SlotHoldRequest],
    stock: Sequence[StockRequest],
) -> tuple[Identifier, pendulum.DateTime]:
    """The owner and expiry every part shares, or an error saying which part differs."""
    parts: list[StayHoldRequest | SlotHoldRequest | StockRequest] = [*stays, *slots, *stock]
    if not parts:
        msg = "an order's hold needs at least one stay, slot or stock request"
        raise InvalidOrderHoldError(msg)
    first = parts[0]
    for part in parts[1:]:
        if part.owner != first.owner or part.expires_at.in_tz("UTC") != first.expires_at.in_tz(
            "UTC"
        ):
            msg = (
                f"every part of an order's hold has one owner and one expiry, so they are "
                f"paid and lapse together; {part.hold_id} has {part.owner} until "
                f"{part.expires_at.isoformat()}, {first.hold_id} has {first.owner} until "
                f"{first.expires_at.isoformat()}"
            )
            raise InvalidOrderHoldError(msg)
    return first.owner, first.expires_at


def _all_live(hold: OrderHold) -> None:
    """Refuse a retry that found parts released or expired since the first attempt."""
    dead = [part.id for part in hold.parts if not part.status.takes_inventory]
    if dead:
        msg = (
            f"holds {', '.join(map(str, dead))} were released or expired since they were "
            "first taken; make new hold ids to hold the order again"
        )
        raise HoldNotActiveError(msg)
