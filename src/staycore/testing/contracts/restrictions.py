"""The contract suite of the restriction store port (:mod:`staycore.ports.restrictions`).

Subclass :class:`RestrictionStoreContract` and override ``restriction_store`` to build
your adapter; every test opens a fresh unit type, so the suite runs against an empty
store or a shared database alike.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory import MemoryRestrictionStore
    >>> from staycore.testing.contracts import RestrictionStoreContract
    >>> class TestMemoryRestrictionStore(RestrictionStoreContract):
    ...     @pytest.fixture
    ...     def restriction_store(self) -> MemoryRestrictionStore:
    ...         return MemoryRestrictionStore()
    >>> "test_concurrent_changes_to_different_restrictions_all_land" in dir(
    ...     TestMemoryRestrictionStore)
    True
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from typing import ClassVar, Final, cast

import pytest

from staycore.availability.ids import UnitTypeId
from staycore.availability.inventory import NightOutsideCalendarError
from staycore.availability.nights import NightSelection
from staycore.availability.restrictions import (
    ContradictoryRestrictionsError,
    InvalidRestrictionError,
    Restriction,
)
from staycore.kernel.time import Stay
from staycore.ports.restrictions import RestrictionStore

__all__ = ["RestrictionStoreContract"]

_HORIZON = Stay.parse("2026-07-01/2026-09-01")
_WEEK = Stay.parse("2026-07-06/2026-07-13")  # Monday 6 to Sunday 12 July
_ONE_DAY = dt.timedelta(days=1)
# A value for every restriction that contradicts none of the others.
_EVERY: Final[Mapping[Restriction, bool | int]] = MappingProxyType(
    {
        Restriction.STOP_SELL: True,
        Restriction.CLOSED_TO_ARRIVAL: True,
        Restriction.CLOSED_TO_DEPARTURE: True,
        Restriction.MIN_STAY_ARRIVAL: 2,
        Restriction.MAX_STAY_ARRIVAL: 9,
        Restriction.MIN_STAY_THROUGH: 3,
        Restriction.MIN_LEAD_DAYS: 1,
        Restriction.MAX_LEAD_DAYS: 60,
    }
)


class RestrictionStoreContract:
    """The rules of :class:`~staycore.ports.restrictions.RestrictionStore`, as tests.

    Override :meth:`restriction_store`. ``races`` sizes the race of contradictory
    changes (two threads for each).
    """

    races: ClassVar[int] = 8

    @pytest.fixture
    def restriction_store(self) -> RestrictionStore:
        """Build the adapter under test; override this."""
        raise NotImplementedError("override the restriction_store fixture to build your adapter")

    @pytest.fixture
    def unit_type(self, restriction_store: RestrictionStore) -> UnitTypeId:
        """A fresh unit type with restrictions opened over the whole horizon."""
        unit_type = UnitTypeId.new()
        restriction_store.open_restrictions(unit_type, _HORIZON)
        return unit_type

    @staticmethod
    def on(
        store: RestrictionStore, unit_type: UnitTypeId, night: dt.date
    ) -> dict[Restriction, int]:
        """The restrictions set on ``night``, read from a snapshot of that night alone."""
        return store.restrictions(unit_type, Stay.of_nights(night, 1)).on(night)

    @staticmethod
    def column(
        store: RestrictionStore, unit_type: UnitTypeId, restriction: Restriction, nights: Stay
    ) -> list[int]:
        """The value of ``restriction`` on each night of ``nights`` (0 where not set)."""
        return store.restrictions(unit_type, nights).column(restriction, nights)

    # -- opening ---------------------------------------------------------------------

    def test_new_restrictions_have_nothing_set(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """An opened calendar starts with no restriction on any night."""
        snapshot = restriction_store.restrictions(unit_type, _HORIZON)
        assert snapshot.horizon == _HORIZON
        assert all(snapshot.on(night) == {} for night in _HORIZON)

    def test_a_growing_calendar_keeps_its_values(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Opening further keeps every value, new nights start unset; opening less clears none."""
        restriction_store.restrict(unit_type, NightSelection.of(_WEEK), _EVERY)
        restriction_store.open_restrictions(unit_type, Stay.parse("2026-06-01/2026-12-01"))
        restriction_store.open_restrictions(unit_type, Stay.parse("2026-07-08/2026-07-09"))
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 8)) == _EVERY
        assert self.on(restriction_store, unit_type, dt.date(2026, 11, 30)) == {}
        restriction_store.restrict(
            unit_type,
            NightSelection.of(Stay.parse("2026-06-01/2026-06-02")),
            {Restriction.STOP_SELL: True},
        )
        assert self.on(restriction_store, unit_type, dt.date(2026, 6, 1)) == {
            Restriction.STOP_SELL: 1
        }

    # -- changing --------------------------------------------------------------------

    def test_setting_one_restriction_leaves_the_others_as_they_were(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Each restriction is set on its own: a change never resets another one."""
        week = NightSelection.of(_WEEK)
        restriction_store.restrict(
            unit_type, week, {Restriction.CLOSED_TO_ARRIVAL: True, Restriction.MIN_LEAD_DAYS: 2}
        )
        restriction_store.restrict(unit_type, week, {Restriction.MIN_STAY_ARRIVAL: 3})
        restriction_store.restrict(unit_type, week, {Restriction.MIN_LEAD_DAYS: 0})
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 8)) == {
            Restriction.CLOSED_TO_ARRIVAL: 1,
            Restriction.MIN_STAY_ARRIVAL: 3,
        }
        restriction_store.restrict(unit_type, week, {Restriction.CLOSED_TO_ARRIVAL: False})
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 8)) == {
            Restriction.MIN_STAY_ARRIVAL: 3
        }
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 13)) == {}

    def test_every_restriction_is_kept(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Each of the eight restrictions is stored with its value, flags as 1."""
        restriction_store.restrict(unit_type, NightSelection.of(_WEEK), _EVERY)
        for restriction, value in _EVERY.items():
            assert self.column(restriction_store, unit_type, restriction, _WEEK) == [int(value)] * 7

    def test_a_weekday_selection_changes_only_its_weekdays(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Fridays and Saturdays of a range are changed; its other nights are not."""
        friday_saturday = {calendar.FRIDAY, calendar.SATURDAY}
        weekends = NightSelection(_HORIZON, friday_saturday)
        restriction_store.restrict(unit_type, weekends, {Restriction.MIN_STAY_ARRIVAL: 2})
        snapshot = restriction_store.restrictions(unit_type, _HORIZON)
        nights = snapshot.column(Restriction.MIN_STAY_ARRIVAL, _HORIZON)
        assert nights == [2 if night.weekday() in friday_saturday else 0 for night in _HORIZON]

    def test_a_contradictory_change_is_refused_and_nothing_is_applied(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """A minimum above its maximum on one night refuses the whole change, on every night.

        The maximum already stored on Saturdays contradicts the new minimum there only;
        nothing of the change is applied anywhere, not even its other restriction.
        """
        saturdays = NightSelection(_HORIZON, {calendar.SATURDAY})
        restriction_store.restrict(unit_type, saturdays, {Restriction.MAX_STAY_ARRIVAL: 3})
        with pytest.raises(ContradictoryRestrictionsError) as refused:
            restriction_store.restrict(
                unit_type,
                NightSelection.of(_WEEK),
                {Restriction.STOP_SELL: True, Restriction.MIN_STAY_ARRIVAL: 5},
            )
        assert refused.value.code == "availability.contradictory_restrictions"
        for night in _WEEK:
            saturday = night.weekday() == calendar.SATURDAY
            expected = {Restriction.MAX_STAY_ARRIVAL: 3} if saturday else {}
            assert self.on(restriction_store, unit_type, night) == expected
        with pytest.raises(ContradictoryRestrictionsError):
            restriction_store.restrict(
                unit_type,
                NightSelection.of(_WEEK),
                {Restriction.MIN_LEAD_DAYS: 10, Restriction.MAX_LEAD_DAYS: 2},
            )
        assert (
            self.column(restriction_store, unit_type, Restriction.MIN_LEAD_DAYS, _WEEK) == [0] * 7
        )

    def test_changing_both_bounds_together_is_not_a_contradiction(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """A change is checked against the values it sets, not against those it replaces."""
        week = NightSelection.of(_WEEK)
        restriction_store.restrict(
            unit_type, week, {Restriction.MIN_STAY_ARRIVAL: 2, Restriction.MAX_STAY_ARRIVAL: 3}
        )
        restriction_store.restrict(
            unit_type, week, {Restriction.MIN_STAY_ARRIVAL: 7, Restriction.MAX_STAY_ARRIVAL: 14}
        )
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 6)) == {
            Restriction.MIN_STAY_ARRIVAL: 7,
            Restriction.MAX_STAY_ARRIVAL: 14,
        }

    @pytest.mark.parametrize(
        ("restriction", "value"),
        [
            (Restriction.STOP_SELL, 1),
            (Restriction.CLOSED_TO_DEPARTURE, "yes"),
            (Restriction.MIN_STAY_ARRIVAL, -1),
            (Restriction.MIN_STAY_THROUGH, "3"),
            (Restriction.MAX_STAY_ARRIVAL, 2.5),
            (Restriction.MAX_LEAD_DAYS, True),
        ],
    )
    def test_invalid_values_are_refused_and_nothing_is_applied(
        self,
        restriction_store: RestrictionStore,
        unit_type: UnitTypeId,
        restriction: Restriction,
        value: object,
    ) -> None:
        """A value of the wrong type, or below zero, is refused with the change around it."""
        # Values a typed caller cannot pass, but one reading JSON can.
        changes = cast("dict[Restriction, bool | int]", {restriction: value})
        changes[Restriction.MIN_LEAD_DAYS] = 4
        with pytest.raises(InvalidRestrictionError) as refused:
            restriction_store.restrict(unit_type, NightSelection.of(_WEEK), changes)
        assert refused.value.code == "availability.invalid_restriction"
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 6)) == {}

    def test_nights_outside_the_calendar_are_refused_whole(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """A selection reaching past the calendar is refused, and nothing inside changes."""
        edge = NightSelection.between(dt.date(2026, 8, 30), dt.date(2026, 9, 3))
        with pytest.raises(NightOutsideCalendarError) as refused:
            restriction_store.restrict(unit_type, edge, {Restriction.STOP_SELL: True})
        assert refused.value.code == "availability.outside_calendar"
        inside = Stay.parse("2026-08-30/2026-09-01")
        assert self.column(restriction_store, unit_type, Restriction.STOP_SELL, inside) == [0, 0]

    def test_an_unknown_unit_type_is_refused(self, restriction_store: RestrictionStore) -> None:
        """Changing or reading restrictions never opened raises, with the calendar's code."""
        unknown = UnitTypeId.new()
        operations: list[Callable[[], object]] = [
            lambda: restriction_store.restrict(
                unknown, NightSelection.of(_WEEK), {Restriction.STOP_SELL: True}
            ),
            lambda: restriction_store.restrictions(unknown, _WEEK),
        ]
        for operation in operations:
            with pytest.raises(NightOutsideCalendarError) as refused:
                operation()
            assert refused.value.code == "availability.outside_calendar"

    # -- snapshots -------------------------------------------------------------------

    def test_a_snapshot_is_a_copy(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Changing a snapshot leaves the store alone; changing the store leaves the snapshot."""
        week = NightSelection.of(_WEEK)
        restriction_store.restrict(unit_type, week, {Restriction.MIN_STAY_THROUGH: 2})
        snapshot = restriction_store.restrictions(unit_type, _WEEK)
        snapshot.restrict(week, stop_sell=True, min_stay_through=5)
        assert self.on(restriction_store, unit_type, dt.date(2026, 7, 6)) == {
            Restriction.MIN_STAY_THROUGH: 2
        }
        again = restriction_store.restrictions(unit_type, _WEEK)
        restriction_store.restrict(unit_type, week, {Restriction.CLOSED_TO_ARRIVAL: True})
        assert again.on(dt.date(2026, 7, 6)) == {Restriction.MIN_STAY_THROUGH: 2}

    def test_a_snapshot_covers_exactly_the_nights_asked_for(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """The snapshot's horizon is the nights asked for; those outside the store read unset."""
        restriction_store.restrict(
            unit_type, NightSelection.of(_HORIZON), {Restriction.STOP_SELL: True}
        )
        edge = Stay.parse("2026-08-30/2026-09-03")
        snapshot = restriction_store.restrictions(unit_type, edge)
        assert snapshot.horizon == edge
        assert snapshot.column(Restriction.STOP_SELL, edge) == [1, 1, 0, 0]

    def test_a_snapshot_with_the_departure_date_checks_the_whole_stay(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Asked for the stay and its departure date, a snapshot sees closed-to-departure."""
        stay = Stay.parse("2026-07-10/2026-07-12")
        departure = NightSelection.of(Stay.of_nights(stay.check_out, 1))
        restriction_store.restrict(unit_type, departure, {Restriction.CLOSED_TO_DEPARTURE: True})
        arrival = NightSelection.of(Stay.of_nights(stay.check_in, 1))
        restriction_store.restrict(unit_type, arrival, {Restriction.MIN_STAY_ARRIVAL: 3})
        rules = restriction_store.restrictions(
            unit_type, Stay(stay.check_in, stay.check_out + _ONE_DAY)
        )
        found = [(v.night, v.restriction) for v in rules.check(stay, booked_on=dt.date(2026, 6, 1))]
        assert found == [
            (stay.check_in, Restriction.MIN_STAY_ARRIVAL),
            (stay.check_out, Restriction.CLOSED_TO_DEPARTURE),
        ]

    # -- concurrency -----------------------------------------------------------------

    def test_concurrent_changes_to_different_restrictions_all_land(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """Threads each setting one restriction on the same nights lose none of the others."""
        restrictions = list(_EVERY)
        start = threading.Barrier(len(restrictions))

        def change(restriction: Restriction) -> None:
            start.wait(timeout=10)
            for night in _WEEK:
                restriction_store.restrict(
                    unit_type,
                    NightSelection.of(Stay.of_nights(night, 1)),
                    {restriction: _EVERY[restriction]},
                )

        with ThreadPoolExecutor(max_workers=len(restrictions)) as pool:
            list(pool.map(change, restrictions))
        for night in _WEEK:
            assert self.on(restriction_store, unit_type, night) == _EVERY, f"lost on {night}"

    def test_racing_contradictory_changes_never_both_land(
        self, restriction_store: RestrictionStore, unit_type: UnitTypeId
    ) -> None:
        """A minimum and a maximum that contradict, set at once by two threads: one wins.

        Each change is valid against the night as it was; the check and the write must
        be one step, or both land and the night holds a minimum above its maximum.
        """
        nights = [_HORIZON.check_in + dt.timedelta(days=i) for i in range(self.races)]
        changes: list[tuple[dt.date, dict[Restriction, bool | int]]] = [
            (night, change)
            for night in nights
            for change in ({Restriction.MIN_STAY_ARRIVAL: 6}, {Restriction.MAX_STAY_ARRIVAL: 3})
        ]
        start = threading.Barrier(len(changes))

        def race(entry: tuple[dt.date, dict[Restriction, bool | int]]) -> bool:
            night, change = entry
            start.wait(timeout=10)
            try:
                restriction_store.restrict(
                    unit_type, NightSelection.of(Stay.of_nights(night, 1)), change
                )
            except ContradictoryRestrictionsError:
                return False
            return True

        with ThreadPoolExecutor(max_workers=len(changes)) as pool:
            landed = list(pool.map(race, changes))
        for i, night in enumerate(nights):
            assert landed[2 * i] != landed[2 * i + 1], f"not exactly one change won on {night}"
            assert len(self.on(restriction_store, unit_type, night)) == 1, f"both set on {night}"
