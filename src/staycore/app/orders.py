"""Order use cases: book, approve, pay, cancel, change, check in and out, and sweep.

:class:`Orders` wires the order aggregate (:mod:`staycore.orders.order`) over the ports:
a unit of work stores each change with its events, :class:`~staycore.app.order_holds.OrderHolds`
keeps the inventory, :class:`~staycore.app.pricing.Pricing` checks quotes and counts
coupons, a :class:`~staycore.ports.payments.PaymentGateway` moves the money and a
:class:`~staycore.ports.notifier.Notifier` tells the guest.

The rules every use case keeps:

* **Once per key.** Every command that changes something takes an idempotency key. A
  repeat with the same key and the same command returns the order as it is now and does
  nothing again; the same key with another command is refused. Calls to the gateway
  carry keys derived from it, so a retry after a timeout never moves money twice.
* **All or nothing.** Inventory, coupons and money live in other stores than the order,
  so a use case that fails half way gives back what it took (holds released, coupon uses
  released) and the unit of work rolls back. Money that moved is never forgotten: it is
  recorded on the order before anything else can fail.
* **Money is conserved.** A refund is what the order's ledger says was received beyond
  what is due, spread over the captures that can take it
  (:func:`~staycore.orders.refunds.allocate_refund`), never more.
* **Late money.** A payment that lands on an order that already expired re-holds its
  inventory and confirms it, or, when the rooms are gone, is refunded at once; an event
  records which (:class:`~staycore.orders.events.LateMoneyResolved`).

Example:
    See :doc:`/concepts/orders` for a booking from quote to refund, and
    ``tests/unit/test_app_orders.py`` for every use case.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import attrs
import pendulum

from staycore.app.arguments import expect, expect_each, expect_optional
from staycore.app.order_holds import OrderHold, OrderHolds
from staycore.app.pricing import Pricing
from staycore.app.undo import undo
from staycore.availability.appointments import SlotHoldRequest
from staycore.availability.errors import AvailabilityError
from staycore.availability.holds import HoldNotActiveError
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.stay_holds import StayHoldRequest
from staycore.availability.stock import ItemId, StockRequest
from staycore.kernel.errors import StoreBusyError
from staycore.kernel.events import DomainEvent
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Clock, Slot, Stay, local_date, local_instant
from staycore.orders.errors import OrderError
from staycore.orders.events import LateMoneyResolved, RefundIssued
from staycore.orders.ids import CustomerId, LineId, OrderId
from staycore.orders.lifecycle import ORDER_LIFECYCLE, OrderStatus
from staycore.orders.lines import AddOnLine, Channel, Guest, InvalidLineError, SlotLine, StayLine
from staycore.orders.order import Order
from staycore.orders.payments import (
    AuthorizationLapsedError,
    GatewayTimeoutError,
    MoneyRequest,
    MovementKind,
    MovementStatus,
    PaymentMovement,
    PaymentRequest,
)
from staycore.orders.refunds import RefundExceedsPaidError, RefundPart, allocate_refund
from staycore.orders.terms import BookingTerms
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.notifier import Channel as MessageChannel
from staycore.ports.notifier import Message, Notifier
from staycore.ports.orders import OrderQueries
from staycore.ports.payments import PaymentGateway
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.pricing.quote import Pricer, Quote, check_quote

__all__ = [
    "AddOnRequest",
    "AuthorizationTooEarlyError",
    "InvalidCommandError",
    "NothingToPayError",
    "Orders",
    "PaymentOutcome",
    "PlaceOrder",
    "SlotRequest",
    "StayRequest",
    "SweepReport",
]

_KEY_TTL = dt.timedelta(days=7)
# How many times a placement runs when the database gives its transaction up.
_BUSY_ATTEMPTS = 3
# Orders that booked nothing any more: money reaching them is late money.
_ENDED = frozenset({*ORDER_LIFECYCLE.final, OrderStatus.EXPIRED})


class NothingToPayError(OrderError):
    """A payment was asked for an order that owes nothing now."""

    code = "orders.nothing_to_pay"


class AuthorizationTooEarlyError(OrderError):
    """A card guarantee was asked for an arrival beyond what the gateway can hold."""

    code = "orders.authorization_too_early"


# -- commands -------------------------------------------------------------------------


class InvalidCommandError(OrderError):
    """A command to book holds something that is not what it takes (a missing quote, say)."""

    code = "orders.invalid_command"


def _of(kind: type, what: str) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """A validator: the field holds a ``kind``, or the command is refused naming ``what``."""

    def check(_command: object, field: attrs.Attribute[Any], value: object) -> None:
        expect(value, kind, name=field.name, what=what, error=InvalidCommandError)

    return check


def _each(kind: type, what: str) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """A validator: the field is a collection (a list, a tuple) of ``kind`` values."""

    def check(_command: object, field: attrs.Attribute[Any], value: object) -> None:
        expect_each(
            value, kind, name=field.name, what=f"a list of {what}", error=InvalidCommandError
        )

    return check


@attrs.frozen(kw_only=True)
class StayRequest:
    """Rooms of a unit type as the guest saw them quoted.

    Attributes:
        pricer: The rate plan and rules that made the quote; the stay is quoted again
            with it, and the order refused if the total changed.
        quote: The quote the guest accepted.
        rooms: Rooms each night.
    """

    pricer: Pricer = attrs.field(validator=_of(Pricer, "the Pricer that quoted the stay"))
    quote: Quote = attrs.field(validator=_of(Quote, "the Quote the guest accepted"))
    rooms: int = 1


@attrs.frozen(kw_only=True)
class SlotRequest:
    """Places at an appointment slot, at the price the guest saw."""

    resource: ResourceId
    slot: Slot
    price: Money
    places: int = 1


@attrs.frozen(kw_only=True)
class AddOnRequest:
    """An add-on, optionally taking units of counted stock."""

    name: str
    unit_price: Money
    quantity: int = 1
    item: ItemId | None = attrs.field(
        default=None, validator=attrs.validators.optional(ItemId.validate)
    )


@attrs.frozen(kw_only=True)
class PlaceOrder:
    """The command to book: who, what, through which channel, under which terms."""

    guest: Guest = attrs.field(validator=_of(Guest, "a Guest"))
    terms: BookingTerms = attrs.field(validator=_of(BookingTerms, "the BookingTerms"))
    stays: Sequence[StayRequest] = attrs.field(
        default=(), validator=_each(StayRequest, "StayRequest")
    )
    slots: Sequence[SlotRequest] = attrs.field(
        default=(), validator=_each(SlotRequest, "SlotRequest")
    )
    add_ons: Sequence[AddOnRequest] = attrs.field(
        default=(), validator=_each(AddOnRequest, "AddOnRequest")
    )
    channel: Channel = Channel.DIRECT
    customer: CustomerId | None = None
    notes: str = ""


@attrs.frozen(kw_only=True)
class PaymentOutcome:
    """What a payment did: the order after it, and the provider's movement."""

    order: Order
    movement: PaymentMovement


