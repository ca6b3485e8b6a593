"""All SQL of the 结对帮扶名单 import: the import record, its staged rows, and the batched look-ups
the file's checks need (helpers by 工号, households by 户编号, their active pairings)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from services.pairing.models import Helper, HouseholdRef, Pairing, PairingImport, PairingImportRow
from shared.import_steps import StepsRepository


class ImportRepository(StepsRepository[PairingImport]):
    """``set`` (conditional on the status seen) and the interrupted-step look-up: shared.import_steps."""

    model = PairingImport

    async def by_sha256(self, sha256: str) -> PairingImport | None:
        stmt = select(PairingImport).where(
            PairingImport.sha256 == sha256, PairingImport.status.not_in(("failed", "cancelled"))
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_rows(self, records: Sequence[dict[str, Any]]) -> None:
        if records:
            await self.session.execute(insert(PairingImportRow), list(records))

    async def drop_rows(self, import_id: uuid.UUID) -> None:
        await self.session.execute(delete(PairingImportRow).where(PairingImportRow.import_id == import_id))

    async def refuse(self, import_id: uuid.UUID, reasons: dict[int, list[str]]) -> None:
        """Rows the commit's check refused (the state changed since validation)."""
        for row_no, why in reasons.items():
            await self.session.execute(
                update(PairingImportRow)
                .where(PairingImportRow.import_id == import_id, PairingImportRow.row_no == row_no)
                .values(status="refused", reasons=why)
            )

    async def counts(self, import_id: uuid.UUID) -> tuple[int, int]:
        """(accepted, refused) rows."""
        stmt = select(
            func.count().filter(PairingImportRow.status == "accepted"),
            func.count().filter(PairingImportRow.status == "refused"),
        ).where(PairingImportRow.import_id == import_id)
        accepted, refused = (await self.session.execute(stmt)).one()
        return int(accepted), int(refused)

    async def rows(
        self, import_id: uuid.UUID, *, status: str | None, after: int, limit: int
    ) -> list[PairingImportRow]:
        stmt = select(PairingImportRow).where(
            PairingImportRow.import_id == import_id, PairingImportRow.row_no > after
        )
        if status:
            stmt = stmt.where(PairingImportRow.status == status)
        stmt = stmt.order_by(PairingImportRow.row_no).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def pages(
        self, import_id: uuid.UUID, *, status: str | None
    ) -> AsyncIterator[list[PairingImportRow]]:
        """Every staged row (of a status), in row order, 10,000 at a time."""
        after = 0
        while page := await self.rows(import_id, status=status, after=after, limit=10_000):
            yield page
            after = page[-1].row_no

    async def helpers_by_sub(self, subs: Collection[str], *, lock: bool = False) -> list[Helper]:
        stmt = select(Helper).where(Helper.user_sub.in_(list(subs))).order_by(Helper.id)
        if lock:  # as open_pairing locks its helper: no request takes the cadre's last slot meanwhile
            stmt = stmt.with_for_update()
        return list((await self.session.execute(stmt)).scalars())

    async def households_by_number(
        self, numbers: Collection[str], *, lock: bool = False
    ) -> list[HouseholdRef]:
        stmt = (
            select(HouseholdRef)
            .where(HouseholdRef.household_number.in_(list(numbers)))
            .order_by(HouseholdRef.id)
        )
        if lock:
            stmt = stmt.with_for_update()
        return list((await self.session.execute(stmt)).scalars())

    async def active_pairings(
        self, helper_ids: Collection[uuid.UUID], target_ids: Collection[str]
    ) -> list[Pairing]:
        stmt = select(Pairing).where(
            Pairing.ended_on.is_(None),
            or_(Pairing.helper_id.in_(list(helper_ids)), Pairing.target_id.in_(list(target_ids))),
        )
        return list((await self.session.execute(stmt)).scalars())

    async def add_all(self, items: Sequence[Helper | Pairing]) -> None:
        self.session.add_all(items)
        await self.session.flush()
