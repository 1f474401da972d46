"""Analytics: the KPIs of a period, the churn watch list and the RFM segments, from the stores.

:class:`Analytics` reads what the other use cases keep (every committed order, review
and service request, the members' points, the inventory calendars of every unit type)
and works out, in one place, what ``staycore kpi``, the demo's report and a host's
dashboard show:

* :meth:`Analytics.kpis`: the KPI table of a period
  (:func:`~staycore.membership.kpis.kpi_table` over :func:`~staycore.app.kpis.order_fact`
  of every order, with the room nights the calendars offered,
  :func:`~staycore.app.kpis.room_nights_available`);
* :meth:`Analytics.churn_watch`: every customer with an order, scored for churn
  (:func:`~staycore.membership.churn.churn_risk`) from their stays, cancellations,
  no-shows, complaints and reviews, the riskiest first, each with the reasons;
* :meth:`Analytics.segments`: each customer's RFM segment and the figures of each
  segment (:func:`~staycore.membership.scoring.score_customers`; needs the ``analytics``
  extra).

Days are the property's: those of the timezone the orders were booked under (their
:attr:`~staycore.orders.terms.BookingTerms.timezone`; the most common one, UTC for a
store without orders), as :func:`~staycore.app.kpis.order_fact` reads them. Money is in
one currency: a store whose orders are in more than one is refused with
:class:`~staycore.kernel.errors.CurrencyMismatchError`, since neither a rate nor a spend
adds euros to dollars.

Results name customers by their id only, which names no one (see
:mod:`staycore.app.guest_data`): they are aggregates and scores, with no personal data
to mask. Each call reads every committed order, like a guest's data export: analytics
are for staff and scheduled reports, not for every page a guest opens.

Example:
    >>> import datetime as dt
    >>> from staycore.app.analytics import Analytics
    >>> from staycore.testing.hotel import SandboxHotel
    >>> hotel = SandboxHotel()
    >>> mei, leo = hotel.loyalty.enrol(name="Mei Tan"), hotel.loyalty.enrol(name="Leo Roux")
    >>> _ = hotel.stay_completed(mei, "2026-06-05/2026-06-07")
    >>> _ = hotel.stay_completed(leo, "2026-06-12/2026-06-14")
    >>> last = hotel.stay_completed(mei, "2026-07-10/2026-07-13")
    >>> _ = hotel.reviews.leave(last.id, ratings={"cleanliness": 3, "value": 2}, text="Noisy.")
    >>> analytics = Analytics(
    ...     aggregates=hotel.store, inventory=hotel.inventory, points=hotel.ledger,
    ...     members=hotel.stores.members, clock=hotel.clock,
    ...     unit_types=lambda: [hotel.unit_type])
    >>> july = analytics.kpis(dt.date(2026, 7, 1), dt.date(2026, 8, 1))
    >>> for name in ("occupancy", "adr", "repeat_guest_rate", "average_review_score"):
    ...     print(name, july.value(name))
    occupancy 0.0484
    adr EUR 120.00
    repeat_guest_rate 1.0000
    average_review_score 2.50
    >>> for found in analytics.churn_watch(dt.date(2026, 12, 1)):
    ...     print(found.customer == mei, f"{found.score:.2f}", found.action.value)
    ...     for reason in found.reasons:
    ...         print("  -", reason)
    True 0.85 win_back_offer
      - no stay for 141 days, 3.9x the usual 36-day gap between stays
      - average review 2.5 of 5
    False 0.14 none
    >>> segmentation = analytics.segments(dt.date(2026, 12, 1))
    >>> for group in segmentation.segments:
    ...     print(group.segment, group.customers, group.stays, group.spend)
    hibernating 1 1 EUR 240.00
    loyal 1 2 EUR 600.00
"""

from __future__ import annotations

