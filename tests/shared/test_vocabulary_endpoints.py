"""Every service serves its code lists with their Chinese labels at GET /<svc>/v1/vocabulary."""

from __future__ import annotations

import pytest

from services.funds.app import create_app as funds_app
from services.funds.settings import FundsSettings
from services.inspection.app import create_app as inspection_app
from services.inspection.settings import InspectionSettings
from services.pairing.app import create_app as pairing_app
from services.pairing.settings import PairingSettings
from services.registry.app import create_app as registry_app
from services.registry.settings import RegistrySettings
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio

CASES = [
    ("registry", registry_app, RegistrySettings, "poverty_cause", {"code": "illness", "label": "因病"}),
    ("funds", funds_app, FundsSettings, "project_status", {"code": "in_progress", "label": "实施中"}),
    ("pairing", pairing_app, PairingSettings, "helper_kind", {"code": "doctor", "label": "医生"}),
    ("inspection", inspection_app, InspectionSettings, "severity", {"code": "high", "label": "严重"}),
]


@pytest.mark.parametrize(("service", "create", "settings", "name", "value"), CASES)
async def test_each_service_serves_its_vocabulary(make_db, service, create, settings, name, value) -> None:
    app = create(settings_for(settings, make_db(service)))
    async with service_client(app) as c:
        r = await c.get(f"/{service}/v1/vocabulary")  # no login: a form needs it before sign-in too
        assert r.status_code == 200, r.text
        lists = {v["name"]: v for v in r.json()["lists"]}
        assert value in lists[name]["values"]
        for v in lists.values():
            assert v["title"]
            assert all(x["label"] for x in v["values"])
