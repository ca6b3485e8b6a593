"""Use cases of pairings: open one under its rule, end one, read them. Flush, never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import (
    AreaNotFound,
    HelperNotFound,
    HouseholdNotFound,
    InvalidPeriod,
    PairingNotFound,
    PairingRuleViolated,
    pairing_raced,
    refused_when_taken,
)
from services.pairing.helpers import rules as helper_rules
from services.pairing.helpers.repository import HelperRepository
from services.pairing.models import Helper, HouseholdRef, Pairing
from services.pairing.needs import lifecycle as need_lifecycle
from services.pairing.needs.repository import HouseholdRepository, NeedRepository
from services.pairing.pairings import events, rules
from services.pairing.pairings.repository import PairingRepository
from services.pairing.pairings.schemas import PairingEndIn, PairingIn
from services.pairing.policies import service as policy_service
from services.pairing.vocabulary import HelperKind, PairingKind
from shared import audit
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal
from shared.backdating import check_not_future
from shared.errors import InvalidInput
from shared.repository import Slice
from shared.shaping import from_row


def helper_view(h: Helper) -> helper_rules.Helper:
    return from_row(helper_rules.Helper, h, id=str(h.id), kind=HelperKind(h.kind))


def household_target(h: HouseholdRef) -> rules.Target:
    return rules.Target(
        id=str(h.id),
        area_code=h.area_code,
        level="household",
        status=h.status,
        policies_kept_until=h.policies_kept_until,
    )


def active_views(pairings: list[Pairing]) -> list[rules.ActivePairing]:
    return [
        rules.ActivePairing(str(p.id), PairingKind(p.kind), str(p.helper_id), p.target_id) for p in pairings
    ]


def snapshot(p: Pairing) -> dict[str, object]:
    return {
        "kind": p.kind,
        "helper_id": str(p.helper_id),
        "target_id": p.target_id,
        "area_code": p.area_code,
        "started_on": p.started_on,
        "ended_on": p.ended_on,
        "end_reason": p.end_reason,
    }


async def scoped_helper(session: AsyncSession, actor: Principal, helper_id: uuid.UUID) -> Helper:
    return await HelperRepository(session).get_in_area(helper_id, actor, HelperNotFound, lock=True)


async def _household(session: AsyncSession, actor: Principal, raw_id: str) -> rules.Target:
    try:
        household_id = uuid.UUID(raw_id)
    except ValueError as exc:
        raise HouseholdNotFound(
            f"{raw_id!r} is not a household id", detail_zh=f"{raw_id} 不是户编号", household_id=raw_id
        ) from exc
    household = await HouseholdRepository(session).get(household_id, lock=True)
    if household is None or not actor.covers(household.area_code):
        raise HouseholdNotFound(
            f"Household {raw_id} does not exist in your area",
            detail_zh=f"您的辖区内没有户 {raw_id}",
            household_id=raw_id,
        )
    return household_target(household)


async def _area(session: AsyncSession, actor: Principal | None, code: str) -> rules.Target:
    area = await NeedRepository(session).area(code)
    if area is None:
        try:
            parsed = AreaCode.parse(code)
        except InvalidAreaCode as exc:
            raise InvalidInput(str(exc), detail_zh=exc.zh, target_id=code) from exc
        # Counties of other provinces (山海协作 partners) are not in this registry's tree.
        if actor is not None or parsed.level != "county":
            raise AreaNotFound(
                f"Area {code} is not known to pairing yet",
                detail_zh=f"结对服务还不知道地区 {code}",
                area_code=code,
            )
        return rules.Target(id=parsed.code, area_code=parsed.code, level="county")
    if actor is not None and not actor.covers(area.code):
        raise AreaNotFound(
            f"Area {code} is outside your area", detail_zh=f"地区 {code} 不在您的辖区内", area_code=code
        )
    return rules.Target(
        id=area.code,
        area_code=area.code,
        level=area.level,
        poor_village=area.poor_village,
        old_area_village=area.old_area_village,
        key_village=area.key_village,
    )


async def resolve_target(
    session: AsyncSession, actor: Principal, kind: PairingKind, raw: str
) -> rules.Target:
    spec = rules.KIND_SPECS[kind]
    if spec.target_type == "household" or (spec.target_type == "area" and not raw.isdigit()):
        return await _household(session, actor, raw)
    # County pairs cross city lines: the caller's scope is checked on the helping county only.
    return await _area(session, None if kind is PairingKind.COUNTY_COUNTY else actor, raw)


async def create_pairing(
    session: AsyncSession,
    actor: Principal | str,
    *,
    kind: PairingKind,
    helper: Helper,
    target: rules.Target,
    started_on: date,
) -> Pairing:
    """Write an already-checked pairing, its audit row and its event; fulfil the household's need."""
    pairing = Pairing(
        id=uuid.uuid4(),
        kind=kind.value,
        helper_id=helper.id,
        target_type=target.level,
        target_id=target.id,
        area_code=rules.pairing_area(kind, helper.area_code, target),
        started_on=started_on,
    )
    with refused_when_taken(pairing_raced(kind, helper.id, target.id)):
        await PairingRepository(session).add(pairing)
    await audit.record(session, actor, "pairing.opened", ("pairing", pairing.id), after=snapshot(pairing))
    await events.opened(session, pairing)
    if kind is PairingKind.CADRE_HOUSEHOLD:
        await need_lifecycle.fulfil_need(session, uuid.UUID(target.id))
    return pairing


