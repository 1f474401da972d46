"""The contract suite of the payment gateway port (:mod:`staycore.ports.payments`).

Subclass :class:`PaymentGatewayContract` and override:

* the ``gateway`` fixture: your adapter, talking to the provider's test mode;
* the ``succeeding_method`` and ``declining_method`` fixtures: a payment method the
  provider's test mode always accepts, and one it always declines;
* :meth:`~PaymentGatewayContract.deliver_webhooks`: the webhooks the provider sent since
  the last call, as (raw body, headers), the way your webhook endpoint receives them.

Every test pays for a new order under fresh idempotency keys, so the suite runs against
a fresh gateway or a shared test account alike. Tests of an operation the gateway's
:attr:`~staycore.ports.payments.PaymentGateway.capabilities` do not offer are skipped,
and the refusal of that operation is tested instead.

Example:
    >>> import pytest
    >>> from staycore.adapters.payments import DECLINED_CARD, SUCCEEDING_CARD, SandboxGateway
    >>> from staycore.testing.clock import FrozenClock
    >>> from staycore.testing.contracts import PaymentGatewayContract
    >>> class TestSandboxGateway(PaymentGatewayContract):
    ...     @pytest.fixture
    ...     def gateway(self) -> SandboxGateway:
    ...         return SandboxGateway(FrozenClock("2026-06-01T10:00:00Z"), secret="s")
    ...     @pytest.fixture
    ...     def succeeding_method(self) -> str:
    ...         return SUCCEEDING_CARD
    ...     @pytest.fixture
    ...     def declining_method(self) -> str:
    ...         return DECLINED_CARD
    ...     def deliver_webhooks(self, gateway):
    ...         return [(hook.body, hook.headers) for hook in gateway.webhooks()]
    >>> "test_a_repeated_charge_takes_the_money_once" in dir(TestSandboxGateway)
    True
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

import pytest

from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.orders.ids import OrderId
from staycore.orders.payments import (
    AuthorizationLapsedError,
    CaptureExceedsAuthorizedError,
    GatewayCapabilities,
    MovementKind,
    MovementStatus,
    PaymentKeyReusedError,
    PaymentLedger,
    PaymentMovement,
    PaymentRequest,
    Recorded,
    UnknownPaymentError,
    UnsupportedPaymentOperationError,
    WebhookSignatureError,
)
from staycore.orders.refunds import RefundExceedsPaidError
from staycore.ports.payments import PaymentGateway

__all__ = ["DeliveredWebhook", "PaymentGatewayContract"]

DeliveredWebhook = tuple[bytes, Mapping[str, str]]
"""A webhook as an endpoint receives it: the raw body and the HTTP headers."""


class PaymentGatewayContract:
    """The rules of :class:`~staycore.ports.payments.PaymentGateway`, as tests.

    Override the fixtures ``gateway``, ``succeeding_method`` and ``declining_method``,
    and the method :meth:`deliver_webhooks`. ``currency`` and ``price`` (what each
    test pays, in ``currency``; at least 2.00) may be overridden too.
    """

    currency: ClassVar[str] = "EUR"
    price: ClassVar[str] = "120.00"

    # -- what an adapter author provides ----------------------------------------------

    @pytest.fixture
    def gateway(self) -> PaymentGateway:
        """Build the adapter under test; override this."""
        raise NotImplementedError("override the gateway fixture to build your adapter")

    @pytest.fixture
    def succeeding_method(self) -> str:
        """A payment method the provider's test mode always accepts; override this."""
        raise NotImplementedError("override succeeding_method with an accepted test method")

    @pytest.fixture
    def declining_method(self) -> str:
        """A payment method the provider's test mode always declines; override this."""
        raise NotImplementedError("override declining_method with a declined test method")

    def deliver_webhooks(self, gateway: PaymentGateway) -> Sequence[DeliveredWebhook]:
        """The webhooks the provider sent since the last call: (raw body, headers).

        Override this: drain your sandbox's outbox, or wait for and read what the
        provider's test mode posted to your endpoint.
        """
        raise NotImplementedError("override deliver_webhooks to return the webhooks sent")

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def key() -> str:
        """A fresh idempotency key."""
        return f"contract-{secrets.token_hex(8)}"

    def money(self, amount: str | None = None) -> Money:
        """``amount`` (default: ``price``) in the suite's currency."""
        return Money.of(self.price if amount is None else amount, self.currency)

    def part(self) -> tuple[Money, Money]:
        """``price`` split into a smaller first part and the rest."""
        total = self.money()
        first = Money.from_minor(max(1, total.minor_units // 3), self.currency)
        return first, total - first

    def cent(self) -> Money:
        """The currency's smallest amount."""
        return Money.from_minor(1, self.currency)

    def request(self, method: str, amount: Money | None = None) -> PaymentRequest:
        """A request to pay ``amount`` (default: ``price``) for a new order by ``method``."""
        return PaymentRequest(
            order=OrderId.new(),
            amount=self.money() if amount is None else amount,
            method=method,
            description="staycore contract suite",
        )

    def authorized(self, gateway: PaymentGateway, method: str) -> PaymentMovement:
        """A succeeded authorization of ``price`` for a new order."""
        auth = gateway.authorize(self.request(method), idempotency_key=self.key())
        assert auth.status is MovementStatus.SUCCEEDED, auth
        return auth

    def charged(self, gateway: PaymentGateway, method: str) -> PaymentMovement:
        """A succeeded charge of ``price`` for a new order."""
        charge = gateway.charge(self.request(method), idempotency_key=self.key())
        assert charge.status is MovementStatus.SUCCEEDED, charge
        return charge

    def reported(self, gateway: PaymentGateway, order: Identifier) -> list[PaymentMovement]:
        """Every movement of ``order`` the webhooks delivered now report, in their order."""
        found: list[PaymentMovement] = []
        for body, headers in self.deliver_webhooks(gateway):
            found.extend(m for m in gateway.parse_webhook(body, headers) if m.order == order)
        return found

    def ledger(self, movements: Sequence[PaymentMovement]) -> PaymentLedger:
        """A ledger in the suite's currency that took ``movements`` in their order."""
        ledger = PaymentLedger(self.currency)
        for movement in movements:
            ledger, _ = ledger.record(movement)
        return ledger

    @staticmethod
    def require(condition: bool, reason: str) -> None:
        """Skip the test, saying ``reason``, unless ``condition`` holds."""
        if not condition:
            pytest.skip(reason)

    # -- the port --------------------------------------------------------------------

    def test_the_gateway_has_every_method_of_the_port(self, gateway: PaymentGateway) -> None:
        """The adapter is a PaymentGateway, as ``isinstance`` checks a protocol."""
        assert isinstance(gateway, PaymentGateway)

    def test_the_gateway_says_what_it_offers(self, gateway: PaymentGateway) -> None:
        """Capabilities are declared, with an authorization holding at least a day."""
        assert isinstance(gateway.capabilities, GatewayCapabilities)
        assert gateway.capabilities.max_authorization_days >= 1

    # -- authorizing and capturing ---------------------------------------------------

    def test_an_authorization_holds_the_amount(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """An accepted method gives a succeeded authorization of the amount, no parent."""
        request = self.request(succeeding_method)
        auth = gateway.authorize(request, idempotency_key=self.key())
        assert (auth.kind, auth.status) == (MovementKind.AUTHORIZATION, MovementStatus.SUCCEEDED)
        assert (auth.amount, auth.order, auth.parent) == (request.amount, request.order, None)
        assert auth.reference
        assert auth.failure_code is None

    def test_capturing_all_that_is_held(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A capture of the whole authorization succeeds, with the authorization as parent."""
        auth = self.authorized(gateway, succeeding_method)
        capture = gateway.capture(auth.reference, auth.amount, idempotency_key=self.key())
        assert (capture.kind, capture.status) == (MovementKind.CAPTURE, MovementStatus.SUCCEEDED)
        assert (capture.amount, capture.order, capture.parent) == (
            auth.amount,
            auth.order,
            auth.reference,
        )
        assert capture.reference not in (auth.reference, "")

    def test_a_partial_capture_takes_part_and_a_void_releases_the_rest(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Capturing part leaves the rest held, and a void releases exactly the rest."""
        self.require(gateway.capabilities.partial_capture, "no partial captures offered")
        auth = self.authorized(gateway, succeeding_method)
        first, rest = self.part()
        capture = gateway.capture(auth.reference, first, idempotency_key=self.key())
        assert (capture.amount, capture.status) == (first, MovementStatus.SUCCEEDED)
        void = gateway.void(auth.reference, idempotency_key=self.key())
        assert (void.kind, void.status) == (MovementKind.VOID, MovementStatus.SUCCEEDED)
        assert (void.amount, void.parent) == (rest, auth.reference)

    def test_a_partial_capture_is_refused_when_not_offered(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Without partial captures, capturing less is refused and takes nothing."""
        self.require(not gateway.capabilities.partial_capture, "partial captures are offered")
        auth = self.authorized(gateway, succeeding_method)
        with pytest.raises(UnsupportedPaymentOperationError):
            gateway.capture(auth.reference, self.part()[0], idempotency_key=self.key())
        capture = gateway.capture(auth.reference, auth.amount, idempotency_key=self.key())
        assert capture.amount == auth.amount

    def test_a_second_capture_takes_what_is_left(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """With several captures, each takes part until nothing is left."""
        self.require(gateway.capabilities.multiple_captures, "no second capture offered")
        self.require(gateway.capabilities.partial_capture, "no partial captures offered")
        auth = self.authorized(gateway, succeeding_method)
        first, rest = self.part()
        gateway.capture(auth.reference, first, idempotency_key=self.key())
        with pytest.raises(CaptureExceedsAuthorizedError):
            gateway.capture(auth.reference, rest + self.cent(), idempotency_key=self.key())
        second = gateway.capture(auth.reference, rest, idempotency_key=self.key())
        assert (second.amount, second.parent) == (rest, auth.reference)
        with pytest.raises(AuthorizationLapsedError):
            gateway.capture(auth.reference, self.cent(), idempotency_key=self.key())

    def test_a_second_capture_is_refused_when_not_offered(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Without several captures, a second capture of what is left is refused."""
        self.require(not gateway.capabilities.multiple_captures, "a second capture is offered")
        self.require(gateway.capabilities.partial_capture, "no partial captures offered")
        auth = self.authorized(gateway, succeeding_method)
        first, rest = self.part()
        gateway.capture(auth.reference, first, idempotency_key=self.key())
        with pytest.raises(UnsupportedPaymentOperationError):
            gateway.capture(auth.reference, rest, idempotency_key=self.key())

    def test_a_capture_above_what_is_held_is_refused(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Capturing more than authorized is refused, and takes nothing."""
        auth = self.authorized(gateway, succeeding_method)
        with pytest.raises(CaptureExceedsAuthorizedError):
            gateway.capture(auth.reference, auth.amount + self.cent(), idempotency_key=self.key())
        capture = gateway.capture(auth.reference, auth.amount, idempotency_key=self.key())
        assert capture.amount == auth.amount

    def test_a_voided_authorization_holds_nothing(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A void releases the whole authorization; after it, no capture and no void."""
        auth = self.authorized(gateway, succeeding_method)
        void = gateway.void(auth.reference, idempotency_key=self.key())
        assert (void.kind, void.status) == (MovementKind.VOID, MovementStatus.SUCCEEDED)
        assert (void.amount, void.order, void.parent) == (auth.amount, auth.order, auth.reference)
        with pytest.raises(AuthorizationLapsedError):
            gateway.capture(auth.reference, auth.amount, idempotency_key=self.key())
        with pytest.raises(AuthorizationLapsedError):
            gateway.void(auth.reference, idempotency_key=self.key())

    def test_a_fully_captured_authorization_holds_nothing(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """After a capture of everything, nothing is left to capture or to void."""
        auth = self.authorized(gateway, succeeding_method)
        gateway.capture(auth.reference, auth.amount, idempotency_key=self.key())
        with pytest.raises(AuthorizationLapsedError):
            gateway.capture(auth.reference, self.cent(), idempotency_key=self.key())
        with pytest.raises(AuthorizationLapsedError):
            gateway.void(auth.reference, idempotency_key=self.key())

    # -- charging and refunding ------------------------------------------------------

    def test_a_charge_is_a_capture_with_no_parent(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A charge authorizes and captures at once: a succeeded capture, no parent."""
        request = self.request(succeeding_method)
        charge = gateway.charge(request, idempotency_key=self.key())
        assert (charge.kind, charge.status) == (MovementKind.CAPTURE, MovementStatus.SUCCEEDED)
        assert (charge.amount, charge.order, charge.parent) == (request.amount, request.order, None)

    def test_refunding_all_that_was_paid(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A refund of the whole capture succeeds; then nothing is left to refund."""
        charge = self.charged(gateway, succeeding_method)
        refund = gateway.refund(charge.reference, charge.amount, idempotency_key=self.key())
        assert (refund.kind, refund.status) == (MovementKind.REFUND, MovementStatus.SUCCEEDED)
        assert (refund.amount, refund.order, refund.parent) == (
            charge.amount,
            charge.order,
            charge.reference,
        )
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(charge.reference, self.cent(), idempotency_key=self.key())

    def test_a_capture_of_an_authorization_is_refunded_too(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A capture is refunded up to its own amount, not the authorization's."""
        auth = self.authorized(gateway, succeeding_method)
        taken = self.part()[0] if gateway.capabilities.partial_capture else auth.amount
        capture = gateway.capture(auth.reference, taken, idempotency_key=self.key())
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(capture.reference, taken + self.cent(), idempotency_key=self.key())
        refund = gateway.refund(capture.reference, taken, idempotency_key=self.key())
        assert (refund.amount, refund.parent) == (taken, capture.reference)

    def test_partial_refunds_give_back_up_to_what_was_paid(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Partial refunds add up to the capture at most: above what is left is refused."""
        self.require(gateway.capabilities.partial_refund, "no partial refunds offered")
        charge = self.charged(gateway, succeeding_method)
        first, rest = self.part()
        gateway.refund(charge.reference, first, idempotency_key=self.key())
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(charge.reference, rest + self.cent(), idempotency_key=self.key())
        last = gateway.refund(charge.reference, rest, idempotency_key=self.key())
        assert (last.amount, last.status) == (rest, MovementStatus.SUCCEEDED)
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(charge.reference, self.cent(), idempotency_key=self.key())

    def test_a_partial_refund_is_refused_when_not_offered(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Without partial refunds, refunding less is refused and gives nothing back."""
        self.require(not gateway.capabilities.partial_refund, "partial refunds are offered")
        charge = self.charged(gateway, succeeding_method)
        with pytest.raises(UnsupportedPaymentOperationError):
            gateway.refund(charge.reference, self.part()[0], idempotency_key=self.key())
        refund = gateway.refund(charge.reference, charge.amount, idempotency_key=self.key())
        assert refund.amount == charge.amount

    def test_a_refund_above_what_was_paid_is_refused(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Refunding more than the capture is refused at once."""
        charge = self.charged(gateway, succeeding_method)
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(charge.reference, charge.amount * 2, idempotency_key=self.key())

    # -- expected outcomes and misuse ------------------------------------------------

    def test_a_declined_method_is_a_failed_movement_not_an_error(
        self, gateway: PaymentGateway, declining_method: str
    ) -> None:
        """A decline answers with a failed movement and a failure code, never raises."""
        calls: list[tuple[MovementKind, Callable[..., PaymentMovement]]] = [
            (MovementKind.AUTHORIZATION, gateway.authorize),
            (MovementKind.CAPTURE, gateway.charge),
        ]
        for kind, call in calls:
            request = self.request(declining_method)
            movement = call(request, idempotency_key=self.key())
            assert (movement.kind, movement.status) == (kind, MovementStatus.FAILED)
            assert (movement.amount, movement.order) == (request.amount, request.order)
            assert movement.failure_code

    def test_an_unknown_reference_is_refused(self, gateway: PaymentGateway) -> None:
        """Capturing, voiding or refunding a reference the gateway never made is refused."""
        unknown = f"contract_unknown_{secrets.token_hex(6)}"
        calls: list[Callable[[], object]] = [
            lambda: gateway.capture(unknown, self.money(), idempotency_key=self.key()),
            lambda: gateway.void(unknown, idempotency_key=self.key()),
            lambda: gateway.refund(unknown, self.money(), idempotency_key=self.key()),
        ]
        for call in calls:
            with pytest.raises(UnknownPaymentError):
                call()

    # -- idempotency -----------------------------------------------------------------

    def test_a_repeated_authorization_is_the_same_one(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """The same key and request give the first authorization back, not a second."""
        request, key = self.request(succeeding_method), self.key()
        first = gateway.authorize(request, idempotency_key=key)
        again = gateway.authorize(request, idempotency_key=key)
        assert (again.reference, again.kind, again.amount) == (
            first.reference,
            first.kind,
            first.amount,
        )

    def test_a_repeated_charge_takes_the_money_once(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A charge sent twice with one key is one charge: it refunds its amount once."""
        request, key = self.request(succeeding_method), self.key()
        first = gateway.charge(request, idempotency_key=key)
        again = gateway.charge(request, idempotency_key=key)
        assert (again.reference, again.amount) == (first.reference, first.amount)
        gateway.refund(first.reference, first.amount, idempotency_key=self.key())
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(first.reference, self.cent(), idempotency_key=self.key())
        ledger = self.ledger(self.reported(gateway, request.order))
        assert ledger.captured == request.amount
        assert ledger.received.is_zero

    def test_a_repeated_capture_takes_once(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A capture sent twice with one key is one capture, even if nothing is left."""
        auth = self.authorized(gateway, succeeding_method)
        partial = gateway.capabilities.partial_capture
        taken = self.part()[0] if partial else auth.amount
        key = self.key()
        first = gateway.capture(auth.reference, taken, idempotency_key=key)
        again = gateway.capture(auth.reference, taken, idempotency_key=key)
        assert (again.reference, again.amount) == (first.reference, first.amount)
        if partial:
            void = gateway.void(auth.reference, idempotency_key=self.key())
            assert void.amount == auth.amount - taken
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(first.reference, taken + self.cent(), idempotency_key=self.key())

    def test_a_repeated_refund_gives_back_once(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A refund sent twice with one key is one refund: what is left stays right."""
        charge = self.charged(gateway, succeeding_method)
        partial = gateway.capabilities.partial_refund
        given_back = self.part()[0] if partial else charge.amount
        key = self.key()
        first = gateway.refund(charge.reference, given_back, idempotency_key=key)
        again = gateway.refund(charge.reference, given_back, idempotency_key=key)
        assert (again.reference, again.amount) == (first.reference, first.amount)
        if partial:
            rest = charge.amount - given_back
            gateway.refund(charge.reference, rest, idempotency_key=self.key())
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(charge.reference, self.cent(), idempotency_key=self.key())

    def test_a_repeated_void_is_the_same_one(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A void sent twice with one key answers the first void again, not an error."""
        auth = self.authorized(gateway, succeeding_method)
        key = self.key()
        first = gateway.void(auth.reference, idempotency_key=key)
        again = gateway.void(auth.reference, idempotency_key=key)
        assert (again.reference, again.amount) == (first.reference, first.amount)

    def test_a_key_reused_with_other_parameters_is_refused(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """One key cannot stand for two calls: other parameters or operations are refused."""
        request, key = self.request(succeeding_method), self.key()
        charge = gateway.charge(request, idempotency_key=key)
        other_amount = self.request(succeeding_method, self.money() + self.cent())
        other_order = self.request(succeeding_method)
        calls: list[Callable[[], object]] = [
            lambda: gateway.charge(other_amount, idempotency_key=key),
            lambda: gateway.charge(other_order, idempotency_key=key),
            lambda: gateway.authorize(request, idempotency_key=key),
            lambda: gateway.refund(charge.reference, self.cent(), idempotency_key=key),
        ]
        for call in calls:
            with pytest.raises(PaymentKeyReusedError):
                call()
        auth = self.authorized(gateway, succeeding_method)
        capture_key = self.key()
        gateway.capture(auth.reference, auth.amount, idempotency_key=capture_key)
        with pytest.raises(PaymentKeyReusedError):
            gateway.capture(auth.reference, self.cent(), idempotency_key=capture_key)
        ledger = self.ledger(self.reported(gateway, request.order))
        assert ledger.captured == request.amount
        assert ledger.refunded.is_zero

    def test_a_call_is_found_by_its_key(
        self, gateway: PaymentGateway, succeeding_method: str, declining_method: str
    ) -> None:
        """Each call's movement is found by its key, a declined one too; no other key is."""
        keys = [self.key() for _ in range(5)]
        auth = gateway.authorize(self.request(succeeding_method), idempotency_key=keys[0])
        capture = gateway.capture(auth.reference, auth.amount, idempotency_key=keys[1])
        charge = gateway.charge(self.request(succeeding_method), idempotency_key=keys[2])
        refund = gateway.refund(charge.reference, charge.amount, idempotency_key=keys[3])
        declined = gateway.charge(self.request(declining_method), idempotency_key=keys[4])
        for key, made in zip(keys, (auth, capture, charge, refund, declined), strict=True):
            found = gateway.find(key)
            assert found is not None, key
            assert (found.reference, found.kind, found.amount) == (
                made.reference,
                made.kind,
                made.amount,
            )
        assert gateway.find(self.key()) is None

    def test_a_refused_call_is_not_found(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A call refused as misuse made nothing, so its key finds nothing."""
        charge = self.charged(gateway, succeeding_method)
        key = self.key()
        with pytest.raises(RefundExceedsPaidError):
            gateway.refund(charge.reference, charge.amount + self.cent(), idempotency_key=key)
        assert gateway.find(key) is None

    # -- webhooks ----------------------------------------------------------------------

    def paid_and_refunded(self, gateway: PaymentGateway, method: str) -> tuple[Identifier, Money]:
        """An order with an authorization, capture, charge and refund; what it kept paid."""
        request = self.request(method)
        auth = gateway.authorize(request, idempotency_key=self.key())
        taken = self.part()[0] if gateway.capabilities.partial_capture else auth.amount
        capture = gateway.capture(auth.reference, taken, idempotency_key=self.key())
        if taken != auth.amount:
            gateway.void(auth.reference, idempotency_key=self.key())
        second = PaymentRequest(order=request.order, amount=request.amount, method=method)
        charge = gateway.charge(second, idempotency_key=self.key())
        given_back = self.part()[0] if gateway.capabilities.partial_refund else charge.amount
        gateway.refund(charge.reference, given_back, idempotency_key=self.key())
        return request.order, capture.amount + charge.amount - given_back

    def test_webhooks_report_the_movements_to_the_ledger(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Parsed webhooks are the movements the calls answered; the ledger adds them up."""
        request = self.request(succeeding_method)
        charge = gateway.charge(request, idempotency_key=self.key())
        refund = gateway.refund(charge.reference, charge.amount, idempotency_key=self.key())
        reported = self.reported(gateway, request.order)
        for answered in (charge, refund):
            reports = [m for m in reported if m.reference == answered.reference]
            assert reports, f"no webhook reported {answered.reference}"
            for report in reports:
                assert (report.kind, report.amount, report.order, report.parent) == (
                    answered.kind,
                    answered.amount,
                    answered.order,
                    answered.parent,
                )
        ledger = self.ledger(reported)
        assert (ledger.captured, ledger.refunded) == (charge.amount, refund.amount)
        assert ledger.received.is_zero

    def test_a_webhook_taken_twice_is_a_duplicate(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Every webhook recorded a second time changes nothing: it is a duplicate."""
        order, kept = self.paid_and_refunded(gateway, succeeding_method)
        ledger = PaymentLedger(self.currency)
        for movement in self.reported(gateway, order):
            ledger, first = ledger.record(movement)
            again, second = ledger.record(movement)
            assert again == ledger
            # A report older than one already taken is stale, however often it comes.
            assert second is (Recorded.STALE if first is Recorded.STALE else Recorded.DUPLICATE)
        assert ledger.received == kept

    def test_webhooks_in_any_order_give_the_same_ledger(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """Delivered in order, reversed or shuffled, the webhooks add up the same."""
        order, kept = self.paid_and_refunded(gateway, succeeding_method)
        reported = self.reported(gateway, order)
        orders = [reported, reported[::-1]]
        for seed in range(5):
            shuffled = list(reported)
            random.Random(seed).shuffle(shuffled)  # noqa: S311 - a reproducible shuffle
            orders.append(shuffled)
        expected = self.ledger(reported)
        assert expected.received == kept
        for movements in orders:
            ledger = self.ledger(movements)
            assert (ledger.captured, ledger.refunded, ledger.received) == (
                expected.captured,
                expected.refunded,
                expected.received,
            )
            assert {(m.reference, m.status) for m in ledger.movements} == {
                (m.reference, m.status) for m in expected.movements
            }

    def test_a_tampered_webhook_is_refused(
        self, gateway: PaymentGateway, succeeding_method: str
    ) -> None:
        """A body changed after signing, or a missing signature, is refused."""
        self.charged(gateway, succeeding_method)
        delivered = list(self.deliver_webhooks(gateway))
        assert delivered, "the charge sent no webhook"
        body, headers = delivered[0]
        gateway.parse_webhook(body, headers)
        forged = [
            (body + b" ", headers),
            (body.replace(b"0", b"9", 1), headers),
            (body, {}),
        ]
        for forged_body, forged_headers in forged:
            with pytest.raises(WebhookSignatureError):
                gateway.parse_webhook(forged_body, forged_headers)
