"""The quote engine: rules in their order, each line rounded once, every cent explained."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from staycore.availability.ids import UnitTypeId
from staycore.kernel.errors import CurrencyMismatchError, InvalidStayError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.pricing.changes import InvalidPriceChangeError, PriceChange
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, InvalidPromotionError, Promotion, Stacking
from staycore.pricing.quote import (
    LineKind,
    Pricer,
    QuoteChangedError,
    QuoteExpiredError,
    check_quote,
    price_calendar,
    quote,
)
from staycore.pricing.rate_plans import Guests, InvalidGuestsError, InvalidRatePlanError, RatePlan
from staycore.pricing.rules import (
    DemandCurve,
    Fee,
    FeeBasis,
    InvalidRuleError,
    LeadTime,
    LeadTimeRule,
    LengthOfStayRule,
    RuleSet,
    Season,
    Tax,
    WeekdayRule,
)
from staycore.testing.errors import assert_refused

BOOKED_AT = pendulum.datetime(2026, 6, 1, 10, tz="Europe/Paris")
JULY = Stay.parse("2026-07-06/2026-07-09")  # Monday to Thursday
EUR = "EUR"


def eur(amount: str) -> Money:
    return Money.of(amount, EUR)


def plan(**changes: object) -> RatePlan:
    fields: dict[str, object] = {
        "id": RatePlanId.new(),
        "unit_type": UnitTypeId.new(),
        "name": "Standard",
        "base_price": eur("100.00"),
    }
    fields.update(changes)
    return RatePlan(**fields)  # type: ignore[arg-type]


def rules(**changes: object) -> RuleSet:
    fields: dict[str, object] = {"version": "v1", "currency": EUR, "timezone": "Europe/Paris"}
    fields.update(changes)
    return RuleSet(**fields)  # type: ignore[arg-type]


class Code:
    def __init__(self, code: str, promotion: PromotionId) -> None:
        self.code = code
        self.promotion = promotion


def promo(name: str, kind: DiscountKind, **changes: object) -> Promotion:
    return Promotion(id=PromotionId.new(), name=name, kind=kind, **changes)  # type: ignore[arg-type]


def total(q: object) -> str:
    return str(q.total)  # type: ignore[attr-defined]


# -- rate plans ------------------------------------------------------------------------


def test_overrides_supplements_and_derived_plans() -> None:
    weekend = plan(
        overrides=[],
        base_occupancy=2,
        extra_adult=eur("20.00"),
        child=eur("10.00"),
    )
    q = quote(weekend, rules(), JULY, Guests(3, 2), booked_at=BOOKED_AT)
    assert [str(p) for p in q.night_prices] == ["EUR 140.00"] * 3
    member = weekend.derive(RatePlanId.new(), "Member", PriceChange.percent("-5"))
    q = quote(member, rules(), JULY, Guests(2), booked_at=BOOKED_AT)
    assert [str(p) for p in q.night_prices] == ["EUR 95.00"] * 3
    # A derived plan follows its parent's supplements: (100 + 20 + 10) x 0.95
    q = quote(member, rules(), JULY, Guests(3, 1), booked_at=BOOKED_AT)
    assert [str(p) for p in q.night_prices] == ["EUR 123.50"] * 3
    assert [s.rule for s in q.nights[0].steps] == ["rate plan", "derived plan"]


def test_bad_plans_and_parties_are_refused() -> None:
    assert_refused(
        InvalidRatePlanError,
        "pricing.invalid_rate_plan",
        "negative",
        lambda: plan(base_price=eur("-1")),
    )
    assert_refused(
        InvalidRatePlanError,
        "pricing.invalid_rate_plan",
        "one plan has one currency",
        lambda: plan(extra_adult=Money.of("5", "USD")),
    )
    assert_refused(InvalidGuestsError, "pricing.invalid_guests", "adults", lambda: Guests(0))
    assert_refused(
        CurrencyMismatchError,
        "money.currency_mismatch",
        "rules of its own currency",
        lambda: Pricer(plan(), rules(currency="USD")),
    )


# -- nightly rules in order ------------------------------------------------------------


def test_rules_apply_in_the_documented_order_and_are_explained() -> None:
    ruleset = rules(
        seasons=[Season("summer", Stay.parse("2026-07-01/2026-09-01"), PriceChange.percent(20))],
        weekdays=[WeekdayRule("midweek", {calendar.TUESDAY}, PriceChange.amount("-10"))],
        demand=DemandCurve([("0.5", "0"), ("1", "10")]),
        lead_time=[LeadTimeRule("early bird", LeadTime.EARLY_BIRD, 30, PriceChange.percent(-10))],
        length_of_stay=[LengthOfStayRule(3, PriceChange.percent(-5))],
        tiers={"gold": PriceChange.percent(-5)},
    )
    occupancy = {dt.date(2026, 7, 7): Decimal("0.75")}
    q = quote(
        plan(), ruleset, JULY, Guests(2), booked_at=BOOKED_AT, tier="gold", occupancy=occupancy
    )
    tuesday = q.nights[1]
    assert [s.rule for s in tuesday.steps] == [
        "rate plan",
        "season",
        "weekday",
        "demand",
        "lead time",
        "length of stay",
        "tier",
    ]
    # 100 x 1.2 = 120; -10 = 110; x 1.05 = 115.5; x 0.9 x 0.95 x 0.95 = 93.814875
    assert tuesday.exact == Decimal("93.814875")
    assert str(tuesday.price) == "EUR 93.81"
    assert sum(s.amount for s in tuesday.steps) == tuesday.exact
    assert q.night_prices[1] == tuesday.price


def test_floor_and_ceiling_bound_every_night() -> None:
    ruleset = rules(
        length_of_stay=[LengthOfStayRule(1, PriceChange.percent(-50))],
        floor=eur("80.00"),
        ceiling=eur("90.00"),
    )
    q = quote(plan(), ruleset, JULY, Guests(2), booked_at=BOOKED_AT)
    assert [str(p) for p in q.night_prices] == ["EUR 80.00"] * 3
    assert q.nights[0].steps[-1].rule == "floor"
    high = rules(seasons=[Season("peak", JULY, PriceChange.percent(50))], ceiling=eur("120.00"))
    assert [
        str(p) for p in quote(plan(), high, JULY, Guests(2), booked_at=BOOKED_AT).night_prices
    ] == ["EUR 120.00"] * 3
    assert_refused(
        InvalidRuleError,
        "pricing.invalid_rule",
        "above the ceiling",
        lambda: rules(floor=eur("100"), ceiling=eur("90")),
    )


def test_lead_time_reads_the_booking_date_at_the_property() -> None:
    last_minute = rules(
        lead_time=[LeadTimeRule("last minute", LeadTime.LAST_MINUTE, 1, PriceChange.percent(-20))]
    )
    # 23:30 UTC on 4 July is already 5 July in Paris: one day before arrival.
    late = pendulum.datetime(2026, 7, 4, 23, 30, tz="UTC")
    assert total(quote(plan(), last_minute, JULY, Guests(2), booked_at=late)) == "EUR 240.00"
    early = pendulum.datetime(2026, 7, 4, 21, 30, tz="UTC")  # 23:30 in Paris, still 4 July
    assert total(quote(plan(), last_minute, JULY, Guests(2), booked_at=early)) == "EUR 300.00"


def test_the_longest_length_of_stay_tier_reached_applies() -> None:
    ruleset = rules(
        length_of_stay=[
            LengthOfStayRule(7, PriceChange.percent(-10)),
            LengthOfStayRule(28, PriceChange.percent(-20)),
        ]
    )
    week = quote(
        plan(), ruleset, Stay.of_nights(dt.date(2026, 7, 1), 7), Guests(2), booked_at=BOOKED_AT
    )
    month = quote(
        plan(), ruleset, Stay.of_nights(dt.date(2026, 7, 1), 28), Guests(2), booked_at=BOOKED_AT
    )
    assert str(week.night_prices[0]) == "EUR 90.00"
    assert str(month.night_prices[0]) == "EUR 80.00"


def test_demand_curve_is_validated() -> None:
    assert_refused(
        InvalidRuleError,
        "pricing.invalid_rule",
        "never falls",
        lambda: DemandCurve([("0.5", "10"), ("0.9", "5")]),
    )
    assert_refused(
        InvalidRuleError,
        "pricing.invalid_rule",
        "rising strictly",
        lambda: DemandCurve([("0.5", "0"), ("0.5", "5")]),
    )
    assert_refused(
        InvalidRuleError, "pricing.invalid_rule", "0 to 1", lambda: DemandCurve([("1.5", "0")])
    )
    assert_refused(
        InvalidPriceChangeError,
        "pricing.invalid_change",
        "whole price",
        lambda: PriceChange.percent("-101"),
    )


# -- fees and taxes ----------------------------------------------------------------------


def test_fees_and_exclusive_taxes_are_added_and_levies_count_people() -> None:
    ruleset = rules(
        fees=[
            Fee("Cleaning", eur("30.00"), FeeBasis.STAY),
            Fee("Linen", eur("5.00"), FeeBasis.GUEST, taxable=False),
        ],
        taxes=[
            Tax.percent("VAT", "10"),
            Tax.per_person_night("City tax", eur("1.50"), adults_only=True),
        ],
    )
    q = quote(plan(), ruleset, JULY, Guests(2, 1), booked_at=BOOKED_AT)
    lines = [(line.kind, line.name, str(line.amount)) for line in q.lines]
    assert lines == [
        (LineKind.FEE, "Cleaning", "EUR 30.00"),
        (LineKind.FEE, "Linen", "EUR 15.00"),
        (LineKind.TAX, "VAT 10 %", "EUR 33.00"),  # on rooms 300 + cleaning 30
        (LineKind.TAX, "City tax", "EUR 9.00"),  # 2 adults x 3 nights
    ]
    assert total(q) == "EUR 387.00"


def test_included_taxes_are_shown_not_added() -> None:
    ruleset = rules(taxes=[Tax.percent("VAT", "10")])
    q = quote(plan(taxes_included=True), ruleset, JULY, Guests(2), booked_at=BOOKED_AT)
    ((kind, amount),) = [(line.kind, str(line.amount)) for line in q.lines]
    assert kind is LineKind.INCLUDED_TAX
    assert amount == "EUR 27.27"  # 300 x 10 / 110
    assert total(q) == "EUR 300.00"
    assert_refused(
        InvalidRuleError, "pricing.invalid_rule", "0 to 100 %", lambda: Tax.percent("X", 120)
    )


# -- promotions --------------------------------------------------------------------------


def test_coupons_apply_in_priority_order_each_on_what_the_last_left() -> None:
    ten = promo("Ten off", DiscountKind.AMOUNT, amount=eur("10.00"), priority=1)
    percent = promo("Summer", DiscountKind.PERCENT, percent=Decimal(10), priority=2)
    ruleset = rules(promotions=[ten, percent])
    q = quote(
        plan(),
        ruleset,
        JULY,
        Guests(2),
        booked_at=BOOKED_AT,
        coupons=[Code("SUMMER", percent.id), Code("TEN", ten.id)],
    )
    discounts = [(line.name, str(line.amount)) for line in q.lines]
    assert discounts == [
        ("Ten off (code TEN)", "EUR -10.00"),
        ("Summer (code SUMMER)", "EUR -29.00"),
    ]
    assert total(q) == "EUR 261.00"


def test_an_exclusive_promotion_applies_alone_and_refusals_say_why() -> None:
    solo = promo(
        "Solo", DiscountKind.PERCENT, percent=Decimal(20), stacking=Stacking.EXCLUSIVE, priority=1
    )
    other = promo("Other", DiscountKind.AMOUNT, amount=eur("5.00"), priority=2)
    late = promo(
        "Late",
        DiscountKind.AMOUNT,
        amount=eur("5.00"),
        valid_until=pendulum.datetime(2026, 5, 1, tz="UTC"),
    )
    ruleset = rules(promotions=[solo, other, late])
    q = quote(
        plan(),
        ruleset,
        JULY,
        Guests(2),
        booked_at=BOOKED_AT,
        coupons=[
            Code("SOLO", solo.id),
            Code("OTHER", other.id),
            Code("LATE", late.id),
            Code("GHOST", PromotionId.new()),
        ],
    )
    assert [line.name for line in q.lines] == ["Solo (code SOLO)"]
    reasons = {r.name: r.reason for r in q.refusals}
    assert reasons["Other (code OTHER)"] == "it cannot be combined with Solo"
    assert reasons["Late (code LATE)"].startswith("it expired at 2026-05-01")
    assert "not in rule set" in reasons["GHOST"]


def test_threshold_free_nights_and_first_booking() -> None:
    over = promo(
        "200 off over 1000",
        DiscountKind.THRESHOLD,
        amount=eur("200"),
        threshold=eur("1000"),
        requires_code=False,
    )
    free = promo(
        "Stay 4 pay 3", DiscountKind.FREE_NIGHTS, stay_nights=4, pay_nights=3, requires_code=False
    )
    first = promo(
        "Welcome",
        DiscountKind.PERCENT,
        percent=Decimal(5),
        first_booking_only=True,
        requires_code=False,
    )
    ruleset = rules(promotions=[over, free, first])
    short = quote(plan(), ruleset, JULY, Guests(2), booked_at=BOOKED_AT)
    assert {r.name for r in short.refusals} == {"200 off over 1000", "Stay 4 pay 3", "Welcome"}
    long = quote(
        plan(),
        ruleset,
        Stay.of_nights(dt.date(2026, 7, 1), 12),
        Guests(2),
        booked_at=BOOKED_AT,
        first_booking=True,
    )
    names = [(line.name, str(line.amount)) for line in long.lines]
    # 12 nights: 1200; threshold 200 off; 3 free nights (300); 5 % of the 700 left
    assert names == [
        ("200 off over 1000", "EUR -200.00"),
        ("Stay 4 pay 3", "EUR -300.00"),
        ("Welcome", "EUR -35.00"),
    ]


def test_a_discount_never_takes_the_total_below_zero() -> None:
    huge = promo("Huge", DiscountKind.AMOUNT, amount=eur("5000"), requires_code=False)
    q = quote(plan(), rules(promotions=[huge]), JULY, Guests(2), booked_at=BOOKED_AT)
    assert total(q) == "EUR 0.00"


def test_bad_promotions_and_mixed_currencies_are_refused() -> None:
    assert_refused(
        InvalidPromotionError,
        "pricing.invalid_promotion",
        "at most 100",
        lambda: promo("x", DiscountKind.PERCENT, percent=Decimal(150)),
    )
    assert_refused(
        InvalidPromotionError,
        "pricing.invalid_promotion",
        "pay nights",
        lambda: promo("x", DiscountKind.FREE_NIGHTS, stay_nights=3, pay_nights=3),
    )
    dollars = promo("Dollars", DiscountKind.AMOUNT, amount=Money.of("5", "USD"))
    assert_refused(
        InvalidRuleError,
        "pricing.invalid_rule",
        "one currency",
        lambda: rules(promotions=[dollars]),
    )


# -- quotes over time --------------------------------------------------------------------


def test_quotes_are_deterministic_expire_and_refuse_a_changed_price() -> None:
    q1 = quote(plan(), rules(), JULY, Guests(2), booked_at=BOOKED_AT)
    same = plan()
    assert quote(same, rules(), JULY, Guests(2), booked_at=BOOKED_AT).total == q1.total
    assert q1.expires_at == BOOKED_AT.add(minutes=30)
    assert check_quote(q1, q1, now=BOOKED_AT.add(minutes=10)) is q1
    with pytest.raises(QuoteExpiredError):
        check_quote(q1, q1, now=BOOKED_AT.add(minutes=30))
    dearer = quote(
        plan(base_price=eur("110.00")), rules(version="v2"), JULY, Guests(2), booked_at=BOOKED_AT
    )
    refused = assert_refused(
        QuoteChangedError,
        "pricing.quote_changed",
        "EUR 330.00",
        lambda: check_quote(q1, dearer, now=BOOKED_AT.add(minutes=10)),
    )
    assert "rules v2" in str(refused)


def test_a_price_calendar_agrees_with_one_night_quotes() -> None:
    ruleset = rules(
        weekdays=[WeekdayRule("weekend", {calendar.SATURDAY}, PriceChange.percent(25))],
        length_of_stay=[LengthOfStayRule(2, PriceChange.percent(-10))],
    )
    pricer = Pricer(plan(), ruleset)
    week = Stay.parse("2026-07-06/2026-07-13")
    listed = price_calendar(pricer, week, Guests(2), booked_at=BOOKED_AT)
    for night, price in listed:
        one = pricer.quote(Stay.of_nights(night, 1), Guests(2), booked_at=BOOKED_AT)
        assert one.night_prices[0] == price
    assert [str(price) for night, price in listed if night.weekday() == calendar.SATURDAY] == [
        "EUR 125.00"
    ]


def test_the_breakdown_lists_refusals() -> None:
    welcome = promo("Welcome", DiscountKind.PERCENT, percent=Decimal(5), first_booking_only=True)
    q = quote(
        plan(),
        rules(promotions=[welcome]),
        JULY,
        Guests(2),
        booked_at=BOOKED_AT,
        coupons=[Code("HELLO", welcome.id)],
    )
    assert q.breakdown().splitlines()[-1] == (
        "not applied Welcome (code HELLO): it is for a first booking only"
    )


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        ({"stay": None}, InvalidStayError),
        ({"stay": "2026-07-10/2026-07-12"}, InvalidStayError),
        ({"guests": None}, InvalidGuestsError),
        ({"guests": 2}, InvalidGuestsError),
        ({"tier": Decimal("sNaN")}, PricingError),
        ({"tier": ["Gold"]}, PricingError),
    ],
)
def test_a_stay_party_or_tier_of_the_wrong_type_is_refused(
    asked: dict[str, Any], error: type[Exception]
) -> None:
    # Found by the fuzz suite: AttributeError or TypeError escaped from pricing.
    arguments: dict[str, Any] = {"stay": Stay.parse("2026-07-10/2026-07-12"), "guests": Guests(2)}
    with pytest.raises(error):
        Pricer(plan(), rules()).quote(
            **(arguments | asked), booked_at=pendulum.datetime(2026, 6, 1, tz="UTC")
        )
