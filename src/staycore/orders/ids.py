"""Identifiers of the orders context.

Example:
    >>> from staycore.orders.ids import OrderId
    >>> OrderId.new().startswith("ord_")
    True
"""

from staycore.kernel.ids import Identifier

__all__ = ["CustomerId", "LineId", "OrderId", "ReviewId"]


class OrderId(Identifier):
    """An order: what a guest booked, what they owe and what they paid."""

    prefix = "ord"


class LineId(Identifier):
    """One line of an order: a stay, an appointment slot or an add-on."""

    prefix = "line"


class CustomerId(Identifier):
    """The guest who placed an order (the customer profile of the membership context)."""

    prefix = "cus"


class ReviewId(Identifier):
    """A guest's review of an order, left after check-out."""

    prefix = "rev"
