"""Aggregates and events as JSON text, and back to the same values.

The SQL store keeps every aggregate and every outbox event as one JSON document. The
domain's values are frozen attrs classes built from a few kinds of leaf (identifiers,
money, instants in a named timezone, dates, decimals, enums), so one generic codec
serves them all, and a new aggregate needs no mapping code: :func:`encode` writes an
attrs instance (or a named tuple) as its class's name and its fields, and
:func:`decode` builds the same value again, field for field, without running its
constructor (it was checked when it was first built, and converters must not run twice).

Only classes from staycore's own modules, and those a host registers with
:func:`register_type`, are ever built from a document: a row edited by hand cannot make
the store import or construct anything else. That is also why this is not :mod:`pickle`.

Personal data is encrypted at rest when a :class:`~staycore.ports.cipher.Cipher` is
given: every field whose attrs metadata marks it personal
(:data:`~staycore.kernel.erasure.PERSONAL`: a guest's name and contact details, a
profile's identity number and birthday, what the events of a review or a service
request say) is written as ``{"$sealed": "v1.<key id>..."}``, the encoded field sealed
under the cipher's current key and bound to its place (the record, the class and the
field), so that a sealed value copied into another record does not open. Everything
else stays readable, for queries and for people debugging.

Why not cattrs: it structures by the fields' annotations, which in this code base are
postponed strings naming types imported only for type checking, and it would run
every converter and validator again on the way in. The tagged form here needs neither.

Example:
    >>> from staycore.adapters.sql.codec import decode, encode
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> value = (Money.of("120.00", "EUR"), Stay.parse("2026-07-10/2026-07-13"))
    >>> text = encode(value)
    >>> text
    '{"$tuple":[{"$attrs":"staycore.kernel.money:Money",...'
    >>> decode(text) == value
    True
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Final

import attrs
import pendulum

from staycore.kernel.errors import PersistenceError
from staycore.kernel.ids import Identifier
from staycore.kernel.sealed import Sealed
from staycore.ports.cipher import Cipher

__all__ = ["UndecodableDocumentError", "decode", "encode", "register_type"]

_OWN_MODULES: Final = "staycore."
# The cipher and the record of the encode or decode under way, if it seals.
_SEALING: ContextVar[tuple[Cipher, str] | None] = ContextVar("staycore_sealing", default=None)
_registered: dict[str, type] = {}
_resolved: dict[str, type] = {}


class UndecodableDocumentError(PersistenceError):
    """A stored document names a type the codec may not build, or is not its JSON."""

    code = "persistence.undecodable"


def register_type(cls: type) -> type:
    """Let the codec store and load ``cls``, a host's own attrs class, enum or identifier.

    staycore's own types need no registration. Usable as a class decorator.

    Example:
        >>> import attrs
        >>> from staycore.adapters.sql.codec import decode, encode, register_type
        >>> @register_type
        ... @attrs.frozen
        ... class Pillow:
        ...     firmness: str
        >>> decode(encode(Pillow("soft")))
        Pillow(firmness='soft')
    """
    _registered[_tag(cls)] = cls
    return cls


def encode(value: object, *, cipher: Cipher | None = None, record: str = "") -> str:
    """Write ``value`` as compact JSON text that :func:`decode` reads back to an equal value.

    Args:
        value: What to write.
        cipher: Seals the personal fields, if given (see the module's documentation).
        record: Where the document is kept, such as ``"order:ord_..."``: sealed fields
            are bound to it, and open only under the same name.

    Raises:
        UndecodableDocumentError: ``value`` holds something the codec cannot write (a
            plain class, a float that is not finite, a lambda).

    Example:
        >>> from staycore.adapters.crypto import AesGcmCipher
        >>> from staycore.orders.lines import Guest
        >>> cipher = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1")
        >>> text = encode(Guest(name="Mei Tan", email="mei@example.com"),
        ...               cipher=cipher, record="order:1")
        >>> "Mei" in text, '"$sealed":"v1.k1.' in text
        (False, True)
        >>> decode(text, cipher=cipher, record="order:1").email
        'mei@example.com'
    """
    token = _SEALING.set(None if cipher is None else (cipher, record))
    try:
        return json.dumps(_encode(value), separators=(",", ":"), ensure_ascii=False)
    finally:
        _SEALING.reset(token)


def decode(text: str | bytes, *, cipher: Cipher | None = None, record: str = "") -> Any:  # noqa: ANN401 - whatever was stored
    """Read a document written by :func:`encode` back into its value.

    Args:
        text: The document.
        cipher: Opens its sealed fields: the cipher (with the keys) they were sealed by.
        record: Where the document is kept, as it was given to :func:`encode`.

    Raises:
        UndecodableDocumentError: The text is not JSON, names a type outside staycore
            that was not registered, or holds sealed fields and no cipher was given.
        CipherError: A sealed field does not open: an unknown key, or the document was
            moved from another record or altered.

    Example:
        See the module example.
    """
    try:
        document = json.loads(text)
    except ValueError as error:
        msg = f"a stored document is not JSON ({error}); was the row edited by hand?"
        raise UndecodableDocumentError(msg) from None
    token = _SEALING.set(None if cipher is None else (cipher, record))
    try:
        return _decode(document)
    finally:
        _SEALING.reset(token)


def _tag(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _encode(value: Any) -> Any:  # noqa: ANN401 - one branch per kind of value
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):  # noqa: PLR0124 - NaN test
            msg = f"cannot store the float {value!r}: only finite numbers have a JSON form"
            raise UndecodableDocumentError(msg)
        return value
    encoder = _ENCODERS.get(kind)
    return encoder(value) if encoder is not None else _encode_class(value, kind)


def _encode_class(value: Any, kind: type) -> Any:  # noqa: ANN401 - a JSON value
    """A value of a class: an identifier, an enum member, a named tuple or an attrs value."""
    if isinstance(value, Identifier):
        return {"$id": _tag(kind), "v": str(value)}
    if isinstance(value, enum.Enum):
        return {"$enum": _tag(kind), "v": _encode(value.value)}
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return {"$namedtuple": _tag(kind), "v": [_encode(item) for item in value]}
    if attrs.has(kind):
        tag, sealing = _tag(kind), _SEALING.get()
        fields = {}
        for field in attrs.fields(kind):
            if sealing is None or not field.metadata.get("personal"):
                fields[field.name] = _encode(getattr(value, field.name))
                continue
            token = _SEALING.set(None)  # sealed whole: what is inside needs no seal of its own
            try:
                encoded = _encode(getattr(value, field.name))
            finally:
                _SEALING.reset(token)
            fields[field.name] = _sealed(encoded, sealing, f"{tag}.{field.name}")
        return {"$attrs": tag, "f": fields}
    msg = (
        f"cannot store a {kind.__qualname__}: aggregates and events hold attrs classes, "
        "enums, identifiers, money, times, decimals and the built-in collections"
    )
    raise UndecodableDocumentError(msg)


def _sealed(encoded: Any, sealing: tuple[Cipher, str], place: str) -> Any:  # noqa: ANN401
    """An encoded personal field, sealed and bound to its record and place in it."""
    cipher, record = sealing
    text = json.dumps(encoded, separators=(",", ":"), ensure_ascii=False)
    return {"$sealed": cipher.encrypt(text, context=f"{record}/{place}").to_text()}


def _opened(body: Any, place: str) -> Any:  # noqa: ANN401 - a JSON value
    """A sealed field's encoded value, opened with the cipher it was sealed by."""
    sealing = _SEALING.get()
    if sealing is None:
        msg = (
            f"a stored document holds personal data sealed by a cipher ({place}): give the "
            "store the cipher (with its keys) to read it"
        )
        raise UndecodableDocumentError(msg)
    cipher, record = sealing
    return json.loads(cipher.decrypt(Sealed.from_text(body), context=f"{record}/{place}"))


def _instant(value: pendulum.DateTime) -> Any:  # noqa: ANN401 - a JSON value
    zone = value.tzinfo
    name = zone.name if isinstance(zone, pendulum.Timezone) else None
    return {"$instant": value.isoformat(), "tz": name}


_ENCODERS: Final[dict[type, Callable[[Any], Any]]] = {
    tuple: lambda value: {"$tuple": [_encode(item) for item in value]},
    list: lambda value: [_encode(item) for item in value],
    dict: lambda value: {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]},
    frozenset: lambda value: {"$frozenset": [_encode(item) for item in value]},
    set: lambda value: {"$set": [_encode(item) for item in value]},
    Decimal: lambda value: {"$decimal": str(value)},
    pendulum.DateTime: _instant,
    dt.datetime: lambda value: {"$datetime": value.isoformat()},
    pendulum.Date: lambda value: {"$pdate": value.isoformat()},
    dt.date: lambda value: {"$date": value.isoformat()},
    dt.time: lambda value: {"$time": value.isoformat()},
    pendulum.Duration: lambda value: {"$duration": [value.days, value.seconds, value.microseconds]},
    dt.timedelta: lambda value: {"$timedelta": [value.days, value.seconds, value.microseconds]},
}


