"""The whole exit saga with both real services over real NATS JetStream:
registry asks for the exit -> inspection opens the 4-3-4-2 dossier -> 13 signatures (or a refusal)
-> registry marks the household exited (or returns it to the roll with the reason).

Registry is driven through its own API with its own test helpers, so this test tracks the
registry's real behaviour rather than a copy of it.
"""

from __future__ import annotations

import pytest

from tests.inspection.integration.helpers import all_positions, app_for, signer
from tests.registry.integration.helpers import REGISTRAR, load_areas, registered, registry_app
from tests.registry.integration.test_exits_and_relapse import make_eligible, url
from tests.support import auth, service_client, wait_for

pytestmark = pytest.mark.asyncio


async def test_registry_to_inspection_to_registry(make_db, nats_url) -> None:
    registry = registry_app(make_db("registry"), nats_url)
    inspection = app_for(make_db, nats_url)
    async with service_client(registry) as reg, service_client(inspection) as insp:
        await load_areas(reg)
        leaving, refused = await registered(reg), await registered(reg)
        for h in (leaving, refused):
            await make_eligible(reg, h)
            r = await reg.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
            assert r.status_code in (200, 201), r.text
        area = leaving["area_code"]
        reader = auth("inspector", area[:6].ljust(12, "0"))

        async def dossier_of(h: dict) -> dict | None:
            items = (await insp.get("/inspection/v1/signoffs", headers=reader)).json()["items"]
            return next((d for d in items if d["household_id"] == h["id"]), None)

        ok = await wait_for(lambda: dossier_of(leaving), what="inspection opened the first dossier")
        bad = await wait_for(lambda: dossier_of(refused), what="inspection opened the second dossier")
        assert ok["area_code"] == area
        assert ok["status"] == "open"

        for position in all_positions():
            r = await insp.post(
                f"/inspection/v1/signoffs/{ok['id']}/signatures",
                json={"position": position},
                headers=signer(position, area, household_id=leaving["id"]),
            )
            assert r.status_code == 201, r.text

        bad_url = f"/inspection/v1/signoffs/{bad['id']}"
        # a signer with the wrong role, then one from the wrong area, change nothing
        r = await insp.post(
            f"{bad_url}/signatures",
            json={"position": "village_head"},
            headers=signer("work_team_leader", area),
        )
        assert r.status_code == 403
        r = await insp.post(
            f"{bad_url}/signatures",
            json={"position": "village_head"},
            headers=signer("village_head", area, area=area[:9] + "000"),
        )
        assert r.status_code == 403
        r = await insp.post(
            f"{bad_url}/refusals",
            json={"position": "village_head", "reason": "the family still owes 60,000 yuan for treatment"},
            headers=signer("village_head", area),
        )
        assert r.status_code == 201

        async def status_of(h: dict, wanted: str) -> dict | None:
            card = (await reg.get(url(h), headers=REGISTRAR)).json()
            return card if card["status"] == wanted else None

        exited = await wait_for(
            lambda: status_of(leaving, "exited"), timeout_s=20, what="registry marks exit"
        )
        assert exited["exited_on"]
        back = await wait_for(
            lambda: status_of(refused, "registered"), timeout_s=20, what="registry takes it back"
        )
        assert back["status"] == "registered"
        # the dossier stays rejected (registry's exit_returned does not reopen or withdraw it)
        final = (await insp.get(bad_url, headers=reader)).json()
        assert final["status"] == "rejected"
        assert final["refusal_reason"] == "the family still owes 60,000 yuan for treatment"
