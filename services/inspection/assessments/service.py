"""Use cases of the yearly assessment: set targets, assess an area from the projections."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.assessments import rules
from services.inspection.assessments.repository import AssessmentRepository
from services.inspection.assessments.schemas import AssessmentIn, RunIn, indicators_out
from services.inspection.errors import AlreadyAssessed, AreaOutsideScope, OwnAreaNotAssessed, TargetNotFound
from services.inspection.findings import events as finding_events
from services.inspection.findings.repository import AccountabilityRepository
from services.inspection.models import AccountabilityRecord, AssessmentResult, ReductionTarget
from services.inspection.places import parse_area
from services.inspection.policies import presets
from shared import audit
from shared.areas import AreaCode, AreaLevel
from shared.auth import Principal
from shared.backdating import check_year_begun
from shared.clock import clock
from shared.errors import InvalidInput, PreconditionRequired
from shared.http import check_put_precondition
from shared.repository import Slice

ASSESSED_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
RUN_BATCH = 100  # areas per run call: keeps one request (one transaction) short


# What a refused area is told (English, Chinese): when assessing, when previewing, for its level.
_BELOW_YOURS = (
    "You can assess and set targets only for areas below your own.",
    "只能考核本辖区以下的地区并为其设定目标",
)
_PREVIEWABLE = ("Preview a county, township or village inside your area.", "请预览本辖区内的县、乡镇或村")
_LEVELS = ("Counties, townships and villages are assessed.", "考核对象为县、乡镇和村")


def _inside(actor: Principal, area_code: str, refusal: tuple[str, str]) -> AreaCode:
    area = parse_area(area_code)
    if not actor.covers(area.code):
        raise AreaOutsideScope(refusal[0], detail_zh=refusal[1], area_code=area_code)
    return area


def _check_level(value: str, refusal: tuple[str, str], **extensions: Any) -> None:
    if value not in {lv.value for lv in ASSESSED_LEVELS}:
        raise InvalidInput(refusal[0], detail_zh=refusal[1], **extensions)


def _area(actor: Principal, area_code: str) -> AreaCode:
    # An area is assessed by the level above it (or higher), never by itself.
    area = _inside(actor, area_code, _BELOW_YOURS)
    if actor.area_code == area.code:
        raise OwnAreaNotAssessed(_BELOW_YOURS[0], detail_zh=_BELOW_YOURS[1], area_code=area_code)
    _check_level(area.level.value, _LEVELS, level=area.level.value)
    return area


@dataclass(frozen=True)
class Preview:
    """An area's indicators as they stand, stored nowhere."""

    area: AreaCode
    year: int
    result: rules.Assessment


@dataclass(frozen=True)
class Assessed:
    """A stored assessment and the admonishments (约谈) it led to."""

    result: AssessmentResult
    admonishments: list[AccountabilityRecord]


@dataclass(frozen=True)
class Run:
    """One bounded batch of a level's assessments; ``more`` when areas are left for the next call."""

    year: int
    level: str
    assessed: list[Assessed]
    more: bool


async def get_target(
    *, session: AsyncSession, actor: Principal, area_code: str, year: int
) -> ReductionTarget:
    area = parse_area(area_code)
    target = await AssessmentRepository(session).target(area.code, year) if actor.covers(area.code) else None
    if target is None:
        raise TargetNotFound(
            f"No target for {area.code} in {year} in your area",
            detail_zh=f"您的辖区内没有 {area.code} {year} 年的减贫目标",
            area_code=area.code,
            year=year,
        )
    return target


async def set_target(
    *, session: AsyncSession, actor: Principal, area_code: str, year: int, people: int, if_match: str | None
) -> ReductionTarget:
    """Create a year's target (no If-Match needed) or change it (If-Match: the ETag you read)."""
    area = _area(actor, area_code)
    repo = AssessmentRepository(session)
    target = await repo.target(area.code, year, lock=True)
    check_put_precondition(if_match, target.version if target else None)
    before = target.people if target else None
    if target is None:
        target = await repo.add_target(area.code, year, people, actor.sub)
        if target is None:  # a concurrent request created it since our read: this is now a change
            raise PreconditionRequired.created_meanwhile(
                "set this target", "设置了该目标", area_code=area.code, year=year
            )
    else:
        await repo.update(target, people=people, set_by=actor.sub)
    await audit.record(
        session,
        actor,
        "target.set",
        ("reduction_target", f"{area.code}:{year}"),
        before={"people": before},
        after={"people": people, "version": target.version},
    )
    return target


async def facts_for(
    session: AsyncSession, area: AreaCode, year: int, qualitative: int | None, today: date
) -> rules.AreaFacts:
    repo = AssessmentRepository(session)
    prefix = area.prefix
    target = await repo.target(area.code, year)
    planned, disbursed = await repo.money(prefix, year)
    registered, paired, visited = await repo.households(prefix, year, presets.HOUSEHOLD_CADRE_PAIRING)
    due, on_time = await repo.rectification(prefix, year, today)
    checked, errors = await repo.third_party(prefix, year)
    return rules.AreaFacts(
        area_code=area.code,
        level=area.level.value,
        year=year,
        target_people=target.people if target else None,
        exited_people=await repo.exited_people(prefix, year),
        poor_population=await repo.poor_population(prefix),
        rural_population=await repo.rural_population(area.code),
        planned_fen=planned,
        disbursed_fen=disbursed,
        registered_households=registered,
        paired_households=paired,
        visited_households=visited,
        findings_due=due,
        findings_on_time=on_time,
        qualitative_score=qualitative,
        third_party_checked=checked,
        third_party_errors=errors,
    )


