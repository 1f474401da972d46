"""The loyalty use cases, end to end through a sandbox hotel on a frozen clock.

Stays are booked in the hotel's season (garden rooms at EUR 120 a night), paid in full,
stayed and completed; the loyalty reactions run when the hotel relays the events.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypeVar

import attrs
import pendulum
import pytest

from staycore.app.loyalty import NotAMemberError
from staycore.kernel.errors import AggregateNotFoundError
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.ids import CustomerId
from staycore.membership.members import (
    ArrivalUpgradePrompted,
    Member,
    MemberEnrolled,
    TierChanged,
)
from staycore.membership.points import (
    EntryKind,
    InsufficientPointsError,
    InvalidPointsEntryError,
)
from staycore.membership.profiles import (
    CustomerProfile,
    InvalidProfileError,
    ProfileRegistered,
    ProfilesNotDuplicatesError,
)
from staycore.membership.programme import LoyaltyProgramme, UnknownRewardError
from staycore.membership.tiers import (
    Benefits,
    RollingWindow,
    Threshold,
    Tier,
    TierProgram,
    TierStatus,
    ValidFor,
)
from staycore.membership.triggers import TriggerKind, TriggerSettings
from staycore.orders.order import Order
from staycore.orders.payments import MovementKind
from staycore.orders.reviews import ReviewLeft
from staycore.ports.notifier import Channel, Message
from staycore.pricing.quote import Quote
from staycore.pricing.rate_plans import Guests
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SEASON, SUCCEEDING_CARD, SandboxHotel, garden_rewards

STAY = "2026-07-10/2026-07-13"  # three nights at EUR 120: EUR 360.00, 3,600 points
K = TriggerKind
E = TypeVar("E", bound=DomainEvent)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def enrol_mei(
    hotel: SandboxHotel,
    *,
    email: str = "mei@example.com",
    birthday: dt.date | None = None,
    customer: CustomerId | None = None,
) -> CustomerId:
    return hotel.loyalty.enrol(name="Mei Tan", email=email, birthday=birthday, customer=customer)


def ledger(hotel: SandboxHotel, customer: CustomerId) -> list[tuple[str, int, str]]:
    """The member's entries as (kind, points, rule), in the order written."""
    return [(e.kind.value, e.points, e.rule) for e in hotel.ledger.entries(customer)]


def balance(hotel: SandboxHotel, customer: CustomerId) -> int:
    return hotel.loyalty.account(customer).balance


def sent(hotel: SandboxHotel) -> list[Message]:
    """The messages the loyalty triggers sent (the order use cases send others)."""
    return [m for m in hotel.notifier.sent if m.template.startswith("loyalty.")]


def events(hotel: SandboxHotel, kind: type[E]) -> list[E]:
    return [e for e in hotel.store.outbox() if isinstance(e, kind)]


def tier_changes(hotel: SandboxHotel) -> list[tuple[str, str, dt.date | None, bool]]:
    return [(e.previous, e.tier, e.valid_through, e.upgrade) for e in events(hotel, TierChanged)]


def quote(hotel: SandboxHotel, stay: str, codes: list[str]) -> Quote:
    return hotel.pricing.quote(hotel.pricer, Stay.parse(stay), Guests(2), codes=codes)


def booked(hotel: SandboxHotel, customer: CustomerId, stay: str, *, in_full: bool = False) -> Order:
    """A confirmed booking of the member's, the deposit (or all) paid, not stayed yet."""
    command = hotel.booking(stay)
    command = attrs.evolve(command, guest=attrs.evolve(command.guest, customer=customer))
    order = hotel.orders.place(command, idempotency_key=f"{customer}:{stay}:place")
    return hotel.orders.pay(
        order.id,
        method=SUCCEEDING_CARD,
        amount=order.value if in_full else None,
        idempotency_key=f"{customer}:{stay}:pay",
    ).order


def completed_unrelayed(hotel: SandboxHotel, customer: CustomerId, stay: str) -> Order:
    """What ``hotel.stay_completed`` does, but the events wait for the next relay."""
    order = booked(hotel, customer, stay, in_full=True)
    nights = Stay.parse(stay)
    hotel.clock.set(f"{nights.check_in.isoformat()}T14:00:00Z")
    hotel.orders.check_in(order.id, idempotency_key=f"{customer}:{stay}:in")
    hotel.clock.set(f"{nights.check_out.isoformat()}T09:00:00Z")
    hotel.orders.check_out(order.id, idempotency_key=f"{customer}:{stay}:out")
    return hotel.orders.complete(order.id, idempotency_key=f"{customer}:{stay}:done")


def charge_back(hotel: SandboxHotel, order: Order, amount: str) -> None:
    """The card issuer takes ``amount`` back from the order's capture; the hotel hears it."""
    (capture,) = [m for m in order.ledger.movements if m.kind is MovementKind.CAPTURE]
    hotel.gateway.chargeback(capture.reference, eur(amount))
    hotel.deliver_webhooks()


def low_tiers() -> LoyaltyProgramme:
    """Garden Rewards with tiers within reach of one season: Silver at 2 nights, Platinum at 4."""
    tiers = TierProgram(
        tiers=[
            Tier(name="Member"),
            Tier(name="Silver", threshold=Threshold(nights=2), benefits=Benefits(bonus_percent=10)),
            Tier(
                name="Platinum",
                threshold=Threshold(nights=4),
                benefits=Benefits(bonus_percent=50, upgrade_on_arrival=True),
            ),
        ],
        currency="EUR",
    )
    return attrs.evolve(garden_rewards(), tiers=tiers)


