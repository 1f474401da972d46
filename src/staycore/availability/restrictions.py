"""Restrictions: the sales rules a property sets night by night.

Each restriction is set on its own, per unit type and per night; changing one never
resets another. Their hotel-industry names:

======================== ======================= =========================================
restriction              industry name           read on
======================== ======================= =========================================
``stop_sell``            stop-sell               every night of the stay
``closed_to_arrival``    CTA                     the arrival night
``closed_to_departure``  CTD                     the departure date (the check-out)
``min_stay_arrival``     MinLOS (arrival)        the arrival night
``max_stay_arrival``     MaxLOS (arrival)        the arrival night
``min_stay_through``     MinLOS through          every night of the stay
``min_lead_days``        minimum lead time       the arrival night
``max_lead_days``        maximum lead time       the arrival night
======================== ======================= =========================================

A number of 0 means "no limit". Lead time is the number of days between the booking date
(a local date of the property) and the arrival. Checking a stay returns every violation,
each with its night and reason, not just the first: a guest told all that is wrong with
their dates can fix them at once.

A :class:`RestrictionCalendar` is a pure data structure over arrays of night offsets.
Changes come as keywords (:meth:`~RestrictionCalendar.restrict`) or as data
(:meth:`~RestrictionCalendar.apply`); stores keep the calendars and hand out independent
windows of them as snapshots (see :mod:`staycore.ports.restrictions`).

Example:
    >>> from datetime import date
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.restrictions import RestrictionCalendar
    >>> from staycore.kernel.time import Stay
    >>> rules = RestrictionCalendar(Stay.parse("2026-12-01/2027-01-31"))
    >>> rules.restrict(NightSelection.between(date(2026, 12, 30), date(2027, 1, 2)),
    ...                min_stay_through=3)
    >>> rules.restrict(NightSelection.between(date(2026, 12, 31), date(2027, 1, 1)),
    ...                closed_to_arrival=True)
    >>> for v in rules.check(Stay.parse("2026-12-31/2027-01-02"), booked_on=date(2026, 11, 22)):
    ...     print(v.night, v.restriction.value, "-", v.reason)
    2026-12-31 closed_to_arrival - arrivals are closed on 2026-12-31
    2026-12-31 min_stay_through - 2026-12-31 needs a stay of at least 3 nights, not 2
    2027-01-01 min_stay_through - 2027-01-01 needs a stay of at least 3 nights, not 2
"""

from __future__ import annotations

import datetime as dt
import enum
from array import array
from collections.abc import Mapping
from typing import Final

import attrs

from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.kernel.time import Stay

__all__ = [
    "ContradictoryRestrictionsError",
    "InvalidRestrictionError",
    "Restriction",
    "RestrictionCalendar",
    "StayRestrictedError",
    "Violation",
]


class InvalidRestrictionError(AvailabilityError):
    """A restriction is unknown, its value negative or not a number, or its night outside."""

    code = "availability.invalid_restriction"


class ContradictoryRestrictionsError(AvailabilityError):
    """Restrictions would contradict each other on a night (min stay above max stay)."""

    code = "availability.contradictory_restrictions"


class StayRestrictedError(AvailabilityError):
    """A stay breaks restrictions of its unit type; every violation is listed.

    Attributes:
        unit_type: The unit type asked for.
        violations: Every restriction broken, in night order, each with its reason.
    """

    code = "availability.stay_restricted"

    def __init__(self, unit_type: UnitTypeId, violations: tuple[Violation, ...]) -> None:
        reasons = "; ".join(violation.reason for violation in violations)
        super().__init__(
            f"{unit_type} cannot be sold for these dates: {reasons}. "
            "Change the dates, or offer another unit type"
        )
        self.unit_type = unit_type
        self.violations = violations


