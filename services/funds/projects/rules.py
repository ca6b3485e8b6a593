"""Poverty-alleviation projects (扶贫项目): approved by the county, funded from its integrated pool.

"Many channels in, one tap out": sources pay into the county's integrated account; projects are
paid out of it, each within its approved budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.funds.errors import ProjectTransitionRefused
from services.funds.vocabulary import PROJECT_STATUSES as STATUS_LABELS

__all__ = [
    "COUNTED_PROJECT_STATUSES",
    "PROJECT_STATUSES",
    "IndustryParticipationRule",
    "without_enough_projects",
    "TRANSITIONS",
    "check_transition",
]

PROJECT_STATUSES = ("proposed", "approved", "in_progress", "completed", "cancelled")

TRANSITIONS = {
    "proposed": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"completed"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}


def check_transition(current: str, target: str) -> None:
    """A refused change says, in the clerk's words too, what the project may still become."""
    allowed = sorted(TRANSITIONS.get(current, frozenset()))
    if target not in allowed:
        words = [STATUS_LABELS.get(code, code) for code in allowed]
        then_zh = "可转为" + "或".join(f"“{w}”" for w in words) if words else "已不能再转为其他状态"
        then_en = f"it can become {' or '.join(allowed)}" if allowed else "it cannot change any more"
        raise ProjectTransitionRefused(
            f"A {current} project cannot become {target}; {then_en}",
            detail_zh=f"项目当前状态为“{STATUS_LABELS.get(current, current)}”，"
            f"不能转为“{STATUS_LABELS.get(target, target)}”；{then_zh}",
            current=current,
            target=target,
            allowed=allowed,
            allowed_labels=words,
        )


# A cancelled project is no project a household develops or joins; every other status counts.
COUNTED_PROJECT_STATUSES = ("proposed", "approved", "in_progress", "completed")


@dataclass(frozen=True, slots=True)
class IndustryParticipationRule:
    """The households a place helps (registered ones tagged with one of ``batches`` under
    ``area_prefix``) each develop or join at least ``min_projects`` projects of ``categories``."""

    area_prefix: str
    batches: tuple[str, ...]
    categories: tuple[str, ...]
    min_projects: int
    source: str

    def covers(self, area_code: str) -> bool:
        return area_code.startswith(self.area_prefix)

    def applies_to(self, batches: Sequence[str]) -> bool:
        return any(b in self.batches for b in batches)


def without_enough_projects(rule: IndustryParticipationRule, projects: Mapping[str, int]) -> list[str]:
    """The households (id -> how many of the rule's projects they are in) below the rule's minimum."""
    return sorted(h for h, n in projects.items() if n < rule.min_projects)
