"""Payments: the money movements of an order, and what they add up to.

A payment provider moves money in steps, and each step is a :class:`PaymentMovement`
with the provider's reference: an *authorization* holds an amount on the guest's card, a
*capture* takes (part of) it, a *void* lets the rest go, a *refund* gives money back on a
capture and a *chargeback* is money the card issuer took back. A direct charge is an
authorization and a capture at once; it is recorded as a capture with no parent.

An order keeps its movements in a :class:`PaymentLedger`. Everything about money is
derived from the ledger, never set by hand: what was captured, refunded and charged back,
what the guest has paid (:attr:`PaymentLedger.received`, always captured minus refunded
minus charged back), what each capture can still refund, and the
:class:`PaymentStatus` against what the order asks for.

Providers report outcomes late, twice and out of order (webhooks). The ledger takes any
report of a movement at any time: a report it already has changes nothing, and of two
reports of one movement the more final wins, whichever arrives first (a success after a
failure stands; a failure after a success is stale). So replaying every webhook in any
order gives the same ledger.

Example:
    >>> from staycore.kernel.money import Money
    >>> from staycore.orders.ids import OrderId
    >>> from staycore.orders.payments import (
    ...     MovementKind, MovementStatus, PaymentLedger, PaymentMovement)
    >>> order = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> deposit = PaymentMovement(
    ...     reference="pay_1", kind=MovementKind.CAPTURE, status=MovementStatus.SUCCEEDED,
    ...     amount=Money.of("300.00", "EUR"), order=order,
    ...     occurred_at="2026-06-01T10:00:00Z")
    >>> ledger, outcome = PaymentLedger("EUR").record(deposit)
    >>> outcome.value, str(ledger.received)
    ('recorded', 'EUR 300.00')
    >>> ledger.status(due=Money.of("1000.00", "EUR")).value
    'partially_paid'
    >>> ledger.record(deposit)[1].value
    'duplicate'
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final

import attrs
import pendulum

from staycore.kernel.currency import Currency
from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import as_instant
from staycore.orders.errors import PaymentError
from staycore.orders.refunds import Refundable

__all__ = [
    "AuthorizationLapsedError",
    "CaptureExceedsAuthorizedError",
    "GatewayCapabilities",
    "GatewayTimeoutError",
    "InvalidPaymentError",
    "InvalidWebhookError",
    "MoneyRequest",
    "MovementKind",
    "MovementStatus",
    "PaymentKeyReusedError",
    "PaymentLedger",
    "PaymentMovement",
    "PaymentRequest",
    "PaymentStatus",
    "Recorded",
    "UnknownPaymentError",
    "UnsupportedPaymentOperationError",
    "WebhookSignatureError",
]


# -- errors ---------------------------------------------------------------------------


class InvalidPaymentError(PaymentError):
    """A payment request or movement is malformed (an amount that is not positive, ...)."""

    code = "payments.invalid_payment"


class UnknownPaymentError(PaymentError):
    """No payment with the given provider reference exists at the gateway."""

    code = "payments.unknown_payment"


class PaymentKeyReusedError(PaymentError):
    """An idempotency key was sent again with different parameters."""

    code = "payments.key_reused"


class CaptureExceedsAuthorizedError(PaymentError):
    """A capture asks for more than is still held by its authorization."""

    code = "payments.capture_exceeds_authorized"


class AuthorizationLapsedError(PaymentError):
    """An authorization was voided, fully captured, or ran past the gateway's limit."""

    code = "payments.authorization_lapsed"


class UnsupportedPaymentOperationError(PaymentError):
    """The gateway does not offer what was asked (a partial capture, a second capture)."""

    code = "payments.unsupported"


class GatewayTimeoutError(PaymentError):
    """The gateway did not answer in time: the outcome is unknown.

    Retry with the same idempotency key: the gateway answers with what happened, and does
    not move the money twice.
    """

    code = "payments.gateway_timeout"


class WebhookSignatureError(PaymentError):
    """A webhook's signature is missing or does not match its body.

    It was not sent by the provider, or the secret is wrong.
    """

    code = "payments.bad_signature"


class InvalidWebhookError(PaymentError):
    """A signed webhook's body cannot be read as payment events."""

    code = "payments.invalid_webhook"


# -- movements ------------------------------------------------------------------------


class MovementKind(enum.Enum):
    """What a movement does to the guest's money."""

    AUTHORIZATION = "authorization"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"
    CHARGEBACK = "chargeback"


class MovementStatus(enum.Enum):
    """Where a movement stands at the provider.

    ``requires_action``: the guest must do something (a 3-D Secure challenge) before the
    movement can succeed. ``pending``: the provider will tell the outcome later.
    """

    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    FAILED = "failed"
    SUCCEEDED = "succeeded"

    @property
    def final(self) -> bool:
        """Whether the provider will report nothing more for the movement."""
        return self in (MovementStatus.FAILED, MovementStatus.SUCCEEDED)


