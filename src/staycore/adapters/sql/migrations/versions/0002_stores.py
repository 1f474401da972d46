"""The stores' tables: inventory, appointments, stock, coupons, points and restrictions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables of every store but the aggregates'."""
    op.create_table(
        "staycore_appointment_holds",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="the hold, as the codec writes it"),
        sa.Column("resource", sa.String(length=80), nullable=False),
        sa.Column("starts_at", sa.String(length=32), nullable=False),
        sa.Column("ends_at", sa.String(length=32), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staycore_appointment_holds")),
        comment="holds on places in the slots of resources",
    )
    op.create_index(
        op.f("ix_staycore_appointment_holds_resource_starts_at"),
        "staycore_appointment_holds",
        ["resource", "starts_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staycore_appointment_holds_status_expires_at"),
        "staycore_appointment_holds",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_table(
        "staycore_appointment_resources",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column(
            "body", sa.Text(), nullable=False, comment="the resource, as the codec writes it"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staycore_appointment_resources")),
        comment="resources appointments are booked on, with their schedules",
    )
    op.create_table(
        "staycore_coupon_customers",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.String(length=80), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False, comment="the customer's live redemptions"),
        sa.PrimaryKeyConstraint("code", "customer", name=op.f("pk_staycore_coupon_customers")),
    )
    op.create_table(
        "staycore_coupon_redemptions",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=80), nullable=False),
        sa.Column(
            "body", sa.Text(), nullable=False, comment="the redemption, as the codec writes it"
        ),
        sa.PrimaryKeyConstraint("code", "order_id", name=op.f("pk_staycore_coupon_redemptions")),
    )
    op.create_table(
        "staycore_coupons",
        sa.Column("code", sa.String(length=64), nullable=False, comment="the normalized code"),
        sa.Column("body", sa.Text(), nullable=False, comment="the coupon, as the codec writes it"),
        sa.Column("uses", sa.Integer(), nullable=False, comment="live redemptions, all customers"),
        sa.Column(
            "spent", sa.Text(), nullable=True, comment="the live discounts' sum (codec); or NULL"
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_staycore_coupons")),
    )
    op.create_table(
        "staycore_inventory_blocks",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("check_in", sa.Date(), nullable=False),
        sa.Column("check_out", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="the block, as the codec writes it"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staycore_inventory_blocks")),
        comment="rooms out of sale: maintenance, owner use, bookings made elsewhere",
    )
    op.create_index(
        op.f("ix_staycore_inventory_blocks_unit_type_check_in"),
        "staycore_inventory_blocks",
        ["unit_type", "check_in"],
        unique=False,
    )
    op.create_table(
        "staycore_inventory_calendars",
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("check_in", sa.Date(), nullable=False, comment="the first night counted"),
        sa.Column("check_out", sa.Date(), nullable=False, comment="the night after the last"),
        sa.PrimaryKeyConstraint("unit_type", name=op.f("pk_staycore_inventory_calendars")),
        comment="the nights each unit type is counted over",
    )
    op.create_table(
        "staycore_inventory_holds",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="the hold, as the codec writes it"),
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("check_in", sa.Date(), nullable=False),
        sa.Column("check_out", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staycore_inventory_holds")),
        comment="holds on rooms of a unit type over the nights of a stay",
    )
    op.create_index(
        op.f("ix_staycore_inventory_holds_status_expires_at"),
        "staycore_inventory_holds",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staycore_inventory_holds_unit_type_check_in"),
        "staycore_inventory_holds",
        ["unit_type", "check_in"],
        unique=False,
    )
    op.create_table(
        "staycore_inventory_nights",
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("allowance", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "capacity >= 0 AND allowance >= 0 AND sold >= 0 AND held >= 0 AND blocked >= 0",
            name=op.f("ck_staycore_inventory_nights_counts_not_negative"),
        ),
        sa.PrimaryKeyConstraint("unit_type", "night", name=op.f("pk_staycore_inventory_nights")),
        comment="the counts of each unit type and night",
    )
    op.create_table(
        "staycore_inventory_unit_nights",
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("occupant", sa.String(length=80), nullable=False, comment="a hold or block id"),
        sa.PrimaryKeyConstraint("unit_id", "night", name=op.f("pk_staycore_inventory_unit_nights")),
        comment="who occupies each unit on each night it is occupied: the room rack",
    )
    op.create_index(
        op.f("ix_staycore_inventory_unit_nights_occupant"),
        "staycore_inventory_unit_nights",
        ["occupant"],
        unique=False,
    )
    op.create_table(
        "staycore_inventory_units",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_staycore_inventory_units")),
        sa.UniqueConstraint("id", name=op.f("uq_staycore_inventory_units_id")),
        comment="the units of each unit type, in the order they were added",
    )
    op.create_index(
        op.f("ix_staycore_inventory_units_unit_type"),
        "staycore_inventory_units",
        ["unit_type"],
        unique=False,
    )
    op.create_table(
        "staycore_points_accounts",
        sa.Column("customer", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="entries applied"),
        sa.Column("body", sa.Text(), nullable=False, comment="the account, as the codec writes it"),
        sa.PrimaryKeyConstraint("customer", name=op.f("pk_staycore_points_accounts")),
    )
    op.create_table(
        "staycore_points_entries",
        sa.Column("customer", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="the entry, as the codec writes it"),
        sa.PrimaryKeyConstraint("customer", "position", name=op.f("pk_staycore_points_entries")),
        sa.UniqueConstraint(
            "customer", "entry_id", name=op.f("uq_staycore_points_entries_customer_entry_id")
        ),
        sa.UniqueConstraint(
            "customer", "key", name=op.f("uq_staycore_points_entries_customer_key")
        ),
    )
    op.create_table(
        "staycore_restriction_calendars",
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("end_night", sa.Date(), nullable=False, comment="the night after the last"),
        sa.PrimaryKeyConstraint("unit_type", name=op.f("pk_staycore_restriction_calendars")),
    )
    op.create_table(
        "staycore_restriction_nights",
        sa.Column("unit_type", sa.String(length=80), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("stop_sell", sa.Integer(), server_default="0", nullable=False),
        sa.Column("closed_to_arrival", sa.Integer(), server_default="0", nullable=False),
        sa.Column("closed_to_departure", sa.Integer(), server_default="0", nullable=False),
        sa.Column("min_stay_arrival", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_stay_arrival", sa.Integer(), server_default="0", nullable=False),
        sa.Column("min_stay_through", sa.Integer(), server_default="0", nullable=False),
        sa.Column("min_lead_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_lead_days", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("unit_type", "night", name=op.f("pk_staycore_restriction_nights")),
    )
    op.create_table(
        "staycore_stock_holds",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="the hold, as the codec writes it"),
        sa.Column("events", sa.Text(), nullable=True, comment="the low-stock events reported"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staycore_stock_holds")),
        comment="holds on units of stock items",
    )
    op.create_index(
        op.f("ix_staycore_stock_holds_status_expires_at"),
        "staycore_stock_holds",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_table(
        "staycore_stock_items",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "held >= 0 AND sold >= 0 AND held + sold <= on_hand",
            name=op.f("ck_staycore_stock_items_counts_within_on_hand"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staycore_stock_items")),
        comment="counted add-on items, with their units held and sold",
    )


def downgrade() -> None:
    """Drop them."""
    for table in (
        "staycore_stock_items",
        "staycore_stock_holds",
        "staycore_restriction_nights",
        "staycore_restriction_calendars",
        "staycore_points_entries",
        "staycore_points_accounts",
        "staycore_inventory_units",
        "staycore_inventory_unit_nights",
        "staycore_inventory_nights",
        "staycore_inventory_holds",
        "staycore_inventory_calendars",
        "staycore_inventory_blocks",
        "staycore_coupons",
        "staycore_coupon_redemptions",
        "staycore_coupon_customers",
        "staycore_appointment_resources",
        "staycore_appointment_holds",
    ):
        op.drop_table(table)
