"""The exit sign-off (4-3-4-2 in Gansu): who signs, in which order, and what ends a dossier.

A scheme is policy data: an ordered tuple of levels, each with the positions that must sign
there. Levels are signed strictly in order; inside a level the positions may sign in any order
(the seed asks each level to confirm, not a sequence inside it). A signer qualifies for a
position when they hold the position's role and their area is the household's ancestor at
that level (the village head of *this* village, the mayor of *this* city).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.inspection.places import ancestor
from shared.errors import Conflict, Forbidden, InvalidInput

__all__ = [
    "DossierClosed",
    "LevelNotReached",
    "PositionAlreadySigned",
    "PositionNotInScheme",
    "SignerAreaMismatch",
    "SignerIsNotTheHousehold",
    "SignerLacksPosition",
    "Signature",
    "Signer",
    "SignoffLevel",
    "SignoffScheme",
    "current_level",
    "InvalidScheme",
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


@dataclass(frozen=True)
class Signer:
    roles: frozenset[str]
    area_code: str
    sub: str = ""


class DossierClosed(Conflict):
    type_slug = "dossier-closed"
    title = "The sign-off dossier is closed"
    title_zh = "签字档案已关闭"
    hint_zh = "已关闭的档案不能再签字"
    hint_en = "A closed dossier takes no more signatures"


class LevelNotReached(Conflict):
    type_slug = "signoff-level-not-reached"
    title = "A lower level has not finished signing"
    title_zh = "下一级还未签完"
    hint_zh = "等下一级签字完成后再签"
    hint_en = "Wait until the lower level has signed"


class PositionAlreadySigned(Conflict):
    type_slug = "signoff-position-already-signed"
    title = "This position has already signed"
    title_zh = "该岗位已签字"
    hint_zh = "无需重复签字"
    hint_en = "No second signature is needed"


class PositionNotInScheme(InvalidInput):
    type_slug = "signoff-position-unknown"
    title = "This position does not sign in the dossier's scheme"
    title_zh = "该岗位不在本档案的签字流程中"
    hint_zh = "按档案的签字流程选择岗位"
    hint_en = "Choose a position of the dossier's scheme"


class SignerLacksPosition(Forbidden):
    type_slug = "signer-lacks-position"
    title = "You do not hold the position this step needs"
    title_zh = "您不担任这一步需要的岗位"
    hint_zh = "请担任该岗位的人员签字"
    hint_en = "Ask the holder of the position"


class SignerIsNotTheHousehold(Forbidden):
    type_slug = "signer-not-the-household"
    title = "Only the household itself signs as the household"
    title_zh = "只有本户才能以户的名义签字"
    hint_zh = "请户主本人签字"
    hint_en = "The household signs for itself"


class SignerAreaMismatch(Forbidden):
    type_slug = "signer-area-mismatch"
    title = "You do not hold this position for the household's area"
    title_zh = "您不是该户所在地区的这一岗位"
    hint_zh = "请该户所在地区的岗位人员签字"
    hint_en = "Ask the holder for the household's area"


class InvalidScheme(InvalidInput):
    type_slug = "signoff-scheme-invalid"
    title = "The sign-off scheme cannot be used"
    title_zh = "签字流程不能使用"
    hint_zh = "按说明改正签字流程（各级岗位及顺序）后重新提交"
    hint_en = "Fix the scheme's positions and levels as described"


_ORDER = ("village", "township", "county", "city", "province")


# The lowest level that may sign each kind of dossier: a county's exit is not signed in a village.
_LOWEST_LEVEL = {"household": "village", "village": "village", "county": "county"}


def check_scheme(scheme: SignoffScheme, kind: str = "household") -> None:
    """A usable scheme: levels from the bottom up, each once, each with distinct positions, and
    the household (when it signs) at the village level; a village's or county's exit has no
    household signer and is signed at its own level or above."""
    lowest = _LOWEST_LEVEL.get(kind)
    if lowest is None:
        raise InvalidScheme("A dossier kind is household, village or county.", kind=kind)
    names = [lv.level for lv in scheme.levels]
    if any(n in _ORDER and _ORDER.index(n) < _ORDER.index(lowest) for n in names):
        raise InvalidScheme(f"A {kind} exit is signed at the {lowest} level or above.", levels=names)
    if kind != "household" and scheme.household_position is not None:
        raise InvalidScheme("Only a household's exit has a household signer.")
    names = [lv.level for lv in scheme.levels]
    if not names or any(n not in _ORDER for n in names):
        raise InvalidScheme("Levels are village, township, county, city or province.", levels=names)
    if [_ORDER.index(n) for n in names] != sorted({_ORDER.index(n) for n in names}):
        raise InvalidScheme("Levels sign from the bottom up, each level once.", levels=names)
    positions = [p for lv in scheme.levels for p in lv.positions]
    if any(not lv.positions for lv in scheme.levels) or len(positions) != len(set(positions)):
        raise InvalidScheme("Every level needs positions, and a position signs at one level only.")
    if scheme.household_position is not None:
        where = scheme.position_level(scheme.household_position)
        if where is None or where.level != "village":
            raise InvalidScheme("The household signs at the village level.")


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


def _qualify(
    scheme: SignoffScheme,
    status: str,
    household_area: str,
    household_id: str,
    signatures: list[Signature],
    signer: Signer,
    position: str,
) -> Signature:
    if status != "open":
        raise DossierClosed(f"The dossier is {status}; nothing more can be signed.", current_status=status)
    step_level = scheme.position_level(position)
    if step_level is None:
        raise PositionNotInScheme(
            f"Position {position!r} is not part of scheme {scheme.code}.",
            position=position,
            positions=sorted(scheme.positions),
        )
    if position not in signer.roles:
        raise SignerLacksPosition(f"Signing as {position} needs the role {position}.", position=position)
    if position == scheme.household_position and signer.sub != household_id:
        raise SignerIsNotTheHousehold("The household signs for itself, with its own account.")
    expected_area = ancestor(household_area, step_level.level)
    if signer.area_code != expected_area:
        raise SignerAreaMismatch(
            f"The {position} who signs must hold office for area {expected_area}.",
            expected_area=expected_area,
            signer_area=signer.area_code,
        )
    step = Signature(step_level.level, position)
    if step in signatures:
        raise PositionAlreadySigned(f"{position} has already signed this dossier.", position=position)
    now = current_level(scheme, signatures)
    if now is not None and now.level != step_level.level:
        raise LevelNotReached(
            f"The {now.level} level must finish signing before the {step_level.level} level.",
            current_level=now.level,
            waiting_for=[s.position for s in outstanding(scheme, signatures) if s.level == now.level],
        )
    return step


def check_signature(
    scheme: SignoffScheme,
    *,
    status: str,
    household_area: str,
    household_id: str,
    signatures: list[Signature],
    signer: Signer,
    position: str,
) -> Signature:
    """The step this signature fills, or the domain error that refuses it."""
    return _qualify(scheme, status, household_area, household_id, signatures, signer, position)


def check_refusal(
    scheme: SignoffScheme,
    *,
    status: str,
    household_area: str,
    household_id: str,
    signatures: list[Signature],
    signer: Signer,
    position: str,
    reason: str,
) -> Signature:
    """A refusal must come from someone who could sign that step now, and say why."""
    if not reason.strip():
        raise InvalidInput("A refusal must give its reason.", detail_zh="不同意签字须说明理由")
    return _qualify(scheme, status, household_area, household_id, signatures, signer, position)
