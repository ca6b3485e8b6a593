"""A cadre reads only the households paired to them, in the registry as in pairing (shared.cadres).

Real PostgreSQL and NATS: the registry's households reach pairing over the bus, a pairing is made
through pairing's API, and its event reaches the registry's projection over the bus.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import nats
import pytest

from services.pairing.app import create_app as create_pairing
from services.pairing.settings import PairingSettings
from shared.clock import clock
from shared.db import Database
from shared.events import add_event
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_streams
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
            # registered, not only known: pairing applies the walk's events in batches, so the copy
            # may show the household as a candidate before its registration arrives
            r = await pair.get(f"/pairing/v1/households/{mine}", headers=OFFICE)
            return r.status_code == 200 and r.json()["status"] == "registered"

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


@asynccontextmanager
async def pairing_bus(make_db: Callable[[str], str], nats_url: str) -> AsyncIterator[Database]:
    """A pairing outbox relayed to the real NATS: events added to it reach the other services' consumers."""
    db = Database(make_db("pairing"))
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    relay = OutboxRelay(db, js, service="pairing", idle_sleep_s=0.05)
    task = asyncio.create_task(relay.run())
    try:
        yield db
    finally:
        relay.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await nc.close()
        await db.dispose()


async def paired(
    db: Database, pairing_id: str, household_id: str, area_code: str, *, opened: bool = True
) -> None:
    data = {
        "pairing_id": pairing_id,
        "kind": "cadre_household",
        "area_code": area_code,
        "helper_id": "helper-li",
        "helper_sub": "cadre-li",
        "target_type": "household",
        "target_id": household_id,
    }
    async with db.transaction() as s:
        if opened:
            await add_event(
                s,
                type="pairing.pairing.opened.v1",
                subject=pairing_id,
                data=data | {"started_on": "2016-12-05"},
            )
        else:
            await add_event(
                s,
                type="pairing.pairing.closed.v1",
                subject=pairing_id,
                data=data | {"ended_on": "2017-01-05", "reason": "handed_over"},
            )


async def test_a_cadre_sees_what_was_paid_to_their_households_only(
    make_db: Callable[[str], str], nats_url: str
) -> None:
    from services.funds.app import create_app as create_funds
    from services.funds.settings import FundsSettings
    from tests.funds.integration.factories import FINANCE, deliver, kaiping_plan, open_kaiping_accounts
    from tests.funds.integration.factories import VILLAGE as FUNDS_VILLAGE
    from tests.funds.integration.factories import registered as funds_registered

    cadre = auth(["cadre"], "440783000000", sub="cadre-li")
    cadre_and_finance = auth(["cadre", "finance"], "440783000000", sub="cadre-li")
    app = create_funds(settings_for(FundsSettings, make_db("funds"), nats_url))
    async with pairing_bus(make_db, nats_url) as pairing_db, service_client(app) as c:
        for hh in ("hh-a", "hh-b"):
            await deliver(app.state.db, funds_registered(hh, 1))
        await open_kaiping_accounts(c)
        plan = await kaiping_plan(c)
        receipt = {
            "kind": "receipt",
            "from_account": "jiangmen-poverty-fund",
            "to_account": "kaiping-special-account",
        }
        await c.post("/funds/v1/ledger/transfers", json=receipt | {"amount_fen": 1_000_000}, headers=FINANCE)
        paid = {}
        for hh in ("hh-a", "hh-b"):
            r = await c.post(
                "/funds/v1/disbursements",
                json={
                    "beneficiary_kind": "household",
                    "beneficiary_id": hh,
                    "amount_fen": 150_000,
                    "from_account": "kaiping-special-account",
                    "plan_id": plan["id"],
                },
                headers=FINANCE,
            )
            assert r.status_code == 201, r.text
            paid[hh] = r.json()["id"]
        await paired(pairing_db, "p-1", "hh-a", FUNDS_VILLAGE)

        async def listed() -> list[str]:
            r = await c.get("/funds/v1/disbursements", headers=cadre)
            return [d["beneficiary_id"] for d in r.json()["items"]]

        assert await wait_for(listed, what="the pairing projected into funds") == ["hh-a"]
        assert (await c.get(f"/funds/v1/disbursements/{paid['hh-a']}", headers=cadre)).status_code == 200
        assert (await c.get(f"/funds/v1/disbursements/{paid['hh-b']}", headers=cadre)).status_code == 404
        assert (await c.get("/funds/v1/entitlements/household/hh-a", headers=cadre)).status_code == 200
        assert (await c.get("/funds/v1/entitlements/household/hh-b", headers=cadre)).status_code == 404
        beneficiaries = await c.get("/funds/v1/beneficiaries", headers=cadre)
        assert [b["ref_id"] for b in beneficiaries.json()["items"]] == ["hh-a"]
        # The ledger, the plans, the accounts are not a cadre's work.
        for url in (
            "/funds/v1/ledger/transactions",
            f"/funds/v1/plans/{plan['id']}/lines",
            "/funds/v1/accounts",
        ):
            assert (await c.get(url, headers=cadre)).status_code == 403, url
        # A cadre who is also a finance officer keeps the finance view.
        r = await c.get("/funds/v1/disbursements", headers=cadre_and_finance)
        assert sorted(d["beneficiary_id"] for d in r.json()["items"]) == ["hh-a", "hh-b"]
        assert (
            await c.get(f"/funds/v1/disbursements/{paid['hh-b']}", headers=cadre_and_finance)
        ).status_code == 200

        await paired(pairing_db, "p-1", "hh-a", FUNDS_VILLAGE, opened=False)

        async def emptied() -> bool:
            return await listed() == []

        await wait_for(emptied, what="the ended pairing projected into funds")


