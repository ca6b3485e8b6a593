"""visit_ref.satisfaction: the household's answer at a visit (pairing.visit.recorded.v2)

Revision ID: 5a3c9e1d7b20
Revises: c7d1a5e0f003
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a3c9e1d7b20"
down_revision: str | None = "c7d1a5e0f003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # null: not asked, or projected from a version 1 event (which carries no answer)
    op.add_column("visit_ref", sa.Column("satisfaction", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("visit_ref", "satisfaction")
