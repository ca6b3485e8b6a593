"""small-cell suppression: k (the fewest households a published cell may count) as policy data

Revision ID: 5b8e2c71d4f0
Revises: 9d41c3b7e2a5
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8e2c71d4f0"
down_revision: str | None = "9d41c3b7e2a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("registry_policy", sa.Column("disclosure_min_households", sa.Integer(), nullable=True))
    # the national preset (services/registry/policies/presets.py) sets 5; presets never overwrite a
    # stored record, so a record seeded before this revision gets it here
    op.execute(
        "UPDATE registry_policy SET disclosure_min_households = 5, version = version + 1 "
        "WHERE area_prefix = '' AND year = 2016"
    )


def downgrade() -> None:
    op.drop_column("registry_policy", "disclosure_min_households")
