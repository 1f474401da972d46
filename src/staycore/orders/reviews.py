"""Reviews: what a guest thought of a stay, rated per dimension, and the host's reply.

After check-out a guest may leave one :class:`Review` of an order: a score from 1 to 5
for some or all of the :class:`RatingDimension` s (cleanliness, service, location,
value), held in :class:`Ratings`, and a text of up to :data:`MAX_TEXT_LENGTH`
characters, which may be empty. :meth:`Review.write` refuses an order that is not
``checked_out`` or ``completed`` with :class:`ReviewNotAllowedError`; keeping one review
per order is the use case's part (it looks the order's review up, and raises
:class:`DuplicateReviewError` when there is one). The host may answer a review in
public with :meth:`Review.answer`, and answer again to replace the reply.

Means are worked out on whole scores and rounded once, to one decimal place, half up
(4.25 shows as 4.3): :attr:`Ratings.overall` for one review, :func:`average_ratings`
per dimension over many, for a property's page.

Example:
    >>> import pendulum
    >>> from staycore.orders.ids import CustomerId, OrderId
    >>> from staycore.orders.lifecycle import OrderStatus
    >>> from staycore.orders.reviews import Review
    >>> review, left = Review.write(
    ...     order=OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     customer=CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     order_status=OrderStatus.CHECKED_OUT,
    ...     ratings={"cleanliness": 5, "service": 4, "location": 5, "value": 3},
    ...     text="  Spotless room, a short walk to the old town.  ",
    ...     at=pendulum.datetime(2026, 7, 14, 10, 30, tz="Europe/Lisbon"),
    ... )
    >>> review.text, review.ratings.overall, review.version
    ('Spotless room, a short walk to the old town.', Decimal('4.3'), 1)
    >>> left.event_type, left.ratings["value"], left.overall
    ('ReviewLeft', 3, Decimal('4.3'))
    >>> answered, event = review.answer(
    ...     "Thank you, come back in spring!",
    ...     at=pendulum.datetime(2026, 7, 15, 9, tz="Europe/Lisbon"),
    ... )
    >>> answered.version, event.event_type, event.reply
    (2, 'ReviewAnswered', 'Thank you, come back in spring!')
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Final, TypeAlias

import attrs
import pendulum

from staycore.kernel.erasure import PersonalDataErased, personal
from staycore.kernel.events import DomainEvent, InvalidEventError
from staycore.kernel.time import as_instant
from staycore.orders.errors import OrderError
from staycore.orders.ids import CustomerId, OrderId, ReviewId
from staycore.orders.lifecycle import OrderStatus

__all__ = [
    "MAX_SCORE",
    "MAX_TEXT_LENGTH",
    "MIN_SCORE",
    "REVIEWABLE_STATUSES",
    "DuplicateReviewError",
    "InvalidReviewError",
    "RatingDimension",
    "Ratings",
    "RatingsInput",
    "Review",
    "ReviewAnswered",
    "ReviewLeft",
    "ReviewNotAllowedError",
    "average_ratings",
]

MIN_SCORE: Final = 1
"""The lowest score a dimension may get."""

MAX_SCORE: Final = 5
"""The highest score a dimension may get."""

MAX_TEXT_LENGTH: Final = 5_000
"""The most characters a review's text, or a host's reply, may have once stripped."""

REVIEWABLE_STATUSES: Final[frozenset[OrderStatus]] = frozenset(
    {OrderStatus.CHECKED_OUT, OrderStatus.COMPLETED}
)
"""The order statuses in which the guest may review, those after check-out."""


# -- errors ----------------------------------------------------------------------------


class InvalidReviewError(OrderError):
    """A review's ratings, text, reply or instants break the rules of a review.

    Example:
        >>> from staycore.orders.reviews import InvalidReviewError, Ratings
        >>> Ratings({"cleanliness": 6})
        Traceback (most recent call last):
        ...
        staycore.orders.reviews.InvalidReviewError: [orders.invalid_review] ...
    """

    code = "orders.invalid_review"


class ReviewNotAllowedError(OrderError):
    """The order is not checked out (or completed), so its guest cannot review it yet.

    Attributes:
        order: The order.
        status: Its status when the review was asked for.

    Example:
        >>> from staycore.orders.ids import OrderId
        >>> from staycore.orders.lifecycle import OrderStatus
        >>> from staycore.orders.reviews import ReviewNotAllowedError
        >>> error = ReviewNotAllowedError(
        ...     OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), OrderStatus.CONFIRMED)
        >>> print(error.message)
        order ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 is confirmed; a guest can review an order
        only after check-out (checked_out or completed): ask for the review once the
        guest has checked out
    """

    code = "orders.review_not_allowed"

    def __init__(self, order: OrderId, status: OrderStatus) -> None:
        super().__init__(
            f"order {order} is {status.value}; a guest can review an order only after "
            "check-out (checked_out or completed): ask for the review once the guest "
            "has checked out"
        )
        self.order = order
        self.status = status


class DuplicateReviewError(OrderError):
    """The order already has a review: a guest leaves one review per order.

    Raised by the use case that writes reviews, which looks the order's review up first.

    Attributes:
        order: The order.
        existing: The review the order already has.

    Example:
        >>> from staycore.orders.ids import OrderId, ReviewId
        >>> from staycore.orders.reviews import DuplicateReviewError
        >>> error = DuplicateReviewError(
        ...     OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
        ...     existing=ReviewId("rev_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"))
        >>> print(error.message)
        order ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 already has review
        rev_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7, and a guest leaves one review per order; show
        that review (the host may answer it) instead of writing another
    """

    code = "orders.review_exists"

    def __init__(self, order: OrderId, *, existing: ReviewId) -> None:
        super().__init__(
            f"order {order} already has review {existing}, and a guest leaves one review "
            "per order; show that review (the host may answer it) instead of writing another"
        )
        self.order = order
        self.existing = existing


# -- ratings ---------------------------------------------------------------------------


class RatingDimension(enum.Enum):
    """What a guest rates: each dimension gets a score from 1 to 5.

    Example:
        >>> from staycore.orders.reviews import RatingDimension
        >>> [dimension.value for dimension in RatingDimension]
        ['cleanliness', 'service', 'location', 'value']
    """

    CLEANLINESS = "cleanliness"
    SERVICE = "service"
    LOCATION = "location"
    VALUE = "value"

    @classmethod
    def parse(cls, name: RatingDimension | str) -> RatingDimension:
        """Return the dimension named ``name``, in any case and with spaces around it.

        Args:
            name: A dimension, or its name as text (``"cleanliness"``, ``"CLEANLINESS"``).

        Raises:
            InvalidReviewError: ``name`` is not the name of a dimension.

        Example:
            >>> from staycore.orders.reviews import RatingDimension
            >>> RatingDimension.parse(" Cleanliness ")
            <RatingDimension.CLEANLINESS: 'cleanliness'>
            >>> RatingDimension.parse("wifi")
            Traceback (most recent call last):
            ...
            staycore.orders.reviews.InvalidReviewError: [orders.invalid_review] ...
        """
        if isinstance(name, RatingDimension):
            return name
        if isinstance(name, str):
            try:
                return cls(name.strip().lower())
            except ValueError:
                pass
        known = ", ".join(dimension.value for dimension in cls)
        msg = f"{name!r} is not a rating dimension; rate one of: {known}"
        raise InvalidReviewError(msg)


RatingsInput: TypeAlias = (
    Mapping[RatingDimension, int] | Mapping[str, int] | Mapping[RatingDimension | str, int]
)
"""What :class:`Ratings` is built from, scores keyed by dimension or by its name."""

_Scores: TypeAlias = tuple[tuple[RatingDimension, int], ...]
_ORDER: Final = {dimension: index for index, dimension in enumerate(RatingDimension)}


def _score(dimension: RatingDimension, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = (
            f"the score for {dimension.value} must be a whole number from {MIN_SCORE} to "
            f"{MAX_SCORE}; got {value!r}"
        )
        raise InvalidReviewError(msg)
    if not MIN_SCORE <= value <= MAX_SCORE:
        msg = (
            f"the score for {dimension.value} must be from {MIN_SCORE} to {MAX_SCORE}; got {value}"
        )
        raise InvalidReviewError(msg)
    return value


def _to_scores(value: RatingsInput) -> _Scores:
    if isinstance(value, Ratings):
        return value._scores
    if not isinstance(value, Mapping):
        msg = (
            "ratings must be a mapping of dimension to score, such as "
            f"{{'cleanliness': 5, 'value': 4}}; got {value!r}"
        )
        raise InvalidReviewError(msg)
    if not value:
        known = ", ".join(dimension.value for dimension in RatingDimension)
        msg = f"ratings need a score for at least one dimension ({known}); got none"
        raise InvalidReviewError(msg)
    scores: dict[RatingDimension, int] = {}
    for key, score in value.items():
        dimension = RatingDimension.parse(key)
        if dimension in scores:
            msg = (
                f"{dimension.value} is rated twice (once as {key!r}); give each dimension one score"
            )
            raise InvalidReviewError(msg)
        scores[dimension] = _score(dimension, score)
    return tuple(sorted(scores.items(), key=lambda item: _ORDER[item[0]]))


def _mean(total: int, count: int) -> Decimal:
    """``total / count`` rounded to one decimal place, half up, in exact integer arithmetic."""
    tenths = (20 * total + count) // (2 * count)
    return Decimal(tenths).scaleb(-1)


@attrs.frozen
class Ratings(Mapping[RatingDimension, int]):
    """A guest's scores, from 1 to 5, for one or more :class:`RatingDimension` s.

    A read-only mapping of dimension to score, built from a mapping whose keys are
    dimensions or their names (in any case). Dimensions left out were not rated; they
    do not count in :attr:`overall`. Two ratings with the same scores are equal, in
    whatever order they were given.

    Args:
        scores: The scores, keyed by dimension or dimension name.

    Raises:
        InvalidReviewError: No dimension is rated, a key is not a dimension, a dimension
            is given twice, or a score is not a whole number from 1 to 5.

    Example:
        >>> from staycore.orders.reviews import RatingDimension, Ratings
        >>> ratings = Ratings({"cleanliness": 5, RatingDimension.VALUE: 4})
        >>> ratings[RatingDimension.CLEANLINESS], len(ratings), ratings.overall
        (5, 2, Decimal('4.5'))
        >>> ratings
        Ratings({'cleanliness': 5, 'value': 4})
        >>> Ratings({"wifi": 5})
        Traceback (most recent call last):
        ...
        staycore.orders.reviews.InvalidReviewError: [orders.invalid_review] 'wifi' is not
        a rating dimension; rate one of: cleanliness, service, location, value
    """

    _scores: _Scores = attrs.field(converter=_to_scores, alias="scores")

    def __getitem__(self, dimension: RatingDimension) -> int:
        for rated, score in self._scores:
            if rated is dimension:
                return score
        raise KeyError(dimension)

    def __iter__(self) -> Iterator[RatingDimension]:
        return (dimension for dimension, _score in self._scores)

    def __len__(self) -> int:
        return len(self._scores)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.by_name()!r})"

    def of(self, dimension: RatingDimension | str) -> int | None:
        """Return the score of ``dimension``, or None when the guest did not rate it.

        Args:
            dimension: A dimension, or its name.

        Raises:
            InvalidReviewError: ``dimension`` is not a dimension's name.

        Example:
            >>> from staycore.orders.reviews import Ratings
            >>> ratings = Ratings({"service": 2})
            >>> ratings.of("service"), ratings.of("location")
            (2, None)
        """
        return self.get(RatingDimension.parse(dimension))

    @property
    def overall(self) -> Decimal:
        """The mean of the scores given, rounded to one decimal place, half up.

        Example:
            >>> from staycore.orders.reviews import Ratings
            >>> Ratings({"cleanliness": 5, "service": 4, "location": 4, "value": 4}).overall
            Decimal('4.3')
            >>> Ratings({"cleanliness": 5}).overall
            Decimal('5.0')
        """
        return _mean(sum(score for _dimension, score in self._scores), len(self._scores))

    def by_name(self) -> dict[str, int]:
        """Return the scores keyed by dimension name, as events and JSON carry them.

        Example:
            >>> from staycore.orders.reviews import Ratings
            >>> Ratings({"value": 3, "cleanliness": 5}).by_name()
            {'cleanliness': 5, 'value': 3}
        """
        return {dimension.value: score for dimension, score in self._scores}


# -- events ----------------------------------------------------------------------------


def _score_names(value: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(value, Mapping):
        msg = f"ratings are scores by dimension name, such as {{'cleanliness': 5}}; got {value!r}"
        raise InvalidEventError(msg)
    return dict(value)


@attrs.frozen(kw_only=True)
class ReviewLeft(DomainEvent):
    """A guest left a review of an order.

    ``aggregate_id`` is the :class:`~staycore.orders.ids.ReviewId` and
    ``aggregate_version`` 1.

    Attributes:
        order: The order reviewed.
        customer: The guest who wrote the review.
        ratings: The scores, keyed by dimension name (``{"cleanliness": 5}``).
        overall: The mean score, rounded to one decimal place.
        text: What the guest wrote (may be empty). Personal data: sealed at rest, and
            empty once the guest's data is erased, as the review's own text.

    Example:
        Continuing the module example above:

        >>> left.order, left.aggregate_id == review.id, left.aggregate_version
        (OrderId('ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7'), True, 1)
    """

    order: OrderId
    customer: CustomerId
    ratings: dict[str, int] = attrs.field(converter=_score_names, hash=False)
    overall: Decimal
    text: str = attrs.field(metadata=personal(erased_as=""))

    @property
    def review(self) -> ReviewId:
        """The review that was left.

        Example:
            >>> left.review == review.id
            True
        """
        return ReviewId(self.aggregate_id)


@attrs.frozen(kw_only=True)
class ReviewAnswered(DomainEvent):
    """The host answered a review in public, or replaced their earlier answer.

    ``aggregate_id`` is the :class:`~staycore.orders.ids.ReviewId` and
    ``aggregate_version`` the review's version after the answer.

    Attributes:
        order: The order reviewed.
        customer: The guest who wrote the review, who may be told of the answer.
        reply: The host's reply.
        replaced: Whether the reply replaced an earlier one.

    Example:
        Continuing the module example above:

        >>> event.replaced, event.aggregate_version, event.review == review.id
        (False, 2, True)
    """

    order: OrderId
    customer: CustomerId
    reply: str
    replaced: bool

    @property
    def review(self) -> ReviewId:
        """The review that was answered.

        Example:
            >>> event.review == answered.id
            True
        """
        return ReviewId(self.aggregate_id)


# -- the review ------------------------------------------------------------------------


def _checked_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        msg = f"the {what} must be text; got {value!r}"
        raise InvalidReviewError(msg)
    text = value.strip()
    if len(text) > MAX_TEXT_LENGTH:
        msg = (
            f"the {what} has {len(text):,} characters, more than the {MAX_TEXT_LENGTH:,} "
            "allowed; shorten it"
        )
        raise InvalidReviewError(msg)
    return text


def _review_text(value: str) -> str:
    return _checked_text(value, "review's text")


def _new_reply(value: str) -> str:
    reply = _checked_text(value, "host's reply")
    if not reply:
        msg = "the host's reply is empty; write what the host answers the guest"
        raise InvalidReviewError(msg)
    return reply


def _reply_text(value: str | None) -> str | None:
    return None if value is None else _new_reply(value)


def _to_ratings(value: Ratings | RatingsInput) -> Ratings:
    return value if isinstance(value, Ratings) else Ratings(value)


def _written_at(value: dt.datetime) -> pendulum.DateTime:
    return as_instant(value, what="written_at")


def _replied_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, what="replied_at")


@attrs.frozen(kw_only=True)
class Review:
    """A guest's review of an order, left after check-out, and the host's public reply.

    Build a new review with :meth:`write`; the constructor is for stores that load one.

    Attributes:
        id: The review's identity.
        version: 1 when written, one more for every answer.
        order: The order reviewed; an order has at most one review.
        customer: The guest who wrote it.
        ratings: The guest's scores.
        text: What the guest wrote, stripped; at most :data:`MAX_TEXT_LENGTH`
            characters, and may be empty.
        written_at: When the review was written.
        reply: The host's public reply, stripped and not empty, or None.
        replied_at: When the host last replied; set exactly when ``reply`` is.

    Raises:
        InvalidReviewError: A field breaks the rules above, ``version`` is below 1, or
            ``replied_at`` is before ``written_at``.
        NaiveDatetimeError: An instant has no timezone.

    Example:
        Continuing the module example above:

        >>> review.written_at.isoformat(), review.reply
        ('2026-07-14T10:30:00+01:00', None)
        >>> answered.reply, answered.replied_at.day
        ('Thank you, come back in spring!', 15)
    """

    id: ReviewId
    version: int = attrs.field()
    order: OrderId
    customer: CustomerId
    ratings: Ratings = attrs.field(converter=_to_ratings)
    text: str = attrs.field(converter=_review_text)
    written_at: pendulum.DateTime = attrs.field(converter=_written_at)
    reply: str | None = attrs.field(default=None, converter=_reply_text)
    replied_at: pendulum.DateTime | None = attrs.field(default=None, converter=_replied_at)

    @version.validator
    def _check_version(self, _attribute: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            msg = f"a review's version must be a whole number of at least 1; got {value!r}"
            raise InvalidReviewError(msg)

    def __attrs_post_init__(self) -> None:
        if (self.reply is None) != (self.replied_at is None):
            msg = (
                f"review {self.id} has a reply without replied_at, or replied_at without "
                "a reply; set both or neither"
            )
            raise InvalidReviewError(msg)
        if self.replied_at is not None and self.replied_at < self.written_at:
            msg = (
                f"review {self.id} was written at {self.written_at.isoformat()}, so it "
                f"cannot be answered earlier, at {self.replied_at.isoformat()}"
            )
            raise InvalidReviewError(msg)

    @classmethod
    def write(
        cls,
        *,
        order: OrderId,
        customer: CustomerId,
        order_status: OrderStatus,
        ratings: Ratings | RatingsInput,
        text: str,
        at: dt.datetime,
        review_id: ReviewId | None = None,
    ) -> tuple[Review, ReviewLeft]:
        """Write the guest's review of an order, at version 1, and the event it leaves.

        The caller (the use case) checks first that the order has no review yet, and
        raises :class:`DuplicateReviewError` if it has.

        Args:
            order: The order reviewed.
            customer: The guest writing the review.
            order_status: The order's status now; ``checked_out`` or ``completed``.
            ratings: The scores, as :class:`Ratings` or a mapping to build them from.
            text: What the guest wrote; stripped, at most :data:`MAX_TEXT_LENGTH`
                characters, may be empty.
            at: When the review is written (the use case's clock).
            review_id: The review's id; pass one from an
                :class:`~staycore.kernel.ids.IdGenerator` for reproducible ids (and for
                retries). A fresh one is drawn when omitted.

        Returns:
            The review, and the :class:`ReviewLeft` event to collect.

        Raises:
            ReviewNotAllowedError: The order is not checked out or completed.
            InvalidReviewError: The ratings or the text break the rules of a review.
            NaiveDatetimeError: ``at`` has no timezone.

        Example:
            >>> import pendulum
            >>> from staycore.orders.ids import CustomerId, OrderId
            >>> from staycore.orders.lifecycle import OrderStatus
            >>> from staycore.orders.reviews import Review
            >>> Review.write(
            ...     order=OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
            ...     customer=CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
            ...     order_status=OrderStatus.CHECKED_IN,
            ...     ratings={"service": 5},
            ...     text="",
            ...     at=pendulum.datetime(2026, 7, 12, 20, tz="UTC"),
            ... )
            Traceback (most recent call last):
            ...
            staycore.orders.reviews.ReviewNotAllowedError: [orders.review_not_allowed] ...
        """
        if order_status not in REVIEWABLE_STATUSES:
            raise ReviewNotAllowedError(order, order_status)
        review = cls(
            id=ReviewId.new() if review_id is None else review_id,
            version=1,
            order=order,
            customer=customer,
            ratings=ratings,
            text=text,
            written_at=at,
        )
        left = ReviewLeft(
            aggregate_id=review.id,
            aggregate_version=review.version,
            occurred_at=review.written_at,
            order=review.order,
            customer=review.customer,
            ratings=review.ratings.by_name(),
            overall=review.ratings.overall,
            text=review.text,
        )
        return review, left

    def erase(self, *, at: dt.datetime) -> tuple[Review, PersonalDataErased | None]:
        """The review without its text, on the guest's request; its ratings still count.

        Returns:
            The erased review, one version on, and its event; the review as it is and
            ``None`` if its text is already gone.

        Example:
            Continuing the module example above:

            >>> erased, event = answered.erase(at=pendulum.datetime(2026, 9, 1, tz="UTC"))
            >>> erased.text, erased.ratings == answered.ratings, event.fields
            ('', True, ('text',))
        """
        if not self.text:
            return self, None
        erased = attrs.evolve(self, version=self.version + 1, text="")
        event = PersonalDataErased(
            aggregate_id=self.id,
            aggregate_version=erased.version,
            occurred_at=at,
            fields=("text",),
        )
        return erased, event

    def answer(self, reply: str, *, at: dt.datetime) -> tuple[Review, ReviewAnswered]:
        """Return the review with the host's public reply, one version on, and its event.

        A review has one reply: answering again replaces it (the event says so), and
        moves ``replied_at`` to ``at``.

        Args:
            reply: What the host answers; stripped, not empty, at most
                :data:`MAX_TEXT_LENGTH` characters.
            at: When the host answers; not before the review was written.

        Returns:
            The answered review, and the :class:`ReviewAnswered` event to collect.

        Raises:
            InvalidReviewError: The reply is empty or too long, or ``at`` is before
                :attr:`written_at`.
            NaiveDatetimeError: ``at`` has no timezone.

        Example:
            Continuing the module example above:

            >>> corrected, again = answered.answer(
            ...     "Thank you! Come back in spring.",
            ...     at=pendulum.datetime(2026, 7, 15, 9, 5, tz="Europe/Lisbon"),
            ... )
            >>> corrected.version, corrected.reply, again.replaced
            (3, 'Thank you! Come back in spring.', True)
        """
        text = _new_reply(reply)
        answered = attrs.evolve(self, version=self.version + 1, reply=text, replied_at=at)
        event = ReviewAnswered(
            aggregate_id=answered.id,
            aggregate_version=answered.version,
            occurred_at=at,
            order=answered.order,
            customer=answered.customer,
            reply=text,
            replaced=self.reply is not None,
        )
        return answered, event


def average_ratings(reviews: Iterable[Review]) -> dict[RatingDimension, Decimal]:
    """Return the mean score per dimension over the reviews that rated it.

    Each mean is rounded once, to one decimal place, half up. Dimensions no review
    rated are left out, so no reviews give ``{}``. The dimensions come in the order of
    :class:`RatingDimension`.

    Args:
        reviews: The reviews, e.g. of one property.

    Example:
        Continuing the module example above:

        >>> import attrs
        >>> from staycore.orders.reviews import average_ratings
        >>> second = attrs.evolve(review, ratings={"cleanliness": 4, "service": 4})
        >>> {d.value: str(mean) for d, mean in average_ratings([review, second]).items()}
        {'cleanliness': '4.5', 'service': '4.0', 'location': '5.0', 'value': '3.0'}
        >>> average_ratings([])
        {}
    """
    totals: dict[RatingDimension, list[int]] = {}
    for review in reviews:
        for dimension, score in review.ratings.items():
            total = totals.setdefault(dimension, [0, 0])
            total[0] += score
            total[1] += 1
    return {
        dimension: _mean(*totals[dimension]) for dimension in RatingDimension if dimension in totals
    }
