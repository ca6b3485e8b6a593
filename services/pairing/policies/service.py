"""Use cases of pairing policies: read the effective policy, record an administrator's change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import AreaOutsideScope, OverrideNotFound
from services.pairing.models import PolicyOverrideRow
from services.pairing.policies import rules
from services.pairing.policies.presets import PRESETS, PairingPolicy
from services.pairing.policies.repository import PolicyRepository
from services.pairing.policies.schemas import PolicyOverrideIn, PolicyOverrideOut
from shared import audit
from shared.auth import Principal
from shared.errors import PreconditionRequired
from shared.http import check_put_precondition

Resolver = Callable[[str], PairingPolicy]


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
) -> PolicyOverrideRow:
    """One recorded override; readable by callers on its path (above or below it)."""
    on_path = area_prefix.startswith(actor.area_prefix) or actor.area_prefix.startswith(area_prefix)
    row = await PolicyRepository(session).at(area_prefix, valid_from) if on_path else None
    if row is None:
        raise OverrideNotFound(
            f"No policy override for {area_prefix} from {valid_from} in your area",
            detail_zh=f"您的辖区内没有 {area_prefix} 自 {valid_from} 起的政策调整",
            area_prefix=area_prefix,
            valid_from=str(valid_from),
        )
    return row


async def put_override(
    *, session: AsyncSession, actor: Principal, data: PolicyOverrideIn, if_match: str | None
) -> PolicyOverrideRow:
    """Record an override for an area and date (no If-Match needed) or change the one recorded
    (If-Match: the ETag of ``GET /policies/overrides/{area_prefix}/{valid_from}``)."""
    if not data.area_prefix.startswith(actor.area_prefix):
        raise AreaOutsideScope(
            f"Area {data.area_prefix} is outside your area",
            detail_zh=f"地区 {data.area_prefix} 不在您的辖区内",
            area_prefix=data.area_prefix,
        )
    repo = PolicyRepository(session)
    row = await repo.at(data.area_prefix, data.valid_from, lock=True)
    check_put_precondition(if_match, row.version if row else None)
    before = _override_out(row).model_dump(mode="json") if row else None
    if row is None:
        row = await repo.insert_new({"id": uuid.uuid4(), **_values(data), "recorded_by": actor.sub})
        if row is None:  # a concurrent request recorded it since our read: this is now a change
            raise PreconditionRequired.created_meanwhile(
                "recorded this override",
                "记录了这项政策调整",
                area_prefix=data.area_prefix,
                valid_from=str(data.valid_from),
            )
    else:
        await repo.update(row, **_values(data), recorded_by=actor.sub)
    await audit.record(
        session,
        actor,
        "policy.put",
        ("pairing_policy", f"{data.area_prefix}/{data.valid_from}"),
        before=before,
        after=_override_out(row).model_dump(mode="json"),
    )
    return row


async def effective(*, session: AsyncSession, actor: Principal, area_code: str, on: date) -> PairingPolicy:
    if not actor.covers(area_code):
        raise AreaOutsideScope(
            f"Area {area_code} is outside your area",
            detail_zh=f"地区 {area_code} 不在您的辖区内",
            area_code=area_code,
        )
    return (await resolver(session, on=on))(area_code)
