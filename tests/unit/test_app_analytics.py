"""Analytics: the KPIs, the churn watch list and the RFM segments, read from the stores."""

from __future__ import annotations

import datetime as dt
import io
import sys
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import staycore
from staycore.adapters.sql import sql_stores
from staycore.app.access import AccessDeniedError, Actor
from staycore.app.analytics import (
    MAX_PERIOD_DAYS,
    Analytics,
    CustomerAtRisk,
    ExtraNotInstalledError,
    Segmentation,
)
from staycore.app.arguments import InvalidArgumentError
from staycore.app.configuration import CONFIGURATION_CHANGED
from staycore.app.kpis import order_fact, room_nights_available
from staycore.application import Application
from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.money import Money
from staycore.kernel.time import start_of_local_day
from staycore.kpi_command import run_kpi
from staycore.membership.churn import ChurnAction, InvalidChurnInputError
from staycore.membership.ids import CustomerId
from staycore.membership.kpis import InvalidKpiInputError, kpi_table
from staycore.membership.service import ServiceRequest, service_report
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.order import Order
from staycore.orders.reviews import Review
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SandboxHotel

JULY = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
SUMMER = dt.date(2026, 6, 1), dt.date(2026, 10, 1)
SCORED_ON = dt.date(2026, 12, 1)


@attrs.frozen
class Guests:
    """The hotel's guests: who did what (see :func:`hotel_with_guests`)."""

    mei: CustomerId
    leo: CustomerId
    ana: CustomerId
    kim: CustomerId


def analytics_of(hotel: SandboxHotel) -> Analytics:
    return Analytics(
        aggregates=hotel.store,
        inventory=hotel.inventory,
        points=hotel.ledger,
        members=hotel.stores.members,
        clock=hotel.clock,
        unit_types=lambda: [hotel.unit_type],
    )


def desk_of(hotel: SandboxHotel) -> Application:
    """The application over the hotel's stores, for its service desk."""
    return staycore.bootstrap(store=hotel.stores, clock=hotel.clock)


def hotel_with_guests() -> tuple[SandboxHotel, Guests]:
    """A summer at the garden hotel.

    Mei stays three times (June, July, August), reviews her last stay badly and
    complains; Leo stays once in June; Ana stays once in September; Kim books for
    late September and cancels.
    """
    hotel = SandboxHotel()
    mei, leo = hotel.loyalty.enrol(name="Mei Tan"), hotel.loyalty.enrol(name="Leo Roux")
    ana, kim = hotel.loyalty.enrol(name="Ana Lima"), CustomerId.new()
    hotel.stay_completed(mei, "2026-06-05/2026-06-07")
    hotel.stay_completed(leo, "2026-06-12/2026-06-14")
    hotel.stay_completed(mei, "2026-07-10/2026-07-13")
    last = hotel.stay_completed(mei, "2026-08-02/2026-08-04")
    hotel.reviews.leave(last.id, ratings={"cleanliness": 2, "value": 2}, text="Noisy.")
    desk_of(hotel).service_desk.open(
        mei, category="complaint", text="The street was loud.", idempotency_key="loud"
    )
    hotel.stay_completed(ana, "2026-09-10/2026-09-12")
    booking = hotel.booking("2026-09-25/2026-09-27")
    booking = attrs.evolve(booking, guest=attrs.evolve(booking.guest, customer=kim))
    order = hotel.orders.place(booking, idempotency_key="kim")
    hotel.orders.cancel(order.id, idempotency_key="kim:cancel")
    return hotel, Guests(mei=mei, leo=leo, ana=ana, kim=kim)


@pytest.fixture(scope="module")
def summer() -> tuple[SandboxHotel, Guests]:
    return hotel_with_guests()


# -- KPIs ----------------------------------------------------------------------------


@pytest.mark.parametrize("period", [JULY, SUMMER], ids=["july", "summer"])
def test_the_kpis_are_kpi_table_over_what_the_stores_hold(
    summer: tuple[SandboxHotel, Guests], period: tuple[dt.date, dt.date]
) -> None:
    hotel, _ = summer
    start, end = period
    orders = hotel.store.committed(Order)
    reviews = hotel.store.committed(Review)
    opens, closes = (start_of_local_day(day, "Europe/Paris") for day in period)
    expected = kpi_table(
        [order_fact(order) for order in orders],
        start=start,
        end=end,
        room_nights_available=room_nights_available(hotel.inventory, [hotel.unit_type], *period),
        currency="EUR",
        review_scores=[r.ratings.overall for r in reviews if opens <= r.written_at < closes],
        service_breaches=service_report(
            hotel.store.committed(ServiceRequest), opens, closes, at=hotel.clock.now()
        ).breaches,
    )

    table = analytics_of(hotel).kpis(start, end)

    assert table == expected
    assert table.value("occupancy") is not None
    assert table.value("booking_conversion") is None  # the stores count no searches
    assert table.value("points_liability") is None  # no value of a point given


