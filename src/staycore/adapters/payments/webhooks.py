"""The sandbox's webhooks: signed JSON events, one per report of a movement.

A webhook is a JSON body and HTTP headers. The body is an event::

    {"id": "sbx_evt_0001", "object": "event", "type": "payment.movement",
     "movement": {"reference": "sbx_ch_0001", "kind": "capture", "status": "succeeded",
                  "amount": {"amount": "120.00", "currency": "EUR"},
                  "order": "ord_...", "parent": null,
                  "occurred_at": "2026-06-01T10:00:00+00:00",
                  "failure_code": null, "action_url": null}}

and the ``Sandbox-Signature`` header signs it the way Stripe does:
``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook secret>``. A
receiver recomputes the HMAC, compares it in constant time, and refuses a timestamp older
than its tolerance, so a captured webhook cannot be replayed later. Several ``v1=``
entries may be given (while a secret is rotated); one matching is enough.

Example:
    >>> import pendulum
    >>> from staycore.adapters.payments.webhooks import signature, verify_signature
    >>> body = b'{"id": "evt_1"}'
    >>> headers = {"Sandbox-Signature": signature(body, secret="s3cret", timestamp=1780308000)}
    >>> now = pendulum.datetime(2026, 6, 1, 10, 2)
    >>> verify_signature(body, headers, secret="s3cret", now=now)
    >>> verify_signature(body + b" ", headers, secret="s3cret", now=now)
    Traceback (most recent call last):
    ...
    staycore.orders.payments.WebhookSignatureError: [payments.bad_signature] ...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Final

import attrs

from staycore.kernel.errors import StaycoreError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.orders.payments import (
    InvalidWebhookError,
    MovementKind,
    MovementStatus,
    PaymentMovement,
    WebhookSignatureError,
)

__all__ = [
    "EVENT_TYPE",
    "SIGNATURE_HEADER",
    "TOLERANCE",
    "Webhook",
    "event_body",
    "read_event",
    "signature",
    "verify_signature",
]

SIGNATURE_HEADER: Final = "Sandbox-Signature"
"""The header that carries the signature; matched without regard to case."""
EVENT_TYPE: Final = "payment.movement"
"""The ``type`` of every event the sandbox sends."""
TOLERANCE: Final = dt.timedelta(minutes=5)
"""How old a signature may be by default before it is refused as a replay."""


@attrs.frozen(kw_only=True)
class Webhook:
    """One webhook as the provider delivers it: the raw body and the HTTP headers.

    Pass both, untouched, to :meth:`SandboxGateway.parse_webhook
    <staycore.adapters.payments.sandbox.SandboxGateway.parse_webhook>`: the signature is
    over the exact bytes of the body.

    Attributes:
        body: The JSON event, as bytes.
        headers: The HTTP headers, with the ``Sandbox-Signature`` header.

    Example:
        >>> from staycore.adapters.payments.webhooks import Webhook
        >>> Webhook(body=b"{}", headers={"Sandbox-Signature": "t=1,v1=00"}).body
        b'{}'
    """

    body: bytes
    headers: dict[str, str]


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature(body: bytes, *, secret: str, timestamp: int) -> str:
    """The ``Sandbox-Signature`` header value for ``body`` signed at ``timestamp``.

    Args:
        body: The exact bytes sent.
        secret: The webhook secret shared by the gateway and the receiver.
        timestamp: When it is signed, in Unix seconds.

    Example:
        >>> from staycore.adapters.payments.webhooks import signature
        >>> signature(b"{}", secret="s3cret", timestamp=1780308000)[:16]
        't=1780308000,v1='
    """
    return f"t={timestamp},v1={_digest(body, secret, timestamp)}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next(
        (value for key, value in headers.items() if isinstance(key, str) and key.lower() == wanted),
        None,
    )


def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str,
    now: dt.datetime,
    tolerance: dt.timedelta = TOLERANCE,
) -> None:
    """Check that ``body`` was signed with ``secret`` less than ``tolerance`` before ``now``.

    Raises:
        WebhookSignatureError: The header is missing or garbled, no signature matches
            the body, or the signature is older than ``tolerance``.

    Example:
        >>> import pendulum
        >>> from staycore.adapters.payments.webhooks import signature, verify_signature
        >>> headers = {"sandbox-signature": signature(b"{}", secret="s", timestamp=0)}
        >>> verify_signature(b"{}", headers, secret="s", now=pendulum.datetime(2026, 1, 1))
        Traceback (most recent call last):
        ...
        staycore.orders.payments.WebhookSignatureError: [payments.bad_signature] ... too old ...
    """
    if not isinstance(body, bytes) or not isinstance(headers, Mapping):
        msg = (
            "a webhook is verified from the request's body as bytes and its headers as a "
            f"mapping, exactly as received; got {type(body).__name__} and "
            f"{type(headers).__name__}"
        )
        raise WebhookSignatureError(msg)
    value = _header(headers, SIGNATURE_HEADER)
    if not isinstance(value, str | None):
        msg = f"the {SIGNATURE_HEADER} header is text, got {type(value).__name__}"
        raise WebhookSignatureError(msg)
    if value is None:
        msg = (
            f"the webhook has no {SIGNATURE_HEADER} header; pass the request's headers "
            "as received, or refuse the request: it was not sent by the sandbox"
        )
        raise WebhookSignatureError(msg)
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            timestamps.append(item)
        elif key == "v1":
            signatures.append(item)
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        msg = (
            f"the {SIGNATURE_HEADER} header {value!r} is garbled: expected "
            "'t=<unix seconds>,v1=<hex HMAC-SHA256>'"
        )
        raise WebhookSignatureError(msg)
    timestamp = int(timestamps[0])
    expected = _digest(body, secret, timestamp)
    # compare_digest takes ASCII text only; a signature with other characters matches nothing.
    if not any(given.isascii() and hmac.compare_digest(expected, given) for given in signatures):
        msg = (
            "no signature of the webhook matches its body: it was altered on the way, "
            "or signed with another secret; check the webhook secret, and pass the body's "
            "bytes exactly as received (not re-serialized JSON)"
        )
        raise WebhookSignatureError(msg)
    age = now.timestamp() - timestamp
    if age > tolerance.total_seconds():
        msg = (
            f"the webhook's signature is {int(age)} s old, too old (the tolerance is "
            f"{int(tolerance.total_seconds())} s): it may be a replay, refuse it; if the "
            "receiver's clock is wrong, fix the clock"
        )
        raise WebhookSignatureError(msg)


def _movement_json(movement: PaymentMovement) -> dict[str, Any]:
    return {
        "reference": movement.reference,
        "kind": movement.kind.value,
        "status": movement.status.value,
        "amount": {
            "amount": f"{movement.amount.amount:f}",
            "currency": movement.amount.currency.code,
        },
        "order": str(movement.order),
        "parent": movement.parent,
        "occurred_at": movement.occurred_at.isoformat(),
        "failure_code": movement.failure_code,
        "action_url": movement.action_url,
    }


def event_body(event_id: str, movement: PaymentMovement) -> bytes:
    """The JSON body of the event ``event_id`` reporting ``movement``.

    Example:
        >>> from staycore.adapters.payments.webhooks import event_body, read_event
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.ids import OrderId
        >>> from staycore.orders.payments import MovementKind, MovementStatus, PaymentMovement
        >>> movement = PaymentMovement(
        ...     reference="sbx_ch_0001", kind=MovementKind.CAPTURE,
        ...     status=MovementStatus.SUCCEEDED, amount=Money.of("120.00", "EUR"),
        ...     order=OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...     occurred_at="2026-06-01T10:00:00Z")
        >>> read_event(event_body("sbx_evt_0001", movement)) == (movement,)
        True
    """
    event = {
        "id": event_id,
        "object": "event",
        "type": EVENT_TYPE,
        "movement": _movement_json(movement),
    }
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        msg = f"{key} must be text or null, got {value!r}"
        raise TypeError(msg)
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = _optional_text(data, key)
    if value is None:
        msg = f"{key} is missing"
        raise KeyError(msg)
    return value


def read_event(body: bytes) -> tuple[PaymentMovement, ...]:
    """The movements a sandbox event reports; check its signature first.

    Raises:
        InvalidWebhookError: ``body`` is not a sandbox event.

    Example:
        >>> from staycore.adapters.payments.webhooks import read_event
        >>> read_event(b'{"type": "customer.created"}')
        Traceback (most recent call last):
        ...
        staycore.orders.payments.InvalidWebhookError: [payments.invalid_webhook] ...
    """
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        msg = "the webhook body is not JSON; it is not an event the sandbox sends"
        raise InvalidWebhookError(msg) from None
    if not isinstance(event, dict) or event.get("type") != EVENT_TYPE:
        kind = event.get("type") if isinstance(event, dict) else None
        msg = (
            f"the webhook is not a sandbox {EVENT_TYPE!r} event (its type is {kind!r}); "
            "acknowledge and ignore events of other types"
        )
        raise InvalidWebhookError(msg)
    try:
        data = event["movement"]
        amount = data["amount"]
        movement = PaymentMovement(
            reference=_text(data, "reference"),
            kind=MovementKind(data["kind"]),
            status=MovementStatus(data["status"]),
            amount=Money.of(amount["amount"], amount["currency"]),
            order=Identifier(_text(data, "order")),
            parent=_optional_text(data, "parent"),
            occurred_at=_text(data, "occurred_at"),
            failure_code=_optional_text(data, "failure_code"),
            action_url=_optional_text(data, "action_url"),
        )
    except (AttributeError, KeyError, TypeError, ValueError, StaycoreError) as error:
        msg = (
            f"the sandbox event {event.get('id')!r} does not describe a payment movement "
            f"({type(error).__name__}: {error}); it was corrupted or forged"
        )
        raise InvalidWebhookError(msg) from None
    return (movement,)
