"""Settings of the pairing service (environment variables prefixed PAIRING_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PairingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAIRING_", extra="ignore")

    service_name: str = "pairing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun_pairing"
    http_port: int = 8003
