"""The payment gateway port: moving a guest's money through a payment provider.

A host plugs its provider (Stripe, Adyen, a local acquirer) in by implementing
:class:`PaymentGateway`; staycore ships a sandbox (:mod:`staycore.adapters.payments`)
that a developer runs locally. Every gateway keeps these rules, and the contract suite
:class:`staycore.testing.contracts.PaymentGatewayContract` checks them:

* Every call that moves money takes an **idempotency key**. Repeating a call with the same
  key and the same parameters returns the first answer as it was first given (later
  outcomes arrive by webhook) and moves nothing again (a retry after a timeout is safe);
  the same key with other parameters raises
  :class:`~staycore.orders.payments.PaymentKeyReusedError`.
* An expected business outcome is an answer, not an exception: a declined card is a
  movement with status ``failed`` and a ``failure_code``; a card that needs 3-D Secure is
  ``requires_action`` with an ``action_url``; a method that settles later is ``pending``.
  Exceptions are for misuse (capturing more than was authorized, refunding more than
  was captured minus refunded, an operation the gateway does not offer) and for a
  gateway that did not answer (:class:`~staycore.orders.payments.GatewayTimeoutError`:
  retry with the same key).
* A caller that lost an answer can look the call up by its key
  (:meth:`PaymentGateway.find`) instead of making it again.
* **Asynchronous outcomes** arrive as webhooks: :meth:`PaymentGateway.parse_webhook`
  verifies the provider's signature and turns the body into movements, which the order's
  :class:`~staycore.orders.payments.PaymentLedger` takes in any order and any number of
  times.
* :attr:`PaymentGateway.capabilities` says what the provider offers (partial capture,
  several captures, partial refund, how long an authorization holds).

Example:
    >>> from staycore.adapters.payments import SandboxGateway
    >>> from staycore.ports.payments import PaymentGateway
    >>> from staycore.testing.clock import FrozenClock
    >>> isinstance(SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s3cret"),
    ...            PaymentGateway)
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from staycore.kernel.money import Money
from staycore.orders.payments import GatewayCapabilities, PaymentMovement, PaymentRequest

__all__ = ["PaymentGateway"]


@runtime_checkable
class PaymentGateway(Protocol):
    """Moves money at a payment provider, and reads what the provider reports back."""

    @property
    def capabilities(self) -> GatewayCapabilities:
        """What this gateway offers."""
        ...

    def authorize(self, request: PaymentRequest, *, idempotency_key: str) -> PaymentMovement:
        """Hold ``request.amount`` on the guest's payment method.

        Returns:
            An ``authorization`` movement: succeeded, failed (declined), requires_action
            or pending.

        Raises:
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: No answer; retry with the same key.
        """
        ...

    def capture(
        self, authorization: str, amount: Money, *, idempotency_key: str
    ) -> PaymentMovement:
        """Take ``amount`` of what the authorization ``authorization`` holds.

        Returns:
            A ``capture`` movement whose parent is the authorization.

        Raises:
            UnknownPaymentError: No such authorization, or it has not succeeded (it is
                pending, requires an action, or failed).
            CaptureExceedsAuthorizedError: More than the authorization still holds.
            AuthorizationLapsedError: It was voided, fully captured, or held too long.
            UnsupportedPaymentOperationError: A partial or second capture the gateway
                does not offer.
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: No answer; retry with the same key.
        """
        ...

    def void(self, authorization: str, *, idempotency_key: str) -> PaymentMovement:
        """Release what the authorization ``authorization`` still holds.

        Returns:
            A ``void`` movement for the amount released.

        Raises:
            UnknownPaymentError: No such authorization, or it has not succeeded.
            AuthorizationLapsedError: Nothing is left to release.
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: No answer; retry with the same key.
        """
        ...

    def charge(self, request: PaymentRequest, *, idempotency_key: str) -> PaymentMovement:
        """Authorize and capture ``request.amount`` at once.

        Returns:
            A ``capture`` movement with no parent: succeeded, failed, requires_action or
            pending.

        Raises:
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: No answer; retry with the same key.
        """
        ...

    def refund(self, payment: str, amount: Money, *, idempotency_key: str) -> PaymentMovement:
        """Give back ``amount`` of the capture ``payment``.

        Returns:
            A ``refund`` movement whose parent is the capture.

        Raises:
            UnknownPaymentError: No such capture, or it has not succeeded.
            RefundExceedsPaidError: More than the capture's amount minus what was
                refunded or charged back on it.
            UnsupportedPaymentOperationError: A partial refund the gateway does not offer.
            PaymentKeyReusedError: The key was used with other parameters.
            GatewayTimeoutError: No answer; retry with the same key.
        """
        ...

    def find(self, idempotency_key: str) -> PaymentMovement | None:
        """The movement a call under ``idempotency_key`` made, as it stands now.

        How a caller learns what became of a call whose answer it lost, without making
        the call again: asked again, a refund planned before a chargeback would give
        back more than is now owed. A provider adapter stores the key with the movement
        (Stripe's metadata, Adyen's merchant reference) and searches by it.

        Returns:
            The movement with its latest status, or ``None`` if no call under the key
            made one (it never reached the provider, or was refused) and none will: a
            lookup that cannot yet be sure raises instead.

        Raises:
            GatewayTimeoutError: No answer, or not yet a sure one; look again later.
        """
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> tuple[PaymentMovement, ...]:
        """Verify a webhook the provider sent and read the movements it reports.

        Raises:
            WebhookSignatureError: The signature is missing or wrong.
            InvalidWebhookError: The body is not a webhook this gateway sends.
        """
        ...
