"""HTTP routes of the 结对帮扶名单 import (docs/guide/08-导入结对帮扶名单.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.pairing.deps import Manager, Office, TodayDep
from services.pairing.imports import schemas, service
from services.pairing.imports.template import pairing_template
from services.pairing.models import PairingImport
from services.pairing.vocabulary import IMPORT_ROW_STATUSES, ImportRowStatus
from shared.bodyguard import LARGE_BODY
from shared.db import SessionDep
from shared.shaping import from_row
from shared.sheet_import import REASON_HEADER, rows_page, upload_bytes
from shared.spreadsheets import XLSX_MEDIA_TYPE, Column, Sheet, content_disposition, xlsx_response
from shared.vocabulary import code_or_label

router = APIRouter(prefix="/imports", tags=["imports"])


def _out(job: PairingImport) -> schemas.ImportStatusOut:
    fields = {
        k: getattr(job, k) for k in schemas.ImportStatusOut.model_fields if k not in ("elapsed_s", "eta_s")
    }
    return schemas.ImportStatusOut(**fields, **service.progress(job))


@router.get("/template.xlsx", response_class=Response)
async def template(user: Office, today: TodayDep) -> Response:
    """Header row, an example row, drop-downs for 单位层级, 帮扶力量类别 and 帮扶类型."""
    return Response(
        pairing_template(today),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition("结对帮扶名单导入模板.xlsx")},
    )


@router.post("", status_code=202, response_model=schemas.ImportStatusOut, openapi_extra=LARGE_BODY)
async def upload(
    request: Request,
    user: Manager,
    session: SessionDep,
    background: BackgroundTasks,
    today: TodayDep,
    filename: Annotated[
        str | None, Query(max_length=255, description="the file's name, for the report")
    ] = None,
) -> schemas.ImportStatusOut:
    """The roll (XLSX, or CSV in UTF-8 or GBK) as multipart (field ``file``) or as the raw body.
    Answers 202 at once; the rows are checked in the background — poll ``GET /imports/{id}``.
    A file that is empty or no pairing roll (CSV or XLSX with the template's header row) is
    422 unreadable-pairing-roll."""
    data, name = await upload_bytes(request, filename)
    job = await service.upload(session, actor=user, data=data, filename=name)
    background.add_task(service.validate, request.app.state.db, job.id, data, today)
    return _out(job)


@router.get("/{import_id}/rows", response_model=schemas.ImportRowsOut)
async def rows(
    import_id: uuid.UUID,
    user: Office,
    session: SessionDep,
    status: Annotated[
        Annotated[ImportRowStatus, code_or_label(IMPORT_ROW_STATUSES)] | None,
        Query(description="only these rows: accepted (校验通过) or refused (未通过), by code or Chinese"),
    ] = None,
    after: Annotated[int, Query(ge=0, description="the last row number of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> schemas.ImportRowsOut:
    found = await service.staged_rows(session, user, import_id, status=status, after=after, limit=limit)
    return schemas.ImportRowsOut(
        **rows_page(found, limit, lambda r: from_row(schemas.ImportRowOut, r, row=r.row_no))
    )


@router.post("/{import_id}/commit", status_code=202, response_model=schemas.ImportStatusOut)
async def commit(
    import_id: uuid.UUID,
    body: schemas.CommitIn,
    user: Manager,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
    today: TodayDep,
) -> schemas.ImportStatusOut:
    """all_or_nothing: refused if any row is refused; valid_rows_only: the accepted rows. The
    pairings are written in the background (status committing → committed; poll for progress)."""
    job = await service.request_commit(session, import_id, user, body.mode)
    background.add_task(service.commit, request.app.state.db, import_id, user, body.mode, today)
    return _out(job)


@router.post("/{import_id}/cancel", response_model=schemas.ImportStatusOut)
async def cancel(import_id: uuid.UUID, session: SessionDep, user: Manager) -> schemas.ImportStatusOut:
    """Validating, validated or committing: nothing of the import stays (a commit under way rolls back)."""
    return _out(await service.cancel(session, import_id, user))


@router.get("/{import_id}", response_model=schemas.ImportStatusOut)
async def read(import_id: uuid.UUID, user: Office, session: SessionDep) -> schemas.ImportStatusOut:
    """Status and progress (rows validated / committed, an ETA while it runs); poll it."""
    return _out(await service.load(session, user, import_id))


@router.get("/{import_id}/report.xlsx", response_class=StreamingResponse)
async def report(import_id: uuid.UUID, session: SessionDep, user: Office) -> StreamingResponse:
    """The uploaded sheet with a 错误原因 column added (blank on accepted rows)."""
    job, lines = await service.report(session, user, import_id)
    columns = [Column(f"c{i}", h or f"列{i + 1}") for i, h in enumerate(job.headers)]
    columns.append(Column("reasons", REASON_HEADER, width=60))
    return xlsx_response(f"结对帮扶名单导入结果-{import_id}.xlsx", [Sheet("导入结果", columns, lines)])
