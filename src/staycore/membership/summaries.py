"""Customer summaries from order history: repeat stays, recency, age and spend, per customer.

Customer-lifetime models (:mod:`staycore.membership.lifetime`), RFM scores
(:mod:`staycore.membership.rfm`) and churn risk all start from the same few figures per
customer, measured at a *calibration end* date and in a chosen time unit.
:func:`summarize` computes them from an order export given as three columns (customer
id, order date, amount), for millions of orders at once: column arrays in, column arrays
out, sorted and reduced with numpy, never a Python loop per order. This module needs the
``analytics`` extra (``pip install 'staycore[analytics]'``).

The figures follow the BTYD ("buy 'til you die") convention of the literature and of the
``lifetimes`` package:

* a **purchase** is a customer's calendar day with at least one order: several orders
  on one day count once, and their amounts are added up;
* ``frequency`` is the number of **repeat** purchases: purchase days after the first;
* ``recency`` is the time from the first purchase to the last repeat purchase (0 without
  one), and ``T`` the time from the first purchase to the calibration end;
* ``monetary_value`` is the mean amount of the repeat purchases (0 without one),
  ``total_spend`` and ``mean_spend`` the total and mean over every purchase.

Orders dated after the calibration end are left out (a customer whose first order is
later is not in the summary at all); a calibration end after every order is fine.
:func:`summarize_holdout` counts what the customers did after it, for validating a model
on the period it did not see.

Bad input raises :class:`InvalidOrderDataError`, naming the field and the row (the
0-based position in the columns) to fix: columns of different lengths, no orders, a
missing customer id, a date that is missing or not a date, an amount that is negative,
NaN or infinite. No NaN ever reaches a summary.

Example:
    >>> import datetime as dt
    >>> import numpy as np
    >>> from staycore.membership.summaries import summarize
    >>> summary = summarize(
    ...     ["ana", "ana", "ana", "ana", "bo"],
    ...     np.array(["2026-01-05", "2026-01-05", "2026-01-19", "2026-02-16", "2026-02-02"],
    ...              dtype="datetime64[D]"),
    ...     [120.0, 30.0, 80.0, 100.0, 200.0],
    ...     calibration_end=dt.date(2026, 3, 2),
    ...     unit="W",
    ... )
    >>> summary.customer.tolist(), summary.frequency.tolist()
    (['ana', 'bo'], [2, 0])
    >>> summary.recency.tolist(), summary.T.tolist()
    ([6.0, 0.0], [8.0, 4.0])
    >>> summary.monetary_value.tolist(), summary.total_spend.tolist()
    ([90.0, 0.0], [330.0, 200.0])

    Ana's two orders of 5 January are one purchase of 150.00, so her mean spend is
    330.00 over three purchases:

    >>> summary.mean_spend.tolist()
    [110.0, 200.0]
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Hashable, Sequence
from decimal import Decimal
from typing import Any, Final, Literal

import attrs
import numpy as np
import numpy.typing as npt

from staycore.membership.columns import ARRAY_EQ, read_only
from staycore.membership.errors import MembershipError

__all__ = [
    "UNIT_DAYS",
    "CustomerSummary",
    "HoldoutSummary",
    "InvalidOrderDataError",
    "TimeUnit",
    "summarize",
    "summarize_holdout",
]

TimeUnit = Literal["D", "W", "M"]
"""A time unit by its letter, ``"D"`` for days, ``"W"`` for weeks, ``"M"`` for months."""

UNIT_DAYS: Final[dict[str, float]] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
"""Days in each named time unit; a month is the average Gregorian month, 30.4375 days."""

_NONE: Final = np.array(None, dtype=object)
# Integer dtypes are refused as dates: 19970101 would silently read as a day count.
_DATE_HINT: Final = (
    "dates are calendar dates: numpy datetime64, datetime.date values or ISO text such as "
    "'1997-01-01' (convert YYYYMMDD numbers first)"
)


class InvalidOrderDataError(MembershipError):
    """Order columns, or the options they are summarised with, cannot be summarised.

    Attributes:
        field: The column or option to fix (``"amounts"``, ``"calibration_end"``).
        row: The first offending row (0-based position in the columns), or ``None`` when
            the whole column or option is wrong.

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.summaries import summarize
        >>> summarize([1, 2], ["2026-01-05", "2026-01-07"], [80.0, -20.0],
        ...           calibration_end=dt.date(2026, 3, 2))
        Traceback (most recent call last):
        ...
        staycore.membership.summaries.InvalidOrderDataError: [membership.invalid_order_data]
        row 1: amounts is negative (-20.0); ...
    """

    code = "membership.invalid_order_data"

    def __init__(self, message: str, *, field: str, row: int | None = None) -> None:
        self.field = field
        self.row = row
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Summaries run inside worker processes (Dask, multiprocessing): errors must pickle.
        return (_rebuild, (self.message, self.field, self.row))


def _rebuild(message: str, field: str, row: int | None) -> InvalidOrderDataError:
    return InvalidOrderDataError(message, field=field, row=row)


@attrs.frozen(kw_only=True)
class CustomerSummary:
    """Per-customer figures at a calibration end, as columns: one row per customer.

    Built by :func:`summarize`; every column is a read-only numpy array, in the same
    customer order. Times are in the summary's unit (``unit_days`` days each).

    Attributes:
        customer: The customer ids: sorted when they compare (numbers, text), else in
            the order they first appear in the orders.
        frequency: Repeat purchases: purchase days after the first, up to the
            calibration end (every purchase day with ``first_purchase_counts``).
        recency: Time from the first purchase to the last repeat purchase; 0 without one.
        T: Age at the calibration end, time from the first purchase.
        monetary_value: Mean amount of a repeat purchase (of every purchase with
            ``first_purchase_counts``); 0 without one.
        total_spend: Total amount of every purchase up to the calibration end.
        mean_spend: Mean amount of a purchase, the first included.
        first_purchase: The day of the first purchase (``datetime64[D]``).
        last_purchase: The day of the last purchase up to the calibration end.
        calibration_end: The day the figures are measured at (``datetime64[D]``).
        unit_days: Days in one time unit (7.0 for weeks).

    Raises:
        InvalidOrderDataError: The columns do not all have one row per customer.

    Example:
        Continuing the module example above:

        >>> len(summary), summary.unit_days
        (2, 7.0)
        >>> summary.days_since_last_purchase.tolist()
        [14, 28]
        >>> sorted(summary.columns())[:3]
        ['T', 'customer', 'first_purchase']
    """

    customer: npt.NDArray[Any] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    frequency: npt.NDArray[np.int64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    recency: npt.NDArray[np.float64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    T: npt.NDArray[np.float64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    monetary_value: npt.NDArray[np.float64] = attrs.field(
        converter=read_only, eq=ARRAY_EQ, hash=False
    )
    total_spend: npt.NDArray[np.float64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    mean_spend: npt.NDArray[np.float64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    first_purchase: npt.NDArray[np.datetime64] = attrs.field(
        converter=read_only, eq=ARRAY_EQ, hash=False
    )
    last_purchase: npt.NDArray[np.datetime64] = attrs.field(
        converter=read_only, eq=ARRAY_EQ, hash=False
    )
    calibration_end: np.datetime64
    unit_days: float

    def __attrs_post_init__(self) -> None:
        rows = len(self.customer)
        for name, column in self.columns().items():
            if column.ndim != 1 or len(column) != rows:
                msg = (
                    f"a summary has one row per customer: {name} has shape {column.shape} "
                    f"but customer has {rows} rows; build summaries with summarize()"
                )
                raise InvalidOrderDataError(msg, field=name)

    def __len__(self) -> int:
        return len(self.customer)

    @property
    def days_since_last_purchase(self) -> npt.NDArray[np.int64]:
        """Whole days from each customer's last purchase to the calibration end.

        This is the recency of RFM (:func:`staycore.membership.rfm.rfm_scores`), where
        fewer days is better; ``recency`` is the BTYD one, from the first purchase.

        Example:
            See the class example.
        """
        return (self.calibration_end - self.last_purchase).astype(np.int64)

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """The columns by name, such as ``pandas.DataFrame(summary.columns())`` takes.

        Example:
            See the class example.
        """
        return {
            "customer": self.customer,
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
            "monetary_value": self.monetary_value,
            "total_spend": self.total_spend,
            "mean_spend": self.mean_spend,
            "first_purchase": self.first_purchase,
            "last_purchase": self.last_purchase,
        }


@attrs.frozen(kw_only=True)
class HoldoutSummary:
    """A calibration summary and what its customers did in the holdout period after it.

    Built by :func:`summarize_holdout`. The holdout columns follow the calibration
    summary's customers, row for row; a customer whose first order falls in the holdout
    period is in neither.

    Attributes:
        calibration: The summary at the calibration end.
        frequency: Purchase days of each customer after the calibration end, up to and
            including the observation end.
        monetary_value: Mean amount of those purchases; 0 without one.
        duration: Length of the holdout period, in the calibration summary's unit.
        observation_end: The last day of the holdout period (``datetime64[D]``).

    Example:
        >>> import datetime as dt
        >>> from staycore.membership.summaries import summarize_holdout
        >>> split = summarize_holdout(
        ...     [7, 7, 7, 8, 9],
        ...     ["2026-01-01", "2026-01-15", "2026-03-05", "2026-01-02", "2026-02-20"],
        ...     [50, 60, 70, 80, 90],
        ...     calibration_end=dt.date(2026, 1, 31),
        ...     observation_end=dt.date(2026, 3, 31),
        ...     unit="D",
        ... )
        >>> split.calibration.customer.tolist(), split.calibration.frequency.tolist()
        ([7, 8], [1, 0])
        >>> split.frequency.tolist(), split.monetary_value.tolist(), split.duration
        ([1, 0], [70.0, 0.0], 59.0)
    """

    calibration: CustomerSummary
    frequency: npt.NDArray[np.int64] = attrs.field(converter=read_only, eq=ARRAY_EQ, hash=False)
    monetary_value: npt.NDArray[np.float64] = attrs.field(
        converter=read_only, eq=ARRAY_EQ, hash=False
    )
    duration: float
    observation_end: np.datetime64

    def __attrs_post_init__(self) -> None:
        rows = len(self.calibration)
        for name in ("frequency", "monetary_value"):
            column = getattr(self, name)
            if column.ndim != 1 or len(column) != rows:
                msg = (
                    f"holdout {name} has one row per calibration customer ({rows}), got shape "
                    f"{column.shape}; build holdout summaries with summarize_holdout()"
                )
                raise InvalidOrderDataError(msg, field=name)


def summarize(
    customers: npt.ArrayLike | Sequence[Hashable],
    dates: npt.ArrayLike | Sequence[dt.date | str],
    amounts: npt.ArrayLike | Sequence[Decimal | float],
    *,
    calibration_end: dt.date | np.datetime64,
    unit: TimeUnit | dt.timedelta = "W",
    first_purchase_counts: bool = False,
) -> CustomerSummary:
    """Summarise orders per customer at ``calibration_end``: the BTYD figures and spend.

    Args:
        customers: Each order's customer id: a numpy array (integers, text, objects) or
            a sequence of hashable values. Ids of kinds that do not compare with one
            another (numbers mixed with text) are kept apart, in order of appearance.
        dates: Each order's day in the property's calendar: numpy ``datetime64`` (finer
            units are floored to the day), ``datetime.date`` values or ISO text.
        amounts: Each order's amount, zero or more: floats, integers or ``Decimal``
            values (summed as floats: analytics, not accounting).
        calibration_end: The day the figures are measured at, included; later orders
            are left out.
        unit: The time unit of ``recency`` and ``T``: ``"D"`` (day), ``"W"`` (week),
            ``"M"`` (30.4375 days), or a positive ``timedelta``.
        first_purchase_counts: Count the first purchase in ``frequency`` and
            ``monetary_value`` too (``lifetimes``' ``include_first_transaction``). Leave
            it off for the lifetime models, which expect repeat purchases only.

    Returns:
        One row per customer with an order up to the calibration end.

    Raises:
        InvalidOrderDataError: The columns have different lengths or no rows, an id is
            missing, a date is missing or unreadable, an amount is negative, NaN or
            infinite, the unit is unknown, or no order is dated up to the calibration
            end; the error names the field and the first offending row.

    Example:
        See the module example; several orders on one day are one purchase.
    """
    unit_days = _unit_days(unit)
    counts_first = _flag(first_purchase_counts)
    end = _day(calibration_end, "calibration_end")
    orders = _Orders.read(customers, dates, amounts)
    return _summary(orders.ids, orders.purchases(), end, unit_days, counts_first=counts_first)


def summarize_holdout(
    customers: npt.ArrayLike | Sequence[Hashable],
    dates: npt.ArrayLike | Sequence[dt.date | str],
    amounts: npt.ArrayLike | Sequence[Decimal | float],
    *,
    calibration_end: dt.date | np.datetime64,
    observation_end: dt.date | np.datetime64,
    unit: TimeUnit | dt.timedelta = "W",
    first_purchase_counts: bool = False,
) -> HoldoutSummary:
    """Summarise up to ``calibration_end``, and count each customer's purchases after it.

    Orders after ``observation_end`` are left out, and so are the orders of customers
    who first ordered after ``calibration_end``. The arguments are those of
    :func:`summarize`.

    Args:
        customers: Each order's customer id.
        dates: Each order's day.
        amounts: Each order's amount, zero or more.
        calibration_end: The last day of the calibration period.
        observation_end: The last day of the holdout period, after ``calibration_end``.
        unit: The time unit of the summary and of ``duration``.
        first_purchase_counts: As for :func:`summarize`, for the calibration summary.

    Raises:
        InvalidOrderDataError: As :func:`summarize`, or the observation end is not after
            the calibration end.

    Example:
        See :class:`HoldoutSummary`.
    """
    unit_days = _unit_days(unit)
    counts_first = _flag(first_purchase_counts)
    end = _day(calibration_end, "calibration_end")
    observed = _day(observation_end, "observation_end")
    if observed <= end:
        msg = (
            f"the observation end {observed} must come after the calibration end {end}: "
            "the holdout period runs from the day after the calibration end to it"
        )
        raise InvalidOrderDataError(msg, field="observation_end")
    orders = _Orders.read(customers, dates, amounts)
    purchases = orders.purchases()
    calibration = _summary(orders.ids, purchases, end, unit_days, counts_first=counts_first)
    # Each customer's row in the calibration summary (which lists them in code order),
    # or -1 for a customer who first ordered in the holdout period.
    known = np.unique(purchases.code[purchases.day <= end])
    row_of = np.full(len(orders.ids), -1, dtype=np.intp)
    row_of[known] = np.arange(len(known))
    rows = row_of[purchases.code]
    later = (purchases.day > end) & (purchases.day <= observed) & (rows >= 0)
    frequency = np.bincount(rows[later], minlength=len(known)).astype(np.int64)
    with np.errstate(over="ignore"):  # reported just below
        spend = np.bincount(rows[later], weights=purchases.amount[later], minlength=len(known))
    if not np.isfinite(spend).all():
        msg = "the holdout amounts add up beyond what a float holds: check the amounts' unit"
        raise InvalidOrderDataError(msg, field="amounts")
    monetary = np.divide(spend, frequency, out=np.zeros(len(known)), where=frequency > 0)
    return HoldoutSummary(
        calibration=calibration,
        frequency=frequency,
        monetary_value=monetary,
        duration=float((observed - end).astype(np.int64)) / unit_days,
        observation_end=observed,
    )


# -- reading the columns -------------------------------------------------------------------


@attrs.frozen
class _Purchases:
    """Purchase days, sorted by customer code then day: one row per (customer, day)."""

    code: npt.NDArray[np.intp]
    day: npt.NDArray[np.datetime64]
    amount: npt.NDArray[np.float64]


@attrs.frozen
class _Orders:
    """Validated order columns: customer codes into ``ids``, days, and float amounts."""

    ids: npt.NDArray[Any]
    code: npt.NDArray[np.intp]
    day: npt.NDArray[np.datetime64]
    amount: npt.NDArray[np.float64]

    @classmethod
    def read(
        cls,
        customers: npt.ArrayLike | Sequence[Hashable],
        dates: npt.ArrayLike | Sequence[dt.date | str],
        amounts: npt.ArrayLike | Sequence[Decimal | float],
    ) -> _Orders:
        customer = _customer_column(customers)
        rows = len(customer)
        if rows == 0:
            msg = "there are no orders to summarise: pass at least one order"
            raise InvalidOrderDataError(msg, field="customers")
        day = _dates(dates, rows)
        amount = _amounts(amounts, rows)
        ids, code = _codes(customer)
        return cls(ids=ids, code=code, day=day, amount=amount)

    def purchases(self) -> _Purchases:
        """Orders merged into purchase days, amounts added up."""
        order = _by_customer_then_day(self.code, self.day, len(self.ids))
        code, day = self.code[order], self.day[order]
        starts = _starts(code, day)
        with np.errstate(over="ignore"):  # an infinite total is refused by the summary
            amount = np.add.reduceat(self.amount[order], starts)
        return _Purchases(code=code[starts], day=day[starts], amount=amount)


def _by_customer_then_day(
    code: npt.NDArray[np.intp], day: npt.NDArray[np.datetime64], customers: int
) -> npt.NDArray[np.intp]:
    """The order that sorts the orders by customer code, then day, stably."""
    offset = day.view(np.int64)
    low, span = int(offset.min()), int(offset.max()) - int(offset.min()) + 1
    if customers * span >= 2**62:
        return np.lexsort((day, code))
    # One integer key sorts twice as fast as lexsort's two passes; the sort is stable so
    # that a day's amounts are always added in the same order.
    key = code.astype(np.int64) * span + (offset - low)
    return np.argsort(key, kind="stable")


def _summary(
    ids: npt.NDArray[Any],
    purchases: _Purchases,
    end: np.datetime64,
    unit_days: float,
    *,
    counts_first: bool,
) -> CustomerSummary:
    kept = purchases.day <= end
    if not kept.any():
        first = purchases.day.min()
        msg = (
            f"no order is dated on or before the calibration end {end} (the first is on "
            f"{first}): choose a calibration end within the orders' dates"
        )
        raise InvalidOrderDataError(msg, field="calibration_end")
    code, day, amount = purchases.code[kept], purchases.day[kept], purchases.amount[kept]
    starts = _starts(code)
    ends = np.append(starts[1:], len(code)) - 1
    count = np.diff(np.append(starts, len(code)))
    first, last = day[starts], day[ends]
    with np.errstate(over="ignore"):  # reported just below
        total = np.add.reduceat(amount, starts)
    if not np.isfinite(total).all():
        row = int(np.flatnonzero(~np.isfinite(total))[0])
        msg = (
            f"the amounts of customer {_plain(ids[code[starts[row]]])!r} add up beyond what a "
            "float holds: check the amounts' unit"
        )
        raise InvalidOrderDataError(msg, field="amounts")
    repeats = count - 1
    if counts_first:
        frequency, spent = count, total
    else:
        repeat_amount = amount.copy()
        repeat_amount[starts] = 0.0
        frequency, spent = repeats, np.add.reduceat(repeat_amount, starts)
    monetary = np.divide(spent, frequency, out=np.zeros(len(starts)), where=frequency > 0)
    return CustomerSummary(
        customer=ids[code[starts]],
        frequency=frequency.astype(np.int64),
        recency=(last - first).astype(np.int64) / unit_days,
        T=(end - first).astype(np.int64) / unit_days,
        monetary_value=monetary,
        total_spend=total,
        mean_spend=total / count,
        first_purchase=first,
        last_purchase=last,
        calibration_end=end,
        unit_days=unit_days,
    )


def _starts(code: npt.NDArray[Any], day: npt.NDArray[Any] | None = None) -> npt.NDArray[np.intp]:
    """Where each run of equal codes (and days, when given) starts in sorted columns."""
    new = np.empty(len(code), dtype=bool)
    new[:1] = True
    new[1:] = code[1:] != code[:-1]
    if day is not None:
        new[1:] |= day[1:] != day[:-1]
    return np.flatnonzero(new)


def _customer_column(customers: npt.ArrayLike | Sequence[Hashable]) -> npt.NDArray[Any]:
    column = customers if isinstance(customers, np.ndarray) else _object_column(customers)
    if column.ndim != 1:
        msg = f"customers is one id per order (a 1-D column), got shape {column.shape}"
        raise InvalidOrderDataError(msg, field="customers")
    missing: npt.NDArray[np.bool_] | None = None
    if column.dtype.kind == "f":
        missing = np.isnan(column)
    elif column.dtype.kind == "O":
        # None, and NaN (the one value unequal to itself), as pandas leaves blank cells.
        missing = np.equal(column, _NONE) | np.not_equal(column, column)
    if missing is not None and missing.any():
        row, more = _first(missing)
        msg = f"row {row}{more}: customers has no id; give every order its customer"
        raise InvalidOrderDataError(msg, field="customers", row=row)
    return column


def _object_column(customers: npt.ArrayLike | Sequence[Hashable]) -> npt.NDArray[Any]:
    """Ids that are not an array yet, each kept whole."""
    try:
        column = np.asarray(customers)
    except ValueError:  # ids of different shapes, such as 7 and (7, 1)
        column = np.empty(0, dtype=object)
    if column.dtype.kind in "iuf" and column.ndim == 1:
        return column
    # numpy reads [1, "1"] as two texts, and (7, 1) as a row: objects keep each id whole.
    try:
        return np.fromiter(customers, dtype=object)  # type: ignore[arg-type]
    except TypeError:
        msg = f"customers is a column of ids, one per order, got {customers!r}"
        raise InvalidOrderDataError(msg, field="customers") from None


def _codes(column: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """The distinct ids, and each order's index into them."""
    try:
        ids, code = np.unique(column, return_inverse=True)
    except TypeError:
        # Ids that do not compare (text and numbers mixed) are numbered as they appear.
        seen: dict[Hashable, int] = {}
        try:
            code = np.fromiter(
                (seen.setdefault(value, len(seen)) for value in column),
                dtype=np.intp,
                count=len(column),
            )
        except TypeError:
            row = _unhashable(column)
            msg = f"row {row}: customers has {column[row]!r}, which is not an id (not hashable)"
            raise InvalidOrderDataError(msg, field="customers", row=row) from None
        ids = np.fromiter(seen, dtype=object, count=len(seen))
    return ids, code.reshape(-1)


def _unhashable(column: npt.NDArray[Any]) -> int:
    for row, value in enumerate(column):
        try:
            hash(value)
        except TypeError:
            return row
    return 0


def _dates(dates: npt.ArrayLike | Sequence[dt.date | str], rows: int) -> npt.NDArray[np.datetime64]:
    values = np.asarray(dates)
    _same_length(values, rows, "dates")
    if values.dtype.kind in "iufcbm":
        msg = f"{_DATE_HINT}; got numbers ({values.dtype})"
        raise InvalidOrderDataError(msg, field="dates")
    if values.dtype.kind == "M":
        days = values.astype("datetime64[D]")
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                days = values.astype("datetime64[D]")
        except (TypeError, ValueError, UserWarning, DeprecationWarning):
            row = _unreadable_date(values)
            msg = f"row {row}: dates has {_plain(values[row])!r}; {_DATE_HINT}"
            raise InvalidOrderDataError(msg, field="dates", row=row) from None
    missing = np.isnat(days)
    if missing.any():
        row, more = _first(missing)
        msg = f"row {row}{more}: dates is missing (NaT); give every order its date"
        raise InvalidOrderDataError(msg, field="dates", row=row)
    return days


def _unreadable_date(values: npt.NDArray[Any]) -> int:
    for row, value in enumerate(values):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return row
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                np.datetime64(value, "D")
        except (TypeError, ValueError, UserWarning, DeprecationWarning):
            return row
    return 0


def _amounts(
    amounts: npt.ArrayLike | Sequence[Decimal | float], rows: int
) -> npt.NDArray[np.float64]:
    values = np.asarray(amounts)
    _same_length(values, rows, "amounts")
    if values.dtype.kind in "bMmc":
        msg = f"amounts are numbers (float, int or Decimal), got {values.dtype} values"
        raise InvalidOrderDataError(msg, field="amounts")
    try:
        amount = values.astype(np.float64)
    except (TypeError, ValueError, ArithmeticError):
        row = _unreadable_amount(values)
        msg = f"row {row}: amounts has {_plain(values[row])!r}, not a number; pass plain amounts"
        raise InvalidOrderDataError(msg, field="amounts", row=row) from None
    broken = ~np.isfinite(amount)
    if broken.any():
        row, more = _first(broken)
        msg = f"row {row}{more}: amounts is {amount[row]}; give every order a finite amount"
        raise InvalidOrderDataError(msg, field="amounts", row=row)
    negative = amount < 0
    if negative.any():
        row, more = _first(negative)
        msg = (
            f"row {row}{more}: amounts is negative ({amount[row]}); an order's amount is "
            "what the guest paid, refunds deducted, and never below zero"
        )
        raise InvalidOrderDataError(msg, field="amounts", row=row)
    return amount


def _unreadable_amount(values: npt.NDArray[Any]) -> int:
    for row, value in enumerate(values):
        try:
            float(value)
        except (TypeError, ValueError, ArithmeticError):
            return row
    return 0


def _same_length(values: npt.NDArray[Any], rows: int, field: str) -> None:
    if values.ndim != 1 or len(values) != rows:
        shape = f"{len(values)} rows" if values.ndim == 1 else f"shape {values.shape}"
        msg = (
            f"{field} has {shape} but customers has {rows}: pass one customer, one date "
            "and one amount per order"
        )
        raise InvalidOrderDataError(msg, field=field)


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, for messages."""
    return value.item() if isinstance(value, np.generic) else value


def _first(mask: npt.NDArray[np.bool_]) -> tuple[int, str]:
    """The first flagged row, and how many more rows are flagged, as words."""
    rows = np.flatnonzero(mask)
    more = len(rows) - 1
    return int(rows[0]), f" (and {more} more row{'s' if more != 1 else ''})" if more else ""


def _day(value: object, field: str) -> np.datetime64:
    if isinstance(value, np.datetime64) and not np.isnat(value):
        day: np.datetime64 = value.astype("datetime64[D]")
        return day
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return np.datetime64(value, "D")
    msg = f"{field} is a calendar date such as date(1997, 9, 30), got {value!r}"
    raise InvalidOrderDataError(msg, field=field)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        msg = f"first_purchase_counts is True or False, got {value!r}"
        raise InvalidOrderDataError(msg, field="first_purchase_counts")
    return value


def _unit_days(unit: object) -> float:
    if isinstance(unit, dt.timedelta):
        if unit > dt.timedelta(0):
            return unit / dt.timedelta(days=1)
    elif isinstance(unit, str) and unit in UNIT_DAYS:
        return UNIT_DAYS[unit]
    msg = f"unit is 'D', 'W', 'M' or a positive timedelta, got {unit!r}"
    raise InvalidOrderDataError(msg, field="unit")
