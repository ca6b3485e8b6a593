"""Village and county exit (贫困村退出、贫困县摘帽): which criteria apply, and whether an area meets them.

Everything a place decides is policy data (``AreaExitPolicy``, one record per area prefix, year
and kind): which criteria apply, each one's threshold and comparison, whether it blocks the exit
or is only weighed by the signers (Gansu's 统筹考虑), and the wording it comes from. The registry
computes what it can (incidence = poor persons / rural population); the rest (roads, clinics,
collective income, schools …) comes in the request as declared facts with evidence references.

The answer lists every criterion with whether it passed and why, like the household check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.registry.policies.rules import Comparison as Reading
from shared.money import yuan_en, yuan_zh

__all__ = [
    "AreaEligibility",
    "AreaExitKind",
    "AreaExitPolicy",
    "AreaFacts",
    "Comparison",
    "CriterionResult",
    "CriterionSpec",
    "Declared",
    "Measure",
    "NoAreaExitPolicy",
    "Source",
    "assess_area_exit",
    "check_declarations",
    "compare",
    "label_words",
    "resolve_area_exit_policy",
]


class AreaExitKind(StrEnum):
    VILLAGE = "village"  # 贫困村退出
    COUNTY = "county"  # 贫困县摘帽


class Comparison(StrEnum):
    """How a value is held against its threshold; the policy document's word decides (DOMAIN.md
    "Reading thresholds"): 以下 at_or_below, 低于 below, 以上/不低于 at_or_above, 超过 above."""

    AT_OR_BELOW = "at_or_below"
    BELOW = "below"
    AT_OR_ABOVE = "at_or_above"
    ABOVE = "above"


_WORDS = {
    Comparison.AT_OR_BELOW: "at or below",
    Comparison.BELOW: "below",
    Comparison.AT_OR_ABOVE: "at or above",
    Comparison.ABOVE: "above",
}
# the same as a Chinese sentence says it (不超过 3.00%): the household rules' words
_WORDS_ZH = {c: Reading(c.value).words_zh for c in Comparison}


class Measure(StrEnum):
    INCIDENCE = "incidence"  # poor persons / rural population against a threshold in basis points
    AMOUNT = "amount"  # a sum in fen against a threshold in fen
    FLAG = "flag"  # a yes/no fact: the area has it (有…) or not


class Source(StrEnum):
    REGISTRY = "registry"  # computed from the registry's own data
    DECLARED = "declared"  # stated in the request with evidence references


def compare(value: int, comparison: Comparison, threshold: int) -> bool:
    """Exact integer comparison (fractions are cross-multiplied by the caller, never rounded)."""
    match comparison:
        case Comparison.AT_OR_BELOW:
            return value <= threshold
        case Comparison.BELOW:
            return value < threshold
        case Comparison.AT_OR_ABOVE:
            return value >= threshold
        case Comparison.ABOVE:
            return value > threshold


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    code: str  # stable name the request and the answer use (incidence, hardened_road, …)
    label: str  # what it means, in Chinese: the policy's own words where it has them
    measure: Measure
    source: Source
    comparison: Comparison | None = None  # incidence and amount only
    threshold: int | None = None  # basis points (incidence) or fen (amount)
    blocking: bool = True  # False: weighed by the signers (统筹考虑), shown, never blocks alone
    label_en: str | None = None  # the same in English, where the record gives it

    def __post_init__(self) -> None:
        if self.measure is Measure.FLAG:
            if self.comparison is not None or self.threshold is not None:
                raise ValueError(f"{self.code}: a flag has no comparison or threshold")
        elif self.comparison is None or self.threshold is None or self.threshold < 0:
            raise ValueError(f"{self.code}: {self.measure} needs a comparison and a threshold ≥ 0")
        if (self.measure is Measure.INCIDENCE) != (self.source is Source.REGISTRY):
            # the registry computes incidence and nothing else yet; everything else is declared
            raise ValueError(
                f"{self.code}: incidence is computed by the registry (source registry); "
                "amounts and flags are declared (source declared)"
            )


@dataclass(frozen=True, slots=True)
class AreaExitPolicy:
    """One record: the whole set of criteria a kind of area exits by, from ``year`` on, under
    ``area_prefix`` ("" = everywhere). The record applies as a whole (a criterion list is not
    merged field by field: a place that names five criteria means those five)."""

    area_prefix: str
    year: int
    kind: AreaExitKind
    source: str  # the seed (and its words) or OUTSIDE THE SEEDS
    criteria: tuple[CriterionSpec, ...]

    def __post_init__(self) -> None:
        codes = [c.code for c in self.criteria]
        if not codes or len(codes) != len(set(codes)):
            raise ValueError("an area exit policy names at least one criterion, each once")


class NoAreaExitPolicy(LookupError):
    """No record applies to the area in that year."""


def resolve_area_exit_policy(
    records: Sequence[AreaExitPolicy], *, area_code: str, year: int, kind: AreaExitKind
) -> AreaExitPolicy:
    """The record in force: the longest prefix of ``area_code`` wins, then the latest year."""
    applicable = [
        r for r in records if r.kind == kind and area_code.startswith(r.area_prefix) and r.year <= year
    ]
    if not applicable:
        raise NoAreaExitPolicy(f"no {kind} exit policy applies to {area_code} in {year}")
    return max(applicable, key=lambda r: (len(r.area_prefix), r.year))


@dataclass(frozen=True, slots=True)
class Declared:
    """A fact the requester states, with references to the evidence (files, photos, minutes)."""

    value: int | bool
    evidence: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AreaFacts:
    poor_persons: int  # persons of households still poor (registered or exit requested)
    rural_population: int | None  # None: not recorded
    declared: Mapping[str, Declared] = field(default_factory=dict)
    # what the registry itself records for a declared amount (collective income of the year), to
    # hold a declaration against; None: nothing recorded
    recorded_amounts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: str
    label: str
    passed: bool
    blocking: bool
    source: str
    detail: str  # English: kept with the request and the audit trail
    label_en: str | None = None
    detail_zh: str | None = None  # what the clerk reads (the answers in Chinese)
    value: int | bool | str | None = None  # incidence: "poor/rural", exact
    threshold: int | None = None
    comparison: str | None = None
    evidence: tuple[str, ...] = ()
    declared: bool = False

    def as_data(self) -> dict[str, object]:
        return {
            "criterion": self.criterion,
            "label": self.label,
            "label_en": self.label_en,
            "passed": self.passed,
            "blocking": self.blocking,
            "source": self.source,
            "detail": self.detail,
            "detail_zh": self.detail_zh,
            "value": self.value,
            "threshold": self.threshold,
            "comparison": self.comparison,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class AreaEligibility:
    criteria: tuple[CriterionResult, ...]

    @property
    def eligible(self) -> bool:
        """Every blocking criterion passed, and every declared criterion was declared (a
        considered one too: the signers must see it, even though its value does not block)."""
        return all(
            (c.passed or not c.blocking) and (c.source != Source.DECLARED or c.declared)
            for c in self.criteria
        )

    @property
    def failures(self) -> list[CriterionResult]:
        return [
            c
            for c in self.criteria
            if (c.blocking and not c.passed) or (c.source == Source.DECLARED and not c.declared)
        ]

    def as_data(self) -> list[dict[str, object]]:
        return [c.as_data() for c in self.criteria]


def _pct(bp: int) -> str:
    return f"{bp // 100}.{bp % 100:02d}%"


def _share(part: int, whole: int) -> str:
    """A percentage to four decimals, rounded half up, for reading (the test itself is exact)."""
    percent = Decimal(part * 100) / Decimal(whole)
    return f"{percent.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}%"


def _named(spec: CriterionSpec) -> dict[str, object]:
    """What every result of the criterion repeats from it."""
    said = (spec.code, spec.label, spec.label_en, spec.blocking, spec.source.value)
    return dict(zip(("criterion", "label", "label_en", "blocking", "source"), said, strict=True))


def _incidence(spec: CriterionSpec, facts: AreaFacts) -> CriterionResult:
    assert spec.comparison is not None
    assert spec.threshold is not None
    rural = facts.rural_population
    base = _named(spec)
    rule = f"{_WORDS[spec.comparison]} {_pct(spec.threshold)}"
    rule_zh = f"{_WORDS_ZH[spec.comparison]}{_pct(spec.threshold)}"
    if not rural:
        return CriterionResult(
            **base,  # type: ignore[arg-type]
            passed=False,
            detail=f"rural population not recorded: incidence cannot be computed (must be {rule})",
            detail_zh=f"未录入农村人口数，无法计算贫困发生率（须{rule_zh}）",
            threshold=spec.threshold,
            comparison=spec.comparison.value,
        )
    # poor / rural vs threshold / 10,000, cross-multiplied: exact, no rounding (3.00% passes
    # 以下 3%, 3.01% does not).
    passed = compare(facts.poor_persons * 10_000, spec.comparison, spec.threshold * rural)
    share = _share(facts.poor_persons, rural)
    return CriterionResult(
        **base,  # type: ignore[arg-type]
        passed=passed,
        detail=f"incidence {facts.poor_persons} poor / {rural} rural = {share} "
        f"({'meets' if passed else 'does not meet'}: must be {rule})",
        detail_zh=f"贫困发生率：贫困人口{facts.poor_persons}人 / 农村人口{rural}人 = {share}"
        f"（{'已达到' if passed else '未达到'}：须{rule_zh}）",
        value=f"{facts.poor_persons}/{rural}",
        threshold=spec.threshold,
        comparison=spec.comparison.value,
    )


def _declared(spec: CriterionSpec, facts: AreaFacts) -> CriterionResult:
    base = _named(spec)
    weighed = "" if spec.blocking else " (weighed by the signers, does not block alone)"
    weighed_zh = "" if spec.blocking else "（由签字人员统筹考虑，不单独否决）"
    fact = facts.declared.get(spec.code)
    if fact is None:
        return CriterionResult(
            **base,  # type: ignore[arg-type]
            passed=False,
            detail=f"not declared: state {spec.label_en or spec.label} with evidence references{weighed}",
            detail_zh=f"尚未申报：请申报“{spec.label}”并附佐证材料{weighed_zh}",
            threshold=spec.threshold,
            comparison=spec.comparison.value if spec.comparison else None,
        )
    if spec.measure is Measure.FLAG:
        passed = fact.value is True
        detail = f"declared {'yes' if passed else 'no'}: {spec.label_en or spec.label}"
        detail_zh = f"申报为“{'是' if passed else '否'}”：{spec.label}"
    else:
        assert spec.comparison is not None
        assert spec.threshold is not None
        amount = int(fact.value)
        recorded = facts.recorded_amounts.get(spec.code)
        passed = compare(amount, spec.comparison, spec.threshold)
        detail = f"declared {yuan_en(amount)}, must be {_WORDS[spec.comparison]} {yuan_en(spec.threshold)}"
        detail_zh = f"申报{yuan_zh(amount)}，须{_WORDS_ZH[spec.comparison]}{yuan_zh(spec.threshold)}"
        if recorded is not None and recorded != amount:
            # the registry holds the year's figure: a declaration cannot say otherwise
            passed = False
            detail += f"; the registry records {yuan_en(recorded)} for the year, not the declared amount"
            detail_zh += f"；系统记录的当年数为{yuan_zh(recorded)}，与申报数不符"
    return CriterionResult(
        **base,  # type: ignore[arg-type]
        passed=passed,
        detail=f"{detail} ({len(fact.evidence)} evidence reference(s)){weighed}",
        detail_zh=f"{detail_zh}（佐证材料{len(fact.evidence)}项）{weighed_zh}",
        value=fact.value,
        threshold=spec.threshold,
        comparison=spec.comparison.value if spec.comparison else None,
        evidence=fact.evidence,
        declared=True,
    )


def assess_area_exit(facts: AreaFacts, policy: AreaExitPolicy) -> AreaEligibility:
    """Each criterion of the policy, in the policy's order, with whether it passed and why."""
    results = []
    for spec in policy.criteria:
        if spec.measure is Measure.INCIDENCE:
            results.append(_incidence(spec, facts))
        else:  # every other criterion is declared (CriterionSpec refuses anything else)
            results.append(_declared(spec, facts))
    return AreaEligibility(criteria=tuple(results))


