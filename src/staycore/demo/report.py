"""What the demo's year ends with: its tables, read back from the stores.

:func:`run_year` builds the application (:func:`staycore.bootstrap` on the store given,
a frozen clock on 1 January, the sandbox gateway, the Garden Rewards programme), runs a
year of the plan a seed draws (:mod:`staycore.demo.year`), and writes what the stores
then hold as plain aligned tables: the year at a glance, and what the application's
analytics (:class:`~staycore.app.analytics.Analytics`, the use cases ``staycore kpi``
reads too) work out from the stores: the KPI table
(:meth:`~staycore.app.analytics.Analytics.kpis`), the RFM segments
(:meth:`~staycore.app.analytics.Analytics.segments`, with the ``analytics`` extra) and the
churn watch list with its reasons (:meth:`~staycore.app.analytics.Analytics.churn_watch`,
from each guest's stays, cancellations, no-shows, complaints and reviews), the report
putting the guests' names to their customer ids; then loyalty (members by tier, points
earned and spent) and payments (by occasion, as the gateway and the orders' ledgers count
them, and whether they agree).

Example:
    >>> import io
    >>> from staycore.demo.report import run_year
    >>> out = io.StringIO()
    >>> report = run_year(out, seed=1, guests=25, days=45)
    >>> print(out.getvalue().splitlines()[0])
    A year at the homestay: 25 guests, 45 days from 2026-01-01 (seed 1)
    >>> report.money_conserved
    True
"""

from __future__ import annotations

import collections
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Final, TextIO

import attrs

import staycore
from staycore.adapters.payments import SandboxGateway
from staycore.app.analytics import ExtraNotInstalledError
from staycore.availability.ids import UnitTypeId
from staycore.demo.guests import plan_year
from staycore.demo.homestay import CURRENCY
from staycore.demo.year import Year, simulate_year
from staycore.kernel.money import Money
from staycore.membership.kpis import KpiTable
from staycore.membership.points import EntryKind
from staycore.membership.service import ServiceRequest, ServiceStatus
from staycore.orders.ids import CustomerId
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import StayLine
from staycore.orders.order import Order
from staycore.orders.payments import MovementKind, MovementStatus
from staycore.orders.reviews import Review
from staycore.testing.clock import FrozenClock
from staycore.testing.hotel import WEBHOOK_SECRET, garden_rewards

__all__ = [
    "DEFAULT_GUESTS",
    "DEFAULT_SEED",
    "WATCHED",
    "ChurnWatch",
    "YearReport",
    "progress_bar",
    "run_year",
]

DEFAULT_SEED: Final = 2026
"""The seed ``staycore demo`` draws its guests with unless given ``--seed``."""

DEFAULT_GUESTS: Final = 250
"""How many guests ``staycore demo`` draws: a few hundred, as many as a year on SQLite
runs for in about ten seconds through the use cases, leaving the whole demo room under
fifteen on a busy machine. An order costs some 30 ms there over its life (the use cases'
own reads and writes, the sweeper reading it each day it is open, the loyalty
reactions), and these guests place about 295."""

WATCHED: Final = 10
"""How many guests the churn watch list shows."""

# 1,000 points buy EUR 10 off: what one point is worth.
_POINT_VALUE: Final = Money.of("0.01", CURRENCY)


@attrs.frozen
class ChurnWatch:
    """A guest on the churn watch list.

    Attributes:
        name: The guest.
        segment: Their RFM segment, or ``"-"`` without the analytics extra.
        stays: Stays completed.
        last_stay: The day their last stay ended, if any.
        score: The churn risk, 0 to 1.
        action: What it calls for (``"win back offer"``, ``"personal call"``...).
        reasons: The factors that raise it, largest first.
    """

    name: str
    segment: str
    stays: int
    last_stay: dt.date | None
    score: float
    action: str
    reasons: tuple[str, ...]


