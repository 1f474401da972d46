"""The SQL restriction store against the restriction store contract, on SQLite and PostgreSQL.

Besides the contract, two :class:`Database` objects on one file or schema stand for two
application servers changing the same nights.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from staycore.adapters.sql import Database
from staycore.adapters.sql.restrictions import SqlRestrictionStore, restriction_nights
from staycore.availability.ids import UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import ContradictoryRestrictionsError, Restriction
from staycore.kernel.time import Stay
from staycore.testing.contracts import RestrictionStoreContract

_JULY = Stay.parse("2026-07-01/2026-08-01")


class TestSqlRestrictionStore(RestrictionStoreContract):
    @pytest.fixture
    def restriction_store(self, database: Database) -> SqlRestrictionStore:
        return SqlRestrictionStore(database)


def test_two_servers_never_both_land_contradictory_changes(
    database: Database, second_server: Database
) -> None:
    """A minimum on one server and a maximum on the other, on each night: one lands."""
    stores = (SqlRestrictionStore(database), SqlRestrictionStore(second_server))
    suite = UnitTypeId.new()
    stores[0].open_restrictions(suite, _JULY)
    nights = list(_JULY)[:8]
    changes: list[tuple[int, dt.date, dict[Restriction, bool | int]]] = [
        (n, night, change)
        for night in nights
        for n, change in enumerate(
            ({Restriction.MIN_STAY_ARRIVAL: 6}, {Restriction.MAX_STAY_ARRIVAL: 3})
        )
    ]
    start = threading.Barrier(len(changes))

    def change(entry: tuple[int, dt.date, dict[Restriction, bool | int]]) -> bool:
        server, night, values = entry
        start.wait(timeout=10)
        try:
            stores[server].restrict(suite, NightSelection.of(Stay.of_nights(night, 1)), values)
        except ContradictoryRestrictionsError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=len(changes)) as pool:
        landed = list(pool.map(change, changes))
    assert landed.count(True) == len(nights)
    snapshot = stores[1].restrictions(suite, _JULY)
    for night in nights:
        assert len(snapshot.on(night)) == 1, f"both set on {night}"


def test_a_calendar_grown_on_one_server_is_seen_by_the_other(
    database: Database, second_server: Database
) -> None:
    """Opening is kept in the database, and only ever grows the horizon."""
    first, second = SqlRestrictionStore(database), SqlRestrictionStore(second_server)
    suite = UnitTypeId.new()
    first.open_restrictions(suite, _JULY)
    second.open_restrictions(suite, Stay.parse("2026-06-20/2026-07-02"))
    second.open_restrictions(suite, Stay.parse("2026-07-10/2026-07-11"))
    june = NightSelection.of(Stay.parse("2026-06-20/2026-06-21"))
    july = NightSelection.of(Stay.parse("2026-07-31/2026-08-01"))
    for night in (june, july):  # both ends of the hull are open, on either server
        first.restrict(suite, night, {Restriction.STOP_SELL: True})
    assert second.restrictions(suite, Stay.parse("2026-06-19/2026-06-21")).column(
        Restriction.STOP_SELL, Stay.parse("2026-06-19/2026-06-21")
    ) == [0, 1]


def test_a_change_writes_only_its_selected_nights(database: Database) -> None:
    """Growing a calendar writes no night; a change writes a row per selected night only."""
    store = SqlRestrictionStore(database)
    suite = UnitTypeId.new()
    store.open_restrictions(suite, Stay.parse("2026-01-01/2028-01-01"))
    store.restrict(
        suite,
        NightSelection(_JULY, {5}),  # the Saturdays of July 2026
        {Restriction.MIN_STAY_ARRIVAL: 2},
    )
    query = sa.select(restriction_nights.c.night).where(
        restriction_nights.c.unit_type == str(suite)
    )
    with database.transaction(write=False) as connection:
        stored = sorted(connection.execute(query).scalars())
    assert stored == [night for night in _JULY if night.weekday() == 5]
