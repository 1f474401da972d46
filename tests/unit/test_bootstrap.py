"""staycore.bootstrap: one call builds every use case, on memory, a SQLite file or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

import staycore
from staycore.adapters.memory import memory_stores
from staycore.adapters.payments.cards import SUCCEEDING_CARD
from staycore.adapters.sql.migrations import current_revision, head_revision
from staycore.app.orders import PlaceOrder, StayRequest
from staycore.application import DEFAULT_STORE, Application, NotConfiguredError
from staycore.availability.ids import PropertyId, UnitTypeId
from staycore.availability.inventory import NotAvailableError
from staycore.availability.nights import NightSelection
from staycore.availability.search import Listing
from staycore.kernel.errors import InvalidStoreUrlError, StoreSchemaError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.lifecycle import OrderStatus
from staycore.orders.lines import Guest
from staycore.orders.order import Order
from staycore.orders.terms import BookingTerms
from staycore.pricing.ids import RatePlanId
from staycore.pricing.quote import Pricer
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.testing.clock import FrozenClock
from staycore.testing.databases import PG_DSN, require_postgresql
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import garden_rewards

NOW = "2026-06-01T09:00:00Z"
SEASON = Stay.parse("2026-06-01/2026-12-31")
GARDEN = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
PRICER = Pricer(
    RatePlan(
        id=RatePlanId.new(),
        unit_type=GARDEN,
        name="Garden room",
        base_price=Money.of("120.00", "EUR"),
    ),
    RuleSet(version="2026", currency="EUR", timezone="Europe/Paris"),
)


def open_garden(app: Application, rooms: int = 1) -> None:
    app.availability.open_unit_type(Listing(PropertyId.new(), GARDEN, "Garden room", 2), SEASON)
    app.availability.set_capacity(GARDEN, NightSelection.of(SEASON), rooms)


def book_and_pay(app: Application, key: str, stay: str = "2026-07-10/2026-07-12") -> Order:
    quote = app.pricing.quote(PRICER, Stay.parse(stay), Guests(2))
    command = PlaceOrder(
        guest=Guest(name="Mei Tan", email="mei@example.com"),
        terms=BookingTerms(timezone="Europe/Paris"),
        stays=[StayRequest(pricer=PRICER, quote=quote)],
    )
    order = app.booking.place(command, idempotency_key=f"place-{key}")
    return app.booking.pay(order.id, method=SUCCEEDING_CARD, idempotency_key=f"pay-{key}").order


def test_the_default_store_is_a_sqlite_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with staycore.bootstrap(clock=FrozenClock(NOW)) as app:
        assert app.database is not None
        assert current_revision(app.database) == head_revision()
        open_garden(app)
        paid = book_and_pay(app, "1")
    assert DEFAULT_STORE == "sqlite:///staycore.db"
    assert (tmp_path / "staycore.db").is_file()
    # Another process (a new application on the same file) sees the booking and its room.
    with staycore.bootstrap(clock=FrozenClock(NOW)) as again:
        assert again.booking.get(paid.id).status is OrderStatus.CONFIRMED
        with pytest.raises(NotAvailableError, match="too few rooms"):
            book_and_pay(again, "2")


def test_the_memory_store_books_and_keeps_nothing_after() -> None:
    app = staycore.bootstrap(store="memory", clock=FrozenClock(NOW))
    assert app.database is None
    open_garden(app)
    assert book_and_pay(app, "1").status is OrderStatus.CONFIRMED
    assert app.stores.orders.open_orders() != ()
    fresh = staycore.bootstrap(store="memory", clock=FrozenClock(NOW))
    assert fresh.stores.orders.open_orders() == ()


def test_stores_built_by_hand_are_used_as_they_are() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    app = staycore.bootstrap(store=stores, clock=clock)
    assert app.stores is stores
    open_garden(app)
    paid = book_and_pay(app, "1")
    assert stores.orders.open_orders() == (paid.id,)


def test_loyalty_needs_a_programme() -> None:
    bare = staycore.bootstrap(store="memory", clock=FrozenClock(NOW))
    assert_refused(NotConfiguredError, "app.not_configured", "programme=", lambda: bare.loyalty)
    member = staycore.bootstrap(store="memory", clock=FrozenClock(NOW), programme=garden_rewards())
    assert member.loyalty.programme.name == "Garden Rewards"


@pytest.mark.parametrize("url", ["mysql://localhost/hotel", "hotel.db", ""])
def test_a_store_that_is_not_memory_or_a_staycore_database_is_refused(url: str) -> None:
    assert_refused(
        InvalidStoreUrlError,
        "persistence.invalid_url",
        "sqlite",
        lambda: staycore.bootstrap(store=url),
    )


def test_postgresql_is_not_migrated_by_an_app_server_unless_asked(tmp_path: Path) -> None:
    require_postgresql()
    import sqlalchemy as sa  # noqa: PLC0415 - only with a server

    schema = f"boot_{tmp_path.name[-12:].lower().replace('-', '_')}"
    admin = sa.create_engine(PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        assert_refused(
            StoreSchemaError,
            "persistence.schema",
            "staycore db upgrade",
            lambda: staycore.bootstrap(store=PG_DSN, schema=schema),
        )
        with staycore.bootstrap(
            store=PG_DSN, schema=schema, migrate=True, clock=FrozenClock(NOW)
        ) as app:
            open_garden(app)
            assert book_and_pay(app, "1").status is OrderStatus.CONFIRMED
        with staycore.bootstrap(store=PG_DSN, schema=schema, clock=FrozenClock(NOW)) as again:
            assert len(again.stores.orders.open_orders()) == 1
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
