"""Refunds: spreading one refund over the payments an order received.

An order paid in several captures (a deposit and a balance, or a card and a top-up) refunds
through the payment provider capture by capture: each refund names the capture it returns
money to, and may not return more than is left on it. :func:`allocate_refund` splits a
refund into :class:`RefundPart` values, one per capture used, in a stated
:class:`RefundOrder`. Each part explains itself, and the split is deterministic: the same
refund over the same payments always gives the same parts, whatever order they were listed
in.

Example:
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.orders.refunds import Refundable, allocate_refund
    >>> paid = [
    ...     Refundable(reference="pay_deposit", refundable=Money.of("300.00", "EUR"),
    ...                captured_at=pendulum.datetime(2026, 6, 1, 9, tz="UTC")),
    ...     Refundable(reference="pay_balance", refundable=Money.of("700.00", "EUR"),
    ...                captured_at=pendulum.datetime(2026, 6, 26, 9, tz="UTC")),
    ... ]
    >>> for part in allocate_refund(Money.of("800.00", "EUR"), paid):
    ...     print(part.reference, part.amount, "|", part.reason)
    pay_balance EUR 700.00 | largest payment first: EUR 700.00 of EUR 700.00 refundable on
    pay_balance
    pay_deposit EUR 100.00 | largest payment first: EUR 100.00 of EUR 300.00 refundable on
    pay_deposit
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from staycore.kernel.money import Money
from staycore.kernel.time import as_instant
from staycore.orders.errors import PaymentError

__all__ = [
    "InvalidRefundError",
    "RefundExceedsPaidError",
    "RefundOrder",
    "RefundPart",
    "Refundable",
    "allocate_refund",
]


class InvalidRefundError(PaymentError):
    """A refund or a payment it draws on is negative, unrounded or in another currency.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.refunds import allocate_refund
        >>> allocate_refund(Money.of("-1.00", "EUR"), [])
        Traceback (most recent call last):
        ...
        staycore.orders.refunds.InvalidRefundError: [payments.invalid_refund] ...
    """

    code = "payments.invalid_refund"


class RefundExceedsPaidError(PaymentError):
    """A refund asks for more than is left to refund on the order's payments.

    Attributes:
        requested: The refund asked for.
        refundable: What the payments can still refund, in all.

    Args:
        requested: The refund asked for.
        refundable: What can still be refunded.
        on: What the refund was asked on, for the message (a gateway names the capture).

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.refunds import RefundExceedsPaidError
        >>> print(RefundExceedsPaidError(Money.of("800.00", "EUR"),
        ...                              Money.of("700.00", "EUR")).message)
        a refund of EUR 800.00 exceeds the EUR 700.00 still refundable on the order's
        payments; refund at most EUR 700.00
    """

    code = "payments.refund_exceeds_paid"

    def __init__(
        self, requested: Money, refundable: Money, *, on: str = "the order's payments"
    ) -> None:
        super().__init__(
            f"a refund of {requested} exceeds the {refundable} still refundable on "
            f"{on}; refund at most {refundable}"
        )
        self.requested = requested
        self.refundable = refundable


class RefundOrder(enum.Enum):
    """Which captured payments a refund returns money to first.

    ``LARGEST_FIRST`` uses as few captures as it can; ``MOST_RECENT_FIRST`` returns money
    on the newest captures, whose cards are the likeliest still to be valid.
    """

    LARGEST_FIRST = "largest_first"
    MOST_RECENT_FIRST = "most_recent_first"


def _to_captured_at(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="captured_at")


@attrs.frozen(kw_only=True)
class Refundable:
    """A captured payment, and what can still be refunded on it.

    Attributes:
        reference: The payment provider's reference of the capture.
        refundable: What was captured less what was already refunded on it, rounded
            and not negative.
        captured_at: When the payment was captured (timezone-aware).

    Raises:
        InvalidRefundError: The reference is empty, or the amount negative or unrounded.
        NaiveDatetimeError: ``captured_at`` has no timezone.

    Example:
        >>> import pendulum
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.refunds import Refundable
        >>> Refundable(reference="pay_1", refundable=Money.of("-5.00", "EUR"),
        ...            captured_at=pendulum.datetime(2026, 6, 1, tz="UTC"))
        Traceback (most recent call last):
        ...
        staycore.orders.refunds.InvalidRefundError: [payments.invalid_refund] ...
    """

    reference: str
    refundable: Money
    captured_at: pendulum.DateTime = attrs.field(converter=_to_captured_at)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.reference, str) or not self.reference.strip():
            msg = f"a payment's reference is the provider's non-empty id, got {self.reference!r}"
            raise InvalidRefundError(msg)
        amount = self.refundable
        if not isinstance(amount, Money) or amount.is_negative or not amount.is_rounded:
            msg = (
                f"what is refundable on payment {self.reference} is Money rounded to the "
                f"minor unit and not negative, got {amount!r}"
            )
            raise InvalidRefundError(msg)


@attrs.frozen
class RefundPart:
    """The part of a refund returned to one captured payment.

    Attributes:
        reference: The provider's reference of the capture to refund.
        amount: How much to refund on it, positive.
        reason: Why this capture and this amount, for the support team.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.refunds import RefundPart
        >>> RefundPart("pay_1", Money.of("10.00", "EUR"), "the only payment").amount
        Money('10.00', 'EUR')
    """

    reference: str
    amount: Money
    reason: str


_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)


def _age(payment: Refundable) -> int:
    """Microseconds before the epoch: sorts the most recent capture first, exactly."""
    at = payment.captured_at.in_tz("UTC")
    # A stdlib datetime: pendulum's own subtraction gives an Interval, not a timedelta.
    plain = dt.datetime(*at.timetuple()[:6], at.microsecond, tzinfo=dt.UTC)
    return -((plain - _EPOCH) // _MICROSECOND)


def _largest_first(payment: Refundable) -> tuple[Decimal, int, str]:
    return (-payment.refundable.amount, _age(payment), payment.reference)


def _most_recent_first(payment: Refundable) -> tuple[int, Decimal, str]:
    return (_age(payment), -payment.refundable.amount, payment.reference)


_ORDERS: Final[dict[RefundOrder, tuple[Callable[[Refundable], tuple[object, ...]], str]]] = {
    RefundOrder.LARGEST_FIRST: (_largest_first, "largest payment first"),
    RefundOrder.MOST_RECENT_FIRST: (_most_recent_first, "most recent payment first"),
}


def allocate_refund(
    amount: Money,
    payments: Sequence[Refundable],
    *,
    order: RefundOrder = RefundOrder.LARGEST_FIRST,
) -> tuple[RefundPart, ...]:
    """Split a refund of ``amount`` over ``payments``, in ``order``.

    Each payment in turn refunds as much as is left on it until the amount is reached, so
    the parts add up to ``amount`` exactly and none exceeds what its payment can refund.
    Payments with nothing left are skipped. Ties are broken so the split never depends on
    the order the payments are listed in: by largest first, the most recently captured of
    two equal payments goes first; by most recent first, the larger of two captured at the
    same instant; then the reference, alphabetically.

    Args:
        amount: The refund, rounded and not negative; zero refunds nothing.
        payments: The order's captured payments, each listed once, in the refund's currency.
        order: Which payments to refund first.

    Returns:
        One part per payment used, in the order they are used.

    Raises:
        InvalidRefundError: The amount is negative or unrounded, a payment is in another
            currency, or a reference is listed twice.
        RefundExceedsPaidError: The amount is more than the payments can refund in all.

    Example:
        Continuing the module example above:

        >>> from staycore.orders.refunds import RefundOrder
        >>> [(p.reference, str(p.amount)) for p in allocate_refund(
        ...     Money.of("800.00", "EUR"), paid, order=RefundOrder.MOST_RECENT_FIRST)]
        [('pay_balance', 'EUR 700.00'), ('pay_deposit', 'EUR 100.00')]
        >>> allocate_refund(Money.of("1000.01", "EUR"), paid)
        Traceback (most recent call last):
        ...
        staycore.orders.refunds.RefundExceedsPaidError: [payments.refund_exceeds_paid] ...
    """
    _check(amount, payments, order)
    available = Money.total((p.refundable for p in payments), amount.currency)
    if amount > available:
        raise RefundExceedsPaidError(amount, available)
    key, rule = _ORDERS[order]
    parts: list[RefundPart] = []
    left = amount
    for payment in sorted(payments, key=key):
        if left.is_zero:
            break
        if payment.refundable.is_zero:
            continue
        part = min(left, payment.refundable)
        reason = f"{rule}: {part} of {payment.refundable} refundable on {payment.reference}"
        parts.append(RefundPart(payment.reference, part, reason))
        left -= part
    return tuple(parts)


def _check(amount: object, payments: object, order: object) -> None:
    if not isinstance(amount, Money) or amount.is_negative or not amount.is_rounded:
        msg = f"a refund is Money rounded to the minor unit and not negative, got {amount!r}"
        raise InvalidRefundError(msg)
    if isinstance(payments, str) or not isinstance(payments, Sequence):
        msg = f"payments are a sequence of Refundable, got {payments!r}"
        raise InvalidRefundError(msg)
    if not isinstance(order, RefundOrder):
        msg = f"a refund order is one of {[o.name for o in RefundOrder]}, got {order!r}"
        raise InvalidRefundError(msg)
    seen: set[str] = set()
    for payment in payments:
        if not isinstance(payment, Refundable):
            msg = f"each payment is a Refundable, got {payment!r}"
            raise InvalidRefundError(msg)
        if payment.refundable.currency != amount.currency:
            msg = (
                f"payment {payment.reference} is in {payment.refundable.currency} and the "
                f"refund in {amount.currency}; refund each currency on its own payments"
            )
            raise InvalidRefundError(msg)
        if payment.reference in seen:
            msg = f"payment {payment.reference} is listed twice; list each capture once"
            raise InvalidRefundError(msg)
        seen.add(payment.reference)
