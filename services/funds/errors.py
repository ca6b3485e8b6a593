"""The funds service's domain errors, in one place: each with its problem type (``type_slug``),
English and Chinese titles and hints (rendered as problem+json by shared.errors; the catalogue is
docs/PROBLEMS.md). Rules and services raise them; routers never do."""

from __future__ import annotations

from shared.errors import AreaOutsideScope, Conflict, Forbidden, InvalidInput, NotFound, ObjectionNotFound

__all__ = [
    "AccountExists",
    "AccountNotFound",
    "AgreementNotFound",
    "AlreadyDistributed",
    "AlreadyReversed",
    "ApprovalNeedsCounty",
    "AreaOutsideScope",
    "BeneficiaryNotFound",
    "BeneficiaryNotInPlan",
    "BeneficiaryNotPayable",
    "BudgetExceeded",
    "BudgetNotFound",
    "DeclarationNotFound",
    "DisbursementNotFound",
    "DividendBelowFloor",
    "EntitlementExceeded",
    "HouseholdOutsideAgreementArea",
    "InsufficientFunds",
    "InvalidScheme",
    "NonPositiveAmount",
    "NoIndustryParticipationRule",
    "NotAPayingAccount",
    "NotAPool",
    "PerCapitaBelowStandard",
    "NotAVillage",
    "NotReversible",
    "NoticeAlreadyClosed",
    "NoticeNotFound",
    "NoticeNotRunning",
    "NoticeStillRunning",
    "NoticeTooShort",
    "outside_your_area",
    "ObjectionAlreadyResolved",
    "ObjectionNotFound",
    "ObjectionsUnresolved",
    "OutsideScheme",
    "PairingVillageLevelUnknown",
    "PlanBlocked",
    "PlanExists",
    "PlanNotFound",
    "ProjectNotFound",
    "ProjectTransitionRefused",
    "SchemeNotFound",
    "TownWithoutAccount",
    "TransactionNotFound",
    "TransferNotAllowed",
    "UnbalancedTransaction",
    "WrongAccountKind",
    "YearOutsidePlan",
    "YearOutsideTerm",
]


# --- Accounts and budgets (sources) --------------------------------------------------------------


class AccountNotFound(NotFound):
    type_slug = "account-not-found"
    title = "Account not found"
    title_zh = "未找到该账户"
    hint_zh = "检查账户编号"
    hint_en = "Check the account id"


class BudgetNotFound(NotFound):
    type_slug = "budget-not-found"
    title = "Budget not found"
    title_zh = "未找到该预算"
    hint_zh = "检查预算编号"
    hint_en = "Check the budget id"


class AccountExists(Conflict):
    type_slug = "account-exists"
    title = "An account with this code exists"
    title_zh = "已有相同代码的账户"
    hint_zh = "使用已有账户或换一个代码"
    hint_en = "Use the existing account or another code"


# --- Ledger --------------------------------------------------------------------------------------


class UnbalancedTransaction(InvalidInput):
    type_slug = "unbalanced-transaction"
    title = "A ledger transaction must balance"
    title_zh = "账务借贷不平衡"
    hint_zh = "使各分录金额合计为零后重新提交"
    hint_en = "Make the entries sum to zero"


class InsufficientFunds(Conflict):
    type_slug = "insufficient-funds"
    title = "The account does not hold enough money"
    title_zh = "账户余额不足"
    hint_zh = "先查看账户余额，减少金额或先拨入资金"
    hint_en = "Check the balance; lower the amount or fund the account first"


class TransferNotAllowed(Conflict):
    type_slug = "transfer-not-allowed"
    title = "Money cannot move between these kinds of account this way"
    title_zh = "这两类账户之间不能这样划转资金"
    hint_zh = "按资金流向（来源→统筹→项目→受益对象）办理"
    hint_en = "Follow the money's path between account kinds"


class BudgetExceeded(Conflict):
    type_slug = "budget-exceeded"
    title = "The source would pay in more than its budget for the year"
    title_zh = "拨入金额将超过该来源本年度预算"
    hint_zh = "先核对本年度预算，或调整预算后再拨入"
    hint_en = "Check or raise the year's budget first"


class TransactionNotFound(NotFound):
    type_slug = "transaction-not-found"
    title = "Ledger transaction not found"
    title_zh = "未找到该笔账务"
    hint_zh = "检查账务编号"
    hint_en = "Check the transaction id"


