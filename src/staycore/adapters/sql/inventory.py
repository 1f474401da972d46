"""The SQL adapter's inventory store: nightly counts, blocks, holds and the room rack.

The counts of each unit type and night are one row of ``staycore_inventory_nights``
(capacity, allowance, sold, held, blocked), created for every night of the unit type's
calendar (``staycore_inventory_calendars``) when it is opened or grown. Holds are rows
of ``staycore_inventory_holds`` (see :mod:`staycore.adapters.sql.holds`), blocks rows of
``staycore_inventory_blocks``; where rooms are assigned, the units are rows of
``staycore_inventory_units`` and each night a unit is occupied is a row of
``staycore_inventory_unit_nights``, keyed by unit and night.

Reserving is one transaction of a few statements, whatever the length of the stay:

1. claim the hold id: insert the hold's row, or find the hold of an earlier identical
   request (a retry) and return it;
2. expire the unit type's held holds on those nights that are past their expiry, giving
   their rooms back, so that a lapsed hold never keeps a room from a paying guest;
3. one conditional ``UPDATE`` of the stay's nights that adds the rooms to ``held`` only
   where ``capacity + allowance - sold - held - blocked`` leaves room for them. When it
   changes every night of the stay, the rooms are taken. Otherwise the nights it left
   out are judged again from a fresh read by the domain (:meth:`InventoryCalendar.shortfalls
   <staycore.availability.inventory.InventoryCalendar.shortfalls>`): nights short of
   rooms refuse the stay with :class:`~staycore.availability.inventory.NotAvailableError`
   and the transaction rolls back; if none is short (see below), a second update takes
   the rest.

On PostgreSQL (READ COMMITTED) the update locks the stay's night rows first, in night
order (``night IN (SELECT ... ORDER BY night FOR UPDATE)``), and PostgreSQL re-checks
the condition on a row a concurrent transaction changed meanwhile, as that transaction
left it: two servers racing for the last room take turns on its row, and the second
finds no room. (A row the statement's snapshot shows full is not re-checked, even if
the transaction it waited for freed it: hence the second look, on rows locked by then.)
Every statement that changes counts locks its night rows in (unit type, night) order,
and holds are always locked before nights, so two transactions cannot deadlock. On
SQLite the write transaction excludes every other writer. A CHECK constraint keeps every
count from going below zero.

Step 2 expires only the holds the decision depends on: due holds of other unit types
or nights wait for the sweeper (:meth:`~SqlInventoryStore.expire_due`) or for the next
decision that needs them, and until then :meth:`~SqlInventoryStore.counts` and
:meth:`~SqlInventoryStore.calendar` count them as held, as the memory store's do until
something expires them. A refused reservation rolls its expiries back with the rest.

Assigning units relies on the key of ``staycore_inventory_unit_nights``: a unit has one
row per night at most, so of two servers putting two guests in one unit on one night,
the database lets one in; the other finds the row taken and is refused with
:class:`~staycore.availability.units.UnitTakenError`, as the domain's
:class:`~staycore.availability.units.UnitRack` describes it.

Example:
    >>> import staycore.adapters.sql.inventory
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.inventory import SqlInventoryStore
    >>> from staycore.availability.ids import HoldId, UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.stay_holds import StayHoldRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Stay
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-01T09:00:00Z")
    >>> store = SqlInventoryStore(SqlStore.create("sqlite://").database, clock)
    >>> twin = UnitTypeId.new()
    >>> july = Stay.parse("2026-07-01/2026-08-01")
    >>> store.open_calendar(twin, july)
    >>> store.set_capacity(twin, NightSelection.of(july), 1)
    >>> def request(stay: str) -> StayHoldRequest:
    ...     return StayHoldRequest(
    ...         hold_id=HoldId.new(), unit_type=twin, stay=Stay.parse(stay),
    ...         owner=Identifier.new(), expires_at=clock.now().add(minutes=15),
    ...     )
    >>> first = store.reserve(request("2026-07-10/2026-07-12"))
    >>> store.reserve(request("2026-07-11/2026-07-13"))
    Traceback (most recent call last):
    ...
    staycore.availability.inventory.NotAvailableError: [...] ... on 2026-07-11 (0 of 1); ...
    >>> _ = clock.advance(minutes=16)  # the first guest never paid
    >>> store.reserve(request("2026-07-11/2026-07-13")).status.value
    'held'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, cast

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.holds import (
    SqlHoldBook,
    SqlHoldKeeping,
    hold_table,
    settled,
)
from staycore.adapters.sql.schema import IDENTIFIER, metadata
from staycore.availability.blocks import Block
from staycore.availability.holds import HoldAction, HoldNotActiveError, HoldStatus
from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import (
    Count,
    InvalidCapacityError,
    InventoryCalendar,
    NightCounts,
    NightOutsideCalendarError,
    NotAvailableError,
)
from staycore.availability.nights import NightSelection
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.availability.units import InvalidAssignmentError, Unit, UnitRack
from staycore.kernel.errors import StoreBusyError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Clock, Stay

__all__ = [
    "SqlInventoryStore",
    "inventory_blocks",
    "inventory_calendars",
    "inventory_holds",
    "inventory_nights",
    "inventory_unit_nights",
    "inventory_units",
]

_POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ONE_NIGHT: Final = dt.timedelta(days=1)

inventory_calendars: Final = sa.Table(
    "staycore_inventory_calendars",
    metadata,
    sa.Column("unit_type", IDENTIFIER, primary_key=True),
    sa.Column("check_in", sa.Date, nullable=False, comment="the first night counted"),
    sa.Column("check_out", sa.Date, nullable=False, comment="the night after the last"),
    comment="the nights each unit type is counted over",
)
"""The horizon of each unit type's calendar: it has a row of counts for every night."""