@attrs.frozen(eq=False)
class YearReport:
    """The tables of a year, and the figures the tests check.

    Attributes:
        title: The first line.
        kpis: The KPI table of the year.
        quarters: The KPI tables of each quarter (those the run reached).
        glance: The year at a glance, as ``(what, how much)`` rows.
        segments: ``(segment, guests, stays, spend, mean days since the last stay)``
            rows, the largest segment first; ``None`` without the analytics extra.
        watch: The guests most at risk of churning, the highest risk first.
        tiers: Members by tier, in the programme's order.
        points: Points ``earned``, ``redeemed``, ``outstanding``, ``expired``.
        payments: ``(occasion, count, amount)`` rows.
        captured: Captured at the gateway for the year's orders.
        refunded: Refunded at the gateway.
        received: What the orders say they received, summed.
        ledgers_agree: Whether the orders' ledgers count the captures and refunds the
            gateway made, and the guests' own count of what they paid agrees.
        fullest: The most rooms sold on one night, the rooms there are, and the night.
        oversold: Nights on which some room type sold more rooms than it has.
        orders: How many orders the year placed.
    """

    title: str
    kpis: KpiTable
    quarters: tuple[KpiTable, ...]
    glance: tuple[tuple[str, str], ...]
    segments: tuple[tuple[str, int, int, Money, float], ...] | None
    watch: tuple[ChurnWatch, ...]
    tiers: tuple[tuple[str, int], ...]
    points: dict[str, int]
    payments: tuple[tuple[str, int, Money | None], ...]
    captured: Money
    refunded: Money
    received: Money
    ledgers_agree: bool
    fullest: tuple[int, int, dt.date | None]
    oversold: int
    orders: int

    @property
    def money_conserved(self) -> bool:
        """Whether the money adds up, at the gateway and in the orders.

        Captured less refunded at the gateway is what the orders received, the orders'
        ledgers count what the gateway moved, and the guests' own count agrees.

        Example:
            See the module example.
        """
        return self.captured - self.refunded == self.received and self.ledgers_agree

    def write(self, out: TextIO) -> None:
        """Write every table to ``out``.

        Example:
            See the module example.
        """
        out.write(f"{self.title}\n{'=' * len(self.title)}\n")
        _section(out, "The year at a glance")
        _rows(out, [(what, value) for what, value in self.glance])
        _section(out, f"KPIs, {self.kpis.start} to {self.kpis.end - dt.timedelta(days=1)}")
        _rows(out, [(name, value, formula) for name, value, formula in self.kpis.rows()], (1,))
        out.write(
            "  (the homestay's first year: no guest stayed before it; by quarter, some did)\n"
        )
        if len(self.quarters) > 1:
            out.write("\n")
            heads = [f"Q{(q.start.month - 1) // 3 + 1}" for q in self.quarters]
            quarters: list[Sequence[str]] = [("by quarter", *heads)]
            quarters += [
                (name, *(_short(q.value(name)) for q in self.quarters)) for name in _BY_QUARTER
            ]
            _rows(out, quarters, range(1, len(heads) + 1), header=True)
        _section(out, "RFM segments (recency and frequency of stays, ranked among the guests)")
        if self.segments is None:
            out.write("  needs the analytics extra: pip install 'staycore[analytics]'\n")
        else:
            rows: list[Sequence[str]] = [("segment", "guests", "stays", "spend", "days since")]
            rows += [
                (name, str(guests), str(stays), _money(spend), f"{days:.0f}")
                for name, guests, stays, spend, days in self.segments
            ]
            _rows(out, rows, (1, 2, 3, 4), header=True)
        _section(out, f"Churn watch list: the {len(self.watch)} guests most at risk, and why")
        watch: list[Sequence[str]] = [("guest", "segment", "stays", "last stay", "risk", "action")]
        watch += [
            (g.name, g.segment, str(g.stays), _day(g.last_stay), f"{g.score:.2f}", g.action)
            for g in self.watch
        ]
        table = _aligned(watch, (2, 4), header=True)
        out.write(table[0] + table[1])
        for guest, line in zip(self.watch, table[2:], strict=True):
            out.write(line)
            for reason in guest.reasons or ("nothing in particular",):
                out.write(f"      - {reason}\n")
        _section(out, "Loyalty: Garden Rewards")
        _rows(out, [("tier", "members"), *((t, str(n)) for t, n in self.tiers)], (1,), header=True)
        points = self.points
        liability = _money(_POINT_VALUE * points["outstanding"])
        _rows(
            out,
            [
                ("points earned", f"{points['earned']:,}", "stays and reviews"),
                ("points redeemed", f"{points['redeemed']:,}", "rewards of EUR 10 off"),
                ("points outstanding", f"{points['outstanding']:,}", f"worth {liability}"),
            ],
            (1,),
        )
        _section(out, "Payments, through the sandbox gateway")
        rows = [("", "count", "amount")]
        rows += [
            (what, str(count), "-" if amount is None else _money(amount))
            for what, count, amount in self.payments
        ]
        _rows(out, rows, (1, 2), header=True)
        agree = "yes" if self.money_conserved else "NO"
        out.write(
            f"  money conserved: {agree}: {_money(self.captured)} captured - "
            f"{_money(self.refunded)} refunded = {_money(self.received)} received by the "
            "orders\n"
        )
        rooms, capacity, night = self.fullest
        out.write(
            f"  never oversold: {'yes' if not self.oversold else 'NO'}: the fullest nights sold "
            f"{rooms} of {capacity} rooms (the first on {_day(night)})\n"
        )


