"""Coverage: numbers per area, and a check that opens each gap once (with its event) and closes
the gaps that were filled. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.coverage import events, rules
from services.pairing.coverage.repository import CoverageRepository
from services.pairing.errors import AreaNotFound
from services.pairing.helpers.rules import IN_SYSTEM
from services.pairing.models import CoverageGap
from services.pairing.policies import service as policy_service
from services.pairing.vocabulary import GapKind
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.clock import clock
from shared.repository import Slice

CHECKER = "coverage-check"
OPEN_BATCH = 1000  # gaps opened (with their audit record and event) per round trip of a check
_CADRE_KINDS = sorted(k.value for k in IN_SYSTEM)


async def regions(session: AsyncSession, prefix: str, today: date) -> list[rules.PolicyRegion]:
    """Where under ``prefix`` the cap, the visit interval or the staff minimums differ (policies vary
    by place and date)."""
    resolve = await policy_service.resolver(session, on=today)

    def numbers(code: str) -> tuple[int, int, int | None, int | None]:
        policy = resolve(code)
        return (
            policy.cadre_household_cap,
            policy.visit_interval_days,
            policy.township_staff_min,
            policy.village_coordinator_min,
        )

    return rules.policy_regions(prefix, await policy_service.boundaries(session), numbers)


async def named_county_pairs(session: AsyncSession, prefix: str, today: date) -> list[tuple[str, str]]:
    """The mountain-sea pairs (helping, helped) in force on ``today`` whose helping county lies under
    ``prefix``: each named by the policy of its own helping county (presets and recorded additions)."""
    resolve = await policy_service.resolver(session, on=today)
    places = {prefix, *(b for b in await policy_service.boundaries(session) if b.startswith(prefix))}
    listed = {pair for place in places for pair in resolve(place).county_pairs}
    return sorted((a, m) for a, m in listed if a.startswith(prefix) and (a, m) in resolve(a).county_pairs)


def _count_of(kind: GapKind, unit: str) -> Any:
    """A gap count's field, documented by its gap kind's Chinese (what the gap list calls it)."""
    return Field(description=f"{kind.label}（{unit}数）: gap kind {kind.value}, counted on the day asked")


@dataclass(frozen=True)
class Coverage:
    """An area's pairing numbers on a day; each count of a gap kind is named by the kind's Chinese."""

    area_prefix: str
    on: date
    households_to_pair: int
    households_paired: int
    households_without_cadre: Annotated[int, _count_of(GapKind.HOUSEHOLD_WITHOUT_CADRE, "户")]
    poor_villages: int
    villages_without_work_team: Annotated[int, _count_of(GapKind.VILLAGE_WITHOUT_WORK_TEAM, "村")]
    villages_without_first_secretary: Annotated[int, _count_of(GapKind.VILLAGE_WITHOUT_FIRST_SECRETARY, "村")]
    cadres: int
    cadres_over_cap: Annotated[int, _count_of(GapKind.CADRE_OVER_CAP, "人")]
    visits_overdue: Annotated[int, _count_of(GapKind.VISIT_OVERDUE, "户")]
    # 0 where no policy of the area sets the minimum
    townships_without_staff: Annotated[int, _count_of(GapKind.TOWNSHIP_WITHOUT_STAFF, "乡镇")]
    villages_without_coordinator: Annotated[int, _count_of(GapKind.VILLAGE_WITHOUT_COORDINATOR, "村")]
    # 0 where no policy of the area names mountain-sea pairs (Quanzhou seed 002 十 names seven)
    county_pairs_missing: Annotated[int, _count_of(GapKind.MOUNTAIN_SEA_PAIR_MISSING, "对")]


@dataclass(frozen=True)
class Check:
    """What one coverage check changed: gaps opened and closed, and how many stay open."""

    opened: int
    closed: int
    open: int


def scope_prefix(actor: Principal, area_code: str | None) -> str:
    """The code prefix a coverage read covers: the caller's whole area, or the part of it named."""
    if area_code is None:
        return actor.area_prefix
    if not actor.covers(area_code):
        raise AreaNotFound(
            f"Area {area_code} is outside your area",
            detail_zh=f"地区 {area_code} 不在您的辖区内",
            area_code=area_code,
        )
    return AreaCode.parse(area_code).prefix


