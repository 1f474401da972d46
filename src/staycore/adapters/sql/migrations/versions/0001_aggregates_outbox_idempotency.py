"""Aggregates, their query terms, the outbox and its relay lease, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_INSTANT = sa.String(32)


def upgrade() -> None:
    """Create the tables every deployment needs."""
    op.create_table(
        "staycore_aggregates",
        sa.Column("kind", sa.String(200), nullable=False, comment="the aggregate's class"),
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False, comment="the aggregate, as the codec writes it"),
        sa.PrimaryKeyConstraint("kind", "id", name="pk_staycore_aggregates"),
    )
    op.create_table(
        "staycore_aggregate_terms",
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("term", sa.String(200), nullable=False),
        sa.Column("id", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("kind", "term", "id", name="pk_staycore_aggregate_terms"),
    )
    op.create_index(
        "ix_staycore_aggregate_terms_kind_id", "staycore_aggregate_terms", ["kind", "id"]
    )
    op.create_table(
        "staycore_outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("aggregate_id", sa.String(80), nullable=False),
        sa.Column("aggregate_version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("occurred_at", _INSTANT, nullable=False),
        sa.Column("body", sa.Text, nullable=False, comment="the event, as the codec writes it"),
        sa.Column("published_at", _INSTANT, nullable=True),
        sa.PrimaryKeyConstraint("position", name="pk_staycore_outbox"),
    )
    op.create_index("ix_staycore_outbox_event_id", "staycore_outbox", ["event_id"])
    op.create_index(
        "ix_staycore_outbox_published_at_position", "staycore_outbox", ["published_at", "position"]
    )
    op.create_table(
        "staycore_outbox_leases",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("holder", sa.String(80), nullable=False),
        sa.Column("expires_at", _INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_staycore_outbox_leases"),
    )
    op.create_table(
        "staycore_idempotency_keys",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(255), nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("expires_at", _INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_staycore_idempotency_keys"),
    )


def downgrade() -> None:
    """Drop them."""
    for table in (
        "staycore_idempotency_keys",
        "staycore_outbox_leases",
        "staycore_outbox",
        "staycore_aggregate_terms",
        "staycore_aggregates",
    ):
        op.drop_table(table)
