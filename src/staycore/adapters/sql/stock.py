"""The SQL adapter's stock store: counted add-on items, and holds on their units.

Each item is one row of ``staycore_stock_items`` with its units on hand, held and sold
and its version; each hold is one row of ``staycore_stock_holds`` (see
:mod:`staycore.adapters.sql.holds`), with the low-stock events its reservation reported,
returned again to a retry.

A reservation is one transaction: it claims the hold id (a retry finds its hold), expires
the holds that are due, locks the request's item rows (``SELECT ... FOR UPDATE``, in item
order, which is the order of a request's lines, so two reservations cannot deadlock),
decides with the domain's rules (:class:`~staycore.availability.stock.StockLevel`,
:func:`~staycore.availability.stock.low_stock_crossed`) on the levels it locked, and
adds the units to the held counts. On SQLite the write transaction excludes every other
writer; on PostgreSQL the row locks make two servers selling the last units wait for
each other, so neither sells what the other took. A CHECK constraint backs the rule:
an item never holds and sells more than it has on hand.

Example:
    >>> import staycore.adapters.sql.stock
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.stock import SqlStockStore
    >>> from staycore.availability.ids import HoldId
    >>> from staycore.availability.stock import ItemId, StockItem, StockRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-06-01T09:00:00Z")
    >>> store = SqlStockStore(SqlStore.create("sqlite://").database, clock)
    >>> transfer = store.add_item(
    ...     StockItem(id=ItemId.new(), name="Airport transfer", on_hand=3, low_stock_threshold=1)
    ... ).item
    >>> def request(units: int) -> StockRequest:
    ...     return StockRequest(
    ...         hold_id=HoldId.new(), lines={transfer.id: units},
    ...         owner=Identifier.new(), expires_at=clock.now().add(minutes=15),
    ...     )
    >>> reservation = store.reserve(request(2))
    >>> [(e.event_type, e.available) for e in reservation.events]
    [('LowStockReached', 1)]
    >>> store.reserve(request(2))
    Traceback (most recent call last):
    ...
    staycore.availability.stock.OutOfStockError: [availability.out_of_stock] ...
    >>> _ = clock.advance(minutes=16)  # the first guest never paid
    >>> store.reserve(request(2)).hold.status.value
    'held'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.holds import SqlHoldBook, SqlHoldKeeping, hold_table
from staycore.adapters.sql.schema import IDENTIFIER, metadata
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId
from staycore.availability.stock import (
    DuplicateItemError,
    ItemId,
    ItemNotFoundError,
    LowStockReached,
    OutOfStockError,
    StockHold,
    StockItem,
    StockLevel,
    StockRequest,
    StockReservation,
    StockShortage,
    low_stock_crossed,
)
from staycore.kernel.time import Clock

__all__ = ["SqlStockStore", "stock_holds", "stock_items"]

stock_items: Final = sa.Table(
    "staycore_stock_items",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("low_stock_threshold", sa.Integer, nullable=False),
    sa.Column("held", sa.Integer, nullable=False),
    sa.Column("sold", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint(
        "held >= 0 AND sold >= 0 AND held + sold <= on_hand", name="counts_within_on_hand"
    ),
    comment="counted add-on items, with their units held and sold",
)
"""Every stock item and its counts; a reservation locks the rows of its items."""

stock_holds: Final = hold_table(
    "staycore_stock_holds",
    sa.Column("events", sa.Text, nullable=True, comment="the low-stock events reported"),
    comment="holds on units of stock items",
)
"""Every stock hold, with the low-stock events its reservation reported (or NULL)."""

_ITEM = stock_items.c
_HOLD = stock_holds.c

# Statements built once: building a statement costs more than running it.
_IN_ITEMS = _ITEM.id.in_(sa.bindparam("item_ids", expanding=True))
_LEVELS: Final = sa.select(stock_items).where(_IN_ITEMS)
_LEVELS_LOCKED: Final = _LEVELS.order_by(_ITEM.id).with_for_update()
_LOCK: Final = sa.select(_ITEM.id).where(_IN_ITEMS).order_by(_ITEM.id).with_for_update()
_EVENTS: Final = sa.select(_HOLD.events).where(_HOLD.id == sa.bindparam("hold_key"))
# One change of counts on an item row, for a list of parameters (executemany).
_MOVE = (
    stock_items.update()
    .where(_ITEM.id == sa.bindparam("item_id"))
    .values(
        held=_ITEM.held + sa.bindparam("held_by"),
        sold=_ITEM.sold + sa.bindparam("sold_by"),
        version=_ITEM.version + 1,
    )
)


class SqlStockStore(SqlHoldKeeping[StockHold, StockRequest]):
    """A :class:`~staycore.ports.stock.StockStore` in a SQL database.

    Args:
        database: The database, with staycore's tables.
        clock: Tells when holds expire, and when low-stock events occur.

    Example:
        Continuing the module example above:

        >>> from staycore.ports.stock import StockStore
        >>> isinstance(store, StockStore)
        True
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._holds: SqlHoldBook[StockHold, StockRequest] = SqlHoldBook(
            stock_holds,
            describe=lambda hold: f"other stock for {hold.owner}",
            keep_in_step=_count,
            lock_counts=_lock_items_of,
            noun="stock hold",
        )

    # -- items -----------------------------------------------------------------------

    def add_item(self, item: StockItem) -> StockLevel:
        """Start counting ``item``, with nothing held or sold.

        Raises:
            DuplicateItemError: An item with this id was added before: restock it.

        Example:
            Continuing the module example above:

            >>> store.add_item(transfer)
            Traceback (most recent call last):
            ...
            staycore.availability.stock.DuplicateItemError: [availability.item_exists] ...
        """
        level = StockLevel(item=item)
        row = {
            "id": str(item.id),
            "name": item.name,
            "on_hand": item.on_hand,
            "low_stock_threshold": item.low_stock_threshold,
            "held": level.held,
            "sold": level.sold,
            "version": level.version,
        }

        def add(connection: Connection) -> StockLevel:
            if not insert_unless_present(connection, stock_items, row):
                msg = f"{item.id} is already counted; restock() it to add units"
                raise DuplicateItemError(msg)
            return level

        return self._database.run(add)

    def restock(self, item_id: ItemId, units: int) -> StockLevel:
        """Add ``units`` (at least 1) to the item's units on hand.

        Raises:
            ItemNotFoundError: No such item.
            InvalidQuantityError: ``units`` is not a whole number of at least 1.

        Example:
            Continuing the module example above:

            >>> store.restock(transfer.id, 2).item.on_hand
            5
        """

        def restock(connection: Connection) -> StockLevel:
            (level,) = _levels(connection, [item_id], lock=True)
            restocked = level.restocked(units)
            connection.execute(
                stock_items.update()
                .where(_ITEM.id == str(item_id))
                .values(on_hand=restocked.item.on_hand, version=restocked.version)
            )
            return restocked

        return self._database.run(restock)

    def level(self, item_id: ItemId) -> StockLevel:
        """Return the item with its units held, sold and available.

        Raises:
            ItemNotFoundError: No such item.

        Example:
            Continuing the module example above:

            >>> level = store.level(transfer.id)
            >>> level.held, level.available
            (2, 3)
        """
        with self._database.transaction(write=False) as connection:
            (level,) = _levels(connection, [item_id], lock=False)
        return level

    # -- holds -----------------------------------------------------------------------

    def reserve(self, request: StockRequest) -> StockReservation:
        """Hold the units of every line of the request, or none of them.

        Raises:
            OutOfStockError: Some items have too few units left; nothing was taken.
            ItemNotFoundError: A line names an item never added; nothing was taken.
            DuplicateHoldError: The hold id was used for a different request.

        Example:
            See the module example.
        """
        now = self._now()
        hold = request.to_hold()
        wanted = [line.item for line in request.lines]

        def reserve(connection: Connection) -> StockReservation:
            retried = self._holds.claim(connection, hold, request)
            if retried is not None:
                return StockReservation(hold=retried, events=_events(connection, retried.id))
            due = self._holds.due(connection, now, sparing=hold.id)
            if due:  # lock their items and the request's together, in one order
                _lock_items(connection, [*wanted, *(line.item for h in due for line in h.lines)])
                self._holds.expire(connection, due, counts_locked=True)
            before = _levels(connection, wanted, lock=True)
            shortages = tuple(
                StockShortage(line.item, wanted=line.quantity, available=level.available)
                for line, level in zip(request.lines, before, strict=True)
                if level.available < line.quantity
            )
            if shortages:
                raise OutOfStockError(shortages)
            _count(connection, hold, None)
            crossings = (
                low_stock_crossed(level, level.changed(held=line.quantity), now)
                for line, level in zip(request.lines, before, strict=True)
            )
            events = tuple(event for event in crossings if event is not None)
            if events:
                connection.execute(
                    stock_holds.update()
                    .where(_HOLD.id == str(hold.id))
                    .values(events=encode(events))
                )
            return StockReservation(hold=hold, events=events)

        return self._database.run(reserve)

    def __repr__(self) -> str:
        return f"SqlStockStore({self._database!r})"


