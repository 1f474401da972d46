"""Operating KPIs over a period: how the business is doing, each with its formula.

Pure functions over plain facts: :class:`OrderFact` says what a KPI needs to know of an
order (the host, or :mod:`staycore.app`, extracts it from its orders), and the counts of
room nights available come from the inventory. :func:`kpi_table` computes them all for a
period and gives each with its formula, for a report or ``staycore kpi``.

Rates are :class:`~decimal.Decimal` fractions between 0 and 1 (``None`` when the rate has
no denominator in the period: no orders, no arrivals); money is
:class:`~staycore.kernel.money.Money` in the property's currency. A period is half-open,
``[start, end)``, like a stay.

Example:
    >>> import datetime as dt
    >>> from staycore.kernel.money import Money
    >>> from staycore.membership.kpis import OrderFact, Outcome, kpi_table
    >>> from staycore.orders.ids import CustomerId, OrderId
    >>> mei, leo = CustomerId.new(), CustomerId.new()
    >>> def fact(customer, arrival, outcome, nights, revenue, coupon=False):
    ...     return OrderFact(order=OrderId.new(), customer=customer, placed_on=arrival,
    ...                      arrival=arrival, outcome=outcome, room_nights=nights,
    ...                      room_revenue=Money.of(revenue, "EUR"),
    ...                      paid=Money.of(revenue, "EUR"), refunded=Money.zero("EUR"),
    ...                      coupon=coupon)
    >>> facts = [
    ...     fact(mei, dt.date(2026, 6, 3), Outcome.STAYED, 3, "360.00"),
    ...     fact(mei, dt.date(2026, 7, 9), Outcome.STAYED, 2, "260.00", coupon=True),
    ...     fact(leo, dt.date(2026, 7, 20), Outcome.CANCELLED, 0, "0.00"),
    ... ]
    >>> table = kpi_table(facts, start=dt.date(2026, 7, 1), end=dt.date(2026, 8, 1),
    ...                   room_nights_available=62, currency="EUR")
    >>> print(table.value("occupancy"), table.value("adr"), table.value("cancellation_rate"))
    0.0323 EUR 130.00 0.5000
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import attrs

from staycore.kernel.currency import Currency
from staycore.kernel.money import Money
from staycore.membership.errors import MembershipError
from staycore.orders.ids import CustomerId, OrderId

__all__ = [
    "InvalidKpiInputError",
    "Kpi",
    "KpiTable",
    "OrderFact",
    "Outcome",
    "adr",
    "kpi_table",
    "occupancy",
    "rate",
    "retention_by_cohort",
    "revpar",
]

_PLACES = Decimal("0.0001")


class InvalidKpiInputError(MembershipError):
    """A KPI was asked for with a negative count, an empty period, or mixed currencies."""

    code = "membership.invalid_kpi_input"


class Outcome(enum.Enum):
    """How an order ended, as the KPIs count it."""

    STAYED = "stayed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    LAPSED = "lapsed"  # expired unpaid, or declined by the host
    OPEN = "open"  # not yet arrived


@attrs.frozen(kw_only=True)
class OrderFact:
    """What the KPIs read of one order.

    Attributes:
        order: The order.
        customer: Its customer, if known.
        placed_on: The day it was placed.
        arrival: Its arrival day.
        outcome: How it ended.
        room_nights: Room nights it stayed (a room for two nights is 2; 0 unless stayed).
        room_revenue: What those nights earned, refunds deducted.
        paid: What the guest paid in all.
        refunded: What was given back to the guest.
        coupon: Whether a coupon was redeemed for it.
    """

    order: OrderId
    customer: CustomerId | None
    placed_on: dt.date
    arrival: dt.date
    outcome: Outcome
    room_nights: int
    room_revenue: Money
    paid: Money
    refunded: Money
    coupon: bool = False


def rate(part: int | Decimal | Money, whole: int | Decimal | Money) -> Decimal | None:
    """``part / whole`` to four places, half up; ``None`` when ``whole`` is zero.

    Example:
        >>> from staycore.membership.kpis import rate
        >>> rate(1, 3), rate(0, 0)
        (Decimal('0.3333'), None)
    """
    top = part.amount if isinstance(part, Money) else Decimal(part)
    bottom = whole.amount if isinstance(whole, Money) else Decimal(whole)
    if bottom == 0:
        return None
    return (top / bottom).quantize(_PLACES, rounding=ROUND_HALF_UP)


def occupancy(room_nights_sold: int, room_nights_available: int) -> Decimal | None:
    """Occupancy = room nights sold / room nights available.

    Example:
        >>> from staycore.membership.kpis import occupancy
        >>> occupancy(45, 60)
        Decimal('0.7500')
    """
    _counts(room_nights_sold=room_nights_sold, room_nights_available=room_nights_available)
    return rate(room_nights_sold, room_nights_available)


def adr(room_revenue: Money, room_nights_sold: int) -> Money | None:
    """ADR (average daily rate) = room revenue / room nights sold.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.membership.kpis import adr
        >>> adr(Money.of("1000.00", "EUR"), 8)
        Money('125.00', 'EUR')
    """
    _counts(room_nights_sold=room_nights_sold)
    if room_nights_sold == 0:
        return None
    return _per(room_revenue, room_nights_sold)


def revpar(room_revenue: Money, room_nights_available: int) -> Money | None:
    """RevPAR = room revenue / room nights available = ADR x occupancy.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.membership.kpis import revpar
        >>> revpar(Money.of("1000.00", "EUR"), 10)
        Money('100.00', 'EUR')
    """
    _counts(room_nights_available=room_nights_available)
    if room_nights_available == 0:
        return None
    return _per(room_revenue, room_nights_available)


def retention_by_cohort(
    facts: Iterable[OrderFact], *, months: int = 12
) -> Mapping[str, tuple[Decimal | None, ...]]:
    """Of the customers whose first stay was in a month, the share who stayed in each later one.

    The cohort is the month of the first stay (``"2026-06"``); entry ``k`` of its tuple
    is the share of the cohort with a stay in the ``k``-th month after it (k = 1 ..
    ``months``). Only stays count.

    Example:
        Continuing the module example above:

        >>> retention_by_cohort(facts, months=2)
        {'2026-06': (Decimal('1.0000'), Decimal('0.0000'))}
    """
    stays: dict[CustomerId, set[int]] = {}
    for fact in facts:
        if fact.outcome is Outcome.STAYED and fact.customer is not None:
            stays.setdefault(fact.customer, set()).add(_month(fact.arrival))
    cohorts: dict[int, list[set[int]]] = {}
    for months_stayed in stays.values():
        first = min(months_stayed)
        cohorts.setdefault(first, []).append(months_stayed)
    table: dict[str, tuple[Decimal | None, ...]] = {}
    for first in sorted(cohorts):
        members = cohorts[first]
        table[f"{first // 12:04d}-{first % 12 + 1:02d}"] = tuple(
            rate(sum(1 for m in members if first + k in m), len(members))
            for k in range(1, months + 1)
        )
    return table


@attrs.frozen
class Kpi:
    """One KPI of a period.

    Attributes:
        name: Its key (``"revpar"``).
        value: Its value; ``None`` when it has no denominator in the period.
        formula: How it is worked out, in words.
    """

    name: str
    value: Decimal | Money | None
    formula: str


@attrs.frozen
class KpiTable:
    """The KPIs of a period, in a fixed order.

    Attributes:
        start: The period's first day.
        end: The day after it.
        kpis: The KPIs.
    """

    start: dt.date
    end: dt.date
    kpis: tuple[Kpi, ...]

    def value(self, name: str) -> Decimal | Money | None:
        """The value of the KPI ``name``.

        Raises:
            InvalidKpiInputError: There is no such KPI; the message lists them.

        Example:
            See the module example.
        """
        for kpi in self.kpis:
            if kpi.name == name:
                return kpi.value
        known = ", ".join(kpi.name for kpi in self.kpis)
        msg = f"no KPI {name!r}; the table has {known}"
        raise InvalidKpiInputError(msg)

    def rows(self) -> list[tuple[str, str, str]]:
        """``(name, value as text, formula)`` for each KPI, ``"-"`` for no value.

        Example:
            Continuing the module example above:

            >>> table.rows()[0]
            ('occupancy', '0.0323', 'room nights sold / room nights available')
        """
        return [(k.name, "-" if k.value is None else str(k.value), k.formula) for k in self.kpis]


def kpi_table(
    facts: Iterable[OrderFact],
    *,
    start: dt.date,
    end: dt.date,
    room_nights_available: int,
    currency: Currency | str,
    searches: int | None = None,
    review_scores: Sequence[Decimal] = (),
    points_outstanding: int | None = None,
    point_value: Money | None = None,
    service_breaches: int | None = None,
) -> KpiTable:
    """Every KPI of the period ``[start, end)``.

    Orders count in the period by the day they were placed (conversion, cancellations,
    refunds, coupons) or by their arrival (occupancy, revenue, no-shows, repeat guests).

    Args:
        facts: The orders; those outside the period are passed over (and give the
            repeat-guest rate its history).
        start: The period's first day.
        end: The day after it.
        room_nights_available: Room nights the inventory offered in the period
            (capacity less blocks, night by night, summed).
        currency: The property's currency.
        searches: Availability searches (or sessions) in the period, for conversion.
        review_scores: The overall scores of the reviews left in the period.
        points_outstanding: Points members hold at the end of the period.
        point_value: What one point is worth when redeemed, for the liability.
        service_breaches: Service requests whose deadlines passed unmet in the period
            (:func:`~staycore.membership.service.service_report`).

    Raises:
        InvalidKpiInputError: ``end`` is not after ``start``, or a count is negative.

    Example:
        See the module example.
    """
    if end <= start:
        msg = f"the period must end after it starts, not {start} to {end}"
        raise InvalidKpiInputError(msg)
    _counts(room_nights_available=room_nights_available, searches=searches or 0)
    all_facts = list(facts)
    placed = [f for f in all_facts if start <= f.placed_on < end]
    arriving = [f for f in all_facts if start <= f.arrival < end]
    stayed = [f for f in arriving if f.outcome is Outcome.STAYED]
    nights = sum(f.room_nights for f in stayed)
    revenue = Money.total((f.room_revenue for f in stayed), currency)
    paid = Money.total((f.paid for f in placed), currency)
    refunded = Money.total((f.refunded for f in placed), currency)
    guests = {f.customer for f in stayed if f.customer is not None}
    earlier = {
        f.customer
        for f in all_facts
        if f.outcome is Outcome.STAYED and f.customer is not None and f.arrival < start
    }
    due = [f for f in arriving if f.outcome in (Outcome.STAYED, Outcome.NO_SHOW)]
    liability = None
    if points_outstanding is not None and point_value is not None:
        liability = (point_value * points_outstanding).rounded()
    average = None
    if review_scores:
        average = (sum(review_scores, Decimal(0)) / len(review_scores)).quantize(Decimal("0.01"))
    kpis = (
        Kpi(
            "occupancy",
            occupancy(nights, room_nights_available),
            "room nights sold / room nights available",
        ),
        Kpi("adr", adr(revenue, nights), "room revenue / room nights sold"),
        Kpi(
            "revpar", revpar(revenue, room_nights_available), "room revenue / room nights available"
        ),
        Kpi(
            "booking_conversion",
            None if searches is None else rate(len(placed), searches),
            "orders placed / searches",
        ),
        Kpi(
            "cancellation_rate",
            rate(sum(f.outcome is Outcome.CANCELLED for f in placed), len(placed)),
            "orders cancelled / orders placed",
        ),
        Kpi(
            "no_show_rate",
            rate(sum(f.outcome is Outcome.NO_SHOW for f in due), len(due)),
            "no-shows / arrivals due (stayed or no-show)",
        ),
        Kpi("refund_rate", rate(refunded, paid), "money refunded / money paid, orders placed"),
        Kpi(
            "repeat_guest_rate",
            rate(len(guests & earlier), len(guests)),
            "guests who stayed before / guests who stayed",
        ),
        Kpi(
            "coupon_redemption_rate",
            rate(sum(f.coupon for f in placed), len(placed)),
            "orders with a coupon / orders placed",
        ),
        Kpi("points_liability", liability, "points outstanding x value of a point"),
        Kpi("average_review_score", average, "mean overall score of the reviews left"),
        Kpi(
            "service_deadline_breaches",
            None if service_breaches is None else Decimal(service_breaches),
            "service requests with a deadline passed unmet",
        ),
    )
    return KpiTable(start=start, end=end, kpis=kpis)


def _counts(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            msg = f"{name} must be a whole number, 0 or more; got {value!r}"
            raise InvalidKpiInputError(msg)


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _per(amount: Money, count: int) -> Money:
    """``amount / count``, rounded to the currency's minor unit by the kernel's policy."""
    return Money.of(amount.amount / count, amount.currency).rounded()