def test_searches_and_the_value_of_a_point_complete_the_table(
    summer: tuple[SandboxHotel, Guests],
) -> None:
    hotel, guests = summer
    analytics = analytics_of(hotel)
    held = sum(hotel.ledger.account(c).balance for c in (guests.mei, guests.leo, guests.ana))

    table = analytics.kpis(*SUMMER, searches=40, point_value=Money.of("0.01", "EUR"))

    assert table.value("booking_conversion") is not None
    assert table.value("points_liability") == Money.of("0.01", "EUR") * held


def test_the_points_of_a_past_period_are_those_held_at_its_end(
    summer: tuple[SandboxHotel, Guests],
) -> None:
    hotel, guests = summer
    june = dt.date(2026, 6, 1), dt.date(2026, 7, 1)
    closes = start_of_local_day(june[1], "Europe/Paris")
    held_then = sum(
        entry.points
        for customer in (guests.mei, guests.leo, guests.ana)
        for entry in hotel.ledger.entries(customer)
        if entry.at < closes
    )
    held_now = sum(hotel.ledger.account(c).balance for c in (guests.mei, guests.leo, guests.ana))
    assert 0 < held_then < held_now

    table = analytics_of(hotel).kpis(*june, point_value=Money.of("0.01", "EUR"))

    assert table.value("points_liability") == Money.of("0.01", "EUR") * held_then


def test_a_store_without_orders_reports_in_the_currency_given() -> None:
    hotel = SandboxHotel()
    analytics = analytics_of(hotel)

    table = analytics.kpis(*JULY, currency="EUR")

    assert table.value("occupancy") == 0
    assert table.value("cancellation_rate") is None
    assert_refused(
        InvalidKpiInputError,
        "membership.invalid_kpi_input",
        "pass currency=",
        lambda: analytics.kpis(*JULY),
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "says"),
    [
        ((JULY[1], JULY[0]), {}, InvalidKpiInputError, "must end after it starts"),
        ((JULY[0], JULY[0]), {}, InvalidKpiInputError, "must end after it starts"),
        (
            (JULY[0], JULY[0] + dt.timedelta(days=MAX_PERIOD_DAYS + 1)),
            {},
            InvalidKpiInputError,
            "ask for each year",
        ),
        ((JULY[0], dt.date.max), {}, InvalidKpiInputError, "must be a day from"),
        (("2026-07-01", JULY[1]), {}, InvalidArgumentError, "start must be a date"),
        ((JULY[0], dt.datetime(2026, 8, 1, tzinfo=dt.UTC)), {}, InvalidArgumentError, "end"),
        (JULY, {"currency": "USD"}, CurrencyMismatchError, "not only USD"),
        (JULY, {"searches": True}, InvalidArgumentError, "searches must be an int"),
        (JULY, {"searches": -1}, InvalidKpiInputError, "searches"),
        (JULY, {"point_value": "0.01"}, InvalidArgumentError, "point_value must be a Money"),
        (JULY, {"point_value": Money.of("0.01", "USD")}, InvalidKpiInputError, "in EUR"),
    ],
)
def test_a_question_that_does_not_read_is_refused_with_what_to_fix(
    summer: tuple[SandboxHotel, Guests],
    args: tuple[object, ...],
    kwargs: dict[str, object],
    error: type[Exception],
    says: str,
) -> None:
    analytics = analytics_of(summer[0])
    with pytest.raises(error, match=says):
        analytics.kpis(*args, **kwargs)  # type: ignore[arg-type]


# -- the churn watch list ------------------------------------------------------------


