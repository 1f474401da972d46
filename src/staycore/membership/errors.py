"""Errors of the membership context.

Every error here is a :class:`MembershipError` (profiles, tags and triggers, under
``membership.``), a :class:`LoyaltyError` (points and tiers, under ``loyalty.``) or a
:class:`ServiceRequestError` (requests and complaints, under ``service.``). Modules of
the context define the errors they need beside the rule they protect, as subclasses of
these roots.

Example:
    >>> from staycore.membership.errors import LoyaltyError, MembershipError
    >>> MembershipError.code, LoyaltyError.code
    ('membership.error', 'loyalty.error')
"""

from staycore.kernel.errors import StaycoreError

__all__ = ["LoyaltyError", "MembershipError", "ServiceRequestError"]


class MembershipError(StaycoreError):
    """A profile, a tag rule or a trigger was used against its rules."""

    code = "membership.error"


class LoyaltyError(StaycoreError):
    """A points entry, a redemption or a tier programme broke the loyalty rules."""

    code = "loyalty.error"


class ServiceRequestError(StaycoreError):
    """A service request, its category or its deadlines were used against their rules."""

    code = "service.error"
