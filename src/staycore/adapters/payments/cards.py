"""The sandbox's test cards: card numbers whose outcome is known in advance.

Pass one as the ``method`` of a :class:`~staycore.orders.payments.PaymentRequest`, with
or without spaces or hyphens. The numbers are the ones card networks and providers
publish for testing, so the same numbers work against a real provider's test mode.

============================  ===================  ==================================
card number                   status               then
============================  ===================  ==================================
``4242 4242 4242 4242``       ``succeeded``        nothing more
``4000 0000 0000 0002``       ``failed``           ``failure_code="card_declined"``
``4000 0000 0000 9995``       ``failed``           ``failure_code="insufficient_funds"``
``4000 0027 6000 3184``       ``requires_action``  3-D Secure at ``action_url``;
                                                   ``complete_action()`` finishes it
``4000 0000 0000 0077``       ``pending``          ``settle_pending()`` turns it
                                                   ``succeeded``
any other method              ``failed``           ``failure_code="unknown_test_card"``
============================  ===================  ==================================

Example:
    >>> from staycore.adapters.payments.cards import TEST_CARDS, card_outcome
    >>> card_outcome("4000 0000 0000 0002").failure_code
    'card_declined'
    >>> card_outcome("tok_visa").failure_code
    'unknown_test_card'
    >>> len(TEST_CARDS)
    5
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from staycore.orders.payments import MovementStatus

__all__ = [
    "DECLINED_CARD",
    "INSUFFICIENT_FUNDS_CARD",
    "PENDING_CARD",
    "SUCCEEDING_CARD",
    "TEST_CARDS",
    "THREE_D_SECURE_CARD",
    "UNKNOWN_CARD_FAILURE",
    "SandboxCard",
    "card_outcome",
]

SUCCEEDING_CARD: Final = "4242424242424242"
"""Succeeds at once."""
DECLINED_CARD: Final = "4000000000000002"
"""Fails with ``card_declined``."""
INSUFFICIENT_FUNDS_CARD: Final = "4000000000009995"
"""Fails with ``insufficient_funds``."""
THREE_D_SECURE_CARD: Final = "4000002760003184"
"""Requires a 3-D Secure action; ``SandboxGateway.complete_action`` finishes it."""
PENDING_CARD: Final = "4000000000000077"
"""Pending; succeeds later, when ``SandboxGateway.settle_pending`` runs."""
UNKNOWN_CARD_FAILURE: Final = "unknown_test_card"
"""The failure code of every method that is not a test card."""

_SEPARATORS: Final = re.compile(r"[\s-]+")


@attrs.frozen(kw_only=True)
class SandboxCard:
    """A test card and what the sandbox answers when it is used.

    Attributes:
        number: The card number, digits only.
        status: The status of the movement it makes at first.
        failure_code: Why it fails, for a card that fails.
        description: What the card is for.

    Example:
        >>> from staycore.adapters.payments.cards import PENDING_CARD, TEST_CARDS
        >>> TEST_CARDS[PENDING_CARD].status.value
        'pending'
    """

    number: str
    status: MovementStatus
    failure_code: str | None = None
    description: str


TEST_CARDS: Final[Mapping[str, SandboxCard]] = MappingProxyType(
    {
        card.number: card
        for card in (
            SandboxCard(
                number=SUCCEEDING_CARD,
                status=MovementStatus.SUCCEEDED,
                description="succeeds",
            ),
            SandboxCard(
                number=DECLINED_CARD,
                status=MovementStatus.FAILED,
                failure_code="card_declined",
                description="declined by the issuer",
            ),
            SandboxCard(
                number=INSUFFICIENT_FUNDS_CARD,
                status=MovementStatus.FAILED,
                failure_code="insufficient_funds",
                description="declined: not enough funds",
            ),
            SandboxCard(
                number=THREE_D_SECURE_CARD,
                status=MovementStatus.REQUIRES_ACTION,
                description="needs a 3-D Secure challenge",
            ),
            SandboxCard(
                number=PENDING_CARD,
                status=MovementStatus.PENDING,
                description="settles later, asynchronously",
            ),
        )
    }
)
"""Every test card by its number (digits only); see the table in the module docstring."""


def card_outcome(method: str) -> SandboxCard:
    """The test card ``method`` names, or a failing stand-in for any other method.

    Spaces and hyphens in the number are ignored.

    Example:
        >>> from staycore.adapters.payments.cards import card_outcome
        >>> card_outcome("4242-4242-4242-4242").status.value
        'succeeded'
    """
    number = _SEPARATORS.sub("", method)
    card = TEST_CARDS.get(number)
    if card is not None:
        return card
    return SandboxCard(
        number=number,
        status=MovementStatus.FAILED,
        failure_code=UNKNOWN_CARD_FAILURE,
        description="not a test card",
    )