import collections
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from staycore.app.arguments import expect
from staycore.app.kpis import order_fact, room_nights_available
from staycore.availability.ids import UnitTypeId
from staycore.kernel.currency import Currency
from staycore.kernel.errors import CurrencyMismatchError, StaycoreError
from staycore.kernel.money import Money
from staycore.kernel.time import Clock, local_date, start_of_local_day
from staycore.membership.churn import ChurnAction, ChurnInputs, InvalidChurnInputError, churn_risk
from staycore.membership.ids import CustomerId
from staycore.membership.kpis import InvalidKpiInputError, KpiTable, kpi_table
from staycore.membership.service import ServiceRequest, ServiceStatus, service_report
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.order import Order
from staycore.orders.reviews import Review
from staycore.ports.inventory import InventoryStore
from staycore.ports.members import MemberQueries
from staycore.ports.points import PointsLedger
from staycore.ports.stores import AggregateStore

__all__ = [
    "CHURN_WINDOW_DAYS",
    "MAX_PERIOD_DAYS",
    "Analytics",
    "CustomerAtRisk",
    "CustomerSegment",
    "ExtraNotInstalledError",
    "SegmentSummary",
    "Segmentation",
]

CHURN_WINDOW_DAYS: Final = 182
"""The recent window of the churn watch list: half a year, against the half-year before."""

MAX_PERIOD_DAYS: Final = 3660
"""The longest period :meth:`Analytics.kpis` reports on: ten years (of 366 days)."""

# Stays that happened: checked out, whether or not the order is closed yet.
_STAYED: Final = frozenset({OrderStatus.CHECKED_OUT, OrderStatus.COMPLETED})
_SETTLED: Final = frozenset({ServiceStatus.RESOLVED, ServiceStatus.CLOSED, ServiceStatus.CANCELLED})
_DEFAULT_TIMEZONE: Final = "UTC"
_POINT: Final = "Money.of('0.01', 'EUR')"
# The first and last days a report may name: a day whose midnight, in any timezone, is
# still an instant Python can hold.
_FIRST_DAY: Final = dt.date(1, 1, 2)
_LAST_DAY: Final = dt.date(9999, 12, 30)


class ExtraNotInstalledError(StaycoreError):
    """A use case needs an optional extra that is not installed; the message names it.

    Example:
        >>> from staycore.app.analytics import ExtraNotInstalledError
        >>> ExtraNotInstalledError.code
        'app.needs_extra'
    """

    code = "app.needs_extra"


@attrs.frozen
class CustomerAtRisk:
    """A customer on the churn watch list, as :meth:`Analytics.churn_watch` scores them.

    Attributes:
        customer: The customer, by id.
        score: The churn risk, 0 to 1.
        action: What it calls for (:class:`~staycore.membership.churn.ChurnAction`).
        stays: Stays they checked out of, on or before the day scored.
        last_stay: The day their last stay ended, or ``None`` if they never stayed.
        reasons: Why the risk is what it is: the factors that raise it, the largest
            first; none when nothing does.
    """

    customer: CustomerId
    score: float
    action: ChurnAction
    stays: int
    last_stay: dt.date | None
    reasons: tuple[str, ...]


@attrs.frozen
class CustomerSegment:
    """One customer's RFM scores and segment, as :meth:`Analytics.segments` finds them.

    Attributes:
        customer: The customer, by id.
        segment: Their RFM segment (``"champion"``, ``"at risk"``...).
        recency_score: 1 to 5, 5 the most recent.
        frequency_score: 1 to 5, 5 the most frequent.
        monetary_score: 1 to 5, 5 the highest spend.
        stays: Stays ending on different days (two orders checking out together are one).
        spend: What their stays' orders received.
        days_since_last_stay: Days from their last check-out to the day scored.
    """

    customer: CustomerId
    segment: str
    recency_score: int
    frequency_score: int
    monetary_score: int
    stays: int
    spend: Money
    days_since_last_stay: int


