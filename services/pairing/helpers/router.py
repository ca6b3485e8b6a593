"""HTTP routes of helpers (HTTP only: parsing, roles, status codes)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.pairing.deps import Manager, ManagerStep, Reader, ReaderPage, TodayDep
from services.pairing.helpers import schemas, service
from services.pairing.vocabulary import HelperKind
from shared.answers import page_of
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.shaping import from_row

router = APIRouter(prefix="/helpers", tags=["helpers"])


def _posting_out(posting: service.Posting) -> schemas.PostingOut:
    counts = posting.counts_as_grassroots_service
    return from_row(schemas.PostingOut, posting.period, counts_as_grassroots_service=counts)


@router.post("", status_code=201, response_model=schemas.HelperOut)
async def register_helper(
    body: schemas.HelperIn, session: SessionDep, user: Manager, idem: IdempotencyDep
) -> schemas.HelperOut:
    return await idem.created(
        schemas.HelperOut, await service.register(session=session, actor=user, data=body)
    )


@router.get("", response_model=Page[schemas.HelperOut])
async def list_helpers(read: ReaderPage, kind: HelperKind | None = None) -> Page[schemas.HelperOut]:
    found = await service.list_helpers(**read.args, kind=kind)
    return page_of(schemas.HelperOut, found)


@router.get("/{helper_id}", response_model=schemas.HelperOut)
async def get_helper(helper_id: uuid.UUID, session: SessionDep, user: Reader) -> schemas.HelperOut:
    return schemas.HelperOut.model_validate(
        await service.get(session=session, actor=user, helper_id=helper_id)
    )


@router.post("/{helper_id}/postings", status_code=201, response_model=schemas.PostingOut)
async def add_posting(
    helper_id: uuid.UUID, body: schemas.PostingIn, step: ManagerStep, idem: IdempotencyDep
) -> schemas.PostingOut:
    """Record a posting of the helper (where and from when they serve). A resend with the same
    `Idempotency-Key` answers the first posting again instead of recording it twice. For a helper who
    has left, only a posting that ended by the leaving day: else 409 `pairing-rule-violated`
    (`posting_after_leave`)."""
    posting = await service.add_posting(**step.args, helper_id=helper_id, data=body)
    return await idem.answer(_posting_out(posting))


@router.get("/{helper_id}/postings", response_model=list[schemas.PostingOut])
async def list_postings(
    helper_id: uuid.UUID, session: SessionDep, user: Reader, today: TodayDep
) -> list[schemas.PostingOut]:
    postings = await service.postings(session=session, actor=user, helper_id=helper_id, today=today)
    return [_posting_out(p) for p in postings]


@router.post("/{helper_id}/leave", response_model=schemas.LeaveOut)
async def leave(
    helper_id: uuid.UUID, body: schemas.LeaveIn, step: ManagerStep, idem: IdempotencyDep
) -> schemas.LeaveOut:
    """The helper leaves; their households are handed over in one operation (all or nothing)."""
    departure = await service.leave(**step.args, helper_id=helper_id, data=body)
    return await idem.created(schemas.LeaveOut, departure, 200)


def _employment_out(e: service.Employment) -> schemas.EmploymentOut:
    return from_row(schemas.EmploymentOut, e.row, stably_employed=e.stably_employed)


@router.post("/{helper_id}/employments", status_code=201, response_model=schemas.EmploymentOut)
async def add_employment(
    helper_id: uuid.UUID, body: schemas.EmploymentIn, step: ManagerStep, idem: IdempotencyDep
) -> schemas.EmploymentOut:
    """Record a labourer of a registered poor household (建档立卡贫困劳动力) the enterprise employs,
    from `started_on` (to `ended_on`, the last day, once they leave). Enterprises only (409
    otherwise); a household not on the roll is refused (409 worker-not-on-roll)."""
    employment = await service.add_employment(**step.args, helper_id=helper_id, data=body)
    return await idem.answer(_employment_out(employment))


@router.get("/{helper_id}/employments", response_model=list[schemas.EmploymentOut])
async def list_employments(
    helper_id: uuid.UUID, session: SessionDep, user: Reader, today: TodayDep
) -> list[schemas.EmploymentOut]:
    found = await service.employments(session=session, actor=user, helper_id=helper_id, today=today)
    return [_employment_out(e) for e in found]


@router.get("/{helper_id}/preferential-support", response_model=schemas.PreferentialSupportOut)
async def preferential_support(
    helper_id: uuid.UUID, session: SessionDep, user: Reader, today: TodayDep
) -> schemas.PreferentialSupportOut:
    """Whether the enterprise qualifies today for preferential project loans and taxes:
    开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》五(十)2,
    吸纳建档立卡贫困劳动力20人以上并稳定就业一年以上的企业 (20 workers included, each
    employed one year or more, both ends days employed). Workers are counted once each (household and
    name). 422 where no policy document sets such a rule for the enterprise's area."""
    helper, found = await service.preferential_support(
        session=session, actor=user, helper_id=helper_id, today=today
    )
    return from_row(
        schemas.PreferentialSupportOut,
        found,
        helper_id=helper.id,
        min_poor_workers=found.rule.min_poor_workers,
        min_years=found.rule.min_years,
        source=found.rule.source,
    )
