"""Customer analytics over a Dask dataframe: summaries and scores per partition, one fit for all.

When a customer base outgrows one machine, its orders live in a Dask dataframe split
into partitions. :func:`summarize_partition` summarises one partition with
:func:`~staycore.membership.summaries.summarize` (``dataframe.map_partitions`` runs it
on every partition; :func:`summarize_partitioned` does that for you), and
:func:`fit_beta_geo_partitioned` fits the BG/NBD model of
:mod:`~staycore.membership.lifetime` to all the summaries at once: for each parameter
vector the optimiser asks about, every partition works out its customers'
log-likelihood and gradient (:func:`~staycore.membership.lifetime.beta_geo_log_likelihood`)
and the sums become one objective for :meth:`~staycore.membership.lifetime.BetaGeo.fit_objective`.
The result is the single-machine fit, up to the order floating-point sums are added in.
:func:`fit_gamma_gamma_partitioned` does the same for the Gamma-Gamma spend model. The
models' own methods (:meth:`~staycore.membership.lifetime.BetaGeo.p_alive` and the
others) work on any partition as it is.

:func:`score_partitioned` scores every customer as
:func:`~staycore.membership.scoring.score_customers` scores a base on one machine: it
reduces the partitions' summaries to what a score needs of the whole base
(:func:`scoring_base_partitioned` gives a :class:`~staycore.membership.scoring.ScoringBase`:
the RFM figures of every customer, counted per partition and merged, and the two models
fitted as above), then scores each partition against it with :func:`score_partition`.
RFM scores, segments and churn risk are those of the single machine exactly; P(alive),
expected stays and value differ as little as the fits do.

**The orders must be partitioned by customer**: all of a customer's orders in one
partition, as after ``orders.set_index("customer")`` or
``orders.shuffle(on="customer")``. A customer whose orders are split over two partitions
would be summarised twice, as two customers, and nothing here can notice it.

Needs the ``analytics`` extra and the ``dask`` one (``pip install 'staycore[dask]'``);
dask and pandas are imported only when a function runs, so that this module's names can
be imported (and documented) without them.

Example:
    .. skip: start if(not __import__("importlib.util").util.find_spec("dask"), reason="no dask")

    >>> import datetime as dt
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from staycore.membership.partitions import summarize_partitioned
    >>> orders = pd.DataFrame({
    ...     "customer": ["ana", "ana", "ana", "bo", "cy", "cy"],
    ...     "date": pd.to_datetime(["2026-01-05", "2026-01-19", "2026-02-16",
    ...                             "2026-02-02", "2026-01-12", "2026-03-30"]),
    ...     "amount": [120.0, 80.0, 100.0, 200.0, 60.0, 90.0],
    ... })
    >>> by_customer = dd.from_pandas(orders, npartitions=2, sort=False).set_index("customer")
    >>> summaries = summarize_partitioned(by_customer, calibration_end=dt.date(2026, 3, 2))
    >>> table = summaries.compute()
    >>> table.index.tolist(), table.frequency.tolist(), table["T"].tolist()
    (['ana', 'bo', 'cy'], [2, 0, 0], [8.0, 4.0, 7.0])
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from staycore.membership.churn import DEFAULT_CHURN_MODEL, ChurnModel
from staycore.membership.lifetime import (
    BetaGeo,
    BetaGeoParams,
    GammaGamma,
    GammaGammaParams,
    InvalidCustomerDataError,
    beta_geo_log_likelihood,
    gamma_gamma_log_likelihood,
)
from staycore.membership.rfm import RfmReference, SegmentMap
from staycore.membership.scoring import LEAST_SPENDERS, ScoringBase, score_customers
from staycore.membership.summaries import InvalidOrderDataError, TimeUnit, summarize

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd  # type: ignore[import-untyped]

__all__ = [
    "fit_beta_geo_partitioned",
    "fit_gamma_gamma_partitioned",
    "score_partition",
    "score_partitioned",
    "scoring_base_partitioned",
    "summarize_partition",
    "summarize_partitioned",
]

_MISSING_EXTRA: Final = (
    "staycore.membership.partitions needs dask and pandas: pip install 'staycore[dask]'"
)
# The columns of a summary frame and their dtypes, the same for an empty partition as for
# a full one: Dask checks every partition against the first.
_SUMMARY_DTYPES: Final[dict[str, str]] = {
    "frequency": "int64",
    "recency": "float64",
    "T": "float64",
    "monetary_value": "float64",
    "total_spend": "float64",
    "mean_spend": "float64",
    "first_purchase": "datetime64[s]",
    "last_purchase": "datetime64[s]",
}
_FIT_COLUMNS: Final = ("frequency", "recency", "T")
_SPEND_COLUMNS: Final = ("frequency", "monetary_value")
_BASE_COLUMNS: Final = (*_FIT_COLUMNS, "monetary_value", "total_spend", "last_purchase")
# The columns of ScoredCustomers.rows() but the customer (the index), and their dtypes,
# the same for an empty partition as for a full one; `str` is pandas' text dtype.
_SCORE_DTYPES: Final[dict[str, Any]] = {
    "frequency": "int64",
    "recency_weeks": "float64",
    "age_weeks": "float64",
    "total_spend": "float64",
    "days_since_last_stay": "int64",
    "recency_score": "int64",
    "frequency_score": "int64",
    "monetary_score": "int64",
    "segment": str,
    "churn_risk": "float64",
    "churn_action": str,
    "churn_reason": str,
    "p_alive": "float64",
    "expected_stays_12m": "float64",
    "expected_value_12m": "float64",
}


def _pandas() -> Any:  # noqa: ANN401 - the pandas module, typed or not
    try:
        import pandas  # noqa: PLC0415 - optional, the `dask` extra
    except ImportError as missing:  # pragma: no cover - the test environment has the extra
        raise ImportError(_MISSING_EXTRA) from missing
    return pandas


def _dask() -> Any:  # noqa: ANN401 - the dask module
    try:
        import dask  # noqa: PLC0415 - optional, the `dask` extra
    except ImportError as missing:  # pragma: no cover - the test environment has the extra
        raise ImportError(_MISSING_EXTRA) from missing
    return dask


def summarize_partition(
    df: pd.DataFrame,
    *,
    calibration_end: dt.date | np.datetime64,
    unit: TimeUnit | dt.timedelta = "W",
    customer: str = "customer",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """Summarise the orders of one partition, one row per customer, indexed by customer.

    Meant for ``orders.map_partitions(summarize_partition, ...)`` on orders partitioned
    by customer (see the module docstring); :func:`summarize_partitioned` runs it so.

    Args:
        df: One partition of orders, as a pandas dataframe. The customer id is the
            column named ``customer``, or the index when it bears that name (after
            ``set_index(customer)``).
        calibration_end: The day the figures are measured at, included; as for
            :func:`~staycore.membership.summaries.summarize`.
        unit: The time unit of ``recency`` and ``T``.
        customer: The name of the customer id column (or index).
        date: The name of the order date column.
        amount: The name of the order amount column.

    Returns:
        The columns of :class:`~staycore.membership.summaries.CustomerSummary`
        (``frequency``, ``recency``, ``T``, ``monetary_value``, ``total_spend``,
        ``mean_spend``, ``first_purchase``, ``last_purchase``), indexed by customer id.
        A partition with no order up to the calibration end gives an empty frame with
        the same columns and dtypes.

    Raises:
        InvalidOrderDataError: A column is missing, or the orders fail the checks of
            :func:`~staycore.membership.summaries.summarize` (its ``row`` is then the
            position in the partition).

    Example:
        Continuing the module example above, one partition on its own:

        >>> from staycore.membership.partitions import summarize_partition
        >>> one = summarize_partition(orders, calibration_end=dt.date(2026, 3, 2), unit="D")
        >>> one.frequency.tolist(), one.recency.tolist()
        ([2, 0, 0], [42.0, 0.0, 0.0])
        >>> summarize_partition(orders, calibration_end=dt.date(2025, 12, 31)).shape
        (0, 8)
    """
    pd = _pandas()
    ids = _order_columns(df, customer=customer, date=date, amount=amount)
    dates = df[date].to_numpy()
    if len(df) == 0 or _all_later(dates, calibration_end):
        empty = pd.DataFrame(
            {name: np.empty(0, dtype=dtype) for name, dtype in _SUMMARY_DTYPES.items()},
            index=pd.Index([], dtype=ids.dtype, name=customer),
        )
        return empty.astype(_SUMMARY_DTYPES)
    summary = summarize(
        ids.to_numpy(),
        dates,
        df[amount].to_numpy(),
        calibration_end=calibration_end,
        unit=unit,
    )
    columns = summary.columns()
    index = pd.Index(columns.pop("customer"), name=customer)
    if index.dtype != ids.dtype:
        # Ids come back as numpy objects: keep the input's dtype so partitions agree.
        index = index.astype(ids.dtype)
    return pd.DataFrame(columns, index=index).astype(_SUMMARY_DTYPES)


def _order_columns(df: pd.DataFrame, *, customer: str, date: str, amount: str) -> pd.Series:
    """The customer ids of a partition of orders, once its columns are checked."""
    names = {"customer": customer, "date": date, "amount": amount}
    for field, name in names.items():
        if name not in df.columns and not (field == "customer" and df.index.name == name):
            msg = (
                f"the orders have no {field} column {name!r} (columns: "
                f"{', '.join(map(str, df.columns))}); pass {field}= the column's name"
            )
            raise InvalidOrderDataError(msg, field=field)
    return df[customer] if customer in df.columns else df.index.to_series()


def _all_later(dates: npt.NDArray[Any], calibration_end: object) -> bool:
    """Whether every order is dated after the calibration end.

    ``False`` when the dates or the end do not read as days, or a date is missing:
    :func:`summarize` then names what to fix.
    """
    if isinstance(calibration_end, np.datetime64):
        end = calibration_end.astype("datetime64[D]")
    elif isinstance(calibration_end, dt.date) and not isinstance(calibration_end, dt.datetime):
        end = np.datetime64(calibration_end, "D")
    else:
        return False
    if dates.dtype.kind in "iufcb":
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            days = dates.astype("datetime64[D]")
    except (TypeError, ValueError, UserWarning, DeprecationWarning):
        return False
    return not np.isnat(days).any() and bool((days > end).all())


def summarize_partitioned(
    orders: dd.DataFrame,
    *,
    calibration_end: dt.date | np.datetime64,
    unit: TimeUnit | dt.timedelta = "W",
    customer: str = "customer",
    date: str = "date",
    amount: str = "amount",
) -> dd.DataFrame:
    """Summarise a Dask dataframe of orders partitioned by customer, lazily.

    Args:
        orders: The orders, all of a customer's in one partition (see the module
            docstring).
        calibration_end: As for :func:`summarize_partition`.
        unit: As for :func:`summarize_partition`.
        customer: As for :func:`summarize_partition`.
        date: As for :func:`summarize_partition`.
        amount: As for :func:`summarize_partition`.

    Returns:
        A Dask dataframe of the summaries, one partition for each partition of orders,
        indexed by customer (with the orders' divisions when they were indexed by it,
        else unknown divisions).

    Raises:
        InvalidOrderDataError: A column is missing; bad orders raise it when the result
            is computed.

    Example:
        See the module example.
    """
    _dask()
    options: dict[str, Any] = {
        "calibration_end": calibration_end,
        "unit": unit,
        "customer": customer,
        "date": date,
        "amount": amount,
    }
    # The partitions' meta (an empty frame of their columns, as Dask documents it)
    # summarised gives the result's columns and dtypes without computing anything.
    frame: Any = orders  # Dask's map_partitions is untyped
    meta = summarize_partition(frame._meta, **options)
    result: dd.DataFrame = frame.map_partitions(
        summarize_partition, meta=meta, clear_divisions=_new_index(frame, customer), **options
    )
    return result


def _new_index(frame: Any, customer: str) -> bool:  # noqa: ANN401 - a Dask dataframe
    """Whether results indexed by customer lose the orders' divisions (not indexed by it)."""
    return bool(frame._meta.index.name != customer)


