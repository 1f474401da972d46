"""Customer profiles: personal data, contacts, consent history, stays and orders, merges."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import pendulum
import pytest

from staycore.kernel.errors import NaiveDatetimeError
from staycore.kernel.events import DomainEvent, event_payload
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.errors import MembershipError
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.membership.profiles import (
    ConsentChanged,
    ConsentRecord,
    ContactDetails,
    CustomerProfile,
    DuplicateStayError,
    InvalidProfileError,
    ProfileChange,
    ProfileChanged,
    ProfileRegistered,
    ProfilesMerged,
    ProfilesNotDuplicatesError,
    Referral,
    ReviewRecord,
    Tag,
    TagsChanged,
    merge,
    personal_fields,
    same_customer,
)
from staycore.orders.ids import OrderId
from staycore.ports.notifier import Channel

MEI = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
DESK = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8")
FRIEND = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5B1")
OTHER_FRIEND = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5B2")
ORDERS = [OrderId(f"ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A{n}") for n in range(10)]
T0 = pendulum.datetime(2026, 3, 1, 9, tz="Europe/Lisbon")
EMAIL = "mei.tan@example.com"
PHONE = "+886912345678"


def register(
    customer: CustomerId = MEI,
    *,
    emails: tuple[str, ...] = (EMAIL,),
    phones: tuple[str, ...] = (),
    at: pendulum.DateTime = T0,
    **fields: object,
) -> CustomerProfile:
    profile, _ = CustomerProfile.register(
        customer,
        name="Mei Tan",
        contact=ContactDetails(emails=emails, phones=phones),
        at=at,
        **fields,  # type: ignore[arg-type]
    )
    return profile


def stay(
    n: int,
    check_in: str = "2026-03-02",
    nights: int = 2,
    *,
    room: str = "standard",
    spend: str = "200.00",
    children: int = 0,
) -> StayRecord:
    return StayRecord(
        order=ORDERS[n],
        stay=Stay.of_nights(dt.date.fromisoformat(check_in), nights),
        spend=Money.of(spend, "EUR"),
        completed_at=T0.add(months=1),
        room=room,
        children=children,
    )


def full_width(text: str) -> str:
    """``text`` as East Asian keyboards type it, in full-width forms."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


# -- personal data ---------------------------------------------------------------------


def test_personal_fields_are_those_marked_in_the_metadata() -> None:
    assert personal_fields(CustomerProfile) == ("name", "contact", "identity_number", "birthday")
    assert personal_fields(ContactDetails) == ("emails", "phones")
    assert personal_fields(StayRecord) == ()


def test_personal_fields_reads_only_attrs_classes() -> None:
    with pytest.raises(InvalidProfileError, match="attrs class"):
        personal_fields(int)


def test_a_profiles_repr_hides_personal_values() -> None:
    profile = register(phones=(PHONE,), birthday=dt.date(1990, 4, 12), identity_number="A123456789")

    shown = repr(profile)

    for secret in ("Mei", EMAIL, PHONE, "1990", "A123456789"):
        assert secret not in shown
    assert "name=<personal>" in shown
    assert "birthday=<personal>" in shown


def test_no_event_carries_a_personal_value() -> None:
    profile, registered = CustomerProfile.register(
        MEI,
        name="Mei Tan",
        contact=ContactDetails(emails=EMAIL, phones=PHONE),
        birthday=dt.date(1990, 4, 12),
        at=T0,
    )
    changed, updated = profile.update_contact(
        at=T0, name="Tan Mei", contact=ContactDetails(emails="new@example.com")
    )

    for event in (*registered, *updated):
        text = json.dumps(event_payload(event))
        for secret in ("Mei", EMAIL, PHONE, "1990", "new@example.com"):
            assert secret not in text
    assert registered == (
        ProfileRegistered(
            aggregate_id=MEI, aggregate_version=1, occurred_at=T0, has_email=True, has_phone=True
        ),
    )
    assert updated == (
        ProfileChanged(
            aggregate_id=MEI, aggregate_version=2, occurred_at=T0, fields=("name", "contact")
        ),
    )
    assert changed.name == "Tan Mei"


# -- contact details -------------------------------------------------------------------


