"""Pairing's domain errors. Every refused rule is a 409 whose detail says which rule and why."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from shared.errors import (
    AreaNotFound,
    AreaOutsideScope,
    Conflict,
    Forbidden,
    HouseholdNotFound,
    InvalidInput,
    NotFound,
)

__all__ = [
    "AreaNotFound",
    "AreaOutsideScope",
    "HandOverImpossible",
    "HelperAlreadyLeft",
    "HelperNotFound",
    "HelperNotNamed",
    "HouseholdNotFound",
    "HouseholdNotPairable",
    "WorkerNotOnRoll",
    "ImportAlreadyUploaded",
    "ImportHasErrors",
    "ImportNotFound",
    "ImportNotReady",
    "InvalidPeriod",
    "login_taken",
    "OverrideNotFound",
    "PairingNotFound",
    "PairingRuleViolated",
    "pairing_raced",
    "refused_when_taken",
    "RecordIdReused",
    "UnreadableRoll",
    "VisitNotAllowed",
]


class PairingRuleViolated(Conflict):
    """A pairing rule of the seeds (or the area's policy) refuses this pairing."""

    type_slug = "pairing-rule-violated"
    title = "The pairing breaks a pairing rule"
    title_zh = "结对违反结对帮扶规定"
    hint_zh = "按 detail 所说的规定调整结对"
    hint_en = "Change the pairing as the rule says"


@contextmanager
def refused_when_taken(refusal: PairingRuleViolated) -> Iterator[None]:
    """A unique index broken inside the block is ``refusal``: another request wrote the same
    "one" row (a login's helper, an active pairing) between our check and our write."""
    try:
        yield
    except IntegrityError as exc:
        raise refusal from exc


def login_taken(user_sub: str | None) -> PairingRuleViolated:
    """A login is one helper's: the second helper registered with it is refused."""
    return PairingRuleViolated(
        f"Login {user_sub} already belongs to another helper",
        detail_zh=f"账号 {user_sub} 已属于另一位帮扶责任人",
        rule="one_helper_per_login",
    )


def pairing_raced(kind: str, helper_id: uuid.UUID, target_id: str) -> PairingRuleViolated:
    """Another request opened an active pairing of this ``kind`` for the helper or the target
    between our check (``rules.check_open``) and our write."""
    return PairingRuleViolated(
        f"{target_id} or helper {helper_id} got an active {kind} pairing at the same time",
        detail_zh=f"{target_id} 或帮扶责任人 {helper_id} 同时建立了同类结对",
        rule="concurrent",
    )


class HouseholdNotPairable(Conflict):
    type_slug = "household-not-pairable"
    title = "The household cannot be paired in its current status"
    title_zh = "该户当前状态不能结对"
    hint_zh = "只有建档立卡户（或退出后仍享受政策的户）可以结对"
    hint_en = "Only registered households are paired"


class WorkerNotOnRoll(Conflict):
    """Kaiping 五(十)2 counts 建档立卡贫困劳动力: a worker of a household not on the roll does not count."""

    type_slug = "worker-not-on-roll"
    title = "The worker's household is not a registered poor household"
    title_zh = "该户不是建档立卡贫困户，其劳动力不计入企业吸纳的贫困劳动力"
    hint_zh = "只登记建档立卡户（含已脱贫退出户）的劳动力"
    hint_en = "Record labourers of registered (or exited) poor households only"


class HandOverImpossible(Conflict):
    type_slug = "hand-over-impossible"
    title = "The households cannot all be handed over"
    title_zh = "不能把这些户全部移交"
    hint_zh = "检查接手人员的结对上限和地区"
    hint_en = "Check the receiving helper's cap and area"


class VisitNotAllowed(Conflict):
    type_slug = "visit-not-allowed"
    title = "The visit cannot be recorded"
    title_zh = "不能登记这次走访"
    hint_zh = "检查走访日期和结对关系"
    hint_en = "Check the visit date and the pairing"


class InvalidPeriod(InvalidInput):
    type_slug = "invalid-period"
    title = "The period is not valid"
    title_zh = "时段不对"
    hint_zh = "起始日期应不晚于结束日期"
    hint_en = "The start must not be after the end"


class HelperNotFound(NotFound):
    type_slug = "helper-not-found"
    thing = ("Helper", "帮扶责任人", "helper_id")


class PairingNotFound(NotFound):
    type_slug = "pairing-not-found"
    thing = ("Pairing", "结对", "pairing_id")


class HelperAlreadyLeft(PairingRuleViolated):
    type_slug = "helper-already-left"
    title = "The helper has already left"
    title_zh = "该帮扶责任人已离开"
    hint_zh = "把该户交给仍在岗的帮扶责任人"
    hint_en = "Pair the household with a helper still in post"


class OverrideNotFound(NotFound):
    type_slug = "policy-override-not-found"
    title = "Policy override not found"
    title_zh = "未找到该政策调整"
    hint_zh = "检查地区和年度"
    hint_en = "Check the area and year"


class RecordIdReused(VisitNotAllowed):
    type_slug = "record-id-reused"
    title = "The record id was already used for other content"
    title_zh = "记录编号已用于其他内容"
    hint_zh = "为新记录生成新的编号"
    hint_en = "Give the new record a new id"


class HelperNotNamed(Forbidden):
    """An office records a visit for a cadre: without a helper record of its own, it names the cadre.
    Who the caller is decides it (not the body's form), so it is a refusal of the caller (403)."""

    type_slug = "helper-not-named"
    title = "Your login is no helper: name the cadre whose visit this is"
    title_zh = "您的账号不是帮扶责任人，请指明帮扶干部"
    hint_zh = "在 helper_id 中填写这次走访的帮扶干部"
    hint_en = "Give the visiting cadre's id in helper_id"


class ImportNotFound(NotFound):
    type_slug = "pairing-import-not-found"
    title = "No such pairing import"
    title_zh = "没有这次结对帮扶名单导入"
    hint_zh = "检查导入编号；只能查看本辖区上传的导入"
    hint_en = "Check the import id; you see only imports uploaded in your area"


class ImportAlreadyUploaded(Conflict):
    type_slug = "pairing-import-already-uploaded"
    title = "This pairing roll was uploaded before"
    title_zh = "这个结对帮扶名单已经上传过"
    hint_zh = "用已有的导入编号查看结果或提交；如要重新导入，先取消原来的导入"
    hint_en = "Use the existing import's id to see or commit it; cancel it to import again"


class ImportNotReady(Conflict):
    type_slug = "pairing-import-state"
    title = "The pairing import cannot do that in its current state"
    title_zh = "这次结对帮扶名单导入当前的状态不能进行此操作"
    hint_zh = "查看导入的状态：校验完成后才能提交，已提交的不能取消"
    hint_en = "See the import's status: commit after validation; a committed import cannot be cancelled"


class ImportHasErrors(Conflict):
    type_slug = "pairing-import-has-errors"
    title = "The pairing roll has refused rows"
    title_zh = "结对帮扶名单中有错误行"
    hint_zh = "下载带错误原因的表格改正后重新上传，或选择只导入正确的行（valid_rows_only）"
    hint_en = "Fix the rows the report names and upload again, or commit valid rows only (valid_rows_only)"


class UnreadableRoll(InvalidInput):
    type_slug = "unreadable-pairing-roll"
    title = "The file is not a pairing roll this import reads"
    title_zh = "无法读取这个结对帮扶名单"
    hint_zh = "上传XLSX或CSV（UTF-8或GBK编码），第一行为表头，可先下载模板对照"
    hint_en = "Upload XLSX or CSV (UTF-8 or GBK), headers on the first row; compare with the template"
