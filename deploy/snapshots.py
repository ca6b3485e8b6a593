"""`jingzhun snapshot`: a service's snapshot of an area as a gzipped NDJSON file (for a province).

The same lines `GET /<service>/v1/snapshot` streams (one REPEATABLE READ transaction, stamped
with `feed_after`), written by a job straight from the database — for a whole province, where a
download over HTTP of a gigabyte would restart from nothing after any interruption. The file is
written under a temporary name and renamed when complete, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import importlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer

from deploy.services import connect_nats, service_settings

__all__ = ["snapshot_app"]


class Lines(Protocol):
    def __call__(
        self, engine: Any, *, prefix: str, stream_last_seq: Callable[[], Awaitable[int]]
    ) -> AsyncIterator[bytes]: ...


# service -> the module whose SECTIONS the shared snapshot reads (shared/snapshot.py)
SNAPSHOTS = {
    "registry": "services.registry.snapshot.service",
    "funds": "services.funds.snapshot.router",
    "pairing": "services.pairing.snapshot.router",
    "inspection": "services.inspection.snapshot.router",
}


def _lines_of(service: str) -> Lines:
    module = importlib.import_module(SNAPSHOTS[service])
    from shared import snapshot

    return functools.partial(snapshot.lines, service=service, sections=module.SECTIONS)


snapshot_app = typer.Typer(help="Snapshots of an area as gzipped NDJSON files.", no_args_is_help=True)


@snapshot_app.command("write")
def write(
    service: Annotated[str, typer.Argument(help=", ".join(SNAPSHOTS))],
    area_code: Annotated[
        str, typer.Option("--area", help="the subtree's root, 12 digits (a province: 440000000000)")
    ],
    out: Annotated[Path, typer.Option("--out", help="the file to write (.ndjson.gz)")],
    database_url: Annotated[str | None, typer.Option(help="default: <SERVICE>_DATABASE_URL")] = None,
    nats_url: Annotated[str | None, typer.Option(help="default: <SERVICE>_NATS_URL")] = None,
) -> None:
    """Write the snapshot of the area to OUT (gzip), then print its counts and `feed_after`."""
    from shared.areas import AreaCode, InvalidAreaCode

    if service not in SNAPSHOTS:
        raise typer.BadParameter(f"no snapshot for {service!r}; one of: {', '.join(SNAPSHOTS)}")
    try:
        prefix = AreaCode.parse(area_code).prefix
    except InvalidAreaCode as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = service_settings(service)
    lines = _lines_of(service)
    started = time.monotonic()
    database_url = database_url or settings.database_url
    end = asyncio.run(_write(lines, service, prefix, out, database_url, nats_url or settings.nats_url))
    elapsed = time.monotonic() - started
    counts = ", ".join(f"{kind} {n:,}" for kind, n in end["counts"].items())
    typer.echo(
        f"{out}: {counts}; feed_after {end['feed_after']}; {out.stat().st_size:,} bytes in {elapsed:.1f} s"
    )


async def _write(lines: Lines, service: str, prefix: str, out: Path, database_url: str, nats_url: str) -> Any:
    import json

    from shared.db import Database
    from shared.snapshot import stream_position

    nc = await connect_nats(nats_url)
    db = Database(database_url, pool_size=1)
    partial = out.with_name(out.name + ".partial")
    last = b""
    try:
        position = stream_position(nc.jetstream(), service)
        with gzip.open(partial, "wb", compresslevel=6) as f:
            async for chunk in lines(db.engine, prefix=prefix, stream_last_seq=position):
                f.write(chunk)
                if chunk:
                    last = chunk
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        await db.dispose()
        await nc.close()
    return json.loads(last.rstrip(b"\n").rsplit(b"\n", 1)[-1])
