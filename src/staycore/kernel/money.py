"""Money: an exact decimal amount in one currency.

Rules staycore holds to everywhere:

* Amounts are :class:`~decimal.Decimal`. They are built from ``Decimal``, ``int`` or a
  string, never from ``float``: ``0.1`` is not one tenth in binary floating point.
* Arithmetic only happens within one currency. Adding EUR to USD raises
  :class:`~staycore.kernel.errors.CurrencyMismatchError`; convert explicitly first.
* Arithmetic is exact; an amount may carry more digits than its currency's minor unit
  while a price is being computed. Rounding happens once, where the caller decides,
  with :meth:`Money.rounded` and a :class:`RoundingPolicy`. The default policy is
  banker's rounding (half to even) to the currency's minor unit, which does not drift
  upwards when many amounts are rounded and summed.
* :meth:`Money.allocate` splits a rounded amount by ratios into rounded parts whose sum
  is exactly the original: no minor unit is lost or created.

Example:
    >>> from staycore.kernel.money import Money
    >>> total = Money.of("1000.00", "TWD")
    >>> deposit, balance = total.allocate([30, 70])
    >>> deposit, balance
    (Money('300.00', 'TWD'), Money('700.00', 'TWD'))
    >>> Money.of("100", "USD").allocate([1, 1, 1])
    (Money('33.34', 'USD'), Money('33.33', 'USD'), Money('33.33', 'USD'))
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from staycore.kernel.currency import Currency
from staycore.kernel.errors import (
    AllocationError,
    CurrencyMismatchError,
    InvalidAmountError,
    NotRoundedError,
)

__all__ = ["BANKERS", "ROUNDING_MODES", "Money", "RoundingPolicy", "to_decimal"]

AmountLike = Decimal | int | str
"""What an amount may be built from: never a float."""

# Private contexts so that a host's global decimal settings cannot change our results.
# Arithmetic on amounts must be exact: a result that needs more than 34 significant
# digits (decimal128's precision) is an error, never a silently rounded amount.
_PRECISION: Final = 34
_EXACT: Final = decimal.Context(
    prec=_PRECISION,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_CONTEXT: Final = decimal.Context(
    prec=_PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_TEXT: Final = re.compile(
    r"^\s*(?:(?P<pre>[A-Za-z]{3})\s+)?"
    r"(?P<amount>[-+]?\d+(?:\.\d+)?)"
    r"(?:\s+(?P<post>[A-Za-z]{3}))?\s*$"
)
ROUNDING_MODES: Final = (
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_UP,
    decimal.ROUND_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
    decimal.ROUND_05UP,
)
"""The :mod:`decimal` rounding modes a :class:`RoundingPolicy` accepts, default first."""


def to_decimal(value: object, *, what: str = "amount") -> Decimal:
    """Convert ``value`` to a finite ``Decimal``, refusing floats and bad text.

    Args:
        value: A ``Decimal``, an ``int`` or a decimal string such as ``"12.30"``.
        what: How to name the value in the error message.

    Returns:
        The exact decimal value.

    Raises:
        InvalidAmountError: ``value`` is a float, a bool, NaN, infinite or not a number.

    Example:
        >>> from staycore.kernel.money import to_decimal
        >>> to_decimal("12.30")
        Decimal('12.30')
    """
    if isinstance(value, float):
        msg = (
            f"{what} {value!r} is a float, which cannot hold most decimal amounts exactly; "
            f"pass a string such as '{value}' or a Decimal"
        )
        raise InvalidAmountError(msg)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        msg = f"{what} must be a Decimal, an int or a decimal string, got {value!r}"
        raise InvalidAmountError(msg)
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except decimal.InvalidOperation:
        msg = f"{what} {value!r} is not a decimal number; write it like '1234.50'"
        raise InvalidAmountError(msg) from None
    if not result.is_finite():
        msg = f"{what} must be a finite number, got {value!r}"
        raise InvalidAmountError(msg)
    return result


def _to_currency(value: Currency | str) -> Currency:
    return Currency.of(value)


def _to_increment(value: AmountLike | None) -> Decimal | None:
    return None if value is None else to_decimal(value, what="increment")


@attrs.frozen
class RoundingPolicy:
    """How an amount is rounded: a decimal rounding mode and an optional increment.

    With no increment the amount is rounded to the currency's minor unit. An increment
    rounds to a coarser step, such as cash rounding to 0.05 CHF or prices to 10 JPY.

    Attributes:
        mode: One of the :mod:`decimal` rounding constants, e.g. ``decimal.ROUND_HALF_UP``.
        increment: The step to round to, or ``None`` for the currency's minor unit.

    Example:
        >>> import decimal
        >>> from staycore.kernel.money import Money, RoundingPolicy
        >>> cash = RoundingPolicy(decimal.ROUND_HALF_UP, increment="0.05")
        >>> Money.of("10.12", "CHF").rounded(cash)
        Money('10.10', 'CHF')
    """

    mode: str = attrs.field(default=decimal.ROUND_HALF_EVEN)
    increment: Decimal | None = attrs.field(default=None, converter=_to_increment)

    @mode.validator
    def _check_mode(self, _attribute: object, mode: str) -> None:
        if mode not in ROUNDING_MODES:
            msg = f"rounding mode must be one of the decimal.ROUND_* constants, got {mode!r}"
            raise InvalidAmountError(msg)

    @increment.validator
    def _check_increment(self, _attribute: object, increment: Decimal | None) -> None:
        if increment is not None and increment <= 0:
            msg = f"rounding increment must be positive, got {increment}"
            raise InvalidAmountError(msg)


BANKERS: Final = RoundingPolicy()
"""The default policy: half to even, to the currency's minor unit."""


