"""Customer-lifetime models: how many stays a guest will still make, and what they will spend.

Needs the ``analytics`` extra (numpy and scipy).

Two models from the "buy till you die" literature, fitted by maximum likelihood:

* :class:`BetaGeo`, the BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers
  the easy way"). While a customer is *alive* they buy at their own Poisson rate, drawn
  from a gamma distribution (``r``, ``alpha``); after each repeat purchase they *drop
  out* with their own probability, drawn from a beta distribution (``a``, ``b``). From a
  customer's history it gives the probability that they are still alive
  (:meth:`BetaGeo.p_alive`) and how many purchases to expect of them
  (:meth:`BetaGeo.expected_purchases`).
* :class:`GammaGamma`, the spend model (Fader & Hardie 2013, "The Gamma-Gamma model of
  monetary value"): each customer's spend per purchase varies around their own mean,
  and the means vary across customers; :meth:`GammaGamma.expected_spend` shrinks a
  customer's observed mean towards the population's, more so the fewer purchases it
  rests on.

:func:`customer_lifetime_value` combines them with a discount rate.

A customer is summarised by three numbers, all in one time unit of the caller's choosing
(days, weeks, months), counted from their first purchase:

* ``frequency``: the number of *repeat* purchases (the first one is not counted);
* ``recency``: the time of the last repeat purchase (0 when there is none);
* ``T``: the customer's age, the time from the first purchase to the end of observation.

The fitted ``alpha`` and the log-likelihood are in that unit, and so are the horizons
``t`` given to the scoring methods. The scoring methods take one customer as numbers
(and return a float) or many as numpy arrays (and return an array): the code is
vectorised, and every likelihood is worked out in log space, so customers with hundreds
of purchases neither overflow nor give NaN. Bad input (a negative count, a recency after
``T``, NaN, arrays of different lengths) raises :class:`InvalidCustomerDataError`
naming the field and the customer's index; a malformed question (a negative horizon, an
unknown time unit) raises :class:`InvalidForecastError`, and a fit with no estimate
:class:`FitDidNotConvergeError`.

A customer base too large for one machine is fitted by summing
:func:`beta_geo_log_likelihood` (value and gradient) over its partitions inside the
objective given to :meth:`BetaGeo.fit_objective`, and likewise
:func:`gamma_gamma_log_likelihood` for :meth:`GammaGamma.fit_objective`; the single-machine
fits evaluate the same functions. Scoring works on any partition as it is.

Example:
    The BG/NBD estimates published for the CDNOW sample (in weeks), and its first
    customer: two repeat purchases, the last at week 30.43, seen for 38.86 weeks.

    >>> from staycore.membership.lifetime import BetaGeo, BetaGeoParams
    >>> model = BetaGeo(BetaGeoParams(r=0.243, alpha=4.414, a=0.793, b=2.426))
    >>> round(model.p_alive(2, 30.43, 38.86), 3)
    0.727
    >>> round(model.expected_purchases(39, 2, 30.43, 38.86), 3)
    1.226
    >>> import numpy as np
    >>> model.p_alive(np.array([0, 2, 2]), np.array([0.0, 30.43, 5.0]), 38.86).round(3)
    array([1.   , 0.727, 0.124])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypeAlias, overload

import attrs
import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from staycore.membership.errors import MembershipError

__all__ = [
    "MONTH_IN_UNITS",
    "BetaGeo",
    "BetaGeoParams",
    "FitDidNotConvergeError",
    "GammaGamma",
    "GammaGammaParams",
    "InvalidCustomerDataError",
    "InvalidForecastError",
    "InvalidModelParametersError",
    "Number",
    "TimeUnit",
    "Values",
    "beta_geo_log_likelihood",
    "customer_lifetime_value",
    "gamma_gamma_log_likelihood",
]

Array: TypeAlias = npt.NDArray[np.float64]
Number: TypeAlias = "float | np.floating[Any] | np.integer[Any]"
"""One customer's value: a Python or numpy number."""
Values: TypeAlias = "npt.NDArray[Any] | Sequence[float]"
"""Many customers' values: a numpy array or a sequence of numbers."""

TimeUnit: TypeAlias = Literal["hour", "day", "week", "month"]
"""The time unit a model's ``frequency``, ``recency`` and ``T`` were measured in."""

MONTH_IN_UNITS: Final[dict[str, float]] = {"hour": 720.0, "day": 30.0, "week": 4.345, "month": 1.0}
"""How many of each :data:`TimeUnit` make the month of :func:`customer_lifetime_value`."""

# The optimiser works on log-parameters and on the mean log-likelihood per customer, so
# that its tolerances mean the same for ten customers and for ten million.
_GRADIENT_TOLERANCE: Final = 1e-7
# BFGS may stop on "precision loss" a hair short of its tolerance; a gradient this small
# is still an optimum to far better than the published estimates' precision.
_ACCEPTED_GRADIENT: Final = 1e-5
# A log-parameter past this (a parameter above 1e13 or below 1e-13) means the likelihood
# kept rising towards the edge of the parameter space: there is no estimate.
_LOG_PARAMETER_BOUND: Final = 30.0
# The mean log-likelihood must curve down at the estimate at least this much in every
# direction of the log-parameters. Identified fits curve by 1e-3 and more (CDNOW: 3e-3);
# a likelihood still rising slowly towards a bound (nobody drops out, nobody returns)
# curves by 1e-6 or less, and its "estimates" are wherever the optimiser gave up.
_LEAST_CURVATURE: Final = 1e-6
_CURVATURE_STEP: Final = 1e-5
_BETA_GEO: Final = ("r", "alpha", "a", "b")
_GAMMA_GAMMA: Final = ("p", "q", "v")
# Where the BG/NBD expectation is 0/0 (within this of it), it is interpolated from
# twice as far either side.
_NEAR_SINGULAR: Final = 1e-5
# The tabled hypergeometric series of the expectation (see _euler_hyp2f1).
_SERIES_RATIO: Final = 0.1
_SERIES_TERMS: Final = 17  # 0.1 ** 17 is below double precision
_SERIES_MAX_Z: Final = 0.95
_SERIES_MAX_FREQUENCY: Final = 256
_SERIES_MIN_CUSTOMERS: Final = 20_000
_SERIES_BLOCK: Final = 1 << 14  # customers summed at once, to stay in the CPU's cache
_FALLBACK_TERMS: Final = 100_000


# -- errors ---------------------------------------------------------------------------


class InvalidCustomerDataError(MembershipError):
    """Customer summaries a model cannot use: NaN, negative, inconsistent or misaligned."""

    code = "membership.invalid_customer_data"


class InvalidModelParametersError(MembershipError):
    """Model parameters that are not positive finite numbers, or that leave a mean undefined."""

    code = "membership.invalid_model_parameters"


class InvalidForecastError(MembershipError):
    """A question put to a model is malformed: a negative horizon, an unknown time unit."""

    code = "membership.invalid_forecast"


class FitDidNotConvergeError(MembershipError):
    """Maximum likelihood found no estimate: the optimiser failed or ran off to a bound."""

    code = "membership.fit_did_not_converge"


# -- input ----------------------------------------------------------------------------


def _position(name: str, flat: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return name
    index = np.unravel_index(flat, shape)
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


def _first(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask.ravel())[0])


