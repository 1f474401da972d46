"""BG/NBD and Gamma-Gamma: the published CDNOW estimates, the holdout, and bad input.

The CDNOW figures come from three places, named at each test:

* the published maximum-likelihood estimates: BG/NBD r = 0.243, alpha = 4.414,
  a = 0.793, b = 2.426, LL = -9582.4 (Fader, Hardie & Lee 2005) and Gamma-Gamma p = 6.25,
  q = 3.74, gamma = 15.44 (Fader & Hardie 2013);
* Hardie's spreadsheets accompanying them, as quoted by the ``lifetimes`` package's
  tests: E[X(t)] at six horizons, the 1.226 purchases expected of the first customer
  over the 39-week holdout, and the expected spend of the first ten customers;
* the holdout itself, counted here from the raw transaction log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import numpy as np
import numpy.typing as npt
import pytest
from scipy import integrate, special, stats

from staycore.membership.lifetime import (
    BetaGeo,
    BetaGeoParams,
    FitDidNotConvergeError,
    GammaGamma,
    GammaGammaParams,
    InvalidCustomerDataError,
    InvalidForecastError,
    InvalidModelParametersError,
    beta_geo_log_likelihood,
    customer_lifetime_value,
    gamma_gamma_log_likelihood,
)

Array = npt.NDArray[np.float64]

CDNOW = Path(__file__).resolve().parent.parent / "data" / "cdnow"
PUBLISHED = BetaGeoParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
CALIBRATION_END = dt.date(1997, 9, 30)  # T = 38.86 weeks for a first purchase on 1 January


@pytest.fixture(scope="module")
def summary() -> tuple[Array, Array, Array]:
    table = np.loadtxt(CDNOW / "cdnow_customers_summary.csv", delimiter=",", skiprows=1)
    return table[:, 1], table[:, 2], table[:, 3]


@pytest.fixture(scope="module")
def with_spend() -> Array:
    """Columns ID, x, t_x, T, zbar (zbar rounded to cents)."""
    return np.loadtxt(
        CDNOW / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1
    )


@pytest.fixture(scope="module")
def transactions() -> tuple[Array, Array, Array]:
    """Per customer: holdout purchases, exact mean repeat spend, calibration repeats.

    Purchases on one day are one purchase, as in the published summaries.
    """
    log = np.loadtxt(CDNOW / "CDNOW_sample.txt")
    customer = log[:, 1].astype(np.int64)
    dates = [dt.date(int(d) // 10000, int(d) // 100 % 100, int(d) % 100) for d in log[:, 2]]
    day = np.array([(date - CALIBRATION_END).days for date in dates])  # <= 0 in calibration
    key = customer * 1000 + (day + 500)
    days, where = np.unique(key, return_inverse=True)
    spend = np.bincount(where, weights=log[:, 4])
    who, when = days // 1000, days % 1000 - 500
    size = int(customer.max()) + 1
    first = np.full(size, 10**6)
    np.minimum.at(first, who, when)
    calibration = when <= 0
    repeat = calibration & (when > first[who])
    repeats = np.bincount(who[repeat], minlength=size)[1:]
    repeat_spend = np.bincount(who[repeat], weights=spend[repeat], minlength=size)[1:]
    holdout = np.bincount(who[~calibration], minlength=size)[1:].astype(np.float64)
    mean_spend = np.divide(
        repeat_spend, repeats, out=np.zeros_like(repeat_spend), where=repeats > 0
    )
    return holdout, mean_spend, repeats.astype(np.float64)


@pytest.fixture(scope="module")
def fitted(summary: tuple[Array, Array, Array]) -> BetaGeo:
    return BetaGeo.fit(*summary)


def equation_10(params: BetaGeoParams, t: Array, x: Array, t_x: Array, age: Array) -> Array:
    """Fader, Hardie & Lee (2005) equation (10) as printed, with scipy's 2F1."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + age + t)
    bracket = 1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * special.hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    odds = (x > 0) * a / (b + np.maximum(x, 1) - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x)
    return np.asarray((a + b + x - 1) / (a - 1) * bracket / (1 + odds), dtype=np.float64)


# -- BG/NBD on CDNOW ------------------------------------------------------------------


