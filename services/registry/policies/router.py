from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response

from services.registry.areas.service import parse_code
from services.registry.deps import AdminWrite
from services.registry.policies import schemas, service
from services.registry.policies.rules import RegistryPolicy
from shared.answers import PrefixPath, YearPath, tagged
from shared.auth import CurrentUser
from shared.cadres import PUBLIC_POLICY
from shared.db import SessionDep
from shared.errors import Forbidden
from shared.fields import AreaCodeText

router = APIRouter(prefix="/policies", tags=["policies"])


def _out(policy: RegistryPolicy) -> schemas.PolicyOut:
    data = asdict(policy)
    return schemas.PolicyOut(
        **{
            **data,
            "batches": list(policy.batches),
            "sources": list(policy.sources),
            "comparisons": {k: asdict(r) for k, r in policy.comparisons.items()},
            "relapse_routes": [asdict(r) for r in policy.relapse_routes],
        }
    )


@router.get("/{area_code}/{year}", response_model=schemas.PolicyOut, description=PUBLIC_POLICY)
async def resolved_policy(
    area_code: AreaCodeText,
    year: YearPath,
    session: SessionDep,
    user: CurrentUser,
) -> schemas.PolicyOut:
    code = parse_code(area_code)
    return _out(await service.resolve(session=session, area_code=code, year=year))


@router.get(
    "/records/{area_prefix}/{year}", response_model=schemas.PolicyRecordOut, description=PUBLIC_POLICY
)
async def policy_record(
    area_prefix: PrefixPath,
    year: YearPath,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> schemas.PolicyRecordOut:
    """One stored record (what `PUT /policies` for this prefix and year replaces), with its ETag.
    Readable by callers whose area it applies in, or who are above it."""
    return tagged(
        response,
        schemas.PolicyRecordOut,
        await service.get_record(session=session, actor=user, area_prefix=area_prefix, year=year),
    )


@router.put("", status_code=204)
async def put_policy_record(
    body: schemas.PolicyRecordIn,
    write: AdminWrite,
) -> None:
    """Add the record for an area prefix and year (no If-Match needed) or replace the one stored
    (every field: one left out inherits again) with the ETag of
    `GET /policies/records/{area_prefix}/{year}` in If-Match (428 without, 412 if changed
    meanwhile; nothing written). The new ETag comes back in the ETag header."""
    # Nationwide defaults come from the presets (policies/presets.py), not from one province's admin.
    if not body.area_prefix or not write.actor.covers(body.area_prefix.ljust(12, "0")):
        raise Forbidden("you may set policy only for your own area", detail_zh="只能为本辖区设置政策")
    row = await service.put_record(**write.args, data=body)
    write.tag(row.version)
