"""The chapters ``staycore demo`` tells before its year: what the library gets right.

It covers the kernel (splitting money without losing a cent, a stay across a
daylight-saving change, a lifecycle declared as a table with its diagram), availability
(a search that explains every refusal, and an iCalendar import that blocks nights),
pricing, orders and loyalty, each on a small hotel of its own, on real values. The year
that follows is :mod:`staycore.demo.year`'s.

Example:
    >>> import io
    >>> from staycore.demo.story import run_demo
    >>> out = io.StringIO()
    >>> run_demo(out)
    >>> "deposit + balance = TWD 10001.00" in out.getvalue()
    True
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Final, TextIO

from staycore import __version__
from staycore.adapters.memory import memory_stores
from staycore.app.availability import Availability
from staycore.availability.external import ExternalBooking
from staycore.availability.ids import HoldId, PropertyId, UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.search import Listing, SearchQuery
from staycore.availability.stay_holds import StayHoldRequest
from staycore.kernel.errors import StaycoreError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.state_machine import Transition, TransitionTable
from staycore.kernel.time import Clock, Slot, Stay, local_date, local_instant
from staycore.membership.ids import CustomerId
from staycore.membership.members import TierChanged
from staycore.orders.events import RefundIssued
from staycore.orders.order import Order
from staycore.ports.notifier import Channel
from staycore.ports.stores import Stores
from staycore.pricing.changes import PriceChange
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion
from staycore.pricing.quote import quote
from staycore.pricing.rate_plans import Guests, RateOverride, RatePlan
from staycore.pricing.rules import (
    DemandCurve,
    Fee,
    FeeBasis,
    LeadTime,
    LeadTimeRule,
    RuleSet,
    Season,
    Tax,
    WeekdayRule,
)
from staycore.testing.clock import FrozenClock
from staycore.testing.hotel import SUCCEEDING_CARD, SandboxHotel

__all__ = ["BOOKING_LIFECYCLE", "BookingState", "nothing_due", "run_demo"]

_PROPERTY_TZ: Final = "Europe/Paris"


class BookingState(enum.Enum):
    """States of the demo's simplified booking (the real order lifecycle is richer)."""

    DRAFT = "draft"
    HELD = "held"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


def nothing_due(remaining: Money) -> bool:
    """Guard: a booking may be confirmed once nothing remains to be paid.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.demo import nothing_due
        >>> nothing_due(Money.of("0.00", "EUR")), nothing_due(Money.of("63.00", "EUR"))
        (True, False)
    """
    return not remaining.is_positive


_S = BookingState
BOOKING_LIFECYCLE: Final[TransitionTable[BookingState, str, Money]] = TransitionTable(
    "booking",
    states=BookingState,
    initial=_S.DRAFT,
    final={_S.COMPLETED, _S.CANCELLED, _S.EXPIRED},
    transitions=[
        Transition(_S.DRAFT, "hold", _S.HELD),
        Transition(_S.HELD, "confirm", _S.CONFIRMED, guard=nothing_due),
        Transition(_S.HELD, "expire", _S.EXPIRED),
        Transition(_S.HELD, "cancel", _S.CANCELLED),
        Transition(_S.CONFIRMED, "cancel", _S.CANCELLED),
        Transition(_S.CONFIRMED, "complete", _S.COMPLETED),
    ],
)
"""A small sample lifecycle: enough to show the engine, its checks and its diagrams."""


def run_demo(out: TextIO, *, stores: Callable[[Clock], Stores] = memory_stores) -> None:
    """Write the demo to ``out``.

    Args:
        out: Where the story goes.
        stores: Builds the stores each chapter books on, from the chapter's clock: in
            memory by default, as ``staycore demo`` tells them (its SQLite file keeps the
            year); ``lambda clock: sql_stores(database, clock)`` books them on SQL.

    Example:
        >>> import io
        >>> from staycore.demo import run_demo
        >>> out = io.StringIO()
        >>> run_demo(out)
        >>> out.getvalue().splitlines()[0].startswith("staycore")
        True
    """
    write = _Writer(out)
    write.title(f"staycore {__version__}: the kernel, availability, pricing, orders and loyalty")
    _money_chapter(write)
    _stay_chapter(write)
    _lifecycle_chapter(write)
    _availability_chapter(write, stores)
    _pricing_chapter(write)
    _orders_chapter(write, stores)
    _loyalty_chapter(write, stores)


