"""The inspection service's request fields as its forms name them (shared/labels.py)."""

from __future__ import annotations

from shared.labels import FieldLabels

__all__ = ["LABELS"]

LABELS = FieldLabels(
    fields={
        "category": "类别",
        "severity": "严重程度",
        "description": "问题描述",
        "responsible_unit": "责任单位",
        "responsible_person": "责任人",
        "deadline": "整改期限",
        "summary": "举报摘要",
        "details": "举报内容",
        "anonymous": "是否匿名",
        "complainant": "举报人",
        "phone": "电话",
        "received_on": "受理日期",
        "urgency": "紧急程度",
        "role": "身份",
        "team": "督查组成员",
        "target_areas": "督查地区",
        "starts_on": "开始日期",
        "ends_on": "结束日期",
        "verdict": "评估结论",
        "qualitative_score": "定性评价得分",
        "correction_reason": "更正原因",
    },
    items={"team": "人", "target_areas": "个"},
)
