"""HTTP routes of helpers (HTTP only: parsing, roles, status codes)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.pairing.deps import Manager, Reader, ReaderPage, TodayDep
from services.pairing.helpers import service
from services.pairing.helpers.rules import HelperKind
from services.pairing.helpers.schemas import HelperIn, HelperOut, LeaveIn, LeaveOut, PostingIn, PostingOut
from shared.answers import page_of
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(prefix="/helpers", tags=["helpers"])


def _posting_out(posting: service.Posting) -> PostingOut:
    out = PostingOut.model_validate(posting.period)
    return out.model_copy(update={"counts_as_grassroots_service": posting.counts_as_grassroots_service})


@router.post("", status_code=201, response_model=HelperOut)
async def register_helper(
    body: HelperIn, session: SessionDep, user: Manager, idem: IdempotencyDep
) -> HelperOut:
    return await idem.created(HelperOut, await service.register(session=session, actor=user, data=body))


@router.get("", response_model=Page[HelperOut])
async def list_helpers(read: ReaderPage, kind: HelperKind | None = None) -> Page[HelperOut]:
    found = await service.list_helpers(
        session=read.session, prefix=read.actor.area_prefix, kind=kind, **read.page.args
    )
    return page_of(HelperOut, found)


@router.get("/{helper_id}", response_model=HelperOut)
async def get_helper(helper_id: uuid.UUID, session: SessionDep, user: Reader) -> HelperOut:
    return HelperOut.model_validate(await service.get(session=session, actor=user, helper_id=helper_id))


@router.post("/{helper_id}/postings", status_code=201, response_model=PostingOut)
async def add_posting(
    helper_id: uuid.UUID,
    body: PostingIn,
    session: SessionDep,
    user: Manager,
    today: TodayDep,
    idem: IdempotencyDep,
) -> PostingOut:
    """Record a posting of the helper (where and from when they serve). A resend with the same
    `Idempotency-Key` answers the first posting again instead of recording it twice."""
    posting = await service.add_posting(
        session=session, actor=user, helper_id=helper_id, data=body, today=today
    )
    return await idem.answer(_posting_out(posting))


@router.get("/{helper_id}/postings", response_model=list[PostingOut])
async def list_postings(
    helper_id: uuid.UUID, session: SessionDep, user: Reader, today: TodayDep
) -> list[PostingOut]:
    postings = await service.postings(session=session, actor=user, helper_id=helper_id, today=today)
    return [_posting_out(p) for p in postings]


@router.post("/{helper_id}/leave", response_model=LeaveOut)
async def leave(
    helper_id: uuid.UUID,
    body: LeaveIn,
    session: SessionDep,
    user: Manager,
    idem: IdempotencyDep,
    today: TodayDep,
) -> LeaveOut:
    """The helper leaves; their households are handed over in one operation (all or nothing)."""
    departure = await service.leave(session=session, actor=user, helper_id=helper_id, data=body, today=today)
    return await idem.created(LeaveOut, departure, 200)
