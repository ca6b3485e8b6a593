"""Pairing policy presets: the seeds' numbers as data, one record per place.

Domain code never asks "is this Kaiping?"; it asks the resolved policy. A preset applies to
every area whose 12-digit code starts with its prefix; the longest prefix wins, so a town can
refine its city. Numbers not found in the seeds are marked *outside the seeds* and are
deliberately conservative defaults that an administrator is expected to set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.policy_documents import CHISHUI_PLAN

__all__ = [
    "EMPLOYER_SUPPORT",
    "EmployerSupportRule",
    "MOUNTAIN_SEA_PAIRS",
    "NATIONAL",
    "PRESETS",
    "LeaderLinks",
    "employer_support_rule",
    "PairingPolicy",
    "resolve_policy",
]

# Which target levels a leader at a given level may link with ("联县联村", "包村联户").
LeaderLinks = dict[str, frozenset[str]]

# Quanzhou 2018 point ten (seed 002): seven coastal counties each help one mountain county.
# Codes are GB/T 2260 (outside the seeds; see DOMAIN.md "Places").
MOUNTAIN_SEA_PAIRS: tuple[tuple[str, str], ...] = (
    ("350502000000", "350421000000"),  # 鲤城区 – 三明市明溪县
    ("350503000000", "350721000000"),  # 丰泽区 – 南平市顺昌县
    ("350505000000", "350424000000"),  # 泉港区 – 三明市宁化县
    ("350581000000", "350725000000"),  # 石狮市 – 南平市政和县
    ("350582000000", "350821000000"),  # 晋江市 – 龙岩市长汀县
    ("350583000000", "350922000000"),  # 南安市 – 宁德市古田县
    ("350521000000", "350723000000"),  # 惠安县 – 南平市光泽县
)


@dataclass(frozen=True, slots=True)
class PairingPolicy:
    name: str
    # Households one in-system cadre may be responsible for (*outside the seeds*: the seeds
    # require one cadre per household but set no cap; 5 is a common provincial practice).
    cadre_household_cap: int = 5
    # A household must be visited at least this often (*outside the seeds*: monthly).
    visit_interval_days: int = 30
    # Gansu seed 003 part 8: 一年以上 in a poor township or village counts as grassroots
    # service; 以上 includes the bound, so exactly one year counts.
    grassroots_service_min_years: int = 1
    # Kaiping seed 004 "10+1": 10名以上党员义工 (10 included) pair with one household.
    volunteer_team_min_party_members: int = 10
    # Kaiping "百医牵百村": 二级甲等或以上医院, 中级以上职称 (both bounds included).
    doctor_min_hospital_grade: str = "2A"
    doctor_min_title: str = "intermediate"
    # Kaiping "百企扶百村" targets 重点帮扶老区村: villages that are old-area *and* key villages (the
    # registry's two flags); Quanzhou's 百企帮百村 any village.
    enterprise_target_must_be_old_area: bool = False
    # Kaiping "百企扶百村 … 建立'一村一企业'联结机制": one enterprise per village *and* one village per
    # enterprise (Quanzhou's 百企帮百村 says nothing of an enterprise's second village).
    enterprise_one_village_each: bool = False
    # Who a leader links with, by the leader's level (Guangyuan seed 001 by default).
    leader_links: LeaderLinks = field(
        default_factory=lambda: {
            "city": frozenset({"county", "village"}),
            "county": frozenset({"township", "village"}),
            "township": frozenset({"village", "household"}),
        }
    )
    # The mountain-sea county pairs (helping county, helped county) this policy names (Quanzhou
    # only). Where a policy names pairs, a county pair outside the list is refused unless a policy
    # record adds it (PUT /policies county_pairs_added).
    county_pairs: tuple[tuple[str, str], ...] = ()
    # Full-time poverty staff (专职人员) a township with exit tasks must have, and coordinators (协管员)
    # a village with exit tasks must have; None: the policy sets no such number (no coverage gap).
    # Quanzhou seed 002 十一: "有脱贫任务的乡镇配备1名以上专职人员、建制村配备1名协管员".
    # Kaiping seed 004 七(二): "镇扶贫办要根据要求上级要求配备2—3名专职人员" (the lower end, 2).
    township_staff_min: int | None = None
    village_coordinator_min: int | None = None


NATIONAL = PairingPolicy(name="national")

PRESETS: dict[str, PairingPolicy] = {
    # Guangyuan, Sichuan (seed 001): 市领导联县联村、县区领导联乡联村、乡镇领导包村联户.
    "5108": PairingPolicy(name="guangyuan"),
    # Jinzhou, Liaoning (seed 000): 市级领导包村、包户, 县级领导、企业包户.
    "2107": PairingPolicy(
        name="jinzhou",
        leader_links={
            "city": frozenset({"village", "household"}),
            "county": frozenset({"household"}),
        },
    ),
    # Quanzhou, Fujian (seed 002): one in-system cadre per household; mountain-sea pairs.
    # 十一: 有脱贫任务的乡镇配备1名以上专职人员、建制村配备1名协管员.
    "3505": PairingPolicy(
        name="quanzhou", county_pairs=MOUNTAIN_SEA_PAIRS, township_staff_min=1, village_coordinator_min=1
    ),
    # Gansu (seed 003): every poor village a work team, every household a responsible person.
    "62": PairingPolicy(name="gansu"),
    # Kaiping, Guangdong (seed 004): 10+1 volunteers, 百医牵百村, 百企扶百村 on old-area villages.
    # 七(二): 镇扶贫办…配备2—3名专职人员.
    "440783": PairingPolicy(
        name="kaiping",
        enterprise_target_must_be_old_area=True,
        enterprise_one_village_each=True,
        township_staff_min=2,
    ),
}


def resolve_policy(area_code: str, presets: dict[str, PairingPolicy] | None = None) -> PairingPolicy:
    """The policy of the most specific preset whose prefix covers ``area_code``."""
    table = PRESETS if presets is None else presets
    matches = [prefix for prefix in table if area_code.startswith(prefix)]
    if not matches:
        return NATIONAL
    return table[max(matches, key=len)]


@dataclass(frozen=True, slots=True)
class EmployerSupportRule:
    """Which enterprises the finance, banking and tax departments support with preferential loans
    and taxes: those employing at least ``min_poor_workers`` labourers of registered poor
    households (建档立卡贫困劳动力) in stable employment for at least ``min_years`` (both included)."""

    area_prefix: str
    min_poor_workers: int
    min_years: int
    source: str


# Kaiping seed 004 五(十)2 (百企扶百村): 对积极参与精准扶贫工作，且吸纳建档立卡贫困劳动力20人以上并稳定就业
# 一年以上的企业，财政、金融、税务等部门要在企业项目贷款、税收等方面给予优惠政策支持. 以上 includes the
# number: 20 workers, each employed one year, qualify. No other seed sets such a rule.
EMPLOYER_SUPPORT: tuple[EmployerSupportRule, ...] = (
    EmployerSupportRule(
        area_prefix="440783",
        min_poor_workers=20,
        min_years=1,
        source=f"{CHISHUI_PLAN}五(十)2：吸纳建档立卡贫困劳动力20人以上并稳定就业一年以上的企业，财政、金融、"
        "税务等部门要在企业项目贷款、税收等方面给予优惠政策支持",
    ),
)


def employer_support_rule(
    area_code: str, rules: tuple[EmployerSupportRule, ...] = EMPLOYER_SUPPORT
) -> EmployerSupportRule | None:
    """The rule of the most specific prefix covering ``area_code`` (None: no seed sets one there)."""
    covering = [r for r in rules if area_code.startswith(r.area_prefix)]
    return max(covering, key=lambda r: len(r.area_prefix), default=None)
