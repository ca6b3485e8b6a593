from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.funds.models import Beneficiary
from shared.repository import Repository, Slice


class BeneficiaryRepository(Repository[Beneficiary]):
    """Keyed by ``(kind, ref_id)``: ``get(("household", ref_id), lock=True)`` serialises the
    disbursements to one beneficiary (entitlement check + payment)."""

    model = Beneficiary

    async def upsert(self, kind: str, ref_id: str, values: dict[str, Any]) -> Beneficiary:
        stmt = (
            insert(Beneficiary)
            .values(kind=kind, ref_id=ref_id, **values)
            .on_conflict_do_update(index_elements=["kind", "ref_id"], set_=values)
            .returning(Beneficiary)
        )
        return (await self.session.execute(stmt.execution_options(populate_existing=True))).scalar_one()

    async def in_area(
        self, kind: str, area_prefix: str, statuses: Sequence[str] | None = None
    ) -> list[Beneficiary]:
        stmt = select(Beneficiary).where(
            Beneficiary.kind == kind, Beneficiary.area_code.startswith(area_prefix)
        )
        if statuses is not None:
            stmt = stmt.where(Beneficiary.status.in_(list(statuses)))
        return list((await self.session.execute(stmt.order_by(Beneficiary.ref_id))).scalars())

    async def page(
        self, *, kind: str, area_prefix: str, cursor: str | None, limit: int, refs: set[str] | None = None
    ) -> Slice[Beneficiary]:
        stmt = select(Beneficiary).where(
            Beneficiary.kind == kind, Beneficiary.area_code.startswith(area_prefix)
        )
        if refs is not None:  # a cadre: their own households, their villages
            stmt = stmt.where(Beneficiary.ref_id.in_(refs))
        return await self.keyset(stmt, key=(Beneficiary.ref_id,), cursor=cursor, limit=limit)
