"""Profiles over random histories: merges lose nothing, consent follows the latest record.

* merging two duplicates keeps every stay, order, review and consent record of both,
  every referral (joined per friend), both sets of contacts and preferences, and the
  earliest registration; chains of merges keep everything too;
* merging ``a`` into ``b`` or ``b`` into ``a`` gives the same history (the union fields);
* whether a guest consents at an instant is decided by the latest record at or before it
  (a refusal winning a tie), whatever order the records were given in;
* tags: re-evaluating with nothing new changes nothing, and "the last n stays in a room"
  agrees with a plain reading of the stays by check-out.

``profiles()`` draws histories built through the profile's own methods; it belongs in
:mod:`staycore.testing.strategies` once profiles are registered there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pendulum
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.membership.profiles import (
    ConsentRecord,
    ContactDetails,
    CustomerProfile,
    Referral,
    ReviewRecord,
    merge,
)
from staycore.membership.tags import (
    DEFAULT_TAG_RULES,
    ConsecutiveStays,
    ProfileFacts,
    refresh_tags,
)
from staycore.orders.ids import OrderId
from staycore.ports.notifier import Channel
from staycore.testing.strategies import identifiers

LOW, HIGH = dt.date(2024, 1, 1), dt.date(2028, 12, 31)
EMAILS = ("mei@example.com", "kenji@example.com", "ana@example.com")
PHONES = ("+886912345678", "+33612345678", "0912345678")
ROOMS = ("executive", "standard", "suite")
PREFERENCES = ("no_smoking", "high_floor", "quiet_room", "twin_beds")
PURPOSES = ("marketing", "surveys")
SOURCES = ("booking form", "front desk", "app settings")

ZONES = ("UTC", "Asia/Taipei", "America/New_York", "Europe/Lisbon")
SECONDS = int((HIGH - LOW).total_seconds())
START = pendulum.datetime(LOW.year, LOW.month, LOW.day, tz="UTC")

# Instants in a few zones (profiles keep them in UTC); the plain seconds shrink well.
moments: SearchStrategy[pendulum.DateTime] = st.builds(
    lambda seconds, zone: START.add(seconds=seconds).in_tz(zone),
    st.integers(0, SECONDS),
    st.sampled_from(ZONES),
)
nights: SearchStrategy[Stay] = st.builds(
    lambda day, length: Stay.of_nights(LOW + dt.timedelta(days=day), length),
    st.integers(0, (HIGH - LOW).days - 7),
    st.integers(1, 7),
)


def consent_records(
    at: SearchStrategy[pendulum.DateTime] = moments,
) -> SearchStrategy[ConsentRecord]:
    return st.builds(
        ConsentRecord,
        channel=st.sampled_from(Channel),
        granted=st.booleans(),
        at=at,
        source=st.sampled_from(SOURCES),
        purpose=st.sampled_from(PURPOSES),
    )


# Built once: a strategy made inside a composite is checked again on every draw.
STAY_PARTS = st.tuples(
    nights,
    st.integers(0, 500_000),
    moments,
    st.sampled_from(ROOMS),
    st.integers(1, 3),
    st.integers(0, 2),
)
REFERRAL_PARTS = st.tuples(moments, st.none() | st.integers(0, 400))
EMAIL_LISTS = st.lists(st.sampled_from(EMAILS), max_size=2)
PHONE_LISTS = st.lists(st.sampled_from(PHONES), max_size=2)
BIRTHDAYS = st.none() | st.dates(dt.date(1950, 1, 1), dt.date(2005, 12, 31))
PREFERENCE_SETS = st.frozensets(st.sampled_from(PREFERENCES))
KINDS = st.sampled_from(("stay", "order", "reviewed stay"))
SCORES = st.integers(1, 5)
CONSENT_LISTS = st.lists(consent_records(), max_size=6)
FRIEND_PICKS = st.lists(st.integers(0, 2), max_size=3)
CUSTOMER_IDS = st.lists(identifiers(CustomerId), min_size=5, max_size=5, unique=True)
ORDER_IDS = st.lists(identifiers(OrderId), max_size=8, unique=True)


def stay_record(
    order: OrderId, parts: tuple[Stay, int, pendulum.DateTime, str, int, int]
) -> StayRecord:
    stay, minor, completed_at, room, adults, children = parts
    return StayRecord(
        order=order,
        stay=stay,
        spend=Money.from_minor(minor, "EUR"),
        completed_at=completed_at,
        room=room,
        adults=adults,
        children=children,
    )


@st.composite
def profiles(
    draw: DrawFn,
    customer: CustomerId,
    orders: Sequence[OrderId],
    friends: Sequence[CustomerId],
    shared_email: str | None = None,
) -> CustomerProfile:
    """A profile built through its methods: stays, other orders, reviews, consent, referrals.

    ``orders`` are this profile's own: stays and reviews name some of them.
    """
    emails = draw(EMAIL_LISTS)
    profile, _ = CustomerProfile.register(
        customer,
        name="Mei Tan",
        contact=ContactDetails(
            emails=[*emails, *([shared_email] if shared_email else [])],
            phones=draw(PHONE_LISTS),
        ),
        at=draw(moments),
        birthday=draw(BIRTHDAYS),
        preferences=draw(PREFERENCE_SETS),
    )
    for order in orders:
        kind = draw(KINDS)
        at = draw(moments)
        if kind == "order":
            profile, _ = profile.record_order(order, at=at)
            continue
        profile, _ = profile.record_stay(stay_record(order, draw(STAY_PARTS)), at=at)
        if kind == "reviewed stay":
            review = ReviewRecord(order=order, score=draw(SCORES), at=at)
            profile, _ = profile.record_review(review, at=at)
    for record in draw(CONSENT_LISTS):
        profile, _ = profile.give_consent(
            record.channel,
            granted=record.granted,
            at=record.at,
            source=record.source,
            purpose=record.purpose,
        )
    for pick in draw(FRIEND_PICKS):
        shared, later = draw(REFERRAL_PARTS)
        converted = None if later is None else shared.add(days=later)
        referral = Referral(referred=friends[pick], at=shared, converted_at=converted)
        profile, _ = profile.record_referral(referral, at=shared)
    return profile


@st.composite
def duplicates(draw: DrawFn) -> tuple[CustomerProfile, CustomerProfile]:
    """Two profiles of one guest: they share an e-mail address; their orders are their own."""
    a, b, *friends = draw(CUSTOMER_IDS)
    orders = draw(ORDER_IDS)
    split = draw(st.integers(0, len(orders)))
    shared = draw(st.sampled_from(EMAILS))
    first = draw(profiles(a, orders[:split], friends, shared_email=shared))
    second = draw(profiles(b, orders[split:], friends, shared_email=shared.upper()))
    return first, second


def referral_by_friend(*profiles: CustomerProfile) -> dict[CustomerId, Referral]:
    """Every profile's referrals, joined per friend: what a merge must keep."""
    joined: dict[CustomerId, Referral] = {}
    for profile in profiles:
        for referral in profile.referrals:
            held = joined.get(referral.referred)
            joined[referral.referred] = referral if held is None else held.joined(referral)
    return joined


