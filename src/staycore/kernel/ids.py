"""Typed, opaque, sortable identifiers.

An identifier is a string such as ``"ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"``: a short prefix
naming what it identifies, then a ULID (a 48-bit millisecond timestamp and 80 random
bits in Crockford base 32). Identifiers of one kind sort by creation time, which keeps
database indexes compact and logs readable, and the prefix makes a customer id passed
where an order id belongs fail loudly instead of finding nothing.

Each kind is a subclass with its own prefix, so mypy tells an ``OrderId`` from a
``CustomerId`` while both remain plain strings for JSON and databases.

Example:
    >>> from staycore.kernel.ids import Identifier
    >>> class RoomId(Identifier):
    ...     prefix = "doc_room"
    >>> room = RoomId.new()
    >>> room.startswith("doc_room_"), len(room)
    (True, 35)
    >>> RoomId(str(room)) == room
    True
"""

from __future__ import annotations

import calendar
import random
import re
import secrets
import threading
from typing import ClassVar, Final, Self, TypeVar

import pendulum

from staycore.kernel.errors import InvalidIdentifierError
from staycore.kernel.time import Clock, SystemClock, as_instant

__all__ = ["IdGenerator", "Identifier"]

_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE: Final = {char: value for value, char in enumerate(_ALPHABET)}
_ULID: Final = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
_PREFIX: Final = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_RANDOM_BITS: Final = 80
_RANDOM_MAX: Final = (1 << _RANDOM_BITS) - 1
_PREFIXES: dict[str, str] = {}

I = TypeVar("I", bound="Identifier")  # noqa: E741 - the conventional name for an id type


