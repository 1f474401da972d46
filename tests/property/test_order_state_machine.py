"""Random sequences of order use cases keep the money and the inventory straight.

A hypothesis rule-based state machine drives one :class:`SandboxHotel` (two garden rooms,
a frozen clock from 2026-06-01 09:00 UTC) through the order use cases in random order:
placing orders for July stays (one or two stays, with or without breakfasts, under the
hotel's deposit terms, full prepayment, or request to book), paying with every kind of
test card, finishing 3-D Secure, settling pending payments, delivering webhooks (twice,
shuffled), replaying commands under their idempotency keys, cancelling orders, lines and
nights, changing dates, chargebacks, the host approving and declining, the stay itself,
and the clock moving on with the sweeper behind it.

After every step, over every order placed:

1. money is conserved: captured - refunded - charged back is what the order received,
   and the order knows no movement the gateway does not (a dedicated rule delivers every
   webhook, then checks that the gateway's movements add up to what each order received);
2. nothing gives back more than was paid, capture by capture, and nothing received is
   negative;
3. the status is a state of the lifecycle table, reached from the last one seen along
   its edges, and the version never goes down;
4. confirmed (and later) orders hold their nights and breakfasts as sold, unpaid ones as
   held;
5. an order that ended holds no inventory, and no line holds what it gave up;
6. no night is oversold, and each night's counts are exactly the holds of the orders;
7. an order that ended owes nothing back beyond refunds under way, and once the sweeper
   has run, no request whose answer a timeout lost is left open;

and no unpaid order sits paid enough without being confirmed ("nothing left in limbo").

Chargebacks may reach the gateway while webhooks the orders have not seen wait, and the
gateway may time out on a charge or a refund, before or after moving the money.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Final, TypeVar

import attrs
import pendulum
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from staycore.adapters.payments import (
    DECLINED_CARD,
    PENDING_CARD,
    SUCCEEDING_CARD,
    THREE_D_SECURE_CARD,
)
from staycore.adapters.payments.sandbox import Operation
from staycore.app.orders import NothingToPayError
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import HoldId
from staycore.availability.inventory import NotAvailableError
from staycore.availability.restrictions import StayRestrictedError
from staycore.availability.stock import OutOfStockError
from staycore.kernel.errors import GuardRejectedError, IllegalTransitionError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.ids import OrderId
from staycore.orders.lifecycle import ORDER_LIFECYCLE, OrderStatus
from staycore.orders.lines import AddOnLine, InvalidLineError, StayLine
from staycore.orders.order import LineNotFoundError, Order, OrderNotChangeableError
from staycore.orders.payments import (
    GatewayTimeoutError,
    MovementKind,
    MovementStatus,
    PaymentMovement,
)
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.testing.hotel import SEASON, SandboxHotel, moderate_policy

# -- the hotel and the strategies ------------------------------------------------------

S = OrderStatus
T = TypeVar("T")
R = TypeVar("R")
JULY: Final = [dt.date(2026, 7, 1) + dt.timedelta(days=n) for n in range(31)]
LAST_INSTANT: Final = pendulum.datetime(2026, 9, 20, tz="UTC")
CARDS: Final = (SUCCEEDING_CARD, DECLINED_CARD, THREE_D_SECURE_CARD, PENDING_CARD)
# Each card, the one that succeeds at once twice as often.
_cards: Final = st.sampled_from([SUCCEEDING_CARD, *CARDS])
# Pay what is due now, or a part of it in percent.
_parts: Final = st.sampled_from([None, None, None, 1, 30, 50, 99])
TERMS: Final = ("hotel", "prepaid", "non_refundable", "request", "request_prepaid")
# Keys are remembered for 7 days from their first use; replay only well inside that.
REPLAY_WINDOW: Final = dt.timedelta(days=6)

REFUSED: Final = (
    NotAvailableError,
    StayRestrictedError,
    OutOfStockError,
    IllegalTransitionError,
    GuardRejectedError,
    OrderNotChangeableError,
    InvalidLineError,
    LineNotFoundError,
    NothingToPayError,
)
"""What a use case may refuse for the order's state or the hotel's calendar."""

UNPAID: Final = frozenset({S.HELD, S.AWAITING_APPROVAL, S.AWAITING_PAYMENT})
SOLD: Final = frozenset({S.CONFIRMED, S.CHECKED_IN, S.CHECKED_OUT, S.COMPLETED})
ENDED: Final = frozenset({S.CANCELLED, S.EXPIRED, S.DECLINED, S.NO_SHOW})
TAKEN_BACK: Final = (MovementKind.REFUND, MovementKind.CHARGEBACK)
RANK: Final = {
    MovementStatus.PENDING: 0,
    MovementStatus.REQUIRES_ACTION: 1,
    MovementStatus.FAILED: 2,
    MovementStatus.SUCCEEDED: 3,
}


def _reachable() -> dict[OrderStatus, frozenset[OrderStatus]]:
    """Each status with every status the table's edges lead to from it, itself included."""
    exits: dict[OrderStatus, set[OrderStatus]] = {s: set() for s in OrderStatus}
    for edge in ORDER_LIFECYCLE.transitions:
        exits[edge.source].add(edge.target)
    found = {}
    for start in OrderStatus:
        seen, todo = {start}, [start]
        while todo:
            for target in exits[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        found[start] = frozenset(seen)
    return found


REACHABLE: Final = _reachable()


def _eur(cents: int) -> Money:
    return Money.from_minor(cents, "EUR")


def _terms(hotel: SandboxHotel, kind: str) -> BookingTerms:
    """The hotel's terms (30 % deposit), or full prepayment, or a request to book."""
    deposit = PaymentSchedule.deposit_and_balance(Decimal(30), balance_days_before=7)
    prepaid = PaymentSchedule.full_prepayment()
    paris = "Europe/Paris"
    match kind:
        case "prepaid":
            return BookingTerms(timezone=paris, schedule=prepaid, cancellation=moderate_policy())
        case "non_refundable":
            return BookingTerms(timezone=paris, schedule=prepaid)
        case "request":
            return BookingTerms(
                timezone=paris,
                request_to_book=True,
                schedule=deposit,
                cancellation=moderate_policy(),
            )
        case "request_prepaid":
            return BookingTerms(
                timezone=paris,
                request_to_book=True,
                schedule=prepaid,
                cancellation=moderate_policy(),
            )
        case _:
            return hotel.terms


def _stays() -> st.SearchStrategy[Stay]:
    """A stay of 1 to 4 nights arriving in July 2026."""
    return st.builds(Stay.of_nights, st.sampled_from(JULY), st.integers(1, 4))


def _pick(items: Sequence[T], index: int) -> T | None:
    """The item at ``index``, counting round; ``None`` if there is none."""
    return items[index % len(items)] if items else None


def _taken_back(movements: Sequence[PaymentMovement]) -> Counter[str]:
    """Minor units refunded and charged back, by the capture they took back."""
    back: Counter[str] = Counter()
    for m in movements:
        if m.succeeded and m.kind in TAKEN_BACK:
            assert m.parent is not None, m.reference
            back[m.parent] += m.amount.minor_units
    return back


def _owes_back(order: Order) -> bool:
    """Whether the order received more than it is due, beyond refunds the gateway is making.

    Refunds it has asked for and not had an answer to do not count: they may never come.
    """
    return order.refund_due.is_positive or order.received > order.due + order.ledger.refunding


def _retried(call: Callable[[], R]) -> R:
    """``call``, retried as a caller does while the gateway times out.

    Each timeout uses up one the machine planned, so the retries come to an end.
    """
    while True:
        try:
            return call()
        except GatewayTimeoutError:
            event("retried after a gateway timeout")


@attrs.frozen
class Booking:
    """What a guest books: one or two stays, breakfasts, terms, and a card to pay now."""

    stays: tuple[Stay, ...]
    breakfasts: int
    terms: str
    card: str | None


def _bookings() -> st.SearchStrategy[Booking]:
    return st.builds(
        Booking,
        stays=st.lists(_stays(), min_size=1, max_size=2).map(tuple),
        breakfasts=st.sampled_from([0, 0, 1, 2, 4]),
        terms=st.sampled_from(TERMS),
        card=st.none() | _cards,
    )


@attrs.frozen
class Command:
    """A use case that went through, to be replayed under its key."""

    name: str
    key: str
    at: pendulum.DateTime
    run: Callable[[], object]


# -- the machine -----------------------------------------------------------------------


class OrderMachine(RuleBasedStateMachine):
    orders: Bundle[OrderId] = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.hotel = SandboxHotel(rooms=2)
        self.placed: list[OrderId] = []
        self.keys = 0
        self.commands: list[Command] = []
        self.versions: dict[OrderId, int] = {}
        self.statuses: dict[OrderId, OrderStatus] = {}
        # Every hold any line of each order ever had (the current ones included).
        self.stay_holds: dict[HoldId, OrderId] = {}
        self.stock_holds: dict[HoldId, OrderId] = {}
        # What the gateway had refunded and charged back of each order at the last
        # check, in minor units.
        self.refunded: dict[OrderId, tuple[int, int]] = {}

    # -- helpers ---------------------------------------------------------------------

    @property
    def now(self) -> pendulum.DateTime:
        return self.hotel.clock.now()

    def _key(self, name: str) -> str:
        self.keys += 1
        return f"{name}-{self.keys}"

    def _run(
        self,
        name: str,
        run: Callable[[str], object],
        also: tuple[type[Exception], ...] = (),
    ) -> bool:
        """Run a use case under a fresh key, and remember it if it went through."""
        key = self._key(name)
        refused: tuple[type[Exception], ...] = (*REFUSED, *also)
        try:
            _retried(lambda: run(key))
        except refused as refusal:
            event(f"{name}: {type(refusal).__name__}")
            return False
        event(f"{name}: done")
        self.commands.append(Command(name, key, self.now, lambda: run(key)))
        return True

    def _get(self, order_id: OrderId) -> Order:
        return self.hotel.orders.get(order_id)

    def _all(self) -> list[Order]:
        orders = [self._get(order_id) for order_id in self.placed]
        for order in orders:
            for line in order.lines:
                if isinstance(line, StayLine):
                    self.stay_holds[line.hold] = order.id
                elif isinstance(line, AddOnLine) and line.hold is not None:
                    self.stock_holds[line.hold] = order.id
        return orders

    def _in(self, *statuses: OrderStatus) -> list[Order]:
        return [order for order in self._all() if order.status in statuses]

    def _deliver(self) -> bool:
        """Hand the webhooks waiting at the gateway to the order use cases; any sent?"""
        webhooks = self.hotel.gateway.webhooks()
        for webhook in webhooks:
            # If the endpoint fails, the provider sends the webhook again.
            _retried(partial(self.hotel.orders.handle_webhook, webhook.body, webhook.headers))
        return bool(webhooks)

    def _sweep(self) -> None:
        report = _retried(self.hotel.orders.sweep)  # it runs again
        self._ended_cleanly([*report.expired, *report.declined, *report.no_shows])
        # What became of the requests a timeout cut off is the sweeper's to find out, and
        # what they did not do its to do again; each sweep cut off uses up one of the
        # timeouts planned, so the sweeps come to an end.
        for _ in range(200):
            if not any(order.requests or _owes_back(order) for order in self._in(*ENDED)):
                break
            _retried(self.hotel.orders.sweep)
        for order in self._in(*ENDED):
            assert not order.requests, (order.id, order.requests)
        self._ended_orders_owe_nothing_back(self._all())

    def _ended_cleanly(self, order_ids: Sequence[OrderId]) -> None:
        """Orders that just ended owe nothing back: what they received beyond was refunded."""
        for order_id in order_ids:
            order = self._get(order_id)
            assert order.status in ENDED, (order_id, order.status)
        self._ended_orders_owe_nothing_back([self._get(order_id) for order_id in order_ids])

    def _if_lapsed(self, order: Order) -> tuple[type[Exception], ...]:
        """A change to an unpaid order whose hold lapsed is refused; the sweeper ends it."""
        if order.status in UNPAID and order.facts(self.now).hold_lapsed:
            return (HoldNotActiveError,)
        return ()

    def _stay_line(self, order_id: OrderId, index: int) -> StayLine | None:
        order = self._get(order_id)
        return _pick([line for line in order.active_lines if isinstance(line, StayLine)], index)

    def _snapshot(self) -> tuple[object, ...]:
        return (
            tuple((o.id, o.version, o.ledger) for o in self._all()),
            self.hotel.gateway.movements(),
            self.hotel.inventory.counts(self.hotel.unit_type, SEASON),
            self.hotel.stock.level(self.hotel.breakfast),
        )

    # -- placing ---------------------------------------------------------------------

    def _place(self, booking: Booking) -> OrderId | MultipleResults[OrderId]:
        try:
            command = self.hotel.booking(
                *map(str, booking.stays),
                breakfasts=booking.breakfasts,
                terms=_terms(self.hotel, booking.terms),
            )
            key = self._key("place")
            order = self.hotel.orders.place(command, idempotency_key=key)
        except REFUSED as refusal:
            event(f"place: {type(refusal).__name__}")
            return multiple()
        event("place: done")
        self.commands.append(
            Command(
                "place",
                key,
                self.now,
                lambda: self.hotel.orders.place(command, idempotency_key=key),
            )
        )
        assert order.status in (S.AWAITING_PAYMENT, S.AWAITING_APPROVAL)
        self.placed.append(order.id)
        if booking.card is not None:
            self._pay(order.id, booking.card, None)
        return order.id

    @initialize(target=orders, booking=_bookings())
    def place_first(self, booking: Booking) -> OrderId | MultipleResults[OrderId]:
        return self._place(booking)

    @rule(target=orders, booking=_bookings())
    def place(self, booking: Booking) -> OrderId | MultipleResults[OrderId]:
        return self._place(booking)

    # -- money -----------------------------------------------------------------------

    @rule(order_id=orders, card=_cards, part=_parts)
    def pay(self, order_id: OrderId, card: str, part: int | None) -> None:
        """Pay what is due now, or ``part`` % of it."""
        self._pay(order_id, card, part)

    def _pay(self, order_id: OrderId, card: str, part: int | None) -> None:
        amount = None
        if part is not None:
            owed = self.hotel.orders.amount_due_now(self._get(order_id))
            cents = owed.minor_units * part // 100
            if cents <= 0:
                return
            amount = _eur(cents)
        self._run(
            "pay",
            lambda k: self.hotel.orders.pay(
                order_id, method=card, amount=amount, idempotency_key=k
            ),
        )

    def _needing_action(self) -> list[PaymentMovement]:
        return [
            m for m in self.hotel.gateway.movements() if m.status is MovementStatus.REQUIRES_ACTION
        ]

    @precondition(lambda self: bool(self._needing_action()))
    @rule(index=st.integers(0, 20), succeed=st.booleans())
    def complete_action(self, index: int, succeed: bool) -> None:
        """The guest passes or fails a 3-D Secure challenge."""
        movement = _pick(self._needing_action(), index)
        assert movement is not None
        self.hotel.gateway.complete_action(movement.reference, succeed=succeed)

    @rule(due_only=st.booleans())
    def settle_pending(self, due_only: bool) -> None:
        self.hotel.gateway.settle_pending(due_only=due_only)

    @rule(duplicate=st.booleans(), reorder=st.booleans())
    def deliver_webhooks(self, duplicate: bool, reorder: bool) -> None:
        self.hotel.gateway.duplicate_webhooks = duplicate
        self.hotel.gateway.reorder_webhooks = reorder
        self._deliver()

    def _chargeable(self) -> list[tuple[PaymentMovement, int]]:
        """Each succeeded capture with the minor units it has left to take back."""
        movements = self.hotel.gateway.movements()
        back = _taken_back(movements)
        return [
            (m, m.amount.minor_units - back[m.reference])
            for m in movements
            if m.kind is MovementKind.CAPTURE
            and m.succeeded
            and m.amount.minor_units > back[m.reference]
        ]

    @precondition(lambda self: bool(self._chargeable()))
    @rule(index=st.integers(0, 20), part=st.none() | st.integers(1, 99))
    def chargeback(self, index: int, part: int | None) -> None:
        """The card issuer takes back all that is left of a capture, or ``part`` % of it.

        Webhooks the orders have not seen may be waiting: a refund asked for now may be
        refused, because the chargeback took the money first.
        """
        found = _pick(self._chargeable(), index)
        assert found is not None  # the precondition
        capture, left = found
        amount = None if part is None else _eur(max(1, left * part // 100))
        self.hotel.gateway.chargeback(capture.reference, amount)
        self._deliver()

    @rule(operation=st.sampled_from(["charge", "refund"]), lose=st.booleans())
    def gateway_times_out(self, operation: Operation, lose: bool) -> None:
        """The next call times out: before moving the money, or after (the answer lost)."""
        if lose:
            self.hotel.gateway.lose_next_response(operation)
        else:
            self.hotel.gateway.fail_next(operation)

    @precondition(lambda self: bool(self.commands))
    @rule(index=st.integers(0, 50))
    def replay(self, index: int) -> None:
        """A command sent again under its key returns and changes nothing."""
        fresh = [c for c in self.commands if self.now < c.at + REPLAY_WINDOW]
        command = _pick(fresh, index)
        if command is None:
            return
        before = self._snapshot()
        command.run()
        assert self._snapshot() == before, f"replaying {command.name} {command.key}"

    @rule()
    def reconcile(self) -> None:
        """Once every webhook is delivered, the gateway and each order agree on the money."""
        for _ in range(10):  # refunds made while handling webhooks send webhooks too
            if not self._deliver():
                break
        else:
            raise AssertionError("webhooks keep coming")
        for order in self._all():
            at_gateway = self.hotel.gateway.movements(order.id)
            net = Counter[MovementKind]()
            for m in at_gateway:
                if m.succeeded:
                    net[m.kind] += m.amount.minor_units
            received = net[MovementKind.CAPTURE] - sum(net[kind] for kind in TAKEN_BACK)
            assert _eur(received) == order.received, (order.id, received, order.received)
            known = {m.reference: m.status for m in order.ledger.movements}
            assert known == {m.reference: m.status for m in at_gateway}, order.id

    # -- cancelling and changing -----------------------------------------------------

    @rule(order_id=orders)
    def cancel(self, order_id: OrderId) -> None:
        if self._run("cancel", lambda k: self.hotel.orders.cancel(order_id, idempotency_key=k)):
            self._ended_cleanly([order_id])

    @rule(order_id=orders, index=st.integers(0, 5))
    def cancel_line(self, order_id: OrderId, index: int) -> None:
        """Cancel one line: a stay of a two-stay order, or the breakfasts."""
        line = _pick(self._get(order_id).active_lines, index)
        if line is None:
            return
        self._run(
            "cancel_lines",
            lambda k: self.hotel.orders.cancel_lines(order_id, [line.id], idempotency_key=k),
        )

    @rule(order_id=orders, index=st.integers(0, 5), last=st.booleans())
    def cancel_night(self, order_id: OrderId, index: int, last: bool) -> None:
        """Cancel the last night of a stay (or its first)."""
        line = self._stay_line(order_id, index)
        if line is None:
            return
        nights = list(line.stay)
        night = nights[-1] if last else nights[0]
        self._run(
            "cancel_nights",
            lambda k: self.hotel.orders.cancel_nights(
                order_id, line.id, [night], idempotency_key=k
            ),
            also=self._if_lapsed(self._get(order_id)),
        )

    @rule(
        order_id=orders,
        index=st.integers(0, 5),
        shift=st.integers(-3, 3),
        nights=st.integers(1, 4),
        elsewhere=st.none() | _stays(),
        card=st.none() | _cards,
    )
    def change_dates(
        self,
        *,
        order_id: OrderId,
        index: int,
        shift: int,
        nights: int,
        elsewhere: Stay | None,
        card: str | None,
    ) -> None:
        """Move a stay a few days (overlapping itself) or elsewhere in July."""
        line = self._stay_line(order_id, index)
        if line is None:
            return
        stay = elsewhere or Stay.of_nights(line.stay.check_in + dt.timedelta(days=shift), nights)
        self._run(
            "change_dates",
            lambda k: self.hotel.orders.change_dates(
                order_id,
                line.id,
                stay=stay,
                pricer=self.hotel.pricer,
                method=card,
                idempotency_key=k,
            ),
            also=self._if_lapsed(self._get(order_id)),
        )

    # -- the host and the stay -------------------------------------------------------

    @precondition(lambda self: bool(self._in(S.AWAITING_APPROVAL)))
    @rule(index=st.integers(0, 20), accept=st.booleans())
    def answer_request(self, index: int, accept: bool) -> None:
        """The host approves or declines a request to book."""
        order = _pick(self._in(S.AWAITING_APPROVAL), index)
        assert order is not None
        if accept:
            self._run("approve", lambda k: self.hotel.orders.approve(order.id, idempotency_key=k))
        elif self._run(
            "decline",
            lambda k: self.hotel.orders.decline(order.id, reason="full", idempotency_key=k),
        ):
            self._ended_cleanly([order.id])

    @precondition(lambda self: bool(self._in(S.CONFIRMED, S.CHECKED_IN, S.CHECKED_OUT)))
    @rule(index=st.integers(0, 20), wait=st.booleans())
    def next_step_of_the_stay(self, index: int, wait: bool) -> None:
        """Check a guest in, or out, or complete the order; first ``wait`` for the day."""
        order = _pick(self._in(S.CONFIRMED, S.CHECKED_IN, S.CHECKED_OUT), index)
        assert order is not None
        if wait and order.status is not S.CHECKED_OUT:
            day = order.arrival if order.status is S.CONFIRMED else order.departure
            self._set_clock(day, 15 if order.status is S.CONFIRMED else 10)
        orders = self.hotel.orders
        step: dict[OrderStatus, tuple[str, Callable[[str], Order]]] = {
            S.CONFIRMED: ("check_in", lambda k: orders.check_in(order.id, idempotency_key=k)),
            S.CHECKED_IN: ("check_out", lambda k: orders.check_out(order.id, idempotency_key=k)),
            S.CHECKED_OUT: ("complete", lambda k: orders.complete(order.id, idempotency_key=k)),
        }
        status = self._get(order.id).status  # the sweeper may have ended it meanwhile
        if status in step:
            self._run(*step[status])

    @rule(
        order_id=orders,
        action=st.sampled_from(
            ["approve", "decline", "confirm", "check_in", "check_out", "complete", "no_show"]
        ),
    )
    def try_anything(self, order_id: OrderId, action: str) -> None:
        """Any host action on any order: it goes through, or is refused."""
        orders = self.hotel.orders
        actions: dict[str, Callable[[str], Order]] = {
            "approve": lambda k: orders.approve(order_id, idempotency_key=k),
            "decline": lambda k: orders.decline(order_id, reason="no", idempotency_key=k),
            "confirm": lambda k: orders.confirm(order_id, idempotency_key=k),
            "check_in": lambda k: orders.check_in(order_id, idempotency_key=k),
            "check_out": lambda k: orders.check_out(order_id, idempotency_key=k),
            "complete": lambda k: orders.complete(order_id, idempotency_key=k),
            "no_show": lambda k: orders.mark_no_show(order_id, idempotency_key=k),
        }
        if self._run(action, actions[action]) and action in ("decline", "no_show"):
            self._ended_cleanly([order_id])

    # -- time ------------------------------------------------------------------------

    @rule(
        step=st.one_of(
            st.integers(1, 59).map(lambda n: dt.timedelta(minutes=n)),
            st.integers(1, 23).map(lambda n: dt.timedelta(hours=n)),
            st.integers(1, 12).map(lambda n: dt.timedelta(days=n)),
        ),
        sweep=st.booleans(),
    )
    def advance_clock(self, step: dt.timedelta, sweep: bool) -> None:
        """Minutes, hours or days go by (never past 2026-09-20), then the sweeper runs."""
        if self.now + step > LAST_INSTANT:
            self.hotel.clock.set(LAST_INSTANT)
        else:
            self.hotel.clock.advance(step)
        if sweep:
            self._sweep()

    @rule(
        order_id=orders,
        days=st.sampled_from([-8, -7, -2, -1, 0, 0, 0, 1]),
        hour=st.sampled_from([8, 15, 23]),
    )
    def jump_to_arrival(self, order_id: OrderId, days: int, hour: int) -> None:
        """The clock jumps to around an order's arrival, local time, if that is ahead."""
        self._set_clock(self._get(order_id).arrival + dt.timedelta(days=days), hour)

    def _set_clock(self, day: dt.date, hour: int) -> None:
        """Move the clock on to ``hour`` o'clock of ``day`` at the hotel, then sweep."""
        then = pendulum.datetime(day.year, day.month, day.day, hour, tz="Europe/Paris")
        if self.now < then <= LAST_INSTANT:
            self.hotel.clock.set(then.in_tz("UTC"))
            self._sweep()

    @rule()
    def sweep(self) -> None:
        self._sweep()

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def every_order_keeps_the_rules(self) -> None:
        orders = self._all()
        self._money_is_conserved(orders)
        self._nothing_gives_back_more_than_was_paid(orders)
        self._statuses_follow_the_table(orders)
        self._inventory_follows_the_orders(orders)
        self._no_night_is_oversold()
        self._ended_orders_owe_nothing_back(orders)
        self._refunds_leave_what_is_due(orders)
        self._nothing_is_left_in_limbo(orders)

    def _money_is_conserved(self, orders: list[Order]) -> None:
        gateway = {m.reference: m for m in self.hotel.gateway.movements()}
        for order in orders:
            ledger = order.ledger
            assert ledger.captured - ledger.refunded - ledger.charged_back == order.received
            for m in ledger.movements:
                # The order knows nothing the gateway does not, nor anything more final.
                there = gateway.get(m.reference)
                assert there is not None, (order.id, m.reference)
                facts = (there.kind, there.amount, there.order, there.parent)
                assert facts == (m.kind, m.amount, m.order, m.parent), m.reference
                assert RANK[there.status] >= RANK[m.status], m.reference

    def _nothing_gives_back_more_than_was_paid(self, orders: list[Order]) -> None:
        for movements in (self.hotel.gateway.movements(), *(o.ledger.movements for o in orders)):
            back = _taken_back(movements)
            for m in movements:
                if m.kind is MovementKind.CAPTURE:
                    paid = m.amount.minor_units if m.succeeded else 0
                    assert back[m.reference] <= paid, m.reference
        for order in orders:
            assert not order.received.is_negative, (order.id, order.received)

    def _statuses_follow_the_table(self, orders: list[Order]) -> None:
        for order in orders:
            assert order.status in REACHABLE[ORDER_LIFECYCLE.initial]
            was = self.statuses.get(order.id, ORDER_LIFECYCLE.initial)
            assert order.status in REACHABLE[was], (order.id, was, order.status)
            assert order.version >= self.versions.get(order.id, 0), order.id
            self.statuses[order.id] = order.status
            self.versions[order.id] = order.version

    def _inventory_follows_the_orders(self, orders: list[Order]) -> None:
        inventory, stock = self.hotel.inventory, self.hotel.stock
        live: set[HoldId] = set()
        for order in orders:
            if order.status not in SOLD | UNPAID:
                continue
            parts = self._parts_of(order)
            live.update(parts)
            statuses = list(parts.values())
            if order.status in SOLD:
                assert set(statuses) == {HoldStatus.CONFIRMED}, (order.id, order.status, statuses)
            else:
                # Held; or lapsed in the store until the sweeper expires the order, the
                # other parts released with it, so that confirming it is refused.
                assert HoldStatus.CONFIRMED not in statuses, (order.id, order.status, statuses)
                if HoldStatus.RELEASED in statuses:
                    assert HoldStatus.EXPIRED in statuses, (order.id, order.status, statuses)
        # Ended orders, cancelled lines and replaced holds hold nothing.
        for hold_id, order_id in self.stay_holds.items():
            if hold_id not in live:
                status = inventory.hold(hold_id).status
                assert not status.takes_inventory, (order_id, hold_id, status)
        for hold_id, order_id in self.stock_holds.items():
            if hold_id not in live:
                status = stock.hold(hold_id).status
                assert not status.takes_inventory, (order_id, hold_id, status)

    def _parts_of(self, order: Order) -> dict[HoldId, HoldStatus]:
        """The holds of the order's active lines, with their status in their stores."""
        parts = {}
        for line in order.active_lines:
            if isinstance(line, StayLine):
                parts[line.hold] = self.hotel.inventory.hold(line.hold).status
            elif isinstance(line, AddOnLine) and line.hold is not None:
                parts[line.hold] = self.hotel.stock.hold(line.hold).status
        return parts

    def _no_night_is_oversold(self) -> None:
        held, sold = Counter[dt.date](), Counter[dt.date]()
        for hold_id in self.stay_holds:
            hold = self.hotel.inventory.hold(hold_id)
            counter = {HoldStatus.HELD: held, HoldStatus.CONFIRMED: sold}.get(hold.status)
            if counter is not None:
                counter.update(dict.fromkeys(hold.stay, hold.rooms))
        for counts in self.hotel.inventory.counts(self.hotel.unit_type, SEASON):
            assert counts.held + counts.sold <= counts.capacity == 2, counts
            assert (counts.held, counts.sold) == (held[counts.night], sold[counts.night]), counts
        units = Counter[HoldStatus]()
        for hold_id in self.stock_holds:
            vouchers = self.hotel.stock.hold(hold_id)
            units[vouchers.status] += sum(line.quantity for line in vouchers.lines)
        level = self.hotel.stock.level(self.hotel.breakfast)
        assert (level.held, level.sold) == (units[HoldStatus.HELD], units[HoldStatus.CONFIRMED])

    def _ended_orders_owe_nothing_back(self, orders: list[Order]) -> None:
        """Ended orders owe nothing back, beyond refunds the gateway reported under way.

        Except an order with a request whose answer a timeout lost: the money may have
        moved or not, and the sweeper finds out (see :meth:`_sweep`).
        """
        for order in orders:
            if order.status in ENDED and not order.requests:
                assert not _owes_back(order), (order.id, order.status, order.balance)

    def _refunds_leave_what_is_due(self, orders: list[Order]) -> None:
        """A step that refunds leaves the guest having paid at least what is due.

        Counted at the gateway, where a refund whose answer was lost counts too.
        """
        for order in orders:
            net = Counter[MovementKind]()
            for m in self.hotel.gateway.movements(order.id):
                if m.succeeded:
                    net[m.kind] += m.amount.minor_units
            refunded, charged_back = self.refunded.get(order.id, (0, 0))
            if net[MovementKind.REFUND] > refunded:
                # Chargebacks since the last check do not count: they may come after.
                kept = net[MovementKind.CAPTURE] - net[MovementKind.REFUND] - charged_back
                assert kept >= order.due.minor_units, (order.id, _eur(kept), order.due)
            self.refunded[order.id] = (net[MovementKind.REFUND], net[MovementKind.CHARGEBACK])

    def _nothing_is_left_in_limbo(self, orders: list[Order]) -> None:
        for order in orders:
            if order.status is S.AWAITING_PAYMENT:
                assert not order.facts(self.now).paid_enough, (order.id, order.received)


OrderMachine.TestCase.settings = settings(max_examples=250, stateful_step_count=80)
TestOrderMachine = OrderMachine.TestCase
