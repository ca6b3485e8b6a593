"""The demo data of `make run`: loaded once, into the demo's places, marked, removable.

``load_once`` runs each service's ``services/<svc>/demo.py`` (registry first: the others use only
the households the registry's demo created, never a household a user registered), records what
each created (shared.demo), and marks each database loaded once its load has completed; a later
start finds the mark and skips the demo. A start stopped while loading (Ctrl-C) leaves no mark: the
next start runs the loaders again, which skip what is there and finish the rest. ``remove``
(`jingzhun demo reset`) deletes exactly what was recorded, in every service, and leaves
everything else (a user's households, visits, payments) as it was.

It takes about ``TYPICAL_LOAD_S`` seconds on a quiet 2-core machine (622 s measured with the two
cores shared by eight test runs), most of it the registry's 421 households walked through
identification and the other services catching up on their events.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from deploy.services import SERVICE_NAMES, service_settings
from shared import demo as shared_demo
from shared.clock import configure
from shared.db import Database

__all__ = ["TYPICAL_LOAD_S", "interrupted", "load_once", "remove", "states"]

TYPICAL_LOAD_S = 180  # see README "Demo data"

T = TypeVar("T")
Settle = Callable[[dict[str, str]], Awaitable[None]]


def _module(svc: str) -> Any:
    return importlib.import_module(f"services.{svc}.demo")


async def _each(urls: dict[str, str], ask: Callable[[AsyncSession], Awaitable[T]]) -> dict[str, T]:
    out: dict[str, T] = {}
    for svc in SERVICE_NAMES:
        db = Database(urls[svc], pool_size=1)
        try:
            async with db.transaction() as s:
                out[svc] = await ask(s)
        finally:
            await db.dispose()
    return out


async def states(urls: dict[str, str]) -> dict[str, str | None]:
    """Per service: 'loaded', 'removed' or None (never loaded, or a load not completed)."""
    return await _each(urls, shared_demo.state)


async def interrupted(urls: dict[str, str]) -> list[str]:
    """The services whose demo load an earlier start began but did not complete (the next load
    finishes it; see shared.demo.interrupted)."""
    return [svc for svc, yes in (await _each(urls, shared_demo.interrupted)).items() if yes]


async def load_once(urls: dict[str, str], *, settle: Settle, log: Callable[[str], object] = print) -> bool:
    """Load the demo into every service that has not had it; False when all had it already."""
    before = await states(urls)
    if all(before.values()):
        return False
    unfinished = set(await interrupted(urls))
    households: set[str] = set()
    created: dict[str, list[tuple[str, str]]] = {}
    for svc in SERVICE_NAMES:
        configure(service_settings(svc).time_zone)  # the demo's dates are the office's dates
        db = Database(urls[svc], pool_size=2)
        try:
            if before[svc] is None:
                if svc in unfinished:
                    log(f"  demo data  {svc}: finishing the load stopped on an earlier start")
                module = _module(svc)
                if svc == "registry":
                    await module.load_demo(db)
                else:
                    await module.load_demo(db, households=households)
                async with db.transaction() as s:
                    await shared_demo.record_created(s)
                    if svc != "registry":
                        await shared_demo.record(s, "household", households)
                    await shared_demo.mark_loaded(s)
                log(f"  demo data  {svc}: loaded")
            else:
                log(f"  demo data  {svc}: {before[svc]} on an earlier start, skipped")
            async with db.transaction() as s:
                created[svc] = await shared_demo.recorded(s)
                if svc == "registry":
                    households = {i for t, i in created[svc] if t == "household"}
        finally:
            await db.dispose()
        await settle(urls)
    # Each service learns the others' demo entities it holds projections of (for `demo reset`).
    for svc in SERVICE_NAMES:
        db = Database(urls[svc], pool_size=1)
        try:
            async with db.transaction() as s:
                for other, records in created.items():
                    if other == svc:
                        continue
                    by_type: dict[str, list[str]] = {}
                    for entity_type, entity_id in records:
                        by_type.setdefault(entity_type, []).append(entity_id)
                    for entity_type, ids in by_type.items():
                        await shared_demo.record(s, entity_type, ids)
        finally:
            await db.dispose()
    return True


async def remove(urls: dict[str, str]) -> dict[str, dict[str, int]]:
    """Delete the recorded demo data in every service; rows deleted per service and table."""
    out: dict[str, dict[str, int]] = {}
    for svc in SERVICE_NAMES:
        module = _module(svc)
        db = Database(urls[svc], pool_size=1)
        try:
            async with db.transaction() as s:
                if svc == "registry":
                    out[svc] = await module.remove_demo(s)
                else:
                    models = importlib.import_module(f"services.{svc}.models")
                    out[svc] = await shared_demo.remove(
                        s,
                        models.Base.metadata,
                        own=getattr(module, "DEMO_OWN_KEYS", None),
                        projections=getattr(module, "DEMO_PROJECTIONS", {}),
                    )
        finally:
            await db.dispose()
    return out
