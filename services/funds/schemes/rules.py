"""Allocation arithmetic: a scheme (policy data) applied to a population gives a plan.

Pure functions over plain data, no I/O. Money is integer fen; every split uses largest-remainder
rounding, and splits are nested (total -> shares -> sub-shares -> years -> beneficiaries), so each
level adds up to the level above it to the fen, and the whole plan adds up to the scheme total.

Three kinds of scheme (the seeds' three ways of planning money):
- ``PerCapitaScheme``: an amount per person over a period, shared between levels by weight
  (Jiangmen : Kaiping = 8 : 2), sub-shares of a share in basis points (the town raises 30% of
  Kaiping's part), and a per-year schedule for each (1,500 / 1,500 / 1,000).
- ``VillageGrantScheme``: an amount per village by pairing-dispatch category (Quanzhou).
- ``FixedFundsScheme``: fixed amounts per fund per year (Kaiping special funds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from services.funds.errors import (
    InvalidScheme,
    PairingVillageLevelUnknown,
    PerCapitaBelowStandard,
    TownWithoutAccount,
)
from services.funds.policies.rules import VersionedRecord
from shared.money import format_yuan, largest_remainder
from shared.policy_words import plain_words

__all__ = [
    "BASIS_POINTS",
    "FixedFund",
    "FixedFundsScheme",
    "HouseholdRef",
    "PerCapitaScheme",
    "PerCapitaStandard",
    "Plan",
    "PlanLine",
    "Population",
    "Scheme",
    "Share",
    "SubShare",
    "VillageGrantScheme",
    "VillageRef",
    "apply_scheme",
    "check_per_capita_standard",
    "stale_reason",
    "validate_scheme",
    "years_of",
]

BASIS_POINTS = 10_000  # 100% in basis points: sub-shares are exact integer fractions, never floats

Schedule = Mapping[int, int]  # year -> weight (the seeds write them as yuan per person)


# --- policy data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubShare:
    """Part of a share raised by another payer (the town's 30% of Kaiping's part). With
    ``payer_level = "township"`` every town raises the part of its own people and is billed to its
    own account (``payer`` is then unused): the town's account comes from ``Population.payers``."""

    code: str
    payer: str
    basis_points: int
    schedule: Schedule | None = None  # None: the parent share's schedule
    payer_level: str | None = None  # "township": billed per town
    payers: Mapping[str, str] = field(default_factory=dict)  # town code -> account named in the scheme


@dataclass(frozen=True)
class Share:
    """A level's part of the per-capita total; its own payer pays what its sub-shares do not."""

    code: str
    payer: str
    weight: int
    schedule: Schedule | None = None  # None: due over the whole period, not scheduled by year
    sub_shares: tuple[SubShare, ...] = ()


@dataclass(frozen=True)
class PerCapitaScheme:
    code: str
    name: str
    years: tuple[int, ...]
    amount_per_person_fen: int
    payee: str
    shares: tuple[Share, ...]
    # Households counted: those in any of these batches (一批); empty counts every registered one.
    eligible_batches: tuple[str, ...] = ()
    kind: str = field(default="per_capita", init=False)

    def counts(self, household: HouseholdRef) -> bool:
        return not self.eligible_batches or bool(household.batches & set(self.eligible_batches))


@dataclass(frozen=True)
class VillageGrantScheme:
    code: str
    name: str
    year: int
    payer: str
    payee: str
    amount_by_category_fen: Mapping[str, int]
    kind: str = field(default="village_grant", init=False)


@dataclass(frozen=True)
class FixedFund:
    code: str
    name: str
    payer: str
    payee: str
    amount_by_year_fen: Mapping[int, int]


@dataclass(frozen=True)
class FixedFundsScheme:
    code: str
    name: str
    funds: tuple[FixedFund, ...]
    kind: str = field(default="fixed_funds", init=False)


Scheme = PerCapitaScheme | VillageGrantScheme | FixedFundsScheme


def years_of(scheme: Scheme) -> tuple[int, ...]:
    """The years a scheme plans money for, in order (Kaiping's per-capita scheme: 2016-2018)."""
    if isinstance(scheme, PerCapitaScheme):
        return tuple(sorted(scheme.years))
    if isinstance(scheme, VillageGrantScheme):
        return (scheme.year,)
    return tuple(sorted({year for fund in scheme.funds for year in fund.amount_by_year_fen}))