def _decode(document: Any) -> Any:  # noqa: ANN401 - whatever was stored
    if isinstance(document, list):
        return [_decode(item) for item in document]
    if not isinstance(document, dict):
        return document
    try:
        (key, body), *rest = document.items()
        return _DECODERS[key](body, rest)
    except (KeyError, ValueError, TypeError, AttributeError, ArithmeticError, ImportError) as error:
        msg = f"a stored document has a part that cannot be read ({error!r}): {document!r:.200}"
        raise UndecodableDocumentError(msg) from None


def _resolve(tag: str) -> type:
    cls = _resolved.get(tag) or _registered.get(tag)
    if cls is not None:
        return cls
    module_name, _, qualname = tag.partition(":")
    if not module_name.startswith(_OWN_MODULES):
        msg = (
            f"a stored document names {tag!r}, which is neither staycore's nor registered: "
            "call staycore.adapters.sql.codec.register_type() on the host's own class"
        )
        raise UndecodableDocumentError(msg)
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type):
        msg = f"a stored document names {tag!r}, which is not a class"
        raise UndecodableDocumentError(msg)
    _resolved[tag] = found
    return found


def _attrs_value(tag: str, rest: list[tuple[str, Any]]) -> object:
    cls = _resolve(tag)
    if not attrs.has(cls):
        msg = f"a stored document names {tag!r} as an attrs class, which it is not"
        raise UndecodableDocumentError(msg)
    fields = dict(rest)["f"]
    value = object.__new__(cls)
    # The value was checked when it was first built: store its fields as they were.
    for field in attrs.fields(cls):
        stored = fields[field.name]
        if isinstance(stored, dict) and "$sealed" in stored:
            stored = _opened(stored["$sealed"], f"{tag}.{field.name}")
        object.__setattr__(value, field.name, _decode(stored))
    return value


