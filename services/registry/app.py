"""Assembly of the registry service."""

from fastapi import FastAPI

from services.registry.consumers import HANDLERS
from services.registry.settings import RegistrySettings
from shared.app import create_service_app
from shared.runtime import PeriodicJob

settings_class = RegistrySettings
JOBS: list[PeriodicJob] = []  # periodic jobs (also run by `jingzhun worker registry`)
ROUTERS: list = []  # this service's APIRouters, mounted under /registry/v1

__all__ = ["HANDLERS", "JOBS", "ROUTERS", "create_app", "settings_class"]


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    return create_service_app(
        settings,
        title="Jingzhun registry",
        routers=ROUTERS,
        handlers=HANDLERS,
        jobs=JOBS,
    )
