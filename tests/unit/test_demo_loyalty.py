"""The demo's loyalty chapter: points over stays, a tier, a reward on a quote, a win-back."""

from __future__ import annotations

import io

from staycore.demo import run_demo


def chapter() -> str:
    out = io.StringIO()
    run_demo(out)
    return out.getvalue().split("7. Loyalty:", 1)[1]


def test_points_build_up_over_three_stays_to_silver() -> None:
    text = chapter()
    assert "EUR 480.00 paid, 4,800 points; balance 4,800; Member" in text
    assert "EUR 360.00 paid, 3,600 points; balance 12,000; Silver" in text
    assert "Member -> Silver, valid through 2028-02-29" in text


def test_a_reward_takes_ten_euros_off_the_next_quote() -> None:
    text = chapter()
    assert "1,000 points for EUR 10 off" in text
    assert "balance 11,000" in text
    assert "EUR 240.00 -> EUR 230.00 with the points coupon" in text


def test_the_win_back_fires_once_after_a_long_absence() -> None:
    text = chapter()
    assert "win_back           no stay for 202 days, since 2026-07-23; coupon BACK" in text
    assert "running the triggers again sends 0 more" in text
