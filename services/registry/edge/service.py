"""Edge households (monitored, not registered) and the minimum-allowance cross-check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import service as area_service
from services.registry.edge.repository import EdgeRepository
from services.registry.edge.rules import CrossCheck, RollProblem, cross_check, parse_dibao_roll
from services.registry.edge.schemas import EdgeHouseholdIn
from services.registry.errors import InvalidMember, PersonInAnotherHousehold
from services.registry.households.repository import HouseholdRepository
from services.registry.models import EdgeHousehold
from services.registry.vocabulary import HouseholdStatus
from shared import audit
from shared.auth import Principal
from shared.pii import PiiCipher, mask_resident_id
from shared.repository import Slice
from shared.resident_id import InvalidResidentId, validate


async def add_edge_household(
    *, session: AsyncSession, actor: Principal, data: EdgeHouseholdIn, cipher: PiiCipher, today: date
) -> EdgeHousehold:
    await area_service.get(session=session, actor=actor, code=data.area_code)
    try:
        number = validate(data.head_resident_id, today=today).number
    except InvalidResidentId as exc:
        raise InvalidMember(str(exc), detail_zh=f"户主身份证号：{exc.zh}", field="head_resident_id") from exc
    key = cipher.keyed_hash(number)
    holders = await HouseholdRepository(session).identity_holders([key])
    if holders:
        h = holders[0][1]
        raise PersonInAnotherHousehold(
            f"this person is in household {h.household_number or h.id} ({h.status}); an edge household is "
            "for people who are not registered",
            detail_zh=f"此人已是户 {h.household_number or h.id}（{HouseholdStatus(h.status).label}）的成员；"
            "边缘户只登记未建档立卡的人",
            household_id=str(h.id),
        )
    edge = EdgeHousehold(
        id=uuid.uuid4(),
        area_code=data.area_code,
        head_name=data.head_name,
        head_id_cipher=cipher.encrypt(number),
        head_id_hash=key,
        head_id_masked=mask_resident_id(number),
        persons=data.persons,
        per_capita_income_fen=data.per_capita_income_fen,
        risk=data.risk,
        status="monitoring",
    )
    await EdgeRepository(session).add(edge)
    await audit.record_new(session, actor, "edge_household.added", edge, "area_code", "persons")
    return edge


async def edge_households(
    *, session: AsyncSession, actor: Principal, cursor: str | None, limit: int
) -> Slice[EdgeHousehold]:
    """The edge households in the caller's area, by area code."""
    return await EdgeRepository(session).page(actor.area_prefix, cursor=cursor, limit=limit)


@dataclass(frozen=True, slots=True)
class CrossCheckReport:
    """A cross-check of one roll against one area: what was read, what could not be, what matched."""

    area_code: str
    lines_read: int
    problems: list[RollProblem]
    result: CrossCheck


async def dibao_cross_check(
    *, session: AsyncSession, actor: Principal, area_code: str, roll_text: str, cipher: PiiCipher
) -> CrossCheckReport:
    area = await area_service.get(session=session, actor=actor, code=area_code)
    prefix = area_service.prefix_of(area.code)
    lines, problems = parse_dibao_roll(roll_text)
    keyed = [(cipher.keyed_hash(line.resident_id), line) for line in lines]
    repo = EdgeRepository(session)
    registered = await repo.registered_by_hash(prefix, [k for k, _ in keyed])
    result = cross_check(keyed, registered, await repo.dibao_households(prefix))
    await audit.record(
        session,
        actor,
        "dibao.cross_checked",
        ("area", area.code),
        after={
            "lines": len(lines),
            "matched": len(result.matched),
            "not_registered": len(result.not_registered),
        },
    )
    return CrossCheckReport(area.code, len(lines), problems, result)
