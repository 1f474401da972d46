"""The SQL adapter binds input as parameters, never as SQL, and keeps what it accepts exactly.

A selection of use cases takes hostile text (injection strings carrying
:data:`~staycore.testing.hostile.MARKER`, and unicode edge cases) in every text field
that reaches the database: guest names, notes and e-mails, coupon codes, service
request texts and staff names, review answers, points reasons, block notes, profile
names and idempotency keys. It runs on SQLite (``bootstrap(store="sqlite:///...")``)
and on PostgreSQL (``bootstrap(store=sql_stores(database, clock))``), with a
``before_cursor_execute`` listener recording every statement, and checks that:

* the marker never appears in a statement's text, and does appear in its parameters
  (the input reached the database, bound);
* only :class:`~staycore.kernel.errors.StaycoreError` escapes, and a refused call
  leaves the stores as they were (text PostgreSQL cannot hold, such as NUL, may be
  refused);
* what is accepted reads back exactly as the memory adapter, the reference, keeps it;
* the injections did nothing: every table is still there, and the rows counted are
  the rows the accepted calls wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from fuzz_calls import diff
from fuzz_world import TIMEZONE, World, build_world, snapshot
from hypothesis import HealthCheck, given, settings

from staycore.adapters.sql import Database, sql_stores
from staycore.adapters.sql.schema import metadata
from staycore.app.orders import PlaceOrder, StayRequest
from staycore.availability.blocks import Block, BlockReason
from staycore.availability.ids import BlockId
from staycore.kernel.errors import StaycoreError
from staycore.kernel.time import Stay
from staycore.membership.profiles import CustomerProfile
from staycore.orders.lines import Guest
from staycore.orders.terms import BookingTerms
from staycore.pricing.rate_plans import Guests
from staycore.testing.databases import open_database
from staycore.testing.hostile import INJECTIONS, MARKER, UNICODE_EDGE_CASES, hostile_text

STORAGE_EDGE_CASES = (
    "",
    "Mei\x00Tan",
    "\ud800",
    "\u202egnp.exe",
    "e\u0301",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\ufeffMei",
    "Mei\u2028Tan",
    "x" * 10_000,
    "\u0130stanbul \u00df",
)
"""The unicode edge cases that try storage: empty, NUL, a lone surrogate, bidirectional
and combining marks, a joined emoji, a byte-order mark, a line separator, 10,000
characters, case mappings. The hypothesis test below draws from all of them."""

TEXTS = (*INJECTIONS, *STORAGE_EDGE_CASES)
"""Every injection string, and the storage edge cases."""


class Statements:
    """Every statement an engine runs, its text and its parameters, while listening."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.texts: list[str] = []
        self.parameters: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *args: Any) -> None:
        _connection, _cursor, statement, parameters, _context, _many = args
        self.texts.append(statement)
        self.parameters.append(repr(parameters))

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def with_marker(self) -> list[str]:
        """The statements whose text carries the marker, in any case."""
        return [text for text in self.texts if MARKER in text.lower()]

    def bound_marker(self) -> bool:
        """Whether the marker travelled as a parameter of some statement."""
        return any(MARKER in parameters.lower() for parameters in self.parameters)


@attrs.frozen
class Call:
    """A use case given one hostile text, and what it stored of it, read back."""

    run: Callable[[World, str, int], object]
    stored: Callable[[World, object], object]


def _place(w: World, text: str, n: int) -> object:
    night = dt.date(2026, 9, 1) + dt.timedelta(days=n % 28)
    quote = w.app.pricing.quote(w.pricer, Stay(night, night + dt.timedelta(days=1)), Guests(2))
    command = PlaceOrder(
        guest=Guest(name=text, email="noa@example.com", customer=w.member),
        terms=BookingTerms(timezone=TIMEZONE),
        stays=[StayRequest(pricer=w.pricer, quote=quote)],
        notes=text,
    )
    return w.app.booking.place(command, idempotency_key=f"place-{n}")


