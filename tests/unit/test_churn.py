"""The churn risk score: its numbers, its sentences, its thresholds and its bad input."""

from __future__ import annotations

import datetime as dt
import math
import pickle
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from staycore.membership.churn import (
    DEFAULT_CHURN_MODEL,
    ChurnAction,
    ChurnFactor,
    ChurnInputs,
    ChurnModel,
    ChurnThresholds,
    InvalidChurnInputError,
    InvalidChurnModelError,
    InvalidChurnThresholdsError,
    churn_risk,
    churn_risk_many,
)
from staycore.membership.errors import MembershipError

ANA = ChurnInputs(
    days_since_last_stay=210,
    usual_gap_days=60,
    stays_recent=1,
    stays_prior=3,
    open_complaints=1,
    average_review=3.0,
)


def contributions(inputs: ChurnInputs, model: ChurnModel = DEFAULT_CHURN_MODEL) -> dict[str, float]:
    return {factor.name.value: factor.contribution for factor in churn_risk(inputs, model).factors}


# -- one customer, exact numbers -----------------------------------------------------------


def test_a_late_customer_with_a_complaint_gets_a_personal_call() -> None:
    risk = churn_risk(ANA)

    assert risk.logit == 3.1333333333333333
    assert risk.score == 0.958246962582418
    assert risk.action is ChurnAction.PERSONAL_CALL
    assert risk.bias == -1.0
    assert [(f.name.value, f.value, f.feature, f.contribution) for f in risk.factors] == [
        ("overdue", 3.5, 2.5, 2.5),
        ("open_complaints", 1, 1.0, 0.7),
        ("falling_frequency", 2 / 3, 2 / 3, 0.5333333333333333),
        ("low_reviews", 3.0, 1.0, 0.4),
        ("recent_complaints", 0, 0.0, 0.0),
        ("cancellations", 0, 0.0, 0.0),
        ("no_shows", 0, 0.0, 0.0),
        ("tier_drop", None, 0.0, 0.0),
    ]
    assert [factor.reason for factor in risk.drivers] == [
        "no stay for 210 days, 3.5x the usual 60-day gap between stays",
        "1 open complaint",
        "stays falling: 1 in the recent window against 3 in the one before",
        "average review 3.0 of 5",
    ]


def test_the_score_is_the_logistic_of_the_bias_plus_the_contributions() -> None:
    risk = churn_risk(ANA)

    assert risk.logit == -1.0 + 2.5 + 0.5333333333333333 + 0.7 + 0.4
    assert risk.score == pytest.approx(1 / (1 + math.exp(-risk.logit)), rel=1e-15)


def test_a_customer_who_just_stayed_within_their_rhythm_needs_nothing() -> None:
    risk = churn_risk(
        ChurnInputs(days_since_last_stay=7, usual_gap_days=60, stays_recent=3, stays_prior=3)
    )

    assert risk.factor("overdue").feature == 7 / 60 - 1
    assert risk.logit == -1.0 + (7 / 60 - 1)
    assert risk.score == 0.13200646895107074
    assert risk.action is ChurnAction.NONE
    assert risk.drivers == ()
    assert risk.summary == "0.13, none: nothing raises it"
    assert risk.factor("overdue").reason == (
        "last stay 7 days ago, within the usual 60-day gap between stays"
    )
    assert risk.factor("falling_frequency").reason == (
        "stays steady: 3 in the recent window and in the one before"
    )


def test_a_customer_at_exactly_their_rhythm_scores_the_bias() -> None:
    risk = churn_risk(ChurnInputs(days_since_last_stay=60, usual_gap_days=60))

    assert risk.logit == -1.0
    assert risk.score == pytest.approx(0.2689414213699951, rel=1e-15)
    assert (
        risk.factor("overdue").reason
        == "no stay for 60 days, 1.0x the usual 60-day gap between stays"
    )


def test_a_customer_with_fewer_than_two_stays_is_measured_against_the_population() -> None:
    risk = churn_risk(ChurnInputs(days_since_last_stay=400, stays_prior=1))

    overdue = risk.factor(ChurnFactor.OVERDUE)
    assert overdue.value == 400 / 180
    assert overdue.contribution == 400 / 180 - 1
    assert overdue.reason == "no stay for 400 days, 2.2x the 180-day gap typical of guests"
    assert risk.factor("falling_frequency").contribution == 0.8
    assert risk.logit == 1.0222222222222224
    assert risk.score == 0.735405235332759
    assert risk.action is ChurnAction.WIN_BACK_OFFER


