"""A member's stay history: what tiers, tags, points and triggers are worked out from.

Membership never reads orders. When an order completes, the use case turns it into a
:class:`StayRecord` (the nights, what the guest spent, the room, the party) and hands it
to the profile, the tier programme and the points ledger. A stay is counted on its
check-out date, in the property's calendar: the night it ends is when it qualifies.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.membership.history import StayRecord, totals
    >>> from staycore.orders.ids import OrderId
    >>> stays = [
    ...     StayRecord(
    ...         order=OrderId.new(),
    ...         stay=Stay.parse(text),
    ...         spend=Money.of(spend, "EUR"),
    ...         completed_at=pendulum.datetime(2026, 12, 31, tz="UTC"),
    ...         room="executive",
    ...     )
    ...     for text, spend in [("2026-03-02/2026-03-05", "540.00"),
    ...                         ("2026-11-20/2026-11-22", "300.00")]
    ... ]
    >>> year = totals(stays, start=dt.date(2026, 1, 1), end=dt.date(2027, 1, 1), currency="EUR")
    >>> year.nights, year.stays, year.spend
    (5, 2, Money('840.00', 'EUR'))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs
import pendulum

from staycore.kernel.currency import Currency
from staycore.kernel.money import Money
from staycore.kernel.time import Stay, as_instant
from staycore.membership.errors import MembershipError
from staycore.orders.ids import OrderId

__all__ = ["InvalidStayRecordError", "StayRecord", "StayTotals", "totals"]


class InvalidStayRecordError(MembershipError):
    """A stay record has a negative spend, no adult, or a negative number of children."""

    code = "membership.invalid_stay_record"


def _instant(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="completed_at")


@attrs.frozen(kw_only=True)
class StayRecord:
    """One completed stay, as membership sees it.

    Attributes:
        order: The order the stay was booked under; a reversal names it.
        stay: The nights, in the property's calendar.
        spend: What the guest paid for it (the qualifying spend), refunds deducted.
        completed_at: When the order completed.
        room: The room category, as the host names it (``"executive"``), for tag rules.
        adults: Adults in the party.
        children: Children in the party.
        channel: How it was booked (``"direct"``, ``"ota"``, ``"walk_in"``).

    Raises:
        InvalidStayRecordError: A negative spend, no adult, or negative children.
    """

    order: OrderId
    stay: Stay
    spend: Money
    completed_at: pendulum.DateTime = attrs.field(converter=_instant)
    room: str = ""
    adults: int = 1
    children: int = 0
    channel: str = "direct"

    def __attrs_post_init__(self) -> None:
        if self.spend.is_negative:
            msg = f"a stay's spend cannot be negative, got {self.spend}"
            raise InvalidStayRecordError(msg)
        if self.adults < 1 or self.children < 0:
            msg = (
                f"a stay needs at least one adult and no negative children, "
                f"got {self.adults} adults and {self.children} children"
            )
            raise InvalidStayRecordError(msg)

    @property
    def nights(self) -> int:
        """The nights stayed."""
        return self.stay.nights

    @property
    def counted_on(self) -> dt.date:
        """The day the stay counts on: its check-out date."""
        return self.stay.check_out


@attrs.frozen
class StayTotals:
    """What a member stayed in a period: nights, stays and spend.

    Attributes:
        nights: Nights stayed.
        stays: Stays (one per order).
        spend: Qualifying spend.
    """

    nights: int
    stays: int
    spend: Money


def totals(
    records: Iterable[StayRecord], *, start: dt.date, end: dt.date, currency: Currency | str
) -> StayTotals:
    """Add up the stays counted on a day in ``[start, end)``.

    Spend in another currency than ``currency`` is refused by :class:`Money` itself
    (:class:`~staycore.kernel.errors.CurrencyMismatchError`): a programme runs in one.

    Example:
        See the module example.
    """
    nights = stays = 0
    spend = Money.zero(currency)
    for record in records:
        if start <= record.counted_on < end:
            nights += record.nights
            stays += 1
            spend += record.spend
    return StayTotals(nights=nights, stays=stays, spend=spend)
