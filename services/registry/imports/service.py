"""Staged spreadsheet imports: upload → validate (background) → report → commit or cancel.

Validation reads the file (calamine for XLSX, or the decoded CSV) in chunks of ``CHUNK`` rows:
each chunk is checked row by row (rules.parse_row), COPYed into ``import_row`` and the progress
saved, in its own short transaction, so a client polling the import sees rows validated and an
ETA, and a cancel stops it between chunks. The set-shaped checks then run in SQL over the whole
import (repository.check). Committing moves the accepted rows into place with INSERT … SELECT,
writes the events and one audit record in the same transaction, and updates the roll-up counters
last. Staging rows are not the registry: a failed or cancelled import leaves nothing in place.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import events as area_events
from services.registry.areas.repository import AreaRepository
from services.registry.errors import (
    ImportAlreadyUploaded,
    ImportHasErrors,
    ImportNotFound,
    ImportNotReady,
    PolicyMissing,
    UnreadableSpreadsheet,
)
from services.registry.households import bulk
from services.registry.households import events as household_events
from services.registry.households.bulk import registered_counter_deltas
from services.registry.imports import kinds, rules
from services.registry.imports.repository import STAGED_COLUMNS, ImportRepository, KindRepository
from services.registry.models import ImportRow, SpreadsheetImport
from services.registry.policies import service as policy_service
from services.registry.rollups.repository import RollupRepository
from services.registry.vocabulary import ACTIVE_STATUSES, BATCH_LABELS, IMPORT_STATUSES, HouseholdStatus
from shared import audit
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database
from shared.errors import InvalidInput
from shared.events.contracts import emit_many
from shared.import_steps import failure_text, interrupted_imports_job, step_running
from shared.pii import PiiCipher, mask_resident_id
from shared.sheet_import import UnreadableFile, is_total_row, is_xlsx, read_rows
from shared.sheet_import import progress as sheet_progress
from shared.tracing import event_trace_context
from shared.vocabulary import label_of

log = structlog.get_logger(__name__)

CHUNK = 5_000
Rows = Iterator[list[str | None]]  # a sheet's rows as text cells
ALL_KINDS = ("registration", *kinds.KINDS)
KIND_TITLES = {"registration": "建档立卡花名册"} | {k.code: k.title_zh for k in kinds.KINDS.values()}


def _rows(data: bytes, *, whole: bool = True) -> tuple[str, str | None, int | None, Rows]:
    """(format, encoding, rows after the header if known, rows as text cells incl. the header);
    ``whole`` (validation) lets a county-sized XLSX go through the fast reader (shared.sheet_import)."""
    try:
        return read_rows(data, whole=whole)
    except UnreadableFile as exc:
        if is_xlsx(data):
            message, zh = "the XLSX file cannot be opened", "XLSX文件无法打开"
            raise UnreadableSpreadsheet(message, detail_zh=zh) from exc
        raise UnreadableSpreadsheet(
            "the file is neither an Excel workbook (XLSX, XLS) nor a CSV in UTF-8 or GBK",
            detail_zh="这个文件不是Excel表格（XLSX、XLS），也不是UTF-8或GBK编码的CSV，请在Excel中另存为XLSX后上传",
        ) from exc


async def upload(
    session: AsyncSession,
    *,
    actor: Principal,
    kind: str,
    data: bytes,
    filename: str | None,
    source_roll: str | None,
    reason: str | None,
) -> tuple[SpreadsheetImport, bool]:
    """The import record (status validating) and whether it is new; the same bytes twice → 409."""
    if kind not in ALL_KINDS:
        raise InvalidInput(
            f"kind {kind} is not importable; kinds: {', '.join(ALL_KINDS)}",
            detail_zh=f"暂不支持导入“{kind}”，可导入："
            + "、".join(f"{title}（{code}）" for code, title in KIND_TITLES.items()),
        )
    if not data:
        raise UnreadableSpreadsheet("the file is empty", detail_zh="上传的文件是空的")
    sha = hashlib.sha256(data).hexdigest()
    repo = ImportRepository(session)
    earlier = await repo.by_sha256(kind, sha)
    if earlier is not None:
        raise _already_uploaded(earlier)
    fmt, encoding, total, rows = _rows(data, whole=False)
    header_no, header, columns, missing = _find_header(kind, rows)
    if missing:
        found = "、".join(dict.fromkeys(h for h in header if h)) or "（空）"
        raise UnreadableSpreadsheet(
            f"the header row lacks {', '.join(missing)}",
            detail_zh=f"表头缺少：{'、'.join(missing)}。只在第一张工作表的前{HEADER_ROWS}行中找表头，"
            f"最接近的是第{header_no}行：{found}（可下载模板对照，把表头改成模板的写法）",
            missing=missing,
        )
    job = SpreadsheetImport(
        id=uuid.uuid4(),
        kind=kind,
        sha256=sha,
        filename=filename,
        file_format=fmt,
        encoding=encoding,
        status="validating",
        uploaded_by=actor.sub,
        area_scope=actor.area_prefix,
        source_roll=source_roll,
        reason=reason,
        headers=[h or "" for h in header or []],
        rows_total=total,
        rows_validated=0,
        rows_accepted=0,
        rows_refused=0,
        households_accepted=0,
        rows_committed=0,
        households_committed=0,
        started_at=clock.now(),
    )
    try:
        async with session.begin_nested():  # a savepoint: a lost race leaves the request usable
            await repo.add(job)
    except IntegrityError:
        # the same bytes uploaded at the same moment: the unique index let the earlier one in
        earlier = await repo.by_sha256(kind, sha)
        if earlier is None:
            raise
        raise _already_uploaded(earlier) from None
    return job, True


def _already_uploaded(earlier: SpreadsheetImport) -> ImportAlreadyUploaded:
    return ImportAlreadyUploaded(
        f"this file was uploaded before as import {earlier.id} ({earlier.status})",
        detail_zh=f"这个文件已于导入{earlier.id}上传过（状态：{label_of(earlier.status, IMPORT_STATUSES)}）",
        import_id=str(earlier.id),
        import_status=earlier.status,
    )


async def validate(db: Database, import_id: uuid.UUID, data: bytes, cipher: PiiCipher, today: date) -> None:
    """The background validation: chunks COPYed with progress, then the SQL checks. A failure marks
    the import failed and drops its staging rows."""
    async with step_running(db, "registry", import_id):
        try:
            await _validate(db, import_id, data, cipher, today)
        except Exception as exc:
            log.exception("import.validation_failed", import_id=str(import_id))
            await _mark_failed(db, import_id, exc, status="validating")


async def _mark_failed(db: Database, import_id: uuid.UUID, exc: Exception, *, status: str) -> None:
    """A background step failed: its own transaction marks the import failed if it is still in
    ``status`` (a clerk's cancel that came first stays cancelled), and drops the rows of a validation."""
    async with db.transaction() as session:
        repo = ImportRepository(session)
        marked = await repo.set(
            import_id, while_status=status, status="failed", error=failure_text(exc), finished_at=clock.now()
        )
        if marked and status == "validating":
            await repo.drop_rows(import_id)


def _staged_head(
    import_id: uuid.UUID, row_no: int, cells: list[str | None], parsed: rules.StagedRow, cipher: PiiCipher
) -> tuple[Any, ...]:
    """The staging columns of every kind: the row as read, its household, area, person and ID hash."""
    number = parsed.resident_id
    return (
        import_id,
        row_no,
        json.dumps(cells, ensure_ascii=False),
        parsed.household_key,
        parsed.area_code,
        parsed.name[:50] if parsed.name else None,
        cipher.keyed_hash(number) if number else None,
    )


_CIPHER = STAGED_COLUMNS.index("resident_id_cipher")  # in a staged record


def _staged_record(
    import_id: uuid.UUID,
    row_no: int,
    cells: list[str | None],
    parsed: rules.ParsedRow,
    cipher: PiiCipher,
    household_ids: dict[str, uuid.UUID],
) -> tuple[Any, ...]:
    """The staging row, with the ids it will have once committed (drawn here, once per 户编号, so
    the commit moves rows without another pass over them); the ciphertext of its resident ID at
    ``_CIPHER`` is left to the chunk (``_next_chunk`` encrypts a chunk's IDs together)."""
    number = parsed.resident_id
    key = parsed.household_key
    return (
        *_staged_head(import_id, row_no, cells, parsed, cipher),
        None,  # _CIPHER
        mask_resident_id(number) if number else None,
        parsed.birth_date,
        parsed.sex,
        parsed.relation,
        parsed.labour_capacity,
        parsed.poverty_causes,
        parsed.batches,
        parsed.year,
        parsed.registered_on,
        parsed.reasons,
        "refused" if parsed.reasons else "pending",
        household_ids.setdefault(key, uuid.uuid4()) if key else None,
        uuid.uuid4(),
        json.dumps(attributes) if (attributes := parsed.attributes()) else None,
    )


@dataclass(frozen=True, slots=True)
class _Sheet:
    """What staging reads an upload with, whatever its kind: the rows still to read (after the
    header), the header's column of each field and its width, and what a staged row needs."""

    rows: Iterator[tuple[int, list[str | None]]]
    columns: dict[str, int]
    width: int
    import_id: uuid.UUID
    cipher: PiiCipher
    today: date


def _next_chunk(sheet: _Sheet, household_ids: dict[str, uuid.UUID]) -> list[tuple[Any, ...]]:
    """Up to CHUNK rows read, checked and encrypted (runs in a worker thread: the event loop keeps
    answering other requests while a county's roll is read)."""

    numbers: list[str | None] = []  # each record's resident ID, to encrypt together

    def stage(row_no: int, cells: list[str | None], shown: list[str | None]) -> tuple[Any, ...]:
        parsed = rules.parse_row(cells, sheet.columns, today=sheet.today)
        numbers.append(parsed.resident_id)
        return _staged_record(sheet.import_id, row_no, shown, parsed, sheet.cipher, household_ids)

    records = _chunk(sheet, stage)
    ciphers = iter(sheet.cipher.encrypt_many([n for n in numbers if n]))  # one read of the OS's randomness
    return [
        (*r[:_CIPHER], next(ciphers), *r[_CIPHER + 1 :]) if n else r
        for r, n in zip(records, numbers, strict=True)
    ]


def _chunk(
    sheet: _Sheet, stage: Callable[[int, list[str | None], list[str | None]], tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Up to CHUNK staging records: ``stage`` parses a row's cells and records them ``shown``, with
    the resident ID masked (no full ID is kept in plaintext, not even staged)."""
    chunk: list[tuple[Any, ...]] = []
    at, width = sheet.columns.get("resident_id"), sheet.width
    for row_no, cells in sheet.rows:
        if not any(cells) or is_total_row(cells):
            continue  # blank lines and a 合计 line under the roll are not rows
        cells = (cells + [None] * width)[: max(width, len(cells))]
        shown = list(cells)
        if at is not None and cells[at]:
            shown[at] = mask_resident_id(cells[at] or "")
        chunk.append(stage(row_no, cells, shown))
        if len(chunk) >= CHUNK:
            break
    return chunk


async def _validate(db: Database, import_id: uuid.UUID, data: bytes, cipher: PiiCipher, today: date) -> None:
    _, _, _, cells_iter = _rows(data)
    async with db.transaction() as session:
        first = await ImportRepository(session).get(import_id)
    if first is None:
        return
    kind = kinds.KINDS.get(first.kind)
    header_no, header, columns, _ = _find_header(first.kind, cells_iter)
    # rows numbered as the spreadsheet numbers them (the header is row 1 unless a title is above it)
    sheet = _Sheet(enumerate(cells_iter, start=header_no + 1), columns, len(header), import_id, cipher, today)
    done = 0
    household_ids: dict[str, uuid.UUID] = {}
    while True:
        if kind is None:
            chunk = await asyncio.to_thread(_next_chunk, sheet, household_ids)
        else:
            chunk = await asyncio.to_thread(_next_kind_chunk, kind, sheet)
        done += len(chunk)
        async with db.transaction() as session:
            kind_repo = KindRepository(session)
            if await _claim(kind_repo, import_id, "validating") is None:
                return  # cancelled meanwhile (the cancel dropped the rows)
            if chunk:
                await (kind_repo.copy_rows(chunk) if kind is None else kind_repo.copy_kind_rows(chunk))
            await kind_repo.set(import_id, rows_validated=done)
        if len(chunk) < CHUNK:
            break
    async with db.engine.connect() as conn:
        # planner statistics of the freshly COPYed rows: without them the joins below become
        # nested loops over the whole import
        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(
            "ANALYZE import_row"
        )
    if kind is not None:
        await _check_kind(db, import_id, kind, done)
        return
    async with db.transaction() as session:
        repo = ImportRepository(session)
        job = await _claim(repo, import_id, "validating")
        if job is None:
            return
        policies: dict[str, dict[str, Any]] = {}
        for area_code, year in await repo.head_groups(import_id):
            try:
                policy = await policy_service.resolve(session=session, area_code=area_code, year=year)
            except PolicyMissing:  # an area without policy is refused by the area checks
                continue
            policies[f"{area_code}|{year}"] = {
                "batches": list(policy.batches),
                "labels": "、".join(BATCH_LABELS.get(b, b) for b in policy.batches),
                "tolerance": policy.backdate_tolerance_days,
            }
        await repo.check(
            import_id,
            scope=job.area_scope,
            today=today,
            old_roll_named=bool(job.source_roll and job.reason),
            policies=policies,
        )
        await _mark_validated(repo, import_id, done, await repo.counts(import_id))


async def request_commit(
    session: AsyncSession, import_id: uuid.UUID, actor: Principal, mode: str
) -> SpreadsheetImport:
    repo = ImportRepository(session)
    job = await load(session, actor, import_id, lock=True)
    if job.status != "validated":
        raise ImportNotReady(
            f"import {import_id} is {job.status}; only a validated import can be committed",
            detail_zh=f"这次导入的状态是“{label_of(job.status, IMPORT_STATUSES)}”，校验完成后才能提交",
            import_status=job.status,
        )
    if mode == "all_or_nothing" and job.rows_refused:
        # the first refused row and its reason (which names the column), so the clerk knows where to look
        # the row to correct, not one refused only because its household has that row
        first = await repo.first_refused(import_id)
        assert first is not None  # rows_refused counts them
        why = "；".join(first.reasons)
        raise ImportHasErrors(
            f"{job.rows_refused} row(s) are refused, the first is row {first.row_no}; nothing was imported",
            detail_zh=f"有{job.rows_refused}行未通过校验（第一处：第{first.row_no}行，{why}），"
            "按“全部或不导入”方式未导入任何一户",
            rows_refused=job.rows_refused,
            first_refused_row=first.row_no,
            first_refused_reasons=list(first.reasons),
        )
    await repo.set(import_id, status="committing", mode=mode, started_at=clock.now(), finished_at=None)
    return job


async def commit(
    db: Database, import_id: uuid.UUID, actor: Principal, mode: str, today: date, request_id: str | None
) -> None:
    """The move into place, one transaction; on failure the import is failed and nothing is in place."""
    async with step_running(db, "registry", import_id):
        try:
            async with db.transaction() as session:
                await _commit(session, import_id, actor, mode, today, request_id)
        except Exception as exc:
            log.exception("import.commit_failed", import_id=str(import_id))
            await _mark_failed(db, import_id, exc, status="committing")


async def _fail_interrupted(db: Database, import_id: uuid.UUID, status: str, exc: Exception) -> None:
    await _mark_failed(db, import_id, exc, status=status)


# an import whose validation or commit died with its process is failed, not left running for ever
INTERRUPTED_JOB = interrupted_imports_job("registry", ImportRepository, _fail_interrupted)


async def _commit(
    session: AsyncSession,
    import_id: uuid.UUID,
    actor: Principal,
    mode: str,
    today: date,
    request_id: str | None,
) -> None:
    repo = ImportRepository(session)
    job = await _claim(repo, import_id, "committing")
    if job is None:
        return
    if job.kind in kinds.KINDS:
        await _commit_kind(session, job, actor, mode)
        return
    # someone may have registered a person since validation: check again inside this transaction
    if await repo.refuse_held(import_id):
        await repo.refuse_households(import_id)
        if mode == "all_or_nothing":
            raise ImportHasErrors("a person was registered elsewhere since validation; nothing was imported")
    households, members = await repo.move_into_place(
        import_id,
        today=today,
        now=bulk.EVENT_TIME.dump_python(clock.now(), mode="json"),
        request_id=request_id,
        trace=event_trace_context(),
    )
    groups = await repo.committed_groups(import_id)
    counts = await repo.counts(import_id)
    earliest = min((g for g in groups), default=None, key=lambda g: g.year)
    after = _committed_audit(job, mode) | {
        "households": households,
        "persons": members,
        "rows_refused": counts["refused"],
        "source_roll": job.source_roll,
        "reason": job.reason,
        "earliest_year": earliest.year if earliest else None,
    }
    await _mark_committed(session, job, actor, "household.imported", after, counts, (members, households))
    # the counters' hot rows are locked until the commit: the use case's last statement
    await RollupRepository(session).apply(
        registered_counter_deltas(
            (g.area_code, g.year, g.causes, g.batches, int(g.households), int(g.persons)) for g in groups
        )
    )


async def cancel(session: AsyncSession, import_id: uuid.UUID, actor: Principal) -> SpreadsheetImport:
    repo = ImportRepository(session)
    job = await load(session, actor, import_id, lock=True)
    if job.status not in ("validating", "validated", "failed"):
        raise ImportNotReady(
            f"import {import_id} is {job.status} and cannot be cancelled",
            detail_zh=f"这次导入的状态是“{job.status}”，不能取消",
            import_status=job.status,
        )
    await repo.drop_rows(import_id)
    await repo.set(import_id, status="cancelled", finished_at=clock.now())
    job.status = "cancelled"
    return job


async def load(
    session: AsyncSession, actor: Principal, import_id: uuid.UUID, *, lock: bool = False
) -> SpreadsheetImport:
    job = await ImportRepository(session).get(import_id, lock=lock)
    if job is None or not job.area_scope.startswith(actor.area_prefix):
        raise ImportNotFound(
            f"no import {import_id} in your area", detail_zh=f"您的辖区内没有导入{import_id}"
        )
    return job


async def rows(
    session: AsyncSession,
    actor: Principal,
    import_id: uuid.UUID,
    *,
    status: str | None,
    after: int,
    limit: int,
) -> list[ImportRow]:
    """Up to ``limit`` staged rows after row number ``after`` (of an import in the caller's area)."""
    await load(session, actor, import_id)
    return await ImportRepository(session).rows(import_id, status=status, after=after, limit=limit)


async def all_rows(session: AsyncSession, job: SpreadsheetImport) -> AsyncIterator[ImportRow]:
    """Every staged row of a loaded import, in row order, read 10,000 at a time."""
    repo, after = ImportRepository(session), 0
    while page := await repo.rows(job.id, status=None, after=after, limit=10_000):
        for row in page:
            yield row
        after = page[-1].row_no


def progress(job: SpreadsheetImport) -> dict[str, Any]:
    done, total, running = job.rows_validated, job.rows_total, job.status == "validating"
    return sheet_progress(job, now=clock.now(), done=done, total=total, running=running)


# ---- the other kinds (kinds.py): the same staging, their own checks and commit steps ------------


HEADER_ROWS = 10  # a title line or two above the header (…花名册, 填报单位：…) are passed over


def _find_header(kind: str, rows: Rows) -> tuple[int, list[str | None], dict[str, int], list[str]]:
    """(row number, cells, columns, missing headers) of the header: the first of the sheet's first
    HEADER_ROWS rows with every required header (``rows`` is left at the row after it); else the
    row that comes closest, with what it lacks."""
    closest: tuple[int, list[str | None], dict[str, int], list[str]] | None = None
    for row_no, cells in enumerate(itertools.islice(rows, HEADER_ROWS), start=1):
        columns, missing = _header_map(kind, cells)
        if not missing:
            return row_no, cells, columns, missing
        if closest is None or len(missing) < len(closest[3]):
            closest = (row_no, cells, columns, missing)
    return closest or (1, [], *_header_map(kind, []))


def _header_map(kind: str, header: list[str | None]) -> tuple[dict[str, int], list[str]]:
    if kind in kinds.KINDS:
        return kinds.header_map(kinds.KINDS[kind], header)
    return rules.header_map(header)


def _next_kind_chunk(kind: kinds.ImportKind, sheet: _Sheet) -> list[tuple[Any, ...]]:

    def stage(row_no: int, cells: list[str | None], shown: list[str | None]) -> tuple[Any, ...]:
        parsed = kinds.parse_row(kind, cells, sheet.columns, today=sheet.today)
        number = parsed.resident_id
        return (
            *_staged_head(sheet.import_id, row_no, shown, parsed, sheet.cipher),
            mask_resident_id(number) if number else None,
            parsed.year,
            parsed.reasons,
            "refused" if parsed.reasons else "pending",
            json.dumps(parsed.data) if parsed.data else None,
        )

    return _chunk(sheet, stage)


def _closed_statuses() -> dict[str, str]:
    return {s.value: s.label for s in HouseholdStatus if s not in ACTIVE_STATUSES}


DIBAO_OUTCOMES = {
    "matched": kinds.DIBAO_MATCHED,
    "mismatch": kinds.DIBAO_MISMATCH,
    "not_registered": kinds.DIBAO_NOT_REGISTERED,
}


async def _check_kind(db: Database, import_id: uuid.UUID, kind: kinds.ImportKind, done: int) -> None:
    async with db.transaction() as session:
        repo = KindRepository(session)
        job = await _claim(repo, import_id, "validating")
        if job is None:
            return
        if kind is kinds.INCOMES:
            await repo.check_incomes(import_id, scope=job.area_scope, closed=_closed_statuses())
        elif kind is kinds.DIBAO:
            await repo.check_dibao(import_id, scope=job.area_scope, outcomes=DIBAO_OUTCOMES)
        else:
            await repo.check_village_incomes(import_id, scope=job.area_scope)
        await _mark_validated(repo, import_id, done, await repo.kind_counts(import_id))


async def _commit_kind(session: AsyncSession, job: SpreadsheetImport, actor: Principal, mode: str) -> None:
    """One transaction: the rows into place, one audit record, the events the one-by-one route
    emits, the import marked committed."""
    repo = KindRepository(session)
    import_id = job.id
    after = _committed_audit(job, mode)
    committed_rows = households = 0
    if job.kind == kinds.INCOMES.code:
        # a household may have been closed since validation: check again under its row lock
        await repo.lock_households(await repo.accepted_households(import_id))
        if await repo.refuse_closed(import_id, _closed_statuses()) and mode == "all_or_nothing":
            raise ImportHasErrors("a household was closed since validation; nothing was imported")
        changes = await repo.put_incomes(import_id)
        touched = sorted({c[0] for c in changes})
        loaded, members = await repo.households_with_members(touched)
        for h in loaded.values():
            h.version += 1
        # the events the one-by-one route emits, in row order, written in one statement
        await emit_many(
            session,
            (
                (
                    str(household_id),
                    household_events.updated_payload(
                        loaded[household_id], members.get(household_id, []), change="income", year=year
                    ),
                )
                for household_id, year, _fen, _before in changes
            ),
        )
        committed_rows, households = len(changes), len(touched)
        after |= {
            "incomes": len(changes),
            "households": len(touched),
            "changed": sum(1 for c in changes if c[3] is not None),
        }
        action = "household.incomes_imported"
    elif job.kind == kinds.DIBAO.code:
        found = await repo.dibao_counts(import_id, scope=job.area_scope)
        counts = await repo.kind_counts(import_id)
        committed_rows, households = counts["accepted"], counts["households"]
        after |= {
            "lines": counts["accepted"],
            "matched": found.get(kinds.DIBAO_MATCHED, 0),
            "on_roll_not_flagged": found.get(kinds.DIBAO_MISMATCH, 0),
            "not_registered": found.get(kinds.DIBAO_NOT_REGISTERED, 0),
            "flagged_not_on_roll": found["flagged_not_on_roll"],
        }
        action = "dibao.cross_checked"  # what POST /dibao-cross-checks records; it emits no event
    else:
        villages = await repo.put_village_incomes(import_id)
        latest = await AreaRepository(session).latest_income(villages)
        for area in await repo.areas(villages):
            await area_events.publish_stored(session, area, latest.get(area.code, (0, None))[1])
        counts = await repo.kind_counts(import_id)
        committed_rows, households = counts["accepted"], 0
        after |= {"incomes": counts["accepted"], "villages": len(villages)}
        action = "area.incomes_imported"
    counts = await repo.kind_counts(import_id)
    after["rows_refused"] = counts["refused"]
    await _mark_committed(session, job, actor, action, after, counts, (committed_rows, households))


# ---- the steps every kind shares ------------------------------------------------------------------


async def _claim(repo: ImportRepository, import_id: uuid.UUID, status: str) -> SpreadsheetImport | None:
    """The import, locked, if it is still in ``status`` (else a cancel or another replica came first)."""
    job = await repo.get(import_id, lock=True)
    return job if job is not None and job.status == status else None


async def _mark_validated(
    repo: ImportRepository, import_id: uuid.UUID, done: int, counts: dict[str, int]
) -> None:
    await repo.set(
        import_id,
        status="validated",
        rows_total=done,
        rows_validated=done,
        rows_accepted=counts["accepted"],
        rows_refused=counts["refused"],
        households_accepted=counts["households"],
        finished_at=clock.now(),
    )


def _committed_audit(job: SpreadsheetImport, mode: str) -> dict[str, Any]:
    """What every committed import's audit record names first: which file, how committed."""
    return {
        "import_id": str(job.id),
        "kind": job.kind,
        "sha256": job.sha256,
        "filename": job.filename,
        "mode": mode,
    }


async def _mark_committed(
    session: AsyncSession,
    job: SpreadsheetImport,
    actor: Principal,
    action: str,
    after: dict[str, Any],
    counts: dict[str, int],
    committed: tuple[int, int],
) -> None:
    """The audit record of the commit, and the import marked committed (rows, households)."""
    await audit.record(session, actor, action, ("household_import", str(job.id)), after=after)
    rows_committed, households_committed = committed
    await ImportRepository(session).set(
        job.id,
        status="committed",
        rows_committed=rows_committed,
        households_committed=households_committed,
        rows_accepted=counts["accepted"],
        rows_refused=counts["refused"],
        finished_at=clock.now(),
    )
