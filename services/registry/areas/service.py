"""Places: upsert the area tree and read it, scoped to the caller's subtree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import events
from services.registry.areas.repository import AreaPolicies, AreaRepository
from services.registry.areas.rules import DISPATCH_LEVEL_ZH, over_quota, tree_problems
from services.registry.areas.schemas import AreaIn
from services.registry.errors import AreaNotFound, PairingVillageQuotaExceeded
from services.registry.models import Area
from services.registry.policies.presets import PAIRING_VILLAGE_QUOTAS
from shared import audit
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.policy_words import plain_words


class HasCode(Protocol):
    @property
    def code(self) -> str: ...


A = TypeVar("A", bound=HasCode)


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
    await _check_quotas(repo, {a.code: a.pairing_dispatch_level for a in areas})
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


async def _check_quotas(repo: AreaRepository, load: dict[str, str | None]) -> None:
    """Refuse a load that would mark more pairing villages at a level than a policy names (seed 002
    §十一: 市派28个帮扶村); a load that leaves the count as it is, or lowers it, passes."""
    for quota in PAIRING_VILLAGE_QUOTAS:
        if not any(c.startswith(quota.area_prefix) for c in load):
            continue
        marked = await repo.dispatched_villages(quota.area_prefix, quota.dispatch_level)
        villages = over_quota(quota, marked, load)
        if villages:
            level_zh = DISPATCH_LEVEL_ZH[quota.dispatch_level]
            new = [c for c in villages if c not in marked]
            source = plain_words(quota.source)
            raise PairingVillageQuotaExceeded(
                f"{quota.area_name} has {quota.max_villages} {quota.dispatch_level}-dispatched pairing "
                f"villages ({source}); this load would make {len(villages)}: " + ", ".join(new[:10]),
                detail_zh=f"{quota.area_name}{level_zh}帮扶村为{quota.max_villages}个（{source}），"
                f"本次登记后将有{len(villages)}个，多出的{level_zh}帮扶村：" + "、".join(new[:10]),
                max_villages=quota.max_villages,
                villages_after=len(villages),
                new_villages=new,
                dispatch_level=quota.dispatch_level,
            )


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
    return _loaded(code, await AreaRepository(session).get(parse_code(code)))


def in_area(actor: Principal, code: str, area: A | None) -> A:
    """``area`` (read for ``code``) if it exists in the caller's area; :func:`not_in_area` otherwise."""
    if area is None or not actor.covers(area.code):
        raise not_in_area(code)
    return area


def _loaded(code: str, area: A | None) -> A:
    if area is None:
        raise AreaNotFound(f"area {code} is not loaded", detail_zh=f"地区 {code} 尚未导入", code=code)
    return area


async def with_policies(
    *, session: AsyncSession, actor: Principal | str, code: str, year: int
) -> AreaPolicies:
    """The area as :func:`get` (a system actor: :func:`get_any`) and the policy records that may
    apply to it up to ``year`` (``policy_service.resolve_from``), in one round trip."""
    found = await AreaRepository(session).with_policies(parse_code(code), year)
    return in_area(actor, code, found) if isinstance(actor, Principal) else _loaded(code, found)


def prefix_of(code: str) -> str:
    return AreaCode.parse(code).prefix


async def scope_prefix(*, session: AsyncSession, actor: Principal, area_code: str | None) -> str:
    """The code prefix a list reads: the caller's whole area, or the area it names (in its scope)."""
    if area_code is None:
        return actor.area_prefix
    return prefix_of((await get(session=session, actor=actor, code=area_code)).code)
