"""The registry's domain errors, every sub-domain's (one tree, rendered as problem+json by
shared.errors): each names its problem type, English and Chinese title, and a hint in both."""

from __future__ import annotations

from typing import Any, ClassVar

from shared.errors import (
    AreaNotFound,
    Conflict,
    Forbidden,
    HouseholdNotFound,
    InvalidInput,
    NotFound,
    ObjectionNotFound,
    Unauthorized,
)
from shared.problems import Language
from shared.ratelimit import RateLimitExceeded

__all__ = [
    "AreaExitNotApplicable",
    "AreaExitNotEligible",
    "AreaExitOpen",
    "AreaExitPolicyMissing",
    "AreaExitPolicyRecordNotFound",
    "AreaExitRequestNotFound",
    "AreaNotFound",
    "BatchNotInPolicy",
    "ExitNotEligible",
    "ExitRequestNotFound",
    "HouseholdChangeRefused",
    "HouseholdNotFound",
    "IdentityConflictClosed",
    "IdentityConflictNotFound",
    "ImportAlreadyUploaded",
    "ImportHasErrors",
    "ImportNotFound",
    "ImportNotReady",
    "IncomeNotFound",
    "InvalidAreaExitPolicy",
    "InvalidDeclaration",
    "InvalidMember",
    "InvalidSignature",
    "MemberNotFound",
    "NoticeBeforeReview",
    "ObjectionAlreadyResolved",
    "ObjectionNotFound",
    "ObjectionsOpen",
    "PairingVillageQuotaExceeded",
    "PersonActiveElsewhere",
    "PersonInAnotherHousehold",
    "PolicyMissing",
    "PolicyRecordNotFound",
    "PublicNoticeStillRunning",
    "RelapseCaseNotFound",
    "RelapseRoutedElsewhere",
    "RelapseStepNotYours",
    "RelapseStepOutOfOrder",
    "ReviewNotApproved",
    "SignerNotTheHousehold",
    "TransitionRefused",
    "UnreadableSpreadsheet",
]


class MemberNotFound(NotFound):
    type_slug = "member-not-found"
    title = "Member not found"
    title_zh = "未找到该成员"
    hint_zh = "检查成员编号是否属于该户"
    hint_en = "Check the member belongs to the household"


class PolicyRecordNotFound(NotFound):
    type_slug = "policy-record-not-found"
    title = "Policy record not found"
    title_zh = "未找到该政策记录"
    hint_zh = "检查地区代码前缀和年度"
    hint_en = "Check the area prefix and year"


class IncomeNotFound(NotFound):
    type_slug = "income-not-found"
    title = "No income recorded for that year"
    title_zh = "该年度没有收入记录"
    hint_zh = "先登记该年度的人均纯收入"
    hint_en = "Record that year's income first"


class ExitRequestNotFound(NotFound):
    type_slug = "exit-request-not-found"
    title = "Exit request not found"
    title_zh = "未找到该退出申请"
    hint_zh = "检查户编号，且该户已申请退出"
    hint_en = "Check the household has asked to exit"


class RelapseCaseNotFound(NotFound):
    type_slug = "relapse-case-not-found"
    title = "Return-to-poverty case not found"
    title_zh = "未找到该返贫申请"
    hint_zh = "检查返贫申请编号"
    hint_en = "Check the case id"


class InvalidMember(InvalidInput):
    type_slug = "invalid-member"
    title = "Member data is inconsistent"
    title_zh = "成员信息前后不一致"
    hint_zh = "按 detail 所说核对成员的身份证号、出生日期、性别和与户主关系"
    hint_en = "Check the member's ID, birth date, sex and relation"


class BatchNotInPolicy(InvalidInput):
    type_slug = "batch-not-in-policy"
    title = "Batch not in the area's batch set"
    title_zh = "帮扶批次不在本地区的批次中"
    hint_zh = "从本地区政策的批次中选择（见 GET /registry/v1/vocabulary）"
    hint_en = "Choose a batch of the area's batch set"


