"""Recipes of valid calls to every public use case, and the check a hostile call must pass.

A call is written as a :class:`Make` tree: the use case's bound method at the root, the
constructors of the commands and values it takes below it (``PlaceOrder``, ``Guest``,
``Stay.parse``, ``Money.of``, the ids...), and plain values at the leaves. Every node
below the root has a path (``command.guest.name``, ``order_id[0]``), and
:func:`with_value` puts a hostile value at one path, keeping everything else valid.

:data:`CALLS` holds one recipe per public use-case method, built against the prepared
hotel of :mod:`fuzz_world`; :func:`attempt` builds a recipe and checks that only a
:class:`~staycore.kernel.errors.StaycoreError` escapes, that a refused call changed
nothing, and that a hotel which accepted a hostile value still works.
"""

from __future__ import annotations

import datetime as dt
import difflib
import inspect
import pprint
import traceback
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs
import pendulum
from fuzz_world import SEASON, TIMEZONE, World, build_world, snapshot

from staycore.adapters.payments import SUCCEEDING_CARD
from staycore.app.orders import AddOnRequest, PlaceOrder, SlotRequest, StayRequest
from staycore.application import Application
from staycore.availability.appointments import SlotHoldRequest
from staycore.availability.blocks import Block, BlockReason
from staycore.availability.external import ExternalBooking
from staycore.availability.ids import BlockId, HoldId, ResourceId, UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.resource_search import ResourceQuery
from staycore.availability.schedule import Resource, WorkingHours
from staycore.availability.search import Listing, SearchQuery
from staycore.availability.stay_holds import StayHoldRequest
from staycore.kernel.errors import StaycoreError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Slot, Stay
from staycore.membership.ids import CustomerId
from staycore.membership.service import Priority
from staycore.orders.ids import OrderId
from staycore.orders.lines import Channel, Guest
from staycore.orders.reviews import ReviewLeft
from staycore.orders.terms import BookingTerms
from staycore.ports.notifier import Channel as MessageChannel
from staycore.pricing.rate_plans import Guests
from staycore.testing.hotel import SUMMER_CODE

Path = tuple[str | int, ...]


@attrs.frozen
class Make:
    """Call ``of`` with arguments that are themselves recipes."""

    of: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(eq=False)
class Hostile:
    """A value put in a recipe as it is: never read as a recipe (a hostile list stays one)."""

    value: object


def make(of: Callable[..., Any], *args: Any, **kwargs: Any) -> Make:
    """A recipe: ``of(*args, **kwargs)``."""
    return Make(of, args, kwargs)


def ident(value: Identifier) -> Make:
    """The recipe of an id: its kind's constructor over its text."""
    return make(type(value), str(value))


def stay(text: str) -> Make:
    """The recipe of a stay written ``YYYY-MM-DD/YYYY-MM-DD``."""
    return make(Stay.parse, text)


def eur(amount: str) -> Make:
    """The recipe of an amount of euros."""
    return make(Money.of, amount, "EUR")


# -- recipes as trees ------------------------------------------------------------------


def build(node: Any) -> Any:
    """Build what a recipe describes, innermost first."""
    if isinstance(node, Hostile):
        return node.value
    if isinstance(node, Make):
        args = [build(arg) for arg in node.args]
        kwargs = {name: build(arg) for name, arg in node.kwargs.items()}
        return node.of(*args, **kwargs)
    if isinstance(node, list):
        return [build(item) for item in node]
    if isinstance(node, dict):
        return {key: build(item) for key, item in node.items()}
    return node


def children(node: Any) -> Iterator[tuple[str | int, Any]]:
    """The recipe's direct parts, by key."""
    if isinstance(node, Make):
        yield from enumerate(node.args)
        yield from node.kwargs.items()
    elif isinstance(node, list):
        yield from enumerate(node)
    elif isinstance(node, dict):
        yield from node.items()


