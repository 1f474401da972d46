"""The sandbox gateway: test cards, 3-D Secure, settlement, chargebacks, webhooks, failures."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.adapters.payments import (
    DECLINED_CARD,
    INSUFFICIENT_FUNDS_CARD,
    PENDING_CARD,
    SUCCEEDING_CARD,
    TEST_CARDS,
    THREE_D_SECURE_CARD,
    SandboxGateway,
    Webhook,
)
from staycore.adapters.payments.webhooks import event_body, signature
from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.money import Money
from staycore.orders.errors import PaymentError
from staycore.orders.ids import OrderId
from staycore.orders.payments import (
    AuthorizationLapsedError,
    CaptureExceedsAuthorizedError,
    GatewayCapabilities,
    GatewayTimeoutError,
    InvalidPaymentError,
    InvalidWebhookError,
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
from staycore.testing.clock import FrozenClock

START = "2026-06-01T10:00:00Z"
SIGNING_KEY = "whsec_unit"


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def sandbox(clock: FrozenClock | None = None, **options: Any) -> SandboxGateway:
    return SandboxGateway(clock or FrozenClock(START), secret=SIGNING_KEY, **options)


def pay(
    method: str = SUCCEEDING_CARD, amount: str = "100.00", order: OrderId | None = None
) -> PaymentRequest:
    return PaymentRequest(order=order or OrderId.new(), amount=eur(amount), method=method)


class Keys:
    """Fresh idempotency keys: k1, k2..."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"k{self.count}"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def gateway(clock: FrozenClock) -> SandboxGateway:
    return sandbox(clock)


@pytest.fixture
def key() -> Keys:
    return Keys()


def parsed(gateway: SandboxGateway, webhooks: Iterable[Webhook]) -> list[PaymentMovement]:
    return [m for hook in webhooks for m in gateway.parse_webhook(hook.body, hook.headers)]


def ledger_of(movements: Iterable[PaymentMovement], currency: str = "EUR") -> PaymentLedger:
    ledger = PaymentLedger(currency)
    for movement in movements:
        ledger, _ = ledger.record(movement)
    return ledger


# -- the port and the test cards -----------------------------------------------------


def test_it_is_a_payment_gateway(gateway: SandboxGateway) -> None:
    assert isinstance(gateway, PaymentGateway)
    assert gateway.capabilities == GatewayCapabilities()
    assert "SandboxGateway(movements=0" in repr(gateway)


@pytest.mark.parametrize(
    ("method", "status", "failure_code"),
    [
        ("4242 4242 4242 4242", MovementStatus.SUCCEEDED, None),
        ("4242424242424242", MovementStatus.SUCCEEDED, None),
        ("4000 0000 0000 0002", MovementStatus.FAILED, "card_declined"),
        ("4000-0000-0000-9995", MovementStatus.FAILED, "insufficient_funds"),
        ("4000 0027 6000 3184", MovementStatus.REQUIRES_ACTION, None),
        ("4000000000000077", MovementStatus.PENDING, None),
        ("4111 1111 1111 1111", MovementStatus.FAILED, "unknown_test_card"),
        ("pm_card_visa", MovementStatus.FAILED, "unknown_test_card"),
    ],
)
@pytest.mark.parametrize("operation", ["authorize", "charge"])
def test_each_test_card_gives_its_outcome(
    gateway: SandboxGateway,
    operation: str,
    method: str,
    status: MovementStatus,
    failure_code: str | None,
) -> None:
    request = pay(method)
    call = gateway.authorize if operation == "authorize" else gateway.charge
    movement = call(request, idempotency_key="k1")
    label, kind = (
        ("auth", MovementKind.AUTHORIZATION)
        if operation == "authorize"
        else ("ch", MovementKind.CAPTURE)
    )
    assert movement.reference == f"sbx_{label}_0001"
    assert (movement.kind, movement.status, movement.failure_code) == (kind, status, failure_code)
    assert (movement.amount, movement.order, movement.parent) == (
        request.amount,
        request.order,
        None,
    )
    assert movement.occurred_at.isoformat() == "2026-06-01T10:00:00+00:00"
    if status is MovementStatus.REQUIRES_ACTION:
        assert movement.action_url == f"https://sandbox.staycore.invalid/3ds/{movement.reference}"
    else:
        assert movement.action_url is None
    assert gateway.movement(movement.reference) == movement
    [webhook] = gateway.webhooks()
    assert parsed(gateway, [webhook]) == [movement]


