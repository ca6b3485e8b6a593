"""Use cases of the 12317 line: intake, triage or dismissal, assignment, resolution, statistics."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.complaints import rules
from services.inspection.complaints.repository import ComplaintRepository
from services.inspection.complaints.schemas import ComplainantIn, ComplaintIn, ComplaintOut, ComplaintStatsOut
from services.inspection.models import Complaint
from services.inspection.paging import after_key, next_cursor
from services.inspection.policies import presets
from shared import audit
from shared.auth import Principal
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.pagination import Page
from shared.pii import PiiCipher


class ComplaintNotFound(NotFound):
    type_slug = "complaint-not-found"
    title = "Complaint not found"
    title_zh = "未找到该举报"
    hint_zh = "检查举报编号"
    hint_en = "Check the complaint id"


class NotTheHandler(Forbidden):
    type_slug = "complaint-handler-only"
    title = "Only the complaint handler takes this step"
    title_zh = "只有承办人才能办理这一步"
    hint_zh = "请该举报的承办人办理"
    hint_en = "Ask the complaint's handler"


def _facts(c: Complaint) -> rules.ComplaintFacts:
    return rules.ComplaintFacts(c.status, c.category, c.deadline, c.resolved_on)


def _out(c: Complaint, viewer: Principal, cipher: PiiCipher, today: date) -> ComplaintOut:
    who = None
    if c.complainant_name_enc and rules.complainant_visible(viewer.roles):
        phone = cipher.decrypt(c.complainant_phone_enc) if c.complainant_phone_enc else None
        who = ComplainantIn(name=cipher.decrypt(c.complainant_name_enc), phone=phone)
    return ComplaintOut(
        id=c.id,
        area_code=c.area_code,
        category=c.category,
        summary=c.summary,
        details=c.details,
        channel=c.channel,
        anonymous=c.anonymous,
        complainant=who,
        status=c.status,
        urgency=c.urgency,
        received_on=c.received_on,
        deadline=c.deadline,
        overdue=rules.is_overdue(_facts(c), today),
        assigned_to=c.assigned_to,
        resolution=c.resolution,
        resolved_on=c.resolved_on,
        created_at=c.created_at,
    )


def _snapshot(c: Complaint) -> dict[str, Any]:
    # Never the complainant: the audit log is read more widely than the complaint itself.
    return {"status": c.status, "urgency": c.urgency, "deadline": c.deadline, "assigned_to": c.assigned_to}


def _require_handler(actor: Principal) -> None:
    if not rules.complainant_visible(actor.roles):
        raise NotTheHandler(f"This step needs the role {rules.HANDLER_ROLE}.")


async def _load(
    repo: ComplaintRepository, actor: Principal, complaint_id: uuid.UUID, lock: bool = False
) -> Complaint:
    c = await repo.get(complaint_id, lock=lock)
    if c is None or not actor.covers(c.area_code):
        raise ComplaintNotFound(
            f"Complaint {complaint_id} does not exist in your area.", complaint_id=complaint_id
        )
    return c


async def intake(
    *, session: AsyncSession, actor: Principal, data: ComplaintIn, cipher: PiiCipher, today: date
) -> ComplaintOut:
    if data.category not in rules.CATEGORIES:
        raise InvalidInput(
            f"Unknown category {data.category!r}.",
            detail_zh=f"举报类别“{data.category}”不对，请从举报类别中选择",
            allowed=list(rules.CATEGORIES),
        )
    if not actor.covers(data.area_code):
        raise InvalidInput(
            "The complaint's area lies outside your area.",
            detail_zh="举报所涉地区不在本辖区内",
            area_code=data.area_code,
        )
    person = data.complainant
    c = await ComplaintRepository(session).add(
        Complaint(
            area_code=data.area_code,
            category=data.category,
            summary=data.summary,
            details=data.details,
            anonymous=data.anonymous,
            status="received",
            received_on=data.received_on or today,
            complainant_name_enc=cipher.encrypt(person.name) if person else None,
            complainant_phone_enc=cipher.encrypt(person.phone) if person and person.phone else None,
        )
    )
    await audit.record(
        session,
        actor=actor,
        action="complaint.received",
        entity_type="complaint",
        entity_id=c.id,
        after={**_snapshot(c), "category": c.category, "anonymous": c.anonymous},
    )
    return _out(c, actor, cipher, today)


async def get(
    *, session: AsyncSession, actor: Principal, complaint_id: uuid.UUID, cipher: PiiCipher, today: date
) -> ComplaintOut:
    c = await _load(ComplaintRepository(session), actor, complaint_id)
    if c.complainant_name_enc and rules.complainant_visible(actor.roles):
        # Every full read of personal data is audited.
        await audit.record(
            session, actor=actor, action="complaint.complainant_read", entity_type="complaint", entity_id=c.id
        )
    return _out(c, actor, cipher, today)


async def list_page(
    *,
    session: AsyncSession,
    actor: Principal,
    status: str | None,
    cursor: str | None,
    limit: int,
    cipher: PiiCipher,
    today: date,
) -> Page[ComplaintOut]:
    rows = await ComplaintRepository(session).page(
        prefix=actor.area_prefix, status=status, after=after_key(cursor), limit=limit + 1
    )
    # Lists never carry the complainant, even for the handler: open one complaint to see it.
    items = [_out(c, actor, cipher, today).model_copy(update={"complainant": None}) for c in rows[:limit]]
    return Page(items=items, next_cursor=next_cursor(rows, limit))


async def act(
    *,
    session: AsyncSession,
    actor: Principal,
    complaint_id: uuid.UUID,
    action: str,
    value: str,
    cipher: PiiCipher,
    today: date,
) -> ComplaintOut:
    """triage (value = urgency), dismiss (reason), assign (assignee), resolve (resolution)."""
    _require_handler(actor)
    repo = ComplaintRepository(session)
    c = await _load(repo, actor, complaint_id, lock=True)
    before = _snapshot(c)
    c.status = rules.next_status(c.status, action)
    if action == "triage":
        c.urgency, c.deadline = value, rules.deadline_for(today, value, presets.COMPLAINT_DAYS)
    elif action == "dismiss":
        c.resolution, c.resolved_on = value, today
    elif action == "assign":
        c.assigned_to = value
    elif action == "resolve":
        c.resolution, c.resolved_on = value, today
    await audit.record(
        session,
        actor=actor,
        action=f"complaint.{action}",
        entity_type="complaint",
        entity_id=c.id,
        before=before,
        after={**_snapshot(c), "note": value},
    )
    return _out(c, actor, cipher, today)


async def statistics(
    *, session: AsyncSession, actor: Principal, since: date | None, until: date | None, today: date
) -> ComplaintStatsOut:
    rows = await ComplaintRepository(session).received_between(actor.area_prefix, since, until)
    s = rules.statistics([_facts(c) for c in rows], today)
    return ComplaintStatsOut(
        area_prefix=actor.area_prefix,
        since=since,
        until=until,
        total=s.total,
        by_status=s.by_status,
        by_category=s.by_category,
        overdue=s.overdue,
        resolved=s.resolved,
        resolved_on_time=s.resolved_on_time,
    )
