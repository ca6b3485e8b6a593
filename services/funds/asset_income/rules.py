"""Asset-income support (资产收益扶贫): a loan placed with an enterprise or cooperative under a
four-party agreement (county government, bank, enterprise/cooperative, households), paying the
households a guaranteed minimum plus a dividend each year (保底+分红, 负盈不负亏).

The dividend floor is versioned policy data (seed 003: 分红比例原则上不低于贷款金额的8%; 不低于
includes 8%). Amounts due round up to the fen, like every floor; a year's payment is split to the
households by their shares with the largest-remainder helper, so the parts add up to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.funds.errors import AlreadyDistributed, DividendBelowFloor, YearOutsideTerm
from services.funds.policies.rules import VersionedRecord, most_specific
from shared.areas import AreaCode
from shared.money import largest_remainder
from shared.policy_words import plain_words

__all__ = [
    "AssetIncomePolicy",
    "check_dividend_rate",
    "check_year",
    "dividend_component",
    "is_dividend_component",
    "due_for_year",
    "policy_in_force",
    "split",
    "term_years",
]

BASIS_POINTS = 10_000


@dataclass(frozen=True, kw_only=True)
class AssetIncomePolicy(VersionedRecord):
    minimum_dividend_bp: int


def policy_in_force(
    policies: Iterable[AssetIncomePolicy], *, area_code: str, year: int
) -> AssetIncomePolicy | None:
    """The most specific area's newest version covering the year; None where no policy sets a floor."""
    return most_specific(policies, area_code=AreaCode.parse(area_code).code, year=year)


def check_dividend_rate(policy: AssetIncomePolicy | None, *, dividend_rate_bp: int) -> None:
    """Exactly the floor passes (不低于); one basis point under is refused with the reason."""
    if policy is not None and dividend_rate_bp < policy.minimum_dividend_bp:
        words = plain_words(policy.source)  # the policy's words, not the project's reference to them
        raise DividendBelowFloor(
            f"A dividend of {dividend_rate_bp / 100:g}% of the loan a year is below the "
            f"{policy.minimum_dividend_bp / 100:g}% floor of policy {policy.code} v{policy.version}"
            f" ({words})",
            detail_zh=f"分红比例每年{dividend_rate_bp / 100:g}%，低于政策 {policy.code} "
            f"第{policy.version}版规定的{policy.minimum_dividend_bp / 100:g}%下限（{words}）",
            dividend_rate_bp=dividend_rate_bp,
            minimum_dividend_bp=policy.minimum_dividend_bp,
            policy=policy.code,
            policy_version=policy.version,
        )


def dividend_for(principal_fen: int, dividend_rate_bp: int) -> int:
    return -(-principal_fen * dividend_rate_bp // BASIS_POINTS)


def due_for_year(*, principal_fen: int, dividend_rate_bp: int, guaranteed_return_fen: int) -> int:
    """What the enterprise owes the households for one year: the guaranteed minimum plus the dividend
    (rate × loan, rounded up to the fen)."""
    return guaranteed_return_fen + dividend_for(principal_fen, dividend_rate_bp)


def term_years(start_year: int, term: int) -> list[int]:
    return list(range(start_year, start_year + term))


def check_year(year: int, *, start_year: int, term: int, distributed: Iterable[int]) -> None:
    if year not in term_years(start_year, term):
        raise YearOutsideTerm(
            f"{year} is outside the term {start_year}-{start_year + term - 1}",
            detail_zh=f"{year}年不在协议期限{start_year}—{start_year + term - 1}年内",
            year=year,
            first_year=start_year,
            last_year=start_year + term - 1,
        )
    if year in set(distributed):
        raise AlreadyDistributed(
            f"The {year} dividend has been distributed already",
            detail_zh=f"{year}年的分红已经发放",
            year=year,
        )


def split(amount_fen: int, shares: Sequence[int]) -> list[int]:
    """A year's payment over the households' shares; the parts add up to ``amount_fen`` exactly."""
    return largest_remainder(amount_fen, list(shares))


# Dividend payments name their agreement in the disbursement's component; supervision holds them to
# the agreement's split (made at payment time), not to a plan entitlement.
_COMPONENT_PREFIX = "asset_income:"


def dividend_component(agreement_id: object) -> str:
    return f"{_COMPONENT_PREFIX}{agreement_id}"


def is_dividend_component(component: str | None) -> bool:
    return component is not None and component.startswith(_COMPONENT_PREFIX)
