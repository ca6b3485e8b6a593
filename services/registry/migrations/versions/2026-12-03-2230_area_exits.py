"""village and county exit (贫困村退出、贫困县摘帽): criteria as policy data, exit requests

Revision ID: c4e8a2f61b93
Revises: 5c2e8a41d9b7
Create Date: 2026-12-03 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c4e8a2f61b93"
down_revision: str | None = "5c2e8a41d9b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_exit_policy",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_prefix", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_exit_policy")),
        sa.UniqueConstraint(
            "area_prefix", "year", "kind", name=op.f("uq_area_exit_policy_area_prefix_year_kind")
        ),
    )
    op.create_table(
        "area_exit_request",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("policy_source", sa.Text(), nullable=False),
        sa.Column("poor_persons", sa.Integer(), nullable=False),
        sa.Column("rural_population", sa.Integer(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("dossier_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_area_exit_request_area_code_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_exit_request")),
    )
    op.create_index(op.f("ix_area_exit_request_area_code"), "area_exit_request", ["area_code"])
    op.create_index(
        "uq_area_exit_request_pending",
        "area_exit_request",
        ["area_code"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "uq_area_exit_request_verified",
        "area_exit_request",
        ["area_code"],
        unique=True,
        postgresql_where=sa.text("status = 'verified'"),
    )


def downgrade() -> None:
    op.drop_index("uq_area_exit_request_verified", table_name="area_exit_request")
    op.drop_index("uq_area_exit_request_pending", table_name="area_exit_request")
    op.drop_index(op.f("ix_area_exit_request_area_code"), table_name="area_exit_request")
    op.drop_table("area_exit_request")
    op.drop_table("area_exit_policy")
