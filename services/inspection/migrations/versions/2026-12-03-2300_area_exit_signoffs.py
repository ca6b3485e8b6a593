"""village and county exit sign-off dossiers; sign-off schemes per dossier kind; exited villages
for third-party sampling

Revision ID: 9b3d5f7a1c42
Revises: a7c0e5d1b304
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9b3d5f7a1c42"
down_revision: str | None = "a7c0e5d1b304"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # dossiers: a kind (existing ones are households), area dossiers have no household
    op.add_column(
        "signoff_dossier",
        sa.Column("kind", sa.String(length=10), server_default="household", nullable=False),
    )
    op.add_column("signoff_dossier", sa.Column("area_name", sa.String(length=200), nullable=True))
    op.add_column(
        "signoff_dossier", sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.alter_column("signoff_dossier", "household_id", existing_type=sa.String(length=100), nullable=True)
    # schemes: one per (prefix, kind); recorded ones so far are household schemes
    op.add_column(
        "signoff_scheme",
        sa.Column("kind", sa.String(length=10), server_default="household", nullable=False),
    )
    op.drop_constraint("pk_signoff_scheme", "signoff_scheme", type_="primary")
    op.create_primary_key("pk_signoff_scheme", "signoff_scheme", ["area_prefix", "kind"])
    # samples of exited villages
    op.add_column(
        "evaluation_sample",
        sa.Column("unit", sa.String(length=10), server_default="household", nullable=False),
    )
    op.alter_column("evaluation_item", "household_id", existing_type=sa.String(length=100), nullable=True)
    op.create_index(
        "uq_evaluation_item_village",
        "evaluation_item",
        ["sample_id", "village_code"],
        unique=True,
        postgresql_where=sa.text("household_id IS NULL"),
    )
    op.create_table(
        "area_exit_ref",
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("exited_on", sa.Date(), nullable=False),
        sa.Column("exit_request_id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("area_code", name=op.f("pk_area_exit_ref")),
    )


def downgrade() -> None:
    op.drop_table("area_exit_ref")
    op.drop_index("uq_evaluation_item_village", table_name="evaluation_item")
    op.execute("DELETE FROM evaluation_item WHERE household_id IS NULL")
    op.alter_column("evaluation_item", "household_id", existing_type=sa.String(length=100), nullable=False)
    op.execute("DELETE FROM evaluation_sample WHERE unit <> 'household'")
    op.drop_column("evaluation_sample", "unit")
    op.execute("DELETE FROM signoff_scheme WHERE kind <> 'household'")
    op.drop_constraint("pk_signoff_scheme", "signoff_scheme", type_="primary")
    op.create_primary_key("pk_signoff_scheme", "signoff_scheme", ["area_prefix"])
    op.drop_column("signoff_scheme", "kind")
    op.execute(
        "DELETE FROM signoff_signature WHERE dossier_id IN (SELECT id FROM signoff_dossier WHERE kind <> 'household')"
    )
    op.execute("DELETE FROM signoff_dossier WHERE kind <> 'household'")
    op.alter_column("signoff_dossier", "household_id", existing_type=sa.String(length=100), nullable=False)
    op.drop_column("signoff_dossier", "criteria")
    op.drop_column("signoff_dossier", "area_name")
    op.drop_column("signoff_dossier", "kind")