def run_year(
    out: TextIO,
    *,
    store: str = "memory",
    seed: int = DEFAULT_SEED,
    guests: int = DEFAULT_GUESTS,
    days: int = 365,
    year: int = 2026,
    progress: Callable[[int, int], None] | None = None,
) -> YearReport:
    """Simulate a year at the homestay on ``store``, and write its tables to ``out``.

    Args:
        out: Where the tables go.
        store: What :func:`staycore.bootstrap` keeps the year in: ``"memory"``, or a
            database URL such as ``sqlite:///demo.db``.
        seed: Draws the guests and what they do: the same seed, the same year.
        guests: How many guests.
        days: How many days of the year to run (365 for all of it).
        year: The calendar year.
        progress: Told after each day how far the year has gone
            (:func:`progress_bar`).

    Returns:
        The report it wrote.

    Raises:
        InvalidYearError: Fewer than 0 guests, or fewer than 14 days or more than the
            year has.

    Example:
        See the module example.
    """
    clock = FrozenClock(f"{year}-01-01T05:00:00Z")
    gateway = SandboxGateway(clock, secret=WEBHOOK_SECRET)
    plan = plan_year(seed=seed, guests=guests, days=days, year=year)
    with staycore.bootstrap(
        store=store, clock=clock, payments=gateway, programme=garden_rewards()
    ) as app:
        simulated = simulate_year(app, gateway, plan, days=days, progress=progress)
        title = f"A year at the homestay: {guests} guests, {days} days from {simulated.start}"
        report = _report(simulated, f"{title} (seed {seed})")
    report.write(out)
    return report


def progress_bar(stream: TextIO, *, width: int = 30) -> Callable[[int, int], None] | None:
    r"""A progress bar for the simulated year on ``stream``, if it is a terminal.

    Returns ``None`` when ``stream`` is not a terminal (a file, a pipe): nothing to
    redraw there. The bar is redrawn in place; at the end it is wiped.

    Example:
        >>> import io
        >>> from staycore.demo.report import progress_bar
        >>> progress_bar(io.StringIO()) is None
        True
        >>> class Terminal(io.StringIO):
        ...     def isatty(self): return True
        >>> screen = Terminal()
        >>> bar = progress_bar(screen, width=10)
        >>> bar(183, 365)
        >>> screen.getvalue()
        '\r  simulating the year [#####-----] 183/365 days'
    """
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        filled = done * width // total
        stream.write(
            f"\r  simulating the year [{'#' * filled}{'-' * (width - filled)}] {done}/{total} days"
        )
        if done == total:
            stream.write("\r" + " " * (width + 46) + "\r")
        stream.flush()

    return show