class AlreadyReversed(Conflict):
    type_slug = "transaction-already-reversed"
    title = "The transaction has been reversed already"
    title_zh = "该笔账务已冲正"
    hint_zh = "无需再次冲正"
    hint_en = "It needs no second reversal"


class NotReversible(Conflict):
    type_slug = "transaction-not-reversible"
    title = "This transaction cannot be reversed here"
    title_zh = "该笔账务不能在此冲正"
    hint_zh = "按该类账务的规定办理"
    hint_en = "Use the procedure for this kind of transaction"


# --- Schemes and plans ---------------------------------------------------------------------------


class InvalidScheme(InvalidInput):
    type_slug = "invalid-scheme"
    title = "The allocation scheme is not consistent"
    title_zh = "分配方案不一致"
    hint_zh = "按说明改正方案后重新提交"
    hint_en = "Fix the scheme as described"


class PlanBlocked(Conflict):
    """The population has a fact the scheme cannot plan for; nothing is planned rather than a silent 0."""

    type_slug = "plan-blocked"
    title = "The plan cannot be computed right now"
    title_zh = "该计划暂时无法计算"
    hint_zh = "按问题说明补全登记信息或账户，再重新计算计划"
    hint_en = "Fix what the problem names, then recompute the plan"


class PairingVillageLevelUnknown(PlanBlocked):
    type_slug = "pairing-village-level-unknown"
    title = "Pairing villages without a dispatching level cannot be granted"
    title_zh = "帮扶村派出层级不明"
    hint_zh = "先为所列帮扶村登记派出层级（市派、省派、县派），再计算拨款计划"
    hint_en = "Record each listed pairing village's dispatching level first"


class TownWithoutAccount(PlanBlocked):
    type_slug = "town-account-missing"
    title = "A town that owes its share has no account to bill"
    title_zh = "乡镇缺少资金账户"
    hint_zh = "先为所列乡镇开设或指定资金账户，再计算计划"
    hint_en = "Open or name an account for each listed town first"


class SchemeNotFound(NotFound):
    type_slug = "scheme-not-found"
    title = "Allocation scheme not found"
    title_zh = "未找到该分配方案"
    hint_zh = "检查方案编号"
    hint_en = "Check the scheme id"


class PlanNotFound(NotFound):
    type_slug = "plan-not-found"
    title = "Allocation plan not found"
    title_zh = "未找到该分配计划"
    hint_zh = "检查计划编号"
    hint_en = "Check the plan id"


class PlanExists(Conflict):
    type_slug = "plan-exists"
    title = "This scheme is already planned for this area"
    title_zh = "该地区已有这一方案的计划"
    hint_zh = "修改已有计划，不要重复创建"
    hint_en = "Change the plan already there"


class OutsideScheme(Conflict):
    type_slug = "area-outside-scheme"
    title = "The area is outside the scheme's area"
    title_zh = "该地区不在方案适用范围内"
    hint_zh = "选择方案范围内的地区"
    hint_en = "Choose an area inside the scheme"


# --- Disbursements -------------------------------------------------------------------------------


class BeneficiaryNotPayable(Conflict):
    type_slug = "beneficiary-not-payable"
    title = "The beneficiary is not registered for this money"
    title_zh = "该受益对象不在这笔资金的受益名单中"
    hint_zh = "先核实受益对象是否登记在本项目或本政策下"
    hint_en = "Check that the beneficiary is registered for this money"


class BeneficiaryNotInPlan(Conflict):
    """The plan has no line for the beneficiary: nothing is owed to it under this plan (rather than
    "0 fen left of an entitlement of 0", which reads as if it had been paid already)."""

    type_slug = "beneficiary-not-in-plan"
    title = "The beneficiary is not among the beneficiaries of this plan"
    title_zh = "该受益对象不在本资金计划的受益名单中"
    hint_zh = (
        "查看计划的受益名单（GET /plans/{id}/lines）；该对象应在名单中的，更正登记后重新计算计划，"
        "否则选择列有该对象的计划"
    )
    hint_en = (
        "See the plan's lines (GET /plans/{id}/lines); if it belongs there, correct its registration "
        "and recompute the plan, otherwise choose a plan that lists it"
    )


