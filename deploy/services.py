"""The four services as the command line names them, and their settings (one definition for every command)."""

from __future__ import annotations

import importlib
import os
import re
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
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    check_service(service)
    settings_module = importlib.import_module(f"services.{service}.settings")
    cls: type[ServiceSettings] = getattr(settings_module, f"{service.capitalize()}Settings")
    prefix = str(cls.model_config.get("env_prefix", ""))

    def variable(field: object) -> str:
        name = f"{prefix}{field}".upper()
        if field == "environment" and name not in os.environ and "JINGZHUN_ENV" in os.environ:
            return "JINGZHUN_ENV"  # the deployment-wide switch the field defaults to
        return name

    try:
        return cls()
    except ValidationError as exc:
        problems = [f"{variable(err['loc'][0] if err['loc'] else '?')}: {err['msg']}" for err in exc.errors()]
    except SettingsError as exc:  # a JSON-valued variable (a list, the feed subscriptions) that is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        problems = [f"{variable(field.group(1)) if field else '?'}: not valid JSON"]
    typer.echo(f"error: {service}: invalid settings: " + "; ".join(problems), err=True)
    raise typer.Exit(2)


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
