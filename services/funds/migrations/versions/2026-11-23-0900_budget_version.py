"""budget version (the ETag a budget change sends in If-Match)

Revision ID: 9b1f0c2d7e41
Revises: 34a84f118565
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b1f0c2d7e41"
down_revision: str | None = "34a84f118565"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Budgets set before this revision start at version 1, like a budget created now.
    op.add_column("budget", sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    op.drop_column("budget", "version")