@pytest.fixture
def hotel() -> SandboxHotel:
    return SandboxHotel()


# -- enrolling -------------------------------------------------------------------------


def test_the_sandbox_season_and_rate_are_what_these_tests_count_on(hotel: SandboxHotel) -> None:
    assert (SEASON.check_in, SEASON.check_out) == (dt.date(2026, 6, 1), dt.date(2026, 10, 1))
    assert quote(hotel, STAY, []).total == eur("360.00")
    assert hotel.clock.now() == pendulum.datetime(2026, 6, 1, 9, tz="UTC")


def test_enrolling_registers_a_profile_and_a_member_at_the_entry_tier(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel, birthday=dt.date(1990, 6, 3))
    profile = hotel.loyalty.profile(mei)
    assert (profile.contact.emails, profile.birthday, profile.version) == (
        ("mei@example.com",),
        dt.date(1990, 6, 3),
        1,
    )
    member = hotel.loyalty.member(mei)
    assert (member.status, member.joined_at, member.last_sign_in) == (
        TierStatus("Member"),
        hotel.clock.now(),
        None,
    )
    assert hotel.loyalty.status(mei) == TierStatus("Member")
    assert str(hotel.loyalty.progress(mei)) == "10 nights or 4 stays to Silver"
    assert (balance(hotel, mei), ledger(hotel, mei)) == (0, [])
    assert [type(e) for e in hotel.store.outbox()] == [ProfileRegistered, MemberEnrolled]


def test_enrolling_the_same_customer_again_changes_nothing(hotel: SandboxHotel) -> None:
    mei = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    assert enrol_mei(hotel, customer=mei) == mei
    first = hotel.loyalty.profile(mei)
    hotel.clock.advance(days=3)
    again = hotel.loyalty.enrol(name="Tan Mei", email="tan@example.com", customer=mei)
    assert again == mei
    assert hotel.loyalty.profile(mei) == first
    assert hotel.loyalty.member(mei).joined_at == pendulum.datetime(2026, 6, 1, 9, tz="UTC")
    assert [m.id for m in hotel.store.committed(Member)] == [mei]
    assert len(events(hotel, MemberEnrolled)) == len(events(hotel, ProfileRegistered)) == 1


def test_enrolling_without_an_id_gives_each_guest_a_new_one(hotel: SandboxHotel) -> None:
    mei, ana = enrol_mei(hotel), hotel.loyalty.enrol(name="Ana Lima")
    assert mei != ana
    assert len(hotel.store.committed(Member)) == 2


def test_a_malformed_email_is_refused_with_its_code_and_nothing_is_written(
    hotel: SandboxHotel,
) -> None:
    error = assert_refused(
        InvalidProfileError,
        "membership.invalid_profile",
        "write it like mei@example.com",
        lambda: enrol_mei(hotel, email="mei.example.com"),
    )
    assert "needs exactly one '@'" in error.message
    assert hotel.store.committed(CustomerProfile) == ()
    assert hotel.store.committed(Member) == ()
    assert hotel.store.outbox() == ()


def test_the_use_cases_refuse_a_customer_who_has_not_enrolled(hotel: SandboxHotel) -> None:
    stranger = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A9")
    for call in (
        lambda: hotel.loyalty.member(stranger),
        lambda: hotel.loyalty.progress(stranger),
        lambda: hotel.loyalty.sign_in(stranger),
        lambda: hotel.loyalty.redeem_reward(stranger, "EUR 10 off", idempotency_key="r"),
        lambda: hotel.loyalty.adjust(
            stranger, 100, reason="goodwill", staff="desk:lea", idempotency_key="a"
        ),
    ):
        assert_refused(NotAMemberError, "membership.not_a_member", "enrol them first", call)
    with pytest.raises(AggregateNotFoundError):
        hotel.loyalty.profile(stranger)
    assert hotel.ledger.entries(stranger) == ()


# -- completed stays -------------------------------------------------------------------


