"""An order's nights, slot and stock are held, confirmed and released together."""

from __future__ import annotations

import datetime as dt
from functools import partial

import attrs
import pendulum
import pytest

from staycore.adapters.memory import (
    MemoryAppointmentStore,
    MemoryInventoryStore,
    MemoryRestrictionStore,
    MemoryStockStore,
)
from staycore.app.availability import Availability
from staycore.app.order_holds import InvalidOrderHoldError, OrderHold, OrderHolds
from staycore.availability.appointments import SlotFullError, SlotHoldRequest
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import HoldId, PropertyId, ResourceId, UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import StayRestrictedError
from staycore.availability.schedule import Resource, WorkingHours
from staycore.availability.search import Listing
from staycore.availability.stay_holds import StayHoldRequest
from staycore.availability.stock import ItemId, OutOfStockError, StockItem, StockRequest
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Slot, Stay
from staycore.testing.clock import FrozenClock
from staycore.testing.errors import assert_refused

SEASON = Stay.parse("2026-12-01/2027-03-01")
STAY = Stay.parse("2026-12-24/2026-12-26")
BOOKED_ON = dt.date(2026, 11, 22)


class Shop:
    """A homestay with one loft, a masseur, and breakfast vouchers, on one clock."""

    def __init__(self) -> None:
        self.clock = FrozenClock("2026-11-22T09:00:00Z")
        self.inventory = MemoryInventoryStore(self.clock)
        self.nights = Availability(self.inventory, MemoryRestrictionStore(), horizon=SEASON)
        self.loft = Listing(PropertyId.new(), UnitTypeId.new(), "Loft", 2)
        self.nights.open_unit_type(self.loft, SEASON)
        self.nights.set_capacity(self.loft.unit_type, NightSelection.of(SEASON), 1)
        self.appointments = MemoryAppointmentStore(self.clock)
        self.masseur = Resource(
            id=ResourceId.new(),
            name="Mei (massage)",
            timezone="Europe/Paris",
            hours=WorkingHours.weekly({"mon-sun": "10:00-18:00"}),
            slot_minutes=60,
        )
        self.appointments.save_resource(self.masseur)
        self.stock = MemoryStockStore(self.clock)
        self.breakfast = ItemId.new()
        self.stock.add_item(StockItem(id=self.breakfast, name="Breakfast voucher", on_hand=4))
        self.holds = OrderHolds(self.nights, self.appointments, self.stock)
        self.order = Identifier.new()
        self.expiry = self.clock.now().add(minutes=15)

    def stay(self) -> StayHoldRequest:
        return StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=self.loft.unit_type,
            stay=STAY,
            owner=self.order,
            expires_at=self.expiry,
        )

    def slot(self) -> SlotHoldRequest:
        start = pendulum.datetime(2026, 12, 24, 10, tz="Europe/Paris")
        return SlotHoldRequest(
            hold_id=HoldId.new(),
            resource=self.masseur.id,
            slot=Slot.starting(start, minutes=60),
            owner=self.order,
            expires_at=self.expiry,
        )

    def vouchers(self, units: int, hold_id: HoldId | None = None) -> StockRequest:
        return StockRequest(
            hold_id=hold_id or HoldId.new(),
            lines={self.breakfast: units},
            owner=self.order,
            expires_at=self.expiry,
        )

    def nothing_held(self) -> bool:
        counts = self.inventory.counts(self.loft.unit_type, STAY)
        places = self.appointments.taken(self.masseur.id, self.slot().slot)
        return (
            all(c.held == 0 for c in counts)
            and not any(places.values())
            and self.stock.level(self.breakfast).held == 0
        )


@pytest.fixture
def shop() -> Shop:
    return Shop()


def _hold_all(shop: Shop, units: int = 2) -> OrderHold:
    return shop.holds.hold(
        stays=[shop.stay()], slots=[shop.slot()], stock=[shop.vouchers(units)], booked_on=BOOKED_ON
    )


def test_every_part_is_held_under_the_order(shop: Shop) -> None:
    held = _hold_all(shop)
    assert [h.status for h in held.parts] == [HoldStatus.HELD] * 3
    assert held.owner == shop.order
    assert len(held.hold_ids) == 3
    assert shop.stock.level(shop.breakfast).held == 2


def test_a_refused_part_gives_back_every_part_already_taken(shop: Shop) -> None:
    with pytest.raises(OutOfStockError):
        _hold_all(shop, units=5)
    assert shop.nothing_held()


def test_a_full_slot_gives_back_the_nights(shop: Shop) -> None:
    other = attrs.evolve(shop.slot(), owner=Identifier.new())
    shop.appointments.reserve(other)
    with pytest.raises(SlotFullError):
        _hold_all(shop)
    counts = shop.inventory.counts(shop.loft.unit_type, STAY)
    assert [c.held for c in counts] == [0, 0]


