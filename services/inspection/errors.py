"""Inspection's domain errors, each with its problem type (rendered by shared.errors)."""

from __future__ import annotations

from typing import TypeVar

from shared.errors import AreaOutsideScope, Conflict, DomainError, Forbidden, InvalidInput, NotFound

E = TypeVar("E", bound=DomainError)

__all__ = [
    "missing_in_your_area",
    "AlreadyAssessed",
    "AreaOutsideScope",
    "OwnAreaNotAssessed",
    "SampleItemNotFound",
    "SampleUnitMismatch",
    "VillageOutsideSample",
    "AlreadySubmitted",
    "ComplaintNotFound",
    "ComplaintTransitionRefused",
    "DossierClosed",
    "DossierNotFound",
    "EvaluatorOnly",
    "FindingNotFound",
    "FindingTransitionRefused",
    "InspectionClosed",
    "InspectionNotFound",
    "InvalidScheme",
    "LevelNotReached",
    "NotTheHandler",
    "NotYourStep",
    "NothingToCorrect",
    "NothingToSample",
    "PositionAlreadySigned",
    "PositionNotInScheme",
    "ProgressReportNotFound",
    "QuarterNotOver",
    "SampleNotFound",
    "SignerAreaMismatch",
    "SignerIsNotTheHousehold",
    "SignerLacksPosition",
    "SubmitterNotOfArea",
    "TargetNotFound",
    "UnknownAreaCode",
    "VerdictAlreadyGiven",
]


class AlreadyAssessed(Conflict):
    type_slug = "already-assessed"
    title = "This area has been assessed for that year"
    title_zh = "该地区该年度已考核"
    hint_zh = "如需修改请按更正程序办理"
    hint_en = "Use the correction procedure"


class TargetNotFound(NotFound):
    type_slug = "target-not-found"
    title = "Reduction target not found"
    title_zh = "未找到该减贫目标"
    hint_zh = "检查地区和年度"
    hint_en = "Check the area and year"


class ComplaintTransitionRefused(Conflict):
    type_slug = "complaint-transition-refused"
    title = "The complaint is not in a state that allows this"
    title_zh = "该举报当前状态不允许此操作"
    hint_zh = "先查看举报当前状态，按办理流程办理"
    hint_en = "Check the complaint's status and follow the steps"


class ComplaintNotFound(NotFound):
    type_slug = "complaint-not-found"
    title = "Complaint not found"
    title_zh = "未找到该举报"
    hint_zh = "检查举报编号"
    hint_en = "Check the complaint id"


class NotTheHandler(Forbidden):
    type_slug = "complaint-handler-only"
    title = "Only the complaint handler takes this step"
    title_zh = "只有承办人才能办理这一步"
    hint_zh = "请该举报的承办人办理"
    hint_en = "Ask the complaint's handler"


class FindingTransitionRefused(Conflict):
    type_slug = "finding-transition-refused"
    title = "The finding is not in a state that allows this"
    title_zh = "该问题当前状态不允许此操作"
    hint_zh = "先查看问题当前状态，按整改流程办理"
    hint_en = "Check the finding's status and follow the steps"


class FindingNotFound(NotFound):
    type_slug = "finding-not-found"
    title = "Finding not found"
    title_zh = "未找到该问题"
    hint_zh = "检查问题编号"
    hint_en = "Check the finding id"


class NotYourStep(Forbidden):
    type_slug = "finding-role-refused"
    title = "Your role does not take this step of a finding"
    title_zh = "您的角色不办理问题整改的这一步"
    hint_zh = "请负责这一步的角色办理"
    hint_en = "Ask the role that takes this step"


class InspectionClosed(Conflict):
    type_slug = "inspection-concluded"
    title = "The inspection is concluded"
    title_zh = "该督查已结束"
    hint_zh = "已结束的督查不能再增加内容"
    hint_en = "A concluded inspection takes no more"


class InspectionNotStarted(Conflict):
    type_slug = "inspection-not-started"
    title = "The inspection has not started"
    title_zh = "该督查还没有开始"
    hint_zh = "督查开始之日（北京时间）起才能登记问题或结束督查"
    hint_en = "Record findings or conclude from the inspection's first day (China date)"


class InspectionNotFound(NotFound):
    type_slug = "inspection-not-found"
    title = "Inspection not found"
    title_zh = "未找到该督查"
    hint_zh = "检查督查编号"
    hint_en = "Check the inspection id"


class UnknownAreaCode(InvalidInput):
    type_slug = "invalid-area-code"
    title = "Not an administrative division code"
    title_zh = "不是行政区划代码"
    hint_zh = "填写12位的行政区划代码"
    hint_en = "Give a 12-digit division code"


class AlreadySubmitted(Conflict):
    type_slug = "progress-report-already-submitted"
    title = "This area has submitted its report for that quarter"
    title_zh = "本地区该季度的报告已报送"
    hint_zh = "如需修改请提交更正报告，并说明更正原因"
    hint_en = "Submit a correction with its reason"


class NothingToCorrect(Conflict):
    type_slug = "progress-report-nothing-to-correct"
    title = "A correction supersedes a submitted report; none was submitted"
    title_zh = "尚未报送，无可更正"
    hint_zh = "先报送报告"
    hint_en = "Submit the report first"