def test_a_gap_shorter_than_the_minimum_counts_as_the_minimum() -> None:
    overdue = churn_risk(ChurnInputs(days_since_last_stay=14, usual_gap_days=2)).factor("overdue")

    assert overdue.value == 2.0
    assert overdue.reason == "no stay for 14 days, 2.0x the usual 7-day gap between stays"


def test_lateness_stops_adding_at_the_cap() -> None:
    overdue = churn_risk(ChurnInputs(days_since_last_stay=1000, usual_gap_days=50)).factor(
        "overdue"
    )

    assert (overdue.value, overdue.feature, overdue.contribution) == (20.0, 3.0, 3.0)
    assert overdue.reason == (
        "no stay for 1000 days, 20.0x the usual 50-day gap between stays (counted up to 4x)"
    )


def test_fractional_days_and_gaps_read_as_such() -> None:
    overdue = churn_risk(ChurnInputs(days_since_last_stay=1, usual_gap_days=45.5)).factor("overdue")

    assert overdue.reason == "last stay 1 day ago, within the usual 45.5-day gap between stays"


def test_rising_stays_lower_the_risk() -> None:
    risk = churn_risk(
        ChurnInputs(days_since_last_stay=30, usual_gap_days=30, stays_recent=4, stays_prior=2)
    )

    falling = risk.factor("falling_frequency")
    assert (falling.value, falling.contribution) == (-0.5, -0.4)
    assert falling.reason == "stays rising: 4 in the recent window against 2 in the one before"
    assert risk.factors[-1] is falling


def test_no_stay_in_either_window_says_so_and_adds_nothing() -> None:
    falling = churn_risk(ChurnInputs(days_since_last_stay=900)).factor("falling_frequency")

    assert falling.contribution == 0.0
    assert falling.reason == "no stay in the recent window nor in the one before"


def test_complaints_cancellations_and_no_shows_add_per_count_up_to_the_cap() -> None:
    risk = churn_risk(
        ChurnInputs(
            days_since_last_stay=60,
            usual_gap_days=60,
            open_complaints=5,
            recent_complaints=2,
            cancellations=1,
            no_shows=3,
        )
    )

    assert [(f.name.value, f.value, f.contribution) for f in risk.drivers] == [
        ("open_complaints", 5, 0.7 * 3),
        ("no_shows", 3, 0.5 * 3),
        ("recent_complaints", 2, 0.35 * 2),
        ("cancellations", 1, 0.25),
    ]
    assert [f.reason for f in risk.drivers] == [
        "5 open complaints (counted up to 3)",
        "3 recent no-shows",
        "2 recent complaints",
        "1 recent cancellation",
    ]


def test_a_good_review_lowers_the_risk_and_no_review_says_nothing() -> None:
    def review(average: float | None) -> tuple[float, str]:
        factor = churn_risk(ChurnInputs(days_since_last_stay=0, average_review=average)).factor(
            "low_reviews"
        )
        return factor.contribution, factor.reason

    assert review(5) == (-0.4, "average review 5.0 of 5")
    assert review(4) == (0.0, "average review 4.0 of 5")
    assert review(1) == (0.4 * 3, "average review 1.0 of 5")
    assert review(None) == (0.0, "no review yet")


def test_a_tier_drop_counts_within_the_horizon_only() -> None:
    def tier(days: int | None) -> tuple[float, str]:
        factor = churn_risk(ChurnInputs(days_since_last_stay=0, tier_drop_in_days=days)).factor(
            "tier_drop"
        )
        return factor.contribution, factor.reason

    assert tier(0) == (0.4, "tier drops today")
    assert tier(1) == (0.4, "tier drops in 1 day")
    assert tier(60) == (0.4, "tier drops in 60 days")
    assert tier(61) == (0.0, "tier drops in 61 days, beyond the 60-day horizon")
    assert tier(None) == (0.0, "no tier drop due")


def test_equal_contributions_keep_the_factor_order() -> None:
    risk = churn_risk(ChurnInputs(days_since_last_stay=0, usual_gap_days=60))

    zeros = [f.name for f in risk.factors if f.contribution == 0.0]
    assert zeros == [f for f in ChurnFactor if f is not ChurnFactor.OVERDUE]
    assert risk.factors[-1].name is ChurnFactor.OVERDUE


