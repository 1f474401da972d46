"""The demo's year: deterministic by seed, every table there, money and rooms add up.

The year runs here with fewer guests than ``staycore demo`` draws (the CLI's own run is
in ``test_cli.py``): once on a SQLite file, whose database the tests open again, and in
memory for the comparisons.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

import staycore
from staycore.availability.ids import UnitTypeId
from staycore.demo import YearReport, run_year
from staycore.demo.homestay import ROOM_TYPES
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.service import ServiceRequest
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import StayLine
from staycore.orders.order import Order
from staycore.orders.reviews import Review

SEED, GUESTS = 8, 30
YEAR = Stay(dt.date(2026, 1, 1), dt.date(2027, 1, 1))
HEADINGS = [
    "A year at the homestay: 30 guests, 365 days from 2026-01-01 (seed 8)",
    "The year at a glance",
    "KPIs, 2026-01-01 to 2026-12-31",
    "RFM segments (recency and frequency of stays, ranked among the guests)",
    "Churn watch list: the 10 guests most at risk, and why",
    "Loyalty: Garden Rewards",
    "Payments, through the sandbox gateway",
]


def year_in_memory(seed: int) -> str:
    out = io.StringIO()
    run_year(out, seed=seed, guests=GUESTS)
    return out.getvalue()


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, YearReport, str]:
    """The year on a SQLite file: its URL, its report, and what it printed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('year') / 'demo.db'}"
    out = io.StringIO()
    report = run_year(out, store=url, seed=SEED, guests=GUESTS)
    return url, report, out.getvalue()


@pytest.fixture(scope="module")
def orders(on_sqlite: tuple[str, YearReport, str]) -> list[Order]:
    """The orders the year left in its database, read back through a new application."""
    with staycore.bootstrap(store=on_sqlite[0]) as app:
        return list(app.stores.aggregates.committed(Order))


def test_the_same_seed_gives_the_same_year_on_sqlite_and_in_memory(
    on_sqlite: tuple[str, YearReport, str],
) -> None:
    _, _, printed = on_sqlite
    assert year_in_memory(SEED) == printed
    assert year_in_memory(SEED) == printed  # and again: nothing depends on ids or time


def test_another_seed_gives_another_year(on_sqlite: tuple[str, YearReport, str]) -> None:
    printed = on_sqlite[2]
    other = year_in_memory(SEED + 1)
    assert other.splitlines()[0].endswith("(seed 9)")

    def section(text: str, heading: str) -> str:
        return text.split(heading, 1)[1].split("\n\n", 2)[1]

    for heading in HEADINGS[2:5]:  # the KPIs, the RFM segments, the churn watch list
        assert section(other, heading) != section(printed, heading)


def test_every_table_is_printed_in_order(on_sqlite: tuple[str, YearReport, str]) -> None:
    printed = on_sqlite[2]
    places = [printed.index(f"{heading}\n") for heading in HEADINGS]
    assert places == sorted(places)
    for row in ("occupancy", "adr", "revpar", "cancellation_rate", "booking_conversion"):
        assert f"\n  {row} " in printed
    assert "  by quarter " in printed
    for tier in ("Member", "Silver", "Gold", "Platinum"):
        assert f"\n  {tier} " in printed
    for row in ("deposits (30 %)", "balances after a reminder", "refunded", "cards declined"):
        assert f"\n  {row}" in printed


def test_the_database_holds_the_year(
    on_sqlite: tuple[str, YearReport, str], orders: list[Order]
) -> None:
    url, report, _ = on_sqlite
    assert len(orders) == report.orders > GUESTS
    statuses = collections.Counter(order.status for order in orders)
    for status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.NO_SHOW):
        assert statuses[status] > 0, statuses
    assert {order.arrival for order in orders} <= set(YEAR)
    with staycore.bootstrap(store=url) as app:
        reviews = app.stores.aggregates.committed(Review)
        requests = app.stores.aggregates.committed(ServiceRequest)
    assert 0 < len(reviews) < statuses[OrderStatus.COMPLETED]
    assert any(request.category == "complaint" for request in requests)


def test_money_is_conserved(on_sqlite: tuple[str, YearReport, str], orders: list[Order]) -> None:
    _, report, printed = on_sqlite
    captured = Money.total((order.ledger.captured for order in orders), "EUR")
    refunded = Money.total((order.ledger.refunded for order in orders), "EUR")
    received = Money.total((order.received for order in orders), "EUR")
    assert refunded.is_positive
    assert captured - refunded == received
    # The gateway's own books, read by the report, say the same.
    assert (report.captured, report.refunded, report.received) == (captured, refunded, received)
    assert report.money_conserved
    assert "  money conserved: yes: " in printed


def test_no_night_is_sold_beyond_its_rooms(
    on_sqlite: tuple[str, YearReport, str], orders: list[Order]
) -> None:
    sold: collections.Counter[tuple[UnitTypeId, dt.date]] = collections.Counter()
    for order in orders:
        if order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
            continue
        for line in order.active_lines:
            if isinstance(line, StayLine):
                for night in line.stay:
                    sold[line.unit_type, night] += line.rooms
    unit_types = {unit_type for unit_type, _ in sold}
    assert len(unit_types) == len(ROOM_TYPES)
    rooms = sorted(room.rooms for room in ROOM_TYPES)
    with staycore.bootstrap(store=on_sqlite[0]) as app:
        for unit_type in unit_types:
            counts = app.stores.inventory.counts(unit_type, YEAR)
            assert max(count.capacity for count in counts) in rooms
            for count in counts:
                assert count.sold + count.held <= count.capacity + count.allowance
                assert sold[unit_type, count.night] <= count.capacity, count
    report = on_sqlite[1]
    assert report.oversold == 0
    assert report.fullest[0] <= report.fullest[1] == sum(rooms)


def test_the_churn_watch_list_says_why(on_sqlite: tuple[str, YearReport, str]) -> None:
    _, report, printed = on_sqlite
    watch = report.watch
    assert len(watch) == 10
    assert [guest.score for guest in watch] == sorted((g.score for g in watch), reverse=True)
    assert all(guest.reasons for guest in watch)
    assert any(reason.startswith("no stay for") for guest in watch for reason in guest.reasons)
    assert any("stays falling" in reason for guest in watch for reason in guest.reasons)
    assert f"\n  {watch[0].name} " in printed
    assert f"      - {watch[0].reasons[0]}\n" in printed


def test_members_earn_reach_tiers_and_redeem(on_sqlite: tuple[str, YearReport, str]) -> None:
    _, report, _ = on_sqlite
    tiers = dict(report.tiers)
    assert list(tiers) == ["Member", "Silver", "Gold", "Platinum"]
    assert tiers["Silver"] + tiers["Gold"] > 0
    points = report.points
    assert points["earned"] > points["redeemed"] > 0
    assert points["outstanding"] == points["earned"] - points["redeemed"] - points["expired"]
    liability = Money.of(Decimal(points["outstanding"]) / 100, "EUR")
    assert report.kpis.value("points_liability") == liability


def test_the_year_can_be_kept_in_a_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "short.db"
    run_year(io.StringIO(), store=f"sqlite:///{path}", seed=3, guests=8, days=40)
    with staycore.bootstrap(store=f"sqlite:///{path}") as app:
        placed = app.stores.aggregates.committed(Order)
    assert placed
    assert max(order.placed_at.date() for order in placed) < dt.date(2026, 2, 10)
