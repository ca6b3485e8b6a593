"""budget declarations (budget compliance) and asset-income agreements with yearly distributions

Revision ID: c4e2a7d91f03
Revises: 9b1f0c2d7e41
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c4e2a7d91f03"
down_revision: str | None = "9b1f0c2d7e41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_declaration",
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("local_revenue_increase_fen", sa.BigInteger(), nullable=False),
        sa.Column("recovered_idle_funds_fen", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("declared_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("recovered_idle_funds_fen >= 0", name=op.f("ck_budget_declaration_recovered")),
        sa.PrimaryKeyConstraint("area_code", "year", name=op.f("pk_budget_declaration")),
    )
    op.create_table(
        "asset_income_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("government", sa.String(length=200), nullable=False),
        sa.Column("bank", sa.String(length=200), nullable=False),
        sa.Column("enterprise", sa.String(length=200), nullable=False),
        sa.Column("enterprise_kind", sa.String(length=20), nullable=False),
        sa.Column("households", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("principal_fen", sa.BigInteger(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("guaranteed_return_fen", sa.BigInteger(), nullable=False),
        sa.Column("dividend_rate_bp", sa.Integer(), nullable=False),
        sa.Column("policy_code", sa.String(length=80), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("minimum_dividend_bp", sa.Integer(), nullable=True),
        sa.Column("payer_account", sa.String(length=80), nullable=False),
        sa.Column("holding_account", sa.String(length=80), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("principal_fen > 0", name=op.f("ck_asset_income_agreement_principal")),
        sa.CheckConstraint("term_years > 0", name=op.f("ck_asset_income_agreement_term")),
        sa.CheckConstraint("guaranteed_return_fen >= 0", name=op.f("ck_asset_income_agreement_guaranteed")),
        sa.CheckConstraint("dividend_rate_bp >= 0", name=op.f("ck_asset_income_agreement_rate")),
        sa.ForeignKeyConstraint(
            ["payer_account"], ["account.code"], name=op.f("fk_asset_income_agreement_payer_account")
        ),
        sa.ForeignKeyConstraint(
            ["holding_account"],
            ["account.code"],
            name=op.f("fk_asset_income_agreement_holding_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_income_agreement")),
    )
    op.create_index(
        op.f("ix_asset_income_agreement_area_code"), "asset_income_agreement", ["area_code"], unique=False
    )
    op.create_table(
        "asset_income_distribution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("due_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("receipt_transaction_id", sa.Uuid(), nullable=False),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("distributed_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_asset_income_distribution_positive")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["asset_income_agreement.id"],
            name=op.f("fk_asset_income_distribution_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_asset_income_distribution_receipt_txn"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_income_distribution")),
        sa.UniqueConstraint(
            "agreement_id", "year", name=op.f("uq_asset_income_distribution_agreement_id_year")
        ),
    )
    op.create_index(
        op.f("ix_asset_income_distribution_agreement_id"),
        "asset_income_distribution",
        ["agreement_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_asset_income_distribution_agreement_id"), table_name="asset_income_distribution")
    op.drop_table("asset_income_distribution")
    op.drop_index(op.f("ix_asset_income_agreement_area_code"), table_name="asset_income_agreement")
    op.drop_table("asset_income_agreement")
    op.drop_table("budget_declaration")
