"""Resolution of inspection's policy records: which sign-off scheme (4-3-4-2 and the like) an area
signs its exit dossiers with — a place's own record beats the presets of policies/presets.py."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.policies.presets import SIGNOFF_SCHEMES_BY_KIND, signoff_scheme_for
from services.inspection.signoffs import rules
from services.inspection.signoffs.repository import DossierRepository
from services.inspection.signoffs.schemas import SchemeIn, SchemeLevelIn

__all__ = ["effective_scheme", "scheme_from"]


def scheme_from(data: SchemeIn) -> rules.SignoffScheme:
    return rules.SignoffScheme(
        data.code,
        tuple(rules.SignoffLevel(lv.level, tuple(lv.positions)) for lv in data.levels),
        household_position=data.household_position,
    )


async def effective_scheme(
    session: AsyncSession, area_code: str, kind: str = "household"
) -> tuple[rules.SignoffScheme, str, str]:
    """(scheme, prefix it is set for, "record" | "preset"): a place's record beats the presets."""
    record = await DossierRepository(session).scheme_for(area_code, kind)
    if record is not None:
        levels = [SchemeLevelIn(**lv) for lv in record.levels]
        data = SchemeIn(code=record.code, levels=levels, household_position=record.household_position)
        return scheme_from(data), record.area_prefix, "record"
    presets = SIGNOFF_SCHEMES_BY_KIND[kind]
    prefix = max((p for p in presets if area_code.startswith(p)), key=len)
    return signoff_scheme_for(area_code, presets), prefix, "preset"
