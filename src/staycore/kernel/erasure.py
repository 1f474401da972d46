"""Erasure on a guest's request: what replaces their personal data, and the event it leaves.

A guest may ask for their personal data to be erased. The records that hold it (their
profile, their orders, their reviews and service requests) keep their ids, their money
and their dates, so that the books still balance and the statistics still count, but
lose everything that names or reaches the guest: names become :data:`ERASED`, contact
details, identity numbers, birthdays and free text go. Each erased record records
:class:`PersonalDataErased`, naming the fields, never their values.

The fields that hold personal data say so in their attrs metadata (:data:`PERSONAL`, or
:func:`personal` for one that erases to something else than its default), and
:func:`without_personal_data` puts their stand-ins in their place, in any value: that is
how the stores erase the events a record left in their outbox.

Example:
    >>> from staycore.kernel.erasure import ERASED, PersonalDataErased
    >>> from staycore.kernel.ids import Identifier
    >>> class DocGuestId(Identifier):
    ...     prefix = "doc_guest"
    >>> event = PersonalDataErased(
    ...     aggregate_id=DocGuestId("doc_guest_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), aggregate_version=4,
    ...     occurred_at="2026-09-01T10:00:00Z", fields=("name", "contact"))
    >>> ERASED, event.fields
    ('erased', ('name', 'contact'))
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast

import attrs

from staycore.kernel.events import DomainEvent

__all__ = ["ERASED", "PERSONAL", "PersonalDataErased", "personal", "without_personal_data"]

T = TypeVar("T")

ERASED: Final = "erased"
"""What stands in for a name, or any text that must stay non-empty, once erased."""

PERSONAL: Final[Mapping[str, object]] = MappingProxyType({"personal": True})
"""The attrs metadata of a field that holds personal data: what is encrypted at rest
(:mod:`staycore.adapters.sql.codec`), erased on request and hidden from ``repr``.

Erased, such a field takes its default, or :data:`ERASED` if it has none (a name, a
text that must not be empty); :func:`personal` marks one that takes something else."""


def personal(*, erased_as: object) -> Mapping[str, object]:
    """The attrs metadata of a personal field that erasure sets to ``erased_as``.

    For a field without a default whose stand-in is not :data:`ERASED`: a text that may
    be empty (a comment, a review) is erased to ``""``, as its record erases it.

    Example:
        >>> import attrs
        >>> from staycore.kernel.erasure import personal, without_personal_data
        >>> @attrs.frozen
        ... class Comment:
        ...     text: str = attrs.field(metadata=personal(erased_as=""))
        >>> without_personal_data(Comment("the room smelt of smoke"))
        Comment(text='')
    """
    return MappingProxyType({**PERSONAL, "erased_as": erased_as})


def without_personal_data(value: T) -> T:
    """``value`` with every personal field erased, in it and in every value inside it.

    A field is personal when its attrs metadata says so (:data:`PERSONAL`,
    :func:`personal`); it takes its stand-in whole (what is inside it is not looked
    at): the ``erased_as`` of :func:`personal`, else the field's default, else
    :data:`ERASED`. Attrs values, tuples, lists, sets and mappings are looked into; a
    value with nothing personal in it comes back as it is (the same object). A changed
    attrs value is built as a stored one is read back, field by field, without running
    its class's converters and checks again.

    Example:
        >>> import attrs
        >>> from staycore.kernel.erasure import PERSONAL, without_personal_data
        >>> @attrs.frozen
        ... class Visitor:
        ...     name: str = attrs.field(metadata=PERSONAL)
        ...     email: str | None = attrs.field(default=None, metadata=PERSONAL)
        ...     room: int = 0
        >>> without_personal_data((Visitor("Mei Tan", "mei@example.com", 12),))
        (Visitor(name='erased', email=None, room=12),)
        >>> erased = Visitor("erased")
        >>> without_personal_data(erased) is erased
        True
    """
    return cast(T, _erased(value))


def _erased(value: Any) -> Any:  # noqa: ANN401 - any value, erased
    kind = type(value)
    if value is None or kind in _LEAVES:
        return value
    if attrs.has(kind):
        return _erased_attrs(value, kind)
    if isinstance(value, tuple | list | frozenset | set | Mapping):
        return _erased_collection(value, kind)
    return value


def _erased_collection(value: Any, kind: type) -> Any:  # noqa: ANN401 - a collection
    if isinstance(value, Mapping):
        pairs = [(key, item, _erased(item)) for key, item in value.items()]
        if all(new is old for _, old, new in pairs):
            return value
        return {key: new for key, _, new in pairs}
    items = [(item, _erased(item)) for item in value]
    if all(new is old for old, new in items):
        return value
    fresh = [new for _, new in items]
    return kind(*fresh) if hasattr(kind, "_fields") else kind(fresh)


def _erased_attrs(value: Any, kind: type) -> Any:  # noqa: ANN401 - an attrs value
    fields = attrs.fields(kind)
    changes: dict[str, object] = {}
    for field in fields:
        current = getattr(value, field.name)
        if field.metadata.get("personal"):
            new = _stand_in(field, value)
            if new != current:
                changes[field.name] = new
        else:
            new = _erased(current)
            if new is not current:
                changes[field.name] = new
    if not changes:
        return value
    copy: Any = object.__new__(kind)
    for field in fields:
        object.__setattr__(copy, field.name, changes.get(field.name, getattr(value, field.name)))
    return copy


def _stand_in(field: attrs.Attribute[Any], value: object) -> object:
    """What a personal field of ``value`` holds once erased."""
    if "erased_as" in field.metadata:
        return field.metadata["erased_as"]
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory(value) if default.takes_self else default.factory()
    return ERASED if default is attrs.NOTHING else default


_LEAVES: Final = frozenset({str, bytes, int, float, bool})


@attrs.frozen(kw_only=True)
class PersonalDataErased(DomainEvent):
    """A record's personal data was erased on the guest's request; ``fields`` names them."""

    fields: tuple[str, ...]
