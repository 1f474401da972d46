"""Portfolio search: which unit types can be booked for a stay and a party, and why not.

Search is the hot path of a booking site: every visitor asks it, over every unit type
of a property or of a whole portfolio. Checking each calendar night by night costs
calendars x nights dictionary look-ups per search. A :class:`PortfolioIndex` instead
keeps, for each night, a bitset over all the calendars of the portfolio (a Python
``int``, one bit per unit type) of those that can still be sold that night, and of
those closed to arrival or departure on it. A search ANDs the bitsets of its nights:
one machine-word operation per 64 unit types, whatever the size of the portfolio.

Rules with a number (length of stay, lead time) are kept per night as a bitset per
value in use: "these unit types need at least 3 nights when arriving on 31 December".
A search ORs the bitsets of the values its stay breaks, which are few: hosts use a
handful of values, not hundreds. Only a search for more rooms than the index keeps
levels for checks calendars one by one. The exact evaluation, night by night, explains
on demand every unit type that cannot be booked.

The index reads the calendars it was given; after they change, :meth:`PortfolioIndex.refresh`
brings it up to date for the nights that changed. When the calendars live in a store,
the index keeps copies, and :meth:`PortfolioIndex.update` pastes a store's snapshot of
the nights that changed into them (the use cases of :mod:`staycore.app.availability` do
this after every change they make). Search answers from those copies: it says what can
be offered, and the store's atomic reservation decides what is sold.

Example:
    >>> from datetime import date
    >>> from staycore.availability.ids import PropertyId, UnitTypeId
    >>> from staycore.availability.inventory import InventoryCalendar
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.restrictions import RestrictionCalendar
    >>> from staycore.availability.search import Listing, PortfolioIndex, SearchQuery
    >>> from staycore.kernel.time import Stay
    >>> summer = Stay.parse("2026-07-01/2026-09-01")
    >>> index = PortfolioIndex(summer)
    >>> villa = PropertyId.new()
    >>> def listed(name: str, guests: int, rooms: int) -> Listing:
    ...     inventory = InventoryCalendar(UnitTypeId.new(), summer)
    ...     inventory.set_capacity(NightSelection.of(summer), rooms)
    ...     listing = Listing(villa, inventory.unit_type, name, guests)
    ...     index.add(listing, inventory, RestrictionCalendar(summer))
    ...     return listing
    >>> garden, family = listed("Garden double", 2, 2), listed("Family suite", 4, 1)
    >>> index.restrictions(family.unit_type).restrict(
    ...     NightSelection.of(summer), min_stay_arrival=3)
    >>> index.refresh(family.unit_type)
    >>> result = index.search(SearchQuery(Stay.parse("2026-07-10/2026-07-12"), guests=2,
    ...                                   booked_on=date(2026, 6, 1)))
    >>> [listing.name for listing in result.bookable()]
    ['Garden double']
    >>> for refusal in result.refusals():
    ...     print(refusal.listing.name, "-", "; ".join(refusal.reasons))
    Family suite - stays arriving on 2026-07-10 last at least 3 nights, not 2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import attrs

from staycore.availability.errors import AvailabilityError
from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.inventory import InventoryCalendar
from staycore.availability.restrictions import Restriction, RestrictionCalendar
from staycore.kernel.time import Stay

__all__ = [
    "InvalidSearchError",
    "Listing",
    "PortfolioIndex",
    "Refusal",
    "SearchQuery",
    "SearchResult",
]

_ROOM_LEVELS: Final = 3
"""Bitsets are kept for 1, 2 and 3 rooms left; a search for more checks calendars."""
_NUMBERS: Final = (
    Restriction.MIN_STAY_ARRIVAL,
    Restriction.MAX_STAY_ARRIVAL,
    Restriction.MIN_STAY_THROUGH,
    Restriction.MIN_LEAD_DAYS,
    Restriction.MAX_LEAD_DAYS,
)
# The positions of the set bits of every byte value, to list a bitset's members fast.
_BYTE_BITS: Final = tuple(tuple(b for b in range(8) if value >> b & 1) for value in range(256))


class InvalidSearchError(AvailabilityError):
    """A search asks for no guests or rooms, or a unit type is listed twice."""

    code = "availability.invalid_search"


@attrs.frozen
class Listing:
    """A unit type as search shows it.

    Attributes:
        property_id: The property it belongs to.
        unit_type: The unit type.
        name: Its name for guests.
        max_guests: How many guests one unit sleeps.
    """

    property_id: PropertyId = attrs.field(validator=PropertyId.validate)
    unit_type: UnitTypeId = attrs.field(validator=UnitTypeId.validate)
    name: str
    max_guests: int

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str):
            msg = f"a listing's name is text such as 'Garden room', got {self.name!r}"
            raise InvalidSearchError(msg)
        guests = self.max_guests
        if isinstance(guests, bool) or not isinstance(guests, int) or guests < 1:
            msg = f"a listing sleeps a whole number of guests, at least 1; got {guests!r}"
            raise InvalidSearchError(msg)


def _positive(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"a search needs a whole number of guests and rooms, at least 1; got {value!r}"
        raise InvalidSearchError(msg)
    return value


def _searched_stay(value: Stay) -> Stay:
    if not isinstance(value, Stay):
        msg = f"a search is for a Stay such as Stay.parse('2026-07-10/2026-07-12'), got {value!r}"
        raise InvalidSearchError(msg)
    return value


def _booking_date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"booked_on is a calendar date such as date(2026, 6, 1), got {value!r}"
        raise InvalidSearchError(msg)
    return value


@attrs.frozen(kw_only=True)
class SearchQuery:
    """What a guest asks: a stay, a party, how many units, booked when, and where.

    Attributes:
        stay: The nights wanted.
        guests: Guests per unit.
        rooms: Units wanted, each for ``guests``.
        booked_on: The booking date (a local date of the properties) for lead time.
        properties: Properties to search, or ``None`` for the whole portfolio.
    """

    stay: Stay = attrs.field(kw_only=False, converter=_searched_stay)
    guests: int = attrs.field(converter=_positive)
    rooms: int = attrs.field(default=1, converter=_positive)
    booked_on: dt.date = attrs.field(converter=_booking_date)
    properties: frozenset[PropertyId] | None = attrs.field(
        default=None, converter=attrs.converters.optional(frozenset)
    )


@attrs.frozen
class Refusal:
    """A unit type that cannot be booked for a query, with every reason."""

    listing: Listing
    reasons: tuple[str, ...]


class SearchResult:
    """The unit types a query can book; the others are explained on demand.

    The bookable set is computed by the search; listing it and explaining refusals cost
    only when asked for, so a page of results or a count stays cheap.
    """

    def __init__(
        self, index: PortfolioIndex, query: SearchQuery, bookable: int, asked: int
    ) -> None:
        self._index = index
        self.query = query
        self._bookable = bookable
        self._asked = asked

    @property
    def count(self) -> int:
        """How many unit types can be booked."""
        return self._bookable.bit_count()

    def bookable(self, *, offset: int = 0, limit: int | None = None) -> list[Listing]:
        """The bookable unit types, in the order they were added to the index.

        Args:
            offset: How many to skip (for paging).
            limit: How many at most; all by default.
        """
        positions = _positions(self._bookable, offset + limit if limit is not None else None)
        return [self._index.listing_at(i) for i in positions[offset:]]

    def refusals(self) -> list[Refusal]:
        """Every unit type searched that cannot be booked, with all its reasons."""
        refused = self._asked & ~self._bookable
        return [
            Refusal(self._index.listing_at(i), self._index.explain(i, self.query))
            for i in _positions(refused)
        ]

    def __repr__(self) -> str:
        return f"SearchResult({self.query.stay}, {self.count} bookable)"


class PortfolioIndex:
    """Bitsets per night over every unit type of a portfolio, for fast search.

    Args:
        horizon: The nights the index covers; a calendar's nights outside it are not
            searched, and nights of the index outside a calendar count as closed.
    """

    def __init__(self, horizon: Stay) -> None:
        self.horizon = horizon
        size = horizon.nights + 1  # one more: the departure date after the last night
        self._listings: list[Listing] = []
        self._inventories: list[InventoryCalendar] = []
        self._restrictions: list[RestrictionCalendar] = []
        self._position: dict[UnitTypeId, int] = {}
        self._by_property: dict[PropertyId, int] = {}
        self._sleeping: dict[int, int] = {}  # guests -> unit types that sleep that many
        # _open[k][d]: unit types with at least k+1 rooms to sell on night d.
        self._open: list[list[int]] = [[0] * size for _ in range(_ROOM_LEVELS)]
        self._no_arrival = [0] * size
        self._no_departure = [0] * size
        # _numbers[r][d]: value of restriction r on night d -> unit types with that value.
        self._numbers: dict[Restriction, list[dict[int, int]]] = {
            r: [{} for _ in range(size)] for r in _NUMBERS
        }

    # -- building --------------------------------------------------------------------

    def add(
        self, listing: Listing, inventory: InventoryCalendar, restrictions: RestrictionCalendar
    ) -> None:
        """Add a unit type with its calendars.

        Raises:
            InvalidSearchError: The unit type is already in the index, or the calendars
                are of another unit type.
        """
        self.add_all([(listing, inventory, restrictions)])

    def add_all(
        self, entries: Iterable[tuple[Listing, InventoryCalendar, RestrictionCalendar]]
    ) -> None:
        """Add many unit types at once: much faster than adding them one by one.

        Each night's bitsets are built in a byte array and turned into an ``int`` once,
        instead of copying a portfolio-wide ``int`` for every unit type.

        Raises:
            InvalidSearchError: As :meth:`add`; nothing is added then.
        """
        batch = list(entries)
        seen = set(self._position)
        for listing, inventory, _ in batch:
            if listing.unit_type in seen or inventory.unit_type != listing.unit_type:
                msg = (
                    f"cannot add {listing.unit_type}: it is already in the index, or its "
                    f"inventory calendar belongs to {inventory.unit_type}"
                )
                raise InvalidSearchError(msg)
            seen.add(listing.unit_type)
        base = len(self._listings)
        for listing, inventory, restrictions in batch:
            position = len(self._listings)
            self._listings.append(listing)
            self._inventories.append(inventory)
            self._restrictions.append(restrictions)
            self._position[listing.unit_type] = position
            self._by_property[listing.property_id] = self._by_property.get(
                listing.property_id, 0
            ) | (1 << position)
        self._sleeping.clear()
        self._index_batch(range(base, len(self._listings)))

    def _index_batch(self, positions: range) -> None:
        """Set the bits of new unit types, which are clear everywhere so far."""
        size, width = self.horizon.nights + 1, (len(positions) + 7) // 8
        open_rows = [[bytearray(width) for _ in range(size)] for _ in self._open]
        flag_rows = {
            r: [bytearray(width) for _ in range(size)]
            for r in (Restriction.CLOSED_TO_ARRIVAL, Restriction.CLOSED_TO_DEPARTURE)
        }
        number_rows: dict[Restriction, list[dict[int, bytearray]]] = {
            r: [{} for _ in range(size)] for r in _NUMBERS
        }
        for n, position in enumerate(positions):
            byte, bit = n >> 3, 1 << (n & 7)
            rooms, columns = self._rows(position, range(size))
            for level, rows in enumerate(open_rows):
                _set_where(rows, rooms, byte, bit, above=level)
            for restriction, rows in flag_rows.items():
                _set_where(rows, columns[restriction], byte, bit)
            for restriction, by_night in number_rows.items():
                for d, value in enumerate(columns[restriction]):
                    if value:
                        by_night[d].setdefault(value, bytearray(width))[byte] |= bit
        base = positions.start
        for level_bits, rows in zip(self._open, open_rows, strict=True):
            _merge(level_bits, rows, base)
        _merge(self._no_arrival, flag_rows[Restriction.CLOSED_TO_ARRIVAL], base)
        _merge(self._no_departure, flag_rows[Restriction.CLOSED_TO_DEPARTURE], base)
        for restriction, by_night in number_rows.items():
            for d, by_value in enumerate(by_night):
                target = self._numbers[restriction][d]
                for value, row in by_value.items():
                    target[value] = target.get(value, 0) | int.from_bytes(row, "little") << base

    def restrictions(self, unit_type: UnitTypeId) -> RestrictionCalendar:
        """The restriction calendar of a unit type in the index (refresh after changes)."""
        return self._restrictions[self._at(unit_type)]

    def inventory(self, unit_type: UnitTypeId) -> InventoryCalendar:
        """The inventory calendar of a unit type in the index (refresh after changes)."""
        return self._inventories[self._at(unit_type)]

    def refresh(self, unit_type: UnitTypeId, nights: Stay | None = None) -> None:
        """Re-read a unit type's calendars for ``nights`` (all of the horizon by default)."""
        position = self._at(unit_type)
        if nights is None:
            offsets = range(self.horizon.nights + 1)
        else:
            first = (nights.check_in - self.horizon.check_in).days
            offsets = range(max(0, first), min(self.horizon.nights + 1, first + nights.nights + 1))
        self._index(position, offsets)

    def update(
        self,
        unit_type: UnitTypeId,
        *,
        inventory: InventoryCalendar | None = None,
        restrictions: RestrictionCalendar | None = None,
    ) -> None:
        """Bring a unit type up to date from snapshots of some of its nights.

        Each snapshot's counts or values are pasted into the index's calendars over the
        nights the snapshot covers, and those nights are indexed again.

        Raises:
            InvalidSearchError: The unit type is not in the index.
            InvalidCapacityError: The inventory snapshot is of another unit type.

        Example:
            Continuing the module example above: the store sold the last garden double
            for 10 July, and hands over a snapshot of that night.

            >>> sold = InventoryCalendar(garden.unit_type, Stay.parse("2026-07-10/2026-07-11"))
            >>> index.update(garden.unit_type, inventory=sold)
            >>> index.search(SearchQuery(Stay.parse("2026-07-10/2026-07-12"), guests=2,
            ...                          booked_on=date(2026, 6, 1))).count
            0
        """
        position = self._at(unit_type)
        if inventory is not None:
            self._inventories[position].paste(inventory)
            self.refresh(unit_type, inventory.horizon)
        if restrictions is not None:
            self._restrictions[position].paste(restrictions)
            self.refresh(unit_type, restrictions.horizon)

    def __contains__(self, unit_type: object) -> bool:
        return isinstance(unit_type, str) and unit_type in self._position

    def __len__(self) -> int:
        return len(self._listings)

    def listing_at(self, position: int) -> Listing:
        """The listing at a bit position."""
        return self._listings[position]

    # -- searching -------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """Find the unit types that can be booked for ``query``.

        Example:
            See the module example.
        """
        if not isinstance(query, SearchQuery):
            msg = f"search takes a SearchQuery, got {query!r}"
            raise InvalidSearchError(msg)
        asked = self._scope(query)
        stay, first = query.stay, (query.stay.check_in - self.horizon.check_in).days
        last = first + stay.nights
        if first < 0 or stay.check_out > self.horizon.check_out or query.booked_on > stay.check_in:
            return SearchResult(self, query, 0, asked)
        level = self._open[min(query.rooms, _ROOM_LEVELS) - 1]
        mask = asked & self._sleeping_at_least(query.guests)
        mask &= ~self._no_arrival[first] & ~self._no_departure[last]
        for d in range(first, last):
            mask &= level[d]
        mask &= ~self._breaking(query, first, last)
        if query.rooms > _ROOM_LEVELS:
            for i in _positions(mask):
                if self._inventories[i].shortfalls(stay, query.rooms):
                    mask &= ~(1 << i)
        return SearchResult(self, query, mask, asked)

    def explain(self, position: int, query: SearchQuery) -> tuple[str, ...]:
        """Every reason the unit type at ``position`` cannot take ``query``."""
        listing = self._listings[position]
        reasons = []
        if query.guests > listing.max_guests:
            reasons.append(f"sleeps {listing.max_guests}, not {query.guests}")
        inventory, stay = self._inventories[position], query.stay
        if stay.overlap(inventory.horizon) != stay:
            reasons.append(f"{stay} is not all open for sale (calendar {inventory.horizon})")
            return tuple(reasons)
        reasons += [
            f"{s.night}: {s.available} of {s.wanted} rooms left"
            for s in inventory.shortfalls(stay, query.rooms)
        ]
        reasons += [
            v.reason for v in self._restrictions[position].check(stay, booked_on=query.booked_on)
        ]
        return tuple(reasons)

    # -- internals -------------------------------------------------------------------

    def _at(self, unit_type: UnitTypeId) -> int:
        position = self._position.get(unit_type)
        if position is None:
            msg = f"{unit_type} is not in the index; add() it first"
            raise InvalidSearchError(msg)
        return position

    def _scope(self, query: SearchQuery) -> int:
        """The unit types the query is about: those of its properties."""
        if query.properties is None:
            return (1 << len(self._listings)) - 1
        mask = 0
        for property_id in query.properties:
            mask |= self._by_property.get(property_id, 0)
        return mask

    def _sleeping_at_least(self, guests: int) -> int:
        """The unit types that sleep ``guests``, computed once per party size."""
        sleeping = self._sleeping.get(guests)
        if sleeping is None:
            sleeping = 0
            for i, listing in enumerate(self._listings):
                if listing.max_guests >= guests:
                    sleeping |= 1 << i
            self._sleeping[guests] = sleeping
        return sleeping

    def _breaking(self, query: SearchQuery, first: int, last: int) -> int:
        """The unit types whose numbered restrictions ``query`` breaks."""
        length, lead = query.stay.nights, (query.stay.check_in - query.booked_on).days
        numbers = self._numbers
        broken = 0
        for value, units in numbers[Restriction.MIN_STAY_ARRIVAL][first].items():
            if length < value:
                broken |= units
        for value, units in numbers[Restriction.MAX_STAY_ARRIVAL][first].items():
            if length > value:
                broken |= units
        for value, units in numbers[Restriction.MIN_LEAD_DAYS][first].items():
            if lead < value:
                broken |= units
        for value, units in numbers[Restriction.MAX_LEAD_DAYS][first].items():
            if lead > value:
                broken |= units
        through = numbers[Restriction.MIN_STAY_THROUGH]
        for d in range(first, last):
            for value, units in through[d].items():
                if length < value:
                    broken |= units
        return broken

    def _rows(
        self, position: int, offsets: range
    ) -> tuple[list[int], dict[Restriction, list[int]]]:
        """Rooms sellable and restriction values of a unit type on each night offset."""
        start = self.horizon.check_in + dt.timedelta(days=offsets.start)
        span = Stay(start, start + dt.timedelta(days=len(offsets)))
        inventory, rules = self._inventories[position], self._restrictions[position]
        rooms = [0] * len(offsets)
        covered = span.overlap(inventory.horizon)
        if covered is not None:
            skip = (covered.check_in - span.check_in).days
            rooms[skip : skip + covered.nights] = inventory.availability(covered)
        columns = {r: rules.column(r, span) for r in Restriction}
        rooms = [
            0 if stop else left
            for left, stop in zip(rooms, columns[Restriction.STOP_SELL], strict=True)
        ]
        return rooms, columns

    def _index(self, position: int, offsets: range) -> None:
        """Re-set the unit type's bit on each night offset from its calendars."""
        if not offsets:
            return
        bit = 1 << position
        rooms, columns = self._rows(position, offsets)
        for j, d in enumerate(offsets):
            for k, level in enumerate(self._open):
                level[d] = level[d] | bit if rooms[j] > k else level[d] & ~bit
            _mark(self._no_arrival, d, bit, columns[Restriction.CLOSED_TO_ARRIVAL][j])
            _mark(self._no_departure, d, bit, columns[Restriction.CLOSED_TO_DEPARTURE][j])
            for restriction in _NUMBERS:
                _file(self._numbers[restriction][d], bit, columns[restriction][j])

    def __repr__(self) -> str:
        return f"PortfolioIndex({self.horizon}, {len(self._listings)} unit types)"