def test_the_test_cards_are_published() -> None:
    assert set(TEST_CARDS) == {
        SUCCEEDING_CARD,
        DECLINED_CARD,
        INSUFFICIENT_FUNDS_CARD,
        THREE_D_SECURE_CARD,
        PENDING_CARD,
    }
    assert all(number.isdigit() and len(number) == 16 for number in TEST_CARDS)


def test_the_same_calls_give_the_same_references_and_webhooks() -> None:
    def run() -> tuple[list[str], list[bytes]]:
        gateway = sandbox()
        order = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        auth = gateway.authorize(pay(order=order), idempotency_key="a")
        capture = gateway.capture(auth.reference, eur("60.00"), idempotency_key="b")
        void = gateway.void(auth.reference, idempotency_key="c")
        refund = gateway.refund(capture.reference, eur("10.00"), idempotency_key="d")
        charge = gateway.charge(pay(order=order), idempotency_key="e")
        chargeback = gateway.chargeback(charge.reference)
        references = [m.reference for m in (auth, capture, void, refund, charge, chargeback)]
        return references, [hook.body for hook in gateway.webhooks()]

    references, bodies = run()
    assert references == [
        "sbx_auth_0001",
        "sbx_cap_0002",
        "sbx_void_0003",
        "sbx_re_0004",
        "sbx_ch_0005",
        "sbx_cb_0006",
    ]
    assert (references, bodies) == run()


def test_the_reference_prefix_is_configurable() -> None:
    gateway = sandbox(reference_prefix="acme")
    assert gateway.charge(pay(), idempotency_key="k").reference == "acme_ch_0001"
    event = json.loads(gateway.webhooks()[0].body)
    assert event["id"] == "acme_evt_0001"


def test_a_sandbox_without_a_secret_is_refused() -> None:
    with pytest.raises(WebhookSignatureError, match="secret"):
        SandboxGateway(FrozenClock(START), secret="")


# -- 3-D Secure and late settlement ------------------------------------------------


def test_a_passed_challenge_makes_the_authorization_capturable(
    gateway: SandboxGateway, key: Keys
) -> None:
    auth = gateway.authorize(pay(THREE_D_SECURE_CARD), idempotency_key=key())
    with pytest.raises(UnknownPaymentError, match="requires_action"):
        gateway.capture(auth.reference, auth.amount, idempotency_key=key())
    gateway.webhooks()
    done = gateway.complete_action(auth.reference)
    assert (done.reference, done.status, done.action_url) == (
        auth.reference,
        MovementStatus.SUCCEEDED,
        None,
    )
    assert parsed(gateway, gateway.webhooks()) == [done]
    capture = gateway.capture(auth.reference, auth.amount, idempotency_key=key())
    assert capture.status is MovementStatus.SUCCEEDED


def test_a_failed_challenge_fails_the_charge(gateway: SandboxGateway, key: Keys) -> None:
    charge = gateway.charge(pay(THREE_D_SECURE_CARD), idempotency_key=key())
    failed = gateway.complete_action(charge.reference, succeed=False)
    assert (failed.status, failed.failure_code) == (MovementStatus.FAILED, "authentication_failed")
    with pytest.raises(UnknownPaymentError, match="failed"):
        gateway.refund(charge.reference, eur("1.00"), idempotency_key=key())
    ledger = ledger_of(parsed(gateway, gateway.webhooks()))
    assert ledger.find(charge.reference) == failed
    assert ledger.received.is_zero


def test_only_a_movement_awaiting_an_action_completes_one(
    gateway: SandboxGateway, key: Keys
) -> None:
    charge = gateway.charge(pay(), idempotency_key=key())
    with pytest.raises(UnsupportedPaymentOperationError, match="succeeded"):
        gateway.complete_action(charge.reference)
    with pytest.raises(UnknownPaymentError):
        gateway.complete_action("sbx_ch_9999")


def test_a_retried_call_answers_as_it_first_did(gateway: SandboxGateway) -> None:
    """The first answer is replayed; the later outcome is read from the webhook."""
    request = pay(THREE_D_SECURE_CARD)
    first = gateway.authorize(request, idempotency_key="k")
    done = gateway.complete_action(first.reference)
    assert gateway.authorize(request, idempotency_key="k") == first
    assert gateway.movement(first.reference) == done
    assert len(gateway.movements()) == 1


