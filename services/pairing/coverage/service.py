"""Coverage: numbers per area, and a check that opens each gap once (with its event) and closes
the gaps that were filled. Flush, never commit."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.coverage import events, rules
from services.pairing.coverage.repository import CoverageRepository
from services.pairing.coverage.schemas import CheckOut, CoverageOut, GapOut
from services.pairing.helpers.rules import IN_SYSTEM
from services.pairing.models import CoverageGap
from services.pairing.policies import service as policy_service
from services.pairing.visits.repository import VisitRepository
from shared import audit
from shared.auth import Principal

CHECKER = "coverage-check"


async def snapshots(session: AsyncSession, prefix: str, today: date) -> list[rules.CoverageSnapshot]:
    """One snapshot per policy in force under ``prefix``: caps and visit intervals differ by place."""
    repo = CoverageRepository(session)
    households = await repo.households(prefix)
    since = await repo.cadre_since(prefix)
    last = await VisitRepository(session).last_visits(h.id for h in households)
    village_kinds = await repo.village_kinds(prefix)
    resolve = await policy_service.resolver(session, on=today)
    # Grouped by the two numbers coverage depends on: the cap and the visit interval.
    groups: dict[tuple[int, int], dict[str, Any]] = defaultdict(lambda: {"h": [], "v": [], "c": {}})

    def group(area_code: str) -> dict[str, Any]:
        policy = resolve(area_code)
        return groups[(policy.cadre_household_cap, policy.visit_interval_days)]

    for h in households:
        group(h.area_code)["h"].append(
            rules.HouseholdCoverage(
                str(h.id), h.area_code, h.status, h.policies_kept_until, since.get(str(h.id)), last.get(h.id)
            )
        )
    for v in await repo.poor_villages(prefix):
        kinds = village_kinds.get(v.code, set())
        group(v.code)["v"].append(
            rules.VillageCoverage(v.code, "work_team_village" in kinds, "first_secretary_village" in kinds)
        )
    for helper, load in await repo.cadre_loads(prefix, [k.value for k in IN_SYSTEM]):
        group(helper.area_code)["c"][str(helper.id)] = (helper.area_code, load)
    return [
        rules.CoverageSnapshot(
            g["h"],
            g["v"],
            g["c"],
            cap=cap,
            visit_interval_days=interval,
            today=today,
        )
        for (cap, interval), g in groups.items()
    ]


async def coverage(*, session: AsyncSession, prefix: str, today: date) -> CoverageOut:
    totals: dict[str, int] = defaultdict(int)
    for snap in await snapshots(session, prefix, today):
        for key, n in rules.summarize(snap, rules.detect_gaps(snap)).items():
            totals[key] += n
    return CoverageOut(area_prefix=prefix, on=today, **{k: totals.get(k, 0) for k in CoverageOut.counters()})


def _json(detail: Mapping[str, object]) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in detail.items()}


async def check(session: AsyncSession, actor: Principal | str, *, prefix: str, today: date) -> CheckOut:
    """Open what is newly missing (one event per gap), close what was filled."""
    repo = CoverageRepository(session)
    await repo.lock()
    current = [g for snap in await snapshots(session, prefix, today) for g in rules.detect_gaps(snap)]
    open_rows = {(g.kind, g.subject_id): g for g in await repo.open_gaps(prefix)}
    episodes = await repo.episodes([g.identity for g in current])
    result = rules.reconcile(current, open_gaps=open_rows.keys(), episodes=episodes)
    now = datetime.now(UTC)
    for gap, episode in result.opened:
        row = CoverageGap(
            id=uuid.uuid4(),
            kind=gap.kind.value,
            subject_id=gap.subject_id,
            area_code=gap.area_code,
            episode=episode,
            signal_key=rules.signal_key(gap.kind.value, gap.subject_id, episode),
            detail=_json(gap.detail),
            opened_at=now,
        )
        await repo.add(row)
        await audit.record(
            session,
            actor=actor,
            action="coverage.gap_opened",
            entity_type="coverage_gap",
            entity_id=row.id,
            after={"signal_key": row.signal_key, "area_code": row.area_code},
        )
        await events.gap_detected(session, row)
    for identity in result.closed:
        row = open_rows[identity]
        await repo.close(row, now)
        await audit.record(
            session,
            actor=actor,
            action="coverage.gap_closed",
            entity_type="coverage_gap",
            entity_id=row.id,
            before={"open": True},
            after={"open": False},
        )
    return CheckOut(opened=len(result.opened), closed=len(result.closed), open=len(current))


async def list_gaps(
    *,
    session: AsyncSession,
    prefix: str,
    open_only: bool,
    kind: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[GapOut]:
    rows = await CoverageRepository(session).page(
        prefix=prefix, open_only=open_only, kind=kind, after=after, limit=limit
    )
    return [GapOut.model_validate(r) for r in rows]