class YearOutsidePlan(Conflict):
    """A payment's year is the plan year it pays (the report and inspection count it there), so it
    must be one of the plan's years: a late payment still names its plan year, its date is its own."""

    type_slug = "year-outside-plan"
    title = "The year is not one of the plan's years"
    title_zh = "年度不在本资金计划的年度内"
    hint_zh = (
        "年度填写这笔拨付所属的计划年度（如开平市2016—2018年方案：2016、2017或2018）；"
        "逾期拨付的也填所属计划年度"
    )
    hint_en = (
        "Give the plan year the payment is for (Kaiping's 2016-2018 scheme: 2016, 2017 or 2018); "
        "a late payment still names the plan year it belongs to"
    )


class EntitlementExceeded(Conflict):
    type_slug = "entitlement-exceeded"
    title = "The amount is above the entitlement left"
    title_zh = "金额超过剩余应享额度"
    hint_zh = "按剩余额度调整金额"
    hint_en = "Lower the amount to the entitlement left"


class NonPositiveAmount(InvalidInput):
    type_slug = "non-positive-amount"
    title = "An amount must be above zero"
    title_zh = "金额必须大于零"
    hint_zh = "填写大于零的金额（单位：分）"
    hint_en = "Give an amount above zero (in fen)"


class DisbursementNotFound(NotFound):
    type_slug = "disbursement-not-found"
    title = "Disbursement not found"
    title_zh = "未找到该笔拨付"
    hint_zh = "检查拨付编号"
    hint_en = "Check the disbursement id"


class BeneficiaryNotFound(NotFound):
    type_slug = "beneficiary-not-found"
    title = "Beneficiary not found"
    title_zh = "未找到该受益对象"
    hint_zh = "检查受益对象编号，或先登记受益对象"
    hint_en = "Check the beneficiary id or register the beneficiary"


class NotAPayingAccount(Conflict):
    type_slug = "not-a-paying-account"
    title = "Money is paid out only from the holding account meant for it"
    title_zh = "只能从该项资金对应的账户拨付"
    hint_zh = "改用该项资金的专用账户"
    hint_en = "Pay from the holding account meant for this money"


# --- Projects ------------------------------------------------------------------------------------


class ProjectTransitionRefused(Conflict):
    type_slug = "project-transition-refused"
    title = "The project cannot move to that status"
    title_zh = "项目不能转到该状态"
    hint_zh = "先查看项目当前状态，按立项、审批、实施、验收的顺序办理"
    hint_en = "Check the project's status and follow the order of steps"


class NoIndustryParticipationRule(InvalidInput):
    type_slug = "no-industry-participation-rule"
    title = "No policy asks this area's households to join industry projects"
    title_zh = "该地区没有要求帮扶对象参与产业项目的政策"
    hint_zh = "换一个有此政策的地区查询（开平市：440783000000）"
    hint_en = "Ask for an area with such a policy (Kaiping: 440783000000)"


class ProjectNotFound(NotFound):
    type_slug = "project-not-found"
    title = "Project not found"
    title_zh = "未找到该项目"
    hint_zh = "检查项目编号，且项目在您的辖区内"
    hint_en = "Check the project id"


class NotAPool(Conflict):
    type_slug = "not-a-pool"
    title = "Projects are funded from a holding account (the county integrated pool)"
    title_zh = "项目资金须从统筹整合资金账户（县级资金池）拨付"
    hint_zh = "改用县级统筹整合资金账户"
    hint_en = "Fund the project from the county integrated pool"


class ApprovalNeedsCounty(Forbidden):
    type_slug = "approval-needs-county"
    title = "Projects are approved at county level or above"
    title_zh = "项目须由县级及以上审批"
    hint_zh = "请县级（或以上）审批人员办理"
    hint_en = "Ask a county-level approver"


# --- Public notices (disclosures) ----------------------------------------------------------------


class NoticeStillRunning(Conflict):
    type_slug = "notice-still-running"
    title = "The public notice has not run its days yet"
    title_zh = "公示期未满"
    hint_zh = "等公示期满后再办理"
    hint_en = "Wait until the notice has run its days"


class NoticeNotRunning(Conflict):
    type_slug = "notice-not-running"
    title = "The public notice is not open for objections"
    title_zh = "公示不在异议期内"
    hint_zh = "公示期内才能提出异议"
    hint_en = "Objections are lodged while the notice runs"


class ObjectionsUnresolved(Conflict):
    type_slug = "objections-unresolved"
    title = "The public notice has unresolved objections"
    title_zh = "公示还有未处理的异议"
    hint_zh = "先处理完所有异议"
    hint_en = "Resolve every objection first"