def test_extreme_logits_give_scores_of_exactly_one_or_almost_zero() -> None:
    heavy = ChurnModel(weights={"overdue": 100}, bias=100, overdue_cap=1000)
    late = churn_risk(ChurnInputs(days_since_last_stay=10**9, usual_gap_days=1), heavy)
    assert late.logit == 100 + 100 * 999
    assert late.score == 1.0

    # The lowest logit a model can reach: every weight and the bias at their limits.
    light = ChurnModel(
        weights={"overdue": 100, "falling_frequency": 100, "low_reviews": 100},
        bias=-100,
        neutral_review=1,
    )
    rising = ChurnInputs(days_since_last_stay=0, stays_recent=9, average_review=5)
    calm = churn_risk(rising, light)
    assert calm.logit == -700.0
    assert 0.0 < calm.score < 1e-300
    assert calm.score == pytest.approx(math.exp(-700), rel=1e-13)


@pytest.mark.parametrize(
    "logit",
    [-100.0, -36.0, -2.75, -1e-9, 0.0, 1e-300, 0.3466, 0.3467, 1.0, 5.5, 36.7, 100.0],
)
def test_the_logistic_is_within_a_unit_in_the_last_place(logit: float) -> None:
    model = ChurnModel(weights=dict.fromkeys(ChurnFactor, 0), bias=logit)
    score = churn_risk(ChurnInputs(days_since_last_stay=0), model).score

    exact = 1 / (1 + math.exp(-logit))
    assert abs(score - exact) <= 2 * math.ulp(exact)


def test_a_factor_is_looked_up_by_name() -> None:
    risk = churn_risk(ANA)

    assert risk.factor(ChurnFactor.NO_SHOWS).reason == "no recent no-show"
    with pytest.raises(InvalidChurnInputError, match="not a churn factor") as caught:
        risk.factor("loyalty")
    assert caught.value.field == "name"


# -- thresholds and the model ----------------------------------------------------------


def test_a_score_at_a_threshold_reaches_it() -> None:
    thresholds = ChurnThresholds()

    assert [thresholds.action_for(score) for score in (0.0, 0.4999, 0.5, 0.7, 0.8999, 0.9, 1)] == [
        ChurnAction.NONE,
        ChurnAction.NONE,
        ChurnAction.WATCH,
        ChurnAction.WIN_BACK_OFFER,
        ChurnAction.WIN_BACK_OFFER,
        ChurnAction.PERSONAL_CALL,
        ChurnAction.PERSONAL_CALL,
    ]


def test_a_model_acts_on_its_own_thresholds() -> None:
    eager = ChurnModel(thresholds=ChurnThresholds(watch=0.1, win_back_offer=0.2, personal_call=0.3))

    assert churn_risk(ChurnInputs(days_since_last_stay=7, usual_gap_days=60), eager).action is (
        ChurnAction.WATCH
    )


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"watch": 0.8, "win_back_offer": 0.7}, "must increase"),
        ({"win_back_offer": 0.9}, "must increase"),
        ({"personal_call": 1.2}, "personal_call threshold must be a score from 0 to 1"),
        ({"watch": -0.1}, "watch threshold"),
        ({"watch": float("nan")}, "watch threshold"),
        ({"watch": True}, "watch threshold"),
        ({"watch": "0.5"}, "watch threshold"),
    ],
)
def test_thresholds_are_ordered_scores(settings: dict[str, object], complaint: str) -> None:
    with pytest.raises(InvalidChurnThresholdsError, match=complaint) as caught:
        ChurnThresholds(**settings)  # type: ignore[arg-type]
    assert caught.value.code == "membership.invalid_churn_thresholds"
    assert isinstance(caught.value, MembershipError)


def test_thresholds_may_start_at_zero_and_end_at_one() -> None:
    thresholds = ChurnThresholds(watch=0, win_back_offer=0.5, personal_call=1)

    assert thresholds.action_for(0.0) is ChurnAction.WATCH
    assert thresholds.action_for(0.99) is ChurnAction.WIN_BACK_OFFER
    assert (thresholds.watch, thresholds.personal_call) == (0.0, 1.0)


