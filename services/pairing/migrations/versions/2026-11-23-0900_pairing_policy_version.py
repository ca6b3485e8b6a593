"""pairing policy override version (the ETag a change sends in If-Match)

Revision ID: 5e7a9c1b3d62
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e7a9c1b3d62"
down_revision: str | None = "7c1d2e3f4a5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Overrides recorded before this revision start at version 1, like one recorded now.
    op.add_column("pairing_policy", sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    op.drop_column("pairing_policy", "version")
