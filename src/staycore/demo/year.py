"""A year at the homestay, day by day, through the real use cases.

:func:`simulate_year` runs a :class:`~staycore.demo.guests.Plan` through an
:class:`~staycore.application.Application` on a frozen clock that it moves on day by
day. Each day, in the property's order of things:

* **05:00 UTC**, the sweeper (:meth:`~staycore.app.orders.Orders.sweep`): unpaid
  orders expire, yesterday's missing arrivals become no-shows, guests are reminded of
  their balance; the service desk escalates what is late;
* **08:00**, departures: check-out, completion, reviews; requests resolved overnight;
* **10:00**, the office: cancellations (refunded under the policy), changes of dates
  (priced again, the difference charged or refunded), balances paid after a reminder,
  and the day's bookings: a search, a quote (with the guest's tier and coupon), the
  order (with a massage, sometimes), the deposit through the sandbox gateway (a card
  declined now and then, and paid again with another); on the first of some months,
  the loyalty triggers (win-back offers, which bring some guests back);
* **13:00**, arrivals: the balance at the desk if it is still due, then check-in;
* **18:00**, requests to the desk (towels, a leak, a complaint);
* at night, the outbox relay hands the day's events to the loyalty programme, which
  earns points, moves members up a tier, and records reviews; members who can afford
  a reward spend points on it.

Nothing is written to a store directly: every change is a use case's. The same plan
on the same kind of store gives the same year.

Example:
    >>> import staycore
    >>> from staycore.adapters.payments import SandboxGateway
    >>> from staycore.demo.guests import plan_year
    >>> from staycore.demo.year import simulate_year
    >>> from staycore.testing.clock import FrozenClock
    >>> from staycore.testing.hotel import garden_rewards
    >>> clock = FrozenClock("2026-01-01T05:00:00Z")
    >>> gateway = SandboxGateway(clock, secret="whsec_demo")
    >>> app = staycore.bootstrap(store="memory", clock=clock, payments=gateway,
    ...                          programme=garden_rewards())
    >>> plan = plan_year(seed=3, guests=30, days=60, year=2026)
    >>> year = simulate_year(app, gateway, plan, days=60)
    >>> year.counts.placed > 0, year.counts.completed > 0
    (True, True)
    >>> str(clock.now())
    '2026-03-02 05:00:00+00:00'
"""

from __future__ import annotations

import collections
import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from staycore.adapters.payments import SandboxGateway
from staycore.adapters.payments.cards import (
    DECLINED_CARD,
    INSUFFICIENT_FUNDS_CARD,
    SUCCEEDING_CARD,
)
from staycore.app.orders import NothingToPayError, PlaceOrder, SlotRequest, StayRequest
from staycore.application import Application
from staycore.availability.errors import AvailabilityError
from staycore.availability.search import SearchQuery
from staycore.demo.guests import Fate, Guest, Plan, Request, Trip
from staycore.demo.homestay import Homestay, open_homestay
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.membership.members import TierChanged
from staycore.membership.points import InsufficientPointsError
from staycore.membership.triggers import TriggerKind
from staycore.orders.errors import OrderError
from staycore.orders.ids import LineId, OrderId
from staycore.orders.lines import Guest as OrderGuest
from staycore.orders.lines import StayLine
from staycore.orders.order import Order
from staycore.ports.events import EventPublisher
from staycore.ports.notifier import Channel
from staycore.pricing.errors import PricingError
from staycore.pricing.rate_plans import Guests
from staycore.testing.clock import FrozenClock

if TYPE_CHECKING:
    from staycore.adapters.sql import OutboxRelay

__all__ = ["Booking", "Counts", "Payments", "Year", "simulate_year"]

Progress = Callable[[int, int], None]
"""Told ``(days done, days in all)`` after each simulated day."""

# The months whose first day runs the loyalty triggers: win-back offers go to members
# away for half a year, so the spring's drifters are due from the summer on.
_TRIGGER_MONTHS: Final = (8, 10, 12)
# What share of guests who receive a win-back offer book again with it.
_COME_BACK: Final = 0.5
# The other arrival days a guest searches before booking, in the order they look.
_LOOKS: Final = (1, -1, 2)
# How long after its opening a request can still breach a deadline (72 hours at most).
_DEADLINES: Final = dt.timedelta(days=4)


