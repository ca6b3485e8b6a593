"""All SQL of the projections (local copies of other services' facts, fed by their events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from services.inspection.models import (
    AreaRef,
    DisbursementRef,
    FundPlanRef,
    HouseholdRef,
    PairingRef,
    RollMovementRef,
    VisitRef,
)
from shared.bulk import unnest_insert
from shared.repository import Repository

# the household projection's statuses of a household in the poverty roll
IN_ROLL = ("registered", "exit_requested")


def needs_a_cadre(on: date) -> ColumnElement[bool]:
    """Households that must have their cadre (一户一挂钩): those in the roll, and exited ones still
    inside their keep period (脱贫不脱政策, the date registry carried in the exited event) — the same
    date pairing keeps the cadre until and funds pays until."""
    return or_(
        HouseholdRef.status.in_(IN_ROLL),
        and_(HouseholdRef.status == "exited", HouseholdRef.policies_kept_until >= on),
    )


class ProjectionRepository(Repository[HouseholdRef]):
    model = HouseholdRef

    async def _upsert(self, model: Any, key: str, values: dict[str, Any]) -> None:
        stmt = insert(model).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key], set_={k: v for k, v in values.items() if k != key}
        )
        await self.session.execute(stmt)

    async def _upsert_many(self, model: Any, key: str, rows: Sequence[dict[str, Any]]) -> None:
        """``_upsert`` for rows that set the same columns, each key once, in one statement."""
        if not rows:
            return
        stmt, params = unnest_insert(cast(Table, model.__table__), rows)  # one array per column
        stmt = stmt.on_conflict_do_update(
            index_elements=[key], set_={k: stmt.excluded[k] for k in rows[0] if k != key}
        )
        await self.session.execute(stmt, params)

    async def upsert_households(self, rows: Sequence[dict[str, Any]]) -> None:
        await self._upsert_many(HouseholdRef, "household_id", rows)

    async def upsert_area(self, **values: Any) -> None:
        await self._upsert(AreaRef, "code", values)

    async def upsert_household(self, **values: Any) -> None:
        await self._upsert(HouseholdRef, "household_id", values)

    async def set_household_status(self, household_id: str, status: str, **extra: Any) -> None:
        await self.session.execute(
            update(HouseholdRef)
            .where(HouseholdRef.household_id == household_id)
            .values(status=status, **extra)
        )

    async def household(self, household_id: str) -> HouseholdRef | None:
        return await self.session.scalar(
            select(HouseholdRef).where(HouseholdRef.household_id == household_id)
        )

    async def upsert_pairing(self, **values: Any) -> None:
        await self._upsert(PairingRef, "pairing_id", values)

    async def close_pairing(self, pairing_id: str, *, area_code: str | None = None) -> None:
        values: dict[str, Any] = {"is_open": False}
        if area_code:
            values["area_code"] = area_code
        await self.session.execute(
            update(PairingRef).where(PairingRef.pairing_id == pairing_id).values(**values)
        )

    async def move_open_pairings(self, target_id: str, *, area_code: str) -> None:
        await self.session.execute(
            update(PairingRef)
            .where(PairingRef.target_id == target_id, PairingRef.is_open)
            .values(area_code=area_code)
        )

    async def add_visit(self, *, visit_id: str, household_id: str, area_code: str, visited_on: date) -> None:
        await self.session.execute(
            insert(VisitRef)
            .values(visit_id=visit_id, household_id=household_id, area_code=area_code, visited_on=visited_on)
            .on_conflict_do_nothing()
        )

    async def add_visits(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            stmt, params = unnest_insert(cast(Table, VisitRef.__table__), rows)
            await self.session.execute(stmt.on_conflict_do_nothing(), params)

    async def add_disbursement(self, **values: Any) -> None:
        await self._upsert(DisbursementRef, "disbursement_id", values)

    async def reverse_disbursement(self, disbursement_id: str, amount_fen: int) -> None:
        await self.session.execute(
            update(DisbursementRef)
            .where(DisbursementRef.disbursement_id == disbursement_id)
            .values(amount_fen=DisbursementRef.amount_fen - amount_fen)
        )

    async def upsert_plan(self, **values: Any) -> None:
        await self._upsert(FundPlanRef, "plan_id", values)

    async def add_movement(self, **values: Any) -> None:
        await self.add_movements([values])

    async def add_movements(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            stmt, params = unnest_insert(cast(Table, RollMovementRef.__table__), rows)
            await self.session.execute(stmt.on_conflict_do_nothing(), params)