def test_emails_are_lower_cased_trimmed_and_kept_once() -> None:
    contact = ContactDetails(
        emails=[" Mei.Tan@Example.COM ", "mei.tan@example.com", full_width("mei@example.com")]
    )

    assert contact.emails == ("mei.tan@example.com", "mei@example.com")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+886 912-345-678", "+886912345678"),
        ("+1 (555) 010.4477", "+15550104477"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("0912 345 678", "0912345678"),
        (full_width("0912345678"), "0912345678"),
    ],
)
def test_phone_numbers_keep_their_digits_and_a_leading_plus(typed: str, stored: str) -> None:
    assert ContactDetails(phones=typed).phones == (stored,)


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("", "it is empty"),
        ("kenji tan@example.com", "it has a space in it"),
        ("kenji.example.com", "it needs exactly one '@'"),
        ("kenji@@example.com", "it needs exactly one '@'"),
        ("@kenji.example", "it has nothing before the '@'"),
        ("kenji@example", "it needs a domain such as example.com after the '@'"),
        ("kenji@example..com", "it needs a domain such as example.com after the '@'"),
        ("kenji@example.c", "it needs a domain such as example.com after the '@'"),
    ],
)
def test_a_malformed_email_is_named_by_position_and_not_repeated(email: str, problem: str) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        ContactDetails(emails=["ok@example.com", email])

    assert caught.value.code == "membership.invalid_profile"
    assert caught.value.message.startswith(f"emails[1] is not an e-mail address: {problem};")
    if email:
        assert email not in caught.value.message


@pytest.mark.parametrize(
    ("phone", "problem"),
    [
        ("+886 912 CALL ME", "it may have digits, a leading '+'"),
        ("12+345678", "it may have digits, a leading '+'"),
        ("12-34", "it has 4 digits, and a phone number has 6 to 15"),
        ("+1234567890123456", "it has 16 digits, and a phone number has 6 to 15"),
    ],
)
def test_a_malformed_phone_is_named_by_position_and_not_repeated(phone: str, problem: str) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        ContactDetails(phones=[phone])

    assert caught.value.message.startswith(f"phones[0] is not a phone number: {problem}")
    assert phone not in caught.value.message


def test_contact_lists_refuse_what_is_not_text() -> None:
    with pytest.raises(InvalidProfileError, match=r"emails\[0\] must be text"):
        ContactDetails(emails=[42])  # type: ignore[list-item]
    with pytest.raises(InvalidProfileError, match="phones must be a list"):
        ContactDetails(phones={"home": "0912345678"})


def test_contacts_share_a_normalised_email_or_phone() -> None:
    online = ContactDetails(emails="Mei.Tan@Example.com")
    desk = ContactDetails(emails="MEI.TAN@example.com ", phones="+886 912 345 678")

    assert online.shares_with(desk)
    assert not online.shares_with(ContactDetails(phones=PHONE))
    assert not ContactDetails().shares_with(ContactDetails())
    assert ContactDetails().is_empty
    assert online.merged(desk) == ContactDetails(emails=EMAIL, phones=PHONE)


# -- consent ---------------------------------------------------------------------------


def test_a_consent_record_is_checked() -> None:
    with pytest.raises(InvalidProfileError, match="channel must be one of email, sms, push, chat"):
        ConsentRecord(channel="fax", granted=True, at=T0, source="booking form")
    with pytest.raises(InvalidProfileError, match="granted \\(True\\) or refused"):
        ConsentRecord(channel="sms", granted="yes", at=T0, source="booking form")  # type: ignore[arg-type]
    with pytest.raises(InvalidProfileError, match="source must be some text"):
        ConsentRecord(channel="sms", granted=True, at=T0, source="  ")
    with pytest.raises(NaiveDatetimeError):
        ConsentRecord(channel="sms", granted=True, at=dt.datetime(2026, 3, 1), source="desk")  # noqa: DTZ001
    record = ConsentRecord(
        channel=" EMAIL ", granted=True, at=T0, source="app", purpose="Room offers"
    )
    assert (record.channel, record.purpose) == (Channel.EMAIL, "room_offers")
    assert record.at.timezone_name == "UTC"


