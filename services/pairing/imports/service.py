"""The 结对帮扶名单 import: upload → validate (background, in chunks) → report → commit or cancel.

Validation reads the file in chunks of ``CHUNK`` rows; each chunk loads what the database knows of
its helpers and households, runs every row through ``rules.Ledger`` (the same ``check_open`` as
``POST /pairings``), stages the rows with their verdicts and saves the progress in its own short
transaction — a client polling sees rows validated and an ETA, and a cancel stops it between
chunks. The commit is one transaction: the accepted rows checked again under the helpers' and
households' row locks (the world may have moved since), the new helpers and the pairings written
with the events ``POST /pairings`` emits, one audit record; the import is marked committed by its
last statement, and only while it is still ``committing`` — a cancel meanwhile rolls it all back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import (
    ImportAlreadyUploaded,
    ImportHasErrors,
    ImportNotFound,
    ImportNotReady,
    UnreadableRoll,
)
from services.pairing.imports import rules
from services.pairing.imports.repository import ImportRepository
from services.pairing.models import Helper, Pairing, PairingImport, PairingImportRow
from services.pairing.needs import lifecycle as need_lifecycle
from services.pairing.pairings import events as pairing_events
from services.pairing.pairings import service as pairing_service
from services.pairing.policies import service as policy_service
from services.pairing.vocabulary import IMPORT_STATUSES, HelperKind, PairingKind
from shared import audit
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database
from shared.import_steps import failure_text, interrupted_imports_job, step_running
from shared.sheet_import import UnreadableFile, file_sha256, map_header, read_rows
from shared.sheet_import import progress as sheet_progress

log = structlog.get_logger(__name__)

CHUNK = 2_000


class ImportCancelled(Exception):
    """The import was cancelled while it was being committed: the commit's transaction rolls back."""


async def load(
    session: AsyncSession, actor: Principal, import_id: uuid.UUID, *, lock: bool = False
) -> PairingImport:
    """The import, if it was uploaded in the caller's area (another area's is not found)."""
    job = await ImportRepository(session).get(import_id, lock=lock)
    if job is not None and job.area_scope.startswith(actor.area_prefix):
        return job
    raise ImportNotFound(
        f"no pairing import {import_id} in your area", detail_zh=f"您的辖区内没有结对帮扶名单导入{import_id}"
    )


def _already_uploaded(earlier: PairingImport) -> ImportAlreadyUploaded:
    """409 naming the earlier import (its id and status) a client can look at or commit instead."""
    named = {"import_id": str(earlier.id), "import_status": earlier.status}
    english = f"this file was uploaded before as import {earlier.id} ({earlier.status})"
    chinese = f"这个文件已于导入{earlier.id}上传过（状态：{IMPORT_STATUSES[earlier.status]}）"
    return ImportAlreadyUploaded(english, detail_zh=chinese, **named)


async def upload(
    session: AsyncSession, *, actor: Principal, data: bytes, filename: str | None
) -> PairingImport:
    """The import record (status validating); the same bytes while an earlier import stands → 409."""
    if not data:
        raise UnreadableRoll("the file is empty", detail_zh="上传的文件是空的")
    sha = file_sha256(data)
    repo = ImportRepository(session)
    if (earlier := await repo.by_sha256(sha)) is not None:
        raise _already_uploaded(earlier)
    try:
        fmt, encoding, total, rows = read_rows(data)
    except UnreadableFile as exc:
        raise UnreadableRoll("the XLSX file cannot be opened", detail_zh="XLSX文件无法打开") from exc
    header = list(next(rows, []))
    _, missing = map_header(rules.COLUMNS, header)
    if missing:
        raise UnreadableRoll(
            f"the header row lacks {', '.join(missing)}",
            detail_zh=f"表头缺少：{'、'.join(missing)}（第一行应为表头，可下载模板对照）",
            missing=missing,
        )
    counters = dict.fromkeys(("rows_validated", "rows_accepted", "rows_refused", "rows_committed"), 0)
    job = PairingImport(
        id=uuid.uuid4(),
        status="validating",
        sha256=sha,
        file_format=fmt,
        encoding=encoding,
        filename=filename,
        uploaded_by=actor.sub,
        area_scope=actor.area_prefix,
        headers=[h or "" for h in header],
        rows_total=total,
        helpers_created=0,
        started_at=clock.now(),
        **counters,
    )
    try:
        async with session.begin_nested():  # a lost race on the unique index leaves the request usable
            await repo.add(job)
    except IntegrityError:
        if (earlier := await repo.by_sha256(sha)) is None:
            raise
        raise _already_uploaded(earlier) from None
    return job


