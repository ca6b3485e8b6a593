"""The funds service's code lists with the Chinese a notice board or report prints
(served at GET /funds/v1/vocabulary). The words are data: each list's title and labels are in
``vocabulary.json`` (``LISTS``); the constants below are the lists the code reads."""

from __future__ import annotations

from shared.vocabulary import CodeLists, code_labels, vocabularies

__all__ = [
    "ACCOUNT_KINDS",
    "ANOMALY_KINDS",
    "BENEFICIARY_KINDS",
    "CODE_LABELS",
    "LEDGER_KINDS",
    "LISTS",
    "NOTICE_STATES",
    "OBJECTION_STATUSES",
    "PROJECT_CATEGORIES",
    "PROJECT_STATUSES",
    "VOCABULARIES",
]

LISTS = CodeLists.load("services.funds")

PROJECT_STATUSES = LISTS["project_status"]
# What a project is for, as a village board prints it. Free text stays allowed (a county's own word is
# kept and printed as typed); these codes are the ones reports and rules read (industry: seed 004 四(三)).
PROJECT_CATEGORIES = LISTS["project_category"]
NOTICE_STATES = LISTS["notice_state"]
OBJECTION_STATUSES = LISTS["objection_status"]
BENEFICIARY_KINDS = LISTS["beneficiary_kind"]
ACCOUNT_KINDS = LISTS["account_kind"]
LEDGER_KINDS = LISTS["ledger_kind"]
ENTERPRISE_KINDS = LISTS["enterprise_kind"]
# What supervision found (GET /anomalies), in the words inspection titles its findings with.
ANOMALY_KINDS = LISTS["anomaly_kind"]

# Served in vocabulary.json's order.
VOCABULARIES = vocabularies(*LISTS.values())
CODE_LABELS = code_labels(VOCABULARIES)
