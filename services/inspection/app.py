"""Assembly of the inspection service."""

from fastapi import FastAPI

from services.inspection.consumers import HANDLERS
from services.inspection.settings import InspectionSettings
from shared.app import create_service_app
from shared.runtime import PeriodicJob

settings_class = InspectionSettings
JOBS: list[PeriodicJob] = []  # periodic jobs (also run by `jingzhun worker inspection`)
ROUTERS: list = []  # this service's APIRouters, mounted under /inspection/v1

__all__ = ["HANDLERS", "JOBS", "ROUTERS", "create_app", "settings_class"]


def create_app(settings: InspectionSettings | None = None) -> FastAPI:
    settings = settings or InspectionSettings()
    return create_service_app(
        settings,
        title="Jingzhun inspection",
        routers=ROUTERS,
        handlers=HANDLERS,
        jobs=JOBS,
    )
