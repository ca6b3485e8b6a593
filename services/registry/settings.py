"""Settings of the registry service (environment variables prefixed REGISTRY_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: str = "registry"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun_registry"
    http_port: int = 8001
