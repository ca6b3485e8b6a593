"""A household's status in the registry's words, the one list every service names it by.

The registry owns the status (建档立卡: 拟识别 → 民主评议中 → 公示中 → 已确认 → 已建档立卡; 申请退出中 →
已脱贫退出); pairing keeps it in its projection and says it beside a household, inspection reads it in
the signals funds and pairing send (户状态：已建档立卡). One list here, so a household reads the same
in every answer, refusal and finding. The words follow the seeds: 建档立卡 (seed 003, 004),
拟选对象 → 拟识别 (the registry's word for a household under identification), 脱贫退出 (seed 003 六).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from shared.vocabulary import Labelled

__all__ = ["HOUSEHOLD_STATUS_LABELS", "HouseholdStatus"]


# code -> words; a service that keeps the status as a plain string (pairing, inspection) reads these
HOUSEHOLD_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "candidate": "拟识别",
        "in_review": "民主评议中",
        "in_notice": "公示中",
        "confirmed": "已确认",
        "registered": "已建档立卡",
        "exit_requested": "申请退出中",
        "exited": "已脱贫退出",
        "removed": "已清退",
        "rejected": "未纳入",
    }
)


class HouseholdStatus(Labelled):
    """A household's status as a code; its words (拟识别 … 已建档立卡 … 已脱贫退出) come beside it as
    status_label and in GET /vocabulary, and are accepted on input as the code is."""

    CANDIDATE = "candidate", HOUSEHOLD_STATUS_LABELS["candidate"]
    IN_REVIEW = "in_review", HOUSEHOLD_STATUS_LABELS["in_review"]
    IN_NOTICE = "in_notice", HOUSEHOLD_STATUS_LABELS["in_notice"]
    CONFIRMED = "confirmed", HOUSEHOLD_STATUS_LABELS["confirmed"]
    REGISTERED = "registered", HOUSEHOLD_STATUS_LABELS["registered"]
    EXIT_REQUESTED = "exit_requested", HOUSEHOLD_STATUS_LABELS["exit_requested"]
    EXITED = "exited", HOUSEHOLD_STATUS_LABELS["exited"]
    REMOVED = "removed", HOUSEHOLD_STATUS_LABELS["removed"]
    REJECTED = "rejected", HOUSEHOLD_STATUS_LABELS["rejected"]