class Identifier(str):
    """Base of every identifier kind; a subclass sets ``prefix``.

    Constructing from a string validates it: the prefix must be this kind's and the
    rest a well-formed ULID. The base class itself accepts any kind's identifier.

    Raises:
        InvalidIdentifierError: The text is not an identifier of this kind.

    Example:
        >>> from staycore.kernel.ids import Identifier
        >>> class GuestId(Identifier):
        ...     prefix = "doc_gst"
        >>> GuestId("doc_gst_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7").timestamp.year
        2024
        >>> GuestId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        Traceback (most recent call last):
        ...
        staycore.kernel.errors.InvalidIdentifierError: [ids.invalid] ...
    """

    prefix: ClassVar[str] = ""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("prefix")
        if not isinstance(prefix, str) or not _PREFIX.match(prefix):
            msg = f"{cls.__qualname__} must declare a lower-case `prefix` such as 'ord'"
            raise TypeError(msg)
        path = f"{cls.__module__}.{cls.__qualname__}"
        if _PREFIXES.setdefault(prefix, path) != path:
            msg = f"prefix {prefix!r} of {path} is already used by {_PREFIXES[prefix]}"
            raise TypeError(msg)

    def __new__(cls, value: str) -> Self:  # noqa: D102 - documented on the class
        if not isinstance(value, str):
            msg = f"{cls.__name__} must be built from a string, got {value!r}"
            raise InvalidIdentifierError(msg)
        head, separator, body = value.rpartition("_")
        if cls.prefix:
            valid = head == cls.prefix and _ULID.match(body)
        else:
            valid = (not separator or _PREFIX.match(head)) and _ULID.match(body)
        if not valid:
            shape = f"'{cls.prefix}_' followed by " if cls.prefix else ""
            msg = f"{value!r} is not a {cls.__name__}: expected {shape}a 26-character ULID"
            raise InvalidIdentifierError(msg)
        return super().__new__(cls, value)

    @classmethod
    def validate(cls, _instance: object, _attribute: object, value: Self) -> None:
        """An ``attrs`` validator: refuse a field's value unless it is an id of this kind.

        For fields that take ids from untyped callers: an id of the kind (or of a
        subclass) passes, text is checked as the constructor checks it, and anything
        else is refused.

        Raises:
            InvalidIdentifierError: ``value`` is not an identifier of this kind.

        Example:
            >>> import attrs
            >>> from staycore.kernel.ids import Identifier
            >>> class SeatId(Identifier):
            ...     prefix = "doc_seat"
            >>> @attrs.frozen
            ... class Ticket:
            ...     seat: SeatId = attrs.field(validator=SeatId.validate)
            >>> Ticket(SeatId("doc_seat_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")).seat.timestamp.year
            2024
            >>> Ticket(None)
            Traceback (most recent call last):
            ...
            staycore.kernel.errors.InvalidIdentifierError: [ids.invalid] ...
        """
        if not isinstance(value, cls):  # an untyped caller's value: check it as text
            cls(value)

    @classmethod
    def new(cls) -> Self:
        """Create a fresh identifier from the system clock and a secure random source.

        Use an :class:`IdGenerator` instead where ids must be reproducible (tests, demos).
        """
        return _DEFAULT.new(cls)

    @property
    def timestamp(self) -> pendulum.DateTime:
        """The instant (to the millisecond, in UTC) encoded in the identifier.

        Raises:
            InvalidIdentifierError: The ULID's timestamp lies after the year 9999, which
                ULIDs allow but no ``datetime`` can show.
        """
        value = 0
        for char in self.rpartition("_")[2]:
            value = value * 32 + _DECODE[char]
        # Whole seconds plus milliseconds, in integers: a float of milliseconds / 1000
        # loses the millisecond after the year 2242.
        seconds, millis = divmod(value >> _RANDOM_BITS, 1000)
        try:
            instant = pendulum.from_timestamp(seconds, tz="UTC")
        except (OverflowError, ValueError):
            msg = f"{self!r} encodes an instant after the year 9999, which cannot be shown"
            raise InvalidIdentifierError(msg) from None
        return instant.add(microseconds=millis * 1000)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class IdGenerator:
    """Makes identifiers that sort in creation order, even within one millisecond.

    Within one millisecond (or if the clock steps back) the random part of the previous
    identifier is incremented, as the ULID specification's monotonic mode does. Safe to
    share between threads.

    Args:
        clock: Where the timestamp comes from; the system clock by default.
        rng: A seeded :class:`random.Random` for reproducible ids; by default the
            operating system's secure random source.

    Example:
        >>> import random
        >>> from staycore.kernel.ids import Identifier, IdGenerator
        >>> from staycore.testing.clock import FrozenClock
        >>> class TicketId(Identifier):
        ...     prefix = "doc_tkt"
        >>> ids = IdGenerator(FrozenClock("2026-05-01T09:00:00Z"), random.Random(7))
        >>> first, second = ids.new(TicketId), ids.new(TicketId)
        >>> first < second, first.timestamp.isoformat()
        (True, '2026-05-01T09:00:00+00:00')
    """

    def __init__(self, clock: Clock | None = None, rng: random.Random | None = None) -> None:
        self._clock = clock or SystemClock()
        self._rng = rng
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new(self, kind: type[I]) -> I:
        """Return a new identifier of ``kind``."""
        now = as_instant(self._clock.now(), what="clock time")
        # Integer arithmetic: float seconds * 1000 can land a millisecond short.
        millis = calendar.timegm(now.utctimetuple()) * 1000 + now.microsecond // 1000
        with self._lock:
            if millis <= self._last_ms:
                millis, rand = self._last_ms, self._last_random + 1
                if rand > _RANDOM_MAX:
                    millis, rand = millis + 1, 0
            else:
                rand = self._random()
            self._last_ms, self._last_random = millis, rand
        text = _encode((millis << _RANDOM_BITS) | rand)
        return kind(f"{kind.prefix}_{text}" if kind.prefix else text)

    def _random(self) -> int:
        if self._rng is None:
            return secrets.randbits(_RANDOM_BITS)
        return self._rng.getrandbits(_RANDOM_BITS)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


_DEFAULT: Final = IdGenerator()
