"""An account's opening date is the office's date (China time), not the database server's date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.clock import clock
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

# 07:30 on 4 December in Beijing; the database server (UTC, or any host zone) is still on the 3rd.
MORNING_IN_BEIJING = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)


async def test_an_account_opened_before_8_in_beijing_is_opened_on_beijings_date(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    headers = auth("finance", "440700000000")
    async with service_client(app) as client:
        with clock.frozen(MORNING_IN_BEIJING):
            r = await client.post(
                "/funds/v1/accounts",
                json={
                    "code": "tz-town-finance",
                    "name": "时区镇财政所",
                    "area_code": "440783105000",
                    "kind": "holding",
                },
                headers=headers,
            )
        assert r.status_code == 201, r.text
        assert r.json()["opened_on"] == "2026-12-04"
        listed = (await client.get("/funds/v1/accounts", headers=headers)).json()["items"]
        assert {a["code"]: a["opened_on"] for a in listed}["tz-town-finance"] == "2026-12-04"
