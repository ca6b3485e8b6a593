"""Domain errors of village and county exits (rendered as problem+json by shared.errors)."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "AreaExitNotApplicable",
    "AreaExitNotEligible",
    "AreaExitOpen",
    "AreaExitPolicyMissing",
    "AreaExitPolicyRecordNotFound",
    "AreaExitRequestNotFound",
    "InvalidAreaExitPolicy",
    "InvalidDeclaration",
]


class AreaExitNotEligible(Conflict):
    type_slug = "area-exit-not-eligible"
    title_zh = "未达到退出标准"
    hint_zh = "逐项查看 criteria 中未通过的指标，整改后再申请"
    hint_en = "See the criteria that did not pass"
    title = "The area does not meet its exit standard"


class AreaExitNotApplicable(Conflict):
    type_slug = "area-exit-not-applicable"
    title_zh = "该地区不适用村/县退出"
    hint_zh = "只有贫困村可申请贫困村退出，县可申请摘帽；请核对地区代码"
    hint_en = "Only a poor village (village exit) or a county (county exit) can ask"
    title = "This area cannot ask for a village or county exit"


class AreaExitOpen(Conflict):
    type_slug = "area-exit-open"
    title_zh = "已有退出申请或已退出"
    hint_zh = "等待正在签字的退出申请办结，或查看该地区退出状态"
    hint_en = "Wait for the open request, or see the area's exit status"
    title = "The area already has an exit request waiting, or has exited"


class AreaExitRequestNotFound(NotFound):
    type_slug = "area-exit-request-not-found"
    title_zh = "未找到该退出申请"
    hint_zh = "检查申请编号，且在您的辖区内"
    hint_en = "Check the request id is inside your area"
    title = "Area exit request not found"


class AreaExitPolicyRecordNotFound(NotFound):
    type_slug = "area-exit-policy-not-found"
    title_zh = "未找到该退出标准记录"
    hint_zh = "检查地区前缀、年度和类别"
    hint_en = "Check the area prefix, year and kind"
    title = "Area exit policy record not found"


class AreaExitPolicyMissing(Conflict):
    type_slug = "area-exit-policy-missing"
    title_zh = "缺少退出标准政策"
    hint_zh = "请管理员为该地区和年度设置村/县退出标准"
    hint_en = "An admin must set the exit criteria for this area and year"
    title = "No village or county exit policy applies here"


class InvalidDeclaration(InvalidInput):
    type_slug = "invalid-declaration"
    title_zh = "申报事项有误"
    hint_zh = "按提示改正申报的指标、数值和佐证材料"
    hint_en = "Correct the declared facts and their evidence"
    title = "The declared facts do not fit the area's exit policy"


class InvalidAreaExitPolicy(InvalidInput):
    type_slug = "invalid-area-exit-policy"
    title_zh = "退出标准设置有误"
    hint_zh = "按提示改正指标、比较方式和阈值后重新提交"
    hint_en = "Correct the criteria and send again"
    title = "The area exit policy cannot be used"
