from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from services.funds.models import Account, Disbursement, LedgerTransaction, Plan, PlanLine, Posting
from shared.repository import Repository


class ReportRepository(Repository[Account]):
    """A read model: the report has one row per source account (planned, received, disbursed)."""

    model = Account

    async def account_names(self, codes: list[str]) -> dict[str, str]:
        stmt = select(Account.code, Account.name).where(Account.code.in_(codes))
        return {c: n for c, n in (await self.session.execute(stmt)).all()}

    async def planned(self, area_prefix: str, year: int | None) -> dict[str, int]:
        stmt = (
            select(PlanLine.payer, func.sum(PlanLine.amount_fen))
            .join(Plan, Plan.id == PlanLine.plan_id)
            .where(Plan.area_code.startswith(area_prefix))
            .group_by(PlanLine.payer)
        )
        if year is not None:
            stmt = stmt.where(PlanLine.year == year)
        return {p: int(a) for p, a in (await self.session.execute(stmt)).all()}

    async def received(self, area_prefix: str, year: int | None) -> dict[str, int]:
        """Paid in by each source: receipts, less their reversals."""
        original = aliased(LedgerTransaction)
        stmt = (
            select(Posting.account_code, -func.sum(Posting.amount_fen))
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .join(Account, Account.code == Posting.account_code)
            .outerjoin(original, original.id == LedgerTransaction.reverses_id)
            .outerjoin(Plan, Plan.id == LedgerTransaction.plan_id)
            .where(
                # money received against a plan counts for the plan's area (a town's plan is paid
                # into the city's special account); other receipts for the receiving account's area
                func.coalesce(Plan.area_code, LedgerTransaction.area_code).startswith(area_prefix),
                Account.kind == "source",
                func.coalesce(original.kind, LedgerTransaction.kind) == "receipt",
            )
            .group_by(Posting.account_code)
        )
        if year is not None:
            stmt = stmt.where(LedgerTransaction.year == year)
        return {c: int(a) for c, a in (await self.session.execute(stmt)).all()}

    async def disbursed(self, area_prefix: str, year: int | None) -> dict[str | None, int]:
        """Disbursed per paying source, through the plan component each payment names (one payer per
        component in a plan); payments that name none are reported as unattributed (None)."""
        payer = (
            select(PlanLine.plan_id, PlanLine.component, func.min(PlanLine.payer).label("payer"))
            .group_by(PlanLine.plan_id, PlanLine.component)
            .subquery()
        )
        stmt = (
            select(payer.c.payer, func.sum(Disbursement.amount_fen))
            .outerjoin(
                payer,
                and_(payer.c.plan_id == Disbursement.plan_id, payer.c.component == Disbursement.component),
            )
            .where(Disbursement.area_code.startswith(area_prefix), Disbursement.reversed_by.is_(None))
            .group_by(payer.c.payer)
        )
        if year is not None:
            # a payment that names no plan year counts in the year it was paid (the office's date),
            # as its funds.disbursement.recorded event says
            paid_in = func.coalesce(Disbursement.year, func.extract("year", Disbursement.paid_on))
            stmt = stmt.where(paid_in == year)
        return {p: int(a) for p, a in (await self.session.execute(stmt)).all()}