def _money_chapter(write: _Writer) -> None:
    write.heading("1. Money is split without losing a cent")
    total = Money.of("10001.00", "TWD")
    deposit, balance = total.allocate([30, 70])
    write.row("booking total", total)
    write.row("deposit (30 %)", deposit)
    write.row("balance (70 %)", balance)
    write.line(f"deposit + balance = {deposit + balance}  (exactly the total)")
    write.blank()
    refund = Money.of("100", "USD")
    parts = refund.allocate([1, 1, 1])
    write.line(f"a {refund} refund over three card payments: " + ", ".join(map(str, parts)))
    write.line(
        f"half-even rounding: {Money.of('2.345', 'EUR')} -> {Money.of('2.345', 'EUR').rounded()}"
    )
    try:
        Money.of("10", "EUR") + Money.of("10", "USD")
    except StaycoreError as error:
        write.line(f"mixing currencies is refused: {error}")


def _stay_chapter(write: _Writer) -> None:
    write.heading(f"2. A stay across a daylight-saving change ({_PROPERTY_TZ})")
    stay = Stay(dt.date(2026, 3, 28), dt.date(2026, 3, 30))
    write.row("stay", f"{stay} ({stay.nights} nights: {', '.join(map(str, stay))})")
    check_in, check_out = stay.check_in_at(_PROPERTY_TZ), stay.check_out_at(_PROPERTY_TZ)
    write.row("check-in 15:00", f"{check_in.isoformat()} = {check_in.in_tz('UTC').isoformat()}")
    write.row("check-out 11:00", f"{check_out.isoformat()} = {check_out.in_tz('UTC').isoformat()}")
    hours = (check_out - check_in).total_seconds() / 3600
    write.line(f"elapsed between them: {hours:g} hours, not 44: clocks went forward on 29 March")
    skipped = local_instant(dt.date(2026, 3, 29), dt.time(2, 30), _PROPERTY_TZ)
    write.line(f"02:30 on 29 March does not exist there; it is read as {skipped.isoformat()}")
    first = local_instant(dt.date(2026, 10, 25), dt.time(2, 30), _PROPERTY_TZ)
    second = local_instant(dt.date(2026, 10, 25), dt.time(2, 30), _PROPERTY_TZ, fold=1)
    write.line(
        "02:30 on 25 October happens twice: "
        f"{first.in_tz('UTC').format('HH:mm')} UTC, then {second.in_tz('UTC').format('HH:mm')} UTC"
    )
    massage = Slot.starting(
        local_instant(dt.date(2026, 10, 25), dt.time(2), _PROPERTY_TZ), minutes=90
    )
    write.line(
        f"a 90-minute slot from 02:00 that night: {massage.start.format('HH:mm Z')} -> "
        f"{massage.end.format('HH:mm Z')} ({massage.minutes} minutes)"
    )


def _lifecycle_chapter(write: _Writer) -> None:
    write.heading("3. A lifecycle is a table, checked when it is declared")
    table = BOOKING_LIFECYCLE
    due = Money.of("90.00", "EUR")
    state = table.next_state(BookingState.DRAFT, "hold", due)
    write.line(f"draft --hold--> {state.value}")
    deposit = due.allocate([30, 70])[0]
    unpaid = due - deposit
    try:
        table.next_state(state, "confirm", unpaid)
    except StaycoreError as error:
        write.line(f"confirm after a {deposit} deposit, {unpaid} still due: {error}")
    try:
        table.next_state(state, "complete", unpaid)
    except StaycoreError as error:
        write.line(f"complete a held booking: {error}")
    write.blank()
    write.line("Mermaid (paste into any Markdown that renders mermaid):")
    write.block(table.to_mermaid())
    write.line("Graphviz (pipe into `dot -Tsvg`):")
    write.block(table.to_graphviz())


# A channel's feed as Airbnb publishes it: a guest booked the loft over New Year there.
_AIRBNB_FEED: Final = """BEGIN:VCALENDAR
PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN
VERSION:2.0
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261229
DTEND;VALUE=DATE:20270102
UID:1418fb94e984-f3b7ba3ba9e2fbc5d2d1dd0d1a2b3c4d@airbnb.com
SUMMARY:Reserved
END:VEVENT
END:VCALENDAR
"""


