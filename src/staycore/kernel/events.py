"""Domain events: immutable records of something that happened to an aggregate.

An event is named in the past tense (``OrderPlaced``, ``HoldExpired``, ``PointsEarned``),
never as a command. It carries the aggregate it happened to, the aggregate's version
after the change, and the instant it happened. Contexts declare their events as frozen
attrs subclasses of :class:`DomainEvent`; use cases hand them to the unit of work, which
stores them with the change so that none is lost (see :mod:`staycore.ports`).

Example:
    >>> import attrs
    >>> from staycore.kernel.events import DomainEvent, event_payload
    >>> from staycore.kernel.ids import Identifier
    >>> class DocShopId(Identifier):
    ...     prefix = "doc_shop"
    >>> @attrs.frozen(kw_only=True)
    ... class ShopOpened(DomainEvent):
    ...     name: str
    >>> event = ShopOpened(
    ...     aggregate_id=DocShopId("doc_shop_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     aggregate_version=1,
    ...     occurred_at="2026-05-01T09:00:00+08:00",
    ...     name="Lotus Spa",
    ... )
    >>> event.event_type, event_payload(event)["occurred_at"]
    ('ShopOpened', '2026-05-01T01:00:00+00:00')
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from staycore.kernel.currency import Currency
from staycore.kernel.errors import KernelError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.kernel.time import Slot, Stay, as_instant, timezone

__all__ = ["DomainEvent", "InvalidEventError", "JSONValue", "event_payload", "plain_value"]

_UTC = timezone("UTC")

JSONValue = str | int | bool | None | list["JSONValue"] | dict[str, "JSONValue"]
"""A value that :func:`json.dumps` writes as it is."""


class InvalidEventError(KernelError):
    """An event was built with a bad aggregate id, version or instant."""

    code = "events.invalid"


def _to_occurred_at(value: dt.datetime | str) -> pendulum.DateTime:
    if isinstance(value, pendulum.DateTime) and value.tzinfo is pendulum.UTC:
        return value  # the common case, already as stored
    if isinstance(value, str):
        try:
            # exact and tz=None: without them pendulum reads "2026-05-01T09:00" as UTC
            # and "09:00" as today, from the system clock.
            parsed = pendulum.parse(value, exact=True, tz=None)
        except ValueError as error:
            msg = f"occurred_at {value!r} is not an ISO 8601 instant: {error}"
            raise InvalidEventError(msg) from None
        if not isinstance(parsed, pendulum.DateTime) or parsed.utcoffset() is None:
            msg = f"occurred_at {value!r} must be a date and time with an offset"
            raise InvalidEventError(msg)
        value = parsed
    instant = as_instant(value, what="occurred_at")
    if instant.tzinfo is _UTC:  # already UTC: converting would only copy it
        return instant
    return instant.in_tz(_UTC)


# Not slotted: an event's fields in one dict let the hottest events be built with one
# assignment (see staycore.orders.events.OrderStatusChanged.of_edge).
@attrs.frozen(kw_only=True, slots=False)
class DomainEvent:
    """Base of every domain event.

    Attributes:
        aggregate_id: The aggregate the event happened to.
        aggregate_version: The aggregate's version after the change (1 for a new one).
        occurred_at: When it happened, stored in UTC; strings in ISO 8601 are accepted.
    """

    aggregate_id: Identifier = attrs.field()
    aggregate_version: int = attrs.field()
    occurred_at: pendulum.DateTime = attrs.field(converter=_to_occurred_at)

    @aggregate_id.validator
    def _check_id(self, _attribute: object, value: object) -> None:
        if not isinstance(value, Identifier):
            msg = f"aggregate_id must be an Identifier, got {value!r}"
            raise InvalidEventError(msg)

    @aggregate_version.validator
    def _check_version(self, _attribute: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            msg = f"aggregate_version must be an int of at least 1, got {value!r}"
            raise InvalidEventError(msg)

    @property
    def event_type(self) -> str:
        """The event's name, e.g. ``"OrderPlaced"``: what consumers route on."""
        return type(self).__name__


def event_payload(event: DomainEvent) -> dict[str, JSONValue]:
    """Return the event's fields as JSON-ready values, plus its ``event_type``.

    Money becomes ``{"amount": "12.30", "currency": "EUR"}``; instants, dates, durations,
    stays and slots become ISO 8601 text; enums their value; identifiers and decimals their text.

    Example:
        Continuing the module example above:

        >>> payload = event_payload(event)
        >>> payload["event_type"], payload["aggregate_id"], payload["name"]
        ('ShopOpened', 'doc_shop_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7', 'Lotus Spa')
    """
    payload: dict[str, JSONValue] = {"event_type": event.event_type}
    for field in attrs.fields(type(event)):
        payload[field.name] = _jsonable(getattr(event, field.name))
    return payload


def plain_value(value: object) -> JSONValue:
    """Return ``value`` as the plain values JSON writes, as :func:`event_payload` does.

    What an event payload, an audit digest and a guest's data export write of a value:
    attrs values become mappings of their fields (personal ones too), sets sorted lists,
    and the rest as :func:`event_payload` says.

    Raises:
        InvalidEventError: ``value`` holds something with no plain form (a float, say).

    Example:
        >>> from staycore.kernel.events import plain_value
        >>> from staycore.kernel.money import Money
        >>> plain_value({"total": Money.of("12.30", "EUR"), "tags": frozenset({"vip", "b"})})
        {'total': {'amount': '12.30', 'currency': 'EUR'}, 'tags': ['b', 'vip']}
    """
    return _jsonable(value)


def _jsonable(value: Any) -> JSONValue:  # noqa: ANN401, PLR0911 - one branch per value kind
    if value is None or isinstance(value, bool | int | str):
        return str(value) if isinstance(value, Identifier) else value
    if isinstance(value, Money):
        return {"amount": f"{value.amount:f}", "currency": value.currency.code}
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # ISO 8601, exactly: days, then seconds
        return f"P{value.days}DT{value.seconds}.{value.microseconds:06d}S"
    if isinstance(value, Slot):
        return [value.start.isoformat(), value.end.isoformat()]
    if isinstance(value, Stay | Currency):
        return str(value)
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(item) for item in value), key=repr)
    if attrs.has(type(value)):
        return {f.name: _jsonable(getattr(value, f.name)) for f in attrs.fields(type(value))}
    msg = f"cannot write {type(value).__name__} into an event payload; use plain values"
    raise InvalidEventError(msg)
