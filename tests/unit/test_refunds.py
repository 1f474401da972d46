"""Spreading a refund over the captured payments of an order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
import pytest

from staycore.kernel.errors import NaiveDatetimeError
from staycore.kernel.money import Money
from staycore.orders.errors import PaymentError
from staycore.orders.refunds import (
    InvalidRefundError,
    Refundable,
    RefundExceedsPaidError,
    RefundOrder,
    RefundPart,
    allocate_refund,
)

JUNE = pendulum.datetime(2026, 6, 1, 9, tz="UTC")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def paid(ref: str, amount: str, day: int = 1, **changes: Any) -> Refundable:
    fields: dict[str, Any] = {
        "reference": ref,
        "refundable": eur(amount),
        "captured_at": JUNE.add(days=day - 1),
    }
    return Refundable(**(fields | changes))


DEPOSIT, BALANCE, TOP_UP = (
    paid("pay_a", "300.00", 1),
    paid("pay_b", "700.00", 20),
    paid("pay_c", "50.00", 25),
)
PAYMENTS = [DEPOSIT, BALANCE, TOP_UP]


def split(amount: str, payments: list[Refundable], **options: Any) -> list[tuple[str, str]]:
    return [
        (p.reference, str(p.amount.amount))
        for p in allocate_refund(eur(amount), payments, **options)
    ]


def test_largest_first_drains_the_largest_payment_before_the_next() -> None:
    assert split("800.00", PAYMENTS) == [("pay_b", "700.00"), ("pay_a", "100.00")]
    assert split("700.00", PAYMENTS) == [("pay_b", "700.00")]
    assert split("1050.00", PAYMENTS) == [
        ("pay_b", "700.00"),
        ("pay_a", "300.00"),
        ("pay_c", "50.00"),
    ]


def test_most_recent_first_refunds_the_newest_capture_first() -> None:
    recent = RefundOrder.MOST_RECENT_FIRST

    assert split("60.00", PAYMENTS, order=recent) == [("pay_c", "50.00"), ("pay_b", "10.00")]
    assert split("800.00", PAYMENTS, order=recent) == [
        ("pay_c", "50.00"),
        ("pay_b", "700.00"),
        ("pay_a", "50.00"),
    ]


def test_each_part_says_why() -> None:
    (part,) = allocate_refund(eur("300.00"), PAYMENTS)

    assert part == RefundPart(
        "pay_b",
        eur("300.00"),
        "largest payment first: EUR 300.00 of EUR 700.00 refundable on pay_b",
    )
    (recent,) = allocate_refund(eur("5.00"), PAYMENTS, order=RefundOrder.MOST_RECENT_FIRST)
    assert recent.reason == "most recent payment first: EUR 5.00 of EUR 50.00 refundable on pay_c"


def test_equal_payments_go_most_recent_first_then_by_reference() -> None:
    early, late = paid("pay_z", "100.00", 1), paid("pay_y", "100.00", 2)
    same_time = [paid("pay_2", "100.00", 3), paid("pay_1", "100.00", 3)]

    assert split("150.00", [early, late]) == [("pay_y", "100.00"), ("pay_z", "50.00")]
    assert split("150.00", same_time) == [("pay_1", "100.00"), ("pay_2", "50.00")]
    assert split("150.00", same_time, order=RefundOrder.MOST_RECENT_FIRST) == [
        ("pay_1", "100.00"),
        ("pay_2", "50.00"),
    ]


def test_captures_at_the_same_instant_go_largest_first_when_most_recent_first() -> None:
    at = pendulum.datetime(2026, 6, 1, 11, tz="Europe/Paris")
    small = paid("pay_a", "10.00", captured_at=at)
    large = paid("pay_b", "90.00", captured_at=at.in_tz("UTC"))

    assert split("20.00", [small, large], order=RefundOrder.MOST_RECENT_FIRST) == [
        ("pay_b", "20.00")
    ]


def test_the_split_does_not_depend_on_the_order_payments_are_listed_in() -> None:
    for order in RefundOrder:
        assert allocate_refund(eur("720.00"), PAYMENTS, order=order) == allocate_refund(
            eur("720.00"), PAYMENTS[::-1], order=order
        )


def test_payments_with_nothing_left_are_skipped() -> None:
    spent = paid("pay_z", "0.00", 30)

    assert split("60.00", [spent, *PAYMENTS], order=RefundOrder.MOST_RECENT_FIRST) == [
        ("pay_c", "50.00"),
        ("pay_b", "10.00"),
    ]


def test_a_zero_refund_has_no_parts() -> None:
    assert allocate_refund(eur("0.00"), PAYMENTS) == ()
    assert allocate_refund(eur("0.00"), []) == ()


def test_refunding_everything_drains_every_payment() -> None:
    parts = allocate_refund(eur("1050.00"), PAYMENTS)

    assert {p.reference: p.amount for p in parts} == {p.reference: p.refundable for p in PAYMENTS}


def test_a_refund_beyond_what_was_paid_states_both_figures() -> None:
    with pytest.raises(RefundExceedsPaidError) as caught:
        allocate_refund(eur("1050.01"), PAYMENTS)

    error = caught.value
    assert error.code == "payments.refund_exceeds_paid"
    assert isinstance(error, PaymentError)
    assert (error.requested, error.refundable) == (eur("1050.01"), eur("1050.00"))
    assert "EUR 1050.01" in error.message
    assert "EUR 1050.00" in error.message


def test_a_refund_with_no_payments_exceeds_what_was_paid() -> None:
    with pytest.raises(RefundExceedsPaidError, match=r"EUR 0\.00 still refundable"):
        allocate_refund(eur("1.00"), [])


@pytest.mark.parametrize(
    ("amount", "payments", "phrase"),
    [
        (eur("-1.00"), PAYMENTS, "not negative"),
        (eur("1.001"), PAYMENTS, "rounded"),
        ("1.00", PAYMENTS, "Money"),
        (Money.of("1.00", "USD"), PAYMENTS, "refund each currency on its own payments"),
        (eur("1.00"), [DEPOSIT, DEPOSIT], "listed twice"),
        (eur("1.00"), ["pay_a"], "is a Refundable"),
        (eur("1.00"), "pay_a", "sequence of Refundable"),
    ],
)
def test_an_invalid_refund_says_what_to_fix(amount: Any, payments: Any, phrase: str) -> None:
    with pytest.raises(InvalidRefundError, match=phrase) as caught:
        allocate_refund(amount, payments)

    assert caught.value.code == "payments.invalid_refund"
    assert isinstance(caught.value, PaymentError)


def test_an_unknown_refund_order_is_refused() -> None:
    with pytest.raises(InvalidRefundError, match="LARGEST_FIRST"):
        allocate_refund(eur("1.00"), PAYMENTS, order="largest")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"reference": ""}, "non-empty"),
        ({"refundable": eur("-0.01")}, "not negative"),
        ({"refundable": eur("0.001")}, "rounded"),
    ],
)
def test_a_refundable_payment_out_of_range_is_refused(changes: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidRefundError, match=phrase):
        paid("pay_a", "1.00", **changes)


def test_a_capture_instant_needs_a_timezone() -> None:
    with pytest.raises(NaiveDatetimeError):
        paid("pay_a", "1.00", captured_at=dt.datetime(2026, 6, 1))  # noqa: DTZ001
