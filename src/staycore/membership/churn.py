"""Churn risk: how likely a customer is to stop coming, in [0, 1], and why.

:func:`churn_risk` scores one customer from a few plain figures (:class:`ChurnInputs`)
and explains the score: every factor of the model, with the number it read, what it
added to the risk, and a sentence for the team ("no stay for 210 days, 3.5x the usual
60-day gap between stays"). :func:`churn_risk_many` scores millions of customers at once
from column arrays. The single-customer path needs nothing beyond the standard library;
the column path needs numpy (the ``analytics`` extra) and imports it only when called.
Both paths do the same floating-point operations in the same order, so they give the
very same scores, bit for bit, on any machine.

**The model** (:class:`ChurnModel`) is a logistic regression with hand-set defaults.
Each factor turns one input into a *feature*, a number that is 0 when the factor says
nothing, positive when it raises the risk and negative when it lowers it:

===================== ========================================================== ======
factor                feature                                                    weight
===================== ========================================================== ======
``overdue``           ``min(days / gap, overdue_cap) - 1``, where ``gap`` is the 1.0
                      customer's usual gap between stays (``default_gap_days``
                      with fewer than two stays), never under ``min_gap_days``
``falling_frequency`` ``(prior - recent) / max(prior, recent, 1)``: stays in the 0.8
                      recent window against the window before, from -1 (all
                      new) to 1 (stopped coming)
``open_complaints``   ``min(open complaints, count_cap)``                        0.7
``recent_complaints`` ``min(complaints in the recent window, count_cap)``        0.35
``cancellations``     ``min(cancellations in the recent window, count_cap)``     0.25
``no_shows``          ``min(no-shows in the recent window, count_cap)``          0.5
``low_reviews``       ``neutral_review - average review``; 0 without a review    0.4
``tier_drop``         1 when the tier drops within ``tier_horizon_days``, else 0 0.4
===================== ========================================================== ======

A factor's *contribution* is its weight times its feature, and the customer's log-odds
of churning is the bias (-1.0) plus the contributions, added in the table's order:
``logit = bias + sum(contributions)``. The score is the logistic of it,
``1 / (1 + exp(-logit))``. So the explanation adds up exactly, a weight reads as a
log-odds ratio (an open complaint multiplies the odds of churning by ``exp(0.7)``,
about 2), and a host with labelled churners can fit its own weights and bias by
logistic regression on the features and drop them in. Weights are never negative:
more days without a stay, more complaints, cancellations or no-shows never lower the
risk. Counts stop adding at ``count_cap`` (3) and lateness at ``overdue_cap`` (4x the
gap), so one extreme figure cannot drown out the rest.

Every customer gets a score: one with fewer than two stays is measured against the
population's gap, one without reviews or complaints simply has those factors at 0.
:class:`ChurnThresholds` turn a score into a :class:`ChurnAction`: watch from 0.5, a
win-back offer from 0.7, a personal call from 0.9. With the defaults, lateness alone
(a logit of at most ``-1 + 3 = 2``, a score of 0.88) earns a win-back offer; a personal
call takes something going wrong as well. The default weights are a reasoned starting
point, not a fit to anyone's data.

**Why an exponential of its own.** numpy computes ``exp`` with its own SIMD code on
many processors, and it differs from the C library's (which :func:`math.exp` calls) in
the last bit for a few percent of inputs. A score one bit apart on the two paths could
fall on either side of a threshold and get another action. The logistic here is built
from additions, multiplications, one division and :func:`math.ldexp` (a classic range
reduction by ``ln 2`` and a degree-13 Taylor polynomial), which IEEE 754 rounds the same
everywhere: the same in both paths and on every platform, within three units in the last
place of the true logistic (a relative error under 1e-15). Logits beyond +-700 count as
+-700.

Bad input raises :class:`InvalidChurnInputError`, naming the field (and, for columns,
the first offending row): negative or fractional counts, a review outside 1 to 5, NaN
or infinite numbers. No NaN ever reaches a score.

Example:
    >>> from staycore.membership.churn import ChurnInputs, churn_risk
    >>> ana = ChurnInputs(
    ...     days_since_last_stay=210, usual_gap_days=60,
    ...     stays_recent=1, stays_prior=3, open_complaints=1, average_review=3.0,
    ... )
    >>> risk = churn_risk(ana)
    >>> round(risk.score, 4), risk.action
    (0.9582, <ChurnAction.PERSONAL_CALL: 'personal_call'>)
    >>> for factor in risk.drivers:
    ...     print(f"{factor.contribution:+.2f}  {factor.reason}")
    +2.50  no stay for 210 days, 3.5x the usual 60-day gap between stays
    +0.70  1 open complaint
    +0.53  stays falling: 1 in the recent window against 3 in the one before
    +0.40  average review 3.0 of 5
    >>> import math
    >>> math.isclose(risk.logit, risk.bias + sum(f.contribution for f in risk.factors))
    True
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import numbers
import statistics
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from staycore.membership.errors import MembershipError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "DEFAULT_CHURN_MODEL",
    "ChurnAction",
    "ChurnFactor",
    "ChurnInputs",
    "ChurnModel",
    "ChurnRisk",
    "ChurnScores",
    "ChurnThresholds",
    "Factor",
    "InvalidChurnInputError",
    "InvalidChurnModelError",
    "InvalidChurnThresholdsError",
    "churn_risk",
    "churn_risk_many",
]

# Whole-number inputs (counts, days) above this are a unit mistake, not a customer; the
# bound also keeps every count exact as a float, on both paths.
_MOST: Final = 10**9
_MOST_WEIGHT: Final = 100.0
_MOST_CAP: Final = 1000
_LOGIT_LIMIT: Final = 700.0

# exp(x) = 2**k * exp(r), x = k ln2 + r, |r| <= ln2 / 2 (fdlibm's split of ln 2: k * _LN2_HI
# is exact for every k used here), and exp(r) = 1 + r + r**2 * Q(r) with Q the Taylor series
# from 1/2! to 1/13!, whose truncation error is below 1e-17 on that interval.
_LN2_HI: Final = 6.93147180369123816490e-01
_LN2_LO: Final = 1.90821492927058770002e-10
_INV_LN2: Final = 1.44269504088896338700e00
_Q: Final = tuple(1.0 / math.factorial(n) for n in range(13, 1, -1))


class InvalidChurnInputError(MembershipError):
    """A customer's figures cannot be scored: negative, fractional, out of range or NaN.

    Attributes:
        field: The input to fix (``"open_complaints"``, ``"average_review"``).
        row: For columns, the first offending row (0-based); ``None`` for one customer.

    Example:
        >>> from staycore.membership.churn import ChurnInputs
        >>> ChurnInputs(days_since_last_stay=30, open_complaints=-1)
        Traceback (most recent call last):
        ...
        staycore.membership.churn.InvalidChurnInputError: [membership.invalid_churn_input]
        open_complaints must be a count of complaints still open, a whole number from 0 ...
    """

    code = "membership.invalid_churn_input"

    def __init__(self, message: str, *, field: str, row: int | None = None) -> None:
        self.field = field
        self.row = row
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Scoring runs inside worker processes (Dask, multiprocessing): errors must pickle.
        return (_rebuild, (self.message, self.field, self.row))


def _rebuild(message: str, field: str, row: int | None) -> InvalidChurnInputError:
    return InvalidChurnInputError(message, field=field, row=row)


class InvalidChurnModelError(MembershipError):
    """A churn model has an unknown factor, a negative weight or a setting out of range.

    Example:
        >>> from staycore.membership.churn import ChurnModel
        >>> ChurnModel(weights={"overdue": -1.0})
        Traceback (most recent call last):
        ...
        staycore.membership.churn.InvalidChurnModelError: [membership.invalid_churn_model]
        the weight of overdue must be a number from 0 to 100, got -1.0; ...
    """

    code = "membership.invalid_churn_model"


class InvalidChurnThresholdsError(MembershipError):
    """Churn thresholds are outside [0, 1] or not in increasing order.

    Example:
        >>> from staycore.membership.churn import ChurnThresholds
        >>> ChurnThresholds(watch=0.8, win_back_offer=0.7)
        Traceback (most recent call last):
        ...
        staycore.membership.churn.InvalidChurnThresholdsError:
        [membership.invalid_churn_thresholds] ...
    """

    code = "membership.invalid_churn_thresholds"


class ChurnFactor(enum.StrEnum):
    """What a churn score is made of; the order is the order contributions are added in.

    A :class:`enum.StrEnum`: each factor equals its name as text
    (``ChurnFactor.OVERDUE == "overdue"``), in a CSV file or a pandas column too.
    """

    OVERDUE = "overdue"
    FALLING_FREQUENCY = "falling_frequency"
    OPEN_COMPLAINTS = "open_complaints"
    RECENT_COMPLAINTS = "recent_complaints"
    CANCELLATIONS = "cancellations"
    NO_SHOWS = "no_shows"
    LOW_REVIEWS = "low_reviews"
    TIER_DROP = "tier_drop"


class ChurnAction(enum.StrEnum):
    """What a churn score calls for, from nothing to a personal call."""

    NONE = "none"
    WATCH = "watch"
    WIN_BACK_OFFER = "win_back_offer"
    PERSONAL_CALL = "personal_call"


_DEFAULT_WEIGHTS: Final = MappingProxyType(
    {
        ChurnFactor.OVERDUE: 1.0,
        ChurnFactor.FALLING_FREQUENCY: 0.8,
        ChurnFactor.OPEN_COMPLAINTS: 0.7,
        ChurnFactor.RECENT_COMPLAINTS: 0.35,
        ChurnFactor.CANCELLATIONS: 0.25,
        ChurnFactor.NO_SHOWS: 0.5,
        ChurnFactor.LOW_REVIEWS: 0.4,
        ChurnFactor.TIER_DROP: 0.4,
    }
)

# -- numbers ---------------------------------------------------------------------------


def _real(value: object) -> float | None:
    """``value`` as a finite float, or ``None`` when it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _whole(value: object) -> int | None:
    """``value`` as an int (an integral float counts), or ``None`` when it is not one."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    number = _real(value)
    return int(number) if number is not None and number.is_integer() else None


def _in_range(number: float | None, low: float, high: float) -> bool:
    return number is not None and low <= number <= high


# -- inputs ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Rule:
    """How one input is checked: whole or real, its range, and whether it may be None."""

    whole: bool
    low: float = 0
    high: float = _MOST
    optional: bool = False
    hint: str


def _count(what: str) -> _Rule:
    return _Rule(whole=True, hint=f"a count of {what}, a whole number from 0 to 10**9")


_RULES: Final = MappingProxyType(
    {
        "days_since_last_stay": _Rule(
            whole=False, hint="the days since the last stay, a number from 0 to 10**9"
        ),
        "usual_gap_days": _Rule(
            whole=False,
            optional=True,
            hint="the customer's usual days between stays, a number from 0 to 10**9, or None "
            "(masked, in columns) with fewer than two stays",
        ),
        "stays_recent": _count("stays in the recent window"),
        "stays_prior": _count("stays in the window before the recent one"),
        "open_complaints": _count("complaints still open"),
        "recent_complaints": _count("complaints in the recent window"),
        "cancellations": _count("cancellations in the recent window"),
        "no_shows": _count("no-shows in the recent window"),
        "average_review": _Rule(
            whole=False,
            low=1,
            high=5,
            optional=True,
            hint="an average review score from 1 to 5, or None (masked, in columns) without one",
        ),
        "tier_drop_in_days": _Rule(
            whole=True,
            optional=True,
            hint="the whole days until the tier drops, 0 to 10**9, or None (masked, in "
            "columns) when no drop is due",
        ),
    }
)


def _review(value: float | Decimal | None) -> float | None:
    """A review average as a float: reviews average to a ``Decimal`` (``Ratings.overall``)."""
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else math.nan
    return value


def _problem(field: str, value: object) -> str:
    return f"{field} must be {_RULES[field].hint}; got {value!r}"


@attrs.frozen(kw_only=True)
class ChurnInputs:
    """One customer's figures, as :func:`churn_risk` reads them.

    The recent window and the one before it are the host's choice (a year each is
    usual; :meth:`from_stays` takes ``window_days``); the counts of complaints,
    cancellations and no-shows cover the recent window.

    Attributes:
        days_since_last_stay: Days since the customer's last stay ended (for one who
            never stayed, the days since they joined).
        usual_gap_days: The customer's usual days between stays: the median gap between
            visits (:meth:`from_stays`), or their mean (from a customer summary,
            ``recency * unit_days / frequency``); ``None`` with fewer than two stays.
        stays_recent: Stays in the recent window.
        stays_prior: Stays in the window before it.
        open_complaints: Complaints still open now.
        recent_complaints: Complaints made in the recent window, open or resolved.
        cancellations: Bookings the customer cancelled in the recent window.
        no_shows: Bookings the customer did not turn up for in the recent window.
        average_review: The average of the customer's review scores, 1 to 5 (a
            ``Decimal`` such as :attr:`~staycore.orders.reviews.Ratings.overall` is
            fine), or ``None``.
        tier_drop_in_days: Days until the customer's tier drops unless they stay, or
            ``None`` when no drop is due.

    Raises:
        InvalidChurnInputError: A count or a number of days is negative, fractional
            (where whole), NaN, infinite or above 10**9, or the review is outside 1 to 5;
            the error names the field.

    Example:
        >>> from staycore.membership.churn import ChurnInputs
        >>> ChurnInputs(days_since_last_stay=14, stays_recent=2.0).stays_recent
        2
        >>> ChurnInputs(days_since_last_stay=14, average_review=float("nan"))
        Traceback (most recent call last):
        ...
        staycore.membership.churn.InvalidChurnInputError: [membership.invalid_churn_input]
        average_review must be an average review score from 1 to 5, ...; got nan
    """

    days_since_last_stay: float
    usual_gap_days: float | None = None
    stays_recent: int = 0
    stays_prior: int = 0
    open_complaints: int = 0
    recent_complaints: int = 0
    cancellations: int = 0
    no_shows: int = 0
    average_review: float | None = attrs.field(default=None, converter=_review)
    tier_drop_in_days: int | None = None

    def __attrs_post_init__(self) -> None:
        for field, rule in _RULES.items():
            value = getattr(self, field)
            if value is None and rule.optional:
                continue
            number = _whole(value) if rule.whole else _real(value)
            if not _in_range(number, rule.low, rule.high):
                raise InvalidChurnInputError(_problem(field, value), field=field)
            # Plain int and float from here on (numpy scalars and fractions included), so
            # that both paths compute with the very same values.
            object.__setattr__(self, field, number)

    @classmethod
    def from_stays(
        cls,
        stays_on: Iterable[dt.date],
        *,
        today: dt.date,
        window_days: int = 365,
        open_complaints: int = 0,
        recent_complaints: int = 0,
        cancellations: int = 0,
        no_shows: int = 0,
        average_review: float | Decimal | None = None,
        tier_drop_in_days: int | None = None,
    ) -> ChurnInputs:
        """A customer's figures from the days their stays ended, as seen on ``today``.

        Stays ending on the same day are one visit. The days since the last stay, the
        median gap between visits (``None`` with a single visit), and the visits in the
        last ``window_days`` (up to ``today``) and in the ``window_days`` before are
        worked out; the other figures are passed through.

        Args:
            stays_on: The check-out dates of the customer's stays
                (:attr:`~staycore.membership.history.StayRecord.counted_on`), any order.
            today: The day the customer is scored on, in the property's calendar.
            window_days: The length of the recent window, and of the one before it.
            open_complaints: Complaints still open.
            recent_complaints: Complaints made in the recent window.
            cancellations: Cancellations in the recent window.
            no_shows: No-shows in the recent window.
            average_review: The average review score, 1 to 5, or ``None``.
            tier_drop_in_days: Days until the tier drops, or ``None``.

        Raises:
            InvalidChurnInputError: No stay, a stay after ``today``, a value that is not
                a date, a window under a day, or a bad figure.

        Example:
            >>> import datetime as dt
            >>> from staycore.membership.churn import ChurnInputs
            >>> bo = ChurnInputs.from_stays(
            ...     [dt.date(2025, 3, 1), dt.date(2025, 5, 10), dt.date(2025, 7, 1),
            ...      dt.date(2025, 7, 1), dt.date(2025, 9, 9)],
            ...     today=dt.date(2026, 3, 1))
            >>> bo.days_since_last_stay, bo.usual_gap_days
            (173.0, 70.0)
            >>> bo.stays_recent, bo.stays_prior
            (3, 1)
        """
        day = _date(today, "today")
        window = _whole(window_days)
        if window is None or not 1 <= window <= _MOST:
            msg = f"window_days must be a whole number of days from 1 to 10**9, got {window_days!r}"
            raise InvalidChurnInputError(msg, field="window_days")
        if isinstance(stays_on, str | bytes) or not isinstance(stays_on, Iterable):
            msg = f"stays_on is the check-out dates of the customer's stays, got {stays_on!r}"
            raise InvalidChurnInputError(msg, field="stays_on")
        visits = sorted({_date(stay, "stays_on") for stay in stays_on})
        if not visits:
            msg = (
                "stays_on has no stay: score a customer who never stayed with ChurnInputs("
                "days_since_last_stay=<days since they joined>)"
            )
            raise InvalidChurnInputError(msg, field="stays_on")
        if visits[-1] > day:
            msg = f"stays_on has a stay ending {visits[-1]}, after today ({day}): leave it out"
            raise InvalidChurnInputError(msg, field="stays_on")
        gaps = [(later - earlier).days for earlier, later in pairwise(visits)]
        ages = [(day - visit).days for visit in visits]
        return cls(
            days_since_last_stay=ages[-1],
            usual_gap_days=float(statistics.median(gaps)) if gaps else None,
            stays_recent=sum(1 for age in ages if age < window),
            stays_prior=sum(1 for age in ages if window <= age < 2 * window),
            open_complaints=open_complaints,
            recent_complaints=recent_complaints,
            cancellations=cancellations,
            no_shows=no_shows,
            average_review=average_review,
            tier_drop_in_days=tier_drop_in_days,
        )


def _date(value: object, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    msg = f"{field} takes calendar dates such as date(2026, 3, 1), got {value!r}"
    raise InvalidChurnInputError(msg, field=field)


# -- the model -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ChurnThresholds:
    """The scores from which each action is due; a score at a threshold reaches it.

    Attributes:
        watch: From this score the customer is watched (0.5).
        win_back_offer: From this score they get a win-back offer (0.7).
        personal_call: From this score someone calls them (0.9).

    Raises:
        InvalidChurnThresholdsError: A threshold is not a number from 0 to 1, or they are
            not strictly increasing from ``watch`` to ``personal_call``.

    Example:
        >>> from staycore.membership.churn import ChurnThresholds
        >>> thresholds = ChurnThresholds(watch=0.4)
        >>> thresholds.action_for(0.45), thresholds.action_for(0.95)
        (<ChurnAction.WATCH: 'watch'>, <ChurnAction.PERSONAL_CALL: 'personal_call'>)
    """

    watch: float = 0.5
    win_back_offer: float = 0.7
    personal_call: float = 0.9

    def __attrs_post_init__(self) -> None:
        for field in ("watch", "win_back_offer", "personal_call"):
            value = getattr(self, field)
            number = _real(value)
            if not _in_range(number, 0.0, 1.0):
                msg = f"the {field} threshold must be a score from 0 to 1, got {value!r}"
                raise InvalidChurnThresholdsError(msg)
            object.__setattr__(self, field, number)
        if not self.watch < self.win_back_offer < self.personal_call:
            msg = (
                "thresholds must increase from watch to win_back_offer to personal_call, got "
                f"{self.watch}, {self.win_back_offer} and {self.personal_call}"
            )
            raise InvalidChurnThresholdsError(msg)

    def action_for(self, score: float) -> ChurnAction:
        """The action a score calls for: the one of the highest threshold it reaches.

        Raises:
            InvalidChurnInputError: ``score`` is not a number from 0 to 1.

        Example:
            See the class example.
        """
        number = _real(score)
        if number is None or not 0.0 <= number <= 1.0:
            msg = f"a churn score is a number from 0 to 1, got {score!r}"
            raise InvalidChurnInputError(msg, field="score")
        if number >= self.personal_call:
            return ChurnAction.PERSONAL_CALL
        if number >= self.win_back_offer:
            return ChurnAction.WIN_BACK_OFFER
        if number >= self.watch:
            return ChurnAction.WATCH
        return ChurnAction.NONE


def _weights(
    value: Mapping[ChurnFactor, float] | Mapping[str, float],
) -> Mapping[ChurnFactor, float]:
    if not isinstance(value, Mapping):
        msg = f"weights map factor names to weights, such as {{'no_shows': 0.8}}; got {value!r}"
        raise InvalidChurnModelError(msg)
    merged = dict(_DEFAULT_WEIGHTS)
    for key, weight in value.items():
        try:
            factor = ChurnFactor(key)
        except ValueError:
            known = ", ".join(factor.value for factor in ChurnFactor)
            msg = f"{key!r} is not a churn factor; weigh one of: {known}"
            raise InvalidChurnModelError(msg) from None
        number = _real(weight)
        if number is None or not _in_range(number, 0.0, _MOST_WEIGHT):
            msg = (
                f"the weight of {factor} must be a number from 0 to 100, got {weight!r}; a "
                "factor that should not count has weight 0"
            )
            raise InvalidChurnModelError(msg)
        merged[factor] = number
    return MappingProxyType(merged)


@attrs.frozen(kw_only=True)
class ChurnModel:
    """The weights, bias and shapes of the churn score, and the thresholds of its actions.

    The module docstring gives each factor's feature. Weights left out of ``weights``
    keep their defaults, so ``ChurnModel(weights={"no_shows": 0.8})`` changes one.

    Attributes:
        weights: Each factor's weight, 0 to 100: its contribution is weight times
            feature, in log-odds.
        bias: The log-odds of a customer every factor is silent about (-1.0, a score of
            0.27: one exactly at their usual gap, nothing else known), -100 to 100.
        default_gap_days: The gap between stays of a customer with fewer than two (180
            days); the population's median gap is a good value.
        min_gap_days: The shortest gap a customer is measured against (7 days, at least
            1), so that two stays in a week do not make every later day look late.
        overdue_cap: The lateness, in multiples of the gap, beyond which more days add
            nothing (4.0), 1 to 1000.
        count_cap: The count of complaints, cancellations or no-shows beyond which more
            add nothing (3), 1 to 1000.
        neutral_review: The average review that neither raises nor lowers the risk
            (4.0), 1 to 5.
        tier_horizon_days: A tier drop this many days away or sooner counts (60, as the
            tier nudge's :class:`~staycore.membership.triggers.TriggerSettings`).
        thresholds: The scores from which each action is due.

    Raises:
        InvalidChurnModelError: An unknown factor, a weight or setting out of range.

    Example:
        >>> from staycore.membership.churn import ChurnFactor, ChurnModel
        >>> strict = ChurnModel(weights={"no_shows": 0.8}, bias=-0.5)
        >>> strict.weights[ChurnFactor.NO_SHOWS], strict.weights[ChurnFactor.OVERDUE]
        (0.8, 1.0)
    """

    weights: Mapping[ChurnFactor, float] = attrs.field(factory=dict, converter=_weights, hash=False)
    bias: float = -1.0
    default_gap_days: float = 180.0
    min_gap_days: float = 7.0
    overdue_cap: float = 4.0
    count_cap: int = 3
    neutral_review: float = 4.0
    tier_horizon_days: int = 60
    thresholds: ChurnThresholds = attrs.field(factory=ChurnThresholds)

    def __attrs_post_init__(self) -> None:
        settings = (
            ("bias", False, -_MOST_WEIGHT, _MOST_WEIGHT),
            ("default_gap_days", False, 1.0, float(_MOST)),
            ("min_gap_days", False, 1.0, float(_MOST)),
            ("overdue_cap", False, 1.0, float(_MOST_CAP)),
            ("count_cap", True, 1, _MOST_CAP),
            ("neutral_review", False, 1.0, 5.0),
            ("tier_horizon_days", True, 0, _MOST),
        )
        for field, whole, low, high in settings:
            value = getattr(self, field)
            number = _whole(value) if whole else _real(value)
            if not _in_range(number, low, high):
                kind = "a whole number" if whole else "a number"
                msg = f"{field} must be {kind} from {low:g} to {high:g}, got {value!r}"
                raise InvalidChurnModelError(msg)
            object.__setattr__(self, field, number)
        if not isinstance(self.thresholds, ChurnThresholds):
            msg = f"thresholds must be ChurnThresholds, got {self.thresholds!r}"
            raise InvalidChurnModelError(msg)


DEFAULT_CHURN_MODEL: Final = ChurnModel()
"""The default weights and settings (see the module docstring's table)."""


# -- the score of one customer ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class Factor:
    """One factor of a customer's churn score: what it read and what it added.

    Attributes:
        name: Which factor.
        value: The figure the factor read: the lateness in multiples of the gap
            (overdue), the share of stays lost (falling frequency, negative when
            rising), a count, the average review, or the days until the tier drops;
            ``None`` when there is none (no review, no tier drop due).
        feature: The number the weight multiplies (see the module docstring).
        contribution: Weight times feature, in log-odds: positive raises the risk.
        reason: One sentence for the team.
    """

    name: ChurnFactor
    value: float | None
    feature: float
    contribution: float
    reason: str


@attrs.frozen(kw_only=True)
class ChurnRisk:
    """A customer's churn score, its factors and the action it calls for.

    Attributes:
        score: The risk of churning, from 0 to 1: the logistic of ``logit``.
        logit: The log-odds: ``bias`` plus each factor's contribution, in the order of
            :class:`ChurnFactor`.
        bias: The model's bias.
        factors: Every factor, the largest contribution first (ties in the order of
            :class:`ChurnFactor`).
        action: What the model's thresholds say to do.

    Example:
        Continuing the module example above:

        >>> risk.factors[0].name, risk.factors[-1].name
        (<ChurnFactor.OVERDUE: 'overdue'>, <ChurnFactor.TIER_DROP: 'tier_drop'>)
        >>> print(risk.summary)
        0.96, personal call: no stay for 210 days, 3.5x the usual 60-day gap between stays;
        1 open complaint; stays falling: 1 in the recent window against 3 in the one
        before; average review 3.0 of 5
    """

    score: float
    logit: float
    bias: float
    factors: tuple[Factor, ...]
    action: ChurnAction

    @property
    def drivers(self) -> tuple[Factor, ...]:
        """The factors that raise the risk, the largest first."""
        return tuple(factor for factor in self.factors if factor.contribution > 0)

    @property
    def summary(self) -> str:
        """The score, the action and the reasons that raise it, in one line."""
        reasons = "; ".join(factor.reason for factor in self.drivers) or "nothing raises it"
        return f"{self.score:.2f}, {self.action.value.replace('_', ' ')}: {reasons}"

    def factor(self, name: ChurnFactor | str) -> Factor:
        """The factor called ``name``.

        Raises:
            InvalidChurnInputError: ``name`` is not a churn factor.

        Example:
            Continuing the module example above:

            >>> risk.factor("open_complaints").contribution
            0.7
        """
        for factor in self.factors:
            if factor.name == name:
                return factor
        known = ", ".join(factor.value for factor in ChurnFactor)
        msg = f"{name!r} is not a churn factor; ask for one of: {known}"
        raise InvalidChurnInputError(msg, field="name")


def churn_risk(inputs: ChurnInputs, model: ChurnModel = DEFAULT_CHURN_MODEL) -> ChurnRisk:
    """Score one customer: the risk, every factor with its contribution, and the action.

    Needs no numpy. The arithmetic is that of :func:`churn_risk_many`, operation for
    operation, so a customer gets the same score either way.

    Args:
        inputs: The customer's figures.
        model: The weights, settings and thresholds.

    Raises:
        InvalidChurnInputError: ``inputs`` is not :class:`ChurnInputs`.
        InvalidChurnModelError: ``model`` is not a :class:`ChurnModel`.

    Example:
        A customer who stayed a week ago, within a 60-day rhythm, with nothing wrong:

        >>> from staycore.membership.churn import ChurnInputs, churn_risk
        >>> calm = churn_risk(ChurnInputs(days_since_last_stay=7, usual_gap_days=60,
        ...                               stays_recent=3, stays_prior=3))
        >>> round(calm.score, 4), calm.action.value, calm.drivers
        (0.132, 'none', ())
        >>> print(calm.factors[-1].reason)
        last stay 7 days ago, within the usual 60-day gap between stays
    """
    if not isinstance(inputs, ChurnInputs):
        msg = f"churn_risk scores ChurnInputs, got {inputs!r}"
        raise InvalidChurnInputError(msg, field="inputs")
    _check_model(model)
    logit = model.bias
    factors = []
    for name, value, feature, reason in _measure(inputs, model):
        contribution = model.weights[name] * feature
        logit = logit + contribution
        factors.append(
            Factor(
                name=name, value=value, feature=feature, contribution=contribution, reason=reason
            )
        )
    score = _logistic(logit)
    return ChurnRisk(
        score=score,
        logit=logit,
        bias=model.bias,
        # sorted() is stable: equal contributions stay in factor order, as on the columns.
        factors=tuple(sorted(factors, key=lambda factor: -factor.contribution)),
        action=model.thresholds.action_for(score),
    )


def _check_model(model: object) -> None:
    if not isinstance(model, ChurnModel):
        msg = f"model must be a ChurnModel, got {model!r}"
        raise InvalidChurnModelError(msg)


def _measure(
    inputs: ChurnInputs, model: ChurnModel
) -> list[tuple[ChurnFactor, float | None, float, str]]:
    """Each factor's value, feature and reason, in factor order."""
    cap = float(model.count_cap)
    recent, prior = float(inputs.stays_recent), float(inputs.stays_prior)
    falling = (prior - recent) / max(prior, recent, 1.0)
    review = inputs.average_review
    drop = inputs.tier_drop_in_days
    return [
        _overdue(inputs, model),
        (
            ChurnFactor.FALLING_FREQUENCY,
            falling,
            falling,
            _frequency_reason(inputs.stays_recent, inputs.stays_prior),
        ),
        *(
            (name, count, min(float(count), cap), _count_reason(count, what, model.count_cap))
            for name, count, what in (
                (ChurnFactor.OPEN_COMPLAINTS, inputs.open_complaints, "open complaint"),
                (ChurnFactor.RECENT_COMPLAINTS, inputs.recent_complaints, "recent complaint"),
                (ChurnFactor.CANCELLATIONS, inputs.cancellations, "recent cancellation"),
                (ChurnFactor.NO_SHOWS, inputs.no_shows, "recent no-show"),
            )
        ),
        (
            ChurnFactor.LOW_REVIEWS,
            review,
            0.0 if review is None else model.neutral_review - review,
            "no review yet" if review is None else f"average review {review:.1f} of 5",
        ),
        (
            ChurnFactor.TIER_DROP,
            drop,
            1.0 if drop is not None and drop <= model.tier_horizon_days else 0.0,
            _tier_reason(drop, model.tier_horizon_days),
        ),
    ]


def _overdue(inputs: ChurnInputs, model: ChurnModel) -> tuple[ChurnFactor, float, float, str]:
    days = float(inputs.days_since_last_stay)
    own = inputs.usual_gap_days
    gap = max(model.default_gap_days if own is None else float(own), model.min_gap_days)
    ratio = days / gap
    feature = min(ratio, model.overdue_cap) - 1.0
    rhythm = (
        f"the {_days(gap)}-day gap typical of guests"
        if own is None
        else f"the usual {_days(gap)}-day gap between stays"
    )
    if ratio < 1.0:
        reason = f"last stay {_days(days)} {_plural(days, 'day')} ago, within {rhythm}"
    else:
        capped = f" (counted up to {model.overdue_cap:g}x)" if ratio > model.overdue_cap else ""
        reason = f"no stay for {_days(days)} {_plural(days, 'day')}, {ratio:.1f}x {rhythm}{capped}"
    return ChurnFactor.OVERDUE, ratio, feature, reason


def _frequency_reason(recent: int, prior: int) -> str:
    if recent == prior == 0:
        return "no stay in the recent window nor in the one before"
    if recent == prior:
        return f"stays steady: {recent} in the recent window and in the one before"
    trend = "falling" if recent < prior else "rising"
    return f"stays {trend}: {recent} in the recent window against {prior} in the one before"


def _count_reason(count: int, what: str, cap: int) -> str:
    if count == 0:
        return f"no {what}"
    capped = f" (counted up to {cap})" if count > cap else ""
    return f"{count} {_plural(count, what)}{capped}"


def _tier_reason(days: int | None, horizon: int) -> str:
    if days is None:
        return "no tier drop due"
    when = "today" if days == 0 else f"in {days} {_plural(days, 'day')}"
    beyond = f", beyond the {horizon}-day horizon" if days > horizon else ""
    return f"tier drops {when}{beyond}"


def _plural(count: float, word: str) -> str:
    return word if count == 1 else f"{word}s"


def _days(days: float) -> str:
    return f"{int(days)}" if days.is_integer() else f"{days:.1f}"


def _exp(x: float) -> float:
    """``exp(x)`` for ``|x| <= 700``, rounded the same everywhere (see the module docstring)."""
    k = math.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    q = _Q[0]
    for coefficient in _Q[1:]:
        q = q * r + coefficient
    return math.ldexp(1.0 + (r + r * r * q), k)


def _logistic(logit: float) -> float:
    z = min(max(logit, -_LOGIT_LIMIT), _LOGIT_LIMIT)
    return 1.0 / (1.0 + _exp(-z))


# -- the scores of many customers ------------------------------------------------------


def _arrays_equal(left: object, right: object) -> bool:
    import numpy as np  # noqa: PLC0415 - the `analytics` extra, only for column results

    return bool(np.array_equal(left, right))  # type: ignore[arg-type]


def _read_only(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    view = values.view()
    view.flags.writeable = False
    return view


_ARRAY_EQ: Final = attrs.cmp_using(eq=_arrays_equal)


@attrs.frozen(kw_only=True)
class ChurnScores:
    """The churn scores of many customers, as read-only columns: one row per customer.

    Built by :func:`churn_risk_many`; row ``i`` is what :func:`churn_risk` gives the
    ``i``-th customer, exactly.

    Attributes:
        score: Each customer's risk, from 0 to 1.
        logit: Each customer's log-odds: the bias plus the row of ``contributions``.
        contributions: Each customer's contribution of each factor, one column per
            factor in the order of :class:`ChurnFactor`.
        action: Each customer's :class:`ChurnAction` (an object array: eight bytes a
            row, and each equals its text, ``"win_back_offer"``).
        top_factors: Each customer's factors of the largest contributions, the largest
            first (ties in factor order), as :class:`ChurnFactor` values.
        top_contributions: Those contributions.

    Example:
        See :func:`churn_risk_many`.
    """

    score: npt.NDArray[np.float64] = attrs.field(converter=_read_only, eq=_ARRAY_EQ, hash=False)
    logit: npt.NDArray[np.float64] = attrs.field(converter=_read_only, eq=_ARRAY_EQ, hash=False)
    contributions: npt.NDArray[np.float64] = attrs.field(
        converter=_read_only, eq=_ARRAY_EQ, hash=False
    )
    action: npt.NDArray[np.object_] = attrs.field(converter=_read_only, eq=_ARRAY_EQ, hash=False)
    top_factors: npt.NDArray[np.object_] = attrs.field(
        converter=_read_only, eq=_ARRAY_EQ, hash=False
    )
    top_contributions: npt.NDArray[np.float64] = attrs.field(
        converter=_read_only, eq=_ARRAY_EQ, hash=False
    )

    def __len__(self) -> int:
        return len(self.score)


def churn_risk_many(
    days_since_last_stay: npt.ArrayLike,
    *,
    usual_gap_days: npt.ArrayLike | None = None,
    stays_recent: npt.ArrayLike | None = None,
    stays_prior: npt.ArrayLike | None = None,
    open_complaints: npt.ArrayLike | None = None,
    recent_complaints: npt.ArrayLike | None = None,
    cancellations: npt.ArrayLike | None = None,
    no_shows: npt.ArrayLike | None = None,
    average_review: npt.ArrayLike | None = None,
    tier_drop_in_days: npt.ArrayLike | None = None,
    model: ChurnModel = DEFAULT_CHURN_MODEL,
    top: int = 3,
) -> ChurnScores:
    """Score many customers from columns, one row per customer; needs numpy.

    Each column holds one :class:`ChurnInputs` field for every customer. A count left
    out is 0 for everyone. ``usual_gap_days``, ``average_review`` and
    ``tier_drop_in_days`` may be numpy masked arrays: a masked row is ``None`` (fewer
    than two stays, no review, no drop due); a column left out is all masked. NaN is
    never read as missing: mask it (``numpy.ma.masked_invalid``) if that is what it
    means. Counts may be integers or whole floats.

    Args:
        days_since_last_stay: Days since each customer's last stay.
        usual_gap_days: Each customer's usual days between stays, masked where unknown.
        stays_recent: Stays in the recent window.
        stays_prior: Stays in the window before it.
        open_complaints: Complaints still open.
        recent_complaints: Complaints made in the recent window.
        cancellations: Cancellations in the recent window.
        no_shows: No-shows in the recent window.
        average_review: The average review score, 1 to 5, masked where there is none.
        tier_drop_in_days: Days until the tier drops, masked where no drop is due.
        model: The weights, settings and thresholds.
        top: How many of the largest contributions to report per customer, 1 to 8.

    Returns:
        The scores, actions, every contribution, and the ``top`` largest per customer.

    Raises:
        InvalidChurnInputError: A column is not 1-D numbers as long as
            ``days_since_last_stay``, a required value is masked, or a value breaks its
            rule in :class:`ChurnInputs`; the error names the field and the first row.
        InvalidChurnModelError: ``model`` is not a :class:`ChurnModel`.

    Example:
        >>> import numpy as np
        >>> from staycore.membership.churn import churn_risk_many
        >>> scores = churn_risk_many(
        ...     [210, 7, 400],
        ...     usual_gap_days=np.ma.masked_invalid([60.0, 60.0, np.nan]),
        ...     stays_recent=[1, 3, 0], stays_prior=[3, 3, 1],
        ...     open_complaints=[1, 0, 0],
        ...     average_review=np.ma.masked_invalid([3.0, np.nan, np.nan]),
        ... )
        >>> scores.score.round(4).tolist()
        [0.9582, 0.132, 0.7354]
        >>> scores.action.astype(str).tolist()
        ['personal_call', 'none', 'win_back_offer']
        >>> scores.top_factors[2].astype(str).tolist()
        ['overdue', 'falling_frequency', 'open_complaints']
        >>> scores.top_contributions[2].round(4).tolist()
        [1.2222, 0.8, 0.0]
    """
    import numpy as np  # noqa: PLC0415 - the `analytics` extra; one customer needs none

    _check_model(model)
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= len(ChurnFactor):
        msg = f"top must be a whole number from 1 to {len(ChurnFactor)}, got {top!r}"
        raise InvalidChurnInputError(msg, field="top")
    days, _ = _column("days_since_last_stay", days_since_last_stay, None)
    rows = len(days)
    gap, has_gap = _column("usual_gap_days", usual_gap_days, rows)
    recent, _ = _column("stays_recent", stays_recent, rows)
    prior, _ = _column("stays_prior", stays_prior, rows)
    review, has_review = _column("average_review", average_review, rows)
    drop, has_drop = _column("tier_drop_in_days", tier_drop_in_days, rows)
    cap = float(model.count_cap)
    counts = [
        np.minimum(_column(field, values, rows)[0], cap)
        for field, values in (
            ("open_complaints", open_complaints),
            ("recent_complaints", recent_complaints),
            ("cancellations", cancellations),
            ("no_shows", no_shows),
        )
    ]
    # The operations of _measure and churn_risk, in the same order, on whole columns.
    ratio = days / np.maximum(np.where(has_gap, gap, model.default_gap_days), model.min_gap_days)
    features = [
        np.minimum(ratio, model.overdue_cap) - 1.0,
        (prior - recent) / np.maximum(np.maximum(prior, recent), 1.0),
        *counts,
        np.where(has_review, model.neutral_review - review, 0.0),
        np.where(has_drop & (drop <= model.tier_horizon_days), 1.0, 0.0),
    ]
    contributions = np.empty((rows, len(ChurnFactor)))
    logit = np.full(rows, model.bias)
    for column, (name, feature) in enumerate(zip(ChurnFactor, features, strict=True)):
        contributions[:, column] = model.weights[name] * feature
        logit = logit + contributions[:, column]
    score = 1.0 / (1.0 + _exp_columns(-np.clip(logit, -_LOGIT_LIMIT, _LOGIT_LIMIT)))
    thresholds = model.thresholds
    level = (
        (score >= thresholds.watch).astype(np.intp)
        + (score >= thresholds.win_back_offer)
        + (score >= thresholds.personal_call)
    )
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top]
    return ChurnScores(
        score=score,
        logit=logit,
        contributions=contributions,
        action=_members(ChurnAction)[level],
        top_factors=_members(ChurnFactor)[order],
        top_contributions=np.take_along_axis(contributions, order, axis=1),
    )


def _members(kind: type[ChurnAction | ChurnFactor]) -> npt.NDArray[np.object_]:
    """The members of an enum as an object array, to index with codes."""
    import numpy as np  # noqa: PLC0415 - the `analytics` extra

    # Enum members, not text: a text array of a million rows of top factors takes 200 MB.
    members = np.empty(len(kind), dtype=object)
    members[:] = list(kind)
    return members


def _exp_columns(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """:func:`_exp` on a column, operation for operation."""
    import numpy as np  # noqa: PLC0415 - the `analytics` extra

    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    q = np.full_like(r, _Q[0])
    for coefficient in _Q[1:]:
        q = q * r + coefficient
    exponent: npt.NDArray[np.float64] = np.ldexp(1.0 + (r + r * r * q), k.astype(np.int32))
    return exponent


def _column(
    field: str, values: npt.ArrayLike | None, rows: int | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """A validated column as floats, and where it has a value.

    A column left out is all zeros (all missing, for an optional one); missing rows hold
    the rule's lowest value, which every formula takes without a warning.
    """
    import numpy as np  # noqa: PLC0415 - the `analytics` extra

    rule = _RULES[field]
    if values is None:
        if rows is None:
            msg = f"{field} is required: pass a column with one value per customer"
            raise InvalidChurnInputError(msg, field=field)
        return np.zeros(rows), np.full(rows, not rule.optional)
    if isinstance(values, np.ma.MaskedArray):
        data, present = np.asarray(values.data), ~np.ma.getmaskarray(values)
    else:
        data = np.asarray(values)
        present = np.ones(data.shape, dtype=bool)
    if data.ndim != 1 or (rows is not None and len(data) != rows):
        shape = f"{len(data)} rows" if data.ndim == 1 else f"shape {data.shape}"
        msg = (
            f"{field} has {shape} but days_since_last_stay has {rows}: pass one value per "
            "customer in every column"
        )
        raise InvalidChurnInputError(msg, field=field)
    if data.dtype.kind not in "iuf":
        msg = f"{field} must be a column of numbers, got {data.dtype} values"
        raise InvalidChurnInputError(msg, field=field)
    if not rule.optional and not present.all():
        row, more = _first(~present)
        msg = f"row {row}{more}: {field} is masked; it must have a value for every customer"
        raise InvalidChurnInputError(msg, field=field, row=row)
    number = np.where(present, data.astype(np.float64), rule.low)
    bad = ~np.isfinite(number) | (number < rule.low) | (number > rule.high)
    if rule.whole:
        bad |= number != np.floor(number)
    if bad.any():
        row, more = _first(bad)
        msg = f"row {row}{more}: {_problem(field, data[row].item())}"
        raise InvalidChurnInputError(msg, field=field, row=row)
    return number, present


def _first(mask: npt.NDArray[np.bool_]) -> tuple[int, str]:
    """The first flagged row, and how many more rows are flagged, as words."""
    import numpy as np  # noqa: PLC0415 - the `analytics` extra

    rows = np.flatnonzero(mask)
    more = len(rows) - 1
    return int(rows[0]), f" (and {more} more row{'s' if more != 1 else ''})" if more else ""