@attrs.frozen(kw_only=True)
class SweepReport:
    """What a sweep did, by order."""

    expired: tuple[OrderId, ...] = ()
    declined: tuple[OrderId, ...] = ()
    no_shows: tuple[OrderId, ...] = ()
    reminded: tuple[OrderId, ...] = ()


# -- the use cases --------------------------------------------------------------------


class Orders:
    """The order use cases over the ports.

    Args:
        uow: Opens units of work for orders.
        queries: Finds open orders (for the sweeper).
        holds: Holds the orders' nights, slots and stock.
        pricing: Quotes again and redeems coupons.
        gateway: Moves the money.
        notifier: Tells the guest.
        idempotency: Remembers idempotency keys.
        clock: The time of every change.
        atomic: Opens a block whose store operations commit together or not at all
            (:attr:`~staycore.ports.stores.Stores.atomic`); placing an order runs in
            one. Without it each operation commits alone, and a placement that fails
            gives back what it held.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        queries: OrderQueries,
        holds: OrderHolds,
        pricing: Pricing,
        gateway: PaymentGateway,
        notifier: Notifier,
        idempotency: IdempotencyStore,
        clock: Clock,
        atomic: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
    ) -> None:
        self._uow = uow
        self._atomic = atomic
        self._queries = queries
        self._holds = holds
        self._pricing = pricing
        self._gateway = gateway
        self._notifier = notifier
        self._idempotency = idempotency
        self._clock = clock
        self.undelivered: list[Message] = []
        """Messages the notifier refused; the changes they announce stand. Resend them."""

    # -- reading -------------------------------------------------------------------

    def get(self, order_id: OrderId) -> Order:
        """The order as committed.

        Raises:
            AggregateNotFoundError: No such order.
        """
        with self._uow() as uow:
            return uow.repository(Order).get(order_id)

    # -- placing and approving -----------------------------------------------------

    def place(self, command: PlaceOrder, *, idempotency_key: str) -> Order:
        """Check the quotes, hold everything, redeem the coupons and store the order.

        The order ends awaiting payment (or approval, for a request to book), holding
        its inventory until :attr:`~staycore.orders.order.Order.expires_at`.

        Raises:
            QuoteExpiredError: A quote expired: quote again.
            QuoteChangedError: A price changed since the guest saw it.
            StayRestrictedError, NotAvailableError, SlotFullError, OutOfStockError:
                Something cannot be held; nothing is.
            CouponExhaustedError: A code ran out meanwhile; nothing is held.
            StoreBusyError: The database gave the placement up three times (deadlocks);
                nothing is held: try again.
            InvalidCommandError: ``command`` is not a :class:`PlaceOrder`.
        """
        if not isinstance(command, PlaceOrder):
            msg = f"place takes a PlaceOrder command, got {command!r:.80}"
            raise InvalidCommandError(msg)
        placed: list[Order] = []

        def run() -> Order:
            placed.append(self._place(command))
            return placed[-1]

        # The key, the holds, the redemptions and the order are stored together, or none
        # of them: a process that dies halfway leaves nothing a retry would trip over. A
        # database that gives the block up (a deadlock, say) rolled all of it back, so
        # the block runs again, a few times.
        for attempt in range(1, _BUSY_ATTEMPTS + 1):
            try:
                with self._atomic():
                    order = self._once(idempotency_key, ("place", command), run)
                break
            except StoreBusyError:
                placed.clear()
                if attempt == _BUSY_ATTEMPTS:
                    raise
        if placed and order.status is OrderStatus.AWAITING_APPROVAL:
            self._notify(order, "booking.requested")
        return order

    def _place(self, command: PlaceOrder) -> Order:
        now = self._clock.now()
        order_id = OrderId.new()
        for request in command.stays:
            fresh = self._pricing.quote(
                request.pricer,
                request.quote.stay,
                request.quote.guests,
                codes=[code for code, _ in request.quote.coupon_discounts],
                tier=request.quote.tier,
            )
            check_quote(request.quote, fresh, now=now)
        window = command.terms.approval_window if command.terms.request_to_book else None
        expires_at = now + (window or command.terms.hold_for)
        stays = [
            StayLine.priced(
                unit_type=r.pricer.plan.unit_type,
                stay=r.quote.stay,
                guests=r.quote.guests,
                rooms=r.rooms,
                total=r.quote.total,
                night_prices=r.quote.night_prices,
                hold=HoldId.new(),
            )
            for r in command.stays
        ]
        slots = [
            SlotLine(
                resource=r.resource, slot=r.slot, places=r.places, price=r.price, hold=HoldId.new()
            )
            for r in command.slots
        ]
        add_ons = [
            AddOnLine(
                name=r.name,
                quantity=r.quantity,
                unit_price=r.unit_price,
                item=r.item,
                hold=None if r.item is None else HoldId.new(),
            )
            for r in command.add_ons
        ]
        # Every order has a customer: a guest without a profile gets a new one, which
        # the membership context may merge with others later (same e-mail or phone).
        customer = command.customer or command.guest.customer or CustomerId.new()
        guest = attrs.evolve(command.guest, customer=customer)
        order, placed = Order.place(
            order_id,
            guest=guest,
            channel=command.channel,
            lines=[*stays, *slots, *add_ons],
            terms=command.terms,
            at=now,
            coupon_codes=[c for r in command.stays for c, _ in r.quote.coupon_discounts],
            notes=command.notes,
        )
        stays_wanted, slots_wanted, stock_wanted = _hold_requests(order, expires_at)
        held = self._holds.hold(
            stays=stays_wanted,
            slots=slots_wanted,
            stock=stock_wanted,
            booked_on=local_date(now, command.terms.timezone),
        )
        try:
            for request in command.stays:
                self._pricing.redeem(request.quote, order=order_id, customer=customer)
            order, moved = order.hold(at=now)
            with self._uow() as uow:
                uow.repository(Order).add(order)
                uow.collect(*placed, *moved, *held.events)
                uow.commit()
        except BaseException:
            undo(
                [
                    functools.partial(self._holds.release, held),
                    *(
                        functools.partial(self._pricing.release, request.quote, order=order_id)
                        for request in command.stays
                    ),
                ],
                what="placing an order",
            )
            raise
        return order

    def approve(self, order_id: OrderId, *, idempotency_key: str) -> Order:
        """The host accepts a request to book; the guest now has the payment term.

        Raises:
            GuardRejectedError: The approval deadline passed.
            IllegalTransitionError: The order is not awaiting approval.
        """

        def run() -> Order:
            now = self._clock.now()
            order = self.get(order_id)
            approved, events = order.approve(at=now)
            self._holds.extend(self._hold_of(order), approved.expires_at)
            self._save(order, approved, events)
            self._notify(approved, "booking.approved")
            return self._confirm_if_paid(approved, now)

        return self._once(idempotency_key, ("approve", order_id), run)

    def decline(self, order_id: OrderId, *, reason: str, idempotency_key: str) -> Order:
        """The host refuses a request to book: its inventory and coupons are given back."""

        def run() -> Order:
            order = self.get(order_id)
            declined, events = order.decline(at=self._clock.now(), reason=reason)
            return self._close(order, declined, events, "booking.declined")

        return self._once(idempotency_key, ("decline", order_id, reason), run)

    # -- money ---------------------------------------------------------------------

    def amount_due_now(self, order: Order) -> Money:
        """What the guest should pay now.

        Before confirming, what the schedule asks (a deposit, or everything); after, the
        balance. A payment still under way (3-D Secure, a method that settles later)
        counts as paid here, so the guest is not asked twice.

        Raises:
            InvalidArgumentError: ``order`` is not an :class:`~staycore.orders.order.Order`.
        """
        order = expect(
            order, Order, name="Orders.amount_due_now: order", example="orders.get(order_id)"
        )
        under_way = Money.total(
            (
                m.amount
                for m in order.ledger.pending()
                if m.kind in (MovementKind.CAPTURE, MovementKind.AUTHORIZATION)
            ),
            order.currency,
        )
        if order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.HELD):
            owed = order.due_before_confirming() - order.received - order.ledger.authorized
        else:
            owed = order.balance
        owed -= under_way  # a payment the guest is completing, or that settles later
        return owed if owed.is_positive else Money.zero(order.currency)

    def pay(
        self,
        order_id: OrderId,
        *,
        method: str,
        idempotency_key: str,
        amount: Money | None = None,
        capture: bool = True,
    ) -> PaymentOutcome:
        """Charge the guest (by default what is due now) and confirm when paid enough.

        With ``capture=False`` the amount is only authorized (held on the card, as a
        guarantee): it counts towards confirming, and :meth:`capture` takes it later,
        at check-in say; cancelling releases it.

        A declined card is an outcome (a failed movement on the order), not an error. A
        card that asks for 3-D Secure, or a method that settles later, gives the order
        more time; the webhook finishes the job (:meth:`handle_webhook`).

        Raises:
            NothingToPayError: Nothing is owed now and no amount was given.
            GatewayTimeoutError: The gateway did not answer; retry with the same key.
            InvalidArgumentError: ``amount`` is neither ``None`` nor
                :class:`~staycore.kernel.money.Money`.
        """
        amount = expect_optional(
            amount,
            Money,
            name="Orders.pay: amount",
            example="Money.of('50.00', 'EUR'), or None for what is due now",
        )
        fingerprint = ("pay", order_id, method, amount, capture)
        outcome: list[PaymentOutcome] = []

        def run() -> Order:
            order = self.get(order_id)
            wanted = amount if amount is not None else self.amount_due_now(order)
            if not wanted.is_positive:
                msg = f"order {order_id} owes nothing now (balance {order.balance})"
                raise NothingToPayError(msg)
            if not capture:
                self._require_guarantee_window(order)
            request = PaymentRequest(order=order_id, amount=wanted, method=method)
            if capture:
                movement = self._gateway.charge(
                    request, idempotency_key=f"{idempotency_key}:charge"
                )
            else:
                movement = self._gateway.authorize(
                    request, idempotency_key=f"{idempotency_key}:authorize"
                )
            after = self._take(movement)
            outcome.append(PaymentOutcome(order=after, movement=movement))
            return after

        return self._outcome(self._once(idempotency_key, fingerprint, run), outcome)

    def _require_guarantee_window(self, order: Order) -> None:
        """Refuse an authorization that would lapse before the guest arrives."""
        days = self._gateway.capabilities.max_authorization_days
        check_in = local_instant(
            order.arrival, order.terms.cancellation.check_in_time, order.terms.timezone
        )
        if check_in > self._clock.now().add(days=days):
            msg = (
                f"the gateway holds an authorization for {days} days and order {order.id} "
                f"checks in on {order.arrival}: charge now, or authorize within {days} days "
                "of arrival"
            )
            raise AuthorizationTooEarlyError(msg)

    def capture(
        self, order_id: OrderId, *, idempotency_key: str, amount: Money | None = None
    ) -> PaymentOutcome:
        """Take money held on the guest's card: by default what is owed, up to what is held.

        Raises:
            NothingToPayError: No authorization holds money, or nothing is owed.
            CaptureExceedsAuthorizedError, UnsupportedPaymentOperationError: The gateway
                refused the amount (see its capabilities).
            GatewayTimeoutError: The gateway did not answer; retry with the same key.
            InvalidArgumentError: ``amount`` is neither ``None`` nor
                :class:`~staycore.kernel.money.Money`.
        """
        amount = expect_optional(
            amount,
            Money,
            name="Orders.capture: amount",
            example="Money.of('50.00', 'EUR'), or None for what is owed",
        )
        outcome: list[PaymentOutcome] = []

        def run() -> Order:
            order = self.get(order_id)
            held = order.ledger.open_authorizations()
            wanted = amount if amount is not None else order.balance
            if not held or not wanted.is_positive:
                msg = (
                    f"order {order_id} has nothing to capture: {len(held)} authorizations "
                    f"hold money and the balance is {order.balance}"
                )
                raise NothingToPayError(msg)
            authorization, left = held[0]
            movement = self._gateway.capture(
                authorization.reference,
                min(wanted, left),
                idempotency_key=f"{idempotency_key}:capture",
            )
            after = self._take(movement)
            outcome.append(PaymentOutcome(order=after, movement=movement))
            return after

        fingerprint = ("capture", order_id, amount)
        return self._outcome(self._once(idempotency_key, fingerprint, run), outcome)

    def _outcome(self, order: Order, ran: list[PaymentOutcome]) -> PaymentOutcome:
        """The payment just made, or on a replay, the order's last movement."""
        if ran:
            return ran[0]
        return PaymentOutcome(order=order, movement=order.ledger.movements[-1])

    def handle_webhook(self, body: bytes, headers: Mapping[str, str]) -> tuple[Order, ...]:
        """Verify a provider webhook and apply each movement it reports to its order.

        Duplicates and reports that arrive out of order change nothing; a capture that
        completes what the schedule asks confirms the order; one that lands on an
        expired order is late money.

        Raises:
            WebhookSignatureError: The webhook is not from the provider.
            InvalidWebhookError: It cannot be read.
        """
        return tuple(self._take(m) for m in self._gateway.parse_webhook(body, headers))

    def confirm(self, order_id: OrderId, *, idempotency_key: str) -> Order:
        """Confirm an order whose schedule asks nothing more now.

        For an order paid at the property, or one whose payment landed without
        confirming it.

        Raises:
            GuardRejectedError: The schedule asks for more money first.
        """

        def run() -> Order:
            order = self.get(order_id)
            return self._confirmed(order, self._clock.now())

        return self._once(idempotency_key, ("confirm", order_id), run)

    # -- cancelling and changing ---------------------------------------------------

    def cancel(
        self, order_id: OrderId, *, idempotency_key: str, reason: str = "cancelled by the guest"
    ) -> Order:
        """Cancel under the order's policy: refund what is owed back, free everything.

        Raises:
            IllegalTransitionError: The order cannot be cancelled in its status.
            GuardRejectedError: The arrival day has passed (a no-show, not a cancellation).
        """

        def run() -> Order:
            order = self.get(order_id)
            cancelled, events = order.cancel(at=self._clock.now(), reason=reason)
            return self._close(order, cancelled, events, "booking.cancelled")

        return self._once(idempotency_key, ("cancel", order_id, reason), run)

    def cancel_lines(
        self, order_id: OrderId, lines: Collection[LineId], *, idempotency_key: str
    ) -> Order:
        """Cancel some lines (a room, a slot, an add-on) under the policy.

        What they held is freed and any excess refunded; the other lines keep their prices.

        Raises:
            InvalidArgumentError: ``lines`` is not a collection of line ids.
        """
        lines = expect_each(
            lines, LineId, name="Orders.cancel_lines: lines", example="[order.lines[0].id]"
        )

        def run() -> Order:
            now = self._clock.now()
            order = self.get(order_id)
            changed, events = order.cancel_lines(lines, at=now)
            parts = [h for line in lines if (h := order.line(line).hold) is not None]
            self._save(order, changed, events)
            self._holds.release_parts(self._hold_of(order), parts)
            return self._confirm_if_paid(self._settle(changed), now)

        return self._once(idempotency_key, ("cancel_lines", order_id, tuple(sorted(lines))), run)

    def cancel_nights(
        self,
        order_id: OrderId,
        line_id: LineId,
        nights: Collection[dt.date],
        *,
        idempotency_key: str,
    ) -> Order:
        """Cancel nights at the start or end of a stay, under the policy.

        The nights left keep their prices and their rooms; any excess is refunded.

        Raises:
            InvalidArgumentError: ``nights`` is not a collection of dates.
        """
        nights = expect_each(
            nights, dt.date, name="Orders.cancel_nights: nights", example="[date(2026, 7, 22)]"
        )

        def run() -> Order:
            now = self._clock.now()
            order = self.get(order_id)
            line = _stay_line(order, line_id)
            new_hold = HoldId.new()
            changed, events = order.cancel_nights(line_id, nights, hold=new_hold, at=now)
            shorter = changed.line(line_id)
            assert isinstance(shorter, StayLine)  # noqa: S101 - cancel_nights keeps the kind
            self._swap(order, changed, events, old=line, new=shorter, now=now)
            return self._confirm_if_paid(self._settle(changed), now)

        fingerprint = ("cancel_nights", order_id, line_id, tuple(sorted(nights)))
        return self._once(idempotency_key, fingerprint, run)

    def change_dates(
        self,
        order_id: OrderId,
        line_id: LineId,
        *,
        stay: Stay,
        pricer: Pricer,
        idempotency_key: str,
        method: str | None = None,
        tier: str | None = None,
    ) -> Order:
        """Move a stay to other dates: check them, price them now, settle the difference.

        The new nights are quoted with the order's coupon codes (their uses are already
        counted for it) and the guest's ``tier``, and held in one swap with the old ones
        (the guest's own rooms count as free). When a confirmed stay gets dearer, the
        difference is charged to ``method`` if one is given (otherwise it joins the
        balance, due under the schedule); when it gets cheaper, what was paid beyond
        what is now due is refunded.

        Raises:
            StayRestrictedError: The new dates break a restriction; nothing changed.
            NotAvailableError: Some new night is full; nothing changed.
            OrderNotChangeableError: The order has ended, or the guest has arrived.
            InvalidArgumentError: ``pricer`` is not a :class:`~staycore.pricing.quote.Pricer`.
        """
        pricer = expect(
            pricer, Pricer, name="Orders.change_dates: pricer", example="Pricer(rate_plan, rules)"
        )

        def run() -> Order:
            now = self._clock.now()
            order = self.get(order_id)
            line = _stay_line(order, line_id)
            quote = self._pricing.quote(
                pricer, stay, line.guests, codes=order.coupon_codes, tier=tier
            )
            new_hold = HoldId.new()
            changed, events = order.change_stay(
                line_id,
                stay=stay,
                total=quote.total,
                night_prices=quote.night_prices,
                hold=new_hold,
                at=now,
            )
            moved = changed.line(line_id)
            assert isinstance(moved, StayLine)  # noqa: S101 - change_stay keeps the kind
            self._swap(order, changed, events, old=line, new=moved, now=now)
            if changed.balance.is_negative:
                return self._confirm_if_paid(self._settle(changed), now)
            dearer = min(changed.value - order.value, changed.balance)
            if (
                dearer.is_positive
                and method is not None
                and changed.status is OrderStatus.CONFIRMED
            ):
                movement = self._gateway.charge(
                    PaymentRequest(order=order_id, amount=dearer, method=method),
                    idempotency_key=f"{idempotency_key}:charge",
                )
                return self._take(movement)
            return self._confirm_if_paid(changed, now)

        fingerprint = ("change_dates", order_id, line_id, str(stay), method, tier)
        return self._once(idempotency_key, fingerprint, run)

    # -- the stay ------------------------------------------------------------------

    def check_in(self, order_id: OrderId, *, idempotency_key: str) -> Order:
        """The guest arrived (from the arrival day on)."""
        return self._step(order_id, "check_in", idempotency_key)

    def check_out(self, order_id: OrderId, *, idempotency_key: str) -> Order:
        """The guest left; they may now review the stay."""
        return self._step(order_id, "check_out", idempotency_key)

    def complete(self, order_id: OrderId, *, idempotency_key: str) -> Order:
        """Close a checked-out order with nothing left to pay or refund.

        Raises:
            GuardRejectedError: Money is still owed either way.
        """
        return self._step(order_id, "complete", idempotency_key)

    def mark_no_show(self, order_id: OrderId, *, idempotency_key: str) -> Order:
        """The guest did not come: charge per policy, free the nights, refund any excess.

        A card that guarantees the booking is charged what the policy keeps.
        """

        def run() -> Order:
            order = self.get(order_id)
            ended, events = order.no_show(at=self._clock.now())
            return self._close(order, ended, events, "booking.no_show")

        return self._once(idempotency_key, ("no_show", order_id), run)

    # -- the sweeper ---------------------------------------------------------------

    def sweep(self) -> SweepReport:
        """Do what is due at the clock's time.

        Expire unpaid orders, decline requests the host did not answer, mark no-shows,
        remind guests of a balance or an arrival, and settle ended orders whose refunds
        or releases a gateway timeout cut off.

        Safe to run as often as wanted, from several workers: each order is changed
        under its version, and reminders carry idempotency keys.
        """
        now = self._clock.now()
        expired, declined, no_shows, reminded = [], [], [], []
        for order_id in self._queries.open_orders():
            order = self.get(order_id)
            facts = order.facts(now)
            if order.status is OrderStatus.AWAITING_APPROVAL and facts.approval_lapsed:
                lapsed, events = order.lapse(at=now)
                self._close(order, lapsed, events, "booking.declined")
                declined.append(order_id)
            elif ORDER_LIFECYCLE.can_fire(order.status, "expire", facts):
                if facts.paid_enough and order.status is OrderStatus.AWAITING_PAYMENT:
                    # Paid, but not confirmed (a crash in between): confirm it now, or
                    # treat the money as late if the holds lapsed.
                    self._confirmed(order, now)
                    continue
                ended, events = order.expire(at=now)
                self._close(order, ended, events, "booking.expired")
                expired.append(order_id)
            elif ORDER_LIFECYCLE.can_fire(order.status, "no_show", facts):
                ended, events = order.no_show(at=now)
                self._close(order, ended, events, "booking.no_show")
                no_shows.append(order_id)
            elif order.status is OrderStatus.CONFIRMED and self._remind(order, now):
                reminded.append(order_id)
        for order_id in self._queries.unsettled_orders():
            self._settle(self.get(order_id))  # money a gateway timeout left unsettled
        return SweepReport(
            expired=tuple(expired),
            declined=tuple(declined),
            no_shows=tuple(no_shows),
            reminded=tuple(reminded),
        )

    # -- internals -----------------------------------------------------------------

    def _once(self, key: str, command: object, run: Callable[[], Order]) -> Order:
        """Run ``run`` once per idempotency key; a repeat returns the order as it is now."""
        fingerprint = hashlib.sha256(repr(command).encode()).hexdigest()
        record = self._idempotency.claim(key, fingerprint, ttl=_KEY_TTL)
        if record is not None and record.result is not None:
            return self.get(OrderId(record.result))
        try:
            order = run()
        except BaseException:
            undo(
                [functools.partial(self._idempotency.release, key, fingerprint)],
                what=f"the request with idempotency key {key!r}",
            )
            raise
        self._idempotency.complete(key, fingerprint, str(order.id))
        return order

    def _step(self, order_id: OrderId, event: str, key: str) -> Order:
        def run() -> Order:
            order = self.get(order_id)
            changed, events = getattr(order, event)(at=self._clock.now())
            self._save(order, changed, events)
            return changed  # type: ignore[no-any-return]

        return self._once(key, (event, order_id), run)

    def _save(self, before: Order, after: Order, events: Sequence[DomainEvent]) -> None:
        with self._uow() as uow:
            uow.repository(Order).save(after, expected_version=before.version)
            uow.collect(*events)
            uow.commit()

    def _hold_of(self, order: Order) -> OrderHold:
        """The order's hold, from the holds of its active lines."""
        lines = order.active_lines
        return self._holds.load(
            order.id,
            stays=[line.hold for line in lines if isinstance(line, StayLine)],
            slots=[line.hold for line in lines if isinstance(line, SlotLine)],
            stock=[
                line.hold for line in lines if isinstance(line, AddOnLine) and line.hold is not None
            ],
        )

    def _swap(
        self,
        before: Order,
        after: Order,
        events: Sequence[DomainEvent],
        *,
        old: StayLine,
        new: StayLine,
        now: pendulum.DateTime,
    ) -> None:
        """Move a stay's inventory from ``old`` to ``new`` and store the changed order.

        The store swaps first (refusing full or restricted nights before anything is
        saved). If saving then fails (another change to the order won the race), the
        nights are swapped back under a fresh hold, and the stored order is pointed at it,
        so the guest keeps what they had.
        """
        booked_on = local_date(now, before.terms.timezone)
        request = _stay_request(before, new, now)
        self._holds.replace_stay(self._hold_of(before), old.hold, request, booked_on=booked_on)
        try:
            self._save(before, after, events)
        except BaseException:
            back = attrs.evolve(old, hold=HoldId.new())
            self._holds.replace_stay(
                self._hold_of(after),
                new.hold,
                _stay_request(before, back, now),
                booked_on=booked_on,
            )
            current = self.get(before.id)
            self._save(current, current.moved_hold(old.id, back.hold), ())
            raise

    def _take(self, movement: PaymentMovement) -> Order:
        """Record a movement on its order, then confirm, extend, or resolve late money."""
        now = self._clock.now()
        order = self.get(OrderId(movement.order))
        after, events = order.record_payment(movement, at=now)
        if after is order:  # a duplicate or a stale report: already handled
            return order
        self._save(order, after, events)
        if movement.succeeded and movement.kind is MovementKind.CAPTURE:
            if after.status in _ENDED:
                return self._late_money(after, movement.amount, now)
            self._notify(after, "payment.received", amount=str(movement.amount))
        elif movement.kind is MovementKind.CHARGEBACK and after.refund_due.is_positive:
            # A refund the gateway refused because of this chargeback, before the order
            # knew of it: plan it again now, over what the chargeback left.
            return self._settle(after)
        if after.status is OrderStatus.AWAITING_PAYMENT:
            if after.facts(now).paid_enough:
                return self._confirmed(after, now)
            if movement.status in (MovementStatus.PENDING, MovementStatus.REQUIRES_ACTION):
                return self._more_time(after, now)
        return after

    def _more_time(self, order: Order, now: pendulum.DateTime) -> Order:
        """Give an order paid by 3-D Secure, or by a method that settles later, more time.

        Another payment term, rather than letting it lapse mid-payment.
        """
        until = now + order.terms.hold_for
        if until <= order.expires_at:
            return order
        try:
            self._holds.extend(self._hold_of(order), until)
        except HoldNotActiveError:
            return order  # it lapsed already; the sweeper expires it
        extended = order.extend(until=until)
        self._save(order, extended, ())
        return extended

    def _confirm_if_paid(self, order: Order, now: pendulum.DateTime) -> Order:
        """Confirm an unpaid order that a change or an approval left paid enough."""
        if order.status is OrderStatus.AWAITING_PAYMENT and order.facts(now).paid_enough:
            return self._confirmed(order, now)
        return order

    def _confirmed(self, order: Order, now: pendulum.DateTime) -> Order:
        """Confirm a paid order and sell its inventory.

        If its holds lapsed before the money came, the order expires instead and the
        money is late money.
        """
        confirmed, events = order.confirm(at=now)
        try:
            self._holds.confirm(self._hold_of(order))
        except HoldNotActiveError:
            # The store let the holds lapse at the order's expiry, whether or not the
            # sweeper has run: expire the order now, then hold again or refund.
            expired, ended = order.expire(at=now)
            self._save(order, expired, ended)
            return self._late_money(expired, expired.received, now)
        self._save(order, confirmed, events)
        self._notify(confirmed, "booking.confirmed", paid=str(confirmed.received))
        return confirmed

    def _late_money(self, order: Order, amount: Money, now: pendulum.DateTime) -> Order:
        """Money landed on an ended order: hold its lines again and confirm, or refund."""
        reason = ""
        if order.status is OrderStatus.EXPIRED and order.facts(now).paid_enough:
            fresh = {line.id: HoldId.new() for line in order.active_lines}
            revived, events = order.revive(at=now, holds=fresh)
            stays, slots, stock = _hold_requests(revived, now + order.terms.hold_for)
            try:
                held = self._holds.hold(
                    stays=stays,
                    slots=slots,
                    stock=stock,
                    booked_on=local_date(now, order.terms.timezone),
                )
            except AvailabilityError as error:
                reason = f"its inventory is gone ({error.code})"
            else:
                resolved = LateMoneyResolved(
                    aggregate_id=order.id,
                    aggregate_version=revived.version,
                    occurred_at=now,
                    outcome="confirmed",
                    amount=amount,
                    reason="paid after expiry; the inventory was still free",
                )
                try:
                    self._holds.confirm(held)
                    self._save(order, revived, (*events, *held.events, resolved))
                except BaseException:
                    self._holds.release(held)
                    raise
                self._notify(revived, "booking.confirmed", paid=str(revived.received))
                return revived
        else:
            reason = f"the order is {order.status.value}"
        refunded = self._settle(order)
        resolved = LateMoneyResolved(
            aggregate_id=order.id,
            aggregate_version=refunded.version,
            occurred_at=now,
            outcome="refunded",
            amount=amount,
            reason=f"paid after the order ended and {reason}; refunded",
        )
        with self._uow() as uow:
            uow.collect(resolved)
            uow.commit()
        self._notify(refunded, "payment.refunded", amount=str(amount))
        return refunded

    def _close(
        self, before: Order, after: Order, events: Sequence[DomainEvent], template: str
    ) -> Order:
        """Store an order that ended: free its inventory and coupons, settle its money."""
        self._save(before, after, events)
        self._holds.release(self._hold_of(before))
        self._pricing.release_codes(before.coupon_codes, order=before.id)
        self._notify(after, template)
        return self._settle(after)

    def _settle(self, order: Order) -> Order:
        """Settle an order's money with the gateway.

        Take what an ended order owes from the cards guaranteeing it, release what they
        still hold, and refund what was paid beyond what is due.

        The change that called for it is committed already, so a gateway that times out
        does not undo it: the order is left unsettled
        (:meth:`~staycore.ports.orders.OrderQueries.unsettled_orders`) and the sweeper
        settles it later. The gateway's idempotency keys come from the order's id and
        version, so that later attempt asks for the same movements as the one cut off,
        and never moves money twice.
        """
        try:
            order = self._ask_again(order)
            if order.requests:
                return order  # the gateway still has not answered: settle later
            if order.status in _ENDED:
                order = self._settle_guarantees(order)
            return self._refund_excess(order)
        except (GatewayTimeoutError, RefundExceedsPaidError):
            # A timeout, or a capture charged back at the gateway in a report the order
            # has not had yet: what was recorded stands, and the sweeper settles the rest
            # once the gateway answers or the report arrives.
            return self.get(order.id)

    def _settle_guarantees(self, order: Order) -> Order:
        """Capture what an ended order still owes from the cards that guarantee it.

        Then release what they still hold.
        """
        for authorization, held in order.ledger.open_authorizations():
            reference = authorization.reference
            owed = order.balance
            if owed.is_positive:
                take = min(owed, held)
                capture = self._request(order, MovementKind.CAPTURE, reference, take)
                order, movement = self._ask(order, capture)
                if movement.succeeded and movement.amount == held:
                    continue
            release = self._request(order, MovementKind.VOID, reference, held)
            try:
                order, _ = self._ask(order, release)
            except AuthorizationLapsedError:
                # The provider let the rest go with the capture: nothing to release.
                order = self._forget(order, release)
        return order

    def _refund_excess(self, order: Order) -> Order:
        """Refund what was received beyond what is due, over the captures, and record it."""
        excess = order.refund_due
        if excess.is_zero:
            return order
        parts: tuple[RefundPart, ...] = allocate_refund(
            excess, order.ledger.refundable(), order=order.terms.refund_order
        )
        for part in parts:
            refund = self._request(
                order, MovementKind.REFUND, part.reference, part.amount, part.reason
            )
            order, _ = self._ask(order, refund)
        return order

    def _request(
        self, order: Order, kind: MovementKind, reference: str, amount: Money, reason: str = ""
    ) -> MoneyRequest:
        """A new request with a key of its own (the order's version makes it unique)."""
        key = f"{order.id}:{kind.value}:{reference}:v{order.version}"
        return MoneyRequest(key=key, kind=kind, reference=reference, amount=amount, reason=reason)

    def _ask(self, order: Order, request: MoneyRequest) -> tuple[Order, PaymentMovement]:
        """Keep ``request`` on the order, ask the gateway, and record its answer.

        The request is committed before the gateway is asked: if the answer is lost (a
        timeout, a crash), the order still knows money may have moved, counts it as under
        way, and :meth:`_ask_again` finds out by the key what became of it.
        """
        asked, events = order.ask(request, at=self._clock.now())
        self._save(order, asked, events)
        try:
            return self._answer(asked, request)
        except RefundExceedsPaidError:
            # Refused: it moved nothing. Close it, so the order plans again from the
            # ledger once the report of what took the money back (a chargeback) arrives.
            self._forget(asked, request)
            raise

    def _answer(self, order: Order, request: MoneyRequest) -> tuple[Order, PaymentMovement]:
        """Ask the gateway ``request`` and record the answer on ``order``."""
        if request.kind is MovementKind.REFUND:
            movement = self._gateway.refund(
                request.reference, request.amount, idempotency_key=request.key
            )
        elif request.kind is MovementKind.CAPTURE:
            movement = self._gateway.capture(
                request.reference, request.amount, idempotency_key=request.key
            )
        else:
            movement = self._gateway.void(request.reference, idempotency_key=request.key)
        return self._record(order, request, movement), movement

    def _record(self, order: Order, request: MoneyRequest, movement: PaymentMovement) -> Order:
        """Record the gateway's answer to ``request`` on ``order``."""
        now = self._clock.now()
        answered, events = order.answered(request.key, movement, at=now)
        extra: tuple[DomainEvent, ...] = ()
        if request.kind is MovementKind.REFUND and movement.succeeded:
            extra = (
                RefundIssued(
                    aggregate_id=order.id,
                    aggregate_version=answered.version,
                    occurred_at=now,
                    reference=movement.reference,
                    capture=request.reference,
                    amount=request.amount,
                    reason=request.reason,
                ),
            )
        self._save(order, answered, (*events, *extra))
        return answered

    def _ask_again(self, order: Order) -> Order:
        """Find out what became of every request whose answer was lost.

        The gateway is asked what it made under the request's key, and that is recorded.
        A request it made nothing for is closed, and the order plans again from its
        ledger as it is now: making the request again under its key would move the money
        as first planned, which may be more than is now owed (a chargeback may have come
        in between).
        """
        for request in order.requests:
            movement = self._gateway.find(request.key)
            if movement is None:
                order = self._forget(order, request)
            else:
                order = self._record(order, request, movement)
        return order

    def _forget(self, order: Order, request: MoneyRequest) -> Order:
        """Close a request the gateway moved nothing for (see :meth:`Order.forget`)."""
        closed = order.forget(request.key)
        self._save(order, closed, ())
        return closed

    def _remind(self, order: Order, now: pendulum.DateTime) -> bool:
        """Send what reminders are due for a confirmed order; whether any was sent now."""
        today = local_date(now, order.terms.timezone)
        soon = today + dt.timedelta(days=order.terms.reminder_days)
        due = order.terms.schedule.next_due(
            order.value,
            order.received,
            booked_at=order.placed_at,
            arrival=order.arrival,
            timezone=order.terms.timezone,
        )
        reminders: list[tuple[str, str, dict[str, str]]] = []
        if (
            due is not None
            and not due.at_property
            and due.due_at is not None
            and local_date(due.due_at, order.terms.timezone) <= soon
        ):
            amount = {"amount": str(due.amount), "due_at": due.due_at.isoformat()}
            reminders.append(("payment.reminder", f"{order.id}:reminder:{due.name}", amount))
        if order.arrival <= soon:
            reminders.append(("booking.reminder", f"{order.id}:reminder:arrival", {}))
        sent = False
        for template, key, values in reminders:
            # The idempotency store remembers which reminders went, across sweeps and
            # workers; the notifier's own key stops a duplicate reaching the guest.
            if self._idempotency.claim(key, template, ttl=_KEY_TTL) is not None:
                continue
            sent |= self._notify(order, template, key=key, **values)
            self._idempotency.complete(key, template, "sent")
        return sent

    def _notify(
        self, order: Order, template: str, *, key: str | None = None, **values: str
    ) -> bool:
        """Tell the guest; a refused message is kept in :attr:`undelivered`, not raised."""
        channel = MessageChannel.EMAIL if order.guest.email else MessageChannel.SMS
        message = Message(
            recipient=order.guest.customer or order.id,
            channel=channel,
            template=template,
            variables={
                "guest": order.guest.name,
                "order": str(order.id),
                "arrival": order.arrival.isoformat(),
                "balance": str(order.balance),
                **values,
            },
            idempotency_key=key or f"{order.id}:{template}:{order.version}",
        )
        try:
            self._notifier.send(message)
        except Exception:  # the change stands; the message waits for a resend
            self.undelivered.append(message)
            return False
        return True


