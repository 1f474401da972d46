"""Benchmark: the cost of a points entry as the membership grows.

Posts earn and redeem entries for 1,000 and then 1,000,000 members (10 entries each)
on the memory adapter (:class:`~staycore.adapters.memory.points.MemoryPointsLedger`),
and times the cost per entry, tier re-evaluation included: each of a member's ten
entries is a completed stay earning its points (base and tier bonus, by
:func:`~staycore.membership.earning.earnings_for_stay`) and moving the member's tier on
(:meth:`~staycore.membership.tiers.TierProgram.evaluate`), or a redemption of some of
them, through :class:`~staycore.membership.points.PointsAccount` and the ledger's
``post``. The members take their turns round-robin, so every entry lands on a ledger
already holding the other members' entries, and each member's history grows to ten.

``growth`` is the cost per entry at the larger size over the smaller: the ledger and
the account cost what a member has open, not what the membership or the member's
history holds, so it stays near 1. Prints one JSON line.

Run: ``python benchmarks/loyalty.py [--small 1000] [--large 1000000]``. The large run
keeps ten million entries in memory (about 10 GB) and takes some minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

import pendulum

from staycore.adapters.memory.points import MemoryPointsLedger
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.earning import EarningRules, earnings_for_stay
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.membership.points import ExpiryPolicy
from staycore.membership.tiers import TierProgram, TierStatus
from staycore.orders.ids import OrderId

ENTRIES = 10
REDEEM_EVERY = 5  # entries 5 and 10 of each member spend points; the others earn
START = dt.date(2026, 1, 5)
TIERS = TierProgram.example("EUR")
RULES = EarningRules(currency="EUR", points_per_unit=10)
POLICY = ExpiryPolicy.inactivity(months=24)
SPEND = Money.of("360.00", "EUR")


def run(members: int) -> float:
    """Microseconds per entry over ``members`` members, ten entries each."""
    customers = [CustomerId.new() for _ in range(members)]
    histories: list[list[StayRecord]] = [[] for _ in range(members)]
    statuses: list[TierStatus | None] = [None] * members
    ledger = MemoryPointsLedger()
    entries = 0
    started = time.perf_counter()
    for turn in range(1, ENTRIES + 1):
        check_in = START + dt.timedelta(days=7 * turn)
        stay = Stay(check_in, check_in + dt.timedelta(days=3))
        at = pendulum.datetime(stay.check_out.year, stay.check_out.month, stay.check_out.day, 9)
        for index, customer in enumerate(customers):
            account = ledger.account(customer)
            status = statuses[index]
            tier = TIERS.entry.name if status is None else status.tier
            key = f"{turn}"
            if turn % REDEEM_EVERY == 0:
                made = account.redeem(1000, at=at, key=key, policy=POLICY, tier=tier)
            else:
                record = StayRecord(order=OrderId.new(), stay=stay, spend=SPEND, completed_at=at)
                history = histories[index]
                history.append(record)
                percent = TIERS.tier(tier).benefits.bonus_percent
                made = ()
                for earning in earnings_for_stay(RULES, record, tier_bonus_percent=percent):
                    earned = account.earn(
                        earning.points,
                        at=at,
                        key=f"{key}:{earning.rule}",
                        policy=POLICY,
                        tier=tier,
                        rule=earning.rule,
                    )
                    for entry in earned:
                        account = account.apply(entry)
                    made += earned
                statuses[index] = TIERS.evaluate(history, status, stay.check_out)
            entries += len(ledger.post(customer, made))
    elapsed = time.perf_counter() - started
    return elapsed / entries * 1e6


def main() -> None:
    """Run both sizes and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    small = run(args.small)
    large = run(args.large)
    print(
        json.dumps(
            {
                "bench": "loyalty",
                "members_small": args.small,
                "members_large": args.large,
                "us_per_entry_1k": round(small, 2),
                "us_per_entry_1m": round(large, 2),
                "growth": round(large / small, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
