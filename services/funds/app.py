"""Assembly of the funds service."""

from fastapi import FastAPI

from services.funds.consumers import HANDLERS
from services.funds.settings import FundsSettings
from shared.app import create_service_app
from shared.runtime import PeriodicJob

settings_class = FundsSettings
JOBS: list[PeriodicJob] = []  # periodic jobs (also run by `jingzhun worker funds`)
ROUTERS: list = []  # this service's APIRouters, mounted under /funds/v1

__all__ = ["HANDLERS", "JOBS", "ROUTERS", "create_app", "settings_class"]


def create_app(settings: FundsSettings | None = None) -> FastAPI:
    settings = settings or FundsSettings()
    return create_service_app(
        settings,
        title="Jingzhun funds",
        routers=ROUTERS,
        handlers=HANDLERS,
        jobs=JOBS,
    )
