"""Yearly assessment of a county, township or village (seed 001 二(一): quantitative and
qualitative, with third-party results), and who is admonished when the reduction target is
missed (seed 000: county party and government heads; seed 004: the village's pairing cadre).

Every indicator is a ratio in [0, 1] worth ``weight`` points; the score is the weighted sum.
An input nobody provided scores 0 and is listed in ``missing`` so the reader sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from services.inspection.policies.presets import AssessmentPolicy

__all__ = ["AreaFacts", "Assessment", "Indicator", "admonished_positions", "assess"]


@dataclass(frozen=True)
class AreaFacts:
    area_code: str
    level: str
    year: int
    target_people: int | None  # people the area must lift out of poverty this year
    exited_people: int
    poor_population: int  # registered poor people still in the roll at assessment time
    rural_population: int
    planned_fen: int
    disbursed_fen: int
    registered_households: int
    paired_households: int
    visited_households: int
    findings_due: int  # findings whose deadline fell in the year
    findings_on_time: int  # of those, rectified (report filed) on or before the deadline
    qualitative_score: int | None = None  # 0..100, the assessors' judgement
    third_party_checked: int = 0
    third_party_errors: int = 0  # wrongly exited + wrongly left out


@dataclass(frozen=True)
class Indicator:
    name: str
    numerator: int
    denominator: int
    ratio: Fraction
    points: Fraction


@dataclass(frozen=True)
class Assessment:
    area_code: str
    year: int
    indicators: tuple[Indicator, ...]
    score: Fraction
    rating: str
    incidence_rate: Fraction
    missed_target: bool
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def score_text(self) -> str:
        value = Decimal(self.score.numerator) / Decimal(self.score.denominator)
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _share(part: int, whole: int, empty: Fraction = Fraction(1)) -> Fraction:
    """part / whole capped at 1; an area with nothing to do has done all of it."""
    return min(Fraction(part, whole), Fraction(1)) if whole > 0 else empty


def _part_of(part: int, whole: int, empty: Fraction = Fraction(1)) -> tuple[int, int, Fraction]:
    """An indicator's numerator, denominator and their share (see _share)."""
    return part, whole, _share(part, whole, empty)


def assess(facts: AreaFacts, policy: AssessmentPolicy) -> Assessment:
    missing: list[str] = []
    incidence = (
        Fraction(facts.poor_population, facts.rural_population) if facts.rural_population else Fraction(0)
    )
    if facts.rural_population <= 0:
        missing.append("rural_population")

    if facts.target_people is None:
        missing.append("reduction_target")
        reduction = Fraction(0)
    else:
        reduction = _share(facts.exited_people, facts.target_people)
    if facts.qualitative_score is None:
        missing.append("qualitative")
    if facts.third_party_checked == 0:
        missing.append("third_party")

    rows: dict[str, tuple[int, int, Fraction]] = {
        "reduction": (facts.exited_people, facts.target_people or 0, reduction),
        # 降至3%以下 includes 3%: met at exactly the ceiling.
        "incidence": (
            facts.poor_population,
            facts.rural_population,
            Fraction(1) if facts.rural_population and incidence <= policy.incidence_ceiling else Fraction(0),
        ),
        "disbursement": _part_of(facts.disbursed_fen, facts.planned_fen),
        "pairing_coverage": _part_of(facts.paired_households, facts.registered_households),
        "visit_rate": _part_of(facts.visited_households, facts.registered_households),
        "rectification_on_time": _part_of(facts.findings_on_time, facts.findings_due),
        "qualitative": (facts.qualitative_score or 0, 100, Fraction(facts.qualitative_score or 0, 100)),
        "third_party": _part_of(
            facts.third_party_checked - facts.third_party_errors, facts.third_party_checked, Fraction(0)
        ),
    }
    indicators = tuple(
        Indicator(name, num, den, ratio, ratio * policy.weights[name])
        for name, (num, den, ratio) in rows.items()
    )
    score = sum((i.points for i in indicators), Fraction(0))
    rating = next(name for name, floor in policy.bands if score >= floor)
    missed = facts.target_people is not None and facts.exited_people < facts.target_people
    return Assessment(
        area_code=facts.area_code,
        year=facts.year,
        indicators=indicators,
        score=score,
        rating=rating,
        incidence_rate=incidence,
        missed_target=missed,
        missing=tuple(missing),
    )


def admonished_positions(
    level: str, missed_target: bool, table: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    return table.get(level, ()) if missed_target else ()
