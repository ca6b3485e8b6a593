"""Which registry policy applies to an area in a year: pure resolution over policy records.

Records are layered: a record for a shorter area prefix (the nation "", a province "62") is
overridden field by field by records for longer prefixes (a county "440783"); within one prefix
the latest year not after the requested year wins. A field left ``None`` inherits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

__all__ = [
    "ApprovalStep",
    "IncomeThreshold",
    "NoPolicy",
    "PolicyRecord",
    "RegistryPolicy",
    "resolve_policy",
    "threshold_in_force",
]


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    """One signed step of the return-to-poverty chain: who (role) decides, at which area level."""

    code: str
    role: str
    level: str  # an AreaLevel value: the signer's area must be exactly this level


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    area_prefix: str  # "" = nationwide default
    year: int
    source: str  # where the numbers come from (seed file or "outside the seeds")
    exit_line_fen: int | None = None  # per-capita yearly net income the household must be above
    notice_min_days: int | None = None  # public notice lasts at least this many days (以上: inclusive)
    large_debt_limit_fen: int | None = None  # a debt at or above this blocks exit (5万元以上: inclusive)
    batch_set: str | None = None  # name of the batch set ("national_five", ...)
    batches: tuple[str, ...] | None = None  # the batch codes of that set
    exit_incidence_threshold_bp: int | None = None  # basis points; 300 = 3% (3%以下: met at exactly 3%)
    policies_kept_until: date | None = None  # exited households keep their policies until this date
    relapse_chain: tuple[ApprovalStep, ...] | None = None
    # village collective operating income threshold (seed 002): a village with income under it is
    # weak (薄弱村); ``inclusive`` says whether exactly the threshold is weak too (以下: yes, 低于: no).
    # Optional: a place without such a programme has none. Set together or not at all.
    weak_village_income_fen: int | None = None
    weak_village_income_inclusive: bool | None = None
    # a date a clerk types (review, notice start, objection, import registration) may lie up to
    # this many days back as an ordinary entry; further back is a late entry (补录): reason + a
    # higher role, audited and shown on the public board (shared.backdating)
    backdate_tolerance_days: int | None = None


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
    policies_kept_until: date
    relapse_chain: tuple[ApprovalStep, ...]
    sources: tuple[str, ...]
    weak_village_income_fen: int | None = None
    weak_village_income_inclusive: bool | None = None
    backdate_tolerance_days: int = 0


class NoPolicy(LookupError):
    """No record supplies a value for some field: the policy table is incomplete."""


_VALUE_FIELDS = tuple(f.name for f in fields(PolicyRecord) if f.name not in {"area_prefix", "year", "source"})
# optional: unset thresholds mean "no such programme"; an unset backdate tolerance means 0 days
_OPTIONAL_FIELDS = frozenset(
    {"weak_village_income_fen", "weak_village_income_inclusive", "backdate_tolerance_days"}
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
    sources: list[str] = []
    for record in applicable:  # later (more specific, more recent) records override earlier ones
        used = False
        for name in _VALUE_FIELDS:
            value = getattr(record, name)
            if value is not None:
                merged[name] = value
                used = True
        if used:
            sources.append(f"{record.area_prefix or 'national'}/{record.year}: {record.source}")
    missing = [name for name in _VALUE_FIELDS if name not in merged and name not in _OPTIONAL_FIELDS]
    if missing:
        raise NoPolicy(f"no registry policy for {area_code} in {year} sets {', '.join(missing)}")
    return RegistryPolicy(area_code=area_code, year=year, sources=tuple(sources), **merged)  # type: ignore[arg-type]
