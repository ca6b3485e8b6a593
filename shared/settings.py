"""Settings: one class per service, a shared base, an env prefix per service (e.g. ``FUNDS_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.feed.config import FeedSubscription
from shared.pii import PiiCipher, cipher_for

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_KEY_DIR = REPO_ROOT / ".data" / "keys"


class ServiceSettings(BaseSettings):
    """What every service needs. Subclasses set ``service_name`` and ``env_prefix``."""

    model_config = SettingsConfigDict(env_prefix="JINGZHUN_", extra="ignore")

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun"
    db_pool_size: int = 10
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream_replicas: int = 1  # 3 on a JetStream cluster
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    # Background work that runs inside the app process by default; ops may run it separately.
    run_relay: bool = True
    run_consumers: bool = True
    run_jobs: bool = True
    # Deliveries of one event to a failing handler before the consumer gives up on it and moves
    # it to the DEADLETTER stream (``jingzhun deadletter``); earlier failures are retried.
    consumer_max_attempts: int = Field(default=10, ge=1)

    jwt_issuer: str = "jingzhun"
    jwt_audience: str = "jingzhun"
    jwt_public_key_pem: str | None = None
    jwt_public_key_path: Path | None = None
    jwt_jwks_url: str | None = None

    # Key material for personal data. ``pii_key`` encrypts; ``pii_previous_keys`` (a JSON list)
    # still decrypt during a rotation (``jingzhun pii rotate``); ``pii_hash_key`` makes the keyed
    # hashes for exact search and must never change — unset, it is ``pii_key``, so set it to the
    # original key before the first rotation.
    pii_key: str = "dev-only-pii-key-change-me-in-production-000000"
    pii_previous_keys: list[str] = Field(default_factory=list)
    pii_hash_key: str | None = None

    # Webhook receivers of this service's change feed (shared.feed, docs/FEED.md): a JSON list.
    feed_subscriptions: list[FeedSubscription] = []

    # Audit seals (shared.audit.seal): how often, and how old a row must be to be sealed.
    audit_seal_interval_s: float = Field(default=300, gt=0)
    audit_seal_settle_s: float = Field(default=300, ge=0)

    # The office's time zone: every business date ("today", deadlines, quarters) is its date.
    time_zone: str = "Asia/Shanghai"

    # Request bodies (shared.bodyguard): every operation takes at most max_body_bytes; bulk imports
    # and file uploads (routes marked LARGE_BODY) at most max_upload_bytes. Larger is 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)

    log_level: str = "INFO"
    log_json: bool = True

    def pii_cipher(self) -> PiiCipher:
        return cipher_for(self.pii_key, tuple(self.pii_previous_keys), self.pii_hash_key)

    def public_key_pem(self) -> str | None:
        if self.jwt_public_key_pem:
            return self.jwt_public_key_pem
        path = self.jwt_public_key_path or DEV_KEY_DIR / "jwt_public.pem"
        return path.read_text() if path.exists() else None
