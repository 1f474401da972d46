"""The contract suite of the order queries port (:mod:`staycore.ports.orders`).

Subclass :class:`OrderQueriesContract` and override ``order_storage`` to return a unit
of work factory and the queries over the same storage.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryOrderQueries, MemoryStore
    >>> from staycore.testing.contracts import OrderQueriesContract
    >>> class TestMemoryOrderQueries(OrderQueriesContract):
    ...     @pytest.fixture
    ...     def order_storage(self):  # -> tuple[UnitOfWorkFactory, OrderQueries]
    ...         store = MemoryStore()
    ...         return store.unit_of_work, MemoryOrderQueries(store)
    >>> "test_open_orders_leave_out_the_ended_ones" in dir(TestMemoryOrderQueries)
    True
"""

from __future__ import annotations

import pendulum
import pytest

from staycore.availability.ids import HoldId, UnitTypeId
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.ids import CustomerId, OrderId, ReviewId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import Channel, Guest, StayLine
from staycore.orders.order import Order
from staycore.orders.payments import MovementKind, MovementStatus, PaymentMovement
from staycore.orders.reviews import Review
from staycore.orders.terms import BookingTerms
from staycore.ports.orders import OrderQueries
from staycore.ports.persistence import UnitOfWorkFactory
from staycore.pricing.rate_plans import Guests

__all__ = ["OrderQueriesContract"]

_NOW = pendulum.datetime(2026, 6, 1, 10, tz="UTC")

Storage = tuple[UnitOfWorkFactory, OrderQueries]


def _order() -> Order:
    line = StayLine.priced(
        unit_type=UnitTypeId.new(),
        stay=Stay.parse("2026-07-10/2026-07-12"),
        guests=Guests(2),
        total=Money.of("200.00", "EUR"),
        night_prices=[Money.of("100.00", "EUR")] * 2,
        hold=HoldId.new(),
    )
    order, _ = Order.place(
        OrderId.new(),
        guest=Guest(name="Mei Tan", customer=CustomerId.new()),
        channel=Channel.DIRECT,
        lines=[line],
        terms=BookingTerms(timezone="Europe/Paris"),
        at=_NOW,
    )
    return order


def _capture(order: Order, amount: str, reference: str = "ch_1") -> PaymentMovement:
    return PaymentMovement(
        reference=reference,
        kind=MovementKind.CAPTURE,
        status=MovementStatus.SUCCEEDED,
        amount=Money.of(amount, "EUR"),
        order=order.id,
        occurred_at=_NOW,
    )


class OrderQueriesContract:
    """The rules of :class:`~staycore.ports.orders.OrderQueries`, as tests."""

    @pytest.fixture
    def order_storage(self) -> Storage:
        """A unit of work factory and the queries over the same storage; override this."""
        raise NotImplementedError("override the order_storage fixture to build your adapter")

    def test_open_orders_leave_out_the_ended_ones(self, order_storage: Storage) -> None:
        """Committed orders not in a final status are listed, oldest first; ended ones not."""
        uow, queries = order_storage
        first, second, ended = _order(), _order(), _order()
        ended, _ = ended.cancel(at=_NOW)
        with uow() as work:
            for order in (second, ended, first):
                work.repository(Order).add(order)
            work.commit()
        listed = [i for i in queries.open_orders() if i in {first.id, second.id, ended.id}]
        assert listed == sorted([first.id, second.id])

    def test_uncommitted_orders_are_not_listed(self, order_storage: Storage) -> None:
        """An order rolled back never shows up."""
        uow, queries = order_storage
        order = _order()
        with uow() as work:
            work.repository(Order).add(order)
            work.rollback()
        assert order.id not in queries.open_orders()

    def test_unsettled_orders_owe_money_back_or_hold_it_after_ending(
        self, order_storage: Storage
    ) -> None:
        """Orders owing a refund are listed; settled and unpaid ones are not."""
        uow, queries = order_storage
        unpaid, kept, extra = _order(), _order(), _order()
        paid, _ = kept.record_payment(_capture(kept, "200.00"), at=_NOW)
        forfeited, _ = paid.cancel(at=_NOW)  # the default policy keeps everything
        paid_twice, _ = extra.record_payment(_capture(extra, "200.00"), at=_NOW)
        overpaid, _ = paid_twice.record_payment(_capture(extra, "50.00", "ch_2"), at=_NOW)
        with uow() as work:
            for order in (unpaid, forfeited, overpaid):
                work.repository(Order).add(order)
            work.commit()
        ours = {unpaid.id, kept.id, extra.id}
        assert [i for i in queries.unsettled_orders() if i in ours] == [extra.id]

    def test_the_review_of_an_order_is_found(self, order_storage: Storage) -> None:
        """review_of finds the committed review of an order, and None for another."""
        uow, queries = order_storage
        order = _order()
        customer = order.guest.customer
        assert customer is not None
        review, _ = Review.write(
            order=order.id,
            customer=customer,
            order_status=OrderStatus.CHECKED_OUT,
            ratings={"service": 4},
            text="",
            at=_NOW,
            review_id=ReviewId.new(),
        )
        with uow() as work:
            work.repository(Review).add(review)
            work.commit()
        assert queries.review_of(order.id) == review.id
        assert queries.review_of(OrderId.new()) is None
