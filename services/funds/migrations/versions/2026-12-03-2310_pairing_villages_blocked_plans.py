"""pairing villages (帮扶村) as a flag of their own; a plan the job could not compute keeps its problem

Revision ID: 6e1a4c9d2b57
Revises: b2ae8da6440e
Create Date: 2026-12-03 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "6e1a4c9d2b57"
down_revision: str | None = "b2ae8da6440e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "beneficiary",
        sa.Column("pairing_village", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # projected before the flag: a village with a dispatching level is a pairing village
    op.execute(
        "UPDATE beneficiary SET pairing_village = true WHERE kind = 'village' AND category IS NOT NULL"
    )
    op.add_column("plan", sa.Column("blocked", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("plan", "blocked")
    op.drop_column("beneficiary", "pairing_village")
