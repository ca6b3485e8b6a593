"""Complaints on the 12317 poverty-alleviation line (seed 002 十四).

received -> triaged (urgency sets the deadline) -> assigned -> resolved; triage may instead
dismiss a complaint outside the line's remit (with a reason). A named complainant is shown
only to the handling role; everyone else sees that a name exists, never whose it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from services.inspection.errors import ComplaintTransitionRefused
from services.inspection.lifecycle import Lifecycle
from services.inspection.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, URGENCIES
from shared.vocabulary import Choice, one_of_zh

__all__ = [
    "CATEGORY",
    "HANDLER_ROLE",
    "URGENCY",
    "ComplaintFacts",
    "ComplaintStats",
    "complainant_visible",
    "deadline_for",
    "is_overdue",
    "next_status",
    "statistics",
]

HANDLER_ROLE = "complaint_handler"
CATEGORY = Choice(
    COMPLAINT_CATEGORIES, "category", f"举报类别“{{value}}”不对，{one_of_zh(COMPLAINT_CATEGORIES)}"
)
URGENCY = Choice(URGENCIES, "urgency", "紧急程度“{value}”不对，应为紧急或一般")
# Statuses: received, triaged, assigned, resolved, dismissed.

_LIFECYCLE = Lifecycle(
    transitions={
        ("received", "triage"): "triaged",
        ("received", "dismiss"): "dismissed",
        ("triaged", "assign"): "assigned",
        ("assigned", "assign"): "assigned",  # reassignment keeps the deadline
        ("assigned", "resolve"): "resolved",
    },
    refused=ComplaintTransitionRefused,
    refused_en="A complaint that is {status} cannot take the action {action}.",
    refused_zh="状态为“{status}”的举报不能{action}",
    grade=URGENCY,
    status_zh=COMPLAINT_STATUSES,
    action_zh={"triage": "分级", "dismiss": "不予受理", "assign": "交办", "resolve": "办结"},
)
next_status = _LIFECYCLE.next_status
deadline_for = _LIFECYCLE.deadline_for  # from the triage day, by urgency


def complainant_visible(roles: frozenset[str]) -> bool:
    return HANDLER_ROLE in roles


@dataclass(frozen=True)
class ComplaintFacts:
    status: str
    category: str
    deadline: date | None
    resolved_on: date | None


def is_overdue(c: ComplaintFacts, today: date) -> bool:
    if c.deadline is None or c.status == "dismissed":
        return False
    finished = c.resolved_on if c.status == "resolved" else today
    return finished is not None and finished > c.deadline


@dataclass(frozen=True)
class ComplaintStats:
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    overdue: int
    resolved: int
    resolved_on_time: int


def statistics(complaints: list[ComplaintFacts], today: date) -> ComplaintStats:
    resolved = [c for c in complaints if c.status == "resolved"]
    return ComplaintStats(
        total=len(complaints),
        by_status=dict(sorted(Counter(c.status for c in complaints).items())),
        by_category=dict(sorted(Counter(c.category for c in complaints).items())),
        overdue=sum(is_overdue(c, today) for c in complaints),
        resolved=len(resolved),
        resolved_on_time=sum(not is_overdue(c, today) for c in resolved),
    )
