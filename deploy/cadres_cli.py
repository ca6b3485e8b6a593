"""``jingzhun cadres backfill``: tell the other services who is paired to whom, again.

The registry, funds and inspection keep a ``cadre_household`` copy of pairing's household pairings
(shared/cadres.py), filled from ``pairing.pairing.opened.v1``. Pairings opened before a service
kept that copy (or whose events the stream no longer holds) never reach it. This command writes a
fresh ``pairing.pairing.opened.v1`` for every household pairing still open, in one transaction of
pairing's database; pairing's outbox relay publishes them and the consumers apply them
idempotently (a copy already there stays as it is, a closed one stays closed).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from deploy.services import service_settings

cadres_app = typer.Typer(
    help="Which households each cadre may see in registry, funds, inspection: backfill them",
    no_args_is_help=True,
)


@cadres_app.callback()
def cadres_group() -> None:
    """Who is paired to which household, as the registry, funds and inspection know it."""


@cadres_app.command("backfill")
def backfill_command(
    database_url: Annotated[
        str | None, typer.Option(help="pairing's database; default PAIRING_DATABASE_URL", show_default=False)
    ] = None,
) -> None:
    """Publish every open household pairing again (pairing.pairing.opened.v1) through pairing's outbox."""
    url = database_url or service_settings("pairing").database_url
    count = asyncio.run(backfill(url))
    typer.echo(f"{count} open household pairings published again; pairing's relay sends them on")


async def backfill(database_url: str) -> int:
    """Write an opened event for every open household pairing; returns how many."""
    from sqlalchemy import select

    from services.pairing.models import Pairing
    from services.pairing.pairings import events
    from shared.db import Database

    db = Database(database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            stmt = (
                select(Pairing)
                .where(Pairing.target_type == "household", Pairing.ended_on.is_(None))
                .order_by(Pairing.id)
            )
            pairings = list((await session.execute(stmt)).scalars())
            for pairing in pairings:
                await events.opened(session, pairing)
    finally:
        await db.dispose()
    return len(pairings)
