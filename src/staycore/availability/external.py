"""Bookings made on other channels: reconciling a feed's events with blocks, and exporting.

Airbnb, Booking.com and most channel managers publish each listing's bookings as an
iCalendar feed and read ours the same way. Reading the text of a feed is the job of an
adapter (:mod:`staycore.adapters.ical`, the ``ical`` extra); this module is the pure part
on both sides, and needs no iCalendar library:

* :func:`plan_import` compares the events of a feed (:class:`ExternalBooking`, already
  parsed) with the blocks a previous import left, and returns an :class:`ImportPlan`:
  blocks to add, to move, to remove and to keep, and every event that overlaps one of our
  own confirmed bookings (a :class:`FeedConflict`, reported, never dropped).
* :func:`export_entries` chooses what a unit's feed shows the other channels: its booked
  and blocked nights, each with a UID derived from the hold or block id, so the same
  booking keeps the same UID from one export to the next.

Importing is idempotent: planning the same feed against the blocks that applying the
previous plan left changes nothing. A block is matched to its event by the event's UID
(kept in :class:`~staycore.availability.blocks.ExternalSource`), never by its dates,
so an event whose dates change moves its block, and an event that leaves the feed (a
cancelled booking) releases its block.

Example:
    >>> from staycore.availability.external import ExternalBooking, plan_import
    >>> from staycore.availability.ids import BlockId, UnitTypeId
    >>> from staycore.kernel.time import Stay
    >>> cabin = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> feed = [ExternalBooking("a1@airbnb.com", Stay.parse("2026-07-12/2026-07-15"), "Reserved")]
    >>> first = plan_import("airbnb", cabin, feed, current=(), confirmed=(),
    ...                     new_block_id=BlockId.new)
    >>> [str(block.nights) for block in first.add]
    ['2026-07-12/2026-07-15']
    >>> plan_import("airbnb", cabin, feed, current=first.add, confirmed=(),
    ...             new_block_id=BlockId.new).changes_nothing
    True
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

import attrs

from staycore.availability.blocks import Block, BlockReason, ExternalSource
from staycore.availability.errors import AvailabilityError
from staycore.availability.holds import HoldStatus
from staycore.availability.ids import BlockId, UnitTypeId
from staycore.availability.stay_holds import StayHold
from staycore.kernel.time import Stay

__all__ = [
    "EmptyFeedError",
    "ExportEntry",
    "ExternalBooking",
    "FeedConflict",
    "ImportPlan",
    "MalformedFeedError",
    "export_entries",
    "plan_import",
]


class MalformedFeedError(AvailabilityError):
    """A calendar feed cannot be read, or contradicts itself.

    The feed is refused as a whole: importing only the events that could be read would
    release the blocks of those that could not, and sell nights the other channel sold.
    """

    code = "availability.malformed_feed"


class EmptyFeedError(MalformedFeedError):
    """A feed came back with no events while blocks from it still stand.

    An outage, an expired feed URL or a channel's maintenance page often looks like an
    empty calendar; importing it would release every block of the feed and sell nights
    the other channel sold. A host who knows every booking there was cancelled imports
    with ``allow_empty=True``.
    """

    code = "availability.empty_feed"


def _to_uid(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"an event needs a non-blank UID to be matched across imports, got {value!r}"
        raise MalformedFeedError(msg)
    # Some feeds pad folded lines; the UID is the same booking with or without the blanks.
    return value.strip()


def _to_nights(value: Stay) -> Stay:
    if not isinstance(value, Stay):
        msg = f"an event's nights are a Stay such as Stay.parse('2026-08-01/2026-08-03'); {value!r}"
        raise MalformedFeedError(msg)
    return value


def _to_summary(value: str) -> str:
    if not isinstance(value, str):
        msg = f"an event's summary must be text, got {value!r}"
        raise MalformedFeedError(msg)
    return value


@attrs.frozen
class ExternalBooking:
    """One event of a feed, already parsed: nights another channel sold or closed.

    Attributes:
        uid: The event's iCalendar UID, which names the booking across imports.
        nights: The nights it takes (check-out exclusive, like DTEND in the feed).
        summary: The event's SUMMARY, such as ``"Reserved"``; kept as the block's note.

    Raises:
        MalformedFeedError: The UID is blank.

    Example:
        >>> from staycore.availability.external import ExternalBooking
        >>> from staycore.kernel.time import Stay
        >>> ExternalBooking(" 42@booking.com ", Stay.parse("2026-08-01/2026-08-03")).uid
        '42@booking.com'
    """

    uid: str = attrs.field(converter=_to_uid)
    nights: Stay = attrs.field(converter=_to_nights)
    summary: str = attrs.field(default="", converter=_to_summary)


@attrs.frozen
class FeedConflict:
    """A feed event on nights of one of our own confirmed bookings: a likely double booking.

    The block is made all the same (see :func:`plan_import`): the other channel did sell
    those nights, and pretending otherwise would sell them a third time. Someone must
    now move or refund one of the two guests.

    Attributes:
        feed: The feed the event came from.
        event: The event.
        booking: Our confirmed booking's nights.
        nights: The nights both take.
        block: The block that covers the event once the plan is applied.

    Example:
        >>> from staycore.availability.external import ExternalBooking, plan_import
        >>> from staycore.availability.ids import BlockId, UnitTypeId
        >>> from staycore.kernel.time import Stay
        >>> event = ExternalBooking("b7@airbnb.com", Stay.parse("2026-07-12/2026-07-15"))
        >>> plan = plan_import(
        ...     "airbnb", UnitTypeId.new(), [event], current=(),
        ...     confirmed=[Stay.parse("2026-07-14/2026-07-16")], new_block_id=BlockId.new,
        ... )
        >>> print(plan.conflicts[0])
        airbnb event b7@airbnb.com (2026-07-12/2026-07-15) overlaps our confirmed booking
        2026-07-14/2026-07-16 on 2026-07-14/2026-07-15
    """

    feed: str
    event: ExternalBooking
    booking: Stay
    nights: Stay
    block: Block

    def __str__(self) -> str:
        return (
            f"{self.feed} event {self.event.uid} ({self.event.nights}) overlaps our "
            f"confirmed booking {self.booking} on {self.nights}"
        )


@attrs.frozen(kw_only=True)
class ImportPlan:
    """What importing a feed changes in a unit type's blocks.

    Apply it by blocking ``add`` and the new side of each ``move`` first, then unblocking
    ``remove`` and the old side of each ``move``: a moved booking gets a new block id, so
    the nights are never free in between, and a run interrupted half-way is healed by the
    next import (a UID with two blocks keeps one and releases the other).

    Attributes:
        feed: The feed imported.
        unit_type: The unit type whose blocks these are.
        add: Blocks for events new to the feed.
        move: ``(old, new)`` pairs for events whose dates changed.
        remove: Blocks of events that left the feed (cancelled bookings), or duplicates.
        unchanged: Blocks whose events did not change.
        conflicts: Every event that overlaps one of our confirmed bookings, whether its
            block is new, moved or unchanged: the state of the feed, so a report lost once
            comes back at the next import. :attr:`new_conflicts` has those to act on now.
    """

    feed: str
    unit_type: UnitTypeId
    add: tuple[Block, ...] = ()
    move: tuple[tuple[Block, Block], ...] = ()
    remove: tuple[Block, ...] = ()
    unchanged: tuple[Block, ...] = ()
    conflicts: tuple[FeedConflict, ...] = ()

    @property
    def changes_nothing(self) -> bool:
        """Whether applying the plan would add, move or remove no block.

        Conflicts are a report, not a change: a plan with conflicts on unchanged blocks
        still changes nothing.
        """
        return not (self.add or self.move or self.remove)

    @property
    def new_conflicts(self) -> tuple[FeedConflict, ...]:
        """The conflicts whose block this plan adds or moves: the ones nobody has seen yet.

        Example:
            Continuing the :class:`FeedConflict` example above:

            >>> len(plan.new_conflicts)
            1
        """
        fresh = {block.id for block in self.add} | {new.id for _, new in self.move}
        return tuple(conflict for conflict in self.conflicts if conflict.block.id in fresh)

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The feed's blocks once the plan is applied: unchanged, added and moved.

        Example:
            Continuing the module example above:

            >>> [block.source.uid for block in first.blocks if block.source]
            ['a1@airbnb.com']
        """
        return self.unchanged + self.add + tuple(new for _, new in self.move)