async def _fail(db: Database, import_id: uuid.UUID, exc: Exception, *, while_status: str) -> None:
    log.error("pairing_import.failed", import_id=str(import_id), exc_info=exc)
    async with db.transaction() as session:
        repo = ImportRepository(session)
        if await repo.set(
            import_id,
            while_status=while_status,
            status="failed",
            error=failure_text(exc),
            finished_at=clock.now(),
        ):
            await repo.drop_rows(import_id)


def _parse_chunk(
    rows: Iterator[tuple[int, list[str | None]]], columns: dict[str, int], today: date
) -> list[tuple[list[str | None], rules.Row]]:
    """Up to CHUNK non-blank rows with their own checks (run in a worker thread)."""
    chunk: list[tuple[list[str | None], rules.Row]] = []
    for row_no, cells in rows:
        if not any(cells):
            continue  # blank lines are not rows

        def get(name: str, cells: list[str | None] = cells) -> str | None:
            i = columns.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        chunk.append((cells, rules.parse_row(row_no, get, today=today)))
        if len(chunk) >= CHUNK:
            break
    return chunk


async def _learn(session: AsyncSession, ledger: rules.Ledger, batch: list[rules.Row], *, lock: bool) -> None:
    """Load what the database knows of the batch's helpers and households into the ledger (each once:
    the ledger's pairings also hold the rows above)."""
    repo = ImportRepository(session)
    subs = {r.user_sub for r in batch if r.user_sub and r.user_sub not in ledger.helpers}
    numbers = {
        r.household_number
        for r in batch
        if r.household_number and r.household_number not in ledger.households
    }
    helpers = await repo.helpers_by_sub(subs, lock=lock) if subs else []
    households = await repo.households_by_number(numbers, lock=lock) if numbers else []
    for h in helpers:
        ledger.helpers[h.user_sub or ""] = (pairing_service.helper_view(h), h.name)
    for household in households:
        ledger.households[household.household_number or ""] = pairing_service.household_target(household)
    if helpers or households:
        found = await repo.active_pairings([h.id for h in helpers], [str(x.id) for x in households])
        for p in pairing_service.active_views(found):
            for key in (p.helper_id, p.target_id):  # a pairing may join a helper and a household
                known = ledger.pairings.setdefault(key, [])  # learnt in different chunks
                if p not in known:
                    known.append(p)


async def _ledger(session: AsyncSession, scope: str, today: date) -> rules.Ledger:
    return rules.Ledger(scope=scope, today=today, policy=await policy_service.resolver(session, on=today))


def _staged(import_id: uuid.UUID, cells: list[str | None], row: rules.Row, ok: bool) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "row_no": row.row_no,
        "cells": cells,
        "status": "accepted" if ok else "refused",
        "reasons": row.reasons,
        "data": row.data() if ok else None,
    }


async def validate(db: Database, import_id: uuid.UUID, data: bytes, today: date) -> None:
    """The background validation; a failure marks the import failed and drops its staged rows."""
    async with step_running(db, "pairing", import_id):
        try:
            await _validate(db, import_id, data, today)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the import says failed
            await _fail(db, import_id, exc, while_status="validating")


async def _validate(db: Database, import_id: uuid.UUID, data: bytes, today: date) -> None:
    _, _, _, cells = read_rows(data, whole=True)  # it opened at the upload
    columns, _ = map_header(rules.COLUMNS, next(cells))
    rows = enumerate(cells, start=2)  # the header is row 1, as the spreadsheet numbers it
    async with db.transaction() as session:
        job = await ImportRepository(session).get(import_id)
        if job is None:
            return
        ledger = await _ledger(session, job.area_scope, today)
    done = accepted = 0
    while True:
        chunk = await asyncio.to_thread(_parse_chunk, rows, columns, today)
        async with db.transaction() as session:
            repo = ImportRepository(session)
            job = await repo.get(import_id, lock=True)
            if job is None or job.status != "validating":
                return  # cancelled meanwhile (the cancel dropped the rows)
            await _learn(session, ledger, [r for _, r in chunk], lock=False)
            verdicts = [(cells, row, ledger.check(row) is not None) for cells, row in chunk]
            await repo.add_rows([_staged(import_id, c, r, ok) for c, r, ok in verdicts])
            done += len(chunk)
            accepted += sum(1 for _, _, ok in verdicts if ok)
            last = len(chunk) < CHUNK
            values: dict[str, Any] = {"rows_validated": done, "rows_accepted": accepted}
            if last:
                values |= {"status": "validated", "rows_total": done, "finished_at": clock.now()}
            await repo.set(import_id, rows_refused=done - accepted, **values)
        if last:
            return


