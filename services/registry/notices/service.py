"""The public board: read-only, no caller, no audit. Shows what a village notice board shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.errors import AreaNotFound, PolicyMissing
from services.registry.models import Household, LateEntry
from services.registry.notices.repository import After, NoticeRepository
from services.registry.notices.rules import (
    RECENT_DAYS,
    NoticeKind,
    identification_last_day,
    shown,
)
from services.registry.policies import service as policy_service
from shared.areas import AreaCode, AreaLevel, InvalidAreaCode
from shared.errors import InvalidInput
from shared.pagination import decode_cursor, encode_cursor
from shared.repository import Slice, bad_cursor

BOARD_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: NoticeKind
    h: Household
    first_day: date
    last_day: date


def _after(cursor: str | None, kinds: list[NoticeKind]) -> tuple[NoticeKind, str, uuid.UUID] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        kind, code, hid = key
        if kind not in kinds or not isinstance(code, str):
            raise bad_cursor()
        return NoticeKind(kind), code, uuid.UUID(str(hid))
    except (TypeError, ValueError) as exc:
        raise bad_cursor() from exc


async def _area_prefix(repo: NoticeRepository, area_code: str) -> str:
    try:
        code = AreaCode.parse(area_code)
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), detail_zh=exc.zh) from exc
    if code.level not in BOARD_LEVELS:
        raise InvalidInput(
            f"'{code}' is a {code.level.value}: the board lists a village, township or county",
            detail_zh=f"{code} 是省级或市级代码：公示栏按村、乡镇或县查看",
        )
    if await repo.area(code.code) is None:
        raise AreaNotFound(f"area {code} does not exist", detail_zh=f"没有地区 {code}")
    return code.prefix


def _key(rows: list[Household]) -> After:
    return (rows[-1].area_code, rows[-1].id) if rows else None


class _Board:
    def __init__(self, session: AsyncSession, prefix: str, today: date, current: bool) -> None:
        self.session, self.repo = session, NoticeRepository(session)
        self.prefix, self.today, self.current = prefix, today, current
        self._min_days: dict[tuple[str, int], int | None] = {}

    async def min_days(self, h: Household) -> int | None:
        key = (h.area_code, h.year)
        if key not in self._min_days:
            try:
                policy = await policy_service.resolve(
                    session=self.session, area_code=h.area_code, year=h.year
                )
                self._min_days[key] = policy.notice_days_required
            except PolicyMissing:
                self._min_days[key] = None  # no policy, no known window: not shown
        return self._min_days[key]

    async def chunk(self, kind: NoticeKind, after: After, size: int) -> tuple[list[_Hit], After, bool]:
        """Hits among up to ``size`` rows after ``after``, the last row's key, whether more may follow."""
        today = self.today
        if kind is NoticeKind.EXIT:
            if self.current:
                lo, hi = today, date.max
            else:
                lo, hi = today - timedelta(days=RECENT_DAYS), today - timedelta(days=1)
            rows = await self.repo.exits(
                self.prefix, after=after, limit=size, last_day_from=lo, last_day_to=hi, today=today
            )
            hits = [_Hit(kind, h, h.exited_on, h.exit_notice_until) for h in rows]  # type: ignore[arg-type]
            return hits, _key(rows), len(rows) == size
        longest = await self.repo.longest_notice_days()
        span = longest + (0 if self.current else RECENT_DAYS)
        rows = await self.repo.identification(
            self.prefix,
            after=after,
            limit=size,
            started_from=today - timedelta(days=span),
            today=today,
            in_notice_only=self.current,
        )
        hits = []
        for h in rows:
            days = await self.min_days(h)
            if days is None or h.notice_starts_on is None:
                continue
            last = identification_last_day(h.notice_starts_on, days)
            if shown(h.notice_starts_on, last, today, current=self.current):
                hits.append(_Hit(kind, h, h.notice_starts_on, last))
        return hits, _key(rows), len(rows) == size


async def board(
    *,
    session: AsyncSession,
    area_code: str,
    kind: NoticeKind | None,
    current: bool,
    today: date,
    cursor: str | None,
    limit: int,
) -> Slice[Notice]:
    repo = NoticeRepository(session)
    prefix = await _area_prefix(repo, area_code)
    kinds = [kind] if kind else list(NoticeKind)
    start = _after(cursor, kinds)
    b = _Board(session, prefix, today, current)
    found: list[_Hit] = []
    for k in kinds[kinds.index(start[0]) :] if start else kinds:
        after: After = (start[1], start[2]) if start and start[0] is k else None
        while len(found) <= limit:
            hits, after, more = await b.chunk(k, after, limit + 1)
            found.extend(hits)
            if not more:
                break
        if len(found) > limit:
            break
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        tail = page[-1]
        next_cursor = encode_cursor([tail.kind.value, tail.h.area_code, str(tail.h.id)])
    return Slice(await _notices(repo, page), next_cursor)


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice on the board: the household, its window, where it hangs, and (identification
    notices) the objections still open and the dates entered late (补录)."""

    kind: NoticeKind
    household: Household
    first_day: date
    last_day: date
    village_name: str
    township_name: str | None
    open_objections: int
    late_entries: list[LateEntry]


async def _notices(repo: NoticeRepository, hits: list[_Hit]) -> list[Notice]:
    villages = {x.h.area_code for x in hits}
    townships = {p.code for c in villages if (p := AreaCode.parse(c).parent) is not None}
    names = await repo.names(villages | townships)
    ident = [x.h.id for x in hits if x.kind is NoticeKind.IDENTIFICATION]
    objections = await repo.open_objections(ident)
    late = await repo.late_entries(ident)
    out = []
    for x in hits:
        h = x.h
        parent = AreaCode.parse(h.area_code).parent
        out.append(
            Notice(
                kind=x.kind,
                household=h,
                first_day=x.first_day,
                last_day=x.last_day,
                village_name=names.get(h.area_code, h.area_code),
                township_name=names.get(parent.code) if parent else None,
                open_objections=objections.get(h.id, 0),
                late_entries=late.get(h.id, []),
            )
        )
    return out
