from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from services.funds.models import Account, Anomaly, Beneficiary, Disbursement, PlanLine
from shared.repository import Repository, Slice


class SupervisionRepository(Repository[Anomaly]):
    """The anomalies found, and the facts the detectors read (payments, households, accounts)."""

    model = Anomaly
    page_key = ("detected_at", "id")
    page_descending = True

    async def paid(
        self, area_prefix: str, *, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str]]:
        """The next ``limit`` beneficiaries (kind, id) with live payments in the area, in key order."""
        key = tuple_(Disbursement.beneficiary_kind, Disbursement.beneficiary_id)
        stmt = (
            select(Disbursement.beneficiary_kind, Disbursement.beneficiary_id)
            .where(Disbursement.area_code.startswith(area_prefix), Disbursement.reversed_by.is_(None))
            .distinct()
        )
        if after is not None:
            stmt = stmt.where(key > tuple_(*after))
        rows = await self.session.execute(
            stmt.order_by(Disbursement.beneficiary_kind, Disbursement.beneficiary_id).limit(limit)
        )
        return [(str(k), str(i)) for k, i in rows.all()]

    async def live_payments(
        self, area_prefix: str, beneficiaries: list[tuple[str, str]]
    ) -> list[Disbursement]:
        stmt = (
            select(Disbursement)
            .where(
                Disbursement.area_code.startswith(area_prefix),
                Disbursement.reversed_by.is_(None),
                tuple_(Disbursement.beneficiary_kind, Disbursement.beneficiary_id).in_(beneficiaries),
            )
            .order_by(Disbursement.created_at)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def households(self, ids: list[str]) -> list[Beneficiary]:
        """The household rows of ``ids`` (wherever they live now: a moved household's old payments
        are checked against its status too)."""
        stmt = select(Beneficiary).where(Beneficiary.kind == "household", Beneficiary.ref_id.in_(ids))
        return list((await self.session.execute(stmt)).scalars())

    async def entitlements(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        if not keys:
            return {}
        stmt = (
            select(PlanLine.beneficiary_kind, PlanLine.beneficiary_id, func.sum(PlanLine.amount_fen))
            .where(tuple_(PlanLine.beneficiary_kind, PlanLine.beneficiary_id).in_(keys))
            .group_by(PlanLine.beneficiary_kind, PlanLine.beneficiary_id)
        )
        return {(k, i): int(a) for k, i, a in (await self.session.execute(stmt)).all()}

    async def holding_accounts(self, area_prefix: str) -> list[Account]:
        stmt = select(Account).where(Account.kind == "holding", Account.area_code.startswith(area_prefix))
        return list((await self.session.execute(stmt.order_by(Account.code))).scalars())

    async def record(self, values: dict[str, Any]) -> Anomaly | None:
        """Insert an anomaly unless its signal is known already; returns the new row or None."""
        stmt = (
            insert(Anomaly)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["signal_key"])
            .returning(Anomaly)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Anomaly]:
        """Newest first."""
        return await self.area_page(area_prefix, cursor, limit)
