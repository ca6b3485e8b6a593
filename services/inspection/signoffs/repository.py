"""All SQL of the sign-off dossiers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from services.inspection.models import AreaExitRef, SignoffDossier, SignoffSchemeRecord, SignoffSignature
from shared.repository import Repository, Slice


class DossierRepository(Repository[SignoffDossier]):
    """``get(id, lock=True)``: signatures on one dossier queue up so the level order check sees
    them all."""

    model = SignoffDossier
    page_key = ("created_at", "id")

    async def by_exit_request(self, exit_request_id: str) -> SignoffDossier | None:
        return await self.session.scalar(
            select(SignoffDossier).where(SignoffDossier.exit_request_id == exit_request_id)
        )

    async def add_signature(self, signature: SignoffSignature) -> None:
        self.session.add(signature)
        await self.session.flush()

    async def signatures(self, dossier_id: uuid.UUID) -> list[SignoffSignature]:
        rows = await self.session.scalars(
            select(SignoffSignature)
            .where(SignoffSignature.dossier_id == dossier_id)
            .order_by(SignoffSignature.id)
        )
        return list(rows)

    async def scheme_for(self, area_code: str, kind: str = "household") -> SignoffSchemeRecord | None:
        """The recorded scheme of ``kind`` whose prefix is the longest one containing ``area_code``."""
        prefixes = [area_code[:n] for n in (2, 4, 6, 9, 12)]
        stmt = (
            select(SignoffSchemeRecord)
            .where(SignoffSchemeRecord.area_prefix.in_(prefixes), SignoffSchemeRecord.kind == kind)
            .order_by(func.length(SignoffSchemeRecord.area_prefix).desc())
            .limit(1)
        )
        return await self.session.scalar(stmt)

    async def scheme_record(
        self, area_prefix: str, *, kind: str = "household", lock: bool = False
    ) -> SignoffSchemeRecord | None:
        """The record set for exactly ``area_prefix`` and ``kind``; lock: a change holds it from
        its If-Match check to its write."""
        return await self.session.get(
            SignoffSchemeRecord, (area_prefix, kind), with_for_update=lock, populate_existing=lock
        )

    async def add_scheme(self, values: dict[str, Any]) -> SignoffSchemeRecord | None:
        """Insert a new record; None if a concurrent request created one for the prefix first."""
        stmt = (
            insert(SignoffSchemeRecord)
            .values(**values, version=1, updated_at=func.now())
            .on_conflict_do_nothing(index_elements=["area_prefix", "kind"])
            .returning(SignoffSchemeRecord)
        )
        return await self.session.scalar(stmt)

    async def signatures_of(self, dossier_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[SignoffSignature]]:
        """Signatures of many dossiers in one query (a list page must not cost a query per row)."""
        found: dict[uuid.UUID, list[SignoffSignature]] = {i: [] for i in dossier_ids}
        rows = await self.session.scalars(
            select(SignoffSignature)
            .where(SignoffSignature.dossier_id.in_(dossier_ids))
            .order_by(SignoffSignature.id)
        )
        for row in rows:
            found[row.dossier_id].append(row)
        return found

    async def page(
        self,
        *,
        prefix: str,
        status: str | None,
        household_id: str | None,
        cursor: str | None,
        limit: int,
        kind: str | None = None,
        households: set[str] | None = None,
    ) -> Slice[SignoffDossier]:
        # a cadre: the dossiers of their own households
        own = [] if households is None else [SignoffDossier.household_id.in_(households)]
        return await self.area_page(
            prefix, cursor, limit, *own, kind=kind, status=status, household_id=household_id
        )


class AreaExitRefRepository(Repository[AreaExitRef]):
    """Villages and counties the registry marked exited (its registry.area.exited.v1)."""

    model = AreaExitRef

    async def upsert(self, values: dict[str, Any]) -> None:
        stmt = insert(AreaExitRef).values(**values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["area_code"],
                set_={k: stmt.excluded[k] for k in values if k != "area_code"},
            )
        )
