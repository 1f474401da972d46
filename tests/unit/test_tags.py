"""Tag rules: each condition and its reason, combinations, evaluation, rules read from data."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import pendulum
import pytest
import yaml

from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.membership.profiles import CustomerProfile, Referral, ReviewRecord, TagsChanged
from staycore.membership.tags import (
    DEFAULT_TAG_RULES,
    TAG_FIELDS,
    AllOf,
    AnyOf,
    Compare,
    ConsecutiveStays,
    InvalidTagRuleError,
    ProfileFacts,
    ReferralsConverted,
    SpendWithin,
    StaysWith,
    TagRule,
    UnknownTagFieldError,
    default_tag_rules,
    evaluate_tags,
    parse_tag_rules,
    refresh_tags,
)
from staycore.orders.ids import OrderId

GUEST = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
FRIENDS = [CustomerId(f"cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5B{n}") for n in range(5)]
ORDERS = [OrderId(f"ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A{n}") for n in range(10)]
AT = pendulum.datetime(2026, 10, 4, 12, tz="UTC")
ON = AT.date()


def record(
    n: int,
    check_out: str,
    *,
    room: str = "executive",
    spend: str = "500.00",
    children: int = 0,
    nights: int = 2,
    currency: str = "EUR",
) -> StayRecord:
    last = dt.date.fromisoformat(check_out)
    return StayRecord(
        order=ORDERS[n],
        stay=Stay(last - dt.timedelta(days=nights), last),
        spend=Money.of(spend, currency),
        completed_at=AT,
        room=room,
        children=children,
    )


def guest(*records: StayRecord) -> CustomerProfile:
    profile, _ = CustomerProfile.register(GUEST, name="Kenji Sato", at=AT.subtract(years=2))
    for stay in records:
        profile, _ = profile.record_stay(stay, at=AT)
    return profile


def facts(profile: CustomerProfile, on: dt.date = ON, at: pendulum.DateTime = AT) -> ProfileFacts:
    return ProfileFacts.of(profile, on=on, at=at)


THREE_EXECUTIVE = guest(record(0, "2026-06-12"), record(1, "2026-08-21"), record(2, "2026-10-04"))


# -- consecutive stays -----------------------------------------------------------------


def test_consecutive_stays_reads_the_last_stays_by_check_out() -> None:
    condition = ConsecutiveStays(count=3, room="executive")

    assert condition.reason(facts(THREE_EXECUTIVE)) == (
        "3 stays in a row in an executive room, the last on 2026-10-04"
    )


def test_consecutive_stays_is_broken_by_a_stay_in_another_room() -> None:
    broken = guest(
        record(0, "2026-05-01"),
        record(1, "2026-06-12", room="standard"),
        record(2, "2026-08-21"),
        record(3, "2026-10-04"),
    )

    assert ConsecutiveStays(count=3, room="executive").reason(facts(broken)) is None
    assert ConsecutiveStays(count=2, room="executive").reason(facts(broken)) is not None


def test_consecutive_stays_needs_as_many_stays_as_it_counts() -> None:
    two = guest(record(0, "2026-08-21"), record(1, "2026-10-04"))

    assert ConsecutiveStays(count=3, room="executive").reason(facts(two)) is None
    assert ConsecutiveStays(count=3, room="executive").reason(facts(guest())) is None


def test_consecutive_stays_order_is_by_check_out_not_by_recording() -> None:
    # The standard stay was recorded last but checked out first.
    profile = guest(
        record(1, "2026-08-21"), record(2, "2026-10-04"), record(0, "2026-01-10", room="std")
    )

    assert ConsecutiveStays(count=2, room="executive").reason(facts(profile)) is not None
    assert ConsecutiveStays(count=3, room="executive").reason(facts(profile)) is None


def test_consecutive_stays_matches_rooms_ignoring_case_and_says_one_stay_plainly() -> None:
    condition = ConsecutiveStays(count=1, room=" Executive Suite ")
    profile = guest(record(0, "2026-10-04", room="executive suite"))

    assert condition.room == "Executive Suite"
    assert condition.reason(facts(profile)) == (
        "the last stay was in an Executive Suite, on 2026-10-04"
    )
    assert ConsecutiveStays(count=1, room="suite").reason(facts(profile)) is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"count": 0, "room": "executive"}, "count: must be a whole number of 1 or more, got 0"),
        ({"count": True, "room": "executive"}, "count: must be a whole number of 1 or more"),
        ({"count": 3, "room": " "}, 'room: must be a room category such as "executive"'),
    ],
)
def test_consecutive_stays_is_checked(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTagRuleError) as caught:
        ConsecutiveStays(**arguments)

    assert caught.value.code == "membership.invalid_tag_rule"
    assert caught.value.message.startswith("ConsecutiveStays is not valid:\n  ")
    assert message in caught.value.message


# -- stays with children, referrals ----------------------------------------------------


def test_stays_with_children_counts_stays_with_a_child() -> None:
    profile = guest(
        record(0, "2026-05-01", children=2),
        record(1, "2026-06-12"),
        record(2, "2026-08-21", children=1),
    )

    assert StaysWith(children=True, at_least=2).reason(facts(profile)) == (
        "2 stays with children, the last on 2026-08-21"
    )
    assert StaysWith(children=True, at_least=3).reason(facts(profile)) is None
    assert StaysWith(children=False).reason(facts(profile)) == (
        "1 stay without children, on 2026-06-12"
    )


def test_referrals_converted_counts_those_converted_by_the_instant() -> None:
    profile = guest()
    for friend, converted in zip(
        FRIENDS,
        [AT.subtract(days=30), AT.subtract(days=2), None, AT.add(days=5)],
        strict=False,
    ):
        referral = Referral(referred=friend, at=AT.subtract(days=60), converted_at=converted)
        profile, _ = profile.record_referral(referral, at=AT)

    assert ReferralsConverted(at_least=2).reason(facts(profile)) == (
        "2 referrals converted, the last on 2026-10-02"
    )
    assert ReferralsConverted(at_least=3).reason(facts(profile)) is None
    assert ReferralsConverted().reason(facts(profile, at=AT.subtract(days=10))) == (
        "1 referral converted, on 2026-09-04"
    )


# -- spend -----------------------------------------------------------------------------


def test_spend_within_sums_the_window_ending_on_the_day_included() -> None:
    profile = guest(
        record(0, "2025-10-04", spend="3000.00"),  # 365 days before: outside the window
        record(1, "2025-10-05", spend="2000.00"),  # the window's first day
        record(2, "2026-10-04", spend="3000.01"),  # the day of evaluation
    )
    condition = SpendWithin(over=Money.of("5000.00", "EUR"), days=365)

    assert facts(profile).spend("EUR", days=365) == Money.of("5000.01", "EUR")
    assert condition.reason(facts(profile)) == (
        "EUR 5000.01 spent in the 365 days to 2026-10-04, over EUR 5000.00"
    )
    assert condition.reason(facts(profile, on=dt.date(2026, 10, 5))) is None


def test_spend_within_is_strictly_over() -> None:
    profile = guest(record(0, "2026-10-04", spend="5000.00"))

    assert SpendWithin(over="5000 EUR").reason(facts(profile)) is None


def test_spend_in_another_currency_than_the_rule_is_refused() -> None:
    profile = guest(record(0, "2026-10-04", currency="USD"))

    with pytest.raises(CurrencyMismatchError):
        SpendWithin(over="5000 EUR").reason(facts(profile))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"over": "5000"}, 'over: must be an amount with its currency such as "5000 EUR"'),
        ({"over": "-1 EUR"}, "over: must be an amount of 0 or more"),
        ({"over": "5000 EUR", "days": 0}, "days: must be a whole number of 1 or more"),
    ],
)
def test_spend_within_is_checked(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTagRuleError, match=message):
        SpendWithin(**arguments)


# -- comparisons -----------------------------------------------------------------------


def reviewed(profile: CustomerProfile, *scores: str) -> CustomerProfile:
    for n, score in enumerate(scores):
        review = ReviewRecord(order=ORDERS[n], score=score, at=AT.subtract(days=1))
        profile, _ = profile.record_review(review, at=AT)
    return profile


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        (Compare("stays", ">=", 3), "3 stays, at least 3"),
        (Compare("stays", "==", 3), "3 stays, exactly 3"),
        (Compare("stays", ">", 3), None),
        (Compare("nights", "<=", 6), "6 nights, at most 6"),
        (Compare("nights", "<", 6), None),
        (Compare("spend", ">", "1499.99 EUR"), "EUR 1500.00 spent, over EUR 1499.99"),
        (Compare("spend", ">", Money.of("1500", "EUR")), None),
        (Compare("days_since_last_stay", "<", 1), "0 days since the last stay, under 1"),
        (Compare("average_review", ">=", "4.5"), "an average review of 4.67, at least 4.5"),
        (Compare("average_review", ">", 5), None),
        (Compare("reviews", ">=", 3), "3 reviews, at least 3"),
        (Compare("referrals", "==", 0), "0 referrals shared, exactly 0"),
    ],
)
def test_compare_reads_a_summary_figure(condition: Compare, reason: str | None) -> None:
    profile = reviewed(THREE_EXECUTIVE, "5", "4", "5")

    assert condition.reason(facts(profile)) == reason


def test_a_figure_the_profile_does_not_have_meets_no_comparison() -> None:
    empty = guest()

    for op in ("<", "<=", "==", ">=", ">"):
        assert Compare("average_review", op, 3).reason(facts(empty)) is None
        assert Compare("days_since_last_stay", op, 0).reason(facts(empty)) is None


def test_an_unknown_field_lists_the_known_ones() -> None:
    with pytest.raises(UnknownTagFieldError) as caught:
        Compare("visits", ">=", 5)

    error = caught.value
    assert error.code == "membership.unknown_tag_field"
    assert isinstance(error, InvalidTagRuleError)
    assert error.problems == (
        (
            "field",
            '"visits" is not a field tag rules compare; the fields are stays, nights, spend, '
            "average_review, days_since_last_stay, referrals, reviews",
        ),
    )
    assert TAG_FIELDS == (
        "stays",
        "nights",
        "spend",
        "average_review",
        "days_since_last_stay",
        "referrals",
        "reviews",
    )


@pytest.mark.parametrize(
    ("field", "op", "value", "message"),
    [
        ("stays", "=>", 3, 'op: "=>" is not a comparison; use one of <, <=, ==, >=, >'),
        ("stays", "!=", 3, 'op: "!=" is not a comparison'),
        ("stays", ">=", "3", "value: stays is compared with a whole number of 0 or more"),
        ("nights", ">=", -1, "value: nights is compared with a whole number of 0 or more"),
        ("reviews", ">=", True, "value: reviews is compared with a whole number"),
        ("spend", ">", 5000, "value: spend is compared with an amount and its currency such as"),
        ("spend", ">", "-5 EUR", "value: spend is compared with an amount"),
        (
            "average_review",
            ">",
            4.5,
            'value: average_review is compared with a score such as "4.5"',
        ),
    ],
)
def test_a_comparison_is_checked(field: str, op: str, value: object, message: str) -> None:
    with pytest.raises(InvalidTagRuleError) as caught:
        Compare(field, op, value)  # type: ignore[arg-type]

    assert type(caught.value) is InvalidTagRuleError
    assert message in caught.value.message


# -- combinations ----------------------------------------------------------------------


def test_all_of_gives_every_reason_and_any_of_those_met() -> None:
    executive = ConsecutiveStays(count=3, room="executive")
    many = Compare("stays", ">=", 10)
    family = StaysWith()

    assert AllOf([executive, Compare("nights", ">=", 6)]).reason(facts(THREE_EXECUTIVE)) == (
        "3 stays in a row in an executive room, the last on 2026-10-04; 6 nights, at least 6"
    )
    assert AllOf([executive, many]).reason(facts(THREE_EXECUTIVE)) is None
    assert AnyOf([many, executive, Compare("stays", ">=", 3)]).reason(facts(THREE_EXECUTIVE)) == (
        "3 stays in a row in an executive room, the last on 2026-10-04; 3 stays, at least 3"
    )
    assert AnyOf([many, family]).reason(facts(THREE_EXECUTIVE)) is None


def test_and_and_or_build_flat_groups() -> None:
    a, b, c = StaysWith(), ReferralsConverted(), Compare("stays", ">=", 2)

    assert a & b & c == AllOf([a, b, c])
    assert a | b | c == AnyOf([a, b, c])
    assert (a & b) | c == AnyOf([AllOf([a, b]), c])
    assert ((a & b) | c).describe() == (
        "(at least 1 stay with children and at least 1 referral converted) or stays >= 2"
    )


def test_a_group_needs_conditions() -> None:
    with pytest.raises(InvalidTagRuleError, match="conditions: needs at least one condition"):
        AllOf([])
    with pytest.raises(InvalidTagRuleError, match=r"conditions\[1\]: must be a condition"):
        AnyOf([StaysWith(), "stays >= 3"])  # type: ignore[list-item]


# -- rules and their evaluation --------------------------------------------------------


def test_a_rule_is_named_like_a_tag_and_describes_its_condition() -> None:
    rule = TagRule(name="regular", condition=Compare("stays", ">=", 5))

    assert rule.description == "stays >= 5"
    with pytest.raises(InvalidTagRuleError, match="name: must be a tag name of lower-case"):
        TagRule(name="Regular Guest", condition=Compare("stays", ">=", 5))
    with pytest.raises(InvalidTagRuleError, match="condition: must be a condition"):
        TagRule(name="regular", condition="stays >= 5")  # type: ignore[arg-type]


def test_evaluate_tags_gives_the_tags_earned_in_rule_order_with_reasons() -> None:
    rules = [
        TagRule(name="regular", condition=Compare("stays", ">=", 3)),
        TagRule(name="family", condition=StaysWith()),
        TagRule(name="business_high_value", condition=ConsecutiveStays(room="executive")),
    ]

    tags = evaluate_tags(rules, THREE_EXECUTIVE, on=ON, at=AT)

    assert [(t.name, t.rule, t.given_at, t.reason) for t in tags] == [
        ("regular", "regular", AT, "3 stays, at least 3"),
        (
            "business_high_value",
            "business_high_value",
            AT,
            "3 stays in a row in an executive room, the last on 2026-10-04",
        ),
    ]


def test_rules_read_the_history_as_of_the_day_and_instant() -> None:
    profile = reviewed(THREE_EXECUTIVE, "5")
    rules = [
        TagRule(name="regular", condition=Compare("stays", ">=", 3)),
        TagRule(name="reviewer", condition=Compare("reviews", ">=", 1)),
    ]

    earlier = evaluate_tags(rules, profile, on=dt.date(2026, 10, 3), at=AT.subtract(days=2))

    assert earlier == ()
    assert [t.name for t in evaluate_tags(rules, profile, on=ON, at=AT)] == ["regular", "reviewer"]


def test_two_rules_for_one_tag_are_refused() -> None:
    rules = [
        TagRule(name="regular", condition=Compare("stays", ">=", 3)),
        TagRule(name="regular", condition=Compare("nights", ">=", 10)),
    ]

    with pytest.raises(InvalidTagRuleError) as caught:
        evaluate_tags(rules, THREE_EXECUTIVE, on=ON, at=AT)

    assert caught.value.problems == (
        (
            "[1].name",
            '"regular" is given by the rule at [0] too; give each tag one rule '
            "(combine conditions with any_of)",
        ),
    )


def test_refresh_tags_adds_keeps_and_removes() -> None:
    rules = [
        TagRule(name="regular", condition=Compare("stays", ">=", 2)),
        TagRule(name="business_high_value", condition=ConsecutiveStays(room="executive")),
    ]
    tagged, (added,) = refresh_tags(rules, THREE_EXECUTIVE, on=ON, at=AT)
    assert isinstance(added, TagsChanged)
    assert added.added == ("business_high_value", "regular")

    assert refresh_tags(rules, tagged, on=ON, at=AT.add(days=1)) == (tagged, ())

    refunded, _ = tagged.remove_stay(ORDERS[2], at=AT.add(days=2))
    after, (removed,) = refresh_tags(rules, refunded, on=ON, at=AT.add(days=2))
    assert isinstance(removed, TagsChanged)
    assert (removed.added, removed.removed) == ((), ("business_high_value",))
    assert [(t.name, t.given_at) for t in after.tags] == [("regular", AT)]


def test_default_rules_give_the_four_tags_of_the_issue() -> None:
    profile = guest(
        record(0, "2026-06-12", spend="2000.00"),
        record(1, "2026-08-21", spend="2000.00", children=1),
        record(2, "2026-10-04", spend="2000.00"),
    )
    referral = Referral(referred=FRIENDS[0], at=AT.subtract(days=90), converted_at=AT)
    profile, _ = profile.record_referral(referral, at=AT)

    tags = evaluate_tags(DEFAULT_TAG_RULES, profile, on=ON, at=AT)

    assert [(t.name, t.reason) for t in tags] == [
        (
            "business_high_value",
            "3 stays in a row in an executive room, the last on 2026-10-04",
        ),
        ("family", "1 stay with children, on 2026-08-21"),
        ("social_promoter", "1 referral converted, on 2026-10-04"),
        ("high_net_worth", "EUR 6000.00 spent in the 365 days to 2026-10-04, over EUR 5000.00"),
    ]


def test_default_rules_take_the_programmes_currency() -> None:
    rules = default_tag_rules(Money.of("800000", "JPY"))

    assert rules[3].condition == SpendWithin(over=Money.of("800000", "JPY"), days=365)
    assert [rule.name for rule in rules] == [rule.name for rule in DEFAULT_TAG_RULES]


# -- rules as data ---------------------------------------------------------------------

ISSUE_RULES = """
- tag: business_high_value
  when: {consecutive_stays: {count: 3, room: executive}}