def test_settle_pending_settles_everything_by_default(gateway: SandboxGateway, key: Keys) -> None:
    auth = gateway.authorize(pay(PENDING_CARD), idempotency_key=key())
    charge = gateway.charge(pay(PENDING_CARD), idempotency_key=key())
    with pytest.raises(UnknownPaymentError, match="pending"):
        gateway.refund(charge.reference, charge.amount, idempotency_key=key())
    gateway.webhooks()
    settled = gateway.settle_pending()
    assert [(m.reference, m.status) for m in settled] == [
        (auth.reference, MovementStatus.SUCCEEDED),
        (charge.reference, MovementStatus.SUCCEEDED),
    ]
    assert parsed(gateway, gateway.webhooks()) == list(settled)
    assert gateway.settle_pending() == ()
    refund = gateway.refund(charge.reference, charge.amount, idempotency_key=key())
    assert refund.status is MovementStatus.SUCCEEDED
    gateway.capture(auth.reference, auth.amount, idempotency_key=key())


def test_pending_movements_settle_by_the_clock(clock: FrozenClock) -> None:
    gateway = sandbox(clock, settle_after=dt.timedelta(minutes=30))
    early = gateway.charge(pay(PENDING_CARD), idempotency_key="a")
    clock.advance(minutes=20)
    late = gateway.charge(pay(PENDING_CARD), idempotency_key="b")
    assert gateway.settle_pending(due_only=True) == ()
    clock.advance(minutes=10)
    [settled] = gateway.settle_pending(due_only=True)
    assert (settled.reference, settled.occurred_at) == (early.reference, clock.now())
    assert gateway.movement(late.reference).status is MovementStatus.PENDING
    clock.advance(minutes=20)
    assert [m.reference for m in gateway.settle_pending(due_only=True)] == [late.reference]


# -- the rules of capture, void and refund -------------------------------------------


def test_an_authorization_lapses_after_the_days_it_holds(clock: FrozenClock) -> None:
    gateway = sandbox(clock, capabilities=GatewayCapabilities(max_authorization_days=3))
    kept = gateway.authorize(pay(), idempotency_key="a")
    lapsed = gateway.authorize(pay(), idempotency_key="b")
    clock.advance(days=3, seconds=-1)
    gateway.capture(kept.reference, kept.amount, idempotency_key="c")
    clock.advance(seconds=1)
    with pytest.raises(AuthorizationLapsedError, match="3 days"):
        gateway.capture(lapsed.reference, lapsed.amount, idempotency_key="d")
    with pytest.raises(AuthorizationLapsedError):
        gateway.void(lapsed.reference, idempotency_key="e")


def test_the_kind_of_a_reference_matters(gateway: SandboxGateway, key: Keys) -> None:
    auth = gateway.authorize(pay(), idempotency_key=key())
    charge = gateway.charge(pay(), idempotency_key=key())
    with pytest.raises(UnknownPaymentError, match="is the authorization movement"):
        gateway.refund(auth.reference, eur("1.00"), idempotency_key=key())
    with pytest.raises(UnknownPaymentError, match="is the capture movement"):
        gateway.capture(charge.reference, eur("1.00"), idempotency_key=key())
    with pytest.raises(UnknownPaymentError):
        gateway.void(charge.reference, idempotency_key=key())
    with pytest.raises(UnknownPaymentError):
        gateway.movement("nope")


def test_a_declined_authorization_cannot_be_captured(gateway: SandboxGateway) -> None:
    auth = gateway.authorize(pay(INSUFFICIENT_FUNDS_CARD), idempotency_key="a")
    with pytest.raises(UnknownPaymentError, match="insufficient_funds"):
        gateway.capture(auth.reference, auth.amount, idempotency_key="b")


def test_refusals_come_in_a_fixed_order(gateway: SandboxGateway, key: Keys) -> None:
    """Lapsed before a second capture, a second capture before the amount."""
    auth = gateway.authorize(pay(), idempotency_key=key())
    gateway.capture(auth.reference, eur("40.00"), idempotency_key=key())
    with pytest.raises(UnsupportedPaymentOperationError, match="second capture"):
        gateway.capture(auth.reference, eur("500.00"), idempotency_key=key())
    void = gateway.void(auth.reference, idempotency_key=key())
    assert void.amount == eur("60.00")
    with pytest.raises(AuthorizationLapsedError, match="voided"):
        gateway.capture(auth.reference, eur("500.00"), idempotency_key=key())