# Of two reports of one movement the higher rank stands, so their order does not matter.
_RANK: Final = {
    MovementStatus.PENDING: 0,
    MovementStatus.REQUIRES_ACTION: 1,
    MovementStatus.FAILED: 2,
    MovementStatus.SUCCEEDED: 3,
}

# The kinds whose movement acts on an earlier one, and which kind that is.
_PARENT_KIND: Final = {
    MovementKind.VOID: MovementKind.AUTHORIZATION,
    MovementKind.REFUND: MovementKind.CAPTURE,
    MovementKind.CHARGEBACK: MovementKind.CAPTURE,
}


def _to_instant(value: dt.datetime | str) -> pendulum.DateTime:
    if isinstance(value, str):
        parsed = pendulum.parse(value, exact=True, tz=None)
        if not isinstance(parsed, pendulum.DateTime) or parsed.utcoffset() is None:
            msg = f"occurred_at {value!r} must be an ISO 8601 instant with an offset"
            raise InvalidPaymentError(msg)
        value = parsed
    return as_instant(value, what="occurred_at").in_tz("UTC")


@attrs.frozen(kw_only=True)
class PaymentMovement:
    """One step of money at the payment provider, as the provider reports it.

    Attributes:
        reference: The provider's id of this movement; unique at the provider.
        kind: What it does.
        status: Where it stands.
        amount: How much it moves; positive.
        order: The order it belongs to (the merchant reference sent with the request).
        parent: The movement it acts on: the authorization a capture or void takes or
            releases, the capture a refund or chargeback gives back. ``None`` for an
            authorization and for a direct charge.
        occurred_at: When the provider reports it happened.
        failure_code: Why it failed (``card_declined``, ``insufficient_funds``), if it did.
        action_url: Where the guest completes a required action, if one is required.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.ids import OrderId
        >>> from staycore.orders.payments import MovementKind, MovementStatus, PaymentMovement
        >>> PaymentMovement(reference="re_1", kind=MovementKind.REFUND,
        ...                 status=MovementStatus.SUCCEEDED, amount=Money.of("0", "EUR"),
        ...                 order=OrderId.new(), occurred_at="2026-06-01T10:00:00Z")
        Traceback (most recent call last):
        ...
        staycore.orders.payments.InvalidPaymentError: [payments.invalid_payment] ...
    """

    reference: str
    kind: MovementKind
    status: MovementStatus
    amount: Money
    order: Identifier
    parent: str | None = None
    occurred_at: pendulum.DateTime = attrs.field(converter=_to_instant)
    failure_code: str | None = None
    action_url: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.reference:
            msg = "a payment movement needs the provider's reference"
            raise InvalidPaymentError(msg)
        if not self.amount.is_positive or not self.amount.is_rounded:
            msg = (
                f"movement {self.reference} moves {self.amount}; amounts are positive and "
                "rounded to the currency's minor unit"
            )
            raise InvalidPaymentError(msg)
        if self.kind in _PARENT_KIND and self.parent is None:
            msg = (
                f"a {self.kind.value} acts on an earlier "
                f"{_PARENT_KIND[self.kind].value}; give its reference as parent"
            )
            raise InvalidPaymentError(msg)

    @property
    def succeeded(self) -> bool:
        """Whether the money moved."""
        return self.status is MovementStatus.SUCCEEDED


@attrs.frozen(kw_only=True)
class PaymentRequest:
    """What a gateway is asked to authorize or charge.

    Attributes:
        order: The order paid for; the provider echoes it back in every webhook.
        amount: How much; positive and rounded.
        method: The guest's payment method as the provider knows it (a token, or in the
            sandbox a test card number).
        description: What the guest sees on the statement.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.ids import OrderId
        >>> from staycore.orders.payments import PaymentRequest
        >>> PaymentRequest(order=OrderId.new(), amount=Money.of("120.00", "EUR"),
        ...                method="4242424242424242").amount
        Money('120.00', 'EUR')
    """

    order: Identifier
    amount: Money
    method: str
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.amount, Money):
            msg = f"a payment asks for Money such as Money.of('120.00', 'EUR'), got {self.amount!r}"
            raise InvalidPaymentError(msg)
        if not self.amount.is_positive or not self.amount.is_rounded:
            msg = f"a payment asks for a positive amount in minor units, got {self.amount}"
            raise InvalidPaymentError(msg)
        if not isinstance(self.method, str) or not self.method:
            msg = (
                "a payment needs a payment method as text (a provider token or a card), "
                f"got {self.method!r}"
            )
            raise InvalidPaymentError(msg)


