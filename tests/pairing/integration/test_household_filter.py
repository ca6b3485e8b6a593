"""Pairing's household list refuses a status that does not exist (422, the statuses in Chinese)."""

from __future__ import annotations

import httpx
import pytest

from tests.pairing.factories import OFFICE

pytestmark = pytest.mark.asyncio


async def test_an_unknown_household_status_is_refused_in_chinese(client: httpx.AsyncClient) -> None:
    r = await client.get("/pairing/v1/households", params={"status": "poor"}, headers=OFFICE)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (
        "拟识别、民主评议中、公示中、已确认、已建档立卡、申请退出中、已脱贫退出、已清退、未纳入" in r.text
    ), r.text
    ok = await client.get("/pairing/v1/households", params={"status": "registered"}, headers=OFFICE)
    assert ok.status_code == 200, ok.text
