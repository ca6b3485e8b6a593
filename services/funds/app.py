"""Assembly of the funds service."""

from fastapi import FastAPI

from services.funds.consumers import HANDLERS
from services.funds.settings import FundsSettings
from shared.app import create_service_app


def create_app(settings: FundsSettings | None = None) -> FastAPI:
    settings = settings or FundsSettings()
    return create_service_app(
        settings,
        title="Jingzhun funds",
        routers=[],
        handlers=HANDLERS,
    )
