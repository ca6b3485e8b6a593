"""The seeds' funding policies as data. Domain code reads these; it never branches on a place.

Every number cites its seed; numbers marked *outside the seeds* are our defaults, to be set per area.
Account codes name the accounts the demo data and the tests create (sources/ holds them).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.funds.schemes.rules import (
    FixedFund,
    FixedFundsScheme,
    PerCapitaScheme,
    Share,
    SubShare,
    VillageGrantScheme,
)
from services.funds.sources.rules import BudgetFloorPolicy
from shared.money import yuan

__all__ = [
    "ACCOUNTS",
    "KAIPING_PER_CAPITA",
    "KAIPING_SPECIAL_FUNDS",
    "PRESETS",
    "QUANZHOU_VILLAGE_GRANTS",
    "SUPERVISION_DEFAULTS",
    "DISCLOSURE_DEFAULTS",
    "GANSU_BUDGET_FLOORS",
    "JINZHOU_SPECIAL_FUND_PER_YEAR_FEN",
    "AccountPreset",
    "DisclosurePolicy",
    "SupervisionPolicy",
]

# Area codes (DOMAIN.md: Jiangmen 4407, Kaiping 440783, Quanzhou 3505). Chishui town's township
# digits are synthetic (*outside the seeds*).
JIANGMEN = "440700000000"
KAIPING = "440783000000"
CHISHUI = "440783105000"
QUANZHOU = "350500000000"


@dataclass(frozen=True)
class AccountPreset:
    code: str
    name: str
    area_code: str
    kind: str  # source: a budget that pays in (may go below zero); holding: must never go below zero


ACCOUNTS: tuple[AccountPreset, ...] = (
    AccountPreset("jiangmen-poverty-fund", "江门市扶贫基金", JIANGMEN, "source"),
    AccountPreset("kaiping-finance", "开平市财政(含市直部门)", KAIPING, "source"),
    AccountPreset("chishui-town-finance", "赤水镇财政", CHISHUI, "source"),
    AccountPreset("kaiping-special-account", "开平市财政扶贫专户", KAIPING, "holding"),
    AccountPreset("quanzhou-city-finance", "泉州市级财政", QUANZHOU, "source"),
    AccountPreset("quanzhou-special-account", "泉州市扶贫专户", QUANZHOU, "holding"),
)

# Seed 004 §四(一): at least 20,000 yuan per person over 2016-2018; Jiangmen fund : Kaiping = 8 : 2
# (Kaiping 4,000/person) scheduled 1,500 / 1,500 / 1,000; the town raises 1,200/person (30% of
# Kaiping's 4,000) scheduled 450 / 450 / 300; all of it paid into the city's poverty special account.
# The seed gives no yearly schedule for Jiangmen's part, so it is due over the whole period.
# Counted: the 71 households / 251 people who are labour-capable and willing (seed 004 §三(一)),
# i.e. the "production and employment" batch of Kaiping's three; allowance-floor households are not.
KAIPING_PER_CAPITA = PerCapitaScheme(
    code="kaiping-per-capita-2016",
    name="开平市新时期精准扶贫人均投入(2016-2018)",
    years=(2016, 2017, 2018),
    amount_per_person_fen=yuan(20_000),
    payee="kaiping-special-account",
    shares=(
        Share(code="jiangmen", payer="jiangmen-poverty-fund", weight=8),
        Share(
            code="kaiping",
            payer="kaiping-finance",
            weight=2,
            schedule={2016: 1_500, 2017: 1_500, 2018: 1_000},
            sub_shares=(
                SubShare(
                    code="chishui-town",
                    payer="chishui-town-finance",
                    basis_points=3_000,
                    schedule={2016: 450, 2017: 450, 2018: 300},
                ),
            ),
        ),
    ),
    eligible_batches=("production_employment",),
)

# Seed 004 §四(二)-(五): city-level special funds per year.
KAIPING_SPECIAL_FUNDS = FixedFundsScheme(
    code="kaiping-special-funds-2016",
    name="开平市精准扶贫专项资金(2016-2018)",
    funds=tuple(
        FixedFund(
            code, name, "kaiping-finance", "kaiping-special-account", {y: yuan(a) for y, a in by_year.items()}
        )
        for code, name, by_year in (
            ("old-area", "老区建设专项资金", {2016: 500_000, 2017: 500_000, 2018: 500_000}),
            ("industry", "产业扶贫资金", {2016: 300_000, 2017: 300_000, 2018: 300_000}),
            ("housing", "低收入住房困难户住房改造补助资金", {2016: 200_000, 2017: 200_000, 2018: 200_000}),
            ("work-expenses", "精准扶贫工作经费", {2016: 310_000, 2017: 250_000, 2018: 250_000}),
        )
    ),
)

# Seed 002 §十一: 500,000 for each of the 28 city-dispatched pairing villages, 200,000 for each
# province- or county-dispatched one (2018).
QUANZHOU_VILLAGE_GRANTS = VillageGrantScheme(
    code="quanzhou-village-grants-2018",
    name="泉州市第五轮整村推进帮扶村资金扶持(2018)",
    year=2018,
    payer="quanzhou-city-finance",
    payee="quanzhou-special-account",
    amount_by_category_fen={"city": yuan(500_000), "province": yuan(200_000), "county": yuan(200_000)},
)

PRESETS = {s.code: s for s in (KAIPING_PER_CAPITA, KAIPING_SPECIAL_FUNDS, QUANZHOU_VILLAGE_GRANTS)}


# Seed 003 (Gansu, 政策保障·财政政策 and 资产收益): counties add 20% or more (以上) and cities 10% or
# more of the year's local revenue increase to the poverty budget; 50% or more of recovered idle
# funds go to poverty alleviation; asset-income loan dividends not below (不低于) 8% of the loan.
GANSU_BUDGET_FLOORS = BudgetFloorPolicy(
    share_of_revenue_increase_bp={"county": 2_000, "city": 1_000},
    share_of_recovered_idle_funds_bp=5_000,
    minimum_dividend_bp=800,
)

# Seed 000 (Jinzhou): a 40,000,000-yuan special poverty fund every year in city and county budgets.
JINZHOU_SPECIAL_FUND_PER_YEAR_FEN = yuan(40_000_000)


@dataclass(frozen=True)
class SupervisionPolicy:
    # *outside the seeds*: the seeds demand online whole-process supervision (seed 002 §十四) but set
    # no number of days after which unspent money counts as idle; 180 is our default.
    idle_funds_days: int = 180


@dataclass(frozen=True)
class DisclosurePolicy:
    # Seed 004 §五(一) sets public notices at 7 days or more (7天以上 includes 7) for identification;
    # we apply the same minimum to fund and project notices (*outside the seeds* for funds).
    notice_days: int = 7


SUPERVISION_DEFAULTS = SupervisionPolicy()
DISCLOSURE_DEFAULTS = DisclosurePolicy()
