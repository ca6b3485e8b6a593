"""HTTP routes of pairings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.pairing.deps import Manager, Office, OfficePage, TodayDep
from services.pairing.pairings import schemas, service
from services.pairing.vocabulary import PairingKind
from shared.answers import page_of
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(prefix="/pairings", tags=["pairings"])


@router.post("", status_code=201, response_model=schemas.PairingOut)
async def open_pairing(
    body: schemas.PairingIn, session: SessionDep, user: Manager, today: TodayDep, idem: IdempotencyDep
) -> schemas.PairingOut:
    """Open a pairing of any kind; a broken rule answers 409 with the rule's name and reason."""
    return await idem.created(
        schemas.PairingOut, await service.open_pairing(session=session, actor=user, data=body, today=today)
    )


@router.get("", response_model=Page[schemas.PairingOut])
async def list_pairings(
    read: OfficePage,
    kind: PairingKind | None = None,
    helper_id: uuid.UUID | None = None,
    target_id: str | None = None,
    active: bool | None = None,
) -> Page[schemas.PairingOut]:
    found = await service.list_pairings(
        **read.args, kind=kind, helper_id=helper_id, target_id=target_id, active=active
    )
    return page_of(schemas.PairingOut, found)


@router.get("/{pairing_id}", response_model=schemas.PairingOut)
async def get_pairing(pairing_id: uuid.UUID, session: SessionDep, user: Office) -> schemas.PairingOut:
    return schemas.PairingOut.model_validate(
        await service.get_pairing(session=session, actor=user, pairing_id=pairing_id)
    )


@router.post("/{pairing_id}/end", response_model=schemas.PairingOut)
async def end_pairing(
    pairing_id: uuid.UUID, body: schemas.PairingEndIn, session: SessionDep, user: Manager, today: TodayDep
) -> schemas.PairingOut:
    """End the pairing on `ended_on`; a day after today (China date) is 422 `date-in-future`."""
    ended = await service.end_pairing(
        session=session, actor=user, pairing_id=pairing_id, data=body, today=today
    )
    return schemas.PairingOut.model_validate(ended)