def test_whole_captures_only(clock: FrozenClock, key: Keys) -> None:
    gateway = sandbox(clock, capabilities=GatewayCapabilities(partial_capture=False))
    auth = gateway.authorize(pay(), idempotency_key=key())
    with pytest.raises(CaptureExceedsAuthorizedError):
        gateway.capture(auth.reference, eur("100.01"), idempotency_key=key())
    with pytest.raises(UnsupportedPaymentOperationError, match="partial_capture"):
        gateway.capture(auth.reference, eur("99.99"), idempotency_key=key())


def test_amounts_in_another_currency_or_not_positive_are_refused(
    gateway: SandboxGateway, key: Keys
) -> None:
    auth = gateway.authorize(pay(), idempotency_key=key())
    with pytest.raises(CurrencyMismatchError):
        gateway.capture(auth.reference, Money.of("10.00", "USD"), idempotency_key=key())
    for bad in (eur("0.00"), eur("-1.00"), eur("1.005")):
        with pytest.raises(InvalidPaymentError):
            gateway.capture(auth.reference, bad, idempotency_key=key())
    with pytest.raises(InvalidPaymentError, match="idempotency key"):
        gateway.capture(auth.reference, eur("1.00"), idempotency_key="")


def test_a_refused_call_keeps_no_answer_under_its_key(gateway: SandboxGateway) -> None:
    auth = gateway.authorize(pay(), idempotency_key="a")
    with pytest.raises(CaptureExceedsAuthorizedError):
        gateway.capture(auth.reference, eur("150.00"), idempotency_key="b")
    assert gateway.capture(auth.reference, eur("100.00"), idempotency_key="b").succeeded


def test_a_key_says_what_it_was_used_for(gateway: SandboxGateway) -> None:
    charge = gateway.charge(pay(), idempotency_key="a")
    with pytest.raises(PaymentKeyReusedError, match="was used for charge") as refused:
        gateway.refund(charge.reference, eur("1.00"), idempotency_key="a")
    assert refused.value.code == "payments.key_reused"


# -- chargebacks -----------------------------------------------------------------------


def test_a_chargeback_leaves_only_the_rest_to_refund(gateway: SandboxGateway, key: Keys) -> None:
    charge = gateway.charge(pay(), idempotency_key=key())
    gateway.webhooks()
    chargeback = gateway.chargeback(charge.reference, eur("30.00"))
    assert (chargeback.kind, chargeback.status, chargeback.parent) == (
        MovementKind.CHARGEBACK,
        MovementStatus.SUCCEEDED,
        charge.reference,
    )
    assert parsed(gateway, gateway.webhooks()) == [chargeback]
    with pytest.raises(RefundExceedsPaidError) as refused:
        gateway.refund(charge.reference, eur("70.01"), idempotency_key=key())
    assert (refused.value.requested, refused.value.refundable) == (eur("70.01"), eur("70.00"))
    gateway.refund(charge.reference, eur("20.00"), idempotency_key=key())
    rest = gateway.chargeback(charge.reference)
    assert rest.amount == eur("50.00")
    with pytest.raises(RefundExceedsPaidError):
        gateway.chargeback(charge.reference)
    with pytest.raises(RefundExceedsPaidError):
        gateway.refund(charge.reference, eur("0.01"), idempotency_key=key())
    # The ledger counts what is given back once it knows the capture it came from.
    ledger = ledger_of([charge, *parsed(gateway, gateway.webhooks())])
    assert (ledger.refunded, ledger.charged_back) == (eur("20.00"), eur("50.00"))


def test_a_chargeback_needs_a_settled_capture(gateway: SandboxGateway, key: Keys) -> None:
    charge = gateway.charge(pay(PENDING_CARD), idempotency_key=key())
    with pytest.raises(UnknownPaymentError):
        gateway.chargeback(charge.reference)
    gateway.settle_pending()
    with pytest.raises(RefundExceedsPaidError):
        gateway.chargeback(charge.reference, eur("100.01"))


# -- webhooks ------------------------------------------------------------------------


