"""An audited update: the fields change in the database and the audit row holds exactly their values
before and after (times in ISO form, ids as text), the note on the after side, chained as usual."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.funds.models import Notice
from shared import audit
from shared.db import Database
from shared.tables import audit_log


def _notice(notice_id: uuid.UUID, **more: object) -> Notice:
    """Kaiping's seven-day notice of 2026's industry subsidies, published on 1 December."""
    return Notice(
        id=notice_id,
        area_code="440783100001",
        title="2026年产业补助公示",
        published_on=date(2026, 12, 1),
        notice_days=7,
        content={},
        **more,
    )


@pytest.mark.asyncio
async def test_an_audited_update_writes_the_fields_and_their_before_and_after(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    notice_id, objection_id = uuid.uuid4(), uuid.uuid4()
    closed = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
    try:
        async with db.transaction() as s:
            s.add(_notice(notice_id))
        async with db.transaction() as s:
            notice = await s.get_one(Notice, notice_id)
            entity = ("notice", notice_id)
            await audit.record_update(s, "clerk-1", "notice.closed", entity, notice, closed_at=closed)
            await audit.record_update(
                s,
                "clerk-1",
                "notice.retitled",
                entity,
                notice,
                note={"objection_id": objection_id},
                title="更正",
            )
        async with db.transaction() as s:
            row = await s.get_one(Notice, notice_id)
            audited = (
                await s.execute(
                    select(audit_log.c.action, audit_log.c.before, audit_log.c.after).order_by(audit_log.c.id)
                )
            ).all()
            intact = await audit.verify_chain(s)
        assert (row.closed_at, row.title) == (closed, "更正")
        assert [tuple(a) for a in audited] == [
            ("notice.closed", {"closed_at": None}, {"closed_at": "2026-12-04T12:30:00+00:00"}),
            (
                "notice.retitled",
                {"title": "2026年产业补助公示"},
                {"title": "更正", "objection_id": str(objection_id)},
            ),
        ]
        assert intact == (True, None)
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_an_audit_record_keeps_its_states_as_they_read_back_from_json_and_chains(make_db) -> None:  # type: ignore[no-untyped-def]
    """A record's before/after (an import's: thousands of ids, a nested state with dates, ids,
    tuples and non-text keys) is stored as it reads back from JSON, and the chain verifies."""
    db = Database(make_db("funds"))
    ids = [uuid.uuid4() for _ in range(3_000)]
    first = {"registered_on": date(2018, 6, 30), "id": ids[0], "causes": ("illness",), "name": '王"五\\'}
    try:
        async with db.transaction() as s:
            entity = ("household_import", "import-1")
            after = {"households": [str(i) for i in ids], "first": first, "reason": None, "n": 3}
            await audit.record(s, "clerk-1", "household.imported", entity, after=after)
            await audit.record(s, "clerk-1", "x.keyed", entity, before={"k": {10: "a", 9: [1.5, True]}})
        async with db.transaction() as s:
            audited = (
                await s.execute(select(audit_log.c.before, audit_log.c.after).order_by(audit_log.c.id))
            ).all()
            intact = await audit.verify_chain(s)
        assert [tuple(a) for a in audited] == [
            (
                None,
                {
                    "households": [str(i) for i in ids],
                    "first": {
                        "registered_on": "2018-06-30",
                        "id": str(ids[0]),
                        "causes": ["illness"],
                        "name": '王"五\\',
                    },
                    "reason": None,
                    "n": 3,
                },
            ),
            ({"k": {"10": "a", "9": [1.5, True]}}, None),
        ]
        assert intact == (True, None)
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_a_new_rows_record_holds_the_named_fields_on_the_rows_own_chain(make_db) -> None:  # type: ignore[no-untyped-def]
    """``record_new``: the after state is the named fields as the row holds them (dates and ids as
    text, times in ISO form), chained as ("notice", its id) like every other record of the notice."""
    db = Database(make_db("funds"))
    notice_id = uuid.uuid4()
    closed = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
    try:
        async with db.transaction() as s:
            notice = _notice(notice_id, closed_at=closed)
            s.add(notice)
            await s.flush()
            fields = ("id", "area_code", "published_on", "notice_days", "closed_at")
            await audit.record_new(s, "clerk-1", "notice.published", notice, *fields)
            await audit.record(s, "clerk-1", "notice.read", ("notice", notice_id), after={})
        async with db.transaction() as s:
            columns = (audit_log.c.entity_type, audit_log.c.entity_id, audit_log.c.after)
            audited = (await s.execute(select(*columns).order_by(audit_log.c.id))).all()
            links = (
                await s.execute(select(audit_log.c.prev_hash, audit_log.c.hash).order_by(audit_log.c.id))
            ).all()
            intact = await audit.verify_chain(s)
        assert links[1].prev_hash == links[0].hash  # the notice's next record chains on it
        assert [tuple(a) for a in audited] == [
            (
                "notice",
                str(notice_id),
                {
                    "id": str(notice_id),
                    "area_code": "440783100001",
                    "published_on": "2026-12-01",
                    "notice_days": 7,
                    "closed_at": "2026-12-04T12:30:00+00:00",
                },
            ),
            ("notice", str(notice_id), {}),
        ]
        assert intact == (True, None)
    finally:
        await db.dispose()