def test_bg_nbd_fit_matches_the_published_estimates(fitted: BetaGeo) -> None:
    params = fitted.params

    assert (round(params.r, 3), round(params.alpha, 3)) == (0.243, 4.414)
    assert (round(params.a, 3), round(params.b, 3)) == (0.793, 2.426)
    assert fitted.log_likelihood is not None
    assert round(fitted.log_likelihood, 1) == -9582.4


def test_the_log_likelihood_is_in_the_callers_time_unit(
    summary: tuple[Array, Array, Array], fitted: BetaGeo
) -> None:
    frequency, recency, age = summary

    in_days = BetaGeo.fit(frequency, recency * 7, age * 7)

    assert in_days.params.alpha == pytest.approx(fitted.params.alpha * 7, rel=1e-5)
    assert in_days.params.r == pytest.approx(fitted.params.r, rel=1e-5)
    assert in_days.params.b == pytest.approx(fitted.params.b, rel=1e-5)
    # Each purchase time is a density per time unit: a day is a seventh of a week.
    assert in_days.log_likelihood == pytest.approx(
        fitted.log_likelihood - frequency.sum() * np.log(7), abs=1e-6
    )


def test_weights_stand_for_customers_with_equal_summaries(
    summary: tuple[Array, Array, Array], fitted: BetaGeo
) -> None:
    rows, counts = np.unique(np.column_stack(summary), axis=0, return_counts=True)

    grouped = BetaGeo.fit(rows[:, 0], rows[:, 1], rows[:, 2], weights=counts)

    assert len(rows) < len(summary[0])
    assert grouped.log_likelihood == pytest.approx(fitted.log_likelihood, abs=1e-6)
    assert grouped.params.a == pytest.approx(fitted.params.a, rel=1e-5)


def test_the_gradient_is_the_derivative_of_the_log_likelihood(
    summary: tuple[Array, Array, Array],
) -> None:
    at = BetaGeoParams(r=0.5, alpha=6.0, a=1.2, b=3.3)
    _, gradient = beta_geo_log_likelihood(at, *summary)

    logs = np.log([at.r, at.alpha, at.a, at.b])
    step = 1e-6
    for i in range(4):
        up, down = logs.copy(), logs.copy()
        up[i] += step
        down[i] -= step
        numeric = (
            beta_geo_log_likelihood(BetaGeoParams(*np.exp(up)), *summary)[0]
            - beta_geo_log_likelihood(BetaGeoParams(*np.exp(down)), *summary)[0]
        ) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-6)


def test_partitions_add_up_to_the_whole_and_fit_to_the_same_model(
    summary: tuple[Array, Array, Array], fitted: BetaGeo
) -> None:
    parts = [tuple(column[i::3] for column in summary) for i in range(3)]

    def objective(params: BetaGeoParams) -> tuple[float, Array]:
        values = [beta_geo_log_likelihood(params, *part) for part in parts]
        return sum(v[0] for v in values), np.sum([v[1] for v in values], axis=0)

    whole = beta_geo_log_likelihood(PUBLISHED, *summary)
    assert objective(PUBLISHED)[0] == pytest.approx(whole[0], abs=1e-8)
    np.testing.assert_allclose(objective(PUBLISHED)[1], whole[1], rtol=1e-10, atol=1e-8)
    start = BetaGeoParams(r=1.0, alpha=30.0, a=1.0, b=3.0)
    reduced = BetaGeo.fit_objective(objective, customers=len(summary[0]), start=start)
    assert reduced.log_likelihood == pytest.approx(fitted.log_likelihood, abs=1e-6)
    assert reduced.params.r == pytest.approx(fitted.params.r, rel=1e-4)


def test_conditional_expectation_of_the_first_customer_matches_hardies_sheet(
    fitted: BetaGeo,
) -> None:
    # x = 2, t_x = 30.43, T = 38.86: 1.226 purchases expected in the next 39 weeks.
    for model in (fitted, BetaGeo(PUBLISHED)):
        assert round(model.expected_purchases(39, 2, 30.43, 38.86), 3) == 1.226
    assert fitted.p_alive(2, 30.43, 38.86) == pytest.approx(0.7266, abs=1e-4)