def test_a_webhook_is_a_signed_json_event(gateway: SandboxGateway, clock: FrozenClock) -> None:
    order = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    clock.advance(minutes=1)
    gateway.charge(pay(order=order, amount="120.00"), idempotency_key="k")
    [webhook] = gateway.webhooks()
    assert json.loads(webhook.body) == {
        "id": "sbx_evt_0001",
        "object": "event",
        "type": "payment.movement",
        "movement": {
            "reference": "sbx_ch_0001",
            "kind": "capture",
            "status": "succeeded",
            "amount": {"amount": "120.00", "currency": "EUR"},
            "order": order,
            "parent": None,
            "occurred_at": "2026-06-01T10:01:00+00:00",
            "failure_code": None,
            "action_url": None,
        },
    }
    t = int(clock.now().timestamp())
    assert webhook.headers == {
        "Content-Type": "application/json",
        "Sandbox-Signature": signature(webhook.body, secret=SIGNING_KEY, timestamp=t),
    }
    assert webhook.headers["Sandbox-Signature"].startswith(f"t={t},v1=")
    assert gateway.webhooks() == []


def test_headers_are_read_without_regard_to_case(gateway: SandboxGateway) -> None:
    charge = gateway.charge(pay(), idempotency_key="k")
    [webhook] = gateway.webhooks()
    lowered = {name.lower(): value for name, value in webhook.headers.items()}
    assert gateway.parse_webhook(webhook.body, lowered) == (charge,)


def test_a_signature_expires_after_the_tolerance(clock: FrozenClock) -> None:
    gateway = sandbox(clock)
    gateway.charge(pay(), idempotency_key="k")
    [webhook] = gateway.webhooks()
    clock.advance(minutes=5)
    assert gateway.parse_webhook(webhook.body, webhook.headers)
    clock.advance(seconds=1)
    with pytest.raises(WebhookSignatureError, match="too old"):
        gateway.parse_webhook(webhook.body, webhook.headers)
    relaxed = sandbox(clock, webhook_tolerance=dt.timedelta(hours=1))
    assert relaxed.parse_webhook(webhook.body, webhook.headers)


def test_an_old_signature_is_refused(gateway: SandboxGateway, clock: FrozenClock) -> None:
    body = event_body("sbx_evt_0001", gateway.charge(pay(), idempotency_key="k"))
    old = gateway.sign(body, at=clock.now() - dt.timedelta(minutes=6))
    with pytest.raises(WebhookSignatureError, match="too old"):
        gateway.parse_webhook(body, old)
    assert gateway.parse_webhook(body, gateway.sign(body))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "v1=00ff",
        "t=1780308000",
        "t=soon,v1=00ff",
        "t=1780308000,t=1780308001,v1=00ff",
        "t=1780308000,v1=00ff",
    ],
)
def test_a_garbled_or_wrong_signature_is_refused(gateway: SandboxGateway, header: str) -> None:
    body = b'{"type": "payment.movement"}'
    with pytest.raises(WebhookSignatureError):
        gateway.parse_webhook(body, {"Sandbox-Signature": header})


def test_a_webhook_signed_with_another_secret_is_refused(gateway: SandboxGateway) -> None:
    other = SandboxGateway(FrozenClock(START), secret=SIGNING_KEY + "_other")
    other.charge(pay(), idempotency_key="k")
    [webhook] = other.webhooks()
    with pytest.raises(WebhookSignatureError, match="secret"):
        gateway.parse_webhook(webhook.body, webhook.headers)


def test_any_matching_signature_of_several_is_enough(gateway: SandboxGateway) -> None:
    """While a secret is rotated, the provider signs with both."""
    charge = gateway.charge(pay(), idempotency_key="k")
    [webhook] = gateway.webhooks()
    t, v1 = webhook.headers["Sandbox-Signature"].split(",")
    rotated = {"Sandbox-Signature": f"{t},v1={'0' * 64}, {v1}"}
    assert gateway.parse_webhook(webhook.body, rotated) == (charge,)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"type": "customer.created"}',
        b'{"type": "payment.movement"}',
        b'{"type": "payment.movement", "movement": []}',
        b'{"type": "payment.movement", "movement": {"reference": "x"}}',
    ],
)
def test_a_signed_body_that_is_no_sandbox_event_is_invalid(
    gateway: SandboxGateway, body: bytes
) -> None:
    with pytest.raises(InvalidWebhookError):
        gateway.parse_webhook(body, gateway.sign(body))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "gift"),
        ("status", "maybe"),
        ("amount", {"amount": 1.5, "currency": "EUR"}),
        ("amount", {"amount": "0.00", "currency": "EUR"}),
        ("amount", {"amount": "1.00", "currency": "XYZ"}),
        ("order", "not an id"),
        ("order", 42),
        ("reference", ""),
        ("parent", 7),
        ("occurred_at", "yesterday"),
    ],
)
def test_a_corrupted_movement_is_invalid(
    gateway: SandboxGateway, field: str, value: object
) -> None:
    body = event_body("sbx_evt_0001", gateway.charge(pay(), idempotency_key="k"))
    event = json.loads(body)
    event["movement"][field] = value
    corrupted = json.dumps(event).encode()
    with pytest.raises(InvalidWebhookError):
        gateway.parse_webhook(corrupted, gateway.sign(corrupted))


