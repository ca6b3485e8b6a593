"""The registry's closed vocabularies (names from the glossary in DOMAIN.md).

Kept in one module because households, identification, exits and roll-ups all speak them. Every
member carries the label the national registration form prints; a request may send either, and
``GET /registry/v1/vocabulary`` serves them all (``VOCABULARIES``).
"""

from __future__ import annotations

from typing import Literal

from shared.household_status import HouseholdStatus  # one list for every service (shared/household_status.py)
from shared.vocabulary import CodeList, Labelled, Vocabulary, vocabularies

__all__ = [
    "ACTIVE_STATUSES",
    "AREA_EXIT_KINDS",
    "AREA_EXIT_STATUSES",
    "CONFLICT_STATUSES",
    "DISPATCH_LEVELS",
    "IMPORT_ROW_STATUSES",
    "IMPORT_STATUSES",
    "RELAPSE_STATUSES",
    "AreaExitStatus",
    "ConflictStatus",
    "ImportRowStatus",
    "BATCH_LABELS",
    "Batch",
    "CODE_LABELS",
    "FIRST_ROLL_YEAR",
    "VOCABULARIES",
    "JoinReason",
    "LeaveReason",
    "MoveReason",
    "NoticeKindLabel",
    "batch_code",
    "Sex",
    "POOR_STATUSES",
    "BasicNeed",
    "DebtCause",
    "HouseholdStatus",
    "LabourCapacity",
    "PovertyCause",
    "RELAPSE_CAUSE_LABELS",
    "Relation",
    "RelapseDecision",
    "ReviewResult",
]


# Households that still hold their members: a person may be in only one of these.
# The first identification year of the poverty rolls (建档立卡): an old roll's year is never earlier
# (imports), and no identification step entered from paper (补录) can lie before its first day.
FIRST_ROLL_YEAR = 2013

ACTIVE_STATUSES = frozenset(HouseholdStatus) - {HouseholdStatus.REMOVED, HouseholdStatus.REJECTED}
# Households counted as "registered poor" (numerator of the incidence rate).
POOR_STATUSES = frozenset({HouseholdStatus.REGISTERED, HouseholdStatus.EXIT_REQUESTED})


class PovertyCause(Labelled):
    """致贫原因, the national registration form's list."""

    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因灾"
    LACK_OF_LAND = "lack_of_land", "缺土地"
    LACK_OF_WATER = "lack_of_water", "缺水"
    LACK_OF_SKILLS = "lack_of_skills", "缺技术"
    LACK_OF_LABOUR = "lack_of_labour", "缺劳力"
    LACK_OF_FUNDS = "lack_of_funds", "缺资金"
    POOR_TRANSPORT = "poor_transport", "交通条件落后"
    LACK_OF_MOTIVATION = "lack_of_motivation", "自身发展动力不足"
    OTHER = "other", "其他"


# Causes of a return to poverty (返贫): the poverty causes, plus the one seed 004 binds its approval
# chain to (因重大自然灾害返贫的). Which way each goes is policy data (RegistryPolicy.relapse_routes).
MAJOR_NATURAL_DISASTER = "major_natural_disaster"
RELAPSE_CAUSE_LABELS = CodeList(
    "relapse_cause",
    "返贫原因",
    {**{c.value: c.label for c in PovertyCause}, MAJOR_NATURAL_DISASTER: "因重大自然灾害"},
)
RELAPSE_CAUSES = frozenset(RELAPSE_CAUSE_LABELS)
# A case's status as its approval screen says it (relapses.service sets the codes; a relapse answer
# says it next to its status).
RELAPSE_STATUSES = CodeList(
    "relapse_status", "返贫审批状态", {"open": "审批中", "approved": "已批准返贫", "refused": "未批准"}
)


class LabourCapacity(Labelled):
    FULL = "full", "普通劳动力"
    PARTIAL = "partial", "弱劳动力或半劳动力"
    NONE = "none", "无劳动力"
    NOT_OF_AGE = "not_of_age", "未到劳动年龄"


