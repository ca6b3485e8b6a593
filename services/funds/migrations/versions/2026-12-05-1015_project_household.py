"""project_household: the households a project lists as developing or joining it (seed 004 四(三))

Revision ID: 5b2e8d0c4a71
Revises: de20edcbfa8f
Create Date: 2026-12-05 10:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b2e8d0c4a71"
down_revision: str | None = "de20edcbfa8f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_household",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.String(length=80), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_household_project_id_project")
        ),
        sa.PrimaryKeyConstraint("project_id", "household_id", name=op.f("pk_project_household")),
    )
    op.create_index(op.f("ix_project_household_household_id"), "project_household", ["household_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_project_household_household_id"), table_name="project_household")
    op.drop_table("project_household")
