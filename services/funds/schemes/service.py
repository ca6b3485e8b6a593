"""Scheme versions (policy data) and plans (a scheme applied to an area's registered population)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.rules import counts_in_population
from services.funds.errors import (
    OutsideScheme,
    PairingVillageLevelUnknown,
    PlanBlocked,
    PlanExists,
    PlanNotFound,
    SchemeNotFound,
    TownWithoutAccount,
    outside_your_area,
)
from services.funds.models import Plan, PlanLine, Scheme
from services.funds.policies import service as policies
from services.funds.schemes import rules
from services.funds.schemes.repository import PlanLineRepository, PlanRepository, SchemeRepository
from services.funds.schemes.schemas import SchemeIn, to_rule
from services.funds.sources.repository import AccountRepository
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database
from shared.events.contracts import emit
from shared.repository import Slice

__all__ = [
    "Arrears",
    "PlanView",
    "arrears",
    "create_plan",
    "recompute_plan",
    "create_scheme",
    "get_plan",
    "get_scheme",
    "page_plans",
    "page_schemes",
    "plan_households",
    "plan_lines",
    "read_plan",
    "population_changed",
    "refresh_covering",
    "refresh_job",
    "refresh_within",
]

ACTOR = "funds:plan-refresh"


@dataclass(frozen=True)
class PlanView:
    """A plan with what it says each payer owes per year: (payer, year or None, fen)."""

    plan: Plan
    totals: list[tuple[str, int | None, int]]


@dataclass(frozen=True)
class Arrears:
    """Who has paid in what the plan says they owe, for one payer and year."""

    payer: str
    year: int | None
    owed_fen: int
    received_fen: int

    @property
    def outstanding_fen(self) -> int:
        return self.owed_fen - self.received_fen


async def _view(session: AsyncSession, plan: Plan) -> PlanView:
    return PlanView(plan, await PlanLineRepository(session).totals(plan.id))


async def page_schemes(
    session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int
) -> Slice[Scheme]:
    return await SchemeRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)


async def page_plans(
    session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int
) -> Slice[PlanView]:
    plans = await PlanRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)
    return Slice([await _view(session, p) for p in plans.items], plans.next_cursor)


async def read_plan(session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID) -> PlanView:
    return await _view(session, await get_plan(session, actor=actor, plan_id=plan_id))


async def plan_lines(
    session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID, cursor: str | None, limit: int
) -> Slice[PlanLine]:
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    return await PlanLineRepository(session).page(plan.id, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class PlanHousehold:
    """One household of a plan: what the plan entitles it to, what it has been paid so far."""

    household_id: str
    entitled_fen: int
    disbursed_fen: int

    @property
    def remaining_fen(self) -> int:
        return self.entitled_fen - self.disbursed_fen


async def plan_households(
    session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID, cursor: str | None, limit: int
) -> Slice[PlanHousehold]:
    """The plan's lines summed per household, with what was paid (a stale plan answers with its
    last computation, as its lines do)."""
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    rows = await PlanRepository(session).households(plan, cursor=cursor, limit=limit)
    return Slice([PlanHousehold(*row) for row in rows.items], rows.next_cursor)


async def arrears(session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID) -> list[Arrears]:
    """Money seen to arrive against the plan, per payer and year, next to what the plan says is owed."""
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    received = await PlanRepository(session).received(plan.id)
    return [
        Arrears(payer, year, owed, received.get((payer, year), 0))
        for payer, year, owed in await PlanLineRepository(session).totals(plan.id)
    ]


async def create_scheme(session: AsyncSession, *, actor: Principal, data: SchemeIn) -> Scheme:
    """A new version of a scheme code; earlier versions stay as they were (plans refer to them)."""
    if not actor.covers(data.area_code):
        raise outside_your_area(data.area_code)
    params = data.params.model_dump(mode="json")
    scheme_rule = to_rule(data.code, data.name, params)
    rules.validate_scheme(scheme_rule)
    if isinstance(scheme_rule, rules.PerCapitaScheme):
        standards = policies.per_capita_standards(data.area_code, scheme_rule.years)
        rules.check_per_capita_standard(scheme_rule, standards)
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
    await repo.add(scheme, refresh=True)
    await audit.record(
        session,
        actor,
        "scheme.versioned",
        ("scheme", scheme.id),
        after={"code": scheme.code, "version": version, "params": params},
    )
    return scheme


async def get_scheme(
    session: AsyncSession, *, actor: Principal, scheme_id: uuid.UUID, lock: bool = False
) -> Scheme:
    scheme = await SchemeRepository(session).get(scheme_id, lock=lock)
    if scheme is None or not actor.covers(scheme.area_code):
        raise SchemeNotFound(f"Scheme {scheme_id} does not exist in your area", scheme_id=str(scheme_id))
    return scheme


async def get_plan(session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID) -> Plan:
    plan = await PlanRepository(session).get(plan_id)
    if plan is None or not actor.covers(plan.area_code):
        raise PlanNotFound(f"Plan {plan_id} does not exist in your area", plan_id=str(plan_id))
    return plan


async def plan_years(session: AsyncSession, plan: Plan) -> tuple[int, ...]:
    """The years the plan's scheme plans money for."""
    scheme = await SchemeRepository(session).get(plan.scheme_id)
    assert scheme is not None  # plan.scheme_id is a foreign key
    return rules.years_of(to_rule(scheme.code, scheme.name, scheme.params))


