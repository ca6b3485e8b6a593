"""Use cases of pairing policies: read the effective policy, record an administrator's change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.policies import rules
from services.pairing.policies.presets import PairingPolicy
from services.pairing.policies.repository import PolicyRepository
from services.pairing.policies.schemas import PolicyOut, PolicyOverrideIn
from shared import audit
from shared.auth import Principal
from shared.errors import NotFound

Resolver = Callable[[str], PairingPolicy]


class AreaOutsideScope(NotFound):
    type_slug = "area-not-found"
    title = "Area not found"


async def resolver(session: AsyncSession, *, on: date) -> Resolver:
    """area code -> effective policy on ``on``; one query, then memoised."""
    overrides = [
        rules.PolicyOverride(
            area_prefix=r.area_prefix,
            valid_from=r.valid_from,
            **{name: getattr(r, name) for name in rules.OVERRIDABLE},
        )
        for r in await PolicyRepository(session).all()
    ]

    @lru_cache(maxsize=4096)
    def resolve(area_code: str) -> PairingPolicy:
        return rules.effective_policy(area_code, overrides, on=on)

    return resolve


async def put_override(*, session: AsyncSession, actor: Principal, data: PolicyOverrideIn) -> None:
    if not data.area_prefix.startswith(actor.area_prefix):
        raise AreaOutsideScope(f"Area {data.area_prefix} is outside your area", area_prefix=data.area_prefix)
    values = {"id": uuid.uuid4(), **data.model_dump(), "recorded_by": actor.sub}
    await PolicyRepository(session).put(values)
    await audit.record(
        session,
        actor=actor,
        action="policy.put",
        entity_type="pairing_policy",
        entity_id=f"{data.area_prefix}/{data.valid_from}",
        after=data.model_dump(mode="json"),
    )


async def effective(*, session: AsyncSession, actor: Principal, area_code: str, on: date) -> PolicyOut:
    if not actor.covers(area_code):
        raise AreaOutsideScope(f"Area {area_code} is outside your area", area_code=area_code)
    policy = (await resolver(session, on=on))(area_code)
    return PolicyOut(
        area_code=area_code,
        on=on,
        preset=policy.name,
        cadre_household_cap=policy.cadre_household_cap,
        visit_interval_days=policy.visit_interval_days,
        grassroots_service_min_years=policy.grassroots_service_min_years,
        volunteer_team_min_party_members=policy.volunteer_team_min_party_members,
        doctor_min_hospital_grade=policy.doctor_min_hospital_grade,
        doctor_min_title=policy.doctor_min_title,
        enterprise_target_must_be_old_area=policy.enterprise_target_must_be_old_area,
        leader_links={level: sorted(targets) for level, targets in policy.leader_links.items()},
        county_pairs=list(policy.county_pairs),
    )
