"""The SQL adapter's appointment store: resources, and places in their slots.

Each resource is one row of ``staycore_appointment_resources`` (its schedule, as the
codec writes it); each hold one row of ``staycore_appointment_holds`` (see
:mod:`staycore.adapters.sql.holds`) with the resource, the slot's instants in UTC and
the places it takes. The live holds *are* the places taken, so a hold's change of status
moves no other count.

Capacity counts clients at once, over slots that may overlap (a resource whose slot
length changed keeps the appointments booked on the old grid), so no single counter row
per slot can decide a reservation. A reservation instead locks its resource's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transaction excludes every
other writer), sums the places of the live holds around the slot, decides with the
domain's :func:`~staycore.availability.appointments.check_slot`, and writes the hold: two
servers booking one resource take turns, and neither can take a place the other took.
Reservations of different resources do not wait for each other.

Example:
    >>> from datetime import date
    >>> import staycore.adapters.sql.appointments
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.appointments import SqlAppointmentStore
    >>> from staycore.availability.appointments import SlotHoldRequest, free_slots
    >>> from staycore.availability.ids import HoldId, ResourceId
    >>> from staycore.availability.schedule import Resource, WorkingHours
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-05-01T09:00:00Z")
    >>> store = SqlAppointmentStore(SqlStore.create("sqlite://").database, clock)
    >>> chair = Resource(
    ...     id=ResourceId.new(),
    ...     name="Chair 1",
    ...     timezone="Asia/Taipei",
    ...     hours=WorkingHours.weekly({"mon-sat": "10:00-13:00"}),
    ...     slot_minutes=45,
    ...     buffer_minutes=15,
    ... )
    >>> store.save_resource(chair)
    >>> monday = chair.slots_on(date(2026, 5, 4))
    >>> def request(slot):
    ...     return SlotHoldRequest(
    ...         hold_id=HoldId.new(), resource=chair.id, slot=slot,
    ...         owner=Identifier.new(), expires_at=clock.now().add(minutes=15),
    ...     )
    >>> first = store.reserve(request(monday[0]))
    >>> store.reserve(request(monday[0]))
    Traceback (most recent call last):
    ...
    staycore.availability.appointments.SlotFullError: [availability.slot_full] ...
    >>> taken = store.taken(chair.id, chair.window(date(2026, 5, 4)))
    >>> [f"{free.slot.start:%H:%M}" for free in free_slots(chair, date(2026, 5, 4), taken=taken)]
    ['11:00', '12:00']
    >>> _ = clock.advance(minutes=16)  # the first client never paid
    >>> store.reserve(request(monday[0])).status.value
    'held'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final, cast

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database, insert_unless_present
from staycore.adapters.sql.holds import SqlHoldBook, SqlHoldKeeping, hold_table
from staycore.adapters.sql.schema import IDENTIFIER, INSTANT, instant_of, metadata, utc_text
from staycore.availability.appointments import (
    ResourceNotFoundError,
    SlotHold,
    SlotHoldRequest,
    check_slot,
)
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import ResourceId
from staycore.availability.schedule import Resource
from staycore.kernel.time import Clock, Slot

__all__ = ["SqlAppointmentStore", "appointment_holds", "appointment_resources"]

appointment_resources: Final = sa.Table(
    "staycore_appointment_resources",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("body", sa.Text, nullable=False, comment="the resource, as the codec writes it"),
    comment="resources appointments are booked on, with their schedules",
)
"""Every resource; a reservation locks its resource's row."""

appointment_holds: Final = hold_table(
    "staycore_appointment_holds",
    sa.Column("resource", IDENTIFIER, nullable=False),
    sa.Column("starts_at", INSTANT, nullable=False),
    sa.Column("ends_at", INSTANT, nullable=False),
    sa.Column("places", sa.Integer, nullable=False),
    sa.Index(None, "resource", "starts_at"),
    comment="holds on places in the slots of resources",
)
"""Every appointment hold, by resource and slot: the live ones are the places taken."""

_RESOURCE = appointment_resources.c
_HOLD = appointment_holds.c

# Statements built once: building a statement costs more than running it.
_RESOURCE_BODY: Final = sa.select(_RESOURCE.body).where(
    _RESOURCE.id == sa.bindparam("resource_key")
)
_RESOURCE_LOCKED: Final = _RESOURCE_BODY.with_for_update()
# The places the live holds take in slots that overlap [start, end); a held hold past
# its expiry is not live, whether or not it was expired yet.
_TAKEN: Final = (
    sa.select(_HOLD.starts_at, _HOLD.ends_at, sa.func.sum(_HOLD.places))
    .where(
        _HOLD.resource == sa.bindparam("resource_key"),
        _HOLD.starts_at < sa.bindparam("end"),
        _HOLD.ends_at > sa.bindparam("start"),
        sa.or_(
            _HOLD.status == HoldStatus.CONFIRMED.value,
            sa.and_(_HOLD.status == HoldStatus.HELD.value, _HOLD.expires_at > sa.bindparam("now")),
        ),
    )
    .group_by(_HOLD.starts_at, _HOLD.ends_at)
    .order_by(_HOLD.starts_at, _HOLD.ends_at)
)


