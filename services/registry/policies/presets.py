"""The seeds' registry policy numbers as policy records (loaded into the policy table on start).

Every number cites its seed; numbers marked OUTSIDE THE SEEDS are illustrative defaults that a
province must replace with its published standard before production use.
"""

from __future__ import annotations

from services.registry.policies.rules import (
    ApprovalStep,
    Comparison,
    IncomeShareTarget,
    KeyTargetRule,
    PairingVillageQuota,
    PolicyRecord,
    RelapseRoute,
    ThresholdRule,
    TransferEmploymentRule,
)
from shared.policy_documents import (
    CHISHUI_PLAN,
    GANSU_QINBA_PLAN,
    JINZHOU_DECISION,
    QUANZHOU_2018_POINTS,
    SYSTEM_DEFAULT,
)

__all__ = [
    "BATCH_SETS",
    "INCOME_SHARE_TARGETS",
    "KEY_TARGET_RULES",
    "KAIPING_INCOME_SHARE_TARGET",
    "PAIRING_VILLAGE_QUOTAS",
    "POLICIES_KEPT_YEARS",
    "PRESETS",
    "QUANZHOU_2018_NOTE",
    "TRANSFER_EMPLOYMENT",
    "YUAN",
]

YUAN = 100  # fen per yuan
# (the 2026-11-26 migration appends the same words to a record seeded before it)
# (the stop-27 migration rewrote it, and the record it was appended to, in the documents' titles)
QUANZHOU_2018_NOTE = "；六：确保今年消除村集体经营性收入1万元以下的空壳村"

# 一批 tag sets. national five (seed 000 五个一批), Gansu seven (seed 003 七个一批),
# Kaiping three (seed 004: 扶持生产和就业发展一批、教育扶贫脱贫一批、低保政策兜底一批).
BATCH_SETS: dict[str, tuple[str, ...]] = {
    "national_five": ("production", "relocation", "ecological_compensation", "education", "social_security"),
    "gansu_seven": (
        "industry",
        "transfer_employment",
        "relocation",
        "education",
        "health",
        "ecology",
        "social_security",
    ),
    "kaiping_three": ("production_employment", "education", "dibao_floor"),
}

# Generic chain for places whose seed names none: village-level recognition is not enough,
# the county approves (OUTSIDE THE SEEDS).
_GENERIC_RELAPSE = (
    ApprovalStep("township_recognition", "registrar", "township"),
    ApprovalStep("township_application", "approver", "township"),
    ApprovalStep("county_approval", "approver", "county"),
)
# Seed 004 (Kaiping): 镇农办、民政认定 → 镇扶贫办申请 → 市扶贫部门审核 (Kaiping is a county-level
# city) → 江门市级扶贫部门审定 (Jiangmen, prefecture level) → next year's plan.
_KAIPING_RELAPSE = (
    ApprovalStep("town_recognition", "registrar", "township"),
    ApprovalStep("town_application", "approver", "township"),
    ApprovalStep("city_review", "approver", "county"),
    ApprovalStep("higher_approval", "approver", "city"),
)

# How each threshold is read, in the seeds' words (DOMAIN.md "Reading thresholds").
_NATIONAL_COMPARISONS = {
    # the national default follows Gansu's household standard, the seeds' only nationwide-style text
    "exit_line": ThresholdRule(
        Comparison.ABOVE,
        f"年人均纯收入稳定超过当年退出验收标准（{GANSU_QINBA_PLAN}第十章第一节六的表述，作全国默认）",
    ),
    "large_debt_limit": ThresholdRule(
        Comparison.AT_OR_ABOVE, f"因病因学因房大额借贷(5万元以上)（{GANSU_QINBA_PLAN}第十章第一节六）"
    ),
    "exit_incidence": ThresholdRule(
        Comparison.AT_OR_BELOW, f"贫困发生率降至3%以下（{GANSU_QINBA_PLAN}第十章第一节六）"
    ),
    "notice_min_days": ThresholdRule(Comparison.AT_OR_ABOVE, f"公示期要在7天以上（{CHISHUI_PLAN}五(一)）"),
}
_GANSU_COMPARISONS = {
    "exit_line": ThresholdRule(
        Comparison.ABOVE, f"该户年人均纯收入稳定超过当年省定退出验收标准（{GANSU_QINBA_PLAN}第十章第一节六）"
    ),
    "large_debt_limit": ThresholdRule(
        Comparison.AT_OR_ABOVE, f"无因病因学因房大额借贷(5万元以上)（{GANSU_QINBA_PLAN}第十章第一节六）"
    ),
    "exit_incidence": ThresholdRule(
        Comparison.AT_OR_BELOW, f"以贫困发生率降至3%以下为主要衡量标准（{GANSU_QINBA_PLAN}第十章第一节六）"
    ),
}
_KAIPING_COMPARISONS = {
    "exit_line": ThresholdRule(
        Comparison.AT_OR_ABOVE,
        f"对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶（{CHISHUI_PLAN}七(五)）",
    ),
    "notice_min_days": ThresholdRule(Comparison.AT_OR_ABOVE, f"公示期要在7天以上（{CHISHUI_PLAN}五(一)）"),
}

