"""A cadre sees the households they are paired with, in every service (need to know).

Pairing owns who helps whom; the other services keep a copy of it from pairing's events
(``pairing.pairing.opened.v1`` / ``closed.v1``, which carry the helper's login ``helper_sub``) in a
``cadre_household`` table of their own. A caller whose only role is ``cadre`` then reads only those
households (and what hangs off them); anyone with another role too keeps that role's view.
An unpaired household answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from sqlalchemy import Boolean, Column, Index, MetaData, Table, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import ROLES, CurrentUser, Principal
from shared.db import make_metadata
from shared.errors import Forbidden
from shared.events import CloudEvent
from shared.repository import Repository
from shared.tables import string, string_key

__all__ = [
    "CADRE_READS_REFUSED",
    "PUBLIC_POLICY",
    "CadreRepository",
    "cadre_household",
    "cadre_households",
    "cadre_villages",
    "include_cadre_table",
    "is_cadre_only",
    "on_pairing_closed",
    "on_pairing_opened",
]

# The description of a route that reads policy records by area: public policy, no need-to-know limit.
PUBLIC_POLICY = (
    "Public policy (the rules and figures in force for an area): readable by every role in the area, "
    "cadres included; it names no household."
)

_cadres = make_metadata()

cadre_household = Table(
    "cadre_household",
    _cadres,
    string_key("pairing_id", 64),
    string("helper_sub", 100),
    string("household_id", 64),
    string("area_code", 12),
    # A closing event may arrive before its opening one: the row stays, marked ended.
    Column("ended", Boolean, nullable=False, server_default=text("false")),
    Index("ix_cadre_household_helper_sub", "helper_sub"),
)


def include_cadre_table(metadata: MetaData) -> None:
    if cadre_household.name not in metadata.tables:
        cadre_household.to_metadata(metadata)


def is_cadre_only(actor: Principal) -> bool:
    """A cadre and nothing else an office holds (a cadre who is also a registrar reads as a registrar)."""
    return "cadre" in actor.roles and actor.roles.isdisjoint(_OFFICE_ROLES)


_OFFICE_ROLES = ROLES - {"cadre"}  # asked on every read of a card or a roll-up: made once


class CadreRepository(Repository[Any]):
    async def open(self, *, pairing_id: str, helper_sub: str, household_id: str, area_code: str) -> None:
        stmt = insert(cadre_household).values(
            pairing_id=pairing_id, helper_sub=helper_sub, household_id=household_id, area_code=area_code
        )
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["pairing_id"]))

    async def close(self, *, pairing_id: str, helper_sub: str, household_id: str, area_code: str) -> None:
        stmt = insert(cadre_household).values(
            pairing_id=pairing_id,
            helper_sub=helper_sub,
            household_id=household_id,
            area_code=area_code,
            ended=True,
        )
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["pairing_id"], set_={"ended": True})
        )

    async def households_of(self, helper_sub: str) -> set[str]:
        stmt = select(cadre_household.c.household_id).where(
            cadre_household.c.helper_sub == helper_sub, cadre_household.c.ended.is_(False)
        )
        return set((await self.session.execute(stmt)).scalars())

    async def villages_of(self, helper_sub: str) -> set[str]:
        stmt = select(cadre_household.c.area_code).where(
            cadre_household.c.helper_sub == helper_sub, cadre_household.c.ended.is_(False)
        )
        return set((await self.session.execute(stmt)).scalars())


def _household_pairing(event: CloudEvent) -> dict[str, str] | None:
    d = event.data
    kind = str(d.get("kind", ""))
    target_type = d.get("target_type") or ("household" if kind.endswith("_household") else "")
    if target_type != "household" or not d.get("helper_sub"):
        return None  # a village, county or team pairing; or a helper without a login
    return {
        "pairing_id": str(d["pairing_id"]),
        "helper_sub": str(d["helper_sub"]),
        "household_id": str(d["target_id"]),
        "area_code": str(d["area_code"]),
    }


async def on_pairing_opened(session: AsyncSession, event: CloudEvent) -> None:
    if (row := _household_pairing(event)) is not None:
        await CadreRepository(session).open(**row)


async def on_pairing_closed(session: AsyncSession, event: CloudEvent) -> None:
    if (row := _household_pairing(event)) is not None:
        await CadreRepository(session).close(**row)


async def cadre_households(session: AsyncSession, actor: Principal) -> set[str] | None:
    """The household ids a cadre-only caller may read, or None: no such limit for this caller."""
    if not is_cadre_only(actor):
        return None
    return await CadreRepository(session).households_of(actor.sub)


async def _no_cadre_reads(request: Request, user: CurrentUser) -> None:
    if request.method == "GET" and is_cadre_only(user):
        raise Forbidden(
            "A cadre reads what concerns the households paired to them; this is not among it",
            rule="cadre_need_to_know",
        )


# ``APIRouter(dependencies=[CADRE_READS_REFUSED])``: the router's reads are not for cadre-only callers
# (their writes keep their own role checks).
CADRE_READS_REFUSED = Depends(_no_cadre_reads)


async def cadre_villages(session: AsyncSession, actor: Principal) -> set[str] | None:
    """The villages of a cadre-only caller's households (their roll-ups are readable), or None."""
    if not is_cadre_only(actor):
        return None
    return await CadreRepository(session).villages_of(actor.sub)