def _texts(value: Collection[str], name: str, shape: str) -> list[str]:
    """``value`` as a list of text, or a refusal saying what it should be."""
    items = (
        list(value) if isinstance(value, Iterable) and not isinstance(value, str | bytes) else None
    )
    if items is None or not all(isinstance(item, str) for item in items):
        msg = f"{name} is a collection of {shape}; got {value!r}"
        raise MalformedFeedError(msg)
    return items


def _is_from(block: Block, feed: str, unit_type: UnitTypeId) -> bool:
    return (
        block.unit_type == unit_type
        and block.reason is BlockReason.EXTERNAL_BOOKING
        and block.source is not None
        and block.source.feed == feed
    )


def _distinct_events(feed: str, events: Iterable[ExternalBooking]) -> dict[str, ExternalBooking]:
    """The feed's events by UID, in feed order; a UID repeated with other dates is refused."""
    by_uid: dict[str, ExternalBooking] = {}
    for index, event in enumerate(events, start=1):
        if not isinstance(event, ExternalBooking):
            msg = f"event {index} of feed {feed!r} must be an ExternalBooking, got {event!r}"
            raise MalformedFeedError(msg)
        seen = by_uid.setdefault(event.uid, event)
        # Some channels list a booking twice; the same dates twice are one booking.
        if seen.nights != event.nights:
            msg = (
                f"feed {feed!r} lists UID {event.uid!r} twice with different nights "
                f"({seen.nights} and {event.nights}, event {index}); a UID names one "
                "booking, so the feed contradicts itself: ask the channel to fix it, "
                "and keep the current blocks until then"
            )
            raise MalformedFeedError(msg)
    return by_uid


