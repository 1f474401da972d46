"""Reviews: who may review when, the bounds of ratings and text, means, replies, events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest

from staycore.kernel.errors import NaiveDatetimeError
from staycore.kernel.events import InvalidEventError, event_payload
from staycore.orders.errors import OrderError
from staycore.orders.ids import CustomerId, OrderId, ReviewId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.reviews import (
    MAX_TEXT_LENGTH,
    REVIEWABLE_STATUSES,
    DuplicateReviewError,
    InvalidReviewError,
    RatingDimension,
    Ratings,
    RatingsInput,
    Review,
    ReviewAnswered,
    ReviewLeft,
    ReviewNotAllowedError,
    average_ratings,
)

D = RatingDimension
ORDER = OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
CUSTOMER = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
REVIEW_ID = ReviewId("rev_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
WRITTEN = pendulum.datetime(2026, 7, 14, 10, 30, tz="Europe/Lisbon")
REPLIED = WRITTEN.add(hours=20)
ALL_FOUR = {"cleanliness": 5, "service": 4, "location": 4, "value": 4}


def write(
    ratings: Ratings | RatingsInput | None = None, **changes: Any
) -> tuple[Review, ReviewLeft]:
    arguments: dict[str, Any] = {
        "order": ORDER,
        "customer": CUSTOMER,
        "order_status": OrderStatus.CHECKED_OUT,
        "ratings": ALL_FOUR if ratings is None else ratings,
        "text": "Lovely stay.",
        "at": WRITTEN,
        "review_id": REVIEW_ID,
    }
    arguments.update(changes)
    return Review.write(**arguments)


def reviewed(ratings: RatingsInput) -> Review:
    return write(ratings, review_id=ReviewId.new())[0]


# -- dimensions ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cleanliness", "CLEANLINESS", " Cleanliness\n"])
def test_a_dimension_is_parsed_from_its_name_in_any_case(name: str) -> None:
    assert RatingDimension.parse(name) is D.CLEANLINESS
    assert RatingDimension.parse(D.VALUE) is D.VALUE


@pytest.mark.parametrize("name", ["wifi", "", "clean", 1, None])
def test_an_unknown_dimension_is_refused_naming_the_known_ones(name: Any) -> None:
    with pytest.raises(InvalidReviewError) as raised:
        RatingDimension.parse(name)
    assert raised.value.code == "orders.invalid_review"
    assert f"{name!r} is not a rating dimension" in raised.value.message
    assert "cleanliness, service, location, value" in raised.value.message


# -- ratings ---------------------------------------------------------------------------


def test_ratings_take_dimensions_or_their_names_and_keep_the_dimensions_order() -> None:
    scores: dict[RatingDimension | str, int] = {"value": 3, D.CLEANLINESS: 5, "Location": 4}
    ratings = Ratings(scores)

    assert list(ratings) == [D.CLEANLINESS, D.LOCATION, D.VALUE]
    assert dict(ratings) == {D.CLEANLINESS: 5, D.LOCATION: 4, D.VALUE: 3}
    assert len(ratings) == 3
    assert ratings[D.LOCATION] == 4
    assert D.SERVICE not in ratings
    assert ratings.get(D.SERVICE) is None
    with pytest.raises(KeyError):
        ratings[D.SERVICE]
    assert ratings.by_name() == {"cleanliness": 5, "location": 4, "value": 3}


def test_ratings_with_the_same_scores_are_equal_and_hash_alike_in_any_order() -> None:
    first = Ratings({"service": 2, "cleanliness": 5})
    second = Ratings({D.CLEANLINESS: 5, D.SERVICE: 2})

    assert first == second
    assert hash(first) == hash(second)
    assert first != Ratings({"service": 3, "cleanliness": 5})
    assert Ratings(first) == first


def test_ratings_repr_builds_them_again() -> None:
    ratings = Ratings({"value": 3, "cleanliness": 5})

    assert repr(ratings) == "Ratings({'cleanliness': 5, 'value': 3})"
    assert eval(repr(ratings)) == ratings  # noqa: S307 - our own repr


def test_of_reads_a_score_by_dimension_or_name_and_none_when_not_rated() -> None:
    ratings = Ratings({"service": 2})

    assert ratings.of(D.SERVICE) == 2
    assert ratings.of("SERVICE") == 2
    assert ratings.of("value") is None
    with pytest.raises(InvalidReviewError, match="'wifi' is not a rating dimension"):
        ratings.of("wifi")


@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_every_score_from_one_to_five_is_accepted(score: int) -> None:
    assert Ratings({"value": score}).of("value") == score


@pytest.mark.parametrize(
    ("scores", "phrase"),
    [
        ({}, "a score for at least one dimension"),
        ({"cleanliness": 0}, "the score for cleanliness must be from 1 to 5; got 0"),
        ({"service": 6}, "the score for service must be from 1 to 5; got 6"),
        ({"value": -1}, "must be from 1 to 5; got -1"),
        ({"value": 4.5}, "must be a whole number from 1 to 5; got 4.5"),
        ({"value": Decimal(4)}, "must be a whole number from 1 to 5"),
        ({"value": "5"}, "must be a whole number from 1 to 5; got '5'"),
        ({"value": True}, "must be a whole number from 1 to 5; got True"),
        ({"wifi": 5}, "'wifi' is not a rating dimension"),
        ({"cleanliness": 5, D.CLEANLINESS: 5}, "cleanliness is rated twice"),
        ({"value": 4, "VALUE": 4}, "value is rated twice (once as 'VALUE')"),
    ],
)
def test_bad_ratings_are_refused_saying_what_is_wrong(scores: Any, phrase: str) -> None:
    with pytest.raises(InvalidReviewError) as raised:
        Ratings(scores)
    assert raised.value.code == "orders.invalid_review"
    assert phrase in raised.value.message


@pytest.mark.parametrize("scores", [[("cleanliness", 5)], None, 5])
def test_ratings_that_are_not_a_mapping_are_refused(scores: Any) -> None:
    with pytest.raises(InvalidReviewError, match="ratings must be a mapping of dimension"):
        Ratings(scores)


@pytest.mark.parametrize(
    ("scores", "overall"),
    [
        ([5], "5.0"),
        ([1, 2], "1.5"),
        ([5, 4, 4, 4], "4.3"),  # 4.25: half up
        ([1, 1, 1, 2], "1.3"),  # 1.25
        ([2, 2, 2, 3], "2.3"),  # 2.25
        ([1, 2, 2, 2], "1.8"),  # 1.75
        ([4, 4, 5], "4.3"),  # 4.333...
        ([3, 4, 4], "3.7"),  # 3.666...
        ([1, 1, 2], "1.3"),  # 1.333...
        ([1, 1, 1, 1], "1.0"),
        ([5, 5, 5, 5], "5.0"),
    ],
)
def test_overall_is_the_mean_rounded_half_up_to_one_place(scores: list[int], overall: str) -> None:
    ratings = Ratings(dict(zip(list(RatingDimension), scores, strict=False)))

    assert ratings.overall == Decimal(overall)
    assert str(ratings.overall) == overall


# -- writing a review --------------------------------------------------------------------


@pytest.mark.parametrize("status", [OrderStatus.CHECKED_OUT, OrderStatus.COMPLETED])
def test_a_guest_reviews_an_order_after_check_out(status: OrderStatus) -> None:
    review, _left = write(order_status=status, text="  Spotless, and a quiet street.\n")

    assert review.id == REVIEW_ID
    assert review.version == 1
    assert (review.order, review.customer) == (ORDER, CUSTOMER)
    assert review.ratings == Ratings(ALL_FOUR)
    assert review.text == "Spotless, and a quiet street."
    assert review.written_at == WRITTEN
    assert (review.reply, review.replied_at) == (None, None)


def test_only_checked_out_and_completed_orders_may_be_reviewed() -> None:
    assert {OrderStatus.CHECKED_OUT, OrderStatus.COMPLETED} == REVIEWABLE_STATUSES


@pytest.mark.parametrize(
    "status", [status for status in OrderStatus if status not in REVIEWABLE_STATUSES]
)
def test_an_order_before_check_out_or_closed_otherwise_cannot_be_reviewed(
    status: OrderStatus,
) -> None:
    with pytest.raises(ReviewNotAllowedError) as raised:
        write(order_status=status)
    error = raised.value
    assert error.code == "orders.review_not_allowed"
    assert isinstance(error, OrderError)
    assert (error.order, error.status) == (ORDER, status)
    assert f"order {ORDER} is {status.value}" in error.message
    assert "only after check-out" in error.message


def test_the_status_is_checked_before_the_ratings() -> None:
    with pytest.raises(ReviewNotAllowedError):
        write({"wifi": 9}, order_status=OrderStatus.CONFIRMED)


def test_a_review_takes_ratings_as_built_value() -> None:
    ratings = Ratings({"location": 5})

    review, _left = write(ratings)

    assert review.ratings is ratings


def test_a_review_draws_a_fresh_id_when_none_is_given() -> None:
    first, _ = write(review_id=None)
    second, _ = write(review_id=None)

    assert first.id.startswith("rev_")
    assert first.id != second.id
    assert isinstance(first.id, ReviewId)


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_a_review_may_have_no_text(text: str) -> None:
    review, left = write(text=text)

    assert review.text == left.text == ""


def test_the_text_may_have_five_thousand_characters_once_stripped() -> None:
    longest = "é" * MAX_TEXT_LENGTH

    review, _left = write(text=f"  {longest}\n\n")

    assert review.text == longest
    assert MAX_TEXT_LENGTH == 5_000


def test_a_longer_text_is_refused() -> None:
    with pytest.raises(InvalidReviewError) as raised:
        write(text="a" * (MAX_TEXT_LENGTH + 1))
    assert raised.value.code == "orders.invalid_review"
    assert "5,001 characters, more than the 5,000 allowed" in raised.value.message


def test_text_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidReviewError, match="the review's text must be text"):
        write(text=None)


def test_a_review_needs_a_timezone_aware_instant() -> None:
    with pytest.raises(NaiveDatetimeError):
        write(at=dt.datetime(2026, 7, 14, 10, 30))  # noqa: DTZ001 - naive on purpose


def test_review_left_carries_what_the_profile_needs() -> None:
    review, left = write({"value": 3, "cleanliness": 5, "service": 4, "location": 4})

    assert isinstance(left, ReviewLeft)
    assert left.event_type == "ReviewLeft"
    assert (left.aggregate_id, left.review, left.aggregate_version) == (REVIEW_ID, REVIEW_ID, 1)
    assert left.occurred_at == WRITTEN
    assert left.occurred_at.timezone_name == "UTC"
    assert (left.order, left.customer) == (ORDER, CUSTOMER)
    assert left.ratings == {"cleanliness": 5, "service": 4, "location": 4, "value": 3}
    assert left.overall == Decimal("4.0")
    assert left.text == review.text == "Lovely stay."


def test_review_left_writes_plain_json_and_stays_hashable() -> None:
    _review, left = write({"service": 5, "value": 4})

    payload = event_payload(left)

    assert payload["ratings"] == {"service": 5, "value": 4}
    assert payload["overall"] == "4.5"
    assert payload["order"] == str(ORDER)
    assert payload["event_type"] == "ReviewLeft"
    assert hash(left) == hash(write({"service": 5, "value": 4})[1])


def test_review_left_keeps_its_own_copy_of_the_scores() -> None:
    scores = {"service": 5}
    left = ReviewLeft(
        aggregate_id=REVIEW_ID,
        aggregate_version=1,
        occurred_at=WRITTEN,
        order=ORDER,
        customer=CUSTOMER,
        ratings=scores,
        overall=Decimal("5.0"),
        text="",
    )

    scores["service"] = 1

    assert left.ratings == {"service": 5}


# -- the host's reply ------------------------------------------------------------------


def test_the_host_answers_a_review_one_version_on() -> None:
    review, _left = write()

    answered, event = review.answer("  Thank you, see you in spring!  ", at=REPLIED)

    assert answered.version == 2
    assert answered.reply == "Thank you, see you in spring!"
    assert answered.replied_at == REPLIED
    assert attrs.evolve(answered, version=1, reply=None, replied_at=None) == review
    assert (review.version, review.reply) == (1, None)  # the review itself is unchanged
    assert isinstance(event, ReviewAnswered)
    assert event.event_type == "ReviewAnswered"
    assert (event.aggregate_id, event.review, event.aggregate_version) == (REVIEW_ID, REVIEW_ID, 2)
    assert event.occurred_at == REPLIED
    assert (event.order, event.customer) == (ORDER, CUSTOMER)
    assert event.reply == "Thank you, see you in spring!"
    assert event.replaced is False


def test_answering_again_replaces_the_reply() -> None:
    answered, _first = write()[0].answer("Thanks!", at=REPLIED)
    later = REPLIED.add(minutes=5)

    corrected, event = answered.answer("Thank you for staying with us!", at=later)

    assert corrected.version == 3
    assert corrected.reply == "Thank you for staying with us!"
    assert corrected.replied_at == later
    assert event.replaced is True
    assert event.aggregate_version == 3


@pytest.mark.parametrize(
    ("reply", "phrase"),
    [
        ("", "the host's reply is empty"),
        (" \n ", "the host's reply is empty"),
        ("a" * (MAX_TEXT_LENGTH + 1), "the host's reply has 5,001 characters"),
        (None, "the host's reply must be text"),
    ],
)
def test_a_bad_reply_is_refused(reply: Any, phrase: str) -> None:
    review, _left = write()
    with pytest.raises(InvalidReviewError) as raised:
        review.answer(reply, at=REPLIED)
    assert raised.value.code == "orders.invalid_review"
    assert phrase in raised.value.message


def test_a_reply_cannot_come_before_the_review() -> None:
    review, _left = write()
    with pytest.raises(InvalidReviewError, match="cannot be answered earlier"):
        review.answer("Thanks!", at=WRITTEN.subtract(seconds=1))
    assert review.answer("Thanks!", at=WRITTEN)[0].replied_at == WRITTEN


def test_a_reply_needs_a_timezone_aware_instant() -> None:
    review, _left = write()
    with pytest.raises(NaiveDatetimeError):
        review.answer("Thanks!", at=dt.datetime(2026, 7, 15, 9))  # noqa: DTZ001


# -- a stored review -------------------------------------------------------------------


def stored(**changes: Any) -> Review:
    fields: dict[str, Any] = {
        "id": REVIEW_ID,
        "version": 2,
        "order": ORDER,
        "customer": CUSTOMER,
        "ratings": {"value": 4},
        "text": "Good value.",
        "written_at": WRITTEN,
        "reply": "Thanks!",
        "replied_at": REPLIED,
    }
    fields.update(changes)
    return Review(**fields)


def test_a_stored_review_is_loaded_as_it_was_written() -> None:
    review = stored()

    assert review.ratings == Ratings({"value": 4})
    assert review.reply == "Thanks!"


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"version": 0}, "version must be a whole number of at least 1; got 0"),
        ({"version": True}, "version must be a whole number of at least 1; got True"),
        ({"reply": None}, "set both or neither"),
        ({"replied_at": None}, "set both or neither"),
        ({"replied_at": WRITTEN.subtract(days=1)}, "cannot be answered earlier"),
        ({"ratings": {}}, "at least one dimension"),
        ({"text": "x" * (MAX_TEXT_LENGTH + 1)}, "more than the 5,000 allowed"),
    ],
)
def test_a_stored_review_that_breaks_the_rules_is_refused(
    changes: dict[str, Any], phrase: str
) -> None:
    with pytest.raises(InvalidReviewError) as raised:
        stored(**changes)
    assert phrase in raised.value.message


# -- one review per order --------------------------------------------------------------


def test_a_second_review_of_an_order_is_refused_by_its_own_error() -> None:
    error = DuplicateReviewError(ORDER, existing=REVIEW_ID)

    assert error.code == "orders.review_exists"
    assert isinstance(error, OrderError)
    assert (error.order, error.existing) == (ORDER, REVIEW_ID)
    assert f"order {ORDER} already has review {REVIEW_ID}" in error.message
    assert "one review per order" in error.message


def test_the_review_errors_are_order_errors_with_their_own_codes() -> None:
    assert [
        (cls.code, issubclass(cls, OrderError))
        for cls in (InvalidReviewError, ReviewNotAllowedError, DuplicateReviewError)
    ] == [
        ("orders.invalid_review", True),
        ("orders.review_not_allowed", True),
        ("orders.review_exists", True),
    ]


# -- averages --------------------------------------------------------------------------


def test_no_reviews_average_to_nothing() -> None:
    assert average_ratings([]) == {}


def test_each_dimension_averages_over_the_reviews_that_rated_it() -> None:
    reviews = [
        reviewed({"cleanliness": 5, "value": 3}),
        reviewed({"cleanliness": 4}),
        reviewed({"cleanliness": 4, "value": 4}),
        reviewed({"cleanliness": 4}),
    ]

    means = average_ratings(iter(reviews))

    assert means == {D.CLEANLINESS: Decimal("4.3"), D.VALUE: Decimal("3.5")}  # 4.25, 3.5
    assert list(means) == [D.CLEANLINESS, D.VALUE]
    assert [str(mean) for mean in means.values()] == ["4.3", "3.5"]


def test_averages_come_in_the_order_of_the_dimensions() -> None:
    reviews = [reviewed({"value": 2, "location": 5}), reviewed({"service": 1})]

    assert list(average_ratings(reviews)) == [D.SERVICE, D.LOCATION, D.VALUE]


def test_averages_round_half_up_to_one_place() -> None:
    quarters = [reviewed({"service": score}) for score in (3, 3, 3, 4)]  # 3.25: half up

    assert average_ratings(quarters) == {D.SERVICE: Decimal("3.3")}
    thirds = [reviewed({"service": score}) for score in (4, 5, 5)]  # 4.666...
    assert average_ratings(thirds) == {D.SERVICE: Decimal("4.7")}
    halves = [reviewed({"service": score}) for score in (2, 3)] * 10  # 2.5 exactly
    assert str(average_ratings(halves)[D.SERVICE]) == "2.5"


@pytest.mark.parametrize("ratings", [None, [("cleanliness", 5)], "cleanliness=5"])
def test_a_review_event_needs_its_scores_by_name(ratings: Any) -> None:
    # Found by the fuzz suite: a list or None escaped as ValueError or TypeError.
    with pytest.raises(InvalidEventError, match="scores by dimension name"):
        ReviewLeft(
            aggregate_id=REVIEW_ID,
            aggregate_version=1,
            occurred_at=WRITTEN,
            order=ORDER,
            customer=CUSTOMER,
            ratings=ratings,
            overall=Decimal("5.0"),
            text="",
        )
