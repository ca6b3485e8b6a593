"""Household exit eligibility under the area's policy (Gansu's standard, seed 003).

Answers with each criterion and whether it passed, so a registrar sees what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.registry.policies.rules import Comparison, RegistryPolicy
from services.registry.vocabulary import BasicNeed, DebtCause
from shared.money import yuan_en, yuan_zh

__all__ = ["Criterion", "Debt", "Eligibility", "ExitFacts", "assess_exit"]


# The exit standard's criteria as the exit form names them (the income criterion as the area's rule
# reads its line: income_criterion_zh).
EXIT_CRITERIA_ZH = {
    "income_above_line": "人均纯收入稳定超过当年扶贫标准",
    "income_channel": "有稳定收入来源",
    "no_large_debt": "无因病、因学、因房大额负债",
    "basic_needs_met": "两不愁三保障",
}
# Income channels are typed as the clerk says them (务工, 种植); a channel entered as a code of the
# statistics' four kinds of rural income (the guide once taught ``wages``) reads in their words.
INCOME_CHANNEL_WORDS = {
    "wages": "工资性收入",
    "business": "经营净收入",
    "property": "财产净收入",
    "transfers": "转移净收入",
}


@dataclass(frozen=True, slots=True)
class Debt:
    cause: str
    amount_fen: int
    settled: bool = False


@dataclass(frozen=True, slots=True)
class ExitFacts:
    per_capita_income_fen: int | None  # the assessed year's record; None = not recorded
    income_channels: Sequence[str]
    debts: Sequence[Debt]
    basic_needs: Mapping[str, bool]


@dataclass(frozen=True, slots=True)
class Criterion:
    criterion: str
    passed: bool
    detail: str  # English: what is kept with the exit request and the audit trail
    detail_zh: str = ""  # what the registrar reads (GET …/exit-eligibility in Chinese)
    name_zh: str = ""  # the criterion's name on the exit form, as the area's rule words it


@dataclass(frozen=True, slots=True)
class Eligibility:
    criteria: tuple[Criterion, ...]

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.criteria)

    def as_data(self) -> list[dict[str, object]]:
        """As kept with the exit request: the English detail (audit) and the Chinese the clerk read."""
        return [
            {
                "criterion": c.criterion,
                "criterion_label": c.name_zh,
                "passed": c.passed,
                "detail": c.detail,
                "detail_zh": c.detail_zh,
            }
            for c in self.criteria
        ]


def assess_exit(facts: ExitFacts, policy: RegistryPolicy) -> Eligibility:
    line = policy.exit_line_fen
    income = facts.per_capita_income_fen
    # each area reads its line its own way: 稳定超过 (above) excludes the line, 达到或超过 includes it
    rule = policy.comparison("exit_line")
    income_ok = income is not None and rule.comparison.holds(income, line)
    how = f"must be {rule.comparison.words} the line: {rule.said}"
    income_detail = (
        f"no per-capita income recorded for {policy.year}; the income {how}"
        if income is None
        else f"per-capita income {yuan_en(income)} is {'' if income_ok else 'not '}{rule.comparison.words} "
        f"the line {yuan_en(line)} ({policy.year}; {rule.comparison.value}: {rule.said})"
    )

    channels = [c for c in facts.income_channels if c]
    channel_detail = ", ".join(channels) if channels else "no income channel recorded"

    limit = policy.large_debt_limit_fen
    # 5万元以上 (and above) includes the limit itself; a policy may say 超过 instead.
    debt_rule = policy.comparison("large_debt_limit")
    blocking = [d for d in facts.debts if not d.settled and debt_rule.comparison.holds(d.amount_fen, limit)]
    debt_detail = (
        "; ".join(f"{d.cause} debt {yuan_en(d.amount_fen)}" for d in blocking)
        + f" {debt_rule.comparison.words} {yuan_en(limit)}"
        if blocking
        else f"no unsettled debt {debt_rule.comparison.words} {yuan_en(limit)}"
    )

    unmet = [n.value for n in BasicNeed if not facts.basic_needs.get(n.value, False)]
    needs_detail = "not met: " + ", ".join(unmet) if unmet else "two assurances and three guarantees met"

    # the same in Chinese, each led by the criterion's name on the exit form
    line_zh, debt_cmp_zh = rule.comparison.words_zh, debt_rule.comparison.words_zh
    income_zh = (
        f"未录入{policy.year}年的人均纯收入；须{line_zh}当年标准线{yuan_zh(line)}（{rule.said}）"
        if income is None
        else f"{policy.year}年人均纯收入{yuan_zh(income)}，{'已' if income_ok else '未'}{line_zh}"
        f"标准线{yuan_zh(line)}（{rule.said}）"
    )
    channel_zh = "、".join(INCOME_CHANNEL_WORDS.get(c, c) for c in channels) if channels else "未录入收入来源"
    debt_zh = (
        "；".join(f"{_debt_cause_zh(d.cause)}负债{yuan_zh(d.amount_fen)}" for d in blocking)
        + f"，{debt_cmp_zh}{yuan_zh(limit)}，须先还清"
        if blocking
        else f"没有{debt_cmp_zh}{yuan_zh(limit)}的未还清负债"
    )
    needs_zh = "以下几项未达到：" + "、".join(BasicNeed(n).label for n in unmet) if unmet else "已全部达到"

    def criterion(code: str, passed: bool, detail: str, detail_zh: str) -> Criterion:
        name = income_criterion_zh(rule.comparison) if code == "income_above_line" else EXIT_CRITERIA_ZH[code]
        return Criterion(code, passed, detail, f"{name}：{detail_zh}", name)

    return Eligibility(
        criteria=(
            criterion("income_above_line", income_ok, income_detail, income_zh),
            criterion("income_channel", bool(channels), channel_detail, channel_zh),
            criterion("no_large_debt", not blocking, debt_detail, debt_zh),
            criterion("basic_needs_met", not unmet, needs_detail, needs_zh),
        )
    )


def income_criterion_zh(comparison: Comparison) -> str:
    """The income criterion's name as the area reads its line: Kaiping's 达到或超过 (at_or_above)
    includes the line, Gansu's and the default 稳定超过 (above) exclude it."""
    if comparison is Comparison.ABOVE:
        return EXIT_CRITERIA_ZH["income_above_line"]
    return f"人均纯收入{comparison.words_zh}当年扶贫标准"


def _debt_cause_zh(cause: str) -> str:
    try:
        return DebtCause(cause).label
    except ValueError:
        return cause
