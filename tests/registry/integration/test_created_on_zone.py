"""A household's entry date (``created_on``, the earliest date its identification steps may carry)
is the office date of the configured zone (REGISTRY_TIME_ZONE), also where nothing names it (a split)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.registry.app import create_app
from services.registry.models import Household
from services.registry.settings import RegistrySettings
from shared.clock import clock
from tests.registry.integration.helpers import REGISTRAR, load_areas, member, person_id, registered
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio

# 17:00 UTC: already 5 December in Beijing, still 4 December in Urumqi (UTC+6)
AT = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


async def test_a_split_off_household_is_entered_on_the_configured_zones_date(make_db) -> None:
    app = create_app(settings_for(RegistrySettings, make_db("registry"), time_zone="Asia/Urumqi"))
    async with service_client(app) as c:
        await load_areas(c)
        with clock.frozen(AT):
            assert clock.today() == date(2026, 12, 4)
            kids = [member("child", name=f"子{i}", resident_id=person_id()) for i in range(2)]
            h = await registered(c, members=[member("head"), *kids])
            ids = [m["id"] for m in h["members"] if m["relation"] != "head"]
            r = await c.post(
                f"/registry/v1/households/{h['id']}/split",
                json={"member_ids": ids[:1], "new_head_id": ids[0], "reason": "分户"},
                headers=REGISTRAR,
            )
            assert r.status_code == 201, r.text
        async with app.state.db.transaction() as s:
            created = await s.scalar(
                select(Household.created_on).where(Household.id == uuid.UUID(r.json()["id"]))
            )
        assert created == date(2026, 12, 4)  # not Beijing's 5 December
