"""an import's running step records when it was asked for by the database's clock, so the job that
fails a step which died with its process waits real time, also while the business clock is pinned

Revision ID: 45077e41c4f2
Revises: 9f3c2a7e5d14
Create Date: 2026-12-05 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "45077e41c4f2"
down_revision: str | None = "9f3c2a7e5d14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # rows already there take the migration's time: a step that died before it is failed a minute on
    op.add_column(
        "spreadsheet_import",
        sa.Column(
            "step_started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("spreadsheet_import", "step_started_at")
