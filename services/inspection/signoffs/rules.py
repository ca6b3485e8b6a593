"""The exit sign-off (4-3-4-2 in Gansu): who signs, in which order, and what ends a dossier.

A scheme is policy data: an ordered tuple of levels, each with the positions that must sign
there. Levels are signed strictly in order; inside a level the positions may sign in any order
(the seed asks each level to confirm, not a sequence inside it). A signer qualifies for a
position when they hold the position's role and their area is the household's ancestor at
that level (the village head of *this* village, the mayor of *this* city).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from typing_extensions import Unpack

from services.inspection.errors import (
    DossierClosed,
    InvalidScheme,
    LevelNotReached,
    PositionAlreadySigned,
    PositionNotInScheme,
    SignerAreaMismatch,
    SignerIsNotTheHousehold,
    SignerLacksPosition,
)
from services.inspection.places import ancestor
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.vocabulary import Choice

__all__ = [
    "DOSSIER_STATUS",
    "DOSSIER_STATUS_ZH",
    "Attempt",
    "Signature",
    "SignoffLevel",
    "SignoffScheme",
    "current_level",
    "check_refusal",
    "check_scheme",
    "check_signature",
    "is_complete",
    "outstanding",
]

# A dossier is open, verified, rejected (a refusal) or withdrawn (registry took the request back).


@dataclass(frozen=True)
class SignoffLevel:
    level: str
    positions: tuple[str, ...]


@dataclass(frozen=True)
class SignoffScheme:
    code: str
    levels: tuple[SignoffLevel, ...]
    # The position the household itself fills: only the household's own token (sub = its id)
    # may sign it, so nobody can confirm an exit on a family's behalf.
    household_position: str | None = None

    def position_level(self, position: str) -> SignoffLevel | None:
        return next((lv for lv in self.levels if position in lv.positions), None)

    @property
    def positions(self) -> frozenset[str]:
        return frozenset(p for lv in self.levels for p in lv.positions)


@dataclass(frozen=True)
class Signature:
    level: str
    position: str


_ORDER = ("village", "township", "county", "city", "province")
# How the sign-off screen names levels and the seed's positions (seed 003 七); a position a place
# records under another code keeps its code.
LEVEL_ZH = {"village": "村", "township": "乡", "county": "县", "city": "市", "province": "省"}
POSITION_ZH = {
    "village_party_secretary": "村党支部书记",
    "village_head": "村主任",
    "work_team_leader": "驻村工作队队长",
    "exit_household": "贫困户",
    "township_party_secretary": "乡党委书记",
    "township_head": "乡长",
    "township_poverty_station_chief": "乡扶贫工作站站长",
    "county_party_secretary": "县委书记",
    "county_head": "县长",
    "county_poverty_office_director": "县扶贫办主任",
    "county_statistics_director": "县统计局局长",
    "city_party_secretary": "市委书记",
    "mayor": "市长",
}


def _level_zh(level: str) -> str:
    return f"{LEVEL_ZH[level]}级" if level in LEVEL_ZH else level


def _position_zh(position: str) -> str:
    return f"“{POSITION_ZH.get(position, position)}”"


# The lowest level that may sign each kind of dossier: a county's exit is not signed in a village.
_LOWEST_LEVEL = {"household": "village", "village": "village", "county": "county"}
_KIND_ZH = {"household": "贫困户", "village": "贫困村", "county": "贫困县"}


def check_scheme(scheme: SignoffScheme, kind: str = "household") -> None:
    """A usable scheme: levels from the bottom up, each once, each with distinct positions, and
    the household (when it signs) at the village level; a village's or county's exit has no
    household signer and is signed at its own level or above."""
    lowest = _LOWEST_LEVEL.get(kind)
    if lowest is None:
        raise InvalidScheme(
            "A dossier kind is household, village or county.", detail_zh="档案类型应为户、村或县", kind=kind
        )
    names = [lv.level for lv in scheme.levels]
    if any(n in _ORDER and _ORDER.index(n) < _ORDER.index(lowest) for n in names):
        raise InvalidScheme(
            f"A {kind} exit is signed at the {lowest} level or above.",
            detail_zh=f"{_KIND_ZH.get(kind, kind)}的退出应在{_level_zh(lowest)}或以上签字",
            levels=names,
        )
    if kind != "household" and scheme.household_position is not None:
        raise InvalidScheme(
            "Only a household's exit has a household signer.", detail_zh="只有户的退出才由农户本人签字"
        )
    names = [lv.level for lv in scheme.levels]
    if not names or any(n not in _ORDER for n in names):
        raise InvalidScheme(
            "Levels are village, township, county, city or province.",
            detail_zh="签字层级应为村、乡镇、县、市或省",
            levels=names,
        )
    if [_ORDER.index(n) for n in names] != sorted({_ORDER.index(n) for n in names}):
        raise InvalidScheme(
            "Levels sign from the bottom up, each level once.",
            detail_zh="各级自下而上签字，每级一次",
            levels=names,
        )
    positions = [p for lv in scheme.levels for p in lv.positions]
    if any(not lv.positions for lv in scheme.levels) or len(positions) != len(set(positions)):
        raise InvalidScheme(
            "Every level needs positions, and a position signs at one level only.",
            detail_zh="每一级都要有签字岗位，一个岗位只在一级签字",
        )
    if scheme.household_position is not None:
        where = scheme.position_level(scheme.household_position)
        if where is None or where.level != "village":
            raise InvalidScheme("The household signs at the village level.", detail_zh="农户在村一级签字")


def outstanding(scheme: SignoffScheme, signatures: list[Signature]) -> list[Signature]:
    """Every (level, position) still to sign, in scheme order."""
    done = {(s.level, s.position) for s in signatures}
    return [Signature(lv.level, p) for lv in scheme.levels for p in lv.positions if (lv.level, p) not in done]


def current_level(scheme: SignoffScheme, signatures: list[Signature]) -> SignoffLevel | None:
    """The first level with a position still unsigned; None when every level has signed."""
    todo = outstanding(scheme, signatures)
    if not todo:
        return None
    return next(lv for lv in scheme.levels if lv.level == todo[0].level)


def is_complete(scheme: SignoffScheme, signatures: list[Signature]) -> bool:
    return not outstanding(scheme, signatures)


class Attempt(TypedDict):
    """One signer's try at one position of a dossier: everything the sign-off checks read."""

    status: str
    household_area: str
    household_id: str
    signatures: list[Signature]
    signer: Principal  # the account signing: its roles, area and (for a household) sub
    position: str


