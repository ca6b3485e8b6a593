"""HTTP for the exit sign-off dossiers (HTTP only; the rules live in rules.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import WithJsonSchema

from services.inspection.deps import AdminWrite
from services.inspection.signoffs import schemas, service
from services.inspection.signoffs.rules import DOSSIER_STATUS_ZH
from services.inspection.vocabulary import SIGNOFF_KINDS, SignoffKind
from shared.answers import ListRead, page_of
from shared.auth import CurrentUser
from shared.cadres import PUBLIC_POLICY
from shared.db import SessionDep
from shared.fields import AREA_CODE_OR_PREFIX_PATTERN
from shared.http import etag
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.vocabulary import code_or_label

router = APIRouter(prefix="/signoffs", tags=["exit sign-off (4-3-4-2)"])


def _out(found: service.SignedDossier) -> schemas.DossierOut:
    return schemas.dossier_out(found.dossier, found.signatures)


def _scheme(found: service.SchemeSetting) -> schemas.SchemeOut:
    return schemas.scheme_out(found.scheme, found.area_prefix, found.source, found.version, found.kind)


@router.get("", response_model=Page[schemas.DossierOut])
async def list_dossiers(
    read: ListRead,
    status: Annotated[
        str | None,
        # the screen's word taken as its code; checked by the service (rules.DOSSIER_STATUS: its
        # 422 says the dossier's own words)
        code_or_label(DOSSIER_STATUS_ZH),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "enum": [*DOSSIER_STATUS_ZH, *DOSSIER_STATUS_ZH.values()]},
                    {"type": "null"},
                ]
            }
        ),
        Query(
            description="open (签字中), verified (已核验通过), rejected (已退回) or withdrawn (已撤回), "
            "by the code or the Chinese"
        ),
    ] = None,
    household_id: str | None = None,
    kind: Annotated[
        Annotated[SignoffKind, code_or_label(SIGNOFF_KINDS)] | None,
        Query(
            description="household (贫困户退出), village (贫困村退出) or county (贫困县摘帽), "
            "by the code or the Chinese"
        ),
    ] = None,
) -> Page[schemas.DossierOut]:
    found = await service.list_page(**read.args, status=status, household_id=household_id, kind=kind)
    return page_of(_out, found)


@router.get("/{dossier_id}", response_model=schemas.DossierOut)
async def get_dossier(dossier_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.DossierOut:
    return _out(await service.get(session=session, actor=user, dossier_id=dossier_id))


@router.post("/{dossier_id}/signatures", response_model=schemas.DossierOut, status_code=201)
async def sign(
    dossier_id: uuid.UUID, body: schemas.SignIn, session: SessionDep, user: CurrentUser, idem: IdempotencyDep
) -> schemas.DossierOut:
    """Sign as ``position``; the token must carry that position role for the household's area.
    Send an Idempotency-Key from a phone on a poor line: a retry replays the first answer."""
    signed = await service.sign(session=session, actor=user, dossier_id=dossier_id, position=body.position)
    return await idem.answer(_out(signed))


@router.post("/{dossier_id}/refusals", response_model=schemas.DossierOut, status_code=201)
async def refuse(
    dossier_id: uuid.UUID,
    body: schemas.RefuseIn,
    session: SessionDep,
    user: CurrentUser,
    idem: IdempotencyDep,
) -> schemas.DossierOut:
    """Refuse as ``position`` with a reason; the dossier closes and registry hears the reason."""
    refused = await service.refuse(
        session=session, actor=user, dossier_id=dossier_id, position=body.position, reason=body.reason
    )
    return await idem.answer(_out(refused))


schemes_router = APIRouter(prefix="/signoff-schemes", tags=["exit sign-off (4-3-4-2)"])
AreaPrefixPath = Annotated[
    str,
    Path(pattern=AREA_CODE_OR_PREFIX_PATTERN, description="a 12-digit area code or its 2/4/6/9-digit prefix"),
]
KindQuery = Annotated[
    SignoffKind,
    code_or_label(SIGNOFF_KINDS),
    Query(
        description="the exit the set signs: household (贫困户退出), village (贫困村退出) or county "
        "(贫困县摘帽), by the code or the Chinese",
    ),
]


@schemes_router.get(
    "/{area_prefix}",  # the PUT's path: one resource, one path in the document (Allow: GET, PUT)
    response_model=schemas.SchemeOut,
    description=PUBLIC_POLICY,
)
async def effective_scheme(
    area_code: Annotated[
        str,
        Path(
            alias="area_prefix",
            pattern=AREA_CODE_OR_PREFIX_PATTERN,
            description="a 12-digit area code or its 2/4/6/9-digit prefix",
        ),
    ],
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    kind: KindQuery = "household",
) -> schemas.SchemeOut:
    """The sign-off set a household in ``area_code`` would get today (a 12-digit code), or that
    applies to a subtree (its 2/4/6/9-digit prefix). The ETag is sent when the set shown is the
    record stored at this path; a PUT here changes it with that ETag in If-Match."""
    out = _scheme(await service.get_scheme(session=session, area_code=area_code, kind=kind))
    if out.version is not None:
        response.headers["ETag"] = etag(out.version)
    return out


@schemes_router.put("/{area_prefix}", response_model=schemas.SchemeOut)
async def put_scheme(
    area_prefix: AreaPrefixPath,
    body: schemas.SchemeIn,
    write: AdminWrite,
    kind: KindQuery = "household",
) -> schemas.SchemeOut:
    """Record a place's own sign-off set (policy data); the longest prefix wins. Creating a prefix's
    record needs no If-Match; changing it needs the ETag of `GET` on the same path (428 without,
    412 if changed meanwhile). The levels go upward from the lowest (village, township, county, city,
    province), each once; a household position only in a household set: otherwise 422."""
    out = _scheme(await service.put_scheme(**write.args, area_prefix=area_prefix, data=body, kind=kind))
    if out.version is not None:
        write.tag(out.version)
    return out
