from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from services.funds.models import LedgerTransaction, Posting
from shared.repository import Repository, Slice


class LedgerRepository(Repository[LedgerTransaction]):
    model = LedgerTransaction  # get(lock=True): one reversal at a time
    page_key = ("created_at", "id")
    page_descending = True

    async def add_postings(self, postings: Sequence[Posting]) -> None:
        """The postings of a transaction added (and flushed) before them."""
        self.session.add_all(postings)
        await self.session.flush()

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

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[LedgerTransaction]:
        """Newest first."""
        return await self.area_page(area_prefix, cursor, limit)
