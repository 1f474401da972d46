"""Rules every quote keeps: never negative, lines add up, floors hold, same inputs same quote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.pricing.quote import LineKind, Pricer, Quote
from staycore.pricing.rate_plans import Guests
from staycore.testing import strategies

YEAR = Stay.parse("2026-07-01/2026-09-01")
NIGHTS = list(YEAR)
BOOKED_AT = pendulum.datetime(2026, 6, 1, 9, tz="UTC")


@st.composite
def stays(draw: st.DrawFn, longest: int = 14) -> Stay:
    first = draw(st.integers(0, len(NIGHTS) - longest))
    return Stay.of_nights(NIGHTS[first], draw(st.integers(1, longest)))


pricers = st.builds(Pricer, strategies.rate_plans(), strategies.rule_sets())
occupancies = st.dictionaries(
    st.sampled_from(NIGHTS), st.integers(0, 100).map(lambda n: Decimal(n) / 100)
)
parties = strategies.guests(max_adults=4, max_children=3)


def _quote(pricer: Pricer, stay: Stay, guests: Guests, occupancy: dict[dt.date, Decimal]) -> Quote:
    return pricer.quote(stay, guests, booked_at=BOOKED_AT, occupancy=occupancy, tier="gold")


@given(pricer=pricers, stay=stays(), guests=parties, occupancy=occupancies)
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


@given(pricer=pricers, stay=stays(), guests=parties, occupancy=occupancies)
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


@given(pricer=pricers, stay=stays(), guests=parties, occupancy=occupancies)
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


@given(pricer=pricers, stay=stays(longest=10), guests=parties)
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