@dataclass(frozen=True, kw_only=True)
class PerCapitaStandard(VersionedRecord):
    """The least a per-capita scheme may plan per person over its period, for schemes of an area
    (a prefix) whose years meet ``from_year``..``to_year`` (seed 004: 人均3年不少于2万元)."""

    minimum_per_person_fen: int


def check_per_capita_standard(scheme: PerCapitaScheme, standards: Sequence[PerCapitaStandard]) -> None:
    """Each standard in force in one of the scheme's years must be met: 不少于 includes the number,
    so exactly the minimum passes and one fen under is refused, with the standard and its words."""
    for standard in standards:
        minimum = standard.minimum_per_person_fen
        if scheme.amount_per_person_fen >= minimum:
            continue
        have, need = format_yuan(scheme.amount_per_person_fen), format_yuan(minimum)
        words = plain_words(standard.source)  # the standard's words, not the project's reference to them
        raise PerCapitaBelowStandard(
            f"Scheme {scheme.code} plans {have} yuan per person; standard {standard.code} "
            f"v{standard.version} requires at least {need} yuan per person ({words})",
            detail_zh=f"方案{scheme.code}人均投入{have}元，低于标准 {standard.code} 第{standard.version}版"
            f"规定的人均不少于{need}元（{words}）",
            amount_per_person_fen=scheme.amount_per_person_fen,
            minimum_per_person_fen=minimum,
            standard=standard.code,
            standard_version=standard.version,
        )


# --- population (from the beneficiary projection) and the plan --------------------------------


@dataclass(frozen=True)
class HouseholdRef:
    id: str
    member_count: int
    batches: frozenset[str] = frozenset()
    area_code: str = ""  # the household's village (per-town sub-shares bill its town)


@dataclass(frozen=True)
class VillageRef:
    code: str
    category: str | None  # pairing dispatch level: city / province / county / None (unknown)
    pairing_village: bool | None = None  # 帮扶村; None: a village with a category is one
    name: str | None = None

    @property
    def is_pairing_village(self) -> bool:
        return self.category is not None if self.pairing_village is None else self.pairing_village


@dataclass(frozen=True)
class Population:
    area_code: str
    households: tuple[HouseholdRef, ...] = ()
    villages: tuple[VillageRef, ...] = ()
    payers: Mapping[str, str] = field(default_factory=dict)  # town code -> the account it is billed to

    @property
    def people(self) -> int:
        return sum(h.member_count for h in self.households)


@dataclass(frozen=True)
class PlanLine:
    """``payer`` owes ``amount_fen`` into ``payee`` in ``year`` (None: over the whole period) for one
    beneficiary (a household, a village, or the plan's whole area for funds not tied to anyone)."""

    component: str
    payer: str
    payee: str
    year: int | None
    beneficiary_kind: str
    beneficiary_id: str
    amount_fen: int


@dataclass(frozen=True)
class Plan:
    scheme_code: str
    area_code: str
    total_fen: int
    lines: tuple[PlanLine, ...]
    people: int = 0  # persons the plan counts (per-capita schemes)

    def total_by(
        self, *, payer: str | None = None, year: int | None = None, component: str | None = None
    ) -> int:
        return sum(
            line.amount_fen
            for line in self.lines
            if (payer is None or line.payer == payer)
            and (year is None or line.year == year)
            and (component is None or line.component == component)
        )

    def entitlement(self, beneficiary_kind: str, beneficiary_id: str) -> int:
        """All the plan holds for one beneficiary (the ceiling for disbursements to it)."""
        return sum(
            line.amount_fen
            for line in self.lines
            if line.beneficiary_kind == beneficiary_kind and line.beneficiary_id == beneficiary_id
        )


# --- validation --------------------------------------------------------------------------------


