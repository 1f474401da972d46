"""A small prepared hotel for the fuzz tests, and a snapshot of everything it stores.

:func:`build_world` books, pays, stays and reviews through ``staycore.bootstrap``'s
application, so that every use case has something valid to act on: a unit type open
with capacity, a pricer and a quote with a coupon, a held and a confirmed order, a
request to book, an order guaranteed by a card, a checked-out and a completed one, a
review, members with points, service requests, a hold on nights and on a slot, a block.

:func:`snapshot` reads what the stores hold, through the ports (and, for the claims of
idempotency keys still unfinished, the adapter's own table): a call that was refused
must leave it exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import sqlalchemy as sa

import staycore
from staycore.adapters.memory import MemoryIdempotencyStore
from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
from staycore.adapters.payments.webhooks import Webhook
from staycore.adapters.sql import Database
from staycore.adapters.sql.idempotency import SqlIdempotencyStore
from staycore.adapters.sql.schema import aggregates, idempotency_keys
from staycore.app.orders import PlaceOrder, StayRequest
from staycore.application import Application
from staycore.availability.appointments import SlotHold, SlotHoldRequest
from staycore.availability.blocks import Block, BlockReason
from staycore.availability.ids import (
    BlockId,
    HoldId,
    PropertyId,
    ResourceId,
    UnitId,
    UnitTypeId,
)
from staycore.availability.nights import NightSelection
from staycore.availability.schedule import Resource, WorkingHours
from staycore.availability.search import Listing
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.stock import ItemId, StockItem
from staycore.availability.units import Unit
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Slot, Stay
from staycore.membership.ids import CustomerId
from staycore.membership.members import Member
from staycore.membership.profiles import CustomerProfile
from staycore.membership.service import ServiceRequest
from staycore.orders.lines import Guest
from staycore.orders.order import Order
from staycore.orders.reviews import Review
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.ports.stores import Stores
from staycore.pricing.coupons import Coupon
from staycore.pricing.ids import RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion
from staycore.pricing.quote import Pricer, Quote
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.testing.clock import FrozenClock
from staycore.testing.hotel import POINTS_OFF, SUMMER, SUMMER_CODE, WELCOME_BACK, garden_rewards

__all__ = ["SEASON", "World", "build_world", "snapshot"]

START = "2026-06-01T09:00:00Z"
SEASON = Stay.parse("2026-06-01/2026-10-01")
TIMEZONE = "Europe/Paris"
WEBHOOK_SECRET = "whsec_fuzz"  # noqa: S105 - a test secret
CODES = (SUMMER_CODE, "FUZZ15")
"""The coupon codes the hotel knows."""


@attrs.define
class World:
    """The prepared hotel: the application and what was made in it."""

    app: Application
    clock: FrozenClock
    garden: UnitTypeId
    property_id: PropertyId
    pricer: Pricer
    quote: Quote
    breakfast: ItemId
    resource: Resource
    member: CustomerId
    twin: CustomerId
    guest: CustomerId
    pending: Order
    confirmed: Order
    requested: Order
    authorized: Order
    stayed: Order
    inhouse: Order
    arriving: Order
    completed: Order
    review: Review
    hold: StayHold
    room: Unit
    block: Block
    slot_hold: SlotHold
    ticket: ServiceRequest
    resolved: ServiceRequest
    webhook: Webhook
    customers: tuple[CustomerId, ...] = ()
    database: Database | None = None

    @property
    def now(self) -> pendulum.DateTime:
        """The clock's time."""
        return self.clock.now()

    @property
    def today(self) -> dt.date:
        """Today in the hotel's timezone."""
        return self.clock.now().in_tz(TIMEZONE).date()


def _pricer(garden: UnitTypeId) -> Pricer:
    promotions = [
        Promotion(id=SUMMER, name="Summer 10 %", kind=DiscountKind.PERCENT, percent=Decimal(10)),
        Promotion(
            id=POINTS_OFF,
            name="EUR 10 off",
            kind=DiscountKind.AMOUNT,
            amount=Money.of("10.00", "EUR"),
        ),
        Promotion(
            id=WELCOME_BACK, name="Welcome back", kind=DiscountKind.PERCENT, percent=Decimal(15)
        ),
    ]
    return Pricer(
        RatePlan(
            id=RatePlanId.new(),
            unit_type=garden,
            name="Garden room",
            base_price=Money.of("120.00", "EUR"),
        ),
        RuleSet(version="fuzz", currency="EUR", timezone=TIMEZONE, promotions=promotions),
    )


