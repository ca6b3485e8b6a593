from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, func, select
from sqlalchemy.dialects.postgresql import insert

from services.funds.models import Beneficiary, Project, ProjectHousehold
from shared.repository import Repository, Slice


class ProjectRepository(Repository[Project]):
    model = Project

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Project]:
        return await self.area_page(area_prefix, cursor, limit)

    async def add_household(self, project_id: Any, household_id: str, added_by: str) -> None:
        """List the household in the project (a second listing changes nothing)."""
        stmt = insert(ProjectHousehold).values(
            project_id=project_id, household_id=household_id, added_by=added_by
        )
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def households_with_project_counts(
        self,
        *,
        area_prefix: str,
        statuses: Sequence[str],
        categories: Sequence[str],
        project_statuses: Sequence[str],
    ) -> list[Row[Any]]:
        """The households under ``area_prefix`` in ``statuses`` (id, area, masked name, batches) and how
        many projects of ``categories`` in ``project_statuses`` list each."""
        counted = and_(
            Project.id == ProjectHousehold.project_id,
            Project.category.in_(list(categories)),
            Project.status.in_(list(project_statuses)),
        )
        stmt = (
            select(
                Beneficiary.ref_id,
                Beneficiary.area_code,
                Beneficiary.name,
                Beneficiary.batches,
                func.count(Project.id).label("projects"),
            )
            .outerjoin(ProjectHousehold, ProjectHousehold.household_id == Beneficiary.ref_id)
            .outerjoin(Project, counted)
            .where(
                Beneficiary.kind == "household",
                Beneficiary.area_code.startswith(area_prefix, autoescape=True),
                Beneficiary.status.in_(list(statuses)),
            )
            .group_by(Beneficiary.ref_id, Beneficiary.area_code, Beneficiary.name, Beneficiary.batches)
            .order_by(Beneficiary.area_code, Beneficiary.ref_id)
        )
        return list(await self.session.execute(stmt))