class Restriction(enum.Enum):
    """The restrictions a night can carry; values are the keyword names of ``restrict``."""

    STOP_SELL = "stop_sell"
    CLOSED_TO_ARRIVAL = "closed_to_arrival"
    CLOSED_TO_DEPARTURE = "closed_to_departure"
    MIN_STAY_ARRIVAL = "min_stay_arrival"
    MAX_STAY_ARRIVAL = "max_stay_arrival"
    MIN_STAY_THROUGH = "min_stay_through"
    MIN_LEAD_DAYS = "min_lead_days"
    MAX_LEAD_DAYS = "max_lead_days"


@attrs.frozen
class Violation:
    """One reason a stay cannot be sold.

    Attributes:
        night: The night (or departure date) the restriction is set on.
        restriction: Which restriction.
        reason: A sentence a guest or an agent can act on.
    """

    night: dt.date
    restriction: Restriction
    reason: str


_FLAGS: Final = (
    Restriction.STOP_SELL,
    Restriction.CLOSED_TO_ARRIVAL,
    Restriction.CLOSED_TO_DEPARTURE,
)
# Pairs that must not cross on a night: (minimum, maximum).
_BOUNDS: Final = (
    (Restriction.MIN_STAY_ARRIVAL, Restriction.MAX_STAY_ARRIVAL),
    (Restriction.MIN_LEAD_DAYS, Restriction.MAX_LEAD_DAYS),
)
_MAX_DAYS: Final = 36_500
"""The longest stay or lead time a restriction may name: a hundred years (the calendar's
columns are 32-bit)."""


