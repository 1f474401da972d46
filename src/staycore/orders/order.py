"""The order aggregate: what a guest booked, what they owe, and what they paid.

An :class:`Order` is an immutable value. Every change is a method that returns the
changed order (its version one higher) and the events the change records; use cases
store both in one unit of work. Status moves only along the edges of
:data:`~staycore.orders.lifecycle.ORDER_LIFECYCLE`, whose guards read
:meth:`Order.facts`: the order's facts at the instant of the change, in the property's
timezone.

Money is derived, never set:

* :attr:`Order.value` is what the active lines cost;
* :attr:`Order.due` is that plus the cancellation charges the guest forfeited;
* :attr:`Order.received` is what the payment ledger says the guest paid and kept paid;
* :attr:`Order.balance` is ``due - received``: positive, the guest owes it; negative,
  it is owed back to them (:attr:`Order.refund_due`);
* :attr:`Order.payment_status` compares the ledger with what is due.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.availability.ids import HoldId, UnitTypeId
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.orders.ids import OrderId
    >>> from staycore.orders.lines import Channel, Guest, StayLine
    >>> from staycore.orders.order import Order
    >>> from staycore.orders.terms import BookingTerms
    >>> from staycore.pricing.rate_plans import Guests
    >>> now = pendulum.datetime(2026, 6, 1, 10, tz="UTC")
    >>> line = StayLine.priced(
    ...     unit_type=UnitTypeId.new(), stay=Stay.parse("2026-07-10/2026-07-12"),
    ...     guests=Guests(2), total=Money.of("240.00", "EUR"),
    ...     night_prices=[Money.of("120.00", "EUR")] * 2, hold=HoldId.new())
    >>> order, events = Order.place(
    ...     OrderId.new(), guest=Guest(name="Mei Tan", email="mei@example.com"),
    ...     channel=Channel.DIRECT, lines=[line], terms=BookingTerms(timezone="Europe/Paris"),
    ...     at=now)
    >>> order, events = order.hold(at=now)
    >>> order.status.value, [e.name for e in events]
    ('awaiting_payment', ['order.held', 'order.awaiting_payment'])
    >>> str(order.balance), order.payment_status.value
    ('EUR 240.00', 'none')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import attrs
import pendulum

from staycore.availability.ids import HoldId
from staycore.kernel.currency import Currency
from staycore.kernel.erasure import ERASED, PersonalDataErased
from staycore.kernel.errors import CurrencyMismatchError, InvalidIdentifierError
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Stay, as_instant, local_date
from staycore.orders.cancellation import CancellationCharge
from staycore.orders.errors import OrderError
from staycore.orders.events import (
    OrderLinesCancelled,
    OrderPlaced,
    OrderStatusChanged,
    PaymentRecorded,
    PaymentRequested,
    StayChanged,
)
from staycore.orders.ids import LineId, OrderId
from staycore.orders.lifecycle import ORDER_LIFECYCLE, OrderFacts, OrderStatus
from staycore.orders.lines import (
    AddOnLine,
    Channel,
    Guest,
    InvalidLineError,
    OrderLine,
    SlotLine,
    StayLine,
)
from staycore.orders.payments import (
    InvalidPaymentError,
    MoneyRequest,
    MovementKind,
    PaymentLedger,
    PaymentMovement,
    PaymentStatus,
    Recorded,
)
from staycore.orders.schedule import ScheduleKind
from staycore.orders.terms import BookingTerms

__all__ = ["Change", "LineNotFoundError", "Order", "OrderNotChangeableError"]

Change = tuple["Order", tuple[DomainEvent, ...]]
"""An order after a change, and the events the change recorded."""

# While the guest may still change or cancel lines.
_CHANGEABLE = frozenset(
    {
        OrderStatus.HELD,
        OrderStatus.AWAITING_APPROVAL,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.CONFIRMED,
    }
)


# What an order works out from its lines once and keeps in its __dict__, under these
# keys: functools.cached_property would do it, but Python 3.11 takes a lock on each first
# read, which cost more than the values.
_FROM_LINES = ("_value", "_span")

# The lines an order books; add-ons come with one.
_BOOKABLE = (StayLine, SlotLine)


class LineNotFoundError(OrderError):
    """The order has no (active) line with the given id."""

    code = "orders.line_not_found"


class OrderNotChangeableError(OrderError):
    """The order's lines cannot be changed in its status (it ended, or the guest arrived)."""

    code = "orders.not_changeable"