def _feed_events() -> tuple[ExternalBooking, ...]:
    """The feed's events: parsed with the ``ical`` extra, or as the parser would give them."""
    try:
        from staycore.adapters.ical import parse_feed  # noqa: PLC0415 - an optional extra
    except ImportError:
        uid = "1418fb94e984-f3b7ba3ba9e2fbc5d2d1dd0d1a2b3c4d@airbnb.com"
        return (ExternalBooking(uid, Stay.parse("2026-12-29/2027-01-02"), "Reserved"),)
    return parse_feed(_AIRBNB_FEED)


def _availability_chapter(write: _Writer, stores: Callable[[Clock], Stores]) -> None:
    write.heading("4. Availability: what can be booked, and why not")
    clock = FrozenClock("2026-11-22T09:00:00Z")
    season = Stay.parse("2026-12-01/2027-02-01")
    built = stores(clock)
    nights = Availability(built.inventory, built.restrictions, horizon=season)
    homestay, rooms = PropertyId.new(), {}
    for name, sleeps, count in (("Garden double", 2, 2), ("Family suite", 4, 1), ("Loft", 2, 1)):
        listing = Listing(homestay, UnitTypeId.new(), name, sleeps)
        nights.open_unit_type(listing, season)
        nights.set_capacity(listing.unit_type, NightSelection.of(season), count)
        rooms[name] = listing.unit_type
    nights.restrict(
        rooms["Family suite"],
        NightSelection.of(Stay.parse("2026-12-30/2027-01-02")),
        min_stay_through=3,
    )
    write.line("a homestay: Garden double (2 rooms), Family suite (sleeps 4), Loft")
    write.line("the Family suite needs 3 nights through New Year (MinLOS through)")
    booked_on = local_date(clock.now(), _PROPERTY_TZ)
    query = SearchQuery(Stay.parse("2026-12-30/2027-01-01"), guests=2, booked_on=booked_on)
    _show_search(write, nights, query)

    plan = nights.import_feed("airbnb:loft", rooms["Loft"], _feed_events(), horizon=season)
    added = ", ".join(f"{b.nights} ({b.note})" for b in plan.add)
    write.line(f"iCal import from airbnb:loft: blocked {added}")
    _show_search(write, nights, query)
    again = nights.import_feed("airbnb:loft", rooms["Loft"], _feed_events(), horizon=season)
    write.line(f"importing the same feed again changes nothing: {again.changes_nothing}")
    try:
        nights.import_feed("airbnb:loft", rooms["Loft"], (), horizon=season)
    except StaycoreError as error:
        write.line(f"an empty download is refused, not read as cancellations: {error.code}")

    hold = nights.hold_stay(
        StayHoldRequest(
            hold_id=HoldId.new(),
            unit_type=rooms["Garden double"],
            stay=query.stay,
            rooms=2,
            owner=Identifier.new(),
            expires_at=clock.now().add(minutes=15),
        ),
        booked_on=booked_on,
    )
    write.line(f"a guest holds both garden doubles for 15 minutes (hold {hold.status.value})")
    _show_search(write, nights, query)
    clock.advance(minutes=16)
    expired = nights.expire_due()
    write.line(f"16 minutes later, unpaid: {len(expired)} hold expired, its nights are back")
    _show_search(write, nights, query)


