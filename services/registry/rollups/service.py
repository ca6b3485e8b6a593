"""Roll-ups read maintained counters (a few rows per area), never a scan of households."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.area_exits.repository import AreaExitRequestRepository
from services.registry.areas import service as area_service
from services.registry.areas.repository import AreaRepository
from services.registry.errors import AreaNotFound
from services.registry.households.repository import HouseholdRepository
from services.registry.households.rules import born_between
from services.registry.models import Area, RollupCounter
from services.registry.policies import service as policy_service
from services.registry.policies.presets import INCOME_SHARE_TARGETS, KEY_TARGET_RULES, TRANSFER_EMPLOYMENT
from services.registry.policies.repository import PolicyRepository, records_from_json
from services.registry.policies.rules import KeyTargetRule, RegistryPolicy
from services.registry.rollups import printable
from services.registry.rollups.repository import (
    VILLAGE_COUNTS,
    AreaFacts,
    Counted,
    RollupRepository,
    WeakVillageRepository,
    dibao_facts,
    income_facts,
    transfer_employment_counts,
)
from services.registry.rollups.rules import (
    LABOUR_CAPABLE,
    PRIMARY,
    PYRAMID,
    SECONDARY,
    CellGroup,
    ChildVillageCounts,
    Count,
    DibaoFacts,
    HouseholdTarget,
    IncomeShare,
    KeyTargetCounts,
    Path,
    Pyramid,
    Rollup,
    SuppressedCell,
    TransferEmployment,
    VillageCharts,
    VillageCounts,
    VillageFlags,
    WeakVillage,
    WeakVillages,
    incidence_bp,
    income_share,
    income_share_target,
    key_target_counts,
    key_target_rule,
    meets_incidence_threshold,
    suppress_small_cells,
)
from services.registry.rollups.villages import Region, region_of, standing, threshold_regions
from services.registry.vocabulary import POOR_STATUSES, HouseholdStatus, PovertyCause
from shared.areas import AreaCode
from shared.auth import Principal
from shared.clock import clock
from shared.errors import InvalidInput
from shared.pagination import decode_cursor, encode_cursor, unknown_cursor
from shared.pii import mask_name
from shared.shaping import from_row

MAX_VILLAGE_TARGETS = 2_000


# who sees exact figures: the registry's own staff and overseers of the area. Everyone else who
# reads a roll-up — machine clients (`service`: provincial platforms, other departments), third-party
# evaluators (`evaluator`), and the public routes — gets small cells suppressed (docs/registry.md).
EXACT_FIGURE_ROLES = frozenset({"registrar", "approver", "finance", "cadre", "inspector", "auditor", "admin"})
_DIMENSIONS = ("by_status", "by_cause", "by_batch", "entries_by_year", "exits_by_year")
# keys a cell may have even when it counts nothing (a zero cell is hidden only to protect another)
_VOCABULARY: dict[str, tuple[str, ...]] = {
    "by_status": tuple(s.value for s in HouseholdStatus),
    "by_cause": tuple(c.value for c in PovertyCause),
}
_POOR = tuple(sorted(s.value for s in POOR_STATUSES))


@functools.lru_cache(maxsize=4096)
def _resolved(policies_text: str | None, area_code: str, year: int) -> RegistryPolicy:
    """The policy of ``area_code`` in ``year`` resolved from the records of ``policies_text`` (the
    text a roll-up read gives, ``records_from_json``'s): the same few texts, areas and years on
    every roll-up read, and resolving them again was a few percent of its CPU. A record changed is
    another text; resolution is pure and the policy frozen. A missing policy is not kept (raised
    anew each time)."""
    return policy_service.resolve_from(list(records_from_json(policies_text)), area_code=area_code, year=year)


def sees_exact_figures(actor: Principal | None) -> bool:
    return actor is not None and not actor.roles.isdisjoint(EXACT_FIGURE_ROLES)


def _keys(outs: list[Rollup]) -> dict[str, tuple[str, ...]]:
    keys: dict[str, tuple[str, ...]] = {}
    for dim in _DIMENSIONS:
        found = {k for out in outs for k in getattr(out, dim)}
        keys[dim] = tuple(sorted(found | set(_VOCABULARY.get(dim, ()))))
    return keys


def _cells(label: str, out: Rollup) -> dict[Path, int]:
    cells: dict[Path, int] = {(label, "poor_households"): out.poor_households or 0}
    for dim in _DIMENSIONS:
        for key, count in getattr(out, dim).items():
            cells[(label, dim, key)] = count.households or 0
    return cells


def _groups(label: str, keys: dict[str, tuple[str, ...]]) -> list[CellGroup]:
    groups = [CellGroup(tuple((label, dim, k) for k in keys[dim])) for dim in _DIMENSIONS]
    groups.append(CellGroup(tuple((label, "by_status", s) for s in _POOR), (label, "poor_households")))
    return groups


def _reason(why: str, k: int) -> tuple[str, str]:
    if why == PRIMARY:
        return PRIMARY, f"小于{k}户"
    return SECONDARY, "防止由合计推算（次级隐藏）"


def _hide(out: Rollup, label: str, hidden: dict[Path, str], k: int) -> list[SuppressedCell]:
    """Blanks ``out``'s hidden cells in place and lists them with paths relative to ``out``."""
    listed: list[SuppressedCell] = []
    for path, why in sorted(hidden.items()):
        if path[0] != label:
            continue
        reason, reason_zh = _reason(why, k)
        if path[1] == "poor_households":
            out.poor_households = out.poor_persons = out.incidence_bp = None
            listed.append(SuppressedCell(path="poor_households", reason=reason, reason_zh=reason_zh))
            continue
        dim, key = path[1], path[2]
        getattr(out, dim)[key] = Count(households=None, persons=None)
        listed.append(SuppressedCell(path=f"{dim}.{key}", reason=reason, reason_zh=reason_zh))
    for dim in _DIMENSIONS:  # keep the map ordered by key after adding hidden zero cells
        setattr(out, dim, dict(sorted(getattr(out, dim).items())))
    out.exact = False
    out.min_cell_households = k
    out.suppressed = listed
    return listed


def suppress_rollup(out: Rollup, k: int) -> Rollup:
    keys = _keys([out])
    hidden = suppress_small_cells(_cells("", out), _groups("", keys), k)
    _hide(out, "", hidden, k)
    return out


def suppress_pyramid(out: Pyramid, k: int) -> Pyramid:
    """The area and its children as one table: each child's cells add up to the area's, so a cell
    hidden in one child is protected across its siblings too."""
    outs = [out.area, *out.children]
    keys = _keys(outs)
    cells = _cells("area", out.area)
    groups = _groups("area", keys)
    for child in out.children:
        cells |= _cells(child.area_code, child)
        groups += _groups(child.area_code, keys)
    codes = [c.area_code for c in out.children]
    if codes:
        for key in keys["by_status"]:  # children carry their statuses only (see _pyramid)
            groups.append(CellGroup(tuple((c, "by_status", key) for c in codes), ("area", "by_status", key)))
        groups.append(CellGroup(tuple((c, "poor_households") for c in codes), ("area", "poor_households")))
    hidden = suppress_small_cells(cells, groups, k)
    listed = [
        SuppressedCell(path=f"area.{c.path}", reason=c.reason, reason_zh=c.reason_zh)
        for c in _hide(out.area, "area", hidden, k)
    ]
    for child in out.children:
        listed += [
            SuppressedCell(
                path=f"children.{child.area_code}.{c.path}", reason=c.reason, reason_zh=c.reason_zh
            )
            for c in _hide(child, child.area_code, hidden, k)
        ]
    out.exact = False
    out.min_cell_households = k
    out.suppressed = listed
    return out


_BY_DIMENSION = ("status", "cause", "batch", "entries", "exits")
_KEY_OF = operator.attrgetter("key")


def _by_dimension(counters: Sequence[Counted]) -> dict[str, dict[str, Count]]:
    """The counters that count something, per dimension of ``_BY_DIMENSION``, ordered by key (one
    sort for the five; the roll-up's answer lists each dimension's keys in that order)."""
    found: dict[str, dict[str, Count]] = {dimension: {} for dimension in _BY_DIMENSION}
    for c in sorted(counters, key=_KEY_OF):
        if c.households or c.persons:
            into = found.get(c.dimension)
            if into is not None:
                into[c.key] = Count(households=c.households, persons=c.persons)
    return found


async def _summary(session: AsyncSession, area: Area, counters: Sequence[Counted], year: int) -> Rollup:
    prefix = AreaCode.parse(area.code).prefix
    rural = area.rural_population
    if rural is None:
        rural = await AreaRepository(session).village_population(prefix)
    policy = await policy_service.resolve(session=session, area_code=area.code, year=year)
    exited_areas = await AreaExitRequestRepository(session).exited_by_year(prefix)
    return _summary_of(area, counters, rural=rural, policy=policy, exited_areas=exited_areas)


def _summary_of(
    area: Area | AreaFacts,
    counters: Sequence[Counted],
    *,
    rural: int | None,
    policy: RegistryPolicy,
    exited_areas: dict[str, dict[str, int]],
) -> Rollup:
    by = _by_dimension(counters)
    statuses = by["status"]
    poor = [c for c in counters if c.dimension == "status" and c.key in _POOR]
    poor_persons = sum(c.persons for c in poor)
    threshold = policy.exit_incidence_threshold_bp
    return Rollup(
        area_code=area.code,
        area_name=area.name,
        level=area.level,
        pyramid_level=PYRAMID[area.level],
        by_status=statuses,
        by_cause=by["cause"],
        by_batch=by["batch"],
        entries_by_year=by["entries"],
        exits_by_year=by["exits"],
        poor_households=sum(c.households for c in poor),
        poor_persons=poor_persons,
        rural_population=rural,
        incidence_bp=incidence_bp(poor_persons, rural),
        exit_incidence_threshold_bp=threshold,
        meets_exit_incidence=meets_incidence_threshold(
            poor_persons, rural, threshold, policy.comparison("exit_incidence").comparison.value
        )
        if rural
        else None,
        exited_villages_by_year=exited_areas["village"],
        exited_counties_by_year=exited_areas["county"],
    )


async def _k(session: AsyncSession, area_code: str, year: int) -> int:
    policy = await policy_service.resolve(session=session, area_code=area_code, year=year)
    return policy.disclosure_min_households


async def _public_area(session: AsyncSession, code: str) -> Area:
    area = await AreaRepository(session).get(area_service.parse_code(code))
    if area is None:
        raise AreaNotFound(f"area {code} does not exist", detail_zh=f"没有地区 {code}", code=code)
    return area


async def rollup(*, session: AsyncSession, actor: Principal, code: str, year: int) -> Rollup:
    read = area_service.in_area(
        actor, code, await RollupRepository(session).read(area_service.parse_code(code), year)
    )
    area = read.area
    policy = _resolved(read.policies_text, area.code, year)
    rural = area.rural_population if area.rural_population is not None else read.village_population
    out = _summary_of(area, read.counters, rural=rural, policy=policy, exited_areas=read.exited)
    if sees_exact_figures(actor):
        return out
    return suppress_rollup(out, policy.disclosure_min_households)


async def pyramid(*, session: AsyncSession, actor: Principal, code: str, year: int) -> Pyramid:
    """An area's own roll-up and each child's: the six-level pyramid read at any level."""
    area = await area_service.get(session=session, actor=actor, code=code)
    out = await _pyramid(session, area, year)
    if sees_exact_figures(actor):
        return out
    return suppress_pyramid(out, await _k(session, area.code, year))


async def public_pyramid(*, session: AsyncSession, code: str, year: int) -> Pyramid:
    """No login: an area's roll-up and its children's, always with small cells suppressed."""
    area = await _public_area(session, code)
    return suppress_pyramid(await _pyramid(session, area, year), await _k(session, area.code, year))


async def _pyramid(session: AsyncSession, area: Area, year: int) -> Pyramid:
    kids = await AreaRepository(session).children(area.code)
    prefixes = {AreaCode.parse(k.code).prefix: k for k in kids}
    own_prefix = AreaCode.parse(area.code).prefix
    rows = await RollupRepository(session).for_prefixes([own_prefix, *prefixes], "status")
    rows += [r for r in await RollupRepository(session).for_prefix(own_prefix) if r.dimension != "status"]
    grouped: dict[str, list[RollupCounter]] = {}
    for r in rows:
        grouped.setdefault(r.area_prefix, []).append(r)
    return Pyramid(
        area=await _summary(session, area, grouped.get(own_prefix, []), year),
        children=[await _summary(session, k, grouped.get(p, []), year) for p, k in prefixes.items()],
    )


async def village_charts(*, session: AsyncSession, actor: Principal, code: str, year: int) -> VillageCharts:
    area = await area_service.get(session=session, actor=actor, code=code)
    if area.level != "village":
        raise InvalidInput(
            f"the five charts are kept per village; {area.code} is a {area.level}",
            detail_zh=f"五图按村制作；{area.code} 不是村",
        )
    summary = await rollup(session=session, actor=actor, code=code, year=year)
    exact = sees_exact_figures(actor)
    in_out: dict[str, dict[str, Count]] = {}
    for kind, counts in (("entries", summary.entries_by_year), ("exits", summary.exits_by_year)):
        for y, count in counts.items():
            in_out.setdefault(y, {})[kind] = count
    poor = (
        await HouseholdRepository(session).in_village(
            area.code, [s.value for s in POOR_STATUSES], limit=MAX_VILLAGE_TARGETS
        )
        if exact
        else []  # one row per household is never an aggregate: outside readers get none
    )
    suppressed = list(summary.suppressed)
    if not exact:
        suppressed.append(
            SuppressedCell(path="household_targets", reason="households", reason_zh="不向外部提供户级数据")
        )
    rural = summary.rural_population
    allowed = rural * summary.exit_incidence_threshold_bp // 10_000 if rural else None
    still = (
        max(0, summary.poor_persons - allowed)
        if allowed is not None and summary.poor_persons is not None
        else None
    )
    return VillageCharts(
        area_code=area.code,
        year=year,
        distribution=summary.by_status,
        causes=summary.by_cause,
        in_out=dict(sorted(in_out.items())),
        village_target={
            "poor_persons": summary.poor_persons,
            "rural_population": rural,
            "incidence_bp": summary.incidence_bp,
            "threshold_bp": summary.exit_incidence_threshold_bp,
            "max_poor_persons_to_exit": allowed,
            "persons_still_to_lift": still,
            "meets_exit_incidence": summary.meets_exit_incidence,
        },
        household_targets=[
            HouseholdTarget(
                household_id=str(h.id),
                household_number=h.household_number,
                head_name_masked=mask_name(h.head_name),
                member_count=h.member_count,
                status=h.status,
                plan_year=h.year,
                poverty_causes=list(h.poverty_causes),
            )
            for h in poor
        ],
        exact=exact,
        min_cell_households=summary.min_cell_households,
        suppressed=suppressed,
    )


# the prefix length of an area's children: province 2 → city 4 → county 6 → township 9 → village 12
_CHILD_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12, 12: 12}


