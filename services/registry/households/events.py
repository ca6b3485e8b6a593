"""What households publish (docs/EVENTS.md). No resident ID ever; names only masked."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import Household, Member
from shared.events import add_event
from shared.pii import mask_name

CANDIDATE_CREATED = "registry.household.candidate_created.v1"
REGISTERED = "registry.household.registered.v1"
UPDATED = "registry.household.updated.v1"
REMOVED = "registry.household.removed.v1"


def member_ids(members: Sequence[Member]) -> list[str]:
    return [str(m.id) for m in members]


async def candidate_created(session: AsyncSession, h: Household) -> None:
    await add_event(
        session,
        type=CANDIDATE_CREATED,
        subject=str(h.id),
        data={"household_id": str(h.id), "area_code": h.area_code, "member_count": h.member_count},
    )


async def registered(session: AsyncSession, h: Household, members: Sequence[Member], *, origin: str) -> None:
    await add_event(
        session,
        type=REGISTERED,
        subject=str(h.id),
        data={
            "household_id": str(h.id),
            "household_number": h.household_number,
            "area_code": h.area_code,
            "year": h.year,
            "member_count": h.member_count,
            "member_ids": member_ids(members),
            "head_name_masked": mask_name(h.head_name),
            "poverty_causes": list(h.poverty_causes),
            "batches": list(h.batches),
            "dibao": h.dibao,
            "registered_on": h.registered_on.isoformat() if h.registered_on else None,
            "origin": origin,  # identification | split
        },
    )


async def updated(
    session: AsyncSession, h: Household, members: Sequence[Member], *, change: str, **extra: object
) -> None:
    await add_event(
        session,
        type=UPDATED,
        subject=str(h.id),
        data={
            "household_id": str(h.id),
            "area_code": h.area_code,
            "status": h.status,
            "member_count": h.member_count,
            "member_ids": member_ids(members),
            # Funds plans and pairing needs read these; a change of batch must reach them.
            "poverty_causes": list(h.poverty_causes),
            "batches": list(h.batches),
            "change": change,
            **extra,
        },
    )


async def removed(session: AsyncSession, h: Household, *, reason: str) -> None:
    await add_event(
        session,
        type=REMOVED,
        subject=str(h.id),
        data={"household_id": str(h.id), "area_code": h.area_code, "reason": reason},
    )
