"""Settings: one class per service, a shared base, an env prefix per service (e.g. ``FUNDS_``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from shared.feed.config import FeedSubscription
from shared.pii import PiiCipher, cipher_for

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_KEY_DIR = REPO_ROOT / ".data" / "keys"
DEV_PII_KEY = "dev-only-pii-key-change-me-in-production-000000"
PLACEHOLDER = "change-me"  # any value holding it (any case) is a placeholder, not a secret


class UnsafeSettingsError(RuntimeError):
    """A production process with development secrets: it refuses to start."""


class InvalidSettingsError(ValueError):
    """Settings from the environment that do not parse, one problem per variable, named as the
    operator sets it (``REGISTRY_DB_POOL_SIZE: …``); never the value (it may be a secret)."""

    def __init__(self, service: str, problems: list[str]) -> None:
        super().__init__(f"{service}: invalid settings: " + "; ".join(problems))
        self.problems = problems


S = TypeVar("S", bound="ServiceSettings")


def read_settings(cls: type[S], service: str) -> S:
    """``cls()`` from the environment, or :class:`InvalidSettingsError` saying which variables are wrong
    (what the `jingzhun` commands and the app factory under uvicorn print in one line)."""
    prefix = str(cls.model_config.get("env_prefix", ""))

    def variable(field: object) -> str:
        name = f"{prefix}{field}".upper()
        if field == "environment" and name not in os.environ and "JINGZHUN_ENV" in os.environ:
            return "JINGZHUN_ENV"  # the deployment-wide switch the field defaults to
        return name

    try:
        return cls()
    except ValidationError as exc:
        problems = [f"{variable(err['loc'][0] if err['loc'] else '?')}: {err['msg']}" for err in exc.errors()]
    except SettingsError as exc:  # a JSON-valued variable (a list, the feed subscriptions) that is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        problems = [f"{variable(field.group(1)) if field else '?'}: not valid JSON"]
    raise InvalidSettingsError(service, problems) from None


def _default_environment() -> Any:
    # One switch for a whole deployment; <SERVICE>_ENVIRONMENT overrides it per service.
    return os.environ.get("JINGZHUN_ENV", "development")  # validated like the field itself


class ServiceSettings(BaseSettings):
    """What every service needs. Subclasses set ``service_name`` and ``env_prefix``."""

    model_config = SettingsConfigDict(env_prefix="JINGZHUN_", extra="ignore")

    service_name: str = "service"
    # "production" refuses to start with a development secret (see check_production).
    environment: Literal["development", "production"] = Field(
        default_factory=_default_environment
    )
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun"
    # Up to 2 x this many connections per process (shared.db.Database). 16 (32 connections) rather
    # than 10: a uvicorn worker under 64 clients queued a third of its requests for a connection in
    # SQLAlchemy's pool (a wakeup and a timer each, and late arrivals overtake the woken waiter), and
    # at 32 connections a card read took 4-7 % less CPU (253-255 against 265-267 µs), a roll-up 6-7 %
    # less, p99 41 against 87 ms, PostgreSQL's CPU a read the same (``tests.bench ab --b-env
    # REGISTRY_DB_POOL_SIZE=16``, 12 of 12 rounds, load 2.4-8.8). 10 connections cost 7-9 % more, 64
    # connections 3 % more and +22 % in PostgreSQL; POSTs at 16 clients do not queue at either size.
    db_pool_size: int = 16
    # Production: the app connects as a role that may read and write rows but not change the
    # schema (``db_app_role``); migrations connect as the database's owner role through
    # ``migration_database_url`` and grant the app role its rights (docs/OPERATIONS.md).
    migration_database_url: str | None = None
    db_app_role: str | None = None
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
    pii_key: str = DEV_PII_KEY
    pii_previous_keys: list[str] = Field(default_factory=list)
    pii_hash_key: str | None = None

    # Rate limits (shared.ratelimit): requests per minute and burst per client, in this process.
    # public: routes without a login, per client IP; search: search-style reads, per token subject.
    # 0 requests per minute turns a limit off. With N replicas the effective limit is N times this
    # unless the gateway limits too (docs/OPERATIONS.md).
    rate_limit_public_per_minute: int = Field(default=60, ge=0)
    rate_limit_public_burst: int = Field(default=20, ge=1)
    rate_limit_search_per_minute: int = Field(default=120, ge=0)
    rate_limit_search_burst: int = Field(default=30, ge=1)

    # Webhook receivers of this service's change feed (shared.feed, docs/FEED.md): a JSON list.
    feed_subscriptions: list[FeedSubscription] = []

    # Audit seals (shared.audit.seal): how often, and how old a row must be to be sealed.
    audit_seal_interval_s: float = Field(default=300, gt=0)
    audit_seal_settle_s: float = Field(default=300, ge=0)

    # Retention (shared.retention, `jingzhun prune`): rows older than this many days are deleted in
    # batches of ``prune_batch_size`` by the periodic job "prune" every ``prune_interval_s``.
    # Published outbox rows: JetStream holds the events once published (an unpublished row is never
    # deleted); the inbox must outlive the stream's max age (a year), since a consumer re-reading the
    # stream must still recognise what it handled; idempotency keys outlive any client's retries.
    outbox_retention_days: int = Field(default=30, ge=1)
    inbox_retention_days: int = Field(default=400, ge=366)
    idempotency_retention_days: int = Field(default=90, ge=1)
    prune_batch_size: int = Field(default=5000, ge=1)
    prune_interval_s: float = Field(default=3600, gt=0)

    # The office's time zone: every business date ("today", deadlines, quarters) is its date.
    time_zone: str = "Asia/Shanghai"

    # Request bodies (shared.bodyguard): every operation takes at most max_body_bytes; bulk imports
    # and file uploads (routes marked LARGE_BODY) at most max_upload_bytes. Larger is 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)

    # Browser origins allowed to call this service across origins (CORS, shared/app.py), e.g.
    # REGISTRY_CORS_ORIGINS=https://fupin.example.gov.cn,https://m.fupin.example.gov.cn (commas or a
    # JSON list). Empty, the default: no CORS headers at all, so browsers keep pages of other origins out.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    log_level: str = "INFO"
    log_json: bool = True
    # OpenTelemetry traces go to this OTLP/HTTP collector (e.g. http://otel-collector:4318); unset,
    # the standard OTEL_EXPORTER_OTLP_ENDPOINT is used, and with neither tracing is off entirely.
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        """A typo (``Asia/Shangai``) is refused at start-up, naming the variable, not at the first date."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name (China: Asia/Shanghai)") from None
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins_from_text(cls, value: object) -> object:
        """``a,b`` or ``["a", "b"]`` from the environment; an origin never ends in a slash."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                value = json.loads(text)
            else:
                value = [part for part in (p.strip() for p in text.split(",")) if part]
        if isinstance(value, list):
            return [str(v).strip().rstrip("/") for v in value]
        return value

    def env_name(self, field: str) -> str:
        return f"{self.model_config.get('env_prefix', '')}{field}".upper()

    def production_problems(self) -> list[str]:
        """What makes these settings unfit for production, each naming its variable."""
        problems: list[str] = []
        if self.pii_key == DEV_PII_KEY:
            problems.append(f"{self.env_name('pii_key')} is the development default")
        for field, value in self:
            if field == "pii_key" and self.pii_key == DEV_PII_KEY:
                continue  # said above
            for text in _strings(value):
                if PLACEHOLDER in text.lower():
                    problems.append(f"{self.env_name(field)} still holds a CHANGE-ME placeholder")
                    break
        jwt_problem = self._development_jwt_key()
        if jwt_problem:
            problems.append(jwt_problem)
        return problems

    def _development_jwt_key(self) -> str | None:
        if self.jwt_jwks_url:
            return None
        names = f"{self.env_name('jwt_jwks_url')} (or {self.env_name('jwt_public_key_pem')})"
        dev_public = DEV_KEY_DIR / "jwt_public.pem"
        if self.jwt_public_key_pem:
            if dev_public.exists() and self.jwt_public_key_pem.strip() == dev_public.read_text().strip():
                return f"{self.env_name('jwt_public_key_pem')} is the development key pair's public key"
            return None
        if self.jwt_public_key_path is None:
            return f"no token key is configured: set {names}; the development key pair is not for production"
        path = self.jwt_public_key_path.resolve()
        if path.is_relative_to(DEV_KEY_DIR.resolve()) or (path.parent / "jwt_private.pem").exists():
            return (
                f"{self.env_name('jwt_public_key_path')} points at the development key pair (its private "
                f"key lies beside it: anyone with that file can sign tokens); set {names}"
            )
        return None

    def check_production(self) -> None:
        """Raise :class:`UnsafeSettingsError` when a production process would run with dev secrets."""
        if self.environment != "production":
            return
        problems = self.production_problems()
        if problems:
            raise UnsafeSettingsError(
                f"refusing to start {self.service_name} with {self.env_name('environment')}=production: "
                + "; ".join(problems)
                + ". Set real values (docs/OPERATIONS.md, 'Secrets and roles'), or run with "
                f"{self.env_name('environment')}=development on a laptop."
            )

    def pii_cipher(self) -> PiiCipher:
        return cipher_for(self.pii_key, tuple(self.pii_previous_keys), self.pii_hash_key)

    def public_key_pem(self) -> str | None:
        if self.jwt_public_key_pem:
            return self.jwt_public_key_pem
        path = self.jwt_public_key_path or DEV_KEY_DIR / "jwt_public.pem"
        return path.read_text() if path.exists() else None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Path):
        return [str(value)]
    if isinstance(value, BaseModel):
        return [t for _, v in value for t in _strings(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _strings(v)]
    return []