class NoticeTooShort(InvalidInput):
    type_slug = "notice-too-short"
    title = "The notice period is shorter than the policy allows"
    title_zh = "公示期短于政策规定"
    hint_zh = "按政策规定的最短天数设置公示期"
    hint_en = "Set at least the policy's minimum days"


class NoticeNotFound(NotFound):
    type_slug = "notice-not-found"
    title = "Public notice not found"
    title_zh = "未找到该公示"
    hint_zh = "检查公示编号"
    hint_en = "Check the notice id"


class NotAVillage(InvalidInput):
    type_slug = "not-a-village"
    title = "Notices are posted per village"
    title_zh = "公示须按村张贴"
    hint_zh = "选择一个村（12位代码，末三位不为000）"
    hint_en = "Choose a village"


class NoticeAlreadyClosed(Conflict):
    type_slug = "notice-already-closed"
    title = "The public notice is closed already"
    title_zh = "该公示已结束"
    hint_zh = "无需再次结束公示"
    hint_en = "It needs no second closing"


class ObjectionAlreadyResolved(Conflict):
    type_slug = "objection-already-resolved"
    title = "The objection is resolved already"
    title_zh = "该异议已处理"
    hint_zh = "无需再次处理；如需补充请另提异议"
    hint_en = "It needs no second resolution"


# --- Budget compliance and reports ---------------------------------------------------------------


class DeclarationNotFound(NotFound):
    type_slug = "budget-declaration-not-found"
    title = "No budget declaration for this area and year"
    title_zh = "该地区该年度没有预算申报"
    hint_zh = "先提交预算申报"
    hint_en = "Declare the budget first"


# --- Asset income --------------------------------------------------------------------------------


class DividendBelowFloor(InvalidInput):
    type_slug = "dividend-below-floor"
    title = "The dividend rate is below the policy's floor"
    title_zh = "分红比例低于政策规定的下限"
    hint_zh = "按政策下限（首年不低于8%）提高分红比例"
    hint_en = "Raise the rate to the policy's floor"


class PerCapitaBelowStandard(InvalidInput):
    type_slug = "per-capita-below-standard"
    title = "The amount per person is below the policy's standard"
    title_zh = "人均投入低于政策规定的标准"
    hint_zh = "按政策标准提高方案的人均投入（开平市2016-2018年：人均3年不少于2万元）"
    hint_en = "Raise the amount per person to the policy's minimum (Kaiping 2016-2018: 20,000 yuan/3 years)"


class YearOutsideTerm(Conflict):
    type_slug = "year-outside-term"
    title = "The year is outside the agreement's term"
    title_zh = "该年度不在协议期限内"
    hint_zh = "检查年度是否在协议起止年份之间"
    hint_en = "Choose a year inside the agreement's term"


class AlreadyDistributed(Conflict):
    type_slug = "dividend-already-distributed"
    title = "This year's dividend has been distributed already"
    title_zh = "本年度分红已经发放"
    hint_zh = "不要重复发放；如有差错请走冲正"
    hint_en = "Do not distribute twice; reverse a wrong one"


class AgreementNotFound(NotFound):
    type_slug = "asset-income-agreement-not-found"
    title = "Asset-income agreement not found"
    title_zh = "未找到该资产收益协议"
    hint_zh = "检查协议编号"
    hint_en = "Check the agreement id"


class WrongAccountKind(Conflict):
    type_slug = "wrong-account-kind"
    title = "The enterprise pays from a source account into a holding account"
    title_zh = "企业须从资金来源账户向托管账户支付"
    hint_zh = "检查付款账户和收款账户的类别"
    hint_en = "Check the kinds of the two accounts"


class HouseholdOutsideAgreementArea(Conflict):
    type_slug = "household-outside-agreement-area"
    title = "The household is not in the area that signs the agreement"
    title_zh = "该户不在签订协议的地区"
    hint_zh = "只为协议所在地区的户分红"
    hint_en = "Only households of the agreement's area receive dividends"


def outside_your_area(area_code: str) -> AreaOutsideScope:
    """A record written for an area outside the caller's: 404 naming the area (not the record the
    caller was creating, which does not exist yet)."""
    return AreaOutsideScope(
        f"Area {area_code} is outside your area",
        detail_zh=f"地区 {area_code} 不在您的辖区内，只能为本辖区登记",
        area_code=area_code,
    )
