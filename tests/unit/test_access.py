"""Who may call which use case, through Application.acting_as, and what the audit log keeps."""

from __future__ import annotations

import inspect

import pytest

import staycore
from staycore.adapters.payments.cards import SUCCEEDING_CARD
from staycore.app.access import (
    AUDITED,
    PERMISSIONS,
    AccessDeniedError,
    AccessPolicy,
    Actor,
    InvalidAccessPolicyError,
)
from staycore.app.configuration import CONFIGURATION_CHANGED
from staycore.app.orders import PlaceOrder, StayRequest
from staycore.application import Application
from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.search import Listing
from staycore.kernel.audit import AuditRecord, digest_of, verify_chain
from staycore.kernel.events import plain_value
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.ids import CustomerId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import Guest
from staycore.orders.order import Order
from staycore.orders.terms import BookingTerms
from staycore.pricing.ids import RatePlanId
from staycore.pricing.quote import Pricer
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.testing.clock import FrozenClock
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import garden_rewards

SEASON = Stay.parse("2026-06-01/2026-12-31")
MEI = CustomerId.new()
LEI = CustomerId.new()
DESK = Actor(id="staff:ana", roles={"front_desk"})
OWNER = Actor(id="staff:boss", roles={"owner"})


GARDEN = UnitTypeId.new()
PRICER = Pricer(
    RatePlan(id=RatePlanId.new(), unit_type=GARDEN, name="Garden", base_price=Money.of(100, "EUR")),
    RuleSet(version="1", currency="EUR", timezone="Europe/Paris"),
)


def calls_audited(app: Application) -> tuple[AuditRecord, ...]:
    """The audit records of calls, without the configuration bootstrap and quotes record."""
    records = app.stores.audit.records()
    return tuple(r for r in records if r.entry.action != CONFIGURATION_CHANGED)


@pytest.fixture
def app() -> Application:
    """A garden hotel, open for the season, with a loyalty programme."""
    built = staycore.bootstrap(
        store="memory", clock=FrozenClock("2026-06-01T09:00:00Z"), programme=garden_rewards()
    )
    built.availability.open_unit_type(Listing(PropertyId.new(), GARDEN, "Garden", 2), SEASON)
    built.availability.set_capacity(GARDEN, NightSelection.of(SEASON), 3)
    return built


def booking(app: Application, customer: CustomerId | None) -> PlaceOrder:
    pricer = PRICER
    quote = app.pricing.quote(pricer, Stay.parse("2026-07-10/2026-07-12"), Guests(2))
    return PlaceOrder(
        guest=Guest(name="Mei Tan", email="mei@example.com", customer=customer),
        terms=BookingTerms(timezone="Europe/Paris"),
        stays=[StayRequest(pricer=pricer, quote=quote)],
    )


def test_every_use_case_needs_a_named_permission(app: Application) -> None:
    """A new use case without an entry would be refused to everyone but owners: list it."""
    contexts = {
        "availability": app.availability,
        "pricing": app.pricing,
        "booking": app.booking,
        "reviews": app.reviews,
        "appointments": app.appointments,
        "service_desk": app.service_desk,
        "loyalty": app.loyalty,
        "guest_data": app.guest_data,
        "analytics": app.analytics,
    }
    offered = {
        f"{context}.{name}"
        for context, use_cases in contexts.items()
        for name, member in inspect.getmembers(use_cases)
        if not name.startswith("_") and inspect.ismethod(member)
    }
    assert offered == set(PERMISSIONS)
    assert set(AUDITED) <= set(PERMISSIONS.values())


@pytest.mark.parametrize(
    ("roles", "operation", "allowed"),
    [
        ({"front_desk"}, "booking.check_in", True),
        ({"front_desk"}, "booking.capture", False),
        ({"front_desk"}, "booking.pay", False),
        ({"marketing"}, "loyalty.profile", True),
        ({"marketing"}, "loyalty.enrol", False),
        ({"marketing"}, "loyalty.adjust", False),
        ({"marketing"}, "booking.get", False),
        ({"support"}, "service_desk.respond", True),
        ({"support"}, "booking.pay", False),
        ({"finance"}, "booking.capture", True),
        ({"finance"}, "loyalty.adjust", True),
        ({"finance"}, "availability.set_capacity", False),
        ({"system"}, "booking.sweep", True),
        ({"system"}, "booking.cancel", False),
        ({"owner"}, "availability.set_capacity", True),
        ({"guest"}, "booking.place", True),
        ({"guest"}, "booking.check_in", False),
        (set(), "pricing.quote", False),
        ({"front_desk", "finance"}, "booking.capture", True),
    ],
)
def test_the_least_privilege_roles(roles: set[str], operation: str, allowed: bool) -> None:
    policy = AccessPolicy.least_privilege()
    assert policy.allows(Actor(id="someone", roles=roles), operation) is allowed


def test_a_refused_call_is_audited_and_changes_nothing(app: Application) -> None:
    order = app.booking.place(booking(app, MEI), idempotency_key="k1")
    desk = app.acting_as(DESK)
    error = assert_refused(
        AccessDeniedError,
        "access.denied",
        "needs payments.manage",
        lambda: desk.booking.capture(order.id, idempotency_key="cap"),
    )
    assert "staff:ana" in str(error)
    [denied] = calls_audited(app)
    assert (denied.entry.actor, denied.entry.action, denied.entry.record) == (
        "staff:ana",
        "access.denied:booking.capture",
        str(order.id),
    )
    assert denied.entry.detail == "payments.manage"
    assert app.booking.get(order.id) == order


