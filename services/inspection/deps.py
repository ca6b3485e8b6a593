"""Typed dependencies of inspection's routes (defined once): who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.inspection.errors import EvaluatorOnly
from services.inspection.policies import presets
from shared.answers import AdminWrite, ConditionalWrite, PageRead, conditional_write, read_page
from shared.auth import Admin, CurrentUser, Principal, require_roles
from shared.clock import TodayDep

__all__ = [
    "Admin",
    "AdminWrite",
    "ComplaintIntake",
    "ComplaintReader",
    "ComplaintReaderPage",
    "Evaluator",
    "Inspector",
    "InspectorWrite",
    "Submitter",
    "TodayDep",
]

# Inspectors plan inspections, raise findings and run the yearly assessment.
_inspector = require_roles("inspector")
Inspector = Annotated[Principal, Depends(_inspector)]
# A change under If-Match by an inspector (the session, the caller, If-Match, the response).
InspectorWrite = Annotated[ConditionalWrite, Depends(conditional_write(_inspector))]
# Administrators set sign-off schemes: Admin, AdminWrite are the platform's (shared.auth, shared.answers).
# Offices that send their quarterly progress report upward.
Submitter = Annotated[Principal, Depends(require_roles(*presets.PROGRESS_REPORT_SUBMITTER_ROLES))]
# Complaints often name cadres; only these roles read them.
_complaint_reader = require_roles("complaint_handler", "inspector", "auditor")
ComplaintReader = Annotated[Principal, Depends(_complaint_reader)]
ComplaintReaderPage = Annotated[PageRead, Depends(read_page(_complaint_reader))]
ComplaintIntake = Annotated[Principal, Depends(require_roles("complaint_handler", "inspector"))]


async def _evaluator(user: CurrentUser) -> Principal:
    # Evaluator only: not even admins see who is sampled (the sample must stay blind).
    if "evaluator" not in user.roles:
        raise EvaluatorOnly(
            "This needs the evaluator role.", detail_zh="这一操作需要第三方评估（evaluator）角色"
        )
    return user


Evaluator = Annotated[Principal, Depends(_evaluator)]
