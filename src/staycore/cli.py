"""The ``staycore`` command.

``staycore demo`` tells the library's story on sample data, then simulates a year at a
homestay on an embedded SQLite file (see :mod:`staycore.demo`), whose KPI table
``staycore kpi FILE`` prints again (see :mod:`staycore.kpi_command`).
``staycore churn ORDERS.csv`` scores an order export (see :mod:`staycore.churn_command`).
``staycore db upgrade URL`` creates or upgrades staycore's tables in a SQLite or
PostgreSQL database (see :mod:`staycore.adapters.sql.migrations`). ``staycore quote
FILE`` prices a stay from a pricing document (see :mod:`staycore.pricing.schema`) and
prints the quote line by line; a document that does not read, an unknown plan or coupon,
or any other refusal prints its message on standard error and exits with status 2.

Example:
    >>> from staycore.cli import main
    >>> main(["--version"])
    staycore 0.1.0
    0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import pendulum

from staycore import __version__
from staycore.demo import run_demo, run_year
from staycore.demo.report import DEFAULT_GUESTS, DEFAULT_SEED, progress_bar
from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import to_decimal
from staycore.kernel.time import Stay, SystemClock, as_instant
from staycore.pricing.quote import Quote, quote
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.pricing.schema import load_pricing

__all__ = ["main"]


class _UsageError(Exception):
    """An option's value cannot be read; its message says how to write it."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staycore",
        description="Booking and guest-relationship logic: orders, availability, pricing, "
        "loyalty and churn.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="tell the story, then simulate a year at a homestay (on SQLite)",
        description="Tell the library's story on sample data, then simulate a year at a "
        f"homestay (three room types, a spa, {DEFAULT_GUESTS} guests and their bookings, drawn "
        "from a seed) "
        "through the real use cases on an embedded SQLite database (the sql extra; in "
        "memory without it), and print its KPIs, RFM segments, churn watch list, loyalty "
        "and payments.",
    )
    demo.add_argument(
        "--db",
        metavar="PATH",
        help="the SQLite file to write (it must not exist yet; default: a new temporary file)",
    )
    demo.add_argument(
        "--seed",
        metavar="N",
        default=str(DEFAULT_SEED),
        help=f"draws the guests and what they do: the same seed, the same year "
        f"(a whole number, 0 or more; default: {DEFAULT_SEED})",
    )
    _add_quote_parser(commands)
    _add_churn_parser(commands)
    _add_db_parser(commands)
    kpi = commands.add_parser(
        "kpi",
        help="print the KPI table of a period from a store, such as the demo's",
        description="Print every KPI of a period, with its formula, from the orders, "
        "reviews, members and service requests of a staycore store (the sql extra).",
    )
    kpi.add_argument("db", metavar="DB", help="a SQLite file (staycore demo --db) or a store URL")
    kpi.add_argument("--from", dest="start", metavar="DAY", help="the first day (YYYY-MM-DD)")
    kpi.add_argument("--to", dest="end", metavar="DAY", help="the day after the period")
    return parser


def _add_db_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "db",
        help="create or upgrade staycore's tables in a database",
        description="Manage staycore's tables in a SQLite or PostgreSQL database (the sql "
        "extra; PostgreSQL also needs the postgres extra).",
    )
    actions = command.add_subparsers(dest="action", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="create the tables, or bring them to this version of staycore",
        description="Create staycore's tables in an empty database, or upgrade them from "
        "any earlier version. Running it again does nothing.",
    )
    upgrade.add_argument(
        "url", metavar="URL", help="sqlite:///path.db or postgresql://user@host:port/dbname"
    )
    upgrade.add_argument("--schema", help="PostgreSQL: the schema to use (default: the server's)")


def _add_churn_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "churn",
        help="score an order export: segments, churn risk, lifetime value (CSV in and out)",
        description="Score every customer of an order export (CSV: customer, date, amount) "
        "as of a day: RFM segment, churn risk and its reason, P(alive), expected stays and "
        "value over the next 12 months. Needs the analytics extra. Exits with status 2, and "
        "a message naming the line or column, when the export does not read.",
    )
    command.add_argument("file", metavar="ORDERS.csv", help="the order export")
    command.add_argument("--at", metavar="DATE", help="the day scored at (default: today)")
    command.add_argument(
        "--out", metavar="FILE", help="where the scores go (default: ORDERS.scores.csv)"
    )
    command.add_argument("--customer-column", default="customer", metavar="NAME")
    command.add_argument("--date-column", default="date", metavar="NAME")
    command.add_argument("--amount-column", default="amount", metavar="NAME")


