"""The seeds' funding policies as data. Domain code reads these; it never branches on a place.

Every number cites its seed; numbers marked *outside the seeds* are our defaults, to be set per area.
Account codes name the accounts the demo data and the tests create (sources/ holds them).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.funds.asset_income.rules import AssetIncomePolicy
from services.funds.budgets.rules import BudgetRule
from services.funds.projects.rules import IndustryParticipationRule
from services.funds.schemes.rules import (
    FixedFund,
    FixedFundsScheme,
    PerCapitaScheme,
    PerCapitaStandard,
    Share,
    SubShare,
    VillageGrantScheme,
)
from shared.money import yuan
from shared.policy_documents import CHISHUI_PLAN, GANSU_QINBA_PLAN, JINZHOU_DECISION, QUANZHOU_2018_POINTS

__all__ = [
    "INDUSTRY_PARTICIPATION_RULES",
    "ACCOUNTS",
    "KAIPING_PER_CAPITA",
    "KAIPING_SPECIAL_FUNDS",
    "PER_CAPITA_STANDARDS",
    "PRESETS",
    "QUANZHOU_2018_CITY_EARMARKS",
    "QUANZHOU_SPECIAL_FUNDS",
    "QUANZHOU_VILLAGE_GRANTS",
    "SUPERVISION_DEFAULTS",
    "DISCLOSURE_DEFAULTS",
    "ASSET_INCOME_POLICIES",
    "BUDGET_RULES",
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
                # every town of Kaiping raises 30% for its own people, billed to its own account:
                # Chishui's to its finance office (named here); another town's to the source account
                # at its own area code, or the plan is refused until it has one
                SubShare(
                    code="town",
                    payer="",
                    basis_points=3_000,
                    schedule={2016: 450, 2017: 450, 2018: 300},
                    payer_level="township",
                    payers={CHISHUI: "chishui-town-finance"},
                ),
            ),
        ),
    ),
    eligible_batches=("production_employment",),
)

# Seed 004 §三(一) "按上级要求，按贫困人口人均3年不少于2万元的投入标准进行帮扶" and §四(一) "2016-2018年按
# 贫困人口人均3年不少于2万元的投入标准": any per-capita scheme for Kaiping (440783) meeting 2016-2018
# plans at least 20,000 yuan per person (不少于 includes it: 19,999.99 is refused, 20,000 passes).
PER_CAPITA_STANDARDS: tuple[PerCapitaStandard, ...] = (
    PerCapitaStandard(
        code="kaiping-per-capita-standard",
        version=1,
        area_prefix="440783",
        from_year=2016,
        to_year=2018,
        minimum_per_person_fen=yuan(20_000),
        source=f"{CHISHUI_PLAN}三(一)、四(一)：2016-2018年按贫困人口人均3年不少于2万元的投入标准",
    ),
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

# Seed 002 §三, §六, §七 (Quanzhou 2018): the city budget's own lines besides the village grants.
# One table, read twice: as the preset scheme `quanzhou-special-funds-2018` (the allocation — what the
# city pays into its special account, so a plan and its arrears follow each line) and as the budget
# rules `quanzhou-2018-*` (the compliance check — the city's declared 2018 budget must hold all three).
# 不少于 includes the number: the scheme plans the minimum, the rule requires at least it.
# (scheme component, budget rule suffix, fund name, yuan, seed point, seed text)
QUANZHOU_2018_CITY_EARMARKS: tuple[tuple[str, str, str, int, str, str], ...] = (
    (
        "collective-economy",
        "village-collective",
        "村集体经济发展创收项目扶持资金",
        25_000_000,
        "六",
        "市级财政安排2500万元，扶持200个左右村集体经济发展创收项目",
    ),
    (
        "housing",
        "housing",
        "贫困户住房改善提升资金",
        30_000_000,
        "三",
        "市级财政统筹安排不少于3000万元，为南安、安溪、永春、德化、惠安、洛江、泉港等7个县(市、区)"
        "的1300多户贫困户改善、提升住房居住条件",
    ),
    (
        "infrastructure",
        "infrastructure",
        "贫困村基础设施扶持资金",
        20_000_000,
        "七",
        "市级财政安排2000万元扶持资金，用于扶持市级扶贫开发工作重点乡镇、重点村实施基础设施和公共服务项目",
    ),
)

QUANZHOU_SPECIAL_FUNDS = FixedFundsScheme(
    code="quanzhou-special-funds-2018",
    name="泉州市级财政扶贫专项资金(2018)",
    funds=tuple(
        FixedFund(code, name, "quanzhou-city-finance", "quanzhou-special-account", {2018: yuan(amount)})
        for code, _, name, amount, _, _ in QUANZHOU_2018_CITY_EARMARKS
    ),
)

PRESETS = {
    s.code: s
    for s in (KAIPING_PER_CAPITA, KAIPING_SPECIAL_FUNDS, QUANZHOU_VILLAGE_GRANTS, QUANZHOU_SPECIAL_FUNDS)
}


# Seed 003 (Gansu, 政策保障·财政政策): 片区县按当年地方财政收入增量的20%以上、市级按10%以上增列专项
# 扶贫预算; 当年清理收回存量资金中可统筹使用资金的50%以上用于扶贫开发. 以上 includes the number.
# Each level's own budgets count toward its rule. The seed scopes the county share to the plan's
# contiguous-area (片区) counties; we record it for the whole province ("62") until the county list
# is loaded (a narrower record per county would replace it). Years *outside the seeds*: the seed's
# dates are garbled; we apply the rules 2016-2020 (to the end of the campaign, 到2020年).
JINZHOU_SPECIAL_FUND_PER_YEAR_FEN = yuan(40_000_000)
_GANSU = f"{GANSU_QINBA_PLAN}第十章第二节一（财政政策）"
# (level, kind, code suffix, basis points, what the seed says of that level)
_GANSU_BUDGET_SHARES = (
    (
        "county",
        "revenue_increase_share",
        "revenue-increase",
        2_000,
        "片区县按当年地方财政收入增量的20%以上增列专项扶贫预算",
    ),
    ("city", "revenue_increase_share", "revenue-increase", 1_000, "市级按10%以上增列专项扶贫预算"),
    *(
        (
            level,
            "recovered_idle_share",
            "recovered-idle-funds",
            5_000,
            "各级财政…当年清理收回存量资金中可统筹使用资金的50%以上用于扶贫开发",
        )
        # 各级财政 is the subject: the province that issued the plan binds itself too. Townships are
        # left out until a record says their finance offices count as a level (the seed does not say).
        for level in ("county", "city", "province")
    ),
)
BUDGET_RULES: tuple[BudgetRule, ...] = (
    *(
        BudgetRule(
            code=f"gansu-{level}-{suffix}",
            version=1,
            area_prefix="62",
            level=level,
            kind=kind,
            basis_points=basis_points,
            from_year=2016,
            to_year=2020,
            budget_levels=(level,),
            source=f"{_GANSU}：{rule}",
        )
        for level, kind, suffix, basis_points, rule in _GANSU_BUDGET_SHARES
    ),
    # Seed 000 (Jinzhou, Liaoning 2107): 将每年4000万财政专项扶贫基金全部纳入市县两级财政预算 —
    # one sum for the city and its counties together, so the city's and its counties' budgets count.
    # Years *outside the seeds*: the decision runs to 2020 (到2020年); we apply it 2016-2020.
    BudgetRule(
        code="jinzhou-special-fund",
        version=1,
        area_prefix="2107",
        level="city",
        kind="fixed_amount",
        amount_fen=JINZHOU_SPECIAL_FUND_PER_YEAR_FEN,
        from_year=2016,
        to_year=2020,
        budget_levels=("city", "county"),
        source=f"{JINZHOU_DECISION}：将每年4000万财政专项扶贫基金全部纳入市县两级财政预算",
    ),
    # Seed 002 (Quanzhou 2018 work points), the city's own budget (市级财政) in 2018: the three earmarks
    # of QUANZHOU_2018_CITY_EARMARKS are for different things, so they add up (75,000,000 yuan).
    *(
        BudgetRule(
            code=f"quanzhou-2018-{suffix}",
            version=1,
            area_prefix="3505",
            level="city",
            kind="fixed_amount",
            amount_fen=yuan(amount),
            from_year=2018,
            to_year=2018,
            budget_levels=("city",),
            source=f"{QUANZHOU_2018_POINTS}{point}：{rule}",
        )
        for _, suffix, _, amount, point, rule in QUANZHOU_2018_CITY_EARMARKS
    ),
)

# Seed 003 (Gansu, 金融扶贫): 四方协议 … 按照 保底+分红 的方式, 负盈不负亏, 分红比例原则上不低于贷款
# 金额的8% (不低于 includes 8%). Years as above (*outside the seeds*).
ASSET_INCOME_POLICIES: tuple[AssetIncomePolicy, ...] = (
    AssetIncomePolicy(
        code="gansu-asset-income",
        version=1,
        area_prefix="62",
        from_year=2016,
        to_year=2020,
        minimum_dividend_bp=800,
        source=f"{GANSU_QINBA_PLAN}第十章第二节二（金融政策）：分红比例原则上不低于贷款金额的8%",
    ),
)


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
    # A publication date typed up to this many days back is ordinary; further back is a late entry
    # (补录): a reason and the approver or admin role, audited and shown on the public board
    # (shared.backdating; *outside the seeds*, the same 3 days as the registry's default).
    backdate_tolerance_days: int = 3


SUPERVISION_DEFAULTS = SupervisionPolicy()
DISCLOSURE_DEFAULTS = DisclosurePolicy()


# Seed 004 (Chishui town, Kaiping) 四(三) 产业扶贫资金: 我镇可根据本镇实际,并根据帮扶对象自身愿望,
# 多措并举扶持其至少发展或参与1项特色优势种养殖业项目或从事农产品加工、服务或其他脱贫增收优势产业.
# 帮扶对象 are the round's key targets, tagged 扶持生产和就业发展一批 (production_employment, the
# households the 8:2 plan funds). A household counts for a project when the project lists it
# (POST /projects/{id}/households) and the project's category is industry; the report lists the
# helped households no such project lists. A report, not a refusal: the seed says 可 and
# 根据帮扶对象自身愿望 (as the household wishes).
INDUSTRY_PARTICIPATION_RULES: tuple[IndustryParticipationRule, ...] = (
    IndustryParticipationRule(
        area_prefix="440783",
        batches=("production_employment",),
        categories=("industry",),
        min_projects=1,
        source=f"{CHISHUI_PLAN}四(三)：多措并举扶持其至少发展或参与1项特色优势种养殖业项目"
        "或从事农产品加工、服务或其他脱贫增收优势产业",
    ),
)
