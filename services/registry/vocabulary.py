"""The registry's closed vocabularies (names from the glossary in DOMAIN.md).

Kept in one module because households, identification, exits and roll-ups all speak them. Every
member carries the label the national registration form prints; a request may send either, and
``GET /registry/v1/vocabulary`` serves them all (``VOCABULARIES``). The words are data: each list's
title and labels are in ``vocabulary.json`` (``LISTS``); the classes name the codes the code reads
(``LISTS.labels``), and a list whose codes no code names is an enum of its name alone (``LISTS.members``).
"""

from __future__ import annotations

from typing import Literal

from shared.household_status import HouseholdStatus  # one list for every service (shared/household_status.py)
from shared.vocabulary import CodeList, CodeLists, Labelled, Vocabulary, vocabularies

__all__ = [
    "ACTIVE_STATUSES",
    "AREA_EXIT_KINDS",
    "AREA_EXIT_STATUSES",
    "CONFLICT_STATUSES",
    "DISPATCH_LEVELS",
    "IMPORT_ROW_STATUSES",
    "IMPORT_STATUSES",
    "LISTS",
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

LISTS = CodeLists.load("services.registry")


@LISTS.labels("poverty_cause")
class PovertyCause(Labelled):
    """致贫原因, the national registration form's list."""

    ILLNESS = "illness"
    DISABILITY = "disability"
    SCHOOLING = "schooling"
    DISASTER = "disaster"
    LACK_OF_LAND = "lack_of_land"
    LACK_OF_WATER = "lack_of_water"
    LACK_OF_SKILLS = "lack_of_skills"
    LACK_OF_LABOUR = "lack_of_labour"
    LACK_OF_FUNDS = "lack_of_funds"
    POOR_TRANSPORT = "poor_transport"
    LACK_OF_MOTIVATION = "lack_of_motivation"
    OTHER = "other"


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
RELAPSE_STATUSES = LISTS["relapse_status"]


@LISTS.labels("labour_capacity")
class LabourCapacity(Labelled):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    NOT_OF_AGE = "not_of_age"


@LISTS.labels("review_result")
class ReviewResult(Labelled):
    """The village's democratic review (民主评议); a clerk may send the code or its label."""

    APPROVED = "approved"
    NOT_APPROVED = "not_approved"


@LISTS.labels("relation")
class Relation(Labelled):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    CHILD_IN_LAW = "child_in_law"
    GRANDCHILD = "grandchild"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


@LISTS.members("debt_cause")
class DebtCause(Labelled):
    """Large debts that block exit are those caused by illness, schooling or housing (Gansu)."""


@LISTS.members("basic_need")
class BasicNeed(Labelled):
    """两不愁三保障: food and clothing (with safe water), education, medical care, housing."""


@LISTS.members("sex")
class Sex(Labelled):
    pass


@LISTS.members("join_reason")
class JoinReason(Labelled):
    pass


@LISTS.members("leave_reason")
class LeaveReason(Labelled):
    pass


@LISTS.members("relapse_decision")
class RelapseDecision(Labelled):
    """A step's decision on a return-to-poverty case (返贫审批)."""


@LISTS.labels("move_reason")
class MoveReason(Labelled):
    """迁移: relocation for poverty alleviation (易地扶贫搬迁), moving in with family, or something else."""

    RELOCATION = "relocation"
    FAMILY = "family"
    OTHER = "other"


@LISTS.members("notice_kind")
class NoticeKindLabel(Labelled):
    """The board's heading of each kind of public notice."""


@LISTS.members("batch")
class Batch(Labelled):
    """帮扶批次（一批）: national 五个一批, Gansu 七个一批, Kaiping 三个一批 (an area's policy
    names its set)."""

    # the tags of policies.presets.BATCH_SETS (seeds 000, 003, 004), one label per code across them


# The same list as code → label pairs (what the policies' batch sets and the forms read).
BATCH_LABELS = LISTS["batch"]
_BATCH_CODES = {label: code for code, label in BATCH_LABELS.items()}


def batch_code(value: str) -> str:
    """A batch given by its code or its Chinese label, as its code (unknown values pass through
    to the policy check, which names the area's batch set)."""
    return _BATCH_CODES.get(value.strip(), value)


# Village and county exit (area_exits.rules.AreaExitKind; a test keeps the codes equal), as the
# request screen names them.
AREA_EXIT_KINDS = LISTS["area_exit_kind"]
# Who sent a pairing village its work team (帮扶村的派出层级, seed 002 §十一: 市派、省派、县派;
# areas.schemas.DispatchLevel, a test keeps the codes equal). Its own words: the service-wide code
# labels would call "county" 贫困县摘帽 (AREA_EXIT_KINDS).
DISPATCH_LEVELS = LISTS["pairing_dispatch_level"]
# The statuses list filters take, by code or by these words (a test keeps each list's codes equal
# to its Literal): an area's exit request as the sign-off screen says it, an identity conflict as
# the officer's queue says it (conflicts.rules.STATUS_AFTER), a row of a spreadsheet import.
AreaExitStatus = Literal["pending", "verified", "returned", "void"]
AREA_EXIT_STATUSES = LISTS["area_exit_status"]
ConflictStatus = Literal["open", "kept", "moved", "rejected"]
CONFLICT_STATUSES = LISTS["identity_conflict_status"]
# A spreadsheet import job itself (imports.rules.STATUSES; a test keeps the codes equal).
IMPORT_STATUSES = LISTS["import_status"]
ImportRowStatus = Literal["accepted", "refused", "pending"]
IMPORT_ROW_STATUSES = LISTS["import_row_status"]

# Served in vocabulary.json's order (where two lists share a code, a 422 names the first one's
# words), the household statuses (every service's words) after the sexes and the relapse causes
# after the area exit kinds.
_SERVED = [*LISTS.values()]
_SEXES, _AREA_EXIT_KINDS = (_SERVED.index(LISTS[name]) + 1 for name in ("sex", "area_exit_kind"))
VOCABULARIES = vocabularies(
    *_SERVED[:_SEXES],
    Vocabulary.of(HouseholdStatus, "户状态"),
    *_SERVED[_SEXES:_AREA_EXIT_KINDS],
    RELAPSE_CAUSE_LABELS,
    *_SERVED[_AREA_EXIT_KINDS:],
)
# Code → label for household statuses, causes, relations ... (status "other" and cause "other"
# are both 其他, so one map serves).
CODE_LABELS: dict[str, str] = {
    **{m.value: m.label for v in (HouseholdStatus, PovertyCause, Relation, LabourCapacity, Sex) for m in v},
    **BATCH_LABELS,
}
