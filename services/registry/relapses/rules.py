"""The return-to-poverty approval chain (Kaiping, seed 004): each step by the right role at the right level.

The chain itself is policy data (``RegistryPolicy.relapse_chain``); this module only checks a
decision against it.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.registry.errors import RelapseStepNotYours, RelapseStepOutOfOrder
from services.registry.labels import LABELS
from services.registry.policies.rules import ApprovalStep
from shared.areas import LEVEL_ZH

__all__ = ["check_step", "next_step", "plan_year_after", "step_zh"]

# The chain's steps as the seeds name them (seed 004: 镇农办、民政认定 → 镇扶贫办申请 → 市扶贫部门审核
# → 江门市级扶贫部门审定) and the roles that decide them are words, kept as data in labels.json
# "codes" (for these refusals and for the 422s that list codes); a step a policy adds later shows its code.
_ZH = LABELS.codes


def step_zh(code: str) -> str:
    return _ZH.get(code, code)


def next_step(chain: Sequence[ApprovalStep], done: Sequence[str]) -> ApprovalStep | None:
    if len(done) >= len(chain):
        return None
    return chain[len(done)]


def check_step(
    chain: Sequence[ApprovalStep],
    done: Sequence[str],
    *,
    step_code: str,
    roles: frozenset[str],
    signer_level: str,
) -> ApprovalStep:
    """Return the step being decided, or refuse: out of order → 409, wrong role or level → 403."""
    expected = next_step(chain, done)
    if expected is None:
        raise RelapseStepOutOfOrder(
            "every step of this case is already decided", detail_zh="该申请的各审批步骤都已办理"
        )
    if step_code != expected.code:
        raise RelapseStepOutOfOrder(
            f"the next step is '{expected.code}', not '{step_code}'",
            detail_zh=f"下一步应为“{step_zh(expected.code)}”，不是“{step_zh(step_code)}”",
            next_step=expected.code,
        )
    if expected.role not in roles:
        raise RelapseStepNotYours(
            f"step '{expected.code}' must be decided by role '{expected.role}'",
            detail_zh=f"“{step_zh(expected.code)}”须由{_ZH.get(expected.role, expected.role)}办理",
            required_role=expected.role,
        )
    if signer_level != expected.level:
        raise RelapseStepNotYours(
            f"step '{expected.code}' must be decided at {expected.level} level, not {signer_level}",
            detail_zh=f"“{step_zh(expected.code)}”须由{LEVEL_ZH.get(expected.level, expected.level)}级办理，"
            f"您的账号属于{LEVEL_ZH.get(signer_level, signer_level)}级",
            required_level=expected.level,
        )
    return expected


def plan_year_after(decided_year: int) -> int:
    """A returned household 'enters next year's plan' (纳入下年度脱贫计划)."""
    return decided_year + 1
