"""The inspection service's code lists with the Chinese a bulletin or report prints
(served at GET /inspection/v1/vocabulary; requests may send the label instead of the code). The
words are data: each list's title and labels are in ``vocabulary.json`` (``LISTS``); the
constants below are the lists the code reads."""

from __future__ import annotations

from typing import Literal

from shared.vocabulary import CodeLists, code_labels, vocabularies

__all__ = [
    "CODE_LABELS",
    "LISTS",
    "RECTIFICATION_OUTCOMES",
    "SIGNOFF_KINDS",
    "VOCABULARIES",
    "AccountabilityKind",
    "ComplaintStatus",
    "FindingStatus",
    "SignoffKind",
]

LISTS = CodeLists.load("services.inspection")

# The statuses as list filters take them (the same codes as FINDING_STATUSES/COMPLAINT_STATUSES
# below; a test keeps them equal), so a wrong one is a 422 naming the right ones.
FindingStatus = Literal["open", "submitted", "verified"]
ComplaintStatus = Literal["received", "triaged", "assigned", "resolved", "dismissed"]
# The same for the accountability list's kind (ACCOUNTABILITY_KINDS), its label taken too.
AccountabilityKind = Literal["bulletin", "admonishment_interview", "discipline_referral"]
# The exit a sign-off dossier signs, as the sign-off screen names it (the registry's area-exit words).
# Not in VOCABULARIES: its codes would give every 422 naming a level (village, county) these words.
SignoffKind = Literal["household", "village", "county"]
SIGNOFF_KINDS = LISTS["signoff_kind"]

INSPECTION_KINDS = LISTS["inspection_kind"]
INSPECTION_STATUSES = LISTS["inspection_status"]
TEAM_ROLES = LISTS["team_role"]
FINDING_CATEGORIES = LISTS["finding_category"]
SEVERITIES = LISTS["severity"]
FINDING_STATUSES = LISTS["finding_status"]
ACCOUNTABILITY_KINDS = LISTS["accountability_kind"]
# What the inspector made of a rectification report. Not in VOCABULARIES (as SIGNOFF_KINDS): its
# codes would give other lists' pending/accepted these words in every 422 naming them.
RECTIFICATION_OUTCOMES = LISTS["rectification_outcome"]
COMPLAINT_CATEGORIES = LISTS["complaint_category"]
COMPLAINT_STATUSES = LISTS["complaint_status"]
URGENCIES = LISTS["urgency"]
VERDICTS = LISTS["verdict"]
# Where a signal came from, as the title of the finding it becomes names it (重复发放（资金监管预警）).
# Not in VOCABULARIES either: no request sends it.
SIGNAL_SOURCES = LISTS["signal_source"]
# The yearly assessment's ratings and indicators (seed 001 二(一)), as the result sheet names them.
ASSESSMENT_RATINGS = LISTS["assessment_rating"]
ASSESSMENT_INDICATORS = LISTS["assessment_indicator"]

# Served in vocabulary.json's order, but for the three lists above that are not served.
_NOT_SERVED = {SIGNOFF_KINDS.name, RECTIFICATION_OUTCOMES.name, SIGNAL_SOURCES.name}
VOCABULARIES = vocabularies(*(codes for name, codes in LISTS.items() if name not in _NOT_SERVED))
CODE_LABELS = code_labels(VOCABULARIES)
