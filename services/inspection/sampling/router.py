"""HTTP for the third-party evaluation. Evaluator only: not even admins see who is sampled,
so the evaluated areas cannot prepare the sampled households."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from services.inspection.deps import Evaluator
from services.inspection.sampling import schemas, service
from shared.answers import page_of
from shared.db import SessionDep
from shared.errors import request_language
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Page

router = APIRouter(prefix="/samples", tags=["third-party evaluation"])


def _reads_english(request: Request, response: Response) -> bool:
    """Whether the caller reads English (a sample's ``method`` is worded in its language)."""
    response.headers["Vary"] = "Accept-Language"
    return request_language(request) == "en"


English = Annotated[bool, Depends(_reads_english)]


def _out(drawn: service.DrawnSample, english: bool) -> schemas.SampleOut:
    return schemas.sample_out(drawn.sample, drawn.items, english=english)


@router.post("", response_model=schemas.SampleOut, status_code=201)
async def draw(
    body: schemas.SampleIn, session: SessionDep, user: Evaluator, idem: IdempotencyDep, english: English
) -> schemas.SampleOut:
    """Draw the third-party sample of the area's exits of the year. It is drawn after the exit
    acceptance is over (《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》十:
    退出验收工作结束后独立进行): 409 `acceptance-under-way` while a
    sign-off of that unit, area and year is still open; 409 `nothing-to-sample` where no household
    (or village, `unit: village`) of the area exited in the year; 422 `date-in-future` for a year
    not yet begun (China date)."""
    return await idem.answer(_out(await service.draw(session=session, actor=user, data=body), english))


@router.get("", response_model=Page[schemas.SampleOut])
async def list_samples(
    session: SessionDep,
    user: Evaluator,
    english: English,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[schemas.SampleOut]:
    page = await service.list_page(session=session, actor=user, cursor=cursor, limit=limit)
    return page_of(lambda drawn: _out(drawn, english), page)


@router.get("/{sample_id}", response_model=schemas.SampleOut)
async def get_sample(
    sample_id: uuid.UUID, session: SessionDep, user: Evaluator, english: English
) -> schemas.SampleOut:
    return _out(await service.get(session=session, actor=user, sample_id=sample_id), english)


@router.post("/{sample_id}/verdicts", response_model=schemas.SampleOut)
async def give_verdict(
    sample_id: uuid.UUID, body: schemas.VerdictIn, session: SessionDep, user: Evaluator, english: English
) -> schemas.SampleOut:
    return _out(
        await service.give_verdict(session=session, actor=user, sample_id=sample_id, data=body), english
    )


@router.post("/{sample_id}/omissions", status_code=204)
async def record_omission(
    sample_id: uuid.UUID, body: schemas.OmissionIn, session: SessionDep, user: Evaluator
) -> None:
    await service.record_omission(session=session, actor=user, sample_id=sample_id, data=body)


@router.get("/{sample_id}/error-rates", response_model=list[schemas.ErrorRateOut])
async def error_rates(
    sample_id: uuid.UUID,
    session: SessionDep,
    user: Evaluator,
    level: Literal["village", "township", "county", "city", "province"] = "village",
) -> list[schemas.ErrorRateOut]:
    return await service.error_rates(session=session, actor=user, sample_id=sample_id, level=level)
