"""The return-to-poverty approval chain (Kaiping, seed 004): each step by the right role at the right level.

The chain itself is policy data (``RegistryPolicy.relapse_chain``); this module only checks a
decision against it.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.registry.errors import RelapseStepNotYours, RelapseStepOutOfOrder
from services.registry.policies.rules import ApprovalStep

__all__ = ["check_step", "next_step", "plan_year_after"]


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
            detail_zh=f"下一步应为“{expected.code}”，不是“{step_code}”",
            next_step=expected.code,
        )
    if expected.role not in roles:
        raise RelapseStepNotYours(
            f"step '{expected.code}' must be decided by role '{expected.role}'", required_role=expected.role
        )
    if signer_level != expected.level:
        raise RelapseStepNotYours(
            f"step '{expected.code}' must be decided at {expected.level} level, not {signer_level}",
            required_level=expected.level,
        )
    return expected


def plan_year_after(decided_year: int) -> int:
    """A returned household 'enters next year's plan' (纳入下年度脱贫计划)."""
    return decided_year + 1
