"""The return-to-poverty forms in a clerk's words (found running the system, stop 26): a missing
cause was called 负债原因 (the debt form's label, shared by the field name), and a decision had to be
written approve / refuse, the refusal listing those English codes."""

from __future__ import annotations

import uuid

import pytest

from tests.registry.integration.helpers import REGISTRAR, load_areas, registry_app
from tests.support import service_client

pytestmark = pytest.mark.asyncio


async def test_a_missing_cause_of_relapse_is_not_called_a_debt(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        for path in ("relapse-cases", "reidentification"):
            r = await c.post(f"/registry/v1/households/{uuid.uuid4()}/{path}", json={}, headers=REGISTRAR)
            assert r.status_code == 422
            assert r.json()["detail"] == "请改正后重新提交：原因必须填写；原因类别必须填写", path


async def test_a_decision_may_be_written_as_the_clerk_says_it(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        url = f"/registry/v1/relapse-cases/{uuid.uuid4()}/decisions"
        words = {"step": "town_recognition", "reason": "入户核实"}
        r = await c.post(url, json=words | {"decision": "好的"}, headers=REGISTRAR)
        assert r.status_code == 422
        assert r.json()["detail"] == "请改正后重新提交：决定应为以下之一：同意、不同意"
        for said in ("同意", "不同意", "approve"):
            r = await c.post(url, json=words | {"decision": said}, headers=REGISTRAR)
            assert r.status_code == 404, r.text  # understood; there is no such case
