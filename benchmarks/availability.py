"""Benchmark: portfolio search against a night-by-night dictionary implementation.

A portfolio of unit-type calendars over two years, with bookings, blocks and realistic
restrictions (weekend minimum stays, closed-to-arrival days, stop-sells, a New Year
minimum stay through, lead times on some unit types). The same random searches of 1-14
night stays across the whole portfolio run through:

* staycore's :class:`~staycore.availability.search.PortfolioIndex`;
* a straightforward implementation: per calendar a dict of date -> rooms left and a dict
  of date -> restrictions, checked night by night (the peer; it runs on a sample of the
  searches, as it is too slow to run them all);
* with numpy installed, a vectorised reference over (calendars x nights) arrays.

All three must agree on every sampled search. Prints one JSON line.

Run: ``python benchmarks/availability.py [--calendars 10000] [--searches 10000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections.abc import Callable
from typing import Any

from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.inventory import Count, InventoryCalendar
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import Restriction, RestrictionCalendar
from staycore.availability.search import Listing, PortfolioIndex, SearchQuery
from staycore.kernel.time import Stay

Entry = tuple[Listing, InventoryCalendar, RestrictionCalendar]
Calendar = tuple[Listing, dict[dt.date, int], dict[dt.date, dict[Restriction, int]]]

HORIZON = Stay.of_nights(dt.date(2027, 1, 1), 730)
TODAY = dt.date(2026, 12, 1)


def build_portfolio(calendars: int, rng: random.Random) -> list[Entry]:
    nights = list(HORIZON)
    weekends = NightSelection(HORIZON, {4, 5})  # Fridays and Saturdays
    new_years = [
        NightSelection.of(Stay(dt.date(year, 12, 30), dt.date(year + 1, 1, 2))) for year in (2027,)
    ]
    portfolio = []
    properties = [PropertyId.new() for _ in range(max(1, calendars // 5))]
    for n in range(calendars):
        inventory = InventoryCalendar(UnitTypeId.new(), HORIZON)
        rules = RestrictionCalendar(HORIZON)
        rooms = rng.choice((1, 1, 2, 3, 5, 8))
        inventory.set_capacity(NightSelection.of(HORIZON), rooms)
        for _ in range(rng.randint(20, 80)):  # bookings and blocks
            start = rng.randrange(len(nights) - 14)
            stay = Stay.of_nights(nights[start], rng.randint(1, 7))
            if min(inventory.availability(stay)) > 0:
                inventory.take(
                    stay, 1, rng.choice((Count.SOLD, Count.SOLD, Count.HELD, Count.BLOCKED))
                )
        if rng.random() < 0.3:
            rules.restrict(weekends, min_stay_arrival=2)
        if rng.random() < 0.2:
            rules.restrict(NightSelection.of(HORIZON), max_stay_arrival=rng.choice((14, 21, 28)))
        for _ in range(rng.randint(0, 6)):
            start = rng.randrange(len(nights) - 3)
            span = NightSelection.of(Stay.of_nights(nights[start], rng.randint(1, 3)))
            choice = rng.random()
            if choice < 0.4:
                rules.restrict(span, closed_to_arrival=True)
            elif choice < 0.6:
                rules.restrict(span, closed_to_departure=True)
            else:
                rules.restrict(span, stop_sell=True)
        if rng.random() < 0.5:
            for selection in new_years:
                rules.restrict(selection, min_stay_through=3)
        if rng.random() < 0.1:
            rules.restrict(NightSelection.of(HORIZON), min_lead_days=rng.choice((1, 2, 7)))
        listing = Listing(
            properties[n % len(properties)],
            inventory.unit_type,
            f"u{n}",
            rng.choice((1, 2, 2, 3, 4, 6)),
        )
        portfolio.append((listing, inventory, rules))
    return portfolio


def random_queries(count: int, rng: random.Random) -> list[SearchQuery]:
    nights = list(HORIZON)
    queries = []
    for _ in range(count):
        length = rng.randint(1, 14)
        start = rng.randrange(len(nights) - length)
        queries.append(
            SearchQuery(
                Stay.of_nights(nights[start], length),
                guests=rng.choice((1, 2, 2, 2, 3, 4)),
                rooms=rng.choice((1, 1, 1, 2)),
                booked_on=TODAY,
            )
        )
    return queries


class NightByNight:
    """The peer: dictionaries of date -> count and date -> restrictions, per calendar."""

    def __init__(self, portfolio: list[Entry]) -> None:
        self.calendars: list[Calendar] = []
        for listing, inventory, rules in portfolio:
            left = dict(zip(HORIZON, inventory.availability(HORIZON), strict=True))
            restrictions = {night: rules.on(night) for night in HORIZON}
            self.calendars.append((listing, left, restrictions))

    def search(self, query: SearchQuery) -> list[Listing]:
        stay, length = query.stay, query.stay.nights
        lead = (stay.check_in - query.booked_on).days
        found = []
        for listing, left, restrictions in self.calendars:
            if listing.max_guests < query.guests:
                continue
            arrival = restrictions.get(stay.check_in, {})
            if arrival.get(Restriction.CLOSED_TO_ARRIVAL):
                continue
            if length < arrival.get(Restriction.MIN_STAY_ARRIVAL, 0):
                continue
            longest = arrival.get(Restriction.MAX_STAY_ARRIVAL, 0)
            if longest and length > longest:
                continue
            if lead < arrival.get(Restriction.MIN_LEAD_DAYS, 0):
                continue
            furthest = arrival.get(Restriction.MAX_LEAD_DAYS, 0)
            if furthest and lead > furthest:
                continue
            if restrictions.get(stay.check_out, {}).get(Restriction.CLOSED_TO_DEPARTURE):
                continue
            ok = True
            night = stay.check_in
            for _ in range(length):
                here = restrictions.get(night, {})
                if (
                    left.get(night, 0) < query.rooms
                    or here.get(Restriction.STOP_SELL)
                    or length < here.get(Restriction.MIN_STAY_THROUGH, 0)
                ):
                    ok = False
                    break
                night += dt.timedelta(days=1)
            if ok:
                found.append(listing)
        return found


def numpy_reference(portfolio: list[Entry]) -> Callable[[SearchQuery], list[Listing]] | None:
    try:
        import numpy as np  # noqa: PLC0415 - optional
    except ImportError:
        return None
    listings = [listing for listing, _, _ in portfolio]
    left = np.array(
        [inventory.availability(HORIZON) for _, inventory, _ in portfolio], dtype=np.int16
    )
    departure = Stay(HORIZON.check_in, HORIZON.check_out + dt.timedelta(days=1))
    column = {
        r: np.array([rules.column(r, departure) for _, _, rules in portfolio], dtype=np.int16)
        for r in Restriction
    }
    guests = np.array([listing.max_guests for listing in listings])

    def search(query: SearchQuery) -> list[Listing]:
        first = (query.stay.check_in - HORIZON.check_in).days
        last = first + query.stay.nights
        length, lead = query.stay.nights, (query.stay.check_in - query.booked_on).days
        ok = guests >= query.guests
        ok &= left[:, first:last].min(axis=1) >= query.rooms
        ok &= column[Restriction.STOP_SELL][:, first:last].max(axis=1) == 0
        ok &= column[Restriction.MIN_STAY_THROUGH][:, first:last].max(axis=1) <= length
        ok &= column[Restriction.CLOSED_TO_ARRIVAL][:, first] == 0
        ok &= column[Restriction.CLOSED_TO_DEPARTURE][:, last] == 0
        ok &= column[Restriction.MIN_STAY_ARRIVAL][:, first] <= length
        longest = column[Restriction.MAX_STAY_ARRIVAL][:, first]
        ok &= (longest == 0) | (longest >= length)
        ok &= column[Restriction.MIN_LEAD_DAYS][:, first] <= lead
        furthest = column[Restriction.MAX_LEAD_DAYS][:, first]
        ok &= (furthest == 0) | (furthest >= lead)
        return [listings[i] for i in np.flatnonzero(ok)]

    return search


def per_search_us(search: Callable[[SearchQuery], Any], queries: list[SearchQuery]) -> float:
    started = time.perf_counter()
    for query in queries:
        search(query)
    return (time.perf_counter() - started) / len(queries) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calendars", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--peer-searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    portfolio = build_portfolio(args.calendars, rng)
    index = PortfolioIndex(HORIZON)
    started = time.perf_counter()
    index.add_all(portfolio)
    index_seconds = time.perf_counter() - started
    peer = NightByNight(portfolio)
    vectorised = numpy_reference(portfolio)
    queries = random_queries(args.searches, rng)
    sample = queries[: args.peer_searches]

    # Every implementation must give the same answer before any is timed.
    for query in sample:
        expected = peer.search(query)
        assert index.search(query).bookable() == expected, query
        if vectorised is not None:
            assert vectorised(query) == expected, query

    # A search answers with the bookable unit types, listed.
    staycore_us = per_search_us(lambda q: index.search(q).bookable(), queries)
    naive_us = per_search_us(peer.search, sample)
    line: dict[str, Any] = {
        "bench": "availability",
        "calendars": args.calendars,
        "nights": HORIZON.nights,
        "searches": len(queries),
        "peer_searches": len(sample),
        "index_build_s": round(index_seconds, 2),
        "staycore_us_per_search": round(staycore_us, 1),
        "naive_us_per_search": round(naive_us, 1),
        "speedup_vs_naive": round(naive_us / staycore_us, 1),
    }
    if vectorised is not None:
        numpy_us = per_search_us(vectorised, sample)
        line["numpy_us_per_search"] = round(numpy_us, 1)
        line["speedup_vs_numpy"] = round(numpy_us / staycore_us, 2)
    print(json.dumps(line))


if __name__ == "__main__":
    main()
