"""Pairing's snapshot + catch-up on real PostgreSQL and NATS: a platform that loads the snapshot
and then reads the feed from its position ends equal to pairing, with writes during the snapshot."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from services.pairing.app import create_app
from services.pairing.models import Pairing, Visit
from services.pairing.settings import PairingSettings
from services.pairing.snapshot.router import SECTIONS
from shared.clock import clock
from shared.events.streams import stream_for
from shared.snapshot import lines
from tests.pairing.factories import COUNTY, OFFICE, TODAY, V1, V2, helper, household, pair
from tests.support import auth, service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio
PLATFORM = auth("service", "440000000000", sub="gd-bigdata")


class Platform:
    """The platform's copy: pairing id → (area, open?), and the visits it knows."""

    def __init__(self) -> None:
        self.pairings: dict[str, tuple[str, bool]] = {}
        self.visits: set[str] = set()
        self.applied: set[str] = set()

    def load(self, snap: list[dict[str, Any]]) -> int:
        header, *rows, end = snap
        assert (header["kind"], end["kind"]) == ("header", "end")
        for row in rows:
            if row["kind"] == "reflected":  # already in the snapshot: skipped in the feed
                self.applied.add(row["event_id"])
            elif row["kind"] == "pairing":
                self.pairings[row["id"]] = (row["area_code"], row["ended_on"] is None)
            elif row["kind"] == "visit":
                self.visits.add(row["id"])
                assert "notes" not in row  # free text stays home
        assert end["counts"]["pairing"] == len(self.pairings)
        assert end["counts"]["visit"] == len(self.visits)
        return int(header["feed_after"])

    def apply(self, event: dict[str, Any]) -> None:
        if event["id"] in self.applied:
            return
        self.applied.add(event["id"])
        data = event["data"]
        if event["type"] == "pairing.pairing.opened.v1":
            self.pairings[data["pairing_id"]] = (data["area_code"], True)
        elif event["type"] == "pairing.pairing.closed.v1":
            self.pairings[data["pairing_id"]] = (data["area_code"], False)
        elif event["type"] in ("pairing.visit.recorded.v1", "pairing.visit.recorded.v2"):  # v1: older
            self.visits.add(data["visit_id"])


async def _truth(app: Any) -> tuple[dict[str, tuple[str, bool]], set[str]]:
    async with app.state.db.transaction() as s:
        pairings = (await s.execute(select(Pairing.id, Pairing.area_code, Pairing.ended_on))).all()
        visits = (await s.execute(select(Visit.id))).scalars().all()
    return {str(p.id): (p.area_code, p.ended_on is None) for p in pairings}, {str(v) for v in visits}


async def _visit(c: Any, sub: str, household_id: str) -> None:
    record = {
        "type": "visit",
        "id": str(uuid.uuid4()),
        "household_id": household_id,
        "visited_on": TODAY.isoformat(),
        "kind": "home_visit",
        "notes": "讲解医保政策",
        "measures": ["办理慢病卡"],
        "household_confirmed": True,
        "satisfaction": "satisfied",
    }
    r = await c.post(
        "/pairing/v1/sync/batches", json={"records": [record]}, headers=auth(["cadre"], V1, sub=sub)
    )
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 1, r.text


async def test_snapshot_plus_feed_equals_pairing_after_writes_during_the_snapshot(make_db, nats_url):
    app = create_app(settings_for(PairingSettings, make_db("pairing"), nats_url))
    clock.freeze(TODAY)
    async with service_client(app) as c:
        cadre = await helper(c, user_sub="cadre-wang")
        first, second, third = [await household(app, area) for area in (V1, V1, V2)]
        p1 = await pair(c, "cadre_household", cadre, first, started_on="2026-09-01")
        assert p1.status_code == 201, p1.text
        await _visit(c, "cadre-wang", first)

        js = await app.state.runtime.jetstream()

        async def last_seq() -> int:
            return int((await js.stream_info(stream_for("pairing"))).state.last_seq)

        stream = lines(
            app.state.db.engine,
            service="pairing",
            prefix="440783",
            sections=SECTIONS,
            stream_last_seq=last_seq,
        )
        header = json.loads(await anext(stream))  # the snapshot transaction has taken its first read
        # meanwhile: a new pairing, a visit, the first pairing ended
        other = await helper(c, user_sub="cadre-li")
        p2 = await pair(c, "cadre_household", other, second, started_on="2026-10-01")
        assert p2.status_code == 201, p2.text
        await _visit(c, "cadre-li", second)
        r = await c.post(
            f"/pairing/v1/pairings/{p1.json()['id']}/end",
            json={"ended_on": TODAY.isoformat(), "reason": "reassigned"},
            headers=OFFICE,
        )
        assert r.status_code == 200, r.text
        rest = [json.loads(line) async for chunk in stream for line in chunk.splitlines()]

        platform = Platform()
        after = platform.load([header, *rest])
        assert platform.pairings == {p1.json()["id"]: (V1, True)}  # as it stood when the snapshot began
        assert len(platform.visits) == 1
        truth = await _truth(app)

        async def caught_up() -> bool:
            cursor = after
            while True:
                r = await c.get(
                    "/pairing/v1/feed/events", params={"after": cursor, "limit": 500}, headers=PLATFORM
                )
                assert r.status_code == 200, r.text
                page = r.json()
                for entry in page["events"]:
                    platform.apply(entry["event"])
                cursor = page["next_after"]
                if not page["has_more"]:
                    break
            return (platform.pairings, platform.visits) == truth

        await wait_for(caught_up, timeout_s=20, what="the platform to equal pairing")
        assert platform.pairings[p1.json()["id"]] == (V1, False)
        assert platform.pairings[p2.json()["id"]] == (V1, True)
        assert third not in {p for p, _ in platform.pairings.values()}

        # the route: NDJSON for machine readers of the area; a clerk is not one, nor another province
        r = await c.get("/pairing/v1/snapshot", params={"area_code": COUNTY}, headers=PLATFORM)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/x-ndjson")
        rows = [json.loads(line) for line in r.text.splitlines()]
        assert rows[0]["format"] == "jingzhun.pairing.snapshot.v1"
        assert (rows[-1]["counts"]["pairing"], rows[-1]["counts"]["visit"]) == (2, 2)
        assert (
            await c.get("/pairing/v1/snapshot", params={"area_code": COUNTY}, headers=OFFICE)
        ).status_code == 403
        elsewhere = auth("service", "450000000000")
        r = await c.get("/pairing/v1/snapshot", params={"area_code": COUNTY}, headers=elsewhere)
        assert r.status_code == 404
        assert r.json()["type"].endswith("/snapshot-area-not-found")
