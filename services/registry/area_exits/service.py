"""Village and county exit: eligibility under the area's policy, the request, inspection's verdict.

A poor village (贫困村) or a county asks to exit for a year; the registry computes the incidence
from its counters and holds the declared facts against the policy's thresholds. An eligible
request is published for inspection, which opens a sign-off dossier (Gansu: a village by the
township 3, the county 4 and the city 2; a county by the city 2). When every signer signed, the
area is marked exited with that date; a refusal returns the request with the reason kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as inspection
from services.registry.area_exits import events
from services.registry.area_exits.presets import AREA_EXIT_PRESETS
from services.registry.area_exits.repository import (
    AreaExitPolicyRepository,
    AreaExitRequestRepository,
    policy_row,
    to_policy,
)
from services.registry.area_exits.rules import (
    AreaEligibility,
    AreaExitKind,
    AreaExitPolicy,
    AreaFacts,
    CriterionSpec,
    Declared,
    NoAreaExitPolicy,
    assess_area_exit,
    check_declarations,
    resolve_area_exit_policy,
)
from services.registry.area_exits.schemas import (
    AreaExitPolicyIn,
    AreaExitRequestIn,
)
from services.registry.areas import service as area_service
from services.registry.areas.repository import AreaRepository
from services.registry.errors import (
    AreaExitNotApplicable,
    AreaExitNotEligible,
    AreaExitOpen,
    AreaExitPolicyMissing,
    AreaExitPolicyRecordNotFound,
    AreaExitRequestNotFound,
    InvalidAreaExitPolicy,
    InvalidDeclaration,
)
from services.registry.exits import service as exits
from services.registry.models import Area, AreaExitPolicyRow, AreaExitRequest
from services.registry.policies import service as policy_service
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.backdating import check_year_begun
from shared.errors import PreconditionRequired
from shared.events import CloudEvent
from shared.http import check_put_precondition
from shared.repository import Slice

# the criterion a registry record of the year's village collective income is held against
COLLECTIVE_INCOME = "collective_income"
_KIND_ZH = {AreaExitKind.VILLAGE: "贫困村", AreaExitKind.COUNTY: "贫困县"}


def kind_of(area: Area) -> AreaExitKind:
    """A poor village exits as a village (贫困村退出), a county as a county (摘帽); nothing else."""
    if area.level == "village":
        if not area.poor_village:
            raise AreaExitNotApplicable(
                f"{area.code} ({area.name}) is not a poor village (贫困村): only poor villages exit",
                detail_zh=f"{area.code}（{area.name}）不是贫困村，只有贫困村可以申请贫困村退出",
                area_code=area.code,
            )
        return AreaExitKind.VILLAGE
    if area.level == "county":
        return AreaExitKind.COUNTY
    raise AreaExitNotApplicable(
        f"{area.code} is a {area.level}: villages and counties exit, not a {area.level}",
        detail_zh=f"{area.code} 不是村或县：只有贫困村（退出）和县（摘帽）可以申请",
        area_code=area.code,
        level=area.level,
    )


async def resolve(session: AsyncSession, *, area_code: str, year: int, kind: AreaExitKind) -> AreaExitPolicy:
    records = await AreaExitPolicyRepository(session).applicable(area_code=area_code, year=year, kind=kind)
    try:
        return resolve_area_exit_policy(records, area_code=area_code, year=year, kind=kind)
    except NoAreaExitPolicy as exc:
        raise AreaExitPolicyMissing(str(exc), area_code=area_code, year=year, kind=kind.value) from exc


async def seed_presets(*, session: AsyncSession) -> int:
    """Idempotent: adds the seeds' village and county criteria that are not in the table yet."""
    added = await AreaExitPolicyRepository(session).add_missing(AREA_EXIT_PRESETS)
    return await policy_service.audit_seeded(session, "area_exit_policy", added)


async def _rural_population(session: AsyncSession, area: Area) -> int | None:
    if area.rural_population is not None:
        return area.rural_population
    return await AreaRepository(session).village_population(AreaCode.parse(area.code).prefix)


async def _assess(
    session: AsyncSession, area: Area, year: int, declared: dict[str, Declared]
) -> tuple[AreaExitKind, AreaExitPolicy, AreaFacts, AreaEligibility]:
    kind = kind_of(area)
    policy = await resolve(session, area_code=area.code, year=year, kind=kind)
    problems = check_declarations(policy, declared)
    if problems:
        raise InvalidDeclaration(problems)
    repo = AreaExitRequestRepository(session)
    recorded = await repo.collective_income(area.code, year)
    facts = AreaFacts(
        poor_persons=await repo.poor_persons(AreaCode.parse(area.code).prefix),
        rural_population=await _rural_population(session, area),
        declared=declared,
        recorded_amounts={COLLECTIVE_INCOME: recorded} if recorded is not None else {},
    )
    return kind, policy, facts, assess_area_exit(facts, policy)


