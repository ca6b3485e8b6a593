"""Each service connects with its own database role: the owner migrates, the app cannot drop tables.

deploy/compose/postgres-init.sql runs (with psql, as the postgres image runs it) against the test
cluster; `jingzhun migrate registry --app-role registry_app` migrates as `registry_owner`; the
service's role then reads and writes rows but cannot drop, alter, create or truncate anything, and
cannot even connect to another service's database.
"""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from deploy.cli import app as cli
from deploy.local.stack import PG_SUPERUSER, LocalStack, _pg_bin
from shared.db import Database
from shared.events import add_event
from shared.settings import REPO_ROOT

SERVICES = ("registry", "funds", "pairing", "inspection")


def _url(stack: LocalStack, role: str, database: str) -> str:
    return f"postgresql+asyncpg://{role}:pw@127.0.0.1:{stack.pg_port}/{database}"


@pytest.fixture(scope="module")
def provisioned(stack) -> LocalStack:  # type: ignore[no-untyped-def]
    pg = stack.postgres()
    env = {**os.environ}
    for service in SERVICES:
        env[f"{service.upper()}_DB_OWNER_PASSWORD"] = f"{service}-owner-pw"
        env[f"{service.upper()}_DB_APP_PASSWORD"] = f"{service}-app-pw"
    out = subprocess.run(
        [str(_pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(pg.pg_port), "-U", PG_SUPERUSER,
         "-d", "postgres", "-v", "ON_ERROR_STOP=1",
         "-f", str(REPO_ROOT / "deploy/compose/postgres-init.sql")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return pg


def test_init_script_makes_an_owner_and_an_app_role_per_database(provisioned: LocalStack) -> None:
    owners = provisioned.psql(
        "SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE datname LIKE 'jingzhun_%' "
        "ORDER BY 1"
    ).split()
    assert owners == sorted(f"jingzhun_{s}={s}_owner" for s in SERVICES)
    for service in SERVICES:
        flags = provisioned.psql(
            f"SELECT rolsuper::text || rolcreatedb::text || rolcreaterole::text FROM pg_roles "
            f"WHERE rolname IN ('{service}_owner', '{service}_app')"
        ).split()
        assert flags == ["falsefalsefalse"] * 2, service


def test_the_app_role_writes_rows_but_cannot_change_the_schema(provisioned: LocalStack) -> None:
    owner = _url(provisioned, "registry_owner", "jingzhun_registry")
    for _ in range(2):  # a second run (the next deployment) changes nothing and still succeeds
        result = CliRunner().invoke(cli, ["migrate", "registry", "--database-url", owner,
                                          "--app-role", "registry_app"])
        assert result.exit_code == 0, result.output
        assert "registry_app may read and write rows" in result.output

    async def as_app() -> None:
        db = Database(_url(provisioned, "registry_app", "jingzhun_registry"))
        try:
            async with db.transaction() as s:
                await add_event(s, type="registry.household.registered.v1", subject="1", data={})
            async with db.transaction() as s:
                assert (await s.execute(text("SELECT count(*) FROM outbox"))).scalar_one() == 1
                await s.execute(text("UPDATE outbox SET attempts = attempts + 1"))
            async with db.transaction() as s:  # what pairing's coverage check does
                await s.execute(text("CREATE TEMPORARY TABLE scratch (x int) ON COMMIT DROP"))
            for ddl in ("DROP TABLE outbox", "ALTER TABLE outbox ADD COLUMN x int", "TRUNCATE outbox",
                        "CREATE TABLE mine (x int)", "DROP TABLE alembic_version"):
                with pytest.raises(DBAPIError) as refused:
                    async with db.transaction() as s:
                        await s.execute(text(ddl))
                assert getattr(refused.value.orig, "sqlstate", None) == "42501", ddl  # insufficient_privilege
        finally:
            await db.dispose()

        other = Database(_url(provisioned, "registry_app", "jingzhun_funds"))
        try:
            with pytest.raises(DBAPIError, match="permission denied for database"):
                await other.ping()
        finally:
            await other.dispose()

    asyncio.run(as_app())


def test_migrate_reads_the_migration_url_and_app_role_from_settings(
    provisioned: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("FUNDS_DATABASE_URL", _url(provisioned, "funds_app", "jingzhun_funds"))
    monkeypatch.setenv("FUNDS_MIGRATION_DATABASE_URL", _url(provisioned, "funds_owner", "jingzhun_funds"))
    monkeypatch.setenv("FUNDS_DB_APP_ROLE", "funds_app")
    result = CliRunner().invoke(cli, ["migrate", "funds"])
    assert result.exit_code == 0, result.output
    tables = provisioned.psql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'funds_owner'",
        database="jingzhun_funds",
    )
    assert int(tables) > 10
    granted = provisioned.psql(
        "SELECT bool_and(has_table_privilege('funds_app', format('%I', tablename), 'INSERT')) "
        "FROM pg_tables WHERE schemaname = 'public'",
        database="jingzhun_funds",
    )
    assert granted.strip() == "t"