def test_expected_purchases_of_a_new_customer_match_hardies_sheet(fitted: BetaGeo) -> None:
    times = np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00])
    sheet = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])

    expected = fitted.expected_purchases_new(times)

    np.testing.assert_allclose(expected[:5], sheet[:5], atol=5e-5)
    # At 78 weeks z = 0.95 and the series converges slowly: summed to convergence it is
    # 1.85797 (lifetimes agrees); the sheet's 1.8576 is a truncated series.
    assert expected[5] == pytest.approx(1.85797, abs=1e-5)


def test_conditional_expectations_track_the_holdout(
    summary: tuple[Array, Array, Array],
    transactions: tuple[Array, Array, Array],
    fitted: BetaGeo,
) -> None:
    holdout, _, repeats = transactions
    frequency, recency, age = summary
    np.testing.assert_array_equal(repeats, frequency)  # the log gives the same summary

    expected = fitted.expected_purchases(39.0, frequency, recency, age)

    # Weeks 40-78: 1,882 purchases; the model expects 1,653 (12 % fewer).
    assert holdout.sum() == 1882
    assert expected.sum() == pytest.approx(1653.4, abs=0.1)
    assert abs(expected.sum() / holdout.sum() - 1) < 0.15
    # By calibration frequency (0, 1, ..., 6, 7+), as in the paper's conditional
    # expectations: the expectation rises with frequency as the holdout does, within
    # 0.4 purchases a customer in every group.
    groups = np.minimum(frequency, 7)
    actual = np.array([holdout[groups == k].mean() for k in range(8)])
    model = np.array([expected[groups == k].mean() for k in range(8)])
    assert np.all(np.diff(actual) > 0)
    assert np.all(np.diff(model) > 0)
    np.testing.assert_allclose(model, actual, atol=0.4)


def test_cumulative_repeat_purchases_track_the_cohort(
    summary: tuple[Array, Array, Array],
    transactions: tuple[Array, Array, Array],
    fitted: BetaGeo,
) -> None:
    holdout, _, repeats = transactions
    _, _, age = summary

    by_calibration_end = fitted.expected_purchases_new(age).sum()
    by_holdout_end = fitted.expected_purchases_new(age + 39.0).sum()

    # 2,457 repeat purchases in weeks 1-39 (model 2,494) and 4,339 by week 78 (4,161).
    assert repeats.sum() == 2457
    assert by_calibration_end == pytest.approx(2494.0, abs=0.1)
    assert by_holdout_end == pytest.approx(4160.6, abs=0.1)
    assert abs(by_holdout_end / (repeats.sum() + holdout.sum()) - 1) < 0.05


# -- BG/NBD scoring -------------------------------------------------------------------


def test_expected_purchases_equal_the_printed_formula() -> None:
    rng = np.random.default_rng(7)
    size = 25_000  # enough for the tabled series
    age = rng.uniform(0.0, 200.0, size)
    x = rng.integers(0, 60, size).astype(np.float64)
    t_x = np.where(x > 0, rng.uniform(0.0, 1.0, size) * age, 0.0)
    t = rng.uniform(0.0, 80.0, size)

    for params in (PUBLISHED, BetaGeoParams(r=2.5, alpha=0.7, a=3.1, b=0.6)):
        model = BetaGeo(params)
        many = model.expected_purchases(t, x, t_x, age)
        np.testing.assert_allclose(many, equation_10(params, t, x, t_x, age), rtol=1e-9)
        rows = zip(t[:200], x[:200], t_x[:200], age[:200], strict=True)
        one_by_one = [model.expected_purchases(*row) for row in rows]
        np.testing.assert_allclose(many[:200], one_by_one[:200], rtol=1e-12)


def test_customers_with_hundreds_of_purchases_stay_finite() -> None:
    model = BetaGeo(PUBLISHED)
    x = np.array([300.0, 800.0, 5000.0, 800.0])
    t_x = np.array([100.0, 9.0, 1000.0, 10_000.0])
    age = np.array([101.0, 10_000.0, 1000.5, 10_000.0])

    alive = model.p_alive(x, t_x, age)
    expected = model.expected_purchases(52.0, x, t_x, age)
    value, gradient = beta_geo_log_likelihood(PUBLISHED, x, t_x, age)

    assert np.isfinite(alive).all()
    assert alive[1] < 1e-300 < alive[0]
    assert np.isfinite(expected).all()
    assert expected[0] > 100  # a heavy buyer, alive
    assert np.isfinite(value)
    assert np.isfinite(gradient).all()