def test_an_action_is_only_given_for_a_score() -> None:
    with pytest.raises(InvalidChurnInputError, match="a number from 0 to 1") as caught:
        ChurnThresholds().action_for(1.5)
    assert caught.value.field == "score"


def test_weights_left_out_keep_their_defaults_and_cannot_be_changed_in_place() -> None:
    model = ChurnModel(weights={"no_shows": 0.8, ChurnFactor.TIER_DROP: 0})

    assert model.weights[ChurnFactor.NO_SHOWS] == 0.8
    assert model.weights[ChurnFactor.TIER_DROP] == 0.0
    assert model.weights[ChurnFactor.OVERDUE] == DEFAULT_CHURN_MODEL.weights[ChurnFactor.OVERDUE]
    assert list(model.weights) == list(ChurnFactor)
    with pytest.raises(TypeError):
        model.weights[ChurnFactor.OVERDUE] = 5.0  # type: ignore[index]
    assert model == ChurnModel(weights={"no_shows": 0.8, "tier_drop": 0.0})
    assert hash(model) == hash(ChurnModel(weights={"overdue": 3}))


def test_a_zero_weight_silences_its_factor() -> None:
    quiet = ChurnModel(weights={"open_complaints": 0})
    inputs = ChurnInputs(days_since_last_stay=60, usual_gap_days=60, open_complaints=2)

    assert contributions(inputs, quiet)["open_complaints"] == 0.0
    assert (
        churn_risk(inputs, quiet).score
        == churn_risk(ChurnInputs(days_since_last_stay=60, usual_gap_days=60)).score
    )


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"weights": {"loyalty": 1.0}}, "'loyalty' is not a churn factor"),
        ({"weights": {"overdue": -0.1}}, "weight of overdue must be a number from 0 to 100"),
        ({"weights": {"overdue": 101}}, "weight of overdue"),
        ({"weights": {"overdue": float("inf")}}, "weight of overdue"),
        ({"weights": [("overdue", 1.0)]}, "weights map factor names"),
        ({"bias": float("nan")}, "bias must be a number from -100 to 100"),
        ({"bias": 200}, "bias"),
        ({"default_gap_days": 0}, "default_gap_days must be a number from 1"),
        ({"min_gap_days": 0.5}, "min_gap_days"),
        ({"overdue_cap": 0.5}, "overdue_cap"),
        ({"count_cap": 0}, "count_cap must be a whole number from 1 to 1000"),
        ({"count_cap": 2.5}, "count_cap"),
        ({"neutral_review": 6}, "neutral_review"),
        ({"tier_horizon_days": -1}, "tier_horizon_days"),
        ({"thresholds": (0.5, 0.7, 0.9)}, "thresholds must be ChurnThresholds"),
    ],
)
def test_a_model_refuses_settings_out_of_range(settings: dict[str, object], complaint: str) -> None:
    with pytest.raises(InvalidChurnModelError, match=complaint) as caught:
        ChurnModel(**settings)  # type: ignore[arg-type]
    assert caught.value.code == "membership.invalid_churn_model"


def test_scoring_needs_inputs_and_a_model() -> None:
    with pytest.raises(InvalidChurnInputError, match="scores ChurnInputs") as caught:
        churn_risk({"days_since_last_stay": 3})  # type: ignore[arg-type]
    assert caught.value.field == "inputs"
    with pytest.raises(InvalidChurnModelError, match="must be a ChurnModel"):
        churn_risk(ANA, ChurnThresholds())  # type: ignore[arg-type]


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("days_since_last_stay", -1),
        ("days_since_last_stay", float("nan")),
        ("days_since_last_stay", float("inf")),
        ("days_since_last_stay", 10**9 + 1),
        ("days_since_last_stay", 10**400),
        ("days_since_last_stay", None),
        ("days_since_last_stay", "30"),
        ("days_since_last_stay", True),
        ("usual_gap_days", -5.0),
        ("usual_gap_days", float("nan")),
        ("stays_recent", -1),
        ("stays_prior", 1.5),
        ("open_complaints", -1),
        ("open_complaints", None),
        ("recent_complaints", float("nan")),
        ("cancellations", False),
        ("no_shows", 10**10),
        ("average_review", 0.9),
        ("average_review", 5.01),
        ("average_review", float("nan")),
        ("average_review", Decimal("NaN")),
        ("average_review", Decimal("sNaN")),
        ("average_review", Decimal("5.5")),
        ("tier_drop_in_days", -1),
        ("tier_drop_in_days", 2.5),
    ],
)
def test_bad_figures_are_refused_naming_the_field(field: str, value: object) -> None:
    figures: dict[str, object] = {"days_since_last_stay": 30, field: value}

    expected = f"^\\[membership.invalid_churn_input\\] {field} must be"
    with pytest.raises(InvalidChurnInputError, match=expected) as caught:
        ChurnInputs(**figures)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.row is None