def _identifier(tag: str, rest: list[tuple[str, Any]]) -> object:
    cls = _resolve(tag)
    if not issubclass(cls, Identifier):
        msg = f"a stored document names {tag!r} as an identifier, which it is not"
        raise UndecodableDocumentError(msg)
    return cls(dict(rest)["v"])


def _named_tuple(tag: str, rest: list[tuple[str, Any]]) -> object:
    cls = _resolve(tag)
    if not (issubclass(cls, tuple) and hasattr(cls, "_fields")):
        msg = f"a stored document names {tag!r} as a named tuple, which it is not"
        raise UndecodableDocumentError(msg)
    return cls(*(_decode(item) for item in dict(rest)["v"]))


def _enum_member(tag: str, rest: list[tuple[str, Any]]) -> object:
    cls = _resolve(tag)
    if not issubclass(cls, enum.Enum):
        msg = f"a stored document names {tag!r} as an enum, which it is not"
        raise UndecodableDocumentError(msg)
    return cls(_decode(dict(rest)["v"]))


def _instant_value(text: str, rest: list[tuple[str, Any]]) -> pendulum.DateTime:
    parsed = pendulum.parse(text, exact=True, tz=None)
    if not isinstance(parsed, pendulum.DateTime):
        msg = f"{text!r} is not an instant"
        raise ValueError(msg)
    zone = dict(rest).get("tz")
    return parsed.in_tz(zone) if zone else parsed


def _pendulum_date(text: str, _rest: object) -> pendulum.Date:
    day = dt.date.fromisoformat(text)
    return pendulum.Date(day.year, day.month, day.day)


_DECODERS: Final[dict[str, Callable[[Any, list[tuple[str, Any]]], Any]]] = {
    "$tuple": lambda body, _: tuple(_decode(item) for item in body),
    "$dict": lambda body, _: {_decode(k): _decode(v) for k, v in body},
    "$frozenset": lambda body, _: frozenset(_decode(item) for item in body),
    "$set": lambda body, _: {_decode(item) for item in body},
    "$decimal": lambda body, _: Decimal(body),
    "$instant": _instant_value,
    "$datetime": lambda body, _: dt.datetime.fromisoformat(body),
    "$pdate": _pendulum_date,
    "$date": lambda body, _: dt.date.fromisoformat(body),
    "$time": lambda body, _: dt.time.fromisoformat(body),
    "$duration": lambda body, _: pendulum.duration(
        days=body[0], seconds=body[1], microseconds=body[2]
    ),
    "$timedelta": lambda body, _: dt.timedelta(days=body[0], seconds=body[1], microseconds=body[2]),
    "$id": _identifier,
    "$enum": _enum_member,
    "$namedtuple": _named_tuple,
    "$attrs": _attrs_value,
}