def test_scalars_give_floats_and_arrays_give_arrays() -> None:
    model = BetaGeo(PUBLISHED)

    assert isinstance(model.p_alive(2, 30.43, 38.86), float)
    assert isinstance(model.expected_purchases(39, 2, 30.43, 38.86), float)
    assert isinstance(model.expected_purchases_new(39), float)
    assert isinstance(model.probability_of_purchases(1, 39), float)
    listed = model.p_alive([2, 0], [30.43, 0.0], [38.86, 38.86])
    assert isinstance(listed, np.ndarray)
    assert listed.shape == (2,)
    grid = model.expected_purchases(
        np.array([[10.0], [39.0]]), np.array([1.0, 2.0]), np.array([5.0, 30.0]), 38.86
    )
    assert grid.shape == (2, 2)
    assert model.p_alive(np.float64(2), np.int64(30), 38.86) == model.p_alive(2, 30, 38.86)


def test_probabilities_of_purchase_counts_add_up_to_the_expectation() -> None:
    model = BetaGeo(PUBLISHED)
    counts = np.arange(3000)

    for t in (1.0, 39.0, 520.0):
        probabilities = model.probability_of_purchases(counts, t)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
        mean = float(counts @ probabilities)
        assert mean == pytest.approx(model.expected_purchases_new(t), rel=1e-8)
    assert model.probability_of_purchases(0, 0.0) == 1.0
    assert model.probability_of_purchases(3, 0.0) == 0.0


def test_whole_r_minus_a_with_a_hundred_purchases_stays_finite() -> None:
    # scipy's hyp2f1 gives inf or NaN here (c - a - b a whole number near 100, z > 0.9);
    # the expectation must still be there, and equal its neighbour's.
    whole = BetaGeo(BetaGeoParams(r=1.0, alpha=1.0, a=2.0, b=1.0))
    near = BetaGeo(BetaGeoParams(r=1.0 + 1e-9, alpha=1.0, a=2.0, b=1.0))
    t = np.linspace(1.0, 200.0, 25_000)  # enough customers for the tabled series too
    x = np.full_like(t, 150.0)
    zero = np.zeros_like(t)

    many = whole.expected_purchases(t, x, zero, zero)

    assert np.isfinite(many).all()
    assert np.all(np.diff(many) >= 0)
    assert whole.expected_purchases(10.0, 102, 0.0, 0.0) == pytest.approx(
        near.expected_purchases(10.0, 102, 0.0, 0.0), rel=1e-9
    )
    np.testing.assert_allclose(many[::500], near.expected_purchases(t, x, zero, zero)[::500])


@pytest.mark.parametrize(("a", "b"), [(1.0, 2.4), (1.0 + 3e-6, 2.4), (0.6, 0.4), (0.3, 0.7)])
def test_the_expectation_is_smooth_where_its_formula_is_zero_over_zero(a: float, b: float) -> None:
    # a = 1 divides by a - 1; a + b = 1 makes the hypergeometric function's c zero.
    x = np.array([0.0, 0.0, 3.0])
    t_x = np.array([0.0, 0.0, 20.0])
    age = np.array([0.0, 30.0, 30.0])
    exact = BetaGeo(BetaGeoParams(r=0.5, alpha=5.0, a=a, b=b))
    near = BetaGeo(BetaGeoParams(r=0.5, alpha=5.0, a=a + 1e-3, b=b))

    expected = exact.expected_purchases(39.0, x, t_x, age)

    assert np.isfinite(expected).all()
    np.testing.assert_allclose(expected, near.expected_purchases(39.0, x, t_x, age), rtol=1e-2)


