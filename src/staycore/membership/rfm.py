"""RFM: recency, frequency and monetary scores from 1 to 5, and segments named from them.

:func:`rfm_scores` gives each customer three quantile scores over the customer base:
how recently they stayed (recency, reversed: the most recent score 5), how often
(frequency) and how much they spent (monetary). The figures usually come from a
:class:`~staycore.membership.summaries.CustomerSummary`. This module needs the
``analytics`` extra (``pip install 'staycore[analytics]'``).

**The scoring rule.** A customer's score is ``1 + floor(bins * q)``, where ``q`` is the
customer's *mid-rank quantile*: the share of customers with a lower value, plus half the
share with the same value (the customer included). So:

* equal values always get the same score, whatever their order in the arrays;
* a better value never scores lower than a worse one;
* ``n`` distinct values, ``n`` a multiple of ``bins``, fill every score equally;
* any ``n >= 1`` works: one customer alone, or a base where everyone has the same value,
  scores the middle (3 of 5), since nothing sets them apart.

Scores are exact integer arithmetic on ranks: no float rounding decides a boundary.

A :class:`SegmentMap` names the cells of the recency x frequency grid, as data: rules
that each cover a rectangle of scores, checked to cover every cell exactly once.
:meth:`SegmentMap.common` is the common 10-segment map, and a host supplies its own with
:meth:`SegmentMap.from_data` or :func:`load_segment_map`. :func:`segments` names the
segment of every customer at once; :meth:`SegmentMap.segment` names one.

Example:
    >>> import numpy as np
    >>> from staycore.membership.rfm import SegmentMap, rfm_scores, segments
    >>> scores = rfm_scores(
    ...     recency=[3, 40, 200, 12, 365],      # days since the last stay
    ...     frequency=[9, 4, 6, 1, 0],          # repeat stays
    ...     monetary=[310.0, 120.0, 95.0, 80.0, 150.0],
    ... )
    >>> scores.recency.tolist(), scores.frequency.tolist(), scores.monetary.tolist()
    ([5, 3, 2, 4, 1], [5, 3, 4, 2, 1], [5, 3, 2, 1, 4])
    >>> segments(SegmentMap.common(), scores.recency, scores.frequency).tolist()
    ['champion', 'need attention', 'at risk', 'potential loyalist', 'hibernating']
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal, TypeGuard

import attrs
import numpy as np
import numpy.typing as npt

from staycore.kernel.documents import (
    UnreadableDocumentError,
    document_path,
    read_document,
    shown,
)
from staycore.membership.columns import ARRAY_EQ, read_only
from staycore.membership.errors import MembershipError

__all__ = [
    "COMMON_SEGMENTS",
    "InvalidRfmInputError",
    "InvalidSegmentMapError",
    "RfmReference",
    "RfmScores",
    "SegmentMap",
    "SegmentRule",
    "ValueCounts",
    "load_segment_map",
    "quantile_scores",
    "rfm_scores",
    "segments",
]

_RANGE_TEXT: Final = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
_MAP_KEYS: Final = ("bins", "segments")
_RULE_KEYS: Final = ("name", "recency", "frequency")
# How many cells an error lists before it counts the rest.
_LISTED: Final = 12

COMMON_SEGMENTS: Final[tuple[tuple[str, tuple[int, int], tuple[int, int]], ...]] = (
    ("champion", (5, 5), (4, 5)),
    ("loyal", (3, 4), (4, 5)),
    ("potential loyalist", (4, 5), (2, 3)),
    ("new", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)),
    ("need attention", (3, 3), (3, 3)),
    ("about to sleep", (3, 3), (1, 2)),
    ("can't lose", (1, 2), (5, 5)),
    ("at risk", (1, 2), (3, 4)),
    ("hibernating", (1, 2), (1, 2)),
)
"""The common 10-segment map, as ``(name, (recency low, high), (frequency low, high))``.