def _pricing_chapter(write: _Writer) -> None:
    write.heading("5. A quote that explains every cent")
    eur = "EUR"
    garden = RatePlan(
        id=RatePlanId.new(),
        unit_type=UnitTypeId.new(),
        name="Garden double",
        base_price=Money.of("120.00", eur),
        overrides=[RateOverride(Money.of("150.00", eur), Stay.parse("2026-12-24/2027-01-02"))],
        extra_adult=Money.of("30.00", eur),
    )
    member = garden.derive(RatePlanId.new(), "Garden double, member rate", PriceChange.percent(-5))
    winter50 = Promotion(
        id=PromotionId.new(),
        name="50 off over 500",
        kind=DiscountKind.THRESHOLD,
        amount=Money.of("50", eur),
        threshold=Money.of("500", eur),
    )
    rules = RuleSet(
        version="2026-winter",
        currency=eur,
        timezone=_PROPERTY_TZ,
        seasons=[
            Season("winter holidays", Stay.parse("2026-12-19/2027-01-04"), PriceChange.percent(10))
        ],
        weekdays=[
            WeekdayRule("weekend", {calendar.FRIDAY, calendar.SATURDAY}, PriceChange.percent(15))
        ],
        demand=DemandCurve([("0.5", "0"), ("0.9", "20")]),
        lead_time=[LeadTimeRule("early bird", LeadTime.EARLY_BIRD, 30, PriceChange.percent(-10))],
        floor=Money.of("80.00", eur),
        fees=[Fee("Cleaning", Money.of("40.00", eur), FeeBasis.STAY)],
        taxes=[
            Tax.percent("VAT", "10"),
            Tax.per_person_night("City tax", Money.of("2.00", eur), adults_only=True),
        ],
        promotions=[winter50],
    )
    stay = Stay.parse("2026-12-30/2027-01-02")
    booked_at = local_instant(dt.date(2026, 11, 22), dt.time(10), _PROPERTY_TZ)
    write.line(f"three adults, {stay}, booked {booked_at.date()}, New Year's Eve 70 % full,")
    write.line("member rate, coupon WINTER50 (50 off over 500):")
    quoted = quote(
        member,
        rules,
        stay,
        Guests(adults=3),
        booked_at=booked_at,
        occupancy={dt.date(2026, 12, 31): Decimal("0.7")},
        coupons=[_Coupon("WINTER50", winter50.id)],
    )
    write.block(quoted.breakdown())
    write.line("how New Year's Eve got its price:")
    for step in quoted.nights[1].steps:
        write.line(f"  {step.rule:<14} {step.name:<28} {step.change:>7} {step.amount:>+10.2f}")
    write.line(f"the lines add up to the total, each rounded once; valid until {quoted.expires_at}")


def _orders_chapter(write: _Writer, stores: Callable[[Clock], Stores]) -> None:
    write.heading("6. Orders: a deposit, the balance, and a cancellation under a tiered policy")
    hotel = SandboxHotel(stores=stores)
    write.line("terms: 30 % deposit now, balance 7 days before arrival; cancellation free until")
    write.line("7 days before the 15:00 check-in, half refunded until 1 day before, then nothing")
    booked = hotel.orders.place(hotel.booking("2026-07-10/2026-07-13"), idempotency_key="mei-1")
    write.row(
        "placed",
        f"{booked.status.value}, {booked.value} for 3 nights, held until "
        f"{booked.expires_at.in_tz(_PROPERTY_TZ).format('HH:mm')}",
    )
    deposit = hotel.orders.pay(booked.id, method=SUCCEEDING_CARD, idempotency_key="mei-1-dep")
    write.row("deposit", _payment(deposit.order, deposit.movement.amount))
    hotel.gateway.duplicate_webhooks = True
    hotel.deliver_webhooks()  # the provider's reports, twice each: nothing changes
    write.row("webhooks twice", _payment(hotel.orders.get(booked.id), None))
    hotel.clock.set("2026-06-30T07:00:00Z")
    reminded = hotel.orders.sweep().reminded
    write.row(
        "2026-06-30 sweep",
        f"{len(reminded)} reminder: "
        f"{hotel.notifier.sent[-1].variables['amount']} due "
        f"{hotel.notifier.sent[-1].variables['due_at'][:10]}",
    )
    balance = hotel.orders.pay(booked.id, method=SUCCEEDING_CARD, idempotency_key="mei-1-bal")
    write.row("balance", _payment(balance.order, balance.movement.amount))

    write.blank()
    other = hotel.orders.place(hotel.booking("2026-07-20/2026-07-22"), idempotency_key="leo-1")
    for key in ("leo-1-dep", "leo-1-bal"):
        hotel.orders.pay(other.id, method=SUCCEEDING_CARD, idempotency_key=key)
    paid = hotel.orders.get(other.id)
    write.row("second order", f"{paid.value} for 2 nights, {_payment(paid, None)}")
    hotel.clock.set("2026-07-17T08:00:00Z")  # 3 days before arrival: the 50 % tier
    cancelled = hotel.orders.cancel(other.id, idempotency_key="leo-1-cancel")
    [charge] = cancelled.charges
    write.row("cancelled", charge.explanation)
    for refund in hotel.store.outbox():
        if isinstance(refund, RefundIssued) and refund.aggregate_id == other.id:
            write.row("refund", f"{refund.amount} on {refund.capture}: {refund.reason}")
    write.row("after", _payment(cancelled, None))
    nights = [c.available for c in hotel.counts("2026-07-20/2026-07-22")]
    write.line(
        f"the two nights are free again ({nights} rooms); guest told: "
        f"{hotel.notifier.sent[-1].template}"
    )


