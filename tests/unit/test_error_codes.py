"""The error catalogue, and bad input to domain events."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import pytest

from staycore.kernel import errors
from staycore.kernel.errors import StaycoreError, error_codes
from staycore.kernel.events import DomainEvent, InvalidEventError
from staycore.kernel.ids import Identifier


def _all_subclasses(root: type[StaycoreError]) -> list[type[StaycoreError]]:
    found, pending = [], [root]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_code_is_dotted_and_names_its_own_class() -> None:
    codes = error_codes()

    for code, cls in codes.items():
        assert cls.code == code
        assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", code), code
    assert len(set(codes.values())) == len(codes)


def test_every_error_class_has_a_code_of_its_own() -> None:
    classes = [cls for cls in _all_subclasses(StaycoreError) if cls is not StaycoreError]
    own_codes = [cls.__dict__["code"] for cls in classes]

    assert len(own_codes) == len(set(own_codes))
    assert all(error_codes()[cls.code] is cls for cls in classes)


def test_every_exported_error_is_catalogued() -> None:
    exported = [getattr(errors, name) for name in errors.__all__ if name.endswith("Error")]
    for cls in exported:
        if cls is not StaycoreError:
            assert error_codes()[cls.code] is cls, cls


def test_an_error_prints_its_code_first() -> None:
    error = errors.InvalidStayError("check-out must be after check-in")
    assert str(error) == "[time.invalid_stay] check-out must be after check-in"
    assert error.message == "check-out must be after check-in"
    assert isinstance(error, errors.KernelError)


class EventShopId(Identifier):
    prefix = "evt_shop"


@attrs.frozen(kw_only=True)
class ShopOpened(DomainEvent):
    name: str


SHOP = EventShopId("evt_shop_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        (
            {"aggregate_id": "evt_shop_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"},
            "aggregate_id must be an Identifier",
        ),
        ({"aggregate_version": 0}, "aggregate_version must be an int of at least 1"),
        ({"aggregate_version": True}, "aggregate_version must be an int of at least 1"),
        ({"occurred_at": "yesterday"}, "is not an ISO 8601 instant"),
        ({"occurred_at": "2026-05-01"}, "must be a date and time with an offset"),
        # Read as UTC, and as today from the system clock, before the fix:
        ({"occurred_at": "2026-05-01T09:00"}, "must be a date and time with an offset"),
        ({"occurred_at": "09:00"}, "must be a date and time with an offset"),
        ({"occurred_at": "P1D"}, "must be a date and time with an offset"),
    ],
)
def test_bad_event_fields_are_refused(changes: dict[str, Any], phrase: str) -> None:
    fields: dict[str, Any] = {
        "aggregate_id": SHOP,
        "aggregate_version": 1,
        "occurred_at": "2026-05-01T09:00:00+08:00",
        "name": "Lotus Spa",
    }
    with pytest.raises(InvalidEventError) as caught:
        ShopOpened(**(fields | changes))
    assert caught.value.code == "events.invalid"
    assert phrase in caught.value.message


def test_a_naive_event_instant_is_refused() -> None:
    with pytest.raises(errors.NaiveDatetimeError) as caught:
        ShopOpened(
            aggregate_id=SHOP,
            aggregate_version=1,
            occurred_at=dt.datetime(2026, 5, 1, 9),  # noqa: DTZ001
            name="Lotus Spa",
        )
    assert "occurred_at" in caught.value.message
    assert caught.value.code == "time.naive_datetime"
