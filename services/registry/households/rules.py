"""Pure household rules: member identity checks, batch sets, and life changes (split, head change,
move to another village).

Plain functions over plain data; the service loads rows into these shapes and applies the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.registry.errors import BatchNotInPolicy, HouseholdChangeRefused, InvalidMember
from services.registry.policies.presets import TRANSFER_EMPLOYMENT
from services.registry.policies.rules import TransferEmploymentRule
from services.registry.relapses.rules import plan_year_after
from services.registry.vocabulary import (
    BATCH_LABELS,
    HouseholdStatus,
    LabourCapacity,
    LeaveReason,
    Relation,
    Sex,
)
from shared.backdating import DateInFuture, check_not_future
from shared.errors import InvalidInput
from shared.resident_id import InvalidResidentId, ResidentId, validate

__all__ = [
    "MOVABLE_STATUSES",
    "LeftMember",
    "MemberFacts",
    "age_on",
    "check_batches",
    "check_head_change",
    "check_member_identity",
    "check_move",
    "check_plan_year",
    "check_removal",
    "check_split",
    "transfer_employment_fits",
    "born_between",
]


@dataclass(frozen=True, slots=True)
class MemberFacts:
    id: UUID
    relation: Relation
    birth_date: date
    labour_capacity: LabourCapacity
    in_school: bool = False
    has_work_info: bool = False


def check_member_identity(
    number: str, *, birth_date: date | None, sex: str | None, today: date
) -> ResidentId:
    """Validate a resident ID and that the declared birth date and sex agree with it."""
    try:
        parsed = validate(number, today=today)
    except InvalidResidentId as exc:
        raise InvalidMember(str(exc), detail_zh=exc.zh, field="resident_id") from exc
    if birth_date is not None and birth_date != parsed.birth_date:
        raise InvalidMember(
            f"birth date {birth_date} does not match the resident ID ({parsed.birth_date})",
            detail_zh=f"出生日期 {birth_date} 与身份证号中的出生日期（{parsed.birth_date}）不符，请核对",
            field="birth_date",
        )
    if sex is not None and sex != parsed.sex:
        raise InvalidMember(
            f"sex '{sex}' does not match the resident ID ({parsed.sex})",
            detail_zh=f"性别“{Sex(sex).label}”与身份证号（{Sex(parsed.sex).label}）不符，请核对",
            field="sex",
        )
    return parsed


def check_plan_year(year: int, *, today: date) -> None:
    """A household's year is its identification / plan year: this year, or next year's plan (one
    identified late in the year enters next year's plan, as a returned household does:
    relapses.rules.plan_year_after), never a later year. The one rule of registration, the bulk
    import (each row) and the spreadsheet import (a row's reason: the Chinese words)."""
    latest = plan_year_after(today.year)
    if year > latest:
        raise InvalidInput(
            f"year {year} is too far ahead: a household is identified for this year or next year's plan"
            f" ({latest} at the latest)",
            detail_zh=f"识别年度{year}年太远：只能登记今年或下一年度（最晚{latest}年）的计划，请核对年度",
            field="year",
            latest=latest,
        )


def check_batches(batches: Iterable[str], *, allowed: Sequence[str], batch_set: str) -> list[str]:
    chosen = list(dict.fromkeys(batches))  # keep order, drop repeats
    unknown = [b for b in chosen if b not in allowed]
    if unknown:
        raise BatchNotInPolicy(
            f"batches {', '.join(unknown)} are not in this area's set '{batch_set}' ({', '.join(allowed)})",
            detail_zh=f"帮扶批次 {'、'.join(BATCH_LABELS.get(b, b) for b in unknown)} 不在本地区的批次中；"
            f"可选：{'、'.join(BATCH_LABELS.get(b, b) for b in allowed)}",
            allowed=list(allowed),
        )
    return chosen


def age_on(birth_date: date, day: date) -> int:
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def transfer_employment_fits(
    member: MemberFacts, *, on: date, rule: TransferEmploymentRule = TRANSFER_EMPLOYMENT
) -> bool:
    """Gansu's transfer-employment batch (seed 003): age 18-60, labour-capable, not in school, work info."""
    return (
        rule.min_age <= age_on(member.birth_date, on) <= rule.max_age
        and member.labour_capacity in (LabourCapacity.FULL, LabourCapacity.PARTIAL)
        and not member.in_school
        and member.has_work_info
    )


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born_between(on: date, rule: TransferEmploymentRule = TRANSFER_EMPLOYMENT) -> tuple[date, date]:
    """The birth dates of the ages the rule counts on ``on``, as (born after, born on or before):
    age_on(b, on) >= min_age exactly when b <= the day min_age years before, and age_on(b, on) <=
    max_age exactly when b > the day max_age + 1 years before (the SQL filter of the figure;
    transfer_employment_fits reads one member the same way)."""
    return _years_before(on, rule.max_age + 1), _years_before(on, rule.min_age)


def _head(members: Sequence[MemberFacts]) -> MemberFacts | None:
    return next((m for m in members if m.relation is Relation.HEAD), None)


def check_income_year(year: int, today: date) -> None:
    """A year's per-capita income is recorded once the year has begun (today: the China date); the
    spreadsheet import of incomes refuses a later year the same way."""
    if year > today.year:
        raise DateInFuture(
            f"year {year} is after this year ({today.year}; today is {today}, China date): a year's "
            "per-capita income is recorded once the year has begun; check the year",
            detail_zh=f"{year}年尚未到来，不能登记该年度的人均纯收入（今天是北京时间 {today}），请核对年度",
            field="year",
            entered=str(year),
            today=today.isoformat(),
        )


@dataclass(frozen=True, slots=True)
class LeftMember:
    """A member of the household who has left it already."""

    name: str
    left_on: date | None
    reason: LeaveReason | None


def check_removal(
    members: Sequence[MemberFacts], member_id: UUID, left: LeftMember | None = None, on: date | None = None
) -> None:
    """A member may leave unless they are the head (change the head first) or the last member, or
    has left already (``left``: named with the day and why, as a resent removal needs), or ``on``
    (the day they left) lies before their birth."""
    target = next((m for m in members if m.id == member_id), None)
    if target is None and left is not None:
        why = f"（{left.reason.label}）" if left.reason else ""
        raise HouseholdChangeRefused(
            f"member {member_id} left this household on {left.left_on} already",
            detail_zh=f"{left.name}已于{left.left_on}减员{why}，不能再次减员",
        )
    if target is None:
        raise HouseholdChangeRefused(
            f"member {member_id} is not an active member of this household",
            detail_zh=f"该户没有这名成员（{member_id}），请核对",
        )
    if on is not None and on < target.birth_date:
        raise InvalidMember(
            f"the member cannot have left on {on}, before their birth on {target.birth_date}",
            detail_zh=f"减员日期 {on} 早于该成员的出生日期 {target.birth_date}，请核对",
            field="on",
            entered=on.isoformat(),
            birth_date=target.birth_date.isoformat(),
        )
    if target.relation is Relation.HEAD and len(members) > 1:
        raise HouseholdChangeRefused(
            "the head cannot leave while others remain: change the head first",
            detail_zh="户内还有其他成员时户主不能减员：请先变更户主",
        )
    if len(members) == 1:
        raise HouseholdChangeRefused(
            "the last member cannot leave: remove the household instead",
            detail_zh="最后一名成员不能减员：请改为清退该户",
        )


def check_head_change(members: Sequence[MemberFacts], new_head_id: UUID) -> MemberFacts | None:
    """Returns the old head (who becomes 'other' unless the caller says otherwise)."""
    if not any(m.id == new_head_id for m in members):
        raise HouseholdChangeRefused(
            f"member {new_head_id} is not an active member of this household",
            detail_zh=f"成员 {new_head_id} 不是该户的在册成员",
        )
    old = _head(members)
    if old is not None and old.id == new_head_id:
        raise HouseholdChangeRefused("this member is already the head", detail_zh="此成员已是户主")
    return old


def check_split(
    members: Sequence[MemberFacts],
    moving: Sequence[UUID],
    *,
    new_head_id: UUID,
    remaining_head_id: UUID | None,
) -> None:
    """A split moves some members (one of them the new head) into a new household.

    Both households must keep at least one member and a head; if the current head moves, the
    caller names who heads the remaining household.
    """
    ids = {m.id for m in members}
    moving_set = set(moving)
    if not moving_set or not moving_set <= ids:
        raise HouseholdChangeRefused(
            "the members to move must be active members of this household",
            detail_zh="分出的成员须是该户的在册成员",
        )
    if moving_set == ids:
        raise HouseholdChangeRefused(
            "a split must leave at least one member behind", detail_zh="分户后原户至少要留下一名成员"
        )
    if new_head_id not in moving_set:
        raise HouseholdChangeRefused(
            "the new household's head must be one of the members who move",
            detail_zh="新户的户主须是分出的成员之一",
        )
    head = _head(members)
    if head is not None and head.id in moving_set:
        if remaining_head_id is None or remaining_head_id in moving_set or remaining_head_id not in ids:
            raise HouseholdChangeRefused(
                "the head moves to the new household: name a remaining member as the new head",
                detail_zh="户主分到新户：请指定一名留下的成员为原户的新户主",
            )


# A household may move (迁移) while it is a candidate (no village has reviewed it yet), registered,
# or exited (it keeps its policies for the period, 脱贫不脱政策, wherever it lives). Not while a
# village's identification of it is under way (review, notice, confirmation happen in that village),
# not while the exit verdict is pending (the 4-3-4-2 sign-off is by the old village's levels), and
# never once it is closed (removed, rejected).
MOVABLE_STATUSES = frozenset({HouseholdStatus.CANDIDATE, HouseholdStatus.REGISTERED, HouseholdStatus.EXITED})

_WHY_NOT_NOW = {
    HouseholdStatus.IN_REVIEW: "the village review is under way in its current village; finish it first",
    HouseholdStatus.IN_NOTICE: "its public notice is running in its current village; finish it first",
    HouseholdStatus.CONFIRMED: "it was confirmed in its current village; register it there first",
    HouseholdStatus.EXIT_REQUESTED: "its exit verdict is pending; wait for the verdict",
    HouseholdStatus.REMOVED: "it is removed",
    HouseholdStatus.REJECTED: "it was rejected",
}


def check_move(
    *,
    status: HouseholdStatus,
    from_area: str,
    to_area: str,
    to_level: str,
    moved_on: date,
    today: date,
    relapse_open: bool = False,
) -> None:
    """May a household in ``status`` living in ``from_area`` move to ``to_area`` (of ``to_level``)?

    A target that is not a village, or a move dated in the future, is a bad request (422); a move
    the household's state does not allow is refused (409) with a machine-readable ``reason``.
    """
    if to_level != "village":
        raise InvalidInput(
            f"a household lives in a village; {to_area} is a {to_level}",
            detail_zh=f"户须迁到村；{to_area} 不是村",
            field="to_area_code",
            code=to_area,
        )
    check_not_future(field="moved_on", on=moved_on, today=today, label_zh="搬迁日期")
    if status not in MOVABLE_STATUSES:
        raise HouseholdChangeRefused(
            f"the household cannot move now: {_WHY_NOT_NOW.get(status, status.value)}",
            detail_zh=f"该户现在不能迁移（{status.label}）",
            reason="status_not_movable",
            status=status.value,
            movable_statuses=sorted(s.value for s in MOVABLE_STATUSES),
        )
    if to_area == from_area:
        raise HouseholdChangeRefused(
            f"the household already lives in {to_area}",
            detail_zh=f"该户已住在 {to_area}",
            reason="same_village",
        )
    if relapse_open:
        raise HouseholdChangeRefused(
            "a return-to-poverty case is open; its approval chain runs where the household lives, "
            "so decide the case first",
            detail_zh="该户有正在审批的返贫申请，须在原住地审批完再迁移",
            reason="relapse_case_open",
        )