def test_without_a_record_a_guest_has_not_consented() -> None:
    profile = register()

    assert not profile.consents_to(Channel.EMAIL, at=T0.add(years=1))
    assert profile.deciding_consent(Channel.EMAIL, at=T0) is None


def test_the_latest_record_at_or_before_the_instant_decides() -> None:
    profile = register()
    profile, _ = profile.give_consent(Channel.EMAIL, granted=True, at=T0, source="booking form")
    profile, _ = profile.give_consent(
        Channel.EMAIL, granted=False, at=T0.add(days=10), source="unsubscribe link"
    )

    assert not profile.consents_to(Channel.EMAIL, at=T0.subtract(seconds=1))
    assert profile.consents_to(Channel.EMAIL, at=T0)
    assert profile.consents_to(Channel.EMAIL, at=T0.add(days=10).subtract(seconds=1))
    assert not profile.consents_to(Channel.EMAIL, at=T0.add(days=10))
    assert len(profile.consents) == 2


def test_consent_is_per_channel_and_purpose() -> None:
    profile = register()
    profile, _ = profile.give_consent("sms", granted=True, at=T0, source="front desk")

    assert profile.consents_to(Channel.SMS, at=T0)
    assert not profile.consents_to(Channel.EMAIL, at=T0)
    assert not profile.consents_to(Channel.SMS, at=T0, purpose="surveys")


def test_at_the_same_instant_a_refusal_wins_whatever_the_order() -> None:
    for first, second in ((True, False), (False, True)):
        profile = register()
        profile, _ = profile.give_consent("push", granted=first, at=T0, source="app")
        profile, _ = profile.give_consent("push", granted=second, at=T0, source="desk")

        assert not profile.consents_to(Channel.PUSH, at=T0.add(hours=1))
        deciding = profile.deciding_consent(Channel.PUSH, at=T0)
        assert deciding is not None
        assert not deciding.granted


def test_a_backdated_record_decides_only_until_the_next_one() -> None:
    profile = register()
    profile, _ = profile.give_consent("email", granted=False, at=T0.add(days=5), source="app")
    # A paper form signed on day 1, typed in after the refusal of day 5.
    profile, (event,) = profile.give_consent(
        "email", granted=True, at=T0.add(days=1), source="paper form"
    )

    assert [r.source for r in profile.consents] == ["paper form", "app"]
    assert profile.consents_to(Channel.EMAIL, at=T0.add(days=2))
    assert not profile.consents_to(Channel.EMAIL, at=T0.add(days=6))
    assert isinstance(event, ConsentChanged)
    assert (event.granted, event.previously, event.aggregate_version) == (True, False, 3)


def test_every_consent_record_is_kept_even_one_that_repeats() -> None:
    profile = register()
    profile, _ = profile.give_consent("email", granted=True, at=T0, source="booking form")
    profile, (event,) = profile.give_consent(
        "email", granted=True, at=T0.add(days=30), source="app settings"
    )

    assert len(profile.consents) == 2
    assert event == ConsentChanged(
        aggregate_id=MEI,
        aggregate_version=3,
        occurred_at=T0.add(days=30),
        channel=Channel.EMAIL,
        purpose="marketing",
        granted=True,
        source="app settings",
        previously=True,
    )


# -- registering and the profile's own fields ------------------------------------------


def test_register_normalises_preferences_and_starts_at_version_1() -> None:
    profile, (event,) = CustomerProfile.register(
        MEI,
        name="  Mei Tan ",
        at=T0,
        birthday=dt.date(1990, 4, 12),
        preferences=["No smoking", "high-floor", "quiet_room", "no_smoking"],
    )

    assert profile.name == "Mei Tan"
    assert profile.preferences == frozenset({"no_smoking", "high_floor", "quiet_room"})
    assert profile.version == 1
    assert profile.created_at == T0
    assert profile.created_at.timezone_name == "UTC"
    assert profile.contact == ContactDetails()
    assert (event.has_email, event.has_phone) == (False, False)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "name must be some text"),
        ({"preferences": ["sea view!"]}, "a preference 'sea view!' is not a name"),
        ({"preferences": [3]}, "a preference must be text"),
        ({"birthday": pendulum.datetime(1990, 4, 12)}, "birthday must be a calendar date"),
        ({"identity_number": ""}, "identity_number must be some text"),
        ({"contact": {"emails": [EMAIL]}}, "contact must be ContactDetails"),
    ],
)
def test_register_refuses_malformed_fields(fields: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"name": "Mei Tan", "at": T0} | fields
    with pytest.raises(InvalidProfileError, match=message):
        CustomerProfile.register(MEI, **arguments)  # type: ignore[arg-type]