AT = pendulum.datetime(2029, 1, 1, tz="UTC")


@given(duplicates())
def test_merging_never_loses_a_record(pair: tuple[CustomerProfile, CustomerProfile]) -> None:
    a, b = pair

    merged, (event,) = merge(a, b, at=AT)

    assert set(merged.stays) == set(a.stays) | set(b.stays)
    assert set(merged.orders) == set(a.orders) | set(b.orders)
    assert set(merged.reviews) == set(a.reviews) | set(b.reviews)
    assert set(merged.consents) == set(a.consents) | set(b.consents)
    assert {r.referred: r for r in merged.referrals} == referral_by_friend(a, b)
    assert set(merged.contact.emails) == set(a.contact.emails) | set(b.contact.emails)
    assert set(merged.contact.phones) == set(a.contact.phones) | set(b.contact.phones)
    assert merged.preferences == a.preferences | b.preferences
    assert merged.created_at == min(a.created_at, b.created_at)
    assert merged.birthday == (a.birthday or b.birthday)
    assert (merged.id, merged.version, merged.merged_from) == (a.id, a.version + 1, (b.id,))
    assert event.aggregate_version == merged.version


@given(duplicates(), duplicates())
def test_a_chain_of_merges_keeps_every_record(
    first: tuple[CustomerProfile, CustomerProfile], second: tuple[CustomerProfile, CustomerProfile]
) -> None:
    a, b = first
    c, d = second
    # The second pair is made a duplicate of the first through a shared phone number, and
    # its orders and ids kept apart from the first pair's.
    assume(not {c.id, d.id} & {a.id, b.id})
    assume(not set(c.orders + d.orders) & set(a.orders + b.orders))
    bridge = ContactDetails(phones="+4420 7946 0000")
    a, _ = a.update_contact(at=AT, contact=a.contact.merged(bridge))
    c, _ = c.update_contact(at=AT, contact=c.contact.merged(bridge))

    ab, _ = merge(a, b, at=AT)
    cd, _ = merge(c, d, at=AT)
    everything, _ = merge(ab, cd, at=AT)

    assert everything.merged_from == tuple(sorted((b.id, c.id, d.id)))
    assert set(everything.stays) == set(a.stays + b.stays + c.stays + d.stays)
    assert set(everything.orders) == set(a.orders + b.orders + c.orders + d.orders)
    assert set(everything.consents) == set(a.consents + b.consents + c.consents + d.consents)


