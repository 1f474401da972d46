"""The bitset search finds exactly what checking every calendar night by night finds."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.inventory import Count, InventoryCalendar
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import RestrictionCalendar
from staycore.availability.search import Listing, PortfolioIndex, SearchQuery
from staycore.kernel.time import Stay

HORIZON = Stay.parse("2026-07-01/2026-07-21")
NIGHTS = list(HORIZON)
PROPERTIES = (PropertyId.new(), PropertyId.new())


def _spans() -> st.SearchStrategy[Stay]:
    return st.tuples(st.integers(0, len(NIGHTS) - 1), st.integers(1, 6)).map(
        lambda pair: Stay.of_nights(NIGHTS[pair[0]], min(pair[1], len(NIGHTS) - pair[0]))
    )


_RULES = st.one_of(
    st.fixed_dictionaries({"stop_sell": st.booleans()}),
    st.fixed_dictionaries({"closed_to_arrival": st.booleans()}),
    st.fixed_dictionaries({"closed_to_departure": st.booleans()}),
    st.fixed_dictionaries({"min_stay_arrival": st.integers(0, 4)}),
    st.fixed_dictionaries({"max_stay_arrival": st.integers(0, 6).map(lambda n: n and n + 4)}),
    st.fixed_dictionaries({"min_stay_through": st.integers(0, 5)}),
    st.fixed_dictionaries({"min_lead_days": st.integers(0, 20)}),
    st.fixed_dictionaries({"max_lead_days": st.integers(0, 60).map(lambda n: n and n + 20)}),
)


@st.composite
def _portfolio(draw: st.DrawFn) -> tuple[PortfolioIndex, list[Listing]]:
    index = PortfolioIndex(HORIZON)
    listings = []
    entries = []
    for n in range(draw(st.integers(1, 12))):
        # Some calendars cover less than the index, as calendars opened later do.
        horizon = draw(st.sampled_from([HORIZON, Stay.parse("2026-07-05/2026-07-21")]))
        inventory = InventoryCalendar(UnitTypeId.new(), horizon)
        rules = RestrictionCalendar(horizon)
        inventory.set_capacity(NightSelection.of(horizon), draw(st.integers(0, 4)))
        for _ in range(draw(st.integers(0, 4))):
            span = draw(_spans()).overlap(horizon)
            if span is None:
                continue
            choice = draw(st.integers(0, 2))
            if choice == 0:
                inventory.set_capacity(NightSelection.of(span), draw(st.integers(0, 4)))
            else:
                count = Count.SOLD if choice == 1 else Count.BLOCKED
                inventory.take(span, draw(st.integers(1, 2)), count)
        for _ in range(draw(st.integers(0, 3))):
            span = draw(_spans()).overlap(horizon)
            if span is not None:
                rules.restrict(NightSelection.of(span), **draw(_RULES))
        listing = Listing(
            PROPERTIES[n % 2], inventory.unit_type, f"unit type {n}", draw(st.integers(1, 4))
        )
        entries.append((listing, inventory, rules))
        listings.append(listing)
    # Both ways of filling an index: in bulk, and one unit type at a time.
    if draw(st.booleans()):
        index.add_all(entries)
    else:
        for entry in entries:
            index.add(*entry)
    return index, listings


_QUERIES = st.builds(
    SearchQuery,
    _spans().filter(lambda stay: stay.check_out <= HORIZON.check_out),
    guests=st.integers(1, 4),
    rooms=st.integers(1, 5),
    booked_on=st.dates(dt.date(2026, 6, 1), dt.date(2026, 7, 10)),
    properties=st.one_of(st.none(), st.sets(st.sampled_from(PROPERTIES), min_size=1)),
)


def _night_by_night(
    index: PortfolioIndex, listings: list[Listing], query: SearchQuery
) -> set[Listing]:
    """The straightforward answer: check every night of every calendar."""
    found = set()
    for position, listing in enumerate(listings):
        if query.properties is not None and listing.property_id not in query.properties:
            continue
        if not index.explain(position, query):
            found.add(listing)
    return found


@settings(max_examples=150)
@given(portfolio=_portfolio(), query=_QUERIES)
def test_search_agrees_with_checking_every_night(
    portfolio: tuple[PortfolioIndex, list[Listing]], query: SearchQuery
) -> None:
    index, listings = portfolio
    result = index.search(query)
    expected = _night_by_night(index, listings, query)

    assert set(result.bookable()) == expected
    assert result.count == len(expected)
    refused = {refusal.listing for refusal in result.refusals()}
    in_scope = {
        listing
        for listing in listings
        if query.properties is None or listing.property_id in query.properties
    }
    assert refused == in_scope - expected
    assert all(refusal.reasons for refusal in result.refusals())


@settings(max_examples=60)
@given(portfolio=_portfolio(), query=_QUERIES, data=st.data())
def test_refreshing_after_a_change_keeps_the_search_exact(
    portfolio: tuple[PortfolioIndex, list[Listing]], query: SearchQuery, data: st.DataObject
) -> None:
    index, listings = portfolio
    listing = data.draw(st.sampled_from(listings))
    inventory = index.inventory(listing.unit_type)
    span = data.draw(_spans()).overlap(inventory.horizon)
    if span is not None:
        inventory.set_capacity(NightSelection.of(span), data.draw(st.integers(0, 3)))
        index.restrictions(listing.unit_type).restrict(NightSelection.of(span), **data.draw(_RULES))
        index.refresh(listing.unit_type, span)

    assert set(index.search(query).bookable()) == _night_by_night(index, listings, query)


def test_paging_returns_the_bookable_unit_types_in_order() -> None:
    index = PortfolioIndex(HORIZON)
    listings = []
    for n in range(20):
        inventory = InventoryCalendar(UnitTypeId.new(), HORIZON)
        inventory.set_capacity(NightSelection.of(HORIZON), n % 2)  # every other one is full
        listing = Listing(PROPERTIES[0], inventory.unit_type, str(n), 2)
        index.add(listing, inventory, RestrictionCalendar(HORIZON))
        listings.append(listing)
    result = index.search(
        SearchQuery(Stay.parse("2026-07-02/2026-07-04"), guests=2, booked_on=dt.date(2026, 6, 1))
    )
    assert result.count == 10
    assert result.bookable(offset=2, limit=3) == [listings[5], listings[7], listings[9]]
    assert len(result.refusals()) == 10
