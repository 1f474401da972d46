"""Properties of the BG/NBD and Gamma-Gamma scores, for any parameters and any customer."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from staycore.membership.lifetime import (
    BetaGeo,
    BetaGeoParams,
    GammaGamma,
    GammaGammaParams,
    beta_geo_log_likelihood,
)

positive = st.floats(min_value=0.01, max_value=50.0)
params = st.builds(
    BetaGeoParams,
    r=positive,
    alpha=st.floats(min_value=0.01, max_value=1000.0),
    a=positive,
    b=positive,
)


@st.composite
def customers(draw: st.DrawFn, *, most: int = 1000) -> tuple[int, float, float]:
    """A customer's (frequency, recency, T): hundreds of purchases and long ages included."""
    frequency = draw(st.integers(min_value=0, max_value=most))
    age = draw(st.floats(min_value=0.0, max_value=1e5))
    share = draw(st.floats(min_value=0.0, max_value=1.0))
    recency = min(age * share, age) if frequency else 0.0
    return frequency, recency, age


horizons = st.floats(min_value=0.0, max_value=1e4)


@given(params, customers())
def test_p_alive_is_a_probability(model: BetaGeoParams, customer: tuple[int, float, float]) -> None:
    alive = BetaGeo(model).p_alive(*customer)

    assert 0.0 <= alive <= 1.0


@given(params, st.floats(min_value=0.0, max_value=1e5))
def test_a_customer_without_repeat_purchases_is_alive(model: BetaGeoParams, age: float) -> None:
    assert BetaGeo(model).p_alive(0, 0.0, age) == 1.0


@given(params, customers(), horizons, horizons)
def test_expected_purchases_grow_with_the_horizon(
    model: BetaGeoParams, customer: tuple[int, float, float], t: float, more: float
) -> None:
    bg = BetaGeo(model)

    sooner = bg.expected_purchases(t, *customer)
    later = bg.expected_purchases(t + more, *customer)

    assert math.isfinite(sooner)
    assert math.isfinite(later)
    assert 0.0 <= sooner <= later * (1 + 1e-9) + 1e-12


@given(params, st.lists(customers(), min_size=1, max_size=20), horizons)
def test_scores_and_likelihood_stay_finite_for_heavy_and_old_customers(
    model: BetaGeoParams, rows: list[tuple[int, float, float]], t: float
) -> None:
    frequency, recency, age = (
        np.array(column, dtype=np.float64) for column in zip(*rows, strict=True)
    )
    bg = BetaGeo(model)

    alive = bg.p_alive(frequency, recency, age)
    expected = bg.expected_purchases(t, frequency, recency, age)
    value, gradient = beta_geo_log_likelihood(model, frequency, recency, age)

    assert np.isfinite(alive).all()
    assert np.isfinite(expected).all()
    assert np.isfinite(value)
    assert np.isfinite(gradient).all()


@given(params, customers(most=50), horizons)
def test_one_customer_scores_as_one_row_of_many(
    model: BetaGeoParams, customer: tuple[int, float, float], t: float
) -> None:
    bg = BetaGeo(model)
    x, t_x, age = customer

    many = bg.expected_purchases(t, np.array([x, 0.0]), np.array([t_x, 0.0]), np.array([age, age]))

    assert many[0] == bg.expected_purchases(t, x, t_x, age)
    assert many[1] == bg.expected_purchases(t, 0, 0.0, age)


@given(params, st.floats(min_value=0.0, max_value=200.0))
def test_purchase_count_probabilities_add_up_to_one(model: BetaGeoParams, t: float) -> None:
    probabilities = BetaGeo(model).probability_of_purchases(np.arange(400), t)

    assert np.all(probabilities >= 0.0)
    assert probabilities.sum() <= 1.0 + 1e-9


@given(
    st.builds(
        GammaGammaParams,
        p=positive,
        q=st.floats(min_value=1.01, max_value=50.0),
        v=st.floats(min_value=0.01, max_value=1e4),
    ),
    st.integers(min_value=0, max_value=1000),
    st.floats(min_value=0.01, max_value=1e5),
)
def test_expected_spend_lies_between_the_population_and_the_customer(
    model: GammaGammaParams, frequency: int, monetary: float
) -> None:
    expected = GammaGamma(model).expected_spend(frequency, monetary)
    population = model.population_mean
    own = monetary if frequency else population

    assert min(population, own) * (1 - 1e-12) <= expected <= max(population, own) * (1 + 1e-12)
