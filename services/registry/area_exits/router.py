"""HTTP for village and county exits (贫困村退出、贫困县摘帽) and their criteria as policy records."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.registry.area_exits import schemas, service
from services.registry.area_exits.rules import AreaExitKind, AreaExitPolicy, label_words
from services.registry.deps import AdminWrite, Decider
from services.registry.models import AreaExitRequest
from services.registry.vocabulary import AREA_EXIT_KINDS, AREA_EXIT_STATUSES, AreaExitStatus
from shared.answers import ListRead, PrefixPath, YearPath, page_of
from shared.auth import CurrentUser
from shared.clock import ClockDep
from shared.db import SessionDep
from shared.errors import Forbidden, request_language
from shared.fields import AreaCodeText
from shared.http import etag
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.vocabulary import code_or_label

router = APIRouter(tags=["village and county exit"])
Year = Annotated[int, Query(ge=2014, le=2100)]


def _policy_out(policy: AreaExitPolicy, version: int | None = None) -> schemas.AreaExitPolicyOut:
    return schemas.AreaExitPolicyOut(
        area_prefix=policy.area_prefix,
        year=policy.year,
        kind=policy.kind,
        source=policy.source,
        criteria=[schemas.CriterionSpecIO.model_validate(c, from_attributes=True) for c in policy.criteria],
        version=version,
    )


def _english(request: Request) -> bool:
    return request_language(request) != "zh"


def _criterion(data: Mapping[str, Any], english: bool) -> schemas.AreaCriterionOut:
    """A criterion with its label and detail in the caller's language (a request kept before the
    labels were apart reads "有硬化路 (a hardened road)": each language gets its half; one kept before
    the details were in Chinese shows its English detail)."""
    zh, en = label_words(str(data["label"]), data.get("label_en"))
    detail = data["detail"] if english else data.get("detail_zh") or data["detail"]
    label = en if english and en else zh
    return schemas.AreaCriterionOut.model_validate({**data, "label": label, "detail": detail})


def _out(req: AreaExitRequest, english: bool) -> schemas.AreaExitRequestOut:
    out = schemas.AreaExitRequestOut.model_validate(req, from_attributes=True)
    return out.model_copy(update={"criteria": [_criterion(c, english) for c in req.criteria]})


@router.get("/areas/{code}/exit-eligibility", response_model=schemas.AreaEligibilityOut)
async def area_exit_eligibility(
    code: AreaCodeText, year: Year, session: SessionDep, user: CurrentUser, request: Request
) -> schemas.AreaEligibilityOut:
    """Each criterion of the village's or county's exit policy and whether it passes now; the
    declared ones (roads, clinics …) show as not declared until a request states them."""
    found = await service.eligibility(session=session, actor=user, code=code, year=year)
    policy, facts, result = found.policy, found.facts, found.result
    return schemas.AreaEligibilityOut(
        area_code=found.area.code,
        area_name=found.area.name,
        kind=found.kind.value,
        year=found.year,
        eligible=result.eligible,
        policy=schemas.PolicyRef(area_prefix=policy.area_prefix, year=policy.year, source=policy.source),
        poor_persons=facts.poor_persons,
        rural_population=facts.rural_population,
        criteria=[_criterion(c.as_data(), _english(request)) for c in result.criteria],
    )


@router.post("/areas/{code}/exit-requests", status_code=201, response_model=schemas.AreaExitRequestOut)
async def request_area_exit(
    code: AreaCodeText,
    body: schemas.AreaExitRequestIn,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    user: Decider,
    request: Request,
) -> schemas.AreaExitRequestOut:
    """Ask for the exit of a poor village or a county (409 with every criterion unless eligible);
    inspection then opens its sign-off dossier. A criterion declared twice in `declared` is 422."""
    out = _out(
        await service.request_exit(session=session, actor=user, code=code, data=body, today=clock.today()),
        _english(request),
    )
    await idem.save(201, out)
    return out


@router.get("/areas/{code}/exit-requests", response_model=list[schemas.AreaExitRequestOut])
async def area_exit_requests(
    code: AreaCodeText, session: SessionDep, user: CurrentUser, request: Request
) -> list[schemas.AreaExitRequestOut]:
    found = await service.list_for_area(session=session, actor=user, code=code)
    return [_out(r, _english(request)) for r in found]


@router.get("/areas/{code}/exit-status", response_model=schemas.AreaExitStatusOut)
async def area_exit_status(
    code: AreaCodeText, session: SessionDep, user: CurrentUser
) -> schemas.AreaExitStatusOut:
    """Whether the village or county has exited, since when, and any request still waiting."""
    found = await service.status(session=session, actor=user, code=code)
    done, pending = found.exited, found.pending
    return schemas.AreaExitStatusOut(
        area_code=found.area.code,
        kind=found.kind.value,
        exited=done is not None,
        exited_on=done.decided_on if done else None,
        year=done.year if done else None,
        exit_request_id=done.id if done else None,
        pending_request_id=pending.id if pending else None,
    )


@router.get("/area-exit-requests", response_model=Page[schemas.AreaExitRequestOut])
async def list_area_exit_requests(
    read: ListRead,
    request: Request,
    area_code: AreaCodeText | None = None,
    kind: Annotated[AreaExitKind, code_or_label(AREA_EXIT_KINDS)] | None = None,
    status: Annotated[AreaExitStatus, code_or_label(AREA_EXIT_STATUSES)] | None = None,
    year: Annotated[int | None, Query(ge=2014, le=2100)] = None,
) -> Page[schemas.AreaExitRequestOut]:
    found = await service.page(
        **read.args, area_code=area_code, kind=kind.value if kind else None, status_=status, year=year
    )
    return page_of(lambda r: _out(r, _english(request)), found)


@router.get("/area-exit-requests/{request_id}", response_model=schemas.AreaExitRequestOut)
async def area_exit_request(
    request_id: uuid.UUID, session: SessionDep, user: CurrentUser, request: Request
) -> schemas.AreaExitRequestOut:
    found = await service.get_request(session=session, actor=user, request_id=request_id)
    return _out(found, _english(request))


@router.get("/area-exit-policies/{area_code}/{year}", response_model=schemas.AreaExitPolicyOut)
async def resolved_area_exit_policy(
    area_code: AreaCodeText,
    year: YearPath,
    kind: AreaExitKind,
    session: SessionDep,
    user: CurrentUser,
) -> schemas.AreaExitPolicyOut:
    """The criteria a village (kind=village) or county (kind=county) in ``area_code`` exits by."""
    return _policy_out(
        await service.resolved_policy(session=session, area_code=area_code, year=year, kind=kind)
    )


@router.get(
    "/area-exit-policies/records/{area_prefix}/{year}/{kind}", response_model=schemas.AreaExitPolicyOut
)
async def area_exit_policy_record(
    area_prefix: PrefixPath,
    year: YearPath,
    kind: AreaExitKind,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> schemas.AreaExitPolicyOut:
    found = await service.get_record(
        session=session, actor=user, area_prefix=area_prefix, year=year, kind=kind
    )
    response.headers["ETag"] = etag(found.version)
    return _policy_out(found.policy, found.version)


@router.put("/area-exit-policies", status_code=204)
async def put_area_exit_policy(
    body: schemas.AreaExitPolicyIn,
    write: AdminWrite,
) -> None:
    """Add a place's village or county exit criteria for a year (no If-Match), or replace them
    with the ETag of the record's GET (428 without, 412 if changed meanwhile)."""
    if not write.actor.covers(body.area_prefix.ljust(12, "0")):
        raise Forbidden("you may set policy only for your own area")
    stored = await service.put_record(**write.args, data=body)
    write.tag(stored.version)