def _place_with_email(w: World, text: str, n: int) -> object:
    night = dt.date(2026, 9, 1) + dt.timedelta(days=n % 28)
    quote = w.app.pricing.quote(w.pricer, Stay(night, night + dt.timedelta(days=1)), Guests(2))
    command = PlaceOrder(
        guest=Guest(name="Noa Levi", email=f"{text}@example.com".replace(" ", "")),
        terms=BookingTerms(timezone=TIMEZONE),
        stays=[StayRequest(pricer=w.pricer, quote=quote)],
    )
    return w.app.booking.place(command, idempotency_key=f"mail-{n}")


def _order(w: World, placed: object) -> object:
    order = w.app.booking.get(placed.id)  # type: ignore[attr-defined]
    return (order.guest.name, order.guest.email, order.notes, order.status)


def _open(w: World, text: str, _n: int) -> object:
    return w.app.service_desk.open(
        w.member, category="housekeeping", text=text, idempotency_key=text
    )


def _opened(w: World, opened: object) -> object:
    desk = w.app.service_desk
    request = desk.get(opened.id)  # type: ignore[attr-defined]
    # The key reads back: a retry under it finds the request and opens nothing new.
    again = desk.open(
        w.member,
        category="housekeeping",
        text=request.updates[0].text,
        idempotency_key=request.updates[0].text,
    )
    return (again.id == request.id, [u.text for u in request.updates])


def _update(w: World, text: str, n: int) -> object:
    return w.app.service_desk.add_update(
        w.ticket.id, by=text, text=text, visible_to_customer=False, idempotency_key=f"u{n}"
    )


def _updates(w: World, updated: object) -> object:
    request = w.app.service_desk.get(updated.id)  # type: ignore[attr-defined]
    return [(u.by, u.text) for u in request.updates[len(w.ticket.updates) :]][-1:]


def _answer(w: World, text: str, _n: int) -> object:
    return w.app.reviews.answer(w.review.id, reply=text)


def _review(w: World, _answered: object) -> object:
    (review,) = (r for r in _reviews(w) if r.id == w.review.id)
    return review.reply


def _reviews(w: World) -> tuple[Any, ...]:
    from staycore.orders.reviews import Review  # noqa: PLC0415 - only here

    return w.app.stores.aggregates.committed(Review)


def _enrol(w: World, text: str, _n: int) -> object:
    return w.app.loyalty.enrol(name=text, email=None)


def _profile(w: World, customer: object) -> object:
    return w.app.loyalty.profile(customer).name  # type: ignore[arg-type]


def _adjust(w: World, text: str, n: int) -> object:
    return w.app.loyalty.adjust(w.member, 10, reason=text, staff=text, idempotency_key=f"a{n}")


def _points(w: World, entries: object) -> object:
    keys = {entry.key for entry in entries}  # type: ignore[attr-defined]
    return [e.reason for e in w.app.stores.points.entries(w.member) if e.key in keys]


def _block(w: World, text: str, n: int) -> object:
    night = dt.date(2026, 8, 1) + dt.timedelta(days=n % 28)
    block = Block(
        id=BlockId.new(),
        unit_type=w.garden,
        nights=Stay(night, night + dt.timedelta(days=1)),
        reason=BlockReason.MAINTENANCE,
        note=text,
    )
    w.app.availability.block(block)
    return block


def _note(w: World, block: object) -> object:
    found = w.app.stores.inventory.blocks(w.garden, SEASON_NIGHTS)
    return [b.note for b in found if b.id == block.id]  # type: ignore[attr-defined]


def _quote(w: World, text: str, _n: int) -> object:
    return w.app.pricing.quote(
        w.pricer, Stay.parse("2026-08-20/2026-08-22"), Guests(2), codes=[text]
    )


def _refusals(_w: World, quote: object) -> object:
    return [(r.name, r.reason) for r in quote.refusals]  # type: ignore[attr-defined]


SEASON_NIGHTS = Stay.parse("2026-06-01/2026-10-01")
_NUMBERS = itertools.count()
"""Numbers the keys and picks the nights of each attempt, unique in the test run."""