# -- reading the year back -----------------------------------------------------------


def _report(year: Year, title: str) -> YearReport:
    orders = year.orders()
    app = year.app
    start, end = year.start, year.end
    ids = {order.id for order in orders}
    customers = set(year.customers.values())
    reviews = [r for r in app.stores.aggregates.committed(Review) if r.order in ids]
    requests = [
        r for r in app.stores.aggregates.committed(ServiceRequest) if r.customer in customers
    ]
    members = [c for n, c in sorted(year.customers.items()) if year.plan.guests[n].member]
    points = _points(year, members)

    def table(first: dt.date, after: dt.date, *, point_value: Money | None = None) -> KpiTable:
        return app.analytics.kpis(
            first,
            after,
            currency=CURRENCY,
            searches=sum(n for day, n in year.counts.searches_on.items() if first <= day < after),
            point_value=point_value,
        )

    kpis = table(start, end, point_value=_POINT_VALUE)
    quarters = tuple(table(first, after) for first, after in _quarters(start, end))
    segments, segment_of = _segments(year)
    captured, refunded, payments, agree = _payments(year, orders)
    fullest, oversold = _occupancy(year, orders)
    return YearReport(
        title=title,
        kpis=kpis,
        quarters=quarters,
        glance=_glance(year, orders, reviews, requests),
        segments=segments,
        watch=_watch(year, segment_of),
        tiers=_tiers(year, members),
        points=points,
        payments=payments,
        captured=captured,
        refunded=refunded,
        received=Money.total((order.received for order in orders), CURRENCY),
        ledgers_agree=agree,
        fullest=fullest,
        oversold=oversold,
        orders=len(orders),
    )


def _glance(
    year: Year,
    orders: Sequence[Order],
    reviews: Sequence[Review],
    requests: Sequence[ServiceRequest],
) -> tuple[tuple[str, str], ...]:
    counts = year.counts
    booked = len(year.customers)
    members = sum(year.plan.guests[n].member for n in year.customers)
    statuses = collections.Counter(order.status for order in orders)
    complaints = sum(r.category == "complaint" for r in requests)
    coupons = sum(counts.coupons.values())
    habits = collections.Counter(year.plan.guests[n].habit.value for n in year.customers)
    mix = ", ".join(f"{count} {habit}s" for habit, count in sorted(habits.items()))
    average = (
        f", average {statistics.mean(r.ratings.overall for r in reviews):.2f} of 5"
        if reviews
        else ""
    )
    return (
        ("guests who booked", f"{booked} of {len(year.plan.guests)} ({mix}); {members} members"),
        (
            "searches",
            f"{counts.searches}; {counts.turned_away} found nothing for their party, "
            f"{counts.lengthened} stayed a second night for a summer weekend's minimum",
        ),
        (
            "orders placed",
            f"{len(orders)}: {counts.spa} with a spa treatment, {coupons} with a coupon "
            f"({_listed(counts.coupons)})",
        ),
        (
            "cards declined",
            f"{counts.declined}: {counts.declined - counts.abandoned} paid with another card, "
            f"{counts.abandoned} left unpaid ({statuses[OrderStatus.EXPIRED]} expired by the "
            "sweeper)",
        ),
        ("cancelled", f"{statuses[OrderStatus.CANCELLED]}, refunded under the policy"),
        ("dates changed", f"{counts.changed}, {counts.change_refused} refused"),
        ("no-shows", str(statuses[OrderStatus.NO_SHOW])),
        ("stays completed", str(statuses[OrderStatus.COMPLETED])),
        ("reviews", f"{len(reviews)}{average}"),
        (
            "service requests",
            f"{len(requests)}, {_count(complaints, 'complaint')}; "
            f"{sum(r.status not in _SETTLED for r in requests)} still open; "
            f"{_count(counts.escalations, 'escalation')}",
        ),
        ("reminders sent", str(counts.reminders)),
        (
            "win-back offers",
            f"{counts.win_backs} sent, {counts.coupons['win-back']} guests booked again with one",
        ),
    )


