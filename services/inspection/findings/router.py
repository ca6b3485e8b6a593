"""HTTP for findings, rectification and accountability records."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from services.inspection.findings import schemas, service
from services.inspection.vocabulary import (
    ACCOUNTABILITY_KINDS,
    FINDING_STATUSES,
    AccountabilityKind,
    FindingStatus,
)
from shared.answers import ListRead, page_of
from shared.auth import CurrentUser
from shared.clock import clock
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.vocabulary import code_or_label

router = APIRouter(tags=["findings and rectification"])


def _detail(found: service.FindingRecord) -> schemas.FindingDetailOut:
    return schemas.detail_out(found.finding, found.rectifications, found.accountability, clock.today())


@router.get("/findings", response_model=Page[schemas.FindingOut])
async def list_findings(
    read: ListRead,
    status: Annotated[FindingStatus, code_or_label(FINDING_STATUSES)] | None = None,
    inspection_id: uuid.UUID | None = None,
    overdue: bool = False,
) -> Page[schemas.FindingOut]:
    today = clock.today()
    found = await service.list_page(
        **read.args, status=status, inspection_id=inspection_id, overdue_only=overdue, today=today
    )
    return page_of(lambda f: schemas.finding_out(f, today), found)


@router.get("/findings/{finding_id}", response_model=schemas.FindingDetailOut)
async def get_finding(
    finding_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> schemas.FindingDetailOut:
    return _detail(await service.get(session=session, actor=user, finding_id=finding_id))


@router.post(
    "/findings/{finding_id}/rectifications", response_model=schemas.FindingDetailOut, status_code=201
)
async def submit_rectification(
    finding_id: uuid.UUID,
    body: schemas.RectificationIn,
    session: SessionDep,
    user: CurrentUser,
    idem: IdempotencyDep,
) -> schemas.FindingDetailOut:
    submitted = await service.submit_rectification(
        session=session, actor=user, finding_id=finding_id, data=body, today=clock.today()
    )
    return await idem.answer(_detail(submitted))


@router.post("/findings/{finding_id}/verification", response_model=schemas.FindingDetailOut)
async def verify(
    finding_id: uuid.UUID, body: schemas.VerificationIn, session: SessionDep, user: CurrentUser
) -> schemas.FindingDetailOut:
    verified = await service.verify(
        session=session,
        actor=user,
        finding_id=finding_id,
        accepted=body.accepted,
        fake=body.fake,
        note=body.note,
        today=clock.today(),
    )
    return _detail(verified)


@router.get("/accountability", response_model=Page[schemas.AccountabilityOut])
async def list_accountability(
    read: ListRead,
    kind: Annotated[AccountabilityKind, code_or_label(ACCOUNTABILITY_KINDS)] | None = None,
) -> Page[schemas.AccountabilityOut]:
    return page_of(schemas.record_out, await service.list_accountability(**read.args, kind=kind))
