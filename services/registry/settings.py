"""Settings of the registry service (environment variables prefixed REGISTRY_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: str = "registry"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/jingzhun_registry"
    http_port: int = 8001
    # DCI registry API (docs/DCI.md): this registry's receiver/sender id, and how callbacks are sent
    dci_receiver_id: str = "jingzhun-registry"
    dci_callback_timeout_s: float = Field(default=10.0, gt=0, le=120)
    dci_retry_base_s: float = Field(default=1.0, gt=0)
    dci_retry_max_s: float = Field(default=300.0, gt=0)