@attrs.frozen(kw_only=True, slots=False)
class Order:
    """An order: its guest, lines, terms, status and payments.

    Build one with :meth:`place`; change it only through its methods.

    Attributes:
        id: The order's identity.
        version: Incremented by every change.
        status: Where it is in its lifecycle.
        guest: Who it is for.
        channel: Where it came from.
        terms: The booking terms it was placed under.
        lines: Every line, cancelled ones included.
        currency: The currency of every amount.
        placed_at: When it was placed.
        expires_at: When an unpaid order lapses (its hold or payment term).
        approval_deadline: When a request to book is declined if the host has not
            approved it; ``None`` if no approval is pending.
        ledger: The payment movements.
        charges: The cancellation charges the guest forfeited.
        coupon_codes: The coupon codes redeemed for it, given back on cancellation.
        notes: Free text from the guest or the desk.
        requests: Refunds, captures and releases asked of the gateway that it has not
            answered yet (see :meth:`ask`).
    """

    id: OrderId
    version: int
    status: OrderStatus
    guest: Guest
    channel: Channel
    terms: BookingTerms
    lines: tuple[OrderLine, ...]
    currency: Currency
    placed_at: pendulum.DateTime
    expires_at: pendulum.DateTime
    approval_deadline: pendulum.DateTime | None = None
    ledger: PaymentLedger
    charges: tuple[CancellationCharge, ...] = ()
    coupon_codes: tuple[str, ...] = ()
    notes: str = ""
    requests: tuple[MoneyRequest, ...] = ()

    # -- placing -------------------------------------------------------------------

    @classmethod
    def place(
        cls,
        order_id: OrderId,
        *,
        guest: Guest,
        channel: Channel,
        lines: Sequence[OrderLine],
        terms: BookingTerms,
        at: dt.datetime,
        coupon_codes: Sequence[str] = (),
        notes: str = "",
    ) -> Change:
        """A new draft order; it holds nothing until :meth:`hold`.

        Raises:
            InvalidIdentifierError: ``order_id`` is not an :class:`OrderId`.
            InvalidLineError: No stay or slot line (add-ons come with one), or lines
                in more than one currency.

        Example:
            See the module example.
        """
        if not isinstance(order_id, OrderId):
            msg = f"an order's id must be an OrderId such as OrderId.new(), got {order_id!r}"
            raise InvalidIdentifierError(msg)
        placed_at = as_instant(at, what="at")
        lines = tuple(lines)
        currency = _currency_of(lines)
        order = _made(
            {
                "id": order_id,
                "version": 1,
                "status": OrderStatus.DRAFT,
                "guest": guest,
                "channel": channel,
                "terms": terms,
                "lines": lines,
                "currency": currency,
                "placed_at": placed_at,
                "expires_at": _after(placed_at, terms.hold_for),
                "approval_deadline": None,
                "ledger": _empty_ledger(currency),
                "charges": (),
                "coupon_codes": tuple(coupon_codes),
                "notes": notes,
                "requests": (),
            }
        )
        arrival, departure = order._dates()
        placed = _ORDER_PLACED(
            order_id, placed_at, channel, order.value, len(lines), arrival, departure
        )
        return order, (placed,)

    # -- derived -------------------------------------------------------------------

    @property
    def active_lines(self) -> tuple[OrderLine, ...]:
        """The lines not cancelled."""
        lines = self.lines
        if len(lines) == 1:  # most orders: one room, read on every guard and every sum
            return () if lines[0].cancelled else lines
        return tuple([line for line in lines if not line.cancelled])  # a list: cheaper

    @property
    def value(self) -> Money:
        """What the active lines cost."""
        known: Money | None = self.__dict__.get("_value")
        if known is None:
            active = self.active_lines
            if len(active) == 1:  # most orders: one room, nothing to add up
                known = active[0].total
            else:
                known = Money.total((line.total for line in active), self.currency)
            self.__dict__["_value"] = known
        return known

    @property
    def due(self) -> Money:
        """What the guest owes in all: the active lines plus the charges forfeited.

        An order that expired or was declined books nothing, so only charges are due.
        """
        charges = Money.total((c.charge for c in self.charges), self.currency)
        if self.status in (OrderStatus.EXPIRED, OrderStatus.DECLINED):
            return charges
        return self.value + charges

    @property
    def received(self) -> Money:
        """What the guest paid and kept paid (captured - refunded - charged back)."""
        return self.ledger.received

    @property
    def balance(self) -> Money:
        """What the guest still owes (``due - received``), negative if owed back."""
        return self.due - self.received

    @property
    def refund_due(self) -> Money:
        """What is still to be refunded, received beyond what is due less refunds under way.

        Refunds under way are those the gateway reported pending and those asked of it
        that it has not answered yet.
        """
        asked = Money.total(
            (r.amount for r in self.requests if r.kind is MovementKind.REFUND), self.currency
        )
        owed = -self.balance - self.ledger.refunding - asked
        return owed if owed.is_positive else Money.zero(self.currency)

    @property
    def payment_status(self) -> PaymentStatus:
        """What the payments add up to, against :attr:`due`."""
        return self.ledger.status(due=self.due)

    @property
    def arrival(self) -> dt.date:
        """The first day of the booking, the earliest check-in or slot date."""
        return self._dates()[0]

    @property
    def departure(self) -> dt.date:
        """The last day of the booking, the latest check-out or slot date."""
        return self._dates()[1]

    def _dates(self) -> tuple[dt.date, dt.date]:
        """The first and the last day of the booking (see :attr:`arrival`)."""
        known: tuple[dt.date, dt.date] | None = self.__dict__.get("_span")
        if known is None:
            known = self.__dict__["_span"] = self._span_of_lines()
        return known

    def _span_of_lines(self) -> tuple[dt.date, dt.date]:
        lines = self.active_lines or self.lines
        if len(lines) == 1 and isinstance(lines[0], StayLine):  # most orders: one room
            stay = lines[0].stay
            return stay.check_in, stay.check_out
        starts: list[dt.date] = []
        ends: list[dt.date] = []
        for line in lines:
            if isinstance(line, StayLine):
                starts.append(line.stay.check_in)
                ends.append(line.stay.check_out)
            elif isinstance(line, SlotLine):
                starts.append(local_date(line.slot.start, self.terms.timezone))
                ends.append(local_date(line.slot.end, self.terms.timezone))
        return min(starts), max(ends)

    def due_before_confirming(self) -> Money:
        """What the payment schedule asks before the order is confirmed."""
        value, schedule = self.value, self.terms.schedule
        if value.is_zero or schedule.kind is ScheduleKind.FULL_PREPAYMENT:
            return value  # the common cases need no dates
        if schedule.kind is ScheduleKind.PAY_AT_PROPERTY:
            return Money.zero(self.currency)
        return schedule.due_before_confirming(
            value, booked_at=self.placed_at, arrival=self.arrival, timezone=self.terms.timezone
        )

    def facts(self, at: dt.datetime) -> OrderFacts:
        """The facts the lifecycle's guards read, at the instant ``at``.

        Each fact is worked out when a guard first reads it: a check-in reads the dates,
        a confirmation the payments, and neither pays for the other.

        Example:
            Continuing the module example above:

            >>> facts = order.facts(now)
            >>> facts.lines, facts.paid_enough, facts.today
            (1, False, datetime.date(2026, 6, 1))
        """
        return _FactsAt(self, _instant(at))

    def line(self, line_id: LineId) -> OrderLine:
        """The line ``line_id``, cancelled or not.

        Raises:
            LineNotFoundError: The order has no such line.
        """
        for line in self.lines:
            if line.id == line_id:
                return line
        msg = f"order {self.id} has no line {line_id}"
        raise LineNotFoundError(msg)

    # -- the lifecycle -------------------------------------------------------------

    def _next(self, **changes: Any) -> Order:  # noqa: ANN401 - fields of Order
        """This order with ``changes``, one version on."""
        return self._with(changes)

    def _with(self, changes: Mapping[str, Any], versions: int = 1) -> Order:
        """This order with ``changes``, ``versions`` on.

        The hot path of every transition: the fields are copied as they are (they were
        checked when the order was made, and each change is made by a method that
        checks it), which is several times cheaper than :func:`attrs.evolve`.
        """
        fields = self.__dict__.copy()
        if changes:
            fields.update(changes)
            if "lines" in changes:  # what was worked out from the old lines no longer holds
                for derived in _FROM_LINES:
                    fields.pop(derived, None)
        fields["version"] = self.version + versions
        return _made(fields)

    def _fire(
        self,
        event: str,
        at: pendulum.DateTime,
        reason: str = "",
        **changes: Any,  # noqa: ANN401 - fields of Order
    ) -> Change:
        """Take the lifecycle edge ``event`` at ``at``, with ``changes`` in the same version.

        The hottest path of all: :meth:`_with`'s copy is written out here, and the table
        and the event's constructor are bound once (``_TAKE_EDGE``, ``_EDGE_TAKEN``),
        which makes a transition a sixth cheaper.
        """
        edge = _TAKE_EDGE(self.status, event, _FactsAt(self, at))
        fields = self.__dict__.copy()
        if changes:
            fields.update(changes)
            if "lines" in changes:
                for derived in _FROM_LINES:
                    fields.pop(derived, None)
        fields["status"] = target = edge.target
        version = fields["version"] = self.version + 1
        changed = _new(Order)
        _set(changed, "__dict__", fields)
        taken = _EDGE_TAKEN(self.id, version, at, edge.description, self.status, target, reason)
        return changed, (taken,)

    def hold(self, *, at: dt.datetime) -> Change:
        """Its inventory is held: move on to approval or to payment.

        A request to book waits for the host until the approval deadline; otherwise the
        order awaits payment until :attr:`expires_at`. The two edges are one change:
        the order moves two versions on, with an event for each edge.
        """
        now = _instant(at)
        # The guards out of "held" read the terms alone, which holding leaves as they
        # are: the facts before the hold serve both edges.
        facts = _FactsAt(self, now)
        held = _TAKE_EDGE(self.status, "hold", facts)
        changes: dict[str, Any]
        if self.terms.request_to_book:
            deadline = _after(now, self.terms.approval_window)
            then = _TAKE_EDGE(held.target, "request_approval", facts)
            changes = {"approval_deadline": deadline, "expires_at": deadline}
        else:
            then = _TAKE_EDGE(held.target, "await_payment", facts)
            # Held as it was placed (the use case's one reading of the clock): the term
            # placing set runs from this very instant.
            same = now == self.placed_at
            changes = {"expires_at": self.expires_at if same else _after(now, self.terms.hold_for)}
        changes["status"] = then.target
        after = self._with(changes, versions=2)
        version = self.version
        return after, (
            _EDGE_TAKEN(self.id, version + 1, now, held.description, self.status, held.target),
            _EDGE_TAKEN(self.id, version + 2, now, then.description, held.target, then.target),
        )

    def approve(self, *, at: dt.datetime) -> Change:
        """The host accepted the request: the guest has the payment term to pay."""
        now = _instant(at)
        return self._fire(
            "approve", now, approval_deadline=None, expires_at=_after(now, self.terms.hold_for)
        )

    def decline(self, *, at: dt.datetime, reason: str = "declined by the host") -> Change:
        """The host refused the request."""
        return self._fire("decline", _instant(at), reason, approval_deadline=None)

    def lapse(self, *, at: dt.datetime) -> Change:
        """The approval deadline passed without an answer: the request is declined."""
        reason = "the host did not answer in time"
        return self._fire("lapse", _instant(at), reason, approval_deadline=None)

    def confirm(self, *, at: dt.datetime) -> Change:
        """What the schedule asks before confirming is paid (or held on a card)."""
        return self._fire("confirm", _instant(at))

    def expire(self, *, at: dt.datetime) -> Change:
        """The hold or payment term ran out unpaid."""
        return self._fire("expire", _instant(at), "the payment term ran out")

    def revive(self, *, at: dt.datetime, holds: Mapping[LineId, HoldId]) -> Change:
        """Money arrived after expiry and the inventory was held again under ``holds``."""
        lines = tuple(_rehold(line, holds) for line in self.lines)
        reason = "paid after expiry; inventory held again"
        return self._fire("revive", _instant(at), reason, lines=lines)

    def check_in(self, *, at: dt.datetime) -> Change:
        """The guest arrived."""
        return self._fire("check_in", _instant(at))

    def check_out(self, *, at: dt.datetime) -> Change:
        """The guest left."""
        return self._fire("check_out", _instant(at))

    def complete(self, *, at: dt.datetime) -> Change:
        """Nothing is left to pay or refund: the order is closed."""
        return self._fire("complete", _instant(at))

    def cancel(self, *, at: dt.datetime, reason: str = "cancelled by the guest") -> Change:
        """Cancel every active line under the policy, and the order with them.

        The charge is the policy's for the value of the active lines at ``at``; what was
        received beyond what is then due becomes :attr:`refund_due`.
        """
        return self._end("cancel", at, reason)

    def no_show(self, *, at: dt.datetime) -> Change:
        """The guest did not come by the end of the arrival day: charge per policy.

        Every active line is cancelled as at ``at`` (usually past every tier, so the
        guest forfeits what the policy keeps); the use case frees the later nights.
        """
        return self._end("no_show", at, "the guest did not arrive")

    def _end(self, event: str, at: dt.datetime, reason: str) -> Change:
        now = _instant(at)
        ORDER_LIFECYCLE.fire(self.status, event, _FactsAt(self, now))  # refuse before charging
        cancelled, charged = self._cancelled(self.active_lines, now)
        ended, changed = cancelled._fire(event, now, reason)
        return ended, (*charged, *changed)

    # -- changing lines ------------------------------------------------------------

    def erase_guest(self, *, at: dt.datetime) -> Change:
        """The order without its guest's contact details and notes, on the guest's request.

        The guest's name becomes :data:`~staycore.kernel.erasure.ERASED`, their e-mail
        address, phone and the order's notes go; the customer id (pseudonymous), the
        lines, the payments and the charges stay, so the books still balance. Any status
        will do: an erasure is not a step of the lifecycle. Erasing again changes
        nothing.

        Example:
            Continuing the module example above:

            >>> erased, (event,) = order.erase_guest(at=now)
            >>> erased.guest.name, erased.guest.email, erased.balance == order.balance
            ('erased', None, True)
            >>> event.fields
            ('guest', 'notes')
        """
        guest = Guest(name=ERASED, customer=self.guest.customer)
        if self.guest == guest and not self.notes:
            return self, ()
        changed = self._next(guest=guest, notes="")
        event = PersonalDataErased(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=_instant(at),
            fields=("guest", "notes"),
        )
        return changed, (event,)

    def cancel_lines(self, line_ids: Collection[LineId], *, at: dt.datetime) -> Change:
        """Cancel some lines (a room, a slot, an add-on); the others keep their prices.

        Raises:
            OrderNotChangeableError: The order is not before arrival, or ended.
            LineNotFoundError: A line is unknown or already cancelled.
            InvalidLineError: Every active line would go: cancel the order instead.
        """
        self._require_changeable(at)
        lines = [self._active(line_id) for line_id in line_ids]
        if len(lines) >= len(self.active_lines):
            msg = "that cancels every line left; cancel the order instead"
            raise InvalidLineError(msg)
        if not any(isinstance(line, _BOOKABLE) for line in self._kept(lines)):
            msg = "the lines left would be add-ons only; cancel the order instead"
            raise InvalidLineError(msg)
        return self._cancelled(lines, at)

    def cancel_nights(
        self,
        line_id: LineId,
        nights: Collection[dt.date],
        *,
        hold: HoldId,
        at: dt.datetime,
    ) -> Change:
        """Cancel nights at the start or end of a stay; the nights left keep their prices.

        Args:
            line_id: The stay line.
            nights: The nights to cancel.
            hold: The inventory hold now keeping the nights left.
            at: When.

        Raises:
            OrderNotChangeableError: The order is not before arrival, or ended.
            LineNotFoundError: No such active line.
            InvalidLineError: Not a stay line, or the nights cannot be cut off (see
                :meth:`~staycore.orders.lines.StayLine.without_nights`).
        """
        self._require_changeable(at)
        line = self._stay_line(line_id)
        shorter = attrs.evolve(line.without_nights(nights), hold=hold)
        gone = Money.total(
            (
                price
                for night, price in zip(line.stay, line.nightly, strict=True)
                if night in nights
            ),
            self.currency,
        )
        charge = self._charge(gone, at, [line])
        changed = self._with_line(shorter, charges=(*self.charges, charge))
        record = OrderLinesCancelled(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=as_instant(at),
            lines=(f"{line.id}:{','.join(str(n) for n in sorted(nights))}",),
            value=gone,
            charge=charge.charge,
            explanation=charge.explanation,
        )
        return changed, (record,)

    def change_stay(
        self,
        line_id: LineId,
        *,
        stay: Stay,
        total: Money,
        night_prices: Sequence[Money],
        hold: HoldId,
        at: dt.datetime,
    ) -> Change:
        """Move a stay line to other dates, priced by a fresh quote.

        The difference (new total - old total) moves :attr:`balance`; the use case
        settles it by a charge or a refund.

        Raises:
            OrderNotChangeableError: The order is not before arrival, or ended.
            LineNotFoundError: No such active line.
            InvalidLineError: Not a stay line, or prices that do not fit the stay.
            CurrencyMismatchError: The quote is in another currency.
        """
        self._require_changeable(at)
        line = self._stay_line(line_id)
        if total.currency != self.currency:
            msg = f"the new quote is in {total.currency}; the order is in {self.currency}"
            raise CurrencyMismatchError(msg)
        moved = StayLine.priced(
            unit_type=line.unit_type,
            stay=stay,
            guests=line.guests,
            rooms=line.rooms,
            total=total,
            night_prices=night_prices,
            hold=hold,
        )
        moved = attrs.evolve(moved, id=line.id)
        changed = self._with_line(moved)
        record = StayChanged(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=as_instant(at),
            line=str(line.id),
            old_stay=line.stay,
            new_stay=stay,
            old_total=line.total,
            new_total=moved.total,
            difference=moved.total - line.total,
        )
        return changed, (record,)

    # -- payments ------------------------------------------------------------------

    def record_payment(self, movement: PaymentMovement, *, at: dt.datetime) -> Change:
        """Take a report of a payment movement; a duplicate or stale one changes nothing.

        Raises:
            InvalidPaymentError: The movement is for another order, or its reference is
                known with other facts.
            CurrencyMismatchError: It is in another currency.
        """
        if movement.order != self.id:
            msg = f"movement {movement.reference} is for {movement.order}, not {self.id}"
            raise InvalidPaymentError(msg)
        ledger, outcome = self.ledger.record(movement)
        if outcome in (Recorded.DUPLICATE, Recorded.STALE):
            return self, ()
        changed = attrs.evolve(self, version=self.version + 1, ledger=ledger)
        record = PaymentRecorded(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=as_instant(at),
            reference=movement.reference,
            kind=movement.kind,
            status=movement.status,
            amount=movement.amount,
            received=changed.received,
            balance=changed.balance,
            payment_status=changed.payment_status,
        )
        return changed, (record,)

    def ask(self, request: MoneyRequest, *, at: dt.datetime) -> Change:
        """Keep a request to the gateway before it is made, so no answer is ever lost.

        Raises:
            InvalidPaymentError: A request with the same key is open already.
        """
        if any(open_.key == request.key for open_ in self.requests):
            msg = f"order {self.id} already asked the gateway under key {request.key}"
            raise InvalidPaymentError(msg)
        changed = self._next(requests=(*self.requests, request))
        record = PaymentRequested(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=_instant(at),
            key=request.key,
            kind=request.kind,
            reference=request.reference,
            amount=request.amount,
            reason=request.reason,
        )
        return changed, (record,)

    def answered(self, key: str, movement: PaymentMovement, *, at: dt.datetime) -> Change:
        """The gateway answered the request ``key`` with ``movement``: record it, close it.

        Raises:
            InvalidPaymentError: No request ``key`` is open, or the movement is for
                another order.
        """
        if not any(open_.key == key for open_ in self.requests):
            msg = f"order {self.id} has no open request under key {key}"
            raise InvalidPaymentError(msg)
        recorded, events = self.record_payment(movement, at=at)
        closed = recorded._next(requests=tuple(r for r in self.requests if r.key != key))
        return closed, events

    def forget(self, key: str) -> Order:
        """Close the request ``key`` without a movement: the gateway moved nothing for it.

        A release ends so when the provider let the authorization go by itself; a refund
        when the gateway refused it (a chargeback took the money back first). A gateway
        answers a repeated key with its first answer, so a refusal of a request asked
        again proves the first call moved nothing either.

        Raises:
            InvalidPaymentError: No such open release or refund.
        """
        kinds = (MovementKind.VOID, MovementKind.REFUND)
        if not any(r.key == key and r.kind in kinds for r in self.requests):
            msg = f"order {self.id} has no open release or refund under key {key}"
            raise InvalidPaymentError(msg)
        return self._next(requests=tuple(r for r in self.requests if r.key != key))

    def moved_hold(self, line_id: LineId, hold: HoldId) -> Order:
        """The line's inventory is now kept by ``hold`` (a swap was undone); no event.

        Raises:
            LineNotFoundError: No such line.
        """
        line = self.line(line_id)
        return self._with_line(attrs.evolve(line, hold=hold))

    def extend(self, *, until: dt.datetime) -> Order:
        """The payment term moved to ``until`` (a card asked the guest for 3-D Secure)."""
        return attrs.evolve(self, version=self.version + 1, expires_at=as_instant(until))

    # -- internals -----------------------------------------------------------------

    def _require_changeable(self, at: dt.datetime) -> None:
        facts = self.facts(at)
        if self.status not in _CHANGEABLE or facts.today > facts.arrival:
            msg = (
                f"order {self.id} is {self.status.value}"
                + (
                    f" and its arrival {facts.arrival} has passed"
                    if facts.today > facts.arrival
                    else ""
                )
                + "; lines change only before arrival, on a live order"
            )
            raise OrderNotChangeableError(msg)

    def _active(self, line_id: LineId) -> OrderLine:
        line = self.line(line_id)
        if line.cancelled:
            msg = f"line {line_id} of order {self.id} is already cancelled"
            raise LineNotFoundError(msg)
        return line

    def _stay_line(self, line_id: LineId) -> StayLine:
        line = self._active(line_id)
        if not isinstance(line, StayLine):
            msg = f"line {line_id} is not a stay; only stays have nights and dates"
            raise InvalidLineError(msg)
        return line

    def _kept(self, going: Sequence[OrderLine]) -> tuple[OrderLine, ...]:
        ids = {line.id for line in going}
        return tuple(line for line in self.active_lines if line.id not in ids)

    def _charge(
        self, value: Money, at: dt.datetime, lines: Sequence[OrderLine]
    ) -> CancellationCharge:
        """The policy's charge for cancelling ``lines`` worth ``value`` at ``at``.

        The notice counts from the earliest arrival among the lines cancelled (a room
        booked for a later week keeps its own free-cancellation window), or from the
        order's arrival for add-ons alone.
        """
        arrivals = [_line_arrival(line, self.terms.timezone) for line in lines]
        known = [day for day in arrivals if day is not None]
        return self.terms.cancellation.charge(
            value,
            cancelled_at=as_instant(at),
            arrival=min(known) if known else self.arrival,
            timezone=self.terms.timezone,
        )

    def _with_line(self, line: OrderLine, **changes: Any) -> Order:  # noqa: ANN401 - fields of Order
        lines = tuple(line if old.id == line.id else old for old in self.lines)
        return attrs.evolve(self, version=self.version + 1, lines=lines, **changes)

    def _cancelled(self, going: Sequence[OrderLine], at: dt.datetime) -> Change:
        """Mark ``going`` cancelled with one policy charge over their value."""
        value = Money.total((line.total for line in going), self.currency)
        charge = self._charge(value, at, going)
        ids = {line.id for line in going}
        lines = tuple(
            attrs.evolve(line, cancelled=True) if line.id in ids else line for line in self.lines
        )
        changed = attrs.evolve(
            self, version=self.version + 1, lines=lines, charges=(*self.charges, charge)
        )
        record = OrderLinesCancelled(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=as_instant(at),
            lines=tuple(str(line.id) for line in going),
            value=value,
            charge=charge.charge,
            explanation=charge.explanation,
        )
        return changed, (record,)