def _levels(connection: Connection, item_ids: Sequence[ItemId], *, lock: bool) -> list[StockLevel]:
    """The levels of ``item_ids``, in that order; their rows locked in id order if asked.

    Raises:
        ItemNotFoundError: An item was never added (the first such, in the given order).
    """
    query = _LEVELS_LOCKED if lock else _LEVELS
    found = connection.execute(query, {"item_ids": [str(item_id) for item_id in item_ids]})
    rows = {row.id: row for row in found}
    levels = []
    for item_id in item_ids:
        row = rows.get(str(item_id))
        if row is None:
            msg = f"no stock item {item_id!r}: add_item() it before selling it"
            raise ItemNotFoundError(msg)
        item = StockItem(
            id=ItemId(row.id),
            name=row.name,
            on_hand=row.on_hand,
            low_stock_threshold=row.low_stock_threshold,
        )
        levels.append(StockLevel(item=item, held=row.held, sold=row.sold, version=row.version))
    return levels


def _lock_items(connection: Connection, item_ids: Iterable[ItemId]) -> None:
    """Lock the rows of ``item_ids`` in id order (PostgreSQL; SQLite's writer is alone)."""
    if connection.dialect.name != "postgresql":
        return
    ids = sorted({str(item_id) for item_id in item_ids})
    connection.execute(_LOCK, {"item_ids": ids}).all()


