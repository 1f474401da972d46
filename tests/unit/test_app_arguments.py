"""Use cases refuse an argument of the wrong type by name, before they touch a store."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import attrs
import pendulum
import pytest

from staycore.adapters.memory import MemoryAppointmentStore
from staycore.adapters.payments import SUCCEEDING_CARD
from staycore.app.appointments import Appointments
from staycore.app.arguments import InvalidArgumentError, expect, expect_each
from staycore.app.orders import InvalidCommandError
from staycore.availability.ids import HoldId, UnitId
from staycore.kernel.errors import InvalidIdentifierError, InvalidInstantError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.reviews import ReviewLeft
from staycore.pricing.rate_plans import Guests
from staycore.testing.clock import FrozenClock
from staycore.testing.errors import assert_refused
from staycore.testing.hotel import SandboxHotel

STAY = "2026-07-10/2026-07-13"
CODE = "app.invalid_argument"


def refused(says: str, call: Callable[[], object]) -> InvalidArgumentError:
    return assert_refused(InvalidArgumentError, CODE, says, call)


# -- the helper ---------------------------------------------------------------------


def test_a_value_of_the_kind_is_returned_as_it_is() -> None:
    stay = Stay.parse(STAY)
    assert expect(stay, Stay, name="stay") is stay
    assert expect_each([stay, stay], Stay, name="stays") == (stay, stay)
    assert expect_each(frozenset({3}), int, name="counts") == (3,)


@pytest.mark.parametrize(
    ("value", "kind", "says"),
    [
        pytest.param(True, int, "n must be an int, got True", id="bool-for-int"),
        pytest.param(
            dt.datetime(2026, 7, 10, 9, tzinfo=dt.UTC),
            dt.date,
            "n must be a date, got datetime.datetime(2026, 7, 10, 9, 0, tzinfo=",
            id="datetime-for-date",
        ),
        pytest.param(
            pendulum.datetime(2026, 7, 10), dt.date, "got DateTime(2026", id="pendulum-for-date"
        ),
        pytest.param(None, Money, "n must be a Money, got None", id="none"),
        pytest.param("x" * 10_000, int, "got 'xxxxxxxxxx", id="long-text"),
        # repr() refuses an int this long: the message must not fail in turn.
        pytest.param(10**5000, str, "n must be a str, got an int too long to show", id="huge-int"),
    ],
)
def test_a_value_of_another_kind_is_refused_and_shown(value: object, kind: type, says: str) -> None:
    error = refused(says, lambda: expect(value, kind, name="n"))
    assert len(error.message) < 120  # a long value is cut short


@pytest.mark.parametrize(
    "value",
    ["SUMMER10", b"SUMMER10", {"SUMMER10": 1}, iter(["SUMMER10"]), None, 7],
    ids=["text", "bytes", "mapping", "iterator", "none", "int"],
)
def test_only_a_collection_is_taken_for_one(value: object) -> None:
    refused(
        "codes must be a collection of str such as ['SUMMER10'], got",
        lambda: expect_each(value, str, name="codes", example="['SUMMER10']"),
    )


def test_the_item_of_the_wrong_kind_is_named() -> None:
    error = refused(
        "dates must be a collection of date, got None in it",
        lambda: expect_each([dt.date(2026, 7, 10), None], dt.date, name="dates"),
    )
    assert error.message.endswith("got None in it")


def test_an_id_may_come_as_text_and_is_checked_as_its_constructor_checks_it() -> None:
    room = UnitId.new()
    taken = expect(str(room), UnitId, name="unit")
    assert type(taken) is UnitId
    assert taken == room
    assert expect_each([str(room)], Identifier, name="ids") == (room,)
    with pytest.raises(InvalidIdentifierError):
        expect("room 101", UnitId, name="unit")
    with pytest.raises(InvalidIdentifierError):
        expect(str(HoldId.new()), UnitId, name="unit")  # an id of another kind


def test_the_error_and_its_wording_may_be_the_callers() -> None:
    assert_refused(
        InvalidCommandError,
        "orders.invalid_command",
        "quote must be the Quote the guest accepted, got None",
        lambda: expect(
            None,
            Money,
            name="quote",
            what="the Quote the guest accepted",
            error=InvalidCommandError,
        ),
    )


# -- the use cases ------------------------------------------------------------------


def test_a_stay_that_is_not_a_stay_is_refused_by_name() -> None:
    hotel = SandboxHotel()
    error = refused(
        "Availability.check: stay must be a Stay such as Stay.parse('2026-07-10/2026-07-12')"
        ", got None",
        lambda: hotel.availability.check(hotel.unit_type, None, booked_on=dt.date(2026, 6, 1)),  # type: ignore[arg-type]
    )
    assert str(error).startswith("[app.invalid_argument] Availability.check: stay")


def test_a_hold_request_of_the_wrong_type_holds_nothing() -> None:
    hotel = SandboxHotel()
    before = hotel.counts(STAY)
    refused(
        "Availability.hold_stay: request must be a StayHoldRequest such as StayHoldRequest(",
        lambda: hotel.availability.hold_stay([], booked_on=dt.date(2026, 6, 1)),  # type: ignore[arg-type]
    )
    assert hotel.counts(STAY) == before


def test_capacity_over_nights_of_the_wrong_type_changes_nothing() -> None:
    hotel = SandboxHotel()
    before = hotel.counts(STAY)
    refused(
        "Availability.set_capacity: nights must be a NightSelection such as "
        "NightSelection.of(Stay.parse('2026-07-01/2026-08-01')), got []",
        lambda: hotel.availability.set_capacity(hotel.unit_type, [], 5),  # type: ignore[arg-type]
    )
    assert hotel.counts(STAY) == before


def test_an_amount_that_is_not_money_is_refused_before_the_key_is_claimed() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="book")
    refused(
        "Orders.pay: amount must be a Money such as Money.of('50.00', 'EUR'), or None for what "
        "is due now, got True",
        lambda: hotel.orders.pay(
            order.id,
            method=SUCCEEDING_CARD,
            idempotency_key="pay",
            amount=True,  # type: ignore[arg-type]
        ),
    )
    assert hotel.orders.get(order.id) == order
    assert not hotel.gateway.webhooks()
    # The key is free: a claim under it would refuse another request as a conflict.
    paid = hotel.orders.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="pay")
    assert paid.order.received.is_positive


def test_lines_that_are_not_a_collection_of_line_ids_cancel_nothing() -> None:
    hotel = SandboxHotel()
    order = hotel.orders.place(hotel.booking(STAY), idempotency_key="book")
    before = hotel.counts(STAY)
    # One id alone is text, which Python would iterate character by character.
    wrong: list[Any] = [None, order.lines[0].id, [order.lines[0].id, None]]
    for lines in wrong:
        refused(
            "Orders.cancel_lines: lines must be a collection of LineId such as "
            "[order.lines[0].id], got",
            functools.partial(hotel.orders.cancel_lines, order.id, lines, idempotency_key="c"),
        )
    assert hotel.orders.get(order.id) == order
    assert hotel.counts(STAY) == before


def test_codes_given_as_one_text_are_refused_rather_than_read_letter_by_letter() -> None:
    hotel = SandboxHotel()
    refused(
        "Pricing.quote: codes must be a collection of str such as ['SUMMER10'], got 'SUMMER10'",
        lambda: hotel.pricing.quote(hotel.pricer, Stay.parse(STAY), Guests(2), codes="SUMMER10"),
    )


def test_an_adjustment_without_a_reason_as_text_posts_no_points() -> None:
    hotel = SandboxHotel()
    mei = hotel.loyalty.enrol(name="Mei Tan", email="mei@example.com")
    before = hotel.ledger.entries(mei)
    refused(
        "Loyalty.adjust: reason must be a str such as 'Noisy room', got None",
        lambda: hotel.loyalty.adjust(
            mei,
            250,
            reason=None,  # type: ignore[arg-type]
            staff="desk:ana",
            idempotency_key="goodwill",
        ),
    )
    assert hotel.ledger.entries(mei) == before


def test_an_instant_that_is_not_an_aware_datetime_is_refused_by_name() -> None:
    hotel = SandboxHotel()
    naive = dt.datetime(2027, 1, 1)  # noqa: DTZ001 - naive on purpose
    wrong: list[tuple[Any, str]] = [(True, "time.invalid_instant"), (naive, "time.naive_datetime")]
    for at, code in wrong:
        assert_refused(
            InvalidInstantError,
            code,
            "Loyalty.due_triggers: at",
            functools.partial(hotel.loyalty.due_triggers, at),
        )


def test_events_that_are_not_a_collection_of_events_are_refused_before_any_reaction() -> None:
    hotel = SandboxHotel()
    mei = hotel.loyalty.enrol(name="Mei Tan", email="mei@example.com")
    order = hotel.stay_completed(mei, STAY)
    hotel.reviews.leave(order.id, ratings={"cleanliness": 5}, text="Quiet garden.")
    reviewed = [e for e in hotel.store.outbox() if isinstance(e, ReviewLeft)]
    balance = hotel.loyalty.account(mei).balance
    refused(
        "Loyalty.publish: events must be a collection of DomainEvent such as store.outbox(), "
        "got None in it",
        lambda: hotel.loyalty.publish([*reviewed, None]),  # type: ignore[list-item]
    )
    assert hotel.loyalty.account(mei).balance == balance
    hotel.loyalty.publish(reviewed)  # the review bonus the refused batch did not earn
    assert hotel.loyalty.account(mei).balance > balance


def test_an_appointment_search_without_a_query_is_refused_by_name() -> None:
    clock = FrozenClock("2026-05-04T01:00:00Z")
    spa = Appointments(MemoryAppointmentStore(clock), clock)
    refused(
        "Appointments.find: query must be a ResourceQuery such as ResourceQuery(",
        lambda: spa.find(None, []),  # type: ignore[arg-type]
    )


def test_the_command_fields_are_checked_by_the_same_helper() -> None:
    hotel = SandboxHotel()
    booking = hotel.booking(STAY)
    wrong: dict[str, Any] = {"stays": [None]}
    error = assert_refused(
        InvalidCommandError,
        "orders.invalid_command",
        "stays must be a list of StayRequest, got None in it",
        lambda: attrs.evolve(booking, **wrong),
    )
    assert not isinstance(error, InvalidArgumentError)
