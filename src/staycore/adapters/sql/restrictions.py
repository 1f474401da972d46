"""The SQL adapter's restriction store: each unit type's restrictions, a row per night.

A unit type's calendar row holds the horizon its restrictions were opened over; a night
row holds the eight restrictions of one night of it, one column each (flags as 0 or 1,
numbers of days, 0 for "not set"). Nights nothing was ever set on have no row: they
read as not set, so opening or growing a calendar writes one row, whatever its length.

A change is one transaction. It locks the unit type's calendar row (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the write transaction, ``BEGIN IMMEDIATE``, already
excludes every other writer), so changes to one unit type run one after the other and
each is checked against the nights as the previous one left them: two contradictory
changes (a minimum and a maximum set at once) never both land. The check is the
domain's own (:meth:`~staycore.availability.restrictions.RestrictionCalendar.apply`, on
a copy of the nights read under the lock), and the change then writes only the columns
of the restrictions it sets, on only the selected nights: nothing another change set
is ever written back. Reads take no lock; each is one statement, so it sees each change
whole or not at all.

Example:
    >>> import calendar
    >>> from datetime import date
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.restrictions import SqlRestrictionStore
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.restrictions import Restriction
    >>> from staycore.kernel.time import Stay
    >>> store = SqlRestrictionStore(SqlStore.create("sqlite://").database)
    >>> suite, july = UnitTypeId.new(), Stay.parse("2026-07-01/2026-08-01")
    >>> store.open_restrictions(suite, july)
    >>> weekends = NightSelection(july, {calendar.FRIDAY, calendar.SATURDAY})
    >>> store.restrict(suite, weekends, {Restriction.MIN_STAY_ARRIVAL: 2})
    >>> store.restrict(suite, NightSelection.of(july), {Restriction.MAX_STAY_ARRIVAL: 14})
    >>> week = store.restrictions(suite, Stay.parse("2026-07-01/2026-07-08"))
    >>> week.column(Restriction.MIN_STAY_ARRIVAL, week.horizon)
    [0, 0, 2, 2, 0, 0, 0]
    >>> store.restrict(suite, weekends, {Restriction.MIN_STAY_ARRIVAL: 21})
    Traceback (most recent call last):
    ...
    staycore...ContradictoryRestrictionsError: ... would exceed max_stay_arrival 14 ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.schema import IDENTIFIER, metadata
from staycore.availability.ids import UnitTypeId
from staycore.availability.inventory import NightOutsideCalendarError
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import Restriction, RestrictionCalendar
from staycore.kernel.time import Stay

__all__ = ["SqlRestrictionStore", "restriction_calendars", "restriction_nights"]

_Row: TypeAlias = sa.Row[*tuple[Any, ...]]

restriction_calendars: Final = sa.Table(
    "staycore_restriction_calendars",
    metadata,
    sa.Column("unit_type", IDENTIFIER, primary_key=True),
    sa.Column("first_night", sa.Date, nullable=False),
    sa.Column("end_night", sa.Date, nullable=False, comment="the night after the last"),
)
"""The nights each unit type's restrictions cover; its row is the unit type's lock."""

restriction_nights: Final = sa.Table(
    "staycore_restriction_nights",
    metadata,
    sa.Column("unit_type", IDENTIFIER, primary_key=True),
    sa.Column("night", sa.Date, primary_key=True),
    *(
        sa.Column(restriction.value, sa.Integer, nullable=False, server_default="0")
        for restriction in Restriction
    ),
)
"""The restrictions of each night something was set on, a column per restriction."""

_CALENDAR = restriction_calendars.c
_NIGHT = restriction_nights.c
_COLUMNS: Final = tuple(_NIGHT[restriction.value] for restriction in Restriction)
_FLAGS: Final = frozenset(
    {Restriction.STOP_SELL, Restriction.CLOSED_TO_ARRIVAL, Restriction.CLOSED_TO_DEPARTURE}
)


class SqlRestrictionStore:
    """A :class:`~staycore.ports.restrictions.RestrictionStore` in a SQL database.

    Args:
        database: The database, with staycore's tables.

    Example:
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.adapters.sql.restrictions import SqlRestrictionStore
        >>> from staycore.ports.restrictions import RestrictionStore
        >>> database = SqlStore.create("sqlite://").database
        >>> isinstance(SqlRestrictionStore(database), RestrictionStore)
        True
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    def open_restrictions(self, unit_type: UnitTypeId, horizon: Stay) -> None:
        """Give ``unit_type`` restrictions over ``horizon``; an open calendar grows to cover it.

        Example:
            Continuing the module example above: August is added, July keeps its values.

            >>> store.open_restrictions(suite, Stay.parse("2026-07-15/2026-09-01"))
            >>> store.restrictions(suite, Stay.parse("2026-07-03/2026-07-04")).on(
            ...     date(2026, 7, 3))[Restriction.MIN_STAY_ARRIVAL]
            2
        """
        first, end = horizon.check_in, horizon.check_out
        row = {"unit_type": str(unit_type), "first_night": first, "end_night": end}

        def open_calendar(connection: Connection) -> None:
            if insert_unless_present(connection, restriction_calendars, row):
                return
            # One conditional update grows the calendar: no read, so nothing to race.
            connection.execute(
                restriction_calendars.update()
                .where(
                    _CALENDAR.unit_type == str(unit_type),
                    sa.or_(_CALENDAR.first_night > first, _CALENDAR.end_night < end),
                )
                .values(
                    first_night=sa.case(
                        (_CALENDAR.first_night > first, first), else_=_CALENDAR.first_night
                    ),
                    end_night=sa.case((_CALENDAR.end_night < end, end), else_=_CALENDAR.end_night),
                )
            )

        self._database.run(open_calendar)

    def restrict(
        self,
        unit_type: UnitTypeId,
        nights: NightSelection,
        changes: Mapping[Restriction, bool | int],
    ) -> None:
        """Set the restrictions in ``changes`` on the selected nights; the others stay.

        Raises:
            NightOutsideCalendarError: ``unit_type`` has no restrictions, or a selected
                night is outside them.
            InvalidRestrictionError: A value is of the wrong type or below zero.
            ContradictoryRestrictionsError: A minimum would exceed its maximum on a night.
                Nothing is changed when any error is raised.

        Example:
            See the module example.
        """
        key = str(unit_type)
        selected = list(nights)

        def restrict(connection: Connection) -> None:
            horizon = _locked_horizon(connection, unit_type)
            outside = next((night for night in selected if night not in horizon), None)
            if outside is not None:
                msg = (
                    f"{outside} is outside the restrictions of {unit_type} ({horizon}); "
                    "open_restrictions() over that night first"
                )
                raise NightOutsideCalendarError(msg)
            if not selected:
                return
            span = Stay(selected[0], selected[-1] + dt.timedelta(days=1))
            # The nights as they are, under the lock; the domain checks the change on them.
            stored = _night_rows(connection, key, span)
            scratch = _calendar(stored, span)
            scratch.apply(nights, changes)
            changed = list(changes)  # every key is a Restriction: apply() checked them
            present = {row.night for row in stored}
            _write(connection, key, scratch, selected, changed=changed, present=present)

        self._database.run(restrict)

    def restrictions(self, unit_type: UnitTypeId, nights: Stay) -> RestrictionCalendar:
        """Return a copy of the restrictions over ``nights``; nights outside read as not set.

        Raises:
            NightOutsideCalendarError: ``unit_type`` has no restrictions.

        Example:
            Continuing the module example above:

            >>> snapshot = store.restrictions(suite, Stay.parse("2026-06-30/2026-07-04"))
            >>> snapshot.column(Restriction.MAX_STAY_ARRIVAL, snapshot.horizon)
            [0, 14, 14, 14]
        """
        key = str(unit_type)
        # One statement, so the calendar and its nights are of one moment: the calendar's
        # row, joined to the nights asked for that have a row.
        joined = restriction_calendars.outerjoin(
            restriction_nights,
            sa.and_(
                _NIGHT.unit_type == _CALENDAR.unit_type,
                _NIGHT.night >= nights.check_in,
                _NIGHT.night < nights.check_out,
            ),
        )
        query = (
            sa.select(_CALENDAR.unit_type, _NIGHT.night, *_COLUMNS)
            .select_from(joined)
            .where(_CALENDAR.unit_type == key)
        )
        with self._database.transaction(write=False) as connection:
            rows = connection.execute(query).all()
        if not rows:
            raise _unopened(unit_type)
        return _calendar([row for row in rows if row.night is not None], nights)

    def __repr__(self) -> str:
        return f"SqlRestrictionStore({self._database!r})"


