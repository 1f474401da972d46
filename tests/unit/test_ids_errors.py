"""Bad identifiers and bad identifier or error declarations."""

from __future__ import annotations

import random
from typing import Any

import attrs
import pendulum
import pytest

from staycore.kernel.errors import InvalidIdentifierError, KernelError
from staycore.kernel.ids import Identifier, IdGenerator

VALID_ULID = "01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"


def _seeded(seed: int) -> random.Random:
    """A seeded generator, for reproducible (not secret) identifiers."""
    return random.Random(seed)  # noqa: S311


class UnitOrderId(Identifier):
    prefix = "unit_ord"


class UnitCustomerId(Identifier):
    prefix = "unit_cus"


@pytest.mark.parametrize(
    "text",
    [
        f"unit_cus_{VALID_ULID}",  # another kind's prefix
        f"ord_{VALID_ULID}",
        VALID_ULID,  # no prefix at all
        f"UNIT_ORD_{VALID_ULID}",
        f"unit_ord_{VALID_ULID.lower()}",  # lower-case ULID
        f"unit_ord_{VALID_ULID[:-1]}",  # 25 characters
        f"unit_ord_{VALID_ULID}0",  # 27 characters
        f"unit_ord_8{VALID_ULID[1:]}",  # more than 48 bits of time
        f"unit_ord_{VALID_ULID[:-1]}I",  # not in Crockford's alphabet
        f"unit_ord_{VALID_ULID[:-1]}U",
        f"unit_ord-{VALID_ULID}",
        "",
    ],
)
def test_a_malformed_identifier_says_what_shape_is_expected(text: str) -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        UnitOrderId(text)
    assert caught.value.code == "ids.invalid"
    assert "is not a UnitOrderId: expected 'unit_ord_' followed by a 26-character ULID" in (
        caught.value.message
    )


@pytest.mark.parametrize("value", [None, 42, b"unit_ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"])
def test_an_identifier_is_built_from_a_string(value: Any) -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        UnitOrderId(value)
    assert caught.value.code == "ids.invalid"
    assert "must be built from a string" in caught.value.message


@pytest.mark.parametrize(
    "text", [f"Bad_{VALID_ULID}", f"_{VALID_ULID}", "nope", f"a__b_{VALID_ULID}"]
)
def test_the_base_class_still_checks_the_shape(text: str) -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        Identifier(text)
    assert "expected a 26-character ULID" in caught.value.message


def test_the_base_class_accepts_any_kind_and_bare_ulids() -> None:
    assert Identifier(f"unit_ord_{VALID_ULID}") == f"unit_ord_{VALID_ULID}"
    assert Identifier(VALID_ULID).timestamp.year == 2024


def test_a_kind_without_a_valid_prefix_fails_when_declared() -> None:
    with pytest.raises(TypeError, match="must declare a lower-case `prefix`"):

        class Unprefixed(Identifier):
            pass

    with pytest.raises(TypeError, match="must declare a lower-case `prefix`"):

        class Shouting(Identifier):
            prefix = "ORD"


def test_a_prefix_used_twice_fails_when_declared() -> None:
    with pytest.raises(
        TypeError, match=r"prefix 'unit_ord' of .* is already used by .*UnitOrderId"
    ):

        class AnotherOrderId(Identifier):
            prefix = "unit_ord"


def test_an_error_code_used_twice_fails_when_declared() -> None:
    with pytest.raises(
        TypeError, match=r"error code 'ids.invalid' of .*ClashError is already used by"
    ):

        class ClashError(KernelError):
            code = "ids.invalid"


@pytest.mark.parametrize("code", ["invalid", "Money.x", "money.", "money..x", "money.x-y", None])
def test_an_error_code_must_be_dotted_lower_case(code: Any) -> None:
    with pytest.raises(TypeError, match="must declare a dotted lower-case `code`"):
        type("BadCode", (KernelError,), {"code": code})


def test_an_error_without_its_own_code_fails_when_declared() -> None:
    with pytest.raises(TypeError, match="UncodedError must declare a dotted lower-case `code`"):

        class UncodedError(KernelError):
            pass


def test_timestamps_decode_to_the_millisecond_far_in_the_future() -> None:
    # Found by test_a_full_random_part_moves_to_the_next_millisecond: milliseconds / 1000
    # as a float decoded 2243-01-01T00:00:00.001 as .000999.
    order = UnitOrderId("unit_ord_07TQBX79010000000000000000")
    assert order.timestamp.isoformat() == "2243-01-01T00:00:00.001000+00:00"


def test_clock_times_encode_to_the_millisecond() -> None:
    # float seconds * 1000 truncated 2038-04-07T07:43:46.693 to .692.
    instant = pendulum.datetime(2038, 4, 7, 7, 43, 46, 693000, tz="UTC")
    order = IdGenerator(_Fixed(instant), _seeded(1)).new(UnitOrderId)
    assert order.timestamp == instant


class _Fixed:
    def __init__(self, instant: pendulum.DateTime) -> None:
        self._instant = instant

    def now(self) -> pendulum.DateTime:
        return self._instant


def test_a_timestamp_after_the_year_9999_is_refused_with_a_staycore_error() -> None:
    far = Identifier("x_7ZZZZZZZZZZZZZZZZZZZZZZZZZ")  # a valid ULID, in the year 10889
    with pytest.raises(InvalidIdentifierError, match="after the year 9999") as caught:
        _ = far.timestamp
    assert caught.value.code == "ids.invalid"


class ValidatedSeatId(Identifier):
    prefix = "unit_seat"


@attrs.frozen
class Seat:
    id: ValidatedSeatId = attrs.field(validator=ValidatedSeatId.validate)


@pytest.mark.parametrize(
    "value", [None, 42, b"unit_seat_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7", ["x"], "nope"]
)
def test_validate_refuses_what_is_not_an_id_of_the_kind(value: Any) -> None:
    with pytest.raises(InvalidIdentifierError, match="ValidatedSeatId"):
        Seat(value)


def test_validate_keeps_an_id_or_its_text() -> None:
    text = "unit_seat_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"
    assert Seat(ValidatedSeatId(text)).id == text
    assert Seat(text).id == text  # type: ignore[arg-type]
