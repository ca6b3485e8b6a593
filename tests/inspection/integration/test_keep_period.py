"""Issue 10 item 7 in inspection: the keep period registry carries in the exited event is the one
inspection counts by — an exited household still keeping its policies must still have its cadre."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.inspection.consumers import HANDLERS
from services.inspection.models import HouseholdRef
from shared.clock import clock
from shared.events.consumer import handle_event
from tests.inspection.integration.helpers import app_for, event
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
COUNTY, VILLAGE = "620521000000", "620521101201"


async def _feed(app, type_: str, data: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    assert await handle_event(app.state.db, "inspection", event(type_, data), HANDLERS)


async def test_exited_households_inside_their_keep_period_count_for_cadre_coverage(make_db) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_db)
    today = clock.today()
    async with service_client(app) as c:
        area = {"code": COUNTY, "name": "Test county", "level": "county", "rural_population": 2000}
        await _feed(app, "registry.area.upserted.v1", area)
        for hid in ("in-roll", "kept", "lapsed"):
            await _feed(
                app,
                "registry.household.registered.v1",
                {"household_id": hid, "area_code": VILLAGE, "member_count": 2},
            )
        for hid, kept in (("kept", today + timedelta(days=1000)), ("lapsed", today - timedelta(days=1))):
            await _feed(
                app,
                "registry.household.exited.v1",
                {
                    "household_id": hid,
                    "area_code": VILLAGE,
                    "member_count": 2,
                    "exited_on": (today - timedelta(days=30)).isoformat(),
                    "policies_kept_until": kept.isoformat(),
                },
            )
        await _feed(
            app,
            "pairing.pairing.opened.v1",
            {
                "pairing_id": "p1",
                "kind": "cadre_household",
                "area_code": VILLAGE,
                "helper_id": "cadre-1",
                "target_id": "in-roll",
            },
        )
        async with app.state.db.transaction() as s:
            stored = await s.get(HouseholdRef, "kept")
            assert stored is not None
            assert stored.policies_kept_until == today + timedelta(days=1000)
        r = await c.get(
            f"/inspection/v1/assessments/preview?area_code={COUNTY}&year={today.year}",
            headers=auth("approver", COUNTY),
        )
        assert r.status_code == 200, r.text
        coverage = next(i for i in r.json()["indicators"] if i["name"] == "pairing_coverage")
        # the household kept in its policies needs its cadre too; the lapsed one no longer does
        assert (coverage["numerator"], coverage["denominator"]) == (1, 2)
