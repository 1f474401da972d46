"""Identifiers of the availability context.

Example:
    >>> from staycore.availability.ids import UnitTypeId
    >>> UnitTypeId.new().startswith("ut_")
    True
"""

from staycore.kernel.ids import Identifier

__all__ = ["BlockId", "HoldId", "PropertyId", "ResourceId", "UnitId", "UnitTypeId"]


class PropertyId(Identifier):
    """A property: a homestay, a hotel, a spa."""

    prefix = "prop"


class UnitTypeId(Identifier):
    """A sellable kind of room (Deluxe Double) whose nights are counted together."""

    prefix = "ut"


class UnitId(Identifier):
    """One physical room or bed, where a host assigns them."""

    prefix = "unit"


class HoldId(Identifier):
    """Inventory held for an order: nights of a unit type, or places in a slot."""

    prefix = "hold"


class BlockId(Identifier):
    """Nights taken out of sale: maintenance, owner use, a booking made elsewhere."""

    prefix = "blk"


class ResourceId(Identifier):
    """Something appointments are booked on: a therapist, a treatment room, a chair."""

    prefix = "res"
