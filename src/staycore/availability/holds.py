"""Holds: inventory taken for an order until it is paid, released or expires.

A hold takes nights of a unit type (or places in an appointment slot) for an owner,
usually an order, until an expiry instant. Its lifecycle is one declared table:

* ``held`` -> ``confirmed`` when the order is paid: the held inventory becomes sold;
* ``held`` or ``confirmed`` -> ``released`` when the order is cancelled: it is freed;
* ``held`` -> ``expired`` when the expiry passes unpaid: it is freed;
* ``held`` -> ``held`` when the hold is extended, while it is still live.

Confirming, releasing and expiring are idempotent: a payment webhook delivered twice or
a sweeper run twice changes nothing the second time (:func:`next_status` says so by
returning the status unchanged). What cannot be done is refused with
:class:`HoldNotActiveError`: confirming a hold that expired (its nights may be sold to
someone else by now; the order must reserve again) or extending one that is no longer
live.

Example:
    >>> from staycore.availability.holds import HoldAction, HoldStatus, next_status
    >>> next_status(HoldStatus.HELD, HoldAction.CONFIRM)
    <HoldStatus.CONFIRMED: 'confirmed'>
    >>> next_status(HoldStatus.CONFIRMED, HoldAction.CONFIRM)  # a duplicate webhook
    <HoldStatus.CONFIRMED: 'confirmed'>
    >>> next_status(HoldStatus.EXPIRED, HoldAction.CONFIRM)
    Traceback (most recent call last):
    ...
    staycore.availability.holds.HoldNotActiveError: [availability.hold_not_active] ...
"""

from __future__ import annotations

import enum
from typing import Final

from staycore.availability.errors import AvailabilityError
from staycore.kernel.errors import StateMachineError
from staycore.kernel.state_machine import Transition, TransitionTable

__all__ = [
    "HOLD_LIFECYCLE",
    "DuplicateHoldError",
    "HoldAction",
    "HoldNotActiveError",
    "HoldNotFoundError",
    "HoldStatus",
    "next_status",
]


class HoldNotFoundError(AvailabilityError):
    """No hold with the given id exists in the store."""

    code = "availability.hold_not_found"


class DuplicateHoldError(AvailabilityError):
    """A hold id was reused for a different request: a retry must repeat its request."""

    code = "availability.hold_id_reused"


class HoldNotActiveError(AvailabilityError):
    """The hold can no longer do what was asked: it expired or was released."""

    code = "availability.hold_not_active"


class HoldStatus(enum.Enum):
    """Where a hold is in its lifecycle."""

    HELD = "held"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    EXPIRED = "expired"

    @property
    def takes_inventory(self) -> bool:
        """Whether a hold in this status counts against availability."""
        return self in (HoldStatus.HELD, HoldStatus.CONFIRMED)


class HoldAction(enum.Enum):
    """What can happen to a hold."""

    CONFIRM = "confirm"
    RELEASE = "release"
    EXPIRE = "expire"
    EXTEND = "extend"


_S, _A = HoldStatus, HoldAction

HOLD_LIFECYCLE: Final[TransitionTable[HoldStatus, HoldAction, None]] = TransitionTable(
    "hold",
    states=HoldStatus,
    initial=_S.HELD,
    final={_S.RELEASED, _S.EXPIRED},
    transitions=[
        Transition(_S.HELD, _A.CONFIRM, _S.CONFIRMED, description="paid: held becomes sold"),
        Transition(_S.HELD, _A.EXTEND, _S.HELD, description="more time to pay"),
        Transition(_S.HELD, _A.RELEASE, _S.RELEASED, description="cancelled before payment"),
        Transition(_S.HELD, _A.EXPIRE, _S.EXPIRED, description="not paid in time"),
        Transition(_S.CONFIRMED, _A.RELEASE, _S.RELEASED, description="cancelled after payment"),
    ],
)
"""The hold lifecycle, declared once and shared by nightly and appointment holds."""

# Repeats that change nothing: a duplicate confirmation, release or expiry, and expiring
# a hold that already left the ``held`` state another way.
_ALREADY_DONE: Final = frozenset(
    {
        (_S.CONFIRMED, _A.CONFIRM),
        (_S.RELEASED, _A.RELEASE),
        (_S.EXPIRED, _A.RELEASE),
        (_S.EXPIRED, _A.EXPIRE),
        (_S.CONFIRMED, _A.EXPIRE),
        (_S.RELEASED, _A.EXPIRE),
    }
)
# Releasing and expiring are always possible or already done; only these can be refused.
_ADVICE: Final = {
    _A.CONFIRM: "reserve the inventory again, then confirm the new hold",
    _A.EXTEND: "reserve the inventory again instead",
}


def next_status(status: HoldStatus, action: HoldAction) -> HoldStatus:
    """Return the status ``action`` leads to from ``status``, idempotently.

    Args:
        status: The hold's current status.
        action: What is asked of it.

    Returns:
        The new status; the same status when the action was already done.

    Raises:
        HoldNotActiveError: The hold expired or was released, and ``action`` needs a live
            hold (confirming, extending).

    Example:
        >>> from staycore.availability.holds import HoldAction, HoldStatus, next_status
        >>> next_status(HoldStatus.EXPIRED, HoldAction.RELEASE)  # already free
        <HoldStatus.EXPIRED: 'expired'>
    """
    if (status, action) in _ALREADY_DONE:
        return status
    try:
        return HOLD_LIFECYCLE.next_state(status, action, None)
    except StateMachineError:
        msg = (
            f"cannot {action.value} a hold that is {status.value}: "
            f"its inventory is no longer its own; {_ADVICE[action]}"
        )
        raise HoldNotActiveError(msg) from None
