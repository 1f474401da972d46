"""A small hotel wired on the memory adapters and the sandbox gateway, on a frozen clock.

:class:`SandboxHotel` builds every port the order use cases need (in memory, unless
given other stores) around one unit type (the garden room, a few rooms of it), a rate
plan, breakfast vouchers in stock, and booking terms with a deposit and a tiered
cancellation policy. Tests, the
property tests and the demo book against it; a host can use it to try a flow before
wiring its own adapters.

Example:
    >>> from staycore.testing.hotel import SUCCEEDING_CARD, SandboxHotel
    >>> hotel = SandboxHotel()
    >>> order = hotel.orders.place(hotel.booking("2026-07-10/2026-07-13"), idempotency_key="k1")
    >>> order.status.value, str(order.value), str(hotel.orders.amount_due_now(order))
    ('awaiting_payment', 'EUR 360.00', 'EUR 108.00')
    >>> paid = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="k2")
    >>> paid.order.status.value, paid.order.payment_status.value
    ('confirmed', 'partially_paid')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from staycore.adapters.memory import RecordingNotifier, memory_stores
from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
from staycore.app.availability import Availability
from staycore.app.loyalty import Loyalty
from staycore.app.order_holds import OrderHolds
from staycore.app.orders import AddOnRequest, Orders, PlaceOrder, StayRequest
from staycore.app.pricing import Pricing
from staycore.app.reviews import Reviews
from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.inventory import NightCounts
from staycore.availability.nights import NightSelection
from staycore.availability.search import Listing
from staycore.availability.stock import ItemId, StockItem
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Clock, Stay
from staycore.membership.earning import EarningRules, SignInRule
from staycore.membership.ids import CustomerId
from staycore.membership.points import ExpiryPolicy
from staycore.membership.programme import LoyaltyProgramme, Reward
from staycore.membership.tags import DEFAULT_TAG_RULES
from staycore.membership.tiers import TierProgram
from staycore.membership.triggers import TriggerSettings
from staycore.orders.cancellation import CancellationPolicy, CancellationTier
from staycore.orders.lines import Guest
from staycore.orders.order import Order
from staycore.orders.payments import GatewayCapabilities
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.ports.stores import Stores
from staycore.pricing.coupons import Coupon
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion
from staycore.pricing.quote import Pricer
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.pricing.schema import derived_id
from staycore.testing.clock import FrozenClock

__all__ = [
    "SEASON",
    "SUCCEEDING_CARD",
    "SUMMER_CODE",
    "WEBHOOK_SECRET",
    "SandboxHotel",
    "garden_rewards",
    "moderate_policy",
]

WEBHOOK_SECRET = "whsec_sandbox"  # noqa: S105 - the sandbox's published test secret
"""The secret the hotel's sandbox gateway signs its webhooks with."""

SUMMER_CODE = "SUMMER10"
"""A coupon code for 10 % off, good for one order at a time."""

SEASON = Stay.parse("2026-06-01/2026-10-01")
"""The nights the hotel sells."""


def moderate_policy() -> CancellationPolicy:
    """Free until 7 days before arrival, half until the day before, nothing after.

    Example:
        >>> from staycore.testing.hotel import moderate_policy
        >>> [t.refund_percent for t in moderate_policy().tiers]
        [Decimal('100'), Decimal('50')]
    """
    return CancellationPolicy.tiered(
        "Moderate",
        [
            CancellationTier(notice=dt.timedelta(days=7), refund_percent=Decimal(100)),
            CancellationTier(notice=dt.timedelta(days=1), refund_percent=Decimal(50)),
        ],
    )


POINTS_OFF: Final = derived_id(PromotionId, "points-10")
"""The promotion a 1,000-point reward unlocks: EUR 10 off a stay."""

WELCOME_BACK: Final = derived_id(PromotionId, "welcome-back")
"""The promotion a win-back coupon unlocks: 15 % off a stay."""

SUMMER: Final = derived_id(PromotionId, "summer-10")
"""The 10 % promotion :data:`SUMMER_CODE` unlocks; the same in every hotel, so that two
hotels over one database (two processes, say) agree on the coupon."""