def _set_where(
    rows: list[bytearray], values: list[int], byte: int, bit: int, above: int = 0
) -> None:
    """Set ``bit`` of ``byte`` in each night's row whose value is above ``above``."""
    for d, value in enumerate(values):
        if value > above:
            rows[d][byte] |= bit


def _merge(bitsets: list[int], rows: list[bytearray], base: int) -> None:
    """OR each night's byte array, read as bits from position ``base`` on, into its int."""
    for d, row in enumerate(rows):
        if any(row):
            bitsets[d] |= int.from_bytes(row, "little") << base


def _mark(bitsets: list[int], d: int, bit: int, value: object) -> None:
    bitsets[d] = bitsets[d] | bit if value else bitsets[d] & ~bit


def _file(by_value: dict[int, int], bit: int, value: int) -> None:
    """File a unit type's bit under its value (0: under none), taking it from the others."""
    for other in [v for v, units in by_value.items() if units & bit and v != value]:
        remaining = by_value[other] & ~bit
        if remaining:
            by_value[other] = remaining
        else:
            del by_value[other]
    if value:
        by_value[value] = by_value.get(value, 0) | bit


def _positions(mask: int, limit: int | None = None) -> list[int]:
    """The positions of the set bits of ``mask``, lowest first, at most ``limit`` of them."""
    found: list[int] = []
    data = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    for byte_index, value in enumerate(data):
        if value:
            base = byte_index * 8
            found.extend(base + b for b in _BYTE_BITS[value])
            if limit is not None and len(found) >= limit:
                return found[:limit]
    return found
