"""Loyalty use cases: members, points, tiers, tags, rewards and the triggers.

:class:`Loyalty` runs the programme (a :class:`~staycore.membership.programme.LoyaltyProgramme`)
over the ports: profiles and members in the unit of work, points in the
:class:`~staycore.ports.points.PointsLedger`, reward and win-back coupons in the
:class:`~staycore.ports.coupons.CouponStore`, messages through the
:class:`~staycore.ports.notifier.Notifier`.

The reactions between contexts are :meth:`Loyalty.publish`, an
:class:`~staycore.ports.events.EventPublisher`: hand it the events the order use cases
committed (the outbox relay does, or a host's task queue) and

* an order that **completed** records its stay on the profile, earns its points (base,
  tier bonus, promotions), and re-evaluates the tier and the tags;
* a **refund** or a **chargeback** on a completed order takes back what its points
  exceed on what the guest kept (all of them if nothing was kept, and the stay then no
  longer counts);
* a **review** left earns the review bonus and is kept on the profile.

Each reaction is safe to deliver twice: points are posted under keys named after the
order and what earned them, and a stay or review already recorded changes nothing.

Points are posted first, the profile and member saved after: a failure between the two
leaves the points posted and the retry (the relay delivers again) saves the rest, never
posting twice.

Example:
    >>> from staycore.testing.hotel import SandboxHotel
    >>> hotel = SandboxHotel()
    >>> guest = hotel.loyalty.enrol(name="Mei Tan", email="mei@example.com")
    >>> order = hotel.stay_completed(guest, "2026-07-10/2026-07-13")  # books, pays, stays
    >>> hotel.loyalty.account(guest).balance
    3600
    >>> str(hotel.loyalty.progress(guest))
    '7 nights or 3 stays to Silver'
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs
import pendulum

from staycore.app.arguments import expect, expect_each
from staycore.availability.ids import UnitTypeId
from staycore.kernel.errors import AggregateNotFoundError
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Clock, Stay, as_instant, local_date
from staycore.membership.earning import (
    Earning,
    earnings_for_stay,
    referral_earning,
    review_earning,
    sign_in_earning,
)
from staycore.membership.errors import MembershipError
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.membership.members import ArrivalUpgradePrompted, Member
from staycore.membership.points import (
    EntryKind,
    InsufficientPointsError,
    InvalidPointsEntryError,
    PointsAccount,
    PointsEntry,
)
from staycore.membership.profiles import (
    ContactDetails,
    CustomerProfile,
    ProfileChange,
    Referral,
    ReviewRecord,
    merge,
)
from staycore.membership.programme import LoyaltyProgramme, Reward
from staycore.membership.tags import refresh_tags
from staycore.membership.tiers import Progress, TierStatus
from staycore.membership.triggers import (
    DueAction,
    ExpiringPoints,
    MemberSnapshot,
    TriggerKind,
    due_triggers,
)
from staycore.orders.events import OrderStatusChanged, PaymentRecorded, RefundIssued
from staycore.orders.ids import OrderId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import StayLine
from staycore.orders.order import Order
from staycore.orders.payments import MovementKind
from staycore.orders.reviews import ReviewLeft
from staycore.ports.coupons import CouponStore
from staycore.ports.idempotency import IdempotencyStore
from staycore.ports.members import MemberQueries
from staycore.ports.notifier import Channel, Message, Notifier
from staycore.ports.orders import OrderQueries
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.ports.points import PointsLedger
from staycore.pricing.coupons import Coupon, normalize_code

__all__ = ["Loyalty", "NotAMemberError", "RewardRedeemed", "TriggerOutcome"]

_KEY_TTL = dt.timedelta(days=400)  # a trigger's occasion is at most a year old
_GIVEN_BACK = (MovementKind.REFUND, MovementKind.CHARGEBACK)


class NotAMemberError(MembershipError):
    """The customer has not enrolled in the loyalty programme."""

    code = "membership.not_a_member"


@attrs.frozen
class RewardRedeemed:
    """What spending points on a reward gave.

    Attributes:
        reward: The reward.
        entries: The ledger entries that spent the points.
        coupon: The one-use coupon code that gives the discount at quote time, or
            ``None`` for a reward the host hands over.
    """

    reward: Reward
    entries: tuple[PointsEntry, ...]
    coupon: str | None


@attrs.frozen
class TriggerOutcome:
    """What became of one due action.

    Attributes:
        action: The action.
        done: Whether it was taken now (``False``: taken before, or skipped).
        skipped: Why it was not taken, if it was not (no consent, no contact).
        coupon: The win-back coupon code issued with it, if any.
    """

    action: DueAction
    done: bool
    skipped: str = ""
    coupon: str | None = None


class Loyalty:
    """The loyalty programme's use cases.

    Args:
        uow: Opens units of work for profiles, members and orders.
        ledger: The points ledger.
        coupons: Where reward and win-back coupons are added.
        members: Lists the members, for the sweepers.
        orders: Finds open orders, for the arrivals of the day.
        notifier: Sends the triggers' messages.
        idempotency: Remembers which trigger actions and rewards were taken.
        clock: The instant of every change.
        programme: The programme's rules.
        rooms: The room category of each unit type (``"executive"``), for tag rules.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        ledger: PointsLedger,
        coupons: CouponStore,
        members: MemberQueries,
        orders: OrderQueries,
        notifier: Notifier,
        idempotency: IdempotencyStore,
        clock: Clock,
        programme: LoyaltyProgramme,
        rooms: Mapping[UnitTypeId, str] | None = None,
    ) -> None:
        self._uow = uow
        self._ledger = ledger
        self._coupons = coupons
        self._members = members
        self._orders = orders
        self._notifier = notifier
        self._idempotency = idempotency
        self._clock = clock
        self.programme = programme
        self._rooms = dict(rooms or {})

    # -- reading ---------------------------------------------------------------------

    def profile(self, customer: CustomerId) -> CustomerProfile:
        """The customer's profile.

        Raises:
            AggregateNotFoundError: No profile has this id.
        """
        with self._uow() as uow:
            return uow.repository(CustomerProfile).get(customer)

    def member(self, customer: CustomerId) -> Member:
        """The customer's standing in the programme.

        Raises:
            NotAMemberError: The customer has not enrolled.
        """
        with self._uow() as uow:
            try:
                return uow.repository(Member).get(customer)
            except AggregateNotFoundError:
                msg = f"{customer} is not a member of {self.programme.name}; enrol them first"
                raise NotAMemberError(msg) from None

    def account(self, customer: CustomerId) -> PointsAccount:
        """The customer's points: balance, lots and what expires when."""
        return self._ledger.account(customer)

    def status(self, customer: CustomerId) -> TierStatus:
        """The tier the customer holds today (its end is applied even before a sweep).

        Example:
            See the module example.
        """
        member = self.member(customer)
        return self._held(customer, self.profile(customer), member)

    def progress(self, customer: CustomerId) -> Progress:
        """What the member still needs for the next tier, for the guest app's progress bar.

        Example:
            See the module example.
        """
        member = self.member(customer)
        profile = self.profile(customer)
        status = self._held(customer, profile, member)
        return self.programme.tiers.progress(profile.stays, status, self._today())

    # -- members and profiles -------------------------------------------------------

    def enrol(
        self,
        *,
        name: str,
        email: str | None = None,
        phone: str | None = None,
        birthday: dt.date | None = None,
        customer: CustomerId | None = None,
    ) -> CustomerId:
        """Register a profile and enrol it at the entry tier; again does nothing.

        Args:
            name: The guest's name.
            email: Their e-mail address, if given.
            phone: Their phone number, if given.
            birthday: Their birthday, for the birthday offer.
            customer: The id their orders carry; a new one by default.

        Raises:
            InvalidProfileError: A malformed e-mail or phone number.

        Example:
            See the module example.
        """
        customer = customer or CustomerId.new()
        now = self._clock.now()
        contact = ContactDetails(
            emails=() if email is None else (email,), phones=() if phone is None else (phone,)
        )
        with self._uow() as uow:
            profiles = uow.repository(CustomerProfile)
            try:
                profiles.get(customer)
            except AggregateNotFoundError:
                profile, registered = CustomerProfile.register(
                    customer, name=name, contact=contact, birthday=birthday, at=now
                )
                member, enrolled = Member.enrol(customer, entry=self._entry(), at=now)
                profiles.add(profile)
                uow.repository(Member).add(member)
                uow.collect(*registered, *enrolled)
                uow.commit()
        return customer

    def give_consent(
        self, customer: CustomerId, channel: Channel, *, granted: bool, source: str
    ) -> CustomerProfile:
        """Record the guest's yes or no to marketing over ``channel``, with where it came from."""
        return self._change_profile(
            customer,
            lambda profile, now: profile.give_consent(
                channel, granted=granted, at=now, source=source
            ),
        )

    def merge(self, survivor: CustomerId, duplicate: CustomerId) -> CustomerProfile:
        """Merge a duplicate profile (same e-mail or phone) into ``survivor``.

        Every stay, order, review, referral and consent record is kept, the duplicate's
        points move to the survivor (an adjustment on each side, with the reason), the
        duplicate leaves the programme (the sweepers pass it over), and the tier is
        worked out again from the merged history.

        Raises:
            ProfilesNotDuplicatesError: They share no e-mail or phone, or are one profile.
        """
        now = self._clock.now()
        with self._uow() as uow:
            profiles = uow.repository(CustomerProfile)
            kept, gone = profiles.get(survivor), profiles.get(duplicate)
            merged, events = merge(kept, gone, at=now)
        moving = self._ledger.account(duplicate).available(now)
        if moving:
            reason = f"merged: {duplicate} into {survivor}"
            out = self._ledger.account(duplicate).adjust(
                -moving, at=now, key=f"merge:{duplicate}:out", reason=reason
            )
            self._ledger.post(duplicate, out)
            into = self._ledger.account(survivor).adjust(
                moving,
                at=now,
                key=f"merge:{duplicate}:in",
                reason=reason,
                policy=self.programme.expiry,
            )
            self._ledger.post(survivor, into)
        with self._uow() as uow:
            uow.repository(CustomerProfile).save(merged, expected_version=kept.version)
            members = uow.repository(Member)
            member = members.get(duplicate)
            retired, left = member.merge_into(survivor, at=now)
            if retired is not member:
                members.save(retired, expected_version=member.version)
            uow.collect(*events, *left)
            uow.commit()
        self._reevaluate(survivor, now)
        return self.profile(survivor)

    # -- points --------------------------------------------------------------------

    def sign_in(self, customer: CustomerId) -> tuple[PointsEntry, ...]:
        """The member opened the guest app: the sign-in points, once per local day."""
        rules = self.programme.earning
        now, today = self._clock.now(), self._today()
        member = self.member(customer)
        earning = sign_in_earning(rules, last_sign_in=member.last_sign_in, today=today)
        entries: tuple[PointsEntry, ...] = ()
        if earning is not None:
            tier = self._held(customer, self.profile(customer), member).tier
            entries = self._earn(
                customer, [earning], key=f"sign_in:{today}", order=None, tier=tier, at=now
            )
        with self._uow() as uow:
            if member.last_sign_in != today:
                members = uow.repository(Member)
                members.save(member.signed_in(today), expected_version=member.version)
                uow.commit()
        return entries

    def redeem_reward(
        self, customer: CustomerId, reward: str, *, idempotency_key: str
    ) -> RewardRedeemed:
        """Spend points on a reward; a discount comes as a one-use coupon code to quote with.

        The points are spent first, then the coupon added; a retry with the same key
        returns the same code and spends nothing more, even once the balance is spent.

        Raises:
            UnknownRewardError: The programme has no such reward.
            InsufficientPointsError: The member has fewer points than it costs.
        """
        chosen = self.programme.reward(reward)
        tier = self.status(customer).tier
        key = f"reward:{customer}:{idempotency_key}"
        posted = self._posted_once(
            customer,
            key,
            lambda account: account.redeem(
                chosen.points,
                at=self._clock.now(),
                key=key,
                policy=self.programme.expiry,
                tier=tier,
                reason=f"{chosen.points:,} points for {chosen.name}",
            ),
        )
        code = None
        if chosen.promotion is not None:
            code = _code("PTS", key)
            coupon = Coupon(
                code=code, promotion=chosen.promotion, max_uses=1, max_uses_per_customer=1
            )
            self._coupons.add_coupons([coupon])
        return RewardRedeemed(reward=chosen, entries=posted, coupon=code)

    def adjust(
        self, customer: CustomerId, points: int, *, reason: str, staff: str, idempotency_key: str
    ) -> tuple[PointsEntry, ...]:
        """A staff adjustment, up or down, with who and why on the entry.

        Raises:
            InvalidPointsEntryError: No reason, no staff name, or zero points.
            InsufficientPointsError: Taking away more than the member has.
            InvalidArgumentError: ``reason`` or ``staff`` is not text.
        """
        reason = expect(reason, str, name="Loyalty.adjust: reason", example="'Noisy room'")
        staff = expect(staff, str, name="Loyalty.adjust: staff", example="'desk:ana'")
        if not reason.strip() or not staff.strip():
            msg = "an adjustment needs a reason and the staff member who made it"
            raise InvalidPointsEntryError(msg)
        tier = self.status(customer).tier
        key = f"adjust:{customer}:{idempotency_key}"
        return self._posted_once(
            customer,
            key,
            lambda account: account.adjust(
                points,
                at=self._clock.now(),
                key=key,
                reason=f"{reason.strip()} (by {staff.strip()})",
                policy=self.programme.expiry,
                tier=tier,
            ),
        )

    def refer(
        self, referrer: CustomerId, referred: CustomerId, *, converted: bool = False
    ) -> CustomerProfile:
        """Record a referral; once it converts (the friend stayed), the referrer earns the bonus."""
        now = self._clock.now()
        referral = Referral(referred=referred, at=now, converted_at=now if converted else None)
        profile = self._change_profile(referrer, lambda p, at: p.record_referral(referral, at=at))
        if converted:
            earning = referral_earning(self.programme.earning, referred=referred)
            if earning is not None:
                tier = self.status(referrer).tier
                self._earn(
                    referrer, [earning], key=f"referral:{referred}", order=None, tier=tier, at=now
                )
            self._refresh_tags(referrer, now)
        return profile

    def expire_points(self) -> int:
        """Expire every member's lots that are due now; the points expired in all."""
        now = self._clock.now()
        expired = 0
        for customer in self._members.members():
            entries = self._ledger.account(customer).expire_due(now)
            if entries:
                self._ledger.post(customer, entries)
                expired -= sum(entry.points for entry in entries)
        return expired

    # -- reactions -----------------------------------------------------------------

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """React to committed events of other contexts (see the module documentation).

        Events this context does not react to are passed over, so a relay can hand it
        everything it publishes.

        Raises:
            InvalidArgumentError: ``events`` is not a collection of
                :class:`~staycore.kernel.events.DomainEvent`; none was reacted to.
        """
        events = expect_each(
            events, DomainEvent, name="Loyalty.publish: events", example="store.outbox()"
        )
        for event in events:
            if isinstance(event, OrderStatusChanged) and event.target is OrderStatus.COMPLETED:
                self.order_completed(OrderId(event.aggregate_id), at=event.occurred_at)
            elif isinstance(event, RefundIssued) or (
                isinstance(event, PaymentRecorded) and event.kind is MovementKind.CHARGEBACK
            ):
                self.order_refunded(OrderId(event.aggregate_id))
            elif isinstance(event, ReviewLeft):
                self.review_left(event)

    def order_completed(
        self, order_id: OrderId, *, at: dt.datetime | None = None
    ) -> tuple[PointsEntry, ...]:
        """An order completed: record the stay, earn its points, refresh the tier and tags.

        Args:
            order_id: The order.
            at: When it completed (the event's instant), so that a redelivery records
                the same stay; now by default.

        An order without a customer profile, or whose customer is not a member, or with
        no nights, earns nothing. The points carry the tier held when the stay is
        recorded; an upgrade the stay brings applies from the next one. The points are
        keyed by the order and the rule that earned them, so delivering the event again,
        now or later, earns nothing more.

        Raises:
            InvalidInstantError: ``at`` is neither ``None`` nor an aware datetime.
        """
        done = (
            self._clock.now() if at is None else as_instant(at, what="Loyalty.order_completed: at")
        )
        order, customer = self._member_order(order_id)
        if order is None or customer is None:
            return ()
        record = self._stay_record(order, completed_at=done, spend=_kept(order, done))
        profile = self.profile(customer)
        if record is None or profile.stay_of(order_id) is not None:
            return ()
        tier = self._held(customer, profile, self.member(customer)).tier
        percent = self.programme.tiers.tier(tier).benefits.bonus_percent
        earnings = earnings_for_stay(self.programme.earning, record, tier_bonus_percent=percent)
        now = self._clock.now()
        entries = self._earn(
            customer, earnings, key=f"stay:{order_id}", order=order_id, tier=tier, at=now
        )
        self._change_profile(customer, lambda p, at: p.record_order(order_id, at=at))
        self._change_profile(customer, lambda p, at: p.record_stay(record, at=at))
        self._reevaluate(customer, now)
        return entries

    def order_refunded(self, order_id: OrderId) -> tuple[PointsEntry, ...]:
        """Money went back on a completed order: its points follow what the guest kept.

        A full refund reverses what the order earned (a ``reverse`` entry). A partial one
        scales what it earned to what the guest kept and takes back the difference (an
        ``adjust`` entry of the order, with the reason). Each is keyed by what was kept:
        a refund delivered twice, or with its completion in one batch, takes back once,
        and a second refund takes only what the first left. Points the member already
        spent are not recovered, and stay written off; the entry's reason says how many.
        Nothing kept: the stay no longer counts for the tier.

        Orders that had not completed earned nothing, and are passed over.
        """
        order, customer = self._member_order(order_id)
        if order is None or customer is None or order.status is not OrderStatus.COMPLETED:
            return ()
        profile = self.profile(customer)
        recorded = profile.stay_of(order_id)
        if recorded is None:
            return ()
        now = self._clock.now()
        entries = self._ledger.entries(customer)
        done = recorded.completed_at
        kept = self._stay_record(order, completed_at=done, spend=order.received)
        # What the order earned on what the guest had kept when it completed, scaled to
        # what they keep now: the tier and the promotions that earned it stay as they were.
        earned = sum(e.points for e in entries if e.order == order_id and e.kind is EntryKind.EARN)
        spent = 0 if kept is None else kept.spend.minor_units
        paid = _kept(order, done).minor_units
        should = earned * spent // paid if paid else 0
        holds = sum(e.points for e in entries if e.order == order_id)
        key = f"refund:{order_id}:{spent}"
        posted: tuple[PointsEntry, ...] = ()
        taken_before = any(e.order == order_id and e.kind is not EntryKind.EARN for e in entries)
        if any(entry.key == key for entry in entries):
            pass  # this refund was settled before: what it wrote off stays written off
        elif kept is None and not taken_before:
            account = self._ledger.account(customer)
            reversal = account.reverse(order_id, at=now, entries=entries, key=key)
            posted = self._ledger.post(customer, reversal.entries) if reversal.entries else ()
        elif holds > should:
            account = self._ledger.account(customer)
            take = min(holds - should, account.available(now))
            reason = f"order {order_id} refunded: {order.received} kept, worth {should:,} points"
            if take < holds - should:
                reason += f"; {holds - should - take:,} already spent and not recovered"
            if take:
                made = account.adjust(-take, at=now, key=key, reason=reason, order=order_id)
                posted = self._ledger.post(customer, made)
        if kept is None or kept.spend != recorded.spend:
            self._change_profile(customer, lambda p, at: p.remove_stay(order_id, at=at))
            if kept is not None:
                self._change_profile(customer, lambda p, at: p.record_stay(kept, at=at))
            self._reevaluate(customer, now)
        return posted

    def review_left(self, review: ReviewLeft) -> tuple[PointsEntry, ...]:
        """A guest reviewed a stay: keep the score on the profile and earn the review bonus.

        Raises:
            InvalidArgumentError: ``review`` is not a
                :class:`~staycore.orders.reviews.ReviewLeft` event.
        """
        review = expect(
            review,
            ReviewLeft,
            name="Loyalty.review_left: review",
            example="the ReviewLeft event Reviews.leave recorded",
        )
        customer = CustomerId(review.customer)
        if not self._is_member(customer):
            return ()
        now = self._clock.now()
        record = ReviewRecord(order=review.order, score=review.overall, at=review.occurred_at)
        self._change_profile(customer, lambda p, at: p.record_review(record, at=at))
        earning = review_earning(self.programme.earning, order=review.order)
        entries: tuple[PointsEntry, ...] = ()
        if earning is not None:
            tier = self.status(customer).tier
            # The bonus is for the review, not the stay: a refund of the stay leaves it.
            entries = self._earn(
                customer,
                [earning],
                key=f"review:{review.order}",
                order=None,
                tier=tier,
                at=now,
            )
        self._refresh_tags(customer, now)
        return entries

    # -- triggers ------------------------------------------------------------------

    def due_triggers(self, at: dt.datetime | None = None) -> tuple[DueAction, ...]:
        """The actions due at ``at`` (now by default), taken or not.

        Raises:
            InvalidInstantError: ``at`` is neither ``None`` nor an aware datetime.

        Example:
            See :meth:`run_triggers`.
        """
        now = self._clock.now() if at is None else as_instant(at, what="Loyalty.due_triggers: at")
        today = local_date(now, self.programme.timezone)
        arriving = self._arrivals(today)
        snapshots = [
            self._snapshot(customer, now, today, arriving.get(customer, ()))
            for customer in self._members.members()
        ]
        # A tier whose benefits include an upgrade on arrival prompts one, as do the
        # tiers the triggers name.
        settings = self.programme.triggers
        upgrading = {t.name for t in self.programme.tiers.tiers if t.benefits.upgrade_on_arrival}
        settings = attrs.evolve(settings, upgrade_tiers=settings.upgrade_tiers | upgrading)
        return due_triggers(settings, snapshots, today=today)

    def run_triggers(self) -> tuple[TriggerOutcome, ...]:
        """Take every action due now, once per key.

        A marketing message goes only to a guest who agreed to marketing on its channel
        (e-mail if they gave one, else SMS); otherwise the action is skipped, with the
        reason, and is due again on the next run while its occasion lasts (a guest who
        agrees on the second day of a birthday window still gets the offer). A win-back
        comes with a one-use coupon for the programme's win-back promotion. An upgrade
        prompt is an :class:`~staycore.membership.members.ArrivalUpgradePrompted` event
        for the front desk, not a message to the guest.

        Example:
            >>> from staycore.ports.notifier import Channel
            >>> from staycore.testing.hotel import SandboxHotel
            >>> hotel = SandboxHotel()
            >>> mei = hotel.loyalty.enrol(name="Mei Tan", email="mei@example.com")
            >>> _ = hotel.stay_completed(mei, "2026-06-05/2026-06-07")
            >>> hotel.clock.set("2026-12-10T08:00:00Z")
            >>> [(o.action.kind.value, o.skipped) for o in hotel.loyalty.run_triggers()]
            [('win_back', 'no consent to marketing by email')]
            >>> _ = hotel.loyalty.give_consent(mei, Channel.EMAIL, granted=True, source="app")
            >>> [(o.action.kind.value, o.done) for o in hotel.loyalty.run_triggers()]
            [('win_back', True)]
        """
        outcomes = []
        for action in self.due_triggers():
            fingerprint = action.kind.value
            if self._idempotency.claim(action.key, fingerprint, ttl=_KEY_TTL) is not None:
                outcomes.append(TriggerOutcome(action=action, done=False, skipped="taken before"))
                continue
            try:
                outcome = self._take(action)
            except BaseException:
                self._idempotency.release(action.key, fingerprint)
                raise
            if outcome.done:
                self._idempotency.complete(action.key, fingerprint, "done")
            else:  # skipped: the next run may find the guest reachable
                self._idempotency.release(action.key, fingerprint)
            outcomes.append(outcome)
        return tuple(outcomes)

    # -- internals -----------------------------------------------------------------

    def _today(self) -> dt.date:
        return local_date(self._clock.now(), self.programme.timezone)

    def _entry(self) -> TierStatus:
        return TierStatus(self.programme.tiers.entry.name)

    def _held(self, customer: CustomerId, profile: CustomerProfile, member: Member) -> TierStatus:
        """The tier ``member`` holds today: a status past its end has landed already."""
        return self.programme.tiers.evaluate(profile.stays, member.status, self._today())

    def _posted_once(
        self,
        customer: CustomerId,
        key: str,
        make: Callable[[PointsAccount], tuple[PointsEntry, ...]],
    ) -> tuple[PointsEntry, ...]:
        """Post what ``make`` makes of the account, or what was posted under ``key`` before.

        A retry finds its entries in the ledger even when the account could no longer
        make them (the points it spent are gone), so it returns them instead of
        refusing.
        """
        try:
            entries = make(self._ledger.account(customer))
        except InsufficientPointsError:
            before = tuple(e for e in self._ledger.entries(customer) if e.key == key)
            if before:
                return before
            raise
        return self._ledger.post(customer, entries)

    def _is_member(self, customer: CustomerId) -> bool:
        try:
            self.member(customer)
        except NotAMemberError:
            return False
        return True

    def _member_order(self, order_id: OrderId) -> tuple[Order | None, CustomerId | None]:
        with self._uow() as uow:
            order = uow.repository(Order).get(order_id)
        customer = order.guest.customer
        if customer is None or not self._is_member(CustomerId(customer)):
            return order, None
        return order, CustomerId(customer)

    def _stay_record(
        self, order: Order, *, completed_at: pendulum.DateTime, spend: Money
    ) -> StayRecord | None:
        """The order's nights as one stay, with ``spend`` kept; ``None`` if no nights."""
        stays = [line for line in order.active_lines if isinstance(line, StayLine)]
        if not stays or not spend.is_positive:
            return None
        first = min(line.stay.check_in for line in stays)
        last = max(line.stay.check_out for line in stays)
        rooms = {self._rooms.get(line.unit_type, "") for line in stays}
        return StayRecord(
            order=order.id,
            stay=Stay(first, last),
            spend=spend,
            completed_at=completed_at,
            room=rooms.pop() if len(rooms) == 1 else "",
            adults=max(line.guests.adults for line in stays),
            children=max(line.guests.children for line in stays),
            channel=order.channel.value,
        )

    def _earn(
        self,
        customer: CustomerId,
        earnings: Iterable[Earning],
        *,
        key: str,
        order: OrderId | None,
        tier: str,
        at: pendulum.DateTime,
    ) -> tuple[PointsEntry, ...]:
        """Post ``earnings`` as one batch, each under ``key`` and its rule."""
        account = self._ledger.account(customer)
        entries: list[PointsEntry] = []
        for earning in earnings:
            made = account.earn(
                earning.points,
                at=at,
                key=f"{key}:{earning.rule}",
                policy=self.programme.expiry,
                tier=tier,
                order=order,
                reason=earning.reason,
                rule=earning.rule,
            )
            for entry in made:
                account = account.apply(entry)
            entries += made
        return self._ledger.post(customer, entries) if entries else ()

    def _change_profile(
        self,
        customer: CustomerId,
        change: Callable[[CustomerProfile, pendulum.DateTime], ProfileChange],
    ) -> CustomerProfile:
        """Apply ``change`` to the stored profile now, and save it if it changed."""
        now = self._clock.now()
        with self._uow() as uow:
            profiles = uow.repository(CustomerProfile)
            before = profiles.get(customer)
            after, events = change(before, now)
            if after is not before:
                profiles.save(after, expected_version=before.version)
                uow.collect(*events)
                uow.commit()
        return after

    def _refresh_tags(self, customer: CustomerId, now: pendulum.DateTime) -> None:
        today = local_date(now, self.programme.timezone)
        rules = self.programme.tag_rules
        self._change_profile(customer, lambda p, at: refresh_tags(rules, p, on=today, at=at))

    def _reevaluate(self, customer: CustomerId, now: pendulum.DateTime) -> None:
        """Work the tier out again from the history, and refresh the tags."""
        today = local_date(now, self.programme.timezone)
        profile = self.profile(customer)
        tiers = self.programme.tiers
        with self._uow() as uow:
            members = uow.repository(Member)
            member = members.get(customer)
            status = tiers.replay(profile.stays, today)
            upgrade = tiers.rank(status.tier) > tiers.rank(member.status.tier)
            changed, events = member.with_status(status, at=now, upgrade=upgrade)
            if changed is not member:
                members.save(changed, expected_version=member.version)
                uow.collect(*events)
                uow.commit()
        self._refresh_tags(customer, now)

    def _arrivals(self, today: dt.date) -> dict[CustomerId, tuple[OrderId, ...]]:
        found: dict[CustomerId, list[OrderId]] = {}
        with self._uow() as uow:
            orders = uow.repository(Order)
            for order_id in self._orders.open_orders():
                order = orders.get(order_id)
                if (
                    order.status is OrderStatus.CONFIRMED
                    and order.guest.customer is not None
                    and order.arrival == today
                ):
                    found.setdefault(CustomerId(order.guest.customer), []).append(order.id)
        return {customer: tuple(ids) for customer, ids in found.items()}

    def _snapshot(
        self,
        customer: CustomerId,
        now: pendulum.DateTime,
        today: dt.date,
        arriving: Sequence[OrderId],
    ) -> MemberSnapshot:
        profile = self.profile(customer)
        member = self.member(customer)
        tiers = self.programme.tiers
        status = tiers.evaluate(profile.stays, member.status, today)
        to_keep = ""
        if status.valid_through is not None:
            keep = tiers.to_keep(profile.stays, status, today)
            to_keep = "" if keep.met else str(keep)
        horizon = now.add(days=self.programme.triggers.points_expiry_days_before + 1)
        expiring = [
            ExpiringPoints(lot.left, local_date(lot.expires_at, self.programme.timezone))
            for lot in self._ledger.account(customer).expiring(before=horizon, after=now)
            if lot.expires_at is not None
        ]
        return MemberSnapshot(
            customer=customer,
            birthday=profile.birthday,
            last_stay_on=profile.last_stay_on,
            tier=status.tier if status.valid_through is not None else None,
            tier_ends_on=status.valid_through,
            to_keep_tier=to_keep,
            expiring=expiring,
            arriving=arriving,
        )

    def _take(self, action: DueAction) -> TriggerOutcome:
        now = self._clock.now()
        if action.kind is TriggerKind.UPGRADE_PROMPT:
            member = self.member(action.customer)
            prompted = ArrivalUpgradePrompted(
                aggregate_id=action.customer,
                aggregate_version=member.version,
                occurred_at=now,
                order=str(action.order),
                tier=action.values["tier"],
            )
            with self._uow() as uow:
                uow.collect(prompted)
                uow.commit()
            return TriggerOutcome(action=action, done=True)
        profile = self.profile(action.customer)
        channel = Channel.EMAIL if profile.contact.emails else Channel.SMS
        if not profile.contact.emails and not profile.contact.phones:
            return TriggerOutcome(
                action=action, done=False, skipped="no e-mail or phone to send to"
            )
        if action.kind.is_marketing and not profile.consents_to(channel, at=now):
            reason = f"no consent to marketing by {channel.value}"
            return TriggerOutcome(action=action, done=False, skipped=reason)
        values = dict(action.values)
        coupon = None
        if action.kind is TriggerKind.WIN_BACK and self.programme.win_back_promotion is not None:
            coupon = _code("BACK", action.key)
            self._coupons.add_coupons(
                [
                    Coupon(
                        code=coupon,
                        promotion=self.programme.win_back_promotion,
                        max_uses=1,
                        max_uses_per_customer=1,
                    )
                ]
            )
            values["coupon"] = coupon
        self._notifier.send(
            Message(
                recipient=action.customer,
                channel=channel,
                template=f"loyalty.{action.kind.value}",
                variables=values,
                idempotency_key=action.key,
            )
        )
        return TriggerOutcome(action=action, done=True, coupon=coupon)


def _code(prefix: str, key: str) -> str:
    """A coupon code for ``key``: the same for a retry, unguessable without the key.

    The key names a customer's ULID, which carries 80 random bits; its digest keeps
    what a code reveals to the code. Any text hashes, a lone surrogate too: the code is
    made after the points are posted, and must not fail then.
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest().upper()
    return normalize_code(prefix + digest[:12])


def _kept(order: Order, at: pendulum.DateTime) -> Money:
    """What the guest had paid and kept of ``order`` by ``at``, by the ledger's reports.

    The points of a completed order are earned on what it had kept when it completed,
    however late the event is delivered; refunds and chargebacks after that are the
    refund reaction's to take back.
    """
    taken = given = Money.zero(order.currency)
    for movement in order.ledger.movements:
        if not movement.succeeded:
            continue
        # At the very instant of completion (a frozen clock), money taken counts as
        # before it and money given back as after it: an order completes once paid.
        if movement.kind is MovementKind.CAPTURE and movement.occurred_at <= at:
            taken += movement.amount
        elif movement.kind in _GIVEN_BACK and movement.occurred_at < at:
            given += movement.amount
    return taken - given