def _not_committable(job: PairingImport, mode: str) -> ImportNotReady | ImportHasErrors | None:
    if job.status != "validated":
        return ImportNotReady(
            f"import {job.id} is {job.status}; only a validated import can be committed",
            detail_zh=f"这次导入的状态是“{IMPORT_STATUSES[job.status]}”，校验完成后才能提交",
            import_status=job.status,
        )
    if mode != "all_or_nothing" or not job.rows_refused:
        return None
    return ImportHasErrors(
        f"{job.rows_refused} row(s) are refused; nothing was imported",
        detail_zh=f"有{job.rows_refused}行未通过校验，按“全部或不导入”方式未导入任何结对",
        rows_refused=job.rows_refused,
    )


async def request_commit(
    session: AsyncSession, import_id: uuid.UUID, actor: Principal, mode: str
) -> PairingImport:
    """validated → committing (the background ``commit`` takes it from there)."""
    job = await load(session, actor, import_id, lock=True)
    if (refusal := _not_committable(job, mode)) is not None:
        raise refusal
    await ImportRepository(session).set(
        import_id, status="committing", mode=mode, started_at=clock.now(), finished_at=None, rows_committed=0
    )
    await session.refresh(job)
    return job


async def commit(db: Database, import_id: uuid.UUID, actor: Principal, mode: str, today: date) -> None:
    """The commit, one transaction; on failure the import is failed and nothing is in place."""
    async with step_running(db, "pairing", import_id):
        try:
            async with db.transaction() as session:
                await _commit(db, session, import_id, actor, mode, today)
        except ImportCancelled:
            async with db.transaction() as session:
                await ImportRepository(session).drop_rows(import_id)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the import says failed
            await _fail(db, import_id, exc, while_status="committing")


async def _fail_interrupted(db: Database, import_id: uuid.UUID, status: str, exc: Exception) -> None:
    await _fail(db, import_id, exc, while_status=status)


# an import whose validation or commit died with its process is failed, not left running for ever
INTERRUPTED_JOB = interrupted_imports_job("pairing", ImportRepository, _fail_interrupted)


@dataclass
class _Written:
    pairings: int = 0
    helpers: int = 0
    cadre_households: int = 0


async def _recheck(session: AsyncSession, job: PairingImport, mode: str, today: date) -> list[rules.Checked]:
    """The accepted rows checked again under row locks; rows the world refuses now are refused
    (valid_rows_only) or the commit stops (all_or_nothing)."""
    repo = ImportRepository(session)
    staged = [
        rules.Row.from_data(r.row_no, r.data or {})
        async for page in repo.pages(job.id, status="accepted")
        for r in page
    ]
    ledger = await _ledger(session, job.area_scope, today)
    checked: list[rules.Checked] = []
    refused: dict[int, list[str]] = {}
    for start in range(0, len(staged), CHUNK):  # a statement's parameters are bounded (32,767)
        batch = staged[start : start + CHUNK]
        await _learn(session, ledger, batch, lock=True)
        for row in batch:
            if (ok := ledger.check(row)) is not None:
                checked.append(ok)
            else:
                refused[row.row_no] = row.reasons
    if refused and mode == "all_or_nothing":
        first = min(refused)
        raise ImportHasErrors(
            f"{len(refused)} row(s) no longer pass since validation (row {first}: {refused[first][0]})",
            detail_zh=f"校验之后情况有变，{len(refused)}行不再通过（第{first}行：{refused[first][0]}），未导入任何结对",
        )
    await repo.refuse(job.id, refused)
    return checked


async def _write(
    session: AsyncSession,
    actor: Principal,
    checked: list[rules.Checked],
    progress: Callable[[int], Any],
    today: date,
) -> _Written:
    """New helpers and the pairings, chunk by chunk; each pairing's event and fulfilled need as
    ``pairings.service.create_pairing`` writes them, a chunk's in one statement each (the audit is
    the import's one record)."""
    written = _Written()
    created: dict[str, uuid.UUID] = {}
    repo = ImportRepository(session)
    # a known helper was found by its 工号, its login
    subs = {uuid.UUID(c.helper_id): c.row.user_sub for c in checked if c.helper_id}
    for start in range(0, len(checked), CHUNK):
        helpers: list[Helper] = []
        pairings: list[Pairing] = []
        for c in checked[start : start + CHUNK]:
            helper_id = uuid.UUID(c.helper_id) if c.helper_id else created.get(c.row.helper_key)
            if helper_id is None:
                helper_id = created[c.row.helper_key] = uuid.uuid4()
                helpers.append(_new_helper(helper_id, c))
            pairings.append(
                Pairing(
                    id=uuid.uuid4(),
                    kind=c.row.pairing_kind.value,
                    helper_id=helper_id,
                    target_type="household",
                    target_id=c.household_id,
                    area_code=c.household_area,
                    started_on=c.row.started_on or today,  # a blank 开始日期: the commit's day
                )
            )
        await repo.add_all(helpers)
        await repo.add_all(pairings)
        subs.update({h.id: h.user_sub for h in helpers})
        await pairing_events.opened_many(session, pairings, subs)
        paired = [uuid.UUID(p.target_id) for p in pairings if p.kind == PairingKind.CADRE_HOUSEHOLD]
        await need_lifecycle.fulfil_needs(session, paired)
        written.cadre_households += len(paired)
        written.helpers += len(helpers)
        written.pairings += len(pairings)
        await progress(written.pairings)
    return written


