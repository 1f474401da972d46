"""What an order books: its lines, its guest and the channel it came through.

An order has one or more lines, each priced when the order was placed:

* a :class:`StayLine`: rooms of a unit type over a stay, with the price of every night
  as quoted (the quote's total spread over its nights, fees, taxes and discounts
  included, so the nights always sum to what the guest saw);
* a :class:`SlotLine`: places at a resource's appointment slot (a massage, a table);
* an :class:`AddOnLine`: breakfast, a transfer, goods, optionally taking counted stock.

A line that is cancelled stays on the order, marked cancelled, so the order's history
and its refunds can always be explained; only active lines count in what is due.

Example:
    >>> from staycore.availability.ids import HoldId, UnitTypeId
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.orders.lines import StayLine
    >>> from staycore.pricing.rate_plans import Guests
    >>> line = StayLine.priced(unit_type=UnitTypeId.new(), stay=Stay.parse("2026-07-10/2026-07-13"),
    ...                        guests=Guests(2), total=Money.of("300.00", "EUR"),
    ...                        night_prices=[Money.of("100.00", "EUR")] * 3, hold=HoldId.new())
    >>> [str(p) for p in line.nightly], str(line.total)
    (['EUR 100.00', 'EUR 100.00', 'EUR 100.00'], 'EUR 300.00')
    >>> str(line.without_nights([line.stay.last_night]).stay)
    '2026-07-10/2026-07-12'
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection, Sequence
from decimal import Decimal

import attrs

from staycore.availability.ids import HoldId, ResourceId, UnitTypeId
from staycore.availability.stock import ItemId
from staycore.kernel.erasure import PERSONAL
from staycore.kernel.money import Money
from staycore.kernel.time import Slot, Stay
from staycore.orders.errors import OrderError
from staycore.orders.ids import CustomerId, LineId
from staycore.pricing.rate_plans import Guests

__all__ = [
    "AddOnLine",
    "Channel",
    "Guest",
    "InvalidGuestError",
    "InvalidLineError",
    "OrderLine",
    "SlotLine",
    "StayLine",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidGuestError(OrderError):
    """A guest has no name, or contact details that cannot be used."""

    code = "orders.invalid_guest"


class InvalidLineError(OrderError):
    """A line is priced wrongly, or a change to it cannot be made."""

    code = "orders.invalid_line"


class Channel(enum.Enum):
    """Where an order came from."""

    DIRECT = "direct"
    OTA = "ota"
    WALK_IN = "walk_in"


def _stripped(value: str) -> str:
    if not isinstance(value, str):
        msg = f"a guest's name is text such as 'Mei Tan', got {type(value).__name__}"
        raise InvalidGuestError(msg)
    return value.strip()


def _text_or_none(value: object, what: str) -> None:
    if value is not None and not isinstance(value, str):
        msg = f"a guest's {what} is text or None, got {type(value).__name__}"
        raise InvalidGuestError(msg)


def _whole(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{what} must be a whole number, at least 1; got {value!r}"
        raise InvalidLineError(msg)


@attrs.frozen(kw_only=True)
class Guest:
    """Who the order is for, and how to reach them (personal data).

    Attributes:
        name: The lead guest's name.
        email: Their e-mail address, if given.
        phone: Their phone number, if given.
        customer: Their customer profile, once known.

    Example:
        >>> from staycore.orders.lines import Guest
        >>> Guest(name="Mei Tan", email="mei@example.com").email
        'mei@example.com'
        >>> Guest(name="Mei Tan", email="mei at example")
        Traceback (most recent call last):
        ...
        staycore.orders.lines.InvalidGuestError: [orders.invalid_guest] ...
    """

    name: str = attrs.field(converter=_stripped, metadata=PERSONAL)
    email: str | None = attrs.field(default=None, metadata=PERSONAL)
    phone: str | None = attrs.field(default=None, metadata=PERSONAL)
    customer: CustomerId | None = None

    def __attrs_post_init__(self) -> None:
        if not self.name:
            msg = "a guest needs a name: give the lead guest's name"
            raise InvalidGuestError(msg)
        _text_or_none(self.email, "e-mail")
        _text_or_none(self.phone, "phone")
        if self.email is not None and not _EMAIL.match(self.email):
            msg = f"e-mail {self.email!r} is not an address like name@example.com"
            raise InvalidGuestError(msg)
        if self.phone is not None and sum(c.isdigit() for c in self.phone) < 6:
            msg = f"phone {self.phone!r} has too few digits; give it with its country code"
            raise InvalidGuestError(msg)


def _money_tuple(values: Sequence[Money]) -> tuple[Money, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class StayLine:
    """Rooms of a unit type over a stay, with what each night costs.

    Attributes:
        id: The line's identity.
        unit_type: The unit type booked.
        stay: The nights.
        guests: The party.
        rooms: Rooms each night.
        nightly: What each night costs (all rooms), in the order of the nights.
        hold: The inventory hold that keeps the rooms.
        cancelled: Whether the line was cancelled.
    """

    id: LineId = attrs.field(factory=LineId.new)
    unit_type: UnitTypeId
    stay: Stay
    guests: Guests
    rooms: int = 1
    nightly: tuple[Money, ...] = attrs.field(converter=_money_tuple)
    hold: HoldId
    cancelled: bool = False
    total: Money = attrs.field(init=False, eq=False, repr=False)
    """What the line costs, its nights summed (worked out once, as orders read it often)."""

    def __attrs_post_init__(self) -> None:
        if len(self.nightly) != self.stay.nights:
            msg = f"stay {self.stay} has {self.stay.nights} nights but {len(self.nightly)} prices"
            raise InvalidLineError(msg)
        _whole(self.rooms, "a stay line's rooms")
        _same_currency(self.nightly, f"stay {self.stay}")
        object.__setattr__(self, "total", Money.total(self.nightly, self.nightly[0].currency))

    @classmethod
    def priced(
        cls,
        *,
        unit_type: UnitTypeId,
        stay: Stay,
        guests: Guests,
        total: Money,
        night_prices: Sequence[Money],
        hold: HoldId,
        rooms: int = 1,
    ) -> StayLine:
        """A line whose nights share ``total`` in proportion to their quoted prices.

        The quote's total holds fees, taxes and discounts as well as the nights; spreading
        it keeps each night's share exact to the cent, so cancelling a night later gives
        back exactly its share and the remaining nights keep theirs.

        Example:
            See the module example.
        """
        if len(night_prices) != stay.nights:
            msg = f"stay {stay} has {stay.nights} nights but {len(night_prices)} quoted prices"
            raise InvalidLineError(msg)
        weights = [price.amount for price in night_prices]
        if sum(weights) <= 0:
            weights = [Decimal(1)] * len(night_prices)  # free nights: share the fees evenly
        return cls(
            unit_type=unit_type,
            stay=stay,
            guests=guests,
            rooms=rooms,
            nightly=total.rounded().allocate(weights),
            hold=hold,
        )

    @property
    def arrival(self) -> dt.date:
        """The check-in date."""
        return self.stay.check_in

    @property
    def departure(self) -> dt.date:
        """The check-out date."""
        return self.stay.check_out

    def without_nights(self, nights: Collection[dt.date]) -> StayLine:
        """The line shortened by ``nights`` at its start or its end, each night keeping its price.

        Raises:
            InvalidLineError: A night is not in the stay, every night would go, or the
                nights left would not be one run (cancel a middle night by cancelling the
                line and booking two).
        """
        if any(isinstance(n, dt.datetime) or not isinstance(n, dt.date) for n in nights):
            msg = f"nights are calendar dates such as date(2026, 7, 12), got {nights!r}"
            raise InvalidLineError(msg)
        dropped = set(nights)
        stay_nights = list(self.stay)
        if not dropped or not dropped <= set(stay_nights):
            msg = f"nights {sorted(dropped)} are not nights of stay {self.stay}"
            raise InvalidLineError(msg)
        kept = [i for i, night in enumerate(stay_nights) if night not in dropped]
        if not kept:
            msg = f"cancelling every night of {self.stay} cancels the line; cancel the line"
            raise InvalidLineError(msg)
        if kept != list(range(kept[0], kept[-1] + 1)):
            msg = (
                f"cancelling {sorted(dropped)} would split stay {self.stay} in two; "
                "cancel nights at its start or end only"
            )
            raise InvalidLineError(msg)
        return attrs.evolve(
            self,
            stay=Stay.of_nights(stay_nights[kept[0]], len(kept)),
            nightly=[self.nightly[i] for i in kept],
        )


@attrs.frozen(kw_only=True)
class SlotLine:
    """Places at an appointment slot of a resource.

    Attributes:
        id: The line's identity.
        resource: The resource (a therapist, a table).
        slot: The slot.
        places: How many clients come.
        price: What the line costs.
        hold: The appointment hold that keeps the places.
        cancelled: Whether the line was cancelled.
    """

    id: LineId = attrs.field(factory=LineId.new)
    resource: ResourceId
    slot: Slot
    places: int = 1
    price: Money
    hold: HoldId
    cancelled: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.slot, Slot):
            msg = f"a slot line needs the Slot booked, got {type(self.slot).__name__}"
            raise InvalidLineError(msg)
        if not isinstance(self.price, Money):
            msg = (
                f"a slot line's price is Money such as Money.of('40.00', 'EUR'), got {self.price!r}"
            )
            raise InvalidLineError(msg)
        _whole(self.places, "a slot line's places")

    @property
    def total(self) -> Money:
        """What the line costs."""
        return self.price


@attrs.frozen(kw_only=True)
class AddOnLine:
    """An extra sold with the order: breakfast, a transfer, goods.

    Attributes:
        id: The line's identity.
        name: What it is.
        quantity: How many.
        unit_price: What one costs.
        item: The stock item it takes, if it is counted stock.
        hold: The stock hold that keeps the units, if it takes stock.
        cancelled: Whether the line was cancelled.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.orders.lines import AddOnLine
        >>> str(AddOnLine(name="Breakfast", quantity=4, unit_price=Money.of("12.50", "EUR")).total)
        'EUR 50.00'
    """

    id: LineId = attrs.field(factory=LineId.new)
    name: str
    quantity: int = 1
    unit_price: Money
    item: ItemId | None = None
    hold: HoldId | None = None
    cancelled: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str):
            msg = f"an add-on's name is text such as 'Breakfast', got {type(self.name).__name__}"
            raise InvalidLineError(msg)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            msg = f"add-on {self.name!r} needs a whole quantity, got {self.quantity!r}"
            raise InvalidLineError(msg)
        if self.quantity < 1:
            msg = f"add-on {self.name!r} needs a quantity of at least 1, got {self.quantity}"
            raise InvalidLineError(msg)
        if not isinstance(self.unit_price, Money):
            msg = (
                f"add-on {self.name!r} needs a unit price in Money such as "
                f"Money.of('12.50', 'EUR'), got {self.unit_price!r}"
            )
            raise InvalidLineError(msg)
        if (self.item is None) != (self.hold is None):
            msg = f"add-on {self.name!r} takes stock: give both its item and its stock hold"
            raise InvalidLineError(msg)

    @property
    def total(self) -> Money:
        """What the line costs."""
        return (self.unit_price * self.quantity).rounded()


OrderLine = StayLine | SlotLine | AddOnLine
"""Any line of an order."""


def _same_currency(amounts: Sequence[Money], what: str) -> None:
    currencies = {amount.currency for amount in amounts}
    if len(currencies) > 1:
        msg = f"{what} is priced in {sorted(c.code for c in currencies)}; use one currency"
        raise InvalidLineError(msg)