class ReviewResult(Labelled):
    """The village's democratic review (民主评议); a clerk may send the code or its label."""

    APPROVED = "approved", "通过"
    NOT_APPROVED = "not_approved", "不通过"


class Relation(Labelled):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    CHILD_IN_LAW = "child_in_law", "儿媳或女婿"
    GRANDCHILD = "grandchild", "孙子女"
    PARENT = "parent", "父母"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class DebtCause(Labelled):
    """Large debts that block exit are those caused by illness, schooling or housing (Gansu)."""

    ILLNESS = "illness", "因病"
    SCHOOLING = "schooling", "因学"
    HOUSING = "housing", "因房"


class BasicNeed(Labelled):
    """两不愁三保障: food and clothing (with safe water), education, medical care, housing."""

    FOOD = "food", "吃不愁"
    CLOTHING = "clothing", "穿不愁"
    SAFE_WATER = "safe_water", "饮水安全"
    COMPULSORY_EDUCATION = "compulsory_education", "义务教育有保障"
    BASIC_MEDICAL = "basic_medical", "基本医疗有保障"
    SAFE_HOUSING = "safe_housing", "住房安全有保障"


class Sex(Labelled):
    MALE = "male", "男"
    FEMALE = "female", "女"


class JoinReason(Labelled):
    BIRTH = "birth", "出生"
    MARRIAGE_IN = "marriage_in", "婚入"
    MOVED_IN = "moved_in", "迁入"
    OTHER = "other", "其他"


class LeaveReason(Labelled):
    DEATH = "death", "死亡"
    MARRIAGE_OUT = "marriage_out", "婚出"
    MOVED_AWAY = "moved_away", "迁出"
    OTHER = "other", "其他"


class RelapseDecision(Labelled):
    """A step's decision on a return-to-poverty case (返贫审批)."""

    APPROVE = "approve", "同意"
    REFUSE = "refuse", "不同意"


class MoveReason(Labelled):
    """迁移: relocation for poverty alleviation (易地扶贫搬迁), moving in with family, or something else."""

    RELOCATION = "relocation", "易地扶贫搬迁"
    FAMILY = "family", "投亲靠友"
    OTHER = "other", "其他"


class NoticeKindLabel(Labelled):
    """The board's heading of each kind of public notice."""

    IDENTIFICATION = "identification", "贫困户识别公示"
    EXIT = "exit", "贫困户退出公示"


class Batch(Labelled):
    """帮扶批次（一批）: national 五个一批, Gansu 七个一批, Kaiping 三个一批 (an area's policy
    names its set)."""

    # the tags of policies.presets.BATCH_SETS (seeds 000, 003, 004), one label per code across them
    PRODUCTION = "production", "发展生产脱贫一批"
    RELOCATION = "relocation", "易地搬迁脱贫一批"
    ECOLOGICAL_COMPENSATION = "ecological_compensation", "生态补偿脱贫一批"
    EDUCATION = "education", "发展教育脱贫一批"
    SOCIAL_SECURITY = "social_security", "社会保障兜底一批"
    INDUSTRY = "industry", "产业扶持一批"
    TRANSFER_EMPLOYMENT = "transfer_employment", "转移就业一批"
    HEALTH = "health", "医疗救助一批"
    ECOLOGY = "ecology", "生态保护一批"
    PRODUCTION_EMPLOYMENT = "production_employment", "扶持生产和就业发展一批"
    DIBAO_FLOOR = "dibao_floor", "低保政策兜底一批"


# The same list as code → label pairs (what the policies' batch sets and the forms read).
BATCH_LABELS = CodeList("batch", "帮扶批次（一批）", {m.value: m.label for m in Batch})
_BATCH_CODES = {label: code for code, label in BATCH_LABELS.items()}