def _add_quote_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "quote",
        help="price a stay from a pricing document (JSON or YAML)",
        description="Price a stay from a pricing document and print every line of the "
        "quote. Exits with status 2, and a message on standard error, when the document "
        "does not read or the stay cannot be quoted.",
    )
    command.add_argument("file", metavar="FILE", help="the pricing document: .json, .yaml")
    command.add_argument("--plan", required=True, metavar="KEY", help="the rate plan's key")
    command.add_argument(
        "--stay", required=True, metavar="IN/OUT", help="the nights, e.g. 2026-07-10/2026-07-13"
    )
    command.add_argument("--adults", type=int, default=2, help="adults (default: 2)")
    command.add_argument("--children", type=int, default=0, help="children (default: 0)")
    command.add_argument("--tier", metavar="NAME", help="the customer's loyalty tier")
    command.add_argument(
        "--coupon", action="append", default=[], metavar="CODE", help="a coupon code; repeatable"
    )
    command.add_argument(
        "--booked-at",
        metavar="INSTANT",
        help="the booking instant with its offset, e.g. 2026-06-01T10:00:00+02:00 (default: now)",
    )
    command.add_argument(
        "--first-booking", action="store_true", help="the customer's first booking"
    )
    command.add_argument(
        "--occupancy",
        action="append",
        default=[],
        metavar="NIGHT=SHARE",
        help="a night's occupancy from 0 to 1, e.g. 2026-07-11=0.8; repeatable",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``staycore`` command with ``argv`` (the process arguments by default).

    Returns:
        The process exit status: 0 on success, 2 for a usage error or a refusal.

    Example:
        >>> from staycore.cli import main
        >>> main(["quote", "no-such-file.json", "--plan", "standard",
        ...       "--stay", "2026-07-10/2026-07-13"])
        2
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"staycore {__version__}")
        return 0
    runs = {
        "demo": _run_demo,
        "quote": _run_quote,
        "churn": _run_churn,
        "db": _run_db,
        "kpi": _run_kpi,
    }
    run = runs.get(args.command)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        status = run(args)
        sys.stdout.flush()  # a reader gone away shows here, not as Python exits
    except BrokenPipeError:
        # The reader went away (`staycore kpi FILE | head`): stop quietly, as Unix tools
        # do, and keep Python from complaining again when it flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


def _run_demo(args: argparse.Namespace) -> int:
    """``staycore demo``: the story, then the year, on a fresh SQLite file (or in memory)."""
    seed = _seed(args.seed)
    if seed is None:
        print(
            f"staycore demo: --seed {args.seed!r} is not a seed: give a whole number, 0 or "
            "more, such as --seed 7",
            file=sys.stderr,
        )
        return 2
    try:
        import staycore.adapters.sql.migrations  # noqa: F401, PLC0415 - the `sql` extra
    except ImportError:
        return _tell(lambda out: _demo(out, store="memory", seed=seed), where=None)
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="staycore-demo-")) / "demo.db"
    if path.exists() and path.stat().st_size > 0:
        print(
            f"staycore demo: {path} already exists; the demo writes a fresh database: "
            "remove it or choose another --db",
            file=sys.stderr,
        )
        return 2
    return _tell(lambda out: _demo(out, store=f"sqlite:///{path}", seed=seed), where=path)


def _seed(text: str) -> int | None:
    """``--seed``'s value, or ``None`` when it is not a whole number, 0 or more."""
    try:
        seed = int(text)
    except ValueError:
        return None
    return seed if seed >= 0 else None


def _demo(out: TextIO, *, store: str, seed: int) -> None:
    """The chapters (each on its own small hotel, in memory), then the year on ``store``."""
    run_demo(out)
    out.write("\n\n")
    out.flush()
    run_year(out, store=store, seed=seed, progress=progress_bar(sys.stderr))


def _tell(story: Callable[[TextIO], None], *, where: Path | None) -> int:
    """Write ``story`` to standard output, then where its database is."""
    story(sys.stdout)
    if where is None:
        print("\n(in memory: install staycore[sql] to keep the demo in a SQLite file)")
    else:
        print(f"\nThe demo's database: {where} (staycore kpi {where} reads it again)")
    return 0