CALLS = {
    "booking.place: guest name and notes": Call(_place, _order),
    "booking.place: guest e-mail": Call(_place_with_email, _order),
    "pricing.quote: coupon code": Call(_quote, _refusals),
    "service_desk.open: text and idempotency key": Call(_open, _opened),
    "service_desk.add_update: text and staff": Call(_update, _updates),
    "reviews.answer: reply": Call(_answer, _review),
    "loyalty.enrol: name": Call(_enrol, _profile),
    "loyalty.adjust: reason and staff": Call(_adjust, _points),
    "availability.block: note": Call(_block, _note),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sql_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The prepared hotel on a SQLite file (by URL), then on a PostgreSQL schema.

    One hotel per database serves every call: each call's texts go to nights, keys and
    records of their own.
    """
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        world = build_world(f"sqlite:///{folder / 'hotel.db'}")
        yield world
        world.app.close()
        return
    for database in open_database("postgresql", folder):
        yield build_world(functools.partial(sql_stores, database), database=database)


@pytest.fixture
def reference() -> World:
    """The prepared hotel in memory: what the SQL stores must keep, it keeps as given."""
    return build_world()


@attrs.define
class Outcome:
    """What one call did with one text."""

    accepted: bool
    stored: object = None


def _attempt(world: World, call: Call, text: str, n: int) -> Outcome:
    """Run ``call`` with ``text``: refused with nothing changed, or accepted and stored."""
    before = snapshot(world)
    try:
        result = call.run(world, text, n)
    except StaycoreError:
        after = snapshot(world)
        assert after == before, f"refused {text!r} but changed:\n{diff(before, after)}"
        return Outcome(accepted=False)
    return Outcome(accepted=True, stored=call.stored(world, result))


def _database(world: World) -> Database:
    assert world.database is not None
    return world.database


def _rows(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in metadata.sorted_tables
        }


@pytest.mark.parametrize("name", sorted(CALLS))
def test_hostile_text_is_bound_and_kept_exactly(
    sql_world: World, reference: World, name: str
) -> None:
    call = CALLS[name]
    database = _database(sql_world)
    profiles_before = len(sql_world.app.stores.aggregates.committed(CustomerProfile))
    statements = Statements(database.engine)
    accepted = 0
    try:
        for text in TEXTS:
            n = next(_NUMBERS)
            on_sql = _attempt(sql_world, call, text, n)
            in_memory = _attempt(reference, call, text, n)
            if on_sql.accepted:
                accepted += 1
                assert in_memory.accepted, f"{name}: SQL kept {text!r}, which memory refuses"
                assert on_sql.stored == in_memory.stored, f"{name}: {text!r} came back changed"
    finally:
        statements.close()
    assert statements.with_marker() == [], f"{name}: the input was written into SQL"
    assert statements.bound_marker(), f"{name}: no injection reached the database"
    assert accepted, f"{name}: every text was refused, so nothing was shown to round-trip"
    tables = set(sa.inspect(database.engine).get_table_names(schema=database.schema))
    assert {table.name for table in metadata.sorted_tables} <= tables
    rows = _rows(database)
    assert rows["staycore_aggregates"] == len(_all_aggregates(sql_world))
    if name == "loyalty.enrol: name":
        profiles = len(sql_world.app.stores.aggregates.committed(CustomerProfile))
        assert profiles == profiles_before + accepted


def _all_aggregates(world: World) -> list[object]:
    from fuzz_world import _KINDS  # noqa: PLC0415 - the kinds the hotel stores

    return [a for kind in _KINDS for a in world.app.stores.aggregates.committed(kind)]


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One prepared hotel on a SQLite file, shared by the examples of a hypothesis test."""
    world = build_world(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hotel.db'}")
    yield world
    world.app.close()


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text())
def test_hypothesis_texts_never_reach_sql_text(sqlite_world: World, text: str) -> None:
    database = _database(sqlite_world)
    statements = Statements(database.engine)
    try:
        for call in CALLS.values():
            _attempt(sqlite_world, call, text, next(_NUMBERS))
    finally:
        statements.close()
    assert statements.with_marker() == []


def test_the_storage_edge_cases_are_hostile_module_cases() -> None:
    assert set(STORAGE_EDGE_CASES) <= set(UNICODE_EDGE_CASES)