def _explanation(area: Area, year: int, regions: list[Region]) -> str | None:
    own = regions[-1]
    if own.threshold is not None:
        return None
    elsewhere = [r.prefix for r in regions if r.threshold is not None]
    text = (
        f"No policy record sets a village collective-income threshold for {area.code} in {year}, "
        "so no village here is assessed as weak (a threshold is policy data per area and year, "
        "e.g. seed 002's Quanzhou 2018/2019)."
    )
    if elsewhere:
        text += (
            f" Places under it with a threshold of their own are assessed: {', '.join(sorted(elsewhere))}."
        )
    return text


async def weak_villages(
    *, session: AsyncSession, actor: Principal, code: str, year: int, cursor: str | None, limit: int
) -> WeakVillages:
    """Villages under an area below the collective-income threshold in force (seed 002 薄弱村),
    those with no income recorded for the year, and counts per child area."""
    area = await area_service.get(session=session, actor=actor, code=code)
    prefix = AreaCode.parse(area.code).prefix
    records = await PolicyRepository(session).thresholds_around(area_code=area.code, prefix=prefix, year=year)
    regions = threshold_regions(records, area_code=area.code, prefix=prefix, year=year)
    repo = WeakVillageRepository(session)
    counts = await repo.counts(prefix, year, regions, child_length=_CHILD_LENGTH[len(prefix)])
    totals = VillageCounts(**{k: sum(c[k] for c in counts.values()) for k in VILLAGE_COUNTS})
    kids = await AreaRepository(session).children(area.code) if area.level != "village" else []
    children = [
        ChildVillageCounts(
            area_code=k.code, area_name=k.name, **counts.get(AreaCode.parse(k.code).prefix, {})
        )
        for k in kids
    ]
    listed = await repo.listed(prefix, year, regions, cursor=cursor, limit=limit)
    weak: list[WeakVillage] = []
    unknown: list[VillageFlags] = []
    for row in listed.items:
        threshold = region_of(regions, row.code).threshold
        assert threshold is not None  # the query lists villages with a threshold only
        flags = from_row(
            VillageFlags,
            row,
            area_code=row.code,
            threshold_fen=threshold.income_fen,
            threshold_inclusive=threshold.inclusive,
        )
        found = standing(row.income, threshold)
        if found.kind == "weak":
            weak.append(WeakVillage(**asdict(flags), collective_income_fen=row.income, gap_fen=found.gap_fen))
        elif found.kind == "unknown":
            unknown.append(flags)
    return WeakVillages(
        area_code=area.code,
        area_name=area.name,
        level=area.level,
        year=year,
        threshold=regions[-1].threshold,
        explanation=_explanation(area, year, regions),
        totals=totals,
        children=children,
        weak=weak,
        unknown=unknown,
        next_cursor=listed.next_cursor,
    )


