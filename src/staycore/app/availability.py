"""Availability use cases: calendars, restrictions, holds on nights, search and channel feeds.

:class:`Availability` is what a host calls to sell nights. It works over two ports, the
:class:`~staycore.ports.inventory.InventoryStore` (counts, blocks, holds, units) and the
:class:`~staycore.ports.restrictions.RestrictionStore`, and keeps a
:class:`~staycore.availability.search.PortfolioIndex` for fast search:

* every change made through it (capacity, restrictions, blocks, holds, expiries, feed
  imports) updates the index for exactly the nights that changed, from a snapshot the
  store hands out;
* holding a stay checks the restrictions first and reports every violation, then lets
  the store take the rooms of all nights atomically;
* importing a channel's feed applies the :class:`~staycore.availability.external.ImportPlan`
  so the nights are never free in between: new blocks first, then the old ones go.

The index answers from its copies. Where other processes change the same stores (many
application servers on one database), call :meth:`Availability.resync` when they tell
you (an event, a message) or on a timer: search then may offer a room that was sold a
moment ago, and the store's atomic reservation refuses it, so nothing is double-booked.

Example:
    >>> from datetime import date
    >>> from staycore.adapters.memory import MemoryInventoryStore, MemoryRestrictionStore
    >>> from staycore.app.availability import Availability
    >>> from staycore.availability.ids import HoldId, PropertyId, UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.search import Listing, SearchQuery
    >>> from staycore.availability.stay_holds import StayHoldRequest
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.time import Stay
    >>> from staycore.testing.clock import FrozenClock
    >>> clock = FrozenClock("2026-11-22T09:00:00Z")
    >>> season = Stay.parse("2026-12-01/2027-03-01")
    >>> nights = Availability(MemoryInventoryStore(clock), MemoryRestrictionStore(), horizon=season)
    >>> loft = Listing(PropertyId.new(), UnitTypeId.new(), "Loft", 2)
    >>> nights.open_unit_type(loft, season)
    >>> nights.set_capacity(loft.unit_type, NightSelection.of(season), 1)
    >>> nights.restrict(loft.unit_type, NightSelection.of(season), min_stay_arrival=2)
    >>> new_year = Stay.parse("2026-12-31/2027-01-02")
    >>> query = SearchQuery(new_year, guests=2, booked_on=date(2026, 11, 22))
    >>> [listing.name for listing in nights.search(query).bookable()]
    ['Loft']
    >>> hold = nights.hold_stay(
    ...     StayHoldRequest(hold_id=HoldId.new(), unit_type=loft.unit_type, stay=new_year,
    ...                     owner=Identifier.new(), expires_at=clock.now().add(minutes=15)),
    ...     booked_on=date(2026, 11, 22),
    ... )
    >>> nights.search(query).count  # the index followed the hold
    0
    >>> _ = clock.advance(minutes=20)
    >>> [expired.id == hold.id for expired in nights.expire_due()]
    [True]
    >>> nights.search(query).count
    1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence

import pendulum

from staycore.app.arguments import expect, expect_each, expect_optional
from staycore.availability.blocks import Block
from staycore.availability.external import (
    ExportEntry,
    ExternalBooking,
    ImportPlan,
    export_entries,
    plan_import,
)
from staycore.availability.holds import HoldNotActiveError, HoldStatus
from staycore.availability.ids import BlockId, HoldId, UnitId, UnitTypeId
from staycore.availability.inventory import InventoryCalendar
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import (
    InvalidRestrictionError,
    Restriction,
    RestrictionCalendar,
    StayRestrictedError,
    Violation,
)
from staycore.availability.search import Listing, PortfolioIndex, SearchQuery, SearchResult
from staycore.availability.stay_holds import StayHold, StayHoldRequest
from staycore.kernel.time import Stay
from staycore.ports.inventory import InventoryStore
from staycore.ports.restrictions import RestrictionStore

__all__ = ["Availability"]

_DAY = dt.timedelta(days=1)
# How the messages of refused arguments show the values wanted.
_STAY = "Stay.parse('2026-07-10/2026-07-12')"
_NIGHTS = "NightSelection.of(Stay.parse('2026-07-01/2026-08-01'))"
_BLOCK = "Block(id=BlockId.new(), unit_type=..., nights=..., reason=BlockReason.OWNER_USE)"
_REQUEST = (
    "StayHoldRequest(hold_id=HoldId.new(), unit_type=..., stay=..., owner=..., expires_at=...)"
)


def _nights(nights: NightSelection, where: str) -> NightSelection:
    return expect(nights, NightSelection, name=f"{where}: nights", example=_NIGHTS)


def _with_departure(stay: Stay) -> Stay:
    """The stay's nights and its departure date, where closed-to-departure is read."""
    return Stay(stay.check_in, stay.check_out + _DAY)


