"""Budget compliance: declarations per area and year, and the check of the rules in force."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.budgets import rules
from services.funds.budgets.repository import DeclarationRepository
from services.funds.budgets.schemas import DeclarationIn, DeclarationOut
from services.funds.errors import AreaOutsideScope, DeclarationNotFound
from services.funds.models import BudgetDeclaration
from services.funds.policies import service as policies
from shared import audit
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal
from shared.errors import InvalidInput, PreconditionRequired
from shared.events.contracts import emit
from shared.http import check_put_precondition

__all__ = ["Compliance", "check", "declare", "get_declaration"]


def _area(actor: Principal, area_code: str) -> AreaCode:
    try:
        area = AreaCode.parse(area_code)
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), detail_zh=exc.zh, area_code=area_code) from exc
    if not actor.covers(area.code):
        raise AreaOutsideScope(f"Area {area_code} is outside your area", area_code=area_code)
    return area


async def get_declaration(
    session: AsyncSession, *, actor: Principal, area_code: str, year: int
) -> BudgetDeclaration:
    area = _area(actor, area_code)
    row = await DeclarationRepository(session).get((area.code, year))
    if row is None:
        raise DeclarationNotFound(f"Area {area_code} has declared nothing for {year}", area_code=area_code)
    return row


async def declare(
    session: AsyncSession,
    *,
    actor: Principal,
    area_code: str,
    year: int,
    data: DeclarationIn,
    if_match: str | None,
) -> BudgetDeclaration:
    """Create a year's declaration (no If-Match needed) or change it (If-Match: the ETag you read)."""
    area = _area(actor, area_code)
    repo = DeclarationRepository(session)
    row = await repo.get((area.code, year), lock=True)
    check_put_precondition(if_match, row.version if row else None)
    before = DeclarationOut.model_validate(row).model_dump(mode="json") if row else None
    if row is None:
        row = await repo.insert_new(
            {"area_code": area.code, "year": year, **data.model_dump(), "declared_by": actor.sub}
        )
        if row is None:  # a concurrent request created it since our read: this is now a change
            raise PreconditionRequired.created_meanwhile(
                "declared this year", "提交了该地区本年度的预算申报", area_code=area.code, year=year
            )
    else:
        row.local_revenue_increase_fen = data.local_revenue_increase_fen
        row.recovered_idle_funds_fen = data.recovered_idle_funds_fen
        row.declared_by = actor.sub
        row.version += 1
        await session.flush()
        await session.refresh(row)
    event = {
        "area_code": row.area_code,
        "year": year,
        "local_revenue_increase_fen": row.local_revenue_increase_fen,
        "recovered_idle_funds_fen": row.recovered_idle_funds_fen,
    }
    await audit.record(
        session,
        actor,
        "budget_declaration.recorded",
        ("budget_declaration", f"{row.area_code}/{year}"),
        before=before,
        after={**event, "version": row.version},
    )
    await emit(
        session,
        fund_events.BudgetDeclarationRecorded.model_validate(event),
        subject=f"{row.area_code}/{year}",
    )
    return row


@dataclass(frozen=True)
class Compliance:
    """The check of one area and year: the declaration read, a row per rule in force, and their sum."""

    area_code: str
    year: int
    declaration: BudgetDeclaration | None
    rows: list[rules.ComplianceRow]
    total: rules.ComplianceRow


async def check(session: AsyncSession, *, actor: Principal, area_code: str, year: int) -> Compliance:
    """Per rule in force for the area and year: required minimum, budgeted, passed / shortfall."""
    area = _area(actor, area_code)
    repo = DeclarationRepository(session)
    row = await repo.get((area.code, year))
    declaration = (
        rules.Declaration(row.local_revenue_increase_fen, row.recovered_idle_funds_fen) if row else None
    )
    in_force = policies.budget_rules(area.code, year)
    budgets = await repo.source_budgets(area.prefix, year)
    budgeted = {r.code: rules.budgeted_at_levels(budgets, r.budget_levels) for r in in_force}
    rows = rules.check_compliance(in_force, declaration=declaration, budgeted_fen=budgeted)
    all_levels = {level for r in in_force for level in r.budget_levels}
    total = rules.total_row(rows, budgeted_fen=rules.budgeted_at_levels(budgets, all_levels))
    return Compliance(area.code, year, row, rows, total)
