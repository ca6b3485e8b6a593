"""The snapshot's reads: the area subtree's areas, households and members, in key order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from services.registry.models import Area, Household, Member

if TYPE_CHECKING:
    from shared.snapshot import AnySelect

_AREA = (
    Area.code,
    Area.name,
    Area.level,
    Area.parent_code,
    Area.poor_village,
    Area.old_area_village,
    Area.key_village,
)
# what a household's line shows after its id (the DCI registry API shows the same)
HOUSEHOLD_FIELDS: tuple[Any, ...] = (
    Household.household_number,
    Household.area_code,
    Household.status,
    Household.year,
    Household.member_count,
    Household.poverty_causes,
    Household.batches,
    Household.dibao,
    Household.registered_on,
    Household.exited_on,
)
_MEMBER = (
    Member.id,
    Member.household_id,
    Member.name,
    Member.resident_id_masked,
    Member.relation,
    Member.sex,
    Member.labour_capacity,
    Member.active,
)


def areas(prefix: str) -> AnySelect:
    return select(*_AREA).where(Area.code.startswith(prefix)).order_by(Area.code)


def households(prefix: str) -> AnySelect:
    stmt = select(Household.id, *HOUSEHOLD_FIELDS).where(Household.area_code.startswith(prefix))
    return stmt.order_by(Household.id)


def members(prefix: str) -> AnySelect:
    return (
        select(*_MEMBER)
        .join(Household, Household.id == Member.household_id)
        .where(Household.area_code.startswith(prefix))
        .order_by(Member.household_id, Member.id)
    )
