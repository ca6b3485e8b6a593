"""Staffing gaps through the pairing API, with the seeds' numbers.

Quanzhou seed 002 十一: "逐步落实有脱贫任务的乡镇配备1名以上专职人员、建制村配备1名协管员" — a township
with exit tasks and no full-time staff, a village with exit tasks and no coordinator, are gaps.
Kaiping seed 004 七(二): "镇扶贫办要根据要求上级要求配备2—3名专职人员" — one staff member is not enough,
two are. A township or village with no household still to exit has no exit task: no gap."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import OFFICE, TOWNSHIP, V1, V2, area, household
from tests.support import auth

pytestmark = pytest.mark.asyncio
QZ = auth(["registrar"], "350500000000", sub="quanzhou-office")
QZ_TOWNSHIP, QZ_VILLAGE, QZ_QUIET_VILLAGE = "350502101000", "350502101201", "350502101202"
QZ_QUIET_TOWNSHIP, QZ_QUIET_TOWNSHIP_VILLAGE = "350502102000", "350502102201"


async def _staff(client: httpx.AsyncClient, headers: dict[str, str], kind: str, target: str) -> str:
    r = await client.post(
        "/pairing/v1/helpers",
        json={"kind": kind, "name": f"{kind}-{target}", "area_code": target},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/pairing/v1/pairings",
        json={"kind": kind, "helper_id": r.json()["id"], "target_id": target},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _gaps(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[tuple[str, str], dict]:
    assert (await client.post("/pairing/v1/coverage/checks", headers=headers)).status_code == 200
    items = (await client.get("/pairing/v1/coverage/gaps?limit=100", headers=headers)).json()["items"]
    staffing = ("township_without_staff", "village_without_coordinator")
    return {(g["kind"], g["subject_id"]): g["detail"] for g in items if g["kind"] in staffing}


async def test_quanzhou_township_staff_and_village_coordinator(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for code, level in (
        (QZ_TOWNSHIP, "township"),
        (QZ_VILLAGE, "village"),
        (QZ_QUIET_VILLAGE, "village"),
        (QZ_QUIET_TOWNSHIP, "township"),
        (QZ_QUIET_TOWNSHIP_VILLAGE, "village"),
    ):
        await area(app, code, level=level)
    await household(app, QZ_VILLAGE)  # an exit task in the village and its township
    await household(app, QZ_QUIET_VILLAGE, event="exited")  # exited: no exit task left there
    await household(app, QZ_QUIET_TOWNSHIP_VILLAGE, event="exited")

    policy = (await client.get(f"/pairing/v1/policies/effective?area_code={QZ_VILLAGE}", headers=QZ)).json()
    assert (policy["township_staff_min"], policy["village_coordinator_min"]) == (1, 1)
    assert await _gaps(client, QZ) == {
        ("township_without_staff", QZ_TOWNSHIP): {"staff": 0, "minimum": 1},
        ("village_without_coordinator", QZ_VILLAGE): {"staff": 0, "minimum": 1},
    }
    # the clerk's list says what is missing in Chinese
    kinds = (await client.get("/pairing/v1/vocabulary", headers=QZ)).text
    assert "有脱贫任务的乡镇专职扶贫人员不足" in kinds
    assert "有脱贫任务的建制村未配备协管员" in kinds

    # 1名以上 / 1名: one full-time staff member and one coordinator close both gaps
    await _staff(client, QZ, "township_staff", QZ_TOWNSHIP)
    await _staff(client, QZ, "village_coordinator", QZ_VILLAGE)
    assert await _gaps(client, QZ) == {}


async def test_kaiping_town_office_needs_two_full_time_staff(app: FastAPI, client: httpx.AsyncClient) -> None:
    await area(app, TOWNSHIP, level="township")
    for village in (V1, V2):
        await area(app, village, poor=True)
    await household(app, V1)

    # Kaiping sets no village coordinator; its town office needs 2 (2—3名): the officer can read both
    policy = (await client.get(f"/pairing/v1/policies/effective?area_code={TOWNSHIP}", headers=OFFICE)).json()
    assert (policy["township_staff_min"], policy["village_coordinator_min"]) == (2, None)
    assert await _gaps(client, OFFICE) == {("township_without_staff", TOWNSHIP): {"staff": 0, "minimum": 2}}
    await _staff(client, OFFICE, "township_staff", TOWNSHIP)
    assert list(await _gaps(client, OFFICE)) == [("township_without_staff", TOWNSHIP)]  # 1 is under 2
    await _staff(client, OFFICE, "township_staff", TOWNSHIP)
    assert await _gaps(client, OFFICE) == {}
