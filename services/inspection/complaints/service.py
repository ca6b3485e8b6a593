"""Use cases of the 12317 line: intake, triage or dismissal, assignment, resolution, statistics."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.complaints import rules
from services.inspection.complaints.repository import ComplaintRepository
from services.inspection.complaints.schemas import ComplaintIn
from services.inspection.errors import (
    AreaOutsideScope,
    ComplaintNotFound,
    NotTheHandler,
    missing_in_your_area,
)
from services.inspection.models import Complaint
from services.inspection.policies import presets
from shared import audit
from shared.auth import Principal
from shared.backdating import check_not_future
from shared.errors import InvalidInput
from shared.pii import PiiCipher
from shared.repository import Slice


def _facts(c: Complaint) -> rules.ComplaintFacts:
    return rules.ComplaintFacts(c.status, c.category, c.deadline, c.resolved_on)


@dataclass(frozen=True)
class Complainant:
    """Who complained, decrypted for a reader whose role may see it."""

    name: str
    phone: str | None


@dataclass(frozen=True)
class ComplaintRecord:
    """A complaint and, for a handler, its complainant (None when anonymous or not theirs to see)."""

    complaint: Complaint
    complainant: Complainant | None


def _record(c: Complaint, viewer: Principal, cipher: PiiCipher) -> ComplaintRecord:
    who = None
    if c.complainant_name_enc and rules.complainant_visible(viewer.roles):
        phone = cipher.decrypt(c.complainant_phone_enc) if c.complainant_phone_enc else None
        who = Complainant(name=cipher.decrypt(c.complainant_name_enc), phone=phone)
    return ComplaintRecord(c, who)


# What a complaint keeps as the complainant gave it (the person is kept encrypted, the day defaulted).
AS_GIVEN = {"area_code", "category", "summary", "details", "anonymous"}
# What the audit trail keeps of a complaint's state. Never the complainant: the audit log is read
# more widely than the complaint itself.
AUDITED = ("status", "urgency", "deadline", "assigned_to")


def _snapshot(c: Complaint) -> dict[str, Any]:
    return {name: getattr(c, name) for name in AUDITED}


def _require_handler(actor: Principal) -> None:
    if not rules.complainant_visible(actor.roles):
        raise NotTheHandler(
            f"This step needs the role {rules.HANDLER_ROLE}.",
            detail_zh="分级、交办、办结和不予受理须由12317举报承办人办理；您的账号没有承办人角色，"
            "请承办人办理，或请管理员为承办人的账号开通该角色",
            required_roles=[rules.HANDLER_ROLE],
        )


async def _load(
    repo: ComplaintRepository, actor: Principal, complaint_id: uuid.UUID, lock: bool = False
) -> Complaint:
    c = await repo.get(complaint_id, lock=lock)
    if c is None or not actor.covers(c.area_code):
        raise missing_in_your_area(ComplaintNotFound, "Complaint", "举报", complaint_id=complaint_id)
    return c


async def intake(
    *, session: AsyncSession, actor: Principal, data: ComplaintIn, cipher: PiiCipher, today: date
) -> ComplaintRecord:
    rules.CATEGORY.check(data.category)
    if not actor.covers(data.area_code):
        raise AreaOutsideScope(
            "The complaint's area lies outside your area.",
            detail_zh="举报所涉地区不在本辖区内",
            area_code=data.area_code,
        )
    if data.received_on is not None:  # the day the line took it: it has happened (China date)
        check_not_future(field="received_on", on=data.received_on, today=today, label_zh="受理日期")
    person = data.complainant
    c = await ComplaintRepository(session).add(
        Complaint(
            **data.model_dump(include=AS_GIVEN),
            status="received",
            received_on=data.received_on or today,
            complainant_name_enc=cipher.encrypt(person.name) if person else None,
            complainant_phone_enc=cipher.encrypt(person.phone) if person and person.phone else None,
        )
    )
    await audit.record(
        session,
        actor,
        "complaint.received",
        ("complaint", c.id),
        after={**_snapshot(c), "category": c.category, "anonymous": c.anonymous},
    )
    return _record(c, actor, cipher)


async def get(
    *, session: AsyncSession, actor: Principal, complaint_id: uuid.UUID, cipher: PiiCipher
) -> ComplaintRecord:
    c = await _load(ComplaintRepository(session), actor, complaint_id)
    if c.complainant_name_enc and rules.complainant_visible(actor.roles):
        # Every full read of personal data is audited.
        await audit.record(session, actor, "complaint.complainant_read", ("complaint", c.id))
    return _record(c, actor, cipher)


async def list_page(
    *,
    session: AsyncSession,
    actor: Principal,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Complaint]:
    """Lists never carry the complainant, even for the handler: open one complaint to see it."""
    return await ComplaintRepository(session).page(
        prefix=actor.area_prefix, status=status, cursor=cursor, limit=limit
    )


async def act(
    *,
    session: AsyncSession,
    actor: Principal,
    complaint_id: uuid.UUID,
    action: str,
    value: str,
    cipher: PiiCipher,
    today: date,
) -> ComplaintRecord:
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
        actor,
        f"complaint.{action}",
        ("complaint", c.id),
        before=before,
        after={**_snapshot(c), "note": value},
    )
    return _record(c, actor, cipher)


async def statistics(
    *, session: AsyncSession, actor: Principal, since: date | None, until: date | None, today: date
) -> rules.ComplaintStats:
    if since is not None and until is not None and until < since:
        raise InvalidInput(
            f"until {until} lies before since {since}: no day is counted; swap them",
            detail_zh=f"统计截止日期 {until} 早于起始日期 {since}，请核对（没有任何一天在这个范围内）",
            since=since.isoformat(),
            until=until.isoformat(),
        )
    rows = await ComplaintRepository(session).received_between(actor.area_prefix, since, until)
    return rules.statistics([_facts(c) for c in rows], today)