def test_numbers_of_any_kind_become_plain_ints_and_floats() -> None:
    figures: dict[str, object] = {
        "days_since_last_stay": np.int64(30),
        "usual_gap_days": Fraction(121, 2),
        "stays_recent": np.uint8(2),
        "stays_prior": 3.0,
        "average_review": np.float32(4.5),
        "tier_drop_in_days": np.int16(9),
    }
    inputs = ChurnInputs(**figures)  # type: ignore[arg-type]

    assert inputs == ChurnInputs(
        days_since_last_stay=30.0,
        usual_gap_days=60.5,
        stays_recent=2,
        stays_prior=3,
        average_review=4.5,
        tier_drop_in_days=9,
    )
    assert type(inputs.stays_recent) is int
    assert type(inputs.stays_prior) is int
    assert type(inputs.days_since_last_stay) is float
    assert type(inputs.average_review) is float


def test_a_review_average_may_be_a_decimal() -> None:
    inputs = ChurnInputs(days_since_last_stay=3, average_review=Decimal("4.3"))

    assert inputs.average_review == 4.3
    assert type(inputs.average_review) is float


def test_errors_survive_a_trip_to_a_worker_process() -> None:
    error = InvalidChurnInputError("row 3: no_shows must be ...", field="no_shows", row=3)

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, just pickled

    assert (copy.message, copy.field, copy.row, copy.code) == (
        error.message,
        "no_shows",
        3,
        "membership.invalid_churn_input",
    )


# -- from stay dates ----------------------------------------------------------------------


def test_figures_from_stay_dates() -> None:
    inputs = ChurnInputs.from_stays(
        [dt.date(2026, 1, 10), dt.date(2025, 11, 1), dt.date(2025, 3, 1), dt.date(2025, 1, 10)],
        today=dt.date(2026, 3, 1),
        window_days=365,
        open_complaints=1,
        average_review=4.5,
        tier_drop_in_days=20,
    )

    # Gaps of 50, 245 and 70 days: the median is 70. 1 March 2025 is a whole window
    # before today: the first day of the window before.
    assert inputs == ChurnInputs(
        days_since_last_stay=50,
        usual_gap_days=70.0,
        stays_recent=2,
        stays_prior=2,
        open_complaints=1,
        average_review=4.5,
        tier_drop_in_days=20,
    )


def test_stays_on_one_day_are_one_visit_and_windows_end_today() -> None:
    today = dt.date(2026, 3, 1)
    window = 30
    inputs = ChurnInputs.from_stays(
        [
            today,
            today,
            today - dt.timedelta(days=window - 1),  # the recent window's first day
            today - dt.timedelta(days=window),  # the window before's last day
            today - dt.timedelta(days=2 * window - 1),
            today - dt.timedelta(days=2 * window),  # before both windows
        ],
        today=today,
        window_days=window,
    )

    assert (inputs.stays_recent, inputs.stays_prior) == (2, 2)
    assert inputs.days_since_last_stay == 0
    assert inputs.usual_gap_days == 15.0  # the median of gaps of 1, 29, 1 and 29 days


def test_a_single_stay_has_no_usual_gap() -> None:
    inputs = ChurnInputs.from_stays([dt.date(2025, 6, 1)], today=dt.date(2026, 3, 1))

    assert inputs.usual_gap_days is None
    assert (inputs.days_since_last_stay, inputs.stays_recent, inputs.stays_prior) == (273, 1, 0)