def validate_scheme(scheme: Scheme) -> None:
    """Refuse schemes that cannot add up: raised before anything is stored or planned."""
    if isinstance(scheme, PerCapitaScheme):
        _validate_per_capita(scheme)
    elif isinstance(scheme, VillageGrantScheme):
        if any(amount < 0 for amount in scheme.amount_by_category_fen.values()):
            raise InvalidScheme(
                f"Scheme {scheme.code}: a grant is negative", detail_zh=f"方案{scheme.code}：补助金额不能为负"
            )
    else:
        if not scheme.funds:
            raise InvalidScheme(
                f"Scheme {scheme.code} has no funds", detail_zh=f"方案{scheme.code}没有任何资金项"
            )
        for fund in scheme.funds:
            if any(amount < 0 for amount in fund.amount_by_year_fen.values()):
                raise InvalidScheme(
                    f"Scheme {scheme.code}: fund {fund.code} has a negative amount",
                    detail_zh=f"方案{scheme.code}：资金项{fund.code}的金额不能为负",
                )


def _validate_per_capita(scheme: PerCapitaScheme) -> None:
    if scheme.amount_per_person_fen < 0:
        raise InvalidScheme(
            f"Scheme {scheme.code}: the amount per person is negative",
            detail_zh=f"方案{scheme.code}：人均金额不能为负",
        )
    if (
        not scheme.shares
        or sum(s.weight for s in scheme.shares) <= 0
        or any(s.weight < 0 for s in scheme.shares)
    ):
        raise InvalidScheme(
            f"Scheme {scheme.code}: shares need non-negative weights with a positive sum",
            detail_zh=f"方案{scheme.code}：各级分担比例须非负且合计大于零",
        )
    for share in scheme.shares:
        _validate_schedule(scheme, share.code, share.schedule)
        if sum(sub.basis_points for sub in share.sub_shares) > BASIS_POINTS or any(
            sub.basis_points < 0 for sub in share.sub_shares
        ):
            raise InvalidScheme(
                f"Share {share.code}: sub-shares must be 0-100% and add up to at most 100%",
                detail_zh=f"分担{share.code}：下级分担须在0—100%之间，合计不超过100%",
            )
        for sub in share.sub_shares:
            if sub.schedule is not None and share.schedule is None:
                raise InvalidScheme(
                    f"Sub-share {sub.code} is scheduled by year but its share {share.code} is not",
                    detail_zh=f"下级分担{sub.code}按年度安排，但其上级分担{share.code}没有",
                )
            _validate_schedule(scheme, sub.code, sub.schedule)
            if sub.schedule is not None and set(sub.schedule) != set(share.schedule or {}):
                raise InvalidScheme(
                    f"Sub-share {sub.code} must be scheduled over the same years as {share.code}",
                    detail_zh=f"下级分担{sub.code}须与{share.code}按相同年度安排",
                )
        _validate_sub_shares_fit(share)


def _validate_schedule(scheme: PerCapitaScheme, code: str, schedule: Schedule | None) -> None:
    if schedule is None:
        return
    if not set(schedule) <= set(scheme.years):
        raise InvalidScheme(
            f"{code}: scheduled outside the scheme's years {list(scheme.years)}",
            detail_zh=f"{code}：安排的年度超出方案年度{list(scheme.years)}",
        )
    if any(w < 0 for w in schedule.values()) or sum(schedule.values()) <= 0:
        raise InvalidScheme(
            f"{code}: schedule weights must be non-negative with a positive sum",
            detail_zh=f"{code}：年度权重须非负且合计大于零",
        )


def _validate_sub_shares_fit(share: Share) -> None:
    """In exact fractions, the sub-shares due in a year must not exceed the share due that year;
    otherwise the share's own payer would owe a negative amount."""
    if share.schedule is None:
        return
    parent_sum = sum(share.schedule.values())
    for year, weight in share.schedule.items():
        parent_part = Fraction(weight, parent_sum)
        subs_part = sum(
            (
                Fraction(sub.basis_points, BASIS_POINTS)
                * _year_fraction(sub.schedule or share.schedule, year)
                for sub in share.sub_shares
            ),
            Fraction(0),
        )
        if subs_part > parent_part:
            raise InvalidScheme(
                f"Share {share.code}: its sub-shares are due faster than the share itself in {year}",
                detail_zh=f"分担{share.code}：{year}年下级分担的到位进度快于本级",
            )


def _year_fraction(schedule: Schedule, year: int) -> Fraction:
    return Fraction(schedule.get(year, 0), sum(schedule.values()))