def test_a_restricted_stay_takes_nothing(shop: Shop) -> None:
    shop.nights.restrict(shop.loft.unit_type, NightSelection.of(STAY), stop_sell=True)
    with pytest.raises(StayRestrictedError):
        _hold_all(shop)
    assert shop.nothing_held()


def test_a_retry_gets_the_same_hold(shop: Shop) -> None:
    stays, slots, stock = [shop.stay()], [shop.slot()], [shop.vouchers(2)]
    first = shop.holds.hold(stays=stays, slots=slots, stock=stock, booked_on=BOOKED_ON)
    again = shop.holds.hold(stays=stays, slots=slots, stock=stock, booked_on=BOOKED_ON)
    assert again == first
    assert shop.stock.level(shop.breakfast).held == 2


def test_a_retry_after_the_parts_were_released_is_refused(shop: Shop) -> None:
    stays, slots = [shop.stay()], [shop.slot()]
    shop.holds.release(shop.holds.hold(stays=stays, slots=slots, booked_on=BOOKED_ON))
    assert_refused(
        HoldNotActiveError,
        "availability.hold_not_active",
        "make new hold ids",
        lambda: shop.holds.hold(stays=stays, slots=slots, booked_on=BOOKED_ON),
    )
    assert shop.nothing_held()


def test_confirming_and_releasing_act_on_every_part(shop: Shop) -> None:
    confirmed = shop.holds.confirm(_hold_all(shop))
    assert {h.status for h in confirmed.parts} == {HoldStatus.CONFIRMED}
    assert shop.stock.level(shop.breakfast).sold == 2
    released = shop.holds.release(confirmed)
    assert {h.status for h in released.parts} == {HoldStatus.RELEASED}
    assert shop.nothing_held()
    assert shop.stock.level(shop.breakfast).sold == 0


def test_extending_moves_every_expiry(shop: Shop) -> None:
    until = shop.clock.now().add(minutes=45)
    extended = shop.holds.extend(_hold_all(shop), until)
    assert extended.expires_at == until
    assert {h.expires_at for h in extended.parts} == {until}
    shop.clock.advance(minutes=30)
    assert shop.nights.expire_due() == ()


def test_paying_too_late_releases_every_part(shop: Shop) -> None:
    held = _hold_all(shop)
    shop.clock.advance(minutes=20)
    with pytest.raises(HoldNotActiveError):
        shop.holds.confirm(held)
    assert shop.nothing_held()


@pytest.mark.parametrize("action", ["confirm", "extend"])
def test_a_part_released_behind_the_order_is_not_sold_or_extended(shop: Shop, action: str) -> None:
    """A part freed by anyone but the order (a host's tool) makes it hold again."""
    held = _hold_all(shop)
    shop.stock.release(held.stock[0].id)
    now = shop.holds.load(
        shop.order,
        stays=[held.stays[0].id],
        slots=[held.slots[0].id],
        stock=[held.stock[0].id],
    )
    until = shop.clock.now().add(minutes=45)
    move = shop.holds.confirm if action == "confirm" else partial(shop.holds.extend, until=until)
    with pytest.raises(HoldNotActiveError):
        move(now)
    assert shop.nothing_held()
    assert shop.stock.level(shop.breakfast).sold == 0


def test_a_cancelled_part_is_left_out_of_the_hold_loaded_again(shop: Shop) -> None:
    """After :meth:`release_parts`, the order loads and confirms what it kept."""
    held = _hold_all(shop)
    shop.holds.release_parts(held, [held.stock[0].id])
    kept = shop.holds.load(shop.order, stays=[held.stays[0].id], slots=[held.slots[0].id])
    confirmed = shop.holds.confirm(kept)
    assert {h.status for h in confirmed.parts} == {HoldStatus.CONFIRMED}
    assert shop.stock.level(shop.breakfast).sold == 0
    assert shop.stock.level(shop.breakfast).held == 0


def test_the_parts_must_share_owner_and_expiry(shop: Shop) -> None:
    assert_refused(
        InvalidOrderHoldError,
        "availability.invalid_order_hold",
        "one owner and one expiry",
        lambda: shop.holds.hold(
            stays=[shop.stay()],
            slots=[attrs.evolve(shop.slot(), expires_at=shop.expiry.add(minutes=1))],
            booked_on=BOOKED_ON,
        ),
    )
    assert_refused(
        InvalidOrderHoldError,
        "availability.invalid_order_hold",
        "at least one",
        lambda: shop.holds.hold(booked_on=BOOKED_ON),
    )
    assert shop.nothing_held()