@pytest.mark.parametrize(
    ("stays", "today", "window", "field", "complaint"),
    [
        ([], dt.date(2026, 3, 1), 365, "stays_on", "no stay"),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 1), 365, "stays_on", "check-out dates"),
        ("2026-01-01", dt.date(2026, 3, 1), 365, "stays_on", "check-out dates"),
        ([dt.date(2026, 3, 2)], dt.date(2026, 3, 1), 365, "stays_on", "after today"),
        (
            [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)],
            dt.date(2026, 3, 1),
            365,
            "stays_on",
            "calendar dates",
        ),
        (["2026-01-01"], dt.date(2026, 3, 1), 365, "stays_on", "calendar dates"),
        ([dt.date(2026, 1, 1)], "2026-03-01", 365, "today", "calendar dates"),
        ([dt.date(2026, 1, 1)], dt.date(2026, 3, 1), 0, "window_days", "from 1 to 10\\*\\*9"),
        ([dt.date(2026, 1, 1)], dt.date(2026, 3, 1), 7.5, "window_days", "whole number"),
    ],
)
def test_bad_stay_dates_are_refused(
    stays: object, today: object, window: object, field: str, complaint: str
) -> None:
    with pytest.raises(InvalidChurnInputError, match=complaint) as caught:
        ChurnInputs.from_stays(stays, today=today, window_days=window)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_figures_passed_through_from_stay_dates_are_checked() -> None:
    with pytest.raises(InvalidChurnInputError) as caught:
        ChurnInputs.from_stays([dt.date(2026, 1, 1)], today=dt.date(2026, 3, 1), no_shows=-2)
    assert caught.value.field == "no_shows"


# -- many customers --------------------------------------------------------------------


def test_columns_score_as_single_customers_do() -> None:
    scores = churn_risk_many(
        [210, 7, 400],
        usual_gap_days=np.ma.masked_invalid([60.0, 60.0, np.nan]),
        stays_recent=[1, 3, 0],
        stays_prior=[3, 3, 1],
        open_complaints=np.array([1, 0, 0], dtype=np.uint16),
        average_review=np.ma.masked_invalid([3.0, np.nan, np.nan]),
    )

    singles = [
        churn_risk(ANA),
        churn_risk(
            ChurnInputs(days_since_last_stay=7, usual_gap_days=60, stays_recent=3, stays_prior=3)
        ),
        churn_risk(ChurnInputs(days_since_last_stay=400, stays_prior=1)),
    ]
    assert len(scores) == 3
    assert scores.score.tolist() == [risk.score for risk in singles]
    assert scores.logit.tolist() == [risk.logit for risk in singles]
    assert scores.action.tolist() == ["personal_call", "none", "win_back_offer"]
    assert scores.action[0] is ChurnAction.PERSONAL_CALL
    assert scores.top_factors[0, 0] is ChurnFactor.OVERDUE
    assert scores.top_factors.tolist() == [
        ["overdue", "open_complaints", "falling_frequency"],
        ["falling_frequency", "open_complaints", "recent_complaints"],
        ["overdue", "falling_frequency", "open_complaints"],
    ]
    assert scores.top_contributions[0].tolist() == [2.5, 0.7, 0.5333333333333333]
    assert scores.contributions.shape == (3, len(ChurnFactor))
    assert scores.contributions[:, list(ChurnFactor).index(ChurnFactor.LOW_REVIEWS)].tolist() == [
        0.4,
        0.0,
        0.0,
    ]


def test_column_results_are_read_only_and_compare_by_value() -> None:
    scores = churn_risk_many(np.array([30, 90]), top=1)

    with pytest.raises(ValueError, match="read-only"):
        scores.score[0] = 0.0
    assert scores.top_factors.shape == (2, 1)
    assert scores == churn_risk_many([30.0, 90.0], top=1)
    assert scores != churn_risk_many([30.0, 91.0], top=1)


def test_no_customers_give_empty_columns() -> None:
    scores = churn_risk_many(np.array([], dtype=np.int64), open_complaints=[])

    assert len(scores) == 0
    assert scores.top_factors.shape == (0, 3)


def test_masked_rows_are_none_and_what_they_hide_is_never_read() -> None:
    gap = np.ma.array([60.0, np.inf, -3.0], mask=[False, True, True])
    review = np.ma.array([np.nan, 2.0, 0.0], mask=[True, False, True])
    drop = np.ma.array([10, -1, 0], mask=[False, True, False])

    scores = churn_risk_many(
        [120, 120, 120], usual_gap_days=gap, average_review=review, tier_drop_in_days=drop
    )

    singles = [
        churn_risk(ChurnInputs(days_since_last_stay=120, usual_gap_days=60, tier_drop_in_days=10)),
        churn_risk(ChurnInputs(days_since_last_stay=120, average_review=2.0)),
        churn_risk(ChurnInputs(days_since_last_stay=120, tier_drop_in_days=0)),
    ]
    assert scores.score.tolist() == [risk.score for risk in singles]
    assert scores.top_factors[:, 0].tolist() == ["overdue", "low_reviews", "tier_drop"]


