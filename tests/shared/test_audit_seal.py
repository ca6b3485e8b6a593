"""Audit seals: losing a whole chain, or a chain's last row, is detected (the chains alone cannot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from shared import audit
from shared.db import Database
from shared.tables import audit_checkpoint, audit_log, outbox

LATER = timedelta(minutes=10)  # past the 300 s settle time


async def write(db: Database, entity: str, n: int) -> None:
    for i in range(n):
        async with db.transaction() as s:
            await audit.record(
                s, "clerk-1", "grant.updated", ("grant", entity), before={"step": i}, after={"step": i + 1}
            )


async def seal(db: Database, now: datetime) -> audit.Checkpoint | None:
    async with db.transaction() as s:
        return await audit.seal(s, service="funds", now=now)


async def verify(db: Database) -> tuple[tuple[bool, int | None], tuple[bool, int | None]]:
    async with db.transaction() as s:
        return await audit.verify_chain(s), await audit.verify_checkpoints(s)


@pytest.mark.asyncio
async def test_a_seal_covers_settled_rows_and_is_published(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    try:
        now = datetime.now(UTC)
        assert await seal(db, now + LATER) is None  # nothing written yet
        await write(db, "A", 3)
        await write(db, "B", 2)
        assert await seal(db, now) is None  # written just now: not settled yet
        first = await seal(db, now + LATER)
        assert first is not None
        assert (first.from_id, first.row_count) == (0, 5)
        assert first.prev_digest == audit.GENESIS
        assert await seal(db, now + LATER) is None  # nothing new since

        await write(db, "A", 1)
        second = await seal(db, now + 2 * LATER)
        assert second is not None
        assert (second.from_id, second.row_count, second.prev_digest) == (first.upto_id, 1, first.digest)
        async with db.transaction() as s:
            published = (
                await s.execute(select(outbox.c.type, outbox.c.envelope).order_by(outbox.c.seq))
            ).all()
        assert [p.type for p in published] == ["funds.audit.checkpoint_sealed.v1"] * 2
        assert published[1].envelope["data"]["digest"] == second.digest
        assert published[1].envelope["data"]["row_count"] == 1
        assert await verify(db) == ((True, None), (True, None))
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_a_deleted_chain_or_last_row_breaks_the_seal(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    try:
        now = datetime.now(UTC)
        await write(db, "A", 3)
        await write(db, "B", 2)
        first = await seal(db, now + LATER)
        await write(db, "C", 2)
        second = await seal(db, now + 2 * LATER)
        assert first is not None
        assert second is not None

        # Someone removes every record of household B: each remaining chain still verifies.
        async with db.transaction() as s:
            await s.execute(delete(audit_log).where(audit_log.c.entity_id == "B"))
        assert await verify(db) == ((True, None), (False, first.id))
    finally:
        await db.dispose()

    db = Database(make_db("funds"))
    try:
        await write(db, "A", 2)
        await write(db, "C", 2)
        await seal(db, now + LATER)
        await write(db, "C", 1)
        later = await seal(db, now + 2 * LATER)
        assert later is not None
        # The newest record of C goes: C's chain is still a valid (shorter) chain.
        async with db.transaction() as s:
            newest = (await s.execute(select(func.max(audit_log.c.id)))).scalar_one()
            await s.execute(delete(audit_log).where(audit_log.c.id == newest))
        assert await verify(db) == ((True, None), (False, later.id))
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_a_removed_or_rewritten_seal_is_detected(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    try:
        now = datetime.now(UTC)
        seals = []
        for i in range(3):
            await write(db, f"E{i}", 1)
            seals.append(await seal(db, now + (i + 1) * LATER))
        async with db.transaction() as s:
            await s.execute(
                update(audit_checkpoint).where(audit_checkpoint.c.id == seals[1].id).values(digest="0" * 64)
            )
        assert (await verify(db))[1] == (False, seals[1].id)
        async with db.transaction() as s:
            await s.execute(delete(audit_checkpoint).where(audit_checkpoint.c.id == seals[1].id))
        assert (await verify(db))[1] == (False, seals[2].id)  # the next seal no longer links
    finally:
        await db.dispose()


def test_the_verify_command_names_the_broken_seal(make_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from typer.testing import CliRunner

    from deploy.audit_cli import audit_app

    url = make_db("funds")
    monkeypatch.setenv("FUNDS_DATABASE_URL", url)
    monkeypatch.setenv("FUNDS_AUDIT_SEAL_SETTLE_S", "0")
    asyncio.run(_write_then_close(url))
    runner = CliRunner()
    sealed = runner.invoke(audit_app, ["seal", "funds"])
    assert sealed.exit_code == 0, sealed.output
    assert "sealed rows 1..3: 3" in sealed.output
    ok = runner.invoke(audit_app, ["verify", "funds"])
    assert ok.exit_code == 0, ok.output
    assert "chains: intact" in ok.output
    assert "seals: intact" in ok.output

    asyncio.run(_delete_entity(url, "B"))
    broken = runner.invoke(audit_app, ["verify", "funds"])
    assert broken.exit_code == 1
    assert "chains: intact" in broken.output  # what the chains alone would have said
    assert "seals: BROKEN at audit_checkpoint id 1" in broken.output


async def _write_then_close(url: str) -> None:
    db = Database(url)
    try:
        await write(db, "A", 2)
        await write(db, "B", 1)
    finally:
        await db.dispose()


async def _delete_entity(url: str, entity: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as s:
            await s.execute(delete(audit_log).where(audit_log.c.entity_id == entity))
    finally:
        await db.dispose()
