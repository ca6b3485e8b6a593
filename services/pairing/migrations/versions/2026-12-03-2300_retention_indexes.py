"""retention: indexes that let pruning find old outbox, inbox and idempotency rows (shared.retention)

Revision ID: 888a326fa2b4
Revises: d3e0c10a0003
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "888a326fa2b4"
down_revision: str | None = "d3e0c10a0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # CONCURRENTLY: a large outbox or inbox keeps taking writes while its index is built.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_outbox_published_at",
            "outbox",
            ["published_at"],
            postgresql_where=sa.text("published_at IS NOT NULL"),
            postgresql_concurrently=True,
            if_not_exists=True,
        )
        op.create_index(
            "ix_inbox_handled_at", "inbox", ["handled_at"], postgresql_concurrently=True, if_not_exists=True
        )
        op.create_index(
            "ix_idempotency_key_created_at",
            "idempotency_key",
            ["created_at"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    op.drop_index("ix_idempotency_key_created_at", table_name="idempotency_key")
    op.drop_index("ix_inbox_handled_at", table_name="inbox")
    op.drop_index("ix_outbox_published_at", table_name="outbox")
