"""Bad input to currencies and money: the right error, its code, and advice on what to do."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

import pytest

from staycore.kernel.currency import Currency
from staycore.kernel.errors import (
    AllocationError,
    CurrencyMismatchError,
    InvalidAmountError,
    NotRoundedError,
    UnknownCurrencyError,
)
from staycore.kernel.money import Money, RoundingPolicy
from staycore.testing.errors import assert_refused


def _bad(value: object) -> Any:
    """A value of the wrong type, as untyped callers and JSON pass them."""
    return value


# -- currencies ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["XXY", "EURO", "", "€", "XAU"])
def test_an_unknown_code_names_valid_examples(code: str) -> None:
    assert_refused(
        UnknownCurrencyError,
        "money.unknown_currency",
        "use an active ISO 4217 code such as 'EUR'",
        lambda: Currency.of(code),
    )
    assert_refused(
        UnknownCurrencyError, "money.unknown_currency", "ISO 4217", lambda: Money.of(1, code)
    )


def test_a_currency_code_must_be_text() -> None:
    assert_refused(
        UnknownCurrencyError,
        "money.unknown_currency",
        "as an ISO 4217 code string",
        lambda: Currency.of(_bad(978)),
    )


@pytest.mark.parametrize("code", ["eur", "EU", "E1R", None])
def test_a_custom_currency_code_is_three_upper_case_letters(code: Any) -> None:
    assert_refused(
        UnknownCurrencyError,
        "money.unknown_currency",
        "three upper-case letters",
        lambda: Currency(code, 2),
    )


@pytest.mark.parametrize("units", [-1, 9, True, 2.0, "2"])
def test_minor_units_are_a_whole_number_from_zero_to_eight(units: Any) -> None:
    assert_refused(
        UnknownCurrencyError,
        "money.unknown_currency",
        "whole number from 0 to 8",
        lambda: Currency("PTS", units),
    )


def test_an_iso_code_keeps_its_iso_minor_units() -> None:
    assert_refused(
        UnknownCurrencyError,
        "money.unknown_currency",
        "JPY has 0 minor units under ISO 4217, not 2",
        lambda: Currency("JPY", 2),
    )
    assert Currency("PTS", 0).quantum == Decimal(1)


# -- amounts ---------------------------------------------------------------------------


def test_a_float_amount_is_refused_with_the_string_to_use_instead() -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "pass a string such as '0.1'",
        lambda: Money.of(_bad(0.1), "USD"),
    )


@pytest.mark.parametrize(
    "amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), "-Infinity", "nan"]
)
def test_nan_and_infinity_are_refused(amount: Decimal | str) -> None:
    assert_refused(
        InvalidAmountError, "money.invalid_amount", "finite", lambda: Money.of(amount, "EUR")
    )


@pytest.mark.parametrize("amount", [True, False, None, [1], b"1"])
def test_bools_and_other_types_are_refused(amount: Any) -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "must be a Decimal, an int or a decimal string",
        lambda: Money.of(amount, "EUR"),
    )


@pytest.mark.parametrize("amount", ["12,30", "twelve", "", "1.2.3"])
def test_unreadable_text_shows_the_expected_shape(amount: str) -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "write it like '1234.50'",
        lambda: Money.of(amount, "EUR"),
    )


@pytest.mark.parametrize("text", ["12.30", "EUR 12.30 USD", "", "EUR", "12.30EUR", "EUR 1e5"])
def test_parse_refuses_text_without_exactly_one_currency(text: str) -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "write it like 'EUR 12.30'",
        lambda: Money.parse(text),
    )


def test_parse_refuses_an_unknown_code() -> None:
    assert_refused(
        UnknownCurrencyError, "money.unknown_currency", "'ABC'", lambda: Money.parse("ABC 12.30")
    )


@pytest.mark.parametrize("units", [1.5, True, "100", Decimal(100)])
def test_minor_units_must_be_an_int(units: Any) -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "minor units must be an int",
        lambda: Money.from_minor(units, "USD"),
    )


def test_a_float_factor_is_refused() -> None:
    price = Money.of("10.00", "EUR")
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "factor 1.1 is a float",
        lambda: price * _bad(1.1),
    )


def test_money_only_combines_with_money() -> None:
    price = Money.of("10.00", "EUR")
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "use Money on both sides",
        lambda: price + _bad(1),
    )
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "use Money on both sides",
        lambda: price < _bad(1),
    )


def test_mixed_currencies_say_to_convert_first() -> None:
    euros, dollars = Money.of("10", "EUR"), Money.of("10", "USD")
    assert_refused(
        CurrencyMismatchError,
        "money.currency_mismatch",
        "cannot add USD and EUR: amounts in different currencies must be converted",
        lambda: euros + dollars,
    )
    assert_refused(
        CurrencyMismatchError, "money.currency_mismatch", "cannot compare", lambda: euros >= dollars
    )
    assert_refused(
        CurrencyMismatchError,
        "money.currency_mismatch",
        "cannot add",
        lambda: Money.total([euros], "USD"),
    )


# -- rounding --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["HALF_UP", "round_half_up", None])
def test_a_rounding_mode_must_be_a_decimal_constant(mode: Any) -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "decimal.ROUND_* constants",
        lambda: RoundingPolicy(mode),
    )


@pytest.mark.parametrize("increment", [0, "-0.05", Decimal(0)])
def test_a_rounding_increment_must_be_positive(increment: Any) -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "rounding increment must be positive",
        lambda: RoundingPolicy(decimal.ROUND_HALF_UP, increment),
    )


def test_a_float_rounding_increment_is_refused() -> None:
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "increment 0.05 is a float",
        lambda: RoundingPolicy(increment=_bad(0.05)),
    )


def test_operations_that_need_whole_minor_units_say_to_round_first() -> None:
    fine = Money.of("10.005", "EUR")
    assert_refused(
        NotRoundedError, "money.not_rounded", "call .rounded() first", lambda: fine.minor_units
    )
    assert_refused(
        NotRoundedError,
        "money.not_rounded",
        "cannot allocate EUR 10.005",
        lambda: fine.allocate([1, 1]),
    )
    assert fine.rounded().allocate([1, 1]) == (Money.of("5.00", "EUR"), Money.of("5.00", "EUR"))


# -- allocation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratios", "phrase"),
    [
        ([], "non-empty sequence of numbers such as [30, 70]"),
        ("37", "non-empty sequence of numbers such as [30, 70]"),
        ({1, 2}, "non-empty sequence of numbers such as [30, 70]"),
        ([-1, 2], "non-negative and not all zero"),
        ([0, 0], "non-negative and not all zero"),
        ([0.3, 0.7], "ratio 0.3 is a float"),
        ([1, "x"], "ratio 'x' is not a decimal number"),
        ([1, Decimal("NaN")], "finite"),
        ([True, 1], "must be a Decimal, an int or a decimal string"),
    ],
)
def test_bad_ratios_are_refused(ratios: Any, phrase: str) -> None:
    assert_refused(
        AllocationError,
        "money.invalid_ratios",
        phrase,
        lambda: Money.of("100", "EUR").allocate(ratios),
    )


@pytest.mark.parametrize("parts", [0, -2, True, 2.0])
def test_split_needs_a_positive_int(parts: Any) -> None:
    assert_refused(
        AllocationError,
        "money.invalid_ratios",
        "parts must be a positive int",
        lambda: Money.of("100", "EUR").split(parts),
    )


# -- examples --------------------------------------------------------------------------


def test_allocation_examples() -> None:
    assert Money.of("100", "USD").allocate([1, 1, 1]) == (
        Money.of("33.34", "USD"),
        Money.of("33.33", "USD"),
        Money.of("33.33", "USD"),
    )
    assert Money.of("-0.05", "EUR").allocate([3, 7]) == (
        Money.of("-0.02", "EUR"),
        Money.of("-0.03", "EUR"),
    )
    assert Money.of("1.000", "KWD").allocate([Decimal(1) / 3] * 3) == (
        Money.of("0.334", "KWD"),
        Money.of("0.333", "KWD"),
        Money.of("0.333", "KWD"),
    )
    assert Money.of("7", "JPY").allocate([0, 1, 0]) == (
        Money.of(0, "JPY"),
        Money.of(7, "JPY"),
        Money.of(0, "JPY"),
    )


def test_rounding_examples() -> None:
    assert Money.of("2.345", "EUR").rounded() == Money.of("2.34", "EUR")
    assert Money.of("2.355", "EUR").rounded() == Money.of("2.36", "EUR")
    assert Money.of("0.5", "JPY").rounded() == Money.of("0", "JPY")
    assert Money.of("0.0005", "BHD").rounded(RoundingPolicy(decimal.ROUND_HALF_UP)) == Money.of(
        "0.001", "BHD"
    )
    cash = RoundingPolicy(decimal.ROUND_HALF_UP, increment="0.05")
    assert Money.of("10.125", "CHF").rounded(cash) == Money.of("10.15", "CHF")
    assert Money.of("1234", "JPY").rounded(
        RoundingPolicy(decimal.ROUND_FLOOR, increment=100)
    ) == Money.of("1200", "JPY")


def test_negation_ignores_the_host_decimal_context() -> None:
    # Found by test_a_host_decimal_context_changes_no_result: -x used the ambient precision.
    amount = Money.of("1234567.89", "EUR")
    with decimal.localcontext() as host:
        host.prec = 6
        assert -amount == Money.of("-1234567.89", "EUR")
        assert abs(-amount) == amount


# -- exactness -------------------------------------------------------------------------


def test_arithmetic_that_cannot_stay_exact_is_refused_not_rounded() -> None:
    huge = Money.of("1" + "0" * 40, "EUR")
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "more than 34 significant digits",
        lambda: huge + Money.of("1", "EUR"),
    )
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "more than 34 significant digits",
        lambda: Money.of("1234567890.123456789", "EUR") * Decimal("1234567890.123456789"),
    )
    # Within 34 digits the same operations are exact.
    assert (Money.of("1" + "0" * 30, "EUR") + Money.of("1", "EUR")).amount == 10**30 + 1


@pytest.mark.parametrize("increment", ["0.001", "0.015", "7.005"])
def test_a_rounding_increment_must_be_a_multiple_of_the_minor_unit(increment: str) -> None:
    policy = RoundingPolicy(decimal.ROUND_UP, increment=increment)
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "use a multiple of it",
        lambda: Money.of("1.0001", "EUR").rounded(policy),
    )


def test_allocation_is_exact_for_ratios_with_more_digits_than_any_context() -> None:
    third = "0." + "3" * 60
    parts = Money.of("1000", "JPY").allocate([third, third, third])
    assert parts == (Money.of(334, "JPY"), Money.of(333, "JPY"), Money.of(333, "JPY"))
    tiny, rest = Money.of("100.00", "USD").allocate(["1e-50", 1])
    assert (tiny, rest) == (Money.of("0.00", "USD"), Money.of("100.00", "USD"))


def test_rounding_an_amount_too_large_for_minor_units_is_refused() -> None:
    # Found by the fuzz suite: 10**400 of a currency could be built, and rounding it
    # raised decimal.InvalidOperation instead of a staycore error.
    huge = Money.of(10**400, "EUR")
    assert_refused(
        InvalidAmountError, "money.invalid_amount", "more than 34 significant", huge.rounded
    )
    assert_refused(
        InvalidAmountError,
        "money.invalid_amount",
        "more than 34 significant",
        lambda: huge.is_rounded,
    )
    assert Money.of(10**31, "EUR").rounded().amount == 10**31