def _segments(
    year: Year,
) -> tuple[tuple[tuple[str, int, int, Money, float], ...] | None, dict[str, str]]:
    """The RFM segments (with numpy), and each guest's segment by name."""
    try:
        segmentation = year.app.analytics.segments(year.end - dt.timedelta(days=1))
    except ExtraNotInstalledError:
        return None, {}
    rows = tuple(
        (s.segment, s.customers, s.stays, s.spend, s.mean_days_since_last_stay)
        for s in segmentation.segments
    )
    segment_of = {year.guest(c.customer).name: c.segment for c in segmentation.customers}
    return rows, segment_of


def _watch(year: Year, segment_of: dict[str, str]) -> tuple[ChurnWatch, ...]:
    """Every guest scored for churn from what the stores know of them; the riskiest."""
    scored = year.app.analytics.churn_watch(year.end - dt.timedelta(days=1), limit=None)
    watched = []
    for risk in scored:
        name = year.guest(risk.customer).name
        watched.append(
            ChurnWatch(
                name=name,
                segment=segment_of.get(name, "-"),
                stays=risk.stays,
                last_stay=risk.last_stay,
                score=risk.score,
                action=risk.action.value.replace("_", " "),
                reasons=risk.reasons,
            )
        )
    # By name among equal risks, as the guests are drawn: customer ids are new each run.
    watched.sort(key=lambda guest: (-guest.score, guest.name))
    return tuple(watched[:WATCHED])


_SETTLED: Final = frozenset({ServiceStatus.RESOLVED, ServiceStatus.CLOSED, ServiceStatus.CANCELLED})


def _points(year: Year, members: Iterable[CustomerId]) -> dict[str, int]:
    totals = {"earned": 0, "redeemed": 0, "outstanding": 0, "expired": 0}
    for customer in members:
        for entry in year.app.stores.points.entries(customer):
            if entry.kind is EntryKind.EARN:
                totals["earned"] += entry.points
            elif entry.kind is EntryKind.REDEEM:
                totals["redeemed"] -= entry.points
            elif entry.kind is EntryKind.EXPIRE:
                totals["expired"] -= entry.points
        totals["outstanding"] += year.app.loyalty.account(customer).balance
    return totals


def _tiers(year: Year, members: Sequence[CustomerId]) -> tuple[tuple[str, int], ...]:
    held = collections.Counter(year.app.loyalty.status(customer).tier for customer in members)
    names = [tier.name for tier in year.app.loyalty.programme.tiers.tiers]
    return tuple((name, held[name]) for name in names)


def _payments(
    year: Year, orders: Sequence[Order]
) -> tuple[Money, Money, tuple[tuple[str, int, Money | None], ...], bool]:
    """What moved at the gateway for the year's orders, and whether everyone agrees."""
    ids = {str(order.id) for order in orders}
    moved = [m for m in year.gateway.movements() if str(m.order) in ids]

    def total(kind: MovementKind) -> list[Money]:
        return [m.amount for m in moved if m.kind is kind and m.status is MovementStatus.SUCCEEDED]

    captures, refunds = total(MovementKind.CAPTURE), total(MovementKind.REFUND)
    declined = sum(
        m.kind is MovementKind.CAPTURE and m.status is MovementStatus.FAILED for m in moved
    )
    captured = Money.total(captures, CURRENCY)
    refunded = Money.total(refunds, CURRENCY)
    paid = year.payments
    handed = [*paid.deposits, *paid.in_full, *paid.balances, *paid.at_desk, *paid.date_changes]
    agree = (
        Money.total((o.ledger.captured for o in orders), CURRENCY) == captured
        and Money.total((o.ledger.refunded for o in orders), CURRENCY) == refunded
        and Money.total(handed, CURRENCY) == captured
    )
    rows: tuple[tuple[str, int, Money | None], ...] = (
        ("deposits (30 %)", len(paid.deposits), Money.total(paid.deposits, CURRENCY)),
        (
            "paid in full at booking (within a week)",
            len(paid.in_full),
            Money.total(paid.in_full, CURRENCY),
        ),
        ("balances after a reminder", len(paid.balances), Money.total(paid.balances, CURRENCY)),
        ("balances at the desk", len(paid.at_desk), Money.total(paid.at_desk, CURRENCY)),
        (
            "dearer dates, the difference",
            len(paid.date_changes),
            Money.total(paid.date_changes, CURRENCY),
        ),
        ("cards declined", declined, None),
        ("captured", len(captures), captured),
        ("refunded (cancellations, cheaper dates)", len(refunds), refunded),
    )
    return captured, refunded, rows, agree


