"""What a store's book of holds needs of its holds and requests, whatever keeps them.

The memory stores (:mod:`staycore.adapters.memory.hold_book`) and the SQL stores
(:mod:`staycore.adapters.sql.holds`) keep the holds of nights, slots and stock the same
way; these are the shapes both books work on, and the two helpers they share.

Example:
    >>> import pendulum
    >>> from staycore.adapters.holds import has_passed
    >>> before = pendulum.datetime(2026, 10, 25, 0, 30, tz="UTC").in_tz("Europe/London")
    >>> after = before.add(hours=1)  # the clock fell back: 01:30 again, an hour later
    >>> before >= after, has_passed(after, before)
    (True, False)
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, TypeVar, cast

import attrs
import pendulum

from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId
from staycore.kernel.time import as_instant

__all__ = ["H", "HeldRequest", "KeptHold", "R", "evolve_hold", "has_passed"]


class HeldRequest(Protocol):
    """What a book needs of a request: the hold id the caller chose."""

    @property
    def hold_id(self) -> HoldId:
        """The id the hold gets; a retry sends the same one."""
        ...


_R_contra = TypeVar("_R_contra", bound=HeldRequest, contravariant=True)


class KeptHold(Protocol[_R_contra]):
    """What a book needs of a hold (an attrs class, so that it can be evolved)."""

    @property
    def id(self) -> HoldId:
        """The hold's id."""
        ...

    @property
    def status(self) -> HoldStatus:
        """Where the hold is in its lifecycle."""
        ...

    @property
    def expires_at(self) -> pendulum.DateTime:
        """When a held hold lapses."""
        ...

    def matches(self, request: _R_contra) -> bool:
        """Whether ``request`` asks for exactly this hold."""
        ...


H = TypeVar("H", bound=KeptHold[Any])
R = TypeVar("R", bound=HeldRequest)


def has_passed(instant: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``instant`` is ``now`` or before it, compared in UTC.

    Two aware datetimes in one timezone compare their wall clocks and ignore ``fold``, so
    in the hour a clock falls back, 01:30 before the change and 01:30 after it would
    compare equal; in UTC they do not.

    Args:
        instant: An aware instant, such as a hold's expiry.
        now: The clock's time.

    Example:
        See the module example.
    """
    return _utc(instant) <= _utc(now)


def _utc(instant: dt.datetime) -> pendulum.DateTime:
    return as_instant(instant, what="instant").in_tz("UTC")


def evolve_hold(hold: H, **changes: object) -> H:
    """``attrs.evolve``, which mypy checks for a known attrs class but not a type variable.

    Example:
        >>> import pendulum
        >>> from staycore.adapters.holds import evolve_hold
        >>> from staycore.availability.holds import HoldStatus
        >>> from staycore.availability.ids import HoldId, UnitTypeId
        >>> from staycore.availability.stay_holds import StayHoldRequest
        >>> from staycore.kernel.ids import Identifier
        >>> from staycore.kernel.time import Stay
        >>> hold = StayHoldRequest(
        ...     hold_id=HoldId.new(), unit_type=UnitTypeId.new(),
        ...     stay=Stay.parse("2026-07-10/2026-07-12"), owner=Identifier.new(),
        ...     expires_at=pendulum.datetime(2026, 5, 1, 9, 15, tz="UTC"),
        ... ).to_hold()
        >>> evolve_hold(hold, status=HoldStatus.CONFIRMED).status.value
        'confirmed'
    """
    evolved: H = attrs.evolve(cast(Any, hold), **changes)
    return evolved
