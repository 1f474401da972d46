"""The order use cases, end to end over the memory adapters and the sandbox gateway."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from staycore.adapters.payments import (
    DECLINED_CARD,
    PENDING_CARD,
    SUCCEEDING_CARD,
    THREE_D_SECURE_CARD,
)
from staycore.app.orders import AuthorizationTooEarlyError, InvalidCommandError, NothingToPayError
from staycore.availability.inventory import NotAvailableError
from staycore.kernel.errors import ConcurrencyError, GuardRejectedError, IdempotencyConflictError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.events import LateMoneyResolved, OrderLinesCancelled, StayChanged
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import AddOnLine, InvalidLineError, StayLine
from staycore.orders.order import Order, OrderNotChangeableError
from staycore.orders.payments import GatewayTimeoutError, MovementStatus, PaymentStatus
from staycore.orders.reviews import DuplicateReviewError, ReviewNotAllowedError
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.pricing.coupons import CouponExhaustedError
from staycore.pricing.quote import QuoteChangedError
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SUMMER_CODE, SandboxHotel, moderate_policy

STAY = "2026-07-10/2026-07-13"  # three nights at EUR 120
S = OrderStatus


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def held(hotel: SandboxHotel, stay: str = STAY) -> list[tuple[int, int]]:
    return [(c.held, c.sold) for c in hotel.counts(stay)]


def conserved(order: Order) -> bool:
    ledger = order.ledger
    return ledger.captured - ledger.refunded - ledger.charged_back == order.received


def paid_in_full(hotel: SandboxHotel, key: str = "book") -> Order:
    terms = BookingTerms(timezone="Europe/Paris", cancellation=moderate_policy())
    order = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key=key)
    return hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key=f"{key}-pay").order


# -- placing ------------------------------------------------------------------------


def test_placing_holds_the_nights_and_awaits_the_deposit() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY, breakfasts=3), idempotency_key="k")
    assert order.status is S.AWAITING_PAYMENT
    assert order.value == eur("405.00")  # 3 x 120 + 3 x 15
    assert hotel.orders.amount_due_now(order) == eur("121.50")  # the 30 % deposit
    assert held(hotel) == [(1, 0)] * 3
    assert hotel.stock.level(hotel.breakfast).held == 3
    assert order.expires_at == hotel.clock.now().add(minutes=15)


def test_placing_again_with_the_key_returns_the_order_and_holds_nothing_more() -> None:
    hotel = SandboxHotel()
    command = hotel.booking(STAY)
    first = hotel.orders.place(command, idempotency_key="k")
    assert hotel.orders.place(command, idempotency_key="k") == first
    assert held(hotel) == [(1, 0)] * 3
    with pytest.raises(IdempotencyConflictError):
        hotel.orders.place(hotel.booking("2026-07-20/2026-07-21"), idempotency_key="k")


def test_a_changed_price_refuses_the_order_and_holds_nothing() -> None:
    hotel = SandboxHotel()
    command = hotel.booking(STAY)
    hotel.pricer = hotel.pricer.__class__(
        hotel.pricer.plan.__class__(
            id=hotel.pricer.plan.id,
            unit_type=hotel.unit_type,
            name="Garden room",
            base_price=eur("130.00"),
        ),
        hotel.pricer.rules,
    )
    stale = type(command)(
        guest=command.guest,
        terms=command.terms,
        stays=[type(command.stays[0])(pricer=hotel.pricer, quote=command.stays[0].quote)],
    )
    with pytest.raises(QuoteChangedError):
        hotel.orders.place(stale, idempotency_key="k")
    assert held(hotel) == [(0, 0)] * 3


def test_a_full_night_refuses_the_order_and_nothing_stays_held() -> None:
    hotel = SandboxHotel(rooms=1)
    hotel.orders.place(hotel.booking("2026-07-12/2026-07-14"), idempotency_key="a")
    with pytest.raises(NotAvailableError):
        hotel.orders.place(hotel.booking(STAY, breakfasts=2), idempotency_key="b")
    assert held(hotel) == [(0, 0), (0, 0), (1, 0)]
    assert hotel.stock.level(hotel.breakfast).held == 0


# -- paying -------------------------------------------------------------------------


def test_the_deposit_confirms_and_the_balance_pays_in_full() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    deposit = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="dep")
    assert deposit.movement.amount == eur("108.00")
    assert deposit.order.status is S.CONFIRMED
    assert deposit.order.payment_status is PaymentStatus.PARTIALLY_PAID
    assert held(hotel) == [(0, 1)] * 3
    balance = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="bal")
    assert balance.movement.amount == eur("252.00")
    assert balance.order.payment_status is PaymentStatus.PAID
    assert balance.order.balance.is_zero
    assert conserved(balance.order)
    templates = [m.template for m in hotel.notifier.sent]
    assert templates == ["payment.received", "booking.confirmed", "payment.received"]


def test_a_declined_card_is_an_outcome_and_the_unpaid_order_expires() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    declined = hotel.orders.pay(order.id, method=DECLINED_CARD, idempotency_key="p")
    assert declined.movement.status is MovementStatus.FAILED
    assert declined.movement.failure_code == "card_declined"
    assert declined.order.status is S.AWAITING_PAYMENT
    hotel.clock.advance(minutes=16)
    report = hotel.orders.sweep()
    assert report.expired == (order.id,)
    assert hotel.orders.get(order.id).status is S.EXPIRED
    assert held(hotel) == [(0, 0)] * 3


def test_a_timeout_in_the_middle_of_a_charge_is_retried_without_paying_twice() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.gateway.lose_next_response("charge")
    with pytest.raises(GatewayTimeoutError):
        hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    retried = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    assert retried.order.status is S.CONFIRMED
    assert retried.order.received == eur("108.00")
    assert len(hotel.gateway.movements(order.id)) == 1


def test_three_d_secure_keeps_the_order_and_the_webhook_confirms_it() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.clock.advance(minutes=10)
    asked = hotel.orders.pay(order.id, method=THREE_D_SECURE_CARD, idempotency_key="p")
    assert asked.movement.status is MovementStatus.REQUIRES_ACTION
    assert asked.order.expires_at == hotel.clock.now().add(minutes=15)  # more time to pay
    hotel.gateway.complete_action(asked.movement.reference)
    hotel.gateway.duplicate_webhooks = hotel.gateway.reorder_webhooks = True
    hotel.deliver_webhooks()
    confirmed = hotel.orders.get(order.id)
    assert confirmed.status is S.CONFIRMED
    assert confirmed.received == eur("108.00")
    assert held(hotel) == [(0, 1)] * 3


def test_late_money_revives_an_expired_order_while_its_rooms_are_free() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=PENDING_CARD, idempotency_key="p")
    hotel.clock.advance(minutes=40)
    assert hotel.orders.sweep().expired == (order.id,)
    hotel.gateway.settle_pending()
    hotel.deliver_webhooks()
    revived = hotel.orders.get(order.id)
    assert revived.status is S.CONFIRMED
    assert held(hotel) == [(0, 1)] * 3
    outcomes = [e for e in hotel.store.outbox() if isinstance(e, LateMoneyResolved)]
    assert [e.outcome for e in outcomes] == ["confirmed"]


def test_late_money_is_refunded_when_the_rooms_went_to_someone_else() -> None:
    hotel = SandboxHotel(rooms=1)
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=PENDING_CARD, idempotency_key="p")
    hotel.clock.advance(minutes=40)
    hotel.orders.sweep()
    other = hotel.orders.place(hotel.booking(STAY), idempotency_key="other")
    hotel.orders.pay(other.id, method=SUCCEEDING_CARD, idempotency_key="other-pay")
    hotel.gateway.settle_pending()
    hotel.deliver_webhooks()
    refunded = hotel.orders.get(order.id)
    assert refunded.status is S.EXPIRED
    assert refunded.received.is_zero
    assert refunded.ledger.refunded == eur("108.00")
    assert refunded.payment_status is PaymentStatus.REFUNDED
    assert conserved(refunded)
    outcomes = [e for e in hotel.store.outbox() if isinstance(e, LateMoneyResolved)]
    assert [e.outcome for e in outcomes] == ["refunded"]
    assert held(hotel) == [(0, 1)] * 3  # the other guest's


# -- cancelling ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_before", "refunded"),
    [(10, "360.00"), (3, "180.00"), (0, "0.00")],
)
def test_cancelling_refunds_by_the_tier_of_the_moment(days_before: int, refunded: str) -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    arrival = dt.date(2026, 7, 10)
    now = hotel.clock.now()
    hotel.clock.advance(days=(arrival - now.date()).days - days_before)
    cancelled = hotel.orders.cancel(order.id, idempotency_key="c")
    assert cancelled.status is S.CANCELLED
    assert cancelled.ledger.refunded == eur(refunded)
    assert cancelled.received == eur("360.00") - eur(refunded) == cancelled.due
    assert cancelled.balance.is_zero
    assert conserved(cancelled)
    assert held(hotel) == [(0, 0)] * 3
    assert hotel.orders.cancel(order.id, idempotency_key="c") == cancelled  # a repeat


def test_cancelling_one_room_keeps_the_other_at_its_price() -> None:
    hotel = SandboxHotel()
    terms = BookingTerms(timezone="Europe/Paris", cancellation=moderate_policy())
    command = hotel.booking(STAY, "2026-07-20/2026-07-22", terms=terms)
    order = hotel.orders.place(command, idempotency_key="k")
    order = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p").order
    assert order.received == eur("600.00")
    first = order.lines[0]
    after = hotel.orders.cancel_lines(order.id, [first.id], idempotency_key="c")
    assert after.status is S.CONFIRMED
    assert after.value == eur("240.00")
    assert after.ledger.refunded == eur("360.00")
    assert held(hotel) == [(0, 0)] * 3
    assert held(hotel, "2026-07-20/2026-07-22") == [(0, 1)] * 2
    [record] = [e for e in hotel.store.outbox() if isinstance(e, OrderLinesCancelled)]
    assert record.charge.is_zero
    assert "100 % refunded" in record.explanation


def test_cancelling_the_last_night_keeps_the_first_two() -> None:
    hotel = SandboxHotel(rooms=1)
    order = paid_in_full(hotel)
    line = order.lines[0]
    assert isinstance(line, StayLine)
    after = hotel.orders.cancel_nights(
        order.id, line.id, [dt.date(2026, 7, 12)], idempotency_key="n"
    )
    shorter = after.line(line.id)
    assert isinstance(shorter, StayLine)
    assert str(shorter.stay) == "2026-07-10/2026-07-12"
    assert after.value == eur("240.00")
    assert after.received == eur("240.00")
    assert held(hotel) == [(0, 1), (0, 1), (0, 0)]
    with pytest.raises(InvalidLineError):
        hotel.orders.cancel_nights(order.id, line.id, [dt.date(2026, 7, 20)], idempotency_key="x")


def test_changing_dates_reprices_and_settles_the_difference() -> None:
    hotel = SandboxHotel(rooms=1)
    order = paid_in_full(hotel)
    line = order.lines[0]
    longer = hotel.orders.change_dates(
        order.id,
        line.id,
        stay=Stay.parse("2026-07-11/2026-07-15"),
        pricer=hotel.pricer,
        method=SUCCEEDING_CARD,
        idempotency_key="d",
    )
    assert longer.value == eur("480.00")
    assert longer.received == eur("480.00")
    assert held(hotel, "2026-07-10/2026-07-15") == [(0, 0)] + [(0, 1)] * 4
    shorter = hotel.orders.change_dates(
        order.id,
        line.id,
        stay=Stay.parse("2026-07-11/2026-07-12"),
        pricer=hotel.pricer,
        idempotency_key="e",
    )
    assert shorter.value == eur("120.00")
    assert shorter.received == eur("120.00")
    assert conserved(shorter)
    changes = [e for e in hotel.store.outbox() if isinstance(e, StayChanged)]
    assert [str(e.difference) for e in changes] == ["EUR 120.00", "EUR -360.00"]


def test_a_date_change_into_a_full_night_changes_nothing() -> None:
    hotel = SandboxHotel(rooms=1)
    order = paid_in_full(hotel)
    hotel.orders.place(hotel.booking("2026-07-13/2026-07-14"), idempotency_key="other")
    with pytest.raises(NotAvailableError):
        hotel.orders.change_dates(
            order.id,
            order.lines[0].id,
            stay=Stay.parse("2026-07-11/2026-07-14"),
            pricer=hotel.pricer,
            idempotency_key="d",
        )
    assert hotel.orders.get(order.id) == order
    assert held(hotel, "2026-07-10/2026-07-14") == [(0, 1)] * 3 + [(1, 0)]


# -- approval, the stay, no-shows ----------------------------------------------------


def test_a_request_to_book_waits_for_the_host() -> None:
    hotel = SandboxHotel()
    terms = BookingTerms(timezone="Europe/Paris", request_to_book=True)
    asked = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key="a")
    assert asked.status is S.AWAITING_APPROVAL
    approved = hotel.orders.approve(asked.id, idempotency_key="ok")
    assert approved.status is S.AWAITING_PAYMENT
    other = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key="b")
    declined = hotel.orders.decline(other.id, reason="closed that week", idempotency_key="no")
    assert declined.status is S.DECLINED
    late = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key="c")
    hotel.clock.advance(hours=25)
    assert hotel.orders.sweep().declined == (late.id,)
    assert [m.template for m in hotel.notifier.sent].count("booking.declined") == 2


def test_the_stay_from_arrival_to_completion() -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    with pytest.raises(GuardRejectedError):
        hotel.orders.check_in(order.id, idempotency_key="early")
    hotel.clock.set("2026-07-10T14:00:00Z")
    hotel.orders.check_in(order.id, idempotency_key="in")
    hotel.clock.set("2026-07-13T09:00:00Z")
    hotel.orders.check_out(order.id, idempotency_key="out")
    done = hotel.orders.complete(order.id, idempotency_key="done")
    assert done.status is S.COMPLETED
    assert hotel.orders.sweep().reminded == ()


def test_a_no_show_is_charged_per_policy_and_its_nights_freed() -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    hotel.clock.set("2026-07-11T09:00:00Z")
    assert hotel.orders.sweep().no_shows == (order.id,)
    ended = hotel.orders.get(order.id)
    assert ended.status is S.NO_SHOW
    assert ended.received == eur("360.00") == ended.due
    assert held(hotel) == [(0, 0)] * 3


def test_lines_do_not_change_after_arrival() -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    hotel.clock.set("2026-07-11T09:00:00Z")
    with pytest.raises(OrderNotChangeableError):
        hotel.orders.cancel_nights(
            order.id, order.lines[0].id, [dt.date(2026, 7, 12)], idempotency_key="n"
        )


def test_reminders_go_once_before_the_balance_falls_due() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="dep")
    hotel.clock.set("2026-06-30T09:00:00Z")  # balance due 2026-07-03, 3 days ahead
    assert hotel.orders.sweep().reminded == (order.id,)
    assert hotel.orders.sweep().reminded == ()  # already sent
    assert [m.template for m in hotel.notifier.sent][-1] == "payment.reminder"


def test_pay_at_property_confirms_without_money() -> None:
    hotel = SandboxHotel()
    terms = BookingTerms(timezone="Europe/Paris", schedule=PaymentSchedule.pay_at_property())
    order = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key="k")
    assert hotel.orders.amount_due_now(order).is_zero
    confirmed = hotel.orders.confirm(order.id, idempotency_key="c")
    assert confirmed.status is S.CONFIRMED
    assert confirmed.payment_status is PaymentStatus.NONE


def test_an_add_on_cancelled_gives_its_stock_back() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY, breakfasts=2), idempotency_key="k")
    [add_on] = [line for line in order.lines if isinstance(line, AddOnLine)]
    after = hotel.orders.cancel_lines(order.id, [add_on.id], idempotency_key="c")
    assert after.value == eur("360.00")
    assert hotel.stock.level(hotel.breakfast).held == 0
    assert held(hotel) == [(1, 0)] * 3


# -- card guarantees and reviews ------------------------------------------------------


def test_an_authorized_deposit_confirms_and_is_captured_at_check_in() -> None:
    hotel = SandboxHotel(now="2026-07-05T09:00:00Z")  # within the 7 days a card holds
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    held = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, capture=False, idempotency_key="a")
    assert held.order.status is S.CONFIRMED
    assert held.order.payment_status is PaymentStatus.AUTHORIZED
    assert held.order.received.is_zero
    assert held.order.ledger.authorized == eur("360.00")  # booked late: all of it now
    hotel.clock.set("2026-07-10T14:00:00Z")
    taken = hotel.orders.capture(order.id, idempotency_key="c")
    assert taken.movement.amount == eur("360.00")
    assert taken.order.received == eur("360.00")
    assert taken.order.ledger.authorized.is_zero
    with pytest.raises(NothingToPayError):
        hotel.orders.capture(order.id, idempotency_key="c2")


def test_a_guarantee_that_would_lapse_before_arrival_is_refused() -> None:
    hotel = SandboxHotel()  # 1 June, for 10 July
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    assert_refused(
        AuthorizationTooEarlyError,
        "orders.authorization_too_early",
        "authorize within 7 days of arrival",
        lambda: hotel.orders.pay(
            order.id, method=SUCCEEDING_CARD, capture=False, idempotency_key="a"
        ),
    )
    assert hotel.gateway.movements(order.id) == ()


@pytest.mark.parametrize(
    ("when", "captured", "kinds"),
    [
        ("2026-07-05T09:00:00Z", "180.00", ["authorization", "capture", "void"]),  # 50 %
        ("2026-07-10T09:00:00Z", "360.00", ["authorization", "capture"]),  # nothing back
    ],
)
def test_cancelling_a_guaranteed_order_takes_what_the_policy_keeps(
    when: str, captured: str, kinds: list[str]
) -> None:
    hotel = SandboxHotel(now="2026-07-03T16:00:00Z")
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, capture=False, idempotency_key="a")
    hotel.clock.set(when)
    cancelled = hotel.orders.cancel(order.id, idempotency_key="x")
    assert cancelled.ledger.authorized.is_zero
    assert cancelled.received == eur(captured) == cancelled.due
    assert cancelled.balance.is_zero
    assert [m.kind.value for m in hotel.gateway.movements(order.id)] == kinds


def test_a_dearer_date_change_charges_only_the_difference() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="dep")  # 108
    longer = hotel.orders.change_dates(
        order.id,
        order.lines[0].id,
        stay=Stay.parse("2026-07-10/2026-07-14"),
        pricer=hotel.pricer,
        method=SUCCEEDING_CARD,
        idempotency_key="d",
    )
    assert [m.amount for m in hotel.gateway.movements(order.id)] == [eur("108.00"), eur("120.00")]
    assert longer.balance == eur("252.00")  # the balance stays due under the schedule


def test_cancelling_a_later_room_counts_the_notice_from_its_own_arrival() -> None:
    hotel = SandboxHotel()
    terms = BookingTerms(timezone="Europe/Paris", cancellation=moderate_policy())
    command = hotel.booking(STAY, "2026-07-20/2026-07-22", terms=terms)
    order = hotel.orders.place(command, idempotency_key="k")
    order = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p").order
    hotel.clock.set("2026-07-05T09:00:00Z")  # 5 days before the first, 15 before the second
    after = hotel.orders.cancel_lines(order.id, [order.lines[1].id], idempotency_key="c")
    assert after.ledger.refunded == eur("240.00")  # the later room: free cancellation


def test_a_guest_reviews_a_stay_once_after_check_out() -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    with pytest.raises(ReviewNotAllowedError):
        hotel.reviews.leave(order.id, ratings={"service": 5})
    hotel.clock.set("2026-07-10T14:00:00Z")
    hotel.orders.check_in(order.id, idempotency_key="in")
    hotel.clock.set("2026-07-13T09:00:00Z")
    hotel.orders.check_out(order.id, idempotency_key="out")
    review = hotel.reviews.leave(order.id, ratings={"service": 5, "value": 3}, text="Lovely")
    assert review.customer == hotel.orders.get(order.id).guest.customer
    with pytest.raises(DuplicateReviewError):
        hotel.reviews.leave(order.id, ratings={"service": 1})
    answered = hotel.reviews.answer(review.id, reply="Thank you, come back soon")
    assert answered.reply == "Thank you, come back soon"
    assert answered.version == 2


# -- coupons, races and faults --------------------------------------------------------


def test_a_coupon_used_up_meanwhile_refuses_the_order_and_holds_nothing() -> None:
    hotel = SandboxHotel()
    first = hotel.orders.place(hotel.booking(STAY, codes=[SUMMER_CODE]), idempotency_key="a")
    assert first.value == eur("324.00")  # 10 % off
    late = hotel.booking("2026-07-20/2026-07-22", codes=[SUMMER_CODE])
    with pytest.raises(CouponExhaustedError):
        hotel.orders.place(late, idempotency_key="b")
    assert held(hotel, "2026-07-20/2026-07-22") == [(0, 0)] * 2
    hotel.orders.cancel(first.id, idempotency_key="c")  # gives the code's use back
    again = hotel.orders.place(
        hotel.booking("2026-07-20/2026-07-22", codes=[SUMMER_CODE]), idempotency_key="b"
    )
    assert again.value == eur("216.00")


def test_a_stale_copy_of_an_order_cannot_be_saved() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    stale, _ = order.cancel(at=hotel.clock.now())

    def save_stale() -> None:  # refused by save, or at the latest by commit
        with hotel.store.unit_of_work() as uow:
            uow.repository(Order).save(stale, expected_version=order.version)
            uow.commit()

    with pytest.raises(ConcurrencyError):
        save_stale()
    assert hotel.orders.get(order.id).status is S.CONFIRMED


def test_a_timeout_in_the_middle_of_a_capture_is_retried_without_taking_twice() -> None:
    hotel = SandboxHotel(now="2026-07-05T09:00:00Z")
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, capture=False, idempotency_key="a")
    hotel.gateway.lose_next_response("capture")
    with pytest.raises(GatewayTimeoutError):
        hotel.orders.capture(order.id, idempotency_key="c")
    taken = hotel.orders.capture(order.id, idempotency_key="c")
    assert taken.order.received == eur("360.00")
    kinds = [m.kind.value for m in hotel.gateway.movements(order.id)]
    assert kinds == ["authorization", "capture"]


def test_a_notifier_that_is_down_keeps_the_message_and_the_change() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.notifier.fail_next(RuntimeError("SMTP is down"), times=2)
    paid = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    assert paid.order.status is S.CONFIRMED
    assert [m.template for m in hotel.orders.undelivered] == [
        "payment.received",
        "booking.confirmed",
    ]


# -- money that races the clock, and refunds cut off ---------------------------------


def test_money_after_the_hold_lapsed_is_late_money_even_before_the_sweeper() -> None:
    hotel = SandboxHotel(rooms=1)
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    hotel.clock.advance(minutes=20)  # the store let the hold go; no sweep has run
    other = hotel.orders.place(hotel.booking(STAY), idempotency_key="other")
    late = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="p")
    assert late.order.status is S.EXPIRED
    assert late.order.received.is_zero
    assert late.order.ledger.refunded == eur("108.00")
    assert held(hotel) == [(1, 0)] * 3  # the other guest's hold, untouched
    assert hotel.orders.get(other.id).status is S.AWAITING_PAYMENT


def test_an_approval_confirms_a_request_paid_while_it_waited() -> None:
    hotel = SandboxHotel()
    terms = BookingTerms(timezone="Europe/Paris", request_to_book=True)
    asked = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key="a")
    hotel.orders.pay(asked.id, method=SUCCEEDING_CARD, idempotency_key="p")
    approved = hotel.orders.approve(asked.id, idempotency_key="ok")
    assert approved.status is S.CONFIRMED
    assert held(hotel) == [(0, 1)] * 3


def test_a_refund_cut_off_by_a_timeout_is_finished_by_the_sweeper_once() -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    hotel.gateway.lose_next_response("refund")
    cancelled = hotel.orders.cancel(order.id, idempotency_key="c")
    assert cancelled.status is S.CANCELLED  # the cancellation stands
    [asked] = cancelled.requests  # the refund asked, its answer lost: under way
    assert asked.amount == eur("360.00")
    assert cancelled.received == eur("360.00")
    assert cancelled.refund_due.is_zero  # never asked for twice
    assert hotel.queries.unsettled_orders() == (order.id,)
    hotel.orders.sweep()
    settled = hotel.orders.get(order.id)
    assert settled.requests == ()
    assert settled.received.is_zero
    refunds = [m for m in hotel.gateway.movements(order.id) if m.kind.value == "refund"]
    assert len(refunds) == 1  # the retry asked for the same refund, not a second one
    assert hotel.queries.unsettled_orders() == ()


def test_a_payment_under_way_is_not_asked_for_again() -> None:
    hotel = SandboxHotel()
    terms = BookingTerms(timezone="Europe/Paris", cancellation=moderate_policy())
    order = hotel.orders.place(hotel.booking(STAY, terms=terms), idempotency_key="k")
    pending = hotel.orders.pay(order.id, method=PENDING_CARD, idempotency_key="p")
    assert hotel.orders.amount_due_now(pending.order).is_zero
    with pytest.raises(NothingToPayError):
        hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="again")


def test_a_refund_refused_after_a_chargeback_is_planned_again_from_the_ledger() -> None:
    hotel = SandboxHotel(rooms=1)
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="k")
    paid = hotel.orders.pay(order.id, method=PENDING_CARD, idempotency_key="p")
    hotel.clock.advance(minutes=40)
    hotel.orders.sweep()  # expired unpaid
    hotel.orders.place(hotel.booking(STAY), idempotency_key="other")  # the room is gone
    hotel.gateway.settle_pending()
    hotel.gateway.chargeback(paid.movement.reference, eur("1.00"))
    for _ in range(2):
        hotel.deliver_webhooks()
        hotel.orders.sweep()
    settled = hotel.orders.get(order.id)
    assert settled.requests == ()
    assert settled.received.is_zero  # 107 refunded, 1 charged back
    assert settled.refund_due.is_zero
    assert hotel.queries.unsettled_orders() == ()


def test_a_refund_refused_for_a_chargeback_is_made_when_its_report_arrives() -> None:
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    [capture] = order.ledger.movements
    hotel.gateway.chargeback(capture.reference, eur("60.00"))  # its webhook not yet seen
    cancelled = hotel.orders.cancel(order.id, idempotency_key="c")
    assert cancelled.ledger.refunded.is_zero  # 360 refused: only 300 was left
    assert cancelled.refund_due == eur("360.00")
    hotel.deliver_webhooks()  # no sweep: the chargeback's report plans it again
    settled = hotel.orders.get(order.id)
    assert settled.ledger.refunded == eur("300.00")
    assert settled.received.is_zero
    assert settled.refund_due.is_zero
    assert conserved(settled)


def test_a_refund_cut_off_before_a_chargeback_gives_back_only_what_is_owed() -> None:
    """The sweeper looks the refund up by its key instead of asking for it again."""
    hotel = SandboxHotel()
    order = paid_in_full(hotel)
    [capture] = order.ledger.movements
    hotel.clock.advance(days=(dt.date(2026, 7, 10) - hotel.clock.now().date()).days - 3)
    hotel.gateway.fail_next("refund")  # the refund never reached the gateway
    cancelled = hotel.orders.cancel(order.id, idempotency_key="c")
    [asked] = cancelled.requests
    assert asked.amount == eur("180.00")  # half back, three days before arrival
    hotel.gateway.chargeback(capture.reference, eur("100.00"))
    hotel.deliver_webhooks()
    hotel.orders.sweep()
    settled = hotel.orders.get(order.id)
    assert settled.requests == ()
    assert settled.ledger.charged_back == eur("100.00")
    assert settled.ledger.refunded == eur("80.00")  # not the 180 first planned
    assert settled.received == settled.due == eur("180.00")
    assert conserved(settled)


def test_a_command_with_a_field_of_the_wrong_kind_is_refused_before_anything_is_held() -> None:
    hotel = SandboxHotel()
    booking = hotel.booking("2026-07-10/2026-07-12")
    before = hotel.counts("2026-07-10/2026-07-12")
    for wrong, says in [
        (lambda: attrs.evolve(booking, guest=None), "guest must be a Guest"),  # type: ignore[arg-type]
        (lambda: attrs.evolve(booking, stays=[None]), "stays must be a list of StayRequest"),  # type: ignore[list-item]
        (lambda: attrs.evolve(booking.stays[0], quote=None), "quote must be the Quote"),  # type: ignore[arg-type]
    ]:
        assert_refused(InvalidCommandError, "orders.invalid_command", says, wrong)
    assert_refused(
        InvalidCommandError,
        "orders.invalid_command",
        "takes a PlaceOrder",
        lambda: hotel.orders.place(None, idempotency_key="k"),  # type: ignore[arg-type]
    )
    assert hotel.counts("2026-07-10/2026-07-12") == before