# --- applying a scheme -----------------------------------------------------------------------


def town_of(area_code: str) -> str:
    """The township (乡镇) a village code lies in: its first 9 digits."""
    return area_code[:9] + "000"


def apply_scheme(scheme: Scheme, population: Population) -> Plan:
    validate_scheme(scheme)
    people = 0
    if isinstance(scheme, PerCapitaScheme):
        households = sorted((h for h in population.households if scheme.counts(h)), key=lambda h: h.id)
        people = sum(h.member_count for h in households)
        lines = _apply_per_capita(scheme, households, population.payers)
    elif isinstance(scheme, VillageGrantScheme):
        lines = _apply_village_grants(scheme, population)
    else:
        lines = _apply_fixed_funds(scheme, population)
    return Plan(
        scheme.code, population.area_code, sum(line.amount_fen for line in lines), tuple(lines), people
    )


def _apply_per_capita(
    scheme: PerCapitaScheme, households: Sequence[HouseholdRef], payers: Mapping[str, str]
) -> list[PlanLine]:
    if households and any(sub.payer_level for share in scheme.shares for sub in share.sub_shares):
        missing = sorted({town_of(h.area_code) for h in households} - set(payers))
        if missing:
            raise TownWithoutAccount(
                f"Scheme {scheme.code} bills each town its own share, but "
                f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no account: create a source "
                "account for the town (its own area code) or name one in the sub-share's payers",
                detail_zh=f"方案{scheme.code}由各乡镇分担本镇部分，但{'、'.join(missing)}没有资金账户：请为乡镇开设资金来源账户（用乡镇自己的代码），或在下级分担中指定账户",
                towns=missing,
            )
    total = scheme.amount_per_person_fen * sum(h.member_count for h in households)
    share_totals = largest_remainder(total, [s.weight for s in scheme.shares])
    lines: list[PlanLine] = []
    for share, share_total in zip(scheme.shares, share_totals, strict=True):
        for code, payer, by_year, per_town in _share_payers(share, share_total):
            for year, amount in by_year.items():
                if per_town:
                    lines += _per_town(scheme, code, year, amount, households, payers)
                else:
                    lines += _per_household(scheme, code, payer, year, amount, households)
    return lines


def _per_town(
    scheme: PerCapitaScheme,
    component: str,
    year: int | None,
    amount: int,
    households: Sequence[HouseholdRef],
    payers: Mapping[str, str],
) -> list[PlanLine]:
    """A per-town sub-share: the year's amount split over the towns by their people (largest
    remainder, so the towns add up to it to the fen), each town's part over its households, billed
    to the town's own account."""
    towns: dict[str, list[HouseholdRef]] = {}
    for h in households:
        towns.setdefault(town_of(h.area_code), []).append(h)
    codes = sorted(towns)
    parts = largest_remainder(amount, [sum(h.member_count for h in towns[t]) for t in codes])
    lines: list[PlanLine] = []
    for town, part in zip(codes, parts, strict=True):
        lines += _per_household(scheme, component, payers[town], year, part, towns[town])
    return lines


def _share_payers(share: Share, share_total: int) -> list[tuple[str, str, dict[int | None, int], bool]]:
    """(component, payer, amount by year) for the share's sub-shares and, last, the share's own payer,
    who pays the rest of each year so that the share's schedule holds exactly."""
    weights = [sub.basis_points for sub in share.sub_shares]
    sub_totals = largest_remainder(share_total, [*weights, BASIS_POINTS - sum(weights)])[:-1]
    share_by_year = _by_year(share_total, share.schedule)
    subs_by_year = [
        _by_year(sub_total, sub.schedule or share.schedule)
        for sub, sub_total in zip(share.sub_shares, sub_totals, strict=True)
    ]
    rest = {year: amount - sum(s[year] for s in subs_by_year) for year, amount in share_by_year.items()}
    _repair_rounding(rest, subs_by_year)
    payers = [
        (sub.code, sub.payer, by_year, sub.payer_level is not None)
        for sub, by_year in zip(share.sub_shares, subs_by_year, strict=True)
    ]
    return [*payers, (share.code, share.payer, rest, False)]


