from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, select
from sqlalchemy.dialects.postgresql import insert

from services.funds.models import Beneficiary
from shared.bulk import any_of, unnest_insert
from shared.repository import Repository, Slice

# what per-capita plans read of a household (beneficiaries.service._plan_facts)
PLAN_COLUMNS = ("area_code", "status", "member_count", "batches", "policies_kept_until")


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

    async def upsert_many(self, kind: str, rows: Sequence[dict[str, Any]]) -> list[Row[Any]]:
        """``upsert`` for many rows that set the same columns (``ref_id`` and those), as one
        multi-row statement (executemany: compiled once, not per number of rows); the rows as
        written (their ``ref_id`` and what plans read of them)."""
        if not rows:
            return []
        table = cast(Table, Beneficiary.__table__)
        stmt, params = unnest_insert(table, [{"kind": kind, **row} for row in rows])  # one array per column
        upsert = stmt.on_conflict_do_update(
            index_elements=["kind", "ref_id"], set_={k: stmt.excluded[k] for k in rows[0] if k != "ref_id"}
        ).returning(*(table.c[k] for k in ("ref_id", *PLAN_COLUMNS)))
        return list(await self.session.execute(upsert, params))

    async def held(self, kind: str, ref_ids: Sequence[str]) -> dict[str, Beneficiary]:
        """The rows of ``ref_ids`` held, locked (as ``get(..., lock=True)`` locks one)."""
        stmt = select(Beneficiary).where(Beneficiary.kind == kind, any_of(Beneficiary.ref_id, "ref_ids"))
        rows = await self.session.execute(
            stmt.order_by(Beneficiary.ref_id).with_for_update(), {"ref_ids": list(ref_ids)}
        )
        return {b.ref_id: b for b in rows.scalars()}

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
