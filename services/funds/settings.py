"""Settings of the funds service (environment variables prefixed FUNDS_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FundsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDS_", extra="ignore")

    service_name: str = "funds"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun_funds"
    http_port: int = 8002
