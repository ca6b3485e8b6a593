"""pairing imports: the staged 结对帮扶名单 import and its rows

Revision ID: 4b8e2d6f0a13
Revises: 9a3f5c7e1b24
Create Date: 2026-12-04 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "4b8e2d6f0a13"
down_revision: str | None = "9a3f5c7e1b24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # (name, length, nullable) of the text columns: the file's facts and who uploaded it where
    texts = (
        ("status", 12, False),
        ("sha256", 64, False),
        ("file_format", 8, False),
        ("encoding", 20, True),
        ("filename", 255, True),
        ("area_scope", 12, False),
        ("uploaded_by", 200, False),
    )
    counters = ("rows_validated", "rows_accepted", "rows_refused", "rows_committed", "helpers_created")
    moments = ("started_at", "finished_at")
    op.create_table(
        "pairing_import",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        *(sa.Column(name, sa.String(length), nullable=null) for name, length, null in texts),
        sa.Column("headers", JSONB(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counters),
        sa.Column("mode", sa.String(20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        *(sa.Column(name, sa.DateTime(timezone=True), nullable=True) for name in moments),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_import")),
    )
    # the same bytes are one import while it stands (not failed or cancelled)
    standing = sa.text("status NOT IN ('failed', 'cancelled')")
    op.create_index(
        "uq_pairing_import_sha256", "pairing_import", ["sha256"], unique=True, postgresql_where=standing
    )
    op.create_table(
        "pairing_import_row",
        sa.Column("import_id", UUID(as_uuid=True), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("cells", JSONB(), nullable=False),
        sa.Column("reasons", JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("data", JSONB(), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "row_no", name=op.f("pk_pairing_import_row")),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["pairing_import.id"],
            name=op.f("fk_pairing_import_row_import_id_pairing_import"),
            ondelete="CASCADE",
        ),
    )
    # the 结对帮扶名单 names households by 户编号
    op.create_index(op.f("ix_household_ref_household_number"), "household_ref", ["household_number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_household_ref_household_number"), table_name="household_ref")
    op.drop_table("pairing_import_row")
    op.drop_index("uq_pairing_import_sha256", table_name="pairing_import")
    op.drop_table("pairing_import")
