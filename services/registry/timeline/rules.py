"""A household's path as a clerk reads it (pure): the Chinese name of each step, why it was taken,
what another service's event says about the household, and the next steps its status allows.

The registry's own steps are its audit records of the household (who, when, before/after); the
other services' steps come from their events, kept in ``household_timeline_entry``. Payload fields
are read by name and defensively (a missing field is a missing detail, never an error), so the
services may add fields without breaking the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.funds import events as funds
from services.inspection import events as inspection
from services.pairing import events as pairing
from services.registry.identification.rules import TRANSITIONS, Action
from services.registry.vocabulary import (
    RELAPSE_CAUSE_LABELS,
    HouseholdStatus,
    JoinReason,
    LeaveReason,
    MoveReason,
    ReviewResult,
)

STEP_LABELS: dict[str, str] = {
    # registry: identification
    "household.candidate_created": "录入候选户",
    "household.submit_review": "提交村民主评议",
    "household.record_review": "记录民主评议结果",
    "household.start_notice": "开始公示",
    "household.objection_lodged": "受理公示异议",
    "household.objection_resolved": "处理公示异议",
    "household.confirm": "农户签字确认",
    "household.register": "批准建档立卡",
    "household.reject": "不予认定",
    "household.remove": "剔除",
    # registry: changes
    "household.attributes_changed": "变更家庭信息",
    "household.member_added": "新增家庭成员",
    "household.member_removed": "减少家庭成员",
    "household.head_changed": "变更户主",
    "household.split": "分户",
    "household.merged": "合户",
    "household.moved": "迁移",
    "household.income_recorded": "登记年人均纯收入",
    "household.debt_recorded": "登记负债",
    "household.debt_settled": "负债结清",
    # registry: exit and relapse
    "household.exit_requested": "申请脱贫退出",
    "household.exited": "脱贫退出",
    "household.exit_returned": "退出申请被退回",
    "household.relapsed": "返贫，重新纳入帮扶",
    "household.reidentification": "返贫，重新识别",
    # other services
    "pairing.pairing.opened.v1": "结对帮扶开始",
    "pairing.pairing.closed.v1": "结对帮扶结束",
    "pairing.visit.recorded.v1": "帮扶干部走访",
    "pairing.visit.recorded.v2": "帮扶干部走访",
    "pairing.coverage.gap_detected.v1": "发现帮扶缺口",
    "funds.disbursement.recorded.v1": "收到扶贫资金",
    "funds.disbursement.reversed.v1": "扶贫资金冲回",
    "funds.anomaly.detected.v1": "资金使用疑点",
    "inspection.finding.raised.v1": "督查发现问题",
    "inspection.finding.rectified.v1": "问题整改完成",
}
SOURCE_LABELS = {"registry": "建档立卡", "pairing": "结对帮扶", "funds": "扶贫资金", "inspection": "督查考核"}
_WHY_KEYS = ("reason", "cause", "note", "review_result", "result", "change", "kind")

# the events the timeline keeps, by the service that sends them (their contracts: the producers'
# events.py — importing them is what lets this consumer parse and check them)
CONSUMED = (
    pairing.PairingOpened.type,
    pairing.PairingClosed.type,
    pairing.VisitRecorded.type,  # events published before version 2 (no satisfaction)
    pairing.VisitRecordedV2.type,
    pairing.CoverageGapDetected.type,
    funds.DisbursementRecorded.type,
    funds.DisbursementReversed.type,
    funds.AnomalyDetected.type,
    inspection.FindingRaised.type,
    inspection.FindingRectified.type,
)
_HOUSEHOLD_GAPS = ("household_without_cadre", "visit_overdue")


def label(step: str) -> str:
    return STEP_LABELS.get(step, step)


# Reasons recorded as codes, as a clerk reads them (the registry's lists and pairing's end reasons,
# PairingClosed.reason); words a clerk typed are shown as typed.
_WHY_ZH: dict[str, str] = {
    **{m.value: m.label for v in (JoinReason, LeaveReason, MoveReason, ReviewResult) for m in v},
    **RELAPSE_CAUSE_LABELS,
    "household_removed": "户已清退",
    "household_moved": "户已迁走",
    "handed_over": "工作交接",
    "helper_left": "帮扶干部离岗",
    "policy_period_over": "政策享受期满",
}


def why_zh(why: str | None) -> str | None:
    """``why`` as a clerk reads it: a code's Chinese label, else the words as given."""
    return None if why is None else _WHY_ZH.get(why, why)


def why(after: dict[str, Any] | None) -> str | None:
    """The reason a registry step gives, if it recorded one."""
    for key in _WHY_KEYS:
        value = (after or {}).get(key)
        if isinstance(value, str) and value:
            return value
    return None


@dataclass(frozen=True)
class Learned:
    """What an event of another service tells the timeline: the household (or the ref of an earlier
    entry that names it), who acted, what later events will call it, and the details to show."""

    household_id: str | None
    actor: str | None
    ref: str | None
    detail: dict[str, Any]
    via_ref: str | None = None  # the household is the one of the entry with this ref


