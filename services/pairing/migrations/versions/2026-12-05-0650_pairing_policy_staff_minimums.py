"""pairing policy overrides: the staff minimums (township full-time staff, village coordinators)

Revision ID: 0c98b8f884e8
Revises: 4b8e2d6f0a13
Create Date: 2026-12-05 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0c98b8f884e8"
down_revision: str | None = "4b8e2d6f0a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("pairing_policy", sa.Column("township_staff_min", sa.Integer(), nullable=True))
    op.add_column("pairing_policy", sa.Column("village_coordinator_min", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("pairing_policy", "village_coordinator_min")
    op.drop_column("pairing_policy", "township_staff_min")
