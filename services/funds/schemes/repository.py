from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, exists, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from services.funds.models import Account, Disbursement, LedgerTransaction, Plan, PlanLine, Posting, Scheme
from shared.repository import Repository, Slice, decode_key, encode_key


class SchemeRepository(Repository[Scheme]):
    model = Scheme
    page_key = ("code", "version")

    async def latest_version(self, code: str) -> int:
        stmt = select(func.coalesce(func.max(Scheme.version), 0)).where(Scheme.code == code)
        return int((await self.session.execute(stmt)).scalar_one())

    async def by_code_version(self, code: str, version: int) -> Scheme | None:
        stmt = select(Scheme).where(Scheme.code == code, Scheme.version == version)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Scheme]:
        # schemes are set by a level for its subtree: visible to that level and the levels above
        return await self.area_page(area_prefix, cursor, limit)


def _covers(area_code: str) -> ColumnElement[bool]:
    return func.starts_with(literal(area_code), Plan.area_prefix)


class PlanRepository(Repository[Plan]):
    model = Plan

    async def overlapping(self, scheme_id: uuid.UUID, area_code: str, area_prefix: str) -> Plan | None:
        """A plan of the scheme whose population shares households with the area's: the same area,
        one above it (a town's plan over its village) or one inside it (a village's under a town)."""
        stmt = (
            select(Plan)
            .where(
                Plan.scheme_id == scheme_id,
                or_(_covers(area_code), Plan.area_code.startswith(area_prefix)),
            )
            .order_by(Plan.area_code)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def mark_stale(self, area_code: str, kinds: Sequence[str]) -> None:
        """Flag the plans whose population includes this area. Deliberately no ``AND NOT stale``:
        the update must wait for a refresh in progress, so the refresh cannot clear this news."""
        await self.session.execute(
            update(Plan)
            .where(_covers(area_code), Plan.scheme_kind.in_(list(kinds)))
            .values(stale=True)
            .execution_options(synchronize_session=False)
        )

    async def stale_covering(self, area_code: str) -> list[Plan]:
        """Stale plans whose population includes this area, locked (one refresh at a time)."""
        stmt = select(Plan).where(_covers(area_code), Plan.stale).order_by(Plan.id).with_for_update()
        return list((await self.session.execute(stmt.execution_options(populate_existing=True))).scalars())

    async def stale_within(self, area_prefix: str) -> list[Plan]:
        stmt = select(Plan).where(Plan.area_code.startswith(area_prefix), Plan.stale).order_by(Plan.id)
        return list(
            (
                await self.session.execute(stmt.with_for_update().execution_options(populate_existing=True))
            ).scalars()
        )

    async def claim_stale(self, limit: int) -> list[Plan]:
        """Stale plans no one else is refreshing (replicas share the work)."""
        stmt = select(Plan).where(Plan.stale).order_by(Plan.id).limit(limit).with_for_update(skip_locked=True)
        return list((await self.session.execute(stmt.execution_options(populate_existing=True))).scalars())

    async def received(self, plan_id: uuid.UUID) -> dict[tuple[str, int | None], int]:
        """Paid in against the plan, per source and year: receipts, less their reversals."""
        original = aliased(LedgerTransaction)
        stmt = (
            select(Posting.account_code, LedgerTransaction.year, -func.sum(Posting.amount_fen))
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .join(Account, Account.code == Posting.account_code)
            .outerjoin(original, original.id == LedgerTransaction.reverses_id)
            .where(
                LedgerTransaction.plan_id == plan_id,
                Account.kind == "source",
                func.coalesce(original.kind, LedgerTransaction.kind) == "receipt",
            )
            .group_by(Posting.account_code, LedgerTransaction.year)
        )
        return {(c, y): int(a) for c, y, a in (await self.session.execute(stmt)).all()}

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Plan]:
        return await self.area_page(area_prefix, cursor, limit)

    async def households(self, plan: Plan, *, cursor: str | None, limit: int) -> Slice[tuple[str, int, int]]:
        """Each household of the plan's last computation, by id: (household, entitled, disbursed) fen.
        Disbursed counts as a payment does (``DisbursementRepository.disbursed``): what reached it under
        any plan of the same scheme, reversed payments left out."""
        same_scheme = select(Plan.id).where(Plan.scheme_code == plan.scheme_code)
        paid = (
            select(
                Disbursement.beneficiary_id.label("household"),
                func.sum(Disbursement.amount_fen).label("disbursed"),
            )
            .where(
                Disbursement.beneficiary_kind == "household",
                Disbursement.reversed_by.is_(None),
                Disbursement.plan_id.in_(same_scheme),
            )
            .group_by(Disbursement.beneficiary_id)
            .subquery()
        )
        stmt = (
            select(
                PlanLine.beneficiary_id,
                func.sum(PlanLine.amount_fen),
                func.coalesce(func.max(paid.c.disbursed), 0),
            )
            .outerjoin(paid, paid.c.household == PlanLine.beneficiary_id)
            .where(PlanLine.plan_id == plan.id, PlanLine.beneficiary_kind == "household")
            .group_by(PlanLine.beneficiary_id)
            .order_by(PlanLine.beneficiary_id)
            .limit(limit + 1)
        )
        after = decode_key(cursor, [str])
        if after is not None:
            stmt = stmt.where(PlanLine.beneficiary_id > after[0])
        rows = [(h, int(e), int(d)) for h, e, d in (await self.session.execute(stmt)).all()]
        if len(rows) <= limit:
            return Slice(rows, None)
        return Slice(rows[:limit], encode_key([rows[limit - 1][0]]))