# Which returns to poverty take which way. Where a seed names no chain, every cause goes through
# the generic chain (OUTSIDE THE SEEDS). Kaiping binds its chain to 因重大自然灾害返贫的 only; every
# other return comes in again the ordinary way: 贫困人口进出严格按“拟选对象、精准扶持、民主评议、公示公告”
# 程序办理 (seed 004 §七(五)).
_GENERIC_ROUTES = (RelapseRoute("*", "chain", f"各类返贫均经镇认定、镇申请、县审批（{SYSTEM_DEFAULT}）"),)
_KAIPING_ROUTES = (
    RelapseRoute(
        "major_natural_disaster",
        "chain",
        "因重大自然灾害返贫的,应根据镇农办、民政等部门认定,由镇扶贫办申请,呈市扶贫部门审核,"
        f"并经江门市级扶贫部门审定,才能纳入下年度脱贫计划（{CHISHUI_PLAN}七(五)）",
    ),
    RelapseRoute(
        "*",
        "identification",
        f"贫困人口进出严格按“拟选对象、精准扶持、民主评议、公示公告”程序办理（{CHISHUI_PLAN}七(五)）",
    ),
)

# 脱贫不脱政策: seed 000 "对已经脱贫的农户在一定时期内让其继续享受扶贫相关政策", seed 003 "退出后,
# 在一定时期内原有扶贫政策保持不变", seed 002 "在脱贫攻坚期内保持政策不变". No seed gives the length.
# Our reading: a number of years counted from each household's own exit date; 3 years by default
# (OUTSIDE THE SEEDS), which carries a household exited in 2018 (Quanzhou's document year) through
# the end of the campaign in 2020.
POLICIES_KEPT_YEARS = 3

# Per-capita exit lines by year, OUTSIDE THE SEEDS (illustrative; seed 003 only says
# "当年省定退出验收标准", the province's standard of the year).
_NATIONAL_LINES = {2016: 3_146, 2017: 3_335, 2018: 3_535, 2019: 3_747, 2020: 4_000}

PRESETS: tuple[PolicyRecord, ...] = (
    PolicyRecord(
        area_prefix="",
        year=2016,
        source=f"全国默认：五个一批（{JINZHOU_DECISION}）；公示7天以上（{CHISHUI_PLAN}五(一)）；"
        f"贫困发生率3%以下、大额借贷5万元以上（{GANSU_QINBA_PLAN}第十章第一节六）；脱贫不脱政策自各户退出起3年"
        f"（文件只说“一定时期”，{SYSTEM_DEFAULT}）",
        exit_line_fen=_NATIONAL_LINES[2016] * YUAN,
        notice_min_days=7,
        large_debt_limit_fen=50_000 * YUAN,
        batch_set="national_five",
        batches=BATCH_SETS["national_five"],
        exit_incidence_threshold_bp=300,
        policies_kept_years=POLICIES_KEPT_YEARS,
        relapse_chain=_GENERIC_RELAPSE,
        comparisons=_NATIONAL_COMPARISONS,
        relapse_routes=_GENERIC_ROUTES,
        # OUTSIDE THE SEEDS: a paper form entered up to 3 days late is ordinary; further back is a
        # late entry (补录) with a reason and an approver (the seeds' 7-day notice must run in full)
        backdate_tolerance_days=3,
        # OUTSIDE THE SEEDS: figures that leave the system hide cells of fewer than 5 households
        disclosure_min_households=5,
    ),
    *(
        PolicyRecord(
            area_prefix="", year=year, source=f"当年退出验收标准：{SYSTEM_DEFAULT}", exit_line_fen=line * YUAN
        )
        for year, line in _NATIONAL_LINES.items()
        if year != 2016
    ),
    PolicyRecord(
        area_prefix="62",
        year=2016,
        source=f"{GANSU_QINBA_PLAN}：“七个一批”；第十章第一节六：因病因学因房大额借贷5万元以上不能退出，"
        "贫困发生率降至3%以下",
        large_debt_limit_fen=50_000 * YUAN,
        batch_set="gansu_seven",
        batches=BATCH_SETS["gansu_seven"],
        exit_incidence_threshold_bp=300,
        comparisons=_GANSU_COMPARISONS,
    ),
    PolicyRecord(
        area_prefix="440783",
        year=2016,
        source=f"{CHISHUI_PLAN}：三个一批；公示7天以上（五(一)）；因重大自然灾害返贫的审批程序（七(五)）；"
        f"达到或超过脱贫标准的退出（七(五)），标准4000元为广东省2016-2018年相对贫困线（{SYSTEM_DEFAULT}）",
        exit_line_fen=4_000 * YUAN,
        notice_min_days=7,
        batch_set="kaiping_three",
        batches=BATCH_SETS["kaiping_three"],
        relapse_chain=_KAIPING_RELAPSE,
        comparisons=_KAIPING_COMPARISONS,
        relapse_routes=_KAIPING_ROUTES,
    ),
    # Seed 002 §六: 确保今年消除村集体经营性收入1万元以下的空壳村；明年消除…3万元以下的薄弱村.
    # 以下 includes the number (DOMAIN.md "Reading thresholds"): a village at exactly 10,000 yuan
    # is still a shell village in 2018. A later record carries the 30,000 on from 2019.
    PolicyRecord(
        area_prefix="3505",
        year=2018,
        source=f"{QUANZHOU_2018_POINTS}一：对已脱贫的贫困户和已摘帽的贫困村，在脱贫攻坚期内保持政策不变"
        + QUANZHOU_2018_NOTE,
        weak_village_income_fen=10_000 * YUAN,
        weak_village_income_inclusive=True,
    ),
    PolicyRecord(
        area_prefix="3505",
        year=2019,
        source=f"{QUANZHOU_2018_POINTS}六：明年（2019年）消除村集体经营性收入3万元以下的薄弱村",
        weak_village_income_fen=30_000 * YUAN,
        weak_village_income_inclusive=True,
    ),
)

