"""Rules the churn score keeps for every customer and every valid model.

* the score is in [0, 1] (and the logit finite), and the action is the thresholds' one;
* more days since the last stay never lower the risk, nor do more complaints,
  cancellations or no-shows;
* the explanation adds up: the logit is the bias plus the contributions, each the
  factor's weight times its feature, and the score is the logistic of the logit;
* the column path gives every customer exactly what the single-customer path gives;
* figures worked out from stay dates agree with the dates.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from staycore.membership.churn import (
    DEFAULT_CHURN_MODEL,
    ChurnFactor,
    ChurnInputs,
    ChurnModel,
    ChurnRisk,
    ChurnThresholds,
    churn_risk,
    churn_risk_many,
)

MOST = 10**9
TROUBLE = ("open_complaints", "recent_complaints", "cancellations", "no_shows")

counts = st.integers(0, 12) | st.integers(0, MOST)
days = st.integers(0, 2000) | st.integers(0, MOST) | st.floats(0, MOST)

inputs = st.builds(
    ChurnInputs,
    days_since_last_stay=days,
    usual_gap_days=st.none() | st.integers(0, 400) | st.floats(0, MOST),
    stays_recent=counts,
    stays_prior=counts,
    open_complaints=counts,
    recent_complaints=counts,
    cancellations=counts,
    no_shows=counts,
    average_review=st.none() | st.floats(1, 5),
    tier_drop_in_days=st.none() | st.integers(0, 400) | st.integers(0, MOST),
)

thresholds = (
    st.lists(st.floats(0, 1), min_size=3, max_size=3, unique=True)
    .map(sorted)
    .map(lambda t: ChurnThresholds(watch=t[0], win_back_offer=t[1], personal_call=t[2]))
)

models = st.just(DEFAULT_CHURN_MODEL) | st.builds(
    ChurnModel,
    weights=st.dictionaries(st.sampled_from(ChurnFactor), st.floats(0, 100)),
    bias=st.floats(-100, 100),
    default_gap_days=st.floats(1, 10_000),
    min_gap_days=st.floats(1, 60),
    overdue_cap=st.floats(1, 1000),
    count_cap=st.integers(1, 1000),
    neutral_review=st.floats(1, 5),
    tier_horizon_days=st.integers(0, 400),
    thresholds=thresholds,
)


def in_factor_order(risk: ChurnRisk) -> list[float]:
    return [risk.factor(name).contribution for name in ChurnFactor]


@given(inputs, models)
def test_the_score_is_between_zero_and_one(customer: ChurnInputs, model: ChurnModel) -> None:
    risk = churn_risk(customer, model)

    assert 0.0 <= risk.score <= 1.0
    assert math.isfinite(risk.logit)
    assert risk.action is model.thresholds.action_for(risk.score)
    assert sorted(factor.name for factor in risk.factors) == sorted(ChurnFactor)
    ranked = [factor.contribution for factor in risk.factors]
    assert ranked == sorted(ranked, reverse=True)
    assert all(factor.reason for factor in risk.factors)


@given(inputs, models, days)
def test_more_days_since_the_last_stay_never_lower_the_risk(
    customer: ChurnInputs, model: ChurnModel, more: float
) -> None:
    later = attrs.evolve(
        customer, days_since_last_stay=min(customer.days_since_last_stay + more, MOST)
    )

    before, after = churn_risk(customer, model), churn_risk(later, model)

    assert after.logit >= before.logit
    assert after.score >= before.score


@given(inputs, models, st.sampled_from(TROUBLE), counts)
def test_more_complaints_cancellations_or_no_shows_never_lower_the_risk(
    customer: ChurnInputs, model: ChurnModel, field: str, more: int
) -> None:
    worse = attrs.evolve(customer, **{field: min(getattr(customer, field) + more, MOST)})

    before, after = churn_risk(customer, model), churn_risk(worse, model)

    assert after.logit >= before.logit
    assert after.score >= before.score


@given(inputs, models)
def test_the_explanation_adds_up(customer: ChurnInputs, model: ChurnModel) -> None:
    risk = churn_risk(customer, model)

    logit = risk.bias
    for contribution in in_factor_order(risk):
        logit = logit + contribution
    assert risk.logit == logit
    assert risk.bias == model.bias
    for factor in risk.factors:
        assert factor.contribution == model.weights[factor.name] * factor.feature
    parts = [risk.bias, *in_factor_order(risk)]
    assert math.isclose(
        risk.logit, math.fsum(parts), rel_tol=0, abs_tol=1e-12 * math.fsum(map(abs, parts))
    )
    clamped = min(max(risk.logit, -700.0), 700.0)
    exact = 1 / (1 + math.exp(-clamped))
    assert abs(risk.score - exact) <= 2 * math.ulp(exact)


def columns(customers: list[ChurnInputs]) -> dict[str, Any]:
    """The customers as the columns churn_risk_many takes; None becomes a masked row."""
    found: dict[str, Any] = {}
    for field in attrs.fields_dict(ChurnInputs):
        values = [getattr(customer, field) for customer in customers]
        missing = [value is None for value in values]
        if any(missing):
            filled = [0 if value is None else value for value in values]
            found[field] = np.ma.array(filled, mask=missing)
        else:
            found[field] = np.array(values)
    return found


@given(st.lists(inputs, max_size=25), models, st.integers(1, len(ChurnFactor)))
def test_columns_give_exactly_what_single_customers_get(
    customers: list[ChurnInputs], model: ChurnModel, top: int
) -> None:
    scores = churn_risk_many(**columns(customers), model=model, top=top)

    singles = [churn_risk(customer, model) for customer in customers]
    assert len(scores) == len(customers)
    assert scores.score.tolist() == [risk.score for risk in singles]
    assert scores.logit.tolist() == [risk.logit for risk in singles]
    assert scores.contributions.tolist() == [in_factor_order(risk) for risk in singles]
    assert scores.action.tolist() == [risk.action.value for risk in singles]
    assert scores.top_factors.tolist() == [
        [factor.name.value for factor in risk.factors[:top]] for risk in singles
    ]
    assert scores.top_contributions.tolist() == [
        [factor.contribution for factor in risk.factors[:top]] for risk in singles
    ]


@given(
    st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2026, 3, 1)), min_size=1, max_size=30),
    st.integers(1, 800),
)
def test_figures_from_stay_dates_agree_with_the_dates(stays: list[dt.date], window: int) -> None:
    today = dt.date(2026, 3, 1)

    figures = ChurnInputs.from_stays(stays, today=today, window_days=window)

    visits = set(stays)
    assert figures.days_since_last_stay == (today - max(visits)).days
    assert (figures.usual_gap_days is None) == (len(visits) == 1)
    assert figures.stays_recent + figures.stays_prior <= len(visits)
    assert figures.stays_recent == sum(1 for visit in visits if (today - visit).days < window)
    if figures.usual_gap_days is not None:
        assert 1 <= figures.usual_gap_days <= (max(visits) - min(visits)).days
