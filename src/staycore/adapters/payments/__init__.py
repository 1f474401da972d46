"""Payment adapters: the sandbox gateway that stands in for a payment provider.

* :class:`SandboxGateway` (:mod:`staycore.adapters.payments.sandbox`): a
  :class:`~staycore.ports.payments.PaymentGateway` in memory, deterministic, with
  3-D Secure, late settlement, chargebacks, signed webhooks and failure injection.
* The test cards that choose its outcomes (:mod:`staycore.adapters.payments.cards`).
* :class:`Webhook` and the signature scheme (:mod:`staycore.adapters.payments.webhooks`).

A real provider's adapter implements the same port, and proves it with
:class:`~staycore.testing.contracts.PaymentGatewayContract`.

Example:
    >>> from staycore.adapters.payments import TEST_CARDS, SUCCEEDING_CARD
    >>> TEST_CARDS[SUCCEEDING_CARD].status.value
    'succeeded'
"""

from staycore.adapters.payments.cards import (
    DECLINED_CARD,
    INSUFFICIENT_FUNDS_CARD,
    PENDING_CARD,
    SUCCEEDING_CARD,
    TEST_CARDS,
    THREE_D_SECURE_CARD,
    UNKNOWN_CARD_FAILURE,
    SandboxCard,
    card_outcome,
)
from staycore.adapters.payments.sandbox import (
    ACTION_URL,
    AUTHENTICATION_FAILED,
    Operation,
    SandboxGateway,
)
from staycore.adapters.payments.webhooks import SIGNATURE_HEADER, Webhook

__all__ = [
    "ACTION_URL",
    "AUTHENTICATION_FAILED",
    "DECLINED_CARD",
    "INSUFFICIENT_FUNDS_CARD",
    "PENDING_CARD",
    "SIGNATURE_HEADER",
    "SUCCEEDING_CARD",
    "TEST_CARDS",
    "THREE_D_SECURE_CARD",
    "UNKNOWN_CARD_FAILURE",
    "Operation",
    "SandboxCard",
    "SandboxGateway",
    "Webhook",
    "card_outcome",
]
