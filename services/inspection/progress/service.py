"""Quarterly progress reports: compute an area's figures from the projections and our own
records, submit them upward (frozen, audited, published), and show a parent who reported."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.errors import ProgressReportNotFound, SubmitterNotOfArea
from services.inspection.findings import rules as finding_rules
from services.inspection.inspections.repository import InspectionRepository
from services.inspection.models import ProgressReportSubmission
from services.inspection.places import parse_area
from services.inspection.policies import presets
from services.inspection.progress import events, rules
from services.inspection.progress.repository import Grouped, ProgressRepository
from services.inspection.progress.rules import (
    ChildSubmission,
    ProgressReport,
    ProgressRow,
    Standing,
    SubmissionStatus,
    Unavailable,
)
from services.inspection.progress.schemas import SubmissionIn
from shared import audit
from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode
from shared.auth import Principal
from shared.clock import clock

UNAVAILABLE = [
    Unavailable(
        field="received_fen",
        reason="inspection receives no funds receipts (funds.transaction.posted is not consumed)",
    ),
    Unavailable(
        field="households_in_roll, households_paired, pairing_coverage",
        reason="the projections keep the current roll and pairings only: these are as of the day computed",
    ),
]

# the figures frozen at submission, as JSON (the shape of the report's answer)
_FROZEN = TypeAdapter(ProgressReport)


def _scoped(actor: Principal, area_code: str) -> AreaCode:
    area = parse_area(area_code)
    if not actor.covers(area.code):
        raise ProgressReportNotFound(
            f"No area {area.code} in your area.",
            detail_zh=f"您的辖区内没有地区 {area.code}",
            area_code=area.code,
        )
    return area


def _length(area: AreaCode) -> int:
    child = rules.child_level(area)
    return LEVEL_PREFIX_LENGTH[child] if child else 12


def _key(code: str, length: int) -> str:
    return code[:length].ljust(12, "0")


def _row(
    code: str,
    *,
    name: str | None,
    level: str,
    own: bool,
    quarter: Mapping[str, int | None],
    ytd: Mapping[str, int | None],
    sums: Mapping[str, int | None],
    target: int | None,
) -> ProgressRow:
    def n(field: str) -> int:
        return int(sums.get(field) or 0)

    ytd_flows = {f: int(ytd.get(f) or 0) for f in rules.FLOW_FIELDS}
    return ProgressRow(
        area_code=code,
        name=name,
        level=level,
        own_level=own,
        quarter={f: int(quarter.get(f) or 0) for f in rules.FLOW_FIELDS},
        year_to_date=ytd_flows,
        standing=Standing(
            target_people=target,
            target_progress=rules.rate(int(ytd.get("persons_exited") or 0), target),
            planned_fen=n("planned_fen"),
            received_fen=None,
            plan_year_disbursed_fen=n("plan_year_disbursed_fen"),
            disbursement_rate=rules.rate(n("plan_year_disbursed_fen"), n("planned_fen")),
            households_in_roll=n("households_in_roll"),
            households_paired=n("households_paired"),
            pairing_coverage=rules.rate(n("households_paired"), n("households_in_roll")),
            findings_overdue=n("findings_overdue"),
            satisfaction_rate=rules.satisfaction_rate(ytd_flows),
        ),
    )


@dataclass(frozen=True)
class _Figures:
    """The grouped numbers of a report, per child area code: flows of the quarter and of the year
    to date, and the standing sums at the quarter's end."""

    quarter: Grouped
    ytd: Grouped
    standing: Grouped

    def codes(self) -> set[str]:
        return set(self.quarter) | set(self.ytd) | set(self.standing)

    def of(self, code: str) -> dict[str, Mapping[str, int | None]]:
        return {
            "quarter": self.quarter.get(code, {}),
            "ytd": self.ytd.get(code, {}),
            "sums": self.standing.get(code, {}),
        }

    def has_own(self, code: str) -> bool:
        return any(
            v
            for d in (self.quarter.get(code), self.ytd.get(code), self.standing.get(code))
            if d
            for v in d.values()
        )