@attrs.frozen
class SegmentSummary:
    """The customers of one RFM segment, counted.

    Attributes:
        segment: The segment.
        customers: How many customers are in it.
        stays: Their stays, summed.
        spend: Their spend, summed.
        mean_days_since_last_stay: The mean of their days since their last stay.
    """

    segment: str
    customers: int
    stays: int
    spend: Money
    mean_days_since_last_stay: float


@attrs.frozen
class Segmentation:
    """Every customer who stayed, in their RFM segment, and each segment counted.

    Attributes:
        at: The day scored.
        customers: Each customer's scores and segment, by customer id.
        segments: Each segment's figures, the largest segment first (then by name).
    """

    at: dt.date
    customers: tuple[CustomerSegment, ...]
    segments: tuple[SegmentSummary, ...]

    def by_customer(self) -> dict[CustomerId, CustomerSegment]:
        """Each customer's scores and segment, by customer id.

        Example:
            Continuing the module example above:

            >>> segmentation.by_customer()[mei].segment
            'loyal'
        """
        return {found.customer: found for found in self.customers}


class Analytics:
    """The KPIs, the churn watch list and the RFM segments, read from the stores.

    Args:
        aggregates: The committed orders, reviews and service requests.
        inventory: The nightly calendars, for the room nights available.
        points: The points ledger, for the points members hold.
        members: The enrolled members.
        clock: The current time: service deadlines are judged at it.
        unit_types: Lists every unit type whose calendar counts in the room nights
            available. :func:`staycore.bootstrap` passes every calendar in its database;
            on stores without one (the memory adapter, stores built by hand), the unit
            types the application lists in search, which a host opens with
            :meth:`~staycore.app.availability.Availability.open_unit_type` when it
            starts, as search needs too.
    """

    def __init__(
        self,
        *,
        aggregates: AggregateStore,
        inventory: InventoryStore,
        points: PointsLedger,
        members: MemberQueries,
        clock: Clock,
        unit_types: Callable[[], Iterable[UnitTypeId]],
    ) -> None:
        self._aggregates = aggregates
        self._inventory = inventory
        self._points = points
        self._members = members
        self._clock = clock
        self._unit_types = unit_types

    def kpis(
        self,
        start: dt.date,
        end: dt.date,
        *,
        currency: Currency | str | None = None,
        searches: int | None = None,
        point_value: Money | None = None,
    ) -> KpiTable:
        """The KPI table of ``[start, end)``, from everything the stores hold.

        What ``staycore kpi`` prints: every order as
        :func:`~staycore.app.kpis.order_fact` reads it, the room nights the calendars of
        every unit type offered, the overall scores of the reviews written in the
        period, the service requests opened in it whose deadlines passed unmet (judged
        now), and, with ``point_value``, the points members held at the period's end.

        Args:
            start: The period's first day.
            end: The day after it; at most :data:`MAX_PERIOD_DAYS` after ``start``.
            currency: The property's currency, such as ``"EUR"``; by default the orders'.
            searches: Availability searches in the period, for the booking conversion:
                the stores do not count them, the host's web analytics do.
            point_value: What one point is worth, in the KPIs' currency, for the points
                liability.

        Returns:
            The table (:class:`~staycore.membership.kpis.KpiTable`).

        Raises:
            InvalidArgumentError: ``start`` or ``end`` is not a date, ``searches`` not
                an int, ``point_value`` not :class:`~staycore.kernel.money.Money`.
            InvalidKpiInputError: ``end`` is not after ``start``, the period is longer
                than :data:`MAX_PERIOD_DAYS` or reaches past the years 1 to 9999,
                ``searches`` is negative, ``point_value`` is in another currency than
                the KPIs, or the stores hold no order to read the currency from and
                none was given.
            UnknownCurrencyError: ``currency`` is no ISO 4217 code.
            CurrencyMismatchError: The orders are in more than one currency, or not in
                ``currency``.

        Example:
            See the module example.
        """
        first = _day(start, "Analytics.kpis: start", InvalidKpiInputError)
        after = _day(end, "Analytics.kpis: end", InvalidKpiInputError)
        if searches is not None:
            expect(searches, int, name="Analytics.kpis: searches", example="1200")
        if point_value is not None:
            expect(point_value, Money, name="Analytics.kpis: point_value", example=_POINT)
        if after <= first:
            msg = f"the period must end after it starts, not {first} to {after}"
            raise InvalidKpiInputError(msg)
        if (after - first).days > MAX_PERIOD_DAYS:
            msg = (
                f"a period of KPIs is at most {MAX_PERIOD_DAYS} days (ten years), not "
                f"{first} to {after}: ask for each year and compare them"
            )
            raise InvalidKpiInputError(msg)
        orders = self._aggregates.committed(Order)
        money = _currency(orders, currency)
        if point_value is not None and point_value.currency != money:
            msg = (
                f"point_value is what one point is worth in {money.code}, the KPIs' "
                f"currency, such as Money.of('0.01', {money.code!r}); got {point_value}"
            )
            raise InvalidKpiInputError(msg)
        zone = _timezone(orders)
        opens, closes = start_of_local_day(first, zone), start_of_local_day(after, zone)
        reviews = [
            review.ratings.overall
            for review in self._aggregates.committed(Review)
            if first <= local_date(review.written_at, zone) < after
        ]
        service = service_report(
            self._aggregates.committed(ServiceRequest), opens, closes, at=self._clock.now()
        )
        return kpi_table(
            [order_fact(order) for order in orders],
            start=first,
            end=after,
            room_nights_available=room_nights_available(
                self._inventory, self._unit_types(), first, after
            ),
            currency=money,
            searches=searches,
            review_scores=reviews,
            points_outstanding=None if point_value is None else self._points_held(closes),
            point_value=point_value,
            service_breaches=service.breaches,
        )

    def churn_watch(self, today: dt.date, *, limit: int | None = 20) -> tuple[CustomerAtRisk, ...]:
        """Every customer with an order, scored for churn on ``today``; the riskiest first.

        A customer's risk (:func:`~staycore.membership.churn.churn_risk`) comes from the
        days since their last stay against their own rhythm (or, with one stay, the
        rhythm typical of guests), their stays in the last :data:`CHURN_WINDOW_DAYS`
        days against the window before, the orders they placed in the recent window
        and cancelled or did not turn up for, their complaints (still open, or made
        in the recent window) and their average review. One who never stayed is
        measured from their first order. Only what happened on or before ``today``
        counts; orders and complaints count with their status as it is now.

        Args:
            today: The day scored, in the property's calendar.
            limit: How many customers to give, the riskiest; ``None`` for every one.

        Returns:
            The customers, the highest risk first (then by customer id).

        Raises:
            InvalidArgumentError: ``today`` is not a date, or ``limit`` not an int.
            InvalidChurnInputError: ``today`` is the first or last day of the calendar
                (0001-01-01, 9999-12-31), or ``limit`` is under 1.

        Example:
            See the module example.
        """
        day = _day(today, "Analytics.churn_watch: today", _churn_error)
        if limit is not None:
            expect(limit, int, name="Analytics.churn_watch: limit", example="20")
            if limit < 1:
                msg = f"limit is how many customers to give, at least 1 (or None); got {limit}"
                raise InvalidChurnInputError(msg, field="limit")
        orders = self._aggregates.committed(Order)
        zone = _timezone(orders)
        window = day - dt.timedelta(days=min(CHURN_WINDOW_DAYS, (day - dt.date.min).days))
        placed: dict[CustomerId, list[Order]] = collections.defaultdict(list)
        for order in orders:
            customer = order.guest.customer
            if customer is not None and local_date(order.placed_at, zone) <= day:
                placed[customer].append(order)
        reviews: dict[CustomerId, list[Decimal]] = collections.defaultdict(list)
        for review in self._aggregates.committed(Review):
            if local_date(review.written_at, zone) <= day:
                reviews[review.customer].append(review.ratings.overall)
        complaints: dict[CustomerId, list[tuple[dt.date, bool]]] = collections.defaultdict(list)
        for request in self._aggregates.committed(ServiceRequest):
            opened = local_date(request.opened_at, zone)
            if request.category == "complaint" and opened <= day:
                complaints[request.customer].append((opened, request.status not in _SETTLED))
        watched = [
            _at_risk(
                customer,
                theirs,
                day=day,
                window=window,
                zone=zone,
                reviews=reviews.get(customer, []),
                complaints=complaints.get(customer, []),
            )
            for customer, theirs in placed.items()
        ]
        watched.sort(key=lambda found: (-found.score, found.customer))
        return tuple(watched if limit is None else watched[:limit])

    def segments(self, today: dt.date) -> Segmentation:
        """Every customer who stayed, in their RFM segment on ``today``, and each segment counted.

        Customers are ranked among everyone who checked out of a stay on or before
        ``today`` (:func:`~staycore.membership.scoring.score_customers`, on the
        common segment map): by how recently they stayed, how often, and what their
        stays' orders received.

        Raises:
            ExtraNotInstalledError: The ``analytics`` extra (numpy) is not installed.
            InvalidArgumentError: ``today`` is not a date.
            InvalidKpiInputError: ``today`` is the first or last day of the calendar
                (0001-01-01, 9999-12-31).
            CurrencyMismatchError: The orders are in more than one currency.

        Example:
            See the module example.
        """
        day = _day(today, "Analytics.segments: today", InvalidKpiInputError)
        try:
            from staycore.membership.scoring import score_customers  # noqa: PLC0415 - numpy
        except ImportError as missing:
            msg = (
                "RFM segments need the analytics extra (numpy): pip install "
                f"'staycore[analytics]' ({missing})"
            )
            raise ExtraNotInstalledError(msg) from None
        orders = self._aggregates.committed(Order)
        stayed = [
            (customer, order)
            for order in orders
            if (customer := order.guest.customer) is not None
            and order.status in _STAYED
            and order.departure <= day
        ]
        if not stayed:
            return Segmentation(at=day, customers=(), segments=())
        money = _currency(orders, None)
        ids = {str(customer): customer for customer, _ in stayed}
        spend: dict[CustomerId, list[Money]] = collections.defaultdict(list)
        for customer, order in stayed:
            spend[customer].append(order.received)
        columns = score_customers(
            [str(customer) for customer, _ in stayed],
            [order.departure for _, order in stayed],
            [order.received.amount for _, order in stayed],
            at=day,
            lifetime=False,
        ).columns()
        customers = tuple(
            CustomerSegment(
                customer=ids[str(columns["customer"][row])],
                segment=str(columns["segment"][row]),
                recency_score=int(columns["recency_score"][row]),
                frequency_score=int(columns["frequency_score"][row]),
                monetary_score=int(columns["monetary_score"][row]),
                stays=int(columns["frequency"][row]) + 1,
                spend=Money.total(spend[ids[str(columns["customer"][row])]], money),
                days_since_last_stay=int(columns["days_since_last_stay"][row]),
            )
            for row in range(len(columns["customer"]))
        )
        return Segmentation(at=day, customers=customers, segments=_summaries(customers, money))

    def _points_held(self, at: dt.datetime) -> int:
        """The points members held just before ``at``."""
        if at >= self._clock.now():  # nothing is written after now: the balances
            return sum(self._points.account(member).balance for member in self._members.members())
        return sum(
            entry.points
            for member in self._members.members()
            for entry in self._points.entries(member)
            if entry.at < at
        )

    def __repr__(self) -> str:
        return f"Analytics({self._aggregates!r})"


