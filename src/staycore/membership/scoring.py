"""Scoring a customer base from its orders: summaries, RFM, churn and lifetime, in columns.

:func:`score_customers` is what ``staycore churn`` runs, and what a host runs over its own
export or inside a partition function: order columns in, one row per customer out, with
their summary (:mod:`~staycore.membership.summaries`), RFM scores and segment
(:mod:`~staycore.membership.rfm`), churn risk with its main factor
(:mod:`~staycore.membership.churn`), and, from BG/NBD and Gamma-Gamma models fitted on the
same base (:mod:`~staycore.membership.lifetime`), the probability they are still a
customer, the stays expected over the next year and what those are worth. Needs numpy and
scipy (the ``analytics`` extra).

Some of a customer's scores depend on the rest of the base: RFM scores rank them among
everyone, and the lifetime models are fitted to everyone. A :class:`ScoringBase` holds
those base-wide parts (the RFM figures of the whole base as an
:class:`~staycore.membership.rfm.RfmReference`, the fitted BG/NBD and Gamma-Gamma models).
:func:`score_customers` builds it from the orders it is given, or takes one built
elsewhere: a partition of a larger base, scored with the base of the whole, gets the rows
the whole base would give its customers. :func:`~staycore.membership.partitions.score_partitioned`
does that over the partitions of a Dask dataframe.

Example:
    >>> import datetime as dt
    >>> from staycore.membership.scoring import score_customers
    >>> scored = score_customers(
    ...     ["mei", "mei", "mei", "leo", "leo", "ana"],
    ...     ["2026-01-10", "2026-03-02", "2026-05-20", "2026-02-01", "2026-02-20", "2026-04-01"],
    ...     [320, 280, 410, 150, 90, 500],
    ...     at=dt.date(2026, 6, 30),
    ...     lifetime=False,
    ... )
    >>> for row in scored.rows():
    ...     print(row["customer"], row["segment"], row["churn_action"], row["churn_reason"])
    ana about to sleep none
    leo at risk win_back_offer overdue
    mei champion none
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from staycore.membership.churn import DEFAULT_CHURN_MODEL, ChurnModel, churn_risk_many
from staycore.membership.columns import read_only
from staycore.membership.rfm import InvalidRfmInputError, RfmReference, SegmentMap, segments
from staycore.membership.summaries import CustomerSummary, InvalidOrderDataError, summarize

if TYPE_CHECKING:
    from staycore.membership.lifetime import BetaGeo, GammaGamma

__all__ = ["LEAST_SPENDERS", "ScoredCustomers", "ScoringBase", "score_customers"]

_WEEKS_A_YEAR: Final = 52.0

LEAST_SPENDERS: Final = 3
"""The fewest repeat customers with spend a base needs for its Gamma-Gamma model."""


@attrs.frozen(eq=False)
class ScoredCustomers:
    """One row per customer, as columns.

    Attributes:
        customer: The customer ids, sorted.
        summary: Their summaries (frequency, recency and age in weeks, spend).
        recency_score: RFM recency score, 1 to the segment map's ``bins`` (5, the
            most recent, with the common map).
        frequency_score: RFM frequency score, likewise.
        monetary_score: RFM monetary score, likewise.
        segment: Their RFM segment.
        churn_risk: Churn risk, 0 to 1.
        churn_action: What the risk calls for (``"watch"``, ``"win_back_offer"``, ...).
        churn_reason: The factor that raises the risk most, or ``""`` if none does. An
            order export says nothing of complaints or reviews: the risk comes from the
            time since the last stay against the customer's own rhythm, and from their
            stays in the last year against the year before.
        p_alive: The probability they are still a customer (BG/NBD); NaN-free, and 1.0
            where the lifetime models were not asked for.
        expected_stays: Stays expected over the next 52 weeks (BG/NBD).
        expected_value: What those stays are worth (Gamma-Gamma mean spend per stay x
            expected stays, undiscounted).
    """

    customer: npt.NDArray[Any] = attrs.field(converter=read_only)
    summary: CustomerSummary
    recency_score: npt.NDArray[np.int64] = attrs.field(converter=read_only)
    frequency_score: npt.NDArray[np.int64] = attrs.field(converter=read_only)
    monetary_score: npt.NDArray[np.int64] = attrs.field(converter=read_only)
    segment: npt.NDArray[np.str_] = attrs.field(converter=read_only)
    churn_risk: npt.NDArray[np.float64] = attrs.field(converter=read_only)
    churn_action: npt.NDArray[Any] = attrs.field(converter=read_only)
    churn_reason: npt.NDArray[Any] = attrs.field(converter=read_only)
    p_alive: npt.NDArray[np.float64] = attrs.field(converter=read_only)
    expected_stays: npt.NDArray[np.float64] = attrs.field(converter=read_only)
    expected_value: npt.NDArray[np.float64] = attrs.field(converter=read_only)

    def __len__(self) -> int:
        return len(self.customer)

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """The columns of :meth:`rows`, by name, rounded alike: as ``pandas.DataFrame`` takes them.

        Example:
            Continuing the module example above:

            >>> list(scored.columns())[:4]
            ['customer', 'frequency', 'recency_weeks', 'age_weeks']
            >>> scored.columns()["days_since_last_stay"].tolist()
            [90, 130, 41]
        """
        s = self.summary
        return {
            "customer": self.customer,
            "frequency": s.frequency,
            "recency_weeks": np.round(s.recency, 2),
            "age_weeks": np.round(s.T, 2),
            "total_spend": np.round(s.total_spend, 2),
            "days_since_last_stay": s.days_since_last_purchase,
            "recency_score": self.recency_score,
            "frequency_score": self.frequency_score,
            "monetary_score": self.monetary_score,
            "segment": self.segment,
            "churn_risk": np.round(self.churn_risk, 4),
            "churn_action": self.churn_action,
            "churn_reason": self.churn_reason,
            "p_alive": np.round(self.p_alive, 4),
            "expected_stays_12m": np.round(self.expected_stays, 4),
            "expected_value_12m": np.round(self.expected_value, 2),
        }

    def rows(self) -> list[dict[str, object]]:
        """Each customer as a mapping of column to value, for a CSV writer.

        Example:
            Continuing the module example above:

            >>> row = scored.rows()[2]
            >>> row["customer"], row["frequency"], row["segment"]
            ('mei', 2, 'champion')
        """
        columns = self.columns()
        return [
            {name: _plain(values[index]) for name, values in columns.items()}
            for index in range(len(self))
        ]


@attrs.frozen(kw_only=True)
class ScoringBase:
    """What scoring a customer needs to know of their whole customer base.

    Attributes:
        rfm: The RFM figures of every customer of the base (days since the last stay,
            stays, total spend), which each customer's RFM scores rank them among.
        transactions: The BG/NBD model fitted to the base (weeks), or ``None`` when the
            lifetime models were not asked for: P(alive) is then 1, and the expected
            stays and value 0.
        spend: The Gamma-Gamma model fitted to the base's repeat customers with spend,
            or ``None`` when there are fewer than :data:`LEAST_SPENDERS` of them: a
            customer's expected spend per stay is then their own mean.

    Example:
        Continuing the module example above, the base of all three customers, and
        Mei scored on her own against it:

        >>> from staycore.membership.scoring import ScoringBase
        >>> from staycore.membership.summaries import summarize
        >>> everyone = summarize(
        ...     ["mei", "mei", "mei", "leo", "leo", "ana"],
        ...     ["2026-01-10", "2026-03-02", "2026-05-20", "2026-02-01", "2026-02-20",
        ...      "2026-04-01"],
        ...     [320, 280, 410, 150, 90, 500],
        ...     calibration_end=dt.date(2026, 6, 30),
        ... )
        >>> base = ScoringBase.fit(everyone, lifetime=False)
        >>> base.rfm.customers, base.transactions
        (3, None)
        >>> mei = score_customers(["mei", "mei", "mei"], ["2026-01-10", "2026-03-02", "2026-05-20"],
        ...                       [320, 280, 410], at=dt.date(2026, 6, 30), base=base)
        >>> mei.rows()[0]["segment"], score_customers(
        ...     ["mei", "mei", "mei"], ["2026-01-10", "2026-03-02", "2026-05-20"],
        ...     [320, 280, 410], at=dt.date(2026, 6, 30), lifetime=False).rows()[0]["segment"]
        ('champion', 'need attention')
    """

    rfm: RfmReference
    transactions: BetaGeo | None = None
    spend: GammaGamma | None = None

    @classmethod
    def fit(cls, summary: CustomerSummary, *, lifetime: bool = True, bins: int = 5) -> ScoringBase:
        """The base of the customers of a summary: their RFM figures, and models fitted to them.

        This is what :func:`score_customers` builds when it is given no base.

        Args:
            summary: Every customer of the base, in weeks (``summarize(..., unit="W")``).
            lifetime: Fit BG/NBD, and Gamma-Gamma where there are enough repeat
                customers with spend; ``False`` leaves both out.
            bins: The highest RFM score, the segment map's ``bins``.

        Raises:
            FitDidNotConvergeError: The lifetime models did not converge on this base.
            InvalidRfmInputError: Fewer than 2 bins.

        Example:
            See the class example.
        """
        figures = _rfm_figures(summary)
        rfm = RfmReference.from_values(*figures, bins=bins)
        if not lifetime:
            return cls(rfm=rfm)
        from staycore.membership.lifetime import BetaGeo, GammaGamma  # noqa: PLC0415 - scipy

        frequency = summary.frequency.astype(np.float64)
        transactions = BetaGeo.fit(frequency, summary.recency, summary.T)
        mean_spend = np.asarray(summary.monetary_value, dtype=np.float64)
        spending = _spending(summary)
        spend = None
        if np.count_nonzero(spending) >= LEAST_SPENDERS:
            spend = GammaGamma.fit(frequency[spending], mean_spend[spending])
        return cls(rfm=rfm, transactions=transactions, spend=spend)


def _rfm_figures(
    summary: CustomerSummary,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """What RFM scores: days since the last stay, stays (the first one too), total spend."""
    return summary.days_since_last_purchase, summary.frequency + 1, summary.total_spend


def _spending(summary: CustomerSummary) -> npt.NDArray[np.bool_]:
    """The customers Gamma-Gamma models: repeat customers, with spend to model."""
    return (summary.frequency > 0) & (summary.monetary_value > 0)


def score_customers(
    customers: npt.ArrayLike | Sequence[Hashable],
    dates: npt.ArrayLike | Sequence[dt.date | str],
    amounts: npt.ArrayLike | Sequence[Decimal | float],
    *,
    at: dt.date,
    segment_map: SegmentMap | None = None,
    churn_model: ChurnModel = DEFAULT_CHURN_MODEL,
    lifetime: bool = True,
    base: ScoringBase | None = None,
) -> ScoredCustomers:
    """Score every customer of an order export as of the day ``at``.

    Args:
        customers: Each order's customer id.
        dates: Each order's day.
        amounts: Each order's amount (0 or more).
        at: The day scored at: orders after it are left out.
        segment_map: The RFM segments; :meth:`SegmentMap.common` by default.
        churn_model: The churn model; its defaults by default.
        lifetime: Give P(alive), expected stays and value from the BG/NBD and
            Gamma-Gamma models of the base (fitting them needs a base with repeat
            customers); ``False`` skips them.
        base: The customer base these customers are scored within, when they are part
            of a larger one (:meth:`ScoringBase.fit` of its summary at ``at``, or the
            reductions of :mod:`~staycore.membership.partitions`); by default the
            customers given are the base, and the models are fitted to them.

    Raises:
        InvalidOrderDataError: An order has no customer, a bad date, a negative or
            missing amount; the error names the row.
        InvalidRfmInputError: The base's RFM reference has other ``bins`` than the
            segment map, or took recency as dates.
        FitDidNotConvergeError: The lifetime models did not converge on this base.

    Example:
        See the module example, and :class:`ScoringBase`.
    """
    summary = summarize(customers, dates, amounts, calibration_end=at, unit="W")
    grid = segment_map or SegmentMap.common()
    if base is None:
        base = ScoringBase.fit(summary, lifetime=lifetime, bins=grid.bins)
    elif base.rfm.bins != grid.bins:
        msg = (
            f"the base scores RFM from 1 to {base.rfm.bins} but the segment map's grid runs "
            f"from 1 to {grid.bins}: build the base with bins={grid.bins}"
        )
        raise InvalidRfmInputError(msg, field="bins")
    days = summary.days_since_last_purchase
    rfm = base.rfm.scores(*_rfm_figures(summary))
    names = segments(grid, rfm.recency, rfm.frequency)
    # The customer's own rhythm: their mean gap between stays, unknown with one stay.
    repeat = summary.frequency > 0
    gaps = np.ma.masked_array(
        np.where(repeat, summary.recency * summary.unit_days / np.maximum(summary.frequency, 1), 0),
        mask=~repeat,
    )
    # Falling frequency: stays in the last year against the year before.
    a_year = dt.timedelta(days=365)
    by_then = [
        _stays_by(summary, customers, dates, amounts, at - a_year),
        _stays_by(summary, customers, dates, amounts, at - 2 * a_year),
    ]
    recent = summary.frequency + 1 - by_then[0]
    prior = by_then[0] - by_then[1]
    churn = churn_risk_many(
        days,
        usual_gap_days=gaps,
        stays_recent=recent,
        stays_prior=prior,
        model=churn_model,
        top=1,
    )
    size = len(summary)
    p_alive = np.ones(size)
    expected = np.zeros(size)
    value = np.zeros(size)
    if lifetime and base.transactions is not None:
        p_alive, expected, value = _lifetime(summary, base.transactions, base.spend)
    return ScoredCustomers(
        customer=summary.customer,
        summary=summary,
        recency_score=rfm.recency,
        frequency_score=rfm.frequency,
        monetary_score=rfm.monetary,
        segment=names,
        churn_risk=churn.score,
        churn_action=churn.action,
        # A factor that does not raise the risk is no reason for it.
        churn_reason=np.where(churn.top_contributions[:, 0] > 0, churn.top_factors[:, 0], ""),
        p_alive=p_alive,
        expected_stays=expected,
        expected_value=value,
    )


def _stays_by(
    summary: CustomerSummary,
    customers: npt.ArrayLike | Sequence[Hashable],
    dates: npt.ArrayLike | Sequence[dt.date | str],
    amounts: npt.ArrayLike | Sequence[Decimal | float],
    day: dt.date,
) -> npt.NDArray[np.int64]:
    """Each customer of ``summary``'s purchase days up to ``day``, in its order."""
    counts = np.zeros(len(summary), dtype=np.int64)
    try:
        then = summarize(customers, dates, amounts, calibration_end=day, unit="W")
    except InvalidOrderDataError:
        return counts  # nobody had bought yet
    index = {customer: position for position, customer in enumerate(summary.customer.tolist())}
    for customer, frequency in zip(then.customer.tolist(), then.frequency.tolist(), strict=True):
        counts[index[customer]] = frequency + 1
    return counts


def _lifetime(
    summary: CustomerSummary, transactions: BetaGeo, spend_model: GammaGamma | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    frequency = summary.frequency.astype(np.float64)
    p_alive = np.asarray(
        transactions.p_alive(frequency, summary.recency, summary.T), dtype=np.float64
    )
    expected = np.asarray(
        transactions.expected_purchases(_WEEKS_A_YEAR, frequency, summary.recency, summary.T),
        dtype=np.float64,
    )
    spend = np.asarray(summary.monetary_value, dtype=np.float64)
    spending = _spending(summary)
    per_stay = np.where(spending, spend, 0.0)
    if spend_model is not None and spending.any():
        modelled = np.asarray(spend_model.expected_spend(frequency[spending], spend[spending]))
        per_stay[spending] = modelled
    return p_alive, expected, expected * per_stay


def _plain(value: Any) -> object:  # noqa: ANN401 - a numpy scalar of any kind
    """A numpy scalar as the Python value a CSV writer shows plainly."""
    return value.item() if isinstance(value, np.generic) else value
