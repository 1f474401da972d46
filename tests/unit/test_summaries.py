"""Customer summaries: the CDNOW figures, purchase days, units, holdout, and bad input."""

from __future__ import annotations

import datetime as dt
import pickle
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest

from staycore.kernel.money import Money
from staycore.membership.errors import MembershipError
from staycore.membership.ids import CustomerId
from staycore.membership.summaries import (
    UNIT_DAYS,
    CustomerSummary,
    InvalidOrderDataError,
    summarize,
    summarize_holdout,
)

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow"
CALIBRATION_END = dt.date(1997, 9, 30)
OBSERVATION_END = dt.date(1998, 6, 30)
# The published files give recency, T and zbar to 2 decimals.
HALF_CENT = 0.005 + 1e-9


@attrs.frozen
class Log:
    customer: npt.NDArray[np.int64]
    day: npt.NDArray[np.datetime64]
    dollars: npt.NDArray[np.float64]


@pytest.fixture(scope="module")
def log() -> Log:
    """The raw CDNOW log: master id, customer id, YYYYMMDD, CDs, dollars."""
    rows = [line.split() for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines()]
    return Log(
        customer=np.array([int(row[1]) for row in rows]),
        day=np.array([f"{r[2][:4]}-{r[2][4:6]}-{r[2][6:]}" for r in rows], dtype="datetime64[D]"),
        dollars=np.array([float(row[4]) for row in rows]),
    )


def published(name: str) -> dict[str, npt.NDArray[np.float64]]:
    lines = (CDNOW / name).read_text().split()
    header = lines[0].split(",")
    values = np.array([[float(cell) for cell in line.split(",")] for line in lines[1:]])
    return {column: values[:, index] for index, column in enumerate(header)}


def days(*texts: str) -> npt.NDArray[np.datetime64]:
    return np.array(texts, dtype="datetime64[D]")


# -- CDNOW ---------------------------------------------------------------------------------


def test_cdnow_summary_reproduces_the_published_frequency_recency_and_age(log: Log) -> None:
    summary = summarize(log.customer, log.day, log.dollars, calibration_end=CALIBRATION_END)
    expected = published("cdnow_customers_summary.csv")
    assert len(summary) == 2357
    assert summary.customer.tolist() == expected["ID"].astype(int).tolist()
    assert summary.frequency.tolist() == expected["frequency"].astype(int).tolist()
    assert np.abs(summary.recency - expected["recency"]).max() <= HALF_CENT
    assert np.abs(summary.T - expected["T"]).max() <= HALF_CENT


def test_cdnow_mean_repeat_spend_is_the_published_zbar(log: Log) -> None:
    summary = summarize(log.customer, log.day, log.dollars, calibration_end=CALIBRATION_END)
    expected = published("cdnow_customers_summary_with_transactions.csv")
    assert summary.customer.tolist() == expected["ID"].astype(int).tolist()
    assert summary.frequency.tolist() == expected["x"].astype(int).tolist()
    assert np.abs(summary.monetary_value - expected["zbar"]).max() <= HALF_CENT


def test_cdnow_figures_agree_with_a_plain_python_count(log: Log) -> None:
    """Every column, and the holdout, against a per-order loop that shares no code."""
    end, observed = np.datetime64(CALIBRATION_END), np.datetime64(OBSERVATION_END)
    calibration: dict[int, dict[np.datetime64, float]] = defaultdict(lambda: defaultdict(float))
    holdout: dict[int, dict[np.datetime64, float]] = defaultdict(lambda: defaultdict(float))
    for customer, day, dollars in zip(log.customer, log.day, log.dollars, strict=True):
        if day <= end:
            calibration[int(customer)][day] += float(dollars)
        elif day <= observed:
            holdout[int(customer)][day] += float(dollars)
    split = summarize_holdout(
        log.customer,
        log.day,
        log.dollars,
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
    )
    summary = split.calibration
    for row, customer in enumerate(summary.customer.tolist()):
        spend = calibration[customer]
        first, last = min(spend), max(spend)
        assert summary.first_purchase[row] == first
        assert summary.last_purchase[row] == last
        assert summary.total_spend[row] == pytest.approx(sum(spend.values()))
        assert summary.mean_spend[row] == pytest.approx(sum(spend.values()) / len(spend))
        later = holdout[customer]
        assert split.frequency[row] == len(later)
        assert split.monetary_value[row] == pytest.approx(
            sum(later.values()) / len(later) if later else 0.0
        )
    assert split.duration == 273 / 7
    assert split.observation_end == np.datetime64("1998-06-30")


