"""The roll (花名册) of an area as a spreadsheet: one row per member, the import template's columns
(户编号 … 劳动意愿, imports.rules.COLUMNS) with the household's status last, in Chinese words.

The households are those the caller's list shows (households.service.search: the caller's area, a
cadre's own households, an optional status), read page by page; resident IDs are always masked and
names masked for the roles that do not see full names, as on the list."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.errors import RollTooLarge
from services.registry.households import service
from services.registry.households.repository import HouseholdRepository
from services.registry.imports.rules import COLUMNS as IMPORT_COLUMNS
from services.registry.models import Household, Member
from services.registry.vocabulary import CODE_LABELS, HouseholdStatus
from shared.auth import Principal
from shared.pii import PiiCipher, mask_name
from shared.spreadsheets import Column, Kind

__all__ = ["MAX_ROWS", "ROLL_COLUMNS", "roll_rows"]

_KINDS: dict[str, Kind] = {"year": "int", "registered_on": "date"}
ROLL_COLUMNS: tuple[Column, ...] = (
    # the ID column as wide as the import template's: 18 characters shown whole
    *(
        Column(code, header, _KINDS.get(code, "text"), width=22 if code == "resident_id" else None)
        for code, header, _, _ in IMPORT_COLUMNS
    ),
    Column("status", "户状态"),
)
_PAGE = 500
# A workbook held in memory while it is written: about a county's roll (a county of 61,000 households
# is ~190,000 members); a province's or a city's would take the service's memory (and Excel stops at
# 1,048,576 rows). Larger areas export level by level.
MAX_ROWS = 250_000


def _words(codes: Sequence[str]) -> str:
    return "、".join(CODE_LABELS.get(c, c) for c in codes)


def _roll_key(h: Household) -> tuple[str, bool, str]:
    """A clerk's roll order: by village, then by 户编号 (candidates, numberless, after them)."""
    return h.area_code, h.household_number is None, h.household_number or ""


def _row(h: Household, m: Member, full_names: bool) -> list[Any]:
    head = m.relation == "head"
    return [
        h.household_number,
        h.area_code if head else None,
        m.name if full_names else mask_name(m.name),
        m.resident_id_masked,
        CODE_LABELS.get(m.relation, m.relation),
        CODE_LABELS.get(m.labour_capacity, m.labour_capacity),
        _words(h.poverty_causes) if head else None,
        _words(h.batches) if head else None,
        h.year if head else None,
        h.registered_on if head else None,
        h.dibao if head else None,
        h.five_guarantee if head else None,
        h.labour_willing if head else None,
        CODE_LABELS.get(h.status, h.status) if head else None,
    ]


async def roll_rows(
    *,
    session: AsyncSession,
    actor: Principal,
    area_code: str,
    status: HouseholdStatus | None,
    cipher: PiiCipher,
) -> list[list[Any]]:
    """The roll's rows (ROLL_COLUMNS): households by village and 户编号, each head first, its other
    members in the repository's ROLL_ORDER. Each page's households become rows as they come (no ORM
    rows kept); the households' blocks of rows are sorted at the end."""
    full_names = service.shows_full_names(actor)
    repo, cursor, rows = HouseholdRepository(session), None, 0
    blocks: list[tuple[tuple[str, bool, str], list[list[Any]]]] = []
    while True:
        page = await service.search(
            session=session, actor=actor, area_code=area_code, status=status, cause=None, batch=None,
            name=None, resident_id=None, cipher=cipher, cursor=cursor, limit=_PAGE,
        )  # fmt: skip
        for h, members in await repo.roll_households([row["id"] for row in page.items]):
            blocks.append((_roll_key(h), [_row(h, m, full_names) for m in members]))
            rows += len(members)
        if rows > MAX_ROWS:
            raise RollTooLarge(
                f"The roll of {area_code} has more than {MAX_ROWS:,} members; export a lower level",
                detail_zh=f"{area_code} 的花名册超过 {MAX_ROWS:,} 人，请按乡镇或村分别导出",
                max_rows=MAX_ROWS,
            )
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    blocks.sort(key=itemgetter(0))  # stable: candidates stay in the list's order
    return [row for _, block in blocks for row in block]
