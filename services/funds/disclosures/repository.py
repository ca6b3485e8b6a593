from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select

from services.funds.beneficiaries.rules import PAYABLE_HOUSEHOLD_STATUSES
from services.funds.models import Beneficiary, Disbursement, Notice, Objection, PlanLine, Project
from shared.repository import Repository, Slice

# the households a village's funds notice lists: its poor households, past and present
ON_THE_ROLL = (*sorted(PAYABLE_HOUSEHOLD_STATUSES), "exited")


class DisclosureRepository(Repository[Notice]):
    model = Notice

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Notice]:
        return await self.area_page(area_prefix, cursor, limit)

    # --- what a village board shows --------------------------------------------------------

    async def village_households(self, area_code: str) -> list[tuple[Beneficiary, int, int]]:
        """The village's poor households (registered, being verified for exit, exited) with their
        entitlement and what reached them; one still being identified or removed from the roll is
        not listed, unless money reached it."""
        entitled = (
            select(PlanLine.beneficiary_id, func.sum(PlanLine.amount_fen).label("amount"))
            .where(PlanLine.beneficiary_kind == "household")
            .group_by(PlanLine.beneficiary_id)
            .subquery()
        )
        paid = (
            select(Disbursement.beneficiary_id, func.sum(Disbursement.amount_fen).label("amount"))
            .where(Disbursement.beneficiary_kind == "household", Disbursement.reversed_by.is_(None))
            .group_by(Disbursement.beneficiary_id)
            .subquery()
        )
        stmt = (
            select(Beneficiary, func.coalesce(entitled.c.amount, 0), func.coalesce(paid.c.amount, 0))
            .outerjoin(entitled, entitled.c.beneficiary_id == Beneficiary.ref_id)
            .outerjoin(paid, paid.c.beneficiary_id == Beneficiary.ref_id)
            .where(
                Beneficiary.kind == "household",
                Beneficiary.area_code == area_code,
                or_(Beneficiary.status.in_(ON_THE_ROLL), paid.c.amount.is_not(None)),
            )
            .order_by(Beneficiary.ref_id)
        )
        return [(b, int(e), int(p)) for b, e, p in (await self.session.execute(stmt)).all()]

    async def village_funds(self, area_code: str) -> tuple[int, int]:
        planned = select(func.coalesce(func.sum(PlanLine.amount_fen), 0)).where(
            PlanLine.beneficiary_kind == "village", PlanLine.beneficiary_id == area_code
        )
        paid = select(func.coalesce(func.sum(Disbursement.amount_fen), 0)).where(
            Disbursement.beneficiary_kind == "village",
            Disbursement.beneficiary_id == area_code,
            Disbursement.reversed_by.is_(None),
        )
        return int((await self.session.execute(planned)).scalar_one()), int(
            (await self.session.execute(paid)).scalar_one()
        )

    async def village_projects(self, area_code: str) -> list[Project]:
        stmt = (
            select(Project)
            .where(Project.area_code == area_code, Project.status != "cancelled")
            .order_by(Project.name)
        )
        return list((await self.session.execute(stmt)).scalars())


class ObjectionRepository(Repository[Objection]):
    model = Objection

    async def of_notice(self, notice_id: uuid.UUID) -> list[Objection]:
        order = [Objection.lodged_on, Objection.id]
        return await self.filtered(Objection.notice_id == notice_id, order_by=order)

    async def on_notice(self, notice_id: uuid.UUID, objection_id: uuid.UUID) -> Objection | None:
        stmt = (
            select(Objection)
            .where(Objection.id == objection_id, Objection.notice_id == notice_id)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
