"""All SQL behind coverage numbers, checks and their gaps.

Coverage is counted where the rows are: an area may hold millions of households, so nothing here
loads them. The two numbers that vary by place (cap, visit interval) come in as policy regions
(``rules.policy_regions``), most specific first, and become a CASE on the area code.

A check stages the current gaps in a temporary table (dropped at commit), then closes the open
gaps missing from it and opens the new ones in bounded batches, each compared by key in SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
    union_all,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.pairing.coverage.rules import PolicyRegion
from services.pairing.models import AreaRef, CoverageGap, Helper, HouseholdRef, Pairing
from services.pairing.vocabulary import GapKind
from shared.repository import Repository, Slice

_CHECK_LOCK = 7_146_503  # one coverage check at a time, so a gap is never opened twice
_CURRENT = "coverage_current"  # the gaps of this check (temporary, per transaction)
# A province joins ~1,000,000 households with ~950,000 active cadre pairings by household id; under
# the default work_mem (4 MB) that hash spills to disk in batches. Raised for this transaction only.
_JOIN_WORK_MEM = "SET LOCAL work_mem = '96MB'"

current = table(
    _CURRENT,
    column("kind", String),
    column("subject_id", String),
    column("area_code", String),
    column("detail", JSONB),
)
_gaps = CoverageGap.metadata.tables[CoverageGap.__tablename__]  # the Table, for bulk statements


def _number(value: int) -> ColumnElement[int]:
    return cast(literal(value), Integer)


def _by_region(area_code: Any, regions: Sequence[PolicyRegion], attr: str) -> ColumnElement[int]:
    """The policy number of a row by its area code: the first region it falls in."""
    *inner, outer = regions
    if not inner:
        return _number(getattr(outer, attr))
    return case(
        *((area_code.startswith(r.prefix), _number(getattr(r, attr))) for r in inner),
        else_=_number(getattr(outer, attr)),
    )


def _json(*pairs: tuple[str, Any]) -> ColumnElement[Any]:
    args: list[Any] = []
    for key, value in pairs:
        args += [literal_column(f"'{key}'"), value]
    return func.jsonb_build_object(*args, type_=JSONB)


def _to_pair(today: date) -> ColumnElement[bool]:
    """rules._needs_cadre: on the roll, or exited and still inside the policy period."""
    return or_(
        HouseholdRef.status.in_(["registered", "exit_requested"]),
        and_(
            HouseholdRef.status == "exited",
            or_(HouseholdRef.policies_kept_until.is_(None), HouseholdRef.policies_kept_until >= today),
        ),
    )


def _households(prefix: str, regions: Sequence[PolicyRegion], today: date) -> Subquery:
    """Households to pair under ``prefix`` with their cadre's start, last visit and interval.
    The last visit is the one kept on the projection (``max(visit.visited_on)`` of the household,
    maintained by the database on every visit write), not a probe into the visits per household."""
    cadre = and_(
        Pairing.target_id == cast(HouseholdRef.id, String),
        Pairing.kind == "cadre_household",
        Pairing.ended_on.is_(None),
        Pairing.area_code.startswith(prefix),
    )
    return (
        select(
            HouseholdRef.id,
            HouseholdRef.area_code,
            HouseholdRef.status,
            Pairing.started_on.label("since"),
            HouseholdRef.last_visit_on,
            _by_region(HouseholdRef.area_code, regions, "visit_interval_days").label("interval_days"),
        )
        .select_from(HouseholdRef)
        .outerjoin(Pairing, cadre)
        .where(HouseholdRef.area_code.startswith(prefix), _to_pair(today))
        .subquery("h")
    )


def _due(h: Subquery) -> ColumnElement[date]:
    """visits.rules.next_visit_due: the later of the last visit and the pairing, plus the interval."""
    return (func.greatest(h.c.since, h.c.last_visit_on, type_=Date) + h.c.interval_days).label("due_on")


def _has(prefix: str, kind: str) -> ColumnElement[bool]:
    return exists().where(
        Pairing.target_id == AreaRef.code,
        Pairing.kind == kind,
        Pairing.ended_on.is_(None),
        Pairing.area_code.startswith(prefix),
    )


def _poor_villages(prefix: str) -> ColumnElement[bool]:
    return and_(AreaRef.code.startswith(prefix), AreaRef.level == "village", AreaRef.poor_village.is_(True))


def _cadres(prefix: str, regions: Sequence[PolicyRegion], kinds: Sequence[str]) -> Subquery:
    """In-system helpers under ``prefix`` with their active households (anywhere) and their cap.
    A join, not a per-row count, so a large area can hash it and a village probe the index."""
    load = and_(Pairing.helper_id == Helper.id, Pairing.kind == "cadre_household", Pairing.ended_on.is_(None))
    return (
        select(
            Helper.id,
            Helper.area_code,
            func.count(Pairing.id).label("households"),
            _by_region(Helper.area_code, regions, "cap").label("cap"),
        )
        .select_from(Helper)
        .outerjoin(Pairing, load)
        .where(Helper.area_code.startswith(prefix), Helper.kind.in_(kinds), Helper.active.is_(True))
        .group_by(Helper.id)
        .subquery("c")
    )


# Households with exit tasks (脱贫任务): still to lift out of poverty, not those kept after exit.
_TO_EXIT = ("registered", "exit_requested")
# (gap, area level, pairing kind that staffs it, the policy region's minimum)
_STAFFING = (
    (GapKind.TOWNSHIP_WITHOUT_STAFF, "township", "township_staff", "township_staff_min"),
    (GapKind.VILLAGE_WITHOUT_COORDINATOR, "village", "village_coordinator", "village_coordinator_min"),
)


def _staffing_gaps(prefix: str, regions: Sequence[PolicyRegion]) -> list[Select[Any]]:
    """rules.staffing_gap in SQL: townships (villages) under ``prefix`` with a household still to
    exit and fewer active staff (coordinator) pairings than their region's minimum; a region
    without a minimum (NULL) never compares below it."""
    selects: list[Select[Any]] = []
    for gap, level, kind, attr in _STAFFING:
        if all(getattr(r, attr) is None for r in regions):
            continue  # no policy of the area sets this number: no query at all (most of the country)
        # the township's code is its 9 digits + 000; a village's is the household's own
        with_tasks = select(
            func.left(HouseholdRef.area_code, 9) + "000" if level == "township" else HouseholdRef.area_code
        ).where(HouseholdRef.area_code.startswith(prefix), HouseholdRef.status.in_(_TO_EXIT))
        staff = (
            select(Pairing.target_id, func.count().label("n"))
            .where(Pairing.kind == kind, Pairing.ended_on.is_(None), Pairing.area_code.startswith(prefix))
            .group_by(Pairing.target_id)
            .subquery(f"{level}_staff")
        )
        count = func.coalesce(staff.c.n, 0)
        minimum = _by_region(AreaRef.code, regions, attr)
        selects.append(
            select(
                literal(gap.value).label("kind"),
                AreaRef.code,
                AreaRef.code,
                _json(("staff", count), ("minimum", minimum)),
            )
            .select_from(AreaRef)
            .outerjoin(staff, staff.c.target_id == AreaRef.code)
            .where(
                AreaRef.code.startswith(prefix),
                AreaRef.level == level,
                AreaRef.code.in_(with_tasks),
                count < minimum,
            )
        )
    return selects


def _county_pair_gaps(pairs: Sequence[tuple[str, str]]) -> list[Select[Any]]:
    """rules.county_pair_gap in SQL: the named mountain-sea pairs (helping, helped) with no active
    county_county pairing of the helping county (the pairing's area) to the helped one."""
    if not pairs:
        return []  # no policy of the area names a pair: no query (everywhere but Quanzhou)
    named = values(column("helping", String), column("helped", String), name="named_pairs").data(list(pairs))
    formed = exists().where(
        Pairing.kind == "county_county",
        Pairing.ended_on.is_(None),
        Pairing.area_code == named.c.helping,
        Pairing.target_id == named.c.helped,
    )
    return [
        select(
            literal(GapKind.MOUNTAIN_SEA_PAIR_MISSING.value).label("kind"),
            named.c.helped,
            named.c.helping,
            _json(("helped_county", named.c.helped)),
        ).where(~formed)
    ]


def _current_gaps(
    prefix: str,
    regions: Sequence[PolicyRegion],
    today: date,
    cadre_kinds: Sequence[str],
    pairs: Sequence[tuple[str, str]] = (),
) -> Select[Any]:
    """(kind, subject_id, area_code, detail) of every gap under ``prefix`` now; see rules.detect_gaps."""
    h = _households(prefix, regions, today)
    unpaired = h.c.since.is_(None)
    households = select(
        case((unpaired, GapKind.HOUSEHOLD_WITHOUT_CADRE.value), else_=GapKind.VISIT_OVERDUE.value),
        cast(h.c.id, String),
        h.c.area_code,
        case(
            (unpaired, _json(("status", h.c.status))),
            else_=_json(
                ("last_visit_on", h.c.last_visit_on),
                ("due_on", _due(h)),
                ("interval_days", h.c.interval_days),
            ),
        ),
    ).where(or_(unpaired, _due(h) < today))
    villages: list[Select[*tuple[Any, ...]]] = [
        select(literal(gap.value), AreaRef.code, AreaRef.code, literal_column("'{}'::jsonb")).where(
            _poor_villages(prefix), ~_has(prefix, kind)
        )
        for gap, kind in (
            (GapKind.VILLAGE_WITHOUT_WORK_TEAM, "work_team_village"),
            (GapKind.VILLAGE_WITHOUT_FIRST_SECRETARY, "first_secretary_village"),
        )
    ]
    c = _cadres(prefix, regions, cadre_kinds)
    cadres = select(
        literal(GapKind.CADRE_OVER_CAP.value),
        cast(c.c.id, String),
        c.c.area_code,
        _json(("households", c.c.households), ("cap", c.c.cap)),
    ).where(c.c.households > c.c.cap)
    more = [*_staffing_gaps(prefix, regions), *_county_pair_gaps(pairs)]
    return union_all(households, *villages, cadres, *more)  # type: ignore[return-value]


class CoverageRepository(Repository[CoverageGap]):
    model = CoverageGap

    async def lock(self) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHECK_LOCK})

    # -- numbers ------------------------------------------------------------------------------
    async def household_counts(
        self, prefix: str, regions: Sequence[PolicyRegion], today: date
    ) -> tuple[int, int, int]:
        """(to pair, paired, visits overdue)."""
        await self.session.execute(text(_JOIN_WORK_MEM))
        h = _households(prefix, regions, today)
        overdue = and_(h.c.since.is_not(None), _due(h) < today)
        stmt = select(func.count(), func.count(h.c.since), func.count().filter(overdue)).select_from(h)
        to_pair, paired, late = (await self.session.execute(stmt)).one()
        return int(to_pair), int(paired), int(late)

    async def village_counts(self, prefix: str) -> tuple[int, int, int]:
        """(poor villages, without a work team, without a first secretary)."""
        stmt = select(
            func.count(),
            func.count().filter(~_has(prefix, "work_team_village")),
            func.count().filter(~_has(prefix, "first_secretary_village")),
        ).where(_poor_villages(prefix))
        poor, no_team, no_secretary = (await self.session.execute(stmt)).one()
        return int(poor), int(no_team), int(no_secretary)

    async def staffing_counts(self, prefix: str, regions: Sequence[PolicyRegion]) -> dict[str, int]:
        """Gap kind → townships without their full-time staff / villages without their coordinator
        (kinds no policy of the area sets a minimum for are left out: none of them)."""
        selects = _staffing_gaps(prefix, regions)
        if not selects:
            return {}
        gaps = union_all(*selects).subquery("staffing")
        stmt = select(gaps.c.kind, func.count()).group_by(gaps.c.kind)
        return {str(kind): int(n) for kind, n in (await self.session.execute(stmt)).all()}

    async def county_pairs_missing(self, pairs: Sequence[tuple[str, str]]) -> int:
        """How many of the named mountain-sea pairs are not formed."""
        selects = _county_pair_gaps(pairs)
        if not selects:
            return 0
        return int(
            (await self.session.execute(select(func.count()).select_from(selects[0].subquery()))).scalar_one()
        )

    async def cadre_counts(
        self, prefix: str, regions: Sequence[PolicyRegion], kinds: Sequence[str]
    ) -> tuple[int, int]:
        """(in-system helpers, of them over their cap)."""
        c = _cadres(prefix, regions, kinds)
        stmt = select(func.count(), func.count().filter(c.c.households > c.c.cap)).select_from(c)
        cadres, over = (await self.session.execute(stmt)).one()
        return int(cadres), int(over)

    # -- a check ------------------------------------------------------------------------------
    async def stage_current(
        self,
        prefix: str,
        regions: Sequence[PolicyRegion],
        today: date,
        cadre_kinds: Sequence[str],
        pairs: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Write this check's gaps into the temporary table; how many there are."""
        await self.session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{_CURRENT}"))
        await self.session.execute(
            text(
                f"CREATE TEMPORARY TABLE {_CURRENT} (kind varchar(40) NOT NULL,"
                " subject_id varchar(64) NOT NULL, area_code varchar(12) NOT NULL, detail jsonb NOT NULL,"
                " PRIMARY KEY (kind, subject_id)) ON COMMIT DROP"
            )
        )
        await self.session.execute(text(_JOIN_WORK_MEM))
        gaps = _current_gaps(prefix, regions, today, cadre_kinds, pairs)
        await self.session.execute(insert(current).from_select(list(current.c.keys()), gaps))
        await self.session.execute(text(f"ANALYZE {_CURRENT}"))
        return int((await self.session.execute(select(func.count()).select_from(current))).scalar_one())

    async def close_filled(self, prefix: str, at: datetime) -> list[uuid.UUID]:
        """Close the open gaps under ``prefix`` that this check no longer sees; their ids."""
        stmt = (
            update(_gaps)
            .where(
                _gaps.c.closed_at.is_(None),
                _gaps.c.area_code.startswith(prefix),
                ~exists().where(current.c.kind == _gaps.c.kind, current.c.subject_id == _gaps.c.subject_id),
            )
            .values(closed_at=at)
            .returning(_gaps.c.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def open_new(
        self, at: datetime, *, after: tuple[str, str] | None, limit: int
    ) -> list[dict[str, Any]]:
        """Open up to ``limit`` staged gaps that are not open yet, in (kind, subject) order after
        ``after``, each with the next episode of its (kind, subject); the rows written."""
        open_now = exists().where(
            _gaps.c.closed_at.is_(None),
            _gaps.c.kind == current.c.kind,
            _gaps.c.subject_id == current.c.subject_id,
        )
        episodes = (
            select(func.max(_gaps.c.episode))
            .where(_gaps.c.kind == current.c.kind, _gaps.c.subject_id == current.c.subject_id)
            .scalar_subquery()
        )
        batch = (
            select(current, (func.coalesce(episodes, 0) + 1).label("episode"))
            .where(~open_now)
            .order_by(current.c.kind, current.c.subject_id)
            .limit(limit)
        )
        if after is not None:
            batch = batch.where(tuple_(current.c.kind, current.c.subject_id) > tuple_(*after))
        n = batch.subquery("n")
        key = literal("pairing:") + n.c.kind + ":" + n.c.subject_id + ":" + cast(n.c.episode, String)
        rows = select(
            func.gen_random_uuid(),
            n.c.kind,
            n.c.subject_id,
            n.c.area_code,
            n.c.episode,
            key,
            n.c.detail,
            literal(at, _gaps.c.opened_at.type),
        )
        cols = ["id", "kind", "subject_id", "area_code", "episode", "signal_key", "detail", "opened_at"]
        stmt = insert(_gaps).from_select(cols, rows).returning(*(_gaps.c[name] for name in cols))
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]

    # -- reads --------------------------------------------------------------------------------
    async def page(
        self, *, prefix: str, open_only: bool, kind: str | None, cursor: str | None, limit: int
    ) -> Slice[CoverageGap]:
        stmt = select(CoverageGap).where(CoverageGap.area_code.startswith(prefix))
        if open_only:
            stmt = stmt.where(CoverageGap.closed_at.is_(None))
        if kind:
            stmt = stmt.where(CoverageGap.kind == kind)
        return await self.keyset(stmt, key=(CoverageGap.id,), cursor=cursor, limit=limit)