# -- purchases, units and ids --------------------------------------------------------------


def test_orders_on_one_day_are_one_purchase_with_their_amounts_added() -> None:
    summary = summarize(
        ["a", "a", "a", "a"],
        days("2026-01-01", "2026-01-08", "2026-01-08", "2026-01-15"),
        [10.0, 20.0, 5.0, 40.0],
        calibration_end=dt.date(2026, 1, 29),
    )
    assert summary.frequency.tolist() == [2]
    assert summary.recency.tolist() == [2.0]
    assert summary.T.tolist() == [4.0]
    assert summary.monetary_value.tolist() == [32.5]
    assert summary.total_spend.tolist() == [75.0]
    assert summary.mean_spend.tolist() == [25.0]


def test_a_customer_without_a_repeat_purchase_has_zero_recency_and_monetary_value() -> None:
    summary = summarize(
        [1, 1], days("2026-02-01", "2026-02-01"), [30, 20], calibration_end=dt.date(2026, 2, 15)
    )
    assert summary.frequency.tolist() == [0]
    assert summary.recency.tolist() == [0.0]
    assert summary.monetary_value.tolist() == [0.0]
    assert summary.mean_spend.tolist() == [50.0]


def test_orders_after_the_calibration_end_are_left_out() -> None:
    summary = summarize(
        [1, 1, 1, 2],
        days("2026-01-01", "2026-01-31", "2026-02-01", "2026-02-10"),
        [10, 20, 30, 40],
        calibration_end=dt.date(2026, 1, 31),
        unit="D",
    )
    # The order of 1 February is after the end; customer 2 first ordered after it.
    assert summary.customer.tolist() == [1]
    assert summary.frequency.tolist() == [1]
    assert summary.recency.tolist() == [30.0]
    assert summary.total_spend.tolist() == [30.0]
    assert summary.last_purchase.tolist() == [dt.date(2026, 1, 31)]


def test_a_calibration_end_after_every_order_is_fine() -> None:
    summary = summarize(
        [1, 1], days("2026-01-01", "2026-01-08"), [10, 20], calibration_end=dt.date(2030, 1, 1)
    )
    assert summary.frequency.tolist() == [1]
    assert summary.T[0] == (dt.date(2030, 1, 1) - dt.date(2026, 1, 1)).days / 7


@pytest.mark.parametrize(
    ("unit", "per_unit"),
    [
        ("D", 1.0),
        ("W", 7.0),
        ("M", 30.4375),
        (dt.timedelta(days=14), 14.0),
        (dt.timedelta(hours=12), 0.5),
    ],
)
def test_times_are_measured_in_the_unit(unit: Any, per_unit: float) -> None:
    summary = summarize(
        [1, 1],
        days("2026-01-01", "2026-03-02"),
        [1, 1],
        calibration_end=dt.date(2026, 4, 1),
        unit=unit,
    )
    assert summary.unit_days == per_unit
    assert summary.recency[0] == pytest.approx(60 / per_unit)
    assert summary.T[0] == pytest.approx(90 / per_unit)


def test_unit_days_lists_the_named_units() -> None:
    assert UNIT_DAYS == {"D": 1.0, "W": 7.0, "M": 30.4375}


def test_first_purchase_counts_counts_and_averages_every_purchase() -> None:
    orders = ([1, 1, 1], days("2026-01-01", "2026-01-08", "2026-01-22"), [10.0, 20.0, 60.0])
    repeat = summarize(*orders, calibration_end=dt.date(2026, 2, 1))
    every = summarize(*orders, calibration_end=dt.date(2026, 2, 1), first_purchase_counts=True)
    assert (repeat.frequency.tolist(), every.frequency.tolist()) == ([2], [3])
    assert (repeat.monetary_value.tolist(), every.monetary_value.tolist()) == ([40.0], [30.0])
    assert repeat.recency.tolist() == every.recency.tolist() == [3.0]


def test_customers_come_out_sorted_by_id() -> None:
    summary = summarize(
        np.array(["zoe", "adam", "mia", "adam"]),
        ["2026-01-03", "2026-01-01", "2026-01-02", "2026-01-05"],
        [1, 2, 3, 4],
        calibration_end=dt.date(2026, 1, 31),
    )
    assert summary.customer.tolist() == ["adam", "mia", "zoe"]
    assert summary.frequency.tolist() == [1, 0, 0]


