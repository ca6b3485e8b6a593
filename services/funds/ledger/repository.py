from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, tuple_

from services.funds.models import LedgerTransaction, Posting
from shared.repository import Repository


class LedgerRepository(Repository):
    async def add(self, txn: LedgerTransaction, postings: Sequence[Posting]) -> None:
        self.session.add(txn)
        await self.session.flush()
        self.session.add_all(postings)
        await self.session.flush()

    async def get(self, txn_id: uuid.UUID, *, lock: bool = False) -> LedgerTransaction | None:
        stmt = select(LedgerTransaction).where(LedgerTransaction.id == txn_id)
        if lock:  # one reversal at a time
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def reversal_of(self, txn_id: uuid.UUID) -> LedgerTransaction | None:
        stmt = select(LedgerTransaction).where(LedgerTransaction.reverses_id == txn_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def postings(self, txn_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Posting]]:
        stmt = select(Posting).where(Posting.transaction_id.in_(list(txn_ids))).order_by(Posting.id)
        out: dict[uuid.UUID, list[Posting]] = {i: [] for i in txn_ids}
        for p in (await self.session.execute(stmt)).scalars():
            out[p.transaction_id].append(p)
        return out

    async def received_from(self, source: str, year: int) -> int:
        """Paid in by a source for a year: its receipts' postings (reversals included, they net out)."""
        stmt = (
            select(func.coalesce(-func.sum(Posting.amount_fen), 0))
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .where(
                Posting.account_code == source,
                LedgerTransaction.year == year,
                LedgerTransaction.kind.in_(("receipt", "reversal")),
            )
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def page(
        self, *, area_prefix: str, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[LedgerTransaction]:
        stmt = select(LedgerTransaction).where(LedgerTransaction.area_code.startswith(area_prefix))
        if after is not None:
            stmt = stmt.where(tuple_(LedgerTransaction.created_at, LedgerTransaction.id) < tuple_(*after))
        stmt = stmt.order_by(LedgerTransaction.created_at.desc(), LedgerTransaction.id.desc()).limit(limit)
        return list((await self.session.execute(stmt)).scalars())
