"""cadre_household: who is paired to which household (from pairing's events), to limit a cadre's reads

Revision ID: c7d1a5e0f001
Revises: 5b8e2c71d4f0
Create Date: 2026-12-03 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7d1a5e0f001"
down_revision: str | None = "5b8e2c71d4f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # as shared/cadres.py defines it (a migration does not import application code)
    op.create_table(
        "cadre_household",
        sa.Column("pairing_id", sa.String(length=64), primary_key=True),
        sa.Column("helper_sub", sa.String(length=100), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("ended", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_index("ix_cadre_household_helper_sub", "cadre_household", ["helper_sub"])


def downgrade() -> None:
    op.drop_index("ix_cadre_household_helper_sub", table_name="cadre_household")
    op.drop_table("cadre_household")