def _by_year(amount: int, schedule: Schedule | None) -> dict[int | None, int]:
    if schedule is None:
        return {None: amount}
    years = sorted(schedule)
    return dict(zip(years, largest_remainder(amount, [schedule[y] for y in years]), strict=True))


def _repair_rounding(rest: dict[int | None, int], subs_by_year: list[dict[int | None, int]]) -> None:
    """Rounding the share and its sub-shares separately can leave the share's own payer a fen or
    two below zero in a year even when the exact fractions fit (validated above). Move those fen of
    a sub-share to another year where the rest has room; the totals per payer do not change."""
    for year in sorted(y for y in rest if rest[y] < 0):  # type: ignore[type-var]
        for sub in subs_by_year:
            while rest[year] < 0 and sub[year] > 0:
                donor = max(rest, key=lambda y: rest[y])
                if rest[donor] <= 0:
                    break
                sub[year] -= 1
                sub[donor] += 1
                rest[year] += 1
                rest[donor] -= 1


def _per_household(
    scheme: PerCapitaScheme,
    component: str,
    payer: str,
    year: int | None,
    amount: int,
    households: Sequence[HouseholdRef],
) -> list[PlanLine]:
    if not households or amount == 0:
        return []
    parts = largest_remainder(amount, [h.member_count for h in households])
    return [
        PlanLine(component, payer, scheme.payee, year, "household", h.id, part)
        for h, part in zip(households, parts, strict=True)
        if part
    ]


def _apply_village_grants(scheme: VillageGrantScheme, population: Population) -> list[PlanLine]:
    unknown = [v for v in population.villages if v.is_pairing_village and v.category is None]
    if unknown:
        raise PairingVillageLevelUnknown(
            f"Scheme {scheme.code} grants pairing villages by their dispatching level; "
            f"{len(unknown)} pairing village(s) have none recorded: "
            + ", ".join(f"{v.code} {v.name or ''}".strip() for v in sorted(unknown, key=lambda v: v.code))
            + ". Record the level (city / province / county) in the registry first.",
            detail_zh=f"方案{scheme.code}按派出层级补助帮扶村，有{len(unknown)}个帮扶村未登记派出层级："
            + "、".join(f"{v.code} {v.name or ''}".strip() for v in sorted(unknown, key=lambda v: v.code))
            + "。请先在户籍系统登记派出层级（市派、省派、县派）",
            villages=[{"code": v.code, "name": v.name} for v in sorted(unknown, key=lambda v: v.code)],
        )
    return [
        PlanLine(scheme.code, scheme.payer, scheme.payee, scheme.year, "village", v.code, amount)
        for v in sorted(population.villages, key=lambda v: v.code)
        if v.category is not None and (amount := scheme.amount_by_category_fen.get(v.category, 0))
    ]


def _apply_fixed_funds(scheme: FixedFundsScheme, population: Population) -> list[PlanLine]:
    return [
        PlanLine(fund.code, fund.payer, fund.payee, year, "area", population.area_code, amount)
        for fund in scheme.funds
        for year, amount in sorted(fund.amount_by_year_fen.items())
        if amount
    ]


# --- what a plan's reader is told -------------------------------------------------------------

# Why a stale plan's figures are not current yet (English, Chinese): nothing planned yet means the
# plan was made before the registry's households reached funds; otherwise the population moved.
# The refresh job (services.funds.app, every 2 s) recomputes it.
_NOT_SYNCED = (
    "The registry's households had not reached funds when this plan was computed (nothing planned "
    "yet); they have arrived and the plan is recomputed automatically within a few seconds",
    "户籍数据尚未同步：计算本计划时还没有收到户籍系统的农户数据，现已收到，系统每隔几秒自动重算，请稍后刷新",
)
_POPULATION_CHANGED = (
    "The registered population changed after this plan was computed; it is recomputed "
    "automatically within a few seconds",
    "户籍人口有变动，本计划尚未按新数据重算；系统每隔几秒自动重算，请稍后刷新",
)


def stale_reason(*, stale: bool, total_fen: int) -> tuple[str, str] | None:
    """Why a plan says ``stale`` (English, Chinese), or None when its figures are current."""
    if not stale:
        return None
    return _NOT_SYNCED if total_fen == 0 else _POPULATION_CHANGED
