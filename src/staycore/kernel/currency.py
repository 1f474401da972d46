"""ISO 4217 currencies and their minor units.

The table lists the active ISO 4217 codes (list one, as published in 2025) with the
number of digits after the decimal point that the standard gives them. Funds codes
with no minor unit (gold, SDR, test codes) are left out: nobody books a room in them.

Kept by hand rather than taken from a locale library because the core depends only
on attrs, pendulum and pydantic, and the table changes a few times a decade.

Example:
    >>> from staycore.kernel.currency import Currency
    >>> [Currency.of(code).minor_units for code in ("JPY", "twd", "KWD")]
    [0, 2, 3]
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

import attrs

from staycore.kernel.errors import UnknownCurrencyError

__all__ = ["Currency", "iso_codes"]

# Every other active code has two minor units.
_ZERO: Final = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE: Final = "BHD IQD JOD KWD LYD OMR TND"
_FOUR: Final = "CLF UYW"
_TWO: Final = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
    "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV "
    "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR "
    "SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
    "USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
_MINOR_UNITS: Final[dict[str, int]] = {
    code: units
    for codes, units in ((_ZERO, 0), (_TWO, 2), (_THREE, 3), (_FOUR, 4))
    for code in codes.split()
}
_CODE = re.compile(r"^[A-Z]{3}$")
_MAX_MINOR_UNITS: Final = 8


def iso_codes() -> tuple[str, ...]:
    """Return the ISO 4217 codes staycore knows, sorted.

    Example:
        >>> from staycore.kernel.currency import iso_codes
        >>> "EUR" in iso_codes() and "XAU" not in iso_codes()
        True
    """
    return tuple(sorted(_MINOR_UNITS))


def _validate_code(_instance: object, _attribute: object, code: str) -> None:
    if not isinstance(code, str) or not _CODE.match(code):
        msg = f"currency code must be three upper-case letters such as 'EUR', got {code!r}"
        raise UnknownCurrencyError(msg)


def _validate_units(instance: Currency, _attribute: object, units: int) -> None:
    if isinstance(units, bool) or not isinstance(units, int) or not 0 <= units <= _MAX_MINOR_UNITS:
        msg = f"minor units of {instance.code} must be a whole number from 0 to 8, got {units!r}"
        raise UnknownCurrencyError(msg)
    iso = _MINOR_UNITS.get(instance.code)
    if iso is not None and iso != units:
        msg = f"{instance.code} has {iso} minor units under ISO 4217, not {units}"
        raise UnknownCurrencyError(msg)


@attrs.frozen(repr=False)
class Currency:
    """A currency: its ISO 4217 code and how many digits its minor unit has.

    Build ISO currencies with :meth:`of`. Constructing one directly is for currencies
    outside ISO 4217 (a house currency, a voucher unit); an ISO code given with the
    wrong number of minor units is refused.

    Attributes:
        code: Three upper-case letters, e.g. ``"EUR"``.
        minor_units: Digits after the decimal point, e.g. 2 for EUR, 0 for JPY.

    Example:
        >>> from staycore.kernel.currency import Currency
        >>> Currency.of("EUR")
        Currency('EUR')
        >>> Currency.of("EUR").quantum
        Decimal('0.01')
    """

    code: str = attrs.field(validator=_validate_code)
    minor_units: int = attrs.field(validator=_validate_units)

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """Look up an ISO 4217 currency by code (any letter case).

        Args:
            code: An ISO 4217 code such as ``"usd"`` or ``"USD"``, or a currency.

        Returns:
            The currency with its ISO minor units.

        Raises:
            UnknownCurrencyError: The code is not an active ISO 4217 code.

        Example:
            >>> from staycore.kernel.currency import Currency
            >>> Currency.of("kwd").minor_units
            3
        """
        if isinstance(code, Currency):
            return code
        if not isinstance(code, str):
            msg = f"currency must be given as an ISO 4217 code string, got {code!r}"
            raise UnknownCurrencyError(msg)
        currency = _ISO.get(code.strip().upper())
        if currency is None:
            msg = (
                f"unknown currency {code!r}: use an active ISO 4217 code such as "
                "'EUR', 'USD' or 'JPY', or construct Currency(code, minor_units) for "
                "a currency outside ISO 4217"
            )
            raise UnknownCurrencyError(msg)
        return currency

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of this currency as a ``Decimal`` exponent, e.g. ``0.01``."""
        return Decimal(1).scaleb(-self.minor_units)

    def __repr__(self) -> str:
        if _MINOR_UNITS.get(self.code) == self.minor_units:
            return f"Currency({self.code!r})"
        return f"Currency({self.code!r}, {self.minor_units})"

    def __str__(self) -> str:
        return self.code


_ISO: Final[dict[str, Currency]] = {
    code: Currency(code, units) for code, units in _MINOR_UNITS.items()
}
