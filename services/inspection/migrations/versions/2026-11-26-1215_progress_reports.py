"""quarterly progress reports: dated roll movements, disbursement dates, frozen submissions

Revision ID: 7d2f4b6a8c31
Revises: 3c5a7e9b1d20
Create Date: 2026-11-26 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7d2f4b6a8c31"
down_revision: str | None = "3c5a7e9b1d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roll_movement_ref",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("household_id", sa.String(length=100), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=True),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_roll_movement_ref")),
    )
    op.create_index(op.f("ix_roll_movement_ref_area_code"), "roll_movement_ref", ["area_code"], unique=False)
    op.create_index(
        op.f("ix_roll_movement_ref_household_id"), "roll_movement_ref", ["household_id"], unique=False
    )
    op.create_index(
        op.f("ix_roll_movement_ref_happened_on"), "roll_movement_ref", ["happened_on"], unique=False
    )
    # Exits projected before this revision keep their date in household_ref: carry them over so
    # this year's reports still count them. Registrations, relapses and removals before it carry
    # no date here and are not reconstructed.
    op.execute(
        "INSERT INTO roll_movement_ref (event_id, household_id, area_code, kind, origin, happened_on, persons) "
        "SELECT 'backfill:exited:' || household_id, household_id, area_code, 'exited', NULL, exited_on, "
        "member_count FROM household_ref WHERE status = 'exited' AND exited_on IS NOT NULL"
    )
    op.add_column("disbursement_ref", sa.Column("recorded_on", sa.Date(), nullable=True))
    op.create_index(
        op.f("ix_disbursement_ref_recorded_on"), "disbursement_ref", ["recorded_on"], unique=False
    )
    op.create_table(
        "progress_report_submission",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_report_submission")),
        sa.UniqueConstraint(
            "area_code",
            "year",
            "quarter",
            "version",
            name=op.f("uq_progress_report_submission_area_code_year_quarter_version"),
        ),
    )
    op.create_index(
        op.f("ix_progress_report_submission_area_code"),
        "progress_report_submission",
        ["area_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_progress_report_submission_area_code"), table_name="progress_report_submission")
    op.drop_table("progress_report_submission")
    op.drop_index(op.f("ix_disbursement_ref_recorded_on"), table_name="disbursement_ref")
    op.drop_column("disbursement_ref", "recorded_on")
    op.drop_table("roll_movement_ref")