async def _figures(
    repo: ProgressRepository, area: AreaCode, year: int, period: rules.Period, ytd: rules.Period
) -> _Figures:
    length = _length(area)
    q_flows = await repo.flows(area.prefix, length, period)
    y_flows = await repo.flows(area.prefix, length, ytd)
    standing = await repo.standing(area.prefix, length, year, period.end, presets.HOUSEHOLD_CADRE_PAIRING)
    # Findings overdue at the quarter's end, or today (China date) while the quarter runs, are
    # counted by the rule, not in SQL (see findings.rules): a deadline not yet come is not late.
    as_of = min(period.end, clock.today())
    for f in await repo.unverified_due_by(area.prefix, period.end):
        state = finding_rules.RectificationState(f.status, f.deadline, f.submitted_on)
        if finding_rules.is_overdue(state, as_of):
            row = standing[_key(f.area_code, length)]
            row["findings_overdue"] = row.get("findings_overdue", 0) + 1
    return _Figures(q_flows, y_flows, standing)


def _rows(
    area: AreaCode,
    figures: _Figures,
    children: list[str],
    names: dict[str, str],
    targets: dict[str, int],
    name: str | None,
) -> list[ProgressRow]:
    """One row per child area (known or with figures), then the area's own row when it has
    figures of its own (or has no children: a village reports itself)."""
    child = rules.child_level(area)
    level = child.value if child else area.level.value
    rows = [
        _row(code, name=names.get(code), level=level, own=False, target=targets.get(code), **figures.of(code))
        for code in children
    ]
    if figures.has_own(area.code) or child is None:
        own = figures.of(area.code)
        rows.append(_row(area.code, name=name, level=area.level.value, own=True, target=None, **own))
    return rows


def _total(area: AreaCode, name: str | None, rows: list[ProgressRow], target: int | None) -> ProgressRow:
    return _row(
        area.code,
        name=name,
        level=area.level.value,
        own=False,
        quarter=rules.sum_rows([r.quarter for r in rows], rules.FLOW_FIELDS),
        ytd=rules.sum_rows([r.year_to_date for r in rows], rules.FLOW_FIELDS),
        sums=rules.sum_rows([asdict(r.standing) for r in rows], rules.STANDING_SUMS),
        target=target,
    )


@dataclass(frozen=True)
class _Table:
    """The report's rows (children, then the area's own), their total and the area's name."""

    name: str | None
    rows: list[ProgressRow]
    total: ProgressRow


async def _table(repo: ProgressRepository, area: AreaCode, year: int, figures: _Figures) -> _Table:
    """Every child area the registry told us of or that has figures, with its name and target."""
    child = rules.child_level(area)
    names = await repo.areas(area.prefix, child.value) if child else {}
    children = sorted(c for c in set(names) | figures.codes() if c != area.code)
    targets = await repo.targets([*children, area.code], year)
    name = await repo.area_name(area.code)
    rows = _rows(area, figures, children, names, targets, name)
    return _Table(name, rows, _total(area, name, rows, targets.get(area.code)))


async def _inspections_in(session: AsyncSession, area: AreaCode, *periods: rules.Period) -> list[int]:
    """How many inspections the area held in each period (both ends inclusive)."""
    inspections = InspectionRepository(session)
    after = timedelta(days=1)  # in_month takes a half-open [start, end)
    return [len(await inspections.in_month(area.code, p.start, p.end + after)) for p in periods]


async def compute(*, session: AsyncSession, area: AreaCode, year: int, quarter: int) -> ProgressReport:
    """The report of ``area`` for a quarter: its children's rows, the area's own, their total."""
    period = rules.quarter_period(year, quarter)
    ytd = rules.year_to_date(year, quarter)
    repo = ProgressRepository(session)
    table = await _table(repo, area, year, await _figures(repo, area, year, period, ytd))
    in_quarter, in_year = await _inspections_in(session, area, period, ytd)
    return ProgressReport(
        area_code=area.code,
        name=table.name,
        level=area.level.value,
        year=year,
        quarter=quarter,
        period=period,
        year_to_date=ytd,
        deadline=rules.deadline(year, quarter, presets.PROGRESS_REPORT_DEADLINE_DAYS),
        rows=table.rows,
        total=table.total,
        inspections_quarter=in_quarter,
        inspections_year_to_date=in_year,
        unavailable=UNAVAILABLE,
    )


async def report(
    *, session: AsyncSession, actor: Principal, area_code: str, year: int, quarter: int
) -> ProgressReport:
    return await compute(session=session, area=_scoped(actor, area_code), year=year, quarter=quarter)