class TransitionRefused(Conflict):
    type_slug = "household-transition-refused"
    title = "This step is not allowed in the household's current status"
    title_zh = "该户当前状态不允许这一步"
    hint_zh = "先查看该户当前状态，按识别流程的顺序办理"
    hint_en = "Check the household's status and follow the steps in order"


class PublicNoticeStillRunning(TransitionRefused):
    type_slug = "public-notice-still-running"
    title = "The public notice has not run its minimum days"
    title_zh = "公示未满规定天数"
    hint_zh = "等公示满规定天数后再确认"
    hint_en = "Wait until the notice has run its minimum days"


class ObjectionsOpen(TransitionRefused):
    type_slug = "objections-open"
    title = "Objections to the public notice are still open"
    title_zh = "公示期间的异议还未处理完"
    hint_zh = "先核实处理所有异议，再确认"
    hint_en = "Resolve the open objections first"


class NoticeBeforeReview(TransitionRefused):
    type_slug = "notice-before-review"
    title = "The public notice cannot start before the village review was held"
    title_zh = "公示开始日期早于民主评议日期"
    hint_zh = "公示从民主评议当天或之后开始，请核对公示开始日期"
    hint_en = "The notice starts on or after the day of the village review; check the start date"


class ObjectionAlreadyResolved(TransitionRefused):
    # the same problem type as the funds notice's objection (services/funds/errors.py): same words
    type_slug = "objection-already-resolved"
    title = "The objection is resolved already"
    title_zh = "该异议已处理"
    hint_zh = "无需再次处理；如需补充请另提异议"
    hint_en = "It needs no second resolution"


class ReviewNotApproved(TransitionRefused):
    type_slug = "village-review-not-approved"
    title = "The village democratic review has not approved this household"
    title_zh = "村民主评议未通过该户"
    hint_zh = "评议通过后才能公示"
    hint_en = "Only an approved household goes to public notice"


class HouseholdChangeRefused(Conflict):
    type_slug = "household-change-refused"
    title = "This change to the household is not possible"
    title_zh = "不能对该户作这一变更"
    hint_zh = "按 detail 所说调整后再提交"
    hint_en = "Change the request as the detail says"


class HouseholdNumberTaken(Conflict):
    """An imported household brings its own 户编号 (its old roll's), and another household has it."""

    type_slug = "household-number-taken"
    title = "This household number is already in use"
    title_zh = "户编号已被使用"
    hint_zh = "核对该行的户编号：已登记的户不要重复导入，同一文件中户编号不能重复；不填户编号则由系统编号"
    hint_en = (
        "Check the row's household number: do not import a registered household twice, no number "
        "twice in one file; leave it empty to have one given"
    )


class PersonInAnotherHousehold(Conflict):
    type_slug = "person-in-another-household"
    title = "This person is already a member of another active household"
    title_zh = "此人已是另一在册户的成员"
    hint_zh = "一人只能在一户：先把此人从原户减员，或核对身份证号"
    hint_en = "One person, one household: remove them from the other household first, or check the ID"


class PersonActiveElsewhere(Conflict):
    """The person is active in a household outside the caller's area: the answer names only the
    identity conflict opened for the officer covering both areas, nothing of that household."""

    type_slug = "person-active-elsewhere"
    title = "This person is active in a household outside your area; a conflict was opened"
    title_zh = "此人已在其他地区的贫困户中"
    hint_zh = "已生成身份冲突记录，由上级部门核实处理；请记下冲突编号"
    hint_en = "A conflict record was opened for the level above; keep its id"


class IdentityConflictNotFound(NotFound):
    type_slug = "identity-conflict-not-found"
    title = "Identity conflict not found"
    title_zh = "未找到该身份冲突"
    hint_zh = "检查冲突编号，且在您的辖区内"
    hint_en = "Check the conflict id"