======== ============== ================== ================== ========== ==========
R / F    1              2                  3                  4          5
======== ============== ================== ================== ========== ==========
5        new            potential loyalist potential loyalist champion   champion
4        promising      potential loyalist potential loyalist loyal      loyal
3        about to sleep about to sleep     need attention     loyal      loyal
1-2      hibernating    hibernating        at risk            at risk    can't lose
======== ============== ================== ================== ========== ==========
"""


# -- errors ------------------------------------------------------------------------------


class InvalidRfmInputError(MembershipError):
    """Figures or scores given to RFM scoring are missing, negative, NaN or mismatched.

    Attributes:
        field: The argument to fix (``"recency"``, ``"bins"``).
        row: The first offending row (0-based position in the arrays), or ``None`` when
            the whole argument is wrong.

    Example:
        >>> from staycore.membership.rfm import rfm_scores
        >>> rfm_scores([3, 40], [1, float("nan")], [10.0, 20.0])
        Traceback (most recent call last):
        ...
        staycore.membership.rfm.InvalidRfmInputError: [membership.invalid_rfm_input]
        row 1: frequency is nan; ...
    """

    code = "membership.invalid_rfm_input"

    def __init__(self, message: str, *, field: str, row: int | None = None) -> None:
        self.field = field
        self.row = row
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_input_error, (self.message, self.field, self.row))


def _rebuild_input_error(message: str, field: str, row: int | None) -> InvalidRfmInputError:
    return InvalidRfmInputError(message, field=field, row=row)


class InvalidSegmentMapError(MembershipError):
    """A segment map leaves a cell uncovered, covers one twice, or does not read.

    Attributes:
        problems: ``(path, message)`` pairs; the path is empty for the map as a whole.
        source: The file the map came from, or ``""``.

    Example:
        >>> from staycore.membership.rfm import SegmentMap, SegmentRule
        >>> SegmentMap([SegmentRule(name="all", recency=(1, 5), frequency=(1, 4))])
        Traceback (most recent call last):
        ...
        staycore.membership.rfm.InvalidSegmentMapError: [membership.invalid_segment_map]
        the segment map has 1 problem:
          segments: no rule covers 5 cells (R1 F5, R2 F5, R3 F5, R4 F5, R5 F5); ...
    """

    code = "membership.invalid_segment_map"

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str = "") -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.source = source
        count = len(self.problems)
        what = f"segment map {source}" if source else "the segment map"
        lines = [f"{what} has {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  {path}: {text}" if path else f"  {text}" for path, text in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_map_error, (self.problems, self.source))


def _rebuild_map_error(
    problems: tuple[tuple[str, str], ...], source: str
) -> InvalidSegmentMapError:
    return InvalidSegmentMapError(problems, source=source)


# -- scores ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RfmScores:
    """Each customer's recency, frequency and monetary scores, as read-only columns.

    Attributes:
        recency: Recency scores, ``bins`` for the most recent customers.
        frequency: Frequency scores, ``bins`` for the most frequent.
        monetary: Monetary scores, ``bins`` for the biggest spenders.
        bins: The highest score (5 for quintiles).

    Example:
        Continuing the module example above:

        >>> len(scores), scores.bins
        (5, 5)
        >>> scores.labels().tolist()
        ['555', '333', '242', '421', '114']
    """

    recency: npt.NDArray[np.int64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    frequency: npt.NDArray[np.int64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    monetary: npt.NDArray[np.int64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    bins: int = 5

    def __len__(self) -> int:
        return len(self.recency)

    def labels(self) -> npt.NDArray[np.str_]:
        """The scores as the usual three-digit text, recency first (``"545"``).

        Scores of 10 or more (with ``bins`` above 9) are separated by dots (``"10.3.7"``).

        Example:
            See the class example.
        """
        parts = [self.recency.astype(str), self.frequency.astype(str), self.monetary.astype(str)]
        separator = "" if self.bins < 10 else "."
        joined = np.char.add(np.char.add(parts[0], separator), parts[1])
        labels: npt.NDArray[np.str_] = np.char.add(np.char.add(joined, separator), parts[2])
        return labels


def quantile_scores(
    values: npt.ArrayLike | Sequence[Decimal | float],
    *,
    bins: int = 5,
    higher_is_better: bool = True,
) -> npt.NDArray[np.int64]:
    """Score values from 1 to ``bins`` by their mid-rank quantile (see the module rule).

    Args:
        values: Finite numbers, one per customer, at least one.
        bins: The highest score, 2 or more.
        higher_is_better: Whether a higher value scores higher; ``False`` reverses the
            scores (days since the last stay: fewer is better).

    Raises:
        InvalidRfmInputError: No values, a NaN or infinite value, or fewer than 2 bins.

    Example:
        >>> from staycore.membership.rfm import quantile_scores
        >>> quantile_scores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).tolist()
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        >>> quantile_scores([7, 7, 7, 9]).tolist(), quantile_scores([42]).tolist()
        ([2, 2, 2, 5], [3])
        >>> quantile_scores([1, 2, 3], bins=3, higher_is_better=False).tolist()
        [3, 2, 1]
    """
    _require_bins(bins)
    key = _numbers(values, "values", None)
    return _scores(key if higher_is_better else -key, bins)


def rfm_scores(
    recency: npt.ArrayLike | Sequence[dt.date | float],
    frequency: npt.ArrayLike | Sequence[Decimal | float],
    monetary: npt.ArrayLike | Sequence[Decimal | float],
    *,
    bins: int = 5,
) -> RfmScores:
    """Score every customer's recency, frequency and monetary value, 1 to ``bins``.

    Args:
        recency: Either the days (or any unit) since each customer's last purchase, zero
            or more, fewer being better; or the day of the last purchase (numpy
            ``datetime64``, ``datetime.date`` values), later being better.
        frequency: Purchases (or repeat purchases), zero or more.
        monetary: Spend (total or mean), zero or more.
        bins: The highest score, 2 or more (5 for quintiles).

    Returns:
        The three scores of each customer, row for row.

    Raises:
        InvalidRfmInputError: The arrays are empty or of different lengths, or a value
            is negative, NaN, infinite or a missing date; the error names the field and
            the first offending row.

    Example:
        See the module example. Last purchase dates work as well as days since:

        >>> import numpy as np
        >>> from staycore.membership.rfm import rfm_scores
        >>> last = np.array(["2026-05-01", "2026-01-10", "2026-05-01"], dtype="datetime64[D]")
        >>> rfm_scores(last, [2, 0, 5], [90.0, 40.0, 300.0], bins=3).recency.tolist()
        [3, 1, 3]
    """
    _require_bins(bins)
    recent, often, spent, _ = _figures(recency, frequency, monetary)
    return RfmScores(
        recency=_scores(recent, bins),
        frequency=_scores(often, bins),
        monetary=_scores(spent, bins),
        bins=bins,
    )


def _figures(
    recency: npt.ArrayLike | Sequence[dt.date | float],
    frequency: npt.ArrayLike | Sequence[Decimal | float],
    monetary: npt.ArrayLike | Sequence[Decimal | float],
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64], npt.NDArray[np.float64], bool]:
    """The checked keys of the three figures, higher being better, and whether recency is dates."""
    rows = _length(recency, "recency", None)
    if rows == 0:
        msg = "there are no customers to score: pass at least one"
        raise InvalidRfmInputError(msg, field="recency")
    recent, dates = _recency_key(recency, rows)
    often = _numbers(frequency, "frequency", rows, non_negative=True)
    spent = _numbers(monetary, "monetary", rows, non_negative=True)
    return recent, often, spent, dates


def _scores(key: npt.NDArray[Any], bins: int) -> npt.NDArray[np.int64]:
    """``1 + floor(bins * q)``, q the mid-rank quantile, in exact integer arithmetic."""
    ordered = np.sort(key)
    below = np.searchsorted(ordered, key, side="left").astype(np.int64)
    up_to = np.searchsorted(ordered, key, side="right").astype(np.int64)
    # q = (below + ties / 2) / n, and below + ties / 2 = (below + up_to) / 2.
    scores: npt.NDArray[np.int64] = 1 + (bins * (below + up_to)) // (2 * len(key))
    return scores


def _recency_key(
    recency: npt.ArrayLike | Sequence[dt.date | float], rows: int
) -> tuple[npt.NDArray[Any], bool]:
    """Recency as a key where more recent is higher (a date, or minus the days since).

    Also whether it was given as dates, which a reference must agree on.
    """
    values = np.asarray(recency)
    if values.dtype.kind == "M" or (values.dtype.kind == "O" and _holds_dates(values)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                days = values.astype("datetime64[D]")
        except (TypeError, ValueError, UserWarning, DeprecationWarning):
            msg = (
                "recency holds dates that are not all calendar dates; pass datetime64 "
                "values or datetime.date values, or the days since the last purchase"
            )
            raise InvalidRfmInputError(msg, field="recency") from None
        missing = np.isnat(days)
        if missing.any():
            row, more = _first(missing)
            msg = f"row {row}{more}: recency is a missing date (NaT); give every customer one"
            raise InvalidRfmInputError(msg, field="recency", row=row)
        key: npt.NDArray[np.int64] = days.view(np.int64)
        return key, True
    return -_numbers(values, "recency", rows, non_negative=True), False


def _holds_dates(values: npt.NDArray[Any]) -> bool:
    return len(values) > 0 and isinstance(values.flat[0], dt.date)


def _numbers(
    values: npt.ArrayLike | Sequence[Decimal | float],
    field: str,
    rows: int | None,
    *,
    non_negative: bool = False,
) -> npt.NDArray[np.float64]:
    array = np.asarray(values)
    count = _length(array, field, rows)
    if count == 0:
        msg = f"there are no {field} to score: pass at least one"
        raise InvalidRfmInputError(msg, field=field)
    if array.dtype.kind in "bMmcUS":
        msg = f"{field} are numbers, got {array.dtype} values"
        raise InvalidRfmInputError(msg, field=field)
    try:
        number = array.astype(np.float64)
    except (TypeError, ValueError, ArithmeticError):
        msg = f"{field} are numbers (int, float or Decimal), got values that are not"
        raise InvalidRfmInputError(msg, field=field) from None
    broken = ~np.isfinite(number)
    if broken.any():
        row, more = _first(broken)
        msg = f"row {row}{more}: {field} is {number[row]}; give every customer a finite value"
        raise InvalidRfmInputError(msg, field=field, row=row)
    if non_negative and (number < 0).any():
        row, more = _first(number < 0)
        msg = f"row {row}{more}: {field} is negative ({number[row]}); it counts from zero up"
        raise InvalidRfmInputError(msg, field=field, row=row)
    return number


def _length(values: npt.ArrayLike | Sequence[object], field: str, rows: int | None) -> int:
    array = np.asarray(values)
    if array.ndim != 1:
        msg = f"{field} is one value per customer (a 1-D column), got shape {array.shape}"
        raise InvalidRfmInputError(msg, field=field)
    if rows is not None and len(array) != rows:
        msg = f"{field} has {len(array)} rows but recency has {rows}: one per customer"
        raise InvalidRfmInputError(msg, field=field)
    return len(array)


def _first(mask: npt.NDArray[np.bool_]) -> tuple[int, str]:
    rows = np.flatnonzero(mask)
    more = len(rows) - 1
    return int(rows[0]), f" (and {more} more row{'s' if more != 1 else ''})" if more else ""


def _require_bins(bins: object) -> None:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        msg = f"bins is a whole number of scores, 2 or more (5 for quintiles), got {bins!r}"
        raise InvalidRfmInputError(msg, field="bins")


# -- scores against a reference ----------------------------------------------------------


def _count_column(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.asarray(values)
    if array.dtype.kind == "f" and np.isfinite(array).all() and not (array % 1).any():
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        msg = f"counts are whole numbers of customers, got {array.dtype} values"
        raise InvalidRfmInputError(msg, field="counts")
    return read_only(array.astype(np.int64))


@attrs.frozen
class ValueCounts:
    """One figure over a customer base: its distinct values, ascending, and their counts.

    What a score needs to know of the rest of the base: :meth:`scores` gives a value the
    score :func:`quantile_scores` would give it among the customers counted. Counts of
    parts of a base (the partitions of a Dask dataframe) :meth:`merge` into the counts of
    the whole.

    Attributes:
        values: The distinct values, ascending (numbers, higher being better).
        counts: How many customers hold each value, 1 or more.

    Raises:
        InvalidRfmInputError: No values; columns that are not 1-D or differ in length;
            values that are not ascending numbers; a count below 1.

    Example:
        >>> from staycore.membership.rfm import ValueCounts
        >>> east = ValueCounts.of([10, 40, 40])
        >>> east.values.tolist(), east.counts.tolist(), east.total
        ([10, 40], [1, 2], 3)
        >>> base = east.merge(ValueCounts.of([20, 30, 40, 50, 60, 70, 80, 90, 100]))
        >>> base.counts.tolist()
        [1, 1, 1, 3, 1, 1, 1, 1, 1, 1]
        >>> base.scores([10, 40, 100]).tolist(), base.scores([5, 35, 500]).tolist()
        ([1, 2, 5], [1, 2, 5])
    """

    values: npt.NDArray[Any] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    counts: npt.NDArray[np.int64] = attrs.field(converter=_count_column, eq=ARRAY_EQ, hash=False)

    def __attrs_post_init__(self) -> None:
        values, counts = self.values, self.counts
        if values.ndim != 1 or counts.shape != values.shape:
            msg = (
                f"values and counts are two columns of one length, got shapes {values.shape} "
                f"and {counts.shape}; build them with ValueCounts.of()"
            )
            raise InvalidRfmInputError(msg, field="counts")
        if not len(values):
            msg = "there are no values to count: pass at least one"
            raise InvalidRfmInputError(msg, field="values")
        if values.dtype.kind not in "iuf" or np.isnan(values).any():
            msg = f"values are numbers, not NaN, got {values.dtype} values"
            raise InvalidRfmInputError(msg, field="values")
        unordered = values[1:] <= values[:-1]
        if unordered.any():
            row, more = _first(unordered)
            msg = (
                f"row {row + 1}{more}: values are distinct and ascending, got {values[row]} "
                f"then {values[row + 1]}; build them with ValueCounts.of()"
            )
            raise InvalidRfmInputError(msg, field="values", row=row + 1)
        if (counts < 1).any():
            row, more = _first(counts < 1)
            msg = f"row {row}{more}: a value is held by 1 customer or more, got {counts[row]}"
            raise InvalidRfmInputError(msg, field="counts", row=row)

    @classmethod
    def of(cls, values: npt.ArrayLike) -> ValueCounts:
        """Count the values of some customers, one value each.

        Raises:
            InvalidRfmInputError: No values, or values that are not numbers or are NaN.

        Example:
            See the class example.
        """
        array = np.asarray(values)
        if array.ndim != 1:
            msg = f"values are one per customer (a 1-D column), got shape {array.shape}"
            raise InvalidRfmInputError(msg, field="values")
        distinct, counts = np.unique(array, return_counts=True)
        return cls(distinct, counts)

    @property
    def total(self) -> int:
        """How many customers are counted.

        Example:
            See the class example.
        """
        return int(self.counts.sum())

    def merge(self, *others: ValueCounts) -> ValueCounts:
        """The counts of this base and others together, as if counted at once.

        Example:
            See the class example.
        """
        parts = (self, *others)
        values = np.concatenate([part.values for part in parts])
        distinct, index = np.unique(values, return_inverse=True)
        totals = np.zeros(distinct.size, dtype=np.int64)
        # Exact integer sums: bincount would add the counts as floats.
        np.add.at(totals, index, np.concatenate([part.counts for part in parts]))
        return ValueCounts(distinct, totals)

    def scores(self, values: npt.ArrayLike, *, bins: int = 5) -> npt.NDArray[np.int64]:
        """Score values from 1 to ``bins`` by their mid-rank quantile among the counted.

        The rule of :func:`quantile_scores`, with the customers counted here as the
        base: ``below`` of them have a lower value, ``up_to`` a lower or equal one, and a
        value scores ``1 + bins * (below + up_to) // (2 * total)``. A value counted here
        scores what it scores in :func:`quantile_scores` of the whole base; any other
        value scores by where it falls, and one above every value counted scores
        ``bins``.

        Args:
            values: Numbers, higher being better, any number of them.
            bins: The highest score, 2 or more.

        Raises:
            InvalidRfmInputError: Fewer than 2 bins, or values that are not a 1-D column
                of numbers.

        Example:
            See the class example.
        """
        _require_bins(bins)
        key = np.asarray(values)
        if key.ndim != 1 or (key.size and key.dtype.kind not in "iuf"):
            msg = f"values are a 1-D column of numbers, got {key.dtype} values of shape {key.shape}"
            raise InvalidRfmInputError(msg, field="values")
        cumulative = np.concatenate(([0], np.cumsum(self.counts)))
        below = cumulative[np.searchsorted(self.values, key, side="left")]
        up_to = cumulative[np.searchsorted(self.values, key, side="right")]
        scores: npt.NDArray[np.int64] = 1 + (bins * (below + up_to)) // (2 * self.total)
        # Only a value above every counted one reaches bins + 1 (below = up_to = total).
        return np.minimum(scores, bins).astype(np.int64)


@attrs.frozen(kw_only=True)
class RfmReference:
    """The RFM figures of a whole customer base, to score some of its customers against.

    :func:`rfm_scores` ranks customers among the ones it is given. When a base is split
    (the partitions of a Dask dataframe, see :mod:`~staycore.membership.partitions`),
    each part's figures are counted with :meth:`from_values`, the counts merged with
    :meth:`merge`, and every part scored against the whole with :meth:`scores`: the
    scores are exactly those :func:`rfm_scores` gives the whole base at once.

    Attributes:
        recency: The recency keys, more recent higher: minus the days since the last
            purchase, or the day number of the last purchase when ``recency_dates``.
        frequency: The frequencies.
        monetary: The spends.
        recency_dates: Whether recency was given as dates rather than days since; the
            customers scored must give it the same way.
        bins: The highest score.

    Raises:
        InvalidRfmInputError: Fewer than 2 bins, or figures that do not count the same
            number of customers.

    Example:
        The module example's customers in two parts:

        >>> from staycore.membership.rfm import RfmReference
        >>> recency, frequency = [3, 40, 200, 12, 365], [9, 4, 6, 1, 0]
        >>> monetary = [310.0, 120.0, 95.0, 80.0, 150.0]
        >>> east = RfmReference.from_values(recency[:2], frequency[:2], monetary[:2])
        >>> west = RfmReference.from_values(recency[2:], frequency[2:], monetary[2:])
        >>> base = east.merge(west)
        >>> base.customers, base == RfmReference.from_values(recency, frequency, monetary)
        (5, True)
        >>> base.scores(recency[:2], frequency[:2], monetary[:2]).labels().tolist()
        ['555', '333']
        >>> east.scores(recency[:2], frequency[:2], monetary[:2]).labels().tolist()
        ['444', '222']
    """

    recency: ValueCounts
    frequency: ValueCounts
    monetary: ValueCounts
    recency_dates: bool = False
    bins: int = 5

    def __attrs_post_init__(self) -> None:
        _require_bins(self.bins)
        totals = {name: getattr(self, name).total for name in ("recency", "frequency", "monetary")}
        if len(set(totals.values())) != 1:
            counted = ", ".join(f"{name} {total}" for name, total in totals.items())
            msg = f"the figures count different numbers of customers ({counted}); count each once"
            raise InvalidRfmInputError(msg, field="frequency")

    @classmethod
    def from_values(
        cls,
        recency: npt.ArrayLike | Sequence[dt.date | float],
        frequency: npt.ArrayLike | Sequence[Decimal | float],
        monetary: npt.ArrayLike | Sequence[Decimal | float],
        *,
        bins: int = 5,
    ) -> RfmReference:
        """Count the figures of some customers, as :func:`rfm_scores` takes them.

        Args:
            recency: Days since each customer's last purchase, or its date.
            frequency: Purchases, zero or more.
            monetary: Spend, zero or more.
            bins: The highest score, 2 or more.

        Raises:
            InvalidRfmInputError: As for :func:`rfm_scores`.

        Example:
            See the class example.
        """
        _require_bins(bins)
        recent, often, spent, dates = _figures(recency, frequency, monetary)
        return cls(
            recency=ValueCounts.of(recent),
            frequency=ValueCounts.of(often),
            monetary=ValueCounts.of(spent),
            recency_dates=dates,
            bins=bins,
        )

    @property
    def customers(self) -> int:
        """How many customers the reference counts.

        Example:
            See the class example.
        """
        return self.recency.total

    def merge(self, *others: RfmReference) -> RfmReference:
        """This base and others as one, for reducing the references of partitions.

        Raises:
            InvalidRfmInputError: The references differ in ``bins``, or one took recency
                as dates and another as days since.

        Example:
            See the class example.
        """
        for other in others:
            if other.bins != self.bins:
                msg = f"references of {self.bins} and {other.bins} bins do not merge: use one"
                raise InvalidRfmInputError(msg, field="bins")
            if other.recency_dates != self.recency_dates:
                msg = (
                    "one reference took recency as dates and another as days since the last "
                    "purchase: count every part the same way"
                )
                raise InvalidRfmInputError(msg, field="recency")
        return RfmReference(
            recency=self.recency.merge(*(other.recency for other in others)),
            frequency=self.frequency.merge(*(other.frequency for other in others)),
            monetary=self.monetary.merge(*(other.monetary for other in others)),
            recency_dates=self.recency_dates,
            bins=self.bins,
        )

    def scores(
        self,
        recency: npt.ArrayLike | Sequence[dt.date | float],
        frequency: npt.ArrayLike | Sequence[Decimal | float],
        monetary: npt.ArrayLike | Sequence[Decimal | float],
    ) -> RfmScores:
        """Score customers against the base: their ranks among all it counts.

        Args:
            recency: As for :func:`rfm_scores`, and given the way the reference took it
                (dates, or days since).
            frequency: As for :func:`rfm_scores`.
            monetary: As for :func:`rfm_scores`.

        Returns:
            The scores, row for row; none for no customers.

        Raises:
            InvalidRfmInputError: As for :func:`rfm_scores`, or recency given the other
                way.

        Example:
            See the class example.
        """
        if _length(recency, "recency", None) == 0:
            _length(frequency, "frequency", 0)
            _length(monetary, "monetary", 0)
            none = np.zeros(0, dtype=np.int64)
            return RfmScores(recency=none, frequency=none, monetary=none, bins=self.bins)
        recent, often, spent, dates = _figures(recency, frequency, monetary)
        if dates != self.recency_dates:
            given, taken = ("dates", "days since") if dates else ("days since", "dates")
            msg = (
                f"recency is given as {given} the last purchase but the reference took "
                f"{taken}: give it the same way"
            )
            raise InvalidRfmInputError(msg, field="recency")
        return RfmScores(
            recency=self.recency.scores(recent, bins=self.bins),
            frequency=self.frequency.scores(often, bins=self.bins),
            monetary=self.monetary.scores(spent, bins=self.bins),
            bins=self.bins,
        )


# -- segments ----------------------------------------------------------------------------


def _score_range(value: object) -> tuple[int, int]:
    """A range of scores from ``4``, ``(4, 5)``, ``[4, 5]`` or ``"4-5"``, low to high."""
    pair = _score_pair(value)
    if pair is None:
        message = f'is a score or a range of scores such as 5, [4, 5] or "4-5", got {shown(value)}'
        raise InvalidSegmentMapError([("", message)])
    low, high = pair
    if not 1 <= low <= high:
        message = f"runs from a score of 1 or more up to one as high or higher, got {low}-{high}"
        raise InvalidSegmentMapError([("", message)])
    return pair


def _score_pair(value: object) -> tuple[int, int] | None:
    if isinstance(value, str):
        match = _RANGE_TEXT.match(value)
        return (int(match[1]), int(match[2] or match[1])) if match else None
    if _is_whole(value):
        return (value, value)
    if isinstance(value, Sequence) and len(value) == 2:
        low, high = value
        if _is_whole(low) and _is_whole(high):
            return (low, high)
    return None


def _is_whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _placed_range(value: object, name: str) -> tuple[int, int]:
    try:
        return _score_range(value)
    except InvalidSegmentMapError as error:
        raise InvalidSegmentMapError([(name, m) for _, m in error.problems]) from None


def _recency_range(value: object) -> tuple[int, int]:
    return _placed_range(value, "recency")


def _frequency_range(value: object) -> tuple[int, int]:
    return _placed_range(value, "frequency")


def _segment_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        message = f'is the segment\'s name, non-empty text such as "champion", got {shown(value)}'
        raise InvalidSegmentMapError([("name", message)])
    return value.strip()


@attrs.frozen(kw_only=True)
class SegmentRule:
    """A segment's rectangle of the recency x frequency grid: both scores in range.

    A segment whose cells are not one rectangle takes several rules with its name.

    Attributes:
        name: The segment's name (``"champion"``).
        recency: The recency scores it covers, ``(low, high)`` inclusive; a single
            score, ``[low, high]`` or ``"low-high"`` text is read as well.
        frequency: The frequency scores it covers, likewise.

    Raises:
        InvalidSegmentMapError: The name is empty, or a range is not one of scores from 1
            with its low end not above its high end.

    Example:
        >>> from staycore.membership.rfm import SegmentRule
        >>> rule = SegmentRule(name="at risk", recency="1-2", frequency=[3, 4])
        >>> rule.recency, rule.frequency, rule.covers(2, 4), rule.covers(3, 4)
        ((1, 2), (3, 4), True, False)
    """

    name: str = attrs.field(converter=_segment_name)
    recency: tuple[int, int] = attrs.field(converter=_recency_range)
    frequency: tuple[int, int] = attrs.field(converter=_frequency_range)

    def covers(self, recency: int, frequency: int) -> bool:
        """Whether the cell of these two scores is in the rule's rectangle.

        Example:
            See the class example.
        """
        return (
            self.recency[0] <= recency <= self.recency[1]
            and self.frequency[0] <= frequency <= self.frequency[1]
        )

    def to_data(self) -> dict[str, Any]:
        """The rule as plain data, a single score as a number and a range as a pair.

        Example:
            >>> from staycore.membership.rfm import SegmentRule
            >>> SegmentRule(name="new", recency=5, frequency=1).to_data()
            {'name': 'new', 'recency': 5, 'frequency': 1}
        """
        return {
            "name": self.name,
            "recency": _range_data(self.recency),
            "frequency": _range_data(self.frequency),
        }


def _range_data(scores: tuple[int, int]) -> int | list[int]:
    low, high = scores
    return low if low == high else [low, high]


def _rules(value: object) -> tuple[SegmentRule, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        message = f"are a list of SegmentRule values, got {shown(value)}"
        raise InvalidSegmentMapError([("segments", message)])
    rules = tuple(value)
    problems = [
        (f"segments[{index}]", f"is a SegmentRule, got {rule!r}")
        for index, rule in enumerate(rules)
        if not isinstance(rule, SegmentRule)
    ]
    if not rules:
        problems.append(("segments", "name at least one segment"))
    if problems:
        raise InvalidSegmentMapError(problems)
    return rules


@attrs.frozen
class SegmentMap:
    """Names for the cells of the recency x frequency score grid, as rules.

    Every cell (each recency score and each frequency score from 1 to ``bins``) is
    covered by exactly one rule. Monetary scores do not enter: the common map segments
    on recency and frequency, and spend is read beside the segment.

    Attributes:
        rules: The rules, in the order given.
        bins: The highest score of both axes (5).

    Raises:
        InvalidSegmentMapError: A rule reaches beyond ``bins``, a cell is covered by no
            rule, or by more than one; every such cell is named.

    Example:
        >>> from staycore.membership.rfm import SegmentMap, SegmentRule
        >>> simple = SegmentMap([
        ...     SegmentRule(name="active", recency="2-3", frequency="1-3"),
        ...     SegmentRule(name="lapsed", recency=1, frequency="1-3"),
        ... ], bins=3)
        >>> simple.segment(3, 1), simple.names
        ('active', ('active', 'lapsed'))
        >>> SegmentMap([
        ...     SegmentRule(name="active", recency="2-3", frequency="1-3"),
        ...     SegmentRule(name="lapsed", recency="1-2", frequency="1-3"),
        ... ], bins=3)
        Traceback (most recent call last):
        ...
        staycore.membership.rfm.InvalidSegmentMapError: [membership.invalid_segment_map]
        the segment map has 1 problem:
          segments: 3 cells are covered by two rules or more: R2 F1 (active, lapsed), ...
    """

    rules: tuple[SegmentRule, ...] = attrs.field(converter=_rules)
    bins: int = 5

    def __attrs_post_init__(self) -> None:
        bins = self.bins
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            message = f"is the highest score, a whole number 2 or more, got {shown(bins)}"
            raise InvalidSegmentMapError([("bins", message)])
        problems = [
            (f"segments[{index}].{axis}", f"reaches {scores[1]}, beyond the map's {bins} scores")
            for index, rule in enumerate(self.rules)
            for axis, scores in (("recency", rule.recency), ("frequency", rule.frequency))
            if scores[1] > bins
        ]
        problems += self._coverage_problems()
        if problems:
            raise InvalidSegmentMapError(problems)

    def _coverage_problems(self) -> list[tuple[str, str]]:
        uncovered: list[str] = []
        overlapping: list[str] = []
        for recency in range(1, self.bins + 1):
            for frequency in range(1, self.bins + 1):
                names = [r.name for r in self.rules if r.covers(recency, frequency)]
                cell = f"R{recency} F{frequency}"
                if not names:
                    uncovered.append(cell)
                elif len(names) > 1:
                    overlapping.append(f"{cell} ({', '.join(names)})")
        problems = []
        if uncovered:
            problems.append(
                (
                    "segments",
                    f"no rule covers {_cells(uncovered)}; "
                    "give every recency x frequency cell exactly one segment",
                )
            )
        if overlapping:
            problems.append(
                (
                    "segments",
                    f"{len(overlapping)} cell{'s are' if len(overlapping) != 1 else ' is'} "
                    f"covered by two rules or more: {_listed(overlapping)}; "
                    "narrow the rules so that each cell has one segment",
                )
            )
        return problems

    @property
    def names(self) -> tuple[str, ...]:
        """The segments' names, each once, in the order of their first rule.

        Example:
            >>> from staycore.membership.rfm import SegmentMap
            >>> len(SegmentMap.common().names)
            10
        """
        return tuple(dict.fromkeys(rule.name for rule in self.rules))

    def segment(self, recency: int, frequency: int) -> str:
        """The segment of one customer's recency and frequency scores (no numpy needed).

        Raises:
            InvalidRfmInputError: A score is not a whole number from 1 to ``bins``.

        Example:
            >>> from staycore.membership.rfm import SegmentMap
            >>> common = SegmentMap.common()
            >>> common.segment(5, 1), common.segment(2, 5), common.segment(3, 3)
            ('new', "can't lose", 'need attention')
        """
        for field, score in (("recency", recency), ("frequency", frequency)):
            if isinstance(score, bool) or not isinstance(score, int | np.integer):
                msg = f"{field} is a score, a whole number from 1 to {self.bins}, got {score!r}"
                raise InvalidRfmInputError(msg, field=field)
            if not 1 <= score <= self.bins:
                msg = f"{field} is a score from 1 to {self.bins}, got {score}"
                raise InvalidRfmInputError(msg, field=field)
        return next(rule.name for rule in self.rules if rule.covers(recency, frequency))

    def grid(self) -> tuple[tuple[str, ...], ...]:
        """The segment of every cell: row ``r - 1``, column ``f - 1``.

        Example:
            >>> from staycore.membership.rfm import SegmentMap
            >>> SegmentMap.common().grid()[4]
            ('new', 'potential loyalist', 'potential loyalist', 'champion', 'champion')
        """
        span = range(1, self.bins + 1)
        return tuple(tuple(self.segment(r, f) for f in span) for r in span)

    def to_data(self) -> dict[str, Any]:
        """The map as plain data, which :meth:`from_data` reads back.

        Example:
            >>> from staycore.membership.rfm import SegmentMap
            >>> data = SegmentMap.common().to_data()
            >>> data["bins"], data["segments"][0]
            (5, {'name': 'champion', 'recency': 5, 'frequency': [4, 5]})
            >>> SegmentMap.from_data(data) == SegmentMap.common()
            True
        """
        return {"bins": self.bins, "segments": [rule.to_data() for rule in self.rules]}

    @classmethod
    def common(cls) -> SegmentMap:
        """The common 10-segment map of quintile scores (see :data:`COMMON_SEGMENTS`).

        Example:
            See :meth:`segment`.
        """
        return cls(
            [
                SegmentRule(name=name, recency=recency, frequency=frequency)
                for name, recency, frequency in COMMON_SEGMENTS
            ],
            bins=5,
        )

    @classmethod
    def from_data(cls, data: object, *, source: str = "") -> SegmentMap:
        """Read a map from plain data, as JSON or YAML gives it.

        The data is ``{"bins": 5, "segments": [{"name": ..., "recency": ...,
        "frequency": ...}, ...]}``; ``bins`` defaults to 5, and a range of scores is a
        score (``5``), a pair (``[4, 5]``) or text (``"4-5"``).

        Raises:
            InvalidSegmentMapError: Every problem at once, each with where it is.

        Example:
            >>> from staycore.membership.rfm import SegmentMap
            >>> two = SegmentMap.from_data({"bins": 2, "segments": [
            ...     {"name": "keep", "recency": 2, "frequency": "1-2"},
            ...     {"name": "win back", "recency": 1, "frequency": [1, 2]},
            ... ]})
            >>> two.grid()
            (('win back', 'win back'), ('keep', 'keep'))
            >>> SegmentMap.from_data({"segments": [{"name": "all", "recency": "1-5",
            ...                                     "frequency": "0-5", "monetary": 3}]})
            Traceback (most recent call last):
            ...
            staycore.membership.rfm.InvalidSegmentMapError: [membership.invalid_segment_map]
            the segment map has 2 problems:
              segments[0].monetary: unknown key; a segment has name, recency and frequency
              segments[0].frequency: runs from a score of 1 or more ...
        """
        problems: list[tuple[str, str]] = []
        bins = 5
        entries: object = None
        if not isinstance(data, Mapping):
            problems.append(
                ("", f'is a mapping such as {{"bins": 5, "segments": [...]}}, got {shown(data)}')
            )
        else:
            problems += _unknown_keys(
                data, (), _MAP_KEYS, 'a segment map has "bins" and "segments"'
            )
            given = data.get("bins", 5)
            if _is_whole(given) and given >= 2:
                bins = given
            else:
                problems.append(("bins", f"is a whole number 2 or more, got {shown(given)}"))
            entries = data.get("segments")
            if entries is None:
                problems.append(("segments", "required, but missing"))
            elif isinstance(entries, str | Mapping) or not isinstance(entries, Sequence):
                problems.append(("segments", f"is a list of segments, got {shown(entries)}"))
        rules = []
        if isinstance(entries, Sequence) and not isinstance(entries, str):
            for index, entry in enumerate(entries):
                rule = _rule_from_data(entry, index, problems)
                if rule is not None:
                    rules.append(rule)
        if problems:
            raise InvalidSegmentMapError(problems, source=source)
        try:
            return cls(rules, bins=bins)
        except InvalidSegmentMapError as error:
            raise InvalidSegmentMapError(error.problems, source=source) from None


def _rule_from_data(
    entry: object, index: int, problems: list[tuple[str, str]]
) -> SegmentRule | None:
    where = ("segments", index)
    if not isinstance(entry, Mapping):
        example = '{"name": "new", "recency": 5, "frequency": 1}'
        message = f"is a mapping such as {example}, got {shown(entry)}"
        problems.append((document_path(where), message))
        return None
    found = len(problems)
    problems += _unknown_keys(entry, where, _RULE_KEYS, "a segment has name, recency and frequency")
    values: dict[str, Any] = {}
    for key, convert in (
        ("name", _segment_name),
        ("recency", _score_range),
        ("frequency", _score_range),
    ):
        path = document_path((*where, key))
        if key not in entry:
            problems.append((path, "required, but missing"))
            continue
        try:
            values[key] = convert(entry[key])
        except InvalidSegmentMapError as error:
            problems += [(path, message) for _, message in error.problems]
    if len(problems) > found:
        return None
    return SegmentRule(**values)


def _unknown_keys(
    data: Mapping[Any, Any], where: tuple[int | str, ...], known: tuple[str, ...], hint: str
) -> list[tuple[str, str]]:
    return [
        (document_path((*where, str(key))), f"unknown key; {hint}")
        for key in data
        if key not in known
    ]


def load_segment_map(
    source: str | os.PathLike[str], *, format: Literal["json", "yaml"] | None = None
) -> SegmentMap:
    """Read a segment map document (the shape :meth:`SegmentMap.from_data` reads).

    Args:
        source: The document's text (a ``str``), or a path.
        format: ``"json"`` or ``"yaml"``; by default guessed as
            :func:`~staycore.kernel.documents.read_document` does. YAML needs PyYAML.

    Raises:
        InvalidSegmentMapError: The text does not read, or the map has problems.

    Example:
        >>> from staycore.membership.rfm import load_segment_map
        >>> load_segment_map('''
        ... bins: 2
        ... segments:
        ...   - {name: keep, recency: 2, frequency: 1-2}
        ...   - {name: win back, recency: 1, frequency: 1-2}
        ... ''').segment(1, 2)
        'win back'
    """
    try:
        data, name = read_document(source, format=format, reader="load_segment_map")
    except UnreadableDocumentError as error:
        raise InvalidSegmentMapError(error.problems, source=error.source) from None
    return SegmentMap.from_data(data, source=name)


def segments(
    segment_map: SegmentMap, recency: npt.ArrayLike, frequency: npt.ArrayLike
) -> npt.NDArray[np.str_]:
    """The segment name of every customer, from their recency and frequency scores.

    Args:
        segment_map: The map, such as :meth:`SegmentMap.common`.
        recency: Recency scores, whole numbers from 1 to the map's ``bins``.
        frequency: Frequency scores, likewise, row for row.

    Raises:
        InvalidRfmInputError: The arrays differ in length, or a score is not a whole
            number in the map's range; the error names the field and the first row.

    Example:
        See the module example.
    """
    bins = segment_map.bins
    rows = _length(recency, "recency", None)
    r = _score_column(recency, "recency", rows, bins)
    f = _score_column(frequency, "frequency", rows, bins)
    names = np.array(segment_map.names)
    where = {name: index for index, name in enumerate(segment_map.names)}
    table = np.array([[where[name] for name in row] for row in segment_map.grid()])
    found: npt.NDArray[np.str_] = names[table[r - 1, f - 1]]
    return found


def _score_column(values: npt.ArrayLike, field: str, rows: int, bins: int) -> npt.NDArray[np.int64]:
    array = np.asarray(values)
    _length(array, field, rows)
    whole = array.dtype.kind in "iu" or (
        array.dtype.kind == "f" and np.isfinite(array).all() and not (array % 1).any()
    )
    if not whole:
        msg = f"{field} scores are whole numbers from 1 to {bins}, got {array.dtype} values"
        raise InvalidRfmInputError(msg, field=field)
    outside = (array < 1) | (array > bins)
    if outside.any():
        row, more = _first(outside)
        msg = f"row {row}{more}: {field} score is {array[row]}, outside 1 to {bins}"
        raise InvalidRfmInputError(msg, field=field, row=row)
    return array.astype(np.int64)


def _cells(cells: list[str]) -> str:
    count = len(cells)
    return f"{count} cell{'s' if count != 1 else ''} ({_listed(cells)})"


def _listed(items: list[str]) -> str:
    shown_items = ", ".join(items[:_LISTED])
    rest = len(items) - _LISTED
    return f"{shown_items} and {rest} more" if rest > 0 else shown_items
