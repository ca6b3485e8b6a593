"""public notices: a publication date entered late (补录) keeps who, when and why

Revision ID: 6f0b2d9c4e18
Revises: d3e0c10a0002
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "6f0b2d9c4e18"
down_revision: str | None = "d3e0c10a0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notice", sa.Column("late_entry", postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column("notice", "late_entry")
