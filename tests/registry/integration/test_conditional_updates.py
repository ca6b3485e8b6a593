"""Registry PUTs change an existing record only with the ETag read (If-Match), like PATCH /households."""

from __future__ import annotations

import pytest

from services.registry.area_exits import service as area_exits
from services.registry.area_exits.schemas import AreaExitPolicyIn
from services.registry.policies import service as policies
from services.registry.policies.schemas import PolicyRecordIn
from shared.auth import Principal
from tests.registry.integration.area_exit_helpers import INCIDENCE_BELOW_3
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
    "criteria": [INCIDENCE_BELOW_3],
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


@pytest.mark.parametrize(
    ("url", "body", "other_writer", "read_url"),
    [
        (
            "/registry/v1/policies",
            RECORD,
            lambda s: policies.put_record(
                session=s, actor=OTHER_ADMIN, data=PolicyRecordIn(**RECORD), if_match=None
            ),
            "/registry/v1/policies/records/440783/2019",
        ),
        (
            "/registry/v1/area-exit-policies",
            AREA_EXIT_RECORD,
            lambda s: area_exits.put_record(
                session=s, actor=OTHER_ADMIN, data=AreaExitPolicyIn(**AREA_EXIT_RECORD), if_match=None
            ),
            "/registry/v1/area-exit-policies/records/440783/2019/village",
        ),
    ],
    ids=["policy-record", "area-exit-record"],
)
async def test_a_record_added_meanwhile_tells_the_clerk_to_read_it_first(
    make_db, url, body, other_writer, read_url
):
    db = make_db("registry")
    async with service_client(registry_app(db)) as c:
        problem = await assert_created_meanwhile(
            c, db, put=lambda: c.put(url, json=body, headers=ADMIN), create=other_writer
        )
        assert (problem["title"], problem["detail"]) == (
            "缺少 If-Match 请求头",
            "刚有人新增了这条政策记录，请重新读取并在 If-Match 中带上其 ETag",
        )
        assert (problem["area_prefix"], problem["year"]) == ("440783", 2019)
        # the other writer's record stands, unchanged by the refused PUT
        got = await c.get(read_url, headers=ADMIN)
        assert (got.status_code, got.headers["ETag"]) == (200, '"1"')


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
