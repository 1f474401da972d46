"""Identifiers of the membership context.

A customer is known by the :class:`~staycore.orders.ids.CustomerId` its orders carry;
it is re-exported here so that membership code reads as membership code.

Example:
    >>> from staycore.membership.ids import PointsEntryId, ServiceRequestId
    >>> PointsEntryId.new().startswith("pte_"), ServiceRequestId.new().startswith("srq_")
    (True, True)
"""

from staycore.kernel.ids import Identifier
from staycore.orders.ids import CustomerId

__all__ = ["CustomerId", "PointsEntryId", "ServiceRequestId"]


class PointsEntryId(Identifier):
    """One entry of a member's points ledger; an earning entry also names its lot."""

    prefix = "pte"


class ServiceRequestId(Identifier):
    """A guest's service request or complaint, from opening to its rating."""

    prefix = "srq"