@attrs.define
class Booking:
    """An order the simulation placed, as the guest who placed it knows it.

    Attributes:
        trip: The trip it is for.
        order: The order.
        customer: The guest's customer id.
        line: The stay line.
        stay: Its nights now (a change of dates moves them).
        room: The room type booked.
        value: What it costs now.
        paid: What the guest paid so far (the simulation's own count).
        state: ``"unpaid"``, ``"booked"``, ``"in-house"``, ``"stayed"``, ``"cancelled"``,
            ``"no-show"`` or ``"expired"``.
    """

    trip: Trip
    order: OrderId
    customer: CustomerId
    line: LineId
    stay: Stay
    room: str
    value: Money
    paid: Money
    state: str = "booked"

    @property
    def owes(self) -> bool:
        """Whether the guest still has something to pay, by their own count."""
        return self.paid < self.value


@attrs.define
class Payments:
    """Money the guests handed over, by occasion, as the simulation counted it."""

    deposits: list[Money] = attrs.Factory(list)
    in_full: list[Money] = attrs.Factory(list)
    balances: list[Money] = attrs.Factory(list)
    at_desk: list[Money] = attrs.Factory(list)
    date_changes: list[Money] = attrs.Factory(list)


@attrs.define
class Counts:
    """What happened over the year, counted as it happened."""

    searches: int = 0
    searches_on: collections.Counter[dt.date] = attrs.Factory(collections.Counter)
    quotes: int = 0
    turned_away: int = 0
    lengthened: int = 0
    placed: int = 0
    declined: int = 0
    abandoned: int = 0
    expired: int = 0
    coupons: collections.Counter[str] = attrs.Factory(collections.Counter)
    coupons_refused: int = 0
    spa: int = 0
    spa_full: int = 0
    cancelled: int = 0
    changed: int = 0
    change_refused: int = 0
    no_shows: int = 0
    checked_in: int = 0
    completed: int = 0
    reviews: int = 0
    requests: collections.Counter[str] = attrs.Factory(collections.Counter)
    escalations: int = 0
    reminders: int = 0
    rewards: int = 0
    win_backs: int = 0


@attrs.define(eq=False)
class Year:
    """What :func:`simulate_year` did: the homestay, the guests, their orders, the counts.

    Attributes:
        app: The application it ran on (still open).
        gateway: The sandbox gateway the money went through.
        homestay: The homestay.
        plan: The guests and their planned trips.
        bookings: Every order placed, in booking order.
        customers: Each guest's customer id, by guest number, once they booked.
        counts: What happened.
        payments: What guests paid, by occasion.
        start: The first day.
        end: The day after the last.
    """

    app: Application
    gateway: SandboxGateway
    homestay: Homestay
    plan: Plan
    bookings: list[Booking]
    customers: dict[int, CustomerId]
    counts: Counts
    payments: Payments
    start: dt.date
    end: dt.date

    def orders(self) -> list[Order]:
        """The year's orders as committed, in booking order.

        Example:
            Continuing the module example above:

            >>> orders = year.orders()
            >>> len(orders) == year.counts.placed, orders[0].id == year.bookings[0].order
            (True, True)
        """
        wanted = {booking.order: number for number, booking in enumerate(self.bookings)}
        found = [o for o in self.app.stores.aggregates.committed(Order) if o.id in wanted]
        return sorted(found, key=lambda order: wanted[order.id])

    def guest(self, customer: CustomerId) -> Guest:
        """The guest whose customer id is ``customer``.

        Example:
            Continuing the module example above:

            >>> booking = year.bookings[0]
            >>> year.guest(booking.customer).number == booking.trip.guest
            True
        """
        number = next(n for n, known in self.customers.items() if known == customer)
        return self.plan.guests[number]


