from __future__ import annotations

import inspect
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.deps import CipherDep
from services.registry.errors import AreaNotFound
from services.registry.households import roll_export
from services.registry.rollups import schemas, service
from services.registry.rollups.rules import KEY_TARGET_FIGURES, DibaoFacts, KeyTargetCounts
from services.registry.vocabulary import HouseholdStatus
from shared import cadres
from shared.auth import CurrentUser, Principal
from shared.clock import clock
from shared.db import SessionDep
from shared.fields import AreaCodeText
from shared.pagination import Cursor, Limit
from shared.pii import mask_name
from shared.printable import HTML_RESPONSES, html_response
from shared.ratelimit import PUBLIC_RATE_LIMIT, RATE_LIMITED_RESPONSES
from shared.read_route import add_read_route
from shared.shaping import from_row
from shared.spreadsheets import XLSX_MEDIA_TYPE, HeaderStyle, Sheet, xlsx_response


async def _check_cadre_village(session: AsyncSession, user: Principal, area_code: str) -> None:
    """A cadre reads the roll-ups of the villages of their own households, no wider (404 otherwise)."""
    own = await cadres.cadre_villages(session, user)
    if own is not None and area_code not in own:
        raise AreaNotFound(f"area {area_code} does not exist in your area", area_code=area_code)


async def _cadre_villages_only(area_code: AreaCodeText, session: SessionDep, user: CurrentUser) -> None:
    await _check_cadre_village(session, user, area_code)


router = APIRouter(prefix="/rollups", tags=["rollups"])
# Counts of households: a cadre reads those of their households' villages. (The weak-village list is
# about villages' collective income, no household in it: every role of the area reads it.)
CadreVillage = [Depends(_cadre_villages_only)]


def _this_year() -> int:
    return clock.today().year


# pydantic reads a default factory's signature each time it calls it (whether it takes the validated
# data): given here, not worked out by inspect.signature on every roll-up read without ?year=
_this_year.__signature__ = inspect.Signature()  # type: ignore[attr-defined]
Year = Query(default_factory=_this_year, ge=2014, le=2100, description="policy year for the threshold")


async def area_rollup(
    area_code: AreaCodeText, user: CurrentUser, request: Request, year: int = Year
) -> Response:
    # The hottest roll-up read opens its read session itself (shared/db.py reading()) and answers
    # its JSON built from the rules' summary (schemas.rollup_json); the cadres' check in the route,
    # not a dependency: no query for any other role.
    async with request.app.state.db.reading() as session:
        await _check_cadre_village(session, user, area_code)
        found = await service.rollup(session=session, actor=user, code=area_code, year=year)
    return Response(schemas.rollup_json(found), media_type="application/json")


# a hot read: its caller, area and year taken without FastAPI's per-request dependency solving
add_read_route(router, "/{area_code}", area_rollup, response_model=schemas.RollupOut)


@router.get("/{area_code}/pyramid", response_model=schemas.PyramidOut, dependencies=CadreVillage)
async def area_pyramid(
    area_code: AreaCodeText, session: SessionDep, user: CurrentUser, year: int = Year
) -> schemas.PyramidOut:
    return schemas.PyramidOut.model_validate(
        await service.pyramid(session=session, actor=user, code=area_code, year=year), from_attributes=True
    )


@router.get("/{area_code}/charts", response_model=schemas.VillageChartsOut, dependencies=CadreVillage)
async def village_charts(
    area_code: AreaCodeText, session: SessionDep, user: CurrentUser, year: int = Year
) -> schemas.VillageChartsOut:
    charts = await service.village_charts(session=session, actor=user, code=area_code, year=year)
    return schemas.VillageChartsOut.model_validate(charts, from_attributes=True)


