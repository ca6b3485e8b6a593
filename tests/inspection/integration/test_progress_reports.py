"""Quarterly progress reports: hand-counted figures of a fixture county (two townships, three
villages), quarter boundaries (first and last days, and Beijing midnight for events dated by
their time), scoping, roles, submission upward with its conflict and correction, the parent's
late list, and the workbook holding the same numbers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.inspection.consumers import HANDLERS
from services.inspection.models import Complaint, Finding, Inspection, ReductionTarget
from shared.clock import clock
from shared.events.consumer import handle_event
from shared.tables import audit_log, outbox
from tests.inspection.integration.helpers import app_for, event, finding_row
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
CITY = "620500000000"
COUNTY = "620521000000"
OTHER_COUNTY = "620522000000"
THIRD_COUNTY = "620523000000"
T1 = "620521101000"
T2 = "620521102000"
V1 = "620521101201"  # in T1
V2 = "620521101202"  # in T1
V3 = "620521102201"  # in T2
OV = "620522101201"  # another county's village
BASE = "/inspection/v1/progress-reports"
COUNTY_READER = auth("inspector", COUNTY)


async def _feed(app: Any, type_: str, data: dict[str, Any], at: datetime | None = None) -> None:
    assert await handle_event(app.state.db, "inspection", event(type_, data, time=at), HANDLERS)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _registered(
    app: Any, hid: str, area: str, on: str, members: int, origin: str = "identification"
) -> None:
    await _feed(
        app,
        "registry.household.registered.v1",
        {
            "household_id": hid,
            "area_code": area,
            "member_count": members,
            "registered_on": on,
            "origin": origin,
        },
    )


async def _exited(app: Any, hid: str, area: str, on: str, members: int) -> None:
    await _feed(
        app,
        "registry.household.exited.v1",
        {
            "household_id": hid,
            "area_code": area,
            "exit_request_id": f"r-{hid}",
            "exited_on": on,
            "member_count": members,
        },
    )


async def _fixture(app: Any) -> None:
    for code, name, level in (
        (CITY, "Test city", "city"),
        (COUNTY, "Test county", "county"),
        (OTHER_COUNTY, "Other county", "county"),
        (THIRD_COUNTY, "Third county", "county"),
        (T1, "Township one", "township"),
        (T2, "Township two", "township"),
        (V1, "Village one", "village"),
        (V2, "Village two", "village"),
        (V3, "Village three", "village"),
    ):
        await _feed(app, "registry.area.upserted.v1", {"code": code, "name": name, "level": level})
    # Registrations: Q1 counts r1 (1 Jan) and r2 (31 Mar) in T1, r6 in T2; r3 (1 Apr) is Q2; r4 is
    # last year's; r5 is a split (members already in the roll); ov is another county's.
    await _registered(app, "r1", V1, "2026-01-01", 3)
    await _registered(app, "r2", V1, "2026-03-31", 4)
    await _registered(app, "r3", V2, "2026-04-01", 2)
    await _registered(app, "r4", V3, "2025-12-31", 5)
    await _registered(app, "r5", V3, "2026-02-15", 2, origin="split")
    await _registered(app, "r6", V3, "2026-02-10", 1)
    await _registered(app, "ov", OV, "2026-02-01", 6)
    # Exits: x1 (31 Mar, T1) and x2 (1 Jan, T2) in Q1; x3 (1 Apr) in Q2; x4 last year.
    await _exited(app, "x1", V1, "2026-03-31", 3)
    await _exited(app, "x2", V3, "2026-01-01", 2)
    await _exited(app, "x3", V2, "2026-04-01", 4)
    await _exited(app, "x4", V1, "2025-12-31", 2)
    # Relapses carry no date: the Beijing day of the event. 15:59 UTC on 31 Mar is 23:59 in Beijing
    # (Q1); 16:00 UTC is already 1 April (Q2).
    await _feed(
        app,
        "registry.household.relapsed.v1",
        {"household_id": "x4", "area_code": V1, "plan_year": 2026, "member_count": 2},
        _utc("2026-03-31T15:59:00"),
    )
    await _feed(
        app,
        "registry.household.relapsed.v1",
        {"household_id": "y1", "area_code": V3, "plan_year": 2026, "member_count": 3},
        _utc("2026-03-31T16:00:00"),
    )
    # Removal of r4 (5 people) at Beijing midnight of 1 January: Q1, T2.
    await _feed(
        app,
        "registry.household.removed.v1",
        {"household_id": "r4", "area_code": V3, "reason": "wrongly registered"},
        _utc("2025-12-31T16:00:00"),
    )
    # Pairings: r1, r2, x4 (T1) and r5 (T2) have an open cadre; r3's was closed; r6 has another kind.
    for pid, target, area, kind in (
        ("p1", "r1", V1, "cadre_household"),
        ("p2", "r2", V1, "cadre_household"),
        ("p3", "x4", V1, "cadre_household"),
        ("p4", "r3", V2, "cadre_household"),
        ("p5", "r5", V3, "cadre_household"),
        ("p6", "r6", V3, "professional_household"),
    ):
        await _feed(
            app,
            "pairing.pairing.opened.v1",
            {"pairing_id": pid, "kind": kind, "area_code": area, "helper_id": "c1", "target_id": target},
        )
    await _feed(
        app, "pairing.pairing.closed.v1", {"pairing_id": "p4", "kind": "cadre_household", "area_code": V2}
    )
    # The household's answer comes with version 2; a version 1 event (still in the streams) has none.
    for vid, hid, area, on, answer in (
        ("v1", "r1", V1, "2026-01-01", "satisfied"),
        ("v2", "r1", V1, "2026-03-31", "basically_satisfied"),
        ("v3", "r2", V1, "2026-04-01", None),
        ("v4", "r5", V3, "2025-12-31", "dissatisfied"),
        ("v5", "r5", V3, "2026-02-02", "dissatisfied"),
        ("v6", "r2", V1, "2026-05-05", "v1"),
    ):
        visit = {"visit_id": vid, "household_id": hid, "area_code": area, "cadre_id": "c1", "visited_on": on}
        if answer == "v1":
            await _feed(app, "pairing.visit.recorded.v1", visit)
        else:
            await _feed(app, "pairing.visit.recorded.v2", visit | {"satisfaction": answer})
    # Funds: plans of 2026 at the county (1,000,000) and in V1 (500,000); V3's is 2025's.
    for plan_id, area, total, year in (
        ("plan-a", COUNTY, 1_000_000, 2026),
        ("plan-b", V1, 500_000, 2026),
        ("plan-c", V3, 300_000, 2025),
    ):
        await _feed(
            app,
            "funds.plan.recomputed.v1",
            {"plan_id": plan_id, "scheme_code": "x", "area_code": area, "total_fen": total, "year": year},
        )
    for did, area, amount, year, at in (
        ("d1", V1, 200_000, 2026, "2026-03-31T15:59:00"),  # Beijing 31 Mar 23:59: Q1
        ("d2", V1, 100_000, 2026, "2026-03-31T16:00:00"),  # Beijing 1 Apr: Q2
        ("d3", COUNTY, 300_000, 2026, "2026-01-15T02:00:00"),
        ("d4", V3, 50_000, 2025, "2026-02-01T02:00:00"),  # paid in Q1 against last year's plan
    ):
        await _feed(
            app,
            "funds.disbursement.recorded.v1",
            {"disbursement_id": did, "area_code": area, "amount_fen": amount, "year": year},
            _utc(at),
        )
    await _feed(
        app,
        "funds.disbursement.reversed.v1",
        {"disbursement_id": "d3", "area_code": COUNTY, "amount_fen": 100_000, "reason": "wrong account"},
    )

    def finding(area: str, raised: date, deadline: date, status: str, **kw: Any) -> Finding:
        return finding_row(raised, deadline, status, area_code=area, **kw)

    def complaint(area: str, received: date, status: str, resolved: date | None = None) -> Complaint:
        return Complaint(
            area_code=area,
            category="other",
            summary="s",
            anonymous=True,
            status=status,
            received_on=received,
            resolved_on=resolved,
        )

    def inspection(starts: date, ends: date) -> Inspection:
        return Inspection(
            area_code=COUNTY,
            kind="announced",
            title="t",
            starts_on=starts,
            ends_on=ends,
            target_areas=[V1],
            target_prefixes=[V1],
            team=[],
            status="concluded",
            created_by="t",
        )

    async with app.state.db.transaction() as s:
        s.add_all(
            [
                finding(V1, date(2026, 1, 1), date(2026, 1, 31), "open"),  # raised Q1, late at its end
                finding(V3, date(2026, 3, 31), date(2026, 4, 30), "open"),  # raised Q1, not yet due
                finding(V1, date(2025, 12, 31), date(2026, 3, 31), "open"),  # due on the last day: not late
                finding(
                    V3,
                    date(2026, 2, 1),
                    date(2026, 3, 1),
                    "verified",
                    submitted_on=date(2026, 2, 28),
                    verified_on=date(2026, 3, 31),
                ),  # rectified in Q1
                finding(
                    V1,
                    date(2026, 2, 1),
                    date(2026, 3, 1),
                    "verified",
                    submitted_on=date(2026, 2, 27),
                    verified_on=date(2026, 4, 1),
                ),  # rectified in Q2
                complaint(V1, date(2026, 1, 1), "resolved", date(2026, 3, 31)),
                complaint(V3, date(2026, 3, 31), "received"),
                complaint(V3, date(2026, 4, 1), "received"),
                complaint(COUNTY, date(2026, 2, 1), "resolved", date(2026, 4, 2)),
                inspection(date(2026, 3, 31), date(2026, 4, 2)),
                inspection(date(2026, 4, 1), date(2026, 4, 2)),
                ReductionTarget(area_code=COUNTY, year=2026, people=20, set_by="city"),
                ReductionTarget(area_code=T1, year=2026, people=10, set_by="county"),
            ]
        )


def _flows(**nonzero: int) -> dict[str, int]:
    fields = (
        "households_registered persons_registered households_exited persons_exited households_relapsed "
        "persons_relapsed households_removed persons_removed disbursed_fen visits households_visited "
        "findings_raised findings_rectified complaints_received complaints_resolved visits_satisfied "
        "visits_basically_satisfied visits_dissatisfied"
    ).split()
    return {f: nonzero.get(f, 0) for f in fields}


Q1_T1 = _flows(
    households_registered=2,
    persons_registered=7,
    households_exited=1,
    persons_exited=3,
    households_relapsed=1,
    persons_relapsed=2,
    disbursed_fen=200_000,
    visits=2,
    households_visited=1,
    visits_satisfied=1,
    visits_basically_satisfied=1,
    findings_raised=2,
    complaints_received=1,
    complaints_resolved=1,
)
Q1_T2 = _flows(
    households_registered=1,
    persons_registered=1,
    households_exited=1,
    persons_exited=2,
    households_removed=1,
    persons_removed=5,
    disbursed_fen=50_000,
    visits=1,
    households_visited=1,
    visits_dissatisfied=1,
    findings_raised=2,
    findings_rectified=1,
    complaints_received=1,
)
Q1_OWN = _flows(disbursed_fen=200_000, complaints_received=1)
Q1_TOTAL = _flows(
    households_registered=3,
    persons_registered=8,
    households_exited=2,
    persons_exited=5,
    households_relapsed=1,
    persons_relapsed=2,
    households_removed=1,
    persons_removed=5,
    disbursed_fen=450_000,
    visits=3,
    households_visited=2,
    visits_satisfied=1,
    visits_basically_satisfied=1,
    visits_dissatisfied=1,
    findings_raised=4,
    findings_rectified=1,
    complaints_received=3,
    complaints_resolved=1,
)


def _today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    clock.freeze(day)


async def test_q1_figures_are_hand_counted_per_township_and_in_total(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture(app)
        r = await c.get(f"{BASE}/{COUNTY}", params={"year": 2026, "quarter": 1}, headers=COUNTY_READER)
        assert r.status_code == 200, r.text
        rep = r.json()
        assert rep["period"] == {"start": "2026-01-01", "end": "2026-03-31"}
        assert rep["deadline"] == "2026-04-10"
        assert [(row["area_code"], row["name"], row["own_level"]) for row in rep["rows"]] == [
            (T1, "Township one", False),
            (T2, "Township two", False),
            (COUNTY, "Test county", True),
        ]
        t1, t2, own = rep["rows"]
        assert t1["quarter"] == Q1_T1
        assert t2["quarter"] == Q1_T2
        assert own["quarter"] == Q1_OWN
        assert rep["total"]["quarter"] == Q1_TOTAL
        assert rep["total"]["year_to_date"] == Q1_TOTAL  # Q1's year to date is the quarter
        assert t1["standing"] == {
            "target_people": 10,
            "target_progress": "0.3000",
            "planned_fen": 500_000,
            "received_fen": None,
            "plan_year_disbursed_fen": 200_000,
            "disbursement_rate": "0.4000",
            "households_in_roll": 4,  # r1, r2, r3, x4 (relapsed)
            "households_paired": 3,
            "pairing_coverage": "0.7500",
            "findings_overdue": 1,
            "satisfaction_rate": "1.0000",  # 满意 and 基本满意 both count as satisfied
        }
        assert t2["standing"]["satisfaction_rate"] == "0.0000"  # one answer, 不满意
        assert own["standing"]["satisfaction_rate"] is None  # no visit answered there: nothing to measure
        assert t2["standing"]["target_people"] is None
        assert t2["standing"]["target_progress"] is None
        assert t2["standing"]["disbursement_rate"] is None  # no plan of 2026 there: nothing to measure
        assert rep["total"]["standing"] == {
            "target_people": 20,
            "target_progress": "0.2500",  # 5 of 20 people
            "planned_fen": 1_500_000,
            "received_fen": None,
            "plan_year_disbursed_fen": 400_000,  # d1 + d3 net of its reversal; d2 after the quarter
            "disbursement_rate": "0.2667",
            "households_in_roll": 6,
            "households_paired": 4,
            "pairing_coverage": "0.6667",
            "findings_overdue": 1,
            "satisfaction_rate": "0.6667",  # (1 满意 + 1 基本满意) of 3 answers
        }
        assert rep["inspections_quarter"] == 1
        assert rep["inspections_year_to_date"] == 1
        assert "received_fen" in {u["field"] for u in rep["unavailable"]}
        assert not [u for u in rep["unavailable"] if "satisfaction" in u["field"]]


async def test_q2_quarter_and_year_to_date(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture(app)
        rep = (
            await c.get(f"{BASE}/{COUNTY}", params={"year": 2026, "quarter": 2}, headers=COUNTY_READER)
        ).json()
        assert rep["period"] == {"start": "2026-04-01", "end": "2026-06-30"}
        q, ytd = rep["total"]["quarter"], rep["total"]["year_to_date"]
        assert (q["households_registered"], q["persons_registered"]) == (1, 2)  # r3 on 1 April
        assert (q["households_exited"], q["persons_exited"]) == (1, 4)
        assert (q["households_relapsed"], q["persons_relapsed"]) == (1, 3)  # Beijing 1 April 00:00
        assert q["disbursed_fen"] == 100_000
        assert q["visits"] == 2  # v3 (not asked) and v6 (a version 1 event): no answer
        assert (q["visits_satisfied"], q["visits_basically_satisfied"], q["visits_dissatisfied"]) == (0, 0, 0)
        assert (q["findings_raised"], q["findings_rectified"]) == (0, 1)
        assert (q["complaints_received"], q["complaints_resolved"]) == (1, 1)
        assert (ytd["households_registered"], ytd["persons_registered"]) == (4, 10)
        assert (ytd["households_exited"], ytd["persons_exited"]) == (3, 9)
        assert (ytd["households_relapsed"], ytd["persons_relapsed"]) == (2, 5)
        assert (ytd["visits"], ytd["households_visited"]) == (5, 3)
        assert rep["total"]["standing"]["satisfaction_rate"] == "0.6667"  # the year's answers to date
        assert ytd["disbursed_fen"] == 550_000
        assert rep["total"]["standing"]["target_progress"] == "0.4500"  # 9 of 20
        assert rep["total"]["standing"]["plan_year_disbursed_fen"] == 500_000
        assert rep["inspections_quarter"] == 2
        assert rep["inspections_year_to_date"] == 2


async def test_township_rows_are_villages_and_scoping_is_404(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture(app)
        q1 = {"year": 2026, "quarter": 1}
        t1 = (await c.get(f"{BASE}/{T1}", params=q1, headers=auth("cadre", T1))).json()
        assert [row["area_code"] for row in t1["rows"]] == [V1, V2]
        assert t1["total"]["quarter"] == Q1_T1
        assert t1["total"]["standing"]["target_people"] == 10
        village = (await c.get(f"{BASE}/{V3}", params=q1, headers=auth("cadre", V3))).json()
        assert [(row["area_code"], row["own_level"]) for row in village["rows"]] == [(V3, True)]
        assert village["total"]["quarter"] == Q1_T2
        city = await c.get(f"{BASE}/{COUNTY}", params=q1, headers=auth("auditor", CITY))
        assert city.status_code == 200
        assert city.json()["total"]["quarter"] == Q1_TOTAL
        # another county, or a township reading its county: not in their area
        for headers in (auth("inspector", OTHER_COUNTY), auth("inspector", T1)):
            r = await c.get(f"{BASE}/{COUNTY}", params=q1, headers=headers)
            assert r.status_code == 404
            assert r.json()["type"].endswith("/progress-report-not-found")
            r = await c.get(f"{BASE}/{COUNTY}/document", params=q1, headers=headers)
            assert r.status_code == 404
        other = (
            await c.get(f"{BASE}/{OTHER_COUNTY}", params=q1, headers=auth("inspector", OTHER_COUNTY))
        ).json()
        assert other["total"]["quarter"]["households_registered"] == 1  # its own village only
        assert (
            await c.get(f"{BASE}/{COUNTY}", params={"year": 2026, "quarter": 5}, headers=COUNTY_READER)
        ).status_code == 422
        assert (
            await c.get(f"{BASE}/{COUNTY}", params={"year": 2026}, headers=COUNTY_READER)
        ).status_code == 422
        assert (await c.get(f"{BASE}/{COUNTY}", params=q1)).status_code == 401


async def test_workbook_holds_the_same_numbers(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture(app)
        r = await c.get(
            f"{BASE}/{COUNTY}/document", params={"year": 2026, "quarter": 1}, headers=COUNTY_READER
        )
        assert r.status_code == 200
        assert r.headers["content-disposition"] == f'attachment; filename="progress-{COUNTY}-2026-Q1.xlsx"'
        wb = load_workbook(io.BytesIO(r.content))
        # What a county office opens: Chinese sheets and headers, money in 元, header row frozen.
        assert wb.sheetnames == ["报告", "本季度", "年初至今", "时点数"]
        assert wb["本季度"].freeze_panes == "A2"
        rows = list(wb["本季度"].iter_rows(values_only=True))
        assert rows[0][:4] == ("地区代码", "地区名称", "新识别户数", "新识别人数")
        assert "拨付资金（元）" in rows[0]
        assert rows[-1][0] == "合计"
        assert rows[0][-3:] == ("走访满意数", "走访基本满意数", "走访不满意数")
        assert rows[-1][-3:] == (1, 1, 1)
        standing = list(wb["时点数"].iter_rows(values_only=True))
        assert standing[0][-1] == "群众满意率（满意+基本满意）"
        assert standing[-1][-1] == "0.6667"  # as the other rates
        summary = [row[0] for row in wb["报告"].iter_rows(values_only=True)]
        assert not [item for item in summary if item and "满意" in str(item)]  # no longer "暂无数据"
        assert wb["报告"]["A1"].value == "2026年第1季度扶贫工作进度报告"

        # The machine-readable form keeps the field names; money is in 元 in both.
        r = await c.get(
            f"{BASE}/{COUNTY}/document",
            params={"year": 2026, "quarter": 1, "headers": "codes"},
            headers=COUNTY_READER,
        )
        wb = load_workbook(io.BytesIO(r.content))
        assert wb.sheetnames == ["report", "quarter", "year to date", "standing"]
        rows = list(wb["quarter"].iter_rows(values_only=True))
        header = rows[0]

        def in_fen(values: dict) -> dict:
            return {k: round(v * 100) if k.endswith("_fen") else v for k, v in values.items()}

        table = {row[0]: in_fen(dict(zip(header[2:], row[2:], strict=True))) for row in rows[1:]}
        assert table[T1] == Q1_T1
        assert table[T2] == Q1_T2
        assert table[COUNTY] == Q1_OWN
        assert table["TOTAL"] == Q1_TOTAL
        standing = {row[0]: row for row in wb["standing"].iter_rows(values_only=True)}
        head = list(standing["area_code"])
        total = dict(zip(head, standing["TOTAL"], strict=True))
        assert total["planned_fen"] == 15_000  # 元
        assert total["disbursement_rate"] == "0.2667"
        assert total["target_people"] == 20
        assert total["received_fen"] is None


async def test_submission_freezes_conflicts_and_corrects(make_db, monkeypatch) -> None:
    app = app_for(make_db)
    approver = auth("approver", COUNTY, sub="county-office")
    url = f"{BASE}/{COUNTY}/2026/1/submission"
    async with service_client(app) as c:
        await _fixture(app)
        _today(monkeypatch, date(2026, 3, 31))
        r = await c.post(url, json={}, headers=approver)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/progress-report-quarter-not-over")
        _today(monkeypatch, date(2026, 4, 8))
        assert (await c.post(url, json={}, headers=auth("cadre", COUNTY))).status_code == 403
        r = await c.post(url, json={}, headers=auth("approver", CITY))  # the city does not report for it
        assert r.status_code == 403
        assert r.json()["type"].endswith("/submitter-not-of-area")
        assert (await c.post(url, json={}, headers=auth("approver", OTHER_COUNTY))).status_code == 404
        r = await c.post(url, json={"correction_reason": "x"}, headers=approver)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/progress-report-nothing-to-correct")
        assert (await c.get(url, headers=COUNTY_READER)).status_code == 404

        r = await c.post(url, json={"note": "Q1 as of 8 April"}, headers=approver)
        assert r.status_code == 201, r.text
        first = r.json()
        assert (first["version"], first["late"], first["submitted_on"]) == (1, False, "2026-04-08")
        assert first["report"]["total"]["quarter"] == Q1_TOTAL

        r = await c.post(url, json={}, headers=approver)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/progress-report-already-submitted")
        assert r.json()["current_version"] == 1
        assert "correction_reason" in r.json()["detail"]

        # A late-arriving exit dated in Q1 changes the live report, not the submitted one.
        await _exited(app, "x9", V3, "2026-02-20", 6)
        live = (
            await c.get(f"{BASE}/{COUNTY}", params={"year": 2026, "quarter": 1}, headers=COUNTY_READER)
        ).json()
        assert live["total"]["quarter"]["persons_exited"] == 11
        frozen = (await c.get(url, headers=auth("inspector", CITY))).json()
        assert frozen["current"]["report"]["total"]["quarter"]["persons_exited"] == 5

        _today(monkeypatch, date(2026, 4, 20))
        r = await c.post(url, json={"correction_reason": "exit of x9 recorded late"}, headers=approver)
        assert r.status_code == 201, r.text
        second = r.json()
        assert second["version"] == 2
        assert second["supersedes_id"] == first["id"]
        assert second["late"] is False  # lateness is the first submission's
        assert second["report"]["total"]["quarter"]["persons_exited"] == 11
        history = (await c.get(url, headers=COUNTY_READER)).json()
        assert history["current"]["id"] == second["id"]
        assert [(v["version"], v["correction_reason"]) for v in history["versions"]] == [
            (1, None),
            (2, "exit of x9 recorded late"),
        ]
        assert (await c.get(url, headers=auth("inspector", OTHER_COUNTY))).status_code == 404

        async with app.state.db.transaction() as s:
            events = [
                e["data"]
                for e in (
                    await s.execute(
                        select(outbox.c.envelope).where(
                            outbox.c.type == "inspection.progress_report.submitted.v1"
                        )
                    )
                ).scalars()
            ]
            audits = (
                await s.execute(
                    select(audit_log.c.actor, audit_log.c.after).where(
                        audit_log.c.action == "progress_report.submitted"
                    )
                )
            ).all()
        assert [(e["area_code"], e["version"], e["late"]) for e in events] == [
            (COUNTY, 1, False),
            (COUNTY, 2, False),
        ]
        assert events[1]["supersedes_id"] == first["id"]
        assert events[1]["correction_reason"] == "exit of x9 recorded late"
        assert [a.actor for a in audits] == ["county-office", "county-office"]


async def test_the_city_sees_which_counties_submitted_and_which_are_late(make_db, monkeypatch) -> None:
    app = app_for(make_db)
    status_url = f"{BASE}/{CITY}/2026/1/submissions"
    city = auth("inspector", CITY)
    async with service_client(app) as c:
        await _fixture(app)
        _today(monkeypatch, date(2026, 4, 10))  # the deadline itself: on time
        r = await c.post(f"{BASE}/{COUNTY}/2026/1/submission", json={}, headers=auth("approver", COUNTY))
        assert r.status_code == 201
        assert r.json()["late"] is False
        before = (await c.get(status_url, headers=city)).json()
        assert before["deadline"] == "2026-04-10"
        assert [(ch["area_code"], ch["status"]) for ch in before["children"]] == [
            (COUNTY, "on_time"),
            (OTHER_COUNTY, "pending"),
            (THIRD_COUNTY, "pending"),
        ]
        assert before["late"] == []
        _today(monkeypatch, date(2026, 4, 11))  # one day past it
        r = await c.post(
            f"{BASE}/{OTHER_COUNTY}/2026/1/submission", json={}, headers=auth("admin", OTHER_COUNTY)
        )
        assert r.status_code == 201
        assert r.json()["late"] is True
        after = (await c.get(status_url, headers=city)).json()
        assert [(ch["area_code"], ch["name"], ch["status"]) for ch in after["children"]] == [
            (COUNTY, "Test county", "on_time"),
            (OTHER_COUNTY, "Other county", "late"),
            (THIRD_COUNTY, "Third county", "overdue"),
        ]
        assert after["submitted"] == [COUNTY, OTHER_COUNTY]
        assert after["late"] == [OTHER_COUNTY, THIRD_COUNTY]
        # the county sees its townships (none submitted); another county cannot look at the city
        county_view = (await c.get(f"{BASE}/{COUNTY}/2026/1/submissions", headers=COUNTY_READER)).json()
        assert [(ch["area_code"], ch["status"]) for ch in county_view["children"]] == [
            (T1, "overdue"),
            (T2, "overdue"),
        ]
        assert (await c.get(status_url, headers=auth("inspector", COUNTY))).status_code == 404


async def test_the_running_quarter_counts_as_overdue_only_what_is_late_today(make_db) -> None:
    """Read on 6 December at 01:30 Beijing time (UTC still the 5th), Q4's report counted every open
    finding due by 31 December as overdue, deadlines not yet come. Late is as of today while the
    quarter runs, and as of its last day once it is over."""
    app = app_for(make_db)
    params = {"year": 2026, "quarter": 4}
    async with service_client(app) as c:
        async with app.state.db.transaction() as s:
            s.add_all(
                [
                    finding_row(date(2026, 11, 20), date(2026, 12, 5), "open", area_code=V1),
                    finding_row(date(2026, 12, 6), date(2026, 12, 21), "open", area_code=V1),
                ]
            )
        with clock.frozen(datetime(2026, 12, 5, 17, 30, tzinfo=UTC)):
            running = (await c.get(f"{BASE}/{COUNTY}", params=params, headers=COUNTY_READER)).json()
        with clock.frozen(date(2027, 1, 2)):
            over = (await c.get(f"{BASE}/{COUNTY}", params=params, headers=COUNTY_READER)).json()
    assert running["total"]["standing"]["findings_overdue"] == 1
    assert over["total"]["standing"]["findings_overdue"] == 2
