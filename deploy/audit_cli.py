"""``jingzhun audit verify SERVICE``: recompute a service's audit chains and seals (for inspectors)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from deploy.services import service_settings
from shared.clock import clock

audit_app = typer.Typer(
    help="The audit trail: verify the hash chains and seals, or seal now",
    no_args_is_help=True,
)


@audit_app.callback()
def audit_group() -> None:
    """The audit trail: per-entity hash chains and the seals over them (docs/OPERATIONS.md)."""


@audit_app.command("verify")
def verify(service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")]) -> None:
    """Recompute every chain and every seal; exit 1 and name the first broken row or seal."""
    asyncio.run(_verify(service_settings(service)))


@audit_app.command("seal")
def seal(service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")]) -> None:
    """Seal the settled audit rows now (the services also do it every AUDIT_SEAL_INTERVAL_S)."""
    asyncio.run(_seal(service, service_settings(service)))


async def _verify(settings) -> None:  # type: ignore[no-untyped-def]
    from shared import audit
    from shared.db import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            chains, broken_row = await audit.verify_chain(session)
            seals, broken_seal = await audit.verify_checkpoints(session)
            rows = await audit.count(session)
    finally:
        await db.dispose()
    typer.echo(f"audit rows: {rows}")
    typer.echo("chains: intact" if chains else f"chains: BROKEN at audit_log id {broken_row}")
    typer.echo("seals: intact" if seals else f"seals: BROKEN at audit_checkpoint id {broken_seal}")
    if not (chains and seals):
        raise typer.Exit(1)


async def _seal(service: str, settings) -> None:  # type: ignore[no-untyped-def]
    from shared import audit
    from shared.db import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            cp = await audit.seal(
                session, service=service, now=clock.now(), settle_s=settings.audit_seal_settle_s
            )
    finally:
        await db.dispose()
    typer.echo(
        "nothing to seal" if cp is None else f"sealed rows {cp.from_id + 1}..{cp.upto_id}: {cp.row_count}"
    )
