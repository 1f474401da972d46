"""Scoring a base from its orders: every column present, bounded, and free of NaN.

And scoring part of a base within the whole: a :class:`ScoringBase` of the whole gives
a part's customers the rows the whole base gives them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import numpy as np
import pytest

from staycore.membership.lifetime import FitDidNotConvergeError
from staycore.membership.rfm import InvalidRfmInputError, SegmentMap, SegmentRule
from staycore.membership.scoring import ScoringBase, score_customers
from staycore.membership.summaries import summarize

AT = dt.date(1997, 9, 30)

CDNOW = Path(__file__).parent.parent / "data" / "cdnow" / "CDNOW_sample.txt"


def cdnow() -> tuple[list[str], list[dt.date], list[float]]:
    customers, dates, amounts = [], [], []
    for line in CDNOW.read_text().splitlines():
        _, customer, day, _, amount = line.split()
        customers.append(customer)
        dates.append(dt.date(int(day[:4]), int(day[4:6]), int(day[6:])))
        amounts.append(float(amount))
    return customers, dates, amounts


def test_the_cdnow_base_scores_with_every_column_bounded() -> None:
    scored = score_customers(*cdnow(), at=dt.date(1997, 9, 30))
    assert len(scored) == 2357
    for column in (scored.churn_risk, scored.p_alive):
        assert np.all((column >= 0) & (column <= 1))
    assert np.all(scored.p_alive[scored.summary.frequency == 0] == 1.0)
    for column in (scored.expected_stays, scored.expected_value):
        assert np.all(np.isfinite(column))
        assert np.all(column >= 0)
    assert set(np.unique(scored.recency_score)) <= {1, 2, 3, 4, 5}
    # Over the next year the base is expected to come back about as often as in the
    # 39-week holdout scaled to 52 weeks (1,882 purchases): the same order of size.
    assert 1800 < scored.expected_stays.sum() < 3000


def test_repeat_customers_who_spent_nothing_still_score() -> None:
    customers, dates, amounts = cdnow()
    free = [
        0.0 if customer == "0001" else amount
        for customer, amount in zip(customers, amounts, strict=True)
    ]
    scored = score_customers(customers, dates, free, at=dt.date(1997, 9, 30))
    row = next(r for r in scored.rows() if r["customer"] == "0001")
    assert row["frequency"] == 2
    assert row["expected_value_12m"] == 0.0
    assert 0 < float(str(row["p_alive"])) <= 1


def test_a_base_too_small_to_fit_says_so_and_scores_without_the_models() -> None:
    customers = ["a", "a", "b", "c"]
    dates = [dt.date(2026, m, 1) for m in (1, 3, 2, 3)]
    at = dt.date(2026, 6, 30)
    with pytest.raises(FitDidNotConvergeError, match="the data do not identify the model"):
        score_customers(customers, dates, [10, 20, 30, 40], at=at)
    scored = score_customers(customers, dates, [10, 20, 30, 40], at=at, lifetime=False)
    assert list(scored.p_alive) == [1.0, 1.0, 1.0]


def test_stays_falling_from_one_year_to_the_next_are_the_reason_given() -> None:
    at = dt.date(2026, 6, 30)
    the_year_before = [dt.date(2024, m, 1) for m in (8, 10, 12)] + [dt.date(2025, 3, 1)]
    just_now = [dt.date(2026, 6, 20)]  # no lateness to speak of
    customers = ["falling"] * 5 + ["steady"] * 2
    dates = [*the_year_before, *just_now, dt.date(2025, 3, 1), *just_now]
    scored = score_customers(customers, dates, [100] * len(dates), at=at, lifetime=False)
    reason = dict(zip(scored.customer.tolist(), scored.churn_reason.tolist(), strict=True))
    risk = dict(zip(scored.customer.tolist(), scored.churn_risk.tolist(), strict=True))
    assert reason == {"falling": "falling_frequency", "steady": ""}
    assert risk["falling"] > risk["steady"]


@pytest.fixture(scope="module")
def orders() -> tuple[list[str], list[dt.date], list[float]]:
    return cdnow()


@pytest.fixture(scope="module")
def base(orders: tuple[list[str], list[dt.date], list[float]]) -> ScoringBase:
    return ScoringBase.fit(summarize(*orders, calibration_end=AT, unit="W"))


def test_the_base_built_from_the_orders_is_the_base_fitted_to_their_summary(
    orders: tuple[list[str], list[dt.date], list[float]], base: ScoringBase
) -> None:
    assert base.transactions is not None
    assert base.spend is not None
    assert base.rfm.customers == 2357
    given = score_customers(*orders, at=AT, base=base)
    built = score_customers(*orders, at=AT)
    assert given.rows() == built.rows()


def test_part_of_a_base_scored_within_the_whole_gets_the_rows_of_the_whole(
    orders: tuple[list[str], list[dt.date], list[float]], base: ScoringBase
) -> None:
    whole = {row["customer"]: row for row in score_customers(*orders, at=AT).rows()}
    customers, dates, amounts = orders
    odd = [i for i, customer in enumerate(customers) if int(customer) % 2]
    part = ([customers[i] for i in odd], [dates[i] for i in odd], [amounts[i] for i in odd])

    within = score_customers(*part, at=AT, base=base).rows()
    alone = score_customers(*part, at=AT).rows()

    assert 1000 < len(within) < len(whole)
    assert within == [whole[row["customer"]] for row in within]
    # Scored as a base of their own, their ranks and models are another base's.
    assert alone != within
    assert [row["churn_risk"] for row in alone] == [row["churn_risk"] for row in within]


def test_the_lifetime_columns_follow_the_models_the_base_holds(
    orders: tuple[list[str], list[dt.date], list[float]], base: ScoringBase
) -> None:
    skipped = score_customers(*orders, at=AT, base=base, lifetime=False)
    assert np.all(skipped.p_alive == 1.0)
    assert np.all(skipped.expected_stays == 0.0)
    assert np.all(skipped.expected_value == 0.0)

    # Without a spend model a stay is worth the customer's own mean repeat spend.
    own = score_customers(*orders, at=AT, base=attrs.evolve(base, spend=None))
    spending = (own.summary.frequency > 0) & (own.summary.monetary_value > 0)
    np.testing.assert_array_equal(
        own.expected_value,
        np.where(spending, own.expected_stays * own.summary.monetary_value, 0.0),
    )
    assert base.spend is not None
    modelled = score_customers(*orders, at=AT, base=base)
    np.testing.assert_array_equal(own.p_alive, modelled.p_alive)
    assert not np.array_equal(own.expected_value, modelled.expected_value)


THREE = SegmentMap(
    [
        SegmentRule(name="keep", recency="2-3", frequency="1-3"),
        SegmentRule(name="win back", recency=1, frequency="1-3"),
    ],
    bins=3,
)


def test_a_segment_map_of_other_bins_scores_on_its_own_grid(
    orders: tuple[list[str], list[dt.date], list[float]],
) -> None:
    scored = score_customers(*orders, at=AT, segment_map=THREE, lifetime=False)
    assert set(scored.recency_score.tolist()) == {1, 2, 3}
    assert set(scored.segment.tolist()) == {"keep", "win back"}
    assert np.array_equal(scored.segment == "win back", scored.recency_score == 1)


def test_a_base_of_other_bins_than_the_segment_map_is_refused(
    orders: tuple[list[str], list[dt.date], list[float]], base: ScoringBase
) -> None:
    with pytest.raises(InvalidRfmInputError, match="bins=3") as raised:
        score_customers(*orders, at=AT, segment_map=THREE, base=base)
    assert raised.value.field == "bins"


def test_the_columns_are_the_rows_column_by_column() -> None:
    scored = score_customers(
        ["a", "a", "b", "c", "c", "c"],
        [dt.date(2026, m, 1) for m in (1, 4, 2, 1, 3, 5)],
        [10, 20, 30, 40, 50, 60],
        at=dt.date(2026, 6, 30),
        lifetime=False,
    )
    columns = scored.columns()
    rows = scored.rows()
    assert list(columns) == list(rows[0])
    for name, column in columns.items():
        assert column.tolist() == [row[name] for row in rows], name
