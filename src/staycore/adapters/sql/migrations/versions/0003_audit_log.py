"""The audit log's table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of audit records."""
    op.create_table(
        "staycore_audit_log",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("record", sa.String(length=200), nullable=False),
        sa.Column("before_digest", sa.String(length=64), nullable=True),
        sa.Column("after_digest", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column(
            "previous_hash",
            sa.String(length=64),
            nullable=False,
            comment="the hash of the record before",
        ),
        sa.Column(
            "hash",
            sa.String(length=64),
            nullable=False,
            comment="chain_hash of this row and previous_hash",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_staycore_audit_log")),
        comment="who changed what and when, each record chained to the one before by hash",
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("staycore_audit_log")