def _at_risk(
    customer: CustomerId,
    placed: Sequence[Order],
    *,
    day: dt.date,
    window: dt.date,
    zone: str,
    reviews: Sequence[Decimal],
    complaints: Sequence[tuple[dt.date, bool]],
) -> CustomerAtRisk:
    """One customer scored for churn on ``day`` from their orders, reviews and complaints."""
    stays = [o.departure for o in placed if o.status in _STAYED and o.departure <= day]
    recent = [o for o in placed if local_date(o.placed_at, zone) > window]
    figures = {
        "open_complaints": sum(still_open for _, still_open in complaints),
        "recent_complaints": sum(opened > window for opened, _ in complaints),
        "cancellations": sum(o.status is OrderStatus.CANCELLED for o in recent),
        "no_shows": sum(o.status is OrderStatus.NO_SHOW for o in recent),
    }
    average = statistics.mean(reviews) if reviews else None
    if stays:
        inputs = ChurnInputs.from_stays(
            stays, today=day, window_days=CHURN_WINDOW_DAYS, average_review=average, **figures
        )
    else:  # never stayed: measured from their first order
        first = min(local_date(o.placed_at, zone) for o in placed)
        inputs = ChurnInputs(
            days_since_last_stay=(day - first).days, average_review=average, **figures
        )
    risk = churn_risk(inputs)
    return CustomerAtRisk(
        customer=customer,
        score=risk.score,
        action=risk.action,
        stays=len(stays),
        last_stay=max(stays) if stays else None,
        reasons=tuple(factor.reason for factor in risk.drivers),
    )


