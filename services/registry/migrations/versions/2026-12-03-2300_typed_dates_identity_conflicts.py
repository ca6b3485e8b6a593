"""typed dates: household created_on (China date), late entries (补录), backdate tolerance as
policy data; identity conflicts across areas

Revision ID: 9d41c3b7e2a5
Revises: 03624f822f3a
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9d41c3b7e2a5"
down_revision: str | None = "03624f822f3a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing rows: the China date of their creation instant
    op.add_column(
        "household",
        sa.Column(
            "created_on",
            sa.Date(),
            server_default=sa.text("((now() AT TIME ZONE 'Asia/Shanghai')::date)"),
            nullable=False,
        ),
    )
    op.execute("UPDATE household SET created_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date")
    op.add_column("registry_policy", sa.Column("backdate_tolerance_days", sa.Integer(), nullable=True))
    # as in services/registry/policies/presets.py: the national record carries the 3 days
    op.execute(
        "UPDATE registry_policy SET backdate_tolerance_days = 3 "
        "WHERE area_prefix = '' AND year = 2016 AND backdate_tolerance_days IS NULL"
    )
    op.create_table(
        "late_entry",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.UUID(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("entered_date", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column("tolerance_days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_late_entry_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_entry")),
    )
    op.create_index(op.f("ix_late_entry_household_id"), "late_entry", ["household_id"])
    op.create_table(
        "identity_conflict",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resident_id_hash", sa.String(length=64), nullable=False),
        sa.Column("queue_prefix", sa.String(length=12), nullable=False),
        sa.Column("queue_level", sa.String(length=10), nullable=False),
        sa.Column("held_household_id", sa.UUID(), nullable=False),
        sa.Column("held_member_id", sa.UUID(), nullable=False),
        sa.Column("held_area_code", sa.String(length=12), nullable=False),
        sa.Column("claim_kind", sa.String(length=12), nullable=False),
        sa.Column("claim_area_code", sa.String(length=12), nullable=False),
        sa.Column("claim_household_id", sa.UUID(), nullable=True),
        sa.Column("claim_person", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["held_household_id"],
            ["household.id"],
            name=op.f("fk_identity_conflict_held_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["held_member_id"], ["member.id"], name=op.f("fk_identity_conflict_held_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_conflict")),
    )
    op.create_index("ix_identity_conflict_queue", "identity_conflict", ["queue_prefix", "status"])
    op.create_index("ix_identity_conflict_hash", "identity_conflict", ["resident_id_hash"])


def downgrade() -> None:
    op.drop_index("ix_identity_conflict_hash", table_name="identity_conflict")
    op.drop_index("ix_identity_conflict_queue", table_name="identity_conflict")
    op.drop_table("identity_conflict")
    op.drop_index(op.f("ix_late_entry_household_id"), table_name="late_entry")
    op.drop_table("late_entry")
    op.drop_column("registry_policy", "backdate_tolerance_days")
    op.drop_column("household", "created_on")
