"""Snapshot + catch-up: a platform that loads the registry snapshot and then reads the feed from the
snapshot's position ends up with exactly the registry, even with writes while the snapshot is read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from services.registry.models import Household
from services.registry.snapshot import service as snapshot_service
from shared.events.streams import stream_for
from tests.registry.integration.helpers import (
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import auth, service_client, wait_for

pytestmark = pytest.mark.asyncio
COUNTY = "440783000000"
PLATFORM = auth("service", "440000000000", sub="gd-bigdata")
HOUSEHOLD_STATE = {  # event type → how it sets the household's fields the platform keeps
    "registry.household.candidate_created.v1": "candidate",
    "registry.household.registered.v1": "registered",
    "registry.household.updated.v1": None,  # carries the status itself
}

Projection = dict[str, tuple[str, str, int]]  # household id → (area_code, status, member_count)


class Platform:
    """A provincial platform's copy: loads a snapshot, then applies feed events idempotently."""

    def __init__(self) -> None:
        self.households: Projection = {}
        self.applied: set[str] = set()
        self.repeats = 0

    def load(self, lines: list[dict[str, Any]]) -> int:
        header, *rows, end = lines
        assert header["kind"] == "header"
        assert end["kind"] == "end"
        for row in rows:
            if row["kind"] == "household":
                self.households[row["id"]] = (row["area_code"], row["status"], row["member_count"])
            elif row["kind"] == "reflected":  # already shown here: skipped in the feed
                self.applied.add(row["event_id"])
        assert end["counts"]["household"] == len(self.households)
        return int(header["feed_after"])

    def apply(self, event: dict[str, Any]) -> None:
        if event["id"] in self.applied:
            return
        self.applied.add(event["id"])
        assert event["type"] in HOUSEHOLD_STATE, event["type"]
        data = event["data"]
        status = HOUSEHOLD_STATE[event["type"]] or data["status"]
        new = (data["area_code"], status, data["member_count"])
        if self.households.get(data["household_id"]) == new:
            self.repeats += 1  # already reflected in the snapshot: harmless
        self.households[data["household_id"]] = new


async def _truth(app: Any) -> Projection:
    async with app.state.db.transaction() as session:
        rows = (
            await session.execute(
                select(Household.id, Household.area_code, Household.status, Household.member_count)
            )
        ).all()
    return {str(r.id): (r.area_code, r.status, r.member_count) for r in rows}


async def _catch_up(c: Any, platform: Platform, after: int) -> int:
    while True:
        r = await c.get(
            "/registry/v1/feed/events",
            params={"after": after, "limit": 500, "types": "registry.household.>"},
            headers=PLATFORM,
        )
        assert r.status_code == 200, r.text
        page = r.json()
        for entry in page["events"]:
            platform.apply(entry["event"])
        after = page["next_after"]
        if not page["has_more"]:
            return after


async def test_snapshot_plus_feed_equals_the_registry_after_writes_during_the_snapshot(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        before = [await registered(c, members=[member("head")]) for _ in range(2)]
        await candidate(c, area_code=OTHER_VILLAGE)
        # no waiting for the relay: some of these events may still be unpublished when the
        # snapshot starts (they are then in the snapshot and come again in the feed)

        js = await app.state.runtime.jetstream()

        async def last_seq() -> int:
            return int((await js.stream_info(stream_for("registry"))).state.last_seq)

        lines = snapshot_service.lines(app.state.db.engine, prefix="4407", stream_last_seq=last_seq)
        header = json.loads(await anext(lines))  # the snapshot transaction has taken its first read
        # writes while the snapshot is being read: a new candidate, a birth, a second one
        late = await candidate(c)
        r = await c.post(
            f"/registry/v1/households/{before[0]['id']}/members",
            json={"member": member("child", name="新生", resident_id=person_id()), "reason": "birth"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201, r.text
        rest = [json.loads(line) async for chunk in lines for line in chunk.splitlines()]
        snap = [header, *rest]
        kinds = [row["kind"] for row in snap]
        assert kinds[0] == "header"
        assert kinds[-1] == "end"
        assert kinds.index("household") > kinds.index("area")
        assert kinds.index("member") > kinds.index("household")

        platform = Platform()
        after = platform.load(snap)
        assert late["id"] not in platform.households  # written after the snapshot began
        assert platform.households[before[0]["id"]][2] == 1  # the birth is not in it
        # every member's ID and name masked
        members = [row for row in snap if row["kind"] == "member"]
        assert members
        assert all("*" in m["resident_id_masked"] and "resident_id" not in m for m in members)

        truth = await _truth(app)

        async def caught_up() -> bool:
            await _catch_up(c, platform, after)
            return platform.households == truth

        await wait_for(caught_up, timeout_s=20, what="the platform to equal the registry")
        assert platform.households[late["id"]] == (VILLAGE, "candidate", 2)
        assert platform.households[before[0]["id"]][2] == 2


async def test_the_snapshot_route_streams_ndjson_for_machine_readers_in_their_area(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        r = await c.get("/registry/v1/snapshot", params={"area_code": COUNTY}, headers=PLATFORM)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/x-ndjson")
        rows = [json.loads(line) for line in r.text.splitlines()]
        assert rows[0]["kind"] == "header"
        assert rows[0]["area_prefix"] == "440783"
        assert rows[0]["feed_after"] >= 0
        assert [row["id"] for row in rows if row["kind"] == "household"] == [h["id"]]
        assert {k: v for k, v in rows[-1]["counts"].items() if k != "reflected"} == {
            "area": 4,
            "household": 1,
            "member": 2,
        }
        reflected = [row["event_id"] for row in rows if row["kind"] == "reflected"]
        assert rows[-1]["counts"]["reflected"] == len(reflected)
        # a clerk is not a bulk reader; another province is out of scope
        assert (
            await c.get("/registry/v1/snapshot", params={"area_code": COUNTY}, headers=REGISTRAR)
        ).status_code == 403
        other = auth("service", "450000000000")
        assert (
            await c.get("/registry/v1/snapshot", params={"area_code": COUNTY}, headers=other)
        ).status_code == 404