# Seed 004 §三(一) (Chishui town, Kaiping, 2016-2018): 力争每年有30%以上的有劳动能力贫困户年人均可支配
# 收入超过当地城乡年人均收入的45%. 超过 excludes the line (a household at exactly 45% is not counted);
# 30%以上 includes 30% (DOMAIN.md "Reading thresholds"). Written by a Kaiping town after the city's
# plan, so it is recorded for Kaiping (440783). The local per-capita income (当地城乡年人均收入) is not
# in the seeds: it is supplied per area and year when the indicator is read.
KAIPING_INCOME_SHARE_TARGET = IncomeShareTarget(
    area_prefix="440783",
    from_year=2016,
    to_year=2018,
    income_share_bp=4_500,
    income_comparison=Comparison.ABOVE,
    households_share_bp=3_000,
    households_comparison=Comparison.AT_OR_ABOVE,
    source=f"{CHISHUI_PLAN}三(一)：力争每年有30%以上的有劳动能力贫困户年人均可支配收入超过当地城乡年人均收入的45%",
)
INCOME_SHARE_TARGETS: tuple[IncomeShareTarget, ...] = (KAIPING_INCOME_SHARE_TARGET,)

# Seed 003 (Gansu) 七个一批, note 2: 转移就业脱贫为贫困户户表信息中年龄在18 60岁、有劳动能力、非在校生且有
# 务工信息贫困人口的统计数据 — the batch's figure is counted from the household table, not tagged; both
# ages are included (a person of 60 counts until their 61st birthday). Note 7: 以上"七个一批"数据之间为交集
# 关系 — a person counted here may be counted in another batch too.
TRANSFER_EMPLOYMENT = TransferEmploymentRule(
    batch="transfer_employment",
    min_age=18,
    max_age=60,
    source=f"{GANSU_QINBA_PLAN}“七个一批”注2：转移就业脱贫为贫困户户表信息中年龄在18-60岁、有劳动能力、"
    "非在校生且有务工信息贫困人口的统计数据",
)

# Seed 004 (Chishui town, Kaiping) 三(一): 按照2015年村(居)低保标准线内村(居)低保家庭325户915人纳入扶贫工作
# 范围……其中，认定有劳动能力、且有劳动意愿的城乡低保家庭71户251人……为新时期城乡精准扶贫重点帮扶贫困户;
# 五(一): 对全镇低保对象全面开展建档立卡工作，并在此基础上将有劳动能力且愿意接受帮扶的低保户识别出来，作为
# 本轮精准扶贫的重点帮扶对象……特别是要将低保线内有劳动能力的贫困残疾人作为重点扶持对象. The seed identifies
# them among the registered 低保 households (建档立卡 first, then 识别出来): a report, not a refusal. No other
# seed names key targets this way (Jinzhou's 重点救助对象 are relief recipients, not a registry group).
KEY_TARGET_RULES: tuple[KeyTargetRule, ...] = (
    KeyTargetRule(
        area_prefix="440783",
        source=f"{CHISHUI_PLAN}五(一)：对全镇低保对象全面开展建档立卡工作，并在此基础上将有劳动能力且"
        "愿意接受帮扶的低保户识别出来，作为本轮精准扶贫的重点帮扶对象",
    ),
)

# Seed 002 (Quanzhou 2018) §十一 三是: 对第五轮全省整村推进帮扶工作中的市派28个帮扶村每村给予50万元的资金
# 扶持. The city dispatches 28 pairing villages, and funds grants 500,000 yuan to each village marked
# city-dispatched (funds presets QUANZHOU_VILLAGE_GRANTS): a 29th such village in Quanzhou (3505) is
# refused where it is marked, so no 29th grant is ever planned. The seed gives no count for the
# province- and county-dispatched ones (省派、县派的帮扶村每村给予20万元): those are not capped.
PAIRING_VILLAGE_QUOTAS: tuple[PairingVillageQuota, ...] = (
    PairingVillageQuota(
        area_prefix="3505",
        area_name="泉州市",
        dispatch_level="city",
        max_villages=28,
        source=f"{QUANZHOU_2018_POINTS}十一：对第五轮全省整村推进帮扶工作中的市派28个帮扶村每村给予50万元的资金扶持",
    ),
)