def test_a_completed_stay_earns_10_points_per_euro_paid_and_is_recorded_on_the_profile(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    assert order.received == eur("360.00")
    (earned,) = hotel.ledger.entries(mei)
    assert (earned.kind, earned.points, earned.rule, earned.order, earned.reason) == (
        EntryKind.EARN,
        3600,
        "base",
        order.id,
        "10 points per EUR on EUR 360.00",
    )
    assert earned.at == pendulum.datetime(2026, 7, 13, 9, tz="UTC")  # the morning of check-out
    assert earned.expires_at == pendulum.datetime(2028, 7, 13, 9, tz="UTC")  # 24 months idle
    assert balance(hotel, mei) == 3600
    profile = hotel.loyalty.profile(mei)
    (record,) = profile.stays
    assert (record.order, record.stay, record.spend, record.adults, record.children) == (
        order.id,
        Stay.parse(STAY),
        eur("360.00"),
        2,
        0,
    )
    assert (record.channel, record.completed_at) == ("direct", earned.at)
    assert profile.orders == (order.id,)
    assert profile.last_stay_on == dt.date(2026, 7, 13)
    assert str(hotel.loyalty.progress(mei)) == "7 nights or 3 stays to Silver"


def test_relaying_the_same_events_again_earns_and_records_nothing_more(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)
    entries, profile = hotel.ledger.entries(mei), hotel.loyalty.profile(mei)
    outbox = hotel.store.outbox()
    hotel.loyalty.publish(outbox)
    hotel.loyalty.publish(outbox)
    hotel.relay()  # the profile's own events, which nothing reacts to
    assert hotel.ledger.entries(mei) == entries
    assert ledger(hotel, mei) == [("earn", 3600, "base")]
    assert hotel.loyalty.profile(mei) == profile
    assert hotel.store.outbox() == outbox  # no event either


def test_relaying_a_completion_again_later_changes_nothing(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)
    entries, profile = hotel.ledger.entries(mei), hotel.loyalty.profile(mei)
    hotel.clock.advance(hours=1)  # the relay's retry comes a little later
    hotel.loyalty.publish(hotel.store.outbox())
    assert hotel.ledger.entries(mei) == entries
    assert hotel.loyalty.profile(mei) == profile


def test_the_order_of_a_guest_who_is_not_a_member_earns_nothing(hotel: SandboxHotel) -> None:
    guest = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5B0")
    order = hotel.stay_completed(guest, STAY)
    assert order.status.value == "completed"
    assert hotel.ledger.entries(guest) == ()
    assert hotel.store.committed(Member) == ()


# -- tiers -----------------------------------------------------------------------------


def test_the_fourth_stay_of_the_year_reaches_silver_and_the_next_stay_earns_its_bonus(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    for stay in ("2026-06-10/2026-06-13", "2026-06-20/2026-06-23", "2026-07-01/2026-07-04"):
        hotel.stay_completed(mei, stay)
    assert str(hotel.loyalty.progress(mei)) == "1 night or 1 stay to Silver"
    assert tier_changes(hotel) == []
    assert balance(hotel, mei) == 10800

    fourth = hotel.stay_completed(mei, "2026-07-10/2026-07-12")
    silver = TierStatus("Silver", dt.date(2026, 7, 12), dt.date(2028, 2, 29))
    assert hotel.loyalty.member(mei).status == silver
    assert hotel.loyalty.status(mei) == silver
    assert tier_changes(hotel) == [("Member", "Silver", dt.date(2028, 2, 29), True)]
    (changed,) = events(hotel, TierChanged)
    assert (changed.aggregate_id, changed.occurred_at) == (mei, hotel.clock.now())
    # The stay that reaches Silver earns as a Member: the bonus starts with the next one.
    assert [(e.points, e.rule) for e in hotel.ledger.entries(mei) if e.order == fourth.id] == [
        (2400, "base")
    ]
    assert str(hotel.loyalty.progress(mei)) == "14 nights or 8 stays or EUR 3,680.00 spend to Gold"

    fifth = hotel.stay_completed(mei, "2026-07-20/2026-07-22")
    earned = [e for e in hotel.ledger.entries(mei) if e.order == fifth.id]
    assert [(e.points, e.rule, e.reason) for e in earned] == [
        (2400, "base", "10 points per EUR on EUR 240.00"),
        (240, "tier_bonus", "10 % tier bonus on 2,400 base points"),
    ]
    assert balance(hotel, mei) == 10800 + 2400 + 2640
    assert str(hotel.loyalty.progress(mei)) == "12 nights or 7 stays or EUR 3,440.00 spend to Gold"
    assert hotel.loyalty.member(mei).status.qualified_on == dt.date(2026, 7, 22)  # requalified
    assert len(tier_changes(hotel)) == 2
    assert tier_changes(hotel)[1] == ("Silver", "Silver", dt.date(2028, 2, 29), False)


def month_tiers() -> LoyaltyProgramme:
    """Garden Rewards where Silver (3 nights in 30 days) holds for 30 days."""
    month = TierProgram(
        tiers=[
            Tier(name="Member"),
            Tier(name="Silver", threshold=Threshold(nights=3), benefits=Benefits(bonus_percent=10)),
        ],
        currency="EUR",
        window=RollingWindow(days=30),
        validity=ValidFor(days=30),
    )
    return attrs.evolve(garden_rewards(), tiers=month)


def test_the_status_read_applies_the_end_of_a_tier_before_anything_is_saved() -> None:
    hotel = SandboxHotel(programme=month_tiers())
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, "2026-06-10/2026-06-13")
    silver = TierStatus("Silver", dt.date(2026, 6, 13), dt.date(2026, 7, 13))
    assert hotel.loyalty.status(mei) == silver
    hotel.clock.set("2026-07-14T09:00:00Z")
    assert hotel.loyalty.status(mei) == TierStatus("Member")
    assert str(hotel.loyalty.progress(mei)) == "3 nights to Silver"
    assert hotel.loyalty.member(mei).status == silver  # as saved with the last stay


def test_a_stay_after_the_tier_has_lapsed_earns_no_bonus_of_it() -> None:
    hotel = SandboxHotel(programme=month_tiers())
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, "2026-06-10/2026-06-13")
    hotel.clock.set("2026-08-31T09:00:00Z")
    assert hotel.loyalty.status(mei) == TierStatus("Member")  # Silver ended on 2026-07-13
    later = hotel.stay_completed(mei, "2026-09-01/2026-09-03")
    earned = [(e.points, e.rule) for e in hotel.ledger.entries(mei) if e.order == later.id]
    assert earned == [(2400, "base")]


# -- reviews ---------------------------------------------------------------------------


