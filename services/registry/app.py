"""Assembly of the registry service."""

from fastapi import FastAPI

from services.registry.consumers import HANDLERS
from services.registry.settings import RegistrySettings
from shared.app import create_service_app


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    return create_service_app(
        settings,
        title="Jingzhun registry",
        routers=[],
        handlers=HANDLERS,
    )
