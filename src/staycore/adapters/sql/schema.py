"""The tables of the SQL store, all named ``staycore_*`` so a host can share its database.

Each store module declares its own tables on :data:`metadata`; this module declares the
ones every deployment needs: aggregates, their query terms, the outbox and idempotency
keys. The migrations in :mod:`staycore.adapters.sql.migrations` create exactly these
tables (a test compares the two), so change a table here only together with a new
migration.

Instants are stored as text in UTC, ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``: the same width
for every instant, so that text order is time order on both databases, and the same
value on both (SQLite has no time type).

Example:
    >>> from staycore.adapters.sql.schema import metadata, utc_text
    >>> import staycore.adapters.sql  # every store module, with its tables
    >>> all(name.startswith("staycore_") for name in metadata.tables)
    True
    >>> import pendulum
    >>> utc_text(pendulum.datetime(2026, 7, 1, 11, tz="Europe/Rome"))
    '2026-07-01T09:00:00.000000+00:00'
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pendulum
import sqlalchemy as sa

from staycore.kernel.time import as_instant

__all__ = [
    "IDENTIFIER",
    "INSTANT",
    "aggregate_terms",
    "aggregates",
    "idempotency_keys",
    "instant_of",
    "metadata",
    "outbox",
    "outbox_leases",
    "utc_text",
]

metadata: Final = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
"""Every staycore table, and the names of their keys and indexes."""

INSTANT: Final = sa.String(32)
"""The column type of an instant: its :func:`utc_text`."""

IDENTIFIER: Final = sa.String(80)
"""The column type of an identifier (an aggregate's, a hold's, a customer's...)."""
_KIND = sa.String(200)
# SQLite gives INTEGER PRIMARY KEY its rowid, which only a plain INTEGER gets.
_POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utc_text(instant: dt.datetime) -> str:
    """An aware instant as the fixed-width UTC text the tables store.

    Example:
        See the module example.
    """
    utc = as_instant(instant, what="instant").in_tz("UTC")
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def instant_of(text: str) -> pendulum.DateTime:
    """The instant a column holds, in UTC.

    Example:
        >>> from staycore.adapters.sql.schema import instant_of
        >>> instant_of("2026-07-01T09:00:00.000000+00:00").isoformat()
        '2026-07-01T09:00:00+00:00'
    """
    parsed = dt.datetime.fromisoformat(text)
    return pendulum.instance(parsed, tz="UTC").in_tz("UTC")


aggregates: Final = sa.Table(
    "staycore_aggregates",
    metadata,
    sa.Column("kind", _KIND, primary_key=True, comment="the aggregate's class"),
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False, comment="the aggregate, as the codec writes it"),
)
"""Every aggregate, as a document, with the version optimistic concurrency checks."""

aggregate_terms: Final = sa.Table(
    "staycore_aggregate_terms",
    metadata,
    sa.Column("kind", _KIND, primary_key=True),
    sa.Column("term", sa.String(200), primary_key=True),
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Index(None, "kind", "id"),
)
"""What the queries find aggregates by ("open", "order:<id>"...), kept with each save."""

outbox: Final = sa.Table(
    "staycore_outbox",
    metadata,
    sa.Column("position", _POSITION, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("aggregate_id", IDENTIFIER, nullable=False),
    sa.Column("aggregate_version", sa.Integer, nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("occurred_at", INSTANT, nullable=False),
    sa.Column("body", sa.Text, nullable=False, comment="the event, as the codec writes it"),
    sa.Column("published_at", INSTANT, nullable=True),
    sa.Index(None, "published_at", "position"),
    sa.Index(None, "aggregate_id", "position"),  # an erasure's events (migration 0004)
)
"""Committed events, in commit order, until the relay has published them."""

outbox_leases: Final = sa.Table(
    "staycore_outbox_leases",
    metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("holder", sa.String(80), nullable=False),
    sa.Column("expires_at", INSTANT, nullable=False),
)
"""Which relay publishes the outbox, until when: one at a time keeps events in order."""

idempotency_keys: Final = sa.Table(
    "staycore_idempotency_keys",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(255), nullable=False),
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("expires_at", INSTANT, nullable=False),
)
"""Idempotency keys, the fingerprint of the request that claimed each, and its result."""
