"""The funds service's request fields as its forms name them (shared/labels.py)."""

from __future__ import annotations

from shared.labels import FieldLabels

__all__ = ["LABELS"]

LABELS = FieldLabels(
    fields={
        "code": "代码",
        "account_code": "账户",
        "from_account": "付款账户",
        "to_account": "收款账户",
        "beneficiary_kind": "受益对象类别",
        "beneficiary_id": "受益对象",
        "plan_id": "分配计划",
        "component": "资金项目",
        "project_id": "项目",
        "budget_fen": "预算（分）",
        "notice_days": "公示天数",
        "published_on": "公示日期",
        "content": "内容",
        "category": "类别",
        "enterprise_kind": "经营主体类别",
        "rate_bp": "比例（万分之）",
        "paid_on": "拨付日期",
        "postings": "分录",
        "lines": "明细",
    },
    items={"postings": "条", "lines": "条"},
)
