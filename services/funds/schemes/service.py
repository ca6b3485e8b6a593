"""Scheme versions (policy data) and plans (a scheme applied to an area's registered population)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.rules import counts_in_population
from services.funds.models import Plan, PlanLine, Scheme
from services.funds.schemes import rules
from services.funds.schemes.events import PLAN_RECOMPUTED
from services.funds.schemes.repository import PlanRepository, SchemeRepository
from services.funds.schemes.schemas import SchemeIn, to_rule
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.events import add_event

__all__ = ["create_plan", "create_scheme", "get_plan", "get_scheme", "recompute_for_area"]


class SchemeNotFound(NotFound):
    type_slug = "scheme-not-found"
    title = "Allocation scheme not found"


class PlanNotFound(NotFound):
    type_slug = "plan-not-found"
    title = "Allocation plan not found"


class PlanExists(Conflict):
    type_slug = "plan-exists"
    title = "This scheme is already planned for this area"


class OutsideScheme(Conflict):
    type_slug = "area-outside-scheme"
    title = "The area is outside the scheme's area"


async def create_scheme(session: AsyncSession, *, actor: Principal, data: SchemeIn) -> Scheme:
    """A new version of a scheme code; earlier versions stay as they were (plans refer to them)."""
    if not actor.covers(data.area_code):
        raise SchemeNotFound(f"Area {data.area_code} is outside your area", area_code=data.area_code)
    params = data.params.model_dump(mode="json")
    rules.validate_scheme(to_rule(data.code, data.name, params))
    repo = SchemeRepository(session)
    version = await repo.latest_version(data.code) + 1
    scheme = Scheme(
        id=uuid.uuid4(),
        code=data.code,
        version=version,
        kind=data.params.kind,
        name=data.name,
        area_code=data.area_code,
        params=params,
    )
    await repo.add(scheme)
    await session.refresh(scheme)
    await audit.record(
        session,
        actor=actor,
        action="scheme.versioned",
        entity_type="scheme",
        entity_id=scheme.id,
        after={"code": scheme.code, "version": version, "params": params},
    )
    return scheme


async def get_scheme(session: AsyncSession, *, actor: Principal, scheme_id: uuid.UUID) -> Scheme:
    scheme = await SchemeRepository(session).get(scheme_id)
    if scheme is None or not actor.covers(scheme.area_code):
        raise SchemeNotFound(f"Scheme {scheme_id} does not exist in your area", scheme_id=str(scheme_id))
    return scheme


async def get_plan(session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID) -> Plan:
    plan = await PlanRepository(session).get(plan_id)
    if plan is None or not actor.covers(plan.area_code):
        raise PlanNotFound(f"Plan {plan_id} does not exist in your area", plan_id=str(plan_id))
    return plan


async def create_plan(
    session: AsyncSession, *, actor: Principal, scheme_id: uuid.UUID, area_code: str
) -> Plan:
    scheme = await get_scheme(session, actor=actor, scheme_id=scheme_id)
    if not actor.covers(area_code):
        raise PlanNotFound(f"Area {area_code} is outside your area", area_code=area_code)
    if not area_code.startswith(AreaCode.parse(scheme.area_code).prefix):
        raise OutsideScheme(f"Scheme {scheme.code} applies to {scheme.area_code}, not {area_code}")
    repo = PlanRepository(session)
    if await repo.for_scheme_area(scheme.id, area_code) is not None:
        raise PlanExists(f"Scheme {scheme.code} v{scheme.version} is already planned for {area_code}")
    plan = Plan(
        id=uuid.uuid4(),
        scheme_id=scheme.id,
        scheme_code=scheme.code,
        scheme_kind=scheme.kind,
        area_code=area_code,
        area_prefix=AreaCode.parse(area_code).prefix,
        total_fen=0,
        people=0,
        revision=0,
    )
    await repo.add(plan)
    await _recompute(session, plan, scheme, actor=actor)
    return plan


async def recompute_for_area(
    session: AsyncSession, *, area_code: str, kinds: Sequence[str], actor: str
) -> None:
    """Recompute every plan whose population includes ``area_code`` (the registered population changed)."""
    schemes = SchemeRepository(session)
    for plan in await PlanRepository(session).covering(area_code, kinds):
        scheme = await schemes.get(plan.scheme_id)
        assert scheme is not None  # plan.scheme_id is a foreign key
        await _recompute(session, plan, scheme, actor=actor)


async def _population(session: AsyncSession, plan: Plan) -> rules.Population:
    repo = BeneficiaryRepository(session)
    households = [
        rules.HouseholdRef(b.ref_id, b.member_count, frozenset(b.batches or ()))
        for b in await repo.in_area("household", plan.area_prefix)
        if counts_in_population(b.status)
    ]
    villages = [
        rules.VillageRef(b.ref_id, b.category)
        for b in await repo.in_area("village", plan.area_prefix, ["active"])
    ]
    return rules.Population(plan.area_code, tuple(households), tuple(villages))


async def _recompute(session: AsyncSession, plan: Plan, scheme: Scheme, *, actor: Principal | str) -> None:
    repo = PlanRepository(session)
    population = await _population(session, plan)
    computed = rules.apply_scheme(to_rule(scheme.code, scheme.name, scheme.params), population)
    new = [
        (ln.component, ln.payer, ln.payee, ln.year, ln.beneficiary_kind, ln.beneficiary_id, ln.amount_fen)
        for ln in computed.lines
    ]
    old = [
        (ln.component, ln.payer, ln.payee, ln.year, ln.beneficiary_kind, ln.beneficiary_id, ln.amount_fen)
        for ln in await repo.lines(plan.id)
    ]
    if plan.revision > 0 and new == old:
        return  # nothing the plan says has changed: no new revision, no event
    before = {"total_fen": plan.total_fen, "people": plan.people, "revision": plan.revision}
    await repo.replace_lines(
        plan.id,
        [
            PlanLine(
                plan_id=plan.id,
                component=c,
                payer=p,
                payee=q,
                year=y,
                beneficiary_kind=k,
                beneficiary_id=b,
                amount_fen=a,
            )
            for c, p, q, y, k, b, a in new
        ],
    )
    plan.total_fen, plan.people, plan.revision = computed.total_fen, computed.people, plan.revision + 1
    plan.computed_at = datetime.now(UTC)
    await session.flush()
    after = {"total_fen": plan.total_fen, "people": plan.people, "revision": plan.revision}
    await audit.record(
        session,
        actor=actor,
        action="plan.recomputed",
        entity_type="plan",
        entity_id=plan.id,
        before=before,
        after=after,
    )
    years = sorted({line[3] for line in new if line[3] is not None})
    await add_event(
        session,
        type=PLAN_RECOMPUTED,
        subject=str(plan.id),
        data={
            "plan_id": str(plan.id),
            "scheme_code": plan.scheme_code,
            "area_code": plan.area_code,
            "total_fen": plan.total_fen,
            "year": years[0] if years else None,
            "years": years,
            "people": plan.people,
            "revision": plan.revision,
        },
    )
