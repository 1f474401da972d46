"""The sandbox payment gateway: a payment provider in memory, for development and tests.

:class:`SandboxGateway` keeps every rule of :class:`~staycore.ports.payments.PaymentGateway`
the way a real provider does, deterministically: test cards choose the outcome
(:mod:`staycore.adapters.payments.cards`), references count up (``sbx_auth_0001``,
``sbx_cap_0002``...), every report of a movement is sent as a signed webhook, and the
slow or broken parts of a real provider are there on request: 3-D Secure
(:meth:`~SandboxGateway.complete_action`), late settlement
(:meth:`~SandboxGateway.settle_pending`), disputes (:meth:`~SandboxGateway.chargeback`),
timeouts (:meth:`~SandboxGateway.fail_next`, :meth:`~SandboxGateway.lose_next_response`),
and webhooks delivered twice or out of order.

Example:
    Charge the guest with the test card that succeeds, then receive the webhook the way
    a host's webhook endpoint does: verify and parse it, and record it in the order's
    ledger.

    >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
    >>> from staycore.kernel.money import Money
    >>> from staycore.orders.ids import OrderId
    >>> from staycore.orders.payments import PaymentLedger, PaymentRequest
    >>> from staycore.testing.clock import FrozenClock
    >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="whsec_demo")
    >>> order = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> request = PaymentRequest(
    ...     order=order, amount=Money.of("120.00", "EUR"), method="4242 4242 4242 4242")
    >>> charge = gateway.charge(request, idempotency_key=f"{order}-deposit")
    >>> charge.reference, charge.kind.value, charge.status.value
    ('sbx_ch_0001', 'capture', 'succeeded')
    >>> gateway.charge(request, idempotency_key=f"{order}-deposit") == charge  # a retry
    True
    >>> [webhook] = gateway.webhooks()  # what the endpoint receives, once
    >>> webhook.headers["Sandbox-Signature"]
    't=1780308000,v1=...'
    >>> [movement] = gateway.parse_webhook(webhook.body, webhook.headers)
    >>> movement == charge
    True
    >>> ledger, outcome = PaymentLedger("EUR").record(movement)
    >>> outcome.value, str(ledger.received)
    ('recorded', 'EUR 120.00')
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable, Mapping
from typing import Final, Literal, get_args

import pendulum

from staycore.adapters.payments.cards import card_outcome
from staycore.adapters.payments.webhooks import (
    SIGNATURE_HEADER,
    TOLERANCE,
    Webhook,
    event_body,
    read_event,
    signature,
    verify_signature,
)
from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Clock, as_instant
from staycore.orders.payments import (
    AuthorizationLapsedError,
    CaptureExceedsAuthorizedError,
    GatewayCapabilities,
    GatewayTimeoutError,
    InvalidPaymentError,
    MovementKind,
    MovementStatus,
    PaymentKeyReusedError,
    PaymentMovement,
    PaymentRequest,
    UnknownPaymentError,
    UnsupportedPaymentOperationError,
    WebhookSignatureError,
)
from staycore.orders.refunds import RefundExceedsPaidError

__all__ = ["ACTION_URL", "AUTHENTICATION_FAILED", "Operation", "SandboxGateway"]

Operation = Literal["authorize", "capture", "void", "charge", "refund"]
"""The calls of the port that failure injection can break."""

ACTION_URL: Final = "https://sandbox.staycore.invalid/3ds/{reference}"
"""Where the guest of a ``requires_action`` movement would complete 3-D Secure."""
AUTHENTICATION_FAILED: Final = "authentication_failed"
"""The failure code of a movement whose 3-D Secure challenge failed."""

_DEFAULT_CAPABILITIES: Final = GatewayCapabilities()
_SETTLE_AFTER: Final = dt.timedelta(minutes=10)
_OPERATIONS: Final[tuple[str, ...]] = get_args(Operation)
# The middle part of a reference, by kind; a direct charge is a capture labelled "ch".
_LABELS: Final = {
    MovementKind.AUTHORIZATION: "auth",
    MovementKind.CAPTURE: "cap",
    MovementKind.VOID: "void",
    MovementKind.REFUND: "re",
    MovementKind.CHARGEBACK: "cb",
}
_CHARGE_LABEL: Final = "ch"

_Fingerprint = tuple[str, ...]


def _check_amount(amount: Money, what: str) -> None:
    if not isinstance(amount, Money) or not amount.is_positive or not amount.is_rounded:
        msg = f"a {what} takes a positive amount in minor units (Money), got {amount!r}"
        raise InvalidPaymentError(msg)


def _money_print(amount: Money) -> _Fingerprint:
    return (amount.currency.code, str(amount.minor_units))


class SandboxGateway:
    """A :class:`~staycore.ports.payments.PaymentGateway` in memory, safe between threads.

    One lock guards every movement, answer and webhook, so each call is atomic. The
    same sequence of calls gives the same references, webhooks and outcomes.

    Rules, as the port states them, and the sandbox's choices where it leaves room:

    * Idempotency keys are global: a key names one call (operation and parameters). A
      repeat gets the movement as it was first answered (its later outcome comes by
      webhook, and from :meth:`movement`). A call refused with an exception keeps no
      answer under its key: a retry is judged again.
    * A capture or void checks, in this order: the authorization exists and succeeded
      (:class:`~staycore.orders.payments.UnknownPaymentError` otherwise, also for one
      still ``pending`` or ``requires_action`` or one that failed), it was not voided,
      it is younger than ``capabilities.max_authorization_days`` by the clock, something
      is left to take (:class:`~staycore.orders.payments.AuthorizationLapsedError` for
      each); then for a capture: a second capture is offered
      (:class:`~staycore.orders.payments.UnsupportedPaymentOperationError`), the amount
      fits what is left (:class:`~staycore.orders.payments.CaptureExceedsAuthorizedError`),
      and a capture of less than what is left is offered (unsupported otherwise).
    * A refund or chargeback needs a succeeded capture or charge
      (:class:`~staycore.orders.payments.UnknownPaymentError` for one pending, failed,
      or any other kind of movement), and an amount within what it can still give back:
      its amount minus what was refunded and charged back
      (:class:`~staycore.orders.refunds.RefundExceedsPaidError`). A refund of less than
      that is partial, refused unless ``capabilities.partial_refund``.
    * An amount in another currency than the authorization's or capture's raises
      :class:`~staycore.kernel.errors.CurrencyMismatchError`.

    Args:
        clock: Dates the movements, ages authorizations, signs and checks webhooks.
        secret: The webhook signing secret, shared with the receiver.
        capabilities: What the sandbox offers; choose them to match your provider.
        reference_prefix: The first part of every reference and event id.
        settle_after: How long after a ``pending`` movement
            ``settle_pending(due_only=True)`` settles it.
        webhook_tolerance: How old a signature :meth:`parse_webhook` still accepts.
        duplicate_webhooks: :meth:`webhooks` delivers each webhook twice.
        reorder_webhooks: :meth:`webhooks` delivers them shuffled (by ``seed``).
        seed: Seeds the shuffle, so that a test run replays.

    Raises:
        WebhookSignatureError: ``secret`` is empty.

    Example:
        >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.ids import OrderId
        >>> from staycore.orders.payments import PaymentRequest
        >>> from staycore.testing.clock import FrozenClock
        >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s3cret")
        >>> stay = PaymentRequest(order=OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...                       amount=Money.of("300.00", "EUR"), method=SUCCEEDING_CARD)
        >>> hold = gateway.authorize(stay, idempotency_key="ord-1-hold")
        >>> capture = gateway.capture(hold.reference, Money.of("250.00", "EUR"),
        ...                           idempotency_key="ord-1-capture")
        >>> gateway.void(hold.reference, idempotency_key="ord-1-release").amount
        Money('50.00', 'EUR')
        >>> gateway.refund(capture.reference, Money.of("300.00", "EUR"),
        ...                idempotency_key="ord-1-refund")
        Traceback (most recent call last):
        ...
        staycore.orders.refunds.RefundExceedsPaidError: [payments.refund_exceeds_paid] ...
    """

    def __init__(
        self,
        clock: Clock,
        *,
        secret: str,
        capabilities: GatewayCapabilities = _DEFAULT_CAPABILITIES,
        reference_prefix: str = "sbx",
        settle_after: dt.timedelta = _SETTLE_AFTER,
        webhook_tolerance: dt.timedelta = TOLERANCE,
        duplicate_webhooks: bool = False,
        reorder_webhooks: bool = False,
        seed: int = 0,
    ) -> None:
        if not secret:
            msg = "the sandbox needs a webhook secret to sign with; pass secret='...'"
            raise WebhookSignatureError(msg)
        self._clock = clock
        self._secret = secret
        self._capabilities = capabilities
        self._prefix = reference_prefix
        self._settle_after = settle_after
        self._tolerance = webhook_tolerance
        self.duplicate_webhooks = duplicate_webhooks
        """Whether :meth:`webhooks` delivers each webhook twice; may be changed."""
        self.reorder_webhooks = reorder_webhooks
        """Whether :meth:`webhooks` shuffles what it delivers; may be changed."""
        self._rng = random.Random(seed)  # noqa: S311 - a shuffle for tests, not a secret
        self._lock = threading.Lock()
        # Every movement's latest report, in the order they were made.
        self._movements: dict[str, PaymentMovement] = {}
        # The references of the movements acting on each movement.
        self._children: dict[str, list[str]] = {}
        # Each idempotency key's call and first answer.
        self._answers: dict[str, tuple[_Fingerprint, PaymentMovement]] = {}
        # When each pending movement settles.
        self._settle_at: dict[str, pendulum.DateTime] = {}
        self._outbox: list[bytes] = []
        self._sequence = 0
        self._events = 0
        self._failing: dict[str, int] = {}
        self._losing: dict[str, int] = {}

    @property
    def capabilities(self) -> GatewayCapabilities:
        """What this sandbox offers, as configured."""
        return self._capabilities

    # -- the port --------------------------------------------------------------------

    def authorize(self, request: PaymentRequest, *, idempotency_key: str) -> PaymentMovement:
        """Hold ``request.amount`` on the test card ``request.method``.

        Returns:
            An ``authorization`` movement whose status the test card chooses.

        Raises:
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: Injected by :meth:`fail_next` or :meth:`lose_next_response`.

        Example:
            >>> from staycore.adapters.payments import THREE_D_SECURE_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> hold = gateway.authorize(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=THREE_D_SECURE_CARD), idempotency_key="k1")
            >>> hold.status.value, hold.action_url
            ('requires_action', 'https://sandbox.staycore.invalid/3ds/sbx_auth_0001')
        """
        return self._call(
            "authorize",
            idempotency_key,
            self._request_print("authorize", request),
            lambda: self._open(
                MovementKind.AUTHORIZATION, _LABELS[MovementKind.AUTHORIZATION], request
            ),
        )

    def charge(self, request: PaymentRequest, *, idempotency_key: str) -> PaymentMovement:
        """Authorize and capture ``request.amount`` at once, on the test card ``request.method``.

        Returns:
            A ``capture`` movement with no parent, whose status the test card chooses.

        Raises:
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: Injected by :meth:`fail_next` or :meth:`lose_next_response`.

        Example:
            >>> from staycore.adapters.payments import DECLINED_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> declined = gateway.charge(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=DECLINED_CARD), idempotency_key="k1")
            >>> declined.status.value, declined.failure_code
            ('failed', 'card_declined')
        """
        return self._call(
            "charge",
            idempotency_key,
            self._request_print("charge", request),
            lambda: self._open(MovementKind.CAPTURE, _CHARGE_LABEL, request),
        )

    def capture(
        self, authorization: str, amount: Money, *, idempotency_key: str
    ) -> PaymentMovement:
        """Take ``amount`` of what the authorization ``authorization`` holds.

        Returns:
            A succeeded ``capture`` movement whose parent is the authorization.

        Raises:
            UnknownPaymentError: No succeeded authorization has this reference.
            AuthorizationLapsedError: It was voided, fully captured, or held too long.
            UnsupportedPaymentOperationError: A partial or second capture the
                capabilities do not offer.
            CaptureExceedsAuthorizedError: More than the authorization still holds.
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: Injected by :meth:`fail_next` or :meth:`lose_next_response`.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> clock = FrozenClock("2026-06-01T10:00:00Z")
            >>> gateway = SandboxGateway(clock, secret="s")
            >>> hold = gateway.authorize(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=SUCCEEDING_CARD), idempotency_key="k1")
            >>> _ = clock.advance(days=gateway.capabilities.max_authorization_days)
            >>> gateway.capture(hold.reference, hold.amount, idempotency_key="k2")
            Traceback (most recent call last):
            ...
            staycore.orders.payments.AuthorizationLapsedError: [payments.authorization_lapsed] ...
        """
        _check_amount(amount, "capture")
        return self._call(
            "capture",
            idempotency_key,
            ("capture", authorization, *_money_print(amount)),
            lambda: self._capture(authorization, amount),
        )

    def void(self, authorization: str, *, idempotency_key: str) -> PaymentMovement:
        """Release what the authorization ``authorization`` still holds.

        Returns:
            A succeeded ``void`` movement for the amount released.

        Raises:
            UnknownPaymentError: No succeeded authorization has this reference.
            AuthorizationLapsedError: It was voided, fully captured, or held too long.
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: Injected by :meth:`fail_next` or :meth:`lose_next_response`.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> hold = gateway.authorize(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=SUCCEEDING_CARD), idempotency_key="k1")
            >>> gateway.void(hold.reference, idempotency_key="k2").reference
            'sbx_void_0002'
            >>> gateway.void(hold.reference, idempotency_key="k3")
            Traceback (most recent call last):
            ...
            staycore.orders.payments.AuthorizationLapsedError: [payments.authorization_lapsed] ...
        """
        return self._call(
            "void", idempotency_key, ("void", authorization), lambda: self._void(authorization)
        )

    def refund(self, payment: str, amount: Money, *, idempotency_key: str) -> PaymentMovement:
        """Give back ``amount`` of the capture or charge ``payment``.

        Returns:
            A succeeded ``refund`` movement whose parent is the capture.

        Raises:
            UnknownPaymentError: No succeeded capture or charge has this reference.
            RefundExceedsPaidError: More than the capture's amount minus what was
                refunded or charged back on it.
            UnsupportedPaymentOperationError: A partial refund the capabilities do not
                offer.
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: Injected by :meth:`fail_next` or :meth:`lose_next_response`.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> paid = gateway.charge(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=SUCCEEDING_CARD), idempotency_key="k1")
            >>> gateway.refund(paid.reference, Money.of("30.00", "EUR"),
            ...                idempotency_key="k2").parent
            'sbx_ch_0001'
        """
        _check_amount(amount, "refund")
        return self._call(
            "refund",
            idempotency_key,
            ("refund", payment, *_money_print(amount)),
            lambda: self._refund(payment, amount),
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> tuple[PaymentMovement, ...]:
        """Verify a webhook the sandbox sent, and read the movement it reports.

        The header name is matched without regard to case, as HTTP frameworks differ.

        Raises:
            WebhookSignatureError: The signature is missing, garbled, does not match the
                body, or is older than ``webhook_tolerance`` by the clock.
            InvalidWebhookError: The body is signed but is not a sandbox event.

        Example:
            >>> from staycore.adapters.payments import SandboxGateway
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> gateway.parse_webhook(b"{}", gateway.sign(b"{}"))
            Traceback (most recent call last):
            ...
            staycore.orders.payments.InvalidWebhookError: [payments.invalid_webhook] ...
        """
        verify_signature(
            body, headers, secret=self._secret, now=self._clock.now(), tolerance=self._tolerance
        )
        return read_event(body)

    def find(self, idempotency_key: str) -> PaymentMovement | None:
        """The movement a call under ``idempotency_key`` made, with its latest status.

        ``None`` if no call under the key made one: it timed out before reaching the
        sandbox (:meth:`fail_next`), was refused, or was never made.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import GatewayTimeoutError, PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> request = PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                          method=SUCCEEDING_CARD)
            >>> gateway.lose_next_response("charge")
            >>> try:
            ...     gateway.charge(request, idempotency_key="k1")
            ... except GatewayTimeoutError:
            ...     found = gateway.find("k1")  # what became of it, without paying again
            >>> found.reference, gateway.find("k2")
            ('sbx_ch_0001', None)
        """
        with self._lock:
            answer = self._answers.get(idempotency_key)
            return None if answer is None else self._movements[answer[1].reference]

    # -- what the provider does on its own -----------------------------------------

    def webhooks(self) -> list[Webhook]:
        """Deliver the webhooks sent since the last call, signed now, and forget them.

        In the order the reports were made, unless ``duplicate_webhooks`` (each comes
        twice) or ``reorder_webhooks`` (shuffled) says otherwise.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s",
            ...                          duplicate_webhooks=True)
            >>> _ = gateway.charge(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=SUCCEEDING_CARD), idempotency_key="k1")
            >>> len(gateway.webhooks()), len(gateway.webhooks())
            (2, 0)
        """
        with self._lock:
            bodies, self._outbox = self._outbox, []
            if self.duplicate_webhooks:
                bodies = [body for body in bodies for _ in range(2)]
            if self.reorder_webhooks:
                self._rng.shuffle(bodies)
            return [Webhook(body=body, headers=self._sign(body)) for body in bodies]

    def sign(self, body: bytes, *, at: dt.datetime | None = None) -> dict[str, str]:
        """The headers that sign ``body`` as the sandbox does, at ``at`` (default: now).

        For tests that forge webhooks: a signed body that is not an event, or one
        signed long ago.

        Example:
            >>> from staycore.adapters.payments import SandboxGateway
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> gateway.sign(b"{}")["Sandbox-Signature"][:13]
            't=1780308000,'
        """
        return self._sign(body, at)

    def complete_action(self, reference: str, *, succeed: bool = True) -> PaymentMovement:
        """The guest finishes the 3-D Secure challenge of ``reference``: it passes or fails.

        The movement becomes ``succeeded``, or ``failed`` with the failure code
        ``authentication_failed``, and a webhook reports it.

        Raises:
            UnknownPaymentError: No movement has this reference.
            UnsupportedPaymentOperationError: The movement does not require an action.

        Example:
            >>> from staycore.adapters.payments import THREE_D_SECURE_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> paid = gateway.charge(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=THREE_D_SECURE_CARD), idempotency_key="k1")
            >>> gateway.complete_action(paid.reference, succeed=False).failure_code
            'authentication_failed'
        """
        with self._lock:
            movement = self._known(reference)
            if movement.status is not MovementStatus.REQUIRES_ACTION:
                msg = (
                    f"movement {reference} is {movement.status.value}: only a movement that "
                    "requires an action (made with the 3-D Secure test card) can complete one"
                )
                raise UnsupportedPaymentOperationError(msg)
            if succeed:
                return self._finish(movement, MovementStatus.SUCCEEDED)
            return self._finish(movement, MovementStatus.FAILED, AUTHENTICATION_FAILED)

    def settle_pending(self, *, due_only: bool = False) -> tuple[PaymentMovement, ...]:
        """Settle pending movements: each succeeds, and a webhook reports it.

        Args:
            due_only: Settle only those made at least ``settle_after`` ago by the clock;
                by default every pending movement settles now.

        Returns:
            The settled movements, oldest first.

        Example:
            >>> from staycore.adapters.payments import PENDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> clock = FrozenClock("2026-06-01T10:00:00Z")
            >>> gateway = SandboxGateway(clock, secret="s")
            >>> _ = gateway.charge(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=PENDING_CARD), idempotency_key="k1")
            >>> gateway.settle_pending(due_only=True)
            ()
            >>> _ = clock.advance(minutes=10)
            >>> [m.status.value for m in gateway.settle_pending(due_only=True)]
            ['succeeded']
        """
        with self._lock:
            now = self._clock.now()
            due = [
                reference
                for reference, settles_at in self._settle_at.items()
                if not due_only or settles_at <= now
            ]
            settled = []
            for reference in due:
                del self._settle_at[reference]
                settled.append(self._finish(self._movements[reference], MovementStatus.SUCCEEDED))
            return tuple(settled)

    def chargeback(self, capture: str, amount: Money | None = None) -> PaymentMovement:
        """The card issuer takes back ``amount`` of ``capture`` (default: all it has left).

        A succeeded ``chargeback`` movement is made and reported by webhook; later
        refunds of the capture can only give back what is left after it.

        Raises:
            UnknownPaymentError: No succeeded capture or charge has this reference.
            RefundExceedsPaidError: More than the capture has left to give back, or
                nothing is left.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> paid = gateway.charge(
            ...     PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                    method=SUCCEEDING_CARD), idempotency_key="k1")
            >>> gateway.chargeback(paid.reference).amount
            Money('80.00', 'EUR')
        """
        with self._lock:
            paid = self._succeeded(capture, MovementKind.CAPTURE)
            left = self._refundable(paid)
            if amount is None:
                if not left.is_positive:
                    raise RefundExceedsPaidError(paid.amount, left, on=f"capture {capture}")
                amount = left
            _check_amount(amount, "chargeback")
            self._same_currency(amount, paid)
            if amount > left:
                raise RefundExceedsPaidError(amount, left, on=f"capture {capture}")
            return self._new(
                MovementKind.CHARGEBACK,
                _LABELS[MovementKind.CHARGEBACK],
                status=MovementStatus.SUCCEEDED,
                amount=amount,
                order=paid.order,
                parent=paid.reference,
            )

    # -- failure injection -------------------------------------------------------------

    def fail_next(self, operation: Operation, times: int = 1) -> None:
        """Make the next ``times`` calls of ``operation`` time out before doing anything.

        Each raises :class:`~staycore.orders.payments.GatewayTimeoutError` and moves no
        money; a retry after them is answered normally.

        Raises:
            UnsupportedPaymentOperationError: ``operation`` is not a call of the port.

        Example:
            >>> from staycore.adapters.payments import SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> gateway.fail_next("refund")
            >>> gateway.refund("sbx_ch_0001", Money.of("1.00", "EUR"), idempotency_key="k")
            Traceback (most recent call last):
            ...
            staycore.orders.payments.GatewayTimeoutError: [payments.gateway_timeout] ...
        """
        with self._lock:
            self._plan(self._failing, operation, times)

    def lose_next_response(self, operation: Operation, times: int = 1) -> None:
        """Make the next ``times`` calls of ``operation`` do their work, then time out.

        The realistic failure: the money moved (and its webhook is sent), but the
        answer was lost, and the caller gets
        :class:`~staycore.orders.payments.GatewayTimeoutError`. A retry with the same
        idempotency key gets the movement, and nothing moves twice. A call refused with
        an exception raises it as usual, and the next call is still the one lost.

        Raises:
            UnsupportedPaymentOperationError: ``operation`` is not a call of the port.

        Example:
            >>> from staycore.adapters.payments import SUCCEEDING_CARD, SandboxGateway
            >>> from staycore.kernel.money import Money
            >>> from staycore.orders.ids import OrderId
            >>> from staycore.orders.payments import GatewayTimeoutError, PaymentRequest
            >>> from staycore.testing.clock import FrozenClock
            >>> gateway = SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
            >>> request = PaymentRequest(order=OrderId.new(), amount=Money.of("80.00", "EUR"),
            ...                          method=SUCCEEDING_CARD)
            >>> gateway.lose_next_response("charge")
            >>> try:
            ...     gateway.charge(request, idempotency_key="k1")
            ... except GatewayTimeoutError:
            ...     paid = gateway.charge(request, idempotency_key="k1")  # the retry
            >>> paid.reference, len(gateway.movements())
            ('sbx_ch_0001', 1)
        """
        with self._lock:
            self._plan(self._losing, operation, times)

    # -- reading -----------------------------------------------------------------------

    def movement(self, reference: str) -> PaymentMovement:
        """The latest report of the movement ``reference``.

        Raises:
            UnknownPaymentError: No movement has this reference.

        Example:
            >>> from staycore.adapters.payments import SandboxGateway
            >>> from staycore.testing.clock import FrozenClock
            >>> SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s").movement("x")
            Traceback (most recent call last):
            ...
            staycore.orders.payments.UnknownPaymentError: [payments.unknown_payment] ...
        """
        with self._lock:
            return self._known(reference)

    def movements(self, order: Identifier | None = None) -> tuple[PaymentMovement, ...]:
        """The latest report of every movement (of ``order``, if given), oldest first.

        Example:
            >>> from staycore.adapters.payments import SandboxGateway
            >>> from staycore.testing.clock import FrozenClock
            >>> SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s").movements()
            ()
        """
        with self._lock:
            return tuple(m for m in self._movements.values() if order is None or m.order == order)

    # -- internals (called with the lock held) ----------------------------------------

    def _call(
        self,
        operation: Operation,
        key: str,
        fingerprint: _Fingerprint,
        apply: Callable[[], PaymentMovement],
    ) -> PaymentMovement:
        """Run one call of the port: injected failures, the key's answer, or ``apply``."""
        if not isinstance(key, str) or not key:
            msg = f"{operation} needs an idempotency key: a non-empty string per attempt"
            raise InvalidPaymentError(msg)
        with self._lock:
            if self._take(self._failing, operation):
                msg = (
                    f"the sandbox did not answer the {operation} call (fail_next): nothing "
                    "was done; retry with the same idempotency key"
                )
                raise GatewayTimeoutError(msg)
            answer = self._answers.get(key)
            if answer is None:
                movement = apply()
                self._answers[key] = (fingerprint, movement)
            elif answer[0] != fingerprint:
                msg = (
                    f"idempotency key {key!r} was used for {answer[0][0]} "
                    f"{', '.join(answer[0][1:])}; this call is {fingerprint[0]} "
                    f"{', '.join(fingerprint[1:])}: use a new key for a new payment call"
                )
                raise PaymentKeyReusedError(msg)
            else:
                movement = answer[1]
            if self._take(self._losing, operation):
                msg = (
                    f"the sandbox's answer to the {operation} call was lost "
                    "(lose_next_response): the outcome is unknown; retry with the same "
                    "idempotency key"
                )
                raise GatewayTimeoutError(msg)
            return movement

    def _plan(self, plans: dict[str, int], operation: str, times: int) -> None:
        if operation not in _OPERATIONS:
            msg = (
                f"the sandbox has no operation {operation!r} to break; "
                f"choose one of {', '.join(_OPERATIONS)}"
            )
            raise UnsupportedPaymentOperationError(msg)
        plans[operation] = plans.get(operation, 0) + times

    @staticmethod
    def _take(plans: dict[str, int], operation: str) -> bool:
        left = plans.get(operation, 0)
        if left <= 0:
            return False
        plans[operation] = left - 1
        return True

    @staticmethod
    def _request_print(operation: str, request: PaymentRequest) -> _Fingerprint:
        return (
            operation,
            str(request.order),
            *_money_print(request.amount),
            request.method,
            request.description,
        )

    def _open(self, kind: MovementKind, label: str, request: PaymentRequest) -> PaymentMovement:
        """Make an authorization or a charge, with the outcome its test card chooses."""
        card = card_outcome(request.method)
        movement = self._new(
            kind,
            label,
            status=card.status,
            amount=request.amount,
            order=request.order,
            failure_code=card.failure_code,
        )
        if card.status is MovementStatus.PENDING:
            self._settle_at[movement.reference] = movement.occurred_at + self._settle_after
        return movement

    def _capture(self, authorization: str, amount: Money) -> PaymentMovement:
        auth = self._succeeded(authorization, MovementKind.AUTHORIZATION)
        self._same_currency(amount, auth)
        held = self._held(auth)
        captures = len(self._succeeded_children(auth.reference, MovementKind.CAPTURE))
        if captures and not self._capabilities.multiple_captures:
            msg = (
                f"authorization {authorization} was captured already, and this gateway "
                "does not offer a second capture (capabilities.multiple_captures); void "
                "what is left and charge the rest anew"
            )
            raise UnsupportedPaymentOperationError(msg)
        if amount > held:
            msg = (
                f"authorization {authorization} holds {held}; a capture of {amount} "
                "takes more: capture at most what is held, and charge the rest anew"
            )
            raise CaptureExceedsAuthorizedError(msg)
        if amount < held and not self._capabilities.partial_capture:
            msg = (
                f"authorization {authorization} holds {held}, and this gateway only "
                f"captures all of it (capabilities.partial_capture), not {amount}"
            )
            raise UnsupportedPaymentOperationError(msg)
        return self._new(
            MovementKind.CAPTURE,
            _LABELS[MovementKind.CAPTURE],
            status=MovementStatus.SUCCEEDED,
            amount=amount,
            order=auth.order,
            parent=auth.reference,
        )

    def _void(self, authorization: str) -> PaymentMovement:
        auth = self._succeeded(authorization, MovementKind.AUTHORIZATION)
        return self._new(
            MovementKind.VOID,
            _LABELS[MovementKind.VOID],
            status=MovementStatus.SUCCEEDED,
            amount=self._held(auth),
            order=auth.order,
            parent=auth.reference,
        )

    def _refund(self, payment: str, amount: Money) -> PaymentMovement:
        paid = self._succeeded(payment, MovementKind.CAPTURE)
        self._same_currency(amount, paid)
        left = self._refundable(paid)
        if amount > left:
            raise RefundExceedsPaidError(amount, left, on=f"capture {payment}")
        if amount < left and not self._capabilities.partial_refund:
            msg = (
                f"this gateway only refunds all that capture {payment} can give back "
                f"({left}), not {amount} (capabilities.partial_refund)"
            )
            raise UnsupportedPaymentOperationError(msg)
        return self._new(
            MovementKind.REFUND,
            _LABELS[MovementKind.REFUND],
            status=MovementStatus.SUCCEEDED,
            amount=amount,
            order=paid.order,
            parent=paid.reference,
        )

    def _known(self, reference: str) -> PaymentMovement:
        movement = self._movements.get(reference)
        if movement is None:
            msg = (
                f"the sandbox has no movement {reference!r}: pass the reference of a "
                "movement this gateway returned"
            )
            raise UnknownPaymentError(msg)
        return movement

    def _succeeded(self, reference: str, kind: MovementKind) -> PaymentMovement:
        """The succeeded movement ``reference`` of ``kind``, or UnknownPaymentError."""
        movement = self._movements.get(reference)
        if movement is None or movement.kind is not kind:
            found = ""
            if movement is not None:
                found = f" ({reference} is the {movement.kind.value} movement)"
            msg = (
                f"the sandbox has no {kind.value} {reference!r}{found}: pass the reference "
                f"of a {kind.value} movement this gateway returned"
            )
            raise UnknownPaymentError(msg)
        if not movement.succeeded:
            why = f" ({movement.failure_code})" if movement.failure_code else ""
            msg = (
                f"{kind.value} {reference} is {movement.status.value}{why}, so no money "
                "stands on it: wait for the webhook that it succeeded, or make a new one"
            )
            raise UnknownPaymentError(msg)
        if kind is MovementKind.AUTHORIZATION:
            self._check_still_held(movement)
        return movement

    def _check_still_held(self, auth: PaymentMovement) -> None:
        if self._succeeded_children(auth.reference, MovementKind.VOID):
            msg = f"authorization {auth.reference} was voided: it holds nothing any more"
            raise AuthorizationLapsedError(msg)
        days = self._capabilities.max_authorization_days
        if self._clock.now() >= auth.occurred_at + dt.timedelta(days=days):
            msg = (
                f"authorization {auth.reference} of {auth.occurred_at.isoformat()} lapsed "
                f"after {days} days: authorize the amount again"
            )
            raise AuthorizationLapsedError(msg)
        if not self._held(auth).is_positive:
            msg = f"authorization {auth.reference} was captured in full: nothing is left"
            raise AuthorizationLapsedError(msg)

    def _succeeded_children(self, reference: str, kind: MovementKind) -> list[PaymentMovement]:
        children = (self._movements[child] for child in self._children.get(reference, ()))
        return [child for child in children if child.kind is kind and child.succeeded]

    def _taken(self, parent: PaymentMovement, kind: MovementKind) -> Money:
        """What the succeeded movements of ``kind`` acting on ``parent`` moved."""
        children = self._succeeded_children(parent.reference, kind)
        return Money.total((child.amount for child in children), parent.amount.currency)

    def _held(self, auth: PaymentMovement) -> Money:
        return auth.amount - self._taken(auth, MovementKind.CAPTURE)

    def _refundable(self, paid: PaymentMovement) -> Money:
        taken_back = self._taken(paid, MovementKind.REFUND)
        return paid.amount - taken_back - self._taken(paid, MovementKind.CHARGEBACK)

    @staticmethod
    def _same_currency(amount: Money, movement: PaymentMovement) -> None:
        if amount.currency != movement.amount.currency:
            msg = (
                f"{movement.kind.value} {movement.reference} is in "
                f"{movement.amount.currency}; an amount in {amount.currency} cannot act on it"
            )
            raise CurrencyMismatchError(msg)

    def _new(
        self,
        kind: MovementKind,
        label: str,
        *,
        status: MovementStatus,
        amount: Money,
        order: Identifier,
        parent: str | None = None,
        failure_code: str | None = None,
    ) -> PaymentMovement:
        """Make a movement under the next reference, keep it and send its webhook."""
        self._sequence += 1
        reference = f"{self._prefix}_{label}_{self._sequence:04d}"
        action_url = None
        if status is MovementStatus.REQUIRES_ACTION:
            action_url = ACTION_URL.format(reference=reference)
        movement = PaymentMovement(
            reference=reference,
            kind=kind,
            status=status,
            amount=amount,
            order=order,
            parent=parent,
            occurred_at=self._clock.now(),
            failure_code=failure_code,
            action_url=action_url,
        )
        if parent is not None:
            self._children.setdefault(parent, []).append(reference)
        self._report(movement)
        return movement

    def _finish(
        self,
        movement: PaymentMovement,
        status: MovementStatus,
        failure_code: str | None = None,
    ) -> PaymentMovement:
        """Report the final status of a movement that was pending or required an action."""
        final = PaymentMovement(
            reference=movement.reference,
            kind=movement.kind,
            status=status,
            amount=movement.amount,
            order=movement.order,
            parent=movement.parent,
            occurred_at=self._clock.now(),
            failure_code=failure_code,
        )
        self._report(final)
        return final

    def _report(self, movement: PaymentMovement) -> None:
        self._movements[movement.reference] = movement
        self._events += 1
        self._outbox.append(event_body(f"{self._prefix}_evt_{self._events:04d}", movement))

    def _sign(self, body: bytes, at: dt.datetime | None = None) -> dict[str, str]:
        instant = self._clock.now() if at is None else as_instant(at, what="signing time")
        return {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(
                body, secret=self._secret, timestamp=int(instant.timestamp())
            ),
        }

    def __repr__(self) -> str:
        return (
            f"SandboxGateway(movements={len(self._movements)}, "
            f"webhooks_waiting={len(self._outbox)}, capabilities={self._capabilities!r})"
        )
