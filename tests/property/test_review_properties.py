"""Ratings and reviews over random scores: means stay in range and round one way.

* :attr:`Ratings.overall` is the exact mean of the scores rounded half up to one place,
  within 0.05 of it, and between the lowest and the highest score;
* ratings do not depend on the order or the spelling of their keys;
* :func:`average_ratings` lists exactly the dimensions rated, each mean between that
  dimension's lowest and highest score, whatever the order of the reviews;
* an answer changes only the version and the reply, and events carry the review's scores.

``reviews()`` draws written reviews; it belongs in :mod:`staycore.testing.strategies`
once reviews are registered there.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import attrs
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from staycore.kernel.events import event_payload
from staycore.orders.ids import CustomerId, OrderId, ReviewId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.reviews import (
    MAX_SCORE,
    MAX_TEXT_LENGTH,
    MIN_SCORE,
    RatingDimension,
    Ratings,
    Review,
    average_ratings,
)
from staycore.testing.strategies import identifiers, instants

scores_by_dimension: SearchStrategy[dict[RatingDimension, int]] = st.dictionaries(
    st.sampled_from(RatingDimension), st.integers(MIN_SCORE, MAX_SCORE), min_size=1
)


def ratings() -> SearchStrategy[Ratings]:
    """Valid ratings: one to four dimensions, each scored 1 to 5."""
    return scores_by_dimension.map(Ratings)


def reviews(*, answered: bool | None = None) -> SearchStrategy[Review]:
    """Reviews as :meth:`Review.write` makes them, answered or not (either by default)."""

    @st.composite
    def draw_review(draw: st.DrawFn) -> Review:
        review, _left = Review.write(
            order=draw(identifiers(OrderId)),
            customer=draw(identifiers(CustomerId)),
            order_status=draw(st.sampled_from([OrderStatus.CHECKED_OUT, OrderStatus.COMPLETED])),
            ratings=draw(ratings()),
            text=draw(st.text(max_size=200)),
            at=draw(instants()),
            review_id=draw(identifiers(ReviewId)),
        )
        if draw(st.booleans()) if answered is None else answered:
            reply = draw(st.text(min_size=1, max_size=100).filter(str.strip))
            review, _event = review.answer(
                reply, at=review.written_at.add(hours=draw(st.integers(0, 500)))
            )
        return review

    return draw_review()


def exact_mean_rounded(values: list[int]) -> Decimal:
    mean = Fraction(sum(values), len(values))
    return (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@given(scores_by_dimension)
def test_overall_is_the_mean_rounded_half_up_within_the_scores(
    scores: dict[RatingDimension, int],
) -> None:
    values = list(scores.values())
    overall = Ratings(scores).overall

    assert overall == exact_mean_rounded(values)
    assert abs(Fraction(overall) - Fraction(sum(values), len(values))) <= Fraction(1, 20)
    assert min(values) <= overall <= max(values)
    assert overall.as_tuple().exponent == -1


@given(scores_by_dimension, st.randoms(use_true_random=False))
def test_ratings_ignore_the_order_and_spelling_of_their_keys(
    scores: dict[RatingDimension, int], rng: random.Random
) -> None:
    items = list(scores.items())
    rng.shuffle(items)
    spelled = {
        (dimension.value.upper() if index % 2 else dimension.value): score
        for index, (dimension, score) in enumerate(items)
    }

    assert Ratings(spelled) == Ratings(scores)
    assert Ratings(spelled).by_name() == {d.value: s for d, s in scores.items()}


@given(st.lists(reviews(), max_size=12), st.randoms(use_true_random=False))
def test_averages_cover_the_rated_dimensions_within_their_scores(
    drawn: list[Review], rng: random.Random
) -> None:
    means = average_ratings(drawn)
    shuffled = list(drawn)
    rng.shuffle(shuffled)

    rated = {dimension for review in drawn for dimension in review.ratings}
    assert set(means) == rated
    assert list(means) == [dimension for dimension in RatingDimension if dimension in rated]
    for dimension, mean in means.items():
        given_scores = [r.ratings[dimension] for r in drawn if dimension in r.ratings]
        assert mean == exact_mean_rounded(given_scores)
        assert min(given_scores) <= mean <= max(given_scores)
    assert average_ratings(shuffled) == means


@given(reviews(answered=False))
def test_one_review_averages_to_its_own_scores(review: Review) -> None:
    assert average_ratings([review]) == {
        dimension: Decimal(score).quantize(Decimal("0.1"))
        for dimension, score in review.ratings.items()
    }


@given(reviews(), st.text(min_size=1, max_size=MAX_TEXT_LENGTH).filter(str.strip))
def test_an_answer_changes_only_the_version_and_the_reply(review: Review, reply: str) -> None:
    at = review.replied_at or review.written_at
    answered, event = review.answer(reply, at=at)

    assert answered.version == review.version + 1 == event.aggregate_version
    assert answered.reply == reply.strip() == event.reply
    assert event.replaced is (review.reply is not None)
    assert (
        attrs.evolve(
            answered, version=review.version, reply=review.reply, replied_at=review.replied_at
        )
        == review
    )


@given(reviews(answered=False))
def test_review_left_carries_the_reviews_scores(review: Review) -> None:
    again, left = Review.write(
        order=review.order,
        customer=review.customer,
        order_status=OrderStatus.COMPLETED,
        ratings=review.ratings,
        text=review.text,
        at=review.written_at,
        review_id=review.id,
    )

    assert again == review
    payload = event_payload(left)
    assert payload["ratings"] == review.ratings.by_name()
    assert payload["overall"] == f"{review.ratings.overall:f}"
    # The same instant; compared as timestamps, since Python never calls two datetimes
    # equal across zones when one is the second of a repeated hour (fold=1).
    assert left.occurred_at.timestamp() == review.written_at.timestamp()