def _occupancy(year: Year, orders: Sequence[Order]) -> tuple[tuple[int, int, dt.date | None], int]:
    """The fullest night of all rooms, and nights some room type sold beyond its rooms."""
    sold: collections.Counter[tuple[UnitTypeId, dt.date]] = collections.Counter()
    for order in orders:
        if order.status not in _SOLD:
            continue
        for line in order.active_lines:
            if isinstance(line, StayLine):
                for night in line.stay:
                    sold[line.unit_type, night] += line.rooms
    homestay = year.homestay
    oversold = sum(count > homestay.capacity(unit_type) for (unit_type, _), count in sold.items())
    per_night: collections.Counter[dt.date] = collections.Counter()
    for (_, night), count in sold.items():
        per_night[night] += count
    capacity = sum(room.rooms for room in homestay.rooms)
    if not per_night:
        return (0, capacity, None), oversold
    night, rooms = min(per_night.items(), key=lambda item: (-item[1], item[0]))
    return (rooms, capacity, night), oversold


_SOLD: Final = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.CHECKED_IN,
        OrderStatus.CHECKED_OUT,
        OrderStatus.COMPLETED,
        OrderStatus.NO_SHOW,
    }
)


def _quarters(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar quarters from ``start`` to ``end``, cut to them."""
    found = []
    first = start
    while first < end:
        month = (first.month - 1) // 3 * 3 + 4
        after = dt.date(first.year + (month > 12), (month - 1) % 12 + 1, 1)
        found.append((first, min(after, end)))
        first = min(after, end)
    return found


# -- formatting ----------------------------------------------------------------------

_BY_QUARTER: Final = (
    "occupancy",
    "adr",
    "revpar",
    "booking_conversion",
    "cancellation_rate",
    "repeat_guest_rate",
    "coupon_redemption_rate",
    "average_review_score",
)


def _short(value: Decimal | Money | None) -> str:
    """A KPI's value without its currency, for a narrow column."""
    if value is None:
        return "-"
    return f"{value.amount:,.2f}" if isinstance(value, Money) else str(value)


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def _day(day: dt.date | None) -> str:
    return "-" if day is None else day.isoformat()


def _money(amount: Money) -> str:
    return f"{amount.currency} {amount.amount:,.2f}"


def _listed(counter: collections.Counter[str]) -> str:
    return ", ".join(f"{count} {name}" for name, count in counter.most_common()) or "none"


def _section(out: TextIO, text: str) -> None:
    out.write(f"\n{text}\n{'-' * len(text)}\n")


def _aligned(
    rows: Sequence[Sequence[str]], right: Iterable[int] = (), *, header: bool = False
) -> list[str]:
    """``rows`` as lines of aligned columns; columns in ``right`` aligned right.

    With ``header``, a rule under the first row (its own line in the result).
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    keep_right = set(right)
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in keep_right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  " + "  ".join(cells).rstrip() + "\n")
    if header:
        lines.insert(1, "  " + "  ".join("-" * width for width in widths) + "\n")
    return lines


def _rows(
    out: TextIO, rows: Sequence[Sequence[str]], right: Iterable[int] = (), *, header: bool = False
) -> None:
    out.write("".join(_aligned(rows, right, header=header)))
