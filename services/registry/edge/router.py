from __future__ import annotations

from fastapi import APIRouter, UploadFile

from services.registry.deps import CipherDep, Registrar, RegistrarStep
from services.registry.edge import schemas, service
from services.registry.models import EdgeHousehold
from shared.answers import page_of
from shared.auth import CurrentUser
from shared.bodyguard import LARGE_BODY
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.fields import AreaCodeText
from shared.pagination import Cursor, Limit, Page
from shared.pii import mask_name
from shared.shaping import from_row

router = APIRouter(tags=["edge"])
MAX_ROLL_BYTES = 20 * 1024 * 1024
SHOWN = 1_000  # each list in a cross-check answer is cut here; the counts are always complete


def _out(e: EdgeHousehold) -> schemas.EdgeHouseholdOut:
    return from_row(schemas.EdgeHouseholdOut, e, head_name_masked=mask_name(e.head_name))


@router.post("/edge-households", status_code=201, response_model=schemas.EdgeHouseholdOut)
async def add_edge_household(
    body: schemas.EdgeHouseholdIn, step: RegistrarStep, cipher: CipherDep
) -> schemas.EdgeHouseholdOut:
    return _out(await service.add_edge_household(**step.args, data=body, cipher=cipher))


@router.get("/edge-households", response_model=Page[schemas.EdgeHouseholdOut])
async def list_edge_households(
    session: SessionDep, user: CurrentUser, limit: Limit = 50, cursor: Cursor = None
) -> Page[schemas.EdgeHouseholdOut]:
    found = await service.edge_households(session=session, actor=user, cursor=cursor, limit=limit)
    return page_of(_out, found)


@router.post("/dibao-cross-checks", response_model=schemas.CrossCheckOut, openapi_extra=LARGE_BODY)
async def dibao_cross_check(
    area_code: AreaCodeText, roll: UploadFile, session: SessionDep, user: Registrar, cipher: CipherDep
) -> schemas.CrossCheckOut:
    raw = await roll.read(MAX_ROLL_BYTES + 1)
    if len(raw) > MAX_ROLL_BYTES:
        raise InvalidInput(
            "the roll is larger than 20 MB; split it by township",
            detail_zh="名单文件超过20MB，请按乡镇分开上传",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "the roll must be a UTF-8 CSV file", detail_zh="名单须为UTF-8编码的CSV文件"
        ) from exc
    report = await service.dibao_cross_check(
        session=session, actor=user, area_code=area_code, roll_text=text, cipher=cipher
    )
    result = report.result
    return schemas.CrossCheckOut(
        area_code=report.area_code,
        lines_read=report.lines_read,
        problems=[schemas.RollProblemOut(line=p.line, problem=p.problem) for p in report.problems[:SHOWN]],
        matched_count=len(result.matched),
        on_roll_not_flagged_count=len(result.on_roll_not_flagged),
        flagged_not_on_roll_count=len(result.flagged_not_on_roll),
        not_registered_count=len(result.not_registered),
        matched=result.matched[:SHOWN],
        on_roll_not_flagged=result.on_roll_not_flagged[:SHOWN],
        flagged_not_on_roll=result.flagged_not_on_roll[:SHOWN],
        not_registered=result.not_registered[:SHOWN],
    )