class Availability:
    """The use cases of nightly availability, over an inventory and a restriction store.

    Args:
        inventory: Where counts, blocks, holds and units are kept.
        restrictions: Where restrictions are kept.
        horizon: The nights search covers, such as the next two years.
    """

    def __init__(
        self, inventory: InventoryStore, restrictions: RestrictionStore, *, horizon: Stay
    ) -> None:
        self._inventory = inventory
        self._restrictions = restrictions
        self.index = PortfolioIndex(horizon)

    # -- calendars -------------------------------------------------------------------

    def open_unit_type(self, listing: Listing, horizon: Stay) -> None:
        """Open a unit type's calendars over ``horizon`` and list it in search.

        Opening again grows the calendars and keeps everything in them; a unit type
        already listed is brought up to date from the stores.

        Example:
            See the module example.
        """
        listing = expect(
            listing,
            Listing,
            name="Availability.open_unit_type: listing",
            example="Listing(property_id, UnitTypeId.new(), 'Loft', 2)",
        )
        self._inventory.open_calendar(listing.unit_type, horizon)
        self._restrictions.open_restrictions(listing.unit_type, horizon)
        if listing.unit_type not in self.index:
            self.index.add(listing, *self._snapshots(listing.unit_type, self.index.horizon))
        else:
            self._sync(listing.unit_type, horizon)

    def set_capacity(self, unit_type: UnitTypeId, nights: NightSelection, capacity: int) -> None:
        """Set the rooms that exist on the selected nights ("Fridays in July: 3 rooms")."""
        nights = _nights(nights, "Availability.set_capacity")
        self._inventory.set_capacity(unit_type, nights, capacity)
        self._sync(unit_type, nights.span)

    def set_allowance(self, unit_type: UnitTypeId, nights: NightSelection, allowance: int) -> None:
        """Set the overbooking allowance on the selected nights."""
        nights = _nights(nights, "Availability.set_allowance")
        self._inventory.set_allowance(unit_type, nights, allowance)
        self._sync(unit_type, nights.span)

    def restrict(
        self, unit_type: UnitTypeId, nights: NightSelection, **changes: bool | int
    ) -> None:
        """Set the named restrictions on the selected nights; the others stay as they are.

        Takes the keywords of
        :meth:`~staycore.availability.restrictions.RestrictionCalendar.restrict`, such as
        ``min_stay_arrival=3`` or ``closed_to_arrival=True``.

        Raises:
            InvalidRestrictionError: An unknown name, or a bad value.
            ContradictoryRestrictionsError: A minimum would exceed its maximum.
        """
        nights = _nights(nights, "Availability.restrict")
        known = {restriction.value: restriction for restriction in Restriction}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            msg = f"unknown restrictions {unknown}; use {sorted(known)}"
            raise InvalidRestrictionError(msg)
        self._restrictions.restrict(
            unit_type, nights, {known[name]: value for name, value in changes.items()}
        )
        self._sync(unit_type, nights.span)

    def check(
        self, unit_type: UnitTypeId, stay: Stay, *, booked_on: dt.date
    ) -> tuple[Violation, ...]:
        """Every restriction ``stay`` breaks when booked on ``booked_on``; empty if none."""
        stay = expect(stay, Stay, name="Availability.check: stay", example=_STAY)
        rules = self._restrictions.restrictions(unit_type, _with_departure(stay))
        return rules.check(stay, booked_on=booked_on)

    def block(self, block: Block) -> None:
        """Take the block's rooms (or unit) out of sale."""
        block = expect(block, Block, name="Availability.block: block", example=_BLOCK)
        self._inventory.block(block)
        self._sync(block.unit_type, block.nights)

    def unblock(self, block: Block) -> None:
        """Give a block's rooms back; an unknown or removed block is ignored."""
        block = expect(block, Block, name="Availability.unblock: block", example=_BLOCK)
        self._inventory.unblock(block.id)
        self._sync(block.unit_type, block.nights)

    # -- holds -----------------------------------------------------------------------

    def hold_stay(self, request: StayHoldRequest, *, booked_on: dt.date) -> StayHold:
        """Check the stay's restrictions, then hold its rooms on every night, or none.

        Args:
            request: The hold wanted.
            booked_on: The booking date, a local date of the property, for lead time.

        Raises:
            StayRestrictedError: The stay breaks restrictions; every violation is listed.
            NotAvailableError: Some nights lack rooms; every short night is listed.
        """
        request = expect(
            request, StayHoldRequest, name="Availability.hold_stay: request", example=_REQUEST
        )
        violations = self.check(request.unit_type, request.stay, booked_on=booked_on)
        if violations:
            raise StayRestrictedError(request.unit_type, violations)
        self._sweep_for_search()
        hold = self._inventory.reserve(request)
        self._sync(hold.unit_type, hold.stay)
        return hold

    def replace_stay(
        self, hold_id: HoldId, request: StayHoldRequest, *, booked_on: dt.date
    ) -> StayHold:
        """Move a live hold to other nights, rooms or unit type in one step.

        The new stay's restrictions are checked as for a new booking (a date change is
        one), then the store swaps the holds atomically: the old hold's own rooms count
        as free, and the new hold keeps its status (sold stays sold).

        Args:
            hold_id: The hold to replace.
            request: The hold wanted instead, under a new hold id.
            booked_on: The date of the change, a local date of the property, for lead time.

        Raises:
            StayRestrictedError: The new stay breaks restrictions; nothing changed.
            NotAvailableError: Some new night lacks rooms; nothing changed.
            HoldNotActiveError: The old hold was released or has expired.
        """
        request = expect(
            request, StayHoldRequest, name="Availability.replace_stay: request", example=_REQUEST
        )
        violations = self.check(request.unit_type, request.stay, booked_on=booked_on)
        if violations:
            raise StayRestrictedError(request.unit_type, violations)
        self._sweep_for_search()
        old = self._inventory.hold(hold_id)
        new = self._inventory.replace(hold_id, request)
        self._sync(old.unit_type, old.stay)
        self._sync(new.unit_type, new.stay)
        return new

    def hold(self, hold_id: HoldId) -> StayHold:
        """The hold ``hold_id`` as it is now.

        Raises:
            HoldNotFoundError: No such hold.
        """
        return self._inventory.hold(hold_id)

    def confirm(self, hold_id: HoldId) -> StayHold:
        """Turn a held stay into sold (the order was paid); again does nothing."""
        return self._changed(hold_id, lambda: self._inventory.confirm(hold_id))

    def release(self, hold_id: HoldId) -> StayHold:
        """Free a hold's rooms, held or sold; again does nothing."""
        return self._changed(hold_id, lambda: self._inventory.release(hold_id))

    def extend(self, hold_id: HoldId, until: pendulum.DateTime) -> StayHold:
        """Give a live hold more time (its nights are still its own); see the store's rules."""
        return self._changed(hold_id, lambda: self._inventory.extend(hold_id, until))

    def expire_due(self) -> tuple[StayHold, ...]:
        """Expire every hold past its expiry and free its nights; return those expired."""
        return tuple(self._followed(hold) for hold in self._inventory.expire_due())

    def assign(self, hold_id: HoldId, units: Sequence[UnitId]) -> StayHold:
        """Put a live hold in ``units`` (room 101), one per room it holds."""
        rooms = expect_each(units, UnitId, name="Availability.assign: units", example="[room.id]")
        return self._changed(hold_id, lambda: self._inventory.assign(hold_id, rooms))

    # -- search ----------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """Which listed unit types can take ``query``, and why the others cannot."""
        return self.index.search(query)

    def resync(self, unit_type: UnitTypeId, nights: Stay | None = None) -> None:
        """Read a unit type's ``nights`` (all of the search horizon by default) from the stores.

        Call it when another process changed the stores.
        """
        nights = expect_optional(
            nights,
            Stay,
            name="Availability.resync: nights",
            example=f"{_STAY}, or None for the search horizon",
        )
        self._sync(unit_type, nights or self.index.horizon)

    # -- channel feeds ---------------------------------------------------------------

    def import_feed(
        self,
        feed: str,
        unit_type: UnitTypeId,
        events: Sequence[ExternalBooking],
        *,
        horizon: Stay,
        skip_summaries: Collection[str] = (),
        allow_empty: bool = False,
        new_block_id: Callable[[], BlockId] = BlockId.new,
    ) -> ImportPlan:
        """Bring a unit type's blocks in line with a channel's feed, and report conflicts.

        The plan is made against the blocks and confirmed bookings the store holds
        over ``horizon`` and applied as :class:`~staycore.availability.external.ImportPlan`
        says: new blocks first, old ones after, so the nights are never free between.
        Importing the same feed again changes nothing.

        Args:
            feed: The feed's name, as the host registered it (``"airbnb:loft"``).
            unit_type: The unit type its bookings take.
            events: The feed's events (parse the text with
                :func:`staycore.adapters.ical.parse_feed`).
            horizon: The nights imported; use the same every time, such as the
                calendar's horizon.
            skip_summaries: Summaries of events that are not bookings.
            allow_empty: Accept an empty feed that releases every block of it.
            new_block_id: Makes the ids of new blocks.

        Returns:
            The plan applied, with every event that overlaps a confirmed booking in
            ``conflicts`` (blocked all the same: someone must rehouse a guest).

        Raises:
            EmptyFeedError: The feed is empty while blocks from it stand.
            MalformedFeedError: The feed contradicts itself; nothing changed.
        """
        horizon = expect(horizon, Stay, name="Availability.import_feed: horizon", example=_STAY)
        confirmed = [
            hold.stay
            for hold in self._inventory.holds(unit_type, horizon)
            if hold.status is HoldStatus.CONFIRMED
        ]
        plan = plan_import(
            feed,
            unit_type,
            events,
            current=self._inventory.blocks(unit_type, horizon),
            confirmed=confirmed,
            new_block_id=new_block_id,
            horizon=horizon,
            skip_summaries=skip_summaries,
            allow_empty=allow_empty,
        )
        for block in (*plan.add, *(new for _, new in plan.move)):
            self.block(block)
        for block in (*plan.remove, *(old for old, _ in plan.move)):
            self.unblock(block)
        return plan

    def export_entries(
        self,
        unit_type: UnitTypeId,
        nights: Stay,
        *,
        for_feed: str | None = None,
        include_held: bool = False,
        uid_domain: str = "staycore",
    ) -> tuple[ExportEntry, ...]:
        """What the unit type's feed shows other channels over ``nights``.

        See :func:`~staycore.availability.external.export_entries`; write the text with
        :func:`staycore.adapters.ical.export_feed`.
        """
        nights = expect(nights, Stay, name="Availability.export_entries: nights", example=_STAY)
        return export_entries(
            unit_type,
            self._inventory.holds(unit_type, nights),
            self._inventory.blocks(unit_type, nights),
            for_feed=for_feed,
            include_held=include_held,
            uid_domain=uid_domain,
        )

    # -- internals -------------------------------------------------------------------

    def _sweep_for_search(self) -> None:
        """Expire lapsed holds before a hold is taken, if search lists anything.

        The store expires the lapsed holds in a new hold's way itself; expiring them all
        here lets search see every night they free. With nothing listed there is
        nothing to show, and the sweep would be a query on every booking for nothing.
        """
        if len(self.index):
            self.expire_due()

    def _followed(self, hold: StayHold) -> StayHold:
        self._sync(hold.unit_type, hold.stay)
        return hold

    def _changed(self, hold_id: HoldId, change: Callable[[], StayHold]) -> StayHold:
        """Make ``change`` to a hold and update search, also when it was refused.

        A store expires a lapsed hold before it refuses to confirm or extend it, so a
        refusal can free nights too.
        """
        try:
            return self._followed(change())
        except HoldNotActiveError:
            self._followed(self._inventory.hold(hold_id))
            raise

    def _snapshots(
        self, unit_type: UnitTypeId, nights: Stay
    ) -> tuple[InventoryCalendar, RestrictionCalendar]:
        return (
            self._inventory.calendar(unit_type, nights),
            self._restrictions.restrictions(unit_type, _with_departure(nights)),
        )

    def _sync(self, unit_type: UnitTypeId, nights: Stay) -> None:
        """Update the index over ``nights`` (within its horizon) from the stores."""
        if unit_type not in self.index:
            return
        inside = nights.overlap(self.index.horizon)
        if inside is not None:
            inventory, restrictions = self._snapshots(unit_type, inside)
            self.index.update(unit_type, inventory=inventory, restrictions=restrictions)
