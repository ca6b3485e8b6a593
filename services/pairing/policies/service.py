"""Use cases of pairing policies: read the effective policy, record an administrator's change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.models import PolicyOverrideRow
from services.pairing.policies import rules
from services.pairing.policies.presets import PRESETS, PairingPolicy
from services.pairing.policies.repository import PolicyRepository
from services.pairing.policies.schemas import PolicyOut, PolicyOverrideIn, PolicyOverrideOut
from shared import audit
from shared.auth import Principal
from shared.errors import NotFound, PreconditionRequired
from shared.http import check_put_precondition

Resolver = Callable[[str], PairingPolicy]


class OverrideNotFound(NotFound):
    type_slug = "policy-override-not-found"
    title = "Policy override not found"
    title_zh = "未找到该政策调整"
    hint_zh = "检查地区和年度"
    hint_en = "Check the area and year"


class AreaOutsideScope(NotFound):
    type_slug = "area-not-found"
    title = "Area not found"
    title_zh = "未找到该地区"
    hint_zh = "检查地区代码，且在您的辖区内"
    hint_en = "Check the area code is inside your area"


async def resolver(session: AsyncSession, *, on: date) -> Resolver:
    """area code -> effective policy on ``on``; one query, then memoised."""
    overrides = [
        rules.PolicyOverride(
            area_prefix=r.area_prefix,
            valid_from=r.valid_from,
            **{name: getattr(r, name) for name in rules.OVERRIDABLE},
            county_pairs_added=tuple((a, b) for a, b in r.county_pairs_added)
            if r.county_pairs_added
            else None,
        )
        for r in await PolicyRepository(session).all()
    ]

    @lru_cache(maxsize=4096)
    def resolve(area_code: str) -> PairingPolicy:
        return rules.effective_policy(area_code, overrides, on=on)

    return resolve


async def boundaries(session: AsyncSession) -> set[str]:
    """Every area prefix a policy is attached to (the seeds' presets and the recorded overrides):
    the places where an area's numbers may change."""
    return set(PRESETS) | {r.area_prefix for r in await PolicyRepository(session).all()}


def _values(data: PolicyOverrideIn) -> dict[str, object]:
    values = data.model_dump()
    if data.county_pairs_added is not None:
        values["county_pairs_added"] = [list(p) for p in data.county_pairs_added]
    return values


def _override_out(row: PolicyOverrideRow) -> PolicyOverrideOut:
    return PolicyOverrideOut.model_validate(row, from_attributes=True)


async def get_override(
    *, session: AsyncSession, actor: Principal, area_prefix: str, valid_from: date
) -> PolicyOverrideOut:
    """One recorded override; readable by callers on its path (above or below it)."""
    on_path = area_prefix.startswith(actor.area_prefix) or actor.area_prefix.startswith(area_prefix)
    row = await PolicyRepository(session).get(area_prefix, valid_from) if on_path else None
    if row is None:
        raise OverrideNotFound(
            f"No policy override for {area_prefix} from {valid_from} in your area",
            area_prefix=area_prefix,
            valid_from=str(valid_from),
        )
    return _override_out(row)


async def put_override(
    *, session: AsyncSession, actor: Principal, data: PolicyOverrideIn, if_match: str | None
) -> PolicyOverrideOut:
    """Record an override for an area and date (no If-Match needed) or change the one recorded
    (If-Match: the ETag of ``GET /policies/overrides/{area_prefix}/{valid_from}``)."""
    if not data.area_prefix.startswith(actor.area_prefix):
        raise AreaOutsideScope(f"Area {data.area_prefix} is outside your area", area_prefix=data.area_prefix)
    repo = PolicyRepository(session)
    row = await repo.get(data.area_prefix, data.valid_from, lock=True)
    check_put_precondition(if_match, row.version if row else None)
    before = _override_out(row).model_dump(mode="json") if row else None
    if row is None:
        row = await repo.add({"id": uuid.uuid4(), **_values(data), "recorded_by": actor.sub})
        if row is None:  # a concurrent request recorded it since our read: this is now a change
            raise PreconditionRequired(
                "Someone recorded this override a moment ago; read it and send its ETag in If-Match",
                area_prefix=data.area_prefix,
                valid_from=str(data.valid_from),
            )
    else:
        for name, value in _values(data).items():
            setattr(row, name, value)
        row.recorded_by = actor.sub
        row.version += 1
        await session.flush()
    out = _override_out(row)
    await audit.record(
        session,
        actor=actor,
        action="policy.put",
        entity_type="pairing_policy",
        entity_id=f"{data.area_prefix}/{data.valid_from}",
        before=before,
        after=out.model_dump(mode="json"),
    )
    return out


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
        enterprise_one_village_each=policy.enterprise_one_village_each,
        leader_links={level: sorted(targets) for level, targets in policy.leader_links.items()},
        county_pairs=list(policy.county_pairs),
    )
