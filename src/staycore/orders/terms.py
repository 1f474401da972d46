"""Booking terms: the property's rules an order is placed under, kept with the order.

A property decides how long an unpaid hold lasts, whether the host approves each
booking, how the guest pays and what cancelling costs. The order keeps a copy of the
terms it was placed under, so a policy changed later never rewrites what a guest agreed to.

Example:
    >>> import datetime as dt
    >>> from staycore.orders.terms import BookingTerms
    >>> terms = BookingTerms(timezone="Europe/Paris", hold_for=dt.timedelta(minutes=30))
    >>> terms.request_to_book, terms.hold_for
    (False, datetime.timedelta(seconds=1800))
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

from staycore.kernel.time import timezone
from staycore.orders.cancellation import CancellationPolicy
from staycore.orders.errors import OrderError
from staycore.orders.refunds import RefundOrder
from staycore.orders.schedule import PaymentSchedule

__all__ = ["BookingTerms", "InvalidTermsError"]


class InvalidTermsError(OrderError):
    """Booking terms with a window that is not positive or an unknown timezone."""

    code = "orders.invalid_terms"


_NOTHING: Final = dt.timedelta(0)
_LONGEST: Final = dt.timedelta(days=366)
"""The longest approval window or payment term: a year, so deadlines stay dates."""


def _zone(name: str) -> str:
    timezone(name)  # refuses an unknown zone with the kernel's error
    return name


@attrs.frozen(kw_only=True)
class BookingTerms:
    """The rules an order is placed under.

    Attributes:
        timezone: The property's timezone: deadlines, check-in days and tiers are local.
        request_to_book: Whether the host approves each booking.
        approval_window: How long the host has to approve before the order is declined.
        hold_for: How long an unpaid order keeps its inventory (its payment term).
        schedule: How the guest pays (everything now, a deposit, or at the property).
        cancellation: What cancelling costs, by how long before arrival.
        refund_order: Which payments a refund goes back to first.
        reminder_days: Days before a balance falls due, or before arrival, to remind.
    """

    timezone: str = attrs.field(converter=_zone)
    request_to_book: bool = False
    approval_window: dt.timedelta = dt.timedelta(hours=24)
    hold_for: dt.timedelta = dt.timedelta(minutes=15)
    schedule: PaymentSchedule = attrs.field(factory=PaymentSchedule.full_prepayment)
    cancellation: CancellationPolicy = attrs.field(factory=CancellationPolicy.non_refundable)
    refund_order: RefundOrder = RefundOrder.LARGEST_FIRST
    reminder_days: int = 3

    def __attrs_post_init__(self) -> None:
        for name in ("approval_window", "hold_for"):
            window = getattr(self, name)
            if not isinstance(window, dt.timedelta) or not _NOTHING < window <= _LONGEST:
                msg = (
                    f"{name} must be a positive duration of at most {_LONGEST.days} days, "
                    f"such as timedelta(minutes=15); got {window!r}"
                )
                raise InvalidTermsError(msg)
        if isinstance(self.reminder_days, bool) or not isinstance(self.reminder_days, int):
            msg = f"reminder_days must be a whole number of days, got {self.reminder_days!r}"
            raise InvalidTermsError(msg)
        if self.reminder_days < 0:
            msg = f"reminder_days must be zero or more, got {self.reminder_days}"
            raise InvalidTermsError(msg)