def test_a_profile_needs_a_customer_id() -> None:
    with pytest.raises(InvalidProfileError, match="a profile's id must be a CustomerId"):
        CustomerProfile.register(ORDERS[0], name="Mei Tan", at=T0)  # type: ignore[arg-type]


def test_update_contact_reports_only_the_fields_that_changed() -> None:
    profile = register(birthday=dt.date(1990, 4, 12))

    same, events = profile.update_contact(
        at=T0, name="Mei Tan", contact=ContactDetails(emails=EMAIL.upper())
    )
    assert (same, events) == (profile, ())

    changed, (event,) = profile.update_contact(
        at=T0, birthday=dt.date(1990, 4, 21), identity_number="A123456789"
    )
    assert isinstance(event, ProfileChanged)
    assert event.fields == ("identity_number", "birthday")
    assert (changed.birthday, changed.identity_number, changed.version) == (
        dt.date(1990, 4, 21),
        "A123456789",
        2,
    )


def test_set_preferences_replaces_them() -> None:
    profile = register(preferences=["no_smoking"])

    changed, (event,) = profile.set_preferences(["High floor"], at=T0)

    assert changed.preferences == frozenset({"high_floor"})
    assert event == ProfileChanged(
        aggregate_id=MEI, aggregate_version=2, occurred_at=T0, fields=("preferences",)
    )
    assert changed.set_preferences(["high floor"], at=T0) == (changed, ())


# -- stays, orders, reviews, referrals -------------------------------------------------


def test_record_stay_adds_the_stay_and_its_order() -> None:
    profile = register()
    record = stay(0, room="executive")

    changed, (event,) = profile.record_stay(record, at=T0.add(days=4))

    assert changed.stays == (record,)
    assert changed.orders == (ORDERS[0],)
    assert changed.last_stay_on == dt.date(2026, 3, 4)
    assert changed.stay_of(ORDERS[0]) == record
    assert event == ProfileChanged(
        aggregate_id=MEI,
        aggregate_version=2,
        occurred_at=T0.add(days=4),
        fields=("stays", "orders"),
        reason=f"stay of order {ORDERS[0]} recorded",
    )


def test_recording_the_same_stay_again_changes_nothing() -> None:
    profile, _ = register().record_stay(stay(0), at=T0)

    assert profile.record_stay(stay(0), at=T0.add(days=1)) == (profile, ())


def test_another_stay_for_a_recorded_order_is_refused() -> None:
    profile, _ = register().record_stay(stay(0), at=T0)

    with pytest.raises(DuplicateStayError) as caught:
        profile.record_stay(stay(0, spend="150.00"), at=T0)

    assert caught.value.code == "membership.duplicate_stay"
    assert caught.value.order == ORDERS[0]
    assert "remove it (remove_stay)" in caught.value.message


def test_stays_are_kept_by_check_out_whatever_the_order_recorded() -> None:
    profile = register()
    for record in (stay(2, "2026-09-01"), stay(0, "2026-03-02"), stay(1, "2026-06-10")):
        profile, _ = profile.record_stay(record, at=T0)

    assert [r.order for r in profile.stays] == ORDERS[:3]
    assert profile.last_stay_on == dt.date(2026, 9, 3)
    assert profile.version == 4


def test_a_refunded_stay_is_removed_and_its_order_kept() -> None:
    profile, _ = register().record_stay(stay(0), at=T0)

    refunded, (event,) = profile.remove_stay(ORDERS[0], at=T0.add(days=9))

    assert refunded.stays == ()
    assert refunded.orders == (ORDERS[0],)
    assert refunded.last_stay_on is None
    assert isinstance(event, ProfileChanged)
    assert event.fields == ("stays",)
    assert refunded.remove_stay(ORDERS[0], at=T0.add(days=10)) == (refunded, ())


