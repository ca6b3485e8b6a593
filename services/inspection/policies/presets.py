"""Policy numbers for inspection, as data. Each constant names its seed; numbers the seeds do
not give are marked OUTSIDE THE SEEDS and are defaults an area's policy record may replace.

Seeds: 003 Gansu (4-3-4-2, exit lines, third-party sampling), 001 Guangyuan (monthly
unannounced inspection + monthly bulletin, yearly assessment), 002 Quanzhou (rectification
report-back, 12317), 000 Jinzhou (counties missing targets: interview the party and government
heads), 004 Kaiping (bulletin + deadline, interview the pairing cadre of villages that miss
targets, discipline for fraud).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from services.inspection.signoffs.rules import SignoffLevel, SignoffScheme

# --- 4-3-4-2 exit sign-off (seed 003, 七、"4342"脱贫验收责任体系) -------------------------
# Position roles are JWT roles. A household signs through its own token: role ``exit_household``,
# area = its village, sub = its household id.
VILLAGE_PARTY_SECRETARY = "village_party_secretary"  # 村党支部书记
VILLAGE_HEAD = "village_head"  # 村主任
WORK_TEAM_LEADER = "work_team_leader"  # 驻村工作队队长
EXIT_HOUSEHOLD = "exit_household"  # 贫困户
TOWNSHIP_PARTY_SECRETARY = "township_party_secretary"  # 乡党委书记
TOWNSHIP_HEAD = "township_head"  # 乡长
TOWNSHIP_POVERTY_STATION_CHIEF = "township_poverty_station_chief"  # 乡扶贫工作站站长
COUNTY_PARTY_SECRETARY = "county_party_secretary"  # 县委书记
COUNTY_HEAD = "county_head"  # 县长
COUNTY_POVERTY_OFFICE_DIRECTOR = "county_poverty_office_director"  # 县扶贫办主任
COUNTY_STATISTICS_DIRECTOR = "county_statistics_director"  # 县统计局局长
CITY_PARTY_SECRETARY = "city_party_secretary"  # 市委书记
MAYOR = "mayor"  # 市长

GANSU_4342 = SignoffScheme(
    code="gansu-4342",
    levels=(
        SignoffLevel("village", (VILLAGE_PARTY_SECRETARY, VILLAGE_HEAD, WORK_TEAM_LEADER, EXIT_HOUSEHOLD)),
        SignoffLevel("township", (TOWNSHIP_PARTY_SECRETARY, TOWNSHIP_HEAD, TOWNSHIP_POVERTY_STATION_CHIEF)),
        SignoffLevel(
            "county",
            (COUNTY_PARTY_SECRETARY, COUNTY_HEAD, COUNTY_POVERTY_OFFICE_DIRECTOR, COUNTY_STATISTICS_DIRECTOR),
        ),
        SignoffLevel("city", (CITY_PARTY_SECRETARY, MAYOR)),
    ),
    household_position=EXIT_HOUSEHOLD,
)

# Area prefix -> scheme; the longest matching prefix wins, "" is the fallback. Only Gansu's
# scheme is in the seeds, so it is also the default until a place records its own.
SIGNOFF_SCHEMES: dict[str, SignoffScheme] = {"": GANSU_4342, "62": GANSU_4342}


def signoff_scheme_for(area_code: str, schemes: dict[str, SignoffScheme] | None = None) -> SignoffScheme:
    table = SIGNOFF_SCHEMES if schemes is None else schemes
    best = max((p for p in table if area_code.startswith(p)), key=len)
    return table[best]


# --- village and county exit sign-off (seed 003, the same 七、"4342"脱贫验收责任体系) -------------
# "乡党委书记、乡长、乡扶贫工作站站长要对贫困户、贫困村脱贫验收结果签字确认 … 县委书记、县长、县扶贫办主任、
# 县统计局局长要对贫困户、贫困村脱贫验收结果签字确认 … 市委书记、市长要对贫困户、贫困村、贫困县脱贫退出验收
# 结果签字确认": a poor village is signed by the township 3, the county 4 and the city 2 (the village
# 4 sign for households only); a poor county by the city 2.
GANSU_VILLAGE_EXIT = SignoffScheme(
    code="gansu-village-342",
    levels=GANSU_4342.levels[1:],
)
GANSU_COUNTY_EXIT = SignoffScheme(code="gansu-county-2", levels=GANSU_4342.levels[3:])

# Dossier kind -> (area prefix -> scheme), the longest prefix wins. Only Gansu's sets are in the
# seeds, so they are the default until a place records its own (PUT /signoff-schemes/{prefix}?kind=).
SIGNOFF_SCHEMES_BY_KIND: dict[str, dict[str, SignoffScheme]] = {
    "household": SIGNOFF_SCHEMES,
    "village": {"": GANSU_VILLAGE_EXIT, "62": GANSU_VILLAGE_EXIT},
    "county": {"": GANSU_COUNTY_EXIT, "62": GANSU_COUNTY_EXIT},
}
DOSSIER_KINDS: tuple[str, ...] = tuple(SIGNOFF_SCHEMES_BY_KIND)


# --- Findings and escalation (seed 004 七(六): 通报 + 限期整改, 约谈, 党纪政纪追责) --------------
@dataclass(frozen=True)
class EscalationStep:
    kind: str  # accountability kind: bulletin, admonishment_interview, discipline_referral
    days_overdue: int  # reached when the finding is this many days past its deadline (or more)


# Order follows seed 004 (bulletin first, interview next, discipline for persistent failure);
# the day counts are OUTSIDE THE SEEDS.
ESCALATION_LADDER: tuple[EscalationStep, ...] = (
    EscalationStep("bulletin", 1),
    EscalationStep("admonishment_interview", 15),
    EscalationStep("discipline_referral", 30),
)

# Rectification period by severity, days from the finding (OUTSIDE THE SEEDS).
RECTIFICATION_DAYS: dict[str, int] = {"high": 15, "medium": 30, "low": 60}

# --- Signals from other services become findings (ARCHITECTURE flows 3 and 4) -------------
# (source kind) -> (finding category, severity, the finding's title). Severity picks the deadline
# above; the title is how the inspector and the responsible office read what was detected.
SIGNAL_FINDINGS: dict[str, tuple[str, str, str]] = {
    "non_registered_beneficiary": ("funds_misuse", "high", "向非建档立卡户发放扶贫资金"),
    "exited_beneficiary": ("funds_misuse", "medium", "向已退出户发放扶贫资金"),
    "removed_beneficiary": ("funds_misuse", "high", "向已清退户发放扶贫资金"),
    "duplicate_payment": ("funds_misuse", "high", "重复发放"),
    "over_entitlement": ("funds_misuse", "medium", "超标准发放"),
    "idle_funds": ("funds_idle", "medium", "资金闲置"),
    "household_without_cadre": ("pairing_gap", "medium", "贫困户未落实帮扶责任人"),
    "village_without_work_team": ("pairing_gap", "high", "贫困村未派驻工作队"),
    "village_without_first_secretary": ("pairing_gap", "high", "贫困村未选派第一书记"),
    "cadre_over_cap": ("pairing_gap", "low", "帮扶干部结对户数超出上限"),
    "visit_overdue": ("pairing_gap", "low", "未按期走访"),
    # seed 002 十一 / seed 004 七(二): a township with exit tasks short of full-time staff, a village
    # with exit tasks without its coordinator (OUTSIDE THE SEEDS: the severity)
    "township_without_staff": ("pairing_gap", "medium", "乡镇扶贫专职人员不足"),
    "village_without_coordinator": ("pairing_gap", "medium", "村未配备扶贫协管员"),
    # seed 002 十: a mountain-sea pair the policy names with no active county pairing (OUTSIDE THE
    # SEEDS: the severity)
    "mountain_sea_pair_missing": ("pairing_gap", "medium", "山海协作县未结对"),
}
# A kind this list does not know yet (a producer newer than it): its code is the title.
UNKNOWN_SIGNAL_FINDING: tuple[str, str] = ("other", "medium")


# --- Third-party sampling (seed 003 十: 随机抽查; sizes OUTSIDE THE SEEDS) -----------------
@dataclass(frozen=True)
class SamplingPolicy:
    rate: Fraction  # share of each village's exited households drawn (rounded up)
    min_per_village: int  # at least this many per village (or all, when fewer)


THIRD_PARTY_SAMPLING = SamplingPolicy(rate=Fraction(1, 10), min_per_village=2)
# Exited villages (贫困村退出) drawn per county the same way: 1/10, at least 2 per county (OUTSIDE
# THE SEEDS: seed 003 asks for random checks, not their size).
THIRD_PARTY_VILLAGE_SAMPLING = SamplingPolicy(rate=Fraction(1, 10), min_per_village=2)


# --- Yearly assessment (seed 001 二(一) quantitative + qualitative + third party) ----------
# Exit line for villages and counties: incidence at or below 3% (seed 003, 降至3%以下).
INCIDENCE_CEILING = Fraction(3, 100)


@dataclass(frozen=True)
class AssessmentPolicy:
    # Points per indicator, summing to 100 (OUTSIDE THE SEEDS).
    weights: dict[str, int]
    # Minimum score for each rating, best first (OUTSIDE THE SEEDS).
    bands: tuple[tuple[str, int], ...]
    incidence_ceiling: Fraction


ASSESSMENT = AssessmentPolicy(
    weights={
        "reduction": 25,
        "incidence": 10,
        "disbursement": 15,
        "pairing_coverage": 10,
        "visit_rate": 10,
        "rectification_on_time": 10,
        "qualitative": 10,
        "third_party": 10,
    },
    bands=(("excellent", 90), ("good", 80), ("fair", 60), ("poor", 0)),
    incidence_ceiling=INCIDENCE_CEILING,
)

# Who is interviewed when an area misses its yearly reduction target:
# counties -> party and government heads (seed 000 五(三)); villages -> the pairing cadre
# (seed 004 七(六)). Townships: no seed names anyone, so no record.
ADMONISH_ON_MISSED_TARGET: dict[str, tuple[str, ...]] = {
    "county": (COUNTY_PARTY_SECRETARY, COUNTY_HEAD),
    "village": ("pairing_cadre",),
}

# --- Complaints on the 12317 line (seed 002 十四; deadlines OUTSIDE THE SEEDS) --------------
COMPLAINT_DAYS: dict[str, int] = {"urgent": 7, "normal": 30}

# The pairing kind that puts one cadre beside one household (pairing service's
# ``cadre_household``, seed 002 "一户一挂钩"); coverage counts households with one open.
HOUSEHOLD_CADRE_PAIRING = "cadre_household"

# --- Monthly bulletin (seed 001 三(四): 实行一月一督查暗访、一月一情况通报) ------------------
# At least this many unannounced inspections (暗访) a month; a month with fewer is named as a gap.
UNANNOUNCED_INSPECTIONS_PER_MONTH = 1

# --- Quarterly progress reports upward (seed 000 五(一): 每季度要向市委、市政府报告) ---------
# The seed sets the rhythm (every quarter) but no deadline: 10 days after the quarter's last
# day is OUTSIDE THE SEEDS.
PROGRESS_REPORT_DEADLINE_DAYS = 10
# Who files the area's report upward: the office that approves its work (admin passes too).
PROGRESS_REPORT_SUBMITTER_ROLES: tuple[str, ...] = ("approver",)
