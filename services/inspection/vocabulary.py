"""The inspection service's code lists with the Chinese a bulletin or report prints
(served at GET /inspection/v1/vocabulary; requests may send the label instead of the code)."""

from __future__ import annotations

from typing import Literal

from shared.vocabulary import CodeList, code_labels, vocabularies

__all__ = [
    "CODE_LABELS",
    "RECTIFICATION_OUTCOMES",
    "SIGNOFF_KINDS",
    "VOCABULARIES",
    "AccountabilityKind",
    "ComplaintStatus",
    "FindingStatus",
    "SignoffKind",
]

# The statuses as list filters take them (the same codes as FINDING_STATUSES/COMPLAINT_STATUSES
# below; a test keeps them equal), so a wrong one is a 422 naming the right ones.
FindingStatus = Literal["open", "submitted", "verified"]
ComplaintStatus = Literal["received", "triaged", "assigned", "resolved", "dismissed"]
# The same for the accountability list's kind (ACCOUNTABILITY_KINDS), its label taken too.
AccountabilityKind = Literal["bulletin", "admonishment_interview", "discipline_referral"]
# The exit a sign-off dossier signs, as the sign-off screen names it (the registry's area-exit words).
# Not in VOCABULARIES: its codes would give every 422 naming a level (village, county) these words.
SignoffKind = Literal["household", "village", "county"]
SIGNOFF_KINDS = CodeList(
    "signoff_kind", "签字类别", {"household": "贫困户退出", "village": "贫困村退出", "county": "贫困县摘帽"}
)

INSPECTION_KINDS = CodeList("inspection_kind", "督查方式", {"announced": "明查", "unannounced": "暗访"})
INSPECTION_STATUSES = CodeList("inspection_status", "督查状态", {"planned": "计划中", "concluded": "已结束"})
TEAM_ROLES = CodeList(
    "team_role",
    "督查组成员身份",
    {
        "leader": "组长",
        "inspector": "督查员",
        "npc_deputy": "人大代表",
        "cppcc_member": "政协委员",
        "democratic_party": "民主党派人士",
        "federation_of_industry": "工商联代表",
        "conduct_supervisor": "政风行风监督员",
    },
)
FINDING_CATEGORIES = CodeList(
    "finding_category",
    "问题类别",
    {
        "identification": "识别不精准",
        "exit_on_paper": "数字脱贫、虚假脱贫",
        "funds_misuse": "资金违规使用",
        "funds_idle": "资金闲置",
        "pairing_gap": "结对帮扶不到位",
        "policy_not_delivered": "政策落实不到位",
        "work_style": "作风问题",
        "data_quality": "数据质量问题",
        "other": "其他",
    },
)
SEVERITIES = CodeList("severity", "问题严重程度", {"high": "严重", "medium": "较重", "low": "一般"})
FINDING_STATUSES = CodeList(
    "finding_status", "整改状态", {"open": "待整改", "submitted": "已报整改", "verified": "已验收销号"}
)
ACCOUNTABILITY_KINDS = CodeList(
    "accountability_kind",
    "问责方式",
    {"bulletin": "通报", "admonishment_interview": "约谈", "discipline_referral": "移交纪检监察"},
)
# What the inspector made of a rectification report. Not in VOCABULARIES (as SIGNOFF_KINDS): its
# codes would give other lists' pending/accepted these words in every 422 naming them.
RECTIFICATION_OUTCOMES = CodeList(
    "rectification_outcome", "验收结果", {"pending": "待验收", "accepted": "已验收", "rejected": "不予验收"}
)
COMPLAINT_CATEGORIES = CodeList(
    "complaint_category",
    "举报类别",
    {
        "identification": "识别不准、优亲厚友",
        "funds": "截留挪用、虚报冒领",
        "project": "项目问题",
        "work_style": "作风问题",
        "exit": "数字脱贫",
        "other": "其他",
    },
)
COMPLAINT_STATUSES = CodeList(
    "complaint_status",
    "举报办理状态",
    {
        "received": "已受理",
        "triaged": "已分级",
        "assigned": "已交办",
        "resolved": "已办结",
        "dismissed": "不予受理",
    },
)
URGENCIES = CodeList("urgency", "紧急程度", {"urgent": "紧急", "normal": "一般"})
VERDICTS = CodeList("verdict", "评估结论", {"correct": "退出准确", "wrongly_exited": "错退"})
# Where a signal came from, as the title of the finding it becomes names it (重复发放（资金监管预警）).
SIGNAL_SOURCES = CodeList("signal_source", "预警来源", {"funds": "资金监管", "pairing": "结对帮扶"})
# The yearly assessment's ratings and indicators (seed 001 二(一)), as the result sheet names them.
ASSESSMENT_RATINGS = CodeList(
    "assessment_rating", "考核等次", {"excellent": "好", "good": "较好", "fair": "一般", "poor": "较差"}
)
ASSESSMENT_INDICATORS = CodeList(
    "assessment_indicator",
    "考核指标",
    {
        "reduction": "减贫任务完成率",
        "incidence": "贫困发生率",
        "disbursement": "资金拨付率",
        "pairing_coverage": "结对帮扶覆盖率",
        "visit_rate": "走访率",
        "rectification_on_time": "问题按期整改率",
        "qualitative": "定性考核",
        "third_party": "第三方评估",
    },
)

VOCABULARIES = vocabularies(
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    TEAM_ROLES,
    FINDING_CATEGORIES,
    SEVERITIES,
    FINDING_STATUSES,
    ACCOUNTABILITY_KINDS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    URGENCIES,
    VERDICTS,
    ASSESSMENT_RATINGS,
    ASSESSMENT_INDICATORS,
)
CODE_LABELS = code_labels(VOCABULARIES)