class IdentityConflictClosed(Conflict):
    type_slug = "identity-conflict-closed"
    title = "This identity conflict is already resolved"
    title_zh = "该身份冲突已处理"
    hint_zh = "无需再处理；如有疑问请查看处理结果"
    hint_en = "It was already resolved"


class _CriteriaNotMet(Conflict):
    """A refusal listing every criterion (under ``listed_as``), each one's ``detail`` in the caller's
    language as the eligibility page says it: its ``detail_zh`` unless English is asked."""

    listed_as: ClassVar[str]

    def extensions_in(self, language: Language) -> dict[str, Any]:
        items = self.extensions.get(self.listed_as, [])
        if language != "en":
            items = [{**c, "detail": c.get("detail_zh") or c["detail"]} for c in items]
        return {**self.extensions, self.listed_as: items}


class ExitNotEligible(_CriteriaNotMet):
    listed_as = "eligibility"
    type_slug = "exit-not-eligible"
    title = "The household does not meet the exit standard"
    title_zh = "该户未达到退出标准"
    hint_zh = "对照 criteria 中未达到的各项，达标后再申请退出"
    hint_en = "Meet each failed criterion before asking again"


class RelapseStepOutOfOrder(Conflict):
    type_slug = "relapse-step-out-of-order"
    title = "This approval step is not the next one in the chain"
    title_zh = "这一审批步骤不是流程中的下一步"
    hint_zh = "按返贫审批流程的顺序办理"
    hint_en = "Take the steps in the chain's order"


class SignerNotTheHousehold(Forbidden):
    type_slug = "signer-not-the-household"
    title = "Only the household itself signs its confirmation"
    # the same problem type as inspection's exit sign-off (SignerIsNotTheHousehold): the same words
    title_zh = "只有本户才能以户的名义签字"
    hint_zh = "请户主本人签字"
    hint_en = "The household signs for itself"


class InvalidSignature(Conflict):
    type_slug = "household-signature-refused"
    title = "This member cannot sign for the household"
    title_zh = "须由本户签字确认"
    hint_zh = "请由本户成员使用本户账号签字，工作人员不能代签"
    hint_en = "The household signs with its own account; a clerk cannot sign for it"


class RelapseRoutedElsewhere(Conflict):
    type_slug = "relapse-routed-elsewhere"
    title = "The policy routes a return to poverty for this cause another way"
    title_zh = "该返贫原因应走其他程序"
    hint_zh = "按提示改走审批链或重新识别程序"
    hint_en = "Take the route the policy names for this cause"


class RelapseStepNotYours(Forbidden):
    type_slug = "relapse-step-wrong-signer"
    title = "This approval step needs another role or level"
    title_zh = "这一审批步骤需要其他角色或层级办理"
    hint_zh = "请流程中负责这一步的角色办理"
    hint_en = "Ask the role and level this step needs"


class PolicyMissing(Conflict):
    type_slug = "policy-missing"
    title = "No registry policy covers this area and year"
    title_zh = "没有适用于该地区和年度的政策"
    hint_zh = "请管理员为该地区和年度录入政策记录"
    hint_en = "Ask an administrator to record the area's policy"


class PairingVillageQuotaExceeded(Conflict):
    type_slug = "pairing-village-quota-exceeded"
    title = "More pairing villages at this dispatching level than the policy names"
    title_zh = "该派出层级的帮扶村已达政策规定数量"
    hint_zh = "先把已登记的某个帮扶村改为其他派出层级或取消帮扶村标记，再登记新的帮扶村"
    hint_en = "Change or remove the level of a village already marked before marking another"


# --- village and county exits ------------------------------------------------------------------


class AreaExitNotEligible(_CriteriaNotMet):
    listed_as = "criteria"
    type_slug = "area-exit-not-eligible"
    title = "The area does not meet its exit standard"
    title_zh = "未达到退出标准"
    hint_zh = "逐项查看 criteria 中未通过的指标，整改后再申请"
    hint_en = "See the criteria that did not pass"