# A dossier's statuses as the sign-off screen says them (a closed one takes no signature).
DOSSIER_STATUS_ZH = {"open": "签字中", "verified": "已核验通过", "rejected": "已退回", "withdrawn": "已撤回"}
# The list filter's check: "open"/"verified" mean something else for a finding, so the dossier's
# own words name the allowed statuses (not the service-wide code labels a 422 would use).
DOSSIER_STATUS = Choice(
    DOSSIER_STATUS_ZH,
    "dossier status",
    "档案状态“{value}”不对，应为签字中（open）、已核验通过（verified）、已退回（rejected）或已撤回（withdrawn）",
)


def check_signature(scheme: SignoffScheme, **attempt: Unpack[Attempt]) -> Signature:
    """The step this signature fills, or the domain error that refuses it."""
    status, position, signer = attempt["status"], attempt["position"], attempt["signer"]
    signatures = attempt["signatures"]
    if status != "open":
        raise DossierClosed(
            f"The dossier is {status}; nothing more can be signed.",
            detail_zh=f"档案状态为“{DOSSIER_STATUS_ZH.get(status, status)}”，不能再签字",
            current_status=status,
        )
    step_level = scheme.position_level(position)
    if step_level is None:
        raise PositionNotInScheme(
            f"Position {position!r} is not part of scheme {scheme.code}.",
            detail_zh=f"岗位{_position_zh(position)}不在本档案的签字流程中；可签字的岗位："
            + "、".join(POSITION_ZH.get(p, p) for lv in scheme.levels for p in lv.positions),
            position=position,
            positions=sorted(scheme.positions),
        )
    if position not in signer.roles:
        raise SignerLacksPosition(
            f"Signing as {position} needs the role {position}.",
            detail_zh=f"以{_position_zh(position)}身份签字，账号须具有该岗位角色（{position}）",
            position=position,
        )
    if position == scheme.household_position and signer.sub != attempt["household_id"]:
        raise SignerIsNotTheHousehold(
            "The household signs for itself, with its own account.", detail_zh="农户须用本户自己的账号签字"
        )
    expected_area = ancestor(attempt["household_area"], step_level.level)
    if signer.area_code != expected_area:
        raise SignerAreaMismatch(
            f"The {position} who signs must hold office for area {expected_area}.",
            detail_zh=f"签字的{_position_zh(position)}须在地区 {expected_area} 任职，"
            f"该账号的地区是 {signer.area_code}",
            expected_area=expected_area,
            signer_area=signer.area_code,
        )
    step = Signature(step_level.level, position)
    if step in signatures:
        raise PositionAlreadySigned(
            f"{position} has already signed this dossier.",
            detail_zh=f"{_position_zh(position)}已在本档案签字",
            position=position,
        )
    now = current_level(scheme, signatures)
    if now is not None and now.level != step_level.level:
        raise LevelNotReached(
            f"The {now.level} level must finish signing before the {step_level.level} level.",
            detail_zh=f"{_level_zh(now.level)}签完后，{_level_zh(step_level.level)}才能签字；"
            + "尚待"
            + "、".join(
                _position_zh(s.position) for s in outstanding(scheme, signatures) if s.level == now.level
            )
            + "签字",
            current_level=now.level,
            waiting_for=[s.position for s in outstanding(scheme, signatures) if s.level == now.level],
        )
    return step


def check_refusal(scheme: SignoffScheme, *, reason: str, **attempt: Unpack[Attempt]) -> Signature:
    """A refusal must come from someone who could sign that step now, and say why."""
    if not reason.strip():
        raise InvalidInput("A refusal must give its reason.", detail_zh="不同意签字须说明理由")
    return check_signature(scheme, **attempt)


def scheme_of_record(code: str, recorded: dict[str, Any]) -> SignoffScheme:
    """The scheme frozen into a dossier (its JSON form, see service.scheme_json)."""
    return SignoffScheme(
        code,
        tuple(SignoffLevel(lv["level"], tuple(lv["positions"])) for lv in recorded["levels"]),
        household_position=recorded.get("household_position"),
    )


class _Decision(Protocol):
    level: str
    position: str
    decision: str


def signed(rows: Sequence[_Decision]) -> list[Signature]:
    """The signatures among a dossier's decisions (a refusal is not one)."""
    return [Signature(r.level, r.position) for r in rows if r.decision == "signed"]
