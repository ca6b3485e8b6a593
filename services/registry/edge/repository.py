from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from services.registry.edge.rules import RegisteredMember
from services.registry.models import EdgeHousehold, Household, Member
from shared.repository import Repository, Slice

# Members counted as "registered" for the cross-check: households still registered or exiting,
# and exited ones (who keep their policies, dibao included).
CHECKED_STATUSES = ("registered", "exit_requested", "exited")


class EdgeRepository(Repository[EdgeHousehold]):
    model = EdgeHousehold

    async def page(self, prefix: str, *, cursor: str | None, limit: int) -> Slice[EdgeHousehold]:
        stmt = select(EdgeHousehold).where(EdgeHousehold.area_code.startswith(prefix, autoescape=True))
        key = (EdgeHousehold.area_code, EdgeHousehold.id)
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit)

    async def registered_by_hash(self, prefix: str, hashes: Sequence[str]) -> dict[str, RegisteredMember]:
        found: dict[str, RegisteredMember] = {}
        for start in range(0, len(hashes), 5000):
            stmt = (
                select(Member.resident_id_hash, Member.id, Household.id, Household.dibao)
                .join(Household, Household.id == Member.household_id)
                .where(
                    Member.resident_id_hash.in_(list(hashes[start : start + 5000])),
                    Member.holds_identity,
                    Household.status.in_(CHECKED_STATUSES),
                    Household.area_code.startswith(prefix, autoescape=True),
                )
            )
            for key, member_id, household_id, dibao in (await self.session.execute(stmt)).all():
                found[key] = RegisteredMember(member_id, household_id, dibao)
        return found

    async def dibao_households(self, prefix: str) -> list[uuid.UUID]:
        stmt = select(Household.id).where(
            Household.dibao,
            Household.status.in_(CHECKED_STATUSES),
            Household.area_code.startswith(prefix, autoescape=True),
        )
        return list((await self.session.execute(stmt)).scalars())