def test_record_order_keeps_every_order_once() -> None:
    profile, (event,) = register().record_order(ORDERS[3], at=T0)

    assert profile.orders == (ORDERS[3],)
    assert isinstance(event, ProfileChanged)
    assert event.fields == ("orders",)
    assert profile.record_order(ORDERS[3], at=T0) == (profile, ())
    with pytest.raises(InvalidProfileError, match="must be an OrderId"):
        profile.record_order(MEI, at=T0)  # type: ignore[arg-type]


def test_a_review_is_recorded_once_per_order_the_latest_kept() -> None:
    first = ReviewRecord(order=ORDERS[0], score=3, at=T0)
    edited = ReviewRecord(order=ORDERS[0], score="4.5", at=T0.add(days=1))

    profile, (event,) = register().record_review(first, at=T0)
    assert profile.orders == (ORDERS[0],)
    assert isinstance(event, ProfileChanged)
    assert event.fields == ("reviews", "orders")
    assert profile.record_review(first, at=T0) == (profile, ())

    profile, _ = profile.record_review(edited, at=T0.add(days=1))
    assert profile.reviews == (edited,)
    assert profile.reviews[0].score == Decimal("4.5")


@pytest.mark.parametrize("score", [0, 6, "5.01", "4.5.1", 4.5])
def test_a_review_score_is_an_exact_number_from_1_to_5(score: object) -> None:
    with pytest.raises(InvalidProfileError, match="score"):
        ReviewRecord(order=ORDERS[0], score=score, at=T0)  # type: ignore[arg-type]


def test_referrals_of_one_friend_are_joined() -> None:
    profile, _ = register().record_referral(Referral(referred=FRIEND, at=T0), at=T0)
    converted = Referral(referred=FRIEND, at=T0.add(days=3), converted_at=T0.add(days=40))

    profile, (event,) = profile.record_referral(converted, at=T0.add(days=40))

    assert profile.referrals == (Referral(referred=FRIEND, at=T0, converted_at=T0.add(days=40)),)
    assert isinstance(event, ProfileChanged)
    assert event.fields == ("referrals",)
    assert profile.record_referral(converted, at=T0.add(days=41)) == (profile, ())


def test_a_referral_converts_after_it_is_shared_and_never_to_oneself() -> None:
    with pytest.raises(InvalidProfileError, match="converts after it is shared"):
        Referral(referred=FRIEND, at=T0, converted_at=T0.subtract(days=1))
    with pytest.raises(InvalidProfileError, match="cannot refer itself"):
        register().record_referral(Referral(referred=MEI, at=T0), at=T0)
    with pytest.raises(InvalidProfileError, match="same referred customer"):
        Referral(referred=FRIEND, at=T0).joined(Referral(referred=OTHER_FRIEND, at=T0))


def test_the_profile_refuses_records_that_contradict_each_other() -> None:
    with pytest.raises(InvalidProfileError, match="belongs in orders too"):
        CustomerProfile(id=MEI, version=1, name="Mei Tan", created_at=T0, stays=[stay(0)])
    with pytest.raises(InvalidProfileError, match="two stays are recorded"):
        CustomerProfile(
            id=MEI,
            version=1,
            name="Mei Tan",
            created_at=T0,
            stays=[stay(0), stay(0, "2026-05-01")],
            orders=[ORDERS[0]],
        )
    with pytest.raises(InvalidProfileError, match="not merged from itself"):
        CustomerProfile(id=MEI, version=1, name="Mei Tan", created_at=T0, merged_from=[MEI])
    with pytest.raises(InvalidProfileError, match="version is a whole number"):
        CustomerProfile(id=MEI, version=0, name="Mei Tan", created_at=T0)


# -- tags ------------------------------------------------------------------------------


def tag(name: str, reason: str = "because", at: pendulum.DateTime = T0) -> Tag:
    return Tag(name=name, reason=reason, given_at=at, rule=name)


