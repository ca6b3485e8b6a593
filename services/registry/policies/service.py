"""Policy records per area and year: the registry's rules read them, never a city name."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.errors import PolicyMissing, PolicyRecordNotFound
from services.registry.models import PolicyRecordRow
from services.registry.policies.presets import PRESETS
from services.registry.policies.repository import PolicyRepository
from services.registry.policies.rules import (
    ApprovalStep,
    Comparison,
    NoPolicy,
    PolicyRecord,
    RegistryPolicy,
    RelapseRoute,
    ThresholdRule,
    resolve_policy,
)
from services.registry.policies.schemas import PolicyRecordIn, PolicyRecordOut
from shared import audit
from shared.auth import Principal
from shared.errors import PreconditionRequired
from shared.http import check_put_precondition


async def resolve(*, session: AsyncSession, area_code: str, year: int) -> RegistryPolicy:
    records = await PolicyRepository(session).applicable(area_code=area_code, year=year)
    return resolve_from(records, area_code=area_code, year=year)


def resolve_from(records: list[PolicyRecord], *, area_code: str, year: int) -> RegistryPolicy:
    """``resolve`` over records already read (those that may apply: ``PolicyRepository.applicable``'s)."""
    try:
        return resolve_policy(records, area_code=area_code, year=year)
    except NoPolicy as exc:
        raise PolicyMissing(str(exc), area_code=area_code, year=year) from exc


async def resolve_many(
    *, session: AsyncSession, pairs: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], RegistryPolicy | PolicyMissing]:
    """``resolve`` of each (area, year), from one read of the records (a bulk import's villages);
    a missing policy is given as its refusal, for the caller to raise where it applies."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    records = await PolicyRepository(session).applicable_to_any(
        {code for code, _ in pairs}, year=max(year for _, year in pairs)
    )
    policies: dict[tuple[str, int], RegistryPolicy | PolicyMissing] = {}
    for code, year in pairs:
        try:
            policies[(code, year)] = resolve_policy(records, area_code=code, year=year)
        except NoPolicy as exc:
            policies[(code, year)] = PolicyMissing(str(exc), area_code=code, year=year)
    return policies


async def seed_presets(*, session: AsyncSession) -> int:
    """Idempotent: adds the seeds' presets that are not in the table yet."""
    return await audit_seeded(session, "policy", await PolicyRepository(session).add_missing(list(PRESETS)))


async def audit_seeded(session: AsyncSession, entity_type: str, added: int) -> int:
    """The audit record of ``added`` preset records of a policy table seeded at start-up (none, none)."""
    if added:
        await audit.record(
            session,
            "system",
            f"{entity_type}.seeded",
            (entity_type, "presets"),
            after={"records_added": added},
        )
    return added


def _record(data: PolicyRecordIn) -> PolicyRecord:
    return PolicyRecord(
        **{
            **data.model_dump(exclude={"batches", "relapse_chain", "comparisons", "relapse_routes"}),
            "comparisons": (
                {k: ThresholdRule(Comparison(r.comparison), r.wording) for k, r in data.comparisons.items()}
                if data.comparisons is not None
                else None
            ),
            "relapse_routes": (
                tuple(RelapseRoute(**r.model_dump()) for r in data.relapse_routes)
                if data.relapse_routes is not None
                else None
            ),
            "batches": tuple(data.batches) if data.batches is not None else None,
            "relapse_chain": (
                tuple(ApprovalStep(**s.model_dump()) for s in data.relapse_chain)
                if data.relapse_chain is not None
                else None
            ),
        }
    )


def _record_out(row: PolicyRecordRow) -> PolicyRecordOut:
    return PolicyRecordOut.model_validate(row, from_attributes=True)


def _on_path(actor: Principal, area_prefix: str) -> bool:
    """A record is readable by callers above it (it applies in their area) or below it."""
    return area_prefix.startswith(actor.area_prefix) or actor.area_prefix.startswith(area_prefix)


async def get_record(
    *, session: AsyncSession, actor: Principal, area_prefix: str, year: int
) -> PolicyRecordRow:
    row = await PolicyRepository(session).by_key(area_prefix, year) if _on_path(actor, area_prefix) else None
    if row is None:
        raise PolicyRecordNotFound(
            f"no policy record for {area_prefix} in {year} in your area",
            detail_zh=f"您的辖区内没有 {area_prefix} 在{year}年度的政策记录",
            area_prefix=area_prefix,
            year=year,
        )
    return row


async def put_record(
    *, session: AsyncSession, actor: Principal, data: PolicyRecordIn, if_match: str | None
) -> PolicyRecordRow:
    """Add the record for a prefix and year (no If-Match) or replace it (If-Match: the ETag of
    ``GET /policies/records/{area_prefix}/{year}``); nothing is written on 412/428."""
    repo = PolicyRepository(session)
    row = await repo.by_key(data.area_prefix, data.year, lock=True)
    check_put_precondition(if_match, row.version if row else None)
    before = _record_out(row).model_dump(mode="json") if row else None
    record = _record(data)
    if row is None:
        row = await repo.add_new(record)
        if row is None:  # a concurrent request created it since our read: this is now a change
            raise PreconditionRequired.created_meanwhile(
                "added this policy record", "新增了这条政策记录", area_prefix=data.area_prefix, year=data.year
            )
    else:
        await repo.replace(row, record)
    out = _record_out(row)
    await audit.record(
        session,
        actor,
        "policy.put",
        ("policy", f"{record.area_prefix or 'national'}/{record.year}"),
        before=before,
        after=out.model_dump(mode="json"),
    )
    return row