@router.get(
    "/{area_code}/charts/print",
    response_class=HTMLResponse,
    dependencies=CadreVillage,
    responses=HTML_RESPONSES,
)
async def village_charts_printable(
    area_code: AreaCodeText, session: SessionDep, user: CurrentUser, year: int = Year
) -> HTMLResponse:
    """The village's five charts (五图) as a printable document: one A4 page per chart, bars drawn
    as inline SVG, every label in Chinese; the same figures as `/charts` for this reader (an
    outside reader gets suppressed cells as "—" and no household list)."""
    document = await service.village_charts_document(session=session, actor=user, code=area_code, year=year)
    return html_response(document)


@router.get("/{area_code}/weak-villages", response_model=schemas.WeakVillagesOut)
async def weak_villages(
    area_code: AreaCodeText,
    session: SessionDep,
    user: CurrentUser,
    year: int = Year,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> schemas.WeakVillagesOut:
    """Villages under the area whose collective operating income for the year is under the
    threshold in force there (Quanzhou, 《泉州市2018年脱贫攻坚工作要点》: 1万元以下 in 2018,
    3万元以下 from 2019), and
    those with no income recorded (unknown); counts per child area. The lists are paged together
    by village code (`limit`, `cursor`); the counts always cover the whole area."""
    found = await service.weak_villages(
        session=session, actor=user, code=area_code, year=year, cursor=cursor, limit=limit
    )
    return schemas.WeakVillagesOut(**asdict(found))


@router.get("/{area_code}/income-share", response_model=schemas.IncomeShareOut, dependencies=CadreVillage)
async def income_share(
    area_code: AreaCodeText,
    session: SessionDep,
    user: CurrentUser,
    local_income_fen: int = Query(
        gt=0, le=10**12, description="the local per-capita income of the year, in fen (当地城乡年人均收入)"
    ),
    year: int = Year,
) -> schemas.IncomeShareOut:
    """Of the area's poor households with labour capacity, how many have a per-capita income for
    the year over 45% of the local per-capita income, and whether that is 30% or more of them
    (开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》三(一):
    力争每年有30%以上的有劳动能力贫困户年人均可支配收入超过当地城乡年人均收入的45%).
    The local income is not in the policy documents: give it as `local_income_fen`.
    422 where no such target applies to the area and year."""
    found, shown = await service.income_share_of(
        session=session, actor=user, code=area_code, year=year, local_income_fen=local_income_fen
    )
    t = found.target
    return from_row(
        schemas.IncomeShareOut,
        found,
        income_share_bp=t.income_share_bp,
        income_comparison=t.income_comparison.value,
        households_share_bp=t.households_share_bp,
        households_comparison=t.households_comparison.value,
        labour_capable_households=found.labour_capable_households if shown else None,
        households_over_line=found.households_over_line if shown else None,
        households_without_income=found.households_without_income if shown else None,
        share_bp=found.share_bp if shown else None,
        source=t.source,
    )


@router.get(
    "/{area_code}/transfer-employment",
    response_model=schemas.TransferEmploymentOut,
    dependencies=CadreVillage,
)
async def transfer_employment(
    area_code: AreaCodeText,
    session: SessionDep,
    user: CurrentUser,
    on: date | None = Query(None, description="the day the ages are read on (default today, China time)"),
) -> schemas.TransferEmploymentOut:
    """The transfer-employment batch's figure (《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》七个一批 注2):
    the area's poor people aged 18 to 60 on the day (both included), with labour capacity
    (ordinary or weak / half labourer), not in school and with migrant-work information, and the
    poor households with one — counted from the household table whatever batches a household is
    tagged with (the seven batches overlap, 注7).
    422 where the area's batch set in that year has no transfer-employment batch."""
    found, shown = await service.transfer_employment_of(session=session, actor=user, code=area_code, on=on)
    return schemas.TransferEmploymentOut(
        area_code=found.area_code,
        on=found.on,
        min_age=found.rule.min_age,
        max_age=found.rule.max_age,
        households=found.households if shown else None,
        persons=found.persons if shown else None,
        source=found.rule.source,
    )


def _key_counts(c: KeyTargetCounts, names: dict[str, str], shown: bool) -> schemas.KeyTargetCountsOut:
    figures = {k: c.figures[k] if shown else None for k in KEY_TARGET_FIGURES}
    return schemas.KeyTargetCountsOut(
        area_code=c.area_code, area_name=names.get(c.area_code, c.area_code), **figures
    )


def _key_household(h: DibaoFacts) -> schemas.KeyTargetHouseholdOut:
    return schemas.KeyTargetHouseholdOut(
        head_name_masked=mask_name(h.head_name),
        member_count=len(h.labour_capacities),
        **{k: getattr(h, k) for k in ("household_id", "household_number", "area_code")},
    )


@router.get("/{area_code}/key-targets", response_model=schemas.KeyTargetsOut, dependencies=CadreVillage)
async def key_targets(
    area_code: AreaCodeText, session: SessionDep, user: CurrentUser, limit: Limit = 50, cursor: Cursor = None
) -> schemas.KeyTargetsOut:
    """The area's poor 低保 households and, of them, its key targets (重点帮扶对象: a member with labour
    capacity and willingness recorded as yes), with the counts of each child area and the key-target
    households listed by area (`limit`, `cursor`; the counts always cover the whole area).
    开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》三(一), 五(一); 422 where no policy names
    key targets. Registration never refuses a household for being, or not being, one."""
    found, shown = await service.key_targets_of(
        session=session, actor=user, code=area_code, cursor=cursor, limit=limit
    )
    return schemas.KeyTargetsOut(
        **_key_counts(found.total, found.names, shown).model_dump(),
        children=[_key_counts(c, found.names, shown) for c in found.children],
        households=[_key_household(h) for h in found.households],
        next_cursor=found.next_cursor,
        source=found.rule.source,
    )


@router.get(
    "/{area_code}/roll.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "the roll, one row per member"}},
)
async def roll_xlsx(
    area_code: AreaCodeText,
    session: SessionDep,
    user: CurrentUser,
    cipher: CipherDep,
    status: HouseholdStatus | None = None,
    headers: Annotated[
        HeaderStyle, Query(description="zh: Chinese column headers; codes: the machine-readable names")
    ] = "zh",
) -> StreamingResponse:
    """The area's roll (花名册) as an Excel workbook: one row per member, the columns of the import
    template (户编号, 行政区划代码, 姓名, 身份证号 … 劳动意愿) and 户状态, codes in Chinese words; the
    households the list shows the caller (a cadre: their own), optionally of one `status`, by village
    and 户编号 (those without one after them), each head first and the other members by relation as a
    roll lists them (配偶, 子女 … 父母), eldest first: no order of entry is kept. Resident
    IDs are masked (names too for roles that see masked names on the list). 422 roll-too-large when
    the roll is larger than one workbook is built for (a city's or a province's): export level by level."""
    rows = await roll_export.roll_rows(
        session=session, actor=user, area_code=area_code, status=status, cipher=cipher
    )
    sheet = Sheet(title="花名册", columns=roll_export.ROLL_COLUMNS, rows=rows)
    return xlsx_response(f"花名册-{area_code}.xlsx", [sheet], headers=headers)


public_router = APIRouter(tags=["public roll-ups"])


@public_router.get(
    "/public/rollups/{area_code}",
    response_model=schemas.PyramidOut,
    dependencies=[PUBLIC_RATE_LIMIT],
    responses=RATE_LIMITED_RESPONSES,
)
async def public_pyramid(
    area_code: AreaCodeText, session: SessionDep, year: int = Year
) -> schemas.PyramidOut:
    """No login: an area's roll-up and each child's, for the public. Every cell of fewer than k
    households (policy `disclosure_min_households`, 5 unless set) is null, and so is any cell
    that would give one away by subtraction from a published total; `suppressed` lists each with
    its reason. Rate-limited per client address."""
    found = await service.public_pyramid(session=session, code=area_code, year=year)
    return schemas.PyramidOut.model_validate(found, from_attributes=True)
