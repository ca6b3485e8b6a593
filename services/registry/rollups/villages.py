"""Weak villages (薄弱村, seed 002): which collective-income threshold applies where.

Pure: the thresholds come in as policy records. Under an area, the threshold can differ by place
(a county may set its own record), so the area is cut into *regions*: the area itself and every
place under it that has a record of its own. A village takes the threshold of the longest region
prefix it starts with, resolved like every policy field (longer prefix wins, then later year).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.policies.rules import IncomeThreshold, PolicyRecord, threshold_in_force

__all__ = ["Region", "VillageStanding", "region_of", "standing", "threshold_regions"]


@dataclass(frozen=True, slots=True)
class Region:
    prefix: str
    threshold: IncomeThreshold | None


def threshold_regions(records: list[PolicyRecord], *, area_code: str, prefix: str, year: int) -> list[Region]:
    """The area's own region and one per place under it with a record; longest prefix first."""
    below = {
        r.area_prefix
        for r in records
        if r.area_prefix.startswith(prefix) and len(r.area_prefix) > len(prefix)
    }
    regions = [Region(prefix, threshold_in_force(records, area_code=area_code, year=year))]
    regions += [Region(p, threshold_in_force(records, area_code=p, year=year)) for p in below]
    return sorted(regions, key=lambda r: (-len(r.prefix), r.prefix))


def region_of(regions: list[Region], village_code: str) -> Region:
    return next(r for r in regions if village_code.startswith(r.prefix))


@dataclass(frozen=True, slots=True)
class VillageStanding:
    kind: str  # weak, not_weak, unknown (no income recorded for the year), no_threshold
    gap_fen: int = 0


def standing(income_fen: int | None, threshold: IncomeThreshold | None) -> VillageStanding:
    if threshold is None:
        return VillageStanding("no_threshold")
    if income_fen is None:
        return VillageStanding("unknown")
    if threshold.is_weak(income_fen):
        return VillageStanding("weak", threshold.gap_fen(income_fen))
    return VillageStanding("not_weak")
