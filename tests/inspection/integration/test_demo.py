"""The demo loader fills what `make run` promises, and a second run changes nothing."""

from __future__ import annotations

import re

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


async def test_demo_texts_are_chinese(make_db) -> None:
    """The monthly bulletin and the sign-off screen show the demo's texts to clerks: no English."""
    db = Database(make_db("inspection"))
    try:
        await load_demo(db)
        async with db.transaction() as s:
            texts = [
                *(await s.execute(select(Inspection.title))).scalars(),
                *(await s.execute(select(Finding.title))).scalars(),
                *(await s.execute(select(Finding.responsible_unit))).scalars(),
                *(await s.execute(select(Complaint.summary))).scalars(),
                *(await s.execute(select(SignoffSignature.signer_name))).scalars(),
            ]
        assert "2户危房改造补助未发放" in texts
        assert "示例 村党支部书记" in texts
        assert not [t for t in texts if t and re.search("[A-Za-z]", t)], texts
    finally:
        await db.dispose()
