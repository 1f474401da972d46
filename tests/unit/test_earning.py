"""Earning rules: what a stay, a referral, a review and a daily sign-in earn."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.earning import (
    BASE,
    REFERRAL,
    REVIEW,
    SIGN_IN,
    TIER_BONUS,
    Earning,
    EarningRules,
    InvalidEarningRulesError,
    PointsPromotion,
    SignInRule,
    earnings_for_stay,
    referral_earning,
    review_earning,
    sign_in_earning,
)
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.orders.ids import OrderId

SUMMER = PointsPromotion(
    name="summer double", multiplier="2", start=dt.date(2026, 6, 1), end=dt.date(2026, 9, 1)
)
APP_WEEK = PointsPromotion(
    name="app week",
    multiplier="1.5",
    start=pendulum.datetime(2026, 7, 13, tz="UTC"),
    end=pendulum.datetime(2026, 7, 20, tz="UTC"),
    channels={"app"},
)
RULES = EarningRules(
    currency="EUR",
    points_per_unit="10",
    promotions=[SUMMER, APP_WEEK],
    referral_bonus=2000,
    review_bonus=200,
    sign_in=SignInRule(points=5),
)


def stay(text: str = "2026-07-10/2026-07-13", spend: str = "360.00", **changes: Any) -> StayRecord:
    fields: dict[str, Any] = {
        "order": OrderId.new(),
        "stay": Stay.parse(text),
        "spend": Money.of(spend, "EUR"),
        "completed_at": pendulum.datetime(2026, 7, 13, 10, tz="UTC"),
    }
    fields.update(changes)
    return StayRecord(**fields)


def points_by_rule(earnings: tuple[Earning, ...]) -> dict[str, int]:
    return {earning.rule: earning.points for earning in earnings}


# -- stays -----------------------------------------------------------------------------


def test_a_stay_earns_base_points_a_tier_bonus_and_its_promotions() -> None:
    earnings = earnings_for_stay(RULES, stay(channel="app"), tier_bonus_percent=Decimal(25))
    assert [(e.rule, e.points) for e in earnings] == [
        (BASE, 3600),
        (TIER_BONUS, 900),
        ("promotion:summer double", 3600),
        ("promotion:app week", 1800),
    ]
    assert [e.reason for e in earnings] == [
        "10 points per EUR on EUR 360.00",
        "25 % tier bonus on 3,600 base points",
        "summer double: x2 on 3,600 base points",
        "app week: x1.5 on 3,600 base points",
    ]


def test_points_are_rounded_down_to_whole_points() -> None:
    rules = EarningRules(currency="EUR", points_per_unit="0.5")
    assert points_by_rule(earnings_for_stay(rules, stay(spend="219.99"))) == {BASE: 109}
    bonus = earnings_for_stay(RULES, stay(spend="0.19"), tier_bonus_percent="12.5")
    assert points_by_rule(bonus) == {BASE: 1, "promotion:summer double": 1}
    assert bonus[0].reason == "10 points per EUR on EUR 0.19"


def test_a_stay_worth_no_points_earns_nothing() -> None:
    assert earnings_for_stay(RULES, stay(spend="0.00"), tier_bonus_percent=50) == ()
    no_rate = EarningRules(currency="EUR", points_per_unit=0)
    assert earnings_for_stay(no_rate, stay(), tier_bonus_percent=50) == ()


def test_a_date_window_holds_stays_by_their_check_out_date() -> None:
    def promoted(text: str) -> bool:
        rules = attrs.evolve(RULES, promotions=[SUMMER])
        return "promotion:summer double" in points_by_rule(earnings_for_stay(rules, stay(text)))

    assert promoted("2026-05-30/2026-06-01")  # checks out on the first day
    assert not promoted("2026-05-29/2026-05-31")
    assert promoted("2026-08-30/2026-08-31")
    assert not promoted("2026-08-30/2026-09-01")  # checks out on the day after the window


def test_an_instant_window_holds_stays_completed_within_it() -> None:
    assert APP_WEEK.applies_to(stay(channel="app"))
    before = stay(channel="app", completed_at=pendulum.datetime(2026, 7, 12, 23, tz="UTC"))
    after = stay(channel="app", completed_at=APP_WEEK.end)
    assert not APP_WEEK.applies_to(before)
    assert not APP_WEEK.applies_to(after)


def test_a_promotion_for_some_channels_leaves_the_others_out() -> None:
    assert not APP_WEEK.applies_to(stay(channel="direct"))
    assert SUMMER.applies_to(stay(channel="ota"))


def test_a_promotion_multiplying_by_one_adds_nothing() -> None:
    flat = attrs.evolve(SUMMER, multiplier=Decimal(1))
    rules = attrs.evolve(RULES, promotions=[flat])
    assert points_by_rule(earnings_for_stay(rules, stay())) == {BASE: 3600}


def test_a_stay_spent_in_another_currency_is_refused() -> None:
    foreign = stay(spend="360.00")
    foreign = attrs.evolve(foreign, spend=Money.of("360.00", "USD"))
    with pytest.raises(CurrencyMismatchError, match="convert the spend first"):
        earnings_for_stay(RULES, foreign)


@pytest.mark.parametrize("percent", [-1, "-0.5", "x", 1.5, True])
def test_a_bad_tier_bonus_is_refused(percent: Any) -> None:
    with pytest.raises(InvalidEarningRulesError):
        earnings_for_stay(RULES, stay(), tier_bonus_percent=percent)


@given(
    cents=st.integers(0, 10**9),
    rate=st.decimals(0, 100, places=2),
    percent=st.decimals(0, 200, places=1),
)
def test_each_component_is_its_share_rounded_down(
    cents: int, rate: Decimal, percent: Decimal
) -> None:
    record = stay(spend=str(Money.from_minor(cents, "EUR").amount))
    rules = EarningRules(currency="EUR", points_per_unit=rate, promotions=[SUMMER])
    earned = points_by_rule(earnings_for_stay(rules, record, tier_bonus_percent=percent))
    exact = record.spend.amount * rate
    base = earned.get(BASE, 0)
    assert base <= exact < base + 1
    assert base * percent / 100 - 1 < earned.get(TIER_BONUS, 0) <= base * percent / 100
    assert earned.get("promotion:summer double", 0) == base
    assert all(points > 0 for points in earned.values())


# -- other earnings --------------------------------------------------------------------


def test_referrals_and_reviews_earn_their_bonus() -> None:
    friend, order = CustomerId.new(), OrderId.new()
    referral = referral_earning(RULES, referred=friend)
    review = review_earning(RULES, order=order)
    assert referral == Earning(REFERRAL, 2000, f"referred {friend}, who stayed")
    assert review == Earning(REVIEW, 200, f"reviewed the stay of order {order}")
    bare = EarningRules(currency="EUR", points_per_unit=1)
    assert referral_earning(bare, referred=friend) is None
    assert review_earning(bare, order=order) is None


def test_signing_in_earns_once_a_day() -> None:
    today = dt.date(2026, 7, 14)
    first = sign_in_earning(RULES, last_sign_in=None, today=today)
    assert first == Earning(SIGN_IN, 5, "signed in on 2026-07-14")
    assert sign_in_earning(RULES, last_sign_in=dt.date(2026, 7, 13), today=today) == first
    assert sign_in_earning(RULES, last_sign_in=today, today=today) is None
    assert sign_in_earning(RULES, last_sign_in=dt.date(2026, 7, 15), today=today) is None
    bare = EarningRules(currency="EUR", points_per_unit=1)
    assert sign_in_earning(bare, last_sign_in=None, today=today) is None


def test_signing_in_takes_local_dates() -> None:
    now = pendulum.datetime(2026, 7, 14, 8, tz="UTC")
    with pytest.raises(InvalidEarningRulesError, match="calendar date"):
        sign_in_earning(RULES, last_sign_in=None, today=now)
    with pytest.raises(InvalidEarningRulesError, match="calendar date"):
        sign_in_earning(RULES, last_sign_in="2026-07-13", today=now.date())  # type: ignore[arg-type]


# -- bad rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: EarningRules(currency="EURO", points_per_unit=10),
        lambda: EarningRules(currency="EUR", points_per_unit="-1"),
        lambda: EarningRules(currency="EUR", points_per_unit=0.1),  # type: ignore[arg-type]
        lambda: EarningRules(currency="EUR", points_per_unit="NaN"),
        lambda: EarningRules(currency="EUR", points_per_unit=1, referral_bonus=-5),
        lambda: EarningRules(currency="EUR", points_per_unit=1, review_bonus=True),
        lambda: EarningRules(currency="EUR", points_per_unit=1, promotions=[SUMMER, SUMMER]),
        lambda: EarningRules(currency="EUR", points_per_unit=1, promotions=["summer"]),  # type: ignore[list-item]
        lambda: SignInRule(points=0),
        lambda: PointsPromotion(name="x", multiplier="0.9", start=SUMMER.start, end=SUMMER.end),
        lambda: PointsPromotion(name=" ", multiplier=2, start=SUMMER.start, end=SUMMER.end),
        lambda: PointsPromotion(name="x", multiplier=2, start=SUMMER.end, end=SUMMER.start),
        lambda: PointsPromotion(name="x", multiplier=2, start=SUMMER.start, end=APP_WEEK.end),
        lambda: PointsPromotion(name="x", multiplier=2, start="2026-06-01", end=SUMMER.end),  # type: ignore[arg-type]
        lambda: PointsPromotion(
            name="x", multiplier=2, start=SUMMER.start, end=SUMMER.end, channels="app"
        ),
        lambda: Earning(BASE, 0, "nothing"),
    ],
)
def test_bad_rules_are_refused(build: Any) -> None:
    with pytest.raises(InvalidEarningRulesError) as refused:
        build()
    assert refused.value.code == "loyalty.invalid_earning_rules"


def test_a_naive_promotion_instant_is_refused() -> None:
    naive = dt.datetime(2026, 7, 13)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(InvalidEarningRulesError, match="timezone"):
        PointsPromotion(name="x", multiplier=2, start=naive, end=naive + dt.timedelta(days=1))
