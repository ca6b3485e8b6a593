"""`jingzhun cadres backfill`: a pairing opened before the registry kept its cadre copy (and whose
event the stream no longer holds) reaches the registry, so the cadre can read their household.
Real PostgreSQL and nats-server; the registry and pairing apps each with their relay."""

from __future__ import annotations

from datetime import date

import httpx
import nats
import pytest
from sqlalchemy import text

from deploy.cadres_cli import backfill
from services.pairing.app import create_app as pairing_app
from services.pairing.settings import PairingSettings
from services.registry.app import create_app as registry_app
from services.registry.settings import RegistrySettings
from shared.events.streams import stream_for
from shared.resident_id import make
from tests.support import auth, service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio

COUNTY, TOWN, VILLAGE = "440783000000", "440783101000", "440783101201"
APPROVER = auth(["registrar", "approver"], COUNTY)
OFFICE = auth("registrar", COUNTY)
CADRE = auth("cadre", VILLAGE, sub="cadre-old")
AREAS = [
    {"code": "440000000000", "name": "广东省"},
    {"code": "440700000000", "name": "江门市"},
    {"code": COUNTY, "name": "开平市"},
    {"code": TOWN, "name": "赤水镇", "synthetic_code": True},
    {"code": VILLAGE, "name": "步栏村", "rural_population": 1000, "synthetic_code": True},
]
HEAD = make("440783", date(1966, 6, 6), 11, sex="male")


async def _household(registry: httpx.AsyncClient) -> str:
    r = await registry.post(
        "/registry/v1/areas", json={"areas": AREAS}, headers=auth("registrar", "440000000000")
    )
    assert r.status_code == 200, r.text
    row = {
        "area_code": VILLAGE,
        "year": 2016,
        "registered_on": "2016-12-01",
        "poverty_causes": ["illness"],
        "members": [{"name": "老结对户", "resident_id": HEAD, "relation": "head", "labour_capacity": "full"}],
    }
    body = {"households": [row], "source_roll": "开平市2016年花名册", "reason": "历史数据"}
    r = await registry.post("/registry/v1/households/imports", json=body, headers=APPROVER)
    assert r.status_code == 200, r.text
    r = await registry.get("/registry/v1/households", params={"resident_id": HEAD}, headers=APPROVER)
    return str(r.json()["items"][0]["id"])


async def test_backfill_brings_an_old_pairing_to_the_registry(make_db, nats_url) -> None:  # type: ignore[no-untyped-def]
    registry_url, pairing_url = make_db("registry"), make_db("pairing")
    # the registry of before: it publishes, but does not yet keep a copy of pairing's pairings
    old_registry = registry_app(settings_for(RegistrySettings, registry_url, nats_url, run_consumers=False))
    pairing = pairing_app(settings_for(PairingSettings, pairing_url, nats_url))
    async with service_client(old_registry) as registry, service_client(pairing) as p:
        household = await _household(registry)

        async def known() -> bool:
            return (await p.get(f"/pairing/v1/households/{household}", headers=OFFICE)).status_code == 200

        await wait_for(known, what="pairing knows the household", timeout_s=30)
        r = await p.post(
            "/pairing/v1/helpers",
            json={"kind": "cadre", "name": "老干部", "area_code": VILLAGE, "user_sub": "cadre-old"},
            headers=OFFICE,
        )
        assert r.status_code == 201, r.text
        r = await p.post(
            "/pairing/v1/pairings",
            json={"kind": "cadre_household", "helper_id": r.json()["id"], "target_id": household},
            headers=OFFICE,
        )
        assert r.status_code == 201, r.text
        await wait_for(lambda: _unsent(pairing_url), what="pairing's outbox sent", timeout_s=30)

    # the stream has long dropped that event (retention)
    nc = await nats.connect(nats_url)
    await nc.jetstream().purge_stream(stream_for("pairing"))
    await nc.close()

    registry_now = registry_app(settings_for(RegistrySettings, registry_url, nats_url))
    pairing = pairing_app(settings_for(PairingSettings, pairing_url, nats_url))
    async with service_client(registry_now) as registry, service_client(pairing):
        r = await registry.get(f"/registry/v1/households/{household}", headers=CADRE)
        assert r.status_code == 404  # the registry does not know the cadre is paired to it

        assert await backfill(pairing_url) == 1

        async def readable() -> bool:
            return (
                await registry.get(f"/registry/v1/households/{household}", headers=CADRE)
            ).status_code == 200

        await wait_for(readable, what="the cadre reads their household", timeout_s=30)
        # run twice: nothing doubles
        assert await backfill(pairing_url) == 1
        await wait_for(lambda: _unsent(pairing_url), what="sent again", timeout_s=30)
        async with registry_now.state.db.transaction() as s:
            rows = (
                await s.execute(text("SELECT helper_sub, household_id, ended FROM cadre_household"))
            ).all()
        assert [tuple(r) for r in rows] == [("cadre-old", household, False)]


async def _unsent(url: str) -> bool:
    from shared.db import Database

    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as s:
            return (
                await s.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            ).scalar_one() == 0
    finally:
        await db.dispose()
