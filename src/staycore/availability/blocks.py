"""Blocks: nights taken out of sale without an order.

A block removes rooms of a unit type from sale for some nights: maintenance, the
owner's own use, or a booking made on another channel and imported from its iCalendar
feed. Blocks count against availability like sold rooms, but carry their reason and,
for imported ones, where they came from, so a re-import can find and move them.

Example:
    >>> from staycore.availability.blocks import Block, BlockReason
    >>> from staycore.availability.ids import BlockId, UnitId, UnitTypeId
    >>> from staycore.kernel.time import Stay
    >>> repaint = Block(
    ...     id=BlockId("blk_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     unit_type=UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     nights=Stay.parse("2026-11-02/2026-11-05"),
    ...     reason=BlockReason.MAINTENANCE,
    ... )
    >>> repaint.nights.nights, repaint.rooms
    (3, 1)
"""

from __future__ import annotations

import enum

import attrs

from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import BlockId, UnitId, UnitTypeId
from staycore.availability.inventory import MAX_ROOMS
from staycore.kernel.time import Stay

__all__ = ["Block", "BlockReason", "ExternalSource", "InvalidBlockError"]


class InvalidBlockError(AvailabilityError):
    """A block takes no rooms, or an imported block lacks where it came from."""

    code = "availability.invalid_block"


class BlockReason(enum.Enum):
    """Why nights are out of sale."""

    MAINTENANCE = "maintenance"
    OWNER_USE = "owner_use"
    EXTERNAL_BOOKING = "external_booking"


@attrs.frozen
class ExternalSource:
    """Where an imported block came from: a feed and the event's UID in it.

    Attributes:
        feed: The feed's name or URL, as the host registered it (``"airbnb:listing-42"``).
        uid: The iCalendar UID of the event, stable across re-imports of the feed.
    """

    feed: str
    uid: str


@attrs.frozen(kw_only=True)
class Block:
    """Rooms of a unit type out of sale for some nights.

    Attributes:
        id: The block's identity.
        unit_type: The unit type whose rooms are blocked.
        nights: The nights blocked (check-out exclusive, as for a stay).
        rooms: How many rooms are blocked each night; at least 1.
        reason: Why.
        source: For a block imported from a feed, the feed and event UID; else ``None``.
        note: Free text for the staff.
        unit: Where rooms are assigned, the one unit blocked (room 101 is being
            repainted); ``None`` blocks rooms of the unit type without saying which.

    Raises:
        InvalidBlockError: ``rooms`` is below 1, an external booking has no source, or
            a block of one unit takes more than 1 room.
    """

    id: BlockId = attrs.field(validator=BlockId.validate)
    unit_type: UnitTypeId = attrs.field(validator=UnitTypeId.validate)
    nights: Stay
    reason: BlockReason
    rooms: int = 1
    source: ExternalSource | None = None
    note: str = ""
    unit: UnitId | None = attrs.field(
        default=None, validator=attrs.validators.optional(UnitId.validate)
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.nights, Stay) or not isinstance(self.reason, BlockReason):
            msg = (
                "a block needs its nights as a Stay and its reason as a BlockReason; got "
                f"{self.nights!r} and {self.reason!r}"
            )
            raise InvalidBlockError(msg)
        rooms = self.rooms
        if isinstance(rooms, bool) or not isinstance(rooms, int) or not 1 <= rooms <= MAX_ROOMS:
            msg = (
                f"a block takes a whole number of rooms, at least 1 and at most {MAX_ROOMS:,}; "
                f"got {rooms!r}"
            )
            raise InvalidBlockError(msg)
        if self.reason is BlockReason.EXTERNAL_BOOKING and self.source is None:
            msg = "an external booking block needs its source (feed and event UID)"
            raise InvalidBlockError(msg)
        if self.unit is not None and self.rooms != 1:
            msg = f"a block of one unit takes 1 room, not {self.rooms}; block each unit"
            raise InvalidBlockError(msg)