@pytest.mark.parametrize("scale", [1e5, 1e7, 1e9])
def test_the_expectation_stays_finite_as_drop_out_becomes_the_same_for_everyone(
    scale: float,
) -> None:
    # A fit to a base whose drop-out chance is the same for everyone runs a and b up
    # together. In the limit, each purchase ends the customer with chance pi: a customer
    # alive at T, buying at a gamma(r + x, alpha + T) rate, expects
    # (1 - ((alpha + T) / (alpha + T + pi t)) ** (r + x)) / pi purchases in t; the beta's
    # spread around pi, which the limit leaves out, counts about x / (a + b).
    r, alpha, pi, t = 0.62, 7.85, 0.22, 52.0
    x = np.array([0.0, 1.0, 5.0, 7.0, 30.0])
    recency = np.array([0.0, 12.0, 40.0, 30.0, 80.0])
    age = np.array([55.3, 40.0, 69.7, 33.4, 87.1])
    model = BetaGeo(BetaGeoParams(r=r, alpha=alpha, a=pi * scale, b=(1 - pi) * scale))

    expected = model.expected_purchases(t, x, recency, age)
    alive = model.p_alive(x, recency, age)

    limit = (1 - ((alpha + age) / (alpha + age + pi * t)) ** (r + x)) / pi
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(expected / alive, limit, rtol=x.max() / scale * 2)


# -- Gamma-Gamma ----------------------------------------------------------------------


def test_gamma_gamma_fit_matches_the_published_estimates(
    transactions: tuple[Array, Array, Array],
) -> None:
    _, mean_spend, repeats = transactions

    spend = GammaGamma.fit(repeats, mean_spend)

    assert np.count_nonzero(repeats) == 946
    params = spend.params
    assert (round(params.p, 2), round(params.q, 2), round(params.v, 2)) == (6.25, 3.74, 15.44)
    assert spend.log_likelihood == pytest.approx(-4055.918, abs=1e-3)


def test_gamma_gamma_on_spend_rounded_to_cents_is_within_a_cent_of_them(
    with_spend: Array,
) -> None:
    # The summary file's zbar is rounded to cents, which moves v to 15.4477.
    spend = GammaGamma.fit(with_spend[:, 1], with_spend[:, 4])

    published = np.array([6.25, 3.74, 15.44])
    fitted = np.array([spend.params.p, spend.params.q, spend.params.v])
    np.testing.assert_allclose(fitted, published, atol=0.01)


def test_expected_spend_matches_hardies_sheet(transactions: tuple[Array, Array, Array]) -> None:
    _, mean_spend, repeats = transactions
    spend = GammaGamma.fit(repeats, mean_spend)
    sheet = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]

    expected = spend.expected_spend(repeats[:10], mean_spend[:10])

    np.testing.assert_allclose(expected, sheet, atol=0.006)
    assert expected[2] == pytest.approx(spend.params.population_mean)


def test_expected_spend_needs_a_finite_mean() -> None:
    heavy_tailed = GammaGamma(GammaGammaParams(p=2.0, q=0.5, v=10.0))

    assert heavy_tailed.expected_spend(3, 20.0) == pytest.approx(2.0 * 70.0 / 5.5)
    with pytest.raises(InvalidModelParametersError, match=r"frequency\[1\] = 0.0 with q = 0.5"):
        heavy_tailed.expected_spend(np.array([3.0, 0.0]), np.array([20.0, 0.0]))
    with pytest.raises(InvalidModelParametersError, match="population mean is infinite"):
        _ = heavy_tailed.params.population_mean


def test_the_gamma_gamma_likelihood_is_the_density_of_the_mean_spend() -> None:
    # Fader & Hardie (2013): given their rate nu, a customer's x spends are gamma(p, nu),
    # so their mean is gamma(p x, x nu); nu is gamma(q, v) across customers. Integrate.
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44)
    customers = [(1, 11.77), (2, 22.35), (7, 73.74)]

    def density(x: int, mean: float) -> float:
        def joint(nu: float) -> float:
            spend = stats.gamma.pdf(mean, a=params.p * x, scale=1 / (x * nu))
            return float(spend * stats.gamma.pdf(nu, a=params.q, scale=1 / params.v))

        return float(integrate.quad(joint, 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0])

    expected = sum(np.log(density(x, mean)) for x, mean in customers)
    value, _ = gamma_gamma_log_likelihood(params, *zip(*customers, strict=True))

    assert value == pytest.approx(expected, rel=1e-9)