def fit_beta_geo_partitioned(summaries: dd.DataFrame) -> BetaGeo:
    """Fit BG/NBD to the customer summaries of a Dask dataframe, as one customer base.

    The summaries are reduced to their distinct ``(frequency, recency, T)`` rows with
    counts and persisted; then every likelihood evaluation of the optimiser is one Dask
    computation that sums :func:`~staycore.membership.lifetime.beta_geo_log_likelihood`
    over the partitions. It starts where :meth:`BetaGeo.fit` does, so the two agree to
    the optimiser's precision.

    Args:
        summaries: One row per customer, with the columns ``frequency``, ``recency``
            and ``T`` (as :func:`summarize_partitioned` gives them); any partitioning.

    Returns:
        The fitted model, its ``log_likelihood`` the total over every partition.

    Raises:
        InvalidCustomerDataError: A column is missing, there are no customers, or a
            customer fails the checks of :meth:`BetaGeo.fit`.
        FitDidNotConvergeError: As for :meth:`BetaGeo.fit`.

    Example:
        Continuing the module example above (three customers identify nothing, so
        this one repeats CDNOW's patterns as customers):

        >>> from staycore.membership.lifetime import BetaGeo
        >>> from staycore.membership.partitions import fit_beta_geo_partitioned
        >>> patterns = pd.DataFrame({
        ...     "frequency": [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 8, 9],
        ...     "recency": [0, 7, 26, 11, 26, 12, 27, 11, 27, 13, 29, 14, 30],
        ...     "T": [33, 33, 33, 32, 33, 32, 33, 33, 33, 33, 33, 32, 34],
        ... }).astype(float)
        >>> customers = [1411, 329, 110, 111, 103, 45, 55, 15, 47, 12, 26, 12, 81]
        >>> base = patterns.loc[patterns.index.repeat(customers)].reset_index(drop=True)
        >>> fitted = fit_beta_geo_partitioned(dd.from_pandas(base, npartitions=4))
        >>> round(fitted.params.r, 3), round(fitted.log_likelihood, 1)
        (0.298, -9739.8)
    """
    dask = _dask()
    missing = [name for name in _FIT_COLUMNS if name not in summaries.columns]
    if missing:
        msg = (
            f"the summaries have no column {', '.join(map(repr, missing))}: fit needs "
            "frequency, recency and T per customer, as summarize_partitioned() gives them"
        )
        raise InvalidCustomerDataError(msg)
    patterns = summaries[list(_FIT_COLUMNS)].map_partitions(
        _patterns, meta={"frequency": "float64", "recency": "float64", "T": "float64", "n": "int64"}
    )
    parts = dask.persist(*patterns.to_delayed())
    customers, frequencies, ages = dask.delayed(_add)(
        [dask.delayed(_totals)(part) for part in parts]
    ).compute()
    if not customers:
        raise InvalidCustomerDataError("there are no customers to fit the model to")
    start = BetaGeoParams.start(frequencies / customers, ages / customers)

    def objective(params: BetaGeoParams) -> tuple[float, npt.NDArray[np.float64]]:
        terms = [dask.delayed(_log_likelihood)(part, params) for part in parts]
        value, gradient = dask.delayed(_add_terms)(terms).compute()
        return value, gradient

    return BetaGeo.fit_objective(objective, customers=float(customers), start=start)


