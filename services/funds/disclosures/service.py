"""Public notices of a village's funds and projects (公告公示)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.disclosures import rules
from services.funds.disclosures.repository import DisclosureRepository, ObjectionRepository
from services.funds.disclosures.schemas import NoticeIn
from services.funds.errors import (
    NotAVillage,
    NoticeNotFound,
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    outside_your_area,
)
from services.funds.models import Notice, Objection
from services.funds.policies import service as policies
from services.funds.policies.presets import DisclosurePolicy
from shared import audit
from shared.areas import AreaCode, AreaLevel, InvalidAreaCode
from shared.auth import Principal
from shared.backdating import check_entered_date
from shared.clock import clock
from shared.errors import InvalidInput
from shared.events.contracts import emit
from shared.repository import Slice

__all__ = [
    "NoticeOnBoard",
    "close",
    "get_visible",
    "lodge_objection",
    "page_public",
    "publish",
    "read",
    "read_public",
    "resolve_objection",
]


@dataclass(frozen=True)
class NoticeOnBoard:
    """A notice as it reads on a day: its objections and its state (running, ended, ...)."""

    notice: Notice
    objections: list[Objection]
    state: str
    ends_on: date


async def _on_board(session: AsyncSession, notice: Notice, today: date) -> NoticeOnBoard:
    objections = await ObjectionRepository(session).of_notice(notice.id)
    ends = rules.ends_on(notice.published_on, notice.notice_days)
    return NoticeOnBoard(notice, objections, state_of(notice, today), ends)


async def _board(session: AsyncSession, area_code: str) -> dict[str, Any]:
    """What the board shows: masked head names, member counts, amounts; never IDs of people."""
    repo = DisclosureRepository(session)
    planned, paid = await repo.village_funds(area_code)
    return {
        "village_funds": {"planned_fen": planned, "disbursed_fen": paid},
        "households": [
            {
                "head_name_masked": b.name,
                "member_count": b.member_count,
                "entitlement_fen": e,
                "disbursed_fen": p,
            }
            for b, e, p in await repo.village_households(area_code)
        ],
        "projects": [
            {"name": p.name, "category": p.category, "budget_fen": p.budget_fen, "status": p.status}
            for p in await repo.village_projects(area_code)
        ],
    }


def _late_entry(
    actor: Principal, data: NoticeIn, *, today: date, policy: DisclosurePolicy
) -> dict[str, Any] | None:
    """The notice period counts from published_on: not in the future, late only with reason + role.
    A late date is kept (and shown on the board) with when, how late and why it was entered."""
    late = check_entered_date(
        field="published_on",
        label_zh="公示日期",
        on=data.published_on,
        today=today,
        not_before=None,
        not_before_what="",
        tolerance_days=policy.backdate_tolerance_days,
        reason=data.backdate_reason,
        roles=actor.roles,
    )
    if late is None:
        return None
    return {
        "entered_date": late.entered_date.isoformat(),
        "recorded_on": late.recorded_on.isoformat(),
        "days_late": late.days_late,
        "reason": late.reason,
        "recorded_by": actor.actor,
    }


async def publish(
    session: AsyncSession,
    *,
    actor: Principal,
    data: NoticeIn,
    today: date,
    policy: DisclosurePolicy | None = None,
) -> NoticeOnBoard:
    if not actor.covers(data.area_code):
        raise outside_your_area(data.area_code)
    if AreaCode.parse(data.area_code).level != AreaLevel.VILLAGE:
        raise NotAVillage(
            f"{data.area_code} is not a village code",
            detail_zh=f"{data.area_code}不是村级代码；公示须按村张贴",
        )
    policy = policy or policies.disclosure_policy(data.area_code)
    rules.check_notice_days(data.notice_days, policy.notice_days)
    late = _late_entry(actor, data, today=today, policy=policy)
    notice = Notice(
        id=uuid.uuid4(),
        **data.model_dump(exclude={"backdate_reason"}),
        content=await _board(session, data.area_code),
        late_entry=late,
    )
    await DisclosureRepository(session).add(notice)
    ends = rules.ends_on(notice.published_on, notice.notice_days)
    after = {
        "area_code": notice.area_code,
        "published_on": notice.published_on.isoformat(),
        "ends_on": ends.isoformat(),
    }
    await audit.record(
        session,
        actor,
        "notice.published",
        ("notice", notice.id),
        after={**after, "content": notice.content, "late_entry": notice.late_entry},
    )
    await emit(
        session,
        fund_events.NoticePublished.model_validate({"notice_id": str(notice.id), **after}),
        subject=str(notice.id),
    )
    return await _on_board(session, notice, today)


async def get_visible(
    session: AsyncSession, *, actor: Principal, notice_id: uuid.UUID, lock: bool = False
) -> Notice:
    missing = NoticeNotFound(f"Notice {notice_id} does not exist in your area")
    return await DisclosureRepository(session).get_in_area(notice_id, actor, missing, lock=lock)


async def read(
    session: AsyncSession, *, actor: Principal, notice_id: uuid.UUID, today: date
) -> NoticeOnBoard:
    return await _on_board(session, await get_visible(session, actor=actor, notice_id=notice_id), today)


async def read_public(session: AsyncSession, *, notice_id: uuid.UUID, today: date) -> NoticeOnBoard:
    """No login: any notice, as the village board shows it."""
    notice = await DisclosureRepository(session).get(notice_id)
    if notice is None:
        raise NoticeNotFound(f"Notice {notice_id} does not exist")
    return await _on_board(session, notice, today)


async def page_public(
    session: AsyncSession, *, area_code: str, today: date, cursor: str | None, limit: int
) -> Slice[NoticeOnBoard]:
    """No login: the notices of a village (or of every village under a town or county)."""
    try:
        prefix = AreaCode.parse(area_code).prefix
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), detail_zh=exc.zh) from exc
    notices = await DisclosureRepository(session).page(area_prefix=prefix, cursor=cursor, limit=limit)
    return Slice([await _on_board(session, n, today) for n in notices.items], notices.next_cursor)


def state_of(notice: Notice, today: date) -> str:
    return rules.notice_state(
        published_on=notice.published_on,
        notice_days=notice.notice_days,
        closed=notice.closed_at is not None,
        today=today,
    )


async def lodge_objection(
    session: AsyncSession, *, actor: Principal, notice_id: uuid.UUID, text: str, today: date
) -> Objection:
    notice = await get_visible(session, actor=actor, notice_id=notice_id, lock=True)
    rules.check_objection_allowed(
        published_on=notice.published_on,
        notice_days=notice.notice_days,
        closed=notice.closed_at is not None,
        today=today,
    )
    objection = Objection(id=uuid.uuid4(), notice_id=notice.id, lodged_on=today, text=text, status="open")
    await ObjectionRepository(session).add(objection)
    await audit.record(
        session,
        actor,
        "objection.lodged",
        ("notice", notice.id),
        after={"objection_id": str(objection.id), "lodged_on": today.isoformat()},
    )
    return objection


async def resolve_objection(
    session: AsyncSession, *, actor: Principal, notice_id: uuid.UUID, objection_id: uuid.UUID, resolution: str
) -> Objection:
    await get_visible(session, actor=actor, notice_id=notice_id, lock=True)
    objection = await ObjectionRepository(session).on_notice(notice_id, objection_id)
    if objection is None:
        raise ObjectionNotFound(f"Objection {objection_id} is not on notice {notice_id}")
    if objection.status != "open":
        raise ObjectionAlreadyResolved("The objection is resolved already", detail_zh="该异议已处理")
    objection.status, objection.resolution = "resolved", resolution
    await session.flush()
    await audit.record(
        session,
        actor,
        "objection.resolved",
        ("notice", notice_id),
        before={"objection_id": str(objection_id), "status": "open"},
        after={"objection_id": str(objection_id), "status": "resolved", "resolution": resolution},
    )
    return objection


async def close(
    session: AsyncSession, *, actor: Principal, notice_id: uuid.UUID, today: date
) -> NoticeOnBoard:
    notice = await get_visible(session, actor=actor, notice_id=notice_id, lock=True)
    objections = await ObjectionRepository(session).of_notice(notice.id)
    rules.can_close(
        published_on=notice.published_on,
        notice_days=notice.notice_days,
        closed=notice.closed_at is not None,
        today=today,
        objection_statuses=[o.status for o in objections],
    )
    await audit.record_update(
        session, actor, "notice.closed", ("notice", notice.id), notice, closed_at=clock.now()
    )
    await emit(
        session,
        fund_events.NoticeClosed.model_validate(
            {"notice_id": str(notice.id), "area_code": notice.area_code, "objections": len(objections)}
        ),
        subject=str(notice.id),
    )
    return NoticeOnBoard(
        notice, objections, state_of(notice, today), rules.ends_on(notice.published_on, notice.notice_days)
    )
