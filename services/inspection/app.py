"""Assembly of the inspection service."""

from fastapi import FastAPI

from services.inspection.consumers import HANDLERS
from services.inspection.settings import InspectionSettings
from shared.app import create_service_app


def create_app(settings: InspectionSettings | None = None) -> FastAPI:
    settings = settings or InspectionSettings()
    return create_service_app(
        settings,
        title="Jingzhun inspection",
        routers=[],
        handlers=HANDLERS,
    )