def busy_order(gateway: SandboxGateway, order: OrderId) -> None:
    """Every kind of movement and every late outcome, on one order."""
    keys = Keys()
    auth = gateway.authorize(pay(THREE_D_SECURE_CARD, "300.00", order), idempotency_key=keys())
    gateway.complete_action(auth.reference)
    capture = gateway.capture(auth.reference, eur("200.00"), idempotency_key=keys())
    gateway.void(auth.reference, idempotency_key=keys())
    gateway.refund(capture.reference, eur("50.00"), idempotency_key=keys())
    pending = gateway.charge(pay(PENDING_CARD, "80.00", order), idempotency_key=keys())
    gateway.charge(pay(DECLINED_CARD, "80.00", order), idempotency_key=keys())
    failed = gateway.charge(pay(THREE_D_SECURE_CARD, "20.00", order), idempotency_key=keys())
    gateway.complete_action(failed.reference, succeed=False)
    gateway.settle_pending()
    gateway.chargeback(pending.reference, eur("30.00"))


def test_duplicated_and_shuffled_webhooks_give_the_same_ledger() -> None:
    order = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    plain = sandbox()
    busy_order(plain, order)
    expected = ledger_of(parsed(plain, plain.webhooks()))
    assert (expected.captured, expected.refunded, expected.charged_back) == (
        eur("280.00"),
        eur("50.00"),
        eur("30.00"),
    )
    assert expected.received == eur("200.00")
    assert expected.pending() == ()
    for seed in range(10):
        noisy = sandbox(duplicate_webhooks=True, reorder_webhooks=True, seed=seed)
        busy_order(noisy, order)
        webhooks = noisy.webhooks()
        assert len(webhooks) == 2 * 11
        movements = parsed(noisy, webhooks)
        ledger = PaymentLedger("EUR")
        outcomes = []
        for movement in movements:
            ledger, outcome = ledger.record(movement)
            outcomes.append(outcome)
        assert Recorded.DUPLICATE in outcomes
        assert ledger.received == expected.received
        assert sorted((m.reference, m.status.value) for m in ledger.movements) == sorted(
            (m.reference, m.status.value) for m in expected.movements
        )


