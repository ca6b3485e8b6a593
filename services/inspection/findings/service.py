"""Use cases of findings: raise, rectify, verify, escalate. One call = one transaction; flush only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.errors import FindingNotFound, NotYourStep, missing_in_your_area
from services.inspection.findings import events, rules
from services.inspection.findings.repository import AccountabilityRepository, FindingRepository
from services.inspection.findings.schemas import FindingIn, RectificationIn
from services.inspection.models import AccountabilityRecord, Finding, Rectification
from services.inspection.policies import presets
from shared import audit, cadres
from shared.auth import Principal
from shared.clock import clock
from shared.errors import InvalidInput
from shared.repository import Slice

# Who may report a rectification: the staff of the responsible unit, whatever office they sit in.
RECTIFIER_ROLES = ("cadre", "approver", "registrar", "finance", "admin")
VERIFIER_ROLES = ("inspector", "admin")


def _state(f: Finding) -> rules.RectificationState:
    return rules.RectificationState(f.status, f.deadline, f.submitted_on)


# What the audit trail keeps of a finding's state, before and after each step.
AUDITED = ("status", "deadline", "submitted_on", "verified_on")


def _snapshot(f: Finding) -> dict[str, Any]:
    return {name: getattr(f, name) for name in AUDITED}


async def _load(
    repo: FindingRepository, actor: Principal, finding_id: uuid.UUID, lock: bool = False
) -> Finding:
    f = await repo.get(finding_id, lock=lock)
    own = await cadres.cadre_households(repo.session, actor)
    if (
        f is None
        or not actor.covers(f.area_code)
        or (own is not None and await repo.about_other_households(f.id, own))
    ):
        raise missing_in_your_area(FindingNotFound, "Finding", "问题", finding_id=finding_id)
    return f


def opened(
    fields: dict[str, Any],
    *,
    raised_on: date,
    raised_by: Principal | str,
    inspection_id: uuid.UUID | None = None,
) -> Finding:
    """A new open finding from what it says (area, category, severity, title, unit, deadline, ...),
    whether an inspector wrote it or another service's signal raised it."""
    return Finding(
        **fields,
        inspection_id=inspection_id,
        raised_on=raised_on,
        status="open",
        raised_by=raised_by.sub if isinstance(raised_by, Principal) else raised_by,
    )


async def announce_raised(
    session: AsyncSession, actor: Principal | str, finding: Finding, *, after: dict[str, Any]
) -> None:
    """The event and the audit row of a finding just raised."""
    await events.publish_raised(session, finding)
    await audit.record(session, actor, "finding.raised", ("finding", finding.id), after=after)


async def raise_finding(
    *,
    session: AsyncSession,
    actor: Principal | str,
    data: FindingIn,
    inspection_id: uuid.UUID | None,
    today: date,
) -> Finding:
    rules.CATEGORY.check(data.category)
    rules.SEVERITY.check(data.severity)
    deadline = data.deadline or rules.deadline_for(today, data.severity, presets.RECTIFICATION_DAYS)
    if deadline < today:
        raise InvalidInput(
            "A rectification deadline cannot lie in the past.",
            detail_zh="整改期限不能早于今天",
            deadline=deadline,
        )
    fields = {**data.model_dump(), "deadline": deadline}
    finding = await FindingRepository(session).add(
        opened(fields, inspection_id=inspection_id, raised_on=today, raised_by=actor)
    )
    await announce_raised(session, actor, finding, after=fields)
    return finding


@dataclass(frozen=True)
class FindingRecord:
    """A finding with its rectification reports and the accountability records it led to."""

    finding: Finding
    rectifications: list[Rectification]
    accountability: list[AccountabilityRecord]


async def get(*, session: AsyncSession, actor: Principal, finding_id: uuid.UUID) -> FindingRecord:
    repo = FindingRepository(session)
    f = await _load(repo, actor, finding_id)
    return FindingRecord(
        f, await repo.rectifications(f.id), await AccountabilityRepository(session).for_finding(f.id)
    )


async def list_page(
    *,
    session: AsyncSession,
    actor: Principal,
    status: str | None,
    inspection_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
    today: date,
    overdue_only: bool = False,
) -> Slice[Finding]:
    return await FindingRepository(session).page(
        prefix=actor.area_prefix,
        status=status,
        inspection_id=inspection_id,
        cursor=cursor,
        limit=limit,
        late_on=today if overdue_only else None,
        households=await cadres.cadre_households(session, actor),
    )