@attrs.frozen(repr=False, order=False)
class Money:
    """An exact amount of one currency.

    Prefer :meth:`of` for building values from user input; the constructor takes the same
    arguments and applies the same checks.

    Attributes:
        amount: The exact decimal amount (may be finer than the minor unit until rounded).
        currency: The currency of the amount.

    Example:
        >>> from staycore.kernel.money import Money
        >>> price = Money.of("120.00", "EUR")
        >>> price * 3 + Money.of("25", "EUR")
        Money('385.00', 'EUR')
        >>> Money.of("10", "EUR") + Money.of("10", "USD")
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.CurrencyMismatchError: [money.currency_mismatch] ...
    """

    amount: Decimal = attrs.field(converter=to_decimal)
    currency: Currency = attrs.field(converter=_to_currency)

    # -- construction ----------------------------------------------------------------

    @classmethod
    def of(cls, amount: AmountLike, currency: Currency | str) -> Money:
        """Build money from an amount and a currency code.

        Args:
            amount: A ``Decimal``, ``int`` or decimal string; never a float.
            currency: An ISO 4217 code or a :class:`Currency`.

        Raises:
            InvalidAmountError: The amount is a float or not a finite decimal.
            UnknownCurrencyError: The currency code is unknown.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.of(1500, "JPY")
            Money('1500', 'JPY')
        """
        return cls(amount, currency)

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        """Return zero in ``currency``, written with its minor units.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.zero("KWD")
            Money('0.000', 'KWD')
        """
        resolved = Currency.of(currency)
        zero = _ZEROS.get(resolved)
        if zero is None:
            zero = _ZEROS[resolved] = cls(Decimal(0).quantize(resolved.quantum), resolved)
        return zero

    @classmethod
    def from_minor(cls, units: int, currency: Currency | str) -> Money:
        """Build money from a whole number of minor units (cents, fils, yen).

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.from_minor(1999, "USD")
            Money('19.99', 'USD')
        """
        if isinstance(units, bool) or not isinstance(units, int):
            msg = f"minor units must be an int, got {units!r}"
            raise InvalidAmountError(msg)
        resolved = Currency.of(currency)
        return cls(Decimal(units).scaleb(-resolved.minor_units, _CONTEXT), resolved)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse ``"EUR 12.30"`` or ``"12.30 EUR"``.

        Raises:
            InvalidAmountError: The text is not an amount with one currency code.
            UnknownCurrencyError: The currency code is unknown.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.parse("TWD 2,400.50".replace(",", ""))
            Money('2400.50', 'TWD')
        """
        match = _TEXT.match(text) if isinstance(text, str) else None
        code = match and (match["pre"] or match["post"])
        if match is None or not code or (match["pre"] and match["post"]):
            msg = f"cannot read money from {text!r}; write it like 'EUR 12.30' or '12.30 EUR'"
            raise InvalidAmountError(msg)
        return cls(match["amount"], code)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: Currency | str) -> Money:
        """Sum ``amounts``, all in ``currency``; an empty iterable sums to zero.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.total([Money.of("1.10", "EUR"), Money.of("2.20", "EUR")], "EUR")
            Money('3.30', 'EUR')
        """
        result = cls.zero(currency)
        total, unit = result.amount, result.currency
        try:
            for amount in amounts:
                # ISO currencies are one object each: identity settles the usual case
                # without attrs' field-by-field equality.
                if type(amount) is not Money or (
                    amount.currency is not unit and amount.currency != unit
                ):
                    result._same_currency(amount, "add")  # raises the error that fits
                total = _EXACT.add(total, amount.amount)
        except decimal.Inexact:
            raise _too_precise() from None
        return _trusted(total, unit)

    # -- arithmetic ------------------------------------------------------------------

    def _same_currency(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            msg = f"cannot {operation} {type(other).__name__} and Money; use Money on both sides"
            raise InvalidAmountError(msg)
        if other.currency != self.currency:
            msg = (
                f"cannot {operation} {other.currency} and {self.currency}: amounts in "
                "different currencies must be converted explicitly first"
            )
            raise CurrencyMismatchError(msg)
        return other

    def _exactly(self, operation: Callable[..., Decimal], *operands: Decimal) -> Money:
        try:
            return _trusted(operation(*operands), self.currency)
        except decimal.Inexact:
            raise _too_precise() from None

    def __add__(self, other: Money) -> Money:
        other = self._same_currency(other, "add")
        return self._exactly(_EXACT.add, self.amount, other.amount)

    def __sub__(self, other: Money) -> Money:
        other = self._same_currency(other, "subtract")
        return self._exactly(_EXACT.subtract, self.amount, other.amount)

    def __mul__(self, factor: Decimal | int) -> Money:
        return self._exactly(_EXACT.multiply, self.amount, to_decimal(factor, what="factor"))

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return self._exactly(_EXACT.minus, self.amount)

    def __abs__(self) -> Money:
        return self._exactly(_EXACT.abs, self.amount)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other, "compare").amount

    # -- rounding --------------------------------------------------------------------

    def rounded(self, policy: RoundingPolicy = BANKERS) -> Money:
        """Round to the currency's minor unit (or the policy's increment).

        Args:
            policy: The rounding mode and increment; banker's rounding by default.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.of("2.345", "EUR").rounded(), Money.of("2.355", "EUR").rounded()
            (Money('2.34', 'EUR'), Money('2.36', 'EUR'))
        """
        quantum = self.currency.quantum
        try:
            if policy.increment is None:
                amount = self.amount.quantize(quantum, rounding=policy.mode, context=_CONTEXT)
            else:
                if _CONTEXT.remainder(policy.increment, quantum):
                    msg = (
                        f"rounding increment {policy.increment} is not a whole number of "
                        f"{self.currency}'s minor unit {quantum}; use a multiple of it"
                    )
                    raise InvalidAmountError(msg)
                steps = _CONTEXT.divide(self.amount, policy.increment).quantize(
                    Decimal(1), rounding=policy.mode, context=_CONTEXT
                )
                amount = _CONTEXT.multiply(steps, policy.increment).quantize(
                    quantum, context=_CONTEXT
                )
        except decimal.InvalidOperation:
            # Arithmetic made an amount too large to write in minor units (10**40 x 3).
            raise _too_precise() from None
        return Money(amount, self.currency)

    @property
    def is_rounded(self) -> bool:
        """Whether the amount is a whole number of minor units."""
        try:
            return self.amount == self.amount.quantize(self.currency.quantum, context=_CONTEXT)
        except decimal.InvalidOperation:
            raise _too_precise() from None

    @property
    def minor_units(self) -> int:
        """The amount as a whole number of minor units, for payment gateways.

        Raises:
            NotRoundedError: The amount has digits below the minor unit; round it first.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.of("19.99", "USD").minor_units
            1999
        """
        self._require_rounded("convert to minor units")
        return int(self.amount.scaleb(self.currency.minor_units, _CONTEXT))

    def _require_rounded(self, operation: str) -> None:
        if not self.is_rounded:
            msg = (
                f"cannot {operation} {self!s}: it has digits below the minor unit of "
                f"{self.currency}; call .rounded() first"
            )
            raise NotRoundedError(msg)

    # -- allocation ------------------------------------------------------------------

    def allocate(self, ratios: Sequence[Decimal | int | str]) -> tuple[Money, ...]:
        """Split this amount by ``ratios`` without losing or creating a minor unit.

        Each part gets the whole minor units of its exact share; the units left over go,
        one each, to the parts with the largest remainders, earlier parts first on a tie.
        So the parts always sum to exactly this amount, and each differs from its exact
        share by less than one minor unit. Negative amounts split the same way with the
        sign kept.

        Args:
            ratios: Non-negative exact numbers, not all zero (``[30, 70]``, ``["0.3", "0.7"]``).

        Returns:
            One rounded amount per ratio, in the order given.

        Raises:
            NotRoundedError: This amount is finer than the minor unit; round it first.
            AllocationError: The ratios are empty, negative, all zero, or floats.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.of("0.05", "EUR").allocate([3, 7])
            (Money('0.02', 'EUR'), Money('0.03', 'EUR'))
            >>> Money.of("-10", "JPY").allocate([1, 2])
            (Money('-3', 'JPY'), Money('-7', 'JPY'))
        """
        self._require_rounded("allocate")
        # Fractions keep every share exact whatever the digits of the ratios.
        weights = [Fraction(weight) for weight in _ratios(ratios)]
        total_weight = sum(weights, Fraction(0))
        units = self.minor_units
        sign, remaining = (-1 if units < 0 else 1), abs(units)
        shares: list[int] = []
        remainders: list[Fraction] = []
        for weight in weights:
            exact = remaining * weight / total_weight
            whole = exact.numerator // exact.denominator
            shares.append(whole)
            remainders.append(exact - whole)
        leftover = remaining - sum(shares)
        by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for index in by_remainder[:leftover]:
            shares[index] += 1
        return tuple(Money.from_minor(sign * share, self.currency) for share in shares)

    def split(self, parts: int) -> tuple[Money, ...]:
        """Split into ``parts`` equal amounts (to the minor unit), summing exactly to this one.

        Example:
            >>> from staycore.kernel.money import Money
            >>> Money.of("10.00", "EUR").split(3)
            (Money('3.34', 'EUR'), Money('3.33', 'EUR'), Money('3.33', 'EUR'))
        """
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            msg = f"parts must be a positive int, got {parts!r}"
            raise AllocationError(msg)
        return self.allocate([1] * parts)

    # -- predicates and text ---------------------------------------------------------

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self.amount.is_zero()

    @property
    def is_negative(self) -> bool:
        """Whether the amount is below zero."""
        return self.amount < 0

    @property
    def is_positive(self) -> bool:
        """Whether the amount is above zero."""
        return self.amount > 0

    def __repr__(self) -> str:
        return f"Money('{self.amount:f}', {self.currency.code!r})"

    def __str__(self) -> str:
        return f"{self.currency.code} {self.amount:f}"


_ZEROS: dict[Currency, Money] = {}


def _trusted(amount: Decimal, currency: Currency) -> Money:
    """Money from a finite ``Decimal`` the exact context computed, without the checks.

    Arithmetic makes most of the money in a quote or an order; its results are finite
    decimals in a known currency already, and checking them again was most of its cost.
    """
    money = object.__new__(Money)
    object.__setattr__(money, "amount", amount)
    object.__setattr__(money, "currency", currency)
    return money


def _too_precise() -> InvalidAmountError:
    return InvalidAmountError(
        f"the result would need more than {_PRECISION} significant digits and cannot be "
        "held exactly; split the amount or drop digits below the minor unit"
    )


def _ratios(ratios: Sequence[Decimal | int | str]) -> list[Decimal]:
    if isinstance(ratios, str) or not isinstance(ratios, Sequence) or not ratios:
        msg = f"ratios must be a non-empty sequence of numbers such as [30, 70], got {ratios!r}"
        raise AllocationError(msg)
    try:
        weights = [to_decimal(r, what="ratio") for r in ratios]
    except InvalidAmountError as error:
        raise AllocationError(error.message) from None
    if any(w < 0 for w in weights) or not any(weights):
        msg = f"ratios must be non-negative and not all zero, got {list(ratios)!r}"
        raise AllocationError(msg)
    return weights
