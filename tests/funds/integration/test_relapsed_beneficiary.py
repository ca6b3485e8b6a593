"""A household that exits and then relapses (返贫): funds' copy holds what registry's card holds."""

from __future__ import annotations

import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from tests.funds.integration.factories import FINANCE, VILLAGE, deliver, registered, registry_event
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio


async def test_a_relapsed_household_keeps_no_exit_policy_period(make_db) -> None:  # type: ignore[no-untyped-def]
    """Exited on 2026-12-06 (policies kept to 2029-12-05), poor again the same day: registry's card
    has no keep period any more; the beneficiary list kept showing 2029-12-05 beside 已建档立卡."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        db = app.state.db
        await deliver(db, registered("hh-r", 2))
        exited = {"exited_on": "2026-12-06", "policies_kept_until": "2029-12-05", "member_count": 2}
        await deliver(
            db,
            registry_event(
                "registry.household.exited.v1",
                "hh-r",
                {"household_id": "hh-r", "area_code": VILLAGE, **exited},
            ),
        )

        async def shown() -> tuple[str, str | None]:
            items = (await client.get("/funds/v1/beneficiaries", headers=FINANCE)).json()["items"]
            [row] = [b for b in items if b["ref_id"] == "hh-r"]
            return row["status"], row["policies_kept_until"]

        assert await shown() == ("exited", "2029-12-05")
        relapsed = {"household_id": "hh-r", "area_code": VILLAGE, "plan_year": 2027, "member_count": 2}
        await deliver(db, registry_event("registry.household.relapsed.v1", "hh-r", relapsed))
        assert await shown() == ("registered", None)
