"""Which registry policy applies to an area in a year: pure resolution over policy records.

Records are layered: a record for a shorter area prefix (the nation "", a province "62") is
overridden field by field by records for longer prefixes (a county "440783"); within one prefix
the latest year not after the requested year wins. A field left ``None`` inherits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum

from shared.policy_words import plain_words

__all__ = [
    "THRESHOLD_DIRECTIONS",
    "ApprovalStep",
    "Comparison",
    "IncomeShareTarget",
    "IncomeThreshold",
    "NoPolicy",
    "PolicyRecord",
    "RegistryPolicy",
    "RelapseRoute",
    "ThresholdRule",
    "TransferEmploymentRule",
    "KeyTargetRule",
    "PairingVillageQuota",
    "kept_until",
    "resolve_policy",
    "threshold_in_force",
]


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    """One signed step of the return-to-poverty chain: who (role) decides, at which area level."""

    code: str
    role: str
    level: str  # an AreaLevel value: the signer's area must be exactly this level


class Comparison(StrEnum):
    """How a value is compared with a policy threshold. The policy document's words decide it (DOMAIN.md
    "Reading thresholds"): 以上 / 达到或超过 = at_or_above, 超过 / 稳定超过 = above,
    以下 = at_or_below, 低于 = below."""

    AT_OR_ABOVE = "at_or_above"
    ABOVE = "above"
    AT_OR_BELOW = "at_or_below"
    BELOW = "below"

    def holds(self, value: int, threshold: int) -> bool:
        match self:
            case Comparison.AT_OR_ABOVE:
                return value >= threshold
            case Comparison.ABOVE:
                return value > threshold
            case Comparison.AT_OR_BELOW:
                return value <= threshold
            case Comparison.BELOW:
                return value < threshold

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")

    @property
    def words_zh(self) -> str:
        """As a Chinese sentence says it (the policy's own words follow in brackets)."""
        return _COMPARISON_ZH[self]


_COMPARISON_ZH = {
    Comparison.AT_OR_ABOVE: "达到或超过",
    Comparison.ABOVE: "超过",
    Comparison.AT_OR_BELOW: "不超过",
    Comparison.BELOW: "低于",
}


@dataclass(frozen=True, slots=True)
class ThresholdRule:
    """The comparison a threshold is read with, and the policy's own words for it."""

    comparison: Comparison
    wording: str  # the seed's phrase (稳定超过当年省定退出验收标准, 达到或超过脱贫标准, ...)

    @property
    def said(self) -> str:
        """The words as a clerk reads them in an answer (plain_words)."""
        return plain_words(self.wording)


# Every threshold of a registry policy record and the comparisons that make sense for it:
# exit_line — a household's per-capita income that satisfies it passes the income criterion;
# large_debt_limit — an unsettled debt that satisfies it blocks exit;
# exit_incidence — an area's poverty incidence that satisfies it meets the exit threshold;
# notice_min_days — a public notice that has run a number of days satisfying it may be closed.
THRESHOLD_DIRECTIONS: dict[str, frozenset[Comparison]] = {
    "exit_line": frozenset({Comparison.ABOVE, Comparison.AT_OR_ABOVE}),
    "large_debt_limit": frozenset({Comparison.ABOVE, Comparison.AT_OR_ABOVE}),
    "exit_incidence": frozenset({Comparison.BELOW, Comparison.AT_OR_BELOW}),
    "notice_min_days": frozenset({Comparison.ABOVE, Comparison.AT_OR_ABOVE}),
}


@dataclass(frozen=True, slots=True)
class RelapseRoute:
    """Which way a return to poverty (返贫) for a cause goes: through the approval chain
    (``chain``: the policy's ``relapse_chain``) or back through ordinary identification
    (``identification``: candidate → village review → public notice → signed confirmation).
    ``cause`` "*" stands for every cause not named in another route."""

    cause: str
    route: str  # "chain" | "identification"
    wording: str

    @property
    def said(self) -> str:
        """The words as a clerk reads them in an answer (plain_words)."""
        return plain_words(self.wording)


def kept_until(exited_on: date, years: int) -> date:
    """脱贫不脱政策 counted from the exit: an exit on 2026-12-03 kept for 3 years keeps its
    policies through 2029-12-02 (the day before the third anniversary; 29 Feb → 28 Feb)."""
    try:
        anniversary = exited_on.replace(year=exited_on.year + years)
    except ValueError:  # 29 February in a year without one
        anniversary = exited_on.replace(year=exited_on.year + years, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    area_prefix: str  # "" = nationwide default
    year: int
    source: str  # where the numbers come from (seed file or "outside the seeds")
    exit_line_fen: int | None = None  # per-capita yearly net income, compared as comparisons["exit_line"]
    notice_min_days: int | None = None  # public notice days (comparisons["notice_min_days"]; 以上: inclusive)
    large_debt_limit_fen: int | None = None  # a debt satisfying comparisons["large_debt_limit"] blocks exit
    batch_set: str | None = None  # name of the batch set ("national_five", ...)
    batches: tuple[str, ...] | None = None  # the batch codes of that set
    exit_incidence_threshold_bp: int | None = None  # basis points; 300 = 3% (compared as "exit_incidence")
    # 脱贫不脱政策: an exited household keeps its policies this many years counted from its exit date
    policies_kept_years: int | None = None
    relapse_chain: tuple[ApprovalStep, ...] | None = None
    # threshold name (THRESHOLD_DIRECTIONS) -> its comparison and wording; resolved key by key
    comparisons: Mapping[str, ThresholdRule] | None = None
    # which causes of a return to poverty go through the chain, which through identification
    relapse_routes: tuple[RelapseRoute, ...] | None = None
    # village collective operating income threshold (seed 002): a village with income under it is
    # weak (薄弱村); ``inclusive`` says whether exactly the threshold is weak too (以下: yes, 低于: no).
    # Optional: a place without such a programme has none. Set together or not at all.
    weak_village_income_fen: int | None = None
    weak_village_income_inclusive: bool | None = None
    # a date a clerk types (review, notice start, objection, import registration) may lie up to
    # this many days back as an ordinary entry; further back is a late entry (补录): reason + a
    # higher role, audited and shown on the public board (shared.backdating)
    backdate_tolerance_days: int | None = None
    # k of small-cell suppression: a roll-up that leaves the system (public, outside parties) hides
    # any cell of fewer than this many households, and what would give it away (rollups.rules)
    disclosure_min_households: int | None = None


@dataclass(frozen=True, slots=True)
class IncomeShareTarget:
    """A yearly target on the incomes of labour-capable poor households (seed 004 §三(一): 力争每年有
    30%以上的有劳动能力贫困户年人均可支配收入超过当地城乡年人均收入的45%).

    A household counts when its per-capita income for the year satisfies ``income_comparison``
    against ``income_share_bp`` of the local per-capita income (超过: strictly above); the area meets
    the target when the counted share of its labour-capable poor households satisfies
    ``households_comparison`` against ``households_share_bp`` (以上: 30% itself meets it). The local
    per-capita income itself is not in the seeds: it is a figure of the area and the year, given by
    whoever reads the indicator."""

    area_prefix: str
    from_year: int
    to_year: int
    income_share_bp: int  # 4_500 = 45% of the local per-capita income
    income_comparison: Comparison
    households_share_bp: int  # 3_000 = 30% of the labour-capable poor households
    households_comparison: Comparison
    source: str

    def covers(self, *, area_code: str, year: int) -> bool:
        return area_code.startswith(self.area_prefix) and self.from_year <= year <= self.to_year


@dataclass(frozen=True, slots=True)
class TransferEmploymentRule:
    """Who the transfer-employment batch's figure counts (seed 003 七个一批 注2: 转移就业脱贫为贫困户户表
    信息中年龄在18-60岁、有劳动能力、非在校生且有务工信息贫困人口的统计数据): the poor people of the roll
    aged ``min_age`` to ``max_age`` (both included) on the day read, with labour capacity, not in
    school and with migrant-work information. Read in the areas whose batch set has ``batch``."""

    batch: str
    min_age: int
    max_age: int
    source: str


@dataclass(frozen=True, slots=True)
class KeyTargetRule:
    """Who a place names its key targets (重点帮扶对象) among the minimum-allowance (低保) households
    of its roll: those with labour capacity and willing to be helped. Read in the areas under
    ``area_prefix``; the report lists them, registration never refuses anyone for it."""

    area_prefix: str
    source: str

    def covers(self, area_code: str) -> bool:
        return area_code.startswith(self.area_prefix)


@dataclass(frozen=True, slots=True)
class PairingVillageQuota:
    """How many pairing villages (帮扶村) a place dispatches at one level (派出层级): the areas under
    ``area_prefix`` hold at most ``max_villages`` villages marked ``dispatch_level``. The village
    flag carries no year, so the quota holds for as long as the record stands."""

    area_prefix: str
    area_name: str
    dispatch_level: str  # city / province / county
    max_villages: int
    source: str


@dataclass(frozen=True, slots=True)
class IncomeThreshold:
    """The village collective-income threshold in force for an area in a year, and its record."""

    income_fen: int
    inclusive: bool  # True: a village at exactly income_fen is weak too (以下)
    area_prefix: str  # the record that set it
    year: int
    source: str

    def is_weak(self, income_fen: int) -> bool:
        return income_fen <= self.income_fen if self.inclusive else income_fen < self.income_fen

    def gap_fen(self, income_fen: int) -> int:
        """The smallest increase that takes a village out of the weak set (0 if it is not weak):
        up to the threshold for 低于, one fen past it for 以下."""
        return max(0, self.income_fen - income_fen + (1 if self.inclusive else 0))


@dataclass(frozen=True, slots=True)
class RegistryPolicy:
    """The fully resolved policy the domain code reads."""

    area_code: str
    year: int
    exit_line_fen: int
    notice_min_days: int
    large_debt_limit_fen: int
    batch_set: str
    batches: tuple[str, ...]
    exit_incidence_threshold_bp: int
    policies_kept_years: int
    relapse_chain: tuple[ApprovalStep, ...]
    comparisons: Mapping[str, ThresholdRule]
    relapse_routes: tuple[RelapseRoute, ...]
    sources: tuple[str, ...]
    weak_village_income_fen: int | None = None
    weak_village_income_inclusive: bool | None = None
    backdate_tolerance_days: int = 0
    disclosure_min_households: int = 5  # unset in every record: 5 (OUTSIDE THE SEEDS)

    def comparison(self, threshold: str) -> ThresholdRule:
        return self.comparisons[threshold]

    def kept_until(self, exited_on: date) -> date:
        """The last day an household exited on ``exited_on`` keeps its policies."""
        return kept_until(exited_on, self.policies_kept_years)

    @property
    def notice_days_required(self) -> int:
        """Days a notice must have run before it may close: 7天以上 → 7, 超过7天 → 8."""
        rule = self.comparisons["notice_min_days"].comparison
        return self.notice_min_days + (1 if rule is Comparison.ABOVE else 0)

    def relapse_route(self, cause: str) -> RelapseRoute:
        """The route named for ``cause``, else the "*" route (every policy has one after resolution)."""
        named = {r.cause: r for r in self.relapse_routes}
        return named.get(cause) or named["*"]


class NoPolicy(LookupError):
    """No record supplies a value for some field: the policy table is incomplete."""


_VALUE_FIELDS = tuple(
    f.name for f in fields(PolicyRecord) if f.name not in {"area_prefix", "year", "source", "comparisons"}
)
# optional: unset thresholds mean "no such programme"; an unset backdate tolerance means 0 days
_OPTIONAL_FIELDS = frozenset(
    {
        "weak_village_income_fen",
        "weak_village_income_inclusive",
        "backdate_tolerance_days",
        "disclosure_min_households",
    }
)


def _applicable(records: list[PolicyRecord], area_code: str, year: int) -> list[PolicyRecord]:
    """Least specific first: a longer prefix overrides a shorter one, then a later year an earlier."""
    return sorted(
        (r for r in records if area_code.startswith(r.area_prefix) and r.year <= year),
        key=lambda r: (len(r.area_prefix), r.year),
    )


def threshold_in_force(records: list[PolicyRecord], *, area_code: str, year: int) -> IncomeThreshold | None:
    """The collective-income threshold for ``area_code`` in ``year`` (None: no record sets one).
    Threshold and comparison come from the same record, so a 低于 never borrows a 以下's number."""
    for record in reversed(_applicable(records, area_code, year)):
        if record.weak_village_income_fen is not None:
            return IncomeThreshold(
                income_fen=record.weak_village_income_fen,
                inclusive=bool(record.weak_village_income_inclusive),
                area_prefix=record.area_prefix,
                year=record.year,
                source=record.source,
            )
    return None


def resolve_policy(records: list[PolicyRecord], *, area_code: str, year: int) -> RegistryPolicy:
    applicable = _applicable(records, area_code, year)
    merged: dict[str, object] = {}
    comparisons: dict[str, ThresholdRule] = {}
    sources: list[str] = []
    for record in applicable:  # later (more specific, more recent) records override earlier ones
        used = False
        for key, rule in (record.comparisons or {}).items():  # each threshold's comparison on its own
            comparisons[key] = rule
            used = True
        for name in _VALUE_FIELDS:
            value = getattr(record, name)
            if value is not None:
                merged[name] = value
                used = True
        if used:
            sources.append(f"{record.area_prefix or 'national'}/{record.year}: {record.source}")
    missing = [name for name in _VALUE_FIELDS if name not in merged and name not in _OPTIONAL_FIELDS]
    missing += [f"comparisons.{key}" for key in THRESHOLD_DIRECTIONS if key not in comparisons]
    routes = merged.get("relapse_routes")
    if routes is not None and not any(r.cause == "*" for r in routes):  # type: ignore[attr-defined]
        missing.append("relapse_routes['*']")
    if missing:
        raise NoPolicy(f"no registry policy for {area_code} in {year} sets {', '.join(missing)}")
    return RegistryPolicy(
        area_code=area_code,
        year=year,
        sources=tuple(sources),
        comparisons=comparisons,
        **merged,  # type: ignore[arg-type]
    )
