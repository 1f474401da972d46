"""Guests' personal data is encrypted in the SQL store's rows, bound to its record."""

from __future__ import annotations

import json

import attrs
import sqlalchemy as sa

from staycore.adapters.crypto import AesGcmCipher
from staycore.adapters.sql import Database, SqlStore, sql_stores
from staycore.adapters.sql.codec import UndecodableDocumentError
from staycore.adapters.sql.schema import metadata
from staycore.kernel.sealed import InvalidCipherKeyError, TamperedCiphertextError
from staycore.membership.profiles import CustomerProfile
from staycore.orders.lines import Guest
from staycore.orders.order import Order
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
