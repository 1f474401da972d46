"""The operating KPIs: each formula on facts whose answer is known."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.money import Money
from staycore.membership.kpis import (
    InvalidKpiInputError,
    OrderFact,
    Outcome,
    kpi_table,
    occupancy,
    retention_by_cohort,
)
from staycore.orders.ids import CustomerId, OrderId
from staycore.testing.errors import assert_refused

JULY = (dt.date(2026, 7, 1), dt.date(2026, 8, 1))
MEI, LEO, ANA = CustomerId.new(), CustomerId.new(), CustomerId.new()


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def fact(
    customer: CustomerId,
    arrival: dt.date,
    outcome: Outcome,
    *,
    nights: int = 0,
    revenue: str = "0.00",
    paid: str | None = None,
    refunded: str = "0.00",
    coupon: bool = False,
    placed_on: dt.date | None = None,
) -> OrderFact:
    return OrderFact(
        order=OrderId.new(),
        customer=customer,
        placed_on=placed_on or arrival,
        arrival=arrival,
        outcome=outcome,
        room_nights=nights,
        room_revenue=eur(revenue),
        paid=eur(paid if paid is not None else revenue),
        refunded=eur(refunded),
        coupon=coupon,
    )


FACTS = [
    fact(MEI, dt.date(2026, 6, 3), Outcome.STAYED, nights=3, revenue="360.00"),
    fact(MEI, dt.date(2026, 7, 9), Outcome.STAYED, nights=2, revenue="260.00", coupon=True),
    fact(ANA, dt.date(2026, 7, 12), Outcome.STAYED, nights=4, revenue="440.00"),
    fact(LEO, dt.date(2026, 7, 20), Outcome.CANCELLED, paid="100.00", refunded="100.00"),
    fact(LEO, dt.date(2026, 7, 25), Outcome.NO_SHOW, paid="120.00"),
]


def test_every_kpi_of_a_month() -> None:
    table = kpi_table(
        FACTS,
        start=JULY[0],
        end=JULY[1],
        room_nights_available=62,
        currency="EUR",
        searches=40,
        review_scores=[Decimal("4.5"), Decimal(4)],
        points_outstanding=12_000,
        point_value=eur("0.01"),
        service_breaches=1,
    )
    assert {name: value for name, value, _ in table.rows()} == {
        "occupancy": "0.0968",  # 6 of 62 room nights
        "adr": "EUR 116.67",  # 700 / 6
        "revpar": "EUR 11.29",  # 700 / 62
        "booking_conversion": "0.1000",  # 4 orders placed in July / 40 searches
        "cancellation_rate": "0.2500",
        "no_show_rate": "0.3333",  # 1 of 3 arrivals due
        "refund_rate": "0.1087",  # 100 of 920 paid
        "repeat_guest_rate": "0.5000",  # Mei had stayed in June; Ana had not
        "coupon_redemption_rate": "0.2500",
        "points_liability": "EUR 120.00",
        "average_review_score": "4.25",
        "service_deadline_breaches": "1",
    }


def test_a_kpi_without_a_denominator_is_no_value_not_zero() -> None:
    table = kpi_table([], start=JULY[0], end=JULY[1], room_nights_available=0, currency="EUR")
    assert table.value("occupancy") is None
    assert table.value("adr") is None
    assert table.value("booking_conversion") is None
    assert table.value("cancellation_rate") is None


def test_retention_by_cohort_counts_later_months_of_the_first_stay() -> None:
    facts = [
        *FACTS,
        fact(ANA, dt.date(2026, 9, 2), Outcome.STAYED, nights=1, revenue="110.00"),
    ]
    assert retention_by_cohort(facts, months=2) == {
        "2026-06": (Decimal("1.0000"), Decimal("0.0000")),
        "2026-07": (Decimal("0.0000"), Decimal("1.0000")),
    }


def test_bad_periods_and_counts_are_refused() -> None:
    assert_refused(
        InvalidKpiInputError,
        "membership.invalid_kpi_input",
        "must end after it starts",
        lambda: kpi_table([], start=JULY[1], end=JULY[0], room_nights_available=1, currency="EUR"),
    )
    assert_refused(
        InvalidKpiInputError,
        "membership.invalid_kpi_input",
        "room_nights_available must be a whole number",
        lambda: occupancy(1, -5),
    )
    table = kpi_table([], start=JULY[0], end=JULY[1], room_nights_available=1, currency="EUR")
    assert_refused(
        InvalidKpiInputError, "membership.invalid_kpi_input", "no KPI", lambda: table.value("x")
    )


@given(sold=st.integers(0, 10_000), extra=st.integers(0, 10_000))
def test_occupancy_is_a_fraction_between_0_and_1(sold: int, extra: int) -> None:
    value = occupancy(sold, sold + extra)
    if sold + extra == 0:
        assert value is None
    else:
        assert value is not None
        assert Decimal(0) <= value <= Decimal(1)
