"""Settings of the inspection service (environment variables prefixed INSPECTION_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class InspectionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSPECTION_", extra="ignore")

    service_name: str = "inspection"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun_inspection"
    http_port: int = 8004
