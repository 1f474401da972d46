"""Scoring a base from its orders: every column present, bounded, and free of NaN."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from staycore.membership.lifetime import FitDidNotConvergeError
from staycore.membership.scoring import score_customers

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