def _values(
    name: str,
    values: object,
    *,
    whole: bool = False,
    error: type[MembershipError] = InvalidCustomerDataError,
) -> Array:
    """``values`` as a float array: finite, not negative, whole numbers if ``whole``."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise error(
            f"{name} must be a number or an array of numbers, not {type(values).__name__}"
        ) from None
    if not np.isfinite(array).all():
        at = _first(~np.isfinite(array))
        raise error(
            f"{_position(name, at, array.shape)} is {array.ravel()[at]}: "
            "every value must be a finite number"
        )
    if array.size and array.min() < 0:
        at = _first(array < 0)
        raise error(f"{_position(name, at, array.shape)} = {array.ravel()[at]} is negative")
    if whole and np.any(np.floor(array) != array):
        at = _first(np.floor(array) != array)
        raise error(
            f"{_position(name, at, array.shape)} = {array.ravel()[at]} is not a whole "
            "number: it counts repeat purchases"
        )
    return array


def _customers(
    frequency: object,
    recency: object,
    T: object,  # noqa: N803
    *,
    fitting: bool = False,
) -> tuple[Array, Array, Array]:
    """Checked ``(frequency, recency, T)``, broadcast (or, for a fit, equally long)."""
    x = _values("frequency", frequency, whole=True)
    t_x = _values("recency", recency)
    age = _values("T", T)
    shapes = f"frequency has shape {x.shape}, recency {t_x.shape} and T {age.shape}"
    if fitting and not (x.ndim == 1 and x.shape == t_x.shape == age.shape):
        raise InvalidCustomerDataError(
            f"{shapes}: a fit needs one-dimensional arrays of equal length, one value per customer"
        )
    if fitting and not x.size:
        raise InvalidCustomerDataError("there are no customers to fit the model to")
    try:
        x, t_x, age = np.broadcast_arrays(x, t_x, age)
    except ValueError:
        raise InvalidCustomerDataError(
            f"{shapes}: give one value per customer in each (or one number for all)"
        ) from None
    if np.any(t_x > age):
        at = _first(t_x > age)
        raise InvalidCustomerDataError(
            f"{_position('recency', at, x.shape)} = {t_x.ravel()[at]} is after "
            f"{_position('T', at, x.shape)} = {age.ravel()[at]}: the last repeat purchase "
            "cannot come after the end of observation (are both in the same time unit?)"
        )
    lone = (x == 0) & (t_x != 0)
    if np.any(lone):
        at = _first(lone)
        raise InvalidCustomerDataError(
            f"{_position('recency', at, x.shape)} = {t_x.ravel()[at]} but "
            f"{_position('frequency', at, x.shape)} = 0: a customer with no repeat purchase "
            "has recency 0"
        )
    return x, t_x, age


def _weights(weights: object, size: int) -> Array:
    if weights is None:
        return np.ones(size)
    array = _values("weights", weights)
    if array.shape != (size,):
        raise InvalidCustomerDataError(
            f"weights has shape {array.shape} for {size} customers: give one weight per customer"
        )
    if not array.sum() > 0:
        raise InvalidCustomerDataError("weights are all zero: no customer would count")
    return array


def _out(result: Array, scalar: bool) -> float | Array:
    return float(result) if scalar else result


def _is_scalar(*values: object) -> bool:
    """Whether every value is one number, so that the result is a float."""
    return all(
        isinstance(value, int | float | np.number)
        or (isinstance(value, np.ndarray) and value.ndim == 0)
        for value in values
    )


def _positive(cls: type, **values: float) -> None:
    for name, value in values.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not (number and np.isfinite(value) and value > 0):
            raise InvalidModelParametersError(
                f"{cls.__name__}.{name} must be a positive finite number, not {value!r}"
            )


def _minimise(
    objective: Callable[[Array], tuple[float, Array]],
    start: Array,
    *,
    customers: float,
    model: str,
    names: tuple[str, ...],
) -> Array:
    """The log-parameters that maximise ``objective`` (total log-likelihood and gradient)."""

    def mean_negative(theta: Array) -> tuple[float, Array]:
        value, gradient = objective(theta)
        return -value / customers, -gradient / customers

    with np.errstate(all="ignore"):
        result = optimize.minimize(
            mean_negative, start, jac=True, method="BFGS", options={"gtol": _GRADIENT_TOLERANCE}
        )
    theta = np.asarray(result.x, dtype=np.float64)
    gradient = np.asarray(result.jac, dtype=np.float64)
    at = ", ".join(f"{name}={value:.4g}" for name, value in zip(names, np.exp(theta), strict=True))
    if not (np.isfinite(theta).all() and np.isfinite(result.fun)):
        raise FitDidNotConvergeError(
            f"the {model} likelihood could not be evaluated near {at}: "
            "check the data for customers far outside the others' range"
        )
    if np.abs(theta).max() > _LOG_PARAMETER_BOUND:
        raise FitDidNotConvergeError(
            f"the {model} estimates ran off towards a bound ({at}): the data do "
            "not identify the model (too few customers, or too few with repeat purchases)"
        )
    if not (result.success or np.abs(gradient).max() <= _ACCEPTED_GRADIENT):
        raise FitDidNotConvergeError(
            f"the {model} fit stopped after {result.nit} iterations without converging "
            f"({result.message}); check that all values are in one time unit"
        )
    if _least_curvature(mean_negative, theta) <= _LEAST_CURVATURE:
        raise FitDidNotConvergeError(
            f"the {model} likelihood is flat around the estimates ({at}): the data "
            "do not identify the model (too few customers, too few repeat purchases, or "
            "no sign of anyone dropping out)"
        )
    return theta


def _least_curvature(objective: Callable[[Array], tuple[float, Array]], theta: Array) -> float:
    """The smallest eigenvalue of the Hessian of ``objective`` at ``theta``."""
    steps = np.eye(theta.size) * _CURVATURE_STEP
    with np.errstate(all="ignore"):
        hessian = np.array(
            [
                (objective(theta + h)[1] - objective(theta - h)[1]) / (2 * _CURVATURE_STEP)
                for h in steps
            ]
        )
    if not np.isfinite(hessian).all():
        return 0.0
    return float(np.linalg.eigvalsh((hessian + hessian.T) / 2.0).min())


# -- BG/NBD ---------------------------------------------------------------------------


@attrs.frozen
class BetaGeoParams:
    """The four BG/NBD parameters, positive.

    Attributes:
        r: Shape of the gamma distribution of purchase rates across customers.
        alpha: Its rate parameter, in the model's time unit (``r / alpha`` is the mean
            number of purchases per time unit).
        a: First shape of the beta distribution of drop-out probabilities.
        b: Its second shape (``a / (a + b)`` is the mean chance of dropping out after a
            purchase).

    Raises:
        InvalidModelParametersError: A parameter is not a positive finite number.

    Example:
        >>> from staycore.membership.lifetime import BetaGeoParams
        >>> params = BetaGeoParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(params.r / params.alpha, 4), round(params.a / (params.a + params.b), 3)
        (0.0551, 0.246)
    """

    r: float
    alpha: float
    a: float
    b: float

    def __attrs_post_init__(self) -> None:
        _positive(type(self), r=self.r, alpha=self.alpha, a=self.a, b=self.b)

    @classmethod
    def start(cls, mean_frequency: float, mean_age: float) -> BetaGeoParams:
        """Where a fit starts: ``r/alpha`` the observed rate, a quarter dropping out.

        :meth:`BetaGeo.fit` starts here, and so should a fit over partitions
        (:meth:`BetaGeo.fit_objective`), so that both take the same path.

        Example:
            >>> from staycore.membership.lifetime import BetaGeoParams
            >>> start = BetaGeoParams.start(mean_frequency=1.04, mean_age=32.7)
            >>> start.r, round(start.alpha, 4), start.a, start.b
            (1.0, 31.4423, 1.0, 3.0)
        """
        rate = max(mean_frequency, 1e-3) / max(mean_age, 1e-12)
        return cls(r=1.0, alpha=1.0 / rate, a=1.0, b=3.0)


class _BetaGeoData:
    """Customers prepared for repeated likelihood evaluations.

    The terms that depend on a customer's frequency alone are summed once per distinct
    frequency, and customers with no repeat purchase once per distinct age: on CDNOW
    this leaves a thousand rows of per-customer work instead of 2,357.
    """

    def __init__(self, x: Array, t_x: Array, age: Array, weights: Array) -> None:
        self.total = float(weights.sum())
        self.counts, self.count_weights = _grouped(x, weights)
        repeat = x > 0
        self.ages0, self.weights0 = _grouped(age[~repeat], weights[~repeat])
        self.x = x[repeat]
        self.t_x = t_x[repeat]
        self.age = age[repeat]
        self.weights = weights[repeat]
        self.repeat_counts, self.repeat_index = np.unique(self.x, return_inverse=True)
        self.mean_frequency = float(x @ weights) / self.total
        self.mean_age = float(age @ weights) / self.total

    def start(self) -> Array:
        """Log-parameters to start from (:meth:`BetaGeoParams.start`)."""
        p = BetaGeoParams.start(self.mean_frequency, self.mean_age)
        return np.log(np.array([p.r, p.alpha, p.a, p.b], dtype=np.float64))

    def log_likelihood(self, theta: Array) -> tuple[float, Array]:
        """Total log-likelihood and its gradient in log-parameters, at ``exp(theta)``."""
        r, alpha, a, b = np.exp(theta)
        counts, by_count = self.counts, self.count_weights
        # Per distinct frequency: log Gamma(r+x)/Gamma(r) and log B(a, b+x)/B(a, b).
        value = by_count @ (
            special.gammaln(r + counts)
            - special.gammaln(r)
            + special.betaln(a, b + counts)
            - special.betaln(a, b)
        ) + self.total * r * np.log(alpha)
        digamma_ab = special.digamma(a + b)
        digamma_abx = special.digamma(a + b + counts)
        d_r = by_count @ (special.digamma(r + counts) - special.digamma(r)) + self.total * np.log(
            alpha
        )
        d_alpha = self.total * r / alpha
        d_a = by_count @ (digamma_ab - digamma_abx)
        d_b = by_count @ (
            digamma_ab + special.digamma(b + counts) - special.digamma(b) - digamma_abx
        )
        # No repeat purchase: alive throughout, -r log(alpha + T).
        log_age0 = np.log(alpha + self.ages0)
        value -= r * (self.weights0 @ log_age0)
        d_r -= self.weights0 @ log_age0
        d_alpha -= r * (self.weights0 @ (1.0 / (alpha + self.ages0)))
        # Repeat purchases: alive at T, or dropped out right after the last purchase;
        # `odds` is the log-odds of the second, so the sum of both is a softplus.
        rx = r + self.x
        log_age = np.log(alpha + self.age)
        log_recency = np.log(alpha + self.t_x)
        log_bx = np.log(b + self.repeat_counts - 1.0)[self.repeat_index]
        odds = np.log(a) - log_bx + rx * (log_age - log_recency)
        weights = self.weights
        value += weights @ (np.logaddexp(0.0, odds) - rx * log_age)
        dead = special.expit(odds)
        d_r -= weights @ (log_age + dead * (log_recency - log_age))
        d_alpha -= weights @ (rx * ((1.0 - dead) / (alpha + self.age) + dead / (alpha + self.t_x)))
        d_a += (weights @ dead) / a
        d_b -= weights @ (dead / (b + self.x - 1.0))
        gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        return float(value), gradient


def _grouped(values: Array, weights: Array) -> tuple[Array, Array]:
    distinct, index = np.unique(values, return_inverse=True)
    totals = np.bincount(index, weights=weights, minlength=distinct.size)
    return distinct, np.asarray(totals, dtype=np.float64)


def beta_geo_log_likelihood(
    params: BetaGeoParams,
    frequency: Values,
    recency: Values,
    T: Values,  # noqa: N803
    *,
    weights: Values | None = None,
) -> tuple[float, Array]:
    """The BG/NBD log-likelihood of some customers, and its gradient.

    Both are totals over the customers, so the values of several partitions of one
    customer base add up to the value of the whole: fit a base too large for one machine
    by summing this over its partitions inside the objective of
    :meth:`BetaGeo.fit_objective`.

    Args:
        params: Where to evaluate.
        frequency: Repeat purchases of each customer.
        recency: Time of each customer's last repeat purchase.
        T: Each customer's age.
        weights: How many customers each row stands for (1 each by default).

    Returns:
        The total log-likelihood, in the time unit of the data, and its gradient with
        respect to ``(log r, log alpha, log a, log b)``.

    Raises:
        InvalidCustomerDataError: The customers fail the checks of :meth:`BetaGeo.fit`.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.lifetime import beta_geo_log_likelihood
        >>> value, gradient = beta_geo_log_likelihood(
        ...     model.params, [2, 0], [30.43, 0], [38.86, 38.86])
        >>> round(value, 3), gradient.shape
        (-10.013, (4,))
    """
    x, t_x, age = _customers(frequency, recency, T, fitting=True)
    data = _BetaGeoData(x, t_x, age, _weights(weights, x.size))
    return data.log_likelihood(np.log([params.r, params.alpha, params.a, params.b]))


@attrs.frozen
class BetaGeo:
    """A BG/NBD model: P(alive) and expected purchases from frequency, recency and age.

    Build one with :meth:`fit`, or from known parameters.

    Attributes:
        params: The parameters.
        log_likelihood: The maximised total log-likelihood of the data it was fitted to,
            in their time unit; ``None`` when built from known parameters.

    Example:
        CDNOW's 2,357 customers condensed into 13 patterns of frequency, recency and
        age (in weeks), each weighted by the number of customers it stands for;
        continuing the module example above:

        >>> patterns = (
        ...     [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 8, 9],
        ...     [0, 7, 26, 11, 26, 12, 27, 11, 27, 13, 29, 14, 30],
        ...     [33, 33, 33, 32, 33, 32, 33, 33, 33, 33, 33, 32, 34],
        ... )
        >>> customers = [1411, 329, 110, 111, 103, 45, 55, 15, 47, 12, 26, 12, 81]
        >>> fitted = BetaGeo.fit(*patterns, weights=customers)
        >>> p = fitted.params
        >>> round(p.r, 3), round(p.alpha, 2), round(p.a, 3), round(p.b, 2)
        (0.298, 6.98, 0.741, 2.95)
        >>> round(fitted.log_likelihood, 1)
        -9739.8
    """

    params: BetaGeoParams
    log_likelihood: float | None = None

    @classmethod
    def fit(
        cls,
        frequency: Values,
        recency: Values,
        T: Values,  # noqa: N803
        *,
        weights: Values | None = None,
    ) -> BetaGeo:
        """Fit the model to customers by maximum likelihood.

        Args:
            frequency: Repeat purchases of each customer (whole numbers).
            recency: Time of each customer's last repeat purchase, from their first
                purchase (0 when they made none).
            T: Each customer's age: time from their first purchase to the end of
                observation, in the unit of ``recency``.
            weights: How many customers each row stands for, when customers with equal
                summaries come grouped (1 each by default).

        Returns:
            The fitted model; its ``log_likelihood`` is the maximum.

        Raises:
            InvalidCustomerDataError: Arrays of different lengths or none; a value that
                is NaN, infinite or negative; a frequency that is not a whole number; a
                recency after ``T``; a recency without a repeat purchase.
            FitDidNotConvergeError: The optimiser did not converge, or the estimates ran
                off to a bound (a base where nobody came back identifies nothing).

        Example:
            Continuing the module example above:

            When nobody came back there is nothing to estimate:

            >>> BetaGeo.fit([0, 0, 0], [0, 0, 0], [10, 20, 30])
            Traceback (most recent call last):
            ...
            staycore.membership.lifetime.FitDidNotConvergeError:
            [membership.fit_did_not_converge] the BG/NBD ...
        """
        x, t_x, age = _customers(frequency, recency, T, fitting=True)
        data = _BetaGeoData(x, t_x, age, _weights(weights, x.size))
        theta = _minimise(
            data.log_likelihood, data.start(), customers=data.total, model="BG/NBD", names=_BETA_GEO
        )
        value, _ = data.log_likelihood(theta)
        return cls(_beta_geo_params(theta), value)

    @classmethod
    def fit_objective(
        cls,
        objective: Callable[[BetaGeoParams], tuple[float, Array]],
        *,
        customers: float,
        start: BetaGeoParams,
    ) -> BetaGeo:
        """Fit the model to a log-likelihood evaluated elsewhere, such as over partitions.

        Args:
            objective: The total log-likelihood at some parameters, and its gradient in
                log-parameters, as :func:`beta_geo_log_likelihood` returns them (or their
                sums over the partitions of a customer base).
            customers: How many customers the objective covers; the optimiser's
                tolerances are per customer.
            start: Where to start: ``r = 1``, ``alpha`` the mean age over the mean
                frequency, ``a = 1`` and ``b = 3`` serve well.

        Returns:
            The fitted model.

        Raises:
            FitDidNotConvergeError: As for :meth:`fit`.

        Example:
            Continuing the class example above, its patterns in two partitions fitted as
            one base:

            >>> partitions = [
            ...     ([column[:6] for column in patterns], customers[:6]),
            ...     ([column[6:] for column in patterns], customers[6:]),
            ... ]
            >>> def objective(params):
            ...     parts = [beta_geo_log_likelihood(params, *columns, weights=weights)
            ...              for columns, weights in partitions]
            ...     return sum(part[0] for part in parts), sum(part[1] for part in parts)
            >>> start = BetaGeoParams(r=1.0, alpha=30.0, a=1.0, b=3.0)
            >>> whole = BetaGeo.fit_objective(objective, customers=sum(customers), start=start)
            >>> round(whole.params.r, 3), round(whole.log_likelihood, 1)
            (0.298, -9739.8)
        """

        def by_theta(theta: Array) -> tuple[float, Array]:
            value, gradient = objective(_beta_geo_params(theta))
            return value, np.asarray(gradient, dtype=np.float64)

        begin = np.log([start.r, start.alpha, start.a, start.b])
        theta = _minimise(by_theta, begin, customers=customers, model="BG/NBD", names=_BETA_GEO)
        value, _ = by_theta(theta)
        return cls(_beta_geo_params(theta), value)

    @overload
    def p_alive(self, frequency: Number, recency: Number, T: Number) -> float: ...  # noqa: N803
    @overload
    def p_alive(
        self,
        frequency: Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> Array: ...
    @overload
    def p_alive(
        self,
        frequency: Number | Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> float | Array: ...
    def p_alive(
        self,
        frequency: Number | Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> float | Array:
        """The probability that each customer is still alive at the end of observation.

        1 for a customer with no repeat purchase: in the BG/NBD model a customer can only
        drop out right after a repeat purchase (Fader, Hardie & Lee 2008, "Computing
        P(alive) using the BG/NBD model").

        Args:
            frequency: Repeat purchases.
            recency: Time of the last repeat purchase.
            T: Age.

        Returns:
            A float in [0, 1] for one customer, an array for arrays.

        Raises:
            InvalidCustomerDataError: As for :meth:`fit`.

        Example:
            Continuing the module example above: the longer since the last purchase, the
            less likely the customer is still there.

            >>> [round(model.p_alive(3, recency, 40.0), 3) for recency in (39, 20, 5)]
            [0.838, 0.445, 0.035]
        """
        x, t_x, age = _customers(frequency, recency, T)
        return _out(_p_alive(self.params, x, t_x, age), _is_scalar(frequency, recency, T))

    @overload
    def expected_purchases(
        self,
        t: Number,
        frequency: Number,
        recency: Number,
        T: Number,  # noqa: N803
    ) -> float: ...
    @overload
    def expected_purchases(
        self,
        t: Number | Values,
        frequency: Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> Array: ...
    @overload
    def expected_purchases(
        self,
        t: Values,
        frequency: Number | Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> Array: ...
    @overload
    def expected_purchases(
        self,
        t: Number | Values,
        frequency: Number | Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> float | Array: ...
    def expected_purchases(
        self,
        t: Number | Values,
        frequency: Number | Values,
        recency: Number | Values,
        T: Number | Values,  # noqa: N803
    ) -> float | Array:
        """Expected purchases in the next ``t`` time units, given each customer's history.

        Equation (10) of Fader, Hardie & Lee (2005): the expectation for a customer still
        alive, times :meth:`p_alive`. Its Gaussian hypergeometric function is taken in
        Euler's transformed form, whose parameters do not grow with the frequency, so a
        customer with hundreds of purchases costs no more than one with two and never
        overflows.

        Args:
            t: The horizon, from the end of observation, in the model's time unit.
            frequency: Repeat purchases.
            recency: Time of the last repeat purchase.
            T: Age.

        Returns:
            A float for one customer (and one horizon), an array otherwise.

        Raises:
            InvalidCustomerDataError: As for :meth:`fit`.
            InvalidForecastError: A negative or NaN horizon, or one per customer for
                customers of another shape.

        Example:
            Continuing the module example above: CDNOW's first customer over the next
            39 weeks, and over the next 1, 10 and 100 weeks.

            >>> round(model.expected_purchases(39, 2, 30.43, 38.86), 4)
            1.226
            >>> model.expected_purchases(np.array([1.0, 10.0, 100.0]), 2, 30.43, 38.86).round(3)
            array([0.037, 0.357, 2.593])
        """
        horizon = _values("t", t, error=InvalidForecastError)
        x, t_x, age = _customers(frequency, recency, T)
        try:
            horizon, x, t_x, age = np.broadcast_arrays(horizon, x, t_x, age)
        except ValueError:
            raise InvalidForecastError(
                f"t has shape {horizon.shape} and the customers {x.shape}: give one horizon "
                "per customer, or one for all"
            ) from None
        expected = _expected_if_alive(self.params, horizon, x, age) * _p_alive(
            self.params, x, t_x, age
        )
        return _out(expected, _is_scalar(t, frequency, recency, T))

    @overload
    def expected_purchases_new(self, t: Number) -> float: ...
    @overload
    def expected_purchases_new(self, t: Values) -> Array: ...
    def expected_purchases_new(self, t: Number | Values) -> float | Array:
        """Expected repeat purchases in ``t`` time units of a customer just acquired.

        Equation (9) of Fader, Hardie & Lee (2005): the expectation for a randomly chosen
        customer, ``t`` after their first purchase.

        Args:
            t: The horizon, in the model's time unit.

        Returns:
            A float for one horizon, an array for an array.

        Raises:
            InvalidForecastError: A negative or NaN horizon.

        Example:
            Continuing the module example above: a CDNOW customer's first year, and
            the figures of Fader, Hardie & Lee's spreadsheet at 1, 32 and 78 weeks.

            >>> round(model.expected_purchases_new(52), 3)
            1.446
            >>> model.expected_purchases_new(np.array([1.0, 32.0, 78.0])).round(4)
            array([0.0533, 1.0452, 1.8605])
        """
        horizon = _values("t", t, error=InvalidForecastError)
        zero = np.zeros_like(horizon)
        return _out(_expected_if_alive(self.params, horizon, zero, zero), _is_scalar(t))

    @overload
    def probability_of_purchases(self, n: Number, t: Number) -> float: ...
    @overload
    def probability_of_purchases(self, n: Values, t: Number | Values) -> Array: ...
    @overload
    def probability_of_purchases(self, n: Number, t: Values) -> Array: ...
    def probability_of_purchases(self, n: Number | Values, t: Number | Values) -> float | Array:
        """The probability that a customer just acquired makes ``n`` repeat purchases in ``t``.

        Equation (8) of Fader, Hardie & Lee (2005), in log space; its finite sum is the
        negative binomial's survival function, a regularised incomplete beta function.

        Args:
            n: The number of repeat purchases (whole numbers).
            t: The time since the first purchase, in the model's time unit.

        Returns:
            A float for numbers, an array for arrays (``n`` and ``t`` broadcast).

        Raises:
            InvalidForecastError: A negative, NaN or fractional ``n``, a negative or NaN
                ``t``, or shapes that do not broadcast.

        Example:
            Continuing the module example above: most CDNOW customers never come back in
            their first year, and the probabilities add up to 1.

            >>> round(model.probability_of_purchases(0, 52), 3)
            0.538
            >>> round(float(model.probability_of_purchases(np.arange(500), 52).sum()), 9)
            1.0
        """
        count = _values("n", n, whole=True, error=InvalidForecastError)
        horizon = _values("t", t, error=InvalidForecastError)
        try:
            count, horizon = np.broadcast_arrays(count, horizon)
        except ValueError:
            raise InvalidForecastError(
                f"n has shape {count.shape} and t {horizon.shape}: they must broadcast"
            ) from None
        r, alpha, a, b = self.params.r, self.params.alpha, self.params.a, self.params.b
        log_beta_ab = special.betaln(a, b)
        # Still alive at t, with n purchases: a negative binomial count.
        alive = np.exp(
            special.betaln(a, b + count)
            - log_beta_ab
            + special.gammaln(r + count)
            - special.gammaln(r)
            - special.gammaln(count + 1.0)
            + r * np.log(alpha / (alpha + horizon))
            + special.xlogy(count, horizon / (alpha + horizon))
        )
        # Dropped out right after the n-th purchase, which came before t.
        repeat = count > 0
        safe = np.where(repeat, count, 1.0)
        dropped = np.where(
            repeat,
            np.exp(special.betaln(a + 1.0, b + safe - 1.0) - log_beta_ab)
            * special.betaincc(r, safe, alpha / (alpha + horizon)),
            0.0,
        )
        return _out(alive + dropped, _is_scalar(n, t))


def _beta_geo_params(theta: Array) -> BetaGeoParams:
    r, alpha, a, b = (float(value) for value in np.exp(theta))
    return BetaGeoParams(r=r, alpha=alpha, a=a, b=b)


def _p_alive(params: BetaGeoParams, x: Array, t_x: Array, age: Array) -> Array:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    # log-odds of having dropped out right after the last purchase against being alive
    odds = np.log(a / (b + np.maximum(x, 1.0) - 1.0)) + (r + x) * np.log1p(
        (age - t_x) / (alpha + t_x)
    )
    return np.asarray(np.where(x > 0, special.expit(-odds), 1.0), dtype=np.float64)


def _expected_if_alive(params: BetaGeoParams, t: Array, x: Array, age: Array) -> Array:
    """Expected purchases in ``t`` after ``age`` of customers alive at ``age``."""
    # The formula is 0/0 at a = 1 (its factor 1/(a-1)) and, for customers with no repeat
    # purchase, at a + b = 1 (its hypergeometric function's c = 0), but smooth through
    # both: there it is interpolated from either side.
    for name, gap in (("a", params.a - 1.0), ("b", params.a + params.b - 1.0)):
        if abs(gap) < _NEAR_SINGULAR:
            value = getattr(params, name)
            below = attrs.evolve(params, **{name: value - gap - 2 * _NEAR_SINGULAR})
            above = attrs.evolve(params, **{name: value - gap + 2 * _NEAR_SINGULAR})
            low = _expected_if_alive(below, t, x, age)
            high = _expected_if_alive(above, t, x, age)
            return low + (gap + 2 * _NEAR_SINGULAR) / (4 * _NEAR_SINGULAR) * (high - low)
    return _expected_if_alive_at(params, t, x, age)


def _expected_if_alive_at(params: BetaGeoParams, t: Array, x: Array, age: Array) -> Array:
    """Fader, Hardie & Lee (2005) equation (10) without its P(alive) factor.

    ``(a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]``
    with ``z = t / (alpha+T+t)``. Euler's transformation
    ``2F1(p, q; c; z) = (1-z)^(c-p-q) 2F1(c-p, c-q; c; z)`` turns the bracket into
    ``1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``: the power no longer grows with
    ``x``, and the series converges faster the larger ``x`` is.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + age + t)
    log_rest = np.log1p(-z)  # log(1 - z), and z < 1 as alpha > 0
    # Where a and b are in the thousands and more (a fit to a base whose drop-out chance
    # is the same for everyone), F and (1-z)^(a-1) over- and underflow: the printed
    # form takes over there (below).
    with np.errstate(over="ignore", invalid="ignore"):
        hypergeometric = _euler_hyp2f1(a + b - 1.0 - r, a - 1.0, a + b - 1.0, x, z)
        # 1 - (1-z)^(a-1) F, with the small parts kept apart so that a short horizon
        # keeps its digits
        bracket = -np.expm1((a - 1.0) * log_rest) - np.exp((a - 1.0) * log_rest) * (
            hypergeometric - 1.0
        )
        expected = np.asarray((a + b + x - 1.0) / (a - 1.0) * bracket, dtype=np.float64)
    lost = ~np.isfinite(expected)
    if lost.any():
        t, x, age = (np.broadcast_to(v, expected.shape)[lost] for v in (t, x, age))
        expected[lost] = _expected_as_printed(params, t, x, age)
    return np.asarray(np.maximum(expected, 0.0), dtype=np.float64)


