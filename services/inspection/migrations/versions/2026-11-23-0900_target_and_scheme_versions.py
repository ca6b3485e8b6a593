"""reduction target and sign-off scheme versions (the ETag a change sends in If-Match)

Revision ID: 3c5a7e9b1d20
Revises: 8e0252a39dde
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c5a7e9b1d20"
down_revision: str | None = "8e0252a39dde"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("reduction_target", "signoff_scheme")


def upgrade() -> None:
    # Rows set before this revision start at version 1, like a row created now.
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "version")
