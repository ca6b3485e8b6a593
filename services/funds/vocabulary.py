"""The funds service's code lists with the Chinese a notice board or report prints
(served at GET /funds/v1/vocabulary)."""

from __future__ import annotations

from shared.vocabulary import Vocabulary

__all__ = ["CODE_LABELS", "NOTICE_STATES", "PROJECT_STATUSES", "VOCABULARIES"]

PROJECT_STATUSES = {
    "proposed": "拟立项",
    "approved": "已批复",
    "in_progress": "实施中",
    "completed": "已完工",
    "cancelled": "已取消",
}
NOTICE_STATES = {"scheduled": "待公示", "running": "公示中", "ended": "公示期满", "closed": "已结束"}
BENEFICIARY_KINDS = {"household": "农户", "village": "村集体", "project": "项目"}
ACCOUNT_KINDS = {"source": "资金来源", "holding": "专户（资金池）", "payout": "拨付户"}
LEDGER_KINDS = {"receipt": "资金到账", "transfer": "资金划转"}
ENTERPRISE_KINDS = {"enterprise": "企业", "cooperative": "农民专业合作社"}

VOCABULARIES = (
    Vocabulary("project_status", "项目状态", PROJECT_STATUSES),
    Vocabulary("notice_state", "公示状态", NOTICE_STATES),
    Vocabulary("beneficiary_kind", "受益对象类别", BENEFICIARY_KINDS),
    Vocabulary("account_kind", "账户类别", ACCOUNT_KINDS),
    Vocabulary("ledger_kind", "账务类别", LEDGER_KINDS),
    Vocabulary("enterprise_kind", "经营主体类别", ENTERPRISE_KINDS),
)
CODE_LABELS: dict[str, str] = {}
for _v in VOCABULARIES:
    for _code, _label in _v.pairs.items():
        CODE_LABELS.setdefault(_code, _label)