def test_the_watch_list_puts_the_riskiest_first_with_the_reasons(
    summer: tuple[SandboxHotel, Guests],
) -> None:
    hotel, guests = summer

    watched = analytics_of(hotel).churn_watch(SCORED_ON)

    assert [found.customer for found in watched] == [
        guests.mei,
        guests.kim,
        guests.leo,
        guests.ana,
    ]
    scores = [found.score for found in watched]
    assert scores == sorted(scores, reverse=True)
    mei, kim, leo, ana = watched
    assert (mei.stays, mei.last_stay) == (3, dt.date(2026, 8, 4))
    assert mei.action is ChurnAction.PERSONAL_CALL
    assert any("no stay for 119 days" in reason for reason in mei.reasons)
    assert "average review 2.0 of 5" in mei.reasons
    assert any("complaint" in reason for reason in mei.reasons)
    assert (kim.stays, kim.last_stay) == (0, None)  # never stayed: from their booking
    assert "1 recent cancellation" in kim.reasons
    assert (leo.stays, ana.stays) == (1, 1)
    assert ana.reasons == ()  # a recent stay: nothing raises the risk
    assert all(isinstance(found, CustomerAtRisk) for found in watched)


def test_the_watch_list_counts_only_what_happened_by_the_day_scored(
    summer: tuple[SandboxHotel, Guests],
) -> None:
    hotel, guests = summer
    analytics = analytics_of(hotel)

    in_july = analytics.churn_watch(dt.date(2026, 7, 20))

    assert {found.customer for found in in_july} == {guests.mei, guests.leo}
    assert next(f for f in in_july if f.customer == guests.mei).stays == 2
    assert analytics.churn_watch(dt.date(2026, 5, 31)) == ()  # before the first order


def test_the_watch_list_gives_as_many_as_asked(summer: tuple[SandboxHotel, Guests]) -> None:
    analytics = analytics_of(summer[0])
    every = analytics.churn_watch(SCORED_ON, limit=None)

    assert analytics.churn_watch(SCORED_ON, limit=2) == every[:2]
    assert analytics.churn_watch(SCORED_ON, limit=10**400) == every
    with pytest.raises(InvalidChurnInputError, match="at least 1"):
        analytics.churn_watch(SCORED_ON, limit=0)
    with pytest.raises(InvalidArgumentError, match="limit must be an int"):
        analytics.churn_watch(SCORED_ON, limit=2.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="today must be a date"):
        analytics.churn_watch("2026-12-01")  # type: ignore[arg-type]


# -- RFM segments --------------------------------------------------------------------


def test_each_customer_who_stayed_has_a_segment_and_each_segment_adds_up(
    summer: tuple[SandboxHotel, Guests],
) -> None:
    from staycore.membership.scoring import score_customers  # noqa: PLC0415 - numpy

    hotel, guests = summer
    stayed = [o for o in hotel.store.committed(Order) if o.status is OrderStatus.COMPLETED]
    scored = score_customers(
        [str(o.guest.customer) for o in stayed],
        [o.departure for o in stayed],
        [o.received.amount for o in stayed],
        at=SCORED_ON,
        lifetime=False,
    ).columns()

    segmentation = analytics_of(hotel).segments(SCORED_ON)

    assert isinstance(segmentation, Segmentation)
    assert segmentation.at == SCORED_ON
    by_customer = segmentation.by_customer()
    assert set(by_customer) == {guests.mei, guests.leo, guests.ana}  # Kim never stayed
    expected = {str(c): str(s) for c, s in zip(scored["customer"], scored["segment"], strict=True)}
    assert {str(c): found.segment for c, found in by_customer.items()} == expected
    mei = by_customer[guests.mei]
    assert (mei.stays, mei.days_since_last_stay) == (3, 119)
    assert mei.spend == Money.total(
        (o.received for o in stayed if o.guest.customer == guests.mei), "EUR"
    )
    groups = segmentation.segments
    assert sum(group.customers for group in groups) == 3
    assert sum(group.stays for group in groups) == 5
    assert Money.total((g.spend for g in groups), "EUR") == Money.total(
        (o.received for o in stayed), "EUR"
    )
    assert [g.customers for g in groups] == sorted((g.customers for g in groups), reverse=True)


def test_a_store_with_no_stays_has_no_segments() -> None:
    segmentation = analytics_of(SandboxHotel()).segments(SCORED_ON)

    assert (segmentation.customers, segmentation.segments) == ((), ())


def test_segments_without_the_analytics_extra_say_what_to_install(
    summer: tuple[SandboxHotel, Guests], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "staycore.membership.scoring", None)

    assert_refused(
        ExtraNotInstalledError,
        "app.needs_extra",
        "pip install 'staycore[analytics]'",
        lambda: analytics_of(summer[0]).segments(SCORED_ON),
    )


