"""The audit log's records by the record they name: what the latest entry of one is.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-18
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index the audit log by record, in sequence order."""
    op.create_index(
        op.f("ix_staycore_audit_log_record_sequence"),
        "staycore_audit_log",
        ["record", "sequence"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(op.f("ix_staycore_audit_log_record_sequence"), table_name="staycore_audit_log")