def check_declarations(policy: AreaExitPolicy, declared: Mapping[str, Declared]) -> list[tuple[str, str]]:
    """Problems with the declared facts themselves (malformed input, answered 422), each in English
    and in Chinese: a fact for a criterion the policy does not name or computes itself, a wrong
    type, no evidence."""
    specs = {c.code: c for c in policy.criteria}
    problems = []
    for code, fact in declared.items():
        spec = specs.get(code)
        name = f"“{spec.label}”" if spec else ""
        if spec is None:
            problems.append(
                (
                    f"{code}: not a criterion of this policy ({', '.join(specs)})",
                    f"“{code}”不是本地区退出标准中的一项（可申报：{'、'.join(specs)}）",
                )
            )
        elif spec.source is not Source.DECLARED:
            problems.append(
                (
                    f"{code}: computed from the registry, it cannot be declared",
                    f"{name}由系统按建档立卡数据计算，不能申报",
                )
            )
        elif spec.measure is Measure.FLAG and not isinstance(fact.value, bool):
            problems.append((f"{code}: a yes/no fact (true or false)", f"{name}应填是或否（true 或 false）"))
        elif spec.measure is Measure.AMOUNT and (isinstance(fact.value, bool) or fact.value < 0):
            problems.append(
                (f"{code}: an amount in fen (an integer ≥ 0)", f"{name}应为金额（分），不小于0的整数")
            )
        elif not [e for e in fact.evidence if e.strip()]:
            problems.append((f"{code}: at least one evidence reference", f"{name}须至少附一项佐证材料"))
    return problems


def label_words(label: str, label_en: str | None = None) -> tuple[str, str | None]:
    """A criterion's label in Chinese and in English. A record kept before the two were apart reads
    "有硬化路 (a hardened road)": the English in brackets is its English, the rest its Chinese."""
    zh, bracket, rest = label.partition(" (")
    if label_en is None and bracket and rest.endswith(")") and zh:
        return zh, rest[:-1]
    return label, label_en