# -- through the application ---------------------------------------------------------


def test_bootstrap_wires_analytics_over_the_calendars_it_lists(
    summer: tuple[SandboxHotel, Guests],
) -> None:
    hotel, _ = summer
    app = staycore.bootstrap(store=hotel.stores, clock=hotel.clock)
    # Stores built by hand: the unit types are those the application lists in search.
    assert app.analytics.kpis(*JULY).value("occupancy") is None
    listing = hotel.availability.index.listing_at(0)
    app.availability.open_unit_type(listing, hotel.availability.index.horizon)

    assert app.analytics.kpis(*JULY) == analytics_of(hotel).kpis(*JULY)


def hotel_on_sqlite(path: Path) -> tuple[str, SandboxHotel]:
    """A stay in July at the garden hotel, kept in a SQLite file."""
    url = f"sqlite:///{path}"
    with staycore.bootstrap(store=url) as first:
        database = first.database
        assert database is not None
        hotel = SandboxHotel(stores=lambda clock: sql_stores(database, clock))
        mei = hotel.loyalty.enrol(name="Mei Tan")
        hotel.stay_completed(mei, "2026-07-10/2026-07-13")
    return url, hotel


def test_on_a_database_every_calendar_counts_in_a_later_process(tmp_path: Path) -> None:
    url, hotel = hotel_on_sqlite(tmp_path / "hotel.db")
    with staycore.bootstrap(store=url, migrate=False, clock=hotel.clock) as later:
        table = later.analytics.kpis(*JULY)
    assert table.value("occupancy") == Decimal("0.0484")  # 3 of 62 room nights


def test_staycore_kpi_prints_what_analytics_reads(tmp_path: Path) -> None:
    url, _ = hotel_on_sqlite(tmp_path / "hotel.db")
    out = io.StringIO()

    assert (
        run_kpi(str(tmp_path / "hotel.db"), start="2026-07-01", end="2026-08-01", stdout=out) == 0
    )

    with staycore.bootstrap(store=url, migrate=False) as app:
        rows = app.analytics.kpis(*JULY).rows()
    printed = out.getvalue().splitlines()[1:]
    assert [line.split()[0] for line in printed] == [name for name, _, _ in rows]
    for line, (_, value, formula) in zip(printed, rows, strict=True):
        assert f" {value}  {formula}" in line


@pytest.fixture
def app() -> Application:
    """The application over a summer at the garden hotel."""
    hotel, _ = hotel_with_guests()
    built = staycore.bootstrap(store=hotel.stores, clock=hotel.clock)
    built.availability.open_unit_type(
        hotel.availability.index.listing_at(0), hotel.availability.index.horizon
    )
    return built


@pytest.mark.parametrize("role", ["marketing", "finance", "owner"])
def test_marketing_finance_and_owners_read_analytics(app: Application, role: str) -> None:
    reader = app.acting_as(Actor(id=f"staff:{role}", roles={role}))

    assert reader.analytics.kpis(*JULY) == app.analytics.kpis(*JULY)
    assert reader.analytics.churn_watch(SCORED_ON) == app.analytics.churn_watch(SCORED_ON)
    assert reader.analytics.segments(SCORED_ON) == app.analytics.segments(SCORED_ON)
    # Reading is not audited: the log holds only the configuration bootstrap recorded.
    assert {r.entry.action for r in app.stores.audit.records()} == {CONFIGURATION_CHANGED}


@pytest.mark.parametrize("roles", [{"guest"}, {"front_desk"}, {"support"}, {"system"}, set()])
def test_other_roles_may_not_read_analytics_and_the_refusal_is_audited(
    app: Application, roles: set[str]
) -> None:
    customer = CustomerId.new()
    actor = Actor(id="someone", roles=roles, customer=customer if "guest" in roles else None)
    denied = app.acting_as(actor)

    for call in (
        lambda: denied.analytics.kpis(*JULY),
        lambda: denied.analytics.churn_watch(SCORED_ON),
        lambda: denied.analytics.segments(SCORED_ON),
    ):
        assert_refused(AccessDeniedError, "access.denied", "analytics.read", call)
    records = app.stores.audit.records()
    assert [r.entry.action for r in records if r.entry.action != CONFIGURATION_CHANGED] == [
        "access.denied:analytics.kpis",
        "access.denied:analytics.churn_watch",
        "access.denied:analytics.segments",
    ]
