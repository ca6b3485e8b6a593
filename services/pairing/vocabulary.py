"""The pairing service's code lists with their Chinese labels (GET /pairing/v1/vocabulary);
requests may send the label instead of the code."""

from __future__ import annotations

from typing import Literal, get_args

from services.pairing.coverage.rules import GapKind
from services.pairing.helpers.rules import HelperKind
from services.pairing.labels import LABELS
from services.pairing.needs.rules import HouseholdStatus
from services.pairing.pairings.rules import PairingKind
from services.pairing.visits.rules import LedgerKind, Satisfaction, VisitKind
from shared.vocabulary import CodeList, Vocabulary, vocabularies

__all__ = [
    "HOUSEHOLD_STATUSES",
    "IMPORT_ROW_STATUSES",
    "IMPORT_STATUSES",
    "PAIRING_KINDS",
    "NEED_STATUSES",
    "VOCABULARIES",
    "ImportRowStatus",
    "NeedStatus",
]

# The statuses list filters take, by code or by these words (a test keeps each list's codes equal
# to its Literal): a household's need of a cadre, a row of the 结对帮扶名单 import.
NeedStatus = Literal["open", "fulfilled", "closed"]
NEED_STATUSES = CodeList(
    "need_status", "结对需求状态", {"open": "待结对", "fulfilled": "已结对", "closed": "已关闭"}
)
ImportRowStatus = Literal["accepted", "refused"]
IMPORT_ROW_STATUSES = CodeList(
    "import_row_status", "导入行状态", {"accepted": "校验通过", "refused": "未通过"}
)
# A 结对帮扶名单 import job itself (what its answer says next to its status, and its refusals).
IMPORT_STATUSES = CodeList(
    "import_status",
    "导入任务状态",
    {
        "validating": "校验中",
        "validated": "校验完成",
        "committing": "提交中",
        "committed": "已提交",
        "failed": "失败",
        "cancelled": "已取消",
    },
)
# A pairing's kind in the words of the 结对方式 list (what a pairing answer says next to its code).
PAIRING_KINDS = {kind.value: kind.label for kind in PairingKind}
# A household's status as pairing keeps it from the registry, in the registry's words (labels.json
# "codes"): what a household answer says next to its code and what the list filter takes.
HOUSEHOLD_STATUSES = CodeList(
    "household_status", "户状态", {code: LABELS.codes[code] for code in get_args(HouseholdStatus)}
)

VOCABULARIES = vocabularies(
    Vocabulary.of(HelperKind, "帮扶力量类别"),
    Vocabulary.of(PairingKind, "结对方式"),
    Vocabulary.of(VisitKind, "走访方式"),
    Vocabulary.of(Satisfaction, "满意度"),
    Vocabulary.of(LedgerKind, "户户三本账"),
    Vocabulary.of(GapKind, "帮扶缺口类别"),
    CodeList(
        "title",
        "职称",
        {"junior": "初级", "intermediate": "中级", "associate_senior": "副高级", "senior": "正高级"},
    ),
    NEED_STATUSES,
    IMPORT_ROW_STATUSES,
    IMPORT_STATUSES,
    HOUSEHOLD_STATUSES,
)
