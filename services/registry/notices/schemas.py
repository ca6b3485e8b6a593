from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from services.registry.notices.rules import NoticeKind


class LateEntryOut(BaseModel):
    """A date entered more than the policy's tolerance after it happened (补录), with its reason."""

    field: str  # review_held_on, notice_starts_on, objection_lodged_on
    entered_date: date
    recorded_on: date
    days_late: int
    reason: str


class PublicNoticeOut(BaseModel):
    """What a village notice board shows: no resident ID, no member names, the head's name masked.
    Everything a villager reads is Chinese; codes stay only in ``kind`` and ``*_codes``."""

    kind: NoticeKind
    kind_label: str  # 贫困户识别公示 / 贫困户退出公示
    village_code: str
    village_name: str
    head_name_masked: str
    member_count: int
    poverty_causes: list[str] | None  # identification only; as the board prints them (因病)
    poverty_cause_codes: list[str] | None  # the same, as codes (illness)
    exited_on: date | None  # exit only
    notice_starts_on: date
    notice_last_day: date
    current: bool
    open_objections: int | None  # identification only
    how_to_object: str | None  # where and until when to object (both kinds), and the 12317 line
    late_entries: list[LateEntryOut] = []  # identification: dates entered late, shown to everyone
