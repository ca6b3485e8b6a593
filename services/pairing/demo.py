"""Demo data for `make run`: helpers and pairings for the households and villages that the
registry's demo published (and pairing projected), plus Quanzhou's seven mountain-sea pairs.

Demo data only: cadres are paired with, and visits recorded for, only the households the
registry's demo created (``households``), never a household a user registered; village helpers
only in the demo's places (``DEMO_AREAS``). The runner loads it once (shared.demo records what it
created; `jingzhun demo reset` removes exactly that). Idempotent: helpers have ids derived from
their role and place (uuid5), and a pairing that already exists is refused by its own rule and
skipped, so a second run adds nothing. All names are synthetic.

Staffing (Quanzhou seed 002 十一, Kaiping seed 004 七(二)): every demo township and village with exit
tasks gets the full-time staff and the coordinator its policy asks for (Kaiping: 2 per town office,
no coordinator; Quanzhou: 1 and 1), except one village per place (``DEMO_AREAS``) whose policy asks
for a coordinator: it is left without one, the one staffing gap the demo shows for an officer to act on.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.coverage import service as coverage_service
from services.pairing.errors import HouseholdNotPairable, PairingRuleViolated
from services.pairing.helpers.repository import HelperRepository
from services.pairing.models import AreaRef, Helper, HouseholdRef
from services.pairing.needs import rules as need_rules
from services.pairing.needs.repository import HouseholdRepository, NeedRepository
from services.pairing.pairings import service as pairing_service
from services.pairing.pairings.repository import PairingRepository
from services.pairing.pairings.schemas import PairingIn
from services.pairing.policies import service as policy_service
from services.pairing.policies.presets import MOUNTAIN_SEA_PAIRS
from services.pairing.visits import service as visit_service
from services.pairing.visits.schemas import VisitIn
from services.pairing.vocabulary import PairingKind, Satisfaction, VisitKind
from shared import audit
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database

# The seeds' places the demo populates: Kaiping (Chishui town) and Quanzhou.
DEMO_AREAS = ("440783", "3505")
# Projections here of the other services' demo entities (removed with the demo).
DEMO_PROJECTIONS = {
    "household": [
        ("household_ref", "id"),
        ("pairing_need", "household_id"),
        ("visit", "household_id"),
        ("ledger_entry", "household_id"),
        ("pairing", "target_id"),
        ("coverage_gap", "subject_id"),
    ]
}
_NS = uuid.UUID("6f1c3c5e-2b1a-4c55-9f55-70a1e0d3c001")
_SURNAMES = "王李张刘陈杨黄赵吴周"
PAIRED_FOR = timedelta(days=60)  # demo cadres took their households two months ago
COUNTY_NAMES = {
    "350502": "鲤城区",
    "350503": "丰泽区",
    "350505": "泉港区",
    "350581": "石狮市",
    "350582": "晋江市",
    "350583": "南安市",
    "350521": "惠安县",
}


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(_NS, ":".join(parts))


def _loader(area_code: str) -> Principal:
    return Principal(sub="demo-loader", roles=frozenset({"admin"}), area_code=area_code[:2].ljust(12, "0"))


async def _ensure_helper(session: AsyncSession, helper_id: uuid.UUID, **fields: object) -> Helper:
    repo = HelperRepository(session)
    existing = await repo.get(helper_id)
    if existing is not None:
        return existing
    helper = await repo.add(Helper(id=helper_id, active=True, **fields))
    await audit.record_new(session, "demo-loader", "helper.registered", helper, "kind", "area_code")
    return helper


async def _placed(session: AsyncSession, tag: str, area_code: str, **fields: object) -> Helper:
    """The demo's ``tag`` helper of ``area_code``: its id made from both, so a rerun finds it."""
    return await _ensure_helper(session, _id(tag, area_code), area_code=area_code, **fields)


async def _pair(
    session: AsyncSession,
    kind: PairingKind,
    helper: Helper,
    target_id: str,
    today: date,
    started_on: date | None = None,
) -> None:
    try:
        await pairing_service.open_pairing(
            session=session,
            actor=_loader(helper.area_code),
            data=PairingIn(
                kind=kind, helper_id=helper.id, target_id=target_id, started_on=started_on or today
            ),
            today=today,
        )
    except (PairingRuleViolated, HouseholdNotPairable):
        pass  # already paired on an earlier run (or the rule refuses it): nothing to add