def _patterns(frame: pd.DataFrame) -> pd.DataFrame:
    """A partition's distinct ``(frequency, recency, T)`` rows, each with its count ``n``."""
    # dropna=False keeps a NaN for the likelihood's checks to report.
    counts = frame.astype("float64").groupby(list(_FIT_COLUMNS), dropna=False).size()
    return counts.rename("n").reset_index().astype({"n": "int64"})


def _totals(patterns: pd.DataFrame) -> tuple[float, float, float]:
    """Customers, their repeat purchases and their ages, summed over a partition."""
    n = patterns["n"].to_numpy(dtype=np.float64)
    return (
        float(n.sum()),
        float(patterns["frequency"].to_numpy() @ n),
        float(patterns["T"].to_numpy() @ n),
    )


def _add(totals: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (
        float(sum(total[0] for total in totals)),
        float(sum(total[1] for total in totals)),
        float(sum(total[2] for total in totals)),
    )


def _log_likelihood(
    patterns: pd.DataFrame, params: BetaGeoParams
) -> tuple[float, npt.NDArray[np.float64]]:
    if len(patterns) == 0:
        return 0.0, np.zeros(4)
    return beta_geo_log_likelihood(
        params,
        patterns["frequency"].to_numpy(),
        patterns["recency"].to_numpy(),
        patterns["T"].to_numpy(),
        weights=patterns["n"].to_numpy(dtype=np.float64),
    )


def _add_terms(
    terms: list[tuple[float, npt.NDArray[np.float64]]],
) -> tuple[float, npt.NDArray[np.float64]]:
    value = sum(term[0] for term in terms)
    gradient = np.sum([term[1] for term in terms], axis=0)
    return float(value), np.asarray(gradient, dtype=np.float64)


def fit_gamma_gamma_partitioned(summaries: dd.DataFrame) -> GammaGamma:
    """Fit Gamma-Gamma to the customer summaries of a Dask dataframe, as one customer base.

    The counterpart of :func:`fit_beta_geo_partitioned`: the repeat customers are
    reduced to their distinct ``(frequency, monetary_value)`` rows with counts and
    persisted, and every likelihood evaluation sums
    :func:`~staycore.membership.lifetime.gamma_gamma_log_likelihood` over the partitions.
    It starts where :meth:`GammaGamma.fit` does, so the two agree to the optimiser's
    precision.

    Args:
        summaries: One row per customer, with the columns ``frequency`` and
            ``monetary_value`` (as :func:`summarize_partitioned` gives them); customers
            with no repeat purchase are left out, as by :meth:`GammaGamma.fit`.

    Returns:
        The fitted model, its ``log_likelihood`` the total over every partition.

    Raises:
        InvalidCustomerDataError: A column is missing, a repeat customer has no spend
            (leave such customers out), a value fails the checks of
            :meth:`GammaGamma.fit`, or there are fewer than two repeat customers.
        FitDidNotConvergeError: As for :meth:`GammaGamma.fit`.

    Example:
        Continuing the module example above, with the customers of
        :meth:`GammaGamma.fit`'s example in three partitions:

        >>> from staycore.membership.lifetime import GammaGamma
        >>> from staycore.membership.partitions import fit_gamma_gamma_partitioned
        >>> spend = pd.DataFrame({
        ...     "frequency": [1, 2, 2, 3, 5, 1, 4, 6, 2, 3, 1, 8, 0],
        ...     "monetary_value": [12.0, 30.5, 18.0, 25.0, 40.2, 80.0, 22.0, 55.0, 9.5,
        ...                        61.0, 35.0, 27.5, 0.0],
        ... })
        >>> fitted = fit_gamma_gamma_partitioned(dd.from_pandas(spend, npartitions=3))
        >>> single = GammaGamma.fit(spend.frequency, spend.monetary_value)
        >>> round(fitted.params.population_mean, 2), round(single.params.population_mean, 2)
        (35.2, 35.2)
    """
    dask = _dask()
    missing = [name for name in _SPEND_COLUMNS if name not in summaries.columns]
    if missing:
        msg = (
            f"the summaries have no column {', '.join(map(repr, missing))}: the spend model "
            "needs frequency and monetary_value per customer, as summarize_partitioned() "
            "gives them"
        )
        raise InvalidCustomerDataError(msg)
    patterns = summaries[list(_SPEND_COLUMNS)].map_partitions(
        _spend_patterns, meta={"frequency": "float64", "monetary_value": "float64", "n": "int64"}
    )
    parts = dask.persist(*patterns.to_delayed())
    customers, spend, free = dask.delayed(_add)(
        [dask.delayed(_spend_totals)(part) for part in parts]
    ).compute()
    if free:
        msg = (
            f"{free:g} customer(s) with repeat purchases have a monetary_value of 0: the "
            "spend model needs a positive mean spend (leave out customers whose purchases "
            "were free)"
        )
        raise InvalidCustomerDataError(msg)
    if customers < 2:
        msg = f"{customers:g} customer(s) with repeat purchases: the spend model needs at least two"
        raise InvalidCustomerDataError(msg)
    start = GammaGammaParams.start(spend / customers)

    def objective(params: GammaGammaParams) -> tuple[float, npt.NDArray[np.float64]]:
        terms = [dask.delayed(_spend_log_likelihood)(part, params) for part in parts]
        value, gradient = dask.delayed(_add_terms)(terms).compute()
        return value, gradient

    return GammaGamma.fit_objective(objective, customers=customers, start=start)


def _spend_patterns(frame: pd.DataFrame) -> pd.DataFrame:
    """A partition's distinct ``(frequency, monetary_value)`` rows of repeat customers, counted."""
    numbers = frame.astype("float64")
    # A NaN frequency stays in, for the likelihood's checks to report.
    repeat = numbers[~(numbers["frequency"] == 0)]
    counts = repeat.groupby(list(_SPEND_COLUMNS), dropna=False).size()
    return counts.rename("n").reset_index().astype({"n": "int64"})


def _spend_totals(patterns: pd.DataFrame) -> tuple[float, float, float]:
    """Repeat customers, their mean spends summed, and those with no spend, in a partition."""
    n = patterns["n"].to_numpy(dtype=np.float64)
    spend = patterns["monetary_value"].to_numpy()
    return float(n.sum()), float(spend @ n), float(n[spend == 0].sum())


def _spend_log_likelihood(
    patterns: pd.DataFrame, params: GammaGammaParams
) -> tuple[float, npt.NDArray[np.float64]]:
    if len(patterns) == 0:
        return 0.0, np.zeros(3)
    return gamma_gamma_log_likelihood(
        params,
        patterns["frequency"].to_numpy(),
        patterns["monetary_value"].to_numpy(),
        weights=patterns["n"].to_numpy(dtype=np.float64),
    )


def score_partition(
    df: pd.DataFrame,
    *,
    at: dt.date,
    base: ScoringBase,
    segment_map: SegmentMap | None = None,
    churn_model: ChurnModel = DEFAULT_CHURN_MODEL,
    lifetime: bool = True,
    customer: str = "customer",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """Score the customers of one partition of orders against the whole base.

    Runs :func:`~staycore.membership.scoring.score_customers` on the partition's orders
    with ``base``; meant for ``orders.map_partitions(score_partition, ...)`` on orders
    partitioned by customer, as :func:`score_partitioned` runs it.

    Args:
        df: One partition of orders, as a pandas dataframe; the customer id is a column
            or the index, as for :func:`summarize_partition`.
        at: The day scored at: orders after it are left out.
        base: The whole base, as :func:`score_partitioned` reduces it (or
            :meth:`~staycore.membership.scoring.ScoringBase.fit` of its summary at
            ``at``).
        segment_map: As for :func:`~staycore.membership.scoring.score_customers`.
        churn_model: As for :func:`~staycore.membership.scoring.score_customers`.
        lifetime: As for :func:`~staycore.membership.scoring.score_customers`.
        customer: The name of the customer id column (or index).
        date: The name of the order date column.
        amount: The name of the order amount column.

    Returns:
        The columns of :meth:`~staycore.membership.scoring.ScoredCustomers.rows`
        but the customer, with the same names and values, indexed by customer id. A
        partition with no order up to ``at`` gives an empty frame with the same columns
        and dtypes.

    Raises:
        InvalidOrderDataError: A column is missing, or the orders fail the checks of
            :func:`~staycore.membership.scoring.score_customers`.

    Example:
        Continuing the module example above: Ana's orders on their own, scored within
        everyone's base, against Ana scored as a base of one.

        >>> from staycore.membership.partitions import score_partition
        >>> from staycore.membership.scoring import ScoringBase
        >>> from staycore.membership.summaries import summarize
        >>> day = dt.date(2026, 3, 2)
        >>> everyone = summarize(orders.customer, orders.date, orders.amount, calibration_end=day)
        >>> base = ScoringBase.fit(everyone, lifetime=False)
        >>> ana = orders[orders.customer == "ana"]
        >>> score_partition(ana, at=day, base=base)[["frequency", "segment"]]
                  frequency   segment
        customer
        ana               2  champion
        >>> alone = ScoringBase.fit(summarize(ana.customer, ana.date, ana.amount,
        ...                                   calibration_end=day), lifetime=False)
        >>> score_partition(ana, at=day, base=alone).segment.tolist()
        ['need attention']
    """
    pd = _pandas()
    ids = _order_columns(df, customer=customer, date=date, amount=amount)
    dates = df[date].to_numpy()
    if len(df) == 0 or _all_later(dates, at):
        empty = pd.DataFrame(
            {name: np.empty(0, dtype=object) for name in _SCORE_DTYPES},
            index=pd.Index([], dtype=ids.dtype, name=customer),
        )
        return empty.astype(_SCORE_DTYPES)
    scored = score_customers(
        ids.to_numpy(),
        dates,
        df[amount].to_numpy(),
        at=at,
        segment_map=segment_map,
        churn_model=churn_model,
        lifetime=lifetime,
        base=base,
    )
    columns = scored.columns()
    index = pd.Index(columns.pop("customer"), name=customer)
    if index.dtype != ids.dtype:
        index = index.astype(ids.dtype)  # as in summarize_partition
    return pd.DataFrame(columns, index=index)[list(_SCORE_DTYPES)].astype(_SCORE_DTYPES)


def score_partitioned(
    orders: dd.DataFrame,
    *,
    at: dt.date,
    segment_map: SegmentMap | None = None,
    churn_model: ChurnModel = DEFAULT_CHURN_MODEL,
    lifetime: bool = True,
    customer: str = "customer",
    date: str = "date",
    amount: str = "amount",
) -> dd.DataFrame:
    """Score every customer of a Dask dataframe of orders partitioned by customer.

    The rows are those :func:`~staycore.membership.scoring.score_customers` gives the
    whole base on one machine. The base-wide parts are reduced first, from summaries
    computed once and persisted (:func:`scoring_base_partitioned`: the RFM figures of
    every partition counted and merged, and with ``lifetime`` the BG/NBD and Gamma-Gamma
    fits over all partitions). Then each partition is scored against that base by
    :func:`score_partition`, lazily.

    Args:
        orders: The orders, all of a customer's in one partition (see the module
            docstring).
        at: The day scored at: orders after it are left out.
        segment_map: As for :func:`~staycore.membership.scoring.score_customers`.
        churn_model: As for :func:`~staycore.membership.scoring.score_customers`.
        lifetime: As for :func:`~staycore.membership.scoring.score_customers`.
        customer: The name of the customer id column (or index).
        date: The name of the order date column.
        amount: The name of the order amount column.

    Returns:
        A Dask dataframe with the columns of
        :meth:`~staycore.membership.scoring.ScoredCustomers.rows` but the customer,
        indexed by customer id, one partition for each partition of orders (with the
        orders' divisions when they were indexed by customer).

    Raises:
        InvalidOrderDataError: A column is missing, no order is dated up to ``at``, or
            the orders fail the checks of
            :func:`~staycore.membership.scoring.score_customers` (when the base is
            reduced).
        FitDidNotConvergeError: The lifetime models did not converge on this base.

    Example:
        Continuing the module example above (three customers are too few for the
        lifetime models):

        >>> from staycore.membership.partitions import score_partitioned
        >>> scores = score_partitioned(by_customer, at=dt.date(2026, 3, 2), lifetime=False)
        >>> table = scores.compute()
        >>> table[["frequency", "recency_score", "segment", "churn_action"]]
                  frequency  recency_score         segment churn_action
        customer
        ana               2              5        champion         none
        bo                0              3  about to sleep         none
        cy                0              1     hibernating         none

        The rows of :func:`~staycore.membership.scoring.score_customers` on one machine:

        >>> from staycore.membership.scoring import score_customers
        >>> whole = score_customers(orders.customer, orders.date, orders.amount,
        ...                         at=dt.date(2026, 3, 2), lifetime=False)
        >>> [list(row.values())[1:] for row in whole.rows()] == table.values.tolist()
        True
    """
    dask = _dask()
    grid = segment_map or SegmentMap.common()
    summaries: Any = summarize_partitioned(
        orders, calibration_end=at, unit="W", customer=customer, date=date, amount=amount
    )
    (summaries,) = dask.persist(summaries)
    base = scoring_base_partitioned(summaries, at=at, lifetime=lifetime, bins=grid.bins)
    options: dict[str, Any] = {
        "at": at,
        "segment_map": grid,
        "churn_model": churn_model,
        "lifetime": lifetime,
        "customer": customer,
        "date": date,
        "amount": amount,
    }
    frame: Any = orders  # Dask's map_partitions is untyped
    meta = score_partition(frame._meta, base=base, **options)
    # One copy of the base in the graph, not one in every task.
    shared = dask.delayed(base, pure=True)
    result: dd.DataFrame = frame.map_partitions(
        score_partition,
        base=shared,
        meta=meta,
        clear_divisions=_new_index(frame, customer),
        **options,
    )
    return result


def scoring_base_partitioned(
    summaries: dd.DataFrame, *, at: dt.date, lifetime: bool = True, bins: int = 5
) -> ScoringBase:
    """Reduce the customer summaries of a Dask dataframe to the base a score needs.

    What :meth:`~staycore.membership.scoring.ScoringBase.fit` gives for the summary of
    the whole base on one machine: every partition's RFM figures counted
    (:meth:`~staycore.membership.rfm.RfmReference.from_values`) and the counts merged,
    and with ``lifetime`` the models fitted by :func:`fit_beta_geo_partitioned` and, when
    there are at least :data:`~staycore.membership.scoring.LEAST_SPENDERS` repeat
    customers with spend, :func:`fit_gamma_gamma_partitioned`. :func:`score_partitioned`
    runs it; persist the summaries first, as it does, since each step reads them.

    Args:
        summaries: One row per customer, as :func:`summarize_partitioned` gives them
            with ``calibration_end=at`` and ``unit="W"``; any partitioning.
        at: The day the summaries were made at, which recency counts days to.
        lifetime: Fit the lifetime models; ``False`` leaves them out.
        bins: The highest RFM score, the segment map's ``bins``.

    Returns:
        The base; its RFM reference is exactly that of the whole base on one machine.

    Raises:
        InvalidOrderDataError: There are no customers.
        InvalidCustomerDataError: A column is missing, or a customer fails the checks
            of the fits.
        FitDidNotConvergeError: The lifetime models did not converge on this base.

    Example:
        Continuing the module example above:

        >>> from staycore.membership.partitions import scoring_base_partitioned
        >>> base = scoring_base_partitioned(summaries, at=dt.date(2026, 3, 2), lifetime=False)
        >>> base.rfm.customers, base.rfm.frequency.values.tolist(), base.transactions
        (3, [1.0, 3.0], None)
    """
    dask = _dask()
    frame: Any = summaries
    missing = [name for name in _BASE_COLUMNS if name not in frame.columns]
    if missing:
        msg = (
            f"the summaries have no column {', '.join(map(repr, missing))}: a scoring base "
            "needs the columns summarize_partitioned() gives"
        )
        raise InvalidCustomerDataError(msg)
    references = [dask.delayed(_rfm_reference)(part, at, bins) for part in frame.to_delayed()]
    rfm = dask.delayed(_merge_references)(references).compute()
    if rfm is None:
        msg = f"no order is dated on or before {at}: there is nobody to score"
        raise InvalidOrderDataError(msg, field="dates")
    if not lifetime:
        return ScoringBase(rfm=rfm)
    transactions = fit_beta_geo_partitioned(frame)
    # The customers ScoringBase.fit gives Gamma-Gamma: repeat customers with spend.
    spending = (frame["frequency"] > 0) & (frame["monetary_value"] > 0)
    spenders = int(spending.sum().compute())
    spend = fit_gamma_gamma_partitioned(frame[spending]) if spenders >= LEAST_SPENDERS else None
    return ScoringBase(rfm=rfm, transactions=transactions, spend=spend)


def _rfm_reference(summaries: pd.DataFrame, at: dt.date, bins: int) -> RfmReference | None:
    """The RFM figures of a partition's customers, as score_customers scores them."""
    if len(summaries) == 0:
        return None
    last = summaries["last_purchase"].to_numpy().astype("datetime64[D]")
    days = (np.datetime64(at, "D") - last).astype(np.int64)
    return RfmReference.from_values(
        days,
        summaries["frequency"].to_numpy() + 1,
        summaries["total_spend"].to_numpy(),
        bins=bins,
    )


def _merge_references(references: list[RfmReference | None]) -> RfmReference | None:
    found = [reference for reference in references if reference is not None]
    return found[0].merge(*found[1:]) if found else None
