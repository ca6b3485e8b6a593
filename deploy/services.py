"""The four services as the command line names them, and their settings (one definition for every command)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from shared.settings import ServiceSettings

SERVICE_NAMES = ("registry", "funds", "pairing", "inspection")


def check_service(service: str) -> None:
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service '{service}'; one of {', '.join(SERVICE_NAMES)}")


def service_settings(service: str) -> ServiceSettings:
    """The service's settings from its environment (``<SERVICE>_…`` variables)."""
    check_service(service)
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings: ServiceSettings = getattr(settings_module, f"{service.capitalize()}Settings")()
    return settings