@given(duplicates())
def test_merge_is_order_independent_for_the_union_fields(
    pair: tuple[CustomerProfile, CustomerProfile],
) -> None:
    a, b = pair

    ab, _ = merge(a, b, at=AT)
    ba, _ = merge(b, a, at=AT)

    for field in ("stays", "orders", "reviews", "referrals", "consents", "preferences"):
        assert getattr(ab, field) == getattr(ba, field), field
    assert ab.created_at == ba.created_at
    assert set(ab.contact.emails) == set(ba.contact.emails)
    assert set(ab.contact.phones) == set(ba.contact.phones)
    assert {t.name for t in ab.tags} == {t.name for t in ba.tags}
    for instant in (a.created_at, b.created_at, AT):
        for channel in Channel:
            assert ab.consents_to(channel, at=instant) == ba.consents_to(channel, at=instant)


# A few instants, so that records often share one and queries fall on them.
FEW_MOMENTS = st.sampled_from(
    [pendulum.datetime(2026, 3, day, hour, tz="UTC") for day in (1, 2, 3) for hour in (9, 18)]
)


def model_decision(
    records: Sequence[ConsentRecord], channel: Channel, purpose: str, at: pendulum.DateTime
) -> bool:
    """The latest record for the channel and purpose at or before ``at``; a refusal wins a tie."""
    relevant = [
        (record.at, not record.granted)
        for record in records
        if record.channel is channel and record.purpose == purpose and record.at <= at
    ]
    if not relevant:
        return False
    _latest, refused = max(relevant)
    return not refused


@given(
    st.lists(consent_records(at=FEW_MOMENTS | moments), max_size=12),
    st.lists(FEW_MOMENTS | moments, min_size=1, max_size=5),
    st.randoms(use_true_random=False),
)
def test_the_latest_consent_decides_whatever_order_it_was_given_in(
    records: list[ConsentRecord], queries: list[pendulum.DateTime], shuffler: object
) -> None:
    profile, _ = CustomerProfile.register(
        CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), name="Mei Tan", at=AT
    )
    shuffled = list(records)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    given_in_order = given_shuffled = profile
    for record in records:
        given_in_order, _ = given_in_order.give_consent(
            record.channel,
            granted=record.granted,
            at=record.at,
            source=record.source,
            purpose=record.purpose,
        )
    for record in shuffled:
        given_shuffled, _ = given_shuffled.give_consent(
            record.channel,
            granted=record.granted,
            at=record.at,
            source=record.source,
            purpose=record.purpose,
        )

    assert given_in_order.consents == given_shuffled.consents
    assert set(given_in_order.consents) == set(records)
    for at in queries:
        for channel in Channel:
            for purpose in PURPOSES:
                expected = model_decision(records, channel, purpose, at)
                assert given_in_order.consents_to(channel, at=at, purpose=purpose) is expected
                assert given_shuffled.consents_to(channel, at=at, purpose=purpose) is expected


@given(duplicates(), st.dates(LOW, HIGH))
def test_refreshing_tags_again_with_nothing_new_changes_nothing(
    pair: tuple[CustomerProfile, CustomerProfile], on: dt.date
) -> None:
    profile, _ = pair
    tagged, _ = refresh_tags(DEFAULT_TAG_RULES, profile, on=on, at=AT)

    assert refresh_tags(DEFAULT_TAG_RULES, tagged, on=on, at=AT.add(days=1)) == (tagged, ())
    assert all(tag.reason for tag in tagged.tags)


@given(duplicates(), st.dates(LOW, HIGH), st.integers(1, 4), st.sampled_from(ROOMS))
def test_consecutive_stays_agrees_with_the_stays_read_by_check_out(
    pair: tuple[CustomerProfile, CustomerProfile], on: dt.date, count: int, room: str
) -> None:
    profile, _ = pair
    counted = sorted(
        (s for s in profile.stays if s.counted_on <= on),
        key=lambda s: (s.counted_on, s.completed_at.astimezone(dt.UTC), s.order),
    )
    last = counted[-count:]
    expected = len(last) == count and all(s.room == room for s in last)

    reason = ConsecutiveStays(count=count, room=room).reason(ProfileFacts.of(profile, on=on, at=AT))

    assert (reason is not None) is expected
