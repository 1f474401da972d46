"""Errors of the orders context.

Every error here is an :class:`OrderError`, with a stable code under ``orders.``, or a
:class:`PaymentError`, under ``payments.``. Modules of the context that need more define
them beside the rule they protect, as subclasses of these roots.

Example:
    >>> from staycore.orders.errors import OrderError, PaymentError
    >>> OrderError.code, PaymentError.code
    ('orders.error', 'payments.error')
"""

from staycore.kernel.errors import StaycoreError

__all__ = ["OrderError", "PaymentError"]


class OrderError(StaycoreError):
    """An order, its lines, its policy or its schedule was used against their rules."""

    code = "orders.error"


class PaymentError(StaycoreError):
    """A payment, a refund or a webhook was refused, or the gateway failed."""

    code = "payments.error"