def test_money_moved_is_audited_with_the_order_before_and_after(app: Application) -> None:
    order = app.booking.place(booking(app, MEI), idempotency_key="k1")
    finance = app.acting_as(Actor(id="staff:fin", roles={"finance"}))
    finance.booking.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p1")
    paid = app.booking.get(order.id)
    finance.booking.cancel(order.id, reason="guest called", idempotency_key="c1")
    cancelled = app.booking.get(order.id)
    records = calls_audited(app)
    assert [(r.entry.actor, r.entry.action) for r in records] == [
        ("staff:fin", "booking.pay"),
        ("staff:fin", "booking.cancel"),
    ]
    pay, cancel = (r.entry for r in records)
    assert pay.record == str(order.id)
    assert pay.before_digest == digest_of(plain_value(order))
    assert pay.after_digest not in (None, pay.before_digest)
    # The digests are of the records as stored, not as the actor was shown them.
    assert cancel.before_digest == digest_of(plain_value(paid))
    assert cancel.after_digest == digest_of(plain_value(cancelled))
    assert cancelled.status is OrderStatus.CANCELLED
    assert verify_chain(app.stores.audit.records()).ok


def test_reading_is_not_audited(app: Application) -> None:
    order = app.booking.place(booking(app, MEI), idempotency_key="k1")
    assert app.acting_as(DESK).booking.get(order.id).status is order.status
    assert calls_audited(app) == ()


def test_only_owners_and_the_guest_see_personal_data_as_it_is(app: Application) -> None:
    order = app.booking.place(booking(app, MEI), idempotency_key="k1")
    shown = app.acting_as(DESK).booking.get(order.id)
    assert (shown.guest.name, shown.guest.email) == ("M***", "m***@example.com")
    assert (shown.id, shown.status, shown.balance) == (order.id, order.status, order.balance)
    assert app.acting_as(OWNER).booking.get(order.id).guest == order.guest
    assert app.acting_as(Actor.guest(MEI)).booking.get(order.id).guest == order.guest
    assert app.booking.get(order.id) == order  # masking is for display: nothing stored changes


def test_a_guest_reaches_their_own_orders_only(app: Application) -> None:
    mei = app.acting_as(Actor.guest(MEI))
    lei = app.acting_as(Actor.guest(LEI))
    order = mei.booking.place(booking(app, MEI), idempotency_key="k1")
    assert order.guest.customer == MEI
    assert mei.booking.get(order.id).id == order.id
    assert_refused(
        AccessDeniedError,
        "access.denied",
        "their own records only",
        lambda: lei.booking.get(order.id),
    )
    assert_refused(
        AccessDeniedError,
        "access.denied",
        "their own records only",
        lambda: lei.booking.cancel(order.id, reason="not mine", idempotency_key="c1"),
    )
    assert app.booking.get(order.id).status is OrderStatus.AWAITING_PAYMENT
    # Booking for someone else is refused too: the order would not be theirs.
    assert_refused(
        AccessDeniedError,
        "access.denied",
        "booking.place",
        lambda: lei.booking.place(booking(app, MEI), idempotency_key="k2"),
    )
    paid = mei.booking.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p1")
    assert paid.order.status is OrderStatus.CONFIRMED
    assert mei.loyalty.account(MEI).balance == 0
    assert_refused(
        AccessDeniedError, "access.denied", "own records", lambda: lei.loyalty.profile(MEI)
    )


def test_the_owner_may_do_everything_and_everything_they_change_is_audited(
    app: Application,
) -> None:
    owner = app.acting_as(OWNER)
    order = owner.booking.place(booking(app, None), idempotency_key="k1")
    owner.booking.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p1")
    actions = [r.entry.action for r in calls_audited(app)]
    assert actions == ["booking.place", "booking.pay"]
    assert calls_audited(app)[0].entry.record == str(order.id)


def test_attributes_that_are_not_use_cases_stay_with_the_application(app: Application) -> None:
    desk = app.acting_as(DESK)
    assert_refused(
        AccessDeniedError, "access.denied", "not a use case", lambda: desk.availability.index
    )
    assert app.availability.index is not None


def test_a_policy_is_data_and_bad_data_says_what_to_fix() -> None:
    night = AccessPolicy.from_data({"night_audit": ["stays.manage", "orders.read:own"]})
    auditor = Actor(id="staff:lu", roles={"night_audit"})
    assert night.allows(auditor, "booking.mark_no_show")
    assert night.allows(auditor, "booking.get")  # on their own records, when checked
    assert not night.allows(auditor, "booking.pay")
    wider = AccessPolicy.from_data({"r": ["orders.read:own", "orders.read"]})
    assert wider.reach(Actor(id="x", roles={"r"}), "orders.read") is not None
    for data, says in [
        ({"intern": ["orders.delete"]}, "no permission"),
        ({"intern": ["orders.read:mine"]}, "':own'"),
        ({"intern": "orders.read"}, "list of permissions"),
        (["orders.read"], "maps roles"),
    ]:
        assert_refused(
            InvalidAccessPolicyError,
            "access.invalid_policy",
            says,
            lambda data=data: AccessPolicy.from_data(data),  # type: ignore[misc]
        )
    assert_refused(
        InvalidAccessPolicyError, "access.invalid_policy", "staff:ana", lambda: Actor("", {"a"})
    )
    assert_refused(
        InvalidAccessPolicyError, "access.invalid_policy", "set of names", lambda: Actor("a", "b")
    )
    assert_refused(
        AccessDeniedError, "access.denied", "no use case", lambda: night.needs("booking.delete")
    )


def test_the_gate_reads_the_record_an_id_names(app: Application) -> None:
    """Ownership and digests read the record an id names, for each kind the gate knows."""
    order = app.booking.place(booking(app, MEI), idempotency_key="k1")
    assert isinstance(app._record_of(order.id), Order)
    assert app._record_of(CustomerId.new()) is None
