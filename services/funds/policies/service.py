"""The policy in force for an area and a year, as the domain services read it.

Today every answer comes from the seeds' presets (presets.py); a per-area policy record would be
read here, and no service would change.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.funds.asset_income.rules import AssetIncomePolicy
from services.funds.budgets.rules import BudgetRule, rules_in_force
from services.funds.policies import rules
from services.funds.policies.presets import (
    ASSET_INCOME_POLICIES,
    BUDGET_RULES,
    DISCLOSURE_DEFAULTS,
    PER_CAPITA_STANDARDS,
    SUPERVISION_DEFAULTS,
    DisclosurePolicy,
    SupervisionPolicy,
)
from services.funds.schemes.rules import PerCapitaStandard

__all__ = [
    "asset_income_policy",
    "budget_rules",
    "disclosure_policy",
    "per_capita_standards",
    "supervision_policy",
]


def asset_income_policy(area_code: str, year: int) -> AssetIncomePolicy | None:
    """The dividend floor in force for the agreement's area in its first year (None: no floor)."""
    return rules.most_specific(ASSET_INCOME_POLICIES, area_code=area_code, year=year)


def per_capita_standards(area_code: str, years: Iterable[int]) -> list[PerCapitaStandard]:
    """The per-person minimums a per-capita scheme of this area must meet: the one in force in each
    of its years (the most specific area's newest version), each once."""
    found = (rules.most_specific(PER_CAPITA_STANDARDS, area_code=area_code, year=y) for y in years)
    return list({(s.code, s.version): s for s in found if s is not None}.values())


def budget_rules(area_code: str, year: int) -> list[BudgetRule]:
    """The budget rules that bind this area in this year (by level and area), ordered by code."""
    return rules_in_force(BUDGET_RULES, area_code=area_code, year=year)


def disclosure_policy(area_code: str) -> DisclosurePolicy:
    """One national default today (presets.py); an area would override it here."""
    return DISCLOSURE_DEFAULTS


def supervision_policy(area_code: str) -> SupervisionPolicy:
    """One national default today (presets.py); an area would override it here."""
    return SUPERVISION_DEFAULTS
