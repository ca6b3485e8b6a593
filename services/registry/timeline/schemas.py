from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from shared.clock import OfficeDateTime


class TimelineStepOut(BaseModel):
    at: OfficeDateTime = Field(description="when (the audit record's time, or the event's time)")
    on: date = Field(
        description="the date of `at` in the office's time zone (China time, REGISTRY_TIME_ZONE): the day "
        "a clerk writes for it (an instant after 16:00 UTC is already the next day in Beijing)"
    )
    source: str = Field(description="registry | pairing | funds | inspection")
    source_zh: str
    step: str = Field(description="the audit action (registry) or the event type (other services)")
    step_zh: str = Field(description="the step as a clerk names it")
    who: str | None = Field(description="the login subject who took it, or the helper/cadre named")
    why: str | None = Field(description="the reason given, if any (a code where one was recorded)")
    why_zh: str | None = Field(description="the reason as a clerk reads it: a code's label (出生, 死亡 ...)")
    detail: dict[str, object] = Field(
        default_factory=dict, description="what the step says (no resident IDs; money in fen)"
    )


class HouseholdStatusOut(BaseModel):
    household_id: str
    status: str
    status_label: str = Field(description="the household's status in Chinese (拟识别, 已建档立卡 …)")
    # the same words under their first name, kept for the clients written before status_label
    status_zh: str = Field(
        description="Deprecated: read status_label (the same words); kept for existing clients",
        json_schema_extra={"deprecated": True},
    )


class TimelineOut(HouseholdStatusOut):
    steps: list[TimelineStepOut]


class NextActionOut(BaseModel):
    action: str = Field(description="the state machine's step (identification.rules.Action)")
    label_zh: str
    method: str | None = Field(description="how to take it; null: another service decides it")
    path: str | None = Field(description="where, under /registry/v1")
    roles: list[str] = Field(description="the roles allowed to take it (admin always may)")
    leads_to: str | None = Field(description="the status after it; null: the status stays")
    yours: bool = Field(description="whether the caller's roles let them take it")


class ActionsOut(HouseholdStatusOut):
    actions: list[NextActionOut]
