"""Roll-up arithmetic: the counter changes a household change causes, and the rates read from them.

Counters are keyed by (area prefix at every level, dimension, key) and hold households and
persons, so a county roll-up is a handful of row reads however many households it has.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from services.registry.policies.rules import (
    IncomeShareTarget,
    IncomeThreshold,
    KeyTargetRule,
    TransferEmploymentRule,
)
from services.registry.vocabulary import POOR_STATUSES, HouseholdStatus, LabourCapacity
from shared.areas import AreaCode, AreaLevel
from shared.errors import InvalidInput

__all__ = [
    "PRIMARY",
    "PYRAMID",
    "PYRAMID_ZH",
    "SECONDARY",
    "CellGroup",
    "Count",
    "CounterDelta",
    "HouseholdTarget",
    "IncomeFacts",
    "IncomeShare",
    "DibaoFacts",
    "KEY_TARGET_FIGURES",
    "KeyTargetCounts",
    "Path",
    "Pyramid",
    "Rollup",
    "Snapshot",
    "SuppressedCell",
    "Suppression",
    "TransferEmployment",
    "ChildVillageCounts",
    "VillageCharts",
    "VillageCounts",
    "VillageFlags",
    "WeakVillage",
    "WeakVillages",
    "area_prefixes",
    "counter_deltas",
    "flow_deltas",
    "incidence_bp",
    "income_share",
    "income_share_target",
    "is_labour_capable",
    "key_target_counts",
    "key_target_rule",
    "meets_incidence_threshold",
    "suppress_small_cells",
]

# Guangyuan's "six haves": what each level keeps (card per household is the household itself).
PYRAMID: dict[str, str] = {
    AreaLevel.VILLAGE: "register",  # 村有册
    AreaLevel.TOWNSHIP: "book",  # 乡有簿
    AreaLevel.COUNTY: "file",  # 县有档
    AreaLevel.CITY: "volume",  # 市有卷
    AreaLevel.PROVINCE: "database",  # 省有库
}
PYRAMID_ZH: dict[str, str] = {
    "register": "村有册", "book": "乡有簿", "file": "县有档", "volume": "市有卷", "database": "省有库"
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What of a household the counters care about."""

    area_code: str
    status: HouseholdStatus
    persons: int
    causes: tuple[str, ...] = ()
    batches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CounterDelta:
    area_prefix: str
    dimension: str
    key: str
    households: int
    persons: int


def area_prefixes(area_code: str) -> list[str]:
    """Prefixes of every level from province down: '440783101203' → ['44', '4407', ..., full code]."""
    return [a.prefix for a in AreaCode.parse(area_code).ancestors()]


def _cells(s: Snapshot) -> Iterable[tuple[str, str, int, int]]:
    yield "status", s.status.value, 1, s.persons
    if s.status in POOR_STATUSES:  # causes and batches describe the households still poor
        for cause in s.causes:
            yield "cause", cause, 1, s.persons
        for batch in s.batches:
            yield "batch", batch, 1, s.persons


def _expand(cells: dict[tuple[str, str, str], list[int]]) -> list[CounterDelta]:
    return [
        CounterDelta(prefix, dim, key, h, p) for (prefix, dim, key), (h, p) in sorted(cells.items()) if h or p
    ]


def counter_deltas(before: Snapshot | None, after: Snapshot | None) -> list[CounterDelta]:
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for snap, sign in ((before, -1), (after, 1)):
        if snap is None:
            continue
        for prefix in area_prefixes(snap.area_code):
            for dim, key, h, p in _cells(snap):
                cell = cells[(prefix, dim, key)]
                cell[0] += sign * h
                cell[1] += sign * p
    return _expand(cells)


def flow_deltas(area_code: str, *, kind: str, year: int, persons: int) -> list[CounterDelta]:
    """Entries (registered, re-registered) and exits per year are flows, counted once per event."""
    assert kind in ("entries", "exits")
    return [CounterDelta(prefix, kind, str(year), 1, persons) for prefix in area_prefixes(area_code)]


def incidence_bp(poor_persons: int, rural_population: int | None) -> int | None:
    """Incidence in basis points, rounded half up (1 bp = 0.01%); None when the population is unknown."""
    if not rural_population:
        return None
    return (poor_persons * 10_000 * 2 + rural_population) // (2 * rural_population)


