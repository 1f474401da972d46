"""RFM scores and segment maps keep their rules for any customer base and any valid map.

Customer bases are 1 to 80 customers with values drawn from a handful of numbers (so
ties are common) or from any finite float; bins run from 2 to 10. Then:

* every score is in 1..bins (1..5 for RFM's quintiles), for any base of any size;
* equal values get equal scores, and shuffling the customers shuffles their scores;
* scores are monotone in the value: higher scores higher, and for recency fewer days
  since the last purchase (or a later last purchase date) scores higher;
* distinct values, as many as a multiple of bins, fill every score equally.

A base split into parts scores as a whole against a reference: the value counts of the
parts, merged in any order, are the counts of the whole; every part scored against them
gets exactly the scores :func:`rfm_scores` (or :func:`quantile_scores`) gives the whole
base at once; and a value the reference never counted scores by where it falls, within
1..bins and monotone.

Segment maps are random guillotine partitions of the score grid (bands of recency
scores, each cut into runs of frequency scores). Each covers every cell exactly once, as
the common map does; reads back from its own data; names each customer as the single
cell lookup does; and without one of its rules is refused, naming exactly that rule's
cells as uncovered.
"""

from __future__ import annotations

from random import Random

import numpy as np
import numpy.typing as npt
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from staycore.membership.rfm import (
    InvalidSegmentMapError,
    RfmReference,
    SegmentMap,
    SegmentRule,
    ValueCounts,
    quantile_scores,
    rfm_scores,
    segments,
)

bins_counts = st.integers(2, 10)
values = st.one_of(
    st.integers(0, 4).map(float),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
)
bases = st.lists(values, min_size=1, max_size=80)
figures = st.one_of(st.integers(0, 3), st.integers(0, 400))


@st.composite
def rfm_bases(draw: DrawFn) -> tuple[list[int], list[int], list[int]]:
    """Days since the last purchase, frequencies and spends of 1 to 80 customers."""
    size = draw(st.integers(1, 80))
    column = st.lists(figures, min_size=size, max_size=size)
    return draw(column), draw(column), draw(column)


@given(bases, bins_counts, st.booleans())
def test_scores_are_always_from_1_to_bins(base: list[float], bins: int, higher: bool) -> None:
    scores = quantile_scores(base, bins=bins, higher_is_better=higher)
    assert scores.shape == (len(base),)
    assert scores.min() >= 1
    assert scores.max() <= bins


@given(rfm_bases())
def test_rfm_scores_are_always_from_1_to_5(base: tuple[list[int], list[int], list[int]]) -> None:
    scores = rfm_scores(*base)
    for column in (scores.recency, scores.frequency, scores.monetary):
        assert set(column.tolist()) <= {1, 2, 3, 4, 5}


@given(bases, bins_counts, st.randoms(use_true_random=False))
def test_equal_values_score_equal_and_order_does_not_matter(
    base: list[float], bins: int, random: Random
) -> None:
    scores = quantile_scores(base, bins=bins).tolist()
    by_value: dict[float, int] = {}
    for value, score in zip(base, scores, strict=True):
        assert by_value.setdefault(value, score) == score
    order = list(range(len(base)))
    random.shuffle(order)
    shuffled = quantile_scores([base[i] for i in order], bins=bins).tolist()
    assert shuffled == [scores[i] for i in order]


@given(bases, bins_counts)
def test_scores_are_monotone_in_the_value(base: list[float], bins: int) -> None:
    higher = quantile_scores(base, bins=bins)
    lower = quantile_scores(base, bins=bins, higher_is_better=False)
    value = np.array(base)
    less = value[:, None] < value[None, :]
    assert (higher[:, None] <= higher[None, :])[less].all()
    assert (lower[:, None] >= lower[None, :])[less].all()


@given(rfm_bases())
def test_recency_is_reversed_and_dates_score_as_days_since(
    base: tuple[list[int], list[int], list[int]],
) -> None:
    days_since, frequency, monetary = base
    scores = rfm_scores(days_since, frequency, monetary)
    days = np.array(days_since)
    fewer = days[:, None] < days[None, :]
    assert (scores.recency[:, None] >= scores.recency[None, :])[fewer].all()
    last = np.datetime64("2026-06-30") - days.astype("timedelta64[D]")
    assert rfm_scores(last, frequency, monetary) == scores


@given(st.integers(1, 12), bins_counts, st.randoms(use_true_random=False))
def test_distinct_values_fill_every_score_equally(per_bin: int, bins: int, random: Random) -> None:
    base = [float(v) for v in range(per_bin * bins)]
    random.shuffle(base)
    counts = np.bincount(quantile_scores(base, bins=bins), minlength=bins + 1)
    assert counts[1:].tolist() == [per_bin] * bins


# -- scores against a reference -------------------------------------------------------------


def split(size: int, random: Random) -> list[list[int]]:
    """The rows 0..size-1 shuffled and cut into 1 to 5 parts, some possibly empty."""
    rows = list(range(size))
    random.shuffle(rows)
    cuts = sorted(random.randint(0, size) for _ in range(random.randint(0, 4)))
    return [rows[a:b] for a, b in zip([0, *cuts], [*cuts, size], strict=True)]


@given(rfm_bases(), st.integers(2, 10), st.booleans())
def test_rfm_scores_are_the_scores_against_the_reference_of_the_base(
    base: tuple[list[int], list[int], list[int]], bins: int, as_dates: bool
) -> None:
    days_since, frequency, monetary = base
    recency: npt.ArrayLike = days_since
    if as_dates:
        recency = np.datetime64("2026-06-30") - np.array(days_since).astype("timedelta64[D]")
    reference = RfmReference.from_values(recency, frequency, monetary, bins=bins)
    assert reference.recency_dates is as_dates
    assert reference.customers == len(days_since)
    expected = rfm_scores(recency, frequency, monetary, bins=bins)
    assert reference.scores(recency, frequency, monetary) == expected


