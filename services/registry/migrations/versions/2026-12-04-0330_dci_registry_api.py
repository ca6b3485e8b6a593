"""dci_registry_api: DCI clients, transactions, subscriptions and notifications (docs/DCI.md)

Revision ID: d5c1a0e4b7f2
Revises: 7a3c9e51d2f4
Create Date: 2026-12-04 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d5c1a0e4b7f2"
down_revision: str | None = "7a3c9e51d2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dci_client",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("secret_cipher", sa.Text(), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("data_rights", postgresql.ARRAY(sa.String(40)), nullable=False),
        sa.Column("search_per_minute", sa.Integer(), nullable=False),
        sa.Column("search_burst", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "dci_transaction",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("client_id", sa.String(64), sa.ForeignKey("dci_client.id"), nullable=False),
        sa.Column("message_id", sa.String(99), nullable=False),
        sa.Column("transaction_id", sa.String(99), nullable=False),
        sa.Column("correlation_id", sa.String(99), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(5), nullable=False),
        sa.Column("status", sa.String(4), nullable=False),
        sa.Column("request", postgresql.JSONB(), nullable=False),
        sa.Column("response", postgresql.JSONB(), nullable=True),
        sa.Column("callback_state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("completed_at", _TS, nullable=True),
        sa.Column("delivered_at", _TS, nullable=True),
        sa.UniqueConstraint("client_id", "message_id", name="uq_dci_transaction_message"),
    )
    op.create_index("ix_dci_transaction_client_txn", "dci_transaction", ["client_id", "transaction_id"])
    op.create_index(
        "ix_dci_transaction_work",
        "dci_transaction",
        ["status", "callback_state"],
        postgresql_where=sa.text("status = 'pdng' OR callback_state = 'pending'"),
    )
    op.create_table(
        "dci_subscription",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("client_id", sa.String(64), sa.ForeignKey("dci_client.id"), nullable=False),
        sa.Column("transaction_id", sa.String(99), nullable=False),
        sa.Column("reference_id", sa.String(99), nullable=False),
        sa.Column("event_kind", sa.String(20), nullable=False),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("ended_at", _TS, nullable=True),
    )
    op.create_index("ix_dci_subscription_client_id", "dci_subscription", ["client_id"])
    op.create_index(
        "ix_dci_subscription_live", "dci_subscription", ["event_kind"], postgresql_where=sa.text("active")
    )
    op.create_table(
        "dci_notification",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(64), sa.ForeignKey("dci_client.id"), nullable=False),
        sa.Column("subscription_code", sa.String(40), sa.ForeignKey("dci_subscription.code"), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("item", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", _TS, nullable=True),
        sa.UniqueConstraint("subscription_code", "event_id", name="uq_dci_notification_event"),
    )
    op.create_index(
        "ix_dci_notification_pending",
        "dci_notification",
        ["client_id", "id"],
        postgresql_where=sa.text("delivered_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("dci_notification")
    op.drop_table("dci_subscription")
    op.drop_table("dci_transaction")
    op.drop_table("dci_client")
