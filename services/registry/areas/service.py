"""Places: upsert the area tree and read it, scoped to the caller's subtree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import events
from services.registry.areas.repository import AreaRepository
from services.registry.areas.rules import tree_problems
from services.registry.areas.schemas import AreaIn
from services.registry.errors import AreaNotFound
from services.registry.models import Area
from shared import audit
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal
from shared.errors import InvalidInput


def _row(area: AreaIn) -> dict[str, object]:
    code = AreaCode.parse(area.code)
    parent = code.parent
    return {
        "code": code.code,
        "name": area.name,
        "level": code.level.value,
        "parent_code": parent.code if parent else None,
        "poor_village": area.poor_village,
        "old_area_village": area.old_area_village,
        "key_village": area.key_village,
        "pairing_village": bool(area.pairing_village),
        "pairing_dispatch_level": area.pairing_dispatch_level,
        "rural_population": area.rural_population,
        "synthetic_code": area.synthetic_code,
    }


async def upsert_tree(*, session: AsyncSession, actor: Principal | str, areas: list[AreaIn]) -> int:
    """Insert or update a whole subtree at once; every area is audited and published."""
    repo = AreaRepository(session)
    codes = [a.code for a in areas]
    if isinstance(actor, Principal):
        outside = [c for c in codes if not actor.covers(c)]
        if outside:
            raise AreaNotFound(f"areas outside your area {actor.area_code}: {', '.join(outside[:5])}")
    known = await repo.existing_codes([c for a in areas if (c := _parent(a.code))])
    problems = tree_problems(codes, known)
    if problems:
        raise InvalidInput(
            "the area tree is not consistent: " + "; ".join(problems[:10]),
            detail_zh="行政区划不完整或不一致：" + "；".join(tree_problems(codes, known, chinese=True)[:10]),
            problems=problems,
        )
    rows = [_row(a) for a in areas]
    await repo.upsert(rows)
    await repo.upsert_income(
        [
            {"area_code": a.code, "year": i.year, "collective_income_fen": i.amount_fen}
            for a in areas
            for i in a.collective_income
        ]
    )
    latest = {
        a.code: max(a.collective_income, key=lambda i: i.year).amount_fen
        for a in areas
        if a.collective_income
    }
    for row in rows:
        await audit.record(session, actor, "area.upserted", ("area", row["code"]), after=row)
        await events.publish_upserted(session, row, latest.get(str(row["code"])))
    return len(rows)


def _parent(code: str) -> str | None:
    parent = AreaCode.parse(code).parent
    return parent.code if parent else None


@dataclass(frozen=True, slots=True)
class AreaView:
    """An area and its latest collective income (year, fen), if any was recorded."""

    area: Area
    income: tuple[int, int] | None


def parse_code(code: str) -> str:
    try:
        return AreaCode.parse(code).code
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), detail_zh=exc.zh, code=code) from exc


async def get(*, session: AsyncSession, actor: Principal, code: str) -> Area:
    area = await AreaRepository(session).get(parse_code(code))
    if area is None or not actor.covers(area.code):
        raise not_in_area(code)
    return area


def not_in_area(code: str) -> AreaNotFound:
    """The 404 of an area that is not on the register or not in the caller's area."""
    return AreaNotFound(
        f"area {code} does not exist in your area", detail_zh=f"您的辖区内没有地区 {code}", code=code
    )


async def read(*, session: AsyncSession, actor: Principal, code: str) -> AreaView:
    area = await get(session=session, actor=actor, code=code)
    income = await AreaRepository(session).latest_income([area.code])
    return AreaView(area, income.get(area.code))


async def children(*, session: AsyncSession, actor: Principal, code: str) -> list[AreaView]:
    area = await get(session=session, actor=actor, code=code)
    repo = AreaRepository(session)
    kids = await repo.children(area.code)
    incomes = await repo.latest_income([k.code for k in kids])
    return [AreaView(k, incomes.get(k.code)) for k in kids]


async def get_any(*, session: AsyncSession, code: str) -> Area:
    """For system actors (demo loader): no caller scope."""
    area = await AreaRepository(session).get(parse_code(code))
    if area is None:
        raise AreaNotFound(f"area {code} is not loaded", detail_zh=f"地区 {code} 尚未导入", code=code)
    return area


def prefix_of(code: str) -> str:
    return AreaCode.parse(code).prefix