def test_the_shuffle_is_seeded() -> None:
    def bodies(seed: int) -> list[bytes]:
        gateway = sandbox(reorder_webhooks=True, seed=seed)
        busy_order(gateway, OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"))
        return [hook.body for hook in gateway.webhooks()]

    assert bodies(3) == bodies(3)
    assert bodies(3) != bodies(4)


def test_webhook_delivery_may_be_changed_on_the_fly(gateway: SandboxGateway) -> None:
    gateway.charge(pay(), idempotency_key="a")
    gateway.duplicate_webhooks = True
    assert len(gateway.webhooks()) == 2
    gateway.duplicate_webhooks = False
    gateway.charge(pay(), idempotency_key="b")
    assert len(gateway.webhooks()) == 1


# -- failure injection ---------------------------------------------------------------


def test_fail_next_times_out_before_doing_anything(gateway: SandboxGateway) -> None:
    request = pay()
    gateway.fail_next("charge", times=2)
    for _ in range(2):
        with pytest.raises(GatewayTimeoutError, match="nothing was done"):
            gateway.charge(request, idempotency_key="k")
    assert gateway.movements() == ()
    assert gateway.webhooks() == []
    charge = gateway.charge(request, idempotency_key="k")
    assert charge.reference == "sbx_ch_0001"


@pytest.mark.parametrize("lose", [False, True])
def test_a_call_cut_off_is_found_by_its_key_only_if_it_moved_money(
    gateway: SandboxGateway, lose: bool
) -> None:
    charge = gateway.charge(pay(), idempotency_key="a")
    if lose:
        gateway.lose_next_response("refund")
    else:
        gateway.fail_next("refund")
    with pytest.raises(GatewayTimeoutError):
        gateway.refund(charge.reference, eur("10.00"), idempotency_key="b")
    found = gateway.find("b")
    if lose:
        assert found is not None
        assert (found.kind, found.amount, found.parent) == (
            MovementKind.REFUND,
            eur("10.00"),
            charge.reference,
        )
    else:
        assert found is None


def test_a_found_movement_has_its_latest_status(gateway: SandboxGateway) -> None:
    pending = gateway.charge(pay(method=PENDING_CARD), idempotency_key="a")
    assert pending.status is MovementStatus.PENDING
    gateway.settle_pending()
    found = gateway.find("a")
    assert found is not None
    assert (found.reference, found.status) == (pending.reference, MovementStatus.SUCCEEDED)


def test_fail_next_breaks_only_its_operation(gateway: SandboxGateway) -> None:
    gateway.fail_next("refund")
    charge = gateway.charge(pay(), idempotency_key="a")
    with pytest.raises(GatewayTimeoutError):
        gateway.refund(charge.reference, eur("10.00"), idempotency_key="b")
    assert gateway.refund(charge.reference, eur("10.00"), idempotency_key="b").succeeded


def test_a_lost_capture_answer_is_recovered_by_a_retry(gateway: SandboxGateway) -> None:
    auth = gateway.authorize(pay(amount="300.00"), idempotency_key="hold")
    gateway.lose_next_response("capture")
    with pytest.raises(GatewayTimeoutError, match="lost"):
        gateway.capture(auth.reference, eur("200.00"), idempotency_key="capture-1")
    # The money moved anyway: the webhook says so.
    [_, lost] = parsed(gateway, gateway.webhooks())
    assert (lost.kind, lost.amount) == (MovementKind.CAPTURE, eur("200.00"))
    retry = gateway.capture(auth.reference, eur("200.00"), idempotency_key="capture-1")
    assert retry == lost
    ledger = ledger_of(gateway.movements())
    assert ledger.captured == eur("200.00")
    assert ledger.authorized == eur("100.00")
    assert gateway.webhooks() == []


def test_a_lost_answer_is_the_next_one_given(gateway: SandboxGateway) -> None:
    """A refused call raises its own error; the next answer is the one lost."""
    auth = gateway.authorize(pay(), idempotency_key="a")
    gateway.lose_next_response("capture")
    with pytest.raises(CaptureExceedsAuthorizedError):
        gateway.capture(auth.reference, eur("100.01"), idempotency_key="b")
    with pytest.raises(GatewayTimeoutError):
        gateway.capture(auth.reference, eur("100.00"), idempotency_key="c")
    assert gateway.capture(auth.reference, eur("100.00"), idempotency_key="c").succeeded


def test_a_lost_void_and_refund_are_recovered_too(gateway: SandboxGateway) -> None:
    auth = gateway.authorize(pay(), idempotency_key="a")
    charge = gateway.charge(pay(), idempotency_key="b")
    gateway.lose_next_response("void")
    gateway.lose_next_response("refund")
    with pytest.raises(GatewayTimeoutError):
        gateway.void(auth.reference, idempotency_key="c")
    with pytest.raises(GatewayTimeoutError):
        gateway.refund(charge.reference, eur("100.00"), idempotency_key="d")
    assert gateway.void(auth.reference, idempotency_key="c").amount == eur("100.00")
    assert gateway.refund(charge.reference, eur("100.00"), idempotency_key="d").succeeded
    assert len(gateway.movements()) == 4


def test_only_operations_of_the_port_can_be_broken(gateway: SandboxGateway) -> None:
    with pytest.raises(UnsupportedPaymentOperationError, match="authorize, capture"):
        gateway.fail_next("chargeback")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedPaymentOperationError):
        gateway.lose_next_response("parse_webhook")  # type: ignore[arg-type]


# -- threads -------------------------------------------------------------------------


def race(calls: list[Callable[[], object]]) -> list[object]:
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        start.wait(timeout=10)
        try:
            return call()
        except PaymentError as error:
            return type(error)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_racing_retries_of_one_charge_charge_once(gateway: SandboxGateway) -> None:
    request = pay()
    outcomes = race([lambda: gateway.charge(request, idempotency_key="k")] * 8)
    assert len({m.reference for m in outcomes if isinstance(m, PaymentMovement)}) == 1
    assert len(gateway.movements()) == 1


