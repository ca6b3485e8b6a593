"""Effective pairing policy of an area on a day: the seeds' preset, then the administrators'
versioned overrides (less specific first, older first, so the most specific and newest wins).
Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from services.pairing.policies.presets import PairingPolicy, resolve_policy

__all__ = ["OVERRIDABLE", "PolicyOverride", "effective_policy"]

# What an administrator may set per area (the rest is the seeds' text and stays in presets).
OVERRIDABLE = (
    "cadre_household_cap",
    "visit_interval_days",
    "volunteer_team_min_party_members",
    "enterprise_target_must_be_old_area",
    "enterprise_one_village_each",
    "township_staff_min",
    "village_coordinator_min",
)


@dataclass(frozen=True, slots=True)
class PolicyOverride:
    area_prefix: str  # "" = national
    valid_from: date
    cadre_household_cap: int | None = None
    visit_interval_days: int | None = None
    volunteer_team_min_party_members: int | None = None
    enterprise_target_must_be_old_area: bool | None = None
    enterprise_one_village_each: bool | None = None
    township_staff_min: int | None = None  # 0: the area asks for no such staff (no gap)
    village_coordinator_min: int | None = None
    # mountain-sea pairs a policy record adds to the preset's list (never removes one)
    county_pairs_added: tuple[tuple[str, str], ...] | None = None


def effective_policy(
    area_code: str,
    overrides: Iterable[PolicyOverride],
    *,
    on: date,
    presets: dict[str, PairingPolicy] | None = None,
) -> PairingPolicy:
    policy = resolve_policy(area_code, presets)
    applicable = [o for o in overrides if area_code.startswith(o.area_prefix) and o.valid_from <= on]
    for o in sorted(applicable, key=lambda o: (len(o.area_prefix), o.valid_from)):
        changes: dict[str, Any] = {
            name: getattr(o, name) for name in OVERRIDABLE if getattr(o, name) is not None
        }
        if o.county_pairs_added:
            added = tuple(p for p in o.county_pairs_added if p not in policy.county_pairs)
            changes["county_pairs"] = (*policy.county_pairs, *added)
        policy = replace(policy, **changes)
    return policy