class SqlAppointmentStore(SqlHoldKeeping[SlotHold, SlotHoldRequest]):
    """An :class:`~staycore.ports.appointments.AppointmentStore` in a SQL database.

    Args:
        database: The database, with staycore's tables.
        clock: Tells when holds expire.

    Example:
        Continuing the module example above:

        >>> from staycore.ports.appointments import AppointmentStore
        >>> isinstance(store, AppointmentStore)
        True
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._holds: SqlHoldBook[SlotHold, SlotHoldRequest] = SqlHoldBook(
            appointment_holds,
            describe=lambda hold: (
                f"{hold.places} place(s) of {hold.resource} at {hold.slot.start.isoformat()}"
            ),
            columns=_columns,
            scopes={"resource": _HOLD.resource == sa.bindparam("resource_key")},
        )

    # -- resources -------------------------------------------------------------------

    def save_resource(self, resource: Resource) -> None:
        """Store ``resource``, or replace the stored one with the same id; holds stay.

        Example:
            Continuing the module example above:

            >>> store.save_resource(attrs.evolve(chair, name="Chair 1 (window)"))
            >>> store.resource(chair.id).name
            'Chair 1 (window)'
        """
        row = {"id": str(resource.id), "body": encode(resource)}

        def save(connection: Connection) -> None:
            if not insert_unless_present(connection, appointment_resources, row):
                connection.execute(
                    appointment_resources.update()
                    .where(_RESOURCE.id == row["id"])
                    .values(body=row["body"])
                )

        self._database.run(save)

    def resource(self, resource_id: ResourceId) -> Resource:
        """Return the resource with ``resource_id``.

        Raises:
            ResourceNotFoundError: No such resource was saved.

        Example:
            >>> store.resource(ResourceId.new())
            Traceback (most recent call last):
            ...
            staycore.availability.appointments.ResourceNotFoundError: [...] no resource ...
        """
        with self._database.transaction(write=False) as connection:
            return _resource(connection, resource_id, lock=False)

    def taken(self, resource_id: ResourceId, during: Slot) -> Mapping[Slot, int]:
        """Return the places held or sold in slots that overlap ``during``.

        Holds past their expiry count for nothing, whether or not they were expired yet.

        Raises:
            ResourceNotFoundError: No such resource was saved.

        Example:
            Continuing the module example above (the first client's hold lapsed):

            >>> taken = store.taken(chair.id, chair.window(date(2026, 5, 4)))
            >>> [(f"{slot.start:%H:%M}", places) for slot, places in taken.items()]
            [('10:00', 1)]
        """
        now = self._now()
        with self._database.transaction(write=False) as connection:
            resource = _resource(connection, resource_id, lock=False)
            return _taken(connection, resource, during, now)

    # -- holds -----------------------------------------------------------------------

    def reserve(self, request: SlotHoldRequest) -> SlotHold:
        """Take the request's places in its slot, atomically, or take nothing.

        Raises:
            ResourceNotFoundError: No such resource was saved.
            SlotNotOfferedError: The resource does not offer the slot.
            SlotFullError: Fewer places are left than requested.
            DuplicateHoldError: The hold id was used for a different request.

        Example:
            See the module example.
        """
        now = self._now()

        def reserve(connection: Connection) -> SlotHold:
            retried = self._holds.retried(connection, request)
            if retried is not None:
                return retried
            resource = _resource(connection, request.resource, lock=True)
            self._holds.expire_due(
                connection, now, scope="resource", params={"resource_key": str(request.resource)}
            )
            taken = _taken(connection, resource, request.slot, now)
            offered = check_slot(resource, request.slot, taken=taken, places=request.places)
            # Keep the slot as the resource offers it, shown in the resource's timezone.
            hold = attrs.evolve(request.to_hold(), slot=offered.slot)
            retried = self._holds.claim(connection, hold, request)
            return hold if retried is None else retried

        return self._database.run(reserve)

    def __repr__(self) -> str:
        return f"SqlAppointmentStore({self._database!r})"


def _resource(connection: Connection, resource_id: ResourceId, *, lock: bool) -> Resource:
    query = _RESOURCE_LOCKED if lock else _RESOURCE_BODY
    body = connection.execute(query, {"resource_key": str(resource_id)}).scalar()
    if body is None:
        msg = f"no resource {resource_id!r} in this store; save_resource() it first"
        raise ResourceNotFoundError(msg)
    return cast(Resource, decode(body))


def _taken(
    connection: Connection, resource: Resource, during: Slot, now: dt.datetime
) -> dict[Slot, int]:
    """The places of the resource's live holds in slots that overlap ``during``, by slot."""
    params = {
        "resource_key": str(resource.id),
        "start": utc_text(during.start),
        "end": utc_text(during.end),
        "now": utc_text(now),
    }
    zone = resource.timezone
    return {
        Slot(instant_of(starts_at).in_tz(zone), instant_of(ends_at).in_tz(zone)): int(places)
        for starts_at, ends_at, places in connection.execute(_TAKEN, params)
    }


def _columns(hold: SlotHold) -> dict[str, object]:
    return {
        "resource": str(hold.resource),
        "starts_at": utc_text(hold.slot.start),
        "ends_at": utc_text(hold.slot.end),
        "places": hold.places,
    }