async def village_charts_document(*, session: AsyncSession, actor: Principal, code: str, year: int) -> str:
    """The five charts as a printable document, with the figures this reader may see."""
    charts = await village_charts(session=session, actor=actor, code=code, year=year)
    area = await area_service.get(session=session, actor=actor, code=code)
    return printable.charts_document(charts, area_name=area.name, printed_on=clock.today())


async def income_share_of(
    *, session: AsyncSession, actor: Principal, code: str, year: int, local_income_fen: int
) -> tuple[IncomeShare, bool]:
    """The area's labour-capable poor households over the income line of its target (seed 004
    §三(一)), and whether the reader sees the figures (False: an outside reader and some figure
    counts fewer than k households — the counts and the share are left out, the verdict kept).
    Unlike the counters above, this reads the area's poor households and their income records (one
    query): the line depends on the local income the reader gives."""
    area = await area_service.get(session=session, actor=actor, code=code)
    target = income_share_target(INCOME_SHARE_TARGETS, area_code=area.code, year=year)
    if target is None:
        raise InvalidInput(
            f"no income-share target applies to {area.code} in {year}",
            detail_zh=f"{area.code} 在 {year} 年没有“有劳动能力贫困户收入达标比例”目标",
            field="year",
        )
    facts = await income_facts(session, AreaCode.parse(area.code).prefix, year)
    found = income_share(
        facts, target=target, area_code=area.code, year=year, local_income_fen=local_income_fen
    )
    if sees_exact_figures(actor):
        return found, True
    k = await _k(session, area.code, year)
    counts = (found.labour_capable_households, found.households_over_line, found.households_without_income)
    return found, not any(0 < n < k for n in counts)


