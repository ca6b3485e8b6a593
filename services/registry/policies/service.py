"""Policy records per area and year: the registry's rules read them, never a city name."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.errors import PolicyMissing
from services.registry.policies.presets import PRESETS
from services.registry.policies.repository import PolicyRepository
from services.registry.policies.rules import (
    ApprovalStep,
    NoPolicy,
    PolicyRecord,
    RegistryPolicy,
    resolve_policy,
)
from services.registry.policies.schemas import PolicyOut, PolicyRecordIn
from shared import audit
from shared.auth import Principal


async def resolve(*, session: AsyncSession, area_code: str, year: int) -> RegistryPolicy:
    records = await PolicyRepository(session).applicable(area_code=area_code, year=year)
    try:
        return resolve_policy(records, area_code=area_code, year=year)
    except NoPolicy as exc:
        raise PolicyMissing(str(exc), area_code=area_code, year=year) from exc


async def seed_presets(*, session: AsyncSession) -> int:
    """Idempotent: adds the seeds' presets that are not in the table yet."""
    added = await PolicyRepository(session).add_missing(list(PRESETS))
    if added:
        await audit.record(
            session,
            actor="system",
            action="policy.seeded",
            entity_type="policy",
            entity_id="presets",
            after={"records_added": added},
        )
    return added


async def put_record(*, session: AsyncSession, actor: Principal, data: PolicyRecordIn) -> None:
    record = PolicyRecord(
        **{
            **data.model_dump(exclude={"batches", "relapse_chain"}),
            "batches": tuple(data.batches) if data.batches is not None else None,
            "relapse_chain": (
                tuple(ApprovalStep(**s.model_dump()) for s in data.relapse_chain)
                if data.relapse_chain is not None
                else None
            ),
        }
    )
    await PolicyRepository(session).put(record)
    await audit.record(
        session,
        actor=actor,
        action="policy.put",
        entity_type="policy",
        entity_id=f"{record.area_prefix or 'national'}/{record.year}",
        after=data.model_dump(mode="json"),
    )


def to_out(policy: RegistryPolicy) -> PolicyOut:
    data = asdict(policy)
    return PolicyOut(**{**data, "batches": list(policy.batches), "sources": list(policy.sources)})
