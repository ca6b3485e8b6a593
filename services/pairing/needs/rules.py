"""What a registry event means for pairing, cadre suggestions and hand-over. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.pairing.errors import HandOverImpossible
from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode, AreaLevel, InvalidAreaCode

__all__ = [
    "NEEDS_CADRE",
    "CadreLoad",
    "ExitedHousehold",
    "HouseholdDecision",
    "HouseholdEventKind",
    "HouseholdStatus",
    "decide_on_household_event",
    "expired_exits",
    "helper_covers",
    "plan_hand_over",
    "proximity",
    "suggest_cadres",
]

HouseholdEventKind = str  # the last dotted part before the version: "registered", "exited", ...

# A household's registry status as pairing keeps it (an "updated" event carries any of them);
# their Chinese labels are in labels.json "codes", for the 422 of a wrong list filter.
HouseholdStatus = Literal[
    "candidate",
    "in_review",
    "in_notice",
    "confirmed",
    "registered",
    "exit_requested",
    "exited",
    "removed",
    "rejected",
]

# Statuses in which a household still wants a cadre beside it.
NEEDS_CADRE = frozenset({"registered", "exit_requested"})


@dataclass(frozen=True, slots=True)
class HouseholdDecision:
    status: str
    open_need: bool = False
    close_need: bool = False
    close_pairings_reason: str | None = None


_STATUS_BY_EVENT = {
    "candidate_created": "candidate",
    "registered": "registered",
    "relapsed": "registered",  # 返贫: back on the roll, needs a cadre again
    "exit_requested": "exit_requested",
    "exit_returned": "registered",
    "exited": "exited",
    "removed": "removed",
    "rejected": "rejected",  # a candidate not confirmed: never paired
}


def decide_on_household_event(
    event: HouseholdEventKind, *, data_status: str | None, has_active_cadre: bool
) -> HouseholdDecision:
    """Registered (or relapsed) opens a need unless a cadre is already there; exited keeps the
    pairings (脱贫不脱政策); removed closes pairings and the need."""
    if event == "updated":
        status = data_status or "registered"
        if status == "removed":
            return HouseholdDecision(status, close_need=True, close_pairings_reason="household_removed")
        return HouseholdDecision(status, open_need=status == "registered" and not has_active_cadre)
    mapped = _STATUS_BY_EVENT.get(event)
    if mapped is None:
        raise ValueError(f"unknown household event {event!r}")
    if event == "removed":
        return HouseholdDecision(mapped, close_need=True, close_pairings_reason="household_removed")
    if event in ("registered", "relapsed", "exit_returned"):
        return HouseholdDecision(mapped, open_need=not has_active_cadre)
    return HouseholdDecision(mapped)


def helper_covers(helper_area: str, helper_level: str | None, area_code: str) -> bool:
    """Does the helper's area hold ``area_code``? A leader's area is read at the leader's level;
    anyone else's at the level of their own area code (a county cadre holds the whole county, a
    village cadre their village). An unreadable helper area holds nothing."""
    if helper_level in LEVEL_PREFIX_LENGTH:
        prefix = helper_area[: LEVEL_PREFIX_LENGTH[AreaLevel(helper_level)]]
    else:
        try:
            prefix = AreaCode.parse(helper_area).prefix
        except InvalidAreaCode:
            return False
    return area_code.startswith(prefix)


@dataclass(frozen=True, slots=True)
class ExitedHousehold:
    household_id: str
    policies_kept_until: date | None


def expired_exits(households: Iterable[ExitedHousehold], *, today: date) -> list[str]:
    """Exited households whose policy period is over: their pairings may now close.
    The last day of the period still counts as inside it."""
    return [h.household_id for h in households if h.policies_kept_until and h.policies_kept_until < today]


@dataclass(frozen=True, slots=True)
class CadreLoad:
    helper_id: str
    area_code: str
    households: int  # active cadre↔household pairings


def proximity(a: str, b: str) -> int:
    """How many levels two area codes share (0 none .. 5 same village)."""
    shared = 0
    for length in (2, 4, 6, 9, 12):
        if a[:length] != b[:length]:
            break
        shared += 1
    return shared


def suggest_cadres(
    area_code: str, cadres: Sequence[CadreLoad], *, cap: int, limit: int = 5
) -> list[CadreLoad]:
    """Same area first (the most levels shared), then the least loaded; never at or over the cap."""
    under_cap = [c for c in cadres if c.households < cap]
    ranked = sorted(under_cap, key=lambda c: (-proximity(area_code, c.area_code), c.households, c.helper_id))
    return ranked[:limit]


def plan_hand_over(
    households: Sequence[tuple[str, str]], receivers: Sequence[CadreLoad], *, cap: int
) -> dict[str, str]:
    """Assign every (household_id, area_code) to a receiving cadre, nearest and least loaded
    first, without passing the cap. All or nothing: a household left unpaired is refused."""
    loads = {c.helper_id: c.households for c in receivers}
    free = sum(max(cap - n, 0) for n in loads.values())
    if free < len(households):
        raise HandOverImpossible(
            f"{len(households)} households need a cadre but the receivers have room for {free} "
            f"under the cap of {cap}; add receivers and try again",
            detail_zh=f"{len(households)} 户需要帮扶干部，但接手人员在结对上限 {cap} 户内只能再接 {free} 户；"
            "请增加接手人员后重试",
            households=len(households),
            room=free,
        )
    plan: dict[str, str] = {}
    for household_id, area_code in households:
        current = [CadreLoad(c.helper_id, c.area_code, loads[c.helper_id]) for c in receivers]
        best = suggest_cadres(area_code, current, cap=cap, limit=1)[0]
        plan[household_id] = best.helper_id
        loads[best.helper_id] += 1
    return plan