@dataclass(frozen=True, slots=True)
class Assessment:
    """An area held against its exit policy for a year: the facts used and each criterion's result."""

    area: Area
    kind: AreaExitKind
    year: int
    policy: AreaExitPolicy
    facts: AreaFacts
    result: AreaEligibility


async def eligibility(*, session: AsyncSession, actor: Principal, code: str, year: int) -> Assessment:
    """Each criterion and whether it passed; declared criteria show as not declared yet."""
    area = await area_service.get(session=session, actor=actor, code=code)
    kind, policy, facts, result = await _assess(session, area, year, {})
    return Assessment(area, kind, year, policy, facts, result)


async def request_exit(
    *, session: AsyncSession, actor: Principal, code: str, data: AreaExitRequestIn, today: date
) -> AreaExitRequest:
    area = await area_service.get(session=session, actor=actor, code=code)
    check_year_begun(
        year=data.year, today=today, doing="ask to exit for it", doing_zh="该年度开始后才能申请退出"
    )
    # the area row orders concurrent requests for it (the partial unique indexes back this up)
    await session.refresh(area, with_for_update=True)
    declared = {
        d.criterion: Declared(d.value, tuple(e for e in d.evidence if e.strip()), d.note)
        for d in data.declared
    }
    kind, policy, facts, result = await _assess(session, area, data.year, declared)
    repo = AreaExitRequestRepository(session)
    blocking = await repo.open_or_exited(area.code)
    if blocking is not None:
        what = "is waiting for its sign-off" if blocking.status == "pending" else "has exited"
        what_zh = "的退出申请正在签字审核" if blocking.status == "pending" else "已经退出"
        raise AreaExitOpen(
            f"{area.code} {what} (request {blocking.id}, year {blocking.year})",
            detail_zh=f"{area.code}{what_zh}（申请 {blocking.id}，{blocking.year}年度）",
            exit_request_id=str(blocking.id),
            status=blocking.status,
        )
    if not result.eligible:
        raise AreaExitNotEligible(
            f"{area.code} does not meet the {kind.value} exit standard: "
            + "; ".join(f"{c.criterion}: {c.detail}" for c in result.failures),
            detail_zh=f"{area.code} 未达到{_KIND_ZH[kind]}退出标准，未达标的项目："
            + "；".join(c.label for c in result.failures),
            criteria=result.as_data(),
            policy=f"{policy.area_prefix or 'national'}/{policy.year}",
        )
    req = AreaExitRequest(
        id=uuid.uuid4(),
        area_code=area.code,
        kind=kind.value,
        year=data.year,
        status="pending",
        criteria=result.as_data(),
        policy_source=f"{policy.area_prefix or 'national'}/{policy.year}: {policy.source}",
        poor_persons=facts.poor_persons,
        rural_population=facts.rural_population,
        requested_on=today,
        requested_by=actor.sub,
    )
    await repo.add(req)
    await audit.record_new(
        session, actor, "area.exit_requested", req, "area_code", "kind", "year", "criteria"
    )
    await events.exit_requested(session, area, req)
    return req


async def on_area_exit_verified(session: AsyncSession, event: CloudEvent) -> None:
    """Every signer signed: the village or county has exited, on the day the last one signed."""
    await _decide(session, event, "area.exited", events.exited)


async def on_area_exit_rejected(session: AsyncSession, event: CloudEvent) -> None:
    """A signer refused: the request comes back, returned, with the refusal's reason and step."""
    await _decide(session, event, "area.exit_returned", events.exit_returned)


async def _decide(
    session: AsyncSession,
    event: CloudEvent,
    action: str,
    publish: Callable[[AsyncSession, AreaExitRequest], Awaitable[None]],
) -> None:
    """The pending request closed by the verdict (exits.decide), audited and published."""
    repo = AreaExitRequestRepository(session)
    found = await exits.pending_request(
        event,
        (inspection.AreaExitVerified, inspection.AreaExitRejected),
        lambda request_id: repo.get(request_id, lock=True),
        "an area exit verdict",
    )
    if found is None:
        return
    req, verdict = found
    exits.decide(req, verdict)
    await session.flush()
    after: dict[str, str | None]
    if req.status == "verified":
        after = {"status": "verified", "area_code": req.area_code, "exited_on": str(req.decided_on)}
    else:
        after = {"status": "returned", "reason": req.reason}
    await audit.record(
        session,
        "inspection",
        action,
        ("area_exit_request", req.id),
        before={"status": "pending"},
        after=after,
    )
    await publish(session, req)


