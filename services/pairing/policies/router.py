"""HTTP routes of pairing policies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.pairing.deps import ApproverWrite, Reader, TodayDep
from services.pairing.policies import schemas, service
from services.pairing.policies.presets import PairingPolicy
from shared.answers import PrefixPath, tagged
from shared.cadres import PUBLIC_POLICY
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN, IsoDate
from shared.shaping import from_row

router = APIRouter(prefix="/policies", tags=["policies"])


def _policy_out(policy: PairingPolicy, *, area_code: str, on: date) -> schemas.PolicyOut:
    links = {level: sorted(targets) for level, targets in policy.leader_links.items()}
    return from_row(
        schemas.PolicyOut,
        policy,
        area_code=area_code,
        on=on,
        preset=policy.name,
        leader_links=links,
        county_pairs=list(policy.county_pairs),
    )


@router.put("", status_code=204)
async def put_override(body: schemas.PolicyOverrideIn, write: ApproverWrite) -> None:
    """Set an area's cap, visit interval, staff minimums, ... from a date on. A new area and date
    needs no If-Match; changing the override recorded for them needs the ETag of
    `GET /policies/overrides/{area_prefix}/{valid_from}` in If-Match (428 without, 412 if changed
    meanwhile). The new ETag comes back in the ETag header."""
    row = await service.put_override(**write.args, data=body)
    write.tag(row.version)


@router.get(
    "/overrides/{area_prefix}/{valid_from}",
    response_model=schemas.PolicyOverrideOut,
    description=PUBLIC_POLICY,
)
async def get_override(
    area_prefix: PrefixPath, valid_from: IsoDate, session: SessionDep, user: Reader, response: Response
) -> schemas.PolicyOverrideOut:
    """One recorded override (what a PUT with this area and date changes), with its ETag."""
    row = await service.get_override(
        session=session, actor=user, area_prefix=area_prefix, valid_from=valid_from
    )
    return tagged(response, schemas.PolicyOverrideOut, row)


@router.get("/effective", response_model=schemas.PolicyOut, description=PUBLIC_POLICY)
async def effective(
    session: SessionDep,
    user: Reader,
    today: TodayDep,
    area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN)],
) -> schemas.PolicyOut:
    policy = await service.effective(session=session, actor=user, area_code=area_code, on=today)
    return _policy_out(policy, area_code=area_code, on=today)
