"""The demo loader fills what `make run` promises, and a second run changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.inspection.demo import load_demo
from services.inspection.models import Complaint, Finding, Inspection, SignoffDossier, SignoffSignature
from shared.db import Database

pytestmark = pytest.mark.asyncio


async def _counts(db: Database) -> tuple[int, ...]:
    async with db.transaction() as s:
        counts = []
        for model in (Inspection, Finding, SignoffDossier, SignoffSignature, Complaint):
            counts.append(int((await s.execute(select(func.count()).select_from(model))).scalar_one()))
        return tuple(counts)


async def test_demo_is_loaded_once(make_db) -> None:
    db = Database(make_db("inspection"))
    try:
        await load_demo(db)
        assert await _counts(db) == (1, 2, 1, 4, 1)
        async with db.transaction() as s:
            assert (await s.execute(select(SignoffDossier.status))).scalar_one() == "open"
        await load_demo(db)
        assert await _counts(db) == (1, 2, 1, 4, 1)
    finally:
        await db.dispose()
