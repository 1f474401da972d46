"""Benchmark: quoting 7-night stays against the floor of any pricing loop.

A realistic rule set (four seasons, a weekend uplift, a demand curve, early bird, last
minute, a length-of-stay tier, a member discount, one coupon, a cleaning fee, two taxes)
prices random 7-night stays through one compiled :class:`~staycore.pricing.quote.Pricer`.
In the same run, the floor: a bare loop that only sums seven Decimal nightly prices with
one multiplication each, which any pricing code has to do at least. Also times a
365-night price calendar.

The quotes run twice: the first pass also fills the pricer's memory of the nights it
priced (per party and stay conditions); the second, a running service's steady state,
is the figure compared with the floor. Both are printed. The steady state and the floor
each run three times and the best run of each is compared.

Prints one JSON line. Run: ``python benchmarks/pricing.py [--quotes 20000]``.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import random
import time
from decimal import Decimal

import pendulum

from staycore.availability.ids import UnitTypeId
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.pricing.changes import PriceChange
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion
from staycore.pricing.quote import Pricer, price_calendar
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import (
    DemandCurve,
    Fee,
    FeeBasis,
    LeadTime,
    LeadTimeRule,
    LengthOfStayRule,
    RuleSet,
    Season,
    Tax,
    WeekdayRule,
)

BOOKED_AT = pendulum.datetime(2026, 11, 22, 10, tz="UTC")
REPEATS = 3
"""Steady-state runs of staycore and of the floor; the best of each is compared, as
``timeit`` advises: slower runs measure the machine's other work, not the code."""
FIRST_NIGHT = dt.date(2026, 12, 1)


def _eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


class _Coupon:
    """A coupon as the quote sees it: a code and the promotion it unlocks."""

    def __init__(self, code: str, promotion: PromotionId) -> None:
        self.code = code
        self.promotion = promotion


def realistic() -> tuple[RatePlan, RuleSet, _Coupon]:
    """The plan, the rule set and the coupon the benchmark quotes with."""
    plan = RatePlan(
        id=RatePlanId.new(),
        unit_type=UnitTypeId.new(),
        name="Standard",
        base_price=_eur("120.00"),
        base_occupancy=2,
        extra_adult=_eur("25.00"),
        child=_eur("12.00"),
    )
    year = 2027
    seasons = [
        Season("winter", Stay(dt.date(2026, 12, 1), dt.date(year, 3, 1)), PriceChange.percent(-5)),
        Season("spring", Stay(dt.date(year, 3, 1), dt.date(year, 6, 1)), PriceChange.percent(0)),
        Season("summer", Stay(dt.date(year, 6, 1), dt.date(year, 9, 1)), PriceChange.percent(25)),
        Season("autumn", Stay(dt.date(year, 9, 1), dt.date(year, 12, 1)), PriceChange.percent(5)),
    ]
    summer_sale = Promotion(
        id=PromotionId.new(),
        name="Summer sale",
        kind=DiscountKind.PERCENT,
        percent=Decimal(10),
    )
    rules = RuleSet(
        version="bench-1",
        currency="EUR",
        timezone="Europe/Paris",
        seasons=seasons,
        weekdays=[
            WeekdayRule("weekend", {calendar.FRIDAY, calendar.SATURDAY}, PriceChange.percent(15))
        ],
        demand=DemandCurve([("0.5", "0"), ("0.8", "10"), ("0.95", "25")]),
        lead_time=[
            LeadTimeRule("early bird", LeadTime.EARLY_BIRD, 60, PriceChange.percent(-10)),
            LeadTimeRule("last minute", LeadTime.LAST_MINUTE, 3, PriceChange.percent(-15)),
        ],
        length_of_stay=[LengthOfStayRule(7, PriceChange.percent(-8))],
        tiers={"gold": PriceChange.percent(-5)},
        floor=_eur("80.00"),
        ceiling=_eur("400.00"),
        fees=[Fee("Cleaning", _eur("45.00"), FeeBasis.STAY)],
        taxes=[
            Tax.percent("VAT", "10"),
            Tax.per_person_night("City tax", _eur("2.50"), adults_only=True),
        ],
        promotions=[summer_sale],
    )
    return plan, rules, _Coupon("SUMMER10", summer_sale.id)


def floor_loop(prices: list[list[Decimal]], factor: Decimal) -> float:
    """Microseconds per 'quote' of the bare loop: sum seven prices, one multiply each."""
    started = time.perf_counter()
    for nightly in prices:
        total = Decimal(0)
        for price in nightly:
            total += price * factor
    return (time.perf_counter() - started) / len(prices) * 1e6


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quotes", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(7)
    plan, rules, coupon = realistic()
    pricer = Pricer(plan, rules)
    horizon = [FIRST_NIGHT + dt.timedelta(days=n) for n in range(365)]
    occupancy = {night: Decimal(rng.randint(20, 100)) / 100 for night in horizon}
    stays = [Stay.of_nights(rng.choice(horizon[:-7]), 7) for _ in range(args.quotes)]
    parties = [Guests(rng.randint(1, 3), rng.randint(0, 2)) for _ in range(args.quotes)]
    tiers = [rng.choice([None, "gold"]) for _ in range(args.quotes)]
    coupons = [(coupon,) if rng.random() < 0.5 else () for _ in range(args.quotes)]

    def quote_all() -> float:
        started = time.perf_counter()
        for stay, guests, tier, entered in zip(stays, parties, tiers, coupons, strict=True):
            pricer.quote(
                stay, guests, booked_at=BOOKED_AT, tier=tier, coupons=entered, occupancy=occupancy
            )
        return (time.perf_counter() - started) / len(stays) * 1e6

    # The first pass fills the pricer's memory of nights priced under each party and
    # stay conditions; the second is a running service's steady state, the figure that
    # is compared. Both are printed.
    first_pass_us = quote_all()
    staycore_us = min(quote_all() for _ in range(REPEATS))

    nightly = [[Decimal(rng.randint(8000, 30000)) / 100 for _ in range(7)] for _ in stays]
    floor_us = min(floor_loop(nightly, Decimal("1.1")) for _ in range(REPEATS))

    started = time.perf_counter()
    runs = 20
    for _ in range(runs):
        price_calendar(
            Pricer(plan, rules),
            Stay.of_nights(FIRST_NIGHT, 365),
            Guests(2),
            booked_at=BOOKED_AT,
            occupancy=occupancy,
        )
    calendar_ms = (time.perf_counter() - started) / runs * 1e3

    print(
        json.dumps(
            {
                "bench": "pricing",
                "quotes": args.quotes,
                "staycore_us_per_quote": round(staycore_us, 2),
                "first_pass_us_per_quote": round(first_pass_us, 2),
                "floor_us_per_quote": round(floor_us, 3),
                "overhead_vs_floor": round(staycore_us / floor_us, 2),
                "calendar_365_ms": round(calendar_ms, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