def meets_incidence_threshold(
    poor_persons: int, rural_population: int, threshold_bp: int, comparison: str = "at_or_below"
) -> bool:
    """Compare exactly (no rounding) poor/rural with the threshold, the policy's way: 3%以下 includes
    3% (at_or_below), 低于3% does not (below)."""
    if comparison == "below":
        return poor_persons * 10_000 < threshold_bp * rural_population
    return poor_persons * 10_000 <= threshold_bp * rural_population


# --- incomes of labour-capable poor households against the local income (seed 004 §三(一)) ---------

LABOUR_CAPABLE = frozenset({LabourCapacity.FULL, LabourCapacity.PARTIAL})


def is_labour_capable(capacities: Iterable[str]) -> bool:
    """A household has labour capacity (有劳动能力) when one of its members is an ordinary or a weak /
    half labourer (普通劳动力, 弱劳动力或半劳动力), the same members Gansu's transfer batch counts."""
    return any(c in LABOUR_CAPABLE for c in capacities)


@dataclass(frozen=True, slots=True)
class IncomeFacts:
    """What the indicator reads of one household: its status, its active members' labour capacities
    and its per-capita income record for the year (None: none recorded)."""

    household_id: str
    status: HouseholdStatus
    labour_capacities: tuple[str, ...]
    per_capita_income_fen: int | None


@dataclass(frozen=True, slots=True)
class TransferEmployment:
    """Seed 003's transfer-employment figure of an area on a day: the poor people who fit the rule
    (TransferEmploymentRule) and the poor households with at least one of them."""

    area_code: str
    on: date
    households: int
    persons: int
    rule: TransferEmploymentRule


