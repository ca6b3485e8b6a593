"""What households publish (docs/EVENTS.md). No resident ID ever; names only masked."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import Household, Member
from shared.db import Write
from shared.events.contracts import emit, emit_write
from shared.pii import mask_name

CANDIDATE_CREATED = contracts.HouseholdCandidateCreated.type
REGISTERED = contracts.HouseholdRegistered.type
UPDATED = contracts.HouseholdUpdated.type
REMOVED = contracts.HouseholdRemoved.type


def member_ids(members: Sequence[Member]) -> list[str]:
    return [str(m.id) for m in members]


async def candidate_created(session: AsyncSession, h: Household) -> None:
    await emit(session, _candidate(h), subject=str(h.id))


def candidate_created_write(h: Household) -> Write:
    """:func:`candidate_created`'s outbox row as a write not yet run, sent with the new household's
    own (``HouseholdRepository.insert_new``)."""
    return emit_write(_candidate(h), subject=str(h.id))


def _candidate(h: Household) -> contracts.HouseholdCandidateCreated:
    return contracts.HouseholdCandidateCreated(
        household_id=str(h.id), area_code=h.area_code, member_count=h.member_count
    )


async def registered(session: AsyncSession, h: Household, members: Sequence[Member], *, origin: str) -> None:
    await emit(
        session,
        contracts.HouseholdRegistered(
            household_id=str(h.id),
            household_number=h.household_number,
            area_code=h.area_code,
            year=h.year,
            member_count=h.member_count,
            member_ids=member_ids(members),
            head_name_masked=mask_name(h.head_name),
            poverty_causes=list(h.poverty_causes),
            batches=list(h.batches),
            dibao=h.dibao,
            registered_on=h.registered_on,
            origin=origin,  # identification | split | import
        ),
        subject=str(h.id),
    )


async def updated(
    session: AsyncSession, h: Household, members: Sequence[Member], *, change: str, **extra: object
) -> None:
    await emit(session, updated_payload(h, members, change=change, **extra), subject=str(h.id))


def updated_payload(
    h: Household, members: Sequence[Member], *, change: str, **extra: object
) -> contracts.HouseholdUpdated:
    """The updated event's payload (bulk paths emit many at once: shared.events.contracts.emit_many)."""
    return contracts.HouseholdUpdated.model_validate(
        {
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
        }
    )


async def removed(session: AsyncSession, h: Household, *, reason: str) -> None:
    await emit(
        session,
        contracts.HouseholdRemoved(household_id=str(h.id), area_code=h.area_code, reason=reason),
        subject=str(h.id),
    )