def _summaries(
    customers: Sequence[CustomerSegment], currency: Currency
) -> tuple[SegmentSummary, ...]:
    """Each segment's customers counted, the largest segment first."""
    groups: dict[str, list[CustomerSegment]] = collections.defaultdict(list)
    for found in customers:
        groups[found.segment].append(found)
    summaries = [
        SegmentSummary(
            segment=segment,
            customers=len(members),
            stays=sum(found.stays for found in members),
            spend=Money.total((found.spend for found in members), currency),
            mean_days_since_last_stay=float(
                statistics.mean(found.days_since_last_stay for found in members)
            ),
        )
        for segment, members in groups.items()
    ]
    summaries.sort(key=lambda summary: (-summary.customers, summary.segment))
    return tuple(summaries)


def _churn_error(message: str) -> StaycoreError:
    return InvalidChurnInputError(message, field="today")


def _day(value: object, name: str, error: Callable[[str], StaycoreError]) -> dt.date:
    """``value`` as a plain calendar date in the range a report can name."""
    day = expect(value, dt.date, name=name, example="date(2026, 7, 1)")
    if not _FIRST_DAY <= day <= _LAST_DAY:
        msg = f"{name} must be a day from {_FIRST_DAY} to {_LAST_DAY}, got {day}"
        raise error(msg)
    return dt.date(day.year, day.month, day.day)


def _currency(orders: Sequence[Order], asked: Currency | str | None) -> Currency:
    """The one currency of ``orders`` (``asked``, if given)."""
    held = {order.currency for order in orders}
    if asked is not None:
        wanted = Currency.of(asked)
        if held - {wanted}:
            msg = (
                f"the stores hold orders in {_listed(held)}, not only {wanted.code}: "
                "analytics work in one currency"
            )
            raise CurrencyMismatchError(msg)
        return wanted
    if len(held) > 1:
        msg = f"the stores hold orders in {_listed(held)}: analytics work in one currency"
        raise CurrencyMismatchError(msg)
    if not held:
        msg = "the stores hold no orders to read the currency from: pass currency='EUR' or yours"
        raise InvalidKpiInputError(msg)
    return next(iter(held))


def _listed(currencies: Iterable[Currency]) -> str:
    return " and ".join(sorted(currency.code for currency in currencies))


def _timezone(orders: Sequence[Order]) -> str:
    """The property's timezone: the one most orders were booked under."""
    zones = collections.Counter(order.terms.timezone for order in orders)
    return zones.most_common(1)[0][0] if zones else _DEFAULT_TIMEZONE
