"""Benchmark: the BG/NBD model against the ``lifetimes`` package, in the same process.

Two jobs, each done by :class:`staycore.membership.lifetime.BetaGeo` and by
``lifetimes.BetaGeoFitter`` on the same data:

* fit: maximum likelihood on the CDNOW sample (2,357 customers, in weeks), from the
  ``fit`` call to a fitted model. lifetimes' ``fit`` also works out the Hessian for its
  standard errors; that is part of what its ``fit`` costs, and it is counted;
* score: P(alive) and the expected purchases over the next 39 weeks for 1,000,000
  synthetic customers, drawn from the BG/NBD process with the CDNOW estimates (rates
  from the gamma, drop-out chances from the beta, ages from a 12-week acquisition window
  observed to week 39, like CDNOW's cohort), each library scoring with its own fit.

Each job runs once to warm up and then ``--repeat`` times (the fit, a few milliseconds,
ten times as often); the best time counts. ``max_param_rel_diff`` compares the two fits'
parameters. ``max_score_abs_diff`` compares the two libraries' scores (P(alive) and
expected purchases) at the same parameters, ours: the formulas and their numerics.
``max_score_abs_diff_own_fits`` compares each library scoring with its own fit: both
fits stop within their tolerance of the optimum, where the likelihood is flat, and
their parameters differ in the seventh digit, which moves a heavy buyer's expected
purchases in the sixth. Prints one JSON line. Targets: fit speedup >= 5, score speedup
>= 2, parameters within 1e-3 (relative), scores within 1e-6.

Run: ``python benchmarks/lifetime.py [--customers 1000000] [--repeat 3]`` (needs the
``bench`` extra). Without a working ``lifetimes`` it says why and exits with status 2:
there is no ratio without the peer.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

from staycore.membership.lifetime import BetaGeo, BetaGeoParams

if TYPE_CHECKING:
    from lifetimes import BetaGeoFitter

Array = npt.NDArray[np.float64]
Result = TypeVar("Result")

CDNOW = (
    Path(__file__).resolve().parents[1] / "tests" / "data" / "cdnow" / "cdnow_customers_summary.csv"
)
HORIZON = 39.0  # weeks: CDNOW's holdout period
SEED = 20050301


def load_cdnow() -> tuple[Array, Array, Array]:
    """Frequency, recency and T (weeks) of the CDNOW sample's 2,357 customers."""
    table = np.loadtxt(CDNOW, delimiter=",", skiprows=1)
    return table[:, 1], table[:, 2], table[:, 3]


def synthetic_customers(params: BetaGeoParams, size: int) -> tuple[Array, Array, Array]:
    """``size`` customers drawn from the BG/NBD process, observed to week 39."""
    rng = np.random.default_rng(SEED)
    age = HORIZON - rng.uniform(0.0, 12.0, size)
    rate = rng.gamma(params.r, 1.0 / params.alpha, size)
    drop = rng.beta(params.a, params.b, size)
    # Purchases while alive form a Poisson process; the customer leaves after the k-th
    # with k geometric, so the repeat purchases seen are the lesser of the two counts.
    arrivals = rng.poisson(rate * age)
    frequency = np.minimum(arrivals, rng.geometric(drop)).astype(np.float64)
    # Given n arrivals in (0, T], the x-th comes at T times the x-th of n uniform order
    # statistics, a Beta(x, n - x + 1) draw.
    last = rng.beta(np.maximum(frequency, 1.0), arrivals - frequency + 1.0)
    recency = np.where(frequency > 0, age * last, 0.0)
    return frequency, recency, age


def best(job: Callable[[], Result], repeat: int) -> tuple[float, Result]:
    """The best wall time of ``repeat`` runs of ``job`` after a warm-up, and its result."""
    result = job()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - started)
    return min(times), result