async def create_plan(
    session: AsyncSession, *, actor: Principal, scheme_id: uuid.UUID, area_code: str
) -> PlanView:
    # the scheme row locked: two plans of it for overlapping areas cannot both pass the check below
    scheme = await get_scheme(session, actor=actor, scheme_id=scheme_id, lock=True)
    if not actor.covers(area_code):
        raise outside_your_area(area_code)
    if not area_code.startswith(AreaCode.parse(scheme.area_code).prefix):
        raise OutsideScheme(
            f"Scheme {scheme.code} applies to {scheme.area_code}, not {area_code}",
            detail_zh=f"方案{scheme.code}适用于{scheme.area_code}，不包括{area_code}",
        )
    repo = PlanRepository(session)
    prefix = AreaCode.parse(area_code).prefix
    if (existing := await repo.overlapping(scheme.id, area_code, prefix)) is not None:
        # a household in both plans would be owed, billed and shown on its village board twice
        shared = "" if existing.area_code == area_code else f"，与{area_code}有相同的户，同一户不能计划两次"
        raise PlanExists(
            f"Scheme {scheme.code} v{scheme.version} is already planned for {existing.area_code}",
            detail_zh=f"方案{scheme.code}第{scheme.version}版已为{existing.area_code}制定计划{shared}",
            plan_id=str(existing.id),
            area_code=existing.area_code,
        )
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
    return await _view(session, plan)


async def recompute_plan(session: AsyncSession, *, actor: Principal, plan_id: uuid.UUID) -> PlanView:
    """Recompute a plan now (a finance office after correcting the registry or adding an account);
    refused like a new plan (409 problem) while the population cannot be planned for."""
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    plan = await PlanRepository(session).get(plan.id, lock=True) or plan
    scheme = await SchemeRepository(session).get(plan.scheme_id)
    assert scheme is not None  # plan.scheme_id is a foreign key
    await _recompute(session, plan, scheme, actor=actor)
    plan.stale, plan.blocked = False, None
    await session.flush()
    return await _view(session, plan)


async def population_changed(session: AsyncSession, *, area_code: str, kinds: Sequence[str]) -> None:
    """The registered population of ``area_code`` changed: its plans are recomputed soon (job) or
    at the latest before money is paid against them (``refresh_covering``)."""
    await PlanRepository(session).mark_stale(area_code, kinds)


async def refresh_covering(session: AsyncSession, *, area_code: str, actor: Principal | str) -> None:
    """Bring the plans a payment in ``area_code`` depends on up to date, inside the payment's transaction.
    A plan that cannot be computed is marked ``blocked`` (a payment against it is then refused)."""
    for plan in await PlanRepository(session).stale_covering(area_code):
        try:
            async with session.begin_nested():  # a refused recomputation leaves nothing half-written
                await _refresh(session, plan, actor=actor)
        except PlanBlocked as exc:
            await _block(session, plan, exc)


def check_not_blocked(plan: Plan) -> None:
    """Refuse a payment against a plan whose population cannot be planned for right now."""
    if plan.blocked:
        problem = dict(plan.blocked)
        detail = str(problem.pop("detail", "the plan cannot be computed"))
        slug = str(problem.pop("type", ""))
        error = {c.type_slug: c for c in (PairingVillageLevelUnknown, TownWithoutAccount)}.get(
            slug, PlanBlocked
        )
        raise error(
            f"Plan {plan.id} is blocked: {detail}",
            detail_zh=f"计划{plan.id}暂时无法计算，不能按它拨付：{error.title_zh}。{error.hint_zh}",
            plan_id=str(plan.id),
            **problem,
        )


async def refresh_within(session: AsyncSession, *, area_prefix: str, actor: Principal | str) -> None:
    """Bring every plan of an area up to date (before supervision compares payments with them)."""
    for plan in await PlanRepository(session).stale_within(area_prefix):
        await _refresh(session, plan, actor=actor)


