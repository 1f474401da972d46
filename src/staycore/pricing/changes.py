"""Price changes: "+15 %", "-10 %", "+20.00", the step every pricing rule is made of.

A :class:`PriceChange` is a percentage of the running price or a fixed amount added to
it (negative for a discount). Rules apply their changes in a documented order, each to
the price the previous one left, so "+20 % then -10 %" is 108 % of the start, not 110 %.
Changes keep exact decimals: nothing is rounded until the quote rounds each line once.

Example:
    >>> from decimal import Decimal
    >>> from staycore.pricing.changes import PriceChange
    >>> weekend, early_bird = PriceChange.percent("20"), PriceChange.percent("-10")
    >>> early_bird.apply(weekend.apply(Decimal("100.00")))
    Decimal('108.0000')
    >>> str(PriceChange.amount("-15.50")), str(weekend)
    ('-15.50', '+20 %')
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import attrs

from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import to_decimal
from staycore.pricing.errors import PricingError

__all__ = ["InvalidPriceChangeError", "PriceChange"]

_HUNDRED: Final = Decimal(100)


class InvalidPriceChangeError(PricingError):
    """A change is neither a percentage nor an amount, or takes more than the whole price."""

    code = "pricing.invalid_change"


@attrs.frozen
class PriceChange:
    """A percentage of the running price, or an amount added to it.

    Build one with :meth:`percent` or :meth:`amount`.

    Attributes:
        factor: What the price is multiplied by: ``1.2`` for +20 %, 1 for an amount.
        add: What is added after: ``-15.50`` for 15.50 off, 0 for a percentage.
    """

    factor: Decimal
    add: Decimal

    @classmethod
    def percent(cls, value: Decimal | int | str) -> PriceChange:
        """A change by ``value`` percent of the running price; -100 at the least.

        Raises:
            InvalidPriceChangeError: The value is not a number, or below -100 (a price
                cannot fall below nothing).

        Example:
            >>> from staycore.pricing.changes import PriceChange
            >>> PriceChange.percent("-5").factor
            Decimal('0.95')
            >>> PriceChange.percent(-120)
            Traceback (most recent call last):
            ...
            staycore.pricing.changes.InvalidPriceChangeError: [pricing.invalid_change] ...
        """
        rate = _number(value, "a percentage")
        if rate < -_HUNDRED:
            msg = f"a change of {rate} % would take more than the whole price; -100 at most"
            raise InvalidPriceChangeError(msg)
        return cls(1 + rate / _HUNDRED, Decimal(0))

    @classmethod
    def amount(cls, value: Decimal | int | str) -> PriceChange:
        """A change by a fixed amount in the plan's currency (negative for a discount).

        Example:
            >>> from staycore.pricing.changes import PriceChange
            >>> PriceChange.amount("25").add
            Decimal('25')
        """
        return cls(Decimal(1), _number(value, "an amount"))

    def apply(self, price: Decimal) -> Decimal:
        """The price after the change, exact.

        Changes compose as they are (a large discount may take a running price below
        zero); the quote never sells a night below zero or its floor, checked once after
        every rule.

        Example:
            >>> from decimal import Decimal
            >>> from staycore.pricing.changes import PriceChange
            >>> PriceChange.amount("-30").apply(Decimal("20.00"))
            Decimal('-10.00')
        """
        return price * self.factor + self.add

    def then(self, other: PriceChange) -> PriceChange:
        """The one change that makes this change, then ``other``.

        Example:
            >>> from staycore.pricing.changes import PriceChange
            >>> both = PriceChange.percent("20").then(PriceChange.amount("-5"))
            >>> both.apply(Decimal("100"))
            Decimal('115.0')
        """
        return PriceChange(self.factor * other.factor, self.add * other.factor + other.add)

    def __str__(self) -> str:
        if self.add:
            return f"{self.add:+}"
        percent = ((self.factor - 1) * _HUNDRED).normalize()
        return f"{percent:+f} %"


def _number(value: Decimal | int | str, what: str) -> Decimal:
    try:
        return to_decimal(value, what=what)
    except StaycoreError as error:
        msg = f"{what} must be a decimal number such as '10' or '-5.5', got {value!r}"
        raise InvalidPriceChangeError(msg) from error