def test_ids_that_do_not_compare_are_kept_apart_in_order_of_appearance() -> None:
    summary = summarize(
        [7, "7", (7, 1), "7", 7],
        ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-09"],
        [1, 2, 3, 4, 5],
        calibration_end=dt.date(2026, 1, 31),
        unit="D",
    )
    assert summary.customer.tolist() == [7, "7", (7, 1)]
    assert summary.frequency.tolist() == [1, 1, 0]
    assert summary.recency.tolist() == [8.0, 2.0, 0.0]


def test_customer_ids_of_the_domain_are_summarised() -> None:
    ana, bo = CustomerId.new(), CustomerId.new()
    summary = summarize(
        [ana, bo, ana],
        [dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 9)],
        [Decimal("12.30"), Decimal("40.00"), Decimal("7.70")],
        calibration_end=dt.date(2026, 1, 31),
    )
    assert set(summary.customer.tolist()) == {ana, bo}
    by_id = dict(zip(summary.customer.tolist(), summary.total_spend.tolist(), strict=True))
    assert by_id[ana] == pytest.approx(20.0)


def test_dates_are_read_from_dates_text_and_finer_datetime64() -> None:
    expected = summarize(
        [1, 1], days("2026-01-01", "2026-01-15"), [1, 1], calibration_end=dt.date(2026, 2, 1)
    )
    for given in (
        [dt.date(2026, 1, 1), dt.date(2026, 1, 15)],
        ["2026-01-01", "2026-01-15"],
        np.array(["2026-01-01T23:59", "2026-01-15T00:01"], dtype="datetime64[m]"),
        [dt.datetime(2026, 1, 1, 22), dt.datetime(2026, 1, 15, 6)],  # noqa: DTZ001
    ):
        assert summarize([1, 1], given, [1, 1], calibration_end=dt.date(2026, 2, 1)) == expected


def test_calibration_end_may_be_a_datetime64_day() -> None:
    summary = summarize(
        [1], days("2026-01-01"), [1], calibration_end=np.datetime64("2026-01-15T10:00")
    )
    assert summary.calibration_end == np.datetime64("2026-01-15")
    assert summary.T.tolist() == [2.0]


def test_a_summary_is_frozen_and_compares_by_its_columns() -> None:
    def make() -> CustomerSummary:
        return summarize(
            [1, 2], days("2026-01-01", "2026-01-02"), [1, 2], calibration_end=dt.date(2026, 2, 1)
        )

    summary = make()
    assert summary == make()
    assert hash(summary) == hash(make())
    assert summary != summarize(
        [1, 2], days("2026-01-01", "2026-01-02"), [1, 3], calibration_end=dt.date(2026, 2, 1)
    )
    with pytest.raises(ValueError, match="read-only"):
        summary.frequency[0] = 5
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        summary.frequency = np.array([5, 5])  # type: ignore[misc]


def test_columns_and_days_since_last_purchase() -> None:
    summary = summarize(
        ["a", "b"], days("2026-01-01", "2026-01-20"), [5, 6], calibration_end=dt.date(2026, 1, 31)
    )
    assert list(summary.columns()) == [
        "customer",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "total_spend",
        "mean_spend",
        "first_purchase",
        "last_purchase",
    ]
    assert summary.days_since_last_purchase.tolist() == [30, 11]


def test_a_summary_built_by_hand_needs_one_row_per_customer() -> None:
    good = summarize([1], days("2026-01-01"), [1], calibration_end=dt.date(2026, 1, 8))
    with pytest.raises(InvalidOrderDataError) as caught:
        attrs.evolve(good, recency=np.array([1.0, 2.0]))
    assert caught.value.field == "recency"


@pytest.mark.parametrize("seed", range(5))
def test_the_vectorised_summary_equals_a_per_customer_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = 2000
    customers = rng.integers(0, 150, count)
    dates = np.datetime64("2025-01-01") + rng.integers(0, 400, count).astype("timedelta64[D]")
    amounts = np.round(rng.gamma(2.0, 40.0, count), 2)
    end = dt.date(2025, 12, 31)
    summary = summarize(customers, dates, amounts, calibration_end=end, unit="M")
    expected: dict[int, dict[np.datetime64, float]] = defaultdict(lambda: defaultdict(float))
    for customer, day, amount in zip(customers, dates, amounts, strict=True):
        if day <= np.datetime64(end):
            expected[int(customer)][day] += float(amount)
    assert summary.customer.tolist() == sorted(expected)
    for row, customer in enumerate(summary.customer.tolist()):
        spend = expected[customer]
        ordered = sorted(spend)
        repeats = [spend[day] for day in ordered[1:]]
        assert summary.frequency[row] == len(ordered) - 1
        assert summary.recency[row] == pytest.approx(
            (ordered[-1] - ordered[0]).astype(int) / 30.4375
        )
        assert summary.T[row] == pytest.approx(
            (np.datetime64(end) - ordered[0]).astype(int) / 30.4375
        )
        assert summary.monetary_value[row] == pytest.approx(np.mean(repeats) if repeats else 0.0)