def test_with_tags_adds_and_removes_and_keeps_a_tag_as_first_given() -> None:
    profile, (first,) = register().with_tags([tag("family"), tag("regular")], at=T0)
    assert first == TagsChanged(
        aggregate_id=MEI,
        aggregate_version=2,
        occurred_at=T0,
        added=("family", "regular"),
        removed=(),
    )

    later = T0.add(days=90)
    profile, (second,) = profile.with_tags(
        [tag("regular", "a newer reason", later), tag("high_net_worth", at=later)], at=later
    )

    assert isinstance(second, TagsChanged)
    assert (second.added, second.removed) == (("high_net_worth",), ("family",))
    assert [t.name for t in profile.tags] == ["high_net_worth", "regular"]
    regular = profile.tags[1]
    assert (regular.reason, regular.given_at) == ("because", T0)


def test_the_same_tags_again_change_nothing() -> None:
    profile, _ = register().with_tags([tag("family")], at=T0)

    assert profile.with_tags([tag("family", "again", T0.add(days=1))], at=T0) == (profile, ())
    assert register().with_tags([], at=T0) == (register(), ())


def test_tags_are_given_once_each() -> None:
    with pytest.raises(InvalidProfileError, match="'family' is given twice"):
        register().with_tags([tag("family"), tag("family", "other")], at=T0)
    with pytest.raises(InvalidProfileError, match="a tag's name 'Family Guest!' is not a name"):
        tag("Family Guest!")


# -- duplicates and merges -------------------------------------------------------------


def history_of_mei() -> CustomerProfile:
    """The online profile: two stays, a cancelled order, a review, consent, a referral."""
    profile = register(
        emails=(EMAIL,),
        at=T0.add(days=30),
        preferences=["no_smoking"],
        identity_number=None,
    )
    profile, _ = profile.record_stay(stay(0, "2026-04-01", room="executive"), at=T0)
    profile, _ = profile.record_stay(stay(1, "2026-05-01"), at=T0)
    profile, _ = profile.record_order(ORDERS[2], at=T0)
    profile, _ = profile.record_review(
        ReviewRecord(order=ORDERS[0], score=5, at=T0.add(days=40)), at=T0
    )
    profile, _ = profile.give_consent("email", granted=True, at=T0.add(days=30), source="web")
    profile, _ = profile.record_referral(Referral(referred=FRIEND, at=T0.add(days=50)), at=T0)
    profile, _ = profile.with_tags([tag("regular", "online reason")], at=T0)
    return profile


def history_at_the_desk() -> CustomerProfile:
    """The front desk's profile of the same guest: older, with her phone and birthday."""
    profile = register(
        DESK,
        emails=("MEI.TAN@example.com",),
        phones=(PHONE,),
        at=T0,
        preferences=["high floor"],
        birthday=dt.date(1990, 4, 12),
        identity_number="A123456789",
    )
    profile, _ = profile.record_stay(stay(3, "2026-03-02", children=1), at=T0)
    profile, _ = profile.record_review(
        ReviewRecord(order=ORDERS[3], score=4, at=T0.add(days=5)), at=T0
    )
    profile, _ = profile.give_consent("email", granted=False, at=T0.add(days=60), source="desk")
    profile, _ = profile.give_consent("sms", granted=True, at=T0.add(days=1), source="desk")
    profile, _ = profile.record_referral(
        Referral(referred=FRIEND, at=T0.add(days=20), converted_at=T0.add(days=70)), at=T0
    )
    profile, _ = profile.with_tags([tag("regular", "desk reason"), tag("family")], at=T0)
    return profile


def test_profiles_sharing_an_email_or_a_phone_are_the_same_customer() -> None:
    online, desk = history_of_mei(), history_at_the_desk()

    assert same_customer(online, desk)
    assert not same_customer(online, register(DESK, emails=("other@example.com",)))
    assert same_customer(
        register(emails=(), phones=("+886 912 345 678",)),
        register(DESK, emails=(), phones=(PHONE,)),
    )