class AreaExitNotApplicable(Conflict):
    type_slug = "area-exit-not-applicable"
    title = "This area cannot ask for a village or county exit"
    title_zh = "该地区不适用村/县退出"
    hint_zh = "只有贫困村可申请贫困村退出，县可申请摘帽；请核对地区代码"
    hint_en = "Only a poor village (village exit) or a county (county exit) can ask"


class AreaExitOpen(Conflict):
    type_slug = "area-exit-open"
    title = "The area already has an exit request waiting, or has exited"
    title_zh = "已有退出申请或已退出"
    hint_zh = "等待正在签字的退出申请办结，或查看该地区退出状态"
    hint_en = "Wait for the open request, or see the area's exit status"


class AreaExitRequestNotFound(NotFound):
    type_slug = "area-exit-request-not-found"
    hint_zh = "检查申请编号，且在您的辖区内"
    hint_en = "Check the request id is inside your area"
    thing = ("area exit request", "退出申请", "exit_request_id")


class AreaExitPolicyRecordNotFound(NotFound):
    type_slug = "area-exit-policy-not-found"
    title = "Area exit policy record not found"
    title_zh = "未找到该退出标准记录"
    hint_zh = "检查地区前缀、年度和类别"
    hint_en = "Check the area prefix, year and kind"


class AreaExitPolicyMissing(Conflict):
    type_slug = "area-exit-policy-missing"
    title = "No village or county exit policy applies here"
    title_zh = "缺少退出标准政策"
    hint_zh = "请管理员为该地区和年度设置村/县退出标准"
    hint_en = "An admin must set the exit criteria for this area and year"


class InvalidDeclaration(InvalidInput):
    """``problems``: each problem with a declared fact as (English, Chinese); the answer lists them
    in the caller's language (Chinese unless English is asked), as the detail says them."""

    type_slug = "invalid-declaration"
    title = "The declared facts do not fit the area's exit policy"
    title_zh = "申报事项有误"
    hint_zh = "按提示改正申报的指标、数值和佐证材料"
    hint_en = "Correct the declared facts and their evidence"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "; ".join(en for en, _ in problems),
            detail_zh="；".join(zh for _, zh in problems),
            problems=[en for en, _ in problems],
        )
        self.problems_zh = [zh for _, zh in problems]

    def extensions_in(self, language: Language) -> dict[str, Any]:
        return self.extensions if language == "en" else {**self.extensions, "problems": self.problems_zh}


class InvalidAreaExitPolicy(InvalidInput):
    type_slug = "invalid-area-exit-policy"
    title = "The area exit policy cannot be used"
    title_zh = "退出标准设置有误"
    hint_zh = "按提示改正指标、比较方式和阈值后重新提交"
    hint_en = "Correct the criteria and send again"


# --- spreadsheet imports -----------------------------------------------------------------------


class ImportNotFound(NotFound):
    type_slug = "import-not-found"
    title = "No such import"
    title_zh = "没有这次导入"
    hint_zh = "检查导入编号；只能查看本辖区上传的导入"
    hint_en = "Check the import id; you see only imports uploaded in your area"


class ImportAlreadyUploaded(Conflict):
    type_slug = "import-already-uploaded"
    title = "This file was uploaded before"
    title_zh = "这个文件已经上传过"
    hint_zh = "用已有的导入编号查看结果或提交；如要重新导入，先取消原来的导入"
    hint_en = "Use the existing import's id to see or commit it; cancel it to import again"


class ImportNotReady(Conflict):
    type_slug = "import-state"
    title = "The import cannot do that in its current state"
    title_zh = "这次导入当前的状态不能进行此操作"
    hint_zh = "查看导入的状态：校验完成后才能提交，已提交的不能取消"
    hint_en = "See the import's status: commit after validation; a committed import cannot be cancelled"


class ImportHasErrors(Conflict):
    type_slug = "import-has-errors"
    title = "The import has refused rows"
    title_zh = "导入文件中有错误行"
    hint_zh = "下载带错误原因的表格改正后重新上传，或选择只导入正确的行（valid_rows_only）"
    hint_en = "Fix the rows the report names and upload again, or commit valid rows only (valid_rows_only)"