async def transfer_employment_of(
    *, session: AsyncSession, actor: Principal, code: str, on: date | None
) -> tuple[TransferEmployment, bool]:
    """Seed 003's transfer-employment figure (七个一批 注2) of the area on ``on`` (default today, China
    time): counted from the household table, in the areas whose batch set has the batch (Gansu's
    seven); and whether the reader sees the counts (False: an outside reader and a count of fewer
    than k households). Reads the area's poor households' members (one query), as the ages move
    with the day read."""
    area = await area_service.get(session=session, actor=actor, code=code)
    day = on or clock.today()
    rule = TRANSFER_EMPLOYMENT
    policy = await policy_service.resolve(session=session, area_code=area.code, year=day.year)
    if rule.batch not in policy.batches:
        raise InvalidInput(
            f"{area.code} has no transfer-employment batch in {day.year} "
            f"(its batch set is {policy.batch_set})",
            detail_zh=f"{area.code} 在 {day.year} 年的帮扶批次中没有“转移就业一批”（{policy.batch_set}）",
            field="area_code",
            batch_set=policy.batch_set,
        )
    born_after, born_by = born_between(day, rule)
    households, persons = await transfer_employment_counts(
        session,
        AreaCode.parse(area.code).prefix,
        born_after=born_after,
        born_by=born_by,
        labour=sorted(c.value for c in LABOUR_CAPABLE),
    )
    found = TransferEmployment(area.code, day, households, persons, rule)
    if sees_exact_figures(actor):
        return found, True
    return found, not 0 < households < await _k(session, area.code, day.year)