@given(rfm_bases(), st.randoms(use_true_random=False), st.booleans())
def test_parts_scored_against_the_merged_reference_score_as_the_whole(
    base: tuple[list[int], list[int], list[int]], random: Random, as_dates: bool
) -> None:
    days_since, frequency, monetary = (np.array(column) for column in base)
    recency: np.ndarray = days_since
    if as_dates:
        recency = np.datetime64("2026-06-30") - days_since.astype("timedelta64[D]")
    whole = rfm_scores(recency, frequency, monetary)
    parts = [rows for rows in split(len(days_since), random) if rows]
    references = [
        RfmReference.from_values(recency[rows], frequency[rows], monetary[rows]) for rows in parts
    ]
    random.shuffle(references)
    merged = references[0].merge(*references[1:])
    assert merged == RfmReference.from_values(recency, frequency, monetary)
    for rows in parts:
        scores = merged.scores(recency[rows], frequency[rows], monetary[rows])
        assert scores.recency.tolist() == whole.recency[rows].tolist()
        assert scores.frequency.tolist() == whole.frequency[rows].tolist()
        assert scores.monetary.tolist() == whole.monetary[rows].tolist()


@given(bases, bins_counts, st.randoms(use_true_random=False))
def test_merged_value_counts_score_any_values_as_quantile_scores_of_the_whole(
    base: list[float], bins: int, random: Random
) -> None:
    values = np.array(base)
    parts = [ValueCounts.of(values[rows]) for rows in split(len(base), random) if rows]
    merged = parts[0].merge(*parts[1:])
    assert merged == ValueCounts.of(values)
    assert merged.total == len(base)
    assert merged.scores(values, bins=bins).tolist() == quantile_scores(base, bins=bins).tolist()


@given(bases, st.lists(values, min_size=1, max_size=30), bins_counts)
def test_values_not_counted_score_within_the_bins_and_in_order(
    base: list[float], others: list[float], bins: int
) -> None:
    counts = ValueCounts.of(base)
    scores = counts.scores(others, bins=bins)
    assert scores.min() >= 1
    assert scores.max() <= bins
    # In order among themselves and among the values counted.
    every = np.array([*base, *others])
    ranked = counts.scores(every, bins=bins)
    less = every[:, None] < every[None, :]
    assert (ranked[:, None] <= ranked[None, :])[less].all()
    assert ranked[: len(base)].tolist() == quantile_scores(base, bins=bins).tolist()


# -- segment maps --------------------------------------------------------------------------


def cells_of(rule: SegmentRule) -> set[tuple[int, int]]:
    return {
        (r, f)
        for r in range(rule.recency[0], rule.recency[1] + 1)
        for f in range(rule.frequency[0], rule.frequency[1] + 1)
    }


def test_the_common_map_covers_every_cell_exactly_once() -> None:
    common = SegmentMap.common()
    for r in range(1, 6):
        for f in range(1, 6):
            assert sum(rule.covers(r, f) for rule in common.rules) == 1


def cuts(draw: DrawFn, bins: int) -> list[tuple[int, int]]:
    """1..bins cut into consecutive runs."""
    inner = draw(st.sets(st.integers(2, bins), max_size=bins - 1))
    starts = [1, *sorted(inner)]
    ends = [start - 1 for start in starts[1:]] + [bins]
    return list(zip(starts, ends, strict=True))


@st.composite
def segment_maps(draw: DrawFn) -> SegmentMap:
    bins = draw(st.integers(2, 7))
    rules = [
        SegmentRule(
            name=draw(st.sampled_from(["keep", "grow", "wake", "save", "let go"])),
            recency=band,
            frequency=run,
        )
        for band in cuts(draw, bins)
        for run in cuts(draw, bins)
    ]
    order = draw(st.permutations(range(len(rules))))
    return SegmentMap([rules[i] for i in order], bins=bins)


@given(segment_maps())
def test_a_valid_map_covers_every_cell_once_and_reads_back(segment_map: SegmentMap) -> None:
    span = range(1, segment_map.bins + 1)
    for r in span:
        for f in span:
            assert sum(rule.covers(r, f) for rule in segment_map.rules) == 1
    assert SegmentMap.from_data(segment_map.to_data()) == segment_map


@given(segment_maps(), st.data())
def test_segments_names_each_customer_as_the_cell_lookup_does(
    segment_map: SegmentMap, data: st.DataObject
) -> None:
    score = st.integers(1, segment_map.bins)
    pairs = data.draw(st.lists(st.tuples(score, score), min_size=1, max_size=30))
    r, f = (list(column) for column in zip(*pairs, strict=True))
    assert segments(segment_map, r, f).tolist() == [segment_map.segment(a, b) for a, b in pairs]


@given(segment_maps(), st.data())
def test_a_map_without_one_of_its_rules_names_that_rules_cells(
    segment_map: SegmentMap, data: st.DataObject
) -> None:
    assume(len(segment_map.rules) > 1)
    dropped = data.draw(st.sampled_from(segment_map.rules))
    kept = [rule for rule in segment_map.rules if rule is not dropped]
    try:
        SegmentMap(kept, bins=segment_map.bins)
    except InvalidSegmentMapError as error:
        [(path, message)] = error.problems
        assert path == "segments"
        missing = sorted(cells_of(dropped))
        listed = ", ".join(f"R{r} F{f}" for r, f in missing[:12])
        assert listed in message
        assert f"no rule covers {len(missing)} cell" in message
    else:
        raise AssertionError("a map missing a rule was accepted")