async def list_for_area(*, session: AsyncSession, actor: Principal, code: str) -> list[AreaExitRequest]:
    area = await area_service.get(session=session, actor=actor, code=code)
    return await AreaExitRequestRepository(session).for_area(area.code)


async def get_request(*, session: AsyncSession, actor: Principal, request_id: uuid.UUID) -> AreaExitRequest:
    return await AreaExitRequestRepository(session).get_in_area(request_id, actor, AreaExitRequestNotFound)


@dataclass(frozen=True, slots=True)
class ExitStatus:
    """Where an area stands: its verified exit request (if it exited) and one still waiting."""

    area: Area
    kind: AreaExitKind
    exited: AreaExitRequest | None
    pending: AreaExitRequest | None


async def status(*, session: AsyncSession, actor: Principal, code: str) -> ExitStatus:
    area = await area_service.get(session=session, actor=actor, code=code)
    kind = kind_of(area)
    requests = await AreaExitRequestRepository(session).for_area(area.code)
    done = next((r for r in requests if r.status == "verified"), None)
    pending = next((r for r in requests if r.status == "pending"), None)
    return ExitStatus(area, kind, done, pending)


async def page(
    *,
    session: AsyncSession,
    actor: Principal,
    area_code: str | None,
    kind: str | None,
    status_: str | None,
    year: int | None,
    cursor: str | None,
    limit: int,
) -> Slice[AreaExitRequest]:
    prefix = await area_service.scope_prefix(session=session, actor=actor, area_code=area_code)
    return await AreaExitRequestRepository(session).page(
        prefix=prefix, kind=kind, status=status_, year=year, cursor=cursor, limit=limit
    )


# --- policy records (admin) -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """A stored village or county exit policy record and its version (the ETag)."""

    policy: AreaExitPolicy
    version: int


def _audited(policy: AreaExitPolicy, version: int) -> dict[str, Any]:
    """The record as the audit log keeps it (the fields of its GET answer)."""
    return policy_row(policy) | {"version": version}


def _policy_in(data: AreaExitPolicyIn) -> AreaExitPolicy:
    try:
        return AreaExitPolicy(
            area_prefix=data.area_prefix,
            year=data.year,
            kind=data.kind,
            source=data.source,
            criteria=tuple(CriterionSpec(**c.model_dump()) for c in data.criteria),
        )
    except ValueError as exc:
        raise InvalidAreaExitPolicy(str(exc)) from None


async def resolved_policy(
    *, session: AsyncSession, area_code: str, year: int, kind: AreaExitKind
) -> AreaExitPolicy:
    return await resolve(session, area_code=area_service.parse_code(area_code), year=year, kind=kind)


def _on_path(actor: Principal, area_prefix: str) -> bool:
    return area_prefix.startswith(actor.area_prefix) or actor.area_prefix.startswith(area_prefix)


async def get_record(
    *, session: AsyncSession, actor: Principal, area_prefix: str, year: int, kind: AreaExitKind
) -> StoredPolicy:
    row = (
        await AreaExitPolicyRepository(session).by_key(area_prefix, year, kind)
        if _on_path(actor, area_prefix)
        else None
    )
    if row is None:
        raise AreaExitPolicyRecordNotFound(
            f"no {kind.value} exit policy record for {area_prefix or 'national'} in {year} in your area",
            area_prefix=area_prefix,
            year=year,
            kind=kind.value,
        )
    return StoredPolicy(to_policy(row), row.version)


async def put_record(
    *, session: AsyncSession, actor: Principal, data: AreaExitPolicyIn, if_match: str | None
) -> StoredPolicy:
    """Add the record for (prefix, year, kind), or replace it with the ETag you read (If-Match)."""
    policy = _policy_in(data)
    repo = AreaExitPolicyRepository(session)
    row: AreaExitPolicyRow | None = await repo.by_key(data.area_prefix, data.year, data.kind, lock=True)
    check_put_precondition(if_match, row.version if row else None)
    before = _audited(to_policy(row), row.version) if row else None
    if row is None:
        row = await repo.add_new(policy)
        if row is None:  # a concurrent request created it since our read
            raise PreconditionRequired.created_meanwhile(
                "added this policy record",
                "新增了这条政策记录",
                area_prefix=data.area_prefix,
                year=data.year,
                kind=data.kind.value,
            )
    else:
        await repo.replace(row, policy)
    await audit.record(
        session,
        actor,
        "area_exit_policy.put",
        ("area_exit_policy", f"{data.area_prefix}/{data.year}/{data.kind.value}"),
        before=before,
        after=_audited(policy, row.version),
    )
    return StoredPolicy(policy, row.version)
