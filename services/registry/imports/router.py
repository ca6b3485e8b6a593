"""Staged spreadsheet imports (docs/registry.md, 表格导入)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.registry.deps import Approver, CipherDep, TodayDep
from services.registry.imports import kinds, rules, schemas, service
from services.registry.imports.template import kind_template, registration_template
from services.registry.models import SpreadsheetImport
from services.registry.vocabulary import IMPORT_ROW_STATUSES, ImportRowStatus
from shared.auth import CurrentUser
from shared.bodyguard import LARGE_BODY
from shared.context import get_request_id
from shared.db import SessionDep
from shared.shaping import from_row
from shared.sheet_import import rows_page, upload_bytes
from shared.spreadsheets import XLSX_MEDIA_TYPE, Column, Sheet, xlsx_response
from shared.vocabulary import code_or_label

router = APIRouter(prefix="/imports", tags=["imports"])
Kind = Literal["registration", "incomes", "dibao", "village_incomes"]
KIND_HELP = (
    "registration: the 建档立卡 roll, one row per member; incomes: a year's per-capita net income "
    "per household (户编号 or 户主身份证号, 年度, 人均纯收入(元)); dibao: the 低保 roll from civil "
    "affairs, cross-checked against the registry; village_incomes: 村代码, 年度, 集体经济收入(元)"
)


def _out(job: SpreadsheetImport) -> schemas.ImportStatusOut:
    return schemas.ImportStatusOut(
        **{
            k: getattr(job, k)
            for k in schemas.ImportStatusOut.model_fields
            if k not in ("elapsed_s", "eta_s")
        },
        **service.progress(job),
    )


@router.get("/templates/{kind}.xlsx", response_class=Response)
async def template(kind: Annotated[Kind, Path()], user: CurrentUser, today: TodayDep) -> Response:
    if kind == "registration":
        data, ascii_name = registration_template(today), "registration.xlsx"
    else:
        data, ascii_name = kind_template(kinds.KINDS[kind], today), f"{kind}.xlsx"
    title = service.KIND_TITLES[kind] + "导入模板.xlsx"
    return Response(
        data,
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title)}"
        },
    )


@router.post("", status_code=202, response_model=schemas.ImportStatusOut, openapi_extra=LARGE_BODY)
async def upload(
    request: Request,
    session: SessionDep,
    user: Approver,
    cipher: CipherDep,
    today: TodayDep,
    background: BackgroundTasks,
    kind: Kind = Query(description=KIND_HELP),
    source_roll: str | None = Query(default=None, max_length=500),
    reason: str | None = Query(default=None, max_length=2000),
    filename: str | None = Query(default=None, max_length=255),
) -> schemas.ImportStatusOut:
    """The file as multipart (field ``file``) or as the raw body. Answers 202 at once; validation
    runs in the background — poll ``GET /imports/{id}``. A file that is empty or no spreadsheet
    (CSV, XLSX or XLS with the template's header row) is 422 unreadable-spreadsheet."""
    data, filename = await upload_bytes(request, filename)
    job, _ = await service.upload(
        session, actor=user, kind=kind, data=data, filename=filename, source_roll=source_roll, reason=reason
    )
    background.add_task(service.validate, request.app.state.db, job.id, data, cipher, today)
    return _out(job)


@router.get("/{import_id}", response_model=schemas.ImportStatusOut)
async def read(import_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.ImportStatusOut:
    return _out(await service.load(session, user, import_id))


@router.get("/{import_id}/rows", response_model=schemas.ImportRowsOut)
async def rows(
    import_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[ImportRowStatus, code_or_label(IMPORT_ROW_STATUSES)] | None = None,
    after: int = Query(default=0, ge=0, description="the last row number of the previous page"),
    limit: int = Query(default=500, ge=1, le=5000),
) -> schemas.ImportRowsOut:
    found = await service.rows(session, user, import_id, status=status, after=after, limit=limit)
    return schemas.ImportRowsOut(
        **rows_page(
            found,
            limit,
            lambda r: from_row(schemas.ImportRowOut, r, row=r.row_no, outcome=(r.data or {}).get("outcome")),
        )
    )


@router.get("/{import_id}/report.xlsx", response_class=StreamingResponse)
async def report(import_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> StreamingResponse:
    """The uploaded sheet with a 错误原因 column added (blank on accepted rows)."""
    job = await service.load(session, user, import_id)
    # an ID column as wide as the template's, so its masked 18 characters show whole
    columns = [
        Column(f"c{i}", h or f"列{i + 1}", width=22 if "身份证" in h else None)
        for i, h in enumerate(job.headers)
    ]
    columns.append(Column("reasons", rules.REASON_HEADER, width=60))
    outcome = kinds.KINDS[job.kind].outcome_header if job.kind in kinds.KINDS else None
    if outcome:
        columns.append(Column("outcome", outcome, width=40))
    lines: list[list[str | None]] = []
    async for r in service.all_rows(session, job):
        cells = (list(r.cells) + [None] * len(job.headers))[: len(job.headers)]
        line = [*cells, "；".join(r.reasons) or None]
        if outcome:
            line.append((r.data or {}).get("outcome"))
        lines.append(line)
    return xlsx_response(f"import-{import_id}-report.xlsx", [Sheet("导入结果", columns, lines)])


@router.post("/{import_id}/commit", status_code=202, response_model=schemas.ImportStatusOut)
async def commit(
    import_id: uuid.UUID,
    body: schemas.CommitIn,
    request: Request,
    session: SessionDep,
    user: Approver,
    today: TodayDep,
    background: BackgroundTasks,
) -> schemas.ImportStatusOut:
    """all_or_nothing: refused if any row is refused; valid_rows_only: the accepted households.
    The move into place runs in the background (status committing → committed)."""
    job = await service.request_commit(session, import_id, user, body.mode)
    background.add_task(
        service.commit, request.app.state.db, import_id, user, body.mode, today, get_request_id()
    )
    await session.refresh(job)
    return _out(job)


@router.post("/{import_id}/cancel", response_model=schemas.ImportStatusOut)
async def cancel(import_id: uuid.UUID, session: SessionDep, user: Approver) -> schemas.ImportStatusOut:
    return _out(await service.cancel(session, import_id, user))