async def coverage(*, session: AsyncSession, prefix: str, today: date) -> Coverage:
    """The numbers of an area, counted in SQL (see rules.summarize for what each one means)."""
    repo = CoverageRepository(session)
    by_region = await regions(session, prefix, today)
    to_pair, paired, overdue = await repo.household_counts(prefix, by_region, today)
    poor, no_team, no_secretary = await repo.village_counts(prefix)
    cadres, over_cap = await repo.cadre_counts(prefix, by_region, _CADRE_KINDS)
    staffing = await repo.staffing_counts(prefix, by_region)
    return Coverage(
        area_prefix=prefix,
        on=today,
        households_to_pair=to_pair,
        households_paired=paired,
        households_without_cadre=to_pair - paired,
        poor_villages=poor,
        villages_without_work_team=no_team,
        villages_without_first_secretary=no_secretary,
        cadres=cadres,
        cadres_over_cap=over_cap,
        visits_overdue=overdue,
        townships_without_staff=staffing.get(GapKind.TOWNSHIP_WITHOUT_STAFF, 0),
        villages_without_coordinator=staffing.get(GapKind.VILLAGE_WITHOUT_COORDINATOR, 0),
        county_pairs_missing=await repo.county_pairs_missing(
            await named_county_pairs(session, prefix, today)
        ),
    )


async def check(session: AsyncSession, actor: Principal | str, *, prefix: str, today: date) -> Check:
    """Open what is newly missing (one event per gap), close what was filled.

    The gaps of this check are staged in SQL and compared with the open ones by (kind, subject)
    there; Python holds one batch of newly opened gaps at a time, never the area's households.
    """
    repo = CoverageRepository(session)
    await repo.lock()
    current = await repo.stage_current(
        prefix,
        await regions(session, prefix, today),
        today,
        _CADRE_KINDS,
        await named_county_pairs(session, prefix, today),
    )
    now = clock.now()
    opened = 0
    after: tuple[str, str] | None = None
    while batch := await repo.open_new(now, after=after, limit=OPEN_BATCH):
        rows = [CoverageGap(**values) for values in batch]  # transient: the rows are already written
        # One audit INSERT and one outbox INSERT per batch; no lock per gap (a province's first
        # check opens hundreds of thousands): the check's own lock serializes every writer of
        # the gaps' audit chains.
        await audit.record_many(
            session,
            actor=actor,
            action="coverage.gap_opened",
            entity_type="coverage_gap",
            entries=[(r.id, None, {"signal_key": r.signal_key, "area_code": r.area_code}) for r in rows],
            serialized_by="the coverage check's lock",
        )
        await events.gaps_detected(session, rows)
        opened += len(batch)
        after = max((v["kind"], v["subject_id"]) for v in batch)
        if len(batch) < OPEN_BATCH:
            break
    closed = await repo.close_filled(prefix, now)
    for start in range(0, len(closed), OPEN_BATCH):
        await audit.record_many(
            session,
            actor=actor,
            action="coverage.gap_closed",
            entity_type="coverage_gap",
            entries=[(gid, {"open": True}, {"open": False}) for gid in closed[start : start + OPEN_BATCH]],
            serialized_by="the coverage check's lock",
        )
    return Check(opened=opened, closed=len(closed), open=current)


async def list_gaps(
    *,
    session: AsyncSession,
    actor: Principal,
    area_code: str | None,
    open_only: bool,
    kind: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[CoverageGap]:
    """The gaps recorded under ``area_code`` (the caller's whole area by default)."""
    prefix = scope_prefix(actor, area_code)
    return await CoverageRepository(session).page(
        prefix=prefix, open_only=open_only, kind=kind, cursor=cursor, limit=limit
    )
