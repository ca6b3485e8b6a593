"""A cadre reads only the households paired to them, in the registry as in pairing (shared.cadres).

Real PostgreSQL and NATS: the registry's households reach pairing over the bus, a pairing is made
through pairing's API, and its event reaches the registry's projection over the bus.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from services.pairing.app import create_app as create_pairing
from services.pairing.settings import PairingSettings
from shared.clock import clock
from tests.registry.integration.helpers import VILLAGE, load_areas, registered, registry_app
from tests.support import auth, service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio

COUNTY = "440783000000"
OFFICE = auth(["registrar"], COUNTY, sub="kaiping-office")
CADRE = auth(["cadre"], COUNTY, sub="cadre-chen")
CADRE_AND_REGISTRAR = auth(["cadre", "registrar"], COUNTY, sub="cadre-chen")


async def test_a_cadre_reads_their_paired_household_and_nothing_else(
    make_db: Callable[[str], str], nats_url: str
) -> None:
    registry = registry_app(make_db("registry"), nats_url)
    pairing = create_pairing(settings_for(PairingSettings, make_db("pairing"), nats_url))
    async with service_client(registry) as reg, service_client(pairing) as pair:
        await load_areas(reg)
        mine = (await registered(reg))["id"]
        other = (await registered(reg))["id"]  # same village, not paired to the cadre

        async def known_to_pairing() -> bool:
            r = await pair.get(f"/pairing/v1/households/{mine}", headers=OFFICE)
            return r.status_code == 200

        await wait_for(known_to_pairing, what="the registered household in pairing's copy")
        helper = await pair.post(
            "/pairing/v1/helpers",
            json={"kind": "cadre", "name": "陈干部", "area_code": VILLAGE, "user_sub": "cadre-chen"},
            headers=OFFICE,
        )
        assert helper.status_code == 201, helper.text
        opened = await pair.post(
            "/pairing/v1/pairings",
            json={"kind": "cadre_household", "helper_id": helper.json()["id"], "target_id": mine},
            headers=OFFICE,
        )
        assert opened.status_code == 201, opened.text

        async def card_readable() -> bool:
            return (await reg.get(f"/registry/v1/households/{mine}", headers=CADRE)).status_code == 200

        await wait_for(card_readable, what="the pairing projected into the registry")
        card = (await reg.get(f"/registry/v1/households/{mine}", headers=CADRE)).json()
        assert card["id"] == mine

        # Same county, same village, not theirs: 404, as if it did not exist.
        r = await reg.get(f"/registry/v1/households/{other}", headers=CADRE)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "李小红" not in r.text
        listed = await reg.get("/registry/v1/households", headers=CADRE)
        assert [h["id"] for h in listed.json()["items"]] == [mine]
        found = await reg.get("/registry/v1/households", params={"name": "王"}, headers=CADRE)
        assert [h["id"] for h in found.json()["items"]] == [mine]
        # Their village's roll-up, not the county's.
        assert (await reg.get(f"/registry/v1/rollups/{VILLAGE}", headers=CADRE)).status_code == 200
        assert (await reg.get(f"/registry/v1/rollups/{COUNTY}", headers=CADRE)).status_code == 404

        # A cadre who is also a registrar keeps the registrar's view.
        r = await reg.get(f"/registry/v1/households/{other}", headers=CADRE_AND_REGISTRAR)
        assert r.status_code == 200
        listed = await reg.get("/registry/v1/households", headers=CADRE_AND_REGISTRAR)
        assert sorted(h["id"] for h in listed.json()["items"]) == sorted([mine, other])

        # The pairing ends: the household is no longer theirs to read.
        pairing_id = opened.json()["id"]
        ended = await pair.post(
            f"/pairing/v1/pairings/{pairing_id}/end",
            json={"reason": "reassigned", "ended_on": clock.today().isoformat()},
            headers=OFFICE,
        )
        assert ended.status_code == 200, ended.text

        async def card_gone() -> bool:
            return (await reg.get(f"/registry/v1/households/{mine}", headers=CADRE)).status_code == 404

        await wait_for(card_gone, what="the ended pairing projected into the registry")
        listed = await reg.get("/registry/v1/households", headers=CADRE)
        assert listed.json()["items"] == []
    await asyncio.sleep(0)