async def submit_rectification(
    *, session: AsyncSession, actor: Principal, finding_id: uuid.UUID, data: RectificationIn, today: date
) -> FindingRecord:
    if not actor.has_role(*RECTIFIER_ROLES):
        raise NotYourStep(
            "Rectification reports come from the responsible unit's staff.",
            detail_zh="整改情况由责任单位的工作人员报告",
        )
    repo = FindingRepository(session)
    f = await _load(repo, actor, finding_id, lock=True)
    before = _snapshot(f)
    f.status = rules.next_status(f.status, "submit")
    f.submitted_on = today
    await repo.add_rectification(
        Rectification(
            finding_id=f.id,
            submitted_on=today,
            report=data.report,
            evidence=[e.model_dump() for e in data.evidence],
            submitted_by=actor.sub,
            outcome="pending",
        )
    )
    await audit.record(
        session,
        actor,
        "finding.rectification_submitted",
        ("finding", f.id),
        before=before,
        after=_snapshot(f),
    )
    return await get(session=session, actor=actor, finding_id=f.id)


async def verify(
    *,
    session: AsyncSession,
    actor: Principal,
    finding_id: uuid.UUID,
    accepted: bool,
    note: str,
    today: date,
    fake: bool = False,
) -> FindingRecord:
    if not actor.has_role(*VERIFIER_ROLES):
        raise NotYourStep("Only an inspector verifies a rectification.", detail_zh="只有督查人员才能验收整改")
    rules.check_verification(accepted, note, fake)
    repo = FindingRepository(session)
    f = await _load(repo, actor, finding_id, lock=True)
    before = _snapshot(f)
    f.status = rules.next_status(f.status, "accept" if accepted else "reject")
    pending = await repo.pending_rectification(f.id)
    if pending is not None:
        pending.outcome = "accepted" if accepted else "rejected"
        pending.verified_by, pending.verified_on, pending.verification_note = actor.sub, today, note or None
    if accepted:
        f.verified_on = today
        await events.publish_rectified(session, f)
    if fake:
        await _hold_to_account(
            session, f, rules.FAKE_RECTIFICATION_KIND, today, rules.fake_rectification_reason(f.title, note)
        )
    await audit.record(
        session,
        actor,
        "finding.verified" if accepted else "finding.rectification_rejected",
        ("finding", f.id),
        before=before,
        after={**_snapshot(f), "note": note},
    )
    await session.flush()
    return await get(session=session, actor=actor, finding_id=f.id)


async def _hold_to_account(
    session: AsyncSession, f: Finding, kind: str, today: date, reason: str
) -> AccountabilityRecord | None:
    """One record per (finding, kind, subject); published and audited when it is new."""
    record = AccountabilityRecord(
        id=uuid.uuid4(),
        area_code=f.area_code,
        kind=kind,
        subject=rules.subject_for(kind, f.responsible_unit, f.responsible_person),
        reason=reason,
        origin=f"finding:{f.id}",
        finding_id=f.id,
        issued_on=today,
        created_at=clock.now(),
    )
    if not await AccountabilityRepository(session).add_once(record):
        return None
    await events.publish_accountability(session, record)
    await audit.record(
        session,
        "inspection:accountability",
        "accountability.recorded",
        ("finding", f.id),
        after={"kind": kind, "subject": record.subject, "reason": reason},
    )
    return record


async def escalate_overdue(
    *, session: AsyncSession, today: date, after: tuple[date, uuid.UUID] | None = None, batch: int = 500
) -> tuple[list[AccountabilityRecord], tuple[date, uuid.UUID] | None]:
    """Give late findings the accountability records their lateness has earned, once each, one
    batch after ``after``; returns the records and where the next batch starts (None: done)."""
    records = AccountabilityRepository(session)
    created: list[AccountabilityRecord] = []
    candidates = await FindingRepository(session).overdue_candidates(today, after, batch)
    for f in candidates:
        already = await records.kinds_for_finding(f.id)
        for kind in rules.due_escalations(_state(f), today, presets.ESCALATION_LADDER, already):
            reason = rules.overdue_reason(f.title, rules.days_overdue(_state(f), today), f.deadline)
            record = await _hold_to_account(session, f, kind, today, reason)
            if record is not None:
                created.append(record)
    last = candidates[-1] if len(candidates) == batch else None
    return created, (last.deadline, last.id) if last else None


async def list_accountability(
    *, session: AsyncSession, actor: Principal, kind: str | None, cursor: str | None, limit: int
) -> Slice[AccountabilityRecord]:
    return await AccountabilityRepository(session).page(
        prefix=actor.area_prefix, kind=kind, cursor=cursor, limit=limit
    )
