"""Scale-out on Dask's local cluster: partitioned summaries and fit equal the single-machine ones.

The CDNOW sample is split by customer into several partitions, both by index (after
``set_index``) and by column (after ``shuffle``), with one partition holding only orders
after the calibration end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

dd = pytest.importorskip("dask.dataframe", reason="Dask partitions need the `dask` extra")
distributed = pytest.importorskip("distributed", reason="the local cluster needs the `dask` extra")
pd = pytest.importorskip("pandas", reason="Dask partitions need the `dask` extra")

from staycore.membership.lifetime import BetaGeo, InvalidCustomerDataError  # noqa: E402
from staycore.membership.partitions import (  # noqa: E402
    fit_beta_geo_partitioned,
    summarize_partition,
    summarize_partitioned,
)
from staycore.membership.summaries import (  # noqa: E402
    CustomerSummary,
    InvalidOrderDataError,
    summarize,
)

CDNOW = Path(__file__).parent.parent / "data" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = dt.date(1997, 9, 30)
# A customer whose only orders fall after the calibration end: in no summary.
LATE = 9999


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def orders() -> Any:
    table = pd.read_csv(
        CDNOW,
        sep=r"\s+",
        header=None,
        names=["master", "customer", "date", "cds", "amount"],
        dtype={"date": str},
    )
    table["date"] = pd.to_datetime(table["date"], format="%Y%m%d")
    late = pd.DataFrame(
        {
            "customer": [LATE, LATE],
            "date": pd.to_datetime(["1997-10-02", "1997-12-24"]),
            "amount": [10.0, 20.0],
        }
    )
    return pd.concat([table[["customer", "date", "amount"]], late], ignore_index=True)


@pytest.fixture(scope="module")
def whole(orders: Any) -> CustomerSummary:
    return summarize(
        orders["customer"].to_numpy(),
        orders["date"].to_numpy(),
        orders["amount"].to_numpy(),
        calibration_end=CALIBRATION_END,
        unit="W",
    )


def by_index(orders: Any) -> Any:
    # The last division holds the late customer alone: a partition with nothing to summarise.
    frame = dd.from_pandas(orders, npartitions=3, sort=False)
    return frame.set_index("customer", divisions=[1, 600, 1200, 1800, 2358, LATE])


def by_column(orders: Any) -> Any:
    frame = dd.from_pandas(orders.sample(frac=1.0, random_state=7), npartitions=3, sort=False)
    return frame.shuffle(on="customer", npartitions=4)


def assert_same_summaries(table: Any, whole: CustomerSummary) -> None:
    table = table.sort_index()
    assert table.index.tolist() == whole.customer.tolist()
    for name in ("frequency", "recency", "T", "first_purchase", "last_purchase"):
        expected = whole.columns()[name]
        if expected.dtype.kind == "M":
            expected = expected.astype("datetime64[s]")
        np.testing.assert_array_equal(table[name].to_numpy(), expected, err_msg=name)
    # A day's amounts may be added in another order once shuffled.
    for name in ("monetary_value", "total_spend", "mean_spend"):
        np.testing.assert_allclose(
            table[name].to_numpy(), whole.columns()[name], rtol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("partition", [by_index, by_column], ids=["set_index", "shuffle"])
def test_partitioned_summaries_equal_the_summary_of_the_whole(
    client: Any,
    orders: Any,
    whole: CustomerSummary,
    partition: Any,
) -> None:
    frame = partition(orders)
    assert frame.npartitions >= 4
    summaries: Any = summarize_partitioned(frame, calibration_end=CALIBRATION_END, unit="W")
    sizes = summaries.map_partitions(len).compute().tolist()
    assert len(sizes) == frame.npartitions
    assert sum(sizes) == len(whole)
    assert sum(size > 0 for size in sizes) >= 3
    assert_same_summaries(summaries.compute(), whole)


def test_partitioned_fit_equals_the_single_machine_fit(
    client: Any,
    orders: Any,
    whole: CustomerSummary,
) -> None:
    summaries = summarize_partitioned(by_index(orders), calibration_end=CALIBRATION_END)
    partitioned = fit_beta_geo_partitioned(summaries)
    single = BetaGeo.fit(whole.frequency, whole.recency, whole.T)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(partitioned.params, name) == pytest.approx(
            getattr(single.params, name), rel=1e-6
        ), name
    assert partitioned.log_likelihood == pytest.approx(single.log_likelihood, rel=1e-6)
    # And both are the published CDNOW estimates (Fader, Hardie & Lee 2005).
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert round(getattr(partitioned.params, name), 3) == value
    assert partitioned.log_likelihood is not None
    assert round(partitioned.log_likelihood, 1) == -9582.4


def test_a_partition_with_no_order_up_to_the_calibration_end_is_an_empty_frame(
    orders: Any,
) -> None:
    late = orders[orders["customer"] == LATE]
    full = summarize_partition(orders.head(50), calibration_end=CALIBRATION_END)
    empty = summarize_partition(late, calibration_end=CALIBRATION_END)
    assert empty.empty
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    assert empty.index.dtype == full.index.dtype


def test_a_missing_column_is_named(orders: Any) -> None:
    with pytest.raises(InvalidOrderDataError, match="'spend'") as raised:
        summarize_partition(orders, calibration_end=CALIBRATION_END, amount="spend")
    assert raised.value.field == "amount"


def test_bad_orders_in_a_partition_raise_when_computed(
    client: Any,
    orders: Any,
) -> None:
    broken = orders.copy()
    broken.loc[5, "amount"] = -1.0
    summaries: Any = summarize_partitioned(by_index(broken), calibration_end=CALIBRATION_END)
    with pytest.raises(InvalidOrderDataError, match="negative") as raised:
        summaries.compute()
    assert raised.value.field == "amounts"


def test_summaries_without_the_fit_columns_are_refused(
    client: Any,
) -> None:
    frame = dd.from_pandas(pd.DataFrame({"frequency": [1.0], "T": [3.0]}), npartitions=1)
    with pytest.raises(InvalidCustomerDataError, match="'recency'"):
        fit_beta_geo_partitioned(frame)