def plan_import(
    feed: str,
    unit_type: UnitTypeId,
    events: Sequence[ExternalBooking],
    *,
    current: Sequence[Block],
    confirmed: Sequence[Stay],
    new_block_id: Callable[[], BlockId],
    horizon: Stay | None = None,
    skip_summaries: Collection[str] = (),
    allow_empty: bool = False,
) -> ImportPlan:
    """Plan how a feed's events change the blocks of one unit type.

    Each event is matched to the block with its UID among ``current`` blocks of the same
    feed and unit type (other blocks, including those of other feeds, are ignored):

    * no block yet: a new block is added;
    * a block on the same nights: it is kept;
    * a block on other nights: it is moved (a new block replaces it);
    * blocks whose UID left the feed: removed, freeing their nights.

    An event on nights of one of our ``confirmed`` bookings is still blocked, and
    reported as a :class:`FeedConflict`: the other channel sold those nights, so they
    are gone either way, and the overlap needs a person, not a silent choice.

    Args:
        feed: The feed's name, as the host registered it (``"airbnb:listing-42"``).
        unit_type: The unit type the feed's bookings take.
        events: The events of the feed, as parsed from its latest download.
        current: The blocks that exist now (blocks of other feeds may be included).
        confirmed: The nights of our own confirmed bookings of the unit type.
        new_block_id: Makes the id of each block added or moved, in event order.
        horizon: The nights the calendar covers. Events are cut to it and events
            entirely outside it ignored: feeds run years ahead (and keep some past
            bookings), and nights outside the calendar cannot be blocked.
        skip_summaries: Summaries of events that are not bookings, compared without
            regard to case; e.g. ``{"Airbnb (Not available)"}`` for a host who closes
            nights in staycore and exports them to Airbnb, so that the rolling
            "not available" windows and the echoes of our own exports do not come
            back as phantom blocks.
        allow_empty: Accept a feed with no events even though blocks from it stand,
            releasing them all. Off by default: see :class:`EmptyFeedError`.

    Returns:
        The plan; apply it as :class:`ImportPlan` says.

    Raises:
        MalformedFeedError: A UID appears twice with different nights.
        EmptyFeedError: The feed has no events, blocks from it stand, and
            ``allow_empty`` is off.

    Example:
        >>> from staycore.availability.blocks import Block, BlockReason, ExternalSource
        >>> from staycore.availability.external import ExternalBooking, plan_import
        >>> from staycore.availability.ids import BlockId, UnitTypeId
        >>> from staycore.kernel.time import Stay
        >>> loft = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        >>> def imported(uid: str, nights: str) -> Block:
        ...     return Block(id=BlockId.new(), unit_type=loft, nights=Stay.parse(nights),
        ...                  reason=BlockReason.EXTERNAL_BOOKING,
        ...                  source=ExternalSource("booking.com", uid))
        >>> before = [imported("r1", "2026-08-01/2026-08-03"),
        ...           imported("r2", "2026-08-10/2026-08-12")]
        >>> now = [ExternalBooking("r1", Stay.parse("2026-08-02/2026-08-04"))]  # r1 moved, r2 gone
        >>> plan = plan_import("booking.com", loft, now, current=before, confirmed=(),
        ...                    new_block_id=BlockId.new)
        >>> [(str(old.nights), str(new.nights)) for old, new in plan.move]
        [('2026-08-01/2026-08-03', '2026-08-02/2026-08-04')]
        >>> [block.source.uid for block in plan.remove if block.source]
        ['r2']
    """
    summaries = _texts(skip_summaries, "skip_summaries", "summaries, such as ['Blocked']")
    if isinstance(events, str | bytes) or not isinstance(events, Iterable):
        msg = f"events is a sequence of ExternalBooking, got {events!r}"
        raise MalformedFeedError(msg)
    skipped = {summary.casefold() for summary in summaries}
    wanted = _distinct_events(feed, events)
    ours: dict[str, list[Block]] = {}
    for block in current:
        if _is_from(block, feed, unit_type) and block.source is not None:
            ours.setdefault(block.source.uid, []).append(block)
    if not wanted and ours and not allow_empty:
        msg = (
            f"feed {feed!r} has no events, yet {sum(map(len, ours.values()))} blocks of "
            f"{unit_type} came from it; an outage or a dead feed URL looks like this. "
            "Nothing was changed: check the feed, and pass allow_empty=True only if "
            "every booking there was really cancelled"
        )
        raise EmptyFeedError(msg)

    add: list[Block] = []
    move: list[tuple[Block, Block]] = []
    remove: list[Block] = []
    unchanged: list[Block] = []
    conflicts: list[FeedConflict] = []
    for uid, event in wanted.items():
        nights = event.nights if horizon is None else event.nights.overlap(horizon)
        if nights is None or event.summary.casefold() in skipped:
            continue
        existing = ours.pop(uid, [])
        keep = next((b for b in existing if b.nights == nights and b.rooms == 1), None)
        if keep is not None:
            block, replaced = keep, None
            unchanged.append(keep)
        else:
            block = Block(
                id=new_block_id(),
                unit_type=unit_type,
                nights=nights,
                reason=BlockReason.EXTERNAL_BOOKING,
                source=ExternalSource(feed, uid),
                note=event.summary,
            )
            replaced = existing[0] if existing else None
            if replaced is None:
                add.append(block)
            else:
                move.append((replaced, block))
        # Two blocks for one UID are what an interrupted apply leaves; one is enough.
        remove.extend(b for b in existing if b is not keep and b is not replaced)
        conflicts.extend(
            FeedConflict(feed, event, booking, overlap, block)
            for booking in confirmed
            if (overlap := booking.overlap(nights)) is not None
        )
    for gone in ours.values():
        remove.extend(gone)
    return ImportPlan(
        feed=feed,
        unit_type=unit_type,
        add=tuple(add),
        move=tuple(move),
        remove=tuple(remove),
        unchanged=tuple(unchanged),
        conflicts=tuple(conflicts),
    )