def _lock_items_of(connection: Connection, holds: Sequence[StockHold]) -> None:
    """Lock the items of every hold a sweep expires, before it changes any count."""
    _lock_items(connection, (line.item for hold in holds for line in hold.lines))


def _count(connection: Connection, hold: StockHold, was: HoldStatus | None) -> None:
    """Move the hold's units between the items' counts to match its new status."""
    if was is hold.status:  # extended: the units stay where they are
        return
    moves = []
    for line in hold.lines:  # sorted by item: the rows are changed in one order
        held, sold = _counted(was, line.quantity)
        held_after, sold_after = _counted(hold.status, line.quantity)
        moves.append(
            {"item_id": str(line.item), "held_by": held_after - held, "sold_by": sold_after - sold}
        )
    connection.execute(_MOVE, moves)


def _counted(status: HoldStatus | None, quantity: int) -> tuple[int, int]:
    """The (held, sold) units a hold of ``quantity`` counts for in ``status`` (``None``: new)."""
    if status is HoldStatus.HELD:
        return quantity, 0
    if status is HoldStatus.CONFIRMED:
        return 0, quantity
    return 0, 0


def _events(connection: Connection, hold_id: HoldId) -> tuple[LowStockReached, ...]:
    """The low-stock events the reservation of ``hold_id`` reported."""
    text = connection.execute(_EVENTS, {"hold_key": str(hold_id)}).scalar_one_or_none()
    return () if text is None else cast(tuple[LowStockReached, ...], decode(text))