class QuarterNotOver(Conflict):
    type_slug = "progress-report-quarter-not-over"
    title = "A quarter's report is submitted after the quarter ends"
    title_zh = "季度未结束，不能报送"
    hint_zh = "季度结束后再报送"
    hint_en = "Submit after the quarter ends"


class ProgressReportNotFound(NotFound):
    type_slug = "progress-report-not-found"
    title = "No such progress report in your area"
    title_zh = "您的辖区内没有这份进度报告"
    hint_zh = "检查地区和季度"
    hint_en = "Check the area and quarter"


class SubmitterNotOfArea(Forbidden):
    type_slug = "submitter-not-of-area"
    title = "Only the area's own office submits its report"
    title_zh = "只能由本地区的扶贫部门报送本地区的报告"
    hint_zh = "请本地区的工作人员报送"
    hint_en = "The area's own office submits"


class EvaluatorOnly(Forbidden):
    type_slug = "evaluator-only"
    title = "Only the third-party evaluator sees evaluation samples"
    title_zh = "只有第三方评估人员能查看评估抽样"
    hint_zh = "请第三方评估人员查看"
    hint_en = "Ask the third-party evaluator"


class SampleNotFound(NotFound):
    type_slug = "sample-not-found"
    title = "Evaluation sample not found"
    title_zh = "未找到该评估抽样"
    hint_zh = "检查抽样编号"
    hint_en = "Check the sample id"


class VerdictAlreadyGiven(Conflict):
    type_slug = "verdict-already-given"
    title = "This household already has a verdict"
    title_zh = "该户已有评估结论"
    hint_zh = "不要重复评定"
    hint_en = "Do not judge twice"


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


class DossierNotFound(NotFound):
    type_slug = "dossier-not-found"
    title = "Sign-off dossier not found"
    title_zh = "未找到该签字档案"
    hint_zh = "检查档案编号"
    hint_en = "Check the dossier id"


class OwnAreaNotAssessed(Forbidden):
    type_slug = "own-area-not-assessed"
    title = "An area is assessed by the level above it, never by itself"
    title_zh = "不能考核本级地区"
    hint_zh = "由上级考核本地区；您可考核本辖区以下的县、乡镇和村"
    hint_en = "The level above assesses your area; you assess the areas below yours"


class VillageOutsideSample(Conflict):
    """The sample drawn decides which villages are in it: a state of the sample, not a malformed request."""

    type_slug = "village-outside-sample"
    title = "The village lies outside the sampled area"
    title_zh = "该村不在抽样地区内"
    hint_zh = "只为抽样地区内的村登记漏评"
    hint_en = "Record omissions for villages of the sampled area only"


class SampleItemNotFound(NotFound):
    type_slug = "sample-item-not-found"
    title = "Not in this sample"
    title_zh = "该对象不在本次抽样中"
    hint_zh = "核对户或村是否在本次抽样名单中"
    hint_en = "Check the household or village is on this sample's list"


class AcceptanceUnderWay(Conflict):
    """Seed 003 (Gansu) 十: 第三方评估工作在市县两级脱贫攻坚领导小组组织开展的退出验收工作结束后独立进行 —
    the sample waits until every exit sign-off of the area and year is closed."""

    type_slug = "acceptance-under-way"
    title = "The exit acceptance of this area and year is still under way"
    title_zh = "本地区本年度的退出验收尚未结束，不能开展第三方评估抽样"
    hint_zh = "待本地区本年度的退出验收签字全部完成（通过、否决或撤回）后再抽样"
    hint_en = (
        "Draw the sample once every exit sign-off of the area and year is verified, rejected or withdrawn"
    )


class NothingToSample(Conflict):
    """Seed 003 十: the third party checks 贫困人口脱贫退出的真实性和准确性 by random checks of exits —
    an area and year without one exit of the unit leaves nothing to check; an empty sample would
    only look like an evaluation that found nothing wrong."""

    type_slug = "nothing-to-sample"
    title = "No exit of this area and year to sample"
    title_zh = "本地区本年度没有可抽查的退出户（村），不能抽样"
    hint_zh = "核对地区代码、年度和抽样对象（户或村）：只有登记系统已报送退出的户（村）才能抽查"
    hint_en = (
        "Check the area code, the year and the unit (household or village): only exits the registry "
        "reported can be sampled"
    )


class SampleUnitMismatch(Conflict):
    """The sample drawn decides whether households or villages are judged."""

    type_slug = "sample-unit-mismatch"
    title = "This sample draws another unit"
    title_zh = "本次抽样的单位不同"
    hint_zh = "户抽样写明 household_id，村抽样写明 village_code"
    hint_en = "Name the household_id in a household sample, the village_code in a village sample"


def missing_in_your_area(error: type[E], what_en: str, what_zh: str, **asked_by: object) -> E:
    """``error`` for a thing that does not exist or lies outside the caller's area (both answer
    alike, so nobody learns what another area holds); ``asked_by`` is the one id it was asked by."""
    (ident,) = asked_by.values()
    return error(
        f"{what_en} {ident} does not exist in your area.",
        detail_zh=f"您的辖区内没有{what_zh} {ident}",
        **asked_by,
    )
