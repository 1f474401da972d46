"""Properties of Money: allocation, arithmetic, rounding and text round trips."""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from staycore.kernel.currency import Currency
from staycore.kernel.errors import CurrencyMismatchError, InvalidAmountError
from staycore.kernel.money import ROUNDING_MODES, Money, RoundingPolicy
from staycore.testing.strategies import currencies, money, ratios, rounding_policies


def _unit(currency: Currency) -> Fraction:
    return Fraction(1, 10**currency.minor_units)


@given(total=money(), weights=ratios())
def test_allocation_conserves_the_total_and_each_part_is_within_a_unit_of_its_share(
    total: Money, weights: list[Decimal | int | str]
) -> None:
    parts = total.allocate(weights)

    assert len(parts) == len(weights)
    assert all(part.currency == total.currency and part.is_rounded for part in parts)
    assert sum(part.amount for part in parts) == total.amount
    exact = [Fraction(Decimal(w)) for w in weights]
    for part, weight in zip(parts, exact, strict=True):
        share = Fraction(total.amount) * weight / sum(exact)
        assert abs(Fraction(part.amount) - share) < _unit(total.currency)
        if weight == 0:
            assert part.is_zero


@given(total=money(), parts=st.integers(1, 50))
def test_split_gives_equal_parts_that_differ_by_at_most_one_unit(total: Money, parts: int) -> None:
    shares = total.split(parts)

    assert Money.total(shares, total.currency) == total
    assert max(shares) <= min(shares) + Money.from_minor(1, total.currency)


@given(a=money(rounded=False), data=st.data())
def test_arithmetic_is_exact_and_keeps_the_currency(a: Money, data: st.DataObject) -> None:
    b = data.draw(money(currencies=[a.currency], rounded=False), label="b")
    factor = data.draw(st.integers(-1000, 1000) | st.decimals("-100", "100", places=3))

    results = [a + b, a - b, -a, abs(a), a * factor, factor * a]

    assert all(result.currency == a.currency for result in results)
    assert Fraction((a + b).amount) == Fraction(a.amount) + Fraction(b.amount)
    assert Fraction((a - b).amount) == Fraction(a.amount) - Fraction(b.amount)
    assert Fraction((a * factor).amount) == Fraction(a.amount) * Fraction(factor)
    assert (a + b) - b == a
    assert a + b == b + a


_COMPARISONS: list[Callable[[Money, Money], object]] = [
    operator.add,
    operator.sub,
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
]


@given(a=money(), b=money())
def test_mixing_currencies_always_raises(a: Money, b: Money) -> None:
    assume(a.currency != b.currency)

    for combine in _COMPARISONS:
        with pytest.raises(CurrencyMismatchError) as caught:
            combine(a, b)
        assert caught.value.code == "money.currency_mismatch"
        assert a.currency.code in caught.value.message
        assert b.currency.code in caught.value.message
        assert "convert" in caught.value.message
    with pytest.raises(CurrencyMismatchError):
        Money.total([a, b], a.currency)
    assert a != b


@given(amount=money(rounded=False))
def test_bankers_rounding_is_idempotent_and_within_half_a_unit(amount: Money) -> None:
    rounded = amount.rounded()
    error = abs(Fraction(rounded.amount) - Fraction(amount.amount))
    half = _unit(amount.currency) / 2

    assert rounded.is_rounded
    assert rounded.currency == amount.currency
    assert rounded.rounded() == rounded
    assert error <= half
    if error == half:  # a tie goes to the even neighbour
        assert rounded.minor_units % 2 == 0
    if amount.is_rounded:
        assert rounded == amount


@given(amount=money(rounded=False), policy=rounding_policies())
def test_every_policy_rounds_to_its_step_in_its_direction(
    amount: Money, policy: RoundingPolicy
) -> None:
    step = Fraction(policy.increment) if policy.increment is not None else None
    unit = _unit(amount.currency)
    assume(step is None or (step / unit).denominator == 1)  # a step made of whole units
    step = step or unit

    rounded = amount.rounded(policy)
    exact, result = Fraction(amount.amount), Fraction(rounded.amount)

    assert (result / step).denominator == 1
    assert abs(result - exact) < step
    assert rounded.rounded(policy) == rounded
    if policy.mode == decimal.ROUND_CEILING:
        assert result >= exact
    if policy.mode == decimal.ROUND_FLOOR:
        assert result <= exact
    if policy.mode == decimal.ROUND_UP:
        assert abs(result) >= abs(exact)
    if policy.mode == decimal.ROUND_DOWN:
        assert abs(result) <= abs(exact)
    if policy.mode in {decimal.ROUND_HALF_EVEN, decimal.ROUND_HALF_UP, decimal.ROUND_HALF_DOWN}:
        assert abs(result - exact) <= step / 2


@given(
    amount=money(rounded=False),
    tenths=st.integers(1, 999).filter(lambda n: n % 10 != 0),
    mode=st.sampled_from(ROUNDING_MODES),
)
def test_a_step_that_is_not_whole_minor_units_is_refused(
    amount: Money, tenths: int, mode: str
) -> None:
    # A step of n tenths of the minor unit, n not a multiple of ten: never whole units.
    step = amount.currency.quantum * tenths / 10
    policy = RoundingPolicy(mode, increment=step)

    with pytest.raises(InvalidAmountError, match="use a multiple of it"):
        amount.rounded(policy)


@given(currency=currencies(), units=st.integers(-(10**24), 10**24))
def test_minor_units_round_trip(currency: Currency, units: int) -> None:
    amount = Money.from_minor(units, currency)

    assert amount.minor_units == units
    assert amount.is_rounded
    assert Fraction(amount.amount) == units * _unit(currency)
    assert Money.from_minor(amount.minor_units, currency) == amount


@given(amount=money(rounded=False))
def test_text_round_trips_through_parse(amount: Money) -> None:
    text = str(amount)
    code, number = text.split(" ")

    assert Money.parse(text) == amount
    assert str(Money.parse(text)) == text
    assert Money.parse(f"{number} {code}") == amount
    assert Money.parse(f"  {number} {code.lower()} ") == amount


@given(amount=money())
def test_zero_and_signs_agree_with_the_amount(amount: Money) -> None:
    zero = Money.zero(amount.currency)

    assert zero.is_zero
    assert zero.is_rounded
    assert amount + zero == amount
    assert amount.is_negative == (amount < zero)
    assert amount.is_positive == (amount > zero)
    assert (-amount).is_negative == amount.is_positive


@given(amount=money(rounded=False), weights=ratios(), data=st.data())
def test_a_host_decimal_context_changes_no_result(
    amount: Money, weights: list[Decimal | int | str], data: st.DataObject
) -> None:
    other = data.draw(money(currencies=[amount.currency], rounded=False), label="other")

    def results() -> tuple[object, ...]:
        rounded = amount.rounded()
        return (
            amount + other,
            amount - other,
            amount * 7,
            -amount,
            abs(amount),
            rounded,
            rounded.allocate(weights),
            Money.zero(amount.currency),
        )

    expected = results()
    with decimal.localcontext() as hostile:
        hostile.prec, hostile.rounding = 3, decimal.ROUND_DOWN
        assert results() == expected