def _expected_as_printed(params: BetaGeoParams, t: Array, x: Array, age: Array) -> Array:
    """Equation (10) without P(alive), as printed: finite where Euler's form overflows.

    ``2F1(r+x, b+x; a+b+x-1; z)`` stays moderate however large ``a`` and ``b`` are, as
    its terms tend to those of ``(1 - z b/(a+b))^-(r+x)``; but its power of ``1-z``
    grows with ``x``, which is why Euler's form comes first.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + age + t)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        power = np.exp((r + x) * np.log1p(-z))
        bracket = 1.0 - power * _hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        return np.asarray((a + b + x - 1.0) / (a - 1.0) * bracket, dtype=np.float64)


def _series_edges() -> Array:
    """Edges of the intervals of z around whose centres the series are expanded."""
    edges = [0.0]
    while edges[-1] < _SERIES_MAX_Z:
        low = edges[-1]
        # the next edge puts the interval's half-width at _SERIES_RATIO of the distance
        # from its centre to the singularity at z = 1
        edges.append((2.0 * _SERIES_RATIO + low * (1.0 - _SERIES_RATIO)) / (1.0 + _SERIES_RATIO))
    return np.array(edges)


_SERIES_EDGES: Final = _series_edges()
_SERIES_CENTRES: Final = (_SERIES_EDGES[:-1] + _SERIES_EDGES[1:]) / 2.0


def _euler_hyp2f1(p: float, q: float, c: float, x: Array, z: Array) -> Array:
    """``2F1(p, q; c + x; z)`` for many customers: ``p``, ``q``, ``c`` shared, ``x`` whole.

    scipy sums the hypergeometric series from 0 for every customer, some fifty terms at
    the z of a typical customer base. Here all customers share ``p`` and ``q`` and differ
    in ``c`` by whole numbers, so few distinct functions are needed: each is expanded in
    a Taylor series around the centres of a few intervals of z (its coefficients are
    again hypergeometric functions, from scipy), and each customer sums seventeen terms
    of the series of their own frequency and interval. Every customer lies within a tenth
    of the radius of convergence of their series, so the terms left out are below double
    precision. Customers too few to pay for the table, with very large frequencies, or
    with z close to 1 go to scipy directly.
    """
    shape = z.shape
    x, z = np.ravel(x), np.ravel(z)
    out = np.empty_like(z)
    tabled = (z <= _SERIES_MAX_Z) & (x <= _SERIES_MAX_FREQUENCY)
    if np.count_nonzero(tabled) >= _SERIES_MIN_CUSTOMERS:
        width = _SERIES_MAX_FREQUENCY + 1
        interval = np.searchsorted(_SERIES_EDGES, z, side="right") - 1
        interval = np.minimum(interval, _SERIES_CENTRES.size - 1)
        frequency = np.minimum(x, _SERIES_MAX_FREQUENCY).astype(np.int64)
        key = np.where(tabled, interval * width + frequency, 0)
        used = np.flatnonzero(np.bincount(key[tabled], minlength=_SERIES_CENTRES.size * width))
        if used.size * _SERIES_TERMS * 4 <= np.count_nonzero(tabled):
            total = _series_sum(p, q, c, used=used, key=key, z=z, interval=interval)
            out[tabled] = total[tabled]
        else:
            tabled[:] = False
    else:
        tabled[:] = False
    rest = ~tabled
    if rest.any():
        out[rest] = _hyp2f1(p, q, c + x[rest], z[rest])
    out[z == 0] = 1.0
    return out.reshape(shape)


def _hyp2f1(p: float | Array, q: float | Array, c: Array, z: Array) -> Array:
    """The ``hyp2f1`` of scipy, with its failures summed as a plain power series.

    scipy (1.17) returns inf or NaN for real z above 0.9 when c - p - q is a whole number
    from about 99 up (``hyp2f1(1, 1, 104, 0.91)``); the BG/NBD expectation meets that
    when r - a is whole and a customer has a hundred purchases. There the terms of the
    series fall like k ** -(c - p - q + 1), and a few hundred of them are exact.
    """
    value = np.array(special.hyp2f1(p, q, c, z), dtype=np.float64)
    failed = ~np.isfinite(value)
    if failed.any():
        p_, q_, c_, z_ = (np.broadcast_to(v, value.shape)[failed] for v in (p, q, c, z))
        total, term = np.ones_like(z_), np.ones_like(z_)
        for k in range(_FALLBACK_TERMS):
            term *= (p_ + k) * (q_ + k) / ((c_ + k) * (k + 1.0)) * z_
            total += term
            # A sum past the largest float stays so: the caller sees it is not finite.
            done = (np.abs(term) <= 1e-17 * (1.0 - z_) * np.abs(total)) | ~np.isfinite(total)
            if k > 8 and np.all(done):
                break
        value[failed] = total
    return value


def _series_sum(
    p: float,
    q: float,
    c: float,
    *,
    used: npt.NDArray[np.intp],
    key: npt.NDArray[np.int64],
    z: Array,
    interval: npt.NDArray[np.intp],
) -> Array:
    """The Taylor sums of :func:`_euler_hyp2f1` for every customer (by ``key``)."""
    width = _SERIES_MAX_FREQUENCY + 1
    centre_index, frequency = np.divmod(used, width)
    k = np.arange(_SERIES_TERMS, dtype=np.float64)[:, None]
    cx = c + frequency[None, :]
    centre = _SERIES_CENTRES[centre_index][None, :]
    # d^k/dz^k 2F1(p, q; cx; z) / k! = (p)_k (q)_k / ((cx)_k k!) 2F1(p+k, q+k; cx+k; z)
    coefficients = (
        special.poch(p, k)
        * special.poch(q, k)
        / (special.poch(cx, k) * special.factorial(k))
        * _hyp2f1(p + k, q + k, cx + k, centre)
    )
    column = np.zeros(_SERIES_CENTRES.size * width, dtype=np.int64)
    column[used] = np.arange(used.size)
    columns = column[key]
    offset = z - _SERIES_CENTRES[interval]
    total = np.empty_like(z)
    for start in range(0, z.size, _SERIES_BLOCK):
        block = slice(start, start + _SERIES_BLOCK)
        terms = coefficients[:, columns[block]]
        step = offset[block]
        acc = terms[-1].copy()
        for j in range(_SERIES_TERMS - 2, -1, -1):  # Horner
            acc *= step
            acc += terms[j]
        total[block] = acc
    return total


# -- Gamma-Gamma ----------------------------------------------------------------------


@attrs.frozen
class GammaGammaParams:
    """The three Gamma-Gamma spend parameters, positive.

    A customer's spend per purchase is gamma with shape ``p`` and a rate of their own;
    the rates are gamma across customers with shape ``q`` and rate ``v``.

    Attributes:
        p: Shape of the spend per purchase.
        q: Shape of the distribution of rates across customers.
        v: Its rate, in the currency units of the spend (``v`` is the paper's gamma).

    Raises:
        InvalidModelParametersError: A parameter is not a positive finite number.

    Example:
        >>> from staycore.membership.lifetime import GammaGammaParams
        >>> params = GammaGammaParams(p=6.25, q=3.74, v=15.44)
        >>> round(params.population_mean, 2)
        35.22
    """

    p: float
    q: float
    v: float

    def __attrs_post_init__(self) -> None:
        _positive(type(self), p=self.p, q=self.q, v=self.v)

    @property
    def population_mean(self) -> float:
        """The mean spend per purchase across customers, ``p v / (q - 1)``.

        Raises:
            InvalidModelParametersError: ``q`` is at most 1, when the mean is infinite.
        """
        if self.q <= 1.0:
            raise InvalidModelParametersError(
                f"q = {self.q} is at most 1: the spend model's population mean is infinite"
            )
        return self.p * self.v / (self.q - 1.0)

    @classmethod
    def start(cls, mean_spend: float) -> GammaGammaParams:
        """Where a fit starts: ``p = 1``, ``q = 2``, the population mean the observed one.

        :meth:`GammaGamma.fit` starts here, and so should a fit over partitions
        (:meth:`GammaGamma.fit_objective`), so that both take the same path.

        Args:
            mean_spend: The repeat customers' mean spend per purchase, their
                ``monetary`` values averaged over the customers.

        Example:
            >>> from staycore.membership.lifetime import GammaGammaParams
            >>> start = GammaGammaParams.start(mean_spend=35.5)
            >>> start, start.population_mean
            (GammaGammaParams(p=1.0, q=2.0, v=35.5), 35.5)
        """
        return cls(p=1.0, q=2.0, v=max(mean_spend, 1e-12))


@attrs.frozen
class GammaGamma:
    """A Gamma-Gamma spend model: expected spend per purchase from a customer's mean spend.

    It assumes spend per purchase independent of how often the customer buys (check the
    correlation of frequency and mean spend before relying on it).

    Attributes:
        params: The parameters.
        log_likelihood: The maximised total log-likelihood of the data it was fitted to
            (in their currency units); ``None`` when built from known parameters.

    Example:
        The estimates published for CDNOW's 946 repeat customers; a customer who spent
        100.00 on average over two purchases is expected to spend less next time:

        >>> from staycore.membership.lifetime import GammaGamma, GammaGammaParams
        >>> spend = GammaGamma(GammaGammaParams(p=6.25, q=3.74, v=15.44))
        >>> round(spend.expected_spend(2, 100.0), 2)
        88.35
    """

    params: GammaGammaParams
    log_likelihood: float | None = None

    @classmethod
    def fit(
        cls, frequency: Values, monetary: Values, *, weights: Values | None = None
    ) -> GammaGamma:
        """Fit the model by maximum likelihood to the customers with repeat purchases.

        Customers with no repeat purchase carry no spend information and are left out,
        so the whole summary can be passed as it is.

        Args:
            frequency: Repeat purchases of each customer.
            monetary: Each customer's mean spend over their repeat purchases (positive
                where ``frequency`` is; ignored where it is 0).
            weights: How many customers each row stands for (1 each by default).

        Returns:
            The fitted model.

        Raises:
            InvalidCustomerDataError: Arrays of different lengths; a NaN, infinite or
                negative value; a fractional frequency; a repeat customer with no spend;
                fewer than two repeat customers.
            FitDidNotConvergeError: The optimiser did not converge.

        Example:
            Continuing the class example above: twelve repeat customers and one who
            bought once, whose spend is left out.

            >>> fitted = GammaGamma.fit(
            ...     [1, 2, 2, 3, 5, 1, 4, 6, 2, 3, 1, 8, 0],
            ...     [12.0, 30.5, 18.0, 25.0, 40.2, 80.0, 22.0, 55.0, 9.5, 61.0, 35.0, 27.5, 0.0])
            >>> round(fitted.params.population_mean, 2)
            35.2
        """
        data = _GammaGammaData.read(frequency, monetary, weights)
        if data.total < 2:
            raise InvalidCustomerDataError(
                f"{data.total:g} customer(s) with repeat purchases: the spend model needs "
                "at least two"
            )
        theta = _minimise(
            data.log_likelihood,
            data.start(),
            customers=data.total,
            model="Gamma-Gamma",
            names=_GAMMA_GAMMA,
        )
        value, _ = data.log_likelihood(theta)
        return cls(_gamma_gamma_params(theta), value)

    @classmethod
    def fit_objective(
        cls,
        objective: Callable[[GammaGammaParams], tuple[float, Array]],
        *,
        customers: float,
        start: GammaGammaParams,
    ) -> GammaGamma:
        """Fit the model to a log-likelihood evaluated elsewhere, such as over partitions.

        The counterpart of :meth:`BetaGeo.fit_objective`.

        Args:
            objective: The total log-likelihood at some parameters, and its gradient in
                log-parameters, as :func:`gamma_gamma_log_likelihood` returns them (or
                their sums over the partitions of a customer base).
            customers: How many repeat customers the objective covers; the optimiser's
                tolerances are per customer.
            start: Where to start: :meth:`GammaGammaParams.start` of the repeat
                customers' mean spend, where :meth:`fit` starts.

        Returns:
            The fitted model.

        Raises:
            FitDidNotConvergeError: As for :meth:`fit`.

        Example:
            Continuing the example of :meth:`fit`, its customers in two partitions
            fitted as one base:

            >>> frequency = [1, 2, 2, 3, 5, 1, 4, 6, 2, 3, 1, 8, 0]
            >>> monetary = [12.0, 30.5, 18.0, 25.0, 40.2, 80.0, 22.0, 55.0, 9.5, 61.0,
            ...             35.0, 27.5, 0.0]
            >>> from staycore.membership.lifetime import gamma_gamma_log_likelihood
            >>> def objective(params):
            ...     parts = [gamma_gamma_log_likelihood(params, frequency[i::2], monetary[i::2])
            ...              for i in (0, 1)]
            ...     return sum(part[0] for part in parts), sum(part[1] for part in parts)
            >>> start = GammaGammaParams.start(mean_spend=sum(monetary) / 12)
            >>> whole = GammaGamma.fit_objective(objective, customers=12, start=start)
            >>> round(whole.params.population_mean, 2)
            35.2
        """

        def by_theta(theta: Array) -> tuple[float, Array]:
            value, gradient = objective(_gamma_gamma_params(theta))
            return value, np.asarray(gradient, dtype=np.float64)

        begin = np.log([start.p, start.q, start.v])
        theta = _minimise(
            by_theta, begin, customers=customers, model="Gamma-Gamma", names=_GAMMA_GAMMA
        )
        value, _ = by_theta(theta)
        return cls(_gamma_gamma_params(theta), value)

    @overload
    def expected_spend(self, frequency: Number, monetary: Number) -> float: ...
    @overload
    def expected_spend(self, frequency: Values, monetary: Number | Values) -> Array: ...
    @overload
    def expected_spend(
        self, frequency: Number | Values, monetary: Number | Values
    ) -> float | Array: ...
    def expected_spend(
        self, frequency: Number | Values, monetary: Number | Values
    ) -> float | Array:
        """Each customer's expected spend per purchase, given their repeat purchases.

        A weighted mean of the population mean and the customer's own mean spend,
        ``(p (v + x m)) / (p x + q - 1)``, trusting the customer's own mean more the more
        purchases it rests on; a customer with no repeat purchase gets the population
        mean.

        Args:
            frequency: Repeat purchases.
            monetary: Mean spend over the repeat purchases (ignored where ``frequency``
                is 0).

        Returns:
            A float for one customer, an array for arrays, in the units of ``monetary``.

        Raises:
            InvalidCustomerDataError: As for :meth:`fit`.
            InvalidModelParametersError: ``p x + q`` is at most 1 for some customer, when
                the expectation is infinite.

        Example:
            Continuing the class example above: the first ten CDNOW customers.

            >>> frequency = [2, 1, 0, 0, 0, 7, 1, 0, 2, 0]
            >>> monetary = [22.35, 11.77, 0, 0, 0, 73.74, 11.77, 0, 25.55, 0]
            >>> spend.expected_spend(np.array(frequency), np.array(monetary)).round(2)
            array([24.66, 18.92, 35.22, 35.22, 35.22, 71.47, 18.92, 35.22, 27.29, 35.22])
        """
        x, spend = _spend_columns(frequency, monetary)
        p, q, v = self.params.p, self.params.q, self.params.v
        denominator = p * x + q - 1.0
        if np.any(denominator <= 0):
            at = _first(denominator <= 0)
            raise InvalidModelParametersError(
                f"{_position('frequency', at, x.shape)} = {x.ravel()[at]} with q = {q}: "
                "p x + q is at most 1, so the expected spend is infinite"
            )
        expected = p * (v + x * spend) / denominator
        return _out(expected, _is_scalar(frequency, monetary))


class _GammaGammaData:
    """Repeat customers, checked and prepared for repeated likelihood evaluations.

    Every term is weighted by multiplying before the same sums :meth:`GammaGamma.fit` has
    always taken, so that unit weights give its results bit for bit.
    """

    def __init__(self, x: Array, spend: Array, weights: Array) -> None:
        self.x = x
        self.spend = spend
        self.weights = weights
        self.weighted_x = weights * x
        self.total = float(np.sum(weights))
        self.log_spend = np.log(spend)
        self.log_x = np.log(x)

    @classmethod
    def read(cls, frequency: object, monetary: object, weights: object) -> _GammaGammaData:
        """The repeat customers of checked columns; the others carry no spend to model."""
        x, spend = _spend_columns(frequency, monetary, fitting=True)
        counts = _weights(weights, x.size)
        repeat = x > 0
        if not np.all(spend[repeat] > 0):
            at = int(np.flatnonzero(repeat & (spend <= 0))[0])
            raise InvalidCustomerDataError(
                f"monetary[{at}] is 0 for a customer with repeat purchases: the spend model "
                "needs a positive mean spend (leave out customers whose purchases were free)"
            )
        return cls(x[repeat], spend[repeat], counts[repeat])

    def start(self) -> Array:
        """Log-parameters to start from (:meth:`GammaGammaParams.start`)."""
        mean = float(np.sum(self.weights * self.spend) / self.total) if self.total else 0.0
        p = GammaGammaParams.start(mean)
        return np.log(np.array([p.p, p.q, p.v], dtype=np.float64))

    def log_likelihood(self, theta: Array) -> tuple[float, Array]:
        """Total log-likelihood and its gradient in log-parameters, at ``exp(theta)``."""
        p, q, v = np.exp(theta)
        x, spend, weights = self.x, self.spend, self.weights
        px = p * x
        log_total = np.log(v + x * spend)
        value = np.sum(
            weights
            * (
                special.gammaln(px + q)
                - special.gammaln(px)
                - special.gammaln(q)
                + q * np.log(v)
                + (px - 1.0) * self.log_spend
                + px * self.log_x
                - (px + q) * log_total
            )
        )
        digamma_pq = special.digamma(px + q)
        d_p = self.weighted_x @ (
            digamma_pq - special.digamma(px) + self.log_spend + self.log_x - log_total
        )
        d_q = np.sum(weights * (digamma_pq - log_total)) + self.total * (
            np.log(v) - special.digamma(q)
        )
        d_v = self.total * q / v - np.sum(weights * ((px + q) / (v + x * spend)))
        return float(value), np.array([d_p * p, d_q * q, d_v * v])


def gamma_gamma_log_likelihood(
    params: GammaGammaParams,
    frequency: Values,
    monetary: Values,
    *,
    weights: Values | None = None,
) -> tuple[float, Array]:
    """The Gamma-Gamma log-likelihood of some customers' spend, and its gradient.

    The counterpart of :func:`beta_geo_log_likelihood`: both are totals over the
    customers, so the values of several partitions of one customer base add up to the
    value of the whole; fit a base too large for one machine by summing this over its
    partitions inside the objective of :meth:`GammaGamma.fit_objective`. As in
    :meth:`GammaGamma.fit`, customers with no repeat purchase are left out (a partition
    with none adds 0).

    Args:
        params: Where to evaluate.
        frequency: Repeat purchases of each customer.
        monetary: Each customer's mean spend over their repeat purchases.
        weights: How many customers each row stands for (1 each by default).

    Returns:
        The total log-likelihood, in the currency units of the spend, and its gradient
        with respect to ``(log p, log q, log v)``.

    Raises:
        InvalidCustomerDataError: The customers fail the checks of
            :meth:`GammaGamma.fit` (but for how many there are).

    Example:
        >>> from staycore.membership.lifetime import GammaGammaParams
        >>> from staycore.membership.lifetime import gamma_gamma_log_likelihood
        >>> params = GammaGammaParams(p=6.25, q=3.74, v=15.44)
        >>> value, gradient = gamma_gamma_log_likelihood(params, [2, 1, 0], [22.35, 11.77, 0])
        >>> round(value, 3), gradient.shape
        (-7.289, (3,))
        >>> gamma_gamma_log_likelihood(params, [2, 2], [22.35, 22.35])[0] == (
        ...     gamma_gamma_log_likelihood(params, [2], [22.35], weights=[2])[0])
        True
    """
    data = _GammaGammaData.read(frequency, monetary, weights)
    return data.log_likelihood(np.log([params.p, params.q, params.v]))


def _gamma_gamma_params(theta: Array) -> GammaGammaParams:
    p, q, v = (float(value) for value in np.exp(theta))
    return GammaGammaParams(p=p, q=q, v=v)


def _spend_columns(
    frequency: object, monetary: object, *, fitting: bool = False
) -> tuple[Array, Array]:
    """Checked ``(frequency, monetary)``, broadcast (or, for a fit, equally long)."""
    x = _values("frequency", frequency, whole=True)
    spend = _values("monetary", monetary)
    shapes = f"frequency has shape {x.shape} and monetary {spend.shape}"
    if fitting and not (x.ndim == 1 and x.shape == spend.shape):
        raise InvalidCustomerDataError(
            f"{shapes}: a fit needs one-dimensional arrays of equal length, one value per customer"
        )
    try:
        x, spend = np.broadcast_arrays(x, spend)
    except ValueError:
        raise InvalidCustomerDataError(
            f"{shapes}: give one value per customer in each (or one number for all)"
        ) from None
    return x, spend


# -- lifetime value -------------------------------------------------------------------


@overload
def customer_lifetime_value(
    frequency: Number,
    recency: Number,
    T: Number,  # noqa: N803
    monetary: Number,
    *,
    transactions: BetaGeo,
    spend: GammaGamma,
    unit: TimeUnit,
    months: int = ...,
    discount_rate: float = ...,
) -> float: ...
@overload
def customer_lifetime_value(
    frequency: Values,
    recency: Number | Values,
    T: Number | Values,  # noqa: N803
    monetary: Number | Values,
    *,
    transactions: BetaGeo,
    spend: GammaGamma,
    unit: TimeUnit,
    months: int = ...,
    discount_rate: float = ...,
) -> Array: ...
def customer_lifetime_value(
    frequency: Number | Values,
    recency: Number | Values,
    T: Number | Values,  # noqa: N803
    monetary: Number | Values,
    *,
    transactions: BetaGeo,
    spend: GammaGamma,
    unit: TimeUnit,
    months: int = 12,
    discount_rate: float = 0.01,
) -> float | Array:
    """The discounted value of each customer's purchases over the coming months.

    The usual definition (as in the ``lifetimes`` package): for each month ``i`` from 1
    to ``months``, the purchases expected in that month (by ``transactions``, given the
    customer's history) times the expected spend per purchase (by ``spend``), divided
    by ``(1 + discount_rate) ** i``, summed::

        sum_i  spend * (E[purchases by month i] - E[purchases by month i-1]) / (1 + d)^i

    Args:
        frequency: Repeat purchases.
        recency: Time of the last repeat purchase, in ``unit``.
        T: Age, in ``unit``.
        monetary: Mean spend over the repeat purchases.
        transactions: The BG/NBD model, fitted in ``unit``.
        spend: The spend model.
        unit: The time unit of ``recency``, ``T`` and the model; a month is
            :data:`MONTH_IN_UNITS` of it (30 days, 4.345 weeks).
        months: How many months ahead.
        discount_rate: The discount rate per month (0.01 is about 12.7 % a year).

    Returns:
        A float for one customer, an array for arrays, in the units of ``monetary``: an
        estimate, not an amount to bill (convert it to :class:`~staycore.kernel.money.Money`
        with the rounding of the report it goes into).

    Raises:
        InvalidCustomerDataError: As for :meth:`BetaGeo.fit` and
            :meth:`GammaGamma.expected_spend`.
        InvalidForecastError: An unknown ``unit``, or ``months`` or ``discount_rate``
            out of range.
        InvalidModelParametersError: As for :meth:`GammaGamma.expected_spend`.

    Example:
        Continuing the module example above: CDNOW's first customer (weeks), who spent
        22.35 on average over two repeat purchases, over the next year.

        >>> from staycore.membership.lifetime import GammaGamma, GammaGammaParams
        >>> from staycore.membership.lifetime import customer_lifetime_value
        >>> spend = GammaGamma(GammaGammaParams(p=6.25, q=3.74, v=15.44))
        >>> round(customer_lifetime_value(
        ...     2, 30.43, 38.86, 22.35, transactions=model, spend=spend, unit="week"), 2)
        36.29
    """
    if unit not in MONTH_IN_UNITS:
        raise InvalidForecastError(f"unit must be one of {', '.join(MONTH_IN_UNITS)}, not {unit!r}")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidForecastError(f"months must be a whole number of at least 1, not {months!r}")
    if not (isinstance(discount_rate, int | float) and -1.0 < discount_rate < np.inf):
        raise InvalidForecastError(
            "discount_rate must be a finite number above -1 (a monthly rate), "
            f"not {discount_rate!r}"
        )
    x, t_x, age = _customers(frequency, recency, T)
    try:
        amount = np.broadcast_to(_values("monetary", monetary), x.shape)
    except ValueError:
        raise InvalidCustomerDataError(
            f"monetary has shape {np.shape(monetary)} for customers of shape {x.shape}: give "
            "one value per customer"
        ) from None
    per_purchase = np.asarray(spend.expected_spend(x, amount), dtype=np.float64)
    month = MONTH_IN_UNITS[unit]
    alive = _p_alive(transactions.params, x, t_x, age)
    value = np.zeros_like(x)
    previous = np.zeros_like(x)
    for i in range(1, months + 1):
        horizon = np.full_like(x, i * month)
        cumulative = _expected_if_alive(transactions.params, horizon, x, age) * alive
        value += per_purchase * (cumulative - previous) / (1.0 + discount_rate) ** i
        previous = cumulative
    return _out(value, _is_scalar(frequency, recency, T, monetary))