async def submit(
    *,
    session: AsyncSession,
    actor: Principal,
    area_code: str,
    year: int,
    quarter: int,
    data: SubmissionIn,
    today: date,
) -> ProgressReportSubmission:
    """Freeze the figures as they stand now as the area's report for the quarter. Once per area
    and quarter; a correction (with its reason) is a new version superseding the current one."""
    area = _scoped(actor, area_code)
    if actor.area_code != area.code:
        raise SubmitterNotOfArea(
            "An area's report goes upward from its own office: your token's area must be this area.",
            detail_zh="地区的进度报告由本级单位向上报送：您的账号所属地区必须是该地区",
            area_code=area.code,
            your_area=actor.area_code,
        )
    period = rules.quarter_period(year, quarter)
    repo = ProgressRepository(session)
    await repo.lock_quarter(area.code, year, quarter)
    versions = await repo.versions(area.code, year, quarter)
    current = versions[-1] if versions else None
    version = rules.next_version(
        current_version=current.version if current else None,
        correction_reason=data.correction_reason,
        period_end=period.end,
        today=today,
    )
    figures = await compute(session=session, area=area, year=year, quarter=quarter)
    due = figures.deadline
    first_on = versions[0].submitted_on if versions else today
    submission = ProgressReportSubmission(
        id=uuid.uuid4(),
        area_code=area.code,
        year=year,
        quarter=quarter,
        version=version,
        supersedes_id=current.id if current else None,
        correction_reason=data.correction_reason,
        note=data.note,
        figures=_FROZEN.dump_python(figures, mode="json"),
        deadline=due,
        submitted_on=today,
        late=rules.submission_status(first_submitted_on=first_on, due=due, today=today) == "late",
        submitted_by=actor.sub,
        submitted_at=clock.now(),
    )
    await repo.add(submission)
    await events.publish_submitted(session, submission)
    await audit.record(
        session,
        actor,
        "progress_report.submitted",
        ("progress_report", f"{area.code}:{year}:Q{quarter}"),
        before={"version": current.version, "submission_id": str(current.id)} if current else None,
        after={
            "version": version,
            "submission_id": str(submission.id),
            "correction_reason": data.correction_reason,
            "late": submission.late,
            "total_persons_exited_ytd": figures.total.year_to_date["persons_exited"],
        },
    )
    return submission


async def submitted(
    *, session: AsyncSession, actor: Principal, area_code: str, year: int, quarter: int
) -> list[ProgressReportSubmission]:
    """The area's submitted versions of the quarter's report, oldest first (the last is current)."""
    area = _scoped(actor, area_code)
    rules.quarter_period(year, quarter)
    versions = await ProgressRepository(session).versions(area.code, year, quarter)
    if not versions:
        raise ProgressReportNotFound(
            f"{area.code} has not submitted its report for {year} Q{quarter}.",
            detail_zh=f"{area.code} 尚未报送 {year} 年第 {quarter} 季度的进度报告",
            area_code=area.code,
            year=year,
            quarter=quarter,
        )
    return versions


async def status(
    *, session: AsyncSession, actor: Principal, area_code: str, year: int, quarter: int, today: date
) -> SubmissionStatus:
    """Which child areas have submitted the quarter's report, and which are late."""
    area = _scoped(actor, area_code)
    due = rules.deadline(year, quarter, presets.PROGRESS_REPORT_DEADLINE_DAYS)
    child = rules.child_level(area)
    repo = ProgressRepository(session)
    known = await repo.areas(area.prefix, child.value) if child else {}
    by_area: dict[str, list[ProgressReportSubmission]] = {}
    if child:
        for s in await repo.submissions_below(area.code, area.prefix, _length(area), year, quarter):
            by_area.setdefault(s.area_code, []).append(s)
    children = []
    for code in sorted(set(known) | set(by_area)):
        versions = by_area.get(code, [])
        children.append(
            ChildSubmission(
                area_code=code,
                name=known.get(code),
                status=rules.submission_status(
                    first_submitted_on=versions[0].submitted_on if versions else None, due=due, today=today
                ),
                first_submitted_on=versions[0].submitted_on if versions else None,
                current_version=versions[-1].version if versions else None,
                current_submission_id=versions[-1].id if versions else None,
            )
        )
    return SubmissionStatus(
        area_code=area.code,
        year=year,
        quarter=quarter,
        deadline=due,
        children=children,
        submitted=[c.area_code for c in children if c.first_submitted_on is not None],
        late=[c.area_code for c in children if c.status in ("late", "overdue")],
    )
