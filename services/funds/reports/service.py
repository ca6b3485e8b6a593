"""Planned vs received vs disbursed per source for an area and year."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.errors import AreaOutsideScope
from services.funds.reports.repository import ReportRepository
from services.funds.reports.rules import ReportRow
from shared.areas import AreaCode
from shared.auth import Principal

__all__ = ["UNATTRIBUTED", "funds_report"]

UNATTRIBUTED = "(unattributed)"
UNATTRIBUTED_NAME = "未注明来源"


async def funds_report(
    session: AsyncSession, *, actor: Principal, area_code: str, year: int | None
) -> list[ReportRow]:
    if not actor.covers(area_code):
        raise AreaOutsideScope(f"Area {area_code} is outside your area", area_code=area_code)
    prefix = AreaCode.parse(area_code).prefix
    repo = ReportRepository(session)
    planned = await repo.planned(prefix, year)
    received = await repo.received(prefix, year)
    disbursed = {k or UNATTRIBUTED: v for k, v in (await repo.disbursed(prefix, year)).items()}
    sources = sorted(set(planned) | set(received) | set(disbursed))
    names = await repo.account_names(sources) | {UNATTRIBUTED: UNATTRIBUTED_NAME}
    return [
        ReportRow(s, planned.get(s, 0), received.get(s, 0), disbursed.get(s, 0), names.get(s, ""))
        for s in sources
    ]