class PlanLineRepository(Repository[PlanLine]):
    """The lines a plan's last computation wrote: who gets what, paid by whom, in which year."""

    model = PlanLine

    async def of_plan(self, plan_id: uuid.UUID) -> list[PlanLine]:
        stmt = select(PlanLine).where(PlanLine.plan_id == plan_id).order_by(PlanLine.id)
        return list((await self.session.execute(stmt)).scalars())

    async def page(self, plan_id: uuid.UUID, *, cursor: str | None, limit: int) -> Slice[PlanLine]:
        stmt = select(PlanLine).where(PlanLine.plan_id == plan_id)
        return await self.keyset(stmt, key=(PlanLine.id,), cursor=cursor, limit=limit)

    async def replace(self, plan_id: uuid.UUID, lines: Sequence[PlanLine]) -> None:
        await self.session.execute(delete(PlanLine).where(PlanLine.plan_id == plan_id))
        self.session.add_all(lines)
        await self.session.flush()

    async def totals(self, plan_id: uuid.UUID) -> list[tuple[str, int | None, int]]:
        stmt = (
            select(PlanLine.payer, PlanLine.year, func.sum(PlanLine.amount_fen))
            .where(PlanLine.plan_id == plan_id)
            .group_by(PlanLine.payer, PlanLine.year)
            .order_by(PlanLine.payer, PlanLine.year.nulls_first())
        )
        return [(p, y, int(a)) for p, y, a in (await self.session.execute(stmt)).all()]

    async def lists(self, kind: str, ref_id: str, plan_id: uuid.UUID) -> bool:
        """Whether the plan has a line for the beneficiary (a line of 0 fen counts)."""
        stmt = select(
            exists().where(
                PlanLine.plan_id == plan_id,
                PlanLine.beneficiary_kind == kind,
                PlanLine.beneficiary_id == ref_id,
            )
        )
        return bool((await self.session.execute(stmt)).scalar_one())

    async def entitlement(self, kind: str, ref_id: str, plan_id: uuid.UUID | None) -> int:
        stmt = select(func.coalesce(func.sum(PlanLine.amount_fen), 0)).where(
            PlanLine.beneficiary_kind == kind, PlanLine.beneficiary_id == ref_id
        )
        if plan_id is not None:
            stmt = stmt.where(PlanLine.plan_id == plan_id)
        return int((await self.session.execute(stmt)).scalar_one())