def _stay_line(order: Order, line_id: LineId) -> StayLine:
    line = order.line(line_id)
    if not isinstance(line, StayLine) or line.cancelled:
        msg = f"line {line_id} is not an active stay; only stays have nights and dates"
        raise InvalidLineError(msg)
    return line


def _stay_request(order: Order, line: StayLine, now: pendulum.DateTime) -> StayHoldRequest:
    """What a stay line asks the inventory for, lapsing with the order."""
    return _stay_hold(line, order.id, max(order.expires_at, now.add(minutes=1)))


def _stay_hold(line: StayLine, owner: Identifier, expires_at: pendulum.DateTime) -> StayHoldRequest:
    """The hold a stay line's rooms are kept under."""
    return StayHoldRequest(
        hold_id=line.hold,
        unit_type=line.unit_type,
        stay=line.stay,
        rooms=line.rooms,
        owner=owner,
        expires_at=expires_at,
    )


def _hold_requests(
    order: Order, expires_at: pendulum.DateTime
) -> tuple[list[StayHoldRequest], list[SlotHoldRequest], list[StockRequest]]:
    """What the order's active lines ask the stores for, under the order as owner."""
    owner: Identifier = order.id
    lines = order.active_lines
    stays = [_stay_hold(line, owner, expires_at) for line in lines if isinstance(line, StayLine)]
    slots = [
        SlotHoldRequest(
            hold_id=line.hold,
            resource=line.resource,
            slot=line.slot,
            places=line.places,
            owner=owner,
            expires_at=expires_at,
        )
        for line in lines
        if isinstance(line, SlotLine)
    ]
    stock = [
        StockRequest(
            hold_id=line.hold, lines={line.item: line.quantity}, owner=owner, expires_at=expires_at
        )
        for line in lines
        if isinstance(line, AddOnLine) and line.item is not None and line.hold is not None
    ]
    return stays, slots, stock
