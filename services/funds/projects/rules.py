"""Poverty-alleviation projects (扶贫项目): approved by the county, funded from its integrated pool.

"Many channels in, one tap out": sources pay into the county's integrated account; projects are
paid out of it, each within its approved budget.
"""

from __future__ import annotations

from shared.errors import Conflict

__all__ = ["PROJECT_STATUSES", "TRANSITIONS", "ProjectTransitionRefused", "check_transition"]

PROJECT_STATUSES = ("proposed", "approved", "in_progress", "completed", "cancelled")

TRANSITIONS = {
    "proposed": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"completed"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}


class ProjectTransitionRefused(Conflict):
    type_slug = "project-transition-refused"
    title = "The project cannot move to that status"
    title_zh = "项目不能转到该状态"
    hint_zh = "先查看项目当前状态，按立项、审批、实施、验收的顺序办理"
    hint_en = "Check the project's status and follow the order of steps"


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise ProjectTransitionRefused(
            f"A {current} project cannot become {target}",
            current=current,
            target=target,
            allowed=sorted(TRANSITIONS.get(current, frozenset())),
        )