def test_racing_refunds_give_back_at_most_what_was_paid(gateway: SandboxGateway) -> None:
    charge = gateway.charge(pay(), idempotency_key="charge")

    def refund(key: str) -> Callable[[], object]:
        return lambda: gateway.refund(charge.reference, eur("30.00"), idempotency_key=key)

    calls = [refund(f"r{i}") for i in range(8)]
    outcomes = race(calls)
    assert sum(isinstance(o, PaymentMovement) for o in outcomes) == 3
    assert outcomes.count(RefundExceedsPaidError) == 5


# -- the invariant of money, under any sequence of calls --------------------------------

Step = tuple[str, int, int]


@given(
    capabilities=st.tuples(st.booleans(), st.booleans(), st.booleans()).map(
        lambda flags: GatewayCapabilities(
            partial_capture=flags[0] or flags[1],  # several captures need partial ones
            multiple_captures=flags[1],
            partial_refund=flags[2],
        )
    ),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["authorize", "charge", "capture", "refund", "chargeback"]),
            st.integers(0, 9),
            st.integers(0, 12_000),
        ),
        max_size=40,
    ),
)
def test_money_never_goes_back_beyond_what_was_taken(
    capabilities: GatewayCapabilities, steps: list[Step]
) -> None:
    """Whatever is called, no capture gives back more than it took, nor takes more than held.

    A chargeback with amount 0 means "all that is left".
    """
    gateway = sandbox(capabilities=capabilities)
    order = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    auths: list[PaymentMovement] = []
    captures: list[PaymentMovement] = []
    expected_errors = (
        AuthorizationLapsedError,
        CaptureExceedsAuthorizedError,
        RefundExceedsPaidError,
        UnsupportedPaymentOperationError,
    )
    for number, (operation, index, cents) in enumerate(steps):
        amount = Money.from_minor(max(cents, 1), "EUR")
        key = f"step-{number}"
        try:
            if operation in ("authorize", "charge"):
                request = PaymentRequest(order=order, amount=amount, method=SUCCEEDING_CARD)
                if operation == "authorize":
                    auths.append(gateway.authorize(request, idempotency_key=key))
                else:
                    captures.append(gateway.charge(request, idempotency_key=key))
            elif operation == "capture" and auths:
                auth = auths[index % len(auths)]
                captures.append(gateway.capture(auth.reference, amount, idempotency_key=key))
            elif operation == "refund" and captures:
                capture = captures[index % len(captures)]
                gateway.refund(capture.reference, amount, idempotency_key=key)
            elif operation == "chargeback" and captures:
                capture = captures[index % len(captures)]
                gateway.chargeback(capture.reference, None if cents == 0 else amount)
        except expected_errors:
            pass
        ledger = ledger_of(gateway.movements())
        for refundable in ledger.refundable():
            assert not refundable.refundable.is_negative, refundable
        for auth in auths:
            taken = Money.total(
                (
                    m.amount
                    for m in ledger.movements
                    if m.parent == auth.reference and m.kind is MovementKind.CAPTURE
                ),
                "EUR",
            )
            assert taken <= auth.amount
        assert ledger.refunded + ledger.charged_back <= ledger.captured
    webhooks = ledger_of(parsed(gateway, gateway.webhooks()))
    assert webhooks.received == ledger_of(gateway.movements()).received


def test_capabilities_that_contradict_each_other_are_refused() -> None:
    with pytest.raises(InvalidPaymentError, match="multiple_captures needs partial_capture"):
        GatewayCapabilities(partial_capture=False, multiple_captures=True)
    with pytest.raises(InvalidPaymentError, match="max_authorization_days"):
        GatewayCapabilities(max_authorization_days=0)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (None, {"Sandbox-Signature": "t=1,v1=00"}),
        ("{}", {"Sandbox-Signature": "t=1,v1=00"}),
        (b"{}", None),
        (b"{}", [("Sandbox-Signature", "t=1,v1=00")]),
        (b"{}", {"Sandbox-Signature": True}),
        (b"{}", {"Sandbox-Signature": b"t=1,v1=00"}),
        (b"{}", {None: "x", "Sandbox-Signature": "t=1,v1=\u00e9\u00e9"}),
    ],
)
def test_a_webhook_of_the_wrong_types_or_characters_is_refused(body: Any, headers: Any) -> None:
    # Found by the fuzz suite: these escaped as TypeError or AttributeError, and a
    # signature with non-ASCII characters made hmac.compare_digest raise TypeError.
    gateway = sandbox()
    with pytest.raises(WebhookSignatureError):
        gateway.parse_webhook(body, headers)