@dataclass(frozen=True, slots=True)
class IncomeShare:
    area_code: str
    year: int
    local_income_fen: int
    labour_capable_households: int  # poor households with labour capacity: the denominator
    households_over_line: int  # of those, income satisfying the target's comparison with the line
    households_without_income: int  # of those, no income record for the year (not counted as over)
    share_bp: int | None  # households_over_line / labour_capable_households, half up; None: none
    target: IncomeShareTarget
    meets_target: bool | None  # compared exactly, not from the rounded share; None: no household

    @property
    def line_fen(self) -> int:
        """The income line in whole fen, rounded up (the comparison itself is exact)."""
        return -(-self.local_income_fen * self.target.income_share_bp // 10_000)


def income_share_target(
    targets: Iterable[IncomeShareTarget], *, area_code: str, year: int
) -> IncomeShareTarget | None:
    """The most specific target covering the area and year (None: the area has no such target)."""
    covering = [t for t in targets if t.covers(area_code=area_code, year=year)]
    return max(covering, key=lambda t: len(t.area_prefix), default=None)


def income_share(
    households: Iterable[IncomeFacts],
    *,
    target: IncomeShareTarget,
    area_code: str,
    year: int,
    local_income_fen: int,
) -> IncomeShare:
    """Among the area's poor households with labour capacity, how many have a per-capita income for
    the year over ``income_share_bp`` of the local per-capita income, and whether that share meets
    the target. Exact integer comparisons: income × 10,000 against local income × basis points."""
    if local_income_fen <= 0:
        raise InvalidInput(
            f"the local per-capita income must be a positive amount in fen, got {local_income_fen}",
            detail_zh="当地城乡年人均收入须为大于零的金额(单位:分)",
            field="local_income_fen",
        )
    capable = [h for h in households if h.status in POOR_STATUSES and is_labour_capable(h.labour_capacities)]
    over = sum(
        1
        for h in capable
        if h.per_capita_income_fen is not None
        and target.income_comparison.holds(
            h.per_capita_income_fen * 10_000, local_income_fen * target.income_share_bp
        )
    )
    n = len(capable)
    return IncomeShare(
        area_code=area_code,
        year=year,
        local_income_fen=local_income_fen,
        labour_capable_households=n,
        households_over_line=over,
        households_without_income=sum(1 for h in capable if h.per_capita_income_fen is None),
        share_bp=(over * 10_000 * 2 + n) // (2 * n) if n else None,
        target=target,
        meets_target=target.households_comparison.holds(over * 10_000, target.households_share_bp * n)
        if n
        else None,
    )


# --- small-cell suppression (k-anonymity) for figures that leave the system -----------------------

Path = tuple[str, ...]
PRIMARY = "primary"  # the cell itself counts fewer than k households (and more than none)
SECONDARY = "secondary"  # hidden so that a primary cell cannot be got back by subtraction


@dataclass(frozen=True, slots=True)
class CellGroup:
    """Cells whose sum an outsider knows: from the published cell ``total`` or, with ``total`` None,
    from anywhere else (conservatively assumed known). Hiding exactly one member hides nothing, since
    it is the sum minus the others."""

    members: tuple[Path, ...]
    total: Path | None = None


def suppress_small_cells(counts: Mapping[Path, int], groups: Iterable[CellGroup], k: int) -> dict[Path, str]:
    """The cells to hide and why (``PRIMARY`` or ``SECONDARY``).

    Primary: every cell with 0 < count < k. Secondary, repeated until nothing changes: a group whose
    total is still published and which has exactly one hidden member also hides its smallest other
    member (a non-zero one first; a zero only when no other is left); a group of one member hides its
    total instead. Totals are never hidden otherwise. A cell missing from ``counts`` counts 0.

    Afterwards no group with a published total has exactly one hidden member, so no hidden cell is
    the difference between a published total and published cells. (Bounds from several tables solved
    together are outside this rule; see docs/registry.md.)"""
    if k < 1:
        raise ValueError("k must be at least 1")
    group_list = list(groups)
    hidden: dict[Path, str] = {p: PRIMARY for p, c in counts.items() if 0 < c < k}
    changed = True
    while changed:
        changed = False
        for group in group_list:
            if group.total is not None and group.total in hidden:
                continue  # nothing published to subtract from
            if sum(1 for m in group.members if m in hidden) != 1:
                continue
            others = [m for m in group.members if m not in hidden]
            if others:
                pick = min(others, key=lambda m: (counts.get(m, 0) == 0, counts.get(m, 0), m))
            elif group.total is not None:
                pick = group.total
            else:
                continue  # a lone cell whose sum is known elsewhere: nothing here can hide it
            hidden[pick] = SECONDARY
            changed = True
    return hidden


# ------------------------------------------------------------------ what the roll-up services return
# Domain objects: the router shapes them into rollups/schemas.py. Figures are None where small-cell
# suppression blanked them for an outside reader (``suppressed`` lists each, with its reason).


@dataclass(slots=True)
class Count:
    households: int | None
    persons: int | None


@dataclass(frozen=True, slots=True)
class SuppressedCell:
    path: str  # the field in the answer: "by_cause.illness", "children.440783101201.poor_households"
    reason: str  # primary: fewer than k households; secondary: would be the difference of published figures
    reason_zh: str


@dataclass(kw_only=True, slots=True)
class Suppression:
    """Whether the figures are exact (internal roles) or small cells are suppressed (outside readers)."""

    exact: bool = True
    min_cell_households: int | None = None  # k of the policy in force, when suppressed
    suppressed: list[SuppressedCell] = field(default_factory=list)


@dataclass(kw_only=True, slots=True)
class Rollup(Suppression):
    """An area's counters read as one summary (pyramid_level: register / book / file / volume / database)."""

    area_code: str
    area_name: str
    level: str
    pyramid_level: str
    by_status: dict[str, Count]
    by_cause: dict[str, Count]
    by_batch: dict[str, Count]
    entries_by_year: dict[str, Count]
    exits_by_year: dict[str, Count]
    poor_households: int | None
    poor_persons: int | None
    rural_population: int | None
    incidence_bp: int | None  # basis points: 251 = 2.51%
    exit_incidence_threshold_bp: int
    meets_exit_incidence: bool | None
    exited_villages_by_year: dict[str, int] = field(default_factory=dict)
    exited_counties_by_year: dict[str, int] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class Pyramid(Suppression):
    area: Rollup
    children: list[Rollup]


@dataclass(frozen=True, kw_only=True, slots=True)
class HouseholdTarget:
    household_id: str
    household_number: str | None
    head_name_masked: str
    member_count: int
    status: str
    plan_year: int
    poverty_causes: list[str]


@dataclass(kw_only=True, slots=True)
class VillageCharts(Suppression):
    """853's five charts for one village."""

    area_code: str
    year: int
    distribution: dict[str, Count]
    causes: dict[str, Count]
    in_out: dict[str, dict[str, Count]]
    village_target: dict[str, object]
    household_targets: list[HouseholdTarget]


@dataclass(frozen=True, kw_only=True, slots=True)
class VillageFlags:
    area_code: str
    name: str
    parent_code: str | None
    poor_village: bool  # 贫困村
    old_area_village: bool  # 老区村
    key_village: bool
    threshold_fen: int
    threshold_inclusive: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class WeakVillage(VillageFlags):
    collective_income_fen: int
    gap_fen: int  # the smallest increase that takes it out of the weak set


@dataclass(frozen=True, kw_only=True, slots=True)
class VillageCounts:
    villages: int = 0
    weak: int = 0
    not_weak: int = 0
    unknown: int = 0  # no collective income recorded for the year
    no_threshold: int = 0  # no threshold in force where the village is
    gap_fen: int = 0  # sum of the weak villages' gaps


@dataclass(frozen=True, kw_only=True, slots=True)
class ChildVillageCounts(VillageCounts):
    area_code: str
    area_name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class WeakVillages:
    """Villages under an area whose collective operating income is under the threshold in force."""

    area_code: str
    area_name: str
    level: str
    year: int
    threshold: IncomeThreshold | None  # in force at the area itself; None: none (see explanation)
    explanation: str | None
    totals: VillageCounts
    children: list[ChildVillageCounts]
    weak: list[WeakVillage]  # this page's weak villages, by code
    unknown: list[VillageFlags]  # this page's villages with no income recorded for the year
    next_cursor: str | None


# --- key targets among the 低保 households (seed 004 三(一), 五(一)) ----------------------------------


@dataclass(frozen=True, slots=True)
class DibaoFacts:
    """What the key-target report reads of one poor 低保 household."""

    household_id: str
    household_number: str | None
    area_code: str
    head_name: str
    labour_willing: bool | None  # None: not recorded
    labour_capacities: tuple[str, ...]  # of its active members
    disabled_capable: int  # active members with a disability recorded and labour capacity

    @property
    def key_target(self) -> bool:
        """有劳动能力且愿意接受帮扶的低保户: a labour-capable member and willingness recorded as yes."""
        return self.labour_willing is True and is_labour_capable(self.labour_capacities)


# the key-target report's figures of an area, in the order it answers them
KEY_TARGET_FIGURES = (
    "dibao_households",
    "dibao_persons",
    "key_target_households",
    "key_target_persons",
    "willingness_unknown_households",
    "disabled_capable_persons",
)


@dataclass(slots=True)
class KeyTargetCounts:
    """An area's 低保 households (纳入扶贫工作范围: 325户915人 in Chishui) and, of them, the key targets
    (重点帮扶: 71户251人), those capable but with willingness not recorded (to ask), and the disabled
    labour-capable people of 低保 households (低保线内有劳动能力的贫困残疾人, 重点扶持对象): ``figures``
    by the names of KEY_TARGET_FIGURES."""

    area_code: str
    figures: Counter[str] = field(default_factory=Counter)

    def add(self, f: DibaoFacts) -> None:
        n, persons = self.figures, len(f.labour_capacities)
        n["dibao_households"] += 1
        n["dibao_persons"] += persons
        n["disabled_capable_persons"] += f.disabled_capable
        if f.key_target:
            n["key_target_households"] += 1
            n["key_target_persons"] += persons
        elif f.labour_willing is None and is_labour_capable(f.labour_capacities):
            n["willingness_unknown_households"] += 1


def key_target_rule(rules: Iterable[KeyTargetRule], area_code: str) -> KeyTargetRule | None:
    """The most specific rule covering the area (None: no seed names key targets there)."""
    return max((r for r in rules if r.covers(area_code)), key=lambda r: len(r.area_prefix), default=None)


def key_target_counts(
    facts: Iterable[DibaoFacts], *, area_code: str, children: Mapping[str, str]
) -> tuple[KeyTargetCounts, list[KeyTargetCounts]]:
    """The area's counts and each child area's (``children``: child code by its subtree prefix)."""
    total = KeyTargetCounts(area_code)
    by_child = {prefix: KeyTargetCounts(code) for prefix, code in children.items()}
    for f in facts:
        total.add(f)
        for prefix, counts in by_child.items():
            if f.area_code.startswith(prefix):
                counts.add(f)
                break
    return total, list(by_child.values())
