"""Assembly of the pairing service."""

from fastapi import FastAPI

from services.pairing.consumers import HANDLERS
from services.pairing.settings import PairingSettings
from shared.app import create_service_app


def create_app(settings: PairingSettings | None = None) -> FastAPI:
    settings = settings or PairingSettings()
    return create_service_app(
        settings,
        title="Jingzhun pairing",
        routers=[],
        handlers=HANDLERS,
    )
