"""Pairing moves from pairing.visit.recorded.v1 to .v2 (with the household's satisfaction) while
events are in flight: inspection's durable, made when it read only .v1, takes .v2 once the new code
runs, and the .v1 events still waiting in the stream are applied too (real NATS and PostgreSQL)."""

from __future__ import annotations

import asyncio

import nats
import pytest
from sqlalchemy import select

from services.inspection.consumers import HANDLERS
from services.inspection.models import VisitRef
from shared.events import CloudEvent
from shared.events.consumer import ConsumerRunner
from shared.events.contracts import contracts
from shared.events.streams import ensure_streams
from tests.inspection.integration.helpers import VILLAGE, app_for
from tests.support import service_client, wait_for

pytestmark = pytest.mark.asyncio
V1, V2 = "pairing.visit.recorded.v1", "pairing.visit.recorded.v2"


def _visit(type_: str, visit_id: str, **extra: object) -> CloudEvent:
    data = {
        "visit_id": visit_id,
        "household_id": "h-1",
        "area_code": VILLAGE,
        "cadre_id": "c-1",
        "visited_on": "2026-11-20",
        **extra,
    }
    return CloudEvent(source="jingzhun/pairing", type=type_, subject=visit_id, data=data)


async def test_old_visits_in_flight_and_new_ones_with_satisfaction_both_arrive(make_db, nats_url) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_db)  # migrated database; its own relay and consumers stay off
    async with service_client(app):
        db = app.state.db
        nc = await nats.connect(nats_url)
        js = nc.jetstream(timeout=5)
        await ensure_streams(js)

        def runner(handlers: dict) -> ConsumerRunner:  # type: ignore[type-arg]
            return ConsumerRunner(
                db, js, service="inspection", handlers=handlers, fetch_timeout_s=0.2, contracts=contracts()
            )

        try:
            # the release before: its durable reads .v1 only; it applies one visit, then stops
            old = runner({V1: HANDLERS[V1]})
            task = asyncio.create_task(old.run())
            await js.publish(V1, _visit(V1, "before").to_json_bytes())

            async def visits() -> dict[str, str | None] | None:
                async with db.transaction() as s:
                    rows = (await s.execute(select(VisitRef.visit_id, VisitRef.satisfaction))).all()
                return {r.visit_id: r.satisfaction for r in rows} or None

            await wait_for(visits, timeout_s=20, what="the old release applied a .v1 visit")
            old.stop()
            await asyncio.gather(task, return_exceptions=True)
            # in flight during the upgrade: a .v1 nobody read yet, then pairing's first .v2
            await js.publish(V1, _visit(V1, "in-flight").to_json_bytes())
            await js.publish(V2, _visit(V2, "answered", satisfaction="basically_satisfied").to_json_bytes())

            new = runner(dict(HANDLERS))
            task = asyncio.create_task(new.run())

            async def all_three() -> dict[str, str | None] | None:
                found = await visits()
                return found if found and len(found) == 3 else None

            found = await wait_for(all_three, timeout_s=20, what="both versions applied after the upgrade")
            assert found == {"before": None, "in-flight": None, "answered": "basically_satisfied"}
            new.stop()
            await asyncio.gather(task, return_exceptions=True)
        finally:
            await nc.close()
