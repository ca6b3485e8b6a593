"""A return to poverty (返贫) is opened with its cause the way a clerk names it: the Chinese label
(因重大自然灾害, 因病 ...) like every other code list, and a cause on no list is refused in
Chinese with the list to choose from. Found by running the system as a village registrar
(stop 25): "重大疾病" got back "unknown relapse cause '重大疾病'; one of disability, disaster, …"."""

from __future__ import annotations

import pytest

from tests.registry.integration.helpers import REGISTRAR, load_areas, registry_app
from tests.registry.integration.test_exits_and_relapse import exited_household
from tests.support import service_client

pytestmark = pytest.mark.asyncio


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


async def test_a_relapse_cause_is_taken_by_its_chinese_label_and_refused_in_chinese(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await exited_household(app, c)
        r = await c.post(
            url(h, "/relapse-cases"),
            json={"cause": "户主突发重病", "cause_kind": "重大疾病"},
            headers=REGISTRAR,
        )
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["type"].endswith("/validation-error")
        message = body["errors"][0]["message"]
        assert message.startswith("原因类别应为以下之一：因病、因残")
        assert message.endswith("因重大自然灾害")
        assert "unknown" not in body["detail"]
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "exited"  # nothing changed

        r = await c.post(
            url(h, "/relapse-cases"),
            json={"cause": "台风毁坏住房", "cause_kind": "因重大自然灾害"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201, r.text
        assert r.json()["cause_kind"] == "major_natural_disaster"
        assert r.json()["next_step"] == "town_recognition"
        # the case names its cause back in the clerk's words too (stop 29: the code alone was shown)
        assert r.json()["cause_kind_label"] == "因重大自然灾害"
        case = (await c.get(f"/registry/v1/relapse-cases/{r.json()['id']}", headers=REGISTRAR)).json()
        assert (case["cause_kind"], case["cause_kind_label"]) == ("major_natural_disaster", "因重大自然灾害")

        vocabulary = (await c.get("/registry/v1/vocabulary")).json()["lists"]
        causes = next(v for v in vocabulary if v["name"] == "relapse_cause")
        assert causes["title"] == "返贫原因"
        assert {"code": "major_natural_disaster", "label": "因重大自然灾害"} in causes["values"]
        assert {"code": "illness", "label": "因病"} in causes["values"]