- tag: family
  when: {stays_with_children: {at_least: 1}}
- tag: social_promoter
  when: {referrals_converted: {at_least: 1}}
- tag: high_net_worth
  when: {spend_within: {days: 365, over: 5000 EUR}}
- tag: regular
  when: {field: stays, op: ">=", value: 5}
- tag: happy_regular
  description: a regular who likes us
  when:
    all_of:
      - {field: stays, op: ">=", value: 3}
      - any_of:
          - {field: average_review, op: ">=", value: 4.5}
          - stays_with_children:
"""


def test_rules_read_from_yaml() -> None:
    rules = parse_tag_rules(yaml.safe_load(ISSUE_RULES))

    assert [rule.name for rule in rules] == [
        "business_high_value",
        "family",
        "social_promoter",
        "high_net_worth",
        "regular",
        "happy_regular",
    ]
    assert [rule.condition for rule in rules] == [
        ConsecutiveStays(count=3, room="executive"),
        StaysWith(children=True, at_least=1),
        ReferralsConverted(at_least=1),
        SpendWithin(over=Money.of("5000", "EUR"), days=365),
        Compare("stays", ">=", 5),
        AllOf(
            [
                Compare("stays", ">=", 3),
                AnyOf([Compare("average_review", ">=", "4.5"), StaysWith()]),
            ]
        ),
    ]
    assert rules[0].description == "the last 3 stays in an executive room"
    assert rules[5].description == "a regular who likes us"
    happy = rules[5].condition
    assert isinstance(happy, AllOf)
    review = happy.conditions[1]
    assert isinstance(review, AnyOf)
    assert review.conditions[0] == Compare("average_review", ">=", Decimal("4.5"))


def test_counts_default_as_the_classes_do() -> None:
    (rule,) = parse_tag_rules(
        [{"tag": "business", "when": {"consecutive_stays": {"room": "executive"}}}]
    )

    assert rule.condition == ConsecutiveStays(count=3, room="executive")


def invalid(data: Any) -> InvalidTagRuleError:
    with pytest.raises(InvalidTagRuleError) as caught:
        parse_tag_rules(data)
    return caught.value


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (
            [{"when": {"stays_with_children": {}}}],
            [("[0].tag", "required, but missing")],
        ),
        (
            [{"tag": "family", "when": {"stays_with_kids": {}}}],
            [("[0].when.stays_with_kids", 'unknown key; did you mean "stays_with_children"?')],
        ),
        (
            [{"tag": "family", "when": {"stays_with_children": {"at_least": 0}}}],
            [("[0].when.stays_with_children.at_least", "must be 1 or more, got 0")],
        ),
        (
            [{"tag": "family", "when": {"stays_with_children": {"at_least": "1"}}}],
            [("[0].when.stays_with_children.at_least", 'must be a whole number, got "1"')],
        ),
        (
            [{"tag": "rich", "when": {"spend_within": {"over": 5000}}}],
            [
                (
                    "[0].when.spend_within.over",
                    'must be an amount with its currency, such as "5000 EUR"; got 5000',
                )
            ],
        ),
        (
            [{"tag": "x", "when": {}}],
            [
                (
                    "[0].when",
                    "give one condition: consecutive_stays, stays_with_children, "
                    "referrals_converted, spend_within, all_of, any_of, or field/op/value",
                )
            ],
        ),
        (
            [{"tag": "x", "when": {"stays_with_children": {}, "field": "stays"}}],
            [
                (
                    "[0].when",
                    'a comparison needs field, op and value, such as {"field": "stays", '
                    '"op": ">=", "value": 5}; op and value missing',
                )
            ],
        ),
        (
            [{"tag": "x", "when": {"stays_with_children": {}, "referrals_converted": {}}}],
            [
                (
                    "[0].when",
                    "give one condition per mapping, not stays_with_children and "
                    "referrals_converted; combine them with all_of or any_of",
                )
            ],
        ),
        (
            [{"tag": "x", "when": {"any_of": []}}],
            [("[0].when.any_of", "needs at least one condition")],
        ),
        (
            [{"tag": "x", "when": {"field": "stays", "op": "=>", "value": 2.5}}],
            [
                ("[0].when.op", '"=>" is not a comparison; use one of <, <=, ==, >=, >'),
                ("[0].when.value", "stays is compared with a whole number of 0 or more, got 2.5"),
            ],
        ),
        (
            ["family"],
            [("[0]", 'must be a mapping such as {"tag": "family", "when": {...}}, got "family"')],
        ),
        (
            [{"tag": "x", "when": {"all_of": [{"stays_with_children": []}]}}],
            [("[0].when.all_of[0].stays_with_children", "must be a mapping, got a list")],
        ),
    ],
)
def test_each_problem_says_where_it_is_and_what_is_expected(
    data: Any, problems: list[tuple[str, str]]
) -> None:
    error = invalid(data)

    assert type(error) is InvalidTagRuleError
    assert error.code == "membership.invalid_tag_rule"
    assert list(error.problems) == problems
    assert error.message.splitlines()[0] == "the tag rules are not valid:"


def test_every_problem_is_reported_at_once() -> None:
    error = invalid(
        [
            {"tag": "ok", "when": {"stays_with_children": {}}},
            {"tag": "Bad Name", "when": {"referrals_converted": {"at_least": -1}}},
            {"tag": "ok", "when": {"field": "stays", "op": ">=", "value": 1}},
        ]
    )

    assert [path for path, _ in error.problems] == [
        "[1].tag",
        "[1].when.referrals_converted.at_least",
        "[2].tag",
    ]


def test_an_unknown_field_alone_raises_its_own_error() -> None:
    data = [
        {"tag": "a", "when": {"field": "visits", "op": ">=", "value": 1}},
        {"tag": "b", "when": {"any_of": [{"field": "loyalty", "op": ">", "value": 2}]}},
    ]

    error = invalid(data)

    assert type(error) is UnknownTagFieldError
    assert error.code == "membership.unknown_tag_field"
    assert [path for path, _ in error.problems] == ["[0].when.field", "[1].when.any_of[0].field"]
    assert "the fields are stays, nights, spend, average_review" in error.message


def test_an_unknown_field_among_other_problems_is_one_of_them() -> None:
    error = invalid([{"tag": "a", "when": {"field": "visits", "op": "~", "value": 1}}])

    assert type(error) is InvalidTagRuleError
    assert [path for path, _ in error.problems] == ["[0].when.field", "[0].when.op"]


@pytest.mark.parametrize("data", [{"tag": "family"}, "family", None, 42])
def test_rules_are_a_list(data: Any) -> None:
    error = invalid(data)

    assert error.problems[0][0] == ""
    assert error.problems[0][1].startswith("tag rules are a list of mappings such as")


def test_errors_survive_pickling_with_their_problems() -> None:
    for error in (
        invalid([{"tag": "x", "when": {}}]),
        invalid([{"tag": "x", "when": {"field": "visits", "op": ">", "value": 1}}]),
    ):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, just dumped

        assert type(copy) is type(error)
        assert (copy.problems, copy.message, copy.code) == (
            error.problems,
            error.message,
            error.code,
        )
