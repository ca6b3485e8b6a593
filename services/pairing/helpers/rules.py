"""People and organisations who help, and what their postings count for. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from services.pairing.policies.presets import EmployerSupportRule, PairingPolicy
from services.pairing.vocabulary import LISTS, HelperKind

__all__ = [
    "HOSPITAL_GRADES",
    "IN_SYSTEM",
    "LEVEL_PREFIX_LENGTH",
    "ORGANISATIONS",
    "PROFESSIONALS",
    "TITLES",
    "Helper",
    "PostingPeriod",
    "TEAM_OF",
    "add_years",
    "area_prefix",
    "counts_as_grassroots_service",
    "GRASSROOTS_SERVICE_ROLES",
    "EmployerSupport",
    "EmploymentPeriod",
    "employer_support",
    "stably_employed",
    "last_day_of_years",
    "doctor_qualifies",
    "doctor_shortfall",
    "doctor_shortfall_zh",
    "team_refusal",
    "team_refusal_zh",
    "HOSPITAL_GRADE_ZH",
    "TITLE_ZH",
]


# Who counts as an "in-system cadre" for the one-cadre-per-household rule (体制内干部).
IN_SYSTEM = frozenset(
    {HelperKind.CADRE, HelperKind.FIRST_SECRETARY, HelperKind.WORK_TEAM_MEMBER, HelperKind.LEADER}
)
PROFESSIONALS = frozenset({HelperKind.DOCTOR, HelperKind.TEACHER, HelperKind.AGRI_TECHNICIAN})
ORGANISATIONS = frozenset(
    {
        HelperKind.WORK_TEAM,
        HelperKind.VOLUNTEER_TEAM,
        HelperKind.ENTERPRISE,
        HelperKind.CHAMBER,
        HelperKind.OVERSEAS_CHINESE_ASSOCIATION,
        HelperKind.COUNTY,
    }
)

# Digits of the 12-digit division code that name an area at each level.
LEVEL_PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}

# Hospital grades, lowest first (三级十等 without 特等); "2A" is 二级甲等.
HOSPITAL_GRADES = ("1C", "1B", "1A", "2C", "2B", "2A", "3C", "3B", "3A")
# Professional titles, lowest first: 初级, 中级, 副高, 正高.
TITLES = ("junior", "intermediate", "associate_senior", "senior")
# How a clerk reads them (the refusals say the grade and title in Chinese).
HOSPITAL_GRADE_ZH = {
    f"{level}{mark}": f"{level_zh}级{mark_zh}等"
    for level, level_zh in (("1", "一"), ("2", "二"), ("3", "三"))
    for mark, mark_zh in (("C", "丙"), ("B", "乙"), ("A", "甲"))
}
TITLE_ZH = LISTS["title"]  # the 职称 list of GET /vocabulary


@dataclass(frozen=True, slots=True)
class Helper:
    id: str
    kind: HelperKind
    area_code: str
    active: bool = True
    level: str | None = None  # the level of the helper's office (leaders, cadres)
    party_member_count: int = 0  # volunteer teams
    hospital_grade: str | None = None  # doctors
    professional_title: str | None = None  # doctors and other professionals


@dataclass(frozen=True, slots=True)
class PostingPeriod:
    area_code: str
    started_on: date
    ended_on: date | None  # None while the posting is running
    in_poor_area: bool  # a poor township or village (贫困乡镇和贫困村)
    role: str  # what the helper served as there (first_secretary, work_team_member, ...)


# Seed 003 (Gansu) 八、"逢提必下": 对在贫困乡镇和贫困村工作一年以上的村党组织第一书记、驻村工作队队员和
# 支教支医干部，视为有基层工作经历 — only these postings count, by the role served in (its code or
# its Chinese name); a leader's link, an enterprise or a volunteer's posting does not.
GRASSROOTS_SERVICE_ROLES: dict[str, str] = {
    "first_secretary": "村党组织第一书记",
    "work_team_member": "驻村工作队队员",
    "teaching_support": "支教干部",
    "medical_support": "支医干部",
}
_GRASSROOTS_ROLE_WORDS = (
    frozenset(GRASSROOTS_SERVICE_ROLES)
    | frozenset(GRASSROOTS_SERVICE_ROLES.values())
    | {
        "第一书记",
        "支教",
        "支医",
    }
)


# Which team a helper of a kind may belong to.
TEAM_OF = {
    HelperKind.FIRST_SECRETARY: HelperKind.WORK_TEAM,
    HelperKind.WORK_TEAM_MEMBER: HelperKind.WORK_TEAM,
    HelperKind.VOLUNTEER: HelperKind.VOLUNTEER_TEAM,
}


def team_refusal_zh(member_kind: HelperKind, team_kind: HelperKind | None) -> str | None:
    """``team_refusal`` as the clerk reads it."""
    expected = TEAM_OF.get(member_kind)
    if expected is None:
        return f"“{member_kind.label}”不属于任何工作队，不填所属工作队"
    if team_kind is not expected:
        found = f"“{team_kind.label}”" if team_kind is not None else "其他类别"
        return f"“{member_kind.label}”应属于“{expected.label}”，不能加入{found}"
    return None


def team_refusal(member_kind: HelperKind, team_kind: HelperKind | None) -> str | None:
    """Why a helper of ``member_kind`` cannot join a team of ``team_kind``, or None."""
    expected = TEAM_OF.get(member_kind)
    if expected is None:
        return f"a {member_kind} does not belong to a team"
    if team_kind is not expected:
        return f"a {member_kind} belongs to a {expected}, not a {team_kind}"
    return None


def area_prefix(area_code: str, level: str) -> str:
    return area_code[: LEVEL_PREFIX_LENGTH[level]]


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_day_of_years(started_on: date, years: int) -> date:
    """The last day of ``years`` full years in post from ``started_on``, both ends counted (as a
    contract "2025年3月1日至2026年2月28日" is one year): the day before the anniversary; the
    anniversary of 29 February in a common year is 1 March, so that year ends on 28 February."""
    try:
        anniversary = started_on.replace(year=started_on.year + years)
    except ValueError:
        anniversary = date(started_on.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def counts_as_grassroots_service(period: PostingPeriod, policy: PairingPolicy, *, today: date) -> bool:
    """Gansu: 在贫困乡镇和贫困村工作一年以上 counts as grassroots experience for first secretaries,
    work-team members and teaching or medical support cadres (GRASSROOTS_SERVICE_ROLES); 以上
    includes one year. A posting's ``ended_on`` is its last day in post (a posting begun and ended
    the same day lasted one day), so 1 March to the last day of February of the next year is
    exactly one year. A posting planned to end after today has served only up to today."""
    if not period.in_poor_area or period.role.strip() not in _GRASSROOTS_ROLE_WORDS:
        return False
    until = min(period.ended_on, today) if period.ended_on else today
    return last_day_of_years(period.started_on, policy.grassroots_service_min_years) <= until


@dataclass(frozen=True, slots=True)
class EmploymentPeriod:
    """One labourer of a registered poor household in an enterprise's employ."""

    household_id: str
    worker_name: str
    started_on: date
    ended_on: date | None  # the last day employed; None while still employed