inventory_nights: Final = sa.Table(
    "staycore_inventory_nights",
    metadata,
    sa.Column("unit_type", IDENTIFIER, primary_key=True),
    sa.Column("night", sa.Date, primary_key=True),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("allowance", sa.Integer, nullable=False),
    sa.Column("sold", sa.Integer, nullable=False),
    sa.Column("held", sa.Integer, nullable=False),
    sa.Column("blocked", sa.Integer, nullable=False),
    sa.CheckConstraint(
        "capacity >= 0 AND allowance >= 0 AND sold >= 0 AND held >= 0 AND blocked >= 0",
        name="counts_not_negative",
    ),
    comment="the counts of each unit type and night",
)
"""The five counts of each unit type and night; reservations update them conditionally."""

inventory_holds: Final = hold_table(
    "staycore_inventory_holds",
    sa.Column("unit_type", IDENTIFIER, nullable=False),
    sa.Column("check_in", sa.Date, nullable=False),
    sa.Column("check_out", sa.Date, nullable=False),
    sa.Index(None, "unit_type", "check_in"),
    comment="holds on rooms of a unit type over the nights of a stay",
)
"""Every stay hold, by unit type and stay."""

inventory_blocks: Final = sa.Table(
    "staycore_inventory_blocks",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("unit_type", IDENTIFIER, nullable=False),
    sa.Column("check_in", sa.Date, nullable=False),
    sa.Column("check_out", sa.Date, nullable=False),
    sa.Column("body", sa.Text, nullable=False, comment="the block, as the codec writes it"),
    sa.Index(None, "unit_type", "check_in"),
    comment="rooms out of sale: maintenance, owner use, bookings made elsewhere",
)
"""Every block, by unit type and nights."""