@attrs.frozen
class ExportEntry:
    """One event of an exported feed: nights that other channels must not sell.

    Attributes:
        uid: A UID that stays the same for the same booking or block across exports.
        nights: The nights (check-out exclusive; written as an exclusive DTEND).
        summary: What other channels show, without guest details.
    """

    uid: str = attrs.field(converter=_to_uid)
    nights: Stay
    summary: str = attrs.field(default="", converter=_to_summary)


def export_entries(
    unit_type: UnitTypeId,
    holds: Iterable[StayHold],
    blocks: Iterable[Block],
    *,
    for_feed: str | None = None,
    include_held: bool = False,
    uid_domain: str = "staycore",
) -> tuple[ExportEntry, ...]:
    """Choose what a unit type's feed shows: its booked and blocked nights.

    UIDs are ``<hold or block id>@<uid_domain>``, so the same booking keeps its UID
    from one export to the next and the reading channel moves or drops its own block
    instead of piling up new ones.

    Args:
        unit_type: The unit type exported.
        holds: Holds (any unit type, any status); confirmed ones of ``unit_type`` are
            exported as ``"Reserved"``.
        blocks: Blocks (any unit type); those of ``unit_type`` are exported as
            ``"Not available"``.
        for_feed: The channel this export is for. Blocks imported from that channel's own
            feed are left out: sending a channel its own bookings back makes it block
            them a second time, and the echo outlives the cancelled booking.
        include_held: Export unpaid holds too. Off by default: holds lapse within
            minutes, while channels read feeds every few hours, so an exported hold
            mostly blocks nights that are free again.
        uid_domain: The right-hand side of each UID, usually the host's domain.

    Returns:
        The entries, ordered by nights then UID, so equal inputs give equal feeds.

    Example:
        >>> import pendulum
        >>> from staycore.availability.blocks import Block, BlockReason
        >>> from staycore.availability.external import export_entries
        >>> from staycore.availability.holds import HoldStatus
        >>> from staycore.availability.ids import BlockId, HoldId, UnitTypeId
        >>> from staycore.availability.stay_holds import StayHold
        >>> from staycore.kernel.ids import Identifier
        >>> from staycore.kernel.time import Stay
        >>> suite = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        >>> paid = StayHold(
        ...     id=HoldId("hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), unit_type=suite,
        ...     stay=Stay.parse("2026-09-04/2026-09-06"), rooms=1,
        ...     owner=Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...     expires_at=pendulum.datetime(2026, 8, 1, tz="UTC"), status=HoldStatus.CONFIRMED,
        ... )
        >>> paint = Block(id=BlockId("blk_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), unit_type=suite,
        ...               nights=Stay.parse("2026-09-01/2026-09-03"),
        ...               reason=BlockReason.MAINTENANCE)
        >>> for entry in export_entries(suite, [paid], [paint], uid_domain="villa.example"):
        ...     print(entry.nights, entry.uid, entry.summary)
        2026-09-01/2026-09-03 blk_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7@villa.example Not available
        2026-09-04/2026-09-06 hold_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7@villa.example Reserved
    """
    exported = {HoldStatus.CONFIRMED, HoldStatus.HELD} if include_held else {HoldStatus.CONFIRMED}
    entries = [
        ExportEntry(f"{hold.id}@{uid_domain}", hold.stay, "Reserved")
        for hold in holds
        if hold.unit_type == unit_type and hold.status in exported
    ]
    entries.extend(
        ExportEntry(f"{block.id}@{uid_domain}", block.nights, "Not available")
        for block in blocks
        if block.unit_type == unit_type
        and not (for_feed is not None and _is_from(block, for_feed, unit_type))
    )
    return tuple(sorted(entries, key=lambda entry: (entry.nights, entry.uid)))