@attrs.frozen(kw_only=True)
class GatewayCapabilities:
    """What a payment gateway offers; use cases adapt to it.

    Attributes:
        partial_capture: A capture may take less than was authorized.
        multiple_captures: An authorization may be captured in several steps.
        partial_refund: A refund may give back less than was captured.
        max_authorization_days: How long an authorization can be held before it lapses.

    Example:
        >>> from staycore.orders.payments import GatewayCapabilities
        >>> GatewayCapabilities().max_authorization_days
        7
    """

    partial_capture: bool = True
    multiple_captures: bool = False
    partial_refund: bool = True
    max_authorization_days: int = 7

    def __attrs_post_init__(self) -> None:
        if self.multiple_captures and not self.partial_capture:
            msg = (
                "multiple_captures needs partial_capture: a first capture of everything "
                "leaves nothing for a second"
            )
            raise InvalidPaymentError(msg)
        if self.max_authorization_days < 1:
            msg = f"max_authorization_days must be 1 or more, got {self.max_authorization_days}"
            raise InvalidPaymentError(msg)


@attrs.frozen(kw_only=True)
class MoneyRequest:
    """A refund, capture or release asked of the gateway, kept until it answers.

    An order records the request (and its idempotency key) before the gateway is asked,
    so a request whose answer a timeout lost is never forgotten: the gateway is asked
    what it made under the key, and a request it made nothing for is closed and planned
    again from the ledger.

    Attributes:
        key: The idempotency key the gateway is asked under.
        kind: ``refund``, ``capture`` or ``void``.
        reference: The capture refunded, or the authorization captured or released.
        amount: How much (for a release, what the authorization held).
        reason: Why, for a refund: which capture and why that one.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.payments import MoneyRequest, MovementKind
        >>> MoneyRequest(key="ord_1:refund:v7", kind=MovementKind.REFUND, reference="ch_1",
        ...              amount=Money.of("60.00", "EUR")).kind.value
        'refund'
    """

    key: str
    kind: MovementKind
    reference: str
    amount: Money
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind not in (MovementKind.REFUND, MovementKind.CAPTURE, MovementKind.VOID):
            msg = f"a money request refunds, captures or releases, not a {self.kind.value}"
            raise InvalidPaymentError(msg)


# -- the ledger -----------------------------------------------------------------------


class PaymentStatus(enum.Enum):
    """What an order's payments add up to, against what it asks for.

    Derived by :meth:`PaymentLedger.status`, never set by hand.
    """

    NONE = "none"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    OVERPAID = "overpaid"


class Recorded(enum.Enum):
    """What a report did to the ledger."""

    RECORDED = "recorded"
    """A movement the ledger did not know."""
    UPDATED = "updated"
    """A more final status of a known movement."""
    DUPLICATE = "duplicate"
    """The same report again, which changes nothing."""
    STALE = "stale"
    """A less final status than the one known, arrived out of order and ignored."""


def _to_currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else Currency.of(value)