def _new_helper(helper_id: uuid.UUID, c: rules.Checked) -> Helper:
    return Helper(
        id=helper_id,
        kind=(c.row.helper_kind or HelperKind.CADRE).value,
        name=c.row.name,
        unit=c.row.unit,
        level=c.row.level,
        area_code=c.helper_area,
        user_sub=c.row.user_sub,
        active=True,
        party_member_count=0,
    )


async def _commit(
    db: Database, session: AsyncSession, import_id: uuid.UUID, actor: Principal, mode: str, today: date
) -> None:
    repo = ImportRepository(session)
    job = await repo.get(import_id)
    if job is None or job.status != "committing":
        return
    checked = await _recheck(session, job, mode, today)

    async def progress(n: int) -> None:
        # its own short transaction, so a poller sees it while this one is still open
        async with db.transaction() as s:
            if not await ImportRepository(s).set(import_id, while_status="committing", rows_committed=n):
                raise ImportCancelled

    written = await _write(session, actor, checked, progress, today)
    accepted, refused = await repo.counts(import_id)
    facts: dict[str, Any] = {
        "import_id": str(import_id),
        "sha256": job.sha256,
        "filename": job.filename,
        "mode": mode,
    }
    facts |= {"pairings": written.pairings, "helpers_created": written.helpers, "rows_refused": refused}
    facts["cadre_household_pairings"] = written.cadre_households
    await audit.record(session, actor, "pairing.imported", ("pairing_import", import_id), after=facts)
    # the last statement: only while still committing (a cancel that got in first rolls all back)
    if not await repo.set(
        import_id,
        while_status="committing",
        status="committed",
        rows_committed=written.pairings,
        helpers_created=written.helpers,
        rows_accepted=accepted,
        rows_refused=refused,
        finished_at=clock.now(),
    ):
        raise ImportCancelled


async def cancel(session: AsyncSession, import_id: uuid.UUID, actor: Principal) -> PairingImport:
    """Validating or validated: the staged rows go at once. Committing: the commit's transaction
    sees the cancel at its next chunk or its last statement, rolls back and drops them."""
    repo = ImportRepository(session)
    job = await load(session, actor, import_id, lock=True)
    if job.status not in ("validating", "validated", "committing", "failed"):
        raise ImportNotReady(
            f"import {import_id} is {job.status} and cannot be cancelled",
            detail_zh=f"这次导入的状态是“{IMPORT_STATUSES[job.status]}”，不能取消",
            import_status=job.status,
        )
    if job.status != "committing":  # the committing transaction may hold the rows: it drops them
        await repo.drop_rows(import_id)
    await repo.set(import_id, status="cancelled", finished_at=clock.now())
    await session.refresh(job)
    return job


async def staged_rows(
    session: AsyncSession, actor: Principal, import_id: uuid.UUID, **page: Any
) -> list[PairingImportRow]:
    """A page of the staged rows (``status``, ``after``, ``limit``) of an import in the caller's area."""
    await load(session, actor, import_id)
    return await ImportRepository(session).rows(import_id, **page)


async def report(
    session: AsyncSession, actor: Principal, import_id: uuid.UUID
) -> tuple[PairingImport, list[list[str | None]]]:
    """The import and, per row, the cells as uploaded with the reasons joined (the 错误原因 column)."""
    job = await load(session, actor, import_id)
    width, lines = len(job.headers), []
    async for page in ImportRepository(session).pages(import_id, status=None):
        lines += [[*(r.cells + [None] * width)[:width], "；".join(r.reasons) or None] for r in page]
    return job, lines


def progress(job: PairingImport) -> dict[str, Any]:
    """Validating: rows checked of the file's; committing: pairings written of the accepted rows."""
    if job.status == "committing":
        return sheet_progress(
            job, now=clock.now(), done=job.rows_committed, total=job.rows_accepted, running=True
        )
    running = job.status == "validating"
    return sheet_progress(
        job, now=clock.now(), done=job.rows_validated, total=job.rows_total, running=running
    )
