"""The SQL store's codec: every stored value reads back equal, and nothing foreign is built."""

from __future__ import annotations

import datetime as dt
import enum
import json

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.adapters.memory import MemoryStore
from staycore.adapters.sql.codec import UndecodableDocumentError, decode, encode, register_type
from staycore.kernel.money import Money
from staycore.membership.ids import PointsEntryId
from staycore.membership.points import Draw
from staycore.orders.ids import OrderId
from staycore.testing import strategies as sst
from staycore.testing.hotel import SUCCEEDING_CARD, SandboxHotel

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    sst.money(),
    sst.stays(),
    sst.slots(),
    sst.instants(),
    sst.identifiers(OrderId),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.frozensets(st.integers() | st.text(), max_size=4),
    ),
    max_leaves=12,
)


@given(values)
def test_every_value_reads_back_equal_and_of_the_same_type(value: object) -> None:
    decoded = decode(encode(value))
    assert decoded == value
    assert type(decoded) is type(value)


@given(sst.instants())
def test_an_instant_keeps_its_timezone(instant: pendulum.DateTime) -> None:
    decoded = decode(encode(instant))
    assert decoded.tzinfo.name == instant.tzinfo.name  # type: ignore[union-attr]
    assert decoded.isoformat() == instant.isoformat()


def test_orders_members_and_their_events_read_back_equal() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking("2026-07-10/2026-07-13"), idempotency_key="k1")
    hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="k2")
    mei = hotel.loyalty.enrol(name="Mei Tan", email="mei@example.com")
    hotel.stay_completed(mei, "2026-07-20/2026-07-23")
    store = hotel.store
    assert isinstance(store, MemoryStore)
    stored = [*store._aggregates.values(), *store.outbox()]
    assert len(stored) > 20
    for value in stored:
        assert decode(encode(value)) == value


def test_a_document_naming_a_foreign_class_is_refused() -> None:
    document = json.dumps({"$attrs": "os:system", "f": {}})
    with pytest.raises(UndecodableDocumentError, match="neither staycore's nor registered") as e:
        decode(document)
    assert e.value.code == "persistence.undecodable"


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        json.dumps({"$attrs": "staycore.kernel.money:no_such_name", "f": {}}),
        json.dumps({"$id": "staycore.kernel.money:Money", "v": "x"}),
        json.dumps({"$enum": "staycore.kernel.money:Money", "v": 1}),
        json.dumps({"$attrs": "staycore.orders.ids:OrderId", "f": {}}),
        json.dumps({"$decimal": "twelve"}),
        json.dumps({"$attrs": "staycore.no_such_module:Thing", "f": {}}),
        json.dumps({"$unknown": 1}),
    ],
)
def test_a_broken_document_raises_a_staycore_error(document: str) -> None:
    with pytest.raises(UndecodableDocumentError):
        decode(document)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), lambda: 1])
def test_a_value_without_a_json_form_is_refused(value: object) -> None:
    with pytest.raises(UndecodableDocumentError, match="cannot store"):
        encode(value)


def test_a_named_tuple_reads_back_as_itself() -> None:
    draw = Draw(lot=PointsEntryId.new(), points=120)
    assert decode(encode((draw,))) == (draw,)
    assert type(decode(encode(draw))) is Draw


class Firmness(enum.Enum):
    SOFT = "soft"


@attrs.frozen
class Pillow:
    firmness: Firmness
    price: Money


def test_a_hosts_own_types_need_registering_first() -> None:
    pillow = Pillow(Firmness.SOFT, Money.of("4.00", "EUR"))
    text = encode(pillow)
    with pytest.raises(UndecodableDocumentError, match="register_type"):
        decode(text)
    register_type(Pillow)
    register_type(Firmness)
    assert decode(text) == pillow