async def refresh_job(db: Database, now: datetime, *, batch: int = 10) -> int:
    """Recompute stale plans, a few per transaction; returns how many (run every few seconds).
    A plan the population cannot be planned for keeps its last lines and shows the problem
    (``blocked``); a payment against it is refused with that problem until it is fixed."""
    done = 0
    while True:
        async with db.transaction() as session:
            plans = await PlanRepository(session).claim_stale(batch)
            for plan in plans:
                try:
                    await _refresh(session, plan, actor=ACTOR)
                except PlanBlocked as exc:
                    await _block(session, plan, exc)
        done += len(plans)
        if len(plans) < batch:
            return done


async def _refresh(session: AsyncSession, plan: Plan, *, actor: Principal | str) -> None:
    scheme = await SchemeRepository(session).get(plan.scheme_id)
    assert scheme is not None  # plan.scheme_id is a foreign key
    await _recompute(session, plan, scheme, actor=actor)
    plan.stale, plan.blocked = False, None
    await session.flush()


async def _block(session: AsyncSession, plan: Plan, exc: PlanBlocked) -> None:
    """The job could not plan: keep the last lines, record the problem (once per change of it)."""
    problem = {"type": exc.type_slug, "detail": exc.detail, **exc.extensions}
    plan.stale = False
    if plan.blocked != problem:
        plan.blocked = problem
        await audit.record(session, ACTOR, "plan.blocked", ("plan", plan.id), after=problem)
    await session.flush()


def _first_year(scheme: rules.Scheme) -> int | None:
    if isinstance(scheme, rules.PerCapitaScheme):
        return min(scheme.years)
    return None


async def _population(session: AsyncSession, plan: Plan, scheme: rules.Scheme) -> rules.Population:
    repo = BeneficiaryRepository(session)
    first_year = _first_year(scheme)
    households = [
        rules.HouseholdRef(b.ref_id, b.member_count, frozenset(b.batches or ()), b.area_code)
        for b in await repo.in_area("household", plan.area_prefix)
        if counts_in_population(b.status, policies_kept_until=b.policies_kept_until, first_year=first_year)
    ]
    villages = [
        rules.VillageRef(b.ref_id, b.category, b.pairing_village, b.name)
        for b in await repo.in_area("village", plan.area_prefix, ["active"])
    ]
    payers = await _town_payers(session, scheme, households)
    return rules.Population(plan.area_code, tuple(households), tuple(villages), payers)


async def _town_payers(
    session: AsyncSession, scheme: rules.Scheme, households: Sequence[rules.HouseholdRef]
) -> dict[str, str]:
    """Each town's account for a per-town sub-share: the one the scheme names, else the town's
    only source account (at the town's own area code). A town with none or several is left out,
    so the plan is refused naming it (TownWithoutAccount)."""
    if not isinstance(scheme, rules.PerCapitaScheme):
        return {}
    per_town = [sub for share in scheme.shares for sub in share.sub_shares if sub.payer_level]
    if not per_town:
        return {}
    named: dict[str, str] = {}
    for sub in per_town:
        named.update(sub.payers)
    towns = {rules.town_of(h.area_code) for h in households} - set(named)
    found = await AccountRepository(session).sources_at(towns)
    return named | {town: codes[0] for town, codes in found.items() if len(codes) == 1}


_LINE_FIELDS = [f.name for f in dataclasses.fields(rules.PlanLine)]


async def _recompute(session: AsyncSession, plan: Plan, scheme: Scheme, *, actor: Principal | str) -> None:
    repo = PlanLineRepository(session)
    rule = to_rule(scheme.code, scheme.name, scheme.params)
    computed = rules.apply_scheme(rule, await _population(session, plan, rule))
    new = [dataclasses.astuple(line) for line in computed.lines]
    old = [tuple(getattr(line, name) for name in _LINE_FIELDS) for line in await repo.of_plan(plan.id)]
    if plan.revision > 0 and new == old:
        return  # nothing the plan says has changed: no new revision, no event
    before = {"total_fen": plan.total_fen, "people": plan.people, "revision": plan.revision}
    await repo.replace(
        plan.id, [PlanLine(plan_id=plan.id, **dataclasses.asdict(line)) for line in computed.lines]
    )
    plan.total_fen, plan.people, plan.revision = computed.total_fen, computed.people, plan.revision + 1
    plan.computed_at = clock.now()
    await session.flush()
    after = {"total_fen": plan.total_fen, "people": plan.people, "revision": plan.revision}
    await audit.record(session, actor, "plan.recomputed", ("plan", plan.id), before=before, after=after)
    years = sorted({line.year for line in computed.lines if line.year is not None})
    await emit(
        session,
        fund_events.PlanRecomputed.model_validate(
            {
                "plan_id": str(plan.id),
                "scheme_code": plan.scheme_code,
                "area_code": plan.area_code,
                "total_fen": plan.total_fen,
                "year": years[0] if years else None,
                "years": years,
                "people": plan.people,
                "revision": plan.revision,
            }
        ),
        subject=str(plan.id),
    )