def _run_kpi(args: argparse.Namespace) -> int:
    """``staycore kpi DB``: the KPI table (see :mod:`staycore.kpi_command`)."""
    try:
        from staycore.kpi_command import run_kpi  # noqa: PLC0415 - the `sql` extra
    except ImportError as missing:
        print(
            f"staycore kpi needs the sql extra: pip install 'staycore[sql]' ({missing})",
            file=sys.stderr,
        )
        return 2
    return run_kpi(args.db, start=args.start, end=args.end)


def _run_churn(args: argparse.Namespace) -> int:
    """``staycore churn ORDERS.csv``: score the export (see :mod:`staycore.churn_command`)."""
    from staycore.churn_command import run_churn  # noqa: PLC0415 - numpy, when asked

    return run_churn(
        args.file,
        at=args.at,
        out_path=args.out,
        customer_column=args.customer_column,
        date_column=args.date_column,
        amount_column=args.amount_column,
    )


def _run_db(args: argparse.Namespace) -> int:
    """``staycore db upgrade URL``: bring the database's tables to this version."""
    try:
        from staycore.adapters.sql import Database  # noqa: PLC0415 - the `sql` extra
        from staycore.adapters.sql.migrations import (  # noqa: PLC0415
            current_revision,
            head_revision,
            upgrade,
        )
    except ImportError as missing:
        print(
            f"staycore db needs the sql extra: pip install 'staycore[sql]' ({missing})",
            file=sys.stderr,
        )
        return 2
    try:
        database = Database(args.url, schema=args.schema)
        before = current_revision(database)
        upgrade(database)
        after = current_revision(database)
    except StaycoreError as error:
        print(f"staycore db upgrade: {error}", file=sys.stderr)
        return 2
    shown = repr(database)
    if before == after:
        print(f"{shown} is at revision {after}, the newest ({head_revision()}): nothing to do")
    else:
        print(f"{shown} upgraded from revision {before or 'empty'} to {after}")
    database.dispose()
    return 0


def _run_quote(args: argparse.Namespace) -> int:
    """``staycore quote``: print the quote, or the reason there is none (status 2)."""
    try:
        document = load_pricing(Path(args.file))
        plan = document.rate_plan(args.plan)
        rules = document.rule_set()
        priced = quote(
            plan,
            rules,
            Stay.parse(args.stay),
            Guests(args.adults, args.children),
            booked_at=_booked_at(args.booked_at, rules),
            tier=args.tier,
            coupons=[document.coupon(code) for code in args.coupon],
            occupancy=dict(_occupancy(text) for text in args.occupancy),
            first_booking=args.first_booking,
        )
    except OSError as error:
        print(f"staycore quote: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    except (StaycoreError, _UsageError) as error:
        print(f"staycore quote: {error}", file=sys.stderr)
        return 2
    print(_header(args.plan, plan, rules, priced))
    print(priced.breakdown())
    return 0


def _header(key: str, plan: RatePlan, rules: RuleSet, priced: Quote) -> str:
    """What was quoted: the plan, the stay, the party, the rules and until when."""
    guests, nights = priced.guests, priced.stay.nights
    party = [_count(guests.adults, "adult")]
    if guests.children:
        party.append(_count(guests.children, "child", "children"))
    if priced.tier is not None:
        known = priced.tier in rules.tiers
        party.append(f"tier {priced.tier}" + ("" if known else " (no rate of its own)"))
    return (
        f"{plan.name} ({key}), {priced.stay} ({_count(nights, 'night')}), {', '.join(party)}; "
        f"rules {rules.version}; expires {priced.expires_at.isoformat(timespec='seconds')}"
    )


def _count(number: int, one: str, many: str = "") -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _booked_at(text: str | None, rules: RuleSet) -> pendulum.DateTime:
    """The booking instant given, or now at the property."""
    if text is None:
        return SystemClock().now().in_timezone(rules.timezone)
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.utcoffset() is None:
        msg = (
            f"--booked-at {text!r} is not an instant with its offset; "
            "write it like 2026-06-01T10:00:00+02:00"
        )
        raise _UsageError(msg)
    return as_instant(instant, what="--booked-at")


def _occupancy(text: str) -> tuple[dt.date, Decimal]:
    """``2026-07-11=0.8`` as the night and its occupancy."""
    night, _, share = text.partition("=")
    try:
        parsed = (dt.date.fromisoformat(night.strip()), to_decimal(share, what="occupancy"))
    except (ValueError, StaycoreError):
        parsed = None
    if parsed is None or not 0 <= parsed[1] <= 1:
        msg = (
            f"--occupancy {text!r} is not a night and a share from 0 to 1; "
            "write it like 2026-07-11=0.8"
        )
        raise _UsageError(msg)
    return parsed
