"""The outbox's events by aggregate: what an erasure rewrites.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-11
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index the outbox by aggregate, in commit order."""
    op.create_index(
        op.f("ix_staycore_outbox_aggregate_id_position"),
        "staycore_outbox",
        ["aggregate_id", "position"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(op.f("ix_staycore_outbox_aggregate_id_position"), table_name="staycore_outbox")
