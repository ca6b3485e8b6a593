"""``jingzhun pii rotate SERVICE``: re-encrypt a service's personal data under the current key.

Runbook (docs/OPERATIONS.md, "Key rotation"): set the service's ``*_PII_KEY`` to
the new key, the old one into ``*_PII_PREVIOUS_KEYS``, ``*_PII_HASH_KEY`` to the key the hashes
were made with; roll the service; run this; then drop the old key from ``*_PII_PREVIOUS_KEYS``.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Annotated

import typer

from deploy.services import service_settings

pii_app = typer.Typer(
    help="Personal-data keys: re-encrypt a service's personal data under its current key",
    no_args_is_help=True,
)


@pii_app.callback()
def pii() -> None:
    """Personal-data keys (docs/OPERATIONS.md, "Key rotation")."""


@pii_app.command("rotate")
def rotate(
    service: Annotated[str, typer.Argument(help="a service holding personal data: registry or inspection")],
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="rows per transaction")] = 500,
) -> None:
    """Re-encrypt every personal-data column of SERVICE under its current key (safe to re-run)."""
    settings = service_settings(service)
    app_module = importlib.import_module(f"services.{service}.app")
    columns = getattr(app_module, "PII_COLUMNS", [])
    if not columns:
        typer.echo(f"{service} stores no encrypted personal data")
        raise typer.Exit(0)
    asyncio.run(_rotate(settings, columns, batch))


async def _rotate(settings, columns, batch: int) -> None:  # type: ignore[no-untyped-def]
    from shared.db import Database
    from shared.pii_rotation import rotate_column

    db = Database(settings.database_url, pool_size=2)
    cipher = settings.pii_cipher()
    try:
        for col in columns:
            try:
                report = await rotate_column(db, col, cipher, batch=batch)
            except ValueError as exc:  # a value no configured key can read
                typer.echo(f"{col}: {exc}; add the key it was written with to PII_PREVIOUS_KEYS", err=True)
                raise typer.Exit(1) from exc
            typer.echo(f"{report.column}: {report.scanned} values, {report.rotated} re-encrypted")
    finally:
        await db.dispose()
