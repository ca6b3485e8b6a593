"""The household life cycle as a state machine (identification, exit, removal, relapse).

candidate → in_review (village democratic review) → in_notice (public notice, objections) →
confirmed (signed household confirmation) → registered → exit_requested → exited; rejection
and removal with reasons. The table is the single source of which step is allowed where; the
guards add the date and objection conditions that a status alone cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.registry.errors import (
    NoticeBeforeReview,
    ObjectionsOpen,
    PublicNoticeStillRunning,
    ReviewNotApproved,
    TransitionRefused,
)
from services.registry.vocabulary import FIRST_ROLL_YEAR, ReviewResult
from services.registry.vocabulary import HouseholdStatus as S

__all__ = [
    "OBJECTION_STATUS_LABELS",
    "TRANSITIONS",
    "Action",
    "EntryFloor",
    "ReviewResult",
    "check_confirmation",
    "check_notice_start",
    "entry_floor",
    "late_tolerance",
    "next_status",
    "notice_confirmable_on",
]

# an objection to the public notice, as the clerk and the village board say it
OBJECTION_STATUS_LABELS = {"open": "待核实", "upheld": "成立", "dismissed": "不成立"}


class Action(StrEnum):
    SUBMIT_REVIEW = "submit_review"
    RECORD_REVIEW = "record_review"
    START_NOTICE = "start_notice"
    LODGE_OBJECTION = "lodge_objection"
    RESOLVE_OBJECTION = "resolve_objection"
    CONFIRM = "confirm"
    REGISTER = "register"
    REJECT = "reject"
    REMOVE = "remove"
    REQUEST_EXIT = "request_exit"
    VERIFY_EXIT = "verify_exit"
    RETURN_EXIT = "return_exit"
    RELAPSE = "relapse"
    REIDENTIFY = "reidentify"  # a return to poverty the policy routes through identification


_BEFORE_REGISTRATION = frozenset({S.CANDIDATE, S.IN_REVIEW, S.IN_NOTICE, S.CONFIRMED})

# action -> (statuses it may start from, status it leads to; None = stays where it is)
TRANSITIONS: dict[Action, tuple[frozenset[S], S | None]] = {
    Action.SUBMIT_REVIEW: (frozenset({S.CANDIDATE}), S.IN_REVIEW),
    Action.RECORD_REVIEW: (frozenset({S.IN_REVIEW}), None),
    Action.START_NOTICE: (frozenset({S.IN_REVIEW}), S.IN_NOTICE),
    Action.LODGE_OBJECTION: (frozenset({S.IN_NOTICE}), None),
    Action.RESOLVE_OBJECTION: (frozenset({S.IN_NOTICE}), None),
    Action.CONFIRM: (frozenset({S.IN_NOTICE}), S.CONFIRMED),
    Action.REGISTER: (frozenset({S.CONFIRMED}), S.REGISTERED),
    Action.REJECT: (_BEFORE_REGISTRATION, S.REJECTED),
    Action.REMOVE: (frozenset({S.REGISTERED, S.EXITED}), S.REMOVED),
    Action.REQUEST_EXIT: (frozenset({S.REGISTERED}), S.EXIT_REQUESTED),
    Action.VERIFY_EXIT: (frozenset({S.EXIT_REQUESTED}), S.EXITED),
    Action.RETURN_EXIT: (frozenset({S.EXIT_REQUESTED}), S.REGISTERED),
    Action.RELAPSE: (frozenset({S.EXITED}), S.REGISTERED),
    Action.REIDENTIFY: (frozenset({S.EXITED}), S.CANDIDATE),
}


def next_status(status: S, action: Action) -> S:
    allowed_from, to = TRANSITIONS[action]
    if status not in allowed_from:
        raise TransitionRefused(
            f"'{action}' is not allowed while the household is '{status}' "
            f"(allowed from: {', '.join(sorted(allowed_from))})",
            detail_zh=f"该户当前状态为“{S(status).label}”，不能办理这一步；"
            f"可办理的状态：{'、'.join(S(s).label for s in sorted(allowed_from))}",
            current_status=str(status),
            action=str(action),
        )
    return status if to is None else to


def check_notice_start(
    *, review_result: ReviewResult | None, review_held_on: date | None, starts_on: date
) -> None:
    if review_result is not ReviewResult.APPROVED or review_held_on is None:
        raise ReviewNotApproved(
            "the public notice starts only after the village review approved the household",
            detail_zh="村民主评议通过后才能公示",
        )
    if starts_on < review_held_on:
        raise NoticeBeforeReview(
            f"the notice cannot start ({starts_on}) before the village review was held ({review_held_on})",
            detail_zh=f"公示开始日期（{starts_on}）不能早于民主评议日期（{review_held_on}）",
        )


def notice_confirmable_on(starts_on: date, min_days: int) -> date:
    """First day the notice may be closed: a notice from the 1st lasting 7 days covers the 1st-7th."""
    return starts_on + timedelta(days=min_days)


def check_confirmation(*, notice_starts_on: date, min_days: int, open_objections: int, on: date) -> None:
    earliest = notice_confirmable_on(notice_starts_on, min_days)
    if on < earliest:
        raise PublicNoticeStillRunning(
            f"the public notice started {notice_starts_on} must run at least {min_days} days; "
            f"confirmation is possible from {earliest}",
            detail_zh=f"公示自{notice_starts_on}起须满{min_days}天，{earliest}起才能确认",
            confirmable_on=earliest.isoformat(),
            min_days=min_days,
        )
    if open_objections:
        raise ObjectionsOpen(
            f"{open_objections} objection(s) to the public notice are still open; resolve them first",
            detail_zh=f"公示还有{open_objections}条异议未处理，请先核实处理",
            open_objections=open_objections,
        )


@dataclass(frozen=True, slots=True)
class EntryFloor:
    """The earliest date a clerk may type for an identification step (shared.backdating's
    ``not_before``), named in English and in the clerk's words."""

    on: date
    what: str
    what_zh: str


def entry_floor(
    *, created_on: date, backdate_reason: str | None, earlier_step: EntryFloor | None = None
) -> EntryFloor:
    """Where a step's date may start. ``earlier_step`` (an objection's notice start) is always the
    floor. Otherwise a step cannot precede the day the household was entered, unless it happened on
    paper before it (补录, with a ``backdate_reason``): then only the first day of the first roll
    year (FIRST_ROLL_YEAR) bounds it, and the steps keep their order by their own checks (notice not
    before the review, confirmation only after the notice's days, all dated today or earlier)."""
    if earlier_step is not None:
        return earlier_step
    if backdate_reason and backdate_reason.strip():
        zh = f"建档立卡的最早年度（{FIRST_ROLL_YEAR}年）"
        return EntryFloor(
            date(FIRST_ROLL_YEAR, 1, 1), f"the first year of the poverty rolls ({FIRST_ROLL_YEAR})", zh
        )
    return EntryFloor(created_on, "the day the household was entered", "本户录入系统的日期")


def late_tolerance(*, on: date, created_on: date, today: date, policy_days: int) -> int:
    """The days a date may lie back without being a late entry: the policy's, but a date before the
    household was entered (paper history) is always a late entry, kept with its reason."""
    return min(policy_days, max((today - created_on).days, 0)) if on < created_on else policy_days