def simulate_year(
    app: Application,
    gateway: SandboxGateway,
    plan: Plan,
    *,
    days: int = 365,
    progress: Progress | None = None,
) -> Year:
    """Run ``plan`` through ``app`` for ``days`` days from the clock's first of January.

    Args:
        app: The application, built with a :class:`~staycore.testing.clock.FrozenClock`
            on 1 January at 05:00 UTC, ``gateway`` as its payments and a loyalty
            programme whose reward and win-back promotions are
            :func:`~staycore.testing.hotel.garden_rewards`'.
        gateway: The sandbox gateway ``app`` pays through.
        plan: The guests and their trips (:func:`~staycore.demo.guests.plan_year`).
        days: How many days to run.
        progress: Told after each day how far the year has gone.

    Returns:
        The year, with the application still open for reading.

    Example:
        See the module example.
    """
    run = _Run(app, gateway, plan, days=days)
    for done in range(days):
        run.day(run.start + dt.timedelta(days=done))
        if progress is not None:
            progress(done + 1, days)
    run.morning(run.start + dt.timedelta(days=days))  # the last night's no-shows
    run.relay()
    return Year(
        app=app,
        gateway=gateway,
        homestay=run.homestay,
        plan=plan,
        bookings=run.bookings,
        customers=run.customers,
        counts=run.counts,
        payments=run.payments,
        start=run.start,
        end=run.start + dt.timedelta(days=days),
    )


