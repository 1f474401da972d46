"""Holds on the nights of a stay: the request an order makes, and the hold it gets.

Example:
    >>> import pendulum
    >>> from staycore.availability.ids import HoldId, UnitId, UnitTypeId
    >>> from staycore.availability.stay_holds import StayHoldRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Stay
    >>> request = StayHoldRequest(
    ...     hold_id=HoldId("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     unit_type=UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     stay=Stay.parse("2026-07-10/2026-07-13"),
    ...     rooms=2,
    ...     owner=Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     expires_at=pendulum.datetime(2026, 6, 1, 12, tz="UTC"),
    ... )
    >>> request.to_hold().status.value
    'held'
"""

from __future__ import annotations

import attrs
import pendulum

from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import MAX_ROOMS, InvalidCapacityError
from staycore.kernel.errors import InvalidStayError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Stay, as_instant

__all__ = ["StayHold", "StayHoldRequest"]


def _rooms(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROOMS:
        msg = (
            f"a hold takes a whole number of rooms, at least 1 and at most {MAX_ROOMS:,}; "
            f"got {value!r}"
        )
        raise InvalidCapacityError(msg)
    return value


def _stay(value: Stay) -> Stay:
    if not isinstance(value, Stay):
        msg = f"a hold is for a Stay such as Stay.parse('2026-07-10/2026-07-12'), got {value!r}"
        raise InvalidStayError(msg)
    return value


def _expiry(value: pendulum.DateTime) -> pendulum.DateTime:
    return as_instant(value, what="hold expiry")


@attrs.frozen(kw_only=True)
class StayHoldRequest:
    """What an order asks the inventory store for.

    Attributes:
        hold_id: Chosen by the caller, so that a retried request finds its hold instead
            of taking the rooms twice.
        unit_type: The unit type whose rooms are wanted.
        stay: The nights wanted.
        rooms: How many rooms each night; at least 1.
        owner: Who holds them, usually an order.
        expires_at: When the hold lapses unless confirmed or extended.
    """

    hold_id: HoldId = attrs.field(validator=HoldId.validate)
    unit_type: UnitTypeId = attrs.field(validator=UnitTypeId.validate)
    stay: Stay = attrs.field(converter=_stay)
    rooms: int = attrs.field(default=1, converter=_rooms)
    owner: Identifier = attrs.field(validator=Identifier.validate)
    expires_at: pendulum.DateTime = attrs.field(converter=_expiry)

    def to_hold(self) -> StayHold:
        """The hold this request becomes once the rooms are taken."""
        return StayHold(
            id=self.hold_id,
            unit_type=self.unit_type,
            stay=self.stay,
            rooms=self.rooms,
            owner=self.owner,
            expires_at=self.expires_at,
            status=HoldStatus.HELD,
        )


@attrs.frozen(kw_only=True)
class StayHold:
    """Rooms of a unit type held (or sold) for an owner over a stay.

    Attributes:
        id: The hold's identity (the request's ``hold_id``).
        unit_type: The unit type.
        stay: The nights held.
        rooms: Rooms held each night.
        owner: Who holds them.
        expires_at: When the hold lapses if still ``held``.
        status: Where the hold is in :data:`~staycore.availability.holds.HOLD_LIFECYCLE`.
        units: The units it was assigned (room 101), one per room, where the host
            assigns them; empty until then. They are occupied while the hold is held
            or confirmed, and freed when it is released or expires.
    """

    id: HoldId
    unit_type: UnitTypeId
    stay: Stay
    rooms: int
    owner: Identifier
    expires_at: pendulum.DateTime
    status: HoldStatus
    units: tuple[UnitId, ...] = ()

    def matches(self, request: StayHoldRequest) -> bool:
        """Whether ``request`` asks for exactly this hold (a retry, not a new request).

        Example:
            Continuing the module example above:

            >>> request.to_hold().matches(request)
            True
        """
        return (
            self.unit_type == request.unit_type
            and self.stay == request.stay
            and self.rooms == request.rooms
            and self.owner == request.owner
        )