def test_the_gamma_gamma_gradient_is_the_derivative_of_the_log_likelihood(
    transactions: tuple[Array, Array, Array],
) -> None:
    _, mean_spend, repeats = transactions
    at = GammaGammaParams(p=4.0, q=2.5, v=20.0)
    _, gradient = gamma_gamma_log_likelihood(at, repeats, mean_spend)

    logs = np.log([at.p, at.q, at.v])
    step = 1e-6
    for i in range(3):
        up, down = logs.copy(), logs.copy()
        up[i] += step
        down[i] -= step
        numeric = (
            gamma_gamma_log_likelihood(GammaGammaParams(*np.exp(up)), repeats, mean_spend)[0]
            - gamma_gamma_log_likelihood(GammaGammaParams(*np.exp(down)), repeats, mean_spend)[0]
        ) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-6)


def test_gamma_gamma_partitions_add_up_to_the_whole_and_fit_to_the_same_model(
    transactions: tuple[Array, Array, Array],
) -> None:
    _, mean_spend, repeats = transactions
    published = GammaGammaParams(p=6.25, q=3.74, v=15.44)
    # Three partitions, one holding nobody with a repeat purchase.
    none_repeat = repeats == 0
    parts = [
        (repeats[none_repeat], mean_spend[none_repeat]),
        (repeats[~none_repeat][::2], mean_spend[~none_repeat][::2]),
        (repeats[~none_repeat][1::2], mean_spend[~none_repeat][1::2]),
    ]
    nobody, no_slope = gamma_gamma_log_likelihood(published, *parts[0])
    assert nobody == 0.0
    assert not no_slope.any()

    def objective(params: GammaGammaParams) -> tuple[float, Array]:
        values = [gamma_gamma_log_likelihood(params, *part) for part in parts]
        return sum(v[0] for v in values), np.sum([v[1] for v in values], axis=0)

    whole = gamma_gamma_log_likelihood(published, repeats, mean_spend)
    assert objective(published)[0] == pytest.approx(whole[0], abs=1e-8)
    np.testing.assert_allclose(objective(published)[1], whole[1], rtol=1e-10, atol=1e-8)
    fitted = GammaGamma.fit(repeats, mean_spend)
    start = GammaGammaParams.start(float(mean_spend[~none_repeat].mean()))
    reduced = GammaGamma.fit_objective(objective, customers=946, start=start)
    assert reduced.log_likelihood == pytest.approx(fitted.log_likelihood, abs=1e-6)
    for name in ("p", "q", "v"):
        assert getattr(reduced.params, name) == pytest.approx(
            getattr(fitted.params, name), rel=1e-6
        )


def test_the_gamma_gamma_fit_maximises_the_likelihood_it_reports(
    transactions: tuple[Array, Array, Array],
) -> None:
    _, mean_spend, repeats = transactions
    fitted = GammaGamma.fit(repeats, mean_spend)

    value, gradient = gamma_gamma_log_likelihood(fitted.params, repeats, mean_spend)

    assert value == pytest.approx(fitted.log_likelihood, abs=1e-9)
    # At the maximum the gradient per customer vanishes (the optimiser's tolerance).
    assert np.abs(gradient / 946).max() < 1e-5
    for factor in (0.9, 1.1):
        for name in ("p", "q", "v"):
            moved = attrs.evolve(fitted.params, **{name: getattr(fitted.params, name) * factor})
            assert gamma_gamma_log_likelihood(moved, repeats, mean_spend)[0] < value


def test_gamma_gamma_weights_stand_for_customers_with_equal_spend(with_spend: Array) -> None:
    # Spend rounded to cents: customers with equal (x, zbar) come grouped.
    rows, counts = np.unique(with_spend[:, [1, 4]], axis=0, return_counts=True)

    grouped = GammaGamma.fit(rows[:, 0], rows[:, 1], weights=counts)
    single = GammaGamma.fit(with_spend[:, 1], with_spend[:, 4])

    assert len(rows) < len(with_spend)
    assert grouped.log_likelihood == pytest.approx(single.log_likelihood, abs=1e-6)
    for name in ("p", "q", "v"):
        assert getattr(grouped.params, name) == pytest.approx(
            getattr(single.params, name), rel=1e-5
        )