inventory_units: Final = sa.Table(
    "staycore_inventory_units",
    metadata,
    sa.Column("position", _POSITION, primary_key=True, autoincrement=True),
    sa.Column("id", IDENTIFIER, nullable=False, unique=True),
    sa.Column("unit_type", IDENTIFIER, nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    comment="the units of each unit type, in the order they were added",
)
"""Every unit (room 101), in the order added (``position``)."""

inventory_unit_nights: Final = sa.Table(
    "staycore_inventory_unit_nights",
    metadata,
    sa.Column("unit_id", IDENTIFIER, primary_key=True),
    sa.Column("night", sa.Date, primary_key=True),
    sa.Column("occupant", IDENTIFIER, nullable=False, index=True, comment="a hold or block id"),
    comment="who occupies each unit on each night it is occupied: the room rack",
)
"""The occupied nights of every unit; the key lets one occupant in per unit and night."""

_N = inventory_nights.c
_H = inventory_holds.c
_B = inventory_blocks.c
_U = inventory_units.c
_O = inventory_unit_nights.c
# What each status counts as in the calendar; released and expired holds count as nothing.
_COUNT_OF: Final = {HoldStatus.HELD: Count.HELD, HoldStatus.CONFIRMED: Count.SOLD}
_LIVE: Final = (HoldStatus.HELD.value, HoldStatus.CONFIRMED.value)
_COUNTS: Final = ("capacity", "allowance", *(count.value for count in Count))
# The holds of a unit type on some nights: the due ones a decision on them expires first.
_AROUND: Final = sa.and_(
    _H.unit_type == sa.bindparam("unit_type_key"),
    _H.check_in < sa.bindparam("end_night"),
    _H.check_out > sa.bindparam("first_night"),
)


class SqlInventoryStore(SqlHoldKeeping[StayHold, StayHoldRequest]):
    """An :class:`~staycore.ports.inventory.InventoryStore` in a SQL database.

    Args:
        database: The database, with staycore's tables.
        clock: Tells when holds expire.

    Example:
        Continuing the module example above:

        >>> from staycore.ports.inventory import InventoryStore
        >>> isinstance(store, InventoryStore)
        True
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._holds: SqlHoldBook[StayHold, StayHoldRequest] = SqlHoldBook(
            inventory_holds,
            describe=lambda hold: f"{hold.stay} of {hold.unit_type}",
            keep_in_step=_count,
            lock_counts=lambda connection, holds: _lock_nights(
                connection, [(hold.unit_type, hold.stay) for hold in holds]
            ),
            columns=lambda hold: {
                "unit_type": str(hold.unit_type),
                "check_in": hold.stay.check_in,
                "check_out": hold.stay.check_out,
            },
            scopes={"around": _AROUND},
        )

    # -- calendars -------------------------------------------------------------------

    def open_calendar(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        """Make ``unit_type`` countable over ``horizon``; an open calendar grows to cover it.

        Example:
            Continuing the module example above:

            >>> store.open_calendar(twin, Stay.parse("2026-08-01/2026-09-01"))
            >>> [c.capacity for c in store.counts(twin, Stay.parse("2026-07-31/2026-08-02"))]
            [1, 0]
        """

        def open_calendar(connection: Connection) -> None:
            row = {
                "unit_type": str(unit_type),
                "check_in": horizon.check_in,
                "check_out": horizon.check_out,
            }
            if insert_unless_present(connection, inventory_calendars, row):
                new = [horizon]
            else:
                current = _horizon(connection, unit_type, lock=True)
                hull = Stay(
                    min(current.check_in, horizon.check_in),
                    max(current.check_out, horizon.check_out),
                )
                if hull == current:
                    return
                new = [
                    span
                    for span in (
                        _span(hull.check_in, current.check_in),
                        _span(current.check_out, hull.check_out),
                    )
                    if span is not None
                ]
                connection.execute(
                    inventory_calendars.update()
                    .where(inventory_calendars.c.unit_type == str(unit_type))
                    .values(check_in=hull.check_in, check_out=hull.check_out)
                )
            zero = {"capacity": 0, "allowance": 0, "sold": 0, "held": 0, "blocked": 0}
            connection.execute(
                inventory_nights.insert(),
                [
                    {"unit_type": str(unit_type), "night": night, **zero}
                    for span in new
                    for night in span
                ],
            )

        self._database.run(open_calendar)

    def set_capacity(self, unit_type: UnitTypeId, nights: NightSelection, capacity: int) -> None:
        """Set the rooms that exist on the selected nights.

        Raises:
            InvalidCapacityError: ``capacity`` is negative.
            NightOutsideCalendarError: A selected night is outside the calendar.

        Example:
            See the module example.
        """
        self._set("capacity", unit_type, nights, capacity)

    def set_allowance(self, unit_type: UnitTypeId, nights: NightSelection, allowance: int) -> None:
        """Set the overbooking allowance on the selected nights.

        Raises:
            InvalidCapacityError: ``allowance`` is negative.
            NightOutsideCalendarError: A selected night is outside the calendar.

        Example:
            Continuing the module example above:

            >>> store.set_allowance(twin, NightSelection.of(july), -1)
            Traceback (most recent call last):
            ...
            staycore.availability.inventory.InvalidCapacityError: [...] allowance must be ...
        """
        self._set("allowance", unit_type, nights, allowance)

    def counts(self, unit_type: UnitTypeId, nights: Stay) -> tuple[NightCounts, ...]:
        """Return the counts of every night of ``nights``, in order.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar, or a night is
                outside it.

        Example:
            Continuing the module example above:

            >>> counts = store.counts(twin, Stay.parse("2026-07-11/2026-07-13"))
            >>> [(c.held, c.available) for c in counts]
            [(1, 0), (1, 0)]
        """
        with self._database.transaction(write=False) as connection:
            calendar = _calendar(connection, unit_type, nights)
        return tuple(calendar.counts(night) for night in nights)

    def calendar(self, unit_type: UnitTypeId, nights: Stay) -> InventoryCalendar:
        """Return a snapshot of the unit type's counts over ``nights`` (zero outside).

        Raises:
            NightOutsideCalendarError: The unit type has no calendar.

        Example:
            Continuing the module example above:

            >>> store.calendar(twin, Stay.parse("2026-06-30/2026-07-02")).availability(
            ...     Stay.parse("2026-06-30/2026-07-02")
            ... )
            [0, 1]
        """
        with self._database.transaction(write=False) as connection:
            calendar = _calendar(connection, unit_type, nights)
        return calendar.window(nights)

    def holds(self, unit_type: UnitTypeId, nights: Stay) -> tuple[StayHold, ...]:
        """Return the live holds of the unit type on any of ``nights``, expiring due ones.

        Example:
            Continuing the module example above:

            >>> [h.status.value for h in store.holds(twin, july)]
            ['held']
        """
        now = self._now()

        def holds(connection: Connection) -> tuple[StayHold, ...]:
            self._expire_around(connection, unit_type, nights, now)
            query = (
                sa.select(_H.body)
                .where(_overlapping(_H, unit_type, nights), _H.status.in_(_LIVE))
                .order_by(_H.id)
            )
            return tuple(
                cast(StayHold, decode(body)) for body in connection.execute(query).scalars()
            )

        return self._database.run(holds)

    def blocks(self, unit_type: UnitTypeId, nights: Stay) -> tuple[Block, ...]:
        """Return the blocks of the unit type that take any of ``nights``.

        Example:
            Continuing the module example above:

            >>> store.blocks(twin, july)
            ()
        """
        query = sa.select(_B.body).where(_overlapping(_B, unit_type, nights)).order_by(_B.id)
        with self._database.transaction(write=False) as connection:
            bodies = connection.execute(query).scalars().all()
        return tuple(cast(Block, decode(body)) for body in bodies)

    # -- blocks ----------------------------------------------------------------------

    def block(self, block: Block) -> None:
        """Take the block's rooms out of sale; blocking the same block again does nothing.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar, or the block
                reaches outside it.
            UnitNotFoundError: The block's unit is not one of the unit type's.
            UnitTakenError: A hold or another block occupies the block's unit.

        Example:
            Continuing the module example above:

            >>> from staycore.availability.blocks import Block, BlockReason
            >>> from staycore.availability.ids import BlockId
            >>> paint = Block(
            ...     id=BlockId.new(), unit_type=twin, nights=Stay.parse("2026-07-20/2026-07-22"),
            ...     reason=BlockReason.MAINTENANCE,
            ... )
            >>> store.block(paint)
            >>> [c.blocked for c in store.counts(twin, Stay.parse("2026-07-20/2026-07-23"))]
            [1, 1, 0]
        """
        row = {
            "id": str(block.id),
            "unit_type": str(block.unit_type),
            "check_in": block.nights.check_in,
            "check_out": block.nights.check_out,
            "body": encode(block),
        }

        def take(connection: Connection) -> None:
            if not insert_unless_present(connection, inventory_blocks, row):
                return
            horizon = _horizon(connection, block.unit_type)
            if block.unit is not None:  # checks the nights too, before anything changes
                _occupy(
                    connection,
                    block.unit_type,
                    horizon,
                    [block.unit],
                    nights=block.nights,
                    occupant=block.id,
                )
            # Blocks are taken even when nothing is left: the rooms are gone in any case.
            InventoryCalendar(block.unit_type, horizon).take(
                block.nights, block.rooms, Count.BLOCKED
            )
            _move(connection, block.unit_type, block.nights, {"blocked": block.rooms})

        self._database.run(take)

    def unblock(self, block_id: BlockId) -> None:
        """Give a block's rooms back; unknown or already removed blocks are ignored.

        Example:
            Continuing the module example above:

            >>> store.unblock(paint.id)
            >>> store.unblock(paint.id)
            >>> [c.blocked for c in store.counts(twin, Stay.parse("2026-07-20/2026-07-23"))]
            [0, 0, 0]
        """

        def give_back(connection: Connection) -> None:
            body = connection.execute(
                inventory_blocks.delete().where(_B.id == str(block_id)).returning(_B.body)
            ).scalar()
            if body is None:
                return
            block = cast(Block, decode(body))
            _move(connection, block.unit_type, block.nights, {"blocked": -block.rooms})
            _vacate(connection, block.id)

        self._database.run(give_back)

    # -- holds -----------------------------------------------------------------------

    def reserve(self, request: StayHoldRequest) -> StayHold:
        """Hold the rooms of every night of the request's stay, or none of them.

        Raises:
            NotAvailableError: Some night lacks rooms; nothing was taken.
            DuplicateHoldError: The hold id was used for a different request.
            NightOutsideCalendarError: The stay reaches outside the calendar.

        Example:
            See the module example.
        """
        now = self._now()
        hold = request.to_hold()
        unit_type, stay = request.unit_type, request.stay

        def reserve(connection: Connection) -> StayHold:
            retried = self._holds.claim(connection, hold, request)
            if retried is not None:
                return retried
            self._expire_around(connection, unit_type, stay, now, sparing=hold.id)
            _take(connection, request, Count.HELD)
            return hold

        return self._database.run(reserve)

    def replace(self, hold_id: HoldId, request: StayHoldRequest) -> StayHold:
        """Release a live hold and take ``request`` instead, or change nothing.

        Raises:
            HoldNotFoundError: No hold ``hold_id``.
            HoldNotActiveError: The old hold was released or has expired.
            NotAvailableError: Some night lacks rooms even with the old hold's given back.
            DuplicateHoldError: The request's hold id was used for a different request.

        Example:
            Continuing the module example above (a guest moves a night later):

            >>> mine = store.reserve(request("2026-07-24/2026-07-26"))
            >>> moved = store.replace(mine.id, request("2026-07-25/2026-07-27"))
            >>> store.hold(mine.id).status.value, str(moved.stay)
            ('released', '2026-07-25/2026-07-27')
        """
        now = self._now()
        unit_type, stay = request.unit_type, request.stay

        def replace(connection: Connection) -> StayHold | HoldNotActiveError:
            retried = self._holds.retried(connection, request)
            if retried is not None:
                return retried
            # Lock the old hold before the nights of the due holds: holds before nights.
            self._holds.find(connection, hold_id, lock=True)
            self._expire_around(connection, unit_type, stay, now)
            old = self._holds.current(connection, hold_id, now)
            if not old.status.takes_inventory:
                retried = self._holds.retried(connection, request)  # it won a race with us
                if retried is not None:
                    return retried
                msg = f"hold {hold_id} is {old.status.value}: there is nothing to replace"
                return HoldNotActiveError(msg)
            _lock_nights(connection, [(old.unit_type, old.stay), (unit_type, stay)])
            # Give the old hold's rooms back to the counts, then judge the request on what
            # that leaves (the rule of InventoryCalendar.shortfalls(giving_back=...), which
            # the memory store asks): on a night that owes rooms (blocks taken when none
            # were left) they pay the debt before anything is left for the request. A
            # refusal rolls the release back with the rest.
            self._holds.change(connection, old, HoldAction.RELEASE)
            new = request.to_hold()
            if old.status is HoldStatus.CONFIRMED:
                new = attrs.evolve(new, status=HoldStatus.CONFIRMED)
            _take(connection, request, _COUNT_OF[new.status])
            if self._holds.claim(connection, new, request) is not None:
                # Another request took the hold id meanwhile: run again, to find it.
                msg = f"hold id {request.hold_id} was taken while it was replacing {hold_id}"
                raise StoreBusyError(msg)
            return new

        return settled(self._database.run(replace))

    # -- units -----------------------------------------------------------------------

    def add_unit(self, unit: Unit) -> None:
        """Add a unit to its unit type's rack; adding the same unit again does nothing.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar yet.
            InvalidAssignmentError: The id is taken by a different unit.

        Example:
            Continuing the module example above:

            >>> from staycore.availability.ids import UnitId
            >>> from staycore.availability.units import Unit
            >>> r101 = Unit(id=UnitId.new(), unit_type=twin, name="101")
            >>> store.add_unit(r101)
            >>> store.add_unit(attrs.evolve(r101, name="Suite"))
            Traceback (most recent call last):
            ...
            staycore.availability.units.InvalidAssignmentError: [...] ... the unit '101'; ...
        """
        row = {"id": str(unit.id), "unit_type": str(unit.unit_type), "name": unit.name}

        def add(connection: Connection) -> None:
            _horizon(connection, unit.unit_type)  # refuses a unit type with no calendar
            if insert_unless_present(connection, inventory_units, row):
                return
            known = connection.execute(
                sa.select(_U.unit_type, _U.name).where(_U.id == str(unit.id))
            ).one()
            if (known.unit_type, known.name) != (str(unit.unit_type), unit.name):
                msg = f"{unit.id} is already the unit {known.name!r}; give a new unit a new id"
                raise InvalidAssignmentError(msg)

        self._database.run(add)

    def rack(self, unit_type: UnitTypeId, nights: Stay) -> UnitRack:
        """Return a snapshot of the unit type's units and their occupants over ``nights``.

        Raises:
            NightOutsideCalendarError: The unit type has no calendar.

        Example:
            Continuing the module example above:

            >>> [unit.name for unit in store.rack(twin, july).free(july)]
            ['101']
        """
        with self._database.transaction(write=False) as connection:
            _horizon(connection, unit_type)
            return _rack(connection, unit_type, nights, nights)

    def assign(self, hold_id: HoldId, units: Sequence[UnitId]) -> StayHold:
        """Put a live hold in ``units``, one per room it holds, or in none of them.

        Raises:
            HoldNotFoundError: No such hold.
            HoldNotActiveError: The hold was released or has expired.
            InvalidAssignmentError: Not one unit per room, or a unit given twice.
            UnitNotFoundError: A unit is not one of the hold's unit type.
            UnitTakenError: Another hold or block occupies a unit on some night.

        Example:
            Continuing the module example above:

            >>> store.assign(moved.id, [r101.id]).units == (r101.id,)
            True
            >>> [unit.name for unit in store.rack(twin, moved.stay).free(moved.stay)]
            []
        """
        now = self._now()

        def assign(connection: Connection) -> StayHold | HoldNotActiveError:
            hold = self._holds.current(connection, hold_id, now)
            if not hold.status.takes_inventory:
                msg = f"hold {hold_id} is {hold.status.value}: it has no nights to assign"
                return HoldNotActiveError(msg)
            if len(units) != hold.rooms:
                msg = f"hold {hold_id} holds {hold.rooms} rooms: assign {hold.rooms} units"
                raise InvalidAssignmentError(msg)
            horizon = _horizon(connection, hold.unit_type)
            _occupy(connection, hold.unit_type, horizon, units, nights=hold.stay, occupant=hold.id)
            return self._holds.write(
                connection, attrs.evolve(hold, units=tuple(units)), was=hold.status
            )

        return settled(self._database.run(assign))

    # -- internals -------------------------------------------------------------------

    def _set(self, name: str, unit_type: UnitTypeId, nights: NightSelection, value: int) -> None:
        def set_count(connection: Connection) -> None:
            # The domain checks the value and that every night is in the calendar.
            checked = InventoryCalendar(unit_type, _horizon(connection, unit_type))
            getattr(checked, f"set_{name}")(nights, value)
            params: dict[str, object] = {
                "unit_type_key": str(unit_type),
                "first_night": nights.span.check_in,
                "end_night": nights.span.check_out,
                "new_value": value,
            }
            if nights.weekdays is not None:
                params["only_nights"] = list(nights)
            connection.execute(
                inventory_nights.update()
                .where(_locked_nights(only=nights.weekdays is not None))
                .values({name: sa.bindparam("new_value")}),
                params,
            )

        self._database.run(set_count)

    def _expire_around(
        self,
        connection: Connection,
        unit_type: UnitTypeId,
        nights: Stay,
        now: dt.datetime,
        *,
        sparing: HoldId | None = None,
    ) -> None:
        """Expire the unit type's due holds on ``nights``, locking their nights and these."""
        due = self._holds.due(
            connection,
            now,
            scope="around",
            params={
                "unit_type_key": str(unit_type),
                "first_night": nights.check_in,
                "end_night": nights.check_out,
            },
            sparing=sparing,
        )
        if due:
            spans = [(hold.unit_type, hold.stay) for hold in due]
            _lock_nights(connection, [*spans, (unit_type, nights)])
            self._holds.expire(connection, due, counts_locked=True)

    def __repr__(self) -> str:
        return f"SqlInventoryStore({self._database!r})"


# -- the nights' counts -----------------------------------------------------------------


def _span(first: dt.date, end: dt.date) -> Stay | None:
    return Stay(first, end) if first < end else None


def _overlapping(row: Any, unit_type: UnitTypeId, nights: Stay) -> sa.ColumnElement[bool]:  # noqa: ANN401 - a table's columns
    """Rows of ``unit_type`` whose nights (``check_in``, ``check_out``) meet ``nights``."""
    return sa.and_(
        row.unit_type == str(unit_type),
        row.check_in < nights.check_out,
        row.check_out > nights.check_in,
    )


def _locked_nights(*, only: bool) -> sa.ColumnElement[bool]:
    """The unit type's night rows from one night to another, locked in night order.

    ``night IN (SELECT night ... ORDER BY night FOR UPDATE)``: on PostgreSQL the rows are
    locked one after the other in night order before any is changed, so two updates of
    overlapping stays cannot deadlock. SQLite ignores the lock (its writer is alone).
    Parameters: ``unit_type_key``, ``first_night``, ``end_night`` (not included), and
    with ``only`` the nights to change among them, ``only_nights``.
    """
    locked = inventory_nights.alias("locked_nights").c
    query = sa.select(locked.night).where(
        locked.unit_type == sa.bindparam("unit_type_key"),
        locked.night >= sa.bindparam("first_night"),
        locked.night < sa.bindparam("end_night"),
    )
    if only:
        query = query.where(locked.night.in_(sa.bindparam("only_nights", expanding=True)))
    query = query.order_by(locked.night).with_for_update()
    return sa.and_(_N.unit_type == sa.bindparam("unit_type_key"), _N.night.in_(query))


def _move_statement(*, room_for: bool, only: bool) -> sa.UpdateBase:
    statement = (
        inventory_nights.update()
        .where(_locked_nights(only=only))
        .values(
            sold=_N.sold + sa.bindparam("sold_by"),
            held=_N.held + sa.bindparam("held_by"),
            blocked=_N.blocked + sa.bindparam("blocked_by"),
        )
        .returning(_N.night)
    )
    if room_for:
        left = _N.capacity + _N.allowance - _N.sold - _N.held - _N.blocked
        statement = statement.where(left >= sa.bindparam("room_for"))
    return statement


# The updates of the counts, built once: building a statement costs more than running it.
_MOVES: Final = {
    (room_for, only): _move_statement(room_for=room_for, only=only)
    for room_for in (False, True)
    for only in (False, True)
}


def _move(
    connection: Connection,
    unit_type: UnitTypeId,
    nights: Stay,
    changes: Mapping[str, int],
    *,
    room_for: int | None = None,
    only: Sequence[dt.date] | None = None,
) -> list[dt.date]:
    """Add ``changes`` to the sold, held and blocked counts of ``nights`` (or ``only``).

    With ``room_for``, only nights with that many rooms left change. Returns the nights
    changed: all of them, unless some are outside the calendar or lack rooms.
    """
    params: dict[str, object] = {
        "unit_type_key": str(unit_type),
        "first_night": nights.check_in,
        "end_night": nights.check_out,
        **{f"{count.value}_by": changes.get(count.value, 0) for count in Count},
    }
    if room_for is not None:
        params["room_for"] = room_for
    if only is not None:
        params["only_nights"] = list(only)
    statement = _MOVES[room_for is not None, only is not None]
    return list(connection.execute(statement, params).scalars())


def _lock_nights(connection: Connection, spans: Iterable[tuple[UnitTypeId, Stay]]) -> None:
    """Lock the night rows of every span, in (unit type, night) order (PostgreSQL only).

    Spans of one unit type are locked as one range, from the first night to the last.
    """
    if connection.dialect.name != "postgresql":
        return  # SQLite's write transaction already excludes every other writer
    hulls: dict[str, tuple[dt.date, dt.date]] = {}
    for unit_type, span in spans:
        first, end = hulls.get(str(unit_type), (span.check_in, span.check_out))
        hulls[str(unit_type)] = (min(first, span.check_in), max(end, span.check_out))
    ranges = [
        sa.and_(_N.unit_type == unit_type, _N.night >= first, _N.night < end)
        for unit_type, (first, end) in sorted(hulls.items())
    ]
    connection.execute(
        sa.select(_N.unit_type, _N.night)
        .where(sa.or_(*ranges))
        .order_by(_N.unit_type, _N.night)
        .with_for_update()
    ).all()


def _count(connection: Connection, hold: StayHold, was: HoldStatus | None) -> None:
    """Move the hold's rooms between the night counts to match its new status."""
    before = None if was is None else _COUNT_OF.get(was)
    after = _COUNT_OF.get(hold.status)
    if before is after:  # extended or assigned: the rooms stay where they are
        return
    changes: dict[str, int] = {}
    if before is not None:
        changes[before.value] = -hold.rooms
    if after is not None:
        changes[after.value] = hold.rooms
    moved = _move(connection, hold.unit_type, hold.stay, changes)
    if len(moved) != hold.stay.nights:  # pragma: no cover - calendars only grow
        msg = f"the nights of hold {hold.id} ({hold.stay}) are missing from the calendar"
        raise InvalidCapacityError(msg)
    if after is None:
        _vacate(connection, hold.id)  # a freed hold leaves its units


_C = inventory_calendars.c
_HORIZON: Final = sa.select(_C.check_in, _C.check_out).where(
    _C.unit_type == sa.bindparam("unit_type_key")
)
# The horizon with the nights of a window, in one round trip; no nights, no calendar.
_WINDOW: Final = (
    sa.select(_C.check_in, _C.check_out, *(_N[name] for name in ("night", *_COUNTS)))
    .select_from(
        inventory_calendars.outerjoin(
            inventory_nights,
            sa.and_(
                _N.unit_type == _C.unit_type,
                _N.night >= sa.bindparam("first_night"),
                _N.night < sa.bindparam("end_night"),
            ),
        )
    )
    .where(_C.unit_type == sa.bindparam("unit_type_key"))
    .order_by(_N.night)
)


def _horizon(connection: Connection, unit_type: UnitTypeId, *, lock: bool = False) -> Stay:
    """The nights the unit type's calendar covers.

    Raises:
        NightOutsideCalendarError: The unit type has no calendar.
    """
    query = _HORIZON.with_for_update() if lock else _HORIZON
    found = connection.execute(query, {"unit_type_key": str(unit_type)}).first()
    if found is None:
        raise _no_calendar(unit_type)
    return Stay(found.check_in, found.check_out)


def _no_calendar(unit_type: UnitTypeId) -> NightOutsideCalendarError:
    msg = f"{unit_type} has no calendar; open_calendar() it over the nights you sell"
    return NightOutsideCalendarError(msg)


def _calendar(connection: Connection, unit_type: UnitTypeId, nights: Stay) -> InventoryCalendar:
    """The unit type's calendar over its whole horizon, with the counts of ``nights`` read.

    Raises:
        NightOutsideCalendarError: The unit type has no calendar.
    """
    params = {
        "unit_type_key": str(unit_type),
        "first_night": nights.check_in,
        "end_night": nights.check_out,
    }
    found = connection.execute(_WINDOW, params).all()
    if not found:
        raise _no_calendar(unit_type)
    calendar = InventoryCalendar(unit_type, Stay(found[0].check_in, found[0].check_out))
    rows = [row for row in found if row.night is not None]
    for name, runs in (
        ("capacity", _runs(rows, "capacity")),
        ("allowance", _runs(rows, "allowance")),
    ):
        for span, value in runs:
            getattr(calendar, f"set_{name}")(NightSelection.of(span), value)
    for count in Count:
        for span, value in _runs(rows, count.value):
            calendar.take(span, value, count)
    return calendar


def _runs(rows: Sequence[Row[Any]], name: str) -> Iterator[tuple[Stay, int]]:
    """The runs of consecutive nights with one non-zero value of count ``name``."""
    first: dt.date | None = None
    last = dt.date.min
    value = 0
    for row in rows:
        night, current = row.night, getattr(row, name)
        if first is not None and current == value and night == last + _ONE_NIGHT:
            last = night
            continue
        if first is not None and value:
            yield Stay(first, last + _ONE_NIGHT), value
        first, last, value = night, night, current
    if first is not None and value:
        yield Stay(first, last + _ONE_NIGHT), value


def _take(connection: Connection, request: StayHoldRequest, count: Count) -> None:
    """Add the request's rooms to ``count`` on every night of its stay, or refuse the stay.

    One conditional update normally decides. It locks every night of the stay first (in
    night order), but on PostgreSQL it judges each night as the statement's snapshot
    shows it: a night a concurrent transaction freed while the update waited for its
    lock still looks full, and is left out. So when some nights are left out, they are
    judged again from a fresh read, now that they are locked: the domain names the
    nights really short (:meth:`InventoryCalendar.shortfalls
    <staycore.availability.inventory.InventoryCalendar.shortfalls>`), and if there are
    none, a second update takes the rest.

    Raises:
        NotAvailableError: Some nights lack rooms; the caller's transaction must roll back.
        NightOutsideCalendarError: The unit type has no calendar, or the stay reaches
            outside it.
    """
    unit_type, stay, rooms = request.unit_type, request.stay, request.rooms
    taken = _move(connection, unit_type, stay, {count.value: rooms}, room_for=rooms)
    if len(taken) == stay.nights:
        return
    calendar = _calendar(connection, unit_type, stay)
    for night in taken:  # judge the stay as it was before this update
        calendar.give_back(Stay.of_nights(night, 1), rooms, count)
    shortfalls = calendar.shortfalls(stay, rooms)
    if shortfalls:
        raise NotAvailableError(unit_type, shortfalls)
    rest = sorted(set(stay) - set(taken))
    more = _move(connection, unit_type, stay, {count.value: rooms}, room_for=rooms, only=rest)
    if len(more) != len(rest):  # pragma: no cover - the nights are locked by now
        msg = f"the nights of {stay} changed while they were checked; run it again"
        raise StoreBusyError(msg)


# -- the room rack ----------------------------------------------------------------------


def _rack(
    connection: Connection,
    unit_type: UnitTypeId,
    horizon: Stay,
    window: Stay | None,
    unit_ids: Sequence[UnitId] | None = None,
) -> UnitRack:
    """The unit type's rack over ``horizon``, with the occupants of ``window`` read.

    Only the units ``unit_ids`` are read when given (any that are not the unit type's
    are left out, for the rack to refuse).
    """
    rack = UnitRack(unit_type, horizon)
    query = sa.select(_U.id, _U.name).where(_U.unit_type == str(unit_type)).order_by(_U.position)
    if unit_ids is not None:
        query = query.where(_U.id.in_([str(unit_id) for unit_id in unit_ids]))
    for row in connection.execute(query):
        rack.add(Unit(id=UnitId(row.id), unit_type=unit_type, name=row.name))
    if window is None or not rack.units:
        return rack
    occupied = (
        sa.select(_O.unit_id, _O.night, _O.occupant)
        .join(inventory_units, _U.id == _O.unit_id)
        .where(
            _U.unit_type == str(unit_type),
            _O.night >= window.check_in,
            _O.night < window.check_out,
        )
        .order_by(_U.position, _O.night)
    )
    if unit_ids is not None:
        occupied = occupied.where(_O.unit_id.in_([str(unit_id) for unit_id in unit_ids]))
    where: dict[str, tuple[list[UnitId], dt.date, dt.date]] = {}
    for unit_id, night, occupant in connection.execute(occupied):
        units, first, last = where.setdefault(occupant, ([], night, night))
        if UnitId(unit_id) not in units:
            units.append(UnitId(unit_id))
        where[occupant] = (units, min(first, night), max(last, night))
    for occupant, (units, first, last) in where.items():
        rack.occupy(units, Stay(first, last + _ONE_NIGHT), _occupant(occupant))
    return rack


def _occupant(text: str) -> Identifier:
    """A hold's or a block's id, as the rack shows it."""
    if text.startswith(f"{HoldId.prefix}_"):
        return HoldId(text)
    if text.startswith(f"{BlockId.prefix}_"):
        return BlockId(text)
    return Identifier(text)  # pragma: no cover - only holds and blocks occupy units


def _occupy(
    connection: Connection,
    unit_type: UnitTypeId,
    horizon: Stay,
    unit_ids: Sequence[UnitId],
    *,
    nights: Stay,
    occupant: Identifier,
) -> None:
    """Put ``occupant`` in ``unit_ids`` for ``nights``, moving it, or refuse as the rack does.

    The domain's rack decides from the rows read; the table's key decides between two
    transactions that read the same free unit (PostgreSQL): the second one's rows are
    not inserted, and it reads the rack again to be refused with the winner named.

    Raises:
        UnitNotFoundError, InvalidAssignmentError, NightOutsideCalendarError,
        UnitTakenError: As :meth:`UnitRack.occupy
        <staycore.availability.units.UnitRack.occupy>` raises them; nothing changes.
    """
    window = nights.overlap(horizon)
    _rack(connection, unit_type, horizon, window, unit_ids).occupy(unit_ids, nights, occupant)
    _vacate(connection, occupant)
    rows = [
        {"unit_id": str(unit_id), "night": night, "occupant": str(occupant)}
        for unit_id in sorted(unit_ids)  # one order, so two inserts cannot deadlock
        for night in nights
    ]
    if _insert_new(connection, inventory_unit_nights, rows) == len(rows):
        return
    # Another transaction occupied a unit since the rack was read: say who, as the rack does.
    _rack(connection, unit_type, horizon, window, unit_ids).occupy(unit_ids, nights, occupant)
    msg = f"the units of {occupant} changed while they were assigned; run it again"
    raise StoreBusyError(msg)  # pragma: no cover - the occupant just left again


def _vacate(connection: Connection, occupant: Identifier) -> None:
    connection.execute(inventory_unit_nights.delete().where(_O.occupant == str(occupant)))


def _insert_new(connection: Connection, table: sa.Table, rows: list[dict[str, object]]) -> int:
    """Insert the rows whose key is free, in one statement; return how many went in."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415 - by dialect
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # noqa: PLC0415
    statement = insert(table).values(rows).on_conflict_do_nothing()
    return len(connection.execute(statement.returning(*table.primary_key.columns)).all())
