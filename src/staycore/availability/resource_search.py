"""Resource search: which resources can take a party in a window of time, and why not.

The nightly half of search (:mod:`staycore.availability.search`) asks which unit types
can be booked for a stay; this is the appointment half. A guest or an agent asks for a
window of time ("this evening", "Saturday morning", "the next three days") and a party
("two of us, together"), over the resources of a property or of a whole portfolio: its
therapists, treatment rooms, chairs and classes. A resource can take the query when at
least one of its slots lies entirely inside the window and still has a place for every
member of the party.

Search is a pure function of the resources, what is taken and the query: no clock, no
store. The caller reads what is taken from the store, per resource, with
:meth:`AppointmentStore.taken <staycore.ports.appointments.AppointmentStore.taken>`
over the window, and passes the clock's now as the window's start (or later) so that a
slot already under way is not offered. Each resource is read in its own timezone: the
window covers whichever of its local days it reaches, so a portfolio in several zones
is searched with one window.

Free slots and the places they have left come from
:func:`~staycore.availability.appointments.free_slots`, which counts clients *at once*;
a reservation still runs :func:`~staycore.availability.appointments.check_slot`
atomically in the store, so a resource listed here can have filled up since. A resource
that cannot take the query is explained with every reason, each a phrase about the
resource a guest or agent can act on: it serves fewer clients at once than the party, it
does not work in the window, or its slots there are full.

Example:
    >>> from datetime import date
    >>> import pendulum
    >>> from staycore.availability.ids import ResourceId
    >>> from staycore.availability.resource_search import ResourceQuery, search_resources
    >>> from staycore.availability.schedule import Resource, WorkingHours
    >>> from staycore.kernel.time import Slot
    >>> mei = Resource(
    ...     id=ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     name="Mei (massage)",
    ...     timezone="Asia/Taipei",
    ...     hours=WorkingHours.weekly({"mon-fri": "09:00-12:00, 13:00-18:00"}),
    ...     slot_minutes=60,
    ...     buffer_minutes=15,
    ... )
    >>> yoga = Resource(
    ...     id=ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8"),
    ...     name="Evening yoga",
    ...     timezone="Asia/Taipei",
    ...     hours=WorkingHours.weekly({"mon-fri": "18:00-21:00"}),
    ...     slot_minutes=50,
    ...     buffer_minutes=10,
    ...     capacity=6,
    ... )
    >>> evening = Slot(
    ...     pendulum.datetime(2026, 5, 4, 17, tz="Asia/Taipei"),
    ...     pendulum.datetime(2026, 5, 4, 21, tz="Asia/Taipei"),
    ... )
    >>> six_pm = yoga.slots_on(date(2026, 5, 4))[0]
    >>> taken = {yoga.id: {six_pm: 5}}
    >>> result = search_resources(
    ...     [mei, yoga], ResourceQuery(window=evening, party=2), taken=taken
    ... )
    >>> for found in result.bookable:
    ...     print(found.resource.name, [f"{f.slot.start:%H:%M}" for f in found.slots])
    Evening yoga ['19:00', '20:00']
    >>> for refusal in result.refusals:
    ...     print(refusal.resource.name, "-", "; ".join(refusal.reasons))
    Mei (massage) - serves 1 client at a time, not 2; works 09:00-12:00, 13:00-18:00 on
    Mon 2026-05-04, but none of its 60-minute slots fits between 17:00 and 21:00
    (Asia/Taipei)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from staycore.availability.appointments import FreeSlot, describe_hours, free_slots
from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import ResourceId
from staycore.availability.schedule import Resource
from staycore.kernel.time import (
    Slot,
    Timezone,
    as_instant,
    local_date,
    start_of_local_day,
    timezone,
)

__all__ = [
    "BookableResource",
    "InvalidResourceSearchError",
    "ResourceQuery",
    "ResourceRefusal",
    "ResourceSearchResult",
    "search_resources",
]

_ONE_DAY: Final = dt.timedelta(days=1)
_LAST_INSTANT: Final = dt.timedelta(microseconds=1)
_MIDNIGHT: Final = dt.time(0)


class InvalidResourceSearchError(AvailabilityError):
    """A resource search asks for no one, has no time window, or lists a resource twice."""

    code = "availability.invalid_resource_search"


# -- the query -------------------------------------------------------------------------


def _window(value: Slot) -> Slot:
    if not isinstance(value, Slot):
        msg = (
            "a resource search needs its window as a Slot of two aware instants, such as "
            f"Slot(start, end) or Slot.starting(start, minutes=240); got {value!r}"
        )
        raise InvalidResourceSearchError(msg)
    return value


def _party(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = (
            "a resource search needs the party as a whole number of clients booking one "
            f"slot together, at least 1; got {value!r}"
        )
        raise InvalidResourceSearchError(msg)
    return value


def _resource_ids(value: Iterable[ResourceId] | None) -> frozenset[ResourceId] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"resources must be a set of ResourceId values, or None for all; got {value!r}"
        raise InvalidResourceSearchError(msg)
    ids = list(value)
    for item in ids:
        if not isinstance(item, ResourceId):
            msg = f"resources must be ResourceId values, such as ResourceId.new(); got {item!r}"
            raise InvalidResourceSearchError(msg)
    return frozenset(ids)


@attrs.frozen(kw_only=True)
class ResourceQuery:
    """What a guest or agent asks: a window of time, a party, and which resources.

    Attributes:
        window: The span of time a slot must lie in entirely (a slot may end when the
            window does); each resource reads it in its own timezone. Start it at the
            clock's now (or later) so that slots already under way are left out.
        party: How many clients book one slot together; at least 1.
        resources: The resources to search, or ``None`` (the default) for all of those
            given to :func:`search_resources`.

    Raises:
        InvalidResourceSearchError: ``window`` is not a :class:`~staycore.kernel.time.Slot`,
            ``party`` is not a whole number of at least 1, or ``resources`` holds
            something other than resource ids.

    Example:
        Continuing the module example above:

        >>> ResourceQuery(window=evening, party=2, resources=[yoga.id]).resources == {yoga.id}
        True
        >>> ResourceQuery(window=evening, party=0)
        Traceback (most recent call last):
        ...
        staycore.availability.resource_search.InvalidResourceSearchError:
        [availability.invalid_resource_search] a resource search needs the party as a whole
        number of clients booking one slot together, at least 1; got 0
    """

    window: Slot = attrs.field(converter=_window)
    party: int = attrs.field(default=1, converter=_party)
    resources: frozenset[ResourceId] | None = attrs.field(default=None, converter=_resource_ids)


# -- the result ------------------------------------------------------------------------


@attrs.frozen
class BookableResource:
    """A resource that can take the query, and its slots in the window with room for it.

    Attributes:
        resource: The resource.
        slots: Its slots lying entirely inside the window with at least ``party`` places
            left, in order, each with the places it has left; never empty.

    Example:
        Continuing the module example above:

        >>> found = result.bookable[0]
        >>> found.resource is yoga, [free.remaining for free in found.slots]
        (True, [6, 6])
    """

    resource: Resource
    slots: tuple[FreeSlot, ...]


@attrs.frozen
class ResourceRefusal:
    """A resource that cannot take the query, with every reason.

    Attributes:
        resource: The resource.
        reasons: Why not, each a phrase about the resource ("serves 1 client at a time,
            not 2"); never empty.

    Example:
        Continuing the module example above:

        >>> result.refusals[0].reasons[0]
        'serves 1 client at a time, not 2'
    """

    resource: Resource
    reasons: tuple[str, ...]


@attrs.frozen
class ResourceSearchResult:
    """The resources a query can book, and the others with their reasons.

    Both are in the order the resources were given; resources left out by the query's
    ``resources`` appear in neither.

    Attributes:
        query: The query answered.
        bookable: The resources that can take it, with their slots.
        refusals: The resources that cannot, with every reason.

    Example:
        Continuing the module example above:

        >>> [found.resource.name for found in result.bookable]
        ['Evening yoga']
        >>> [refusal.resource.name for refusal in result.refusals]
        ['Mei (massage)']
    """

    query: ResourceQuery
    bookable: tuple[BookableResource, ...]
    refusals: tuple[ResourceRefusal, ...]


# -- searching -------------------------------------------------------------------------


def search_resources(
    resources: Iterable[Resource],
    query: ResourceQuery,
    *,
    taken: Mapping[ResourceId, Mapping[Slot, int]],
) -> ResourceSearchResult:
    """Find the resources that can take ``query``, and say why each other one cannot.

    Args:
        resources: The resources of a property or of a portfolio, each once.
        query: The window, the party, and which resources to search.
        taken: Places held or sold, per resource, by slot: what the store's ``taken``
            returns for each resource over the window. A resource missing from it has
            nothing taken.

    Returns:
        The bookable resources with their slots in the window that have room for the
        party, and a refusal with every reason for each other resource searched.

    Raises:
        InvalidResourceSearchError: A resource is listed twice, or something listed is
            not a :class:`~staycore.availability.schedule.Resource`.

    Example:
        Continuing the module example above: Mei alone, for one client, from 10:00 to
        13:00, when her last morning slot is booked:

        >>> midday = Slot(evening.start.subtract(hours=7), evening.start.subtract(hours=4))
        >>> eleven_fifteen = mei.slots_on(date(2026, 5, 4))[1]
        >>> alone = search_resources(
        ...     [mei, yoga],
        ...     ResourceQuery(window=midday, resources={mei.id}),
        ...     taken={mei.id: {eleven_fifteen: 1}},
        ... )
        >>> alone.bookable, [refusal.reasons for refusal in alone.refusals]
        ((), [('the only slot between 10:00 and 13:00 on Mon 2026-05-04 (Asia/Taipei)
        is full',)])
    """
    seen: set[ResourceId] = set()
    bookable: list[BookableResource] = []
    refusals: list[ResourceRefusal] = []
    for resource in resources:
        if not isinstance(resource, Resource):
            msg = f"search resources with Resource values, got {resource!r}"
            raise InvalidResourceSearchError(msg)
        if resource.id in seen:
            msg = f"{resource.id} ({resource.name}) is listed twice; list each resource once"
            raise InvalidResourceSearchError(msg)
        seen.add(resource.id)
        if query.resources is not None and resource.id not in query.resources:
            continue
        days = _days(resource, query.window)
        # Every slot in the window with a place left; a refusal quotes the emptiest one.
        open_slots = tuple(
            free
            for free in free_slots(
                resource,
                days[0],
                days[-1],
                taken=taken.get(resource.id, {}),
                not_before=query.window.start,
            )
            if _utc(free.slot.end) <= _utc(query.window.end)
        )
        fitting = tuple(free for free in open_slots if free.remaining >= query.party)
        if fitting:
            bookable.append(BookableResource(resource, fitting))
        else:
            reasons = _reasons(resource, query, days, open_slots)
            refusals.append(ResourceRefusal(resource, reasons))
    return ResourceSearchResult(query, tuple(bookable), tuple(refusals))


# -- reasons ---------------------------------------------------------------------------


def _reasons(
    resource: Resource,
    query: ResourceQuery,
    days: list[dt.date],
    open_slots: tuple[FreeSlot, ...],
) -> tuple[str, ...]:
    """Every reason ``resource`` cannot take ``query``, given its open slots there."""
    zone = timezone(resource.timezone)
    window = query.window
    reasons: list[str] = []
    if query.party > resource.capacity:
        reasons.append(f"serves {_count(resource.capacity, 'client')} at a time, not {query.party}")
    offered = [slot for slot in resource.slots_between(days[0], days[-1]) if _inside(slot, window)]
    if not offered:
        # One reason per day, once each: two Sundays off are one reason.
        reasons.extend(dict.fromkeys(_no_slot(resource, day, window, zone) for day in days))
        return tuple(reasons)
    when = _between(window.start, window.end, zone)
    most = max((free.remaining for free in open_slots), default=0)
    if most == 0 and len(offered) == 1:
        reasons.append(f"the only slot {when} is full")
    elif most == 0:
        reasons.append(f"all {len(offered)} slots {when} are full")
    elif query.party <= resource.capacity:
        # Above capacity, too few places is what the first reason already says.
        where = "any slot" if len(offered) > 1 else "the only slot"
        reasons.append(f"only {_count(most, 'place')} left in {where} {when}, {query.party} wanted")
    return tuple(reasons)


def _no_slot(resource: Resource, day: dt.date, window: Slot, zone: Timezone) -> str:
    """Why ``resource`` has no slot inside the part of ``window`` on its local ``day``."""
    said = describe_hours(resource, day)
    if not resource.hours_on(day):
        return said
    start = max(_utc(window.start), _utc(start_of_local_day(day, zone)))
    end = min(_utc(window.end), _utc(start_of_local_day(day + _ONE_DAY, zone)))
    when = _between(start, end, zone, name_day=False)
    for interval in resource.hours_on(day):
        opens, closes = interval.instants(day, zone)
        if _utc(opens) < end and start < _utc(closes):
            return f"{said}, but none of its {resource.slot_minutes}-minute slots fits {when}"
    return f"does not work {when}; it {said}"


def _between(start: dt.datetime, end: dt.datetime, zone: Timezone, *, name_day: bool = True) -> str:
    """``"between 18:00 and 21:00 on Mon 2026-05-04 (Asia/Taipei)"``, in ``zone``."""
    begins, ends = as_instant(start).in_tz(zone), as_instant(end).in_tz(zone)
    to_midnight = ends.time() == _MIDNIGHT and ends.date() == begins.date() + _ONE_DAY
    if ends.date() == begins.date() or to_midnight:
        on = f" on {begins:%a %Y-%m-%d}" if name_day else ""
        until = "24:00" if to_midnight else f"{ends:%H:%M}"
        return f"between {begins:%H:%M} and {until}{on} ({zone.name})"
    return f"between {begins:%a %Y-%m-%d %H:%M} and {ends:%a %Y-%m-%d %H:%M} ({zone.name})"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


# -- time ------------------------------------------------------------------------------


def _days(resource: Resource, window: Slot) -> list[dt.date]:
    """The local days of ``resource`` that ``window`` reaches, in order."""
    zone = timezone(resource.timezone)
    first = local_date(window.start, zone)
    last = local_date(window.end.in_tz("UTC") - _LAST_INSTANT, zone)
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def _utc(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC, to compare: one zone's datetimes compare wall clocks, not fold."""
    return instant.astimezone(dt.UTC)


def _inside(slot: Slot, window: Slot) -> bool:
    return _utc(window.start) <= _utc(slot.start) and _utc(slot.end) <= _utc(window.end)