@pytest.mark.parametrize(
    ("columns", "field", "row", "complaint"),
    [
        ({"open_complaints": [0, -1, -2]}, "open_complaints", 1, "row 1 \\(and 1 more row\\)"),
        ({"cancellations": [0, 0, 1.5]}, "cancellations", 2, "row 2: cancellations must be"),
        ({"stays_recent": [0, np.nan, 0]}, "stays_recent", 1, "got nan"),
        ({"average_review": [4.0, 4.0, 5.5]}, "average_review", 2, "from 1 to 5"),
        ({"usual_gap_days": [np.nan, 60.0, 60.0]}, "usual_gap_days", 0, "row 0"),
        ({"tier_drop_in_days": [0, 2**40, 0]}, "tier_drop_in_days", 1, "row 1"),
        ({"days_since_last_stay": [1, np.inf, 3]}, "days_since_last_stay", 1, "got inf"),
        (
            {"days_since_last_stay": np.ma.array([1, 2, 3], mask=[False, False, True])},
            "days_since_last_stay",
            2,
            "masked",
        ),
        ({"no_shows": np.ma.array([1, 2, 3], mask=[True, False, False])}, "no_shows", 0, "masked"),
    ],
)
def test_bad_columns_are_refused_naming_the_field_and_the_row(
    columns: dict[str, object], field: str, row: int, complaint: str
) -> None:
    arguments: dict[str, object] = {"days_since_last_stay": [10, 20, 30], **columns}

    with pytest.raises(InvalidChurnInputError, match=complaint) as caught:
        churn_risk_many(**arguments)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.row) == (field, row)


@pytest.mark.parametrize(
    ("columns", "field", "complaint"),
    [
        ({"no_shows": [0, 1]}, "no_shows", "no_shows has 2 rows but days_since_last_stay has 3"),
        ({"no_shows": [[0, 1, 2]]}, "no_shows", "shape \\(1, 3\\)"),
        ({"no_shows": [True, False, True]}, "no_shows", "a column of numbers, got bool"),
        ({"average_review": [4, None, 5]}, "average_review", "got object"),
        ({"days_since_last_stay": ["1", "2", "3"]}, "days_since_last_stay", "got <U1"),
        ({"days_since_last_stay": None}, "days_since_last_stay", "required"),
        ({"days_since_last_stay": 30}, "days_since_last_stay", "shape \\(\\)"),
    ],
)
def test_columns_must_be_one_number_per_customer(
    columns: dict[str, object], field: str, complaint: str
) -> None:
    arguments: dict[str, object] = {"days_since_last_stay": [10, 20, 30], **columns}

    with pytest.raises(InvalidChurnInputError, match=complaint) as caught:
        churn_risk_many(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.row is None


@pytest.mark.parametrize("top", [0, 9, 2.0, True])
def test_top_is_one_to_the_number_of_factors(top: object) -> None:
    with pytest.raises(InvalidChurnInputError, match="top must be") as caught:
        churn_risk_many([1], top=top)  # type: ignore[arg-type]
    assert caught.value.field == "top"


def test_columns_need_a_model() -> None:
    with pytest.raises(InvalidChurnModelError):
        churn_risk_many([1], model=None)  # type: ignore[arg-type]


# -- without numpy ---------------------------------------------------------------------


def test_one_customer_is_scored_without_numpy() -> None:
    script = """
import sys
sys.modules["numpy"] = None  # any import of numpy now fails
from staycore.membership.churn import ChurnInputs, churn_risk
risk = churn_risk(ChurnInputs(days_since_last_stay=210, usual_gap_days=60, open_complaints=1))
print(risk.score, risk.action.value)
"""
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    expected = churn_risk(
        ChurnInputs(days_since_last_stay=210, usual_gap_days=60, open_complaints=1)
    )
    assert done.stdout.split() == [repr(expected.score), expected.action.value]