def batch_code(value: str) -> str:
    """A batch given by its code or its Chinese label, as its code (unknown values pass through
    to the policy check, which names the area's batch set)."""
    return _BATCH_CODES.get(value.strip(), value)


# Village and county exit (area_exits.rules.AreaExitKind; a test keeps the codes equal), as the
# request screen names them.
AREA_EXIT_KINDS = CodeList("area_exit_kind", "退出类别", {"village": "贫困村退出", "county": "贫困县摘帽"})
# Who sent a pairing village its work team (帮扶村的派出层级, seed 002 §十一: 市派、省派、县派;
# areas.schemas.DispatchLevel, a test keeps the codes equal). Its own words: the service-wide code
# labels would call "county" 贫困县摘帽 (AREA_EXIT_KINDS).
DISPATCH_LEVELS = CodeList(
    "pairing_dispatch_level", "帮扶村派出层级", {"city": "市派", "province": "省派", "county": "县派"}
)
# The statuses list filters take, by code or by these words (a test keeps each list's codes equal
# to its Literal): an area's exit request as the sign-off screen says it, an identity conflict as
# the officer's queue says it (conflicts.rules.STATUS_AFTER), a row of a spreadsheet import.
AreaExitStatus = Literal["pending", "verified", "returned", "void"]
AREA_EXIT_STATUSES = CodeList(
    "area_exit_status",
    "退出申请状态",
    {"pending": "审核中", "verified": "已核验通过", "returned": "已退回", "void": "已作废"},
)
ConflictStatus = Literal["open", "kept", "moved", "rejected"]
CONFLICT_STATUSES = CodeList(
    "identity_conflict_status",
    "身份冲突处理状态",
    {"open": "待处理", "kept": "保留在原户", "moved": "已迁出原户", "rejected": "申报不实已驳回"},
)
# A spreadsheet import job itself (imports.rules.STATUSES; a test keeps the codes equal).
IMPORT_STATUSES = CodeList(
    "import_status",
    "导入任务状态",
    {
        "validating": "校验中",
        "validated": "已校验待入库",
        "committing": "入库中",
        "committed": "已入库",
        "failed": "失败",
        "cancelled": "已取消",
    },
)
ImportRowStatus = Literal["accepted", "refused", "pending"]
IMPORT_ROW_STATUSES = CodeList(
    "import_row_status", "导入行状态", {"accepted": "校验通过", "refused": "未通过", "pending": "待校验"}
)

VOCABULARIES = vocabularies(
    Vocabulary.of(PovertyCause, "致贫原因"),
    BATCH_LABELS,
    Vocabulary.of(Relation, "与户主关系"),
    Vocabulary.of(LabourCapacity, "劳动能力"),
    Vocabulary.of(Sex, "性别"),
    Vocabulary.of(HouseholdStatus, "户状态"),
    Vocabulary.of(ReviewResult, "民主评议结果"),
    Vocabulary.of(DebtCause, "大额负债原因"),
    Vocabulary.of(BasicNeed, "两不愁三保障"),
    Vocabulary.of(JoinReason, "成员增加原因"),
    Vocabulary.of(LeaveReason, "成员减少原因"),
    Vocabulary.of(MoveReason, "搬迁原因"),
    Vocabulary.of(RelapseDecision, "返贫审批意见"),
    Vocabulary.of(NoticeKindLabel, "公示类别", name="notice_kind"),
    AREA_EXIT_KINDS,
    RELAPSE_CAUSE_LABELS,
    AREA_EXIT_STATUSES,
    CONFLICT_STATUSES,
    IMPORT_ROW_STATUSES,
    IMPORT_STATUSES,
    DISPATCH_LEVELS,
    RELAPSE_STATUSES,
)
# Code → label for household statuses, causes, relations ... (status "other" and cause "other"
# are both 其他, so one map serves).
CODE_LABELS: dict[str, str] = {
    **{m.value: m.label for v in (HouseholdStatus, PovertyCause, Relation, LabourCapacity, Sex) for m in v},
    **BATCH_LABELS,
}
