"""The seeds' registry policy numbers as policy records (loaded into the policy table on start).

Every number cites its seed; numbers marked OUTSIDE THE SEEDS are illustrative defaults that a
province must replace with its published standard before production use.
"""

from __future__ import annotations

from datetime import date

from services.registry.policies.rules import ApprovalStep, PolicyRecord

__all__ = ["BATCH_SETS", "PRESETS", "QUANZHOU_2018_NOTE", "YUAN"]

YUAN = 100  # fen per yuan
# (the 2026-11-26 migration appends the same words to a record seeded before it)
QUANZHOU_2018_NOTE = "; villages with collective operating income 1万元以下 are weak this year (seed 002 §六)"

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

# Per-capita exit lines by year, OUTSIDE THE SEEDS (illustrative; seed 003 only says
# "当年省定退出验收标准", the province's standard of the year).
_NATIONAL_LINES = {2016: 3_146, 2017: 3_335, 2018: 3_535, 2019: 3_747, 2020: 4_000}

PRESETS: tuple[PolicyRecord, ...] = (
    PolicyRecord(
        area_prefix="",
        year=2016,
        source="national defaults; five batches from seed 000; notice 7 days, 3% and debt limit "
        "as in seeds 003/004; policy-kept period to end of the campaign (seed 002 脱贫攻坚期内)",
        exit_line_fen=_NATIONAL_LINES[2016] * YUAN,
        notice_min_days=7,
        large_debt_limit_fen=50_000 * YUAN,
        batch_set="national_five",
        batches=BATCH_SETS["national_five"],
        exit_incidence_threshold_bp=300,
        policies_kept_until=date(2020, 12, 31),
        relapse_chain=_GENERIC_RELAPSE,
        # OUTSIDE THE SEEDS: a paper form entered up to 3 days late is ordinary; further back is a
        # late entry (补录) with a reason and an approver (the seeds' 7-day notice must run in full)
        backdate_tolerance_days=3,
    ),
    *(
        PolicyRecord(
            area_prefix="", year=year, source="exit line OUTSIDE THE SEEDS", exit_line_fen=line * YUAN
        )
        for year, line in _NATIONAL_LINES.items()
        if year != 2016
    ),
    PolicyRecord(
        area_prefix="62",
        year=2016,
        source="seed 003 (Gansu): seven batches, debt 5万元以上 blocks exit, incidence 3%以下",
        large_debt_limit_fen=50_000 * YUAN,
        batch_set="gansu_seven",
        batches=BATCH_SETS["gansu_seven"],
        exit_incidence_threshold_bp=300,
    ),
    PolicyRecord(
        area_prefix="440783",
        year=2016,
        source="seed 004 (Kaiping/Chishui): three batches, notice 7天以上, return-to-poverty chain; "
        "exit line 4,000 yuan = Guangdong relative poverty line 2016-2018 (OUTSIDE THE SEEDS)",
        exit_line_fen=4_000 * YUAN,
        notice_min_days=7,
        batch_set="kaiping_three",
        batches=BATCH_SETS["kaiping_three"],
        relapse_chain=_KAIPING_RELAPSE,
    ),
    # Seed 002 §六: 确保今年消除村集体经营性收入1万元以下的空壳村；明年消除…3万元以下的薄弱村.
    # 以下 includes the number (DOMAIN.md "Reading thresholds"): a village at exactly 10,000 yuan
    # is still a shell village in 2018. A later record carries the 30,000 on from 2019.
    PolicyRecord(
        area_prefix="3505",
        year=2018,
        source="seed 002 (Quanzhou): policies unchanged for exited households during the campaign"
        + QUANZHOU_2018_NOTE,
        policies_kept_until=date(2020, 12, 31),
        weak_village_income_fen=10_000 * YUAN,
        weak_village_income_inclusive=True,
    ),
    PolicyRecord(
        area_prefix="3505",
        year=2019,
        source="seed 002 (Quanzhou): villages with collective operating income 3万元以下 are weak from "
        "next year (2019) (seed 002 §六)",
        weak_village_income_fen=30_000 * YUAN,
        weak_village_income_inclusive=True,
    ),
)
