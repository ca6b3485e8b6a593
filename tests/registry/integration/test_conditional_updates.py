"""Registry PUTs change an existing record only with the ETag read (If-Match), like PATCH /households."""

from __future__ import annotations

import pytest

from services.registry.area_exits import service as area_exits
from services.registry.area_exits.schemas import AreaExitPolicyIn
from services.registry.policies import service as policies
from services.registry.policies.schemas import PolicyRecordIn
from shared.auth import Principal
from tests.registry.integration.helpers import (
    ADMIN,
    OTHER_REGISTRAR,
    REGISTRAR,
    load_areas,
    registered,
    registry_app,
)
from tests.support import auth, service_client
from tests.support.conditional import (
    assert_conditional_put,
    assert_created_meanwhile,
    assert_documents_conditions,
    assert_no_lost_update,
)

pytestmark = pytest.mark.asyncio
RECORD = {"area_prefix": "440783", "year": 2019, "source": "开平市2019年标准", "exit_line_fen": 450_000}
AREA_EXIT_RECORD = {
    "area_prefix": "440783",
    "year": 2019,
    "kind": "village",
    "source": "开平市 2019: 贫困发生率低于3% (test record)",
    "criteria": [
        {
            "code": "incidence",
            "label": "低于3%",
            "measure": "incidence",
            "source": "registry",
            "comparison": "below",
            "threshold": 300,
        }
    ],
}
# another administrator of the province, whose PUT of the same record commits first
OTHER_ADMIN = Principal(sub="other-admin", roles=frozenset({"admin"}), area_code="440000000000")