async def test_a_cadre_sees_findings_and_dossiers_of_their_households_only(
    make_db: Callable[[str], str], nats_url: str
) -> None:
    from services.inspection.consumers import HANDLERS
    from shared.events.consumer import handle_event
    from tests.inspection.integration.helpers import VILLAGE as GANSU_VILLAGE
    from tests.inspection.integration.helpers import app_for, event, exit_requested

    cadre = auth(["cadre"], GANSU_VILLAGE, sub="cadre-li")
    inspector = auth(["inspector"], "620521000000")
    app = app_for(make_db, nats_url)
    async with pairing_bus(make_db, nats_url) as pairing_db, service_client(app) as c:
        db = app.state.db
        for hh in ("hh-a", "hh-b"):
            assert await handle_event(db, "inspection", exit_requested(hh), HANDLERS)
            gap = {
                "gap_id": f"g-{hh}",
                "signal_key": f"pairing:visit_overdue:{hh}:1",
                "kind": "visit_overdue",
                "area_code": GANSU_VILLAGE,
                "subject_id": hh,
                "detail": "not visited for 40 days",
            }
            assert await handle_event(
                db, "inspection", event("pairing.coverage.gap_detected.v1", gap), HANDLERS
            )
        village_wide = {  # a finding on the village, no household: the village cadre rectifies it
            "anomaly_id": "a1",
            "signal_key": "idle:village-fund",
            "kind": "idle_funds",
            "area_code": GANSU_VILLAGE,
            "amount_fen": 1_000,
            "detail": {},
        }
        assert await handle_event(
            db, "inspection", event("funds.anomaly.detected.v1", village_wide), HANDLERS
        )
        everything = (await c.get("/inspection/v1/findings", headers=inspector)).json()["items"]
        assert len(everything) == 3
        await paired(pairing_db, "p-1", "hh-a", GANSU_VILLAGE)

        async def dossiers() -> list[str]:
            r = await c.get("/inspection/v1/signoffs", headers=cadre)
            return [d["household_id"] for d in r.json()["items"]]

        assert await wait_for(dossiers, what="the pairing projected into inspection") == ["hh-a"]
        seen = (await c.get("/inspection/v1/findings", headers=cadre)).json()["items"]
        assert len(seen) == 2  # hh-a's and the village's, not hh-b's
        hidden = [f for f in everything if f["id"] not in {s["id"] for s in seen}]
        assert len(hidden) == 1
        assert (await c.get(f"/inspection/v1/findings/{hidden[0]['id']}", headers=cadre)).status_code == 404
        assert (await c.get(f"/inspection/v1/findings/{seen[0]['id']}", headers=cadre)).status_code == 200
        other = [
            d
            for d in (await c.get("/inspection/v1/signoffs", headers=inspector)).json()["items"]
            if d["household_id"] == "hh-b"
        ]
        assert (await c.get(f"/inspection/v1/signoffs/{other[0]['id']}", headers=cadre)).status_code == 404
        both = auth(["cadre", "inspector"], GANSU_VILLAGE, sub="cadre-li")
        assert len((await c.get("/inspection/v1/findings", headers=both)).json()["items"]) == 3
