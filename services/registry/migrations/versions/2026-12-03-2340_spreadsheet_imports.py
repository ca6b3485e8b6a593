"""staged spreadsheet imports: the import job and its staging rows

Revision ID: 7a3c9e51d2f4
Revises: c7d1a5e0f001
Create Date: 2026-12-03 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7a3c9e51d2f4"
down_revision: str | None = "c7d1a5e0f001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spreadsheet_import",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("encoding", sa.String(20), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("area_scope", sa.String(12), nullable=False),
        sa.Column("source_roll", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_validated", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column("households_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_committed", sa.Integer(), nullable=False),
        sa.Column("households_committed", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spreadsheet_import")),
    )
    op.create_index(
        "uq_spreadsheet_import_sha256",
        "spreadsheet_import",
        ["kind", "sha256"],
        unique=True,
        postgresql_where=sa.text("status NOT IN ('failed', 'cancelled')"),
    )
    op.create_table(
        "import_row",
        sa.Column("import_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("cells", postgresql.JSONB(), nullable=False),
        sa.Column("household_key", sa.String(60), nullable=True),
        sa.Column("area_code", sa.String(12), nullable=True),
        sa.Column("name", sa.String(50), nullable=True),
        sa.Column("resident_id_hash", sa.String(64), nullable=True),
        sa.Column("resident_id_cipher", sa.Text(), nullable=True),
        sa.Column("resident_id_masked", sa.String(18), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(6), nullable=True),
        sa.Column("relation", sa.String(20), nullable=True),
        sa.Column("labour_capacity", sa.String(12), nullable=True),
        sa.Column("poverty_causes", postgresql.ARRAY(sa.String(30)), nullable=True),
        sa.Column("batches", postgresql.ARRAY(sa.String(40)), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("household_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("member_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["spreadsheet_import.id"],
            name=op.f("fk_import_row_import_id_spreadsheet_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "row_no", name=op.f("pk_import_row")),
    )
    op.create_index("ix_import_row_household", "import_row", ["import_id", "household_key"])
    op.create_index("ix_import_row_hash", "import_row", ["resident_id_hash"])


def downgrade() -> None:
    op.drop_table("import_row")
    op.drop_table("spreadsheet_import")