class RollTooLarge(InvalidInput):
    type_slug = "roll-too-large"
    title = "The roll is too large for one workbook"
    title_zh = "花名册过大，无法导出为一个表格"
    hint_zh = "按乡镇或村分别导出（换用下级地区代码），或按户状态筛选（status）"
    hint_en = "Export township by township or village by village (a lower area code), or one status (status)"


class UnreadableSpreadsheet(InvalidInput):
    type_slug = "unreadable-spreadsheet"
    title = "The file is not a roll this import reads"
    title_zh = "无法读取这个表格"
    hint_zh = "上传XLSX、XLS或CSV（UTF-8或GBK编码），表头在第一张工作表的前10行中，可先下载模板对照"
    hint_en = (
        "Upload XLSX, XLS or CSV (UTF-8 or GBK), the header within the first sheet's first 10 rows; "
        "compare with the template"
    )


# --- the DCI registry API (docs/DCI.md): problem+json whose ``errors`` member carries the DCI error
# code (``[{"code": "err.signature.invalid", "message": "…"}]``, as the DCI HttpErrorResponse)


def dci_errors(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


class DciSignatureInvalid(Unauthorized):
    type_slug = "dci-signature-invalid"
    title = "The DCI message signature is missing or wrong"
    title_zh = "报文签名缺失或不正确"
    hint_zh = "用本平台登记的密钥对 header 和 message 重新签名（见 docs/DCI.md）"
    hint_en = "Sign header and message with the key registered for your client (docs/DCI.md)"


class DciSenderInvalid(Forbidden):
    type_slug = "dci-sender-invalid"
    title = "The sender is not a registered DCI client"
    title_zh = "发送方不是已登记的对接系统"
    hint_zh = "sender_id 应为登记的客户端编号，且与访问令牌的主体一致"
    hint_en = "sender_id must be your registered client id, the subject of your access token"


class DciMessageInvalid(InvalidInput):
    type_slug = "dci-message-invalid"
    title = "The DCI message header is not acceptable"
    title_zh = "报文头不符合要求"
    hint_zh = "按 errors 中的代码改正报文头后重发"
    hint_en = "Correct the header as the code in errors says, then send again"


class DciDuplicateMessage(Conflict):
    type_slug = "dci-message-duplicate"
    title = "This message id was already received"
    title_zh = "该报文编号已收到过"
    hint_zh = "每条报文使用新的 message_id；查询结果请用 txn/status"
    hint_en = "Use a new message_id for every message; ask txn/status for an earlier one's outcome"


class DciRateLimited(RateLimitExceeded):
    type_slug = "dci-rate-limited"
    title = "Too many searches from this DCI client"
    title_zh = "该对接系统查询过于频繁"
    hint_zh = "按 Retry-After 所示秒数后再查；协议约定的频率见客户端登记"
    hint_en = "Wait the seconds in Retry-After; the agreed rate is on the client's registration"


class DciClientNotFound(NotFound):
    type_slug = "dci-client-not-found"
    title = "DCI client not found"
    title_zh = "未找到该对接系统"
    hint_zh = "检查客户端编号"
    hint_en = "Check the client id"


class DciClientExists(Conflict):
    type_slug = "dci-client-exists"
    title = "A DCI client with this id exists"
    title_zh = "该对接系统编号已存在"
    hint_zh = "换一个编号，或修改已有的客户端"
    hint_en = "Choose another id, or change the existing client"


class DciTransactionNotFound(NotFound):
    type_slug = "dci-transaction-not-found"
    title = "No such DCI transaction of this client"
    title_zh = "未找到该对接事务"
    hint_zh = "检查 transaction_id 或 correlation_id，且该事务由您的系统发起"
    hint_en = "Check the transaction_id or correlation_id was sent by your client"
