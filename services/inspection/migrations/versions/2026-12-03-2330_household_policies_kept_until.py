"""household projection keeps the exited household's policies_kept_until (from the exited event)

Revision ID: 2b8e4d6f0a93
Revises: 5b7df76fe4c2
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2b8e4d6f0a93"
down_revision: str | None = "5b7df76fe4c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("household_ref", sa.Column("policies_kept_until", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("household_ref", "policies_kept_until")
