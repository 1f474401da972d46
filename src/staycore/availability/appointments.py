"""Appointments: which slots of a resource are free, and whether a slot can be booked.

A resource's schedule (:mod:`staycore.availability.schedule`) says which slots it offers;
the store (:mod:`staycore.ports.appointments`) says how many places are taken, as a
mapping from slot to places held or sold. This module puts the two together, as pure
functions:

* :func:`free_slots` lists the slots of a day or a range that still have room for a
  party, each as a :class:`FreeSlot` with the places that remain. Full slots (and slots
  with fewer places left than the party needs) are left out: "free" means bookable. A
  front end that greys out full slots lists :meth:`Resource.slots_on
  <staycore.availability.schedule.Resource.slots_on>` beside them.
* :func:`check_slot` is what a store runs before it takes places. A slot must be one of
  the resource's slots (:class:`OutsideWorkingHoursError` outside its hours,
  :class:`MisalignedSlotError` inside them but off the grid; both name the nearest
  slots), and must have enough places left (:class:`SlotFullError` says how many do).

Capacity counts clients *at once*. Places taken in a slot that merely overlaps the one
asked for (booked before the resource's slot length changed) count too, at the moment
they overlap most, so a therapist with capacity 1 is never booked twice at one time.

A reservation is a hold, with the lifecycle shared with nightly holds
(:mod:`staycore.availability.holds`): :class:`SlotHoldRequest` is what an order asks
for, :class:`SlotHold` what it gets.

Example:
    >>> from datetime import date
    >>> import pendulum
    >>> from staycore.availability.appointments import check_slot, free_slots
    >>> from staycore.availability.ids import ResourceId
    >>> from staycore.availability.schedule import Resource, WorkingHours
    >>> from staycore.kernel.time import Slot
    >>> pilates = Resource(
    ...     id=ResourceId("res_01JD3M7K2Q8ZP4V6W9X1Y3Z5A9"),
    ...     name="Reformer pilates",
    ...     timezone="Asia/Taipei",
    ...     hours=WorkingHours.weekly({"mon-fri": "18:00-21:00"}),
    ...     slot_minutes=50,
    ...     buffer_minutes=10,
    ...     capacity=6,
    ... )
    >>> six_pm = Slot.starting(pendulum.datetime(2026, 5, 4, 18, tz="Asia/Taipei"), minutes=50)
    >>> taken = {six_pm: 6, Slot.starting(six_pm.start.add(hours=1), minutes=50): 4}
    >>> listed = free_slots(pilates, date(2026, 5, 4), taken=taken)
    >>> [(f"{free.slot.start:%H:%M}", free.remaining) for free in listed]
    [('19:00', 2), ('20:00', 6)]
    >>> check_slot(pilates, six_pm, taken=taken)
    Traceback (most recent call last):
    ...
    staycore.availability.appointments.SlotFullError: [availability.slot_full] ...
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Final

import attrs
import pendulum

from staycore.availability.errors import AvailabilityError
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import HoldId, ResourceId
from staycore.availability.schedule import Resource
from staycore.kernel.errors import InvalidSlotError
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Slot, Timezone, as_instant, local_date, timezone

__all__ = [
    "NEAREST_SEARCH_DAYS",
    "FreeSlot",
    "InvalidPlacesError",
    "MisalignedSlotError",
    "OutsideWorkingHoursError",
    "ResourceNotFoundError",
    "SlotFullError",
    "SlotHold",
    "SlotHoldRequest",
    "SlotNotOfferedError",
    "check_slot",
    "describe_hours",
    "free_slots",
    "remaining_places",
]

NEAREST_SEARCH_DAYS: Final = 7
"""How many days either side of a refused slot are searched for the nearest slots."""


# -- errors ----------------------------------------------------------------------------


class InvalidPlacesError(AvailabilityError):
    """A number of places asked for is not a whole number of at least 1."""

    code = "availability.invalid_places"


class ResourceNotFoundError(AvailabilityError):
    """No resource with the given id is in the store: save it first."""

    code = "availability.resource_not_found"


class SlotNotOfferedError(AvailabilityError):
    """The slot is not one the resource offers; the two errors below say why.

    Raised itself when what was asked for is not a :class:`~staycore.kernel.time.Slot`.

    Attributes:
        slot: The slot that was asked for.
        nearest: The two offered slots whose starts are closest to its start, in time
            order; fewer when the resource offers fewer within
            :data:`NEAREST_SEARCH_DAYS` days either side.
    """

    code = "availability.slot_not_offered"

    def __init__(self, message: str, *, slot: Slot, nearest: tuple[Slot, ...]) -> None:
        super().__init__(message)
        self.slot = slot
        self.nearest = nearest


class OutsideWorkingHoursError(SlotNotOfferedError):
    """The slot lies (partly) outside the resource's working hours, or on a day off."""

    code = "availability.outside_working_hours"