def test_the_gamma_gamma_likelihood_checks_its_customers() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44)
    with pytest.raises(InvalidCustomerDataError, match=r"monetary\[1\] is 0 for a customer"):
        gamma_gamma_log_likelihood(params, [0, 2], [0.0, 0.0])
    with pytest.raises(InvalidCustomerDataError, match="one weight per customer"):
        gamma_gamma_log_likelihood(params, [1, 2], [5.0, 3.0], weights=[1.0])
    with pytest.raises(InvalidCustomerDataError, match=r"frequency\[0\] = 1.5 is not a whole"):
        gamma_gamma_log_likelihood(params, [1.5, 2], [5.0, 3.0])


# -- lifetime value -------------------------------------------------------------------


def test_lifetime_value_sums_discounted_monthly_purchases_times_spend() -> None:
    model = BetaGeo(PUBLISHED)
    spend = GammaGamma(GammaGammaParams(p=6.25, q=3.74, v=15.44))
    per_purchase = spend.expected_spend(2, 22.35)
    cumulative = [model.expected_purchases(4.345 * i, 2, 30.43, 38.86) for i in range(13)]
    by_hand = sum(
        per_purchase * (cumulative[i] - cumulative[i - 1]) / 1.01**i for i in range(1, 13)
    )

    value = customer_lifetime_value(
        2, 30.43, 38.86, 22.35, transactions=model, spend=spend, unit="week"
    )

    assert value == pytest.approx(by_hand, rel=1e-12)
    assert value == pytest.approx(36.29, abs=0.005)
    undiscounted = customer_lifetime_value(
        2, 30.43, 38.86, 22.35, transactions=model, spend=spend, unit="week", discount_rate=0.0
    )
    assert undiscounted == pytest.approx(per_purchase * cumulative[12], rel=1e-12)
    in_days = customer_lifetime_value(
        np.array([2.0]),
        np.array([30.43 * 7]),
        np.array([38.86 * 7]),
        np.array([22.35]),
        transactions=BetaGeo(BetaGeoParams(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)),
        spend=spend,
        unit="day",
    )
    # 30 days is not quite 4.345 weeks, so the months differ a little.
    assert in_days[0] == pytest.approx(value, rel=0.02)


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"unit": "fortnight"}, "unit must be one of hour, day, week, month"),
        ({"months": 0}, "months must be a whole number of at least 1"),
        ({"months": 1.5}, "months must be a whole number of at least 1"),
        ({"discount_rate": -1.0}, "discount_rate must be a finite number above -1"),
        ({"discount_rate": float("nan")}, "discount_rate must be a finite number above -1"),
    ],
)
def test_lifetime_value_refuses_a_malformed_question(
    changes: dict[str, object], phrase: str
) -> None:
    arguments: dict[str, object] = {
        "transactions": BetaGeo(PUBLISHED),
        "spend": GammaGamma(GammaGammaParams(p=6.25, q=3.74, v=15.44)),
        "unit": "week",
    } | changes

    with pytest.raises(InvalidForecastError, match=phrase):
        customer_lifetime_value(2, 30.43, 38.86, 22.35, **arguments)  # type: ignore[call-overload]


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "recency", "age", "phrase"),
    [
        ([1, 2], [1.0, 2.0, 3.0], [5.0, 5.0, 5.0], r"frequency has shape \(2,\), recency \(3,\)"),
        ([[1]], [[1.0]], [[2.0]], "a fit needs one-dimensional arrays of equal length"),
        ([], [], [], "there are no customers"),
        ([1, 2, -1], [1.0, 2.0, 0.0], [5.0] * 3, r"frequency\[2\] = -1.0 is negative"),
        ([1, 2, 1.5], [1.0, 2.0, 1.0], [5.0] * 3, r"frequency\[2\] = 1.5 is not a whole number"),
        ([1, 2], [1.0, np.nan], [5.0, 5.0], r"recency\[1\] is nan: every value must be"),
        ([1, 2], [1.0, 2.0], [5.0, np.inf], r"T\[1\] is inf"),
        ([1, 2], [1.0, 6.0], [5.0, 5.5], r"recency\[1\] = 6.0 is after T\[1\] = 5.5"),
        ([1, 0], [1.0, 2.0], [5.0, 5.0], r"recency\[1\] = 2.0 but frequency\[1\] = 0"),
        (["a", "b"], [1.0, 2.0], [5.0, 5.0], "frequency must be a number or an array"),
    ],
)
def test_bad_customers_are_named_by_field_and_index(
    frequency: object, recency: object, age: object, phrase: str
) -> None:
    with pytest.raises(InvalidCustomerDataError, match=phrase) as raised:
        BetaGeo.fit(frequency, recency, age)  # type: ignore[arg-type]

    assert raised.value.code == "membership.invalid_customer_data"