async def _admonish(
    session: AsyncSession, area: AreaCode, result: rules.Assessment, today: date
) -> list[AccountabilityRecord]:
    positions = rules.admonished_positions(
        area.level.value, result.missed_target, presets.ADMONISH_ON_MISSED_TARGET
    )
    subjects: list[str] = []
    for position in positions:
        if position == "pairing_cadre":  # the village's helpers by name, when pairing told us who they are
            helpers = await AssessmentRepository(session).village_helpers(area.code)
            subjects += [f"pairing_cadre:{h}" for h in helpers] or [f"pairing_cadre of {area.code}"]
        else:
            subjects.append(f"{position} of {area.code}")
    exited = next(i for i in result.indicators if i.name == "reduction")
    records = AccountabilityRepository(session)
    created = []
    for subject in subjects:
        record = AccountabilityRecord(
            id=uuid.uuid4(),
            area_code=area.code,
            kind="admonishment_interview",
            subject=subject,
            reason=f"{result.year}年减贫任务未完成：目标减贫{exited.denominator}人，实际减贫{exited.numerator}人",
            origin=f"assessment:{area.code}:{result.year}",
            issued_on=today,
            created_at=clock.now(),
        )
        if await records.add(record):
            created.append(record)
            await finding_events.publish_accountability(session, record)
    return created


async def preview(
    *, session: AsyncSession, actor: Principal, area_code: str, year: int, qualitative_score: int | None
) -> Preview:
    """The indicators as they stand today, stored nowhere: an area may watch its own progress."""
    area = _inside(actor, area_code, _PREVIEWABLE)
    _check_level(area.level.value, _PREVIEWABLE, area_code=area_code)
    return Preview(
        area,
        year,
        rules.assess(
            await facts_for(session, area, year, qualitative_score, clock.today()), presets.ASSESSMENT
        ),
    )


def _ensure_year_begun(year: int, today: date) -> None:
    """A year still to come has nothing to assess: its score, and an admonishment for a missed
    target, would be recorded before a day of it had passed."""
    check_year_begun(year=year, today=today, doing="assess it", doing_zh="该年度开始后才能考核")


async def assess(*, session: AsyncSession, actor: Principal, data: AssessmentIn, today: date) -> Assessed:
    _ensure_year_begun(data.year, today)
    area = _area(actor, data.area_code)
    repo = AssessmentRepository(session)
    if await repo.existing(area.code, data.year) is not None:
        raise AlreadyAssessed(
            f"{area.code} was already assessed for {data.year}.",
            detail_zh=f"{area.code} {data.year} 年已考核",
        )
    result = rules.assess(
        await facts_for(session, area, data.year, data.qualitative_score, today), presets.ASSESSMENT
    )
    indicators = indicators_out(result)
    row = AssessmentResult(
        id=uuid.uuid4(),
        area_code=area.code,
        level=area.level.value,
        year=data.year,
        qualitative_score=data.qualitative_score,
        score=result.score_text,
        rating=result.rating,
        missed_target=result.missed_target,
        indicators=[i.model_dump() for i in indicators],
        missing=list(result.missing),
        assessed_by=actor.sub,
        created_at=clock.now(),
    )
    await repo.add(row)
    records = await _admonish(session, area, result, today)
    await audit.record(
        session,
        actor,
        "assessment.made",
        ("assessment", row.id),
        after={
            "area_code": area.code,
            "year": data.year,
            "score": row.score,
            "rating": row.rating,
            "admonishments": [r.subject for r in records],
        },
    )
    return Assessed(row, records)


async def list_page(
    *, session: AsyncSession, actor: Principal, year: int | None, cursor: str | None, limit: int
) -> Slice[AssessmentResult]:
    return await AssessmentRepository(session).page(actor.area_prefix, year, cursor, limit)


async def run(*, session: AsyncSession, actor: Principal, data: RunIn, today: date) -> Run:
    """Assess every known area of one level below the caller for the year, a bounded batch per
    call; areas already assessed are skipped, so calling again continues where it stopped."""
    _check_level(data.level, _LEVELS, level=data.level)
    _ensure_year_begun(data.year, today)
    codes = await AssessmentRepository(session).unassessed_areas(
        actor.area_prefix, actor.area_code, data.level, data.year, RUN_BATCH + 1
    )
    done = [
        await assess(
            session=session, actor=actor, data=AssessmentIn(area_code=code, year=data.year), today=today
        )
        for code in codes[:RUN_BATCH]
    ]
    return Run(year=data.year, level=data.level, assessed=done, more=len(codes) > RUN_BATCH)
