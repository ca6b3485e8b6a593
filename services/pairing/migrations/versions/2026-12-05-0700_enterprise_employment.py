"""enterprise employment: labourers of registered poor households an enterprise employs (Kaiping 五(十)2)

Revision ID: 5c9e3a7d1f42
Revises: 0c98b8f884e8
Create Date: 2026-12-05 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "5c9e3a7d1f42"
down_revision: str | None = "0c98b8f884e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise_employment",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("helper_id", UUID(as_uuid=True), nullable=False),
        sa.Column("household_id", UUID(as_uuid=True), nullable=False),
        sa.Column("worker_name", sa.String(50), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["helper.id"], name=op.f("fk_enterprise_employment_helper_id_helper")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_employment")),
    )
    op.create_index(
        op.f("ix_enterprise_employment_helper_id"), "enterprise_employment", ["helper_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_enterprise_employment_helper_id"), table_name="enterprise_employment")
    op.drop_table("enterprise_employment")
