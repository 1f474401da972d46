"""Guests' personal data is encrypted in the SQL store's rows, bound to its record.

The aggregates' rows and the outbox's alike; and an erasure leaves none of it in the
outbox's events.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import staycore
from staycore.adapters.crypto import AesGcmCipher
from staycore.adapters.memory import RecordingPublisher
from staycore.adapters.sql import Database, OutboxRelay, SqlStore, sql_stores
from staycore.adapters.sql.codec import UndecodableDocumentError
from staycore.adapters.sql.schema import metadata
from staycore.adapters.sql.store import event_id
from staycore.app.guest_data import GuestData
from staycore.kernel.erasure import ERASED, PersonalDataErased
from staycore.kernel.events import DomainEvent
from staycore.kernel.sealed import InvalidCipherKeyError, TamperedCiphertextError
from staycore.membership.ids import CustomerId
from staycore.membership.profiles import CustomerProfile
from staycore.membership.service import (
    ServiceRequestCancelled,
    ServiceRequestClosed,
    ServiceRequestOpened,
    ServiceRequestReopened,
    ServiceRequestResolved,
    ServiceRequestUpdated,
)
from staycore.orders.lines import Guest
from staycore.orders.order import Order
from staycore.orders.reviews import RatingDimension, ReviewLeft
from staycore.testing.clock import FrozenClock
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SandboxHotel

NAME, EMAIL, PHONE = "Zoë Kwan-Okafor", "zoe.k@example.com", "+33 6 12 34 56 78"
OLD_KEY = AesGcmCipher.generate_key()
OLD = AesGcmCipher({"2026": OLD_KEY}, current="2026")

aggregates = metadata.tables["staycore_aggregates"]


def bodies(database: Database) -> list[tuple[str, str]]:
    with database.transaction(write=False) as connection:
        rows = connection.execute(sa.select(aggregates.c.id, aggregates.c.body)).all()
    return [(row.id, row.body) for row in rows]


def hotel_on(database: Database, cipher: AesGcmCipher | None) -> SandboxHotel:
    return SandboxHotel(stores=lambda clock: sql_stores(database, clock, cipher=cipher))


def booked(hotel: SandboxHotel, name: str = NAME, key: str = "k1") -> Order:
    command = hotel.booking("2026-07-10/2026-07-12")
    guest = Guest(name=name, email=EMAIL, phone=PHONE)
    return hotel.orders.place(attrs.evolve(command, guest=guest), idempotency_key=key)


def test_no_row_holds_a_guest_s_name_or_contact_details(database: Database) -> None:
    hotel = hotel_on(database, OLD)
    order = booked(hotel)
    member = hotel.loyalty.enrol(name=NAME, email=EMAIL, phone=PHONE)
    stored = "\n".join(body for _, body in bodies(database))
    for secret in (NAME, "Zo\\u00eb", EMAIL, "612345678"):
        assert secret not in stored, secret
    assert '"$sealed":"v1.2026.' in stored
    assert "awaiting_payment" in stored  # what is not personal stays readable
    assert hotel.orders.get(order.id).guest.email == EMAIL
    assert hotel.loyalty.profile(member).contact.emails == (EMAIL,)


def test_without_the_cipher_the_rows_do_not_open(database: Database) -> None:
    order = booked(hotel_on(database, OLD))
    with SqlStore(database).unit_of_work() as uow:
        assert_refused(
            UndecodableDocumentError,
            "persistence.undecodable",
            "give the store the cipher",
            lambda: uow.repository(Order).get(order.id),
        )


def test_a_sealed_field_copied_to_another_record_does_not_open(database: Database) -> None:
    hotel = hotel_on(database, OLD)
    first, second = booked(hotel, key="k1"), booked(hotel, name="Lee Park", key="k2")
    documents = dict(bodies(database))
    copied = json.loads(documents[str(second.id)])
    copied["f"]["guest"] = json.loads(documents[str(first.id)])["f"]["guest"]
    with database.transaction() as connection:
        connection.execute(
            aggregates.update()
            .where(aggregates.c.id == str(second.id))
            .values(body=json.dumps(copied, separators=(",", ":"), ensure_ascii=False))
        )
    assert_refused(
        TamperedCiphertextError,
        "cipher.tampered",
        "",
        lambda: hotel.orders.get(second.id),
    )
    assert hotel.orders.get(first.id).guest.name == NAME


def test_old_rows_open_after_a_rotation_and_new_writes_use_the_new_key(
    database: Database,
) -> None:
    order = booked(hotel_on(database, OLD))
    rotated = AesGcmCipher({"2026": OLD_KEY, "2027": AesGcmCipher.generate_key()}, current="2027")
    hotel = hotel_on(database, rotated)
    assert hotel.orders.get(order.id).guest.name == NAME
    member = hotel.loyalty.enrol(name=NAME, email=EMAIL)
    with SqlStore(database, cipher=rotated).unit_of_work() as uow:
        assert uow.repository(CustomerProfile).get(member).name == NAME
    documents = dict(bodies(database))
    assert '"$sealed":"v1.2027.' in documents[str(member)]
    assert '"$sealed":"v1.2026.' in documents[str(order.id)]  # until it is written again


def test_a_reseal_moves_every_row_to_the_new_key_so_the_old_one_can_go(
    database: Database,
) -> None:
    old_hotel = hotel_on(database, OLD)
    order = booked(old_hotel)
    member = old_hotel.loyalty.enrol(name=NAME, email=EMAIL)
    new_key = AesGcmCipher.generate_key()
    rotated = AesGcmCipher({"2026": OLD_KEY, "2027": new_key}, current="2027")
    store = SqlStore(database, cipher=rotated)
    sealed_before = sum('"$sealed":"v1.2026.' in body for _, body in bodies(database))
    assert sealed_before >= 2
    assert store.reseal(batch=1) == sealed_before
    assert store.reseal() == 0
    assert not any('"$sealed":"v1.2026.' in body for _, body in bodies(database))
    retired = hotel_on(database, AesGcmCipher({"2027": new_key}, current="2027"))
    assert retired.orders.get(order.id).guest.email == EMAIL
    assert retired.loyalty.profile(member).name == NAME
    assert_refused(
        InvalidCipherKeyError,
        "cipher.invalid_key",
        "no cipher",
        lambda: SqlStore(database).reseal(),
    )


# -- events in the outbox -------------------------------------------------------------

REVIEW = "the jasmine by the pool smelt of Zoe's childhood"
ASKED, ANSWERED, NOTED = "my shower leaks onto the floor", "a plumber comes at 10", "mould too"
FIXED, AGAIN, COMMENT = "new seal fitted for Zoe", "it leaks again tonight", "thanks Tom"
KETTLE, WITHDRAWN = "the kettle in room 4 sparks", "Zoe left early, never mind it"
TEXTS = (REVIEW, ASKED, ANSWERED, NOTED, FIXED, AGAIN, COMMENT, KETTLE, WITHDRAWN)
# What each personal field of the events holds once erased, as their records erase it.
ERASED_AS = {
    ReviewLeft: ("text", ""),
    ServiceRequestOpened: ("text", ERASED),
    ServiceRequestUpdated: ("text", ERASED),
    ServiceRequestResolved: ("text", ERASED),
    ServiceRequestReopened: ("reason", ERASED),
    ServiceRequestClosed: ("comment", ""),
    ServiceRequestCancelled: ("reason", ""),
}

outbox_table = metadata.tables["staycore_outbox"]


def outbox_rows(database: Database) -> list[sa.Row[Any]]:
    query = sa.select(outbox_table).order_by(outbox_table.c.position)
    with database.transaction(write=False) as connection:
        return list(connection.execute(query).all())


def guest_who_wrote(hotel: SandboxHotel) -> CustomerId:
    """Zoë, with a stay she reviewed, a request that went every step, and one withdrawn."""
    zoe = hotel.loyalty.enrol(name=NAME, email=EMAIL, phone=PHONE)
    order = hotel.stay_completed(zoe, "2026-07-10/2026-07-12")
    hotel.reviews.leave(order.id, ratings={RatingDimension.CLEANLINESS: 4}, text=REVIEW)
    desk = staycore.bootstrap(store=hotel.stores, clock=hotel.clock).service_desk
    leak = desk.open(customer=zoe, category="maintenance", text=ASKED, idempotency_key="s1")
    desk.respond(leak.id, by="eng:tom", text=ANSWERED)
    desk.add_update(leak.id, by="eng:tom", text=NOTED, visible_to_customer=False)
    desk.resolve(leak.id, by="eng:tom", text=FIXED)
    desk.reopen(leak.id, by=str(zoe), reason=AGAIN)
    desk.resolve(leak.id, by="eng:tom", text=FIXED)
    desk.close_with_rating(leak.id, rating=4, comment=COMMENT)
    kettle = desk.open(customer=zoe, category="maintenance", text=KETTLE, idempotency_key="s2")
    desk.cancel(kettle.id, reason=WITHDRAWN)
    return zoe


def personal_texts(events: Sequence[DomainEvent]) -> list[tuple[str, str]]:
    """Each event's personal field, by event type, for the events that have one."""
    found = []
    for event in events:
        if type(event) in ERASED_AS:
            field, _ = ERASED_AS[type(event)]
            found.append((event.event_type, getattr(event, field)))
    return found