def garden_rewards() -> LoyaltyProgramme:
    """The hotel's loyalty programme, modelled on the big hotel programmes.

    Four tiers (:meth:`~staycore.membership.tiers.TierProgram.example`), 10 points per
    euro, 100 for a review, 500 for a friend who stays, 5 a day for signing in; points
    lapse after 24 months without activity; 1,000 points buy EUR 10 off; a guest away
    for half a year gets 15 % off to come back; Platinum arrivals prompt an upgrade.

    Example:
        >>> from staycore.testing.hotel import garden_rewards
        >>> [tier.name for tier in garden_rewards().tiers.tiers]
        ['Member', 'Silver', 'Gold', 'Platinum']
    """
    return LoyaltyProgramme(
        name="Garden Rewards",
        timezone="Europe/Paris",
        tiers=TierProgram.example("EUR"),
        earning=EarningRules(
            currency="EUR",
            points_per_unit=Decimal(10),
            referral_bonus=500,
            review_bonus=100,
            sign_in=SignInRule(points=5),
        ),
        expiry=ExpiryPolicy.inactivity(months=24),
        rewards=(Reward(name="EUR 10 off", points=1000, promotion=POINTS_OFF),),
        tag_rules=DEFAULT_TAG_RULES,
        triggers=TriggerSettings(upgrade_tiers={"Platinum"}),
        win_back_promotion=WELCOME_BACK,
    )


