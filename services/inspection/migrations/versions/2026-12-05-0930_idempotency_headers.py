"""idempotency keys keep the first answer's ETag and Location, so a replay carries them too

Revision ID: 48ee0e48d5e7
Revises: 5a3c9e1d7b20
Create Date: 2026-12-05 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "48ee0e48d5e7"
down_revision: str | None = "5a3c9e1d7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # nullable: keys kept before this change replay without the headers, as they did
    op.add_column("idempotency_key", sa.Column("headers", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("idempotency_key", "headers")
