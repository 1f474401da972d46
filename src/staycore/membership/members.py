"""A member of the loyalty programme: the tier they hold and when they last signed in.

The profile (:mod:`staycore.membership.profiles`) says who the guest is and what they
did; the points ledger (:mod:`staycore.membership.points`) what they have to spend. The
:class:`Member` keeps what the programme decided from those: the tier, since and until
when, so that a change of tier is an event (the guest app congratulates, the front desk
knows), and the daily sign-in, so that it earns once a day.

Example:
    >>> import datetime as dt
    >>> import pendulum
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.members import Member
    >>> from staycore.membership.tiers import TierStatus
    >>> now = pendulum.datetime(2026, 3, 1, 9, tz="UTC")
    >>> member, events = Member.enrol(
    ...     CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), entry=TierStatus("Member"), at=now
    ... )
    >>> gold = TierStatus("Gold", dt.date(2026, 8, 20), dt.date(2028, 2, 29))
    >>> member, events = member.with_status(gold, at=now.add(months=6))
    >>> [(e.previous, e.tier, e.valid_through) for e in events]
    [('Member', 'Gold', datetime.date(2028, 2, 29))]
"""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum

from staycore.kernel.events import DomainEvent
from staycore.kernel.time import as_instant
from staycore.membership.ids import CustomerId
from staycore.membership.tiers import TierStatus

__all__ = [
    "ArrivalUpgradePrompted",
    "Member",
    "MemberChange",
    "MemberEnrolled",
    "MemberMerged",
    "TierChanged",
]


@attrs.frozen(kw_only=True)
class MemberEnrolled(DomainEvent):
    """A customer joined the loyalty programme, at its entry tier.

    Attributes:
        tier: The entry tier.
    """

    tier: str


@attrs.frozen(kw_only=True)
class TierChanged(DomainEvent):
    """A member's tier or its validity changed.

    Attributes:
        previous: The tier held before.
        tier: The tier held now.
        valid_through: The last day it holds; ``None`` for the entry tier.
        upgrade: Whether the new tier ranks above the old one.
    """

    previous: str
    tier: str
    valid_through: dt.date | None
    upgrade: bool = False


@attrs.frozen(kw_only=True)
class MemberMerged(DomainEvent):
    """A duplicate member was merged into another and left the programme.

    Attributes:
        into: The member who carries on.
    """

    into: CustomerId


@attrs.frozen(kw_only=True)
class ArrivalUpgradePrompted(DomainEvent):
    """A member whose tier earns an upgrade arrives today: for the front desk to offer it.

    Attributes:
        order: The order arriving.
        tier: The member's tier.
    """

    order: str
    tier: str


MemberChange = tuple["Member", tuple[DomainEvent, ...]]
"""A changed member and the events of the change."""


@attrs.frozen(kw_only=True)
class Member:
    """A customer's standing in the programme.

    Attributes:
        id: The customer.
        version: Incremented by every change; 1 when enrolled.
        status: The tier held, since and until when.
        joined_at: When they enrolled.
        last_sign_in: The local day they last signed in to the guest app, if ever.
        merged_into: The member this one was merged into, if it was a duplicate; a
            merged member is no longer visited by the sweepers.
    """

    id: CustomerId
    version: int
    status: TierStatus
    joined_at: pendulum.DateTime
    last_sign_in: dt.date | None = None
    merged_into: CustomerId | None = None

    @classmethod
    def enrol(cls, customer: CustomerId, *, entry: TierStatus, at: dt.datetime) -> MemberChange:
        """A new member at the programme's entry tier.

        Example:
            See the module example.
        """
        instant = as_instant(at, what="at")
        member = cls(id=customer, version=1, status=entry, joined_at=instant)
        event = MemberEnrolled(
            aggregate_id=customer, aggregate_version=1, occurred_at=instant, tier=entry.tier
        )
        return member, (event,)

    def with_status(
        self, status: TierStatus, *, at: dt.datetime, upgrade: bool = False
    ) -> MemberChange:
        """This member holding ``status``; the same member, with no event, if it is theirs.

        Args:
            status: The status the programme worked out.
            at: When.
            upgrade: Whether it ranks above the status held, for the event.

        Example:
            See the module example.
        """
        if status == self.status:
            return self, ()
        changed = attrs.evolve(self, status=status, version=self.version + 1)
        event = TierChanged(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=as_instant(at, what="at"),
            previous=self.status.tier,
            tier=status.tier,
            valid_through=status.valid_through,
            upgrade=upgrade,
        )
        return changed, (event,)

    def merge_into(self, survivor: CustomerId, *, at: dt.datetime) -> MemberChange:
        """This duplicate, merged into ``survivor``; again changes nothing.

        Example:
            Continuing the module example above:

            >>> other = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8")
            >>> merged, events = member.merge_into(other, at=now.add(months=7))
            >>> merged.merged_into == other, events[0].into == other
            (True, True)
        """
        if self.merged_into == survivor:
            return self, ()
        merged = attrs.evolve(self, merged_into=survivor, version=self.version + 1)
        event = MemberMerged(
            aggregate_id=self.id,
            aggregate_version=merged.version,
            occurred_at=as_instant(at, what="at"),
            into=survivor,
        )
        return merged, (event,)

    def signed_in(self, on: dt.date) -> Member:
        """This member with a sign-in on the local day ``on``.

        Example:
            Continuing the module example above:

            >>> member.signed_in(dt.date(2026, 9, 1)).last_sign_in
            datetime.date(2026, 9, 1)
        """
        return attrs.evolve(self, last_sign_in=on, version=self.version + 1)
