"""The notifier port: sending a templated message to a customer over a channel.

staycore decides *that* a guest should hear something (a booking confirmation, a
birthday offer, a balance reminder) and with which template and values; the host's
notifier decides how the words look and which provider carries them.

Example:
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.ports.notifier import Channel, Message
    >>> message = Message(
    ...     recipient=Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     channel=Channel.EMAIL,
    ...     template="booking.confirmed",
    ...     variables={"guest": "Mei", "check_in": "2026-07-01"},
    ... )
    >>> message.channel.value, message.variables["guest"]
    ('email', 'Mei')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import attrs

from staycore.kernel.ids import Identifier

__all__ = ["Channel", "Message", "Notifier"]


class Channel(enum.Enum):
    """How a message reaches the customer."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    CHAT = "chat"


def _copy_variables(variables: Mapping[str, str]) -> Mapping[str, str]:
    return dict(variables)


@attrs.frozen(kw_only=True)
class Message:
    """A message to send: who, over which channel, which template, with which values.

    Attributes:
        recipient: The customer the message is for.
        channel: The channel to send it over.
        template: The host's template key, e.g. ``"booking.confirmed"``.
        variables: Values the template fills in, as text.
        idempotency_key: Set it so that a retried send does not reach the guest twice.
    """

    recipient: Identifier
    channel: Channel
    template: str
    variables: Mapping[str, str] = attrs.field(factory=dict, converter=_copy_variables, hash=False)
    idempotency_key: str | None = None


@runtime_checkable
class Notifier(Protocol):
    """Sends messages to customers."""

    def send(self, message: Message) -> None:
        """Send ``message``; a repeated ``idempotency_key`` must not send it again.

        Raises:
            Exception: The message could not be handed to the provider.
        """
        ...