class RestrictionCalendar:
    """The restrictions of one unit type over a horizon of nights; none are set at first.

    Args:
        horizon: The nights covered. Nights outside it (and a check-out date just past
            it) carry no restriction.
    """

    __slots__ = ("_values", "horizon")

    def __init__(self, horizon: Stay) -> None:
        self.horizon = horizon
        size = horizon.nights
        self._values: dict[Restriction, array[int]] = {
            r: array("i", bytes(4 * size)) for r in Restriction
        }

    def restrict(
        self,
        nights: NightSelection,
        *,
        stop_sell: bool | None = None,
        closed_to_arrival: bool | None = None,
        closed_to_departure: bool | None = None,
        min_stay_arrival: int | None = None,
        max_stay_arrival: int | None = None,
        min_stay_through: int | None = None,
        min_lead_days: int | None = None,
        max_lead_days: int | None = None,
    ) -> None:
        """Set the named restrictions on the selected nights; the others stay as they are.

        Keywords left at ``None`` change nothing. :meth:`apply` takes the same change as
        data, and this method hands it over to it.

        Args:
            nights: The nights to change.
            stop_sell: Close the nights to any sale.
            closed_to_arrival: No stay may start on these nights.
            closed_to_departure: No stay may end (check out) on these dates.
            min_stay_arrival: Stays arriving on these nights last at least this long.
            max_stay_arrival: Stays arriving on these nights last at most this long.
            min_stay_through: Stays including these nights last at least this long.
            min_lead_days: Stays arriving on these nights are booked at least this many
                days ahead.
            max_lead_days: ... and at most this many days ahead.

        Raises:
            InvalidRestrictionError: A value is negative or of the wrong type, or a night
                is outside the horizon.
            ContradictoryRestrictionsError: A minimum would exceed its maximum on a night.
                Nothing is changed when any error is raised.
        """
        given = {
            Restriction.STOP_SELL: stop_sell,
            Restriction.CLOSED_TO_ARRIVAL: closed_to_arrival,
            Restriction.CLOSED_TO_DEPARTURE: closed_to_departure,
            Restriction.MIN_STAY_ARRIVAL: min_stay_arrival,
            Restriction.MAX_STAY_ARRIVAL: max_stay_arrival,
            Restriction.MIN_STAY_THROUGH: min_stay_through,
            Restriction.MIN_LEAD_DAYS: min_lead_days,
            Restriction.MAX_LEAD_DAYS: max_lead_days,
        }
        self.apply(nights, {r: v for r, v in given.items() if v is not None})

    def apply(self, nights: NightSelection, changes: Mapping[Restriction, bool | int]) -> None:
        """Set the restrictions in ``changes`` on the selected nights; the others stay.

        The same change as :meth:`restrict`, given as data: what a store keeps, a queue
        carries or a host parses from JSON (``{Restriction(name): value}``).

        Args:
            nights: The nights to change.
            changes: The value of each restriction to set: ``True``/``False`` for the
                flags (stop-sell, CTA, CTD), a whole number of days (0 for no limit) for
                the others. Restrictions left out keep their values.

        Raises:
            InvalidRestrictionError: A key is not a :class:`Restriction`, a value is
                negative or of the wrong type, or a night is outside the horizon.
            ContradictoryRestrictionsError: A minimum would exceed its maximum on a night.
                Nothing is changed when any error is raised.

        Example:
            Continuing the module example above:

            >>> new_year = NightSelection.between(date(2027, 1, 1), date(2027, 1, 2))
            >>> rules.apply(new_year, {Restriction.MAX_STAY_ARRIVAL: 7})
            >>> {r.value: value for r, value in rules.on(date(2027, 1, 1)).items()}
            {'max_stay_arrival': 7, 'min_stay_through': 3}
            >>> rules.apply(new_year, {Restriction.STOP_SELL: True,
            ...                        Restriction.MIN_STAY_ARRIVAL: 9})
            Traceback (most recent call last):
            ...
            staycore...ContradictoryRestrictionsError: ... would exceed max_stay_arrival 7 ...
            >>> rules.on(date(2027, 1, 1))[Restriction.MAX_STAY_ARRIVAL]  # nothing changed
            7
        """
        values = {_restriction(r): _value(_restriction(r), v) for r, v in changes.items()}
        offsets = [self._offset(night) for night in nights]
        self._check_bounds(offsets, values)
        for restriction, value in values.items():
            column = self._values[restriction]
            for i in offsets:
                column[i] = value

    def on(self, night: dt.date) -> dict[Restriction, int]:
        """The restrictions set on ``night`` (flags as 1), leaving out those not set.

        Example:
            Continuing the module example above:

            >>> {r.value: value for r, value in rules.on(date(2026, 12, 31)).items()}
            {'closed_to_arrival': 1, 'min_stay_through': 3}
        """
        if night not in self.horizon:
            return {}
        i = (night - self.horizon.check_in).days
        return {r: values[i] for r, values in self._values.items() if values[i]}

    def column(self, restriction: Restriction, nights: Stay) -> list[int]:
        """The value of ``restriction`` on each night of ``nights`` (0 where not set).

        Nights outside the horizon read as 0, like :meth:`on`.

        Example:
            Continuing the module example above:

            >>> rules.column(Restriction.MIN_STAY_THROUGH, Stay.parse("2026-12-29/2027-01-03"))
            [0, 3, 3, 3, 0]
        """
        values = self._values[restriction]
        first = (nights.check_in - self.horizon.check_in).days
        head = min(nights.nights, max(0, -first))  # nights before the horizon
        inside = values[max(0, first) : max(0, first + nights.nights)].tolist()
        return [0] * head + inside + [0] * (nights.nights - head - len(inside))

    def check(self, stay: Stay, *, booked_on: dt.date) -> tuple[Violation, ...]:
        """Return every restriction ``stay``, booked on ``booked_on``, breaks.

        Args:
            stay: The stay asked for.
            booked_on: The booking date, a local date of the property.

        Returns:
            The violations in night order; empty when the stay may be sold.
        """
        if isinstance(booked_on, dt.datetime) or not isinstance(booked_on, dt.date):
            msg = f"booked_on is a calendar date such as date(2026, 6, 1), got {booked_on!r}"
            raise InvalidRestrictionError(msg)
        found: list[Violation] = []
        arrival = self.on(stay.check_in)
        length = stay.nights
        if arrival.get(Restriction.CLOSED_TO_ARRIVAL):
            found.append(_violation(stay.check_in, Restriction.CLOSED_TO_ARRIVAL, length))
        shortest = arrival.get(Restriction.MIN_STAY_ARRIVAL, 0)
        if shortest and length < shortest:
            found.append(_violation(stay.check_in, Restriction.MIN_STAY_ARRIVAL, length, shortest))
        longest = arrival.get(Restriction.MAX_STAY_ARRIVAL, 0)
        if longest and length > longest:
            found.append(_violation(stay.check_in, Restriction.MAX_STAY_ARRIVAL, length, longest))
        found += _lead_violations(stay.check_in, arrival, (stay.check_in - booked_on).days)
        for night in stay:
            here = self.on(night)
            if here.get(Restriction.STOP_SELL):
                found.append(_violation(night, Restriction.STOP_SELL, length))
            through = here.get(Restriction.MIN_STAY_THROUGH, 0)
            if through > length:
                found.append(_violation(night, Restriction.MIN_STAY_THROUGH, length, through))
        if self.on(stay.check_out).get(Restriction.CLOSED_TO_DEPARTURE):
            found.append(_violation(stay.check_out, Restriction.CLOSED_TO_DEPARTURE, length))
        return tuple(sorted(found, key=lambda v: v.night))

    def window(self, nights: Stay) -> RestrictionCalendar:
        """Return an independent copy of the restrictions over ``nights``.

        Nights of ``nights`` outside this horizon read as not set in the copy. Changing
        the copy leaves this calendar as it is, and the other way round: stores hand
        out windows as snapshots.

        Example:
            Continuing the module example above:

            >>> turn = rules.window(Stay.parse("2026-11-30/2027-01-02"))
            >>> str(turn.horizon), turn.on(date(2026, 11, 30))
            ('2026-11-30/2027-01-02', {})
            >>> turn.column(Restriction.MIN_STAY_THROUGH, Stay.parse("2026-12-29/2027-01-02"))
            [0, 3, 3, 3]
            >>> turn.restrict(NightSelection.of(turn.horizon), stop_sell=True)
            >>> rules.on(date(2026, 12, 1))  # the calendar did not follow its copy
            {}
        """
        copy = RestrictionCalendar(nights)
        copy.paste(self)
        return copy

    def paste(self, other: RestrictionCalendar) -> None:
        """Overwrite every restriction of the nights ``other`` covers with ``other``'s.

        Nights of this calendar outside ``other``'s horizon keep their values; nights of
        ``other`` outside this horizon are left out. Each night is taken whole from a
        calendar that kept its own rules, so nothing needs checking again. Use it to
        bring a copy (a search index's) up to date from a store's snapshot.

        Example:
            Continuing the module example above:

            >>> copy = RestrictionCalendar(rules.horizon)
            >>> copy.restrict(NightSelection.of(copy.horizon), stop_sell=True)
            >>> copy.paste(rules.window(Stay.parse("2026-12-31/2027-01-01")))
            >>> {r.value: value for r, value in copy.on(date(2026, 12, 31)).items()}
            {'closed_to_arrival': 1, 'min_stay_through': 3}
            >>> {r.value: value for r, value in copy.on(date(2027, 1, 1)).items()}
            {'stop_sell': 1}
        """
        shared = self.horizon.overlap(other.horizon)
        if shared is None:
            return
        into = (shared.check_in - self.horizon.check_in).days
        start = (shared.check_in - other.horizon.check_in).days
        size = shared.nights
        for restriction, values in other._values.items():
            self._values[restriction][into : into + size] = values[start : start + size]

    def grown_to(self, horizon: Stay) -> RestrictionCalendar:
        """Return a calendar over this horizon and ``horizon`` together, values kept.

        The nights added carry no restriction. This calendar is left as it is.

        Example:
            Continuing the module example above:

            >>> longer = rules.grown_to(Stay.parse("2027-01-15/2027-03-01"))
            >>> str(longer.horizon), longer.on(date(2027, 1, 1))[Restriction.MIN_STAY_THROUGH]
            ('2026-12-01/2027-03-01', 3)
            >>> longer.on(date(2027, 2, 14))
            {}
        """
        hull = Stay(
            min(self.horizon.check_in, horizon.check_in),
            max(self.horizon.check_out, horizon.check_out),
        )
        grown = RestrictionCalendar(hull)
        grown.paste(self)
        return grown

    def _offset(self, night: dt.date) -> int:
        if night not in self.horizon:
            msg = (
                f"{night} is outside the restriction calendar ({self.horizon}); "
                "open the calendar over that night first"
            )
            raise InvalidRestrictionError(msg)
        return (night - self.horizon.check_in).days

    def _check_bounds(self, offsets: list[int], changes: dict[Restriction, int]) -> None:
        for low_name, high_name in _BOUNDS:
            if low_name not in changes and high_name not in changes:
                continue
            low_values, high_values = self._values[low_name], self._values[high_name]
            for i in offsets:
                low = changes.get(low_name, low_values[i])
                high = changes.get(high_name, high_values[i])
                if low and high and low > high:
                    night = self.horizon.check_in + dt.timedelta(days=i)
                    msg = (
                        f"{low_name.value} {low} would exceed {high_name.value} {high} on "
                        f"{night}; change both together or lower the minimum first"
                    )
                    raise ContradictoryRestrictionsError(msg)

    def __repr__(self) -> str:
        return f"RestrictionCalendar({self.horizon})"