def _demo_only(households: list[HouseholdRef], demo: set[str] | None) -> list[HouseholdRef]:
    return [h for h in households if demo is None or str(h.id) in demo]


async def _cadres_for_households(session: AsyncSession, today: date, demo: set[str] | None) -> None:
    households = _demo_only(
        await HouseholdRepository(session).in_area(prefix="", statuses=["registered", "exit_requested"]), demo
    )
    by_county: dict[str, list[str]] = defaultdict(list)
    for h in households:
        by_county[h.area_code[:6]].append(h.area_code)
    pairings = PairingRepository(session)
    resolve = await policy_service.resolver(session, on=today)
    for county, areas in by_county.items():
        cap = resolve(county.ljust(12, "0")).cadre_household_cap
        villages = sorted(set(areas))
        count = len(areas) // (cap - 1) + 1  # leave room under the cap for hand-overs
        cadres = [
            await _ensure_helper(
                session,
                _id("cadre", county, str(i)),
                kind="cadre",
                name=f"{_SURNAMES[i % 10]}干部{i + 1}",
                unit="县扶贫办",
                level="county",
                area_code=villages[i % len(villages)],
                user_sub=f"demo-cadre-{county}-{i + 1}",
            )
            for i in range(count)
        ]
        for h in [h for h in households if h.area_code[:6] == county]:
            if any(
                p.kind == PairingKind.CADRE_HOUSEHOLD for p in await pairings.active_for_target(str(h.id))
            ):
                continue
            loads = await pairings.cadre_loads(c.id for c in cadres)
            candidates = [need_rules.CadreLoad(str(c.id), c.area_code, loads.get(c.id, 0)) for c in cadres]
            best = need_rules.suggest_cadres(h.area_code, candidates, cap=cap, limit=1)
            if best:
                chosen = next(c for c in cadres if str(c.id) == best[0].helper_id)
                await _pair(
                    session, PairingKind.CADRE_HOUSEHOLD, chosen, str(h.id), today, today - PAIRED_FOR
                )


async def _village_helpers(session: AsyncSession, today: date, demo: set[str] | None) -> None:
    repo = NeedRepository(session)
    for village in [v for prefix in DEMO_AREAS for v in await repo.poor_villages(prefix)]:
        code = village.code
        team = await _placed(
            session,
            "team",
            code,
            kind="work_team",
            name=f"{village.name}驻村工作队",
            unit="市直机关",
        )
        secretary = await _placed(
            session,
            "secretary",
            code,
            kind="first_secretary",
            name=f"{_SURNAMES[int(code[-1])]}书记",
            unit="市直机关",
            team_id=team.id,
        )
        await _pair(session, PairingKind.WORK_TEAM_VILLAGE, team, code, today)
        await _pair(session, PairingKind.FIRST_SECRETARY_VILLAGE, secretary, code, today)


# The full-time posts an area has of its own: the level of the area and the office the post sits
# in (after the area's name); the helper's kind is the pairing's word.
_AREA_POSTS = {
    PairingKind.TOWNSHIP_STAFF: ("township", "扶贫办"),
    PairingKind.VILLAGE_COORDINATOR: ("village", "村委会"),
}


async def _area_post(
    session: AsyncSession, kind: PairingKind, tag: str, area: AreaRef, name: str, today: date
) -> None:
    """The demo's ``tag`` helper in a full-time post of ``area`` (a township's staff, a village's
    coordinator), paired with that area."""
    level, office = _AREA_POSTS[kind]
    unit = f"{area.name}{office}"
    helper = await _placed(session, tag, area.code, kind=kind.value, name=name, unit=unit, level=level)
    await _pair(session, kind, helper, area.code, today)


