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


class HouseholdStatus(Labelled):
    CANDIDATE = "candidate", "拟识别"
    IN_REVIEW = "in_review", "民主评议中"
    IN_NOTICE = "in_notice", "公示中"
    CONFIRMED = "confirmed", "已确认"
    REGISTERED = "registered", "已建档立卡"
    EXIT_REQUESTED = "exit_requested", "申请退出中"
    EXITED = "exited", "已脱贫退出"
    REMOVED = "removed", "已清退"
    REJECTED = "rejected", "未纳入"


# code -> words, for a service that keeps the status as a plain string (pairing, inspection)
HOUSEHOLD_STATUS_LABELS: Mapping[str, str] = MappingProxyType({s.value: s.label for s in HouseholdStatus})
