"""Poverty-alleviation projects (扶贫项目): approved by the county, funded from its integrated pool.

"Many channels in, one tap out": sources pay into the county's integrated account; projects are
paid out of it, each within its approved budget.
"""

from __future__ import annotations

from services.funds.errors import ProjectTransitionRefused
from services.funds.vocabulary import PROJECT_STATUSES as STATUS_LABELS

__all__ = [
    "PROJECT_STATUSES",
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
    if target not in TRANSITIONS.get(current, frozenset()):
        raise ProjectTransitionRefused(
            f"A {current} project cannot become {target}",
            detail_zh=f"项目当前状态为“{STATUS_LABELS.get(current, current)}”，"
            f"不能转为“{STATUS_LABELS.get(target, target)}”",
            current=current,
            target=target,
            allowed=sorted(TRANSITIONS.get(current, frozenset())),
        )
