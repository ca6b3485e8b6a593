"""The DCI tables: registered clients, their transactions, subscriptions and pending notifications.

On the registry's MetaData (its own database and Alembic history); the migration is
``2026-12-04-0330_dci_registry_api.py``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.models import Base
from shared.service_tables import recorded_at


class DciClient(Base):
    """An outside system with an agreement: its key, where its callbacks go, what it may see."""

    __tablename__ = "dci_client"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # the DCI sender_id
    name: Mapped[str] = mapped_column(sa.String(100))
    secret_cipher: Mapped[str] = mapped_column(sa.Text)  # HMAC key, encrypted like personal data
    callback_url: Mapped[str | None] = mapped_column(sa.Text)
    area_code: Mapped[str] = mapped_column(sa.String(12))  # the root of the area it may ask about
    data_rights: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)))
    search_per_minute: Mapped[int] = mapped_column(sa.Integer)
    search_burst: Mapped[int] = mapped_column(sa.Integer)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.text("true"))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default=sa.text("1"))
    created_at: Mapped[datetime] = recorded_at()
    updated_at: Mapped[datetime] = recorded_at(onupdate=sa.func.now())


class DciTransaction(Base):
    """One DCI message a client sent (search, subscribe, unsubscribe), and for an asynchronous
    search the answer waiting to be called back."""

    __tablename__ = "dci_transaction"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "message_id", name="uq_dci_transaction_message"),
        sa.Index("ix_dci_transaction_client_txn", "client_id", "transaction_id"),
        sa.Index(
            "ix_dci_transaction_work",
            "status",
            "callback_state",
            postgresql_where=sa.text("status = 'pdng' OR callback_state = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(sa.ForeignKey("dci_client.id"))
    message_id: Mapped[str] = mapped_column(sa.String(99))
    transaction_id: Mapped[str] = mapped_column(sa.String(99))
    correlation_id: Mapped[str] = mapped_column(sa.String(99))
    action: Mapped[str] = mapped_column(sa.String(20))  # search | subscribe | unsubscribe
    mode: Mapped[str] = mapped_column(sa.String(5))  # sync | async
    status: Mapped[str] = mapped_column(sa.String(4))  # rcvd | pdng | succ | rjct
    # the parsed request (resident IDs replaced by their keyed hashes), for the asynchronous search
    request: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    callback_state: Mapped[str] = mapped_column(sa.String(10))  # none | pending | delivered
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class DciSubscription(Base):
    """A client's standing interest in one kind of event under an area."""

    __tablename__ = "dci_subscription"
    __table_args__ = (sa.Index("ix_dci_subscription_live", "event_kind", postgresql_where=sa.text("active")),)

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.ForeignKey("dci_client.id"), index=True)
    transaction_id: Mapped[str] = mapped_column(sa.String(99))
    reference_id: Mapped[str] = mapped_column(sa.String(99))
    event_kind: Mapped[str] = mapped_column(sa.String(20))
    area_code: Mapped[str] = mapped_column(sa.String(12))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class DciNotification(Base):
    """A notify item waiting for (or past) delivery to its client, in ``id`` order per client."""

    __tablename__ = "dci_notification"
    __table_args__ = (
        sa.UniqueConstraint("subscription_code", "event_id", name="uq_dci_notification_event"),
        sa.Index(
            "ix_dci_notification_pending", "client_id", "id", postgresql_where=sa.text("delivered_at IS NULL")
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(sa.ForeignKey("dci_client.id"))
    subscription_code: Mapped[str] = mapped_column(sa.ForeignKey("dci_subscription.code"))
    event_id: Mapped[str] = mapped_column(sa.String(64))
    item: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the notify_event entry, ready to send
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
