"""The demo's orders chapter books with a deposit, pays the balance and cancels under a tier."""

from __future__ import annotations

import io

from staycore.demo import run_demo


def chapter() -> str:
    out = io.StringIO()
    run_demo(out)
    return out.getvalue().split("6. Orders:", 1)[1]


def test_the_deposit_confirms_and_the_balance_pays_in_full() -> None:
    text = chapter()
    assert "paid EUR 108.00: confirmed, partially paid, received EUR 108.00" in text
    assert "webhooks twice     confirmed, partially paid, received EUR 108.00" in text
    assert "1 reminder: EUR 252.00 due 2026-07-03" in text
    assert "paid EUR 252.00: confirmed, paid, received EUR 360.00, balance EUR 0.00" in text


def test_the_cancellation_refunds_half_on_the_largest_payment() -> None:
    text = chapter()
    assert "50 % refunded, no fee; EUR 120.00 of EUR 240.00 forfeited" in text
    assert "refund             EUR 120.00 on sbx_ch_0004: largest payment first" in text
    assert "cancelled, partially refunded, received EUR 120.00, balance EUR 0.00" in text
    assert "the two nights are free again ([2, 2] rooms)" in text