async def test_a_policy_record_changes_only_with_the_etag_read(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await assert_conditional_put(
            c,
            put_url="/registry/v1/policies",
            get_url="/registry/v1/policies/records/440783/2019",
            headers=ADMIN,
            first=RECORD,
            second=RECORD | {"exit_line_fen": 460_000},
            shown=lambda body: body["exit_line_fen"],
        )
        # the resolved policy reads the change
        resolved = await c.get("/registry/v1/policies/440783101201/2019", headers=REGISTRAR)
        assert resolved.json()["exit_line_fen"] == 460_000
        # a record is read by callers on its path: above it or inside it, not beside it
        assert (
            await c.get("/registry/v1/policies/records/440783/2019", headers=REGISTRAR)
        ).status_code == 200
        beside = await c.get(
            "/registry/v1/policies/records/440783/2019", headers=auth("admin", "350000000000")
        )
        assert (beside.status_code, beside.json()["type"].rsplit("/", 1)[1]) == (
            404,
            "policy-record-not-found",
        )
        # a preset is a record like any other: changing it needs its ETag
        preset = await c.get("/registry/v1/policies/records/440783/2016", headers=ADMIN)
        assert preset.headers["ETag"] == '"1"'
        body = {k: v for k, v in preset.json().items() if k != "version"} | {"notice_min_days": 10}
        assert (await c.put("/registry/v1/policies", json=body, headers=ADMIN)).status_code == 428
        changed = await c.put("/registry/v1/policies", json=body, headers=ADMIN | {"If-Match": '"1"'})
        assert (changed.status_code, changed.headers["ETag"]) == (204, '"2"')
        kept = (await c.get("/registry/v1/policies/440783101201/2017", headers=REGISTRAR)).json()
        assert (kept["notice_min_days"], kept["batch_set"]) == (10, "kaiping_three")


async def test_two_policy_writers_at_once_never_lose_a_change(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await assert_no_lost_update(
            c,
            put_url="/registry/v1/policies",
            headers=ADMIN,
            first=RECORD | {"year": 2020},
            second=RECORD | {"year": 2020, "exit_line_fen": 470_000},
        )


async def test_a_policy_record_added_meanwhile_tells_the_clerk_to_read_it_first(make_db):
    db = make_db("registry")
    async with service_client(registry_app(db)) as c:
        problem = await assert_created_meanwhile(
            c,
            db,
            put=lambda: c.put("/registry/v1/policies", json=RECORD, headers=ADMIN),
            create=lambda s: policies.put_record(
                session=s, actor=OTHER_ADMIN, data=PolicyRecordIn(**RECORD), if_match=None
            ),
        )
        assert (problem["title"], problem["detail"]) == (
            "缺少 If-Match 请求头",
            "刚有人新增了这条政策记录，请重新读取并在 If-Match 中带上其 ETag",
        )
        assert (problem["area_prefix"], problem["year"]) == ("440783", 2019)
        got = await c.get("/registry/v1/policies/records/440783/2019", headers=ADMIN)
        assert (got.headers["ETag"], got.json()["exit_line_fen"]) == ('"1"', 450_000)  # the other's


async def test_an_area_exit_record_added_meanwhile_tells_the_clerk_to_read_it_first(make_db):
    db = make_db("registry")
    async with service_client(registry_app(db)) as c:
        problem = await assert_created_meanwhile(
            c,
            db,
            put=lambda: c.put("/registry/v1/area-exit-policies", json=AREA_EXIT_RECORD, headers=ADMIN),
            create=lambda s: area_exits.put_record(
                session=s, actor=OTHER_ADMIN, data=AreaExitPolicyIn(**AREA_EXIT_RECORD), if_match=None
            ),
        )
        assert (problem["title"], problem["detail"]) == (
            "缺少 If-Match 请求头",
            "刚有人新增了这条政策记录，请重新读取并在 If-Match 中带上其 ETag",
        )
        assert (problem["area_prefix"], problem["year"], problem["kind"]) == ("440783", 2019, "village")


async def test_a_years_income_changes_only_with_the_etag_read(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        base = f"/registry/v1/households/{h['id']}"
        await assert_conditional_put(
            c,
            put_url=f"{base}/incomes",
            get_url=f"{base}/incomes/2018",
            headers=REGISTRAR,
            first={"year": 2018, "per_capita_income_fen": 500_000},
            second={"year": 2018, "per_capita_income_fen": 520_000},
            shown=lambda body: body["per_capita_income_fen"],
        )
        # another year is another record: recorded without If-Match
        other = await c.put(
            f"{base}/incomes", json={"year": 2017, "per_capita_income_fen": 1}, headers=REGISTRAR
        )
        assert (other.status_code, other.headers["ETag"]) == (204, '"1"')
        card = (await c.get(base, headers=REGISTRAR)).json()
        assert [(i["year"], i["per_capita_income_fen"], i["version"]) for i in card["incomes"]] == [
            (2017, 1, 1),
            (2018, 520_000, 2),
        ]
        # the household's own ETag moves too (its card shows the incomes)
        assert card["version"] == h["version"] + 3
        # scoped like the household: another village's registrar sees nothing
        assert (await c.get(f"{base}/incomes/2018", headers=OTHER_REGISTRAR)).status_code == 404
        missing = await c.put(
            f"{base}/incomes", json={"year": 2019, "per_capita_income_fen": 1}, headers=OTHER_REGISTRAR
        )
        assert missing.status_code == 404
        assert (await c.get(f"{base}/incomes/2013", headers=REGISTRAR)).status_code == 422


async def test_two_income_writers_at_once_never_lose_a_change(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        await assert_no_lost_update(
            c,
            put_url=f"/registry/v1/households/{h['id']}/incomes",
            headers=REGISTRAR,
            first={"year": 2019, "per_capita_income_fen": 1},
            second={"year": 2019, "per_capita_income_fen": 2},
        )


async def test_every_registry_put_and_patch_documents_its_conditions(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        assert sorted(await assert_documents_conditions(c, "/registry/v1/openapi.json")) == [
            "PATCH /registry/v1/dci/clients/{client_id}",
            "PATCH /registry/v1/households/{household_id}",
            "PUT /registry/v1/area-exit-policies",
            "PUT /registry/v1/households/{household_id}/incomes",
            "PUT /registry/v1/policies",
        ]
