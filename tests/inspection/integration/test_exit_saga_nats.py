"""The exit saga over real NATS JetStream: registry asks -> inspection collects 4-3-4-2 -> registry hears.

Registry's side is a stand-in built from the platform pieces registry itself uses (its outbox and
relay publish the request; a durable consumer with an inbox receives the outcome), because this
test must not depend on registry's internals; the wire contract is docs/EVENTS.md.
"""

from __future__ import annotations

import asyncio

import nats
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit
from shared.db import Database
from shared.events import CloudEvent, add_event
from shared.events.consumer import ConsumerRunner
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_streams
from shared.tables import audit_log
from tests.inspection.integration.helpers import all_positions, app_for, exit_requested, signer
from tests.support import auth, service_client, wait_for

pytestmark = pytest.mark.asyncio
OUTCOMES = ("inspection.exit.verified.v1", "inspection.exit.rejected.v1")


async def _registry_hears(session: AsyncSession, event: CloudEvent) -> None:
    # Stand-in for registry's consumer: remember the outcome in registry's own transaction.
    await audit.record(
        session, "registry", event.type, ("household", event.data["household_id"]), after=event.data
    )


async def _heard(db: Database) -> dict[str, dict]:
    async with db.transaction() as s:
        rows = (await s.execute(select(audit_log.c.entity_id, audit_log.c.action, audit_log.c.after))).all()
    return {r.entity_id: {"type": r.action, **r.after} for r in rows}


async def _dossier(client, household_id: str):  # type: ignore[no-untyped-def]
    r = await client.get("/inspection/v1/signoffs", headers=auth("inspector", "620521000000"))
    found = [d for d in r.json()["items"] if d["household_id"] == household_id]
    return found[0] if found else None


async def test_exit_saga_verified_and_refused_over_nats(make_db, nats_url) -> None:
    registry_db = Database(make_db("inspection"))  # any service schema carries outbox + inbox
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    relay = OutboxRelay(registry_db, js, service="registry", idle_sleep_s=0.05)
    runner = ConsumerRunner(
        registry_db,
        js,
        service="registry",
        handlers={t: _registry_hears for t in OUTCOMES},
        fetch_timeout_s=0.3,
    )
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(runner.run())]
    app = app_for(make_db, nats_url)
    try:
        async with service_client(app) as client:
            passing, failing = exit_requested(), exit_requested()
            async with registry_db.transaction() as s:
                for ev in (passing, failing):
                    await add_event(s, type=ev.type, subject=ev.subject, data=ev.data)

            ok = await wait_for(lambda: _dossier(client, passing.data["household_id"]), what="dossier opened")
            bad = await wait_for(
                lambda: _dossier(client, failing.data["household_id"]), what="second dossier"
            )

            for position in all_positions():
                r = await client.post(
                    f"/inspection/v1/signoffs/{ok['id']}/signatures",
                    json={"position": position},
                    headers=signer(position, household_id=passing.subject),
                )
                assert r.status_code == 201, r.text

            url = f"/inspection/v1/signoffs/{bad['id']}"
            for position in all_positions()[:7]:  # village 4 + township 3
                assert (
                    await client.post(
                        f"{url}/signatures",
                        json={"position": position},
                        headers=signer(position, household_id=failing.subject),
                    )
                ).status_code == 201
            # wrong role: the county head tries the statistics director's step
            r = await client.post(
                f"{url}/signatures",
                json={"position": "county_statistics_director"},
                headers=signer("county_head"),
            )
            assert r.status_code == 403
            # wrong area: a statistics director from the city office, not this county's
            r = await client.post(
                f"{url}/signatures",
                json={"position": "county_statistics_director"},
                headers=signer("county_statistics_director", area="620500000000"),
            )
            assert r.status_code == 403
            r = await client.post(
                f"{url}/refusals",
                json={
                    "position": "county_statistics_director",
                    "reason": "income survey sample contradicts the file",
                },
                headers=signer("county_statistics_director"),
            )
            assert r.status_code == 201

            heard = await wait_for(
                lambda: _both(registry_db, passing.subject, failing.subject),
                timeout_s=20,
                what="registry hears both",
            )
            assert heard[passing.subject]["type"] == "inspection.exit.verified.v1"
            assert heard[passing.subject]["exit_request_id"] == passing.data["exit_request_id"]
            assert heard[failing.subject]["type"] == "inspection.exit.rejected.v1"
            assert heard[failing.subject]["level"] == "county"
            assert heard[failing.subject]["reason"] == "income survey sample contradicts the file"
    finally:
        relay.stop()
        runner.stop()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await nc.close()
        await registry_db.dispose()


async def _both(db: Database, a: str, b: str) -> dict[str, dict] | None:
    heard = await _heard(db)
    return heard if a in heard and b in heard else None
