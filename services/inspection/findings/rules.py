"""A finding's life: open -> rectification submitted -> verified, or back to open when the
verifier rejects the rectification; and when an open finding is past its deadline, the
accountability records its lateness has earned (seed 004: bulletin, interview, discipline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.inspection.errors import FindingTransitionRefused
from services.inspection.lifecycle import Lifecycle
from services.inspection.policies.presets import EscalationStep
from services.inspection.vocabulary import FINDING_CATEGORIES, FINDING_STATUSES, SEVERITIES
from shared.errors import InvalidInput
from shared.vocabulary import Choice, one_of_zh

__all__ = [
    "CATEGORY",
    "SEVERITY",
    "RectificationState",
    "days_overdue",
    "FAKE_RECTIFICATION_KIND",
    "check_verification",
    "deadline_for",
    "subject_for",
    "due_escalations",
    "is_overdue",
    "next_status",
]

SEVERITY = Choice(SEVERITIES, "severity", "严重程度“{value}”不对，应为严重、较重或一般")
CATEGORY = Choice(FINDING_CATEGORIES, "category", f"问题类别“{{value}}”不对，{one_of_zh(FINDING_CATEGORIES)}")

# Statuses: open, submitted, verified. Actions: submit, accept, reject.

_LIFECYCLE = Lifecycle(
    transitions={
        ("open", "submit"): "submitted",
        ("submitted", "accept"): "verified",
        ("submitted", "reject"): "open",
    },
    refused=FindingTransitionRefused,
    refused_en="A finding that is {status} cannot be {action}ed.",
    refused_zh="状态为“{status}”的问题不能{action}",
    grade=SEVERITY,
    status_zh=FINDING_STATUSES,
    action_zh={"submit": "报送整改", "accept": "验收销号", "reject": "退回整改"},
)
next_status = _LIFECYCLE.next_status
deadline_for = _LIFECYCLE.deadline_for  # from the day it is raised, by severity


@dataclass(frozen=True)
class RectificationState:
    status: str  # open | submitted | verified
    deadline: date
    submitted_on: date | None  # last rectification report, if one is waiting or accepted


def is_overdue(state: RectificationState, today: date) -> bool:
    """Late means: the deadline has passed (超过) and no rectification came in on time.

    A report filed on or before the deadline stops the clock while it waits for verification;
    once rejected the finding is open again and lateness counts from the deadline.
    """
    if state.status == "verified":
        return False
    if (
        state.status == "submitted"
        and state.submitted_on is not None
        and state.submitted_on <= state.deadline
    ):
        return False
    return today > state.deadline


def days_overdue(state: RectificationState, today: date) -> int:
    return (today - state.deadline).days if is_overdue(state, today) else 0


# Seed 004 六: 弄虚作假 -> 依党纪政纪严肃追责, whatever the deadline.
FAKE_RECTIFICATION_KIND = "discipline_referral"


# An accountability record's reason, as the monthly bulletin prints it (its 问责原因 column).
def fake_rectification_reason(title: str, note: str) -> str:
    return f"“{title}”的整改弄虚作假：{note}"


def overdue_reason(title: str, days_late: int, deadline: date) -> str:
    return f"“{title}”整改逾期{days_late}天（整改期限{deadline.isoformat()}）"


def check_verification(accepted: bool, note: str, fake: bool) -> None:
    if not accepted and not note.strip():
        raise InvalidInput("Say why the rectification is not accepted.", detail_zh="不予验收须说明理由")
    if accepted and fake:
        raise InvalidInput(
            "A rectification found fake cannot be accepted.", detail_zh="发现整改弄虚作假的，不能验收"
        )


def subject_for(kind: str, unit: str, person: str | None) -> str:
    """A bulletin names the unit (通报 is of a unit's work); an interview or a discipline referral
    is of a person, the one named responsible when there is one."""
    if kind == "bulletin" or not person:
        return unit
    return f"{person} ({unit})"


def due_escalations(
    state: RectificationState,
    today: date,
    ladder: tuple[EscalationStep, ...],
    already: frozenset[str],
) -> list[str]:
    """Accountability kinds this finding has earned by ``today`` and not yet received, in order."""
    late = days_overdue(state, today)
    return [step.kind for step in ladder if late >= step.days_overdue and step.kind not in already]
