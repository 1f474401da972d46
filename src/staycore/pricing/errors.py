"""Errors of the pricing context.

Every error here is a :class:`PricingError`, with a stable code under ``pricing.``.
Modules of the context that need more define them beside the rule they protect, as
subclasses of the root.

Example:
    >>> from staycore.pricing.errors import PricingError
    >>> PricingError.code
    'pricing.error'
"""

from staycore.kernel.errors import StaycoreError

__all__ = ["PricingError"]


class PricingError(StaycoreError):
    """Rate plans, rules, promotions or quotes were used against their rules."""

    code = "pricing.error"
