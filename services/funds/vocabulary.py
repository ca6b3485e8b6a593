"""The funds service's code lists with the Chinese a notice board or report prints
(served at GET /funds/v1/vocabulary)."""

from __future__ import annotations

from shared.vocabulary import CodeList, code_labels, vocabularies

__all__ = [
    "ACCOUNT_KINDS",
    "ANOMALY_KINDS",
    "BENEFICIARY_KINDS",
    "CODE_LABELS",
    "LEDGER_KINDS",
    "NOTICE_STATES",
    "OBJECTION_STATUSES",
    "PROJECT_CATEGORIES",
    "PROJECT_STATUSES",
    "VOCABULARIES",
]

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
# What a project is for, as a village board prints it. Free text stays allowed (a county's own word is
# kept and printed as typed); these codes are the ones reports and rules read (industry: seed 004 四(三)).
PROJECT_CATEGORIES = CodeList(
    "project_category",
    "项目类别",
    {
        "industry": "产业扶贫",
        "infrastructure": "基础设施建设",
        "housing": "住房改造",
        "collective_economy": "村集体经济",
        "education": "教育扶贫",
        "health": "健康扶贫",
        "employment": "就业扶贫",
    },
)
NOTICE_STATES = CodeList(
    "notice_state",
    "公示状态",
    {"scheduled": "待公示", "running": "公示中", "ended": "公示期满", "closed": "已结束"},
)
OBJECTION_STATUSES = CodeList("objection_status", "异议处理状态", {"open": "待处理", "resolved": "已处理"})
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
# What supervision found (GET /anomalies), in the words inspection titles its findings with.
_ANOMALY_WORDS = (
    ("non_registered_beneficiary", "向非建档立卡户发放扶贫资金"),
    ("exited_beneficiary", "向已退出户发放扶贫资金"),
    ("removed_beneficiary", "向已清退户发放扶贫资金"),
    ("duplicate_payment", "重复发放"),
    ("over_entitlement", "超标准发放"),
    ("idle_funds", "资金闲置"),
)
ANOMALY_KINDS = CodeList("anomaly_kind", "资金监管预警类别", dict(_ANOMALY_WORDS))

VOCABULARIES = vocabularies(
    PROJECT_STATUSES,
    PROJECT_CATEGORIES,
    NOTICE_STATES,
    OBJECTION_STATUSES,
    BENEFICIARY_KINDS,
    ACCOUNT_KINDS,
    LEDGER_KINDS,
    ENTERPRISE_KINDS,
    ANOMALY_KINDS,
)
CODE_LABELS = code_labels(VOCABULARIES)
