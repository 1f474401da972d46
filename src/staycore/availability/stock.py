"""Add-on stock: counted items sold with a stay, held and released with the order's hold.

Breakfast vouchers, airport transfers and goods sold with a stay are counted, not
calendared: an item has a number of units on hand, and each order holds some of them
until it is paid (they become sold), cancelled or lapses (they come back). For each item:

    available = on_hand - held - sold, never below zero.

An order asks for several items at once with a :class:`StockRequest` of
:class:`StockLine` s, taken all or none, like the nights of a stay. Its ``hold_id`` is
the order's :class:`~staycore.availability.ids.HoldId`, so the stock goes with the
order's hold: confirm, release, extend and expire both with the same id. The lifecycle
is the one every hold shares (:mod:`staycore.availability.holds`).

When a reservation takes available stock from above the item's low-stock threshold to at
or below it, :func:`low_stock_crossed` reports a :class:`LowStockReached` event: once per
crossing, not on every later reservation. Stock coming back above the threshold (a
restock, a release, an expiry) arms it again.

This module holds the values and rules; the stores that take stock atomically implement
:class:`staycore.ports.stock.StockStore`.

Example:
    >>> import pendulum
    >>> from staycore.availability.ids import HoldId
    >>> from staycore.availability.stock import ItemId, StockItem, StockLevel, StockRequest
    >>> from staycore.kernel.ids import Identifier
    >>> breakfast = StockItem(
    ...     id=ItemId("item_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     name="Breakfast voucher",
    ...     on_hand=20,
    ...     low_stock_threshold=5,
    ... )
    >>> level = StockLevel(item=breakfast, held=12, sold=3)
    >>> level.available, level.is_low
    (5, True)
    >>> request = StockRequest(
    ...     hold_id=HoldId("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     lines={breakfast.id: 2},
    ...     owner=Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     expires_at=pendulum.datetime(2026, 6, 1, 12, tz="UTC"),
    ... )
    >>> [(line.item, line.quantity) for line in request.lines]
    [(ItemId('item_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7'), 2)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs
import pendulum

from staycore.availability.errors import AvailabilityError
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId
from staycore.kernel.events import DomainEvent
from staycore.kernel.ids import Identifier
from staycore.kernel.time import as_instant

__all__ = [
    "DuplicateItemError",
    "InvalidQuantityError",
    "InvalidStockItemError",
    "ItemId",
    "ItemNotFoundError",
    "LowStockReached",
    "OutOfStockError",
    "StockHold",
    "StockItem",
    "StockLevel",
    "StockLine",
    "StockRequest",
    "StockReservation",
    "StockShortage",
    "low_stock_crossed",
]


class ItemId(Identifier):
    """An add-on item whose units are counted: a breakfast voucher, a transfer, goods."""

    prefix = "item"


# -- errors ----------------------------------------------------------------------------


class InvalidQuantityError(AvailabilityError):
    """A quantity, count or threshold is not a whole number in range, or a request is empty."""

    code = "availability.invalid_quantity"


class InvalidStockItemError(AvailabilityError):
    """A stock item is described badly (an empty name)."""

    code = "availability.invalid_stock_item"


class ItemNotFoundError(AvailabilityError):
    """No stock item with the given id was added to the store."""

    code = "availability.item_not_found"


class DuplicateItemError(AvailabilityError):
    """A stock item with this id was already added: restock it instead."""

    code = "availability.item_exists"


@attrs.frozen
class StockShortage:
    """An item that cannot give a request the units it wants.

    Attributes:
        item: The item.
        wanted: Units the request asked for.
        available: Units left to sell.
    """

    item: ItemId
    wanted: int
    available: int


class OutOfStockError(AvailabilityError):
    """Some items of a request have too few units left; nothing was taken.

    Attributes:
        shortages: Every short item, with what was wanted and how many are left.

    Example:
        >>> from staycore.availability.stock import ItemId, OutOfStockError, StockShortage
        >>> shuttle = ItemId("item_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        >>> error = OutOfStockError((StockShortage(shuttle, wanted=3, available=1),))
        >>> error.code, error.shortages[0].available
        ('availability.out_of_stock', 1)
        >>> print(error.message)
        too few units left of item_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 (1 left, 3 wanted); nothing
        was taken. Offer fewer units or drop the add-on
    """

    code = "availability.out_of_stock"

    def __init__(self, shortages: tuple[StockShortage, ...]) -> None:
        items = ", ".join(f"{s.item} ({s.available} left, {s.wanted} wanted)" for s in shortages)
        super().__init__(
            f"too few units left of {items}; nothing was taken. "
            "Offer fewer units or drop the add-on"
        )
        self.shortages = shortages


# -- items and their levels --------------------------------------------------------------


def _units(value: int, what: str, *, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        lowest = "at least 1" if least else "zero or more"
        msg = f"{what} must be a whole number of units, {lowest}; got {value!r}"
        raise InvalidQuantityError(msg)
    return value


def _on_hand(value: int) -> int:
    return _units(value, "on_hand")


def _threshold(value: int) -> int:
    return _units(value, "low_stock_threshold")


def _held(value: int) -> int:
    return _units(value, "held")


def _sold(value: int) -> int:
    return _units(value, "sold")


def _version(value: int) -> int:
    return _units(value, "version", least=1)


def _quantity(value: int) -> int:
    return _units(value, "a line's quantity", least=1)


def _name(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"a stock item needs a name guests recognise, e.g. 'Breakfast'; got {value!r}"
        raise InvalidStockItemError(msg)
    return value


@attrs.frozen(kw_only=True)
class StockItem:
    """An add-on item and the units of it there are.

    Attributes:
        id: The item's identity.
        name: What guests and staff call it.
        on_hand: Units there are in all, sold or not; restocking adds to it.
        low_stock_threshold: Available units at or below which the item is low on stock.

    Raises:
        InvalidQuantityError: ``on_hand`` or ``low_stock_threshold`` is negative or not
            a whole number.
        InvalidStockItemError: ``name`` is empty.

    Example:
        >>> from staycore.availability.stock import ItemId, StockItem
        >>> StockItem(id=ItemId.new(), name="Airport transfer", on_hand=-1)
        Traceback (most recent call last):
        ...
        staycore.availability.stock.InvalidQuantityError: [availability.invalid_quantity] ...
    """

    id: ItemId
    name: str = attrs.field(converter=_name)
    on_hand: int = attrs.field(default=0, converter=_on_hand)
    low_stock_threshold: int = attrs.field(default=0, converter=_threshold)


@attrs.frozen(kw_only=True)
class StockLevel:
    """An item with its units held and sold, as a store reports it.

    Attributes:
        item: The item, with its current ``on_hand``.
        held: Units held for unpaid orders.
        sold: Units sold to confirmed orders.
        version: Grows by one with every change to the item's counts; starts at 1.

    Example:
        Continuing the module example above:

        >>> StockLevel(item=breakfast, held=19, sold=3)
        Traceback (most recent call last):
        ...
        staycore.availability.stock.InvalidQuantityError: [availability.invalid_quantity] ...
    """

    item: StockItem
    held: int = attrs.field(default=0, converter=_held)
    sold: int = attrs.field(default=0, converter=_sold)
    version: int = attrs.field(default=1, converter=_version)

    def __attrs_post_init__(self) -> None:
        if self.held + self.sold > self.item.on_hand:
            msg = (
                f"{self.item.id} would hold {self.held} and sell {self.sold} of only "
                f"{self.item.on_hand} on hand; restock it before taking more"
            )
            raise InvalidQuantityError(msg)

    @property
    def available(self) -> int:
        """Units that can still be sold: on hand minus held minus sold."""
        return self.item.on_hand - self.held - self.sold

    @property
    def is_low(self) -> bool:
        """Whether available units are at or below the item's low-stock threshold."""
        return self.available <= self.item.low_stock_threshold

    def restocked(self, units: int) -> StockLevel:
        """Return the level with ``units`` more on hand, one version on.

        Raises:
            InvalidQuantityError: ``units`` is not a whole number of at least 1.

        Example:
            >>> StockLevel(item=breakfast, held=12, sold=3).restocked(10).available
            15
        """
        on_hand = self.item.on_hand + _units(units, "units restocked", least=1)
        return attrs.evolve(
            self, item=attrs.evolve(self.item, on_hand=on_hand), version=self.version + 1
        )

    def changed(self, *, held: int = 0, sold: int = 0) -> StockLevel:
        """Return the level with ``held`` and ``sold`` moved by the given amounts, one version on.

        Raises:
            InvalidQuantityError: A count would fall below zero, or held and sold would
                exceed the units on hand.

        Example:
            >>> level = StockLevel(item=breakfast, held=12, sold=3)
            >>> after = level.changed(held=-2, sold=2)  # an order of 2 was paid
            >>> after.held, after.sold, after.available, after.version
            (10, 5, 5, 2)
        """
        return attrs.evolve(
            self, held=self.held + held, sold=self.sold + sold, version=self.version + 1
        )


# -- requests and holds ----------------------------------------------------------------


@attrs.frozen
class StockLine:
    """Units of one item wanted by an order.

    Attributes:
        item: The item.
        quantity: Units wanted; at least 1.

    Example:
        >>> from staycore.availability.stock import ItemId, StockLine
        >>> StockLine(ItemId.new(), 0)
        Traceback (most recent call last):
        ...
        staycore.availability.stock.InvalidQuantityError: [availability.invalid_quantity] ...
    """

    item: ItemId
    quantity: int = attrs.field(converter=_quantity)


def _lines(value: Mapping[ItemId, int] | Iterable[StockLine]) -> tuple[StockLine, ...]:
    pairs = value.items() if isinstance(value, Mapping) else _pairs(value)
    merged: dict[ItemId, int] = {}
    for item, quantity in pairs:
        line = StockLine(item, quantity)  # checks the quantity of each line
        merged[line.item] = merged.get(line.item, 0) + line.quantity
    if not merged:
        msg = "a stock request needs at least one line: which items, and how many of each"
        raise InvalidQuantityError(msg)
    # Sorted by item: one order for every request, so a database adapter locks rows in
    # a fixed order and two requests cannot deadlock.
    return tuple(StockLine(item, merged[item]) for item in sorted(merged))


def _pairs(lines: Iterable[StockLine]) -> Iterable[tuple[ItemId, int]]:
    for line in lines:
        if not isinstance(line, StockLine):
            msg = (
                f"give a request's lines as StockLine values or an item -> units map; not {line!r}"
            )
            raise InvalidQuantityError(msg)
        yield line.item, line.quantity


def _expiry(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="stock hold expiry")


@attrs.frozen(kw_only=True)
class StockRequest:
    """What an order asks the stock store for: units of one or more items, all or none.

    Attributes:
        hold_id: The order's hold id, so the stock is confirmed, released, extended and
            expired with the order's nights or slot; a retried request finds its hold
            instead of taking the units twice.
        lines: Units wanted per item. Give a mapping ``{item: units}`` or
            :class:`StockLine` s; lines of the same item are added together, and the
            lines are kept sorted by item.
        owner: Who holds the units, usually an order.
        expires_at: When the hold lapses unless confirmed or extended.

    Raises:
        InvalidQuantityError: There are no lines, or a quantity is below 1.
        NaiveDatetimeError: ``expires_at`` has no timezone.

    Example:
        Continuing the module example above:

        >>> request.to_hold().status.value
        'held'
    """

    hold_id: HoldId
    lines: tuple[StockLine, ...] = attrs.field(converter=_lines)
    owner: Identifier
    expires_at: pendulum.DateTime = attrs.field(converter=_expiry)

    def to_hold(self) -> StockHold:
        """The hold this request becomes once its units are taken.

        Example:
            >>> request.to_hold().lines == request.lines
            True
        """
        return StockHold(
            id=self.hold_id,
            lines=self.lines,
            owner=self.owner,
            expires_at=self.expires_at,
            status=HoldStatus.HELD,
        )


@attrs.frozen(kw_only=True)
class StockHold:
    """Units of items held (or sold) for an owner.

    Attributes:
        id: The hold's identity (the request's ``hold_id``: the order's hold id).
        lines: Units held per item, sorted by item.
        owner: Who holds them.
        expires_at: When the hold lapses if still ``held``.
        status: Where the hold is in :data:`~staycore.availability.holds.HOLD_LIFECYCLE`.

    Example:
        >>> request.to_hold().status.takes_inventory
        True
    """

    id: HoldId
    lines: tuple[StockLine, ...]
    owner: Identifier
    expires_at: pendulum.DateTime
    status: HoldStatus

    def matches(self, request: StockRequest) -> bool:
        """Whether ``request`` asks for exactly this hold (a retry, not a new request).

        Example:
            >>> import attrs
            >>> hold = request.to_hold()
            >>> hold.matches(request), hold.matches(attrs.evolve(request, lines={breakfast.id: 3}))
            (True, False)
        """
        return (
            self.id == request.hold_id
            and self.lines == request.lines
            and self.owner == request.owner
        )


# -- low stock -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LowStockReached(DomainEvent):
    """An item's available units fell to or below its low-stock threshold.

    ``aggregate_id`` is the item's :class:`ItemId` and ``aggregate_version`` the
    :attr:`StockLevel.version` the reservation left it at.

    Attributes:
        name: The item's name, for the message to whoever restocks it.
        available: Units still available after the reservation.
        threshold: The item's low-stock threshold.
    """

    name: str
    available: int
    threshold: int

    @property
    def item(self) -> ItemId:
        """The item that is low on stock."""
        return ItemId(self.aggregate_id)


def low_stock_crossed(
    before: StockLevel, after: StockLevel, occurred_at: dt.datetime | str
) -> LowStockReached | None:
    """Return the event of a change that took an item from above its threshold to at or below.

    A change that starts at or below the threshold reports nothing: the item was already
    low. The threshold compared is the one in ``after``.

    Args:
        before: The item's level before the change.
        after: The item's level after it.
        occurred_at: When the change happened (the store's clock); ISO 8601 text is read
            as :class:`~staycore.kernel.events.DomainEvent` reads it.

    Example:
        Continuing the module example above (20 on hand, threshold 5):

        >>> from staycore.availability.stock import low_stock_crossed
        >>> start = StockLevel(item=breakfast, held=14)
        >>> event = low_stock_crossed(
        ...     start, StockLevel(item=breakfast, held=16, version=2), "2026-06-01T09:00:00Z"
        ... )
        >>> event.event_type, event.available, event.threshold, event.aggregate_version
        ('LowStockReached', 4, 5, 2)
        >>> low = StockLevel(item=breakfast, held=16, version=2)
        >>> lower = StockLevel(item=breakfast, held=17, version=3)
        >>> low_stock_crossed(low, lower, "2026-06-01T09:05:00Z") is None  # already low
        True
    """
    threshold = after.item.low_stock_threshold
    if before.available <= threshold or after.available > threshold:
        return None
    return LowStockReached(
        aggregate_id=after.item.id,
        aggregate_version=after.version,
        occurred_at=occurred_at,
        name=after.item.name,
        available=after.available,
        threshold=threshold,
    )


@attrs.frozen(kw_only=True)
class StockReservation:
    """What reserving stock returns: the hold, and the low-stock events it caused.

    Hand ``events`` to the unit of work with the rest of the change (``uow.collect``),
    so the alert to restock leaves through the outbox with the order.

    Attributes:
        hold: The hold on the units.
        events: One :class:`LowStockReached` per item the reservation took to or below
            its threshold; empty for most reservations.
    """

    hold: StockHold
    events: tuple[LowStockReached, ...] = ()