def _s(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _pick(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: data[k] for k in keys if data.get(k) is not None}


def learn(event_type: str, data: dict[str, Any]) -> Learned | None:
    """None: the event is not about one household (a village pairing, a payment to a project)."""
    if event_type in ("pairing.pairing.opened.v1", "pairing.pairing.closed.v1"):
        if data.get("target_type") != "household":
            return None
        return Learned(
            _s(data, "target_id"),
            _s(data, "helper_sub") or _s(data, "helper_id"),
            _s(data, "pairing_id"),
            _pick(data, "kind", "helper_id", "started_on", "ended_on", "reason"),
        )
    if event_type in pairing.VISIT_RECORDED_TYPES:
        return Learned(
            _s(data, "household_id"),
            _s(data, "cadre_id"),
            _s(data, "visit_id"),
            _pick(data, "visited_on", "kind", "satisfaction"),
        )
    if event_type == "pairing.coverage.gap_detected.v1":
        if data.get("kind") not in _HOUSEHOLD_GAPS:
            return None
        return Learned(_s(data, "subject_id"), None, _signal("pairing", data), _pick(data, "kind", "detail"))
    if event_type == "funds.disbursement.recorded.v1":
        if data.get("beneficiary_kind") != "household":
            return None
        return Learned(
            _s(data, "beneficiary_id"), None, _s(data, "disbursement_id"), _pick(data, "amount_fen", "year")
        )
    if event_type == "funds.disbursement.reversed.v1":
        return Learned(
            None,
            None,
            None,
            _pick(data, "disbursement_id", "amount_fen", "reason"),
            via_ref=_s(data, "disbursement_id"),
        )
    if event_type == "funds.anomaly.detected.v1":
        detail = data.get("detail") if isinstance(data.get("detail"), dict) else {}
        household = _s(detail, "household_id") if detail else None
        if household is None:
            return None
        return Learned(household, None, _signal("funds", data), _pick(data, "kind", "amount_fen"))
    if event_type == "inspection.finding.raised.v1":
        signal = _s(data, "source_signal")
        if not signal:
            return None  # raised by an inspector about a place, not traced to a household
        return Learned(
            None,
            None,
            _s(data, "finding_id"),
            _pick(data, "category", "severity", "deadline"),
            via_ref=signal,
        )
    if event_type == "inspection.finding.rectified.v1":
        return Learned(None, None, None, _pick(data, "finding_id"), via_ref=_s(data, "finding_id"))
    return None


def _signal(service: str, data: dict[str, Any]) -> str | None:
    """How inspection names the signal it raised a finding from: ``<service>:<signal_key>``
    (inspection.signals.rules.source_key), whatever the key itself starts with."""
    key = _s(data, "signal_key")
    return None if key is None else f"{service}:{key}"


# ---- next actions --------------------------------------------------------------------------------

# where each step of the state machine is taken (method, path under /registry/v1); None: no
# clerk takes it — inspection's sign-off decides an exit and sends its event
ACTION_ROUTES: dict[Action, tuple[str, str] | None] = {
    Action.SUBMIT_REVIEW: ("POST", "/households/{household_id}/review-submission"),
    Action.RECORD_REVIEW: ("POST", "/households/{household_id}/review"),
    Action.START_NOTICE: ("POST", "/households/{household_id}/notice"),
    Action.LODGE_OBJECTION: ("POST", "/households/{household_id}/objections"),
    Action.RESOLVE_OBJECTION: ("POST", "/households/{household_id}/objections/{objection_id}/resolution"),
    Action.CONFIRM: ("POST", "/households/{household_id}/confirmation"),
    Action.REGISTER: ("POST", "/households/{household_id}/registration"),
    Action.REJECT: ("POST", "/households/{household_id}/rejection"),
    Action.REMOVE: ("POST", "/households/{household_id}/removal"),
    Action.REQUEST_EXIT: ("POST", "/households/{household_id}/exit-requests"),
    Action.VERIFY_EXIT: None,
    Action.RETURN_EXIT: None,
    Action.RELAPSE: ("POST", "/households/{household_id}/relapse-cases"),
    Action.REIDENTIFY: ("POST", "/households/{household_id}/reidentification"),
}
ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT_REVIEW: "提交村民主评议",
    Action.RECORD_REVIEW: "记录民主评议结果",
    Action.START_NOTICE: "开始公示",
    Action.LODGE_OBJECTION: "受理公示异议",
    Action.RESOLVE_OBJECTION: "处理公示异议",
    Action.CONFIRM: "农户签字确认",
    Action.REGISTER: "批准建档立卡",
    Action.REJECT: "不予认定",
    Action.REMOVE: "剔除",
    Action.REQUEST_EXIT: "申请脱贫退出",
    Action.VERIFY_EXIT: "核验退出（督查考核部门）",
    Action.RETURN_EXIT: "退回退出申请（督查考核部门）",
    Action.RELAPSE: "返贫监测：登记返贫",
    Action.REIDENTIFY: "返贫：重新识别",
}


@dataclass(frozen=True)
class NextAction:
    action: str
    label_zh: str
    method: str | None
    path: str | None
    roles: tuple[str, ...]
    leads_to: str | None  # the status after it (None: stays)


def next_actions(
    status: HouseholdStatus, household_id: str, roles_of: dict[tuple[str, str], tuple[str, ...]]
) -> list[NextAction]:
    """The steps the state machine (identification.rules.TRANSITIONS) allows from ``status``,
    each with where it is taken and the roles its route lets through (``roles_of``: read from the
    routes themselves). The guards a status cannot show (notice days, open objections, exit
    criteria) are checked when the step is submitted."""
    out: list[NextAction] = []
    for action, (allowed_from, to) in TRANSITIONS.items():
        if status not in allowed_from:
            continue
        where = ACTION_ROUTES.get(action)
        method, path = where if where else (None, None)
        roles = roles_of.get(where, ()) if where else ("inspection",)
        out.append(
            NextAction(
                action=action.value,
                label_zh=ACTION_LABELS[action],
                method=method,
                path=path.replace("{household_id}", household_id) if path else None,
                roles=roles,
                leads_to=to.value if to is not None else None,
            )
        )
    return out
