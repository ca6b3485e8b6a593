"""Registry → pairing over a real NATS JetStream for a household that moves (迁移): the registry's
move route publishes through its outbox, the running pairing app ends the village cadre's pairing
(household_moved) and opens a need in the new village; the same event redelivered changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

import nats
import pytest
from sqlalchemy import func, select

from services.pairing.app import create_app
from services.pairing.models import Pairing, PairingNeed
from services.pairing.settings import PairingSettings
from shared.clock import clock
from shared.events.streams import ensure_streams
from shared.tables import outbox
from tests.pairing.factories import OFFICE, helper, pair
from tests.registry.integration.helpers import (
    COUNTY_REGISTRAR,
    OTHER_VILLAGE,
    VILLAGE,
    load_areas,
    registered,
    registry_app,
)
from tests.support import service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio


async def test_a_move_ends_the_village_cadres_pairing_and_opens_a_need_once(
    make_db: Callable[[str], str], nats_url: str
) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    registry = registry_app(make_db("registry"), nats_url)
    pairing = create_app(settings_for(PairingSettings, make_db("pairing"), nats_url))
    try:
        async with service_client(registry) as reg, service_client(pairing) as client:
            await load_areas(reg)
            h = await registered(reg)

            async def projected() -> bool:
                r = await client.get(f"/pairing/v1/households/{h['id']}", headers=OFFICE)
                return r.status_code == 200 and r.json()["status"] == "registered"

            await wait_for(projected, what="the registered household projected in pairing")
            cadre = await helper(client, area_code=VILLAGE)
            assert (await pair(client, "cadre_household", cadre, h["id"])).status_code == 201

            r = await reg.post(
                f"/registry/v1/households/{h['id']}/move",
                json={
                    "to_area_code": OTHER_VILLAGE,
                    "reason": "family",
                    "moved_on": clock.today().isoformat(),
                },
                headers=COUNTY_REGISTRAR,
            )
            assert r.status_code == 200, r.text

            async def need_in_new_village() -> list[dict]:  # type: ignore[type-arg]
                r = await client.get("/pairing/v1/needs?status=open", headers=OFFICE)
                return [n for n in r.json()["items"] if n["area_code"] == OTHER_VILLAGE]

            needs = await wait_for(need_in_new_village, what="a need opened where the household now lives")
            assert [n["household_id"] for n in needs] == [h["id"]]

            # JetStream redelivers the move (a lost ack): nothing more happens.
            async with registry.state.db.transaction() as s:
                envelope = (
                    await s.execute(select(outbox.c.envelope).order_by(outbox.c.seq.desc()).limit(1))
                ).scalar_one()
            assert envelope["data"]["change"] == "moved"
            ack = await js.publish(
                envelope["type"], json.dumps(envelope).encode(), headers={"Nats-Msg-Id": "move-again"}
            )

            async def redelivery_handled() -> bool:
                info = await js.consumer_info("REGISTRY", "pairing-from-registry")
                return info.ack_floor.stream_seq >= ack.seq

            await wait_for(redelivery_handled, what="the redelivered move consumed and acked")
            async with pairing.state.db.transaction() as s:
                ended = (
                    await s.execute(select(Pairing.end_reason, Pairing.ended_on, Pairing.area_code))
                ).one()
                need_rows = (await s.execute(select(func.count()).select_from(PairingNeed))).scalar_one()
                closed_events = (
                    await s.execute(select(func.count()).where(outbox.c.type == "pairing.pairing.closed.v1"))
                ).scalar_one()
            assert (ended.end_reason, ended.area_code) == ("household_moved", VILLAGE)
            assert need_rows == 2  # the first (fulfilled by the cadre) and the one the move opened
            assert closed_events == 1
    finally:
        await nc.close()