@dataclass(frozen=True, slots=True)
class KeyTargets:
    """The key-target report of an area: the rule, its counts and its children's, and a page of the
    key-target households (empty for a reader who does not see exact figures)."""

    rule: KeyTargetRule
    total: KeyTargetCounts
    children: list[KeyTargetCounts]
    households: list[DibaoFacts]
    next_cursor: str | None
    names: dict[str, str]  # the area's and each child area's name, by code


async def key_targets_of(
    *, session: AsyncSession, actor: Principal, code: str, cursor: str | None, limit: int
) -> tuple[KeyTargets, bool]:
    """The area's 低保 households and, of them, the key targets its rule names (seed 004 五(一):
    有劳动能力且愿意接受帮扶的低保户), by child area, and whether the reader sees the figures (False:
    an outside reader and a count of fewer than k households — counts and list left out). 422
    where no rule names key targets for the area."""
    area = await area_service.get(session=session, actor=actor, code=code)
    rule = key_target_rule(KEY_TARGET_RULES, area.code)
    if rule is None:
        raise InvalidInput(
            f"no key-target rule applies to {area.code}",
            detail_zh=f"{area.code} 所在地区的政策没有规定“重点帮扶对象”（有劳动能力且愿意接受帮扶的低保户）",
            field="area_code",
        )
    kids = await AreaRepository(session).children(area.code)
    facts = await dibao_facts(
        session, AreaCode.parse(area.code).prefix, sorted(c.value for c in LABOUR_CAPABLE)
    )
    total, children = key_target_counts(
        facts, area_code=area.code, children={AreaCode.parse(k.code).prefix: k.code for k in kids}
    )
    keys = sorted((f for f in facts if f.key_target), key=lambda f: (f.area_code, f.household_id))
    after = decode_cursor(cursor)
    if after is not None:
        if not isinstance(after, list) or len(after) != 2:
            raise unknown_cursor()
        keys = [f for f in keys if [f.area_code, f.household_id] > after]
    page = keys[:limit]
    more = encode_cursor([page[-1].area_code, page[-1].household_id]) if len(keys) > limit else None
    names = {area.code: area.name} | {k.code: k.name for k in kids}
    if sees_exact_figures(actor):
        return KeyTargets(rule, total, children, page, more, names), True
    k = await _k(session, area.code, clock.today().year)
    shown = not any(
        0 < c.figures[f] < k
        for c in (total, *children)
        for f in ("dibao_households", "key_target_households")
    )
    return KeyTargets(rule, total, children, [], None, names), shown
