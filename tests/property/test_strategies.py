"""The strategies keep their promises: bounds, coverage of the hard cases, argument checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from staycore.kernel.currency import Currency, iso_codes
from staycore.kernel.errors import (
    InvalidAmountError,
    UnknownCurrencyError,
    UnknownTimezoneError,
)
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Slot, Stay, local_date
from staycore.testing.strategies import (
    TIMEZONES,
    amounts,
    booking_dates,
    currencies,
    identifiers,
    instants,
    money,
    ratios,
    register_identifier_kinds,
    rounding_policies,
    slots,
    stays,
    timezones,
    transition_tables,
)

# Reachability checks: the first example found will do, so no shrinking.
_SEARCH = settings(database=None, max_examples=1000, phases=[Phase.generate])


class StrategyRoomId(Identifier):
    prefix = "strat_room"


def _finds(strategy: SearchStrategy[Any], condition: Any) -> bool:
    find(strategy, condition, settings=_SEARCH)
    return True


@given(amount=money(currencies=["JPY", "KWD"], min_value="-10.5", max_value="250"))
def test_money_respects_currencies_and_bounds(amount: Money) -> None:
    assert amount.currency.code in {"JPY", "KWD"}
    assert Decimal("-10.5") <= amount.amount <= Decimal(250)
    assert amount.is_rounded
    assert amount.amount.as_tuple().exponent == -amount.currency.minor_units


@given(amount=amounts("CLF", min_value=0, max_value="0.0001", rounded=False))
def test_unrounded_amounts_carry_digits_below_the_minor_unit(amount: Decimal) -> None:
    assert Decimal(0) <= amount <= Decimal("0.0001")
    assert amount.as_tuple().exponent == -8


def test_money_reaches_every_kind_of_currency_and_sign() -> None:
    for minor_units in (0, 2, 3, 4):
        assert _finds(money(), lambda m, n=minor_units: m.currency.minor_units == n)
    assert _finds(money(), lambda m: m.is_negative)
    assert _finds(money(), lambda m: m.is_zero)
    assert _finds(money(), lambda m: abs(m.amount) > 10**12)
    assert _finds(money(rounded=False), lambda m: not m.is_rounded)
    assert _finds(currencies(), lambda c: c.code == "ZWG")


@given(weights=ratios(min_size=2, max_size=5))
def test_ratios_are_non_negative_and_not_all_zero(weights: list[Any]) -> None:
    values = [Decimal(w) for w in weights]
    assert 2 <= len(values) <= 5
    assert all(v >= 0 for v in values)
    assert any(v > 0 for v in values)
    assert not any(isinstance(w, float) for w in weights)


@given(
    stay=stays(
        min_nights=2, max_nights=5, min_date=dt.date(2026, 3, 1), max_date=dt.date(2026, 4, 30)
    )
)
def test_stays_respect_their_bounds(stay: Stay) -> None:
    assert 2 <= stay.nights <= 5
    assert stay.check_in >= dt.date(2026, 3, 1)
    assert stay.check_out <= dt.date(2026, 4, 30)


def test_stays_and_dates_reach_daylight_saving_changes_and_the_new_year() -> None:
    first, last = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert _finds(stays(min_date=first, max_date=last), lambda s: dt.date(2026, 3, 29) in s)
    assert _finds(stays(), lambda s: s.check_in.year < s.last_night.year)
    assert _finds(booking_dates(min_date=first, max_date=last), lambda d: d == dt.date(2026, 9, 6))
    lord_howe = booking_dates(timezones=["Australia/Lord_Howe"], min_date=first, max_date=last)
    assert _finds(lord_howe, lambda d: d == dt.date(2026, 4, 5))


@given(day=booking_dates(min_date=dt.date(2026, 12, 25), max_date=dt.date(2027, 1, 3)))
def test_booking_dates_stay_in_their_window(day: dt.date) -> None:
    assert dt.date(2026, 12, 25) <= day <= dt.date(2027, 1, 3)


@given(slot=slots(min_minutes=15, max_minutes=120, timezones=["America/Santiago"]))
def test_slots_respect_their_bounds_and_zone(slot: Slot) -> None:
    assert 15 <= slot.minutes <= 120
    assert slot.start.timezone_name == "America/Santiago"


def test_instants_reach_both_occurrences_of_a_repeated_hour() -> None:
    def repeated(instant: pendulum.DateTime) -> bool:
        return local_date(instant, "Europe/Paris") == dt.date(2026, 10, 25) and instant.hour == 2

    paris = instants(
        timezones=["Europe/Paris"], min_date=dt.date(2026, 10, 1), max_date=dt.date(2026, 10, 31)
    )
    assert _finds(paris, lambda i: repeated(i) and i.utcoffset() == dt.timedelta(hours=2))
    assert _finds(paris, lambda i: repeated(i) and i.utcoffset() == dt.timedelta(hours=1))


@given(zone=timezones())
def test_timezones_come_from_the_list(zone: str) -> None:
    assert zone in TIMEZONES


def test_identifier_kinds_resolve_from_type_once_registered() -> None:
    register_identifier_kinds()

    room = find(st.from_type(StrategyRoomId), lambda r: True, settings=_SEARCH)

    assert type(room) is StrategyRoomId
    assert str(room).startswith("strat_room_")


def test_identifiers_reach_old_and_far_future_timestamps() -> None:
    assert _finds(identifiers(StrategyRoomId), lambda i: i.timestamp.year < 2000)
    assert _finds(identifiers(StrategyRoomId), lambda i: i.timestamp.year > 3000)


@given(policy=rounding_policies(increments=None))
def test_policies_without_increments_round_to_the_minor_unit(policy: Any) -> None:
    assert policy.increment is None


def test_transition_tables_reach_every_state_kind() -> None:
    assert _finds(transition_tables(), lambda t: isinstance(t.initial, int))
    assert _finds(transition_tables(), lambda t: isinstance(t.initial, str))
    assert _finds(transition_tables(), lambda t: hasattr(t.initial, "name"))
    assert _finds(transition_tables(min_states=4), lambda t: len(t.final) >= 2)


@pytest.mark.parametrize(
    "make",
    [
        lambda: money(currencies=[]),
        lambda: money(currencies=["USD"], min_value="0.001", max_value="0.009"),
        lambda: money(min_value=5, max_value=1),
        lambda: amounts("JPY", min_value="0.1", max_value="0.9"),
        lambda: ratios(min_size=0),
        lambda: ratios(min_size=3, max_size=2),
        lambda: rounding_policies(modes=[]),
        lambda: stays(min_nights=0),
        lambda: stays(min_nights=5, max_nights=2),
        lambda: stays(min_date=dt.date(2026, 1, 1), max_date=dt.date(2026, 1, 3), min_nights=3),
        lambda: booking_dates(min_date=dt.date(2026, 2, 1), max_date=dt.date(2026, 1, 1)),
        lambda: booking_dates(min_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        lambda: slots(min_minutes=0),
        lambda: timezones([]),
        lambda: identifiers(str),  # type: ignore[type-var]
        lambda: transition_tables(min_states=0),
        lambda: transition_tables(state_kind="float"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_fail_when_the_strategy_is_made(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make()


def test_unknown_currencies_and_zones_fail_with_the_kernel_errors() -> None:
    with pytest.raises(UnknownCurrencyError):
        currencies(["EUR", "XXY"])
    with pytest.raises(UnknownTimezoneError):
        timezones(["Europe/Paris", "Mars/Olympus_Mons"])
    with pytest.raises(InvalidAmountError):
        rounding_policies(increments=["0"])
    with pytest.raises(InvalidAmountError):
        rounding_policies(modes=["HALF_UP"])
    currencies([Currency("PTS", 0)]).validate()
    assert len(iso_codes()) > 150