def _restriction(key: object) -> Restriction:
    if not isinstance(key, Restriction):
        names = ", ".join(r.value for r in Restriction)
        msg = (
            f"restrictions are named by the Restriction enum, such as "
            f"Restriction('min_stay_arrival'); got {key!r}. The names are: {names}"
        )
        raise InvalidRestrictionError(msg)
    return key


def _value(restriction: Restriction, value: object) -> int:
    if restriction in _FLAGS:
        if not isinstance(value, bool):
            msg = f"{restriction.value} is True or False, got {value!r}"
            raise InvalidRestrictionError(msg)
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_DAYS:
        msg = (
            f"{restriction.value} is a whole number of days, 0 for no limit, at most "
            f"{_MAX_DAYS:,}; got {value!r}"
        )
        raise InvalidRestrictionError(msg)
    return value


def _lead_violations(arrival: dt.date, rules: dict[Restriction, int], lead: int) -> list[Violation]:
    if lead < 0:
        reason = f"arrival {arrival} is before the booking date"
        return [Violation(arrival, Restriction.MIN_LEAD_DAYS, reason)]
    found = []
    least = rules.get(Restriction.MIN_LEAD_DAYS, 0)
    if least and lead < least:
        reason = f"arrivals on {arrival} are booked at least {least} days ahead, not {lead}"
        found.append(Violation(arrival, Restriction.MIN_LEAD_DAYS, reason))
    most = rules.get(Restriction.MAX_LEAD_DAYS, 0)
    if most and lead > most:
        reason = f"arrivals on {arrival} are booked at most {most} days ahead, not {lead}"
        found.append(Violation(arrival, Restriction.MAX_LEAD_DAYS, reason))
    return found


def _violation(night: dt.date, restriction: Restriction, length: int, limit: int = 0) -> Violation:
    match restriction:
        case Restriction.STOP_SELL:
            reason = f"{night} is closed to sale"
        case Restriction.CLOSED_TO_ARRIVAL:
            reason = f"arrivals are closed on {night}"
        case Restriction.CLOSED_TO_DEPARTURE:
            reason = f"departures are closed on {night}"
        case Restriction.MIN_STAY_ARRIVAL:
            reason = f"stays arriving on {night} last at least {limit} nights, not {length}"
        case Restriction.MAX_STAY_ARRIVAL:
            reason = f"stays arriving on {night} last at most {limit} nights, not {length}"
        case _:
            reason = f"{night} needs a stay of at least {limit} nights, not {length}"
    return Violation(night, restriction, reason)