# -- bad input ---------------------------------------------------------------------------


def refused(
    customers: Any = (1, 2, 3),
    dates: Any = ("2026-01-01", "2026-01-02", "2026-01-03"),
    amounts: Any = (10.0, 20.0, 30.0),
    **options: Any,
) -> InvalidOrderDataError:
    options.setdefault("calibration_end", dt.date(2026, 1, 31))
    with pytest.raises(InvalidOrderDataError) as caught:
        summarize(list(customers), list(dates), list(amounts), **options)
    error = caught.value
    assert isinstance(error, MembershipError)
    assert error.code == "membership.invalid_order_data"
    return error


def test_no_orders_is_refused() -> None:
    error = refused([], [], [])
    assert (error.field, error.row) == ("customers", None)
    assert "no orders" in error.message


@pytest.mark.parametrize(
    ("dates", "amounts", "field"),
    [
        (["2026-01-01", "2026-01-02"], [1, 2, 3], "dates"),
        (["2026-01-01", "2026-01-02", "2026-01-03"], [1, 2], "amounts"),
    ],
)
def test_columns_of_different_lengths_are_refused(
    dates: list[str], amounts: list[int], field: str
) -> None:
    error = refused(dates=dates, amounts=amounts)
    assert (error.field, error.row) == (field, None)
    assert "one customer, one date and one amount per order" in error.message


def test_a_negative_amount_is_refused_with_its_row() -> None:
    error = refused(amounts=[10.0, -5.0, -1.0])
    assert (error.field, error.row) == ("amounts", 1)
    assert error.message.startswith("row 1 (and 1 more row): amounts is negative (-5.0)")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
def test_a_nan_or_infinite_amount_is_refused_with_its_row(bad: object) -> None:
    error = refused(amounts=[10.0, 20.0, bad])
    assert (error.field, error.row) == ("amounts", 2)


@pytest.mark.parametrize("bad", [Decimal("sNaN"), "ten", Money.of("10.00", "EUR"), None])
def test_an_amount_that_is_not_a_number_is_refused_with_its_row(bad: object) -> None:
    error = refused(amounts=[10.0, bad, 30.0])
    assert (error.field, error.row) == ("amounts", 1)


def test_boolean_amounts_are_refused() -> None:
    assert refused(amounts=np.array([True, False, True])).field == "amounts"


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_missing_customer_id_is_refused_with_its_row(missing: object) -> None:
    error = refused(customers=["a", missing, "c"])
    assert (error.field, error.row) == ("customers", 1)


def test_a_nan_customer_id_in_a_float_column_is_refused() -> None:
    with pytest.raises(InvalidOrderDataError) as caught:
        summarize(
            np.array([1.0, 2.0, np.nan]),
            days("2026-01-01", "2026-01-02", "2026-01-03"),
            [1, 2, 3],
            calibration_end=dt.date(2026, 1, 31),
        )
    assert (caught.value.field, caught.value.row) == ("customers", 2)


def test_an_unhashable_customer_id_is_refused_with_its_row() -> None:
    error = refused(customers=[1, "b", ["c"]])
    assert (error.field, error.row) == ("customers", 2)
    error = refused(customers=[1, ("b", ["c"]), 3])
    assert (error.field, error.row) == ("customers", 1)


def test_customers_that_are_not_a_column_are_refused() -> None:
    with pytest.raises(InvalidOrderDataError) as caught:
        summarize(
            np.array([[1, 2], [3, 4]]),
            days("2026-01-01"),
            [1],
            calibration_end=dt.date(2026, 1, 31),
        )
    assert caught.value.field == "customers"
    with pytest.raises(InvalidOrderDataError):
        summarize(5, days("2026-01-01"), [1], calibration_end=dt.date(2026, 1, 31))