def _rehold(line: OrderLine, holds: Mapping[LineId, HoldId]) -> OrderLine:
    """The line under its new hold, if it has one."""
    if line.cancelled or line.id not in holds:
        return line
    if isinstance(line, AddOnLine) and line.hold is None:
        return line
    return attrs.evolve(line, hold=holds[line.id])


class _FactsAt:
    """An order's :class:`~staycore.orders.lifecycle.OrderFacts` at an instant, lazily."""

    # A guard reads each fact once, and the dear ones are kept where they are worked out
    # (the order's dates on the order, local dates by local_date): nothing to keep here.
    __slots__ = ("_now", "_order")

    def __init__(self, order: Order, now: pendulum.DateTime) -> None:
        self._order = order
        self._now = now

    @property
    def lines(self) -> int:
        return sum(1 for line in self._order.lines if not line.cancelled)

    @property
    def request_to_book(self) -> bool:
        return self._order.terms.request_to_book

    @property
    def today(self) -> dt.date:
        return local_date(self._now, self._order.terms.timezone)

    @property
    def arrival(self) -> dt.date:
        return self._order._dates()[0]

    @property
    def departure(self) -> dt.date:
        return self._order._dates()[1]

    @property
    def approval_lapsed(self) -> bool:
        deadline = self._order.approval_deadline
        return deadline is not None and self._now >= deadline

    @property
    def hold_lapsed(self) -> bool:
        return self._now >= self._order.expires_at

    @property
    def paid_enough(self) -> bool:
        order = self._order
        if not order.ledger.movements:  # nothing received or held: only nothing is enough
            return (
                order.terms.schedule.kind is ScheduleKind.PAY_AT_PROPERTY
                or not order.due_before_confirming().is_positive
            )
        return order.received + order.ledger.authorized >= order.due_before_confirming()

    @property
    def settled(self) -> bool:
        ledger = self._order.ledger
        return (
            self._order.balance.is_zero
            and ledger.authorized.is_zero
            and not ledger.pending()
            and not self._order.requests
        )