def erase(hotel: SandboxHotel, zoe: CustomerId) -> None:
    data = GuestData(uow=hotel.store.unit_of_work, aggregates=hotel.store, points=hotel.ledger)
    assert data.erase(zoe, at=hotel.clock.now()).service_requests == 2


def test_no_outbox_row_holds_a_review_or_what_a_service_request_says(
    database: Database,
) -> None:
    guest_who_wrote(hotel_on(database, OLD))
    rows = outbox_rows(database)
    stored = "\n".join(row.body for row in rows)
    for secret in (*TEXTS, "jasmine", "shower", "plumber"):
        assert secret not in stored, secret
    assert '"$sealed":"v1.2026.' in stored
    assert "ServiceRequestResolved" in stored  # what is not personal stays readable
    events = SqlStore(database, cipher=OLD).outbox()
    assert {text for _, text in personal_texts(events)} == set(TEXTS)
    # The ids are the digests of the events unsealed: the same with a cipher or without.
    assert [row.event_id for row in rows] == [event_id(event) for event in events]


def test_the_relay_opens_the_sealed_fields_and_publishes_the_events_whole(
    database: Database,
) -> None:
    hotel = hotel_on(database, OLD)
    guest_who_wrote(hotel)
    clock = FrozenClock("2026-08-01T09:00:00Z")
    assert_refused(
        UndecodableDocumentError,
        "persistence.undecodable",
        "give the store the cipher",
        OutboxRelay(database, RecordingPublisher(), clock=clock, lease_seconds=1).relay_once,
    )
    clock.advance(seconds=2)  # its lease runs out
    publisher = RecordingPublisher()
    store = hotel.store
    assert isinstance(store, SqlStore)
    relay = OutboxRelay(database, publisher, cipher=store.cipher, clock=clock)
    while relay.relay_once():
        pass
    assert publisher.published == SqlStore(database, cipher=OLD).outbox()
    assert {text for _, text in personal_texts(publisher.published)} == set(TEXTS)


