"""staged imports: a surrogate key on import_row (walked by the PII key rotation) and the
kind-specific parsed values of a row (incomes, 低保 roll, village incomes); the household
timeline's projection of other services' events

Revision ID: 5e1b0c7d9a42
Revises: d5c1a0e4b7f2
Create Date: 2026-12-04 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5e1b0c7d9a42"
down_revision: str | None = "d5c1a0e4b7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("import_row", sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False))
    op.create_index("uq_import_row_id", "import_row", ["id"], unique=True)
    op.add_column("import_row", sa.Column("data", postgresql.JSONB(), nullable=True))
    op.create_table(
        "household_timeline_entry",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=True),
        sa.Column("area_code", sa.String(length=12), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_household_timeline_entry")),
    )
    op.create_index(
        "ix_household_timeline_household", "household_timeline_entry", ["household_id", "occurred_at"]
    )
    op.create_index("ix_household_timeline_ref", "household_timeline_entry", ["ref"])


def downgrade() -> None:
    op.drop_table("household_timeline_entry")
    op.drop_column("import_row", "data")
    op.drop_index("uq_import_row_id", table_name="import_row")
    op.drop_column("import_row", "id")
