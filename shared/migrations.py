"""Alembic, one history per service, driven from code (no alembic.ini needed).

A service's ``migrations/env.py`` is two lines::

    from services.funds.models import metadata
    from shared.migrations import run_env
    run_env(metadata)

``upgrade("funds", url)`` migrates a database to head; ``revision("funds", url, "slug")`` autogenerates.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import to_async_url
from shared.settings import REPO_ROOT

__all__ = ["alembic_config", "grant_app_role", "revision", "run_env", "upgrade"]

FILE_TEMPLATE = "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "services" / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", to_async_url(url).replace("%", "%%"))
    cfg.set_main_option("file_template", FILE_TEMPLATE)
    cfg.set_main_option("version_table", "alembic_version")
    return cfg


def upgrade(service: str, url: str, target: str = "head") -> None:
    command.upgrade(alembic_config(service, url), target)


_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(url: str, role: str) -> None:
    """Let ``role`` read and write every row of the schema, now and in later migrations, but not
    create, alter or drop anything; no other role (but superusers) may connect to this database.
    Run as the owner of the database and its tables, after :func:`upgrade`."""
    if not _ROLE.fullmatch(role):
        raise ValueError(f"not a plain PostgreSQL role name: {role!r}")
    statements = [
        "DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()); END $$",
        "DO $$ BEGIN EXECUTE format("
        f"'GRANT CONNECT, TEMPORARY ON DATABASE %I TO {role}', current_database()); END $$",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]

    async def run() -> None:
        engine = create_async_engine(to_async_url(url), poolclass=pool.NullPool, hide_parameters=True)
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
        await engine.dispose()

    with ThreadPoolExecutor(1) as executor:  # callers may already run an event loop
        executor.submit(asyncio.run, run()).result()


def revision(service: str, url: str, message: str) -> None:
    command.revision(alembic_config(service, url), message=message, autogenerate=True)


def _do_run(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool, hide_parameters=True)
    async with engine.connect() as conn:
        await conn.run_sync(_do_run, metadata)
    await engine.dispose()


def run_env(metadata: MetaData) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set (use shared.migrations.alembic_config)"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async(url, metadata))
        return
    # Called from async code (a test, a benchmark): Alembic is synchronous, so give it its own
    # thread and event loop instead of nesting loops.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _run_async(url, metadata)).result()


def script_template() -> str:
    return (Path(__file__).parent / "script.py.mako").read_text()
