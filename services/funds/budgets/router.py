from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.funds.budgets import schemas, service
from services.funds.deps import English, FinanceWrite
from shared import cadres
from shared.answers import YearPath, tagged
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN
from shared.shaping import from_row

router = APIRouter(tags=["budget compliance"], dependencies=[cadres.CADRE_READS_REFUSED])
AreaPath = Annotated[
    str, Path(pattern=AREA_CODE_PATTERN, description="12-digit administrative division code")
]


@router.put("/budget-declarations/{area_code}/{year}", response_model=schemas.DeclarationOut)
async def declare(
    area_code: AreaPath,
    year: YearPath,
    body: schemas.DeclarationIn,
    write: FinanceWrite,
) -> schemas.DeclarationOut:
    """Declare the year's local revenue increase and recovered idle funds of an area. Creating needs
    no If-Match; changing needs the ETag you read (428 without, 412 if someone changed it meanwhile)."""
    row = await service.declare(**write.args, area_code=area_code, year=year, data=body)
    return write.tagged(schemas.DeclarationOut, row)


@router.get("/budget-declarations/{area_code}/{year}", response_model=schemas.DeclarationOut)
async def get_declaration(
    area_code: AreaPath, year: YearPath, session: SessionDep, user: CurrentUser, response: Response
) -> schemas.DeclarationOut:
    found = await service.get_declaration(session, actor=user, area_code=area_code, year=year)
    return tagged(response, schemas.DeclarationOut, found)


@router.get("/budget-compliance/{area_code}/{year}", response_model=schemas.ComplianceOut)
async def check(
    area_code: AreaPath, year: YearPath, session: SessionDep, user: CurrentUser, english: English
) -> schemas.ComplianceOut:
    """Per budget rule in force for the area and year: the required minimum (rounded up to the fen),
    the budgeted amount (the year's budgets of the source accounts at the rule's levels in the area)
    and passed / shortfall."""
    checked = await service.check(session, actor=user, area_code=area_code, year=year)
    return schemas.ComplianceOut(
        area_code=checked.area_code,
        year=checked.year,
        declaration=schemas.DeclarationOut.model_validate(checked.declaration)
        if checked.declaration
        else None,
        rules=[
            schemas.RuleCheckOut(
                rule_code=r.rule.code,
                rule_version=r.rule.version,
                kind=r.rule.kind,
                basis_points=r.rule.basis_points,
                amount_fen=r.rule.amount_fen,
                budget_levels=list(r.rule.budget_levels),
                source=r.rule.source,
                required_fen=r.required_fen,
                budgeted_fen=r.budgeted_fen,
                passed=r.passed,
                shortfall_fen=r.shortfall_fen,
            )
            for r in checked.rows
            if r.rule is not None
        ],
        total=from_row(schemas.TotalCheckOut, checked.total),
        rounding=schemas.ROUNDING_EN if english else schemas.ROUNDING,
    )