def _currency_of(lines: tuple[OrderLine, ...]) -> Currency:
    """The one currency of an order's ``lines``, which must book a stay or a slot.

    Raises:
        InvalidLineError: No stay or slot line, or lines in more than one currency.
    """
    currency = None
    bookable = False
    for line in lines:
        unit = line.total.currency
        if currency is None:
            currency = unit
        elif unit is not currency and unit != currency:
            codes = sorted({other.total.currency.code for other in lines})
            msg = f"an order's lines are in one currency, got {codes}"
            raise InvalidLineError(msg)
        bookable = bookable or isinstance(line, _BOOKABLE)
    if currency is None or not bookable:
        msg = "an order books a stay or an appointment slot; add-ons come with one"
        raise InvalidLineError(msg)
    return currency


def _made(fields: dict[str, Any]) -> Order:
    """An order of ``fields``, every one given and checked by the method making it.

    What attrs' frozen ``__init__`` does, less the call per field that made it the
    dearest step of a transition.
    """
    order = _new(Order)
    _set(order, "__dict__", fields)
    return order


_new = object.__new__
_set = object.__setattr__
_TAKE_EDGE = ORDER_LIFECYCLE.fire
_EDGE_TAKEN = OrderStatusChanged.of_edge
_ORDER_PLACED = OrderPlaced.of_order
_EMPTY_LEDGERS: dict[Currency, PaymentLedger] = {}


def _empty_ledger(currency: Currency) -> PaymentLedger:
    """The ledger of an order that has no payment yet: immutable, so one per currency."""
    ledger = _EMPTY_LEDGERS.get(currency)
    if ledger is None:
        ledger = _EMPTY_LEDGERS[currency] = PaymentLedger(currency)
    return ledger


def _instant(at: dt.datetime) -> pendulum.DateTime:
    """``at`` as an aware instant, refusing naive ones."""
    return as_instant(at, what="at")


def _after(instant: pendulum.DateTime, delta: dt.timedelta) -> pendulum.DateTime:
    """``instant`` plus the elapsed time ``delta``.

    In UTC, wall time and elapsed time agree, and the standard library's addition (which
    keeps pendulum's type) is several times cheaper than pendulum's own.
    """
    if instant.tzinfo is pendulum.UTC:
        return dt.datetime.__add__(instant, delta)
    return instant.in_tz(pendulum.UTC) + delta


def _line_arrival(line: OrderLine, timezone: str) -> dt.date | None:
    """The day a line's guest arrives: a stay's check-in, a slot's local date."""
    if isinstance(line, StayLine):
        return line.stay.check_in
    if isinstance(line, SlotLine):
        return local_date(line.slot.start, timezone)
    return None
