"""Third-party evaluation sample (seed 003 十: random checks of exited households).

Reproducible by anyone holding the published seed: each household is ranked by
SHA-256("<seed>:<household id>") and each village (the stratum) contributes its lowest-ranked
households. No generator state, no library version, no ordering of the input matters.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from services.inspection.policies.presets import SamplingPolicy
from services.inspection.vocabulary import VERDICTS
from shared.errors import InvalidInput
from shared.vocabulary import Choice

__all__ = [
    "VERDICT",
    "AreaErrorRates",
    "Candidate",
    "Verdict",
    "draw",
    "error_rates",
    "rate_text",
    "stratum_size",
]

VERDICT = Choice(VERDICTS, "verdict", "评估结论“{value}”不对，应为退出准确或错退")


@dataclass(frozen=True)
class Candidate:
    household_id: str
    village_code: str


@dataclass(frozen=True)
class Verdict:
    village_code: str
    verdict: str  # correct | wrongly_exited


@dataclass(frozen=True)
class AreaErrorRates:
    area_code: str
    checked: int
    wrongly_exited: int
    wrongly_left_out: int

    @property
    def wrongly_exited_rate(self) -> Fraction:
        return Fraction(self.wrongly_exited, self.checked) if self.checked else Fraction(0)

    @property
    def wrongly_left_out_rate(self) -> Fraction:
        return Fraction(self.wrongly_left_out, self.checked) if self.checked else Fraction(0)


def stratum_size(population: int, policy: SamplingPolicy) -> int:
    """ceil(population * rate), at least the policy minimum, never more than the stratum."""
    wanted = max(math.ceil(population * policy.rate), policy.min_per_village)
    return min(population, wanted)


def _rank(seed: str, household_id: str) -> str:
    return hashlib.sha256(f"{seed}:{household_id}".encode()).hexdigest()


def draw(candidates: list[Candidate], seed: str, policy: SamplingPolicy) -> list[Candidate]:
    """The sample, ordered by village then rank."""
    if not seed.strip():
        raise InvalidInput("The sample needs a published seed.", detail_zh="抽样须先公布随机种子")
    by_village: dict[str, list[Candidate]] = defaultdict(list)
    for c in {c.household_id: c for c in candidates}.values():
        by_village[c.village_code].append(c)
    sample: list[Candidate] = []
    for village in sorted(by_village):
        ranked = sorted(by_village[village], key=lambda c: _rank(seed, c.household_id))
        sample.extend(ranked[: stratum_size(len(ranked), policy)])
    return sample


def error_rates(
    verdicts: list[Verdict], left_out_by_village: dict[str, int], prefix_len: int
) -> list[AreaErrorRates]:
    """Roll verdicts up to areas of one level (prefix length 12 village, 9 township, 6 county).

    Wrongly exited (错退) = sampled exits the evaluator found not meeting the standard;
    wrongly left out (漏评) = poor households the evaluator found unregistered, both per
    household checked in the area.
    """
    checked: dict[str, int] = defaultdict(int)
    wrong: dict[str, int] = defaultdict(int)
    left: dict[str, int] = defaultdict(int)
    for v in verdicts:
        key = v.village_code[:prefix_len].ljust(12, "0")
        checked[key] += 1
        wrong[key] += v.verdict == "wrongly_exited"
    for village, n in left_out_by_village.items():
        left[village[:prefix_len].ljust(12, "0")] += n
    return [
        AreaErrorRates(area, checked[area], wrong[area], left[area])
        for area in sorted(set(checked) | set(left))
    ]


def rate_text(rate: Fraction) -> str:
    """A rate as a decimal string with four places (0.0833), for JSON without float drift."""
    value = Decimal(rate.numerator) / Decimal(rate.denominator)
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