@pytest.mark.parametrize("cipher", [None, OLD], ids=["plain", "sealed"])
def test_an_erasure_leaves_none_of_the_guest_s_text_in_the_outbox(
    database: Database, cipher: AesGcmCipher | None
) -> None:
    hotel = hotel_on(database, cipher)
    zoe = guest_who_wrote(hotel)
    publisher = RecordingPublisher()
    relay = OutboxRelay(database, publisher, batch_size=10, cipher=cipher)
    relay.relay_once()  # some events published before the erasure, the rest not
    before = outbox_rows(database)
    assert 0 < sum(row.published_at is not None for row in before) < len(before)
    erase(hotel, zoe)
    after = outbox_rows(database)
    stored = "\n".join(row.body for row in after)
    for secret in (*TEXTS, "jasmine", "shower", "plumber"):
        assert secret not in stored, secret
    # Every row keeps its place, its id and whether it was published.
    kept = [(row.position, row.event_id, row.published_at) for row in after[: len(before)]]
    assert kept == [(row.position, row.event_id, row.published_at) for row in before]
    events = SqlStore(database, cipher=cipher).outbox()
    erased = personal_texts(events)
    assert len(erased) == len(TEXTS) + 1  # FIXED twice
    assert erased == [(e.__name__, ERASED_AS[e][1]) for e in map(type, events) if e in ERASED_AS]
    assert sum(isinstance(event, PersonalDataErased) for event in events) == 5
    while relay.relay_once():
        pass
    later = publisher.published[10:]  # published after the erasure: erased too
    assert all(text in {"", ERASED} for _, text in personal_texts(later))


def test_an_erasure_reaches_the_memory_store_s_outbox() -> None:
    hotel = SandboxHotel()
    zoe = guest_who_wrote(hotel)
    assert {text for _, text in personal_texts(hotel.store.outbox())} == set(TEXTS)
    count = len(hotel.store.outbox())
    erase(hotel, zoe)
    events = hotel.store.outbox()
    assert len(events) == count + 5
    for secret in TEXTS:
        assert not any(secret in repr(event) for event in events), secret
    erased = personal_texts(events)
    assert erased == [(e.__name__, ERASED_AS[e][1]) for e in map(type, events) if e in ERASED_AS]


def test_a_reseal_moves_outbox_events_to_the_new_key_keeping_their_ids(
    database: Database,
) -> None:
    guest_who_wrote(hotel_on(database, OLD))
    before = outbox_rows(database)
    sealed = sum('"$sealed":"v1.2026.' in row.body for row in before)
    assert sealed == len(TEXTS) + 1  # FIXED twice
    new_key = AesGcmCipher.generate_key()
    rotated = AesGcmCipher({"2026": OLD_KEY, "2027": new_key}, current="2027")
    assert SqlStore(database, cipher=rotated).reseal(batch=3) >= sealed  # and the aggregates
    after = outbox_rows(database)
    assert not any('"$sealed":"v1.2026.' in row.body for row in after)
    assert [row.event_id for row in after] == [row.event_id for row in before]
    retired = SqlStore(database, cipher=AesGcmCipher({"2027": new_key}, current="2027"))
    assert {text for _, text in personal_texts(retired.outbox())} == set(TEXTS)


def test_a_sealed_event_copied_to_another_row_does_not_open(database: Database) -> None:
    guest_who_wrote(hotel_on(database, OLD))
    first, second = [row for row in outbox_rows(database) if '"$sealed"' in row.body][:2]
    with database.transaction() as connection:
        connection.execute(
            outbox_table.update()
            .where(outbox_table.c.position == second.position)
            .values(body=first.body)
        )
    assert_refused(
        TamperedCiphertextError,
        "cipher.tampered",
        "",
        SqlStore(database, cipher=OLD).outbox,
    )
