"""Customer analytics over a Dask dataframe: summaries per partition, one BG/NBD fit for all.

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
Scoring (:meth:`~staycore.membership.lifetime.BetaGeo.p_alive` and the other methods)
works on any partition as it is.

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

from staycore.membership.lifetime import (
    BetaGeo,
    BetaGeoParams,
    InvalidCustomerDataError,
    beta_geo_log_likelihood,
)
from staycore.membership.summaries import InvalidOrderDataError, TimeUnit, summarize

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd  # type: ignore[import-untyped]

__all__ = ["fit_beta_geo_partitioned", "summarize_partition", "summarize_partitioned"]

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
    names = {"customer": customer, "date": date, "amount": amount}
    for field, name in names.items():
        if name not in df.columns and not (field == "customer" and df.index.name == name):
            msg = (
                f"the orders have no {field} column {name!r} (columns: "
                f"{', '.join(map(str, df.columns))}); pass {field}= the column's name"
            )
            raise InvalidOrderDataError(msg, field=field)
    ids = df[customer] if customer in df.columns else df.index.to_series()
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
        indexed by customer (with the orders' divisions when they were indexed by it).

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
    result: dd.DataFrame = frame.map_partitions(summarize_partition, meta=meta, **options)
    return result


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
