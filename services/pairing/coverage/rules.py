"""Coverage gaps: who is left without a name beside them, and who stopped visiting. Pure functions.

A gap has an *episode*: while it persists it keeps its signal key; once closed and seen again
it is a new gap with the next episode number, so consumers (inspection) raise one finding per
gap, never one per check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.pairing.visits.rules import is_overdue, next_visit_due
from services.pairing.vocabulary import GapKind

__all__ = [
    "CountyPair",
    "CoverageSnapshot",
    "Gap",
    "HouseholdCoverage",
    "PolicyRegion",
    "Staffing",
    "Reconciliation",
    "VillageCoverage",
    "county_pair_gap",
    "detect_gaps",
    "policy_regions",
    "reconcile",
    "signal_key",
    "staffing_gap",
    "summarize",
]


@dataclass(frozen=True, slots=True)
class HouseholdCoverage:
    household_id: str
    area_code: str
    status: str
    policies_kept_until: date | None = None
    cadre_paired_since: date | None = None  # None: no active in-system cadre
    last_visit_on: date | None = None


@dataclass(frozen=True, slots=True)
class VillageCoverage:
    code: str
    has_work_team: bool
    has_first_secretary: bool


@dataclass(frozen=True, slots=True)
class Staffing:
    """A township's full-time poverty staff or a village's coordinators, against the policy's minimum.

    Quanzhou seed 002 十一: "逐步落实有脱贫任务的乡镇配备1名以上专职人员、建制村配备1名协管员";
    Kaiping seed 004 七(二): "镇扶贫办要根据要求上级要求配备2—3名专职人员". Exit tasks (脱贫任务): a
    household still to exit (registered or exit requested) in the area; we read 有脱贫任务的 as
    qualifying the village too (a village with no one to lift out has nothing to coordinate)."""

    code: str
    level: str  # "township" (staff: active township_staff pairings) or "village" (village_coordinator)
    households_to_exit: int
    staff: int
    minimum: int | None  # the policy's number for the area; None: no such rule there


@dataclass(frozen=True, slots=True)
class CountyPair:
    """A mountain-sea pair a policy names (helping coastal county, helped mountain county) and whether
    an active county_county pairing joins them. Quanzhou seed 002 十: 做好我市鲤城区、丰泽区、泉港区、
    石狮市、晋江市、南安市、惠安县等7个县(市、区)分别与三明市明溪县、南平市顺昌县、三明市宁化县、南平市政和县、
    龙岩市长汀县、宁德市古田县、南平市光泽县的对口帮扶工作."""

    helping: str
    helped: str
    formed: bool


@dataclass(frozen=True, slots=True)
class CoverageSnapshot:
    households: Sequence[HouseholdCoverage]
    poor_villages: Sequence[VillageCoverage]
    cadre_loads: Mapping[str, tuple[str, int]]  # helper id -> (area code, active households)
    cap: int
    visit_interval_days: int
    today: date
    staffing: Sequence[Staffing] = ()
    county_pairs: Sequence[CountyPair] = ()


@dataclass(frozen=True, slots=True)
class Gap:
    kind: GapKind
    subject_id: str
    area_code: str
    detail: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def identity(self) -> tuple[str, str]:
        return (self.kind.value, self.subject_id)


def _needs_cadre(h: HouseholdCoverage, today: date) -> bool:
    if h.status in ("registered", "exit_requested"):
        return True
    # 脱贫不脱政策: exited households stay paired until the policy period ends.
    return h.status == "exited" and (h.policies_kept_until is None or today <= h.policies_kept_until)


def _household_gaps(s: CoverageSnapshot) -> Iterable[Gap]:
    for h in s.households:
        if not _needs_cadre(h, s.today):
            continue
        if h.cadre_paired_since is None:
            yield Gap(GapKind.HOUSEHOLD_WITHOUT_CADRE, h.household_id, h.area_code, {"status": h.status})
            continue
        interval = s.visit_interval_days
        if is_overdue(
            last_visit_on=h.last_visit_on,
            paired_since=h.cadre_paired_since,
            interval_days=interval,
            today=s.today,
        ):
            due = next_visit_due(
                last_visit_on=h.last_visit_on, paired_since=h.cadre_paired_since, interval_days=interval
            )
            detail = {"last_visit_on": h.last_visit_on, "due_on": due, "interval_days": interval}
            yield Gap(GapKind.VISIT_OVERDUE, h.household_id, h.area_code, detail)


def staffing_gap(a: Staffing) -> Gap | None:
    """1名以上 / 1名 / 2—3名: fewer than the minimum is a gap, exactly the minimum is not."""
    if a.minimum is None or a.households_to_exit == 0 or a.staff >= a.minimum:
        return None
    kind = GapKind.TOWNSHIP_WITHOUT_STAFF if a.level == "township" else GapKind.VILLAGE_WITHOUT_COORDINATOR
    return Gap(kind, a.code, a.code, {"staff": a.staff, "minimum": a.minimum})


def county_pair_gap(p: CountyPair) -> Gap | None:
    """A named pair not formed is a gap of the helping county, about the helped one (each mountain
    county has one coastal partner, so it names the gap)."""
    if p.formed:
        return None
    return Gap(GapKind.MOUNTAIN_SEA_PAIR_MISSING, p.helped, p.helping, {"helped_county": p.helped})


def detect_gaps(s: CoverageSnapshot) -> list[Gap]:
    gaps = list(_household_gaps(s))
    for v in s.poor_villages:
        if not v.has_work_team:
            gaps.append(Gap(GapKind.VILLAGE_WITHOUT_WORK_TEAM, v.code, v.code))
        if not v.has_first_secretary:
            gaps.append(Gap(GapKind.VILLAGE_WITHOUT_FIRST_SECRETARY, v.code, v.code))
    for helper_id, (area_code, load) in sorted(s.cadre_loads.items()):
        if load > s.cap:
            gaps.append(Gap(GapKind.CADRE_OVER_CAP, helper_id, area_code, {"households": load, "cap": s.cap}))
    gaps += [g for g in map(staffing_gap, s.staffing) if g is not None]
    gaps += [g for g in map(county_pair_gap, s.county_pairs) if g is not None]
    return gaps


def signal_key(kind: str, subject_id: str, episode: int) -> str:
    return f"pairing:{kind}:{subject_id}:{episode}"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    opened: list[tuple[Gap, int]]  # new gaps with their episode number: publish each once
    closed: list[tuple[str, str]]  # identities of open gaps no longer present


def reconcile(
    current: Sequence[Gap], *, open_gaps: Iterable[tuple[str, str]], episodes: Mapping[tuple[str, str], int]
) -> Reconciliation:
    """Compare this check with the gaps already open. ``episodes``: how many episodes each
    identity has had so far (open or closed)."""
    open_set = set(open_gaps)
    seen = {g.identity for g in current}
    opened = [(g, episodes.get(g.identity, 0) + 1) for g in current if g.identity not in open_set]
    closed = sorted(open_set - seen)
    return Reconciliation(opened, closed)


def summarize(s: CoverageSnapshot, gaps: Sequence[Gap]) -> dict[str, int]:
    """The numbers an office sees for its area."""
    by_kind = {k: sum(1 for g in gaps if g.kind is k) for k in GapKind}
    to_pair = [h for h in s.households if _needs_cadre(h, s.today)]
    return {
        "households_to_pair": len(to_pair),
        "households_paired": sum(1 for h in to_pair if h.cadre_paired_since is not None),
        "households_without_cadre": by_kind[GapKind.HOUSEHOLD_WITHOUT_CADRE],
        "poor_villages": len(s.poor_villages),
        "villages_without_work_team": by_kind[GapKind.VILLAGE_WITHOUT_WORK_TEAM],
        "villages_without_first_secretary": by_kind[GapKind.VILLAGE_WITHOUT_FIRST_SECRETARY],
        "cadres": len(s.cadre_loads),
        "cadres_over_cap": by_kind[GapKind.CADRE_OVER_CAP],
        "visits_overdue": by_kind[GapKind.VISIT_OVERDUE],
        "townships_without_staff": by_kind[GapKind.TOWNSHIP_WITHOUT_STAFF],
        "villages_without_coordinator": by_kind[GapKind.VILLAGE_WITHOUT_COORDINATOR],
        "county_pairs_missing": by_kind[GapKind.MOUNTAIN_SEA_PAIR_MISSING],
    }


@dataclass(frozen=True, slots=True)
class PolicyRegion:
    """The part of an area (codes starting with ``prefix``) that shares the numbers coverage
    depends on: the cadre's household cap, the visit interval, and the staff minimums."""

    prefix: str
    cap: int
    visit_interval_days: int
    township_staff_min: int | None = None
    village_coordinator_min: int | None = None

    @property
    def numbers(self) -> tuple[int | None, ...]:
        return (self.cap, self.visit_interval_days, self.township_staff_min, self.village_coordinator_min)


def policy_regions(
    prefix: str,
    boundaries: Iterable[str],
    numbers: Callable[[str], tuple[int, int] | tuple[int, int, int | None, int | None]],
) -> list[PolicyRegion]:
    """The regions of the area ``prefix``, most specific first, ``prefix`` itself last: a code
    under ``prefix`` takes the numbers of the first region whose prefix it starts with.

    ``boundaries``: every prefix a policy is attached to (presets, overrides); ``numbers``:
    (cap, visit interval[, township staff minimum, village coordinator minimum]) in force for a
    code or prefix. Policies resolve by the longest matching
    prefix, so a code's numbers are those of the longest boundary it starts with; a boundary
    whose numbers equal the region around it is dropped (the usual county has one region).
    """
    kept = [PolicyRegion(prefix, *numbers(prefix))]
    inner = sorted({b for b in boundaries if len(b) > len(prefix) and b.startswith(prefix)}, key=len)
    for boundary in inner:  # shortest first, so the region around each one is already final
        around = next(r for r in reversed(kept) if boundary.startswith(r.prefix))
        region = PolicyRegion(boundary, *numbers(boundary))
        if region.numbers != around.numbers:
            kept.append(region)
    return sorted(kept, key=lambda r: len(r.prefix), reverse=True)