def test_a_review_earns_the_review_bonus_once_and_is_kept_on_the_profile(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    hotel.clock.advance(hours=2)
    review = hotel.reviews.leave(order.id, ratings={"cleanliness": 5, "value": 4}, text="Quiet.")
    hotel.relay()
    assert ledger(hotel, mei) == [("earn", 3600, "base"), ("earn", 100, "review")]
    bonus = hotel.ledger.entries(mei)[-1]
    # the bonus is for the review, so a later refund of the stay leaves it be
    assert (bonus.order, bonus.reason) == (None, f"reviewed the stay of order {order.id}")
    (kept,) = hotel.loyalty.profile(mei).reviews
    assert (kept.order, kept.score, kept.at) == (order.id, Decimal("4.5"), review.written_at)
    hotel.relay()
    hotel.loyalty.publish(events(hotel, ReviewLeft))  # the review delivered again
    assert balance(hotel, mei) == 3700
    assert len(hotel.ledger.entries(mei)) == 2


# -- signing in ------------------------------------------------------------------------


def test_signing_in_earns_once_per_local_day() -> None:
    hotel = SandboxHotel(now="2026-06-01T21:30:00Z")  # 23:30 in Paris
    mei = enrol_mei(hotel)
    (first,) = hotel.loyalty.sign_in(mei)
    assert (first.points, first.rule, first.reason) == (5, "sign_in", "signed in on 2026-06-01")
    assert hotel.loyalty.sign_in(mei) == ()
    hotel.clock.set("2026-06-01T21:59:00Z")
    assert hotel.loyalty.sign_in(mei) == ()
    hotel.clock.set("2026-06-01T22:30:00Z")  # 00:30 on 2 June in Paris, 1 June in UTC
    (second,) = hotel.loyalty.sign_in(mei)
    assert second.reason == "signed in on 2026-06-02"
    assert hotel.loyalty.member(mei).last_sign_in == dt.date(2026, 6, 2)
    assert ledger(hotel, mei) == [("earn", 5, "sign_in"), ("earn", 5, "sign_in")]
    assert balance(hotel, mei) == 10


# -- rewards ---------------------------------------------------------------------------


def test_redeeming_spends_the_oldest_points_for_a_coupon_worth_eur_10_off_a_quote(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    friend = hotel.loyalty.enrol(name="Ana Lima", email="ana@example.com")
    hotel.loyalty.refer(mei, friend, converted=True)  # 500 points, the oldest
    hotel.clock.advance(days=1)
    hotel.loyalty.adjust(mei, 1500, reason="noisy room", staff="desk:lea", idempotency_key="a1")
    referral_lot, goodwill_lot = (entry.id for entry in hotel.ledger.entries(mei))
    hotel.clock.advance(days=1)

    redeemed = hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1")
    (spent,) = redeemed.entries
    assert (spent.kind, spent.points, spent.reason) == (
        EntryKind.REDEEM,
        -1000,
        "1,000 points for EUR 10 off",
    )
    assert [(draw.lot, draw.points) for draw in spent.draws] == [
        (referral_lot, 500),
        (goodwill_lot, 500),
    ]
    assert (redeemed.reward.name, redeemed.reward.points) == ("EUR 10 off", 1000)
    assert balance(hotel, mei) == 1000
    [(lot_id, left)] = [(lot.id, lot.left) for lot in hotel.loyalty.account(mei).lots]
    assert (lot_id, left) == (goodwill_lot, 1000)

    code = redeemed.coupon
    assert code is not None
    assert quote(hotel, "2026-07-10/2026-07-12", []).total == eur("240.00")
    priced = quote(hotel, "2026-07-10/2026-07-12", [code])
    assert (priced.total, priced.coupon_discounts, priced.refusals) == (
        eur("230.00"),
        ((code, eur("10.00")),),
        (),
    )
    booking = hotel.booking("2026-07-10/2026-07-12", codes=[code])
    assert booking.stays[0].quote.total == eur("230.00")


def test_redeeming_again_with_the_same_key_spends_nothing_more_and_returns_the_same_code(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.loyalty.adjust(mei, 2500, reason="welcome", staff="desk:lea", idempotency_key="a1")
    first = hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1")
    hotel.clock.advance(minutes=5)
    again = hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1")
    assert again == first
    assert balance(hotel, mei) == 1500
    assert ledger(hotel, mei) == [("adjust", 2500, ""), ("redeem", -1000, "")]
    other = hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r2")
    assert other.coupon not in (None, first.coupon)
    assert balance(hotel, mei) == 500


def test_a_retry_after_the_last_points_were_spent_returns_the_same_code(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.loyalty.adjust(mei, 1000, reason="welcome", staff="desk:lea", idempotency_key="a1")
    first = hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1")
    assert balance(hotel, mei) == 0
    again = hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1")
    assert again.coupon == first.coupon


def test_redeeming_more_than_the_balance_is_refused_and_writes_nothing(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.loyalty.adjust(mei, 999, reason="welcome", staff="desk:lea", idempotency_key="a1")
    before = hotel.ledger.entries(mei)
    error = assert_refused(
        InsufficientPointsError,
        "loyalty.insufficient_points",
        "ask for at most 999",
        lambda: hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1"),
    )
    assert (error.available, error.wanted, error.lot) == (999, 1000, None)
    assert hotel.ledger.entries(mei) == before
    assert balance(hotel, mei) == 999
    assert_refused(
        UnknownRewardError,
        "loyalty.unknown_reward",
        "its rewards are 'EUR 10 off'",
        lambda: hotel.loyalty.redeem_reward(mei, "Free night", idempotency_key="r2"),
    )
    assert hotel.ledger.entries(mei) == before


def test_points_past_their_expiry_cannot_be_redeemed_before_the_sweep(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)
    hotel.clock.set("2028-07-13T09:00:00Z")  # 24 months without activity
    assert balance(hotel, mei) == 3600  # not swept yet
    assert hotel.loyalty.account(mei).available(hotel.clock.now()) == 0
    assert_refused(
        InsufficientPointsError,
        "loyalty.insufficient_points",
        "(3600 more have expired)",
        lambda: hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key="r1"),
    )


# -- staff adjustments -----------------------------------------------------------------


def test_staff_adjust_points_up_and_down_with_who_and_why(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    (credit,) = hotel.loyalty.adjust(
        mei, 500, reason="noisy room, night of 10 July", staff="desk:lea", idempotency_key="a1"
    )
    assert (credit.kind, credit.points, credit.reason, credit.key) == (
        EntryKind.ADJUST,
        500,
        "noisy room, night of 10 July (by desk:lea)",
        f"adjust:{mei}:a1",
    )
    assert credit.expires_at == pendulum.datetime(2028, 6, 1, 9, tz="UTC")
    retried = hotel.loyalty.adjust(
        mei, 500, reason="noisy room, night of 10 July", staff="desk:lea", idempotency_key="a1"
    )
    assert retried == (credit,)
    (debit,) = hotel.loyalty.adjust(
        mei, -200, reason="points given twice", staff="desk:tom", idempotency_key="a2"
    )
    assert (debit.points, debit.reason, [d.points for d in debit.draws]) == (
        -200,
        "points given twice (by desk:tom)",
        [200],
    )
    assert balance(hotel, mei) == 300
    assert_refused(
        InsufficientPointsError,
        "loyalty.insufficient_points",
        "ask for at most 300",
        lambda: hotel.loyalty.adjust(
            mei, -301, reason="correction", staff="desk:tom", idempotency_key="a3"
        ),
    )
    assert_refused(
        InvalidPointsEntryError,
        "loyalty.invalid_entry",
        "other than 0",
        lambda: hotel.loyalty.adjust(
            mei, 0, reason="correction", staff="desk:tom", idempotency_key="a4"
        ),
    )
    assert ledger(hotel, mei) == [("adjust", 500, ""), ("adjust", -200, "")]


def test_an_adjustment_without_a_reason_is_refused(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    assert_refused(
        InvalidPointsEntryError,
        "loyalty.invalid_entry",
        "needs a reason",
        lambda: hotel.loyalty.adjust(mei, 100, reason=" ", staff="desk:lea", idempotency_key="a"),
    )
    assert hotel.ledger.entries(mei) == ()


# -- refunds and chargebacks -----------------------------------------------------------


def test_a_chargeback_on_a_completed_order_takes_its_points_back_and_earns_on_what_was_kept(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    hotel.clock.advance(days=20)
    charge_back(hotel, order, "120.00")
    hotel.relay()
    assert ledger(hotel, mei) == [("earn", 3600, "base"), ("adjust", -1200, "")]
    taken = hotel.ledger.entries(mei)[1]
    assert (taken.order, taken.reason) == (
        order.id,
        f"order {order.id} refunded: EUR 240.00 kept, worth 2,400 points",
    )
    assert balance(hotel, mei) == 2400
    (record,) = hotel.loyalty.profile(mei).stays
    assert (record.order, record.spend) == (order.id, eur("240.00"))
    hotel.relay()
    assert balance(hotel, mei) == 2400
    assert len(hotel.ledger.entries(mei)) == 2


def test_a_full_chargeback_takes_every_point_back_and_the_stay_off_the_profile(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    charge_back(hotel, order, "360.00")
    hotel.relay()
    assert ledger(hotel, mei) == [("earn", 3600, "base"), ("reverse", -3600, "")]
    assert balance(hotel, mei) == 0
    profile = hotel.loyalty.profile(mei)
    assert (profile.stays, profile.orders) == ((), (order.id,))
    assert str(hotel.loyalty.progress(mei)) == "10 nights or 4 stays to Silver"


def test_points_already_spent_are_written_off_never_taken_below_zero(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    for key in ("r1", "r2", "r3"):
        hotel.loyalty.redeem_reward(mei, "EUR 10 off", idempotency_key=key)
    charge_back(hotel, order, "360.00")
    hotel.relay()
    (reversal,) = [e for e in hotel.ledger.entries(mei) if e.kind is EntryKind.REVERSE]
    assert reversal.points == -600
    assert reversal.reason == (
        f"order {order.id} reversed: 3600 points earned, 600 taken back, "
        "3000 already spent and not recovered"
    )
    assert balance(hotel, mei) == 0


def test_a_second_chargeback_leaves_the_points_of_what_was_kept_in_the_end(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    charge_back(hotel, order, "120.00")
    hotel.relay()
    assert balance(hotel, mei) == 2400
    charge_back(hotel, order, "60.00")
    hotel.relay()
    assert hotel.loyalty.profile(mei).stays[0].spend == eur("180.00")
    assert balance(hotel, mei) == 1800  # 4200 today


def test_a_completion_and_a_chargeback_relayed_together_earn_on_what_was_kept(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    order = completed_unrelayed(hotel, mei, STAY)
    charge_back(hotel, order, "120.00")
    hotel.relay()
    assert hotel.loyalty.profile(mei).stays[0].spend == eur("240.00")
    assert balance(hotel, mei) == 2400  # 0 today


# -- profiles --------------------------------------------------------------------------


def test_merging_moves_the_duplicates_points_and_keeps_both_histories(
    hotel: SandboxHotel,
) -> None:
    web = enrol_mei(hotel, birthday=dt.date(1990, 9, 3))
    desk = hotel.loyalty.enrol(name="Tan Mei", email="MEI@example.com", phone="+33 6 12 34 56 78")
    orders = [
        hotel.stay_completed(web, "2026-06-10/2026-06-12"),
        hotel.stay_completed(desk, "2026-06-20/2026-06-23"),
        hotel.stay_completed(web, "2026-07-01/2026-07-03"),
        hotel.stay_completed(desk, "2026-07-10/2026-07-12"),
    ]
    hotel.loyalty.give_consent(desk, Channel.EMAIL, granted=True, source="front desk")
    duplicate = hotel.loyalty.profile(desk)
    assert (balance(hotel, web), balance(hotel, desk)) == (4800, 6000)
    assert hotel.loyalty.status(web) == TierStatus("Member")  # two stays each

    merged = hotel.loyalty.merge(web, desk)

    assert (balance(hotel, web), balance(hotel, desk)) == (10800, 0)
    moved_in, moved_out = hotel.ledger.entries(web)[-1], hotel.ledger.entries(desk)[-1]
    reason = f"merged: {desk} into {web}"
    assert (moved_in.kind, moved_in.points, moved_in.reason) == (EntryKind.ADJUST, 6000, reason)
    assert (moved_out.kind, moved_out.points, moved_out.reason) == (
        EntryKind.ADJUST,
        -6000,
        reason,
    )
    assert merged == hotel.loyalty.profile(web)
    assert [record.order for record in merged.stays] == [order.id for order in orders]
    assert set(merged.orders) == {order.id for order in orders}
    assert merged.merged_from == (desk,)
    assert merged.contact.emails == ("mei@example.com",)
    assert merged.contact.phones == ("+33612345678",)
    assert merged.birthday == dt.date(1990, 9, 3)
    assert merged.consents_to(Channel.EMAIL, at=hotel.clock.now())
    assert hotel.loyalty.profile(desk) == duplicate  # its own history stays as it was
    # Four stays together: Silver, worked out again from the merged history.
    assert hotel.loyalty.member(web).status == TierStatus(
        "Silver", dt.date(2026, 7, 12), dt.date(2028, 2, 29)
    )
    assert tier_changes(hotel) == [("Member", "Silver", dt.date(2028, 2, 29), True)]


def test_profiles_that_share_no_contact_are_not_merged(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    ana = hotel.loyalty.enrol(name="Ana Lima", email="ana@example.com")
    hotel.loyalty.adjust(ana, 300, reason="welcome", staff="desk:lea", idempotency_key="a1")
    profile = hotel.loyalty.profile(mei)
    assert_refused(
        ProfilesNotDuplicatesError,
        "membership.not_duplicates",
        "share no e-mail address or phone number",
        lambda: hotel.loyalty.merge(mei, ana),
    )
    assert (balance(hotel, mei), balance(hotel, ana)) == (0, 300)
    assert hotel.loyalty.profile(mei) == profile


def test_a_merged_duplicate_gets_no_triggers_of_its_own(hotel: SandboxHotel) -> None:
    web = enrol_mei(hotel)
    desk = hotel.loyalty.enrol(name="Tan Mei", email="mei@example.com")
    hotel.stay_completed(web, "2026-06-10/2026-06-12")
    hotel.stay_completed(desk, "2026-06-20/2026-06-23")
    hotel.loyalty.give_consent(desk, Channel.EMAIL, granted=True, source="front desk")
    hotel.loyalty.merge(web, desk)
    hotel.clock.set("2026-12-22T09:00:00Z")  # 182 days after the last stay
    outcomes = hotel.loyalty.run_triggers()
    assert [(o.action.kind, o.action.customer) for o in outcomes] == [(K.WIN_BACK, web)]


def test_consent_is_recorded_with_its_source_and_the_latest_decides(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    profile = hotel.loyalty.give_consent(mei, Channel.EMAIL, granted=True, source="sign-up form")
    assert profile.consents_to(Channel.EMAIL, at=hotel.clock.now())
    assert not profile.consents_to(Channel.SMS, at=hotel.clock.now())
    hotel.clock.advance(days=1)
    hotel.loyalty.give_consent(mei, Channel.EMAIL, granted=False, source="unsubscribe link")
    profile = hotel.loyalty.profile(mei)
    assert not profile.consents_to(Channel.EMAIL, at=hotel.clock.now())
    assert [(c.granted, c.source) for c in profile.consents] == [
        (True, "sign-up form"),
        (False, "unsubscribe link"),
    ]


def test_a_referral_earns_the_bonus_once_it_converts_and_tags_the_referrer(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    friend = hotel.loyalty.enrol(name="Ana Lima", email="ana@example.com")
    shared = hotel.loyalty.refer(mei, friend)
    assert [(r.referred, r.converted) for r in shared.referrals] == [(friend, False)]
    assert (balance(hotel, mei), shared.tags) == (0, ())
    hotel.clock.advance(days=9)
    converted = hotel.loyalty.refer(mei, friend, converted=True)
    assert [(r.referred, r.converted) for r in converted.referrals] == [(friend, True)]
    assert ledger(hotel, mei) == [("earn", 500, "referral")]
    (tag,) = hotel.loyalty.profile(mei).tags
    assert (tag.name, tag.reason) == ("social_promoter", "1 referral converted, on 2026-06-10")
    hotel.loyalty.refer(mei, friend, converted=True)
    assert balance(hotel, mei) == 500
    assert balance(hotel, friend) == 0


# -- triggers --------------------------------------------------------------------------


def test_a_birthday_offer_goes_by_email_to_a_guest_who_agreed_and_only_once(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel, birthday=dt.date(1990, 6, 3))
    hotel.loyalty.give_consent(mei, Channel.EMAIL, granted=True, source="sign-up form")
    (outcome,) = hotel.loyalty.run_triggers()
    assert (outcome.done, outcome.skipped, outcome.coupon) == (True, "", None)
    action = outcome.action
    assert (action.kind, action.customer, action.key, action.reason) == (
        K.BIRTHDAY_OFFER,
        mei,
        f"birthday_offer:{mei}:2026",
        "birthday on 2026-06-03, in 2 days",
    )
    (message,) = sent(hotel)
    assert (message.recipient, message.channel, message.template) == (
        mei,
        Channel.EMAIL,
        "loyalty.birthday_offer",
    )
    assert (dict(message.variables), message.idempotency_key) == (
        {"birthday": "2026-06-03"},
        action.key,
    )
    hotel.clock.advance(days=1)
    (again,) = hotel.loyalty.run_triggers()
    assert (again.action.key, again.done, again.skipped) == (action.key, False, "taken before")
    assert len(sent(hotel)) == 1


def test_a_birthday_offer_to_a_guest_without_consent_is_skipped_with_the_reason(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel, birthday=dt.date(1990, 6, 4))  # in 3 days, the first day due
    (outcome,) = hotel.loyalty.run_triggers()
    assert (outcome.action.kind, outcome.done, outcome.skipped) == (
        K.BIRTHDAY_OFFER,
        False,
        "no consent to marketing by email",
    )
    assert outcome.action.customer == mei
    assert sent(hotel) == []


def test_a_guest_without_email_or_phone_is_skipped_with_the_reason(hotel: SandboxHotel) -> None:
    hotel.loyalty.enrol(name="Ana Lima", birthday=dt.date(1985, 6, 2))
    (outcome,) = hotel.loyalty.run_triggers()
    assert (outcome.done, outcome.skipped) == (False, "no e-mail or phone to send to")
    assert sent(hotel) == []


def test_nothing_is_due_for_a_birthday_four_days_away(hotel: SandboxHotel) -> None:
    enrol_mei(hotel, birthday=dt.date(1990, 6, 5))
    assert hotel.loyalty.due_triggers() == ()
    assert hotel.loyalty.run_triggers() == ()


def test_a_win_back_after_182_days_away_comes_with_a_coupon_for_15_percent_off(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)
    hotel.loyalty.give_consent(mei, Channel.EMAIL, granted=True, source="sign-up form")
    assert hotel.loyalty.due_triggers(at=pendulum.datetime(2027, 1, 10, 9, tz="UTC")) == ()
    (due,) = hotel.loyalty.due_triggers(at=pendulum.datetime(2027, 1, 11, 9, tz="UTC"))
    assert (due.kind, due.reason) == (K.WIN_BACK, "no stay for 182 days, since 2026-07-13")

    hotel.clock.set("2027-01-11T09:00:00Z")
    (outcome,) = hotel.loyalty.run_triggers()
    assert (outcome.action, outcome.done) == (due, True)
    code = outcome.coupon
    assert code is not None
    (message,) = sent(hotel)
    assert (message.channel, message.template) == (Channel.EMAIL, "loyalty.win_back")
    assert dict(message.variables) == {"last_stay_on": "2026-07-13", "days": "182", "coupon": code}
    priced = quote(hotel, "2027-06-10/2027-06-12", [code])
    assert (priced.total, priced.coupon_discounts, priced.refusals) == (
        eur("204.00"),
        ((code, eur("36.00")),),
        (),
    )
    hotel.clock.advance(days=7)
    (again,) = hotel.loyalty.run_triggers()
    assert (again.done, again.skipped, again.coupon) == (False, "taken before", None)
    assert len(sent(hotel)) == 1


def test_a_platinum_member_arriving_today_prompts_an_upgrade() -> None:
    hotel = SandboxHotel(programme=low_tiers())
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, "2026-07-10/2026-07-14")  # four nights: Platinum
    assert hotel.loyalty.status(mei).tier == "Platinum"
    arriving = booked(hotel, mei, "2026-08-01/2026-08-03")
    assert arriving.status.value == "confirmed"
    hotel.clock.set("2026-07-31T07:00:00Z")
    assert hotel.loyalty.run_triggers() == ()

    hotel.clock.set("2026-08-01T07:00:00Z")  # 09:00 in Paris on the day of arrival
    (outcome,) = hotel.loyalty.run_triggers()
    action = outcome.action
    assert (action.kind, action.order, action.key, outcome.done) == (
        K.UPGRADE_PROMPT,
        arriving.id,
        f"upgrade_prompt:{mei}:{arriving.id}",
        True,
    )
    assert action.reason == "a Platinum member arrives today: offer a free upgrade"
    assert sent(hotel) == []  # for the front desk, not a message to the guest
    (prompt,) = [e for e in hotel.store.outbox() if isinstance(e, ArrivalUpgradePrompted)]
    assert (prompt.aggregate_id, prompt.order, prompt.tier) == (
        mei,
        str(arriving.id),
        "Platinum",
    )
    (again,) = hotel.loyalty.run_triggers()
    assert (again.done, again.skipped) == (False, "taken before")
    assert len([e for e in hotel.store.outbox() if isinstance(e, ArrivalUpgradePrompted)]) == 1


def test_a_tier_with_an_upgrade_on_arrival_benefit_prompts_though_the_triggers_omit_it() -> None:
    programme = attrs.evolve(low_tiers(), triggers=TriggerSettings())
    hotel = SandboxHotel(programme=programme)
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, "2026-07-10/2026-07-14")  # four nights: Platinum
    arriving = booked(hotel, mei, "2026-08-01/2026-08-03")
    hotel.clock.set("2026-08-01T07:00:00Z")
    (outcome,) = hotel.loyalty.run_triggers()
    assert (outcome.action.kind, outcome.action.order) == (K.UPGRADE_PROMPT, arriving.id)


def test_a_silver_member_arriving_today_is_not_prompted() -> None:
    hotel = SandboxHotel(programme=low_tiers())
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, "2026-07-10/2026-07-12")  # two nights: Silver
    assert hotel.loyalty.status(mei).tier == "Silver"
    booked(hotel, mei, "2026-08-01/2026-08-03")
    hotel.clock.set("2026-08-01T07:00:00Z")
    assert hotel.loyalty.run_triggers() == ()


def test_a_points_reminder_goes_30_days_before_the_points_expire_without_marketing_consent(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)  # 3,600 points, lapsing on 2028-07-13 without activity
    hotel.clock.set("2028-06-12T09:00:00Z")
    assert [a.kind for a in hotel.loyalty.due_triggers()] == [K.WIN_BACK]

    hotel.clock.set("2028-06-13T09:00:00Z")
    outcomes = {o.action.kind: o for o in hotel.loyalty.run_triggers()}
    assert set(outcomes) == {K.WIN_BACK, K.POINTS_REMINDER}
    assert outcomes[K.WIN_BACK].skipped == "no consent to marketing by email"
    reminder = outcomes[K.POINTS_REMINDER]
    assert (reminder.done, reminder.action.reason, reminder.action.key) == (
        True,
        "3,600 points expire on 2028-07-13",
        f"points_reminder:{mei}:2028-07-13",
    )
    (message,) = sent(hotel)
    assert (message.channel, message.template, dict(message.variables)) == (
        Channel.EMAIL,
        "loyalty.points_reminder",
        {"points": "3600", "expires_on": "2028-07-13"},
    )


def test_a_member_short_of_keeping_the_tier_is_nudged_60_days_before_it_ends(
    hotel: SandboxHotel,
) -> None:
    mei = enrol_mei(hotel)
    for stay in (
        "2026-06-10/2026-06-12",
        "2026-06-20/2026-06-22",
        "2026-07-01/2026-07-03",
        "2026-07-10/2026-07-12",
    ):
        hotel.stay_completed(mei, stay)
    hotel.loyalty.give_consent(mei, Channel.EMAIL, granted=True, source="sign-up form")
    hotel.clock.set("2027-12-30T09:00:00Z")
    assert K.TIER_NUDGE not in {a.kind for a in hotel.loyalty.due_triggers()}
    hotel.clock.set("2027-12-31T09:00:00Z")
    (nudge,) = [o for o in hotel.loyalty.run_triggers() if o.action.kind is K.TIER_NUDGE]
    assert (nudge.done, nudge.action.reason) == (
        True,
        "Silver ends on 2028-02-29: 10 nights or 4 stays to keep Silver",
    )
    (message,) = [m for m in sent(hotel) if m.template == "loyalty.tier_nudge"]
    assert dict(message.variables) == {
        "tier": "Silver",
        "ends_on": "2028-02-29",
        "to_keep": "10 nights or 4 stays to keep Silver",
    }


# -- expiry ----------------------------------------------------------------------------


def test_points_expire_after_24_months_without_activity(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)
    (lot,) = hotel.loyalty.account(mei).lots
    hotel.clock.set("2028-07-13T08:59:59Z")
    assert hotel.loyalty.expire_points() == 0
    assert balance(hotel, mei) == 3600

    hotel.clock.set("2028-07-13T09:00:00Z")
    assert hotel.loyalty.expire_points() == 3600
    account = hotel.loyalty.account(mei)
    assert (account.balance, account.lots) == (0, ())
    expired = hotel.ledger.entries(mei)[-1]
    assert (expired.kind, expired.points, expired.key) == (
        EntryKind.EXPIRE,
        -3600,
        f"expire:{lot.id}",
    )
    assert expired.reason == "3600 of 3600 points earned on 2026-07-13 lapsed on 2028-07-13"
    assert hotel.loyalty.expire_points() == 0
    assert ledger(hotel, mei) == [("earn", 3600, "base"), ("expire", -3600, "")]


def test_activity_keeps_every_point_alive_for_another_24_months(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    hotel.stay_completed(mei, STAY)
    hotel.clock.set("2027-07-01T09:00:00Z")
    hotel.loyalty.sign_in(mei)
    hotel.clock.set("2028-07-13T09:00:00Z")
    assert hotel.loyalty.expire_points() == 0
    assert [(lot.left, lot.expires_at) for lot in hotel.loyalty.account(mei).lots] == [
        (3600, pendulum.datetime(2029, 7, 1, 9, tz="UTC")),
        (5, pendulum.datetime(2029, 7, 1, 9, tz="UTC")),
    ]
    hotel.clock.set("2029-07-01T09:00:00Z")
    assert hotel.loyalty.expire_points() == 3605
    assert balance(hotel, mei) == 0


def test_a_refund_of_a_reviewed_stay_leaves_the_review_bonus(hotel: SandboxHotel) -> None:
    mei = enrol_mei(hotel)
    order = hotel.stay_completed(mei, STAY)
    hotel.reviews.leave(order.id, ratings={"cleanliness": 5})
    hotel.relay()
    hotel.clock.advance(days=14)
    charge_back(hotel, order, "100.00")
    hotel.relay()
    assert ledger(hotel, mei)[-1] == ("adjust", -1000, "")  # 3,600 scaled to EUR 260 kept
    assert balance(hotel, mei) == 3600 + 100 - 1000
