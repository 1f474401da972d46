"""Rules every quote keeps: never negative, lines add up, floors hold, same inputs same quote."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

from staycore.availability.ids import UnitTypeId
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.pricing.changes import PriceChange
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion, Stacking
from staycore.pricing.quote import LineKind, Pricer, Quote
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import (
    DemandCurve,
    Fee,
    FeeBasis,
    LeadTime,
    LeadTimeRule,
    LengthOfStayRule,
    RuleSet,
    Season,
    Tax,
    WeekdayRule,
)

YEAR = Stay.parse("2026-07-01/2026-09-01")
NIGHTS = list(YEAR)
BOOKED_AT = pendulum.datetime(2026, 6, 1, 9, tz="UTC")


def eur(cents: int) -> Money:
    return Money.from_minor(cents, "EUR")


percents = st.integers(-60, 80).map(PriceChange.percent)
amounts = st.integers(-3000, 3000).map(lambda cents: PriceChange.amount(Decimal(cents) / 100))
changes = st.one_of(percents, amounts)


@st.composite
def stays(draw: st.DrawFn, longest: int = 14) -> Stay:
    first = draw(st.integers(0, len(NIGHTS) - longest))
    return Stay.of_nights(NIGHTS[first], draw(st.integers(1, longest)))


@st.composite
def promotions(draw: st.DrawFn) -> Promotion:
    kind = draw(st.sampled_from(DiscountKind))
    fields: dict[str, object] = {
        "id": PromotionId.new(),
        "name": f"{kind.value} {draw(st.integers(0, 99))}",
        "kind": kind,
        "requires_code": False,
        "stacking": draw(st.sampled_from(Stacking)),
        "priority": draw(st.integers(0, 3)),
        "min_nights": draw(st.integers(0, 3)),
    }
    if kind is DiscountKind.PERCENT:
        fields["percent"] = Decimal(draw(st.integers(1, 100)))
    elif kind is DiscountKind.FREE_NIGHTS:
        stay_nights = draw(st.integers(2, 5))
        fields.update(stay_nights=stay_nights, pay_nights=draw(st.integers(1, stay_nights - 1)))
    else:
        fields["amount"] = eur(draw(st.integers(1, 100_000)))
        fields["threshold"] = eur(draw(st.integers(1, 200_000)))
    return Promotion(**fields)  # type: ignore[arg-type]


@st.composite
def pricers(draw: st.DrawFn) -> Pricer:
    base = draw(st.integers(0, 50_000))
    plan = RatePlan(
        id=RatePlanId.new(),
        unit_type=UnitTypeId.new(),
        name="Standard",
        base_price=eur(base),
        extra_adult=eur(draw(st.integers(0, 5000))),
        child=eur(draw(st.integers(0, 3000))),
        taxes_included=draw(st.booleans()),
    )
    if draw(st.booleans()):
        plan = plan.derive(RatePlanId.new(), "Derived", draw(percents))
    floor = draw(st.none() | st.integers(0, 20_000))
    ceiling = draw(st.none() | st.integers(20_000, 80_000))
    rules = RuleSet(
        version="p",
        currency="EUR",
        timezone="Europe/Paris",
        seasons=[
            Season("season", draw(stays(30)), draw(changes)) for _ in range(draw(st.integers(0, 2)))
        ],
        weekdays=[WeekdayRule("weekend", {calendar.FRIDAY, calendar.SATURDAY}, draw(changes))],
        demand=draw(st.none() | st.just(DemandCurve([("0.5", "0"), ("0.9", "25")]))),
        lead_time=[
            LeadTimeRule("early", LeadTime.EARLY_BIRD, draw(st.integers(0, 90)), draw(percents))
        ],
        length_of_stay=[
            LengthOfStayRule(7, PriceChange.percent(-draw(st.integers(0, 30)))),
        ],
        tiers={"gold": PriceChange.percent(-5)},
        floor=None if floor is None else eur(floor),
        ceiling=None if ceiling is None else eur(ceiling),
        fees=[Fee("Cleaning", eur(draw(st.integers(0, 10_000))), draw(st.sampled_from(FeeBasis)))],
        taxes=[
            Tax.percent("VAT", draw(st.integers(0, 25))),
            Tax.per_person_night("City", eur(150)),
        ],
        promotions=draw(st.lists(promotions(), max_size=3)),
    )
    return Pricer(plan, rules)


occupancies = st.dictionaries(
    st.sampled_from(NIGHTS), st.integers(0, 100).map(lambda n: Decimal(n) / 100)
)
parties = st.builds(Guests, st.integers(1, 4), st.integers(0, 3))


def _quote(pricer: Pricer, stay: Stay, guests: Guests, occupancy: dict[dt.date, Decimal]) -> Quote:
    return pricer.quote(stay, guests, booked_at=BOOKED_AT, occupancy=occupancy, tier="gold")


@given(pricer=pricers(), stay=stays(), guests=parties, occupancy=occupancies)
def test_lines_add_up_to_a_total_that_is_never_negative(
    pricer: Pricer, stay: Stay, guests: Guests, occupancy: dict[dt.date, Decimal]
) -> None:
    q = _quote(pricer, stay, guests, occupancy)
    added = sum(
        (line.amount for line in q.lines if line.kind is not LineKind.INCLUDED_TAX),
        Money.total(q.night_prices, "EUR"),
    )
    assert added == q.total
    assert not q.total.is_negative
    assert all(line.amount.is_rounded for line in q.lines)
    assert all(price.is_rounded for price in q.night_prices)
    discounts = [line.amount for line in q.lines if line.kind is LineKind.DISCOUNT]
    assert -Money.total(discounts, "EUR") <= Money.total(q.night_prices, "EUR")


@given(pricer=pricers(), stay=stays(), guests=parties, occupancy=occupancies)
def test_no_night_is_below_its_floor_or_above_its_ceiling(
    pricer: Pricer, stay: Stay, guests: Guests, occupancy: dict[dt.date, Decimal]
) -> None:
    q = _quote(pricer, stay, guests, occupancy)
    floor, ceiling = pricer.rules.floor, pricer.rules.ceiling
    for night in q.nights:
        assert not night.price.is_negative
        if floor is not None:
            assert night.price >= floor
        if ceiling is not None:
            assert night.price <= ceiling
        # The explanation adds up to the exact price (before the floor or ceiling step).
        assert sum(step.amount for step in night.steps) == night.exact
    assert tuple(night.price for night in q.nights) == q.night_prices


@given(pricer=pricers(), stay=stays(), guests=parties, occupancy=occupancies)
def test_the_same_inputs_give_the_same_quote(
    pricer: Pricer, stay: Stay, guests: Guests, occupancy: dict[dt.date, Decimal]
) -> None:
    first = _quote(pricer, stay, guests, occupancy)
    fresh = Pricer(pricer.plan, pricer.rules)
    again = _quote(fresh, stay, guests, dict(occupancy))
    assert (first.night_prices, first.lines, first.total) == (
        again.night_prices,
        again.lines,
        again.total,
    )
    assert first.breakdown() == again.breakdown()


@given(pricer=pricers(), stay=stays(longest=10), guests=parties)
def test_adding_a_night_never_lowers_the_total_unless_a_discount_tier_is_reached(
    pricer: Pricer, stay: Stay, guests: Guests
) -> None:
    """Without promotions, one more night costs more, unless the stay reaches 7 nights."""
    plain = Pricer(pricer.plan, attrs.evolve(pricer.rules, promotions=()))
    longer = Stay(stay.check_in, stay.check_out + dt.timedelta(days=1))
    if longer.nights == 7:  # the length-of-stay tier starts here
        return
    shorter_total = _quote(plain, stay, guests, {}).total
    assert _quote(plain, longer, guests, {}).total >= shorter_total
