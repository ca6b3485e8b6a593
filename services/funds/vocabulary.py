"""The funds service's code lists with the Chinese a notice board or report prints
(served at GET /funds/v1/vocabulary)."""

from __future__ import annotations

from shared.vocabulary import CodeList, code_labels, vocabularies

__all__ = ["CODE_LABELS", "NOTICE_STATES", "PROJECT_STATUSES", "VOCABULARIES"]

PROJECT_STATUSES = CodeList(
    "project_status",
    "项目状态",
    {
        "proposed": "拟立项",
        "approved": "已批复",
        "in_progress": "实施中",
        "completed": "已完工",
        "cancelled": "已取消",
    },
)
NOTICE_STATES = CodeList(
    "notice_state",
    "公示状态",
    {"scheduled": "待公示", "running": "公示中", "ended": "公示期满", "closed": "已结束"},
)
BENEFICIARY_KINDS = CodeList(
    "beneficiary_kind", "受益对象类别", {"household": "农户", "village": "村集体", "project": "项目"}
)
ACCOUNT_KINDS = CodeList(
    "account_kind", "账户类别", {"source": "资金来源", "holding": "专户（资金池）", "payout": "拨付户"}
)
LEDGER_KINDS = CodeList("ledger_kind", "账务类别", {"receipt": "资金到账", "transfer": "资金划转"})
ENTERPRISE_KINDS = CodeList(
    "enterprise_kind", "经营主体类别", {"enterprise": "企业", "cooperative": "农民专业合作社"}
)

VOCABULARIES = vocabularies(
    PROJECT_STATUSES, NOTICE_STATES, BENEFICIARY_KINDS, ACCOUNT_KINDS, LEDGER_KINDS, ENTERPRISE_KINDS
)
CODE_LABELS = code_labels(VOCABULARIES)
