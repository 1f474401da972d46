"""Rules scoring keeps for any order export: bounded, complete, NaN-free, and segmented by the map.

Order sets are a handful of customers with orders on days within a few years, amounts
0 or more (whole, fractional, cents as ``Decimal``), in any order, scored at any day on
or after the first order. Then, without the lifetime models:

* there is one row per distinct customer with an order on or before the day, sorted;
* churn risk is in [0, 1]; RFM scores are in 1..bins of the segment map;
* P(alive) is 1 and the expected stays and value 0;
* no value of any row is NaN;
* each customer's segment is the map's segment of their recency and frequency scores.

Bases drawn from the BG/NBD story itself (customers buying at gamma-distributed rates,
each purchase possibly their last) are scored with the lifetime models too, whenever
the fit converges: P(alive) is in [0, 1] and 1 for a customer with no repeat stay, the
expected stays and value are finite and 0 or more, and still no value is NaN. A base the
models do not identify says so with :class:`FitDidNotConvergeError`, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from random import Random

from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from staycore.membership.lifetime import FitDidNotConvergeError
from staycore.membership.rfm import SegmentMap, SegmentRule
from staycore.membership.scoring import ScoredCustomers, score_customers

FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 6, 30)

Orders = tuple[list[str], list[dt.date], list[Decimal | float], dt.date]

amounts = st.one_of(
    st.integers(0, 2000),
    st.floats(0, 5000, allow_nan=False, allow_infinity=False),
    st.decimals(0, 2000, places=2, allow_nan=False, allow_infinity=False),
)


@st.composite
def order_sets(draw: DrawFn) -> Orders:
    """1 to 12 customers with 1 to 6 orders each, shuffled, and a day to score them at."""
    orders: list[tuple[str, dt.date, Decimal | float]] = []
    for number in range(draw(st.integers(1, 12))):
        count = draw(st.integers(1, 6))
        days = draw(st.lists(st.dates(FIRST_DAY, LAST_DAY), min_size=count, max_size=count))
        spent = draw(st.lists(amounts, min_size=count, max_size=count))
        orders += [
            (f"guest-{number}", day, amount) for day, amount in zip(days, spent, strict=True)
        ]
    shuffled = draw(st.permutations(orders))
    first = min(day for _, day, _ in orders)
    at = draw(st.dates(first, LAST_DAY + dt.timedelta(days=400)))
    return (
        [customer for customer, _, _ in shuffled],
        [day for _, day, _ in shuffled],
        [amount for _, _, amount in shuffled],
        at,
    )


@st.composite
def segment_maps(draw: DrawFn) -> SegmentMap:
    """The common map, or a map of 2 to 6 bins: recent customers by frequency, the others."""
    if draw(st.booleans()):
        return SegmentMap.common()
    bins = draw(st.integers(2, 6))
    recent = draw(st.integers(2, bins))  # recency scores from here up are "recent"
    often = draw(st.integers(1, bins))  # frequency scores from here up are "often"
    rules = [SegmentRule(name="win back", recency=(1, recent - 1), frequency=(1, bins))]
    rules.append(SegmentRule(name="keep", recency=(recent, bins), frequency=(often, bins)))
    if often > 1:
        rules.append(SegmentRule(name="grow", recency=(recent, bins), frequency=(1, often - 1)))
    return SegmentMap(rules, bins=bins)


@st.composite
def lively_bases(draw: DrawFn) -> Orders:
    """30 to 60 customers as BG/NBD tells it, over two years, scored at their end."""
    # Hundreds of draws a base: from a drawn seed, as hypothesis would find each draw
    # of its own too large a smallest example.
    random = Random(draw(st.integers(0, 2**32 - 1)))  # noqa: S311 - simulated customers
    customers: list[str] = []
    dates: list[dt.date] = []
    spent: list[Decimal | float] = []
    start = dt.date(2024, 1, 1)
    for number in range(draw(st.integers(30, 60))):
        rate = random.gammavariate(0.8, 1 / 20)  # purchases a day while alive
        last_chance = random.betavariate(1.0, 3.0)
        day = random.randrange(0, 180)
        while day <= 730:
            customers.append(f"guest-{number}")
            dates.append(start + dt.timedelta(days=day))
            spent.append(round(random.gammavariate(3.0, 40.0), 2))
            if random.random() < last_chance:
                break
            day += max(1, round(random.expovariate(rate)))
    return customers, dates, spent, dt.date(2025, 12, 31)


def customers_by_then(orders: Orders) -> list[str]:
    customers, dates, _, at = orders
    return sorted({customer for customer, day in zip(customers, dates, strict=True) if day <= at})


def assert_nothing_is_nan(scored: ScoredCustomers) -> None:
    for row in scored.rows():
        for name, value in row.items():
            assert not (isinstance(value, float) and math.isnan(value)), (row["customer"], name)


@given(order_sets(), segment_maps())
def test_every_customer_scores_within_bounds_and_in_the_maps_segment(
    orders: Orders, segment_map: SegmentMap
) -> None:
    customers, dates, spent, at = orders
    scored = score_customers(
        customers, dates, spent, at=at, segment_map=segment_map, lifetime=False
    )

    assert scored.customer.tolist() == customers_by_then(orders)
    rows = scored.rows()
    assert [row["customer"] for row in rows] == scored.customer.tolist()
    assert ((scored.churn_risk >= 0) & (scored.churn_risk <= 1)).all()
    for column in (scored.recency_score, scored.frequency_score, scored.monetary_score):
        assert column.min() >= 1
        assert column.max() <= segment_map.bins
    assert (scored.p_alive == 1.0).all()
    assert (scored.expected_stays == 0.0).all()
    assert (scored.expected_value == 0.0).all()
    assert_nothing_is_nan(scored)
    for row in rows:
        recency, frequency = row["recency_score"], row["frequency_score"]
        assert isinstance(recency, int)
        assert isinstance(frequency, int)
        assert row["segment"] == segment_map.segment(recency, frequency)


@given(order_sets())
def test_the_rows_describe_each_customers_own_orders(orders: Orders) -> None:
    customers, dates, spent, at = orders
    scored = score_customers(customers, dates, spent, at=at, lifetime=False)

    for row in scored.rows():
        mine = [
            (day, Decimal(str(amount)))
            for customer, day, amount in zip(customers, dates, spent, strict=True)
            if customer == row["customer"] and day <= at
        ]
        days = {day for day, _ in mine}
        assert row["frequency"] == len(days) - 1
        assert row["days_since_last_stay"] == (at - max(days)).days
        assert float(str(row["total_spend"])) >= 0
        assert abs(float(str(row["total_spend"])) - float(sum(a for _, a in mine))) <= 0.01


@given(lively_bases())
def test_the_lifetime_columns_are_probabilities_and_counts_whenever_the_models_fit(
    orders: Orders,
) -> None:
    customers, dates, spent, at = orders
    try:
        scored = score_customers(customers, dates, spent, at=at)
    except FitDidNotConvergeError:
        event("the lifetime models did not fit")
        return
    event("the lifetime models fitted")

    assert scored.customer.tolist() == customers_by_then(orders)
    assert ((scored.p_alive >= 0) & (scored.p_alive <= 1)).all()
    assert (scored.p_alive[scored.summary.frequency == 0] == 1.0).all()
    for column in (scored.expected_stays, scored.expected_value):
        assert (column >= 0).all()
    assert ((scored.churn_risk >= 0) & (scored.churn_risk <= 1)).all()
    assert_nothing_is_nan(scored)
