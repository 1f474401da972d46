"""A guest's data: exported whole, erased everywhere, and the books still balance after."""

from __future__ import annotations

import json
from typing import Any

from staycore.adapters.sql import Database, sql_stores
from staycore.app.access import AccessDeniedError, Actor
from staycore.app.configuration import CONFIGURATION_CHANGED
from staycore.app.guest_data import Erasure, GuestData
from staycore.application import Application
from staycore.kernel.erasure import ERASED
from staycore.membership.ids import CustomerId
from staycore.orders.reviews import RatingDimension
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SandboxHotel

NAME, EMAIL, PHONE = "Zoë Kwan-Okafor", "zoe.k@example.com", "+33 6 12 34 56 78"
SECRETS = (NAME, EMAIL, "612345678", "the shower leaks", "lovely garden")


def guest_with_history(hotel: SandboxHotel) -> tuple[CustomerId, CustomerId]:
    """Zoë, with a stay, a review, a service request and points; and Lee, another guest."""
    zoe = hotel.loyalty.enrol(name=NAME, email=EMAIL, phone=PHONE)
    lee = hotel.loyalty.enrol(name="Lee Park", email="lee@example.com")
    order = hotel.stay_completed(zoe, "2026-07-10/2026-07-12")
    hotel.stay_completed(lee, "2026-07-20/2026-07-22")
    hotel.reviews.leave(order.id, ratings={RatingDimension.CLEANLINESS: 5}, text="lovely garden")
    desk = hotel_desk(hotel)
    desk.service_desk.open(
        customer=zoe, category="maintenance", text="the shower leaks", idempotency_key="s1"
    )
    return zoe, lee


def hotel_desk(hotel: SandboxHotel) -> Application:
    import staycore  # noqa: PLC0415

    return staycore.bootstrap(store=hotel.stores, clock=hotel.clock)


def data_of(hotel: SandboxHotel) -> GuestData:
    return GuestData(uow=hotel.store.unit_of_work, aggregates=hotel.store, points=hotel.ledger)


def test_an_export_holds_everything_about_the_guest_and_nothing_about_others() -> None:
    hotel = SandboxHotel()
    zoe, lee = guest_with_history(hotel)
    text = json.dumps(data_of(hotel).export(zoe), ensure_ascii=False)  # as handed over
    export: Any = json.loads(text)
    for secret in SECRETS:
        assert secret in text, secret
    assert "lee@example.com" not in text
    assert str(lee) not in text
    assert export["profile"]["name"] == NAME
    assert len(export["orders"]) == 1
    assert len(export["reviews"]) == len(export["service_requests"]) == 1
    assert export["points"]["balance"] > 0
    assert export["member"] is not None


def test_a_guest_never_seen_exports_nothing() -> None:
    hotel = SandboxHotel()
    export: Any = data_of(hotel).export(CustomerId.new())
    assert export["profile"] is None
    assert export["member"] is None
    assert export["orders"] == export["reviews"] == export["service_requests"] == []
    assert export["points"] == {"balance": 0, "entries": []}


def erase_and_check(hotel: SandboxHotel, zoe: CustomerId, lee: CustomerId) -> None:
    data = data_of(hotel)
    before: Any = data.export(zoe)
    others = data.export(lee)
    balance = hotel.ledger.account(zoe).balance
    [order_id] = [order["id"] for order in before["orders"]]
    received = hotel.orders.get(order_id).received
    erasure = data.erase(zoe, at=hotel.clock.now())
    assert erasure == Erasure(profile=True, orders=1, reviews=1, service_requests=1)
    after = json.dumps(data.export(zoe), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in after, secret
    assert ERASED in after
    assert str(zoe) in after
    # The books: money received and points held are as they were; others are untouched.
    assert hotel.orders.get(order_id).received == received
    assert hotel.ledger.account(zoe).balance == balance
    assert data.export(lee) == others
    assert data.erase(zoe, at=hotel.clock.now()) == Erasure(False, 0, 0, 0)


def test_an_erasure_leaves_nothing_that_names_the_guest_and_the_books_balance() -> None:
    hotel = SandboxHotel()
    erase_and_check(hotel, *guest_with_history(hotel))


def test_an_erasure_on_sql(database: Database) -> None:
    hotel = SandboxHotel(stores=lambda clock: sql_stores(database, clock))
    erase_and_check(hotel, *guest_with_history(hotel))


def test_an_erasure_on_sql_leaves_no_decoded_value_in_the_store_s_memory(
    database: Database,
) -> None:
    hotel = SandboxHotel(stores=lambda clock: sql_stores(database, clock))
    zoe, _ = guest_with_history(hotel)
    data_of(hotel).export(zoe)  # every record of hers read, and its value kept
    decoded = hotel.store._decoded  # type: ignore[attr-defined]
    assert decoded.cache_info().currsize > 0
    data_of(hotel).erase(zoe, at=hotel.clock.now())
    assert decoded.cache_info().currsize == 0


def test_a_guest_exports_their_own_data_and_only_an_owner_erases() -> None:
    hotel = SandboxHotel()
    zoe, lee = guest_with_history(hotel)
    app = hotel_desk(hotel)
    export = app.acting_as(Actor.guest(zoe)).guest_data.export(zoe)
    assert export["customer"] == str(zoe)
    assert_refused(
        AccessDeniedError,
        "access.denied",
        "own records",
        lambda: app.acting_as(Actor.guest(zoe)).guest_data.export(lee),
    )
    marketing = app.acting_as(Actor(id="staff:mo", roles={"marketing"}))
    assert_refused(
        AccessDeniedError,
        "access.denied",
        "customers.export",
        lambda: marketing.guest_data.export(zoe),
    )
    assert_refused(
        AccessDeniedError,
        "access.denied",
        "customers.erase",
        lambda: app.acting_as(Actor.guest(zoe)).guest_data.erase(zoe, at=hotel.clock.now()),
    )
    owner = app.acting_as(Actor(id="staff:boss", roles={"owner"}))
    owner.guest_data.erase(zoe, at=hotel.clock.now())
    records = app.stores.audit.records()
    actions = [(r.entry.actor, r.entry.action) for r in records]
    assert [action for action in actions if action[1] != CONFIGURATION_CHANGED] == [
        (str(zoe), "guest_data.export"),
        (str(zoe), "access.denied:guest_data.export"),
        ("staff:mo", "access.denied:guest_data.export"),
        (str(zoe), "access.denied:guest_data.erase"),
        ("staff:boss", "guest_data.erase"),
    ]
