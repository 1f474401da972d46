"""RFM scores, their tie rule and range, segment maps as data, and bad input."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from staycore.membership.errors import MembershipError
from staycore.membership.rfm import (
    COMMON_SEGMENTS,
    InvalidRfmInputError,
    InvalidSegmentMapError,
    RfmReference,
    RfmScores,
    SegmentMap,
    SegmentRule,
    ValueCounts,
    load_segment_map,
    quantile_scores,
    rfm_scores,
    segments,
)
from staycore.membership.summaries import summarize

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow"

# The common map, as ../shared/DOMAIN.md draws it: rows R5, R4, R3, R2, R1; columns F1..F5.
COMMON_TABLE = {
    5: ("new", "potential loyalist", "potential loyalist", "champion", "champion"),
    4: ("promising", "potential loyalist", "potential loyalist", "loyal", "loyal"),
    3: ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at risk", "at risk", "can't lose"),
    1: ("hibernating", "hibernating", "at risk", "at risk", "can't lose"),
}


# -- quantile scores -----------------------------------------------------------------------


def test_distinct_values_fill_the_bins_equally() -> None:
    scores = quantile_scores(np.arange(100.0))
    assert np.bincount(scores).tolist() == [0, 20, 20, 20, 20, 20]
    assert scores.tolist() == sorted(scores.tolist())


def test_equal_values_score_the_same_whatever_their_order() -> None:
    values = [3, 1, 3, 2, 3, 5, 1]
    scores = quantile_scores(values).tolist()
    assert scores[0] == scores[2] == scores[4]
    assert scores[1] == scores[6]
    shuffled = [values[i] for i in (6, 5, 4, 3, 2, 1, 0)]
    assert quantile_scores(shuffled).tolist() == [scores[i] for i in (6, 5, 4, 3, 2, 1, 0)]


def test_the_mid_rank_rule_on_ties() -> None:
    # 7 has 0 below and 3 equal of 4: q = 1.5 / 4, score 1 + floor(5 * 0.375) = 2.
    # 9 has 3 below and 1 equal: q = 3.5 / 4, score 1 + floor(5 * 0.875) = 5.
    assert quantile_scores([7, 7, 7, 9]).tolist() == [2, 2, 2, 5]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([42.0], [3]),
        ([5, 5, 5, 5, 5, 5], [3, 3, 3, 3, 3, 3]),
        ([1, 2], [2, 4]),
        ([1, 2, 3], [1, 3, 5]),
        ([1, 2, 3, 4], [1, 2, 4, 5]),
    ],
)
def test_fewer_customers_than_bins_still_score_from_1_to_5(
    values: list[float], expected: list[int]
) -> None:
    assert quantile_scores(values).tolist() == expected


@pytest.mark.parametrize("bins", [2, 3, 4, 10])
def test_other_bin_counts(bins: int) -> None:
    scores = quantile_scores(np.arange(bins * 7), bins=bins)
    assert scores.min() == 1
    assert scores.max() == bins
    assert np.bincount(scores)[1:].tolist() == [7] * bins


def test_lower_is_better_reverses_the_scores() -> None:
    assert quantile_scores([10, 20, 30, 40, 50], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_decimal_values_are_scored() -> None:
    values = [Decimal("10.50"), Decimal("2.00"), Decimal("7.25")]
    assert quantile_scores(values, bins=3).tolist() == [3, 1, 2]


# -- rfm_scores ----------------------------------------------------------------------------


def test_recency_in_days_since_is_reversed() -> None:
    scores = rfm_scores([1, 10, 100, 1000, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1])
    assert scores.recency.tolist() == [4, 3, 2, 1, 5]
    assert scores.frequency.tolist() == [3] * 5
    assert scores.monetary.tolist() == [3] * 5


def test_recency_from_last_purchase_dates_equals_recency_from_days_since() -> None:
    end = np.datetime64("2026-06-30")
    last = np.array(["2026-06-01", "2025-12-24", "2026-06-29", "2026-06-01"], dtype="datetime64[D]")
    since = (end - last).astype(int)
    by_dates = rfm_scores(last, [0, 1, 2, 3], [5.0, 4.0, 3.0, 2.0])
    assert by_dates == rfm_scores(since, [0, 1, 2, 3], [5.0, 4.0, 3.0, 2.0])
    as_objects = [
        dt.date(2026, 6, 1),
        dt.date(2025, 12, 24),
        dt.date(2026, 6, 29),
        dt.date(2026, 6, 1),
    ]
    assert rfm_scores(as_objects, [0, 1, 2, 3], [5.0, 4.0, 3.0, 2.0]) == by_dates


def test_scores_are_frozen_columns_and_label_as_text() -> None:
    scores = rfm_scores([3, 30], [4, 1], [10.0, 90.0])
    assert len(scores) == 2
    assert scores.labels().tolist() == ["442", "224"]
    with pytest.raises(ValueError, match="read-only"):
        scores.recency[0] = 1
    wide = RfmScores(recency=[12], frequency=[3], monetary=[10], bins=12)
    assert wide.labels().tolist() == ["12.3.10"]


def test_cdnow_customers_are_scored_and_segmented() -> None:
    rows = [line.split() for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines()]
    summary = summarize(
        [int(row[1]) for row in rows],
        [f"{r[2][:4]}-{r[2][4:6]}-{r[2][6:]}" for r in rows],
        [float(row[4]) for row in rows],
        calibration_end=dt.date(1997, 9, 30),
    )
    scores = rfm_scores(summary.days_since_last_purchase, summary.frequency, summary.total_spend)
    for column in (scores.recency, scores.frequency, scores.monetary):
        assert set(np.unique(column).tolist()) <= {1, 2, 3, 4, 5}
    # Most customers never came back: frequency 0 is one tie, scored as one.
    assert len(set(scores.frequency[summary.frequency == 0].tolist())) == 1
    named = segments(SegmentMap.common(), scores.recency, scores.frequency)
    assert len(named) == len(summary)
    assert set(named.tolist()) <= set(SegmentMap.common().names)


# -- bad input to scoring ------------------------------------------------------------------


def rfm_refused(*args: Any, **options: Any) -> InvalidRfmInputError:
    with pytest.raises(InvalidRfmInputError) as caught:
        rfm_scores(*args, **options)
    error = caught.value
    assert isinstance(error, MembershipError)
    assert error.code == "membership.invalid_rfm_input"
    return error


def test_no_customers_is_refused() -> None:
    assert rfm_refused([], [], []).field == "recency"


@pytest.mark.parametrize(
    ("arguments", "field", "row"),
    [
        (([1, 2], [1], [1, 2]), "frequency", None),
        (([1, 2], [1, 2], [1, 2, 3]), "monetary", None),
        (([1, -2], [1, 2], [1, 2]), "recency", 1),
        (([1, 2], [1, float("nan")], [1, 2]), "frequency", 1),
        (([1, 2], [1, 2], [float("inf"), 2]), "monetary", 0),
        (([1, 2], [1, 2], [-1.0, 2]), "monetary", 0),
        (([1, 2], [True, False], [1, 2]), "frequency", None),
        (([1, 2], ["1", "2"], [1, 2]), "frequency", None),
        (([1, 2], [1, 2], [Decimal("sNaN"), 2]), "monetary", None),
        (([[1, 2]], [1, 2], [1, 2]), "recency", None),
        ((np.array(["2026-01-01", "NaT"], dtype="datetime64[D]"), [1, 2], [1, 2]), "recency", 1),
        (([dt.date(2026, 1, 1), "soon"], [1, 2], [1, 2]), "recency", None),
    ],
)
def test_bad_figures_are_refused_with_field_and_row(
    arguments: tuple[Any, Any, Any], field: str, row: int | None
) -> None:
    error = rfm_refused(*arguments)
    assert (error.field, error.row) == (field, row)


@pytest.mark.parametrize("bins", [1, 0, True, 2.5, "5"])
def test_bins_must_be_a_whole_number_from_2(bins: object) -> None:
    assert rfm_refused([1], [1], [1], bins=bins).field == "bins"
    with pytest.raises(InvalidRfmInputError):
        quantile_scores([1, 2], bins=bins)  # type: ignore[arg-type]


def test_input_errors_pickle() -> None:
    error = rfm_refused([1, 2], [1, -1], [1, 2])
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own error, just pickled
    assert (copy.message, copy.field, copy.row) == (error.message, error.field, error.row)


# -- scores against a reference -------------------------------------------------------------


def test_a_reference_scores_by_the_mid_rank_rule_of_the_whole_base() -> None:
    # Ten customers 1..10 days since, counted in two parts: 1-4 and 5-10.
    early = RfmReference.from_values([1, 2, 3, 4], [1, 1, 2, 2], [10.0, 20.0, 30.0, 40.0])
    late = RfmReference.from_values(
        [5, 6, 7, 8, 9, 10], [2, 3, 3, 3, 4, 9], [50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    )
    base = early.merge(late)
    scores = base.scores([1, 4, 10], [1, 2, 9], [10.0, 40.0, 100.0])
    # 4 days since: 6 customers less recent, 7 as recent or less: 1 + 5 * 13 // 20 = 4.
    # Frequency 2: 2 lower, 5 up to it: 1 + 5 * 7 // 20 = 2.
    assert scores.recency.tolist() == [5, 4, 1]
    assert scores.frequency.tolist() == [1, 2, 5]
    assert scores.monetary.tolist() == [1, 2, 5]
    # A part alone ranks its customers among themselves: 4 days is its least recent.
    assert early.scores([1, 4], [1, 2], [10.0, 40.0]).recency.tolist() == [5, 1]


def test_a_value_above_everything_counted_scores_the_top() -> None:
    counts = ValueCounts.of([1.0, 2.0, 3.0])
    assert counts.scores([0.0, 1.5, 3.0, 99.0], bins=3).tolist() == [1, 2, 3, 3]


def test_references_pickle_and_compare_as_values() -> None:
    reference = RfmReference.from_values([3, 40, 200], [1, 4, 6], [80.0, 120.0, 95.0], bins=4)
    copy = pickle.loads(pickle.dumps(reference))  # noqa: S301 -- our own value, just pickled
    assert copy == reference
    assert copy != RfmReference.from_values([3, 40, 200], [1, 4, 6], [80.0, 120.0, 95.0])


def test_no_customers_score_as_no_rows_against_a_reference() -> None:
    reference = RfmReference.from_values([3, 40], [1, 4], [80.0, 120.0])
    scores = reference.scores([], [], [])
    assert len(scores) == 0
    assert scores.bins == 5
    with pytest.raises(InvalidRfmInputError, match="frequency has 1 rows") as raised:
        reference.scores([], [1], [])
    assert raised.value.field == "frequency"


def test_recency_is_scored_the_way_the_reference_took_it() -> None:
    by_days = RfmReference.from_values([3, 40], [1, 4], [80.0, 120.0])
    last = np.array(["2026-05-01", "2026-01-10"], dtype="datetime64[D]")
    by_dates = RfmReference.from_values(last, [1, 4], [80.0, 120.0])
    with pytest.raises(InvalidRfmInputError, match=r"given as dates .* took days since") as raised:
        by_days.scores(last, [1, 4], [80.0, 120.0])
    assert raised.value.field == "recency"
    with pytest.raises(InvalidRfmInputError, match="count every part the same way") as raised:
        by_days.merge(by_dates)
    assert raised.value.field == "recency"
    assert by_dates.scores(last, [1, 4], [80.0, 120.0]).recency.tolist() == [4, 2]


def test_references_of_other_bins_do_not_merge() -> None:
    five = RfmReference.from_values([3], [1], [80.0])
    three = RfmReference.from_values([3], [1], [80.0], bins=3)
    with pytest.raises(InvalidRfmInputError, match="5 and 3 bins") as raised:
        five.merge(three)
    assert raised.value.field == "bins"


def test_a_reference_refuses_figures_of_different_customers() -> None:
    with pytest.raises(InvalidRfmInputError, match="recency 2, frequency 1, monetary 2"):
        RfmReference(
            recency=ValueCounts.of([-3.0, -40.0]),
            frequency=ValueCounts.of([1.0]),
            monetary=ValueCounts.of([80.0, 120.0]),
        )


@pytest.mark.parametrize(
    ("values", "counts", "field", "row"),
    [
        ([1.0, 3.0, 2.0], [1, 1, 1], "values", 2),
        ([1.0, 1.0], [1, 1], "values", 1),
        ([1.0, 2.0], [1, 0], "counts", 1),
        ([1.0, 2.0], [1, 1, 1], "counts", None),
        ([1.0, 2.0], [1.5, 1], "counts", None),
        ([], [], "values", None),
        ([float("nan")], [1], "values", None),
        (["a"], [1], "values", None),
    ],
)
def test_value_counts_are_checked(
    values: list[Any], counts: list[Any], field: str, row: int | None
) -> None:
    with pytest.raises(InvalidRfmInputError) as raised:
        ValueCounts(np.array(values), np.array(counts))
    assert (raised.value.field, raised.value.row) == (field, row)


# -- the common map --------------------------------------------------------------------------


def test_the_common_map_is_the_domain_table() -> None:
    common = SegmentMap.common()
    grid = common.grid()
    for recency, row in COMMON_TABLE.items():
        assert grid[recency - 1] == row
        for frequency, name in enumerate(row, start=1):
            assert common.segment(recency, frequency) == name


def test_the_common_map_has_ten_segments_one_rule_each() -> None:
    common = SegmentMap.common()
    assert len(common.names) == 10
    assert len(common.rules) == 10
    assert common.names == tuple(name for name, _, _ in COMMON_SEGMENTS)
    assert common.bins == 5


def test_segments_names_every_customer_as_segment_does() -> None:
    common = SegmentMap.common()
    r, f = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
    named = segments(common, r.ravel(), f.ravel())
    assert named.tolist() == [
        common.segment(int(a), int(b)) for a, b in zip(r.ravel(), f.ravel(), strict=True)
    ]
    assert segments(common, np.array([5.0]), np.array([5.0])).tolist() == ["champion"]


@pytest.mark.parametrize(
    ("recency", "frequency", "field", "row"),
    [
        ([5, 6], [1, 1], "recency", 1),
        ([5, 5], [0, 1], "frequency", 0),
        ([5, 5], [1], "frequency", None),
        ([5.5], [1], "recency", None),
        (["5"], [1], "recency", None),
    ],
)
def test_segments_refuses_scores_out_of_the_map(
    recency: list[Any], frequency: list[Any], field: str, row: int | None
) -> None:
    with pytest.raises(InvalidRfmInputError) as caught:
        segments(SegmentMap.common(), recency, frequency)
    assert (caught.value.field, caught.value.row) == (field, row)


@pytest.mark.parametrize(("recency", "frequency"), [(0, 1), (1, 6), (True, 1), (2.0, 1)])
def test_segment_refuses_a_score_out_of_the_map(recency: Any, frequency: Any) -> None:
    with pytest.raises(InvalidRfmInputError):
        SegmentMap.common().segment(recency, frequency)


# -- maps as data --------------------------------------------------------------------------


def test_a_map_reads_back_from_its_data_and_from_json() -> None:
    common = SegmentMap.common()
    assert SegmentMap.from_data(common.to_data()) == common
    assert load_segment_map(json.dumps(common.to_data())) == common


def test_a_map_reads_from_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "segments.yaml"
    path.write_text(
        "bins: 3\n"
        "segments:\n"
        "  - {name: active, recency: 2-3, frequency: 1-3}\n"
        "  - {name: lapsed, recency: 1, frequency: [1, 3]}\n"
    )
    loaded = load_segment_map(path)
    assert loaded.bins == 3
    assert loaded.grid()[0] == ("lapsed", "lapsed", "lapsed")


def test_a_segment_may_take_several_rules() -> None:
    l_shaped = SegmentMap.from_data(
        {
            "bins": 2,
            "segments": [
                {"name": "good", "recency": 2, "frequency": "1-2"},
                {"name": "good", "recency": 1, "frequency": 2},
                {"name": "poor", "recency": 1, "frequency": 1},
            ],
        }
    )
    assert l_shaped.names == ("good", "poor")
    assert l_shaped.grid() == (("poor", "good"), ("good", "good"))


def map_problems(data: object) -> tuple[tuple[str, str], ...]:
    with pytest.raises(InvalidSegmentMapError) as caught:
        SegmentMap.from_data(data, source="segments.json")
    error = caught.value
    assert error.code == "membership.invalid_segment_map"
    assert error.source == "segments.json"
    assert error.message.startswith("segment map segments.json has")
    return error.problems


def test_uncovered_and_overlapping_cells_are_named() -> None:
    data = SegmentMap.common().to_data()
    data["segments"] = [s for s in data["segments"] if s["name"] != "need attention"]
    data["segments"].append({"name": "everyone new", "recency": 5, "frequency": "1-2"})
    assert map_problems(data) == (
        (
            "segments",
            "no rule covers 1 cell (R3 F3); "
            "give every recency x frequency cell exactly one segment",
        ),
        (
            "segments",
            "2 cells are covered by two rules or more: R5 F1 (new, everyone new), R5 F2 "
            "(potential loyalist, everyone new); narrow the rules so that each cell has one "
            "segment",
        ),
    )


def test_many_uncovered_cells_are_counted_beyond_the_first_twelve() -> None:
    problems = map_problems({"bins": 5, "segments": [{"name": "x", "recency": 1, "frequency": 1}]})
    assert problems[0][1].startswith("no rule covers 24 cells (R1 F2, R1 F3,")
    assert " and 12 more)" in problems[0][1]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], ("", 'is a mapping such as {"bins": 5, "segments": [...]}, got a list')),
        ({"bins": 5}, ("segments", "required, but missing")),
        ({"segments": "all"}, ("segments", 'is a list of segments, got "all"')),
        ({"segments": []}, ("segments", "name at least one segment")),
        (
            {"segments": [7]},
            (
                "segments[0]",
                'is a mapping such as {"name": "new", "recency": 5, "frequency": 1}, got 7',
            ),
        ),
        (
            {"bins": 1, "segments": [{"name": "a", "recency": 1, "frequency": 1}]},
            ("bins", "is a whole number 2 or more, got 1"),
        ),
        (
            {"bins": "5", "segments": [{"name": "a", "recency": 1, "frequency": 1}]},
            ("bins", 'is a whole number 2 or more, got "5"'),
        ),
        (
            {"segments": [{"recency": 1, "frequency": 1}]},
            ("segments[0].name", "required, but missing"),
        ),
        (
            {"segments": [{"name": " ", "recency": 1, "frequency": 1}]},
            (
                "segments[0].name",
                'is the segment\'s name, non-empty text such as "champion", got " "',
            ),
        ),
        (
            {"segments": [{"name": "a", "recency": "5-4", "frequency": 1}]},
            (
                "segments[0].recency",
                "runs from a score of 1 or more up to one as high or higher, got 5-4",
            ),
        ),
        (
            {"segments": [{"name": "a", "recency": True, "frequency": 1}]},
            (
                "segments[0].recency",
                'is a score or a range of scores such as 5, [4, 5] or "4-5", got true',
            ),
        ),
        (
            {"segments": [{"name": "a", "recency": [1, 2, 3], "frequency": 1}]},
            (
                "segments[0].recency",
                'is a score or a range of scores such as 5, [4, 5] or "4-5", got a list',
            ),
        ),
        (
            {"segments": [{"name": "a", "recency": 1, "frequency": 1, "money": 1}]},
            ("segments[0].money", "unknown key; a segment has name, recency and frequency"),
        ),
        (
            {
                "bins": 2,
                "colour": "red",
                "segments": [{"name": "a", "recency": "1-2", "frequency": "1-2"}],
            },
            ("colour", 'unknown key; a segment map has "bins" and "segments"'),
        ),
        (
            {"bins": 2, "segments": [{"name": "a", "recency": "1-3", "frequency": "1-2"}]},
            ("segments[0].recency", "reaches 3, beyond the map's 2 scores"),
        ),
    ],
)
def test_every_document_problem_says_where_it_is(data: object, expected: tuple[str, str]) -> None:
    assert expected in map_problems(data)


def test_document_problems_are_reported_together() -> None:
    problems = map_problems(
        {"bins": 0, "segments": [{"name": "", "recency": 0, "frequency": 1}, {"recency": 1}]}
    )
    assert [path for path, _ in problems] == [
        "bins",
        "segments[0].name",
        "segments[0].recency",
        "segments[1].name",
        "segments[1].frequency",
    ]


def test_unreadable_text_is_a_segment_map_error() -> None:
    with pytest.raises(InvalidSegmentMapError):
        load_segment_map('{"bins": 5, "bins": 4}')


def test_rules_and_maps_built_in_code_are_checked() -> None:
    with pytest.raises(InvalidSegmentMapError) as caught:
        SegmentRule(name="a", recency=0, frequency=1)
    assert caught.value.problems[0][0] == "recency"
    with pytest.raises(InvalidSegmentMapError) as caught:
        SegmentRule(name=3, recency=1, frequency=1)
    assert caught.value.problems[0][0] == "name"
    with pytest.raises(InvalidSegmentMapError) as caught:
        SegmentMap(["champion"])
    assert caught.value.problems == (("segments[0]", "is a SegmentRule, got 'champion'"),)
    with pytest.raises(InvalidSegmentMapError):
        SegmentMap("champion")
    with pytest.raises(InvalidSegmentMapError) as caught:
        SegmentMap(SegmentMap.common().rules, bins=True)
    assert caught.value.problems[0][0] == "bins"


def test_rule_names_are_trimmed_and_maps_are_hashable_values() -> None:
    assert SegmentRule(name="  new ", recency=5, frequency=1).name == "new"
    assert hash(SegmentMap.common()) == hash(SegmentMap.common())


def test_map_errors_pickle() -> None:
    problems = map_problems({"segments": []})
    error = InvalidSegmentMapError(problems, source="x.json")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own error, just pickled
    assert (copy.problems, copy.source, copy.message) == (
        error.problems,
        error.source,
        error.message,
    )