@dataclass(frozen=True, slots=True)
class EmployerSupport:
    """Kaiping 五(十)2 for one enterprise on a day: its poor workers, those stably employed for the
    rule's years, and whether it qualifies for the preferential loans and taxes."""

    on: date
    poor_workers: int  # distinct workers employed on the day or before (any length)
    stably_employed: int  # distinct workers with a period of at least the rule's years by the day
    rule: EmployerSupportRule

    @property
    def qualifies(self) -> bool:
        return self.stably_employed >= self.rule.min_poor_workers  # 20人以上 includes 20


def stably_employed(period: EmploymentPeriod, rule: EmployerSupportRule, *, today: date) -> bool:
    """Employed for ``rule.min_years`` or more by ``today`` (一年以上 includes exactly one year; both
    ends are days employed, as a posting's are: last_day_of_years)."""
    until = min(period.ended_on, today) if period.ended_on else today
    return last_day_of_years(period.started_on, rule.min_years) <= until


def employer_support(
    periods: Iterable[EmploymentPeriod], rule: EmployerSupportRule, *, today: date
) -> EmployerSupport:
    """Counts workers, not periods: a worker (household and name) employed twice counts once."""
    begun = [p for p in periods if p.started_on <= today]
    workers = {(p.household_id, p.worker_name.strip()) for p in begun}
    stable = {(p.household_id, p.worker_name.strip()) for p in begun if stably_employed(p, rule, today=today)}
    return EmployerSupport(today, len(workers), len(stable), rule)


def _doctor_gap(helper: Helper, policy: PairingPolicy) -> str | None:
    """Which of "grade" or "title" keeps a doctor from a 百医牵百村 link (both bounds included)."""
    grade, title = helper.hospital_grade, helper.professional_title
    if grade not in HOSPITAL_GRADES or HOSPITAL_GRADES.index(grade) < HOSPITAL_GRADES.index(
        policy.doctor_min_hospital_grade
    ):
        return "grade"
    if title not in TITLES or TITLES.index(title) < TITLES.index(policy.doctor_min_title):
        return "title"
    return None


def doctor_shortfall(helper: Helper, policy: PairingPolicy) -> str | None:
    """Why a doctor may not lead a 百医牵百村 link, or None when qualified (both bounds included)."""
    gap = _doctor_gap(helper, policy)
    if gap == "grade":
        grade, floor = helper.hospital_grade, policy.doctor_min_hospital_grade
        return f"the doctor's hospital grade {grade} is below {floor}"
    if gap == "title":
        return f"the doctor's title {helper.professional_title} is below {policy.doctor_min_title}"
    return None


def doctor_shortfall_zh(helper: Helper, policy: PairingPolicy) -> str | None:
    """``doctor_shortfall`` as the clerk reads it (Kaiping: 二级甲等或以上医院, 中级以上职称)."""
    gap = _doctor_gap(helper, policy)
    if gap == "grade":
        have = HOSPITAL_GRADE_ZH.get(helper.hospital_grade or "", "未登记")
        need = HOSPITAL_GRADE_ZH.get(policy.doctor_min_hospital_grade, policy.doctor_min_hospital_grade)
        return f"百医牵百村须由{need}或以上医院的医生对口联系，该医生所在医院等级为{have}"
    if gap == "title":
        have = TITLE_ZH.get(helper.professional_title or "", "未登记")
        need = TITLE_ZH.get(policy.doctor_min_title, policy.doctor_min_title)
        return f"百医牵百村须由{need}以上职称的医生对口联系，该医生职称为{have}"
    return None


def doctor_qualifies(helper: Helper, policy: PairingPolicy) -> bool:
    return doctor_shortfall(helper, policy) is None