@pytest.mark.parametrize(
    ("bad", "row"),
    [("NaT", 1), ("2026-13-01", 1), ("soon", 1), (dt.datetime(2026, 1, 2, tzinfo=dt.UTC), 1)],
)
def test_a_missing_or_unreadable_date_is_refused_with_its_row(bad: object, row: int) -> None:
    error = refused(dates=[dt.date(2026, 1, 1), bad, dt.date(2026, 1, 3)])
    assert (error.field, error.row) == ("dates", row)


def test_a_missing_date_in_a_datetime64_column_is_refused_with_its_row() -> None:
    error = refused(dates=days("2026-01-01", "2026-01-02", "NaT"))
    assert (error.field, error.row) == ("dates", 2)


def test_dates_given_as_numbers_are_refused() -> None:
    error = refused(dates=[20260101, 20260102, 20260103])
    assert (error.field, error.row) == ("dates", None)
    assert "YYYYMMDD" in error.message


@pytest.mark.parametrize(
    "end", [dt.datetime(2026, 1, 31, tzinfo=dt.UTC), "2026-01-31", None, np.datetime64("NaT")]
)
def test_a_calibration_end_that_is_not_a_date_is_refused(end: object) -> None:
    assert refused(calibration_end=end).field == "calibration_end"


def test_a_calibration_end_before_every_order_is_refused() -> None:
    error = refused(calibration_end=dt.date(2025, 12, 31))
    assert error.field == "calibration_end"
    assert "the first is on 2026-01-01" in error.message


@pytest.mark.parametrize("unit", ["weeks", "Y", dt.timedelta(0), dt.timedelta(days=-7), 7])
def test_an_unknown_unit_is_refused(unit: object) -> None:
    assert refused(unit=unit).field == "unit"


def test_first_purchase_counts_must_be_a_bool() -> None:
    assert refused(first_purchase_counts="yes").field == "first_purchase_counts"


def test_amounts_adding_up_beyond_a_float_are_refused() -> None:
    error = refused(customers=[1, 1, 2], amounts=[1e308, 1e308, 1.0])
    assert error.field == "amounts"
    assert "customer 1" in error.message


def test_errors_survive_pickling_for_worker_processes() -> None:
    error = refused(amounts=[1.0, -1.0, 2.0])
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own error, just pickled
    assert (copy.message, copy.field, copy.row) == (error.message, error.field, error.row)


# -- holdout -------------------------------------------------------------------------------


def test_holdout_counts_purchase_days_up_to_the_observation_end() -> None:
    split = summarize_holdout(
        ["a", "a", "a", "a", "a", "b", "c"],
        days(
            "2026-01-01",
            "2026-02-02",
            "2026-02-02",
            "2026-02-20",
            "2026-04-01",
            "2026-01-10",
            "2026-02-05",
        ),
        [10, 20, 30, 40, 50, 60, 70],
        calibration_end=dt.date(2026, 1, 31),
        observation_end=dt.date(2026, 3, 1),
        unit="D",
    )
    assert split.calibration.customer.tolist() == ["a", "b"]
    assert split.frequency.tolist() == [2, 0]
    assert split.monetary_value.tolist() == [45.0, 0.0]
    assert split.duration == 29.0


@pytest.mark.parametrize("observed", [dt.date(2026, 1, 31), dt.date(2026, 1, 1)])
def test_an_observation_end_not_after_the_calibration_end_is_refused(observed: dt.date) -> None:
    with pytest.raises(InvalidOrderDataError) as caught:
        summarize_holdout(
            [1],
            days("2026-01-01"),
            [1],
            calibration_end=dt.date(2026, 1, 31),
            observation_end=observed,
        )
    assert caught.value.field == "observation_end"


def test_holdout_columns_follow_the_calibration_customers() -> None:
    split = summarize_holdout(
        [1],
        days("2026-01-01"),
        [1],
        calibration_end=dt.date(2026, 1, 2),
        observation_end=dt.date(2026, 1, 3),
    )
    with pytest.raises(InvalidOrderDataError) as caught:
        attrs.evolve(split, frequency=np.array([1, 2]))
    assert caught.value.field == "frequency"


def test_holdout_amounts_adding_up_beyond_a_float_are_refused() -> None:
    with pytest.raises(InvalidOrderDataError) as caught:
        summarize_holdout(
            [1, 1, 1],
            days("2026-01-01", "2026-02-02", "2026-02-03"),
            [1.0, 1e308, 1e308],
            calibration_end=dt.date(2026, 1, 31),
            observation_end=dt.date(2026, 3, 1),
        )
    assert caught.value.field == "amounts"
