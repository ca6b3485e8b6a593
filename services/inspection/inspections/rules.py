"""Inspections (督查): announced or unannounced (暗访), a team, target areas and dates.

Seed 001 (Guangyuan): monthly unannounced inspections by teams that may include people's
congress deputies, CPPCC members, democratic-party and federation-of-industry members and
conduct supervisors. Seed 004 (Kaiping): the city inspects down to villages, the town down
to households — so an inspector may only target areas inside their own area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.inspection.errors import AreaOutsideScope, InspectionClosed, InspectionNotStarted
from services.inspection.vocabulary import INSPECTION_KINDS
from shared.areas import AreaCode
from shared.errors import InvalidInput
from shared.vocabulary import Choice

__all__ = [
    "KIND",
    "TEAM_ROLES",
    "InspectionPlan",
    "check_plan",
    "ensure_open",
    "visible_to_inspected",
]

KIND = Choice(INSPECTION_KINDS, "inspection kind", "督查方式“{value}”不对，应为明查或暗访")
TEAM_ROLES = (
    "leader",
    "inspector",
    "npc_deputy",  # 人大代表
    "cppcc_member",  # 政协委员
    "democratic_party",  # 民主党派
    "federation_of_industry",  # 工商联
    "conduct_supervisor",  # 政风行风监督员
)
# Statuses: planned, concluded (frozen from then on).


@dataclass(frozen=True)
class InspectionPlan:
    kind: str
    starts_on: date
    ends_on: date
    target_areas: tuple[str, ...]
    team_roles: tuple[str, ...]  # each member's role: the rules judge the roles, not the names


def check_plan(plan: InspectionPlan, scope_prefix: str) -> None:
    """Refuse a plan a user could not carry out; changes nothing."""
    KIND.check(plan.kind)
    if plan.ends_on < plan.starts_on:
        raise InvalidInput(
            "An inspection cannot end before it starts.", detail_zh="督查结束日期不能早于开始日期"
        )
    if not plan.target_areas:
        raise InvalidInput("Name at least one target area.", detail_zh="至少填写一个督查地区")
    outside = [a for a in plan.target_areas if not _inside(a, scope_prefix)]
    if outside:
        raise AreaOutsideScope(
            "Target areas must lie inside your own area.", detail_zh="督查地区须在本辖区内", outside=outside
        )
    if "leader" not in plan.team_roles:
        raise InvalidInput("The team needs a leader.", detail_zh="督查组须有一名组长")
    unknown = sorted(set(plan.team_roles) - set(TEAM_ROLES))
    if unknown:
        raise InvalidInput(
            "Unknown team roles.",
            detail_zh="督查组成员身份不对，请从督查组成员身份中选择",
            unknown=unknown,
            allowed=list(TEAM_ROLES),
        )


def ensure_open(status: str) -> None:
    if status == "concluded":
        raise InspectionClosed(
            "The inspection is concluded; its record can no longer change.",
            detail_zh="督查已结束，记录不能再修改",
        )


def ensure_started(starts_on: date, today: date, *, doing: str, doing_zh: str) -> None:
    """Nothing is found or concluded before the inspection's first day (China date)."""
    if today < starts_on:
        raise InspectionNotStarted(
            f"The inspection starts on {starts_on} (today is {today}, China date); {doing} from then on.",
            detail_zh=f"督查 {starts_on} 才开始（今天是北京时间 {today}），{doing_zh}",
            starts_on=starts_on,
            today=today,
        )


def visible_to_inspected(kind: str, status: str) -> bool:
    """An unannounced visit is hidden from the inspected areas until it has concluded."""
    return kind == "announced" or status == "concluded"


def _inside(code: str, prefix: str) -> bool:
    try:
        return AreaCode.parse(code).is_within(prefix)
    except ValueError:
        return False
