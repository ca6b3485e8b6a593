"""The four services as the command line names them, and their settings (one definition for every command)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from nats.aio.client import Client as NATS

    from shared.settings import ServiceSettings

SERVICE_NAMES = ("registry", "funds", "pairing", "inspection")


def check_service(service: str) -> None:
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service '{service}'; one of {', '.join(SERVICE_NAMES)}")


def service_settings(service: str) -> ServiceSettings:
    """The service's settings from its environment (``<SERVICE>_…`` variables).

    A value that does not parse ends the command with exit code 2 and one line per variable,
    named as the operator sets it (``REGISTRY_DB_POOL_SIZE: …``), not a stack trace. The value
    itself is not printed: it may be a secret.
    """
    from shared.settings import InvalidSettingsError, read_settings

    check_service(service)
    settings_module = importlib.import_module(f"services.{service}.settings")
    cls: type[ServiceSettings] = getattr(settings_module, f"{service.capitalize()}Settings")
    try:
        return read_settings(cls, service)
    except InvalidSettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


async def connect_nats(url: str, *, timeout_s: float = 10.0) -> NATS:
    """A NATS connection for a command, or a clear message and exit code 2.

    nats-py keeps retrying a first connection that is refused even with reconnects off (and logs
    each attempt), so a command would hang on an unreachable server: bound it and stay quiet.
    """
    import asyncio

    import nats

    async def _quiet(_exc: Exception) -> None:
        return None

    try:
        return await asyncio.wait_for(
            nats.connect(
                url, connect_timeout=min(5.0, timeout_s), allow_reconnect=False, max_reconnect_attempts=0,
                error_cb=_quiet,
            ),
            timeout_s,
        )
    except Exception as exc:
        typer.echo(f"cannot reach NATS at {url}: {exc!r}", err=True)
        raise typer.Exit(2) from exc
