"""Use cases of the third-party evaluation: draw, record verdicts and omissions, report error rates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.errors import (
    AcceptanceUnderWay,
    AreaOutsideScope,
    NothingToSample,
    SampleItemNotFound,
    SampleNotFound,
    SampleUnitMismatch,
    VerdictAlreadyGiven,
    VillageOutsideSample,
    missing_in_your_area,
)
from services.inspection.models import EvaluationItem, EvaluationSample
from services.inspection.places import parse_area
from services.inspection.policies import presets
from services.inspection.sampling import rules
from services.inspection.sampling.repository import SampleRepository
from services.inspection.sampling.schemas import (
    ErrorRateOut,
    OmissionIn,
    SampleIn,
    VerdictIn,
)
from shared import audit
from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode, AreaLevel
from shared.auth import Principal
from shared.backdating import check_year_begun
from shared.clock import clock
from shared.errors import InvalidInput
from shared.repository import Slice
from shared.shaping import from_row


@dataclass(frozen=True)
class DrawnSample:
    """A sample and the households (or villages) it drew, with their verdicts so far."""

    sample: EvaluationSample
    items: list[EvaluationItem]


async def _load(repo: SampleRepository, actor: Principal, sample_id: uuid.UUID) -> EvaluationSample:
    sample = await repo.get(sample_id)
    if sample is None or not actor.covers(sample.area_code):
        raise missing_in_your_area(SampleNotFound, "Sample", "抽样", sample_id=sample_id)
    return sample


async def draw(*, session: AsyncSession, actor: Principal, data: SampleIn) -> DrawnSample:
    if not actor.covers(data.area_code):
        raise AreaOutsideScope(
            "You can only sample inside your own area.",
            detail_zh="只能在本辖区内抽样",
            area_code=data.area_code,
        )
    # a year not yet begun has no exits: say so, not "nothing exited" (China date)
    check_year_begun(year=data.year, today=clock.today(), doing="sample it", doing_zh="该年度开始后才能抽样")
    repo = SampleRepository(session)
    prefix = parse_area(data.area_code).prefix
    still_open = await repo.open_dossiers(prefix, data.year, data.unit)
    if still_open:
        # seed 003 十: the evaluation runs after the acceptance work is over, independently
        raise AcceptanceUnderWay(
            f"{still_open} {data.unit} exit sign-off(s) of {data.area_code} for {data.year} are still open: "
            "the third-party sample is drawn after the acceptance is over",
            detail_zh=f"{data.area_code} 在 {data.year} 年还有 {still_open} 份退出验收签字尚未完成，"
            "第三方评估须在退出验收工作结束后进行",
            open_dossiers=still_open,
        )
    if data.unit == "village":
        # exited villages, each county a stratum (the village code ranks like a household id)
        policy = presets.THIRD_PARTY_VILLAGE_SAMPLING
        population = [
            rules.Candidate(v.area_code, v.area_code[:6].ljust(12, "0"))
            for v in await repo.exited_villages(prefix, data.year)
        ]
    else:
        policy = presets.THIRD_PARTY_SAMPLING
        population = [
            rules.Candidate(h.household_id, h.area_code)
            for h in await repo.exited_households(prefix, data.year)
        ]
    if not population:
        unit_zh = "贫困村退出" if data.unit == "village" else "贫困户退出"
        raise NothingToSample(
            f"no {data.unit} of {data.area_code} exited in {data.year}: nothing to sample",
            detail_zh=f"{data.area_code} 在 {data.year} 年没有{unit_zh}，没有可抽查的对象；"
            "请核对地区代码、年度和抽样对象",
            area_code=data.area_code,
            year=data.year,
            unit=data.unit,
        )
    chosen = rules.draw(population, data.seed, policy)
    sample = EvaluationSample(
        id=uuid.uuid4(),
        area_code=data.area_code,
        year=data.year,
        seed=data.seed,
        rate_numerator=policy.rate.numerator,
        rate_denominator=policy.rate.denominator,
        min_per_village=policy.min_per_village,
        population=len(population),
        unit=data.unit,
        created_by=actor.sub,
        created_at=clock.now(),
    )
    items = [
        EvaluationItem(sample_id=sample.id, household_id=c.household_id, village_code=c.village_code)
        if data.unit == "household"
        else EvaluationItem(sample_id=sample.id, household_id=None, village_code=c.household_id)
        for c in chosen
    ]
    await repo.add_with_items(sample, items)
    await audit.record(
        session,
        actor,
        "sample.drawn",
        ("evaluation_sample", sample.id),
        after={**data.model_dump(), "population": len(population), "size": len(items)},
    )
    return DrawnSample(sample, items)


async def get(*, session: AsyncSession, actor: Principal, sample_id: uuid.UUID) -> DrawnSample:
    repo = SampleRepository(session)
    sample = await _load(repo, actor, sample_id)
    return DrawnSample(sample, await repo.items(sample.id))


async def list_page(
    *, session: AsyncSession, actor: Principal, cursor: str | None, limit: int
) -> Slice[DrawnSample]:
    repo = SampleRepository(session)
    found = await repo.page(actor.area_prefix, cursor, limit)
    items = await repo.items_of([s.id for s in found.items])
    return Slice([DrawnSample(s, items[s.id]) for s in found.items], found.next_cursor)


async def give_verdict(
    *, session: AsyncSession, actor: Principal, sample_id: uuid.UUID, data: VerdictIn
) -> DrawnSample:
    rules.VERDICT.check(data.verdict)
    repo = SampleRepository(session)
    sample = await _load(repo, actor, sample_id)
    if (data.village_code is not None) != (sample.unit == "village"):
        raise SampleUnitMismatch(
            f"This sample draws {sample.unit}s: name the {sample.unit} you judged.",
            detail_zh=f"本次抽样的单位是 {sample.unit}：请写明您评估的 {sample.unit}",
        )
    item = await repo.item(sample.id, data.household_id, lock=True, village_code=data.village_code)
    subject = data.household_id or data.village_code
    if item is None:
        raise SampleItemNotFound(
            f"That {sample.unit} is not in this sample.", detail_zh="该对象不在本次抽样中", subject=subject
        )
    if item.verdict is not None:
        raise VerdictAlreadyGiven(
            f"{sample.unit.capitalize()} {subject} was already judged {item.verdict}.",
            detail_zh=f"{subject} 已有评估结论",
        )
    item.verdict, item.note = data.verdict, data.note
    item.evaluated_by, item.evaluated_at = actor.sub, clock.now()
    await audit.record(
        session,
        actor,
        "sample.verdict",
        ("evaluation_sample", sample.id),
        before={"household_id": data.household_id, "verdict": None},
        after=data.model_dump(),
    )
    await session.flush()
    return DrawnSample(sample, await repo.items(sample.id))


async def record_omission(
    *, session: AsyncSession, actor: Principal, sample_id: uuid.UUID, data: OmissionIn
) -> None:
    repo = SampleRepository(session)
    sample = await _load(repo, actor, sample_id)
    if not data.village_code.startswith(AreaCode.parse(sample.area_code).prefix):
        raise VillageOutsideSample(
            "The village lies outside the sampled area.",
            detail_zh="该村不在抽样地区内",
            village_code=data.village_code,
        )
    await repo.set_omission(sample.id, data.village_code, data.households, data.note)
    await audit.record(
        session, actor, "sample.omission", ("evaluation_sample", sample.id), after=data.model_dump()
    )


async def error_rates(
    *, session: AsyncSession, actor: Principal, sample_id: uuid.UUID, level: str
) -> list[ErrorRateOut]:
    try:
        length = LEVEL_PREFIX_LENGTH[AreaLevel(level)]
    except ValueError:
        raise InvalidInput(
            "level is one of village, township, county, city, province.",
            detail_zh="层级应为村、乡镇、县、市或省",
        ) from None
    repo = SampleRepository(session)
    sample = await _load(repo, actor, sample_id)
    verdicts = [rules.Verdict(i.village_code, i.verdict) for i in await repo.items(sample.id) if i.verdict]
    rows = rules.error_rates(verdicts, await repo.omissions(sample.id), length)
    return [
        from_row(
            ErrorRateOut,
            r,
            wrongly_exited_rate=rules.rate_text(r.wrongly_exited_rate),
            wrongly_left_out_rate=rules.rate_text(r.wrongly_left_out_rate),
        )
        for r in rows
    ]