async def _staffing(session: AsyncSession, today: date, demo: set[str] | None) -> None:
    """Full-time staff for each demo township with exit tasks and a coordinator for each such village,
    as many as the area's policy asks; the first village (by code) of each place that needs a
    coordinator is deliberately left without one (its gap shows in the demo)."""
    households = _demo_only(
        await HouseholdRepository(session).in_area(prefix="", statuses=["registered", "exit_requested"]), demo
    )
    villages = sorted({h.area_code for h in households if h.area_code.startswith(DEMO_AREAS)})
    townships = sorted({code[:9] + "000" for code in villages})
    resolve = await policy_service.resolver(session, on=today)
    areas = NeedRepository(session)
    for code in townships:
        township = await areas.area(code)
        if township is None:
            continue
        for i in range(resolve(code).township_staff_min or 0):
            name = f"{_SURNAMES[(int(code[6:9]) + i) % 10]}专干{i + 1}"
            await _area_post(
                session, PairingKind.TOWNSHIP_STAFF, f"township_staff-{i}", township, name, today
            )
    left_without: set[str] = set()
    for code in villages:
        village = await areas.area(code)
        if village is None or not resolve(code).village_coordinator_min:
            continue
        place = next(prefix for prefix in DEMO_AREAS if code.startswith(prefix))
        if place not in left_without:
            left_without.add(place)  # the demo's one village without its coordinator
            continue
        name = f"{_SURNAMES[int(code[-1])]}协管员"
        await _area_post(
            session, PairingKind.VILLAGE_COORDINATOR, "village_coordinator", village, name, today
        )


async def _old_area_villages(session: AsyncSession, today: date, demo: set[str] | None) -> None:
    repo = NeedRepository(session)
    for village in [v for prefix in DEMO_AREAS for v in await repo.old_area_villages(prefix)]:
        doctor = await _placed(
            session,
            "doctor",
            village.code,
            kind="doctor",
            name=f"{_SURNAMES[int(village.code[-2])]}医生",
            unit="开平市中心医院",
            hospital_grade="3A",
            professional_title="intermediate",
        )
        enterprise = await _placed(
            session,
            "enterprise",
            village.code,
            kind="enterprise",
            name=f"示范企业{village.code[-3:]}",
        )
        await _pair(session, PairingKind.DOCTOR_VILLAGE, doctor, village.code, today)
        await _pair(session, PairingKind.ENTERPRISE_VILLAGE, enterprise, village.code, today)


async def _mountain_sea(session: AsyncSession, today: date, demo: set[str] | None) -> None:
    for coastal, mountain in MOUNTAIN_SEA_PAIRS:
        county = await _placed(
            session,
            "county",
            coastal,
            kind="county",
            name=COUNTY_NAMES[coastal[:6]],
            level="county",
        )
        await _pair(session, PairingKind.COUNTY_COUNTY, county, mountain, today)


async def _visits(session: AsyncSession, today: date, demo: set[str] | None) -> None:
    """A recent home visit for four demo households in five; the fifth shows up as overdue."""
    households = _demo_only(
        await HouseholdRepository(session).in_area(prefix="", statuses=["registered", "exit_requested"]), demo
    )
    pairings = PairingRepository(session)
    for index, h in enumerate(households):
        if index % 5 == 0:
            continue
        active = [
            p for p in await pairings.active_for_target(str(h.id)) if p.kind == PairingKind.CADRE_HOUSEHOLD
        ]
        if not active:
            continue
        visit = VisitIn(
            id=_id("visit", str(h.id)),
            household_id=h.id,
            helper_id=active[0].helper_id,
            visited_on=max(today - timedelta(days=10), active[0].started_on),
            kind=VisitKind.HOME_VISIT,
            notes="了解收入和务工情况, 宣讲医保政策",
            measures=["落实家庭医生签约"],
            household_confirmed=True,
            satisfaction=Satisfaction.SATISFIED,
        )
        await visit_service.record_one(session, _loader(h.area_code), visit, today=today)


async def load_demo(db: Database, *, today: date | None = None, households: set[str] | None = None) -> None:
    """``households``: the registry demo's households, the only ones paired and visited here
    (``None``, for tests of an empty database: every household)."""
    on = today or clock.today()
    steps = (_mountain_sea, _village_helpers, _staffing, _old_area_villages, _cadres_for_households, _visits)
    for step in steps:
        async with db.transaction() as session:
            await step(session, on, households)
    # Publish the demo's gaps now rather than at the hourly job (each gap once, so reruns add none).
    async with db.transaction() as session:
        await coverage_service.check(session, "demo-loader", prefix="", today=on)
