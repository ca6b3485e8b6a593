"""Budget compliance: the least an area must put in its poverty budget for a year, rule by rule.

The rules are versioned policy records (``policies/presets.py``): Gansu's shares of the year's local
revenue increase (county 20%, city 10%) and of recovered idle funds (50%), Jinzhou's fixed 40M a
year. 以上 / 不低于 include the number, and a share is met only by the whole fen at or above the
exact share, so every required minimum rounds **up** to the fen (never understated).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.funds.policies.rules import VersionedRecord, covers
from shared.areas import AreaCode

__all__ = [
    "BASIS_POINTS",
    "RULE_KINDS",
    "BudgetRule",
    "ComplianceRow",
    "Declaration",
    "budgeted_at_levels",
    "ceil_share",
    "check_compliance",
    "rules_in_force",
    "total_row",
]

BASIS_POINTS = 10_000
# revenue_increase_share: basis points of the year's local general public budget revenue increase;
# recovered_idle_share: basis points of the idle (stock) funds recovered that year;
# fixed_amount: a number of fen every year.
RULE_KINDS = ("revenue_increase_share", "recovered_idle_share", "fixed_amount")


@dataclass(frozen=True, kw_only=True)
class BudgetRule(VersionedRecord):
    """One policy record. A higher ``version`` of the same ``code`` replaces the older one for the
    years it covers; the older one still answers for the years before (history stays checkable)."""

    level: str  # the level of area it binds: county, city, ...
    kind: str
    budget_levels: tuple[str, ...]  # whose yearly budgets count toward it (in the area's subtree)
    basis_points: int | None = None
    amount_fen: int | None = None


@dataclass(frozen=True)
class Declaration:
    """What an area's finance office declared for a year (revenue can fall: the increase may be < 0)."""

    local_revenue_increase_fen: int
    recovered_idle_funds_fen: int


@dataclass(frozen=True)
class ComplianceRow:
    rule: BudgetRule | None  # None: the total over all rules
    required_fen: int | None  # None: the declaration it needs is missing
    budgeted_fen: int

    @property
    def passed(self) -> bool | None:
        return None if self.required_fen is None else self.budgeted_fen >= self.required_fen

    @property
    def shortfall_fen(self) -> int | None:
        return None if self.required_fen is None else max(self.required_fen - self.budgeted_fen, 0)


def ceil_share(amount_fen: int, basis_points: int) -> int:
    """The least whole number of fen at or above ``amount * bp / 10,000`` (nothing of a negative amount)."""
    return -(-max(amount_fen, 0) * basis_points // BASIS_POINTS)


def rules_in_force(rules: Iterable[BudgetRule], *, area_code: str, year: int) -> list[BudgetRule]:
    """The rules that bind this area in this year: its subtree and level, the year within the record's
    years, and per code the newest version that covers the year. Ordered by code."""
    area = AreaCode.parse(area_code)
    newest: dict[str, BudgetRule] = {}
    for rule in rules:
        if area.level.value != rule.level or not covers(rule, area_code=area.code, year=year):
            continue
        if rule.code not in newest or rule.version > newest[rule.code].version:
            newest[rule.code] = rule
    return [newest[c] for c in sorted(newest)]


def required_minimum(rule: BudgetRule, declaration: Declaration | None) -> int | None:
    if rule.kind == "fixed_amount":
        return rule.amount_fen or 0
    if declaration is None:
        return None
    bp = rule.basis_points or 0
    if rule.kind == "revenue_increase_share":
        return ceil_share(declaration.local_revenue_increase_fen, bp)
    if rule.kind == "recovered_idle_share":
        return ceil_share(declaration.recovered_idle_funds_fen, bp)
    raise ValueError(f"unknown budget rule kind {rule.kind}")


def check_compliance(
    rules: Sequence[BudgetRule], *, declaration: Declaration | None, budgeted_fen: dict[str, int]
) -> list[ComplianceRow]:
    """One row per rule: its required minimum against the budgets it counts (by rule code)."""
    return [ComplianceRow(r, required_minimum(r, declaration), budgeted_fen.get(r.code, 0)) for r in rules]


def total_row(rows: Sequence[ComplianceRow], *, budgeted_fen: int) -> ComplianceRow:
    """The rules add up: each names money that must be *added* to the poverty budget (a share of the
    revenue increase plus a share of the recovered funds), so the budget must cover their sum."""
    required = [r.required_fen for r in rows]
    total = None if any(r is None for r in required) else sum(r or 0 for r in required)
    return ComplianceRow(None, total, budgeted_fen)


def budgeted_at_levels(budgets: Iterable[tuple[str, int]], levels: Iterable[str]) -> int:
    """The year's budgets of the source accounts (a budget paying in) whose area is at one of the
    levels: a county rule counts the county's own budgets, not its townships'."""
    wanted = set(levels)
    return sum(amount for area_code, amount in budgets if AreaCode.parse(area_code).level.value in wanted)