def build_world(
    store: str | Callable[[FrozenClock], Stores] = "memory",
    *,
    database: Database | None = None,
) -> World:
    """Bootstrap an application on ``store`` and prepare the hotel in it.

    Args:
        store: ``"memory"``, a database URL, or a function that builds stores from
            the clock (``lambda clock: sql_stores(database, clock)``).
        database: The database under stores built by hand (a URL's is the app's own).
    """
    clock = FrozenClock(START)
    gateway = SandboxGateway(clock, secret=WEBHOOK_SECRET)
    stores = store if isinstance(store, str) else store(clock)
    app = staycore.bootstrap(
        store=stores, clock=clock, payments=gateway, programme=garden_rewards()
    )
    property_id, garden = PropertyId.new(), UnitTypeId.new()
    app.availability.open_unit_type(Listing(property_id, garden, "Garden room", 4), SEASON)
    app.availability.set_capacity(garden, NightSelection.of(SEASON), 6)
    pricer = _pricer(garden)
    app.stores.coupons.add_coupons(
        [
            Coupon(code=SUMMER_CODE, promotion=SUMMER, max_uses=100),
            Coupon(code="FUZZ15", promotion=WELCOME_BACK, max_uses=100),
        ]
    )
    breakfast = ItemId.new()
    app.stores.stock.add_item(StockItem(id=breakfast, name="Breakfast voucher", on_hand=50))
    resource = Resource(
        id=ResourceId.new(),
        name="Spa room",
        timezone=TIMEZONE,
        hours=WorkingHours.weekly({"mon-sun": "09:00-18:00"}),
        slot_minutes=60,
    )
    app.appointments.save_resource(resource)

    loyalty = app.loyalty
    member = loyalty.enrol(name="Mei Tan", email="mei@example.com", phone="+33 6 12 34 56 78")
    twin = loyalty.enrol(name="Mei T.", email="mei@example.com")
    guest = loyalty.enrol(name="Lea Roux", email="lea@example.com")
    loyalty.adjust(member, 3000, reason="welcome", staff="desk:ana", idempotency_key="seed")

    terms = BookingTerms(timezone=TIMEZONE)

    def book(*stays: str, key: str, customer: CustomerId = member, **options: Any) -> Order:
        # An order redeems a code once: the first stay carries it.
        quotes = [
            app.pricing.quote(
                pricer, Stay.parse(stay), Guests(2), codes=[SUMMER_CODE] if i == 0 else []
            )
            for i, stay in enumerate(stays)
        ]
        command = PlaceOrder(
            guest=Guest(name="Mei Tan", email="mei@example.com", customer=customer),
            terms=options.get("terms", terms),
            stays=[StayRequest(pricer=pricer, quote=quote) for quote in quotes],
        )
        return app.booking.place(command, idempotency_key=key)

    # Two stays today: one checks out unreviewed, the other completes with a review.
    stayed = book("2026-06-01/2026-06-02", key="stayed")
    completed = book("2026-06-01/2026-06-02", key="completed")
    inhouse = book("2026-06-01/2026-06-04", key="inhouse")
    arriving = book("2026-06-02/2026-06-04", key="arriving")
    for order in (stayed, completed, inhouse, arriving):
        app.booking.pay(
            order.id, method=SUCCEEDING_CARD, amount=order.value, idempotency_key=f"pay-{order.id}"
        )
    clock.set("2026-06-01T14:00:00Z")
    for order in (stayed, completed, inhouse):
        app.booking.check_in(order.id, idempotency_key=f"in-{order.id}")
    clock.set("2026-06-02T09:00:00Z")
    for order in (stayed, completed):
        app.booking.check_out(order.id, idempotency_key=f"out-{order.id}")
    completed = app.booking.complete(completed.id, idempotency_key="done")
    stayed, inhouse, arriving = (app.booking.get(o.id) for o in (stayed, inhouse, arriving))
    review = app.reviews.leave(
        completed.id, ratings={"cleanliness": 5, "value": 4}, text="Quiet garden."
    )
    loyalty.publish(app.stores.aggregates.outbox())

    pending = book("2026-07-10/2026-07-12", key="pending")
    confirmed = book("2026-07-20/2026-07-23", "2026-07-25/2026-07-27", key="confirmed")
    app.booking.pay(confirmed.id, method=SUCCEEDING_CARD, idempotency_key="pay-confirmed")
    confirmed = app.booking.get(confirmed.id)
    requested = book(
        "2026-08-01/2026-08-03",
        key="requested",
        customer=guest,
        terms=BookingTerms(timezone=TIMEZONE, request_to_book=True),
    )
    authorized = book(
        "2026-06-05/2026-06-06",
        key="authorized",
        terms=BookingTerms(
            timezone=TIMEZONE,
            schedule=PaymentSchedule.deposit_and_balance(Decimal(30), balance_days_before=1),
        ),
    )
    app.booking.pay(authorized.id, method=SUCCEEDING_CARD, capture=False, idempotency_key="auth")
    authorized = app.booking.get(authorized.id)
    webhook = gateway.webhooks()[-1]

    quote = app.pricing.quote(
        pricer, Stay.parse("2026-08-10/2026-08-13"), Guests(2), codes=[SUMMER_CODE]
    )
    hold = app.availability.hold_stay(
        StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=garden,
            stay=Stay.parse("2026-09-01/2026-09-03"),
            owner=Identifier.new(),
            expires_at=clock.now().add(minutes=30),
        ),
        booked_on=dt.date(2026, 6, 2),
    )
    block = Block(
        id=BlockId.new(),
        unit_type=garden,
        nights=Stay.parse("2026-09-10/2026-09-12"),
        reason=BlockReason.MAINTENANCE,
        note="Paint",
    )
    app.availability.block(block)
    room = Unit(id=UnitId.new(), unit_type=garden, name="Room 101")
    app.stores.inventory.add_unit(room)
    ten = pendulum.datetime(2026, 6, 3, 10, tz=TIMEZONE)
    slot_hold = app.appointments.hold_slot(
        SlotHoldRequest(
            hold_id=HoldId.new(),
            resource=resource.id,
            slot=Slot(ten, ten.add(hours=1)),
            owner=Identifier.new(),
            expires_at=clock.now().add(minutes=30),
        )
    )
    desk = app.service_desk
    ticket = desk.open(
        member, category="housekeeping", text="Two more towels.", idempotency_key="towels"
    )
    resolved = desk.open(member, category="maintenance", text="Sink.", idempotency_key="sink")
    resolved = desk.resolve(resolved.id, by="eng:tom", text="Fixed.")
    return World(
        app=app,
        clock=clock,
        garden=garden,
        property_id=property_id,
        pricer=pricer,
        quote=quote,
        breakfast=breakfast,
        resource=resource,
        member=member,
        twin=twin,
        guest=guest,
        pending=pending,
        confirmed=confirmed,
        requested=requested,
        authorized=authorized,
        stayed=stayed,
        inhouse=inhouse,
        arriving=arriving,
        completed=completed,
        review=review,
        hold=hold,
        room=room,
        block=block,
        slot_hold=slot_hold,
        ticket=ticket,
        resolved=resolved,
        webhook=webhook,
        customers=(member, twin, guest),
        database=database or app.database,
    )


