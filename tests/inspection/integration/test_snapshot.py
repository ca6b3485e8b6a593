"""Inspection's snapshot + catch-up on real PostgreSQL and NATS: a platform that loads the
snapshot and then reads the feed from its position ends equal to inspection's findings, with a
finding raised and another rectified while the snapshot is read."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.inspection.consumers import HANDLERS
from services.inspection.models import Finding
from services.inspection.snapshot.router import SECTIONS
from shared.clock import clock
from shared.events.consumer import handle_event
from shared.events.streams import stream_for
from shared.snapshot import lines
from tests.inspection.integration.helpers import VILLAGE, app_for, exit_requested
from tests.support import auth, service_client, wait_for

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
INSPECTOR = auth("inspector", COUNTY, sub="inspector-zhao")
VILLAGE_CADRE = auth("cadre", VILLAGE, sub="cadre-li")
PLATFORM = auth("service", "620000000000", sub="gs-bigdata")


class Platform:
    """The platform's copy: finding id → (area, verified?)."""

    def __init__(self) -> None:
        self.findings: dict[str, tuple[str, bool]] = {}
        self.dossiers: dict[str, str] = {}
        self.applied: set[str] = set()

    def load(self, snap: list[dict[str, Any]]) -> int:
        header, *rows, end = snap
        assert (header["kind"], end["kind"]) == ("header", "end")
        for row in rows:
            if row["kind"] == "reflected":  # already in the snapshot: skipped in the feed
                self.applied.add(row["event_id"])
            elif row["kind"] == "finding":
                self.findings[row["id"]] = (row["area_code"], row["status"] == "verified")
                assert "description" not in row
                assert "responsible_person" not in row
            elif row["kind"] == "dossier":
                self.dossiers[row["id"]] = row["status"]
        assert end["counts"]["dossier"] == len(self.dossiers)
        assert end["counts"]["finding"] == len(self.findings)
        return int(header["feed_after"])

    def apply(self, event: dict[str, Any]) -> None:
        if event["id"] in self.applied:
            return
        self.applied.add(event["id"])
        data = event["data"]
        if event["type"] == "inspection.finding.raised.v1":
            self.findings.setdefault(data["finding_id"], (data["area_code"], False))
        elif event["type"] == "inspection.finding.rectified.v1":
            self.findings[data["finding_id"]] = (data["area_code"], True)


async def _truth(app: Any) -> dict[str, tuple[str, bool]]:
    async with app.state.db.transaction() as s:
        rows = (await s.execute(select(Finding.id, Finding.area_code, Finding.status))).all()
    return {str(r.id): (r.area_code, r.status == "verified") for r in rows}


async def test_snapshot_plus_feed_equals_inspection_after_writes_during_the_snapshot(make_db, nats_url):
    app = app_for(make_db, nats_url)
    async with service_client(app) as c:
        today = clock.today()
        plan = {
            "kind": "announced",
            "title": "Spring inspection",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=2)).isoformat(),
            "target_areas": [VILLAGE],
            "team": [{"name": "Inspector Zhao", "role": "leader"}],
        }
        r = await c.post("/inspection/v1/inspections", json=plan, headers=INSPECTOR)
        assert r.status_code == 201, r.text
        iid = r.json()["id"]

        async def raise_finding(title: str) -> str:
            body = {
                "area_code": VILLAGE,
                "category": "policy_not_delivered",
                "severity": "high",
                "title": title,
                "description": "王大明 says the subsidy never came",
                "responsible_unit": "Township poverty station",
                "responsible_person": "Station chief Sun",
            }
            r = await c.post(f"/inspection/v1/inspections/{iid}/findings", json=body, headers=INSPECTOR)
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        first = await raise_finding("Housing subsidy not paid")
        # a household's exit waits for sign-off: its dossier is in the snapshot too
        assert await handle_event(app.state.db, "inspection", exit_requested(), HANDLERS)

        js = await app.state.runtime.jetstream()

        async def last_seq() -> int:
            return int((await js.stream_info(stream_for("inspection"))).state.last_seq)

        stream = lines(
            app.state.db.engine,
            service="inspection",
            prefix="620521",
            sections=SECTIONS,
            stream_last_seq=last_seq,
        )
        header = json.loads(await anext(stream))  # the snapshot transaction has taken its first read
        second = await raise_finding("School subsidy late")
        url = f"/inspection/v1/findings/{first}"
        report = {
            "report": "Subsidy paid on 3 March",
            "evidence": [{"description": "bank slip", "reference": "BS-1"}],
        }
        assert (await c.post(f"{url}/rectifications", json=report, headers=VILLAGE_CADRE)).status_code == 201
        r = await c.post(f"{url}/verification", json={"accepted": True}, headers=INSPECTOR)
        assert r.json()["status"] == "verified"
        rest = [json.loads(line) async for chunk in stream for line in chunk.splitlines()]

        platform = Platform()
        after = platform.load([header, *rest])
        assert platform.findings == {first: (VILLAGE, False)}  # as it stood when the snapshot began
        assert list(platform.dossiers.values()) == ["open"]
        truth = await _truth(app)

        async def caught_up() -> bool:
            cursor = after
            while True:
                r = await c.get(
                    "/inspection/v1/feed/events", params={"after": cursor, "limit": 500}, headers=PLATFORM
                )
                assert r.status_code == 200, r.text
                page = r.json()
                for entry in page["events"]:
                    platform.apply(entry["event"])
                cursor = page["next_after"]
                if not page["has_more"]:
                    break
            return platform.findings == truth

        await wait_for(caught_up, timeout_s=20, what="the platform to equal inspection")
        assert platform.findings == {first: (VILLAGE, True), second: (VILLAGE, False)}

        r = await c.get("/inspection/v1/snapshot", params={"area_code": COUNTY}, headers=PLATFORM)
        assert r.status_code == 200, r.text
        rows = [json.loads(line) for line in r.text.splitlines()]
        assert rows[0]["format"] == "jingzhun.inspection.snapshot.v1"
        assert (rows[-1]["counts"]["dossier"], rows[-1]["counts"]["finding"]) == (1, 2)
        assert (
            await c.get("/inspection/v1/snapshot", params={"area_code": COUNTY}, headers=INSPECTOR)
        ).status_code == 403
