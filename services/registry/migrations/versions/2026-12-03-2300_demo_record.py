"""demo record: what the demo loader created here (shared.demo), so it loads once and a reset removes it

Revision ID: d3e0c10a0001
Revises: 3d9b6f2e8a15
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d3e0c10a0001"
down_revision: str | None = "3d9b6f2e8a15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demo_record",
        sa.Column("entity_type", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("entity_type", "entity_id", name=op.f("pk_demo_record")),
    )


def downgrade() -> None:
    op.drop_table("demo_record")