def _unopened(unit_type: UnitTypeId) -> NightOutsideCalendarError:
    msg = f"{unit_type} has no restrictions; open_restrictions() it over the nights you sell"
    return NightOutsideCalendarError(msg)


def _locked_horizon(connection: Connection, unit_type: UnitTypeId) -> Stay:
    """The unit type's horizon, its row locked until the transaction ends."""
    query = sa.select(_CALENDAR.first_night, _CALENDAR.end_night).where(
        _CALENDAR.unit_type == str(unit_type)
    )
    row = connection.execute(query.with_for_update()).one_or_none()
    if row is None:
        raise _unopened(unit_type)
    return Stay(row.first_night, row.end_night)


def _night_rows(connection: Connection, key: str, span: Stay) -> list[_Row]:
    query = sa.select(_NIGHT.night, *_COLUMNS).where(
        _NIGHT.unit_type == key, _NIGHT.night >= span.check_in, _NIGHT.night < span.check_out
    )
    return list(connection.execute(query))


def _calendar(rows: list[_Row], nights: Stay) -> RestrictionCalendar:
    """A new calendar over ``nights`` holding the stored night rows inside it."""
    calendar = RestrictionCalendar(nights)
    for row in rows:
        night = row.night
        if night not in nights:  # pragma: no cover - the queries select only these
            continue
        values: dict[Restriction, bool | int] = {}
        for restriction in Restriction:
            value = getattr(row, restriction.value)
            if value:
                values[restriction] = bool(value) if restriction in _FLAGS else value
        if values:
            # Stored nights were checked when written: applying them cannot contradict.
            calendar.apply(NightSelection.of(Stay.of_nights(night, 1)), values)
    return calendar


def _write(
    connection: Connection,
    key: str,
    calendar: RestrictionCalendar,
    nights: list[dt.date],
    *,
    changed: list[Restriction],
    present: set[dt.date],
) -> None:
    """Copy the ``changed`` restrictions of ``nights`` from ``calendar`` to their rows.

    Only the changed columns are written; nights without a row (not in ``present``) get
    one, their other restrictions not set.
    """
    names = [restriction.value for restriction in changed]
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for night in nights:
        values = dict(zip(names, _values(calendar, night, changed), strict=True))
        if night in present:
            updates.append({"at_night": night, **values})
        else:
            inserts.append({"unit_type": key, "night": night, **values})
    if updates:
        statement = (
            restriction_nights.update()
            .where(_NIGHT.unit_type == key, _NIGHT.night == sa.bindparam("at_night"))
            .values({name: sa.bindparam(name) for name in names})
        )
        connection.execute(statement, updates)
    if inserts:
        connection.execute(restriction_nights.insert(), inserts)


def _values(
    calendar: RestrictionCalendar, night: dt.date, restrictions: list[Restriction]
) -> list[int]:
    on = calendar.on(night)
    return [on.get(restriction, 0) for restriction in restrictions]