# -- what the stores hold --------------------------------------------------------------

_KINDS: tuple[type[Any], ...] = (Order, Review, ServiceRequest, CustomerProfile, Member)


def unfinished_keys(world: World) -> tuple[str, ...]:
    """The idempotency keys claimed by a request that neither completed nor released them."""
    store = world.app.stores.idempotency
    if isinstance(store, MemoryIdempotencyStore):
        records = store._records.values()
        return tuple(sorted(r.key for r in records if r.result is None))
    assert isinstance(store, SqlIdempotencyStore)
    database = world.database
    assert database is not None
    with database.engine.connect() as connection:
        rows = connection.execute(
            sa.select(idempotency_keys.c.key).where(idempotency_keys.c.result.is_(None))
        )
        return tuple(sorted(row.key for row in rows))


def snapshot(world: World) -> dict[str, object]:
    """Everything the stores hold that a refused call could have half-written."""
    app, stores = world.app, world.app.stores
    calendar = stores.restrictions.restrictions(world.garden, SEASON)
    stock = stores.stock.level(world.breakfast)
    window = Slot(
        pendulum.datetime(2026, 6, 1, tz=TIMEZONE), pendulum.datetime(2026, 10, 1, tz=TIMEZONE)
    )
    gateway = app.payments
    assert isinstance(gateway, SandboxGateway)
    versions = _versions(world)
    return {
        "aggregates": versions,
        "outbox": len(stores.aggregates.outbox()),
        "counts": stores.inventory.counts(world.garden, SEASON),
        "holds": sorted(
            (str(h.id), h.status.value, str(h.stay), h.rooms)
            for h in stores.inventory.holds(world.garden, SEASON)
        ),
        "blocks": sorted(str(b.id) for b in stores.inventory.blocks(world.garden, SEASON)),
        "restrictions": [calendar.on(night) for night in _nights(SEASON)],
        "coupons": {code: stores.coupons.usage(code) for code in CODES},
        # The hotel's members: the only customers a call can post points for.
        "points": {str(c): stores.points.entries(c) for c in world.customers},
        # Not the level's version: it counts changes, and a hold given back is two.
        "stock": (stock.item, stock.held, stock.sold),
        "slots": dict(stores.appointments.taken(world.resource.id, window)),
        "unfinished_keys": unfinished_keys(world),
        "payments": [(m.reference, m.status.value) for m in gateway.movements()],
        "messages": len(app.notifier.sent),  # type: ignore[attr-defined]
    }


def _versions(world: World) -> dict[str, list[tuple[str, int]]]:
    """Every committed aggregate's id and version, by kind."""
    if world.database is None:
        return {
            kind.__name__: sorted((str(a.id), a.version) for a in _committed(world, kind))
            for kind in _KINDS
        }
    # On SQL, read the rows rather than decode every document: it is much faster.
    found: dict[str, list[tuple[str, int]]] = {kind.__name__: [] for kind in _KINDS}
    row = aggregates.c
    with world.database.engine.connect() as connection:
        for kind, id_, version in connection.execute(sa.select(row.kind, row.id, row.version)):
            found.setdefault(kind.rpartition(":")[2].rpartition(".")[2], []).append((id_, version))
    return {kind: sorted(rows) for kind, rows in found.items()}


def _nights(stay: Stay) -> list[dt.date]:
    return [stay.check_in + dt.timedelta(days=n) for n in range(stay.nights)]


def _committed(world: World, kind: type[Any]) -> tuple[Any, ...]:
    return world.app.stores.aggregates.committed(kind)
