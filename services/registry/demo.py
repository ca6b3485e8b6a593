"""Demo data for `make run`: the seeds' places and a synthetic but realistic registry.

Chishui town (seed 004): 325 minimum-allowance households / 915 people registered, of whom
71 households / 251 people are labour-capable and willing (the key targets). Some Quanzhou
pairing villages (seed 002) with a few registered households each, five of them asking to exit.
Everything goes through the same service functions as the API, so every change is audited
and published through the outbox and the other services' projections fill.

Names and resident IDs are synthetic (valid check digits, no real person). Idempotent: a part
already loaded is skipped. The runner loads it once; shared.demo records what it created, and
``remove_demo`` (`jingzhun demo reset`) takes exactly that out again, counters included.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import service as area_service
from services.registry.areas.reference import (
    CHISHUI_KEY_VILLAGES,
    CHISHUI_OTHER_VILLAGES,
    QUANZHOU_VILLAGES,
    reference_areas,
)
from services.registry.areas.repository import AreaRepository
from services.registry.exits import service as exit_service
from services.registry.households import service as household_service
from services.registry.households.repository import HouseholdRepository
from services.registry.households.schemas import HouseholdIn, MemberIn
from services.registry.identification import service as identification
from services.registry.identification.rules import ReviewResult
from services.registry.identification.schemas import HOUSEHOLD_ROLE, ConfirmationIn, NoticeIn, ReviewIn
from services.registry.models import Base, Household
from services.registry.policies import service as policy_service
from services.registry.rollups.repository import RollupRepository
from services.registry.rollups.rules import CounterDelta, counter_deltas, flow_deltas
from services.registry.settings import RegistrySettings
from services.registry.vocabulary import LabourCapacity, PovertyCause, Relation
from shared import demo as shared_demo
from shared.auth import Principal
from shared.db import Database
from shared.resident_id import make

ACTOR = "demo-loader"
SURNAMES = "梁关司徒谭吴周黄张李陈"
GIVEN = ["国强", "秀英", "志明", "丽华", "建平", "桂芳", "伟成", "玉兰", "家豪", "美玲", "振华", "翠萍"]
CAUSES = [
    PovertyCause.ILLNESS,
    PovertyCause.DISABILITY,
    PovertyCause.LACK_OF_SKILLS,
    PovertyCause.SCHOOLING,
    PovertyCause.LACK_OF_FUNDS,
    PovertyCause.LACK_OF_LABOUR,
]
ALL_NEEDS = {
    "food": True,
    "clothing": True,
    "safe_water": True,
    "compulsory_education": True,
    "basic_medical": True,
    "safe_housing": True,
}


def chishui_sizes() -> Iterator[tuple[bool, int]]:
    """(key target?, persons): 38×4 + 33×3 = 251 in 71 key households; 156×3 + 98×2 = 664 in 254 others."""
    yield from [(True, 4)] * 38 + [(True, 3)] * 33 + [(False, 3)] * 156 + [(False, 2)] * 98


class People:
    """Synthetic residents with unique, valid IDs."""

    def __init__(self, area6: str) -> None:
        self.area6, self.n = area6, 0

    def member(self, relation: Relation, sex: str, *, key: bool, household_no: int) -> MemberIn:
        self.n += 1
        adult = relation in (Relation.HEAD, Relation.SPOUSE)
        born = date(1950 if adult else 1992, 1, 1) + timedelta(
            days=(self.n * 7) % (9_000 if adult else 6_000)
        )
        labour = LabourCapacity.FULL if key or not adult else LabourCapacity.NONE
        return MemberIn(
            name=SURNAMES[household_no % len(SURNAMES)] + GIVEN[self.n % len(GIVEN)],
            resident_id=make(self.area6, born, self.n % 1000, sex=sex),
            relation=relation,
            labour_capacity=labour,
            in_school=not adult and born.year >= 2003,
            migrant_work=key and adult,
        )

    def family(self, persons: int, *, key: bool, household_no: int) -> list[MemberIn]:
        head_sex = "male" if household_no % 3 else "female"
        spouse_sex = "female" if head_sex == "male" else "male"
        relations = [(Relation.HEAD, head_sex), (Relation.SPOUSE, spouse_sex)] + [
            (Relation.CHILD, ("male", "female")[i % 2]) for i in range(persons - 2)
        ]
        return [self.member(r, sex, key=key, household_no=household_no) for r, sex in relations[:persons]]


async def _register(db: Database, data: HouseholdIn, *, on: date, exit_year: int | None = None) -> Household:
    """Walk a household through identification with the dates it would have had, in one
    transaction: an interrupted load leaves each household whole or absent (``load_demo`` resumes).
    ``exit_year``: the household then asks to exit in that year, its income just above the line."""
    cipher = RegistrySettings().pii_cipher()
    async with db.transaction() as s:
        h = (
            await household_service.create_candidate(
                session=s, actor=ACTOR, data=data, cipher=cipher, today=on
            )
        ).household
        await identification.submit_review(session=s, actor=ACTOR, household_id=h.id)
        await identification.record_review(
            session=s,
            actor=ACTOR,
            household_id=h.id,
            data=ReviewIn(result=ReviewResult.APPROVED, held_on=on),
            today=on,
        )
        await identification.start_notice(
            session=s,
            actor=ACTOR,
            household_id=h.id,
            data=NoticeIn(starts_on=on + timedelta(days=1)),
            today=on + timedelta(days=1),
        )
        head = next(m for m in await HouseholdRepository(s).members(h.id) if m.relation == "head")
        family = Principal(sub=str(h.id), roles=frozenset({HOUSEHOLD_ROLE}), area_code=h.area_code)
        await identification.confirm(
            session=s,
            actor=family,  # 逐户签字确认: the household signs its own confirmation
            household_id=h.id,
            today=on + timedelta(days=9),
            signature=ConfirmationIn(member_id=head.id, capacity="head"),
        )
        h = await identification.register(
            session=s, actor=ACTOR, household_id=h.id, today=on + timedelta(days=10)
        )
        if exit_year is not None:  # inspection opens its sign-off
            await HouseholdRepository(s).put_income(h.id, exit_year, 520_000)
            await exit_service.request_exit(
                session=s, actor=ACTOR, household_id=h.id, year=exit_year, today=date(exit_year, 10, 15)
            )
        return h


def chishui_households() -> Iterator[HouseholdIn]:
    people = People("440783")
    villages = list(CHISHUI_KEY_VILLAGES) + list(CHISHUI_OTHER_VILLAGES)
    for no, (key, persons) in enumerate(chishui_sizes()):
        # key targets live in the 7 old-area villages; other allowance households anywhere in town
        village = villages[no % 7] if key else villages[no % len(villages)]
        yield HouseholdIn(
            area_code=village,
            year=2016,
            members=people.family(persons, key=key, household_no=no),
            poverty_causes=[CAUSES[no % len(CAUSES)]],
            batches=["production_employment"] + (["education"] if persons == 4 else [])
            if key
            else ["dibao_floor"],
            labour_willing=key,
            dibao=True,
            five_guarantee=not key and persons == 2 and no % 5 == 0,
            basic_needs={"food": True, "clothing": True, "safe_water": True},
            plan="一户一策：产业帮扶+就业推荐" if key else "低保兜底",
        )


def quanzhou_households() -> Iterator[tuple[HouseholdIn, int | None]]:
    """Three households in each pairing village; the first of the first five asks to exit in 2018."""
    people = People("350524")
    for v_no, village in enumerate(QUANZHOU_VILLAGES):
        for h_no in range(3):
            no = v_no * 3 + h_no
            data = HouseholdIn(
                area_code=village,
                year=2017,
                members=people.family(2 + no % 3, key=True, household_no=no),
                poverty_causes=[CAUSES[no % len(CAUSES)]],
                batches=["production", "education"][: 1 + no % 2],
                labour_willing=True,
                dibao=no % 4 == 0,
                basic_needs=ALL_NEEDS,
                income_channels=["务工", "种植"],
            )
            yield data, 2018 if v_no < 5 and h_no == 0 else None


def demo_households() -> list[tuple[HouseholdIn, date, int | None]]:
    """Every demo household in loading order: (data, registered on, exit year)."""
    return [(d, date(2016, 12, 1), None) for d in chishui_households()] + [
        (d, date(2017, 3, 1), exit_year) for d, exit_year in quanzhou_households()
    ]


async def load_demo(db: Database) -> None:
    """Load what is not loaded yet: a demo household whose head is already registered is skipped,
    so a load interrupted part way (Ctrl-C) is finished by the next run, and a user's own
    households in the demo's places change nothing."""
    async with db.transaction() as s:
        await policy_service.seed_presets(session=s)
        if await AreaRepository(s).get("440783000000") is None:
            await area_service.upsert_tree(session=s, actor=ACTOR, areas=reference_areas())
    cipher = RegistrySettings().pii_cipher()
    plan = demo_households()
    heads = [cipher.keyed_hash(data.members[0].resident_id) for data, _, _ in plan]
    async with db.transaction() as s:
        held = {h for h, _ in await HouseholdRepository(s).identity_holders(heads)}
    for (data, on, exit_year), head in zip(plan, heads, strict=True):
        if head not in held:
            await _register(db, data, on=on, exit_year=exit_year)


async def remove_demo(session: AsyncSession) -> dict[str, int]:
    """Take the demo's households out of the roll-up counters, then delete them (shared.demo)."""
    ids = [uuid.UUID(i) for _, i in await shared_demo.recorded(session, "household")]
    deltas: list[CounterDelta] = []
    for h in (await session.execute(select(Household).where(Household.id.in_(ids)))).scalars():
        deltas += counter_deltas(household_service.snapshot(h), None)
        if h.household_number is not None:  # registered: it was counted as an entry of its year
            deltas += [
                replace(d, households=-d.households, persons=-d.persons)
                for d in flow_deltas(h.area_code, kind="entries", year=h.year, persons=h.member_count)
            ]
    await RollupRepository(session).apply(deltas)
    return await shared_demo.remove(session, Base.metadata)
