"""Fault test: a process killed (SIGKILL) in the middle of a booking leaves all of it or none.

A child process books on a SQL store and kills itself at a chosen point: after the
rooms are held, after the coupon is redeemed, after the order is committed inside the
placement's transaction, or after the booking returned. Then the parent reads the
database: either the order, its held nights, its coupon use and its idempotency key are
all there, or none of them is, and the key is free for a retry.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from staycore.adapters.sql import Database, SqlStore
from staycore.adapters.sql.coupons import SqlCouponStore
from staycore.adapters.sql.inventory import SqlInventoryStore
from staycore.adapters.sql.schema import idempotency_keys
from staycore.availability.ids import UnitTypeId
from staycore.kernel.time import Stay
from staycore.orders.order import Order
from staycore.testing.clock import FrozenClock
from staycore.testing.hotel import SUMMER_CODE

STAY = "2026-07-10/2026-07-13"
KEY = "booking-killed-midway"

_CHILD = """
import json, os, signal, sys
from staycore.adapters.sql import Database
from staycore.adapters.sql.stores import sql_stores
from staycore.adapters.sql.store import SqlStore
from staycore.app.order_holds import OrderHolds
from staycore.testing.hotel import SUMMER_CODE, SandboxHotel

url, schema, kill_at, out = sys.argv[1], sys.argv[2] or None, sys.argv[3], sys.argv[4]
database = Database(url, schema=schema)
hotel = SandboxHotel(rooms=1, stores=lambda clock: sql_stores(database, clock))
with open(out, "w") as written:
    json.dump({"unit_type": str(hotel.unit_type)}, written)

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def after(owner, name, point):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if kill_at == point:
            die()
        return result
    setattr(owner, name, wrapper)

after(OrderHolds, "hold", "held")
after(hotel.pricing, "redeem", "redeemed")
after(SqlStore, "_apply", "committed")
command = hotel.booking(sys.argv[5], codes=[SUMMER_CODE])
try:
    hotel.orders.place(command, idempotency_key=sys.argv[6])
except Exception as error:
    print(f"{type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(3)
if kill_at == "placed":
    die()
"""


def book_and_die(database: Database, kill_at: str, tmp_path: Path) -> tuple[int, UnitTypeId]:
    out = tmp_path / f"child-{kill_at}.json"
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            "-c",
            textwrap.dedent(_CHILD),
            database.url,
            database.schema or "",
            kill_at,
            str(out),
            STAY,
            KEY,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    written = json.loads(out.read_text())
    return child.returncode, UnitTypeId(written["unit_type"])


def what_is_stored(database: Database, unit_type: UnitTypeId) -> dict[str, object]:
    clock = FrozenClock("2026-06-01T09:00:00Z")
    nights = SqlInventoryStore(database, clock).counts(unit_type, Stay.parse(STAY))
    with database.transaction(write=False) as connection:
        key = connection.execute(
            sa.select(idempotency_keys.c.result).where(idempotency_keys.c.key == KEY)
        ).all()
    return {
        "orders": len(SqlStore(database).committed(Order)),
        "rooms held": sorted({count.held + count.sold for count in nights}),
        "coupon uses": SqlCouponStore(database).usage(SUMMER_CODE).uses,
        "key": [row.result is not None for row in key],
    }


NOTHING = {"orders": 0, "rooms held": [0], "coupon uses": 0, "key": []}
EVERYTHING = {"orders": 1, "rooms held": [1], "coupon uses": 1, "key": [True]}


@pytest.mark.parametrize("kill_at", ["held", "redeemed", "committed"])
def test_a_booking_killed_midway_leaves_nothing_and_its_key_free(
    database: Database, kill_at: str, tmp_path: Path
) -> None:
    status, unit_type = book_and_die(database, kill_at, tmp_path)
    assert status == -signal.SIGKILL
    assert what_is_stored(database, unit_type) == NOTHING
    # The retry a client makes after the crash runs, under the same key.
    again, retried = book_and_die(database, "never", tmp_path)
    assert again == 0
    assert what_is_stored(database, retried) == EVERYTHING


def test_a_booking_killed_after_it_returned_is_whole(database: Database, tmp_path: Path) -> None:
    status, unit_type = book_and_die(database, "placed", tmp_path)
    assert status == -signal.SIGKILL
    assert what_is_stored(database, unit_type) == EVERYTHING
