"""Identifiers of the pricing context.

Example:
    >>> from staycore.pricing.ids import RatePlanId
    >>> RatePlanId.new().startswith("rp_")
    True
"""

from staycore.kernel.ids import Identifier

__all__ = ["PromotionId", "RatePlanId"]


class RatePlanId(Identifier):
    """A rate plan: how a unit type is priced night by night (Standard, Non-refundable)."""

    prefix = "rp"


class PromotionId(Identifier):
    """A promotion: a discount with its scope, limits and stacking rule."""

    prefix = "promo"