class SandboxHotel:
    """A hotel in Paris with a few garden rooms, on memory adapters and a sandbox gateway.

    Args:
        rooms: Garden rooms each night.
        now: Where the frozen clock starts.
        terms: The booking terms (default: 30 % deposit, balance 7 days before arrival,
            the moderate policy).
        capabilities: What the sandbox gateway offers.
        programme: The loyalty programme (default: :func:`garden_rewards`).
        stores: Builds the stores from the hotel's clock: the memory adapter's by
            default; ``lambda clock: sql_stores(database, clock)`` runs the same hotel
            on SQLite or PostgreSQL.

    Attributes:
        stores: Every store, as built.
        clock, store, inventory, availability, stock, coupons, pricing, gateway,
        notifier, queries, orders, reviews: The wired parts, for tests to drive and
            inspect.
        unit_type: The garden room.
        pricer: Its rate plan (EUR 120 a night) under a rule set whose only rule is a
            10 % promotion unlocked by :data:`SUMMER_CODE`.
        breakfast: A stock item, 20 vouchers.

    Example:
        See the module example.
    """

    def __init__(
        self,
        *,
        rooms: int = 2,
        now: str = "2026-06-01T09:00:00Z",
        terms: BookingTerms | None = None,
        capabilities: GatewayCapabilities | None = None,
        programme: LoyaltyProgramme | None = None,
        stores: Callable[[Clock], Stores] = memory_stores,
    ) -> None:
        self.clock = FrozenClock(now)
        self.stores = stores(self.clock)
        self.store = self.stores.aggregates
        self.inventory = self.stores.inventory
        self.availability = Availability(self.inventory, self.stores.restrictions, horizon=SEASON)
        self.unit_type = UnitTypeId.new()
        listing = Listing(PropertyId.new(), self.unit_type, "Garden room", 2)
        self.availability.open_unit_type(listing, SEASON)
        self.availability.set_capacity(self.unit_type, NightSelection.of(SEASON), rooms)
        self.stock = self.stores.stock
        self.breakfast = ItemId.new()
        self.stock.add_item(StockItem(id=self.breakfast, name="Breakfast voucher", on_hand=20))
        self.coupons = self.stores.coupons
        summer = Promotion(
            id=SUMMER, name="Summer 10 %", kind=DiscountKind.PERCENT, percent=Decimal(10)
        )
        self.coupons.add_coupons([Coupon(code=SUMMER_CODE, promotion=summer.id, max_uses=1)])
        points_off = Promotion(
            id=POINTS_OFF,
            name="Garden Rewards: EUR 10 off",
            kind=DiscountKind.AMOUNT,
            amount=Money.of("10.00", "EUR"),
        )
        welcome_back = Promotion(
            id=WELCOME_BACK, name="Welcome back", kind=DiscountKind.PERCENT, percent=Decimal(15)
        )
        self.pricing = Pricing(self.coupons, self.clock)
        self.pricer = Pricer(
            RatePlan(
                id=RatePlanId.new(),
                unit_type=self.unit_type,
                name="Garden room",
                base_price=Money.of("120.00", "EUR"),
            ),
            RuleSet(
                version="2026-summer",
                currency="EUR",
                timezone="Europe/Paris",
                promotions=[summer, points_off, welcome_back],
            ),
        )
        self.gateway = SandboxGateway(
            self.clock,
            secret=WEBHOOK_SECRET,
            capabilities=capabilities or GatewayCapabilities(),
        )
        self.notifier = RecordingNotifier()
        self.terms = terms or BookingTerms(
            timezone="Europe/Paris",
            schedule=PaymentSchedule.deposit_and_balance(Decimal(30), balance_days_before=7),
            cancellation=moderate_policy(),
        )
        self.queries = self.stores.orders
        self.orders = Orders(
            uow=self.store.unit_of_work,
            queries=self.queries,
            holds=OrderHolds(self.availability, self.stores.appointments, self.stock),
            pricing=self.pricing,
            gateway=self.gateway,
            notifier=self.notifier,
            idempotency=self.stores.idempotency,
            clock=self.clock,
            atomic=self.stores.atomic,
        )
        self.reviews = Reviews(uow=self.store.unit_of_work, queries=self.queries, clock=self.clock)
        self.ledger = self.stores.points
        self.loyalty = Loyalty(
            uow=self.store.unit_of_work,
            ledger=self.ledger,
            coupons=self.coupons,
            members=self.stores.members,
            orders=self.queries,
            notifier=self.notifier,
            idempotency=self.stores.idempotency,
            clock=self.clock,
            programme=programme or garden_rewards(),
        )
        self._relayed = 0

    def booking(
        self,
        *stays: str,
        guests: int = 2,
        breakfasts: int = 0,
        codes: Sequence[str] = (),
        terms: BookingTerms | None = None,
    ) -> PlaceOrder:
        """A command booking a garden room for each stay, quoted now.

        Stays are written ``"2026-07-10/2026-07-13"``; ``breakfasts`` vouchers come
        from stock.

        Example:
            >>> from staycore.testing.hotel import SandboxHotel
            >>> len(SandboxHotel().booking("2026-07-10/2026-07-12", breakfasts=2).add_ons)
            1
        """
        requests = [
            StayRequest(
                pricer=self.pricer,
                quote=self.pricing.quote(self.pricer, Stay.parse(s), Guests(guests), codes=codes),
            )
            for s in stays
        ]
        add_ons = (
            [
                AddOnRequest(
                    name="Breakfast voucher",
                    unit_price=Money.of("15.00", "EUR"),
                    quantity=breakfasts,
                    item=self.breakfast,
                )
            ]
            if breakfasts
            else []
        )
        return PlaceOrder(
            guest=Guest(name="Mei Tan", email="mei@example.com"),
            terms=terms or self.terms,
            stays=requests,
            add_ons=add_ons,
        )

    def deliver_webhooks(self) -> tuple[Order, ...]:
        """Hand every webhook the gateway sent to the order use cases, as an endpoint would.

        Example:
            >>> from staycore.testing.hotel import SandboxHotel
            >>> SandboxHotel().deliver_webhooks()
            ()
        """
        return tuple(
            order
            for webhook in self.gateway.webhooks()
            for order in self.orders.handle_webhook(webhook.body, webhook.headers)
        )

    def counts(self, stay: str) -> tuple[NightCounts, ...]:
        """The garden room's counts over ``stay``.

        Example:
            >>> from staycore.testing.hotel import SandboxHotel
            >>> [c.available for c in SandboxHotel().counts("2026-07-10/2026-07-12")]
            [2, 2]
        """
        return self.inventory.counts(self.unit_type, Stay.parse(stay))

    def relay(self) -> tuple[DomainEvent, ...]:
        """Hand the events committed since the last relay to the loyalty reactions.

        What an outbox relay does in a deployment (:meth:`Loyalty.publish
        <staycore.app.loyalty.Loyalty.publish>` is an event publisher).

        Example:
            >>> from staycore.testing.hotel import SandboxHotel
            >>> SandboxHotel().relay()
            ()
        """
        events = self.store.outbox()[self._relayed :]
        self._relayed += len(events)
        self.loyalty.publish(events)
        return events

    def stay_completed(self, customer: CustomerId, stay: str, *, guests: int = 2) -> Order:
        """Book ``stay`` for a member, pay it in full, stay, complete, and relay the events.

        The clock ends the morning after check-out.

        Example:
            >>> from staycore.testing.hotel import SandboxHotel
            >>> hotel = SandboxHotel()
            >>> mei = hotel.loyalty.enrol(name="Mei Tan", email="mei@example.com")
            >>> hotel.stay_completed(mei, "2026-07-10/2026-07-12").status.value
            'completed'
        """
        booking = self.booking(stay, guests=guests)
        booking = attrs.evolve(booking, guest=attrs.evolve(booking.guest, customer=customer))
        key = f"{customer}:{stay}"
        order = self.orders.place(booking, idempotency_key=f"{key}:place")
        self.orders.pay(
            order.id,
            method=SUCCEEDING_CARD,
            amount=order.value,
            idempotency_key=f"{key}:pay",
        )
        nights = Stay.parse(stay)
        self.clock.set(f"{nights.check_in.isoformat()}T14:00:00Z")
        self.orders.check_in(order.id, idempotency_key=f"{key}:in")
        self.clock.set(f"{nights.check_out.isoformat()}T09:00:00Z")
        self.orders.check_out(order.id, idempotency_key=f"{key}:out")
        completed = self.orders.complete(order.id, idempotency_key=f"{key}:done")
        self.relay()
        return completed
