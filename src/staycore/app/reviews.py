"""Review use cases: a guest reviews a stay once, after check-out; the host may answer.

The use cases are :class:`Reviews`; a :class:`~staycore.testing.hotel.SandboxHotel` has
them wired as ``hotel.reviews``.

Example:
    >>> from staycore.adapters.payments import SUCCEEDING_CARD
    >>> from staycore.testing.hotel import SandboxHotel
    >>> hotel = SandboxHotel()
    >>> order = hotel.orders.place(hotel.booking("2026-07-10/2026-07-11"), idempotency_key="b")
    >>> _ = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    >>> hotel.clock.set("2026-07-10T14:00:00Z")
    >>> _ = hotel.orders.check_in(order.id, idempotency_key="in")
    >>> hotel.clock.set("2026-07-11T09:00:00Z")
    >>> _ = hotel.orders.check_out(order.id, idempotency_key="out")
    >>> review = hotel.reviews.leave(order.id, ratings={"cleanliness": 5, "value": 4},
    ...                        text="Quiet garden, kind hosts.")
    >>> str(review.ratings.overall)
    '4.5'
"""

from __future__ import annotations

from staycore.kernel.time import Clock
from staycore.orders.errors import OrderError
from staycore.orders.ids import OrderId, ReviewId
from staycore.orders.order import Order
from staycore.orders.reviews import DuplicateReviewError, RatingsInput, Review
from staycore.ports.orders import OrderQueries
from staycore.ports.persistence import UnitOfWorkFactory

__all__ = ["Reviews"]


class Reviews:
    """Leaving and answering reviews, over a unit of work.

    Args:
        uow: Opens units of work for orders and reviews.
        queries: Finds the review an order already has.
        clock: When each review is written.
    """

    def __init__(self, *, uow: UnitOfWorkFactory, queries: OrderQueries, clock: Clock) -> None:
        self._uow = uow
        self._queries = queries
        self._clock = clock

    def leave(self, order_id: OrderId, *, ratings: RatingsInput, text: str = "") -> Review:
        """The guest reviews their stay: once per order, after check-out.

        Raises:
            ReviewNotAllowedError: The guest has not checked out.
            DuplicateReviewError: The order already has a review.
            InvalidReviewError: A score outside 1 to 5, an unknown dimension, text too long.
            OrderError: The order has no customer profile (it was not placed through
                :class:`~staycore.app.orders.Orders`).
        """
        existing = self._queries.review_of(order_id)
        if existing is not None:
            raise DuplicateReviewError(order_id, existing=existing)
        with self._uow() as uow:
            order = uow.repository(Order).get(order_id)
            customer = order.guest.customer
            if customer is None:
                msg = (
                    f"order {order_id} has no customer profile to file the review under; "
                    "place orders through Orders.place, which gives every guest one"
                )
                raise OrderError(msg)
            review, left = Review.write(
                order=order_id,
                customer=customer,
                order_status=order.status,
                ratings=ratings,
                text=text,
                at=self._clock.now(),
                review_id=ReviewId.new(),
            )
            uow.repository(Review).add(review)
            uow.collect(left)
            uow.commit()
        return review

    def answer(self, review_id: ReviewId, *, reply: str) -> Review:
        """The host answers a review in public; answering again replaces the answer.

        Raises:
            AggregateNotFoundError: No such review.
            InvalidReviewError: An empty or too long reply.
        """
        with self._uow() as uow:
            reviews = uow.repository(Review)
            review = reviews.get(review_id)
            answered, event = review.answer(reply, at=self._clock.now())
            reviews.save(answered, expected_version=review.version)
            uow.collect(event)
            uow.commit()
        return answered