def _loyalty_chapter(write: _Writer, stores: Callable[[Clock], Stores]) -> None:
    write.heading("7. Loyalty: points over several stays, a tier, a reward on a quote, a win-back")
    hotel = SandboxHotel(rooms=3, stores=stores)
    loyalty = hotel.loyalty
    write.line("Garden Rewards: 10 points per euro paid; Silver at 10 nights or 4 stays a year")
    write.line("(+10 % bonus points); 1,000 points buy EUR 10 off; away half a year: 15 % off")
    # A fixed id, so that the codes made from it (rewards, win-backs) read the same each run.
    mei = loyalty.enrol(
        name="Mei Tan",
        email="mei@example.com",
        birthday=dt.date(1991, 4, 2),
        customer=CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    )
    loyalty.give_consent(mei, Channel.EMAIL, granted=True, source="booking form")
    for nights in ("2026-06-05/2026-06-09", "2026-07-01/2026-07-04", "2026-07-20/2026-07-23"):
        order = hotel.stay_completed(mei, nights)
        earned = sum(e.points for e in hotel.ledger.entries(mei) if e.order == order.id)
        write.row(
            f"stay {nights[5:10]}",
            f"{order.value} paid, {earned:,} points; balance "
            f"{loyalty.account(mei).balance:,}; {loyalty.status(mei).tier}; "
            f"{loyalty.progress(mei)}",
        )
    for event in hotel.store.outbox():
        if isinstance(event, TierChanged):
            write.row(
                "tier", f"{event.previous} -> {event.tier}, valid through {event.valid_through}"
            )
    reward = loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="mei-reward-1")
    write.row(
        "reward",
        f"{reward.reward.points:,} points for {reward.reward.name}: coupon {reward.coupon}; "
        f"balance {loyalty.account(mei).balance:,}",
    )
    stay, party = Stay.parse("2026-09-10/2026-09-12"), Guests(2)
    plain = hotel.pricing.quote(hotel.pricer, stay, party)
    with_points = hotel.pricing.quote(hotel.pricer, stay, party, codes=[reward.coupon or ""])
    write.row("next quote", f"{plain.total} -> {with_points.total} with the points coupon")
    hotel.clock.set("2027-02-10T08:00:00Z")
    for outcome in loyalty.run_triggers():
        action = outcome.action
        write.row(f"{action.kind.value}", f"{action.reason}; coupon {outcome.coupon}")
    write.line(
        f"sent: {hotel.notifier.sent[-1].template}; running the triggers again sends "
        f"{sum(o.done for o in loyalty.run_triggers())} more"
    )


def _payment(order: Order, amount: Money | None) -> str:
    """One line about an order's money."""
    paid = "" if amount is None else f"paid {amount}: "
    return (
        f"{paid}{order.status.value}, {order.payment_status.value.replace('_', ' ')}, "
        f"received {order.received}, balance {order.balance}"
    )


class _Coupon:
    """A coupon as a quote sees it: the code the guest typed and what it unlocks."""

    def __init__(self, code: str, promotion: PromotionId) -> None:
        self.code = code
        self.promotion = promotion


def _show_search(write: _Writer, nights: Availability, query: SearchQuery) -> None:
    result = nights.search(query)
    write.line(f"search {query.stay} for {query.guests} guests:")
    write.row("  bookable", ", ".join(listing.name for listing in result.bookable()) or "none")
    for refusal in result.refusals():
        write.row(f"  {refusal.listing.name}", "; ".join(refusal.reasons))


class _Writer:
    """Formats the demo's text: titles, headings, aligned rows and indented blocks."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def title(self, text: str) -> None:
        self._out.write(f"{text}\n{'=' * len(text)}\n")

    def heading(self, text: str) -> None:
        self._out.write(f"\n{text}\n{'-' * len(text)}\n")

    def row(self, label: str, value: object) -> None:
        self._out.write(f"  {label:<18} {value}\n")

    def line(self, text: str) -> None:
        self._out.write(f"  {text}\n")

    def block(self, text: str) -> None:
        self._out.write("".join(f"      {line}\n" for line in text.splitlines()))

    def blank(self) -> None:
        self._out.write("\n")