class _Run:
    """The simulation's state between days; see the module documentation."""

    def __init__(self, app: Application, gateway: SandboxGateway, plan: Plan, *, days: int) -> None:
        self.app = app
        self.gateway = gateway
        self.plan = plan
        if not isinstance(app.clock, FrozenClock):
            msg = (
                "simulate_year moves the clock day by day: build the application with "
                f"clock=FrozenClock(...), not {app.clock!r}"
            )
            raise TypeError(msg)
        self.clock = app.clock
        self.start = self.clock.now().date()
        self.homestay = open_homestay(app, self.start.year)
        # Who answers a win-back offer: seeded by the plan, so the same plan, the same year.
        self.rng = random.Random(len(plan.trips))  # noqa: S311 - a repeatable draw
        self.counts = Counts()
        self.payments = Payments()
        self.bookings: list[Booking] = []
        self.customers: dict[int, CustomerId] = {}
        self._by_order: dict[OrderId, Booking] = {}
        self._booking_days: dict[dt.date, list[Trip]] = collections.defaultdict(list)
        for trip in plan.trips:
            self._booking_days[trip.booked_on].append(trip)
        self._trips = len(plan.trips)
        self._last = self.start + dt.timedelta(days=days)
        self._codes: dict[int, list[str]] = collections.defaultdict(list)
        self._reminded: set[OrderId] = set()
        self._resolve: dict[dt.date, list[tuple[ServiceRequestId, Booking]]] = (
            collections.defaultdict(list)
        )
        self._done_today: list[Booking] = []
        self._unresolved: dict[ServiceRequestId, dt.date] = {}
        self._relay = _Relay(app)

    # -- the day ---------------------------------------------------------------------

    def day(self, day: dt.date) -> None:
        """Live ``day``, from the morning sweep to the night's relay."""
        self.morning(day)
        self._departures(day)
        self._office(day)
        self._arrivals(day)
        self._evening(day)
        self.relay()
        self._rewards()

    def morning(self, day: dt.date) -> None:
        """The sweeper, then the service desk's escalations if any can be due."""
        self._at(day, 5)
        swept = self.app.booking.sweep()
        for order in swept.expired:
            if (booking := self._by_order.get(order)) is not None:
                booking.state = "expired"
                self.counts.expired += 1
        for order in swept.no_shows:
            if (booking := self._by_order.get(order)) is not None:
                booking.state = "no-show"
                self.counts.no_shows += 1
        self.counts.reminders += len(swept.reminded)
        self._reminded.update(swept.reminded)
        # A request's deadlines all fall within three days of its opening, and each is
        # escalated once: the desk's sweep has nothing new to find after that.
        if any(day - opened <= _DEADLINES for opened in self._unresolved.values()):
            self.counts.escalations += len(self.app.service_desk.escalate_due())

    def relay(self) -> None:
        """Hand the day's events to the loyalty programme."""
        self._relay.run()

    def _departures(self, day: dt.date) -> None:
        self._at(day, 8)
        leaving = [b for b in self.bookings if b.state == "in-house" and b.stay.check_out == day]
        for booking in leaving:
            key = f"trip-{booking.trip.number}"
            self.app.booking.check_out(booking.order, idempotency_key=f"{key}:out")
            self.app.booking.complete(booking.order, idempotency_key=f"{key}:done")
            booking.state = "stayed"
            self.counts.completed += 1
            self._done_today.append(booking)
        self._at(day, 9)
        for booking in leaving:
            scores = booking.trip.fate.review
            if scores is not None:
                names = ("cleanliness", "service", "location", "value")
                self.app.reviews.leave(booking.order, ratings=dict(zip(names, scores, strict=True)))
                self.counts.reviews += 1
        for request, booking in self._resolve.pop(day, []):
            self._resolve_request(request, booking)

    def _office(self, day: dt.date) -> None:
        self._at(day, 10)
        for booking in self._live():
            fate = booking.trip.fate
            if fate.cancel_on == day:
                self._cancel(booking)
            elif fate.change_on == day:
                self._change_dates(booking, day)
        for booking in self._live():
            if booking.order in self._reminded and not booking.trip.fate.balance_at_desk:
                self._pay_balance(booking, desk=False)
        self._reminded.clear()
        if day.day == 1 and day.month in _TRIGGER_MONTHS:
            self._triggers(day)
        for trip in self._booking_days.pop(day, []):
            self._book(trip, day)

    def _arrivals(self, day: dt.date) -> None:
        self._at(day, 13)
        for booking in self._live():
            if booking.stay.check_in != day or booking.trip.fate.no_show:
                continue
            self._pay_balance(booking, desk=True)
            key = f"trip-{booking.trip.number}"
            self.app.booking.check_in(booking.order, idempotency_key=f"{key}:in")
            booking.state = "in-house"
            self.counts.checked_in += 1

    def _evening(self, day: dt.date) -> None:
        self._at(day, 18)
        opened = []
        for booking in self.bookings:
            request = booking.trip.fate.request
            if booking.state != "in-house" or booking.stay.check_in != day or request is None:
                continue
            made = self.app.service_desk.open(
                booking.customer,
                category=request.category,
                text=_REQUEST_TEXT[request],
                order=booking.order,
                idempotency_key=f"trip-{booking.trip.number}:request",
            )
            self.counts.requests[request.value] += 1
            self._unresolved[made.id] = day
            opened.append((made.id, booking, request))
        self._at(day, 18, minute=20)
        for request_id, booking, request in opened:
            if request is Request.HOUSEKEEPING:
                self._resolve_request(request_id, booking)
                continue
            self.app.service_desk.respond(
                request_id, by=_TEAM[request.category], text="We are on it."
            )
            if request is not Request.OPEN_COMPLAINT:
                later = 3 if request is Request.SLOW_COMPLAINT else 1
                self._resolve[day + dt.timedelta(days=later)].append((request_id, booking))

    # -- what guests do --------------------------------------------------------------

    def _book(self, trip: Trip, day: dt.date) -> None:
        guest = self.plan.guests[trip.guest]
        customer = self._customer(guest)
        stay = trip.stay
        for shift in _LOOKS[: trip.fate.looks]:  # other dates first, to compare
            if stay.check_in + dt.timedelta(days=shift) > day:
                moved = dt.timedelta(days=shift)
                self._room(trip, Stay(stay.check_in + moved, stay.check_out + moved), day)
        room = self._room(trip, stay, day)
        if room is None and stay.nights == 1:
            # A summer weekend wants two nights: the guest stays a second one.
            stay = Stay(stay.check_in, stay.check_out + dt.timedelta(days=1))
            room = self._room(trip, stay, day)
            self.counts.lengthened += room is not None
        if room is None:
            self.counts.turned_away += 1
            return
        tier = self._relay.tiers.get(customer, _ENTRY) if guest.member else None
        codes = self._codes[guest.number][:1] or ([trip.fate.coupon] if trip.fate.coupon else [])
        slots = self._spa(trip.fate, stay)
        order = self._place(
            trip,
            guest=guest,
            customer=customer,
            room=room,
            stay=stay,
            tier=tier,
            codes=codes,
            slots=slots,
        )
        if order is None:
            self.counts.turned_away += 1
            return
        if codes and codes[0] in self._codes[guest.number]:
            self._codes[guest.number].remove(codes[0])
        line = next(line for line in order.lines if isinstance(line, StayLine))
        booking = Booking(
            trip=trip,
            order=order.id,
            customer=customer,
            line=line.id,
            stay=stay,
            room=room,
            value=order.value,
            paid=Money.zero(order.currency),
            state="unpaid",
        )
        self.bookings.append(booking)
        self._by_order[order.id] = booking
        self.counts.placed += 1
        self.counts.spa += bool(slots)
        key = f"trip-{trip.number}"
        if trip.fate.declined:
            card = DECLINED_CARD if trip.number % 2 else INSUFFICIENT_FUNDS_CARD
            self.app.booking.pay(order.id, method=card, idempotency_key=f"{key}:card")
            self.counts.declined += 1
            if trip.fate.abandons:
                self.counts.abandoned += 1
                return
        paid = self.app.booking.pay(order.id, method=SUCCEEDING_CARD, idempotency_key=f"{key}:pay")
        amount = paid.movement.amount
        booking.paid += amount
        booking.state = "booked"
        (self.payments.in_full if amount == order.value else self.payments.deposits).append(amount)

    def _place(
        self,
        trip: Trip,
        *,
        guest: Guest,
        customer: CustomerId,
        room: str,
        stay: Stay,
        tier: str | None,
        codes: list[str],
        slots: list[SlotRequest],
    ) -> Order | None:
        """Quote and place the order; again without the codes or the massage if refused."""
        pricer = self.homestay.pricer(room)
        attempts = [(codes, slots), ([], slots), ([], [])]
        for attempt, (typed, treatments) in enumerate(attempts):
            if attempt and (typed, treatments) == attempts[attempt - 1]:
                continue
            quote = self.app.pricing.quote(pricer, stay, Guests(trip.party), codes=typed, tier=tier)
            self.counts.quotes += 1
            self.counts.coupons_refused += len(typed) - len(quote.coupon_discounts)
            command = PlaceOrder(
                guest=OrderGuest(name=guest.name, email=guest.email, customer=customer),
                customer=customer,
                terms=self.homestay.terms,
                stays=[StayRequest(pricer=pricer, quote=quote)],
                slots=treatments,
            )
            try:
                order = self.app.booking.place(
                    command, idempotency_key=f"trip-{trip.number}:place:{attempt}"
                )
            except PricingError:  # the code ran out meanwhile: book without it
                self.counts.coupons_refused += 1
                continue
            except AvailabilityError:
                if not treatments:
                    return None
                self.counts.spa_full += 1
                continue
            for code, _ in quote.coupon_discounts:
                self.counts.coupons[_code_kind(code)] += 1
            return order
        return None

    def _room(self, trip: Trip, stay: Stay, day: dt.date) -> str | None:
        """The room type the guest books: the one they wanted, or another that is free."""
        self.counts.searches += 1
        self.counts.searches_on[day] += 1
        found = self.app.availability.search(SearchQuery(stay, guests=trip.party, booked_on=day))
        names = [listing.name for listing in found.bookable()]
        if trip.room in names:
            return trip.room
        return names[0] if names else None

    def _spa(self, fate: Fate, stay: Stay) -> list[SlotRequest]:
        """A treatment on the second day of the stay (the first, for one night), if wanted."""
        if fate.spa is None:
            return []
        therapist = self.homestay.therapists[fate.spa]
        day = stay.check_in + dt.timedelta(days=1 if stay.nights > 1 else 0)
        free = self.app.appointments.free_slots(therapist.resource.id, day)
        if not free:
            self.counts.spa_full += 1
            return []
        chosen = free[min(int(fate.spa_pick * len(free)), len(free) - 1)]
        return [
            SlotRequest(resource=therapist.resource.id, slot=chosen.slot, price=therapist.price)
        ]

    def _customer(self, guest: Guest) -> CustomerId:
        """The guest's customer id; a member enrols at the first booking."""
        known = self.customers.get(guest.number)
        if known is not None:
            return known
        customer = CustomerId.new()
        if guest.member:
            self.app.loyalty.enrol(name=guest.name, email=guest.email, customer=customer)
            if guest.consents:
                self.app.loyalty.give_consent(
                    customer, Channel.EMAIL, granted=True, source="booking form"
                )
        self.customers[guest.number] = customer
        return customer

    def _cancel(self, booking: Booking) -> None:
        key = f"trip-{booking.trip.number}:cancel"
        self.app.booking.cancel(booking.order, idempotency_key=key)
        booking.state = "cancelled"
        self.counts.cancelled += 1

    def _change_dates(self, booking: Booking, day: dt.date) -> None:
        shift = dt.timedelta(days=booking.trip.fate.shift)
        moved = Stay(booking.stay.check_in + shift, booking.stay.check_out + shift)
        if moved.check_in <= day or moved.check_out > self._last:
            return
        guest = self.plan.guests[booking.trip.guest]
        tier = self._relay.tiers.get(booking.customer, _ENTRY) if guest.member else None
        try:
            order = self.app.booking.change_dates(
                booking.order,
                booking.line,
                stay=moved,
                pricer=self.homestay.pricer(booking.room),
                method=SUCCEEDING_CARD,
                tier=tier,
                idempotency_key=f"trip-{booking.trip.number}:change",
            )
        except (AvailabilityError, OrderError):
            self.counts.change_refused += 1
            return
        dearer = order.received - booking.paid
        if dearer.is_positive:
            self.payments.date_changes.append(dearer)
        booking.stay, booking.value, booking.paid = moved, order.value, order.received
        self.counts.changed += 1

    def _pay_balance(self, booking: Booking, *, desk: bool) -> None:
        if not booking.owes:
            return
        where = "desk" if desk else "balance"
        try:
            paid = self.app.booking.pay(
                booking.order,
                method=SUCCEEDING_CARD,
                idempotency_key=f"trip-{booking.trip.number}:{where}",
            )
        except NothingToPayError:
            return
        booking.paid += paid.movement.amount
        (self.payments.at_desk if desk else self.payments.balances).append(paid.movement.amount)

    def _resolve_request(self, request: ServiceRequestId, booking: Booking) -> None:
        kind = booking.trip.fate.request
        assert kind is not None  # noqa: S101 - only requests made are resolved
        self.app.service_desk.resolve(request, by=_TEAM[kind.category], text=_RESOLVED[kind])
        del self._unresolved[request]
        guest = self.plan.guests[booking.trip.guest]
        rating = max(1, min(5, round(guest.mood - (1 if kind.category == "complaint" else 0))))
        self.app.service_desk.close_with_rating(request, rating=rating)

    def _rewards(self) -> None:
        """Members who completed a stay today spend points on a reward if they can."""
        for booking in self._done_today:
            guest = self.plan.guests[booking.trip.guest]
            if not guest.redeems or self._codes[guest.number]:
                continue  # not a guest who redeems, or one with a reward still to use
            try:
                redeemed = self.app.loyalty.redeem_reward(
                    booking.customer, "EUR 10 off", idempotency_key=str(booking.order)
                )
            except InsufficientPointsError:
                continue
            if redeemed.coupon is not None:
                self._codes[guest.number].append(redeemed.coupon)
                self.counts.rewards += 1
        self._done_today.clear()

    def _triggers(self, day: dt.date) -> None:
        """Run the loyalty triggers; some guests offered a way back take it."""
        by_customer = {customer: number for number, customer in self.customers.items()}
        outcomes = sorted(
            (
                outcome
                for outcome in self.app.loyalty.run_triggers()
                if outcome.action.customer in by_customer
            ),
            key=lambda outcome: (by_customer[outcome.action.customer], outcome.action.key),
        )
        for outcome in outcomes:
            if outcome.action.kind is not TriggerKind.WIN_BACK or not outcome.done:
                continue
            self.counts.win_backs += 1
            number = by_customer[outcome.action.customer]
            if outcome.coupon is None or self.rng.random() >= _COME_BACK:
                continue
            arrival = day + dt.timedelta(days=self.rng.randint(10, 25))
            stay = Stay(arrival, arrival + dt.timedelta(days=2))
            booked_on = day + dt.timedelta(days=self.rng.randint(1, 5))
            if stay.check_out > self._last:
                continue
            self._codes[number].insert(0, outcome.coupon)
            trip = Trip(self._trips, number, booked_on, stay, 2, "Garden double", Fate())
            self._trips += 1
            self._booking_days[booked_on].append(trip)

    # -- helpers ---------------------------------------------------------------------

    def _live(self) -> list[Booking]:
        """Bookings paid for and not yet begun, in booking order."""
        return [b for b in self.bookings if b.state == "booked"]

    def _at(self, day: dt.date, hour: int, *, minute: int = 0) -> None:
        self.clock.set(f"{day.isoformat()}T{hour:02d}:{minute:02d}:00Z")