def largest_difference(ours: tuple[Array, ...], theirs: tuple[Array, ...]) -> float:
    """The largest absolute difference of two libraries' scores (NaN on their side skipped)."""
    largest = max(float(np.nanmax(np.abs(a - b))) for a, b in zip(ours, theirs, strict=True))
    return float(f"{largest:.3g}")


def peer() -> type[BetaGeoFitter]:
    """lifetimes' BetaGeoFitter, or exit with the reason it cannot run."""
    try:
        import lifetimes  # noqa: PLC0415 - the optional peer
    except Exception as error:  # any failure to import means no peer
        print(
            f"lifetime benchmark: the peer package `lifetimes` cannot be imported "
            f"({type(error).__name__}: {error}); install the `bench` extra",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    fitter: type[BetaGeoFitter] = lifetimes.BetaGeoFitter
    return fitter


def as_peer(what: str, job: Callable[[], Result]) -> Result:
    """Run one of the peer's jobs, or exit saying how it fails."""
    try:
        return job()
    except Exception as error:  # any failure of the peer ends the run
        print(
            f"lifetime benchmark: lifetimes imports but its BG/NBD {what} fails "
            f"({type(error).__name__}: {error}); no ratio without the peer",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def main() -> None:
    """Run both jobs with both libraries and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fitter = peer()
    frequency, recency, age = load_cdnow()

    def fit_theirs() -> BetaGeoFitter:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fitter().fit(frequency, recency, age)

    theirs_fit_s, theirs = as_peer("fit", lambda: best(fit_theirs, 10 * args.repeat))
    ours_fit_s, ours = best(lambda: BetaGeo.fit(frequency, recency, age), 10 * args.repeat)

    names = ("r", "alpha", "a", "b")
    their_params = np.array([float(theirs.params_[name]) for name in names])
    our_params = np.array([getattr(ours.params, name) for name in names])
    param_diff = float(np.max(np.abs(our_params - their_params) / np.abs(their_params)))

    x, t_x, t = synthetic_customers(ours.params, args.customers)

    def score_ours() -> tuple[Array, Array]:
        return ours.p_alive(x, t_x, t), ours.expected_purchases(HORIZON, x, t_x, t)

    def score_theirs(model: BetaGeoFitter = theirs) -> tuple[Array, Array]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alive = model.conditional_probability_alive(x, t_x, t)
            expected = model.conditional_expected_number_of_purchases_up_to_time(HORIZON, x, t_x, t)
        return np.asarray(alive, dtype=np.float64), np.asarray(expected, dtype=np.float64)

    theirs_score_s, their_scores = as_peer("scoring", lambda: best(score_theirs, args.repeat))
    ours_score_s, our_scores = best(score_ours, args.repeat)
    at_ours = copy.copy(theirs)
    at_ours.params_ = theirs.params_.copy()
    for name, value in zip(names, our_params, strict=True):
        at_ours.params_[name] = value
    same_scores = score_theirs(at_ours)
    print(
        json.dumps(
            {
                "bench": "lifetime",
                "fit_speedup_vs_lifetimes": round(theirs_fit_s / ours_fit_s, 2),
                "score_speedup_vs_lifetimes": round(theirs_score_s / ours_score_s, 2),
                "max_param_rel_diff": float(f"{param_diff:.3g}"),
                "max_score_abs_diff": largest_difference(our_scores, same_scores),
                "max_score_abs_diff_own_fits": largest_difference(our_scores, their_scores),
                "customers": args.customers,
                "fit_ms": round(ours_fit_s * 1e3, 2),
                "lifetimes_fit_ms": round(theirs_fit_s * 1e3, 2),
                "score_ms": round(ours_score_s * 1e3, 1),
                "lifetimes_score_ms": round(theirs_score_s * 1e3, 1),
                "peer_nan_scores": sum(int(np.count_nonzero(np.isnan(s))) for s in their_scores),
            }
        )
    )


if __name__ == "__main__":
    main()