def test_merge_keeps_all_history_of_both() -> None:
    online, desk = history_of_mei(), history_at_the_desk()
    at = T0.add(days=100)

    merged, (event,) = merge(online, desk, at=at)

    assert merged.id == MEI
    assert merged.version == online.version + 1
    assert merged.name == "Mei Tan"
    assert merged.contact == ContactDetails(emails=EMAIL, phones=PHONE)
    assert merged.created_at == T0
    assert merged.birthday == dt.date(1990, 4, 12)
    assert merged.identity_number == "A123456789"
    assert merged.preferences == frozenset({"no_smoking", "high_floor"})
    assert [r.order for r in merged.stays] == [ORDERS[3], ORDERS[0], ORDERS[1]]
    assert merged.orders == (ORDERS[0], ORDERS[1], ORDERS[2], ORDERS[3])
    assert {r.order for r in merged.reviews} == {ORDERS[0], ORDERS[3]}
    assert set(merged.consents) == set(online.consents) | set(desk.consents)
    assert merged.referrals == (
        Referral(referred=FRIEND, at=T0.add(days=20), converted_at=T0.add(days=70)),
    )
    assert [(t.name, t.reason) for t in merged.tags] == [
        ("family", "because"),
        ("regular", "online reason"),
    ]
    assert merged.merged_from == (DESK,)
    assert event == ProfilesMerged(
        aggregate_id=MEI,
        aggregate_version=merged.version,
        occurred_at=at,
        duplicate=DESK,
        duplicate_version=desk.version,
        merged_from=(DESK,),
    )


def test_after_a_merge_the_latest_consent_of_either_profile_decides() -> None:
    merged, _ = merge(history_of_mei(), history_at_the_desk(), at=T0.add(days=100))

    assert merged.consents_to(Channel.EMAIL, at=T0.add(days=45))
    assert not merged.consents_to(Channel.EMAIL, at=T0.add(days=61))
    assert merged.consents_to(Channel.SMS, at=T0.add(days=2))


def test_the_survivors_record_wins_for_one_order() -> None:
    online, _ = register().record_stay(stay(0, spend="300.00"), at=T0)
    desk, _ = register(DESK).record_stay(stay(0, spend="100.00"), at=T0)

    merged, _ = merge(online, desk, at=T0)

    assert merged.stays == online.stays


def test_merged_from_gathers_every_profile_folded_in() -> None:
    third = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A9")
    desk, _ = merge(register(DESK), register(third), at=T0)

    merged, (event,) = merge(register(), desk, at=T0)

    assert merged.merged_from == tuple(sorted((DESK, third)))
    assert isinstance(event, ProfilesMerged)
    assert event.merged_from == merged.merged_from


def test_a_referral_between_the_two_profiles_is_dropped() -> None:
    online, _ = register().record_referral(Referral(referred=DESK, at=T0), at=T0)

    merged, _ = merge(online, register(DESK), at=T0)

    assert merged.referrals == ()


def test_merging_a_profile_into_itself_is_refused() -> None:
    with pytest.raises(ProfilesNotDuplicatesError) as caught:
        merge(history_of_mei(), history_of_mei(), at=T0)

    assert caught.value.code == "membership.not_duplicates"
    assert "cannot be merged into itself" in caught.value.message


def test_merging_profiles_that_share_no_contact_is_refused() -> None:
    stranger = register(DESK, emails=("someone@example.com",), phones=("+33612345678",))

    with pytest.raises(ProfilesNotDuplicatesError) as caught:
        merge(history_of_mei(), stranger, at=T0)

    message = caught.value.message
    assert message.startswith(f"profiles {MEI} and {DESK} share no e-mail address or phone")
    assert "update_contact" in message
    assert EMAIL not in message
    assert isinstance(caught.value, MembershipError)


def test_every_change_records_domain_events_with_the_new_version() -> None:
    profile = register()
    steps: list[Callable[[CustomerProfile], ProfileChange]] = [
        lambda p: p.record_stay(stay(0), at=T0),
        lambda p: p.record_order(ORDERS[1], at=T0),
        lambda p: p.give_consent("chat", granted=True, at=T0, source="app"),
        lambda p: p.set_preferences(["quiet room"], at=T0),
        lambda p: p.with_tags([tag("family")], at=T0),
    ]
    for step in steps:
        before = profile.version
        profile, events = step(profile)
        assert all(isinstance(event, DomainEvent) for event in events)
        assert [e.aggregate_version for e in events] == [before + 1]
        assert profile.version == before + 1