def _code_kind(code: str) -> str:
    """What kind of coupon ``code`` is: a named campaign, a points reward, a win-back."""
    if code.startswith("PTS"):
        return "points reward"
    if code.startswith("BACK"):
        return "win-back"
    return code


class _Relay:
    """Hands committed events to the loyalty programme, as an outbox relay does.

    On SQL, the real :class:`~staycore.adapters.sql.OutboxRelay`; in memory, the
    events committed since the last run. Events committed before the year are passed
    over. On the way, it notes each member's tier from the tier changes, as a host's
    booking page would, to quote member rates without asking the programme each time.
    """

    def __init__(self, app: Application) -> None:
        self._app = app
        self._seen = 0
        self._outbox: OutboxRelay | None = None
        self._to: EventPublisher = _Nobody()
        self.tiers: dict[CustomerId, str] = {}
        """Each member's tier, from the tier changes relayed (the entry tier until one)."""
        if app.database is not None:
            from staycore.adapters.sql import OutboxRelay, SqlStore  # noqa: PLC0415 - sql extra

            store = app.stores.aggregates
            cipher = store.cipher if isinstance(store, SqlStore) else None
            self._outbox = OutboxRelay(app.database, self, batch_size=_BATCH, cipher=cipher)
            self._outbox.relay_once()
        else:
            self._seen = len(app.stores.aggregates.outbox())
        self._to = app.loyalty

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand ``events`` on (the outbox relay calls this), noting members' tiers."""
        for event in events:
            if isinstance(event, TierChanged):
                self.tiers[CustomerId(event.aggregate_id)] = event.tier
        self._to.publish(events)

    def run(self) -> None:
        """Relay what was committed since the last run, in one batch, on either store.

        What the loyalty reactions commit meanwhile (tier changes) goes with the next
        run's batch, the same in memory as on SQL.
        """
        if self._outbox is not None:
            self._outbox.relay_once()
            return
        events = self._app.stores.aggregates.outbox()[self._seen :]
        self._seen += len(events)
        self.publish(events)


_BATCH: Final = 100_000
_ENTRY: Final = "Member"  # garden_rewards()'s entry tier


class _Nobody:
    """A publisher that keeps nothing: the events it is handed were handled before."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Pass the events over."""


_TEAM: Final = {
    "housekeeping": "hk:camille",
    "maintenance": "eng:marc",
    "complaint": "gr:julie",
}
_REQUEST_TEXT: Final = {
    Request.HOUSEKEEPING: "Two more towels and a pillow, please.",
    Request.MAINTENANCE: "The shower drips all night.",
    Request.COMPLAINT: "The room was not cleaned when we arrived.",
    Request.SLOW_COMPLAINT: "Noise from the terrace until 2 am.",
    Request.OPEN_COMPLAINT: "We were charged twice for the massage.",
}
_RESOLVED: Final = {
    Request.HOUSEKEEPING: "Towels and a pillow brought up.",
    Request.MAINTENANCE: "Washer replaced; no more drips.",
    Request.COMPLAINT: "Room cleaned at once; a bottle of wine with our apologies.",
    Request.SLOW_COMPLAINT: "Terrace closes at 23:00 from now on.",
    Request.OPEN_COMPLAINT: "",
}
