"""The sandbox gateway keeps the payment gateway contract, whatever it offers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from staycore.adapters.payments import DECLINED_CARD, SUCCEEDING_CARD, SandboxGateway
from staycore.orders.payments import GatewayCapabilities
from staycore.ports.payments import PaymentGateway
from staycore.testing.clock import FrozenClock
from staycore.testing.contracts import PaymentGatewayContract
from staycore.testing.contracts.payments import DeliveredWebhook

SIGNING_KEY = "whsec_contract"


class TestSandboxGateway(PaymentGatewayContract):
    """The default capabilities: partial captures and refunds, one capture."""

    capabilities = GatewayCapabilities()

    @pytest.fixture
    def gateway(self) -> SandboxGateway:
        clock = FrozenClock("2026-06-01T10:00:00Z")
        return SandboxGateway(clock, secret=SIGNING_KEY, capabilities=self.capabilities)

    @pytest.fixture
    def succeeding_method(self) -> str:
        return "4242 4242 4242 4242"

    @pytest.fixture
    def declining_method(self) -> str:
        return DECLINED_CARD

    def deliver_webhooks(self, gateway: PaymentGateway) -> Sequence[DeliveredWebhook]:
        assert isinstance(gateway, SandboxGateway)
        return [(webhook.body, webhook.headers) for webhook in gateway.webhooks()]


class TestSandboxGatewayCapturingInStepsRefundingWhole(TestSandboxGateway):
    """Several captures, no partial refunds: other tests run, the rest are refused."""

    capabilities = GatewayCapabilities(multiple_captures=True, partial_refund=False)


class TestSandboxGatewayTakingWholeAmountsOnly(TestSandboxGateway):
    """No partial capture and no partial refund, in yen (no minor unit)."""

    capabilities = GatewayCapabilities(partial_capture=False, partial_refund=False)
    currency = "JPY"
    price = "12000"

    @pytest.fixture
    def succeeding_method(self) -> str:
        return SUCCEEDING_CARD


class TestSandboxGatewayDeliveringTwiceAndShuffled(TestSandboxGateway):
    """Webhooks delivered twice and out of order: the ledger's rules absorb it."""

    @pytest.fixture
    def gateway(self) -> SandboxGateway:
        return SandboxGateway(
            FrozenClock("2026-06-01T10:00:00+08:00"),
            secret=SIGNING_KEY,
            duplicate_webhooks=True,
            reorder_webhooks=True,
            seed=11,
        )
