"""Roll-ups read maintained counters (a few rows per area), never a scan of households."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import service as area_service
from services.registry.areas.repository import AreaRepository
from services.registry.households.repository import HouseholdRepository
from services.registry.models import Area, RollupCounter
from services.registry.policies import service as policy_service
from services.registry.rollups.repository import RollupRepository
from services.registry.rollups.rules import PYRAMID, incidence_bp, meets_incidence_threshold
from services.registry.rollups.schemas import Count, HouseholdTarget, PyramidOut, RollupOut, VillageChartsOut
from services.registry.vocabulary import POOR_STATUSES
from shared.areas import AreaCode
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.pii import mask_name

MAX_VILLAGE_TARGETS = 2_000


def _by(counters: list[RollupCounter], dimension: str) -> dict[str, Count]:
    return {
        c.key: Count(households=c.households, persons=c.persons)
        for c in sorted(counters, key=lambda c: c.key)
        if c.dimension == dimension and (c.households or c.persons)
    }


async def _summary(session: AsyncSession, area: Area, counters: list[RollupCounter], year: int) -> RollupOut:
    prefix = AreaCode.parse(area.code).prefix
    statuses = _by(counters, "status")
    poor = [statuses[s.value] for s in POOR_STATUSES if s.value in statuses]
    poor_persons = sum(c.persons for c in poor)
    rural = area.rural_population
    if rural is None:
        rural = await AreaRepository(session).village_population(prefix)
    policy = await policy_service.resolve(session=session, area_code=area.code, year=year)
    threshold = policy.exit_incidence_threshold_bp
    return RollupOut(
        area_code=area.code,
        area_name=area.name,
        level=area.level,
        pyramid_level=PYRAMID[area.level],
        by_status=statuses,
        by_cause=_by(counters, "cause"),
        by_batch=_by(counters, "batch"),
        entries_by_year=_by(counters, "entries"),
        exits_by_year=_by(counters, "exits"),
        poor_households=sum(c.households for c in poor),
        poor_persons=poor_persons,
        rural_population=rural,
        incidence_bp=incidence_bp(poor_persons, rural),
        exit_incidence_threshold_bp=threshold,
        meets_exit_incidence=meets_incidence_threshold(poor_persons, rural, threshold) if rural else None,
    )


async def rollup(*, session: AsyncSession, actor: Principal, code: str, year: int) -> RollupOut:
    area = await area_service.get(session=session, actor=actor, code=code)
    counters = await RollupRepository(session).for_prefix(AreaCode.parse(area.code).prefix)
    return await _summary(session, area, counters, year)


async def pyramid(*, session: AsyncSession, actor: Principal, code: str, year: int) -> PyramidOut:
    """An area's own roll-up and each child's: the six-level pyramid read at any level."""
    area = await area_service.get(session=session, actor=actor, code=code)
    kids = await AreaRepository(session).children(area.code)
    prefixes = {AreaCode.parse(k.code).prefix: k for k in kids}
    own_prefix = AreaCode.parse(area.code).prefix
    rows = await RollupRepository(session).for_prefixes([own_prefix, *prefixes], "status")
    rows += [r for r in await RollupRepository(session).for_prefix(own_prefix) if r.dimension != "status"]
    grouped: dict[str, list[RollupCounter]] = {}
    for r in rows:
        grouped.setdefault(r.area_prefix, []).append(r)
    return PyramidOut(
        area=await _summary(session, area, grouped.get(own_prefix, []), year),
        children=[await _summary(session, k, grouped.get(p, []), year) for p, k in prefixes.items()],
    )


async def village_charts(
    *, session: AsyncSession, actor: Principal, code: str, year: int
) -> VillageChartsOut:
    area = await area_service.get(session=session, actor=actor, code=code)
    if area.level != "village":
        raise InvalidInput(f"the five charts are kept per village; {area.code} is a {area.level}")
    summary = await rollup(session=session, actor=actor, code=code, year=year)
    in_out: dict[str, dict[str, Count]] = {}
    for kind, counts in (("entries", summary.entries_by_year), ("exits", summary.exits_by_year)):
        for y, count in counts.items():
            in_out.setdefault(y, {})[kind] = count
    poor = await HouseholdRepository(session).in_village(
        area.code, [s.value for s in POOR_STATUSES], limit=MAX_VILLAGE_TARGETS
    )
    rural = summary.rural_population
    allowed = rural * summary.exit_incidence_threshold_bp // 10_000 if rural else None
    return VillageChartsOut(
        area_code=area.code,
        year=year,
        distribution=summary.by_status,
        causes=summary.by_cause,
        in_out=dict(sorted(in_out.items())),
        village_target={
            "poor_persons": summary.poor_persons,
            "rural_population": rural,
            "incidence_bp": summary.incidence_bp,
            "threshold_bp": summary.exit_incidence_threshold_bp,
            "max_poor_persons_to_exit": allowed,
            "persons_still_to_lift": max(0, summary.poor_persons - allowed) if allowed is not None else None,
            "meets_exit_incidence": summary.meets_exit_incidence,
        },
        household_targets=[
            HouseholdTarget(
                household_id=str(h.id),
                household_number=h.household_number,
                head_name_masked=mask_name(h.head_name),
                member_count=h.member_count,
                status=h.status,
                plan_year=h.year,
                poverty_causes=list(h.poverty_causes),
            )
            for h in poor
        ],
    )