@attrs.frozen
class PaymentLedger:
    """An order's payment movements, one entry per provider reference.

    Args:
        currency: The order's currency; every movement must be in it.
        movements: The movements, in the order first reported.

    Example:
        See the module example.
    """

    currency: Currency = attrs.field(converter=_to_currency)
    movements: tuple[PaymentMovement, ...] = ()

    def record(self, movement: PaymentMovement) -> tuple[PaymentLedger, Recorded]:
        """Take a report of a movement: a new one, a more final status, or nothing new.

        Raises:
            CurrencyMismatchError: The movement is in another currency than the order.
            InvalidPaymentError: The reference is known with another kind, amount or order
                (a provider never reuses one; this is a forged or corrupted report).
        """
        if movement.amount.currency != self.currency:
            msg = (
                f"movement {movement.reference} is in {movement.amount.currency}; "
                f"the order is in {self.currency}"
            )
            raise CurrencyMismatchError(msg)
        for index, known in enumerate(self.movements):
            if known.reference != movement.reference:
                continue
            if (known.kind, known.amount, known.order, known.parent) != (
                movement.kind,
                movement.amount,
                movement.order,
                movement.parent,
            ):
                msg = (
                    f"reference {movement.reference} is known as a {known.kind.value} of "
                    f"{known.amount} for {known.order}; a report of a "
                    f"{movement.kind.value} of {movement.amount} for {movement.order} "
                    "cannot share it"
                )
                raise InvalidPaymentError(msg)
            if _RANK[movement.status] < _RANK[known.status]:
                return self, Recorded.STALE
            if movement.status is known.status:
                return self, Recorded.DUPLICATE
            changed = (*self.movements[:index], movement, *self.movements[index + 1 :])
            return attrs.evolve(self, movements=changed), Recorded.UPDATED
        return attrs.evolve(self, movements=(*self.movements, movement)), Recorded.RECORDED

    def find(self, reference: str) -> PaymentMovement | None:
        """The movement with the provider reference ``reference``, if recorded."""
        return next((m for m in self.movements if m.reference == reference), None)

    def _sum(self, kind: MovementKind, parent: str | None = None) -> Money:
        if not self.movements:  # most orders, most of the time: nothing paid yet
            return Money.zero(self.currency)
        return Money.total(
            (
                m.amount
                for m in self.movements
                if m.kind is kind
                and m.succeeded
                and (parent is None or m.parent == parent)
                and self._backed(m)
            ),
            self.currency,
        )

    def _backed(self, movement: PaymentMovement) -> bool:
        """Whether a movement that gives money back has its capture recorded as succeeded.

        A chargeback or refund reported before the capture it takes back (webhooks
        arrive out of order) waits, recorded but not counted, until the capture arrives:
        so what was received is never negative, whatever the order of the reports.
        """
        if movement.kind not in (MovementKind.REFUND, MovementKind.CHARGEBACK):
            return True
        capture = self.find(movement.parent or "")
        return capture is not None and capture.succeeded

    @property
    def captured(self) -> Money:
        """Everything taken from the guest, by succeeded captures and charges."""
        return self._sum(MovementKind.CAPTURE)

    @property
    def refunded(self) -> Money:
        """Everything given back by refunds."""
        return self._sum(MovementKind.REFUND)

    @property
    def charged_back(self) -> Money:
        """Everything the card issuers took back."""
        return self._sum(MovementKind.CHARGEBACK)

    @property
    def refunding(self) -> Money:
        """Refunds asked for whose outcome the provider has yet to tell."""
        return Money.total(
            (
                m.amount
                for m in self.movements
                if m.kind is MovementKind.REFUND and not m.status.final
            ),
            self.currency,
        )

    @property
    def received(self) -> Money:
        """What the guest has paid and kept paid (captured - refunded - charged back)."""
        if not self.movements:
            return Money.zero(self.currency)
        return self.captured - self.refunded - self.charged_back

    @property
    def authorized(self) -> Money:
        """What is still held on cards, by authorizations neither captured nor voided."""
        return Money.total((left for _, left in self.open_authorizations()), self.currency)

    @property
    def currency_zero(self) -> Money:
        """Zero in the order's currency."""
        return Money.zero(self.currency)

    def taken_back(self, capture: str) -> Money:
        """What refunds and chargebacks took back from the capture ``capture``.

        Example:
            >>> from staycore.orders.payments import PaymentLedger
            >>> str(PaymentLedger("EUR").taken_back("ch_1"))
            'EUR 0.00'
        """
        return self._sum(MovementKind.REFUND, capture) + self._sum(MovementKind.CHARGEBACK, capture)

    def open_authorizations(self) -> tuple[tuple[PaymentMovement, Money], ...]:
        """Each succeeded authorization with the amount it still holds, oldest first."""
        found = []
        for auth in self.movements:
            if auth.kind is not MovementKind.AUTHORIZATION or not auth.succeeded:
                continue
            if self._sum(MovementKind.VOID, auth.reference).is_positive:
                continue
            left = auth.amount - self._sum(MovementKind.CAPTURE, auth.reference)
            if left.is_positive:
                found.append((auth, left))
        return tuple(found)

    def refundable(self) -> tuple[Refundable, ...]:
        """Each succeeded capture with what it can still give back, in recorded order."""
        found = []
        for capture in self.movements:
            if capture.kind is not MovementKind.CAPTURE or not capture.succeeded:
                continue
            taken_back = self.taken_back(capture.reference)
            found.append(
                Refundable(
                    reference=capture.reference,
                    # A refund reported out of order may outrun a chargeback for a
                    # moment: nothing is refundable then, never a negative amount.
                    refundable=max(capture.amount - taken_back, self.currency_zero),
                    captured_at=capture.occurred_at,
                )
            )
        return tuple(found)

    def pending(self) -> tuple[PaymentMovement, ...]:
        """Movements whose outcome the provider has yet to tell."""
        return tuple(m for m in self.movements if not m.status.final)

    def status(self, *, due: Money) -> PaymentStatus:
        """What the payments add up to against ``due``, what the order asks for now.

        Example:
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.payments import PaymentLedger
            >>> PaymentLedger("EUR").status(due=Money.of("100.00", "EUR")).value
            'none'
        """
        if self.captured.is_zero:
            return PaymentStatus.AUTHORIZED if self.authorized.is_positive else PaymentStatus.NONE
        received = self.received
        taken_back = self.refunded + self.charged_back
        if received > due:
            return PaymentStatus.OVERPAID
        if taken_back.is_positive:
            return PaymentStatus.REFUNDED if received.is_zero else PaymentStatus.PARTIALLY_REFUNDED
        if received == due:
            return PaymentStatus.PAID
        return PaymentStatus.PARTIALLY_PAID