async def open_pairing(*, session: AsyncSession, actor: Principal, data: PairingIn, today: date) -> Pairing:
    helper = await scoped_helper(session, actor, data.helper_id)
    target = await resolve_target(session, actor, data.kind, data.target_id)
    started_on = data.started_on or today
    if started_on > today:
        raise InvalidPeriod(
            f"A pairing cannot start in the future ({started_on})",
            detail_zh=f"结对不能从将来的日期开始（{started_on}）",
        )
    repo = PairingRepository(session)
    policy_area = rules.pairing_area(data.kind, helper.area_code, target)
    team_villages = (
        [
            p.target_id
            for p in await repo.active_for_helper(helper.team_id)
            if p.kind == PairingKind.WORK_TEAM_VILLAGE
        ]
        if helper.team_id
        else []
    )
    rules.check_open(
        data.kind,
        helper_view(helper),
        target,
        helper_pairings=active_views(await repo.active_for_helper(helper.id)),
        target_pairings=active_views(await repo.active_for_target(target.id)),
        policy=(await policy_service.resolver(session, on=today))(policy_area),
        today=today,
        team_villages=team_villages,
    )
    return await create_pairing(
        session, actor, kind=data.kind, helper=helper, target=target, started_on=started_on
    )


async def close_pairing(
    session: AsyncSession, actor: Principal | str, pairing: Pairing, *, on: date, reason: str
) -> None:
    """End a pairing with its audit row and event; a household left without a cadre gets a need."""
    before = snapshot(pairing)
    await PairingRepository(session).end(pairing, on=on, reason=reason)
    await audit.record(
        session, actor, "pairing.closed", ("pairing", pairing.id), before=before, after=snapshot(pairing)
    )
    await events.closed(session, pairing)


async def end_pairing(
    *, session: AsyncSession, actor: Principal, pairing_id: uuid.UUID, data: PairingEndIn, today: date
) -> Pairing:
    pairing = await PairingRepository(session).get_in_area(pairing_id, actor, PairingNotFound)
    # An end is recorded once it has happened (China date): the household is unpaired from now on,
    # so an end dated later would leave it without its cadre before the day it names.
    check_not_future(field="ended_on", on=data.ended_on, today=today, label_zh="结对结束日期")
    if pairing.ended_on is not None:
        raise PairingRuleViolated(
            f"Pairing {pairing_id} already ended on {pairing.ended_on}",
            detail_zh=f"结对 {pairing_id} 已于 {pairing.ended_on} 结束",
            rule="already_ended",
        )
    if data.ended_on < pairing.started_on:
        raise InvalidPeriod(
            f"The pairing started on {pairing.started_on}; it cannot end before that",
            detail_zh=f"结对开始于 {pairing.started_on}，不能早于这一天结束",
        )
    await close_pairing(session, actor, pairing, on=data.ended_on, reason=data.reason)
    if pairing.kind == PairingKind.CADRE_HOUSEHOLD:
        await need_lifecycle.reopen_if_unpaired(session, actor, uuid.UUID(pairing.target_id))
    return pairing


async def get_pairing(*, session: AsyncSession, actor: Principal, pairing_id: uuid.UUID) -> Pairing:
    return await PairingRepository(session).get_in_area(pairing_id, actor, PairingNotFound)


async def list_pairings(
    *,
    session: AsyncSession,
    actor: Principal,
    kind: PairingKind | None,
    helper_id: uuid.UUID | None,
    target_id: str | None,
    active: bool | None,
    cursor: str | None,
    limit: int,
) -> Slice[Pairing]:
    """The pairings in the caller's area."""
    return await PairingRepository(session).page(
        prefix=actor.area_prefix,
        kind=kind.value if kind else None,
        helper_id=helper_id,
        target_id=target_id,
        active=active,
        cursor=cursor,
        limit=limit,
    )