def test_scoring_checks_customers_and_horizons() -> None:
    model = BetaGeo(PUBLISHED)

    with pytest.raises(InvalidCustomerDataError, match=r"^\[.*\] recency = 40.0 is after T"):
        model.p_alive(2, 40.0, 38.86)
    with pytest.raises(InvalidCustomerDataError, match=r"frequency has shape \(2,\)"):
        model.p_alive([1, 2], [1.0, 2.0, 3.0], 5.0)
    with pytest.raises(InvalidForecastError, match=r"t = -1.0 is negative"):
        model.expected_purchases(-1.0, 2, 30.43, 38.86)
    with pytest.raises(InvalidForecastError, match=r"t has shape \(3,\) and the customers"):
        model.expected_purchases(np.ones(3), [1, 2], [1.0, 2.0], 5.0)
    with pytest.raises(InvalidForecastError, match="t is nan"):
        model.expected_purchases_new(float("nan"))
    with pytest.raises(InvalidForecastError, match=r"n\[1\] = 0.5 is not a whole number"):
        model.probability_of_purchases([1, 0.5], 3.0)


@pytest.mark.parametrize(
    ("weights", "phrase"),
    [
        ([1.0, 2.0], r"weights has shape \(2,\) for 3 customers"),
        ([0.0, 0.0, 0.0], "weights are all zero"),
        ([1.0, -2.0, 1.0], r"weights\[1\] = -2.0 is negative"),
    ],
)
def test_bad_weights_are_refused(weights: list[float], phrase: str) -> None:
    with pytest.raises(InvalidCustomerDataError, match=phrase):
        BetaGeo.fit([0, 1, 2], [0.0, 3.0, 4.0], [5.0, 5.0, 5.0], weights=weights)


@pytest.mark.parametrize(
    ("frequency", "recency", "age"),
    [
        ([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 20.0, 30.0]),  # nobody came back
        ([3], [4.0], [5.0]),  # one customer
        ([2, 4, 1, 3], [9.0, 9.5, 8.0, 9.9], [10.0] * 4),  # nobody seems to leave
    ],
)
def test_a_fit_without_an_estimate_says_so(
    frequency: list[int], recency: list[float], age: list[float]
) -> None:
    with pytest.raises(FitDidNotConvergeError) as raised:
        BetaGeo.fit(frequency, recency, age)

    assert raised.value.code == "membership.fit_did_not_converge"
    assert "the data do not identify the model" in raised.value.message or (
        "without converging" in raised.value.message
    )


def test_gamma_gamma_checks_its_customers() -> None:
    with pytest.raises(InvalidCustomerDataError, match=r"monetary\[2\] is 0 for a customer"):
        GammaGamma.fit([1, 2, 3, 0], [10.0, 20.0, 0.0, 0.0])
    with pytest.raises(InvalidCustomerDataError, match="1 customer"):
        GammaGamma.fit([1, 0, 0], [10.0, 0.0, 0.0])
    with pytest.raises(InvalidCustomerDataError, match=r"monetary\[0\] = -5.0 is negative"):
        GammaGamma.fit([1, 2], [-5.0, 3.0])
    with pytest.raises(InvalidCustomerDataError, match="a fit needs one-dimensional arrays"):
        GammaGamma.fit([1, 2], [5.0, 3.0, 1.0])


@pytest.mark.parametrize(
    "params",
    [
        {"r": 0.0, "alpha": 1.0, "a": 1.0, "b": 1.0},
        {"r": 1.0, "alpha": -1.0, "a": 1.0, "b": 1.0},
        {"r": 1.0, "alpha": 1.0, "a": float("nan"), "b": 1.0},
        {"r": 1.0, "alpha": 1.0, "a": 1.0, "b": True},
    ],
)
def test_parameters_must_be_positive_numbers(params: dict[str, float]) -> None:
    with pytest.raises(InvalidModelParametersError, match="must be a positive finite number"):
        BetaGeoParams(**params)
