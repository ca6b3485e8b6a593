"""The pairing service's code lists with their Chinese labels (GET /pairing/v1/vocabulary);
requests may send the label instead of the code. The words are data: each list's title and labels
are in ``vocabulary.json`` (``LISTS``); the enums name the codes the code reads."""

from __future__ import annotations

from typing import Literal, get_args

from services.pairing.labels import LABELS
from services.pairing.needs.rules import HouseholdStatus
from shared.vocabulary import CodeList, CodeLists, Labelled, vocabularies

__all__ = [
    "CLOSE_REASONS",
    "HOUSEHOLD_STATUSES",
    "IMPORT_ROW_STATUSES",
    "IMPORT_STATUSES",
    "LISTS",
    "PAIRING_KINDS",
    "NEED_STATUSES",
    "VOCABULARIES",
    "BatchOutcome",
    "GapKind",
    "HelperKind",
    "ImportRowStatus",
    "LedgerKind",
    "NeedStatus",
    "PairingKind",
    "Satisfaction",
    "VisitKind",
]

LISTS = CodeLists.load("services.pairing")


@LISTS.labels("helper_kind")
class HelperKind(Labelled):
    CADRE = "cadre"  # 体制内干部
    FIRST_SECRETARY = "first_secretary"  # 第一书记
    WORK_TEAM_MEMBER = "work_team_member"  # 驻村工作队队员
    LEADER = "leader"  # 市/县/乡领导 (联县联村, 包村联户)
    DOCTOR = "doctor"
    TEACHER = "teacher"
    AGRI_TECHNICIAN = "agri_technician"  # 农技人员
    VOLUNTEER = "volunteer"  # 义工
    WORK_TEAM = "work_team"  # 驻村工作队 (organisation)
    VOLUNTEER_TEAM = "volunteer_team"  # "10+1" 党员义工帮扶小组
    ENTERPRISE = "enterprise"
    CHAMBER = "chamber"  # 商会
    OVERSEAS_CHINESE_ASSOCIATION = "overseas_chinese_association"  # 侨联/侨亲
    COUNTY = "county"  # a county government in a county↔county pair (山海协作)
    TOWNSHIP_STAFF = "township_staff"  # 乡镇专职人员 (Quanzhou: ≥1 per township with exit tasks)
    VILLAGE_COORDINATOR = "village_coordinator"  # 建制村协管员 (Quanzhou: 1 per village)


@LISTS.labels("pairing_kind")
class PairingKind(Labelled):
    CADRE_HOUSEHOLD = "cadre_household"  # 一户一挂钩
    FIRST_SECRETARY_VILLAGE = "first_secretary_village"  # 第一书记
    WORK_TEAM_VILLAGE = "work_team_village"  # 驻村工作队
    LEADER_AREA = "leader_area"  # 联县联村, 联乡联村, 包村联户
    PROFESSIONAL_HOUSEHOLD = "professional_household"  # 医生、教师、农技人员结对
    DOCTOR_VILLAGE = "doctor_village"  # 百医牵百村
    ENTERPRISE_VILLAGE = "enterprise_village"  # 百企扶百村 / 百企帮百村
    ENTERPRISE_HOUSEHOLD = "enterprise_household"  # 县级领导、企业包户 (Jinzhou)
    CHAMBER_VILLAGE = "chamber_village"  # 百会扶百村
    OVERSEAS_CHINESE_VILLAGE = "overseas_chinese_village"  # 百侨助百村
    VOLUNTEER_TEAM_HOUSEHOLD = "volunteer_team_household"  # 10+1
    COUNTY_COUNTY = "county_county"  # 山海协作
    TOWNSHIP_STAFF = "township_staff"  # 乡镇配备1名以上专职人员
    VILLAGE_COORDINATOR = "village_coordinator"  # 建制村配备1名协管员


@LISTS.labels("visit_kind")
class VisitKind(Labelled):
    HOME_VISIT = "home_visit"  # 入户走访
    PHONE_CALL = "phone_call"
    VILLAGE_MEETING = "village_meeting"
    RETURN_VISIT = "return_visit"  # 回头看 of an exited household (Quanzhou)


@LISTS.labels("satisfaction")
class Satisfaction(Labelled):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


@LISTS.members("ledger_kind")
class LedgerKind(Labelled):
    """Gansu "853": 户户3本账 — exit plan, support measures, work ledger."""


@LISTS.labels("gap_kind")
class GapKind(Labelled):
    HOUSEHOLD_WITHOUT_CADRE = "household_without_cadre"
    VILLAGE_WITHOUT_WORK_TEAM = "village_without_work_team"
    VILLAGE_WITHOUT_FIRST_SECRETARY = "village_without_first_secretary"
    CADRE_OVER_CAP = "cadre_over_cap"
    VISIT_OVERDUE = "visit_overdue"
    TOWNSHIP_WITHOUT_STAFF = "township_without_staff"
    VILLAGE_WITHOUT_COORDINATOR = "village_without_coordinator"
    MOUNTAIN_SEA_PAIR_MISSING = "mountain_sea_pair_missing"


@LISTS.labels("batch_outcome")
class BatchOutcome(Labelled):
    """What became of a record a phone sent, with the words its screen shows (outcome_label)."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # already stored with the same content: a resend, harmless
    CONFLICT = "conflict"  # the client id was used for different content
    REJECTED = "rejected"  # the record breaks a rule; nothing of it was stored


# The statuses list filters take, by code or by these words (a test keeps each list's codes equal
# to its Literal): a household's need of a cadre, a row of the 结对帮扶名单 import.
NeedStatus = Literal["open", "fulfilled", "closed"]
NEED_STATUSES = LISTS["need_status"]
ImportRowStatus = Literal["accepted", "refused"]
IMPORT_ROW_STATUSES = LISTS["import_row_status"]
# A 结对帮扶名单 import job itself (what its answer says next to its status, and its refusals).
IMPORT_STATUSES = LISTS["import_status"]
# Why a pairing ended or a need closed, in words (the system's reasons; an office's own text is shown
# as written): what a pairing or need answer says next to its reason.
CLOSE_REASONS = LISTS["close_reason"]
# A pairing's kind in the words of the 结对方式 list (what a pairing answer says next to its code).
PAIRING_KINDS = LISTS["pairing_kind"]
# A household's status as pairing keeps it from the registry, in the registry's words (labels.json
# "codes"): what a household answer says next to its code and what the list filter takes.
HOUSEHOLD_STATUSES = CodeList(
    "household_status", "户状态", {code: LABELS.codes[code] for code in get_args(HouseholdStatus)}
)

# Served in vocabulary.json's order, then the household statuses; not the outcomes of a phone's
# offline batch (BatchOutcome: its screen's words, no value a request sends) nor the reasons a
# pairing ended or a need closed (free text an office may write).
_NOT_SERVED = {"batch_outcome", "close_reason"}
VOCABULARIES = vocabularies(
    *(codes for name, codes in LISTS.items() if name not in _NOT_SERVED), HOUSEHOLD_STATUSES
)
