"""pairing policy overrides: one village per enterprise (一村一企业 both ways), mountain-sea pairs added

Revision ID: 9a3f5c7e1b24
Revises: 888a326fa2b4
Create Date: 2026-12-03 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "9a3f5c7e1b24"
down_revision: str | None = "888a326fa2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("pairing_policy", sa.Column("enterprise_one_village_each", sa.Boolean(), nullable=True))
    op.add_column("pairing_policy", sa.Column("county_pairs_added", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("pairing_policy", "county_pairs_added")
    op.drop_column("pairing_policy", "enterprise_one_village_each")