class MisalignedSlotError(SlotNotOfferedError):
    """The slot lies within working hours, but does not start or end where a slot does."""

    code = "availability.slot_not_aligned"


class SlotFullError(AvailabilityError):
    """Fewer places are left in the slot than were asked for.

    Attributes:
        resource: The resource.
        slot: The slot.
        wanted: The places asked for.
        remaining: The places still left (0 when the slot is full).
    """

    code = "availability.slot_full"

    def __init__(self, resource: Resource, slot: Slot, *, wanted: int, remaining: int) -> None:
        where = f"{_describe(slot, resource.timezone)} with {resource.name}"
        if remaining == 0 and resource.capacity == 1:
            message = f"{where} is already booked; nothing was taken, choose another slot"
        elif remaining == 0:
            message = (
                f"{where} is full: all {resource.capacity} places are taken; "
                "nothing was taken, choose another slot"
            )
        else:
            message = (
                f"only {remaining} of {resource.capacity} places are left in {where}, and "
                f"{wanted} were asked for; nothing was taken, ask for {remaining} or fewer "
                "or choose another slot"
            )
        super().__init__(message)
        self.resource = resource.id
        self.slot = slot
        self.wanted = wanted
        self.remaining = remaining


# -- values ----------------------------------------------------------------------------


def _places(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"places must be a whole number of at least 1 (one per client), got {value!r}"
        raise InvalidPlacesError(msg)
    return value


def _expiry(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="hold expiry")


def _slot(value: Slot) -> Slot:
    if not isinstance(value, Slot):
        msg = f"a hold is for one Slot of the resource, got {value!r}"
        raise InvalidSlotError(msg)
    return value


@attrs.frozen
class FreeSlot:
    """A slot that can still be booked, and how many places it has left.

    Attributes:
        slot: The slot, shown in the resource's timezone.
        remaining: The places left; at least the party size it was listed for.

    Example:
        Continuing the module example above:

        >>> free_slots(pilates, date(2026, 5, 4), taken=taken, places=3)[0].slot.start.hour
        20
    """

    slot: Slot
    remaining: int


@attrs.frozen(kw_only=True)
class SlotHoldRequest:
    """What an order asks an appointment store for.

    Attributes:
        hold_id: Chosen by the caller, so that a retried request finds its hold instead
            of taking the places twice.
        resource: The resource booked.
        slot: One of the resource's slots.
        places: How many clients come; at least 1.
        owner: Who holds the places, usually an order.
        expires_at: When the hold lapses unless confirmed or extended.

    Raises:
        InvalidPlacesError: ``places`` is below 1.
        NaiveDatetimeError: ``expires_at`` has no timezone.

    Example:
        Continuing the module example above:

        >>> from staycore.availability.appointments import SlotHoldRequest
        >>> from staycore.availability.ids import HoldId
        >>> from staycore.kernel.ids import Identifier
        >>> request = SlotHoldRequest(
        ...     hold_id=HoldId("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...     resource=pilates.id,
        ...     slot=six_pm,
        ...     places=2,
        ...     owner=Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...     expires_at=pendulum.datetime(2026, 5, 1, 12, 15, tz="UTC"),
        ... )
        >>> request.to_hold().status.value
        'held'
    """

    hold_id: HoldId = attrs.field(validator=HoldId.validate)
    resource: ResourceId = attrs.field(validator=ResourceId.validate)
    slot: Slot = attrs.field(converter=_slot)
    places: int = attrs.field(default=1, converter=_places)
    owner: Identifier = attrs.field(validator=Identifier.validate)
    expires_at: pendulum.DateTime = attrs.field(converter=_expiry)

    def to_hold(self) -> SlotHold:
        """The hold this request becomes once its places are taken.

        Example:
            >>> request.to_hold().places
            2
        """
        return SlotHold(
            id=self.hold_id,
            resource=self.resource,
            slot=self.slot,
            places=self.places,
            owner=self.owner,
            expires_at=self.expires_at,
            status=HoldStatus.HELD,
        )


@attrs.frozen(kw_only=True)
class SlotHold:
    """Places in a resource's slot, held (or sold) for an owner.

    Attributes:
        id: The hold's identity (the request's ``hold_id``).
        resource: The resource.
        slot: The slot, shown in the resource's timezone.
        places: How many places it takes.
        owner: Who holds them.
        expires_at: When the hold lapses if still ``held``.
        status: Where the hold is in :data:`~staycore.availability.holds.HOLD_LIFECYCLE`.

    Example:
        >>> request.to_hold().status.takes_inventory
        True
    """

    id: HoldId
    resource: ResourceId
    slot: Slot
    places: int
    owner: Identifier
    expires_at: pendulum.DateTime
    status: HoldStatus

    def matches(self, request: SlotHoldRequest) -> bool:
        """Whether ``request`` asks for exactly this hold (a retry, not a new request).

        Example:
            >>> import attrs
            >>> hold = request.to_hold()
            >>> hold.matches(request), hold.matches(attrs.evolve(request, places=3))
            (True, False)
        """
        return (
            self.id == request.hold_id
            and self.resource == request.resource
            and self.slot == request.slot
            and self.places == request.places
            and self.owner == request.owner
        )


# -- what is taken ---------------------------------------------------------------------


def _micros(instant: dt.datetime) -> int:
    """The instant as whole microseconds since 1970 UTC: exact, and cheap to compare.

    Aware datetimes of one zone compare their wall clocks and ignore ``fold``, and
    pendulum's arithmetic drops a stdlib UTC tzinfo, so slots are compared as integers.
    """
    return calendar.timegm(instant.utctimetuple()) * 1_000_000 + instant.microsecond


class _Taken:
    """The places taken, sorted by start, to find what overlaps a slot quickly."""

    def __init__(self, taken: Mapping[Slot, int]) -> None:
        spans = sorted(
            (_micros(slot.start), _micros(slot.end), places)
            for slot, places in taken.items()
            if places
        )
        self._spans = spans
        self._starts = [start for start, _, _ in spans]
        self._longest = max((end - start for start, end, _ in spans), default=0)

    def peak(self, slot: Slot) -> int:
        """The most places taken at any one instant of ``slot``."""
        start, end = _micros(slot.start), _micros(slot.end)
        # Only spans starting after (start - longest) and before end can overlap the slot.
        low = bisect.bisect_right(self._starts, start - self._longest)
        high = bisect.bisect_left(self._starts, end)
        overlapping = [span for span in self._spans[low:high] if span[1] > start]
        if not overlapping:
            return 0
        # The load only rises where a span starts, so the peak is at one of those starts.
        moments = [start, *(s for s, _, _ in overlapping if s > start)]
        return max(sum(n for s, e, n in overlapping if s <= moment < e) for moment in moments)


def remaining_places(resource: Resource, slot: Slot, taken: Mapping[Slot, int]) -> int:
    """The places left in ``slot``: capacity minus the most taken at once; never below 0.

    It does not check that ``slot`` is one the resource offers (:func:`check_slot` does).

    Args:
        resource: The resource.
        slot: The slot.
        taken: Places held or sold, by slot, as a store's ``taken`` returns them.

    Example:
        Continuing the module example above:

        >>> remaining_places(pilates, six_pm, taken), remaining_places(pilates, six_pm, {})
        (0, 6)
    """
    return max(0, resource.capacity - _Taken(taken).peak(slot))


# -- listing and checking --------------------------------------------------------------


def free_slots(
    resource: Resource,
    first_day: dt.date,
    last_day: dt.date | None = None,
    *,
    taken: Mapping[Slot, int],
    places: int = 1,
    not_before: dt.datetime | None = None,
) -> tuple[FreeSlot, ...]:
    """The slots from ``first_day`` to ``last_day`` with room for ``places`` clients.

    Args:
        resource: The resource.
        first_day: The first local day listed.
        last_day: The last local day listed, included; ``first_day`` by default.
        taken: Places held or sold, by slot, as a store's ``taken`` returns them for
            ``resource.window(first_day, last_day)``.
        places: The party size: slots with fewer places left are left out.
        not_before: Leave out slots that start before this instant (pass the clock's
            now, so that a slot already under way is not offered).

    Returns:
        The bookable slots in order, each with the places it has left.

    Raises:
        InvalidPlacesError: ``places`` is below 1.
        InvalidDayRangeError: ``last_day`` is before ``first_day``.

    Example:
        Continuing the module example above:

        >>> evening = pendulum.datetime(2026, 5, 4, 19, 30, tz="Asia/Taipei")
        >>> [f"{f.slot.start:%a %H:%M}" for f in free_slots(
        ...     pilates, date(2026, 5, 4), date(2026, 5, 5), taken=taken, not_before=evening
        ... )]
        ['Mon 20:00', 'Tue 18:00', 'Tue 19:00', 'Tue 20:00']
    """
    wanted = _places(places)
    slots = resource.slots_between(first_day, first_day if last_day is None else last_day)
    if not_before is not None:
        earliest = _micros(as_instant(not_before, what="not_before"))
        slots = tuple(slot for slot in slots if _micros(slot.start) >= earliest)
    index = _Taken(taken)
    listed = []
    for slot in slots:
        remaining = max(0, resource.capacity - index.peak(slot))
        if remaining >= wanted:
            listed.append(FreeSlot(slot, remaining))
    return tuple(listed)


def check_slot(
    resource: Resource, slot: Slot, *, taken: Mapping[Slot, int], places: int = 1
) -> FreeSlot:
    """Check that ``places`` clients can book ``slot``; return it with the places left.

    Args:
        resource: The resource.
        slot: The slot asked for, in any timezone.
        taken: Places held or sold around the slot, as a store's ``taken`` returns them.
        places: How many clients come.

    Returns:
        The slot as the resource offers it (shown in its timezone), with the places left
        before this booking.

    Raises:
        OutsideWorkingHoursError: The slot is not within the resource's working hours
            that day; the message says what they are and names the nearest slots.
        MisalignedSlotError: The slot is within working hours but is not one of the
            resource's slots; the message names the nearest ones.
        SlotFullError: Fewer than ``places`` places are left; the message says how many.
        InvalidPlacesError: ``places`` is below 1.

    Example:
        Continuing the module example above:

        >>> check_slot(pilates, Slot.starting(six_pm.end, minutes=50), taken={})
        Traceback (most recent call last):
        ...
        staycore.availability.appointments.MisalignedSlotError: ...
        >>> eight_pm = Slot.starting(six_pm.start.add(hours=2), minutes=50)
        >>> check_slot(pilates, eight_pm, taken=taken, places=6)
        FreeSlot(slot=Slot('2026-05-04T20:00:00+08:00', '2026-05-04T20:50:00+08:00'),
                 remaining=6)
    """
    wanted = _places(places)
    offered = _offered(resource, slot)
    remaining = remaining_places(resource, offered, taken)
    if remaining < wanted:
        raise SlotFullError(resource, offered, wanted=wanted, remaining=remaining)
    return FreeSlot(offered, remaining)


def describe_hours(resource: Resource, day: dt.date) -> str:
    """The resource's hours on ``day`` in words, as what it does (without a subject).

    Refusals put it after "it" or the resource's name: a closed day names its
    exception's note, a day off its weekday, and other days the hours worked.

    Args:
        resource: The resource.
        day: A local day of the resource.

    Raises:
        InvalidDayRangeError: ``day`` is not a plain date.

    Example:
        Continuing the module example above:

        >>> from staycore.availability.appointments import describe_hours
        >>> from staycore.availability.schedule import ScheduleException
        >>> describe_hours(pilates, date(2026, 5, 4)), describe_hours(pilates, date(2026, 5, 3))
        ('works 18:00-21:00 on Mon 2026-05-04', 'does not work on Sundays')
        >>> holiday = ScheduleException(day=date(2026, 5, 1), note="Labour Day")
        >>> describe_hours(pilates.with_exception(holiday), date(2026, 5, 1))
        'is closed on 2026-05-01 (Labour Day)'
    """
    exception = resource.exception_on(day)
    why = f" ({exception.note})" if exception is not None and exception.note else ""
    hours = resource.hours_on(day)
    if not hours and exception is not None:
        return f"is closed on {day}{why}"
    if not hours:
        return f"does not work on {day:%A}s"
    listed = ", ".join(str(interval) for interval in hours)
    return f"works {listed} on {day:%a} {day}{why}"


def _offered(resource: Resource, slot: Slot) -> Slot:
    """Return the resource's own slot equal to ``slot``, or say why there is none."""
    if not isinstance(slot, Slot):
        msg = f"slot must be a Slot such as Slot.starting(start, minutes=60), got {slot!r}"
        raise SlotNotOfferedError(msg, slot=slot, nearest=())
    zone = timezone(resource.timezone)
    # Working intervals never cross midnight, so an offered slot starts on its own day.
    day = local_date(slot.start, zone)
    grid = resource.slots_on(day)
    at = bisect.bisect_left([_micros(s.start) for s in grid], _micros(slot.start))
    if at < len(grid) and grid[at] == slot:
        return grid[at]
    nearest = _nearest(resource, day, slot)
    hint = _nearest_hint(resource, day, nearest)
    where = _describe(slot, zone)
    for interval in resource.hours_on(day):
        opens, closes = interval.instants(day, zone)
        if _micros(opens) <= _micros(slot.start) and _micros(slot.end) <= _micros(closes):
            starts = ", ".join(str(i).partition("-")[0] for i in resource.hours_on(day))
            msg = (
                f"{resource.name} offers no slot {where}: its slots last "
                f"{resource.slot_minutes} minutes and start every {resource.step_minutes} "
                f"minutes from when it opens ({starts}); {hint}"
            )
            raise MisalignedSlotError(msg, slot=slot, nearest=nearest)
    msg = f"{resource.name} offers no slot {where}: {_hours_reason(resource, day)}; {hint}"
    raise OutsideWorkingHoursError(msg, slot=slot, nearest=nearest)


def _nearest(resource: Resource, day: dt.date, slot: Slot) -> tuple[Slot, ...]:
    """The two offered slots that start closest to ``slot``, in order, within the search."""
    wanted = _micros(slot.start)
    found: list[tuple[int, int, Slot]] = []
    for offset in range(NEAREST_SEARCH_DAYS + 1):
        days = {day - dt.timedelta(days=offset), day + dt.timedelta(days=offset)}
        for other in days:
            found.extend(
                (abs(_micros(s.start) - wanted), _micros(s.start), s)
                for s in resource.slots_on(other)
            )
        found.sort(key=lambda candidate: candidate[:2])
        # A slot one more day out starts at least ``offset`` days (less a few hours of
        # daylight saving and offset changes) away: stop once the best two are closer.
        if len(found) >= 2 and found[1][0] <= _micros_in(dt.timedelta(days=offset, hours=-3)):
            break
    return tuple(candidate[2] for candidate in sorted(found[:2], key=lambda c: c[1]))


def _micros_in(span: dt.timedelta) -> int:
    return span // dt.timedelta(microseconds=1)


def _nearest_hint(resource: Resource, day: dt.date, nearest: tuple[Slot, ...]) -> str:
    if not nearest:
        return f"it offers no slot within {NEAREST_SEARCH_DAYS} days of {day}"
    named = " and ".join(_describe(slot, resource.timezone) for slot in nearest)
    return f"book one of its slots instead; the nearest are {named}"


def _hours_reason(resource: Resource, day: dt.date) -> str:
    if resource.hours_on(day):
        return f"it {describe_hours(resource, day)}, and a slot must fit within those hours"
    return f"it {describe_hours(resource, day)}"


def _describe(slot: Slot, tz: str | Timezone) -> str:
    """``"Mon 2026-05-04 18:00-18:50 (Asia/Taipei)"``, in the resource's timezone."""
    zone = timezone(tz)
    start, end = slot.start.in_tz(zone), slot.end.in_tz(zone)
    if start.date() == end.date() or (end.time() == dt.time(0) and end.date() > start.date()):
        return f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({zone.name})"
    return f"{start:%a %Y-%m-%d %H:%M} to {end:%a %Y-%m-%d %H:%M} ({zone.name})"