def paths(node: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every part of a recipe, at any depth, below ``node`` itself."""
    for key, child in children(node):
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def with_value(node: Any, path: Path, value: object) -> Any:
    """The recipe with ``value`` in place of the part at ``path``."""
    if not path:
        return Hostile(value)
    key, rest = path[0], path[1:]
    if isinstance(node, Make):
        if isinstance(key, int):
            args = list(node.args)
            args[key] = with_value(args[key], rest, value)
            return Make(node.of, tuple(args), node.kwargs)
        return Make(
            node.of, node.args, {**node.kwargs, key: with_value(node.kwargs[key], rest, value)}
        )
    if isinstance(node, list):
        assert isinstance(key, int)
        return [with_value(item, rest, value) if i == key else item for i, item in enumerate(node)]
    assert isinstance(node, dict)
    return {k: with_value(item, rest, value) if k == key else item for k, item in node.items()}


def path_name(path: Path) -> str:
    """``command.stays[0].rooms``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else f".{key}"
    return text.lstrip(".")


# -- the use cases ---------------------------------------------------------------------


def use_cases(app: Application) -> dict[str, object]:
    """The application's use-case objects by attribute name.

    A use case is an attribute whose class is defined in ``staycore.app`` and is not an
    ``attrs`` value (the access policy is one: configuration, not a use case).
    """
    found = {}
    for name in dir(app):
        if name.startswith("_"):
            continue
        value = getattr(app, name)
        kind = type(value)
        if kind.__module__.startswith("staycore.app.") and not attrs.has(kind):
            found[name] = value
    return found


def public_methods(app: Application) -> set[str]:
    """``booking.place`` and the like: every public method of every use case."""
    return {
        f"{name}.{method}"
        for name, use_case in use_cases(app).items()
        for method, member in inspect.getmembers(type(use_case), callable)
        if not method.startswith("_")
    }


_SPA_MORNING = pendulum.datetime(2026, 6, 3, 10, tz=TIMEZONE)
"""The morning the spa is booked in the table's calls."""


def _slot(start: pendulum.DateTime, hours: int = 1) -> Make:
    return make(Slot, start, start.add(hours=hours))


def _stay_hold(w: World, nights: str) -> Make:
    return make(
        StayHoldRequest,
        hold_id=ident(HoldId.new()),
        unit_type=ident(w.garden),
        stay=stay(nights),
        rooms=1,
        owner=ident(Identifier.new()),
        expires_at=w.now.add(minutes=15),
    )


def _place(w: World) -> Make:
    command = make(
        PlaceOrder,
        guest=make(
            Guest,
            name="Noa Levi",
            email="noa@example.com",
            phone="+972 50 123 4567",
            customer=ident(w.member),
        ),
        terms=make(
            BookingTerms,
            timezone=TIMEZONE,
            request_to_book=False,
            hold_for=dt.timedelta(minutes=20),
            reminder_days=3,
        ),
        stays=[make(StayRequest, pricer=w.pricer, quote=w.quote, rooms=1)],
        slots=[
            make(
                SlotRequest,
                resource=ident(w.resource.id),
                slot=_slot(_SPA_MORNING.add(hours=2)),
                price=eur("40.00"),
                places=1,
            )
        ],
        add_ons=[
            make(
                AddOnRequest,
                name="Breakfast voucher",
                unit_price=eur("15.00"),
                quantity=2,
                item=ident(w.breakfast),
            )
        ],
        channel=Channel.DIRECT,
        customer=ident(w.member),
        notes="Arriving late, around 23:00.",
    )
    return make(w.app.booking.place, command=command, idempotency_key="place-fuzz")


def _calls(w: World) -> dict[str, Make]:
    app = w.app
    nights = make(NightSelection.of, stay("2026-09-14/2026-09-18"))
    confirmed_line = w.confirmed.lines[0].id
    pending_line = w.pending.lines[0].id
    avail, booking, desk, loyalty = app.availability, app.booking, app.service_desk, app.loyalty
    spa = app.appointments
    return {
        # -- availability --
        "availability.assign": make(avail.assign, ident(w.hold.id), [ident(w.room.id)]),
        "availability.block": make(
            avail.block,
            make(
                Block,
                id=ident(BlockId.new()),
                unit_type=ident(w.garden),
                nights=stay("2026-09-20/2026-09-22"),
                reason=BlockReason.OWNER_USE,
                rooms=1,
                note="Family visit",
            ),
        ),
        "availability.check": make(
            avail.check, ident(w.garden), stay("2026-09-05/2026-09-07"), booked_on=w.today
        ),
        "availability.confirm": make(avail.confirm, ident(w.hold.id)),
        "availability.expire_due": make(avail.expire_due),
        "availability.export_entries": make(
            avail.export_entries,
            ident(w.garden),
            stay("2026-06-01/2026-10-01"),
            for_feed="airbnb:garden",
            include_held=True,
            uid_domain="hotel.example",
        ),
        "availability.extend": make(avail.extend, ident(w.hold.id), w.now.add(hours=1)),
        "availability.hold": make(avail.hold, ident(w.hold.id)),
        "availability.hold_stay": make(
            avail.hold_stay, _stay_hold(w, "2026-09-05/2026-09-07"), booked_on=w.today
        ),
        "availability.import_feed": make(
            avail.import_feed,
            "airbnb:garden",
            ident(w.garden),
            [
                make(
                    ExternalBooking,
                    uid="a1b2@airbnb.com",
                    nights=stay("2026-09-24/2026-09-26"),
                    summary="Reserved",
                )
            ],
            horizon=stay("2026-06-01/2026-10-01"),
            skip_summaries=["Not available"],
            allow_empty=False,
        ),
        "availability.open_unit_type": make(
            avail.open_unit_type,
            make(Listing, ident(w.property_id), ident(UnitTypeId.new()), "Loft", 2),
            stay("2026-06-01/2026-09-01"),
        ),
        "availability.release": make(avail.release, ident(w.hold.id)),
        "availability.replace_stay": make(
            avail.replace_stay,
            ident(w.hold.id),
            _stay_hold(w, "2026-09-02/2026-09-05"),
            booked_on=w.today,
        ),
        "availability.restrict": make(
            avail.restrict, ident(w.garden), nights, min_stay_arrival=2, closed_to_arrival=True
        ),
        "availability.resync": make(avail.resync, ident(w.garden), stay("2026-07-01/2026-08-01")),
        "availability.search": make(
            avail.search,
            make(
                SearchQuery,
                stay=stay("2026-09-05/2026-09-07"),
                guests=2,
                rooms=1,
                booked_on=w.today,
            ),
        ),
        "availability.set_allowance": make(avail.set_allowance, ident(w.garden), nights, 1),
        "availability.set_capacity": make(avail.set_capacity, ident(w.garden), nights, 5),
        "availability.unblock": make(
            avail.unblock,
            make(
                Block,
                id=ident(w.block.id),
                unit_type=ident(w.garden),
                nights=stay(str(w.block.nights)),
                reason=w.block.reason,
                rooms=w.block.rooms,
                note=w.block.note,
            ),
        ),
        # -- pricing --
        "pricing.quote": make(
            app.pricing.quote,
            w.pricer,
            stay("2026-08-20/2026-08-23"),
            make(Guests, 2, 1),
            codes=[SUMMER_CODE, "FUZZ15"],
            tier="Member",
            occupancy={dt.date(2026, 8, 20): Decimal("0.5")},
            first_booking=True,
        ),
        "pricing.redeem": make(
            app.pricing.redeem, w.quote, order=ident(OrderId.new()), customer=ident(w.member)
        ),
        "pricing.release": make(app.pricing.release, w.quote, order=ident(w.pending.id)),
        "pricing.release_codes": make(
            app.pricing.release_codes, [SUMMER_CODE], order=ident(w.pending.id)
        ),
        # -- booking --
        "booking.amount_due_now": make(booking.amount_due_now, w.pending),
        "booking.approve": make(booking.approve, ident(w.requested.id), idempotency_key="approve"),
        "booking.cancel": make(
            booking.cancel,
            ident(w.confirmed.id),
            idempotency_key="cancel",
            reason="Plans changed",
        ),
        "booking.cancel_lines": make(
            booking.cancel_lines,
            ident(w.confirmed.id),
            [ident(w.confirmed.lines[1].id)],
            idempotency_key="cancel-lines",
        ),
        "booking.cancel_nights": make(
            booking.cancel_nights,
            ident(w.confirmed.id),
            ident(confirmed_line),
            [dt.date(2026, 7, 22)],
            idempotency_key="cancel-nights",
        ),
        "booking.capture": make(
            booking.capture,
            ident(w.authorized.id),
            idempotency_key="capture",
            amount=eur("10.00"),
        ),
        "booking.change_dates": make(
            booking.change_dates,
            ident(w.pending.id),
            ident(pending_line),
            stay=stay("2026-07-11/2026-07-14"),
            pricer=w.pricer,
            idempotency_key="change-dates",
            method=SUCCEEDING_CARD,
            tier="Member",
        ),
        "booking.check_in": make(booking.check_in, ident(w.arriving.id), idempotency_key="in"),
        "booking.check_out": make(booking.check_out, ident(w.inhouse.id), idempotency_key="out"),
        "booking.complete": make(booking.complete, ident(w.stayed.id), idempotency_key="done-2"),
        "booking.confirm": make(booking.confirm, ident(w.pending.id), idempotency_key="confirm"),
        "booking.decline": make(
            booking.decline, ident(w.requested.id), reason="Fully booked", idempotency_key="no"
        ),
        "booking.get": make(booking.get, ident(w.pending.id)),
        "booking.handle_webhook": make(
            booking.handle_webhook, w.webhook.body, dict(w.webhook.headers)
        ),
        "booking.mark_no_show": make(
            booking.mark_no_show, ident(w.arriving.id), idempotency_key="no-show"
        ),
        "booking.pay": make(
            booking.pay,
            ident(w.pending.id),
            method=SUCCEEDING_CARD,
            idempotency_key="pay",
            amount=eur("50.00"),
            capture=True,
        ),
        "booking.place": _place(w),
        "booking.sweep": make(booking.sweep),
        # -- reviews --
        "reviews.answer": make(app.reviews.answer, ident(w.review.id), reply="Thank you, Mei!"),
        "reviews.leave": make(
            app.reviews.leave,
            ident(w.stayed.id),
            ratings={"cleanliness": 5, "value": 4},
            text="Lovely garden.",
        ),
        # -- appointments --
        "appointments.confirm": make(spa.confirm, ident(w.slot_hold.id)),
        "appointments.expire_due": make(spa.expire_due),
        "appointments.extend": make(spa.extend, ident(w.slot_hold.id), w.now.add(hours=1)),
        "appointments.find": make(
            spa.find,
            make(
                ResourceQuery,
                window=_slot(_SPA_MORNING, hours=6),
                party=1,
                resources=[ident(w.resource.id)],
            ),
            [ident(w.resource.id)],
        ),
        "appointments.free_slots": make(
            spa.free_slots,
            ident(w.resource.id),
            dt.date(2026, 6, 3),
            dt.date(2026, 6, 4),
            party=1,
        ),
        "appointments.hold_slot": make(
            spa.hold_slot,
            make(
                SlotHoldRequest,
                hold_id=ident(HoldId.new()),
                resource=ident(w.resource.id),
                slot=_slot(_SPA_MORNING.add(hours=3)),
                places=1,
                owner=ident(Identifier.new()),
                expires_at=w.now.add(minutes=15),
            ),
        ),
        "appointments.release": make(spa.release, ident(w.slot_hold.id)),
        "appointments.save_resource": make(
            spa.save_resource,
            make(
                Resource,
                id=ident(ResourceId.new()),
                name="Yoga studio",
                timezone=TIMEZONE,
                hours=make(WorkingHours.weekly, {"mon-fri": "09:00-12:00, 13:00-18:00"}),
                slot_minutes=60,
                buffer_minutes=15,
                capacity=8,
            ),
        ),
        # -- service desk --
        "service_desk.add_update": make(
            desk.add_update,
            ident(w.ticket.id),
            by="hk:ana",
            text="Towels are on their way.",
            visible_to_customer=True,
            idempotency_key="update",
        ),
        "service_desk.assign": make(
            desk.assign,
            ident(w.ticket.id),
            assignee="hk:ana",
            by="hk:lead",
            team="housekeeping",
            idempotency_key="assign",
        ),
        "service_desk.cancel": make(
            desk.cancel,
            ident(w.ticket.id),
            reason="Found them.",
            by="desk:lea",
            idempotency_key="cancel-ticket",
        ),
        "service_desk.close_with_rating": make(
            desk.close_with_rating,
            ident(w.resolved.id),
            rating=5,
            comment="Quick!",
            idempotency_key="close",
        ),
        "service_desk.escalate_due": make(desk.escalate_due),
        "service_desk.get": make(desk.get, ident(w.ticket.id)),
        "service_desk.open": make(
            desk.open,
            ident(w.member),
            category="housekeeping",
            text="Could we have two more pillows?",
            idempotency_key="pillows",
            priority=Priority.HIGH,
            order=ident(w.confirmed.id),
        ),
        "service_desk.reopen": make(
            desk.reopen,
            ident(w.resolved.id),
            by="desk:lea",
            reason="Still dripping.",
            idempotency_key="reopen",
        ),
        "service_desk.report": make(
            desk.report,
            pendulum.datetime(2026, 6, 1, tz="UTC"),
            pendulum.datetime(2026, 7, 1, tz="UTC"),
        ),
        "service_desk.resolve": make(
            desk.resolve, ident(w.ticket.id), by="hk:ana", text="Delivered.", idempotency_key="r"
        ),
        "service_desk.respond": make(
            desk.respond, ident(w.ticket.id), by="hk:ana", text="On it!", idempotency_key="resp"
        ),
        "service_desk.start": make(
            desk.start, ident(w.ticket.id), by="hk:ana", text="Going up.", idempotency_key="go"
        ),
        "service_desk.unresolved": make(desk.unresolved, team="housekeeping"),
        # -- loyalty --
        "loyalty.account": make(loyalty.account, ident(w.member)),
        "loyalty.adjust": make(
            loyalty.adjust,
            ident(w.member),
            250,
            reason="Noisy room",
            staff="desk:ana",
            idempotency_key="goodwill",
        ),
        "loyalty.due_triggers": make(loyalty.due_triggers, w.now.add(days=1)),
        "loyalty.enrol": make(
            loyalty.enrol,
            name="Noa Levi",
            email="noa@example.com",
            phone="+972 50 123 4567",
            birthday=dt.date(1990, 5, 4),
            customer=ident(CustomerId.new()),
        ),
        "loyalty.expire_points": make(loyalty.expire_points),
        "loyalty.give_consent": make(
            loyalty.give_consent,
            ident(w.member),
            MessageChannel.EMAIL,
            granted=True,
            source="guest app",
        ),
        "loyalty.member": make(loyalty.member, ident(w.member)),
        "loyalty.merge": make(loyalty.merge, ident(w.member), ident(w.twin)),
        "loyalty.order_completed": make(loyalty.order_completed, ident(w.completed.id), at=w.now),
        "loyalty.order_refunded": make(loyalty.order_refunded, ident(w.completed.id)),
        "loyalty.profile": make(loyalty.profile, ident(w.member)),
        "loyalty.progress": make(loyalty.progress, ident(w.member)),
        "loyalty.publish": make(loyalty.publish, [_review_left(w)]),
        "loyalty.redeem_reward": make(
            loyalty.redeem_reward, ident(w.member), "EUR 10 off", idempotency_key="reward"
        ),
        "loyalty.refer": make(loyalty.refer, ident(w.member), ident(w.guest), converted=True),
        "loyalty.review_left": make(loyalty.review_left, _review_left(w)),
        "loyalty.run_triggers": make(loyalty.run_triggers),
        "loyalty.sign_in": make(loyalty.sign_in, ident(w.member)),
        "loyalty.status": make(loyalty.status, ident(w.member)),
        # -- guest data --
        "guest_data.export": make(app.guest_data.export, ident(w.member)),
        "guest_data.erase": make(app.guest_data.erase, ident(w.guest), at=w.now),
        # -- analytics --
        "analytics.kpis": make(
            app.analytics.kpis,
            dt.date(2026, 6, 1),
            dt.date(2026, 7, 1),
            currency="EUR",
            searches=120,
            point_value=eur("0.01"),
        ),
        "analytics.churn_watch": make(app.analytics.churn_watch, w.today, limit=5),
        "analytics.segments": make(app.analytics.segments, w.today),
    }


def _review_left(w: World) -> Make:
    return make(
        ReviewLeft,
        aggregate_id=ident(w.review.id),
        aggregate_version=1,
        occurred_at=w.now,
        order=ident(w.completed.id),
        customer=ident(w.member),
        ratings={"cleanliness": 5},
        overall=Decimal(5),
        text="Quiet garden.",
    )


CALLS: Callable[[World], dict[str, Make]] = _calls
"""One valid call of every public use-case method, against a prepared hotel."""

READS = frozenset(
    {
        "analytics.churn_watch",
        "analytics.kpis",
        "analytics.segments",
        "availability.check",
        "availability.export_entries",
        "availability.hold",
        "availability.search",
        "appointments.find",
        "appointments.free_slots",
        "booking.amount_due_now",
        "booking.get",
        "guest_data.export",
        "loyalty.account",
        "loyalty.due_triggers",
        "loyalty.member",
        "loyalty.profile",
        "loyalty.progress",
        "loyalty.status",
        "pricing.quote",
        "service_desk.get",
        "service_desk.report",
        "service_desk.unresolved",
    }
)
"""Methods that change nothing: a hotel that answered one may serve the next example."""


# -- the check -------------------------------------------------------------------------


class Hotel:
    """The prepared hotel, built again only when a call changed it."""

    def __init__(self, store: str | Callable[..., Any] = "memory") -> None:
        self._store = store
        self._world: World | None = None

    def world(self) -> World:
        """A hotel as prepared: the last one, if nothing changed it since."""
        if self._world is None:
            self._world = build_world(self._store)
        return self._world

    def spoiled(self) -> None:
        """The last call changed the hotel: prepare a new one next time."""
        self._world = None


def diff(before: object, after: object) -> str:
    """What changed between two snapshots, as a unified diff."""
    lines = difflib.unified_diff(
        pprint.pformat(before, width=100).splitlines(),
        pprint.pformat(after, width=100).splitlines(),
        "before",
        "after",
        lineterm="",
    )
    return "\n".join(list(lines)[:60])


def describe(value: object) -> str:
    """A short, printable description of a hostile value."""
    text = repr(value) if not isinstance(value, list) else f"list of {len(value)}"
    return text if len(text) < 80 else f"{text[:60]}... ({len(text)} chars)"


def attempt(hotel: Hotel, name: str, path: Path, value: object) -> None:
    """Call ``name`` with ``value`` at ``path``; fail unless the call kept the rules.

    Only a :class:`StaycoreError` may escape; a refused call must leave every store as
    it was; after an accepted call, the sweepers and searches must still run.
    """
    world = hotel.world()
    recipe = with_value(CALLS(world)[name], path, value)
    before = snapshot(world)
    where = f"{name}({path_name(path)}={describe(value)})"
    try:
        build(recipe)
    except StaycoreError:
        after = snapshot(world)
        if after != before:
            hotel.spoiled()
            msg = f"{where} was refused but changed the stores:\n{diff(before, after)}"
            raise AssertionError(msg) from None
        return
    except Exception as error:
        hotel.spoiled()
        trace = "".join(traceback.format_exception(error, limit=-4))
        msg = f"{where} let {type(error).__name__} escape:\n{trace}"
        raise AssertionError(msg) from None
    if name not in READS or snapshot(world) != before:
        hotel.spoiled()
        still_works(world, where)


def still_works(world: World, where: str) -> None:
    """The sweepers and searches run over what an accepted call stored."""
    app = world.app
    checks: list[tuple[str, Callable[[], object]]] = [
        ("booking.sweep", app.booking.sweep),
        ("service_desk.escalate_due", app.service_desk.escalate_due),
        ("service_desk.unresolved", app.service_desk.unresolved),
        ("loyalty.due_triggers", app.loyalty.due_triggers),
        ("availability.expire_due", app.availability.expire_due),
        ("appointments.expire_due", app.appointments.expire_due),
        (
            "availability.search",
            lambda: app.availability.search(
                SearchQuery(
                    stay=Stay.parse("2026-09-05/2026-09-07"), guests=2, booked_on=world.today
                )
            ),
        ),
        (
            "availability.export_entries",
            lambda: app.availability.export_entries(world.garden, SEASON, include_held=True),
        ),
        ("snapshot", lambda: snapshot(world)),
    ]
    for what, check in checks:
        try:
            check()
        except Exception as error:
            trace = "".join(traceback.format_exception(error, limit=-4))
            msg = f"{where} was accepted, and then {what} raised {type(error).__name__}:\n{trace}"
            raise AssertionError(msg) from None


def cases(world: World) -> list[tuple[str, Path]]:
    """Every (method, path) a hostile value can take, in table order."""
    return [(name, path) for name, recipe in CALLS(world).items() for path in paths(recipe)]


def case_id(name: str, path: Path) -> str:
    """``booking.place:command.guest.name``."""
    return f"{name}:{path_name(path)}"
