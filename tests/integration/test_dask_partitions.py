"""Scale-out on Dask's local cluster: partitioned summaries, fits and scores equal one machine's.

The CDNOW sample is split by customer into several partitions, both by index (after
``set_index``) and by column (after ``shuffle``), with one partition holding only orders
after the calibration end.

How close "equal" is: summaries, RFM scores, segments and churn are exactly those of one
machine (but for spend totals, whose amounts a shuffle may add in another order, to
1e-12). The partitioned fits are held to the single-machine ones at rel 1e-6 (they agree
far closer on CDNOW); P(alive), expected stays and value are smooth in the parameters,
so they may differ by that relative amount, plus one unit of the rounding of
``ScoredCustomers.rows()`` (4 decimals; cents for value) where a difference crosses a
rounding boundary.
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

from staycore.membership.lifetime import (  # noqa: E402
    BetaGeo,
    GammaGamma,
    InvalidCustomerDataError,
)
from staycore.membership.partitions import (  # noqa: E402
    fit_beta_geo_partitioned,
    fit_gamma_gamma_partitioned,
    score_partition,
    score_partitioned,
    scoring_base_partitioned,
    summarize_partition,
    summarize_partitioned,
)
from staycore.membership.rfm import SegmentMap, SegmentRule  # noqa: E402
from staycore.membership.scoring import ScoredCustomers, ScoringBase, score_customers  # noqa: E402
from staycore.membership.summaries import (  # noqa: E402
    CustomerSummary,
    InvalidOrderDataError,
    summarize,
)

CDNOW = Path(__file__).parent.parent / "data" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = dt.date(1997, 9, 30)
# A customer whose only orders fall after the calibration end: in no summary.
LATE = 9999
# How close the partitioned fits are held to the single-machine ones (module docstring).
FIT_AGREEMENT = 1e-6
# Columns of ScoredCustomers.rows() that do not depend on the lifetime fits or on how
# amounts were added up: equal exactly.
EXACT = (
    "frequency",
    "recency_weeks",
    "age_weeks",
    "days_since_last_stay",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "segment",
    "churn_risk",
    "churn_action",
    "churn_reason",
)
# The lifetime columns, with the unit of their rounding in rows().
LIFETIME = {"p_alive": 1e-4, "expected_stays_12m": 1e-4, "expected_value_12m": 0.01}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # The scheduler serves HTTP (health, metrics) even without a dashboard, on port 8787
    # unless told otherwise; a free port keeps two test runs at once from colliding.
    no_dashboard = {"dashboard": False, "dashboard_address": ":0"}
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            scheduler_kwargs=no_dashboard,
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


# -- scoring per partition -----------------------------------------------------------------


def order_columns(orders: Any) -> tuple[Any, Any, Any]:
    return orders["customer"].to_numpy(), orders["date"].to_numpy(), orders["amount"].to_numpy()


def as_frame(scored: ScoredCustomers) -> Any:
    return pd.DataFrame(scored.rows()).set_index("customer")


def assert_same_scores(table: Any, expected: Any, *, exact: bool) -> None:
    """``table`` (from Dask) against ``expected`` (from one machine), column by column."""
    table = table.sort_index()
    assert table.index.tolist() == expected.index.tolist()
    assert table.columns.tolist() == expected.columns.tolist()
    for name in EXACT:
        assert table[name].tolist() == expected[name].tolist(), name
    # Cents of sums a shuffle may add in another order (to 1e-12): a cent at most.
    np.testing.assert_allclose(
        table["total_spend"].to_numpy(), expected["total_spend"].to_numpy(), rtol=0, atol=0.01
    )
    for name, rounding in LIFETIME.items():
        if exact:
            assert table[name].tolist() == expected[name].tolist(), name
        else:
            np.testing.assert_allclose(
                table[name].to_numpy(),
                expected[name].to_numpy(),
                rtol=FIT_AGREEMENT,
                atol=rounding,
                err_msg=name,
            )


@pytest.mark.parametrize("partition", [by_index, by_column], ids=["set_index", "shuffle"])
def test_partitioned_scores_equal_the_single_machine_scores(
    client: Any,
    orders: Any,
    partition: Any,
) -> None:
    frame = partition(orders)
    scores: Any = score_partitioned(frame, at=CALIBRATION_END)
    assert scores.npartitions == frame.npartitions >= 4
    sizes = scores.map_partitions(len).compute().tolist()
    assert sum(size > 0 for size in sizes) >= 3
    table = scores.compute()
    single = score_customers(*order_columns(orders), at=CALIBRATION_END)
    assert len(table) == len(single) == 2357
    assert table.dtypes.to_dict() == as_frame(single).dtypes.to_dict()
    assert_same_scores(table, as_frame(single), exact=False)


def test_the_partitioned_base_is_the_single_machine_base(
    client: Any,
    orders: Any,
    whole: CustomerSummary,
) -> None:
    summaries: Any = summarize_partitioned(by_index(orders), calibration_end=CALIBRATION_END)
    base = scoring_base_partitioned(summaries, at=CALIBRATION_END)
    single = ScoringBase.fit(whole)
    assert base.rfm == single.rfm
    for model in ("transactions", "spend"):
        ours, theirs = getattr(base, model), getattr(single, model)
        assert ours is not None
        assert theirs is not None
        for name in attrs_names(ours.params):
            assert getattr(ours.params, name) == pytest.approx(
                getattr(theirs.params, name), rel=FIT_AGREEMENT
            ), (model, name)
    # Scoring the partitions against the base is scoring the whole against it.
    scores: Any = score_partitioned(by_index(orders), at=CALIBRATION_END)
    table = scores.compute()
    assert_same_scores(
        table,
        as_frame(score_customers(*order_columns(orders), at=CALIBRATION_END, base=base)),
        exact=True,
    )


def attrs_names(params: object) -> list[str]:
    return [name for name in ("r", "alpha", "a", "b", "p", "q", "v") if hasattr(params, name)]


def test_scores_without_the_lifetime_models_follow_the_segment_map_given(
    client: Any,
    orders: Any,
) -> None:
    three = SegmentMap(
        [
            SegmentRule(name="keep", recency="2-3", frequency="1-3"),
            SegmentRule(name="win back", recency=1, frequency="1-3"),
        ],
        bins=3,
    )
    scores: Any = score_partitioned(
        by_column(orders), at=CALIBRATION_END, segment_map=three, lifetime=False
    )
    table = scores.compute()
    single = score_customers(
        *order_columns(orders), at=CALIBRATION_END, segment_map=three, lifetime=False
    )
    assert set(table["recency_score"]) == {1, 2, 3}
    assert set(table["segment"]) == {"keep", "win back"}
    assert (table["p_alive"] == 1.0).all()
    assert (table["expected_stays_12m"] == 0.0).all()
    assert_same_scores(table, as_frame(single), exact=True)


def test_a_partition_with_no_order_up_to_the_day_scores_as_an_empty_frame(
    orders: Any,
    whole: CustomerSummary,
) -> None:
    base = ScoringBase.fit(whole, lifetime=False)
    late = orders[orders["customer"] == LATE]
    full = score_partition(orders.head(50), at=CALIBRATION_END, base=base, lifetime=False)
    empty = score_partition(late, at=CALIBRATION_END, base=base, lifetime=False)
    assert empty.empty
    assert len(full) > 0
    assert empty.columns.tolist() == full.columns.tolist()
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    assert empty.index.dtype == full.index.dtype


def test_scoring_names_a_missing_column_before_computing_anything(
    client: Any,
    orders: Any,
) -> None:
    with pytest.raises(InvalidOrderDataError, match="'spend'") as raised:
        score_partitioned(by_index(orders), at=CALIBRATION_END, amount="spend")
    assert raised.value.field == "amount"


def test_bad_orders_in_a_partition_are_named_when_scored(
    client: Any,
    orders: Any,
) -> None:
    broken = orders.copy()
    broken.loc[5, "amount"] = -1.0
    with pytest.raises(InvalidOrderDataError, match="negative") as raised:
        score_partitioned(by_index(broken), at=CALIBRATION_END)
    assert raised.value.field == "amounts"


def test_scoring_a_day_before_every_order_says_there_is_nobody(
    client: Any,
    orders: Any,
) -> None:
    with pytest.raises(InvalidOrderDataError, match="nobody to score"):
        score_partitioned(by_index(orders), at=dt.date(1996, 12, 31), lifetime=False)


def test_partitioned_gamma_gamma_equals_the_single_machine_fit(
    client: Any,
    orders: Any,
    whole: CustomerSummary,
) -> None:
    summaries: Any = summarize_partitioned(by_column(orders), calibration_end=CALIBRATION_END)
    spending = (summaries["frequency"] > 0) & (summaries["monetary_value"] > 0)
    partitioned = fit_gamma_gamma_partitioned(summaries[spending])
    keep = (whole.frequency > 0) & (whole.monetary_value > 0)
    single = GammaGamma.fit(whole.frequency[keep], whole.monetary_value[keep])
    for name in ("p", "q", "v"):
        assert getattr(partitioned.params, name) == pytest.approx(
            getattr(single.params, name), rel=FIT_AGREEMENT
        ), name
    assert partitioned.log_likelihood == pytest.approx(single.log_likelihood, rel=FIT_AGREEMENT)
    # And the published CDNOW estimates (Fader & Hardie 2013).
    params = partitioned.params
    assert (round(params.p, 2), round(params.q, 2), round(params.v, 2)) == (6.25, 3.74, 15.44)


def test_partitioned_gamma_gamma_refuses_what_the_single_fit_refuses(
    client: Any,
) -> None:
    def frame(frequency: list[int], spend: list[float]) -> Any:
        table = pd.DataFrame({"frequency": frequency, "monetary_value": spend})
        return dd.from_pandas(table, npartitions=2)

    with pytest.raises(InvalidCustomerDataError, match="'monetary_value'"):
        fit_gamma_gamma_partitioned(dd.from_pandas(pd.DataFrame({"frequency": [1]}), 1))
    with pytest.raises(InvalidCustomerDataError, match="monetary_value of 0"):
        fit_gamma_gamma_partitioned(frame([1, 2, 3, 0], [10.0, 0.0, 5.0, 0.0]))
    with pytest.raises(InvalidCustomerDataError, match="1 customer"):
        fit_gamma_gamma_partitioned(frame([1, 0, 0, 0], [10.0, 0.0, 0.0, 0.0]))


def test_results_keep_the_divisions_of_orders_indexed_by_customer_only(
    client: Any,
    orders: Any,
) -> None:
    # Sorted by customer, with row numbers as the index and known divisions that fall
    # between customers.
    sorted_rows = orders.sort_values("customer", kind="stable").reset_index(drop=True)
    starts = [int(sorted_rows["customer"].searchsorted(c)) for c in (600, 1200, 1800)]
    by_rows = dd.from_pandas(sorted_rows, npartitions=1).repartition(
        divisions=[0, *starts, len(sorted_rows) - 1]
    )
    assert by_rows.known_divisions
    assert by_rows.npartitions == 4
    by_customer = by_index(orders)
    for frame, known in ((by_rows, False), (by_customer, True)):
        summaries: Any = summarize_partitioned(frame, calibration_end=CALIBRATION_END)
        scores: Any = score_partitioned(frame, at=CALIBRATION_END, lifetime=False)
        for result in (summaries, scores):
            assert result.known_divisions is known
            assert result.loc[1500].compute().index.tolist() == [1500]
    assert scores.divisions == by_customer.divisions
