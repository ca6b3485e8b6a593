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


async def test_the_status_filter_takes_the_registry_word_too(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    from tests.pairing.factories import household

    registered = await household(app)
    exited = await household(app, event="exited")

    async def ids(status: str) -> list[str]:
        r = await client.get("/pairing/v1/households", params={"status": status}, headers=OFFICE)
        assert r.status_code == 200, r.text
        return [h["id"] for h in r.json()["items"]]

    assert await ids("registered") == [registered]
    assert await ids("已建档立卡") == [registered]
    assert await ids(" 已建档立卡 ") == [registered]
    assert await ids("已脱贫退出") == await ids("exited") == [exited]
    assert await ids("公示中") == []
    r = await client.get("/pairing/v1/households", headers=OFFICE)
    # each household says its status in the registry's words next to the code
    labels = {h["id"]: (h["status"], h["status_label"]) for h in r.json()["items"]}
    assert labels == {registered: ("registered", "已建档立卡"), exited: ("exited", "已脱贫退出")}
    r = await client.get("/pairing/v1/households", params={"status": "已脱贫"}, headers=OFFICE)
    assert r.status_code == 422, r.text
    assert "拟识别、民主评议中、公示中" in r.json()["detail"], r.text


async def test_the_need_and_import_row_filters_take_exactly_their_lists_codes() -> None:
    from typing import get_args

    from services.pairing.imports.schemas import ImportRowOut
    from services.pairing.vocabulary import IMPORT_ROW_STATUSES, NEED_STATUSES, ImportRowStatus, NeedStatus

    assert list(get_args(NeedStatus)) == list(NEED_STATUSES)
    assert list(get_args(ImportRowStatus)) == list(IMPORT_ROW_STATUSES)
    assert get_args(ImportRowOut.model_fields["status"].annotation) == get_args(ImportRowStatus)
