"""A database seeded before stop 27 keeps the presets' old "seed 004 …" references in its rows (the
presets never overwrite a stored record): the 2026-12-05 migration rewrites every text still equal to
the old preset to the document's title and section, and leaves a record an administrator changed."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import upgrade
from shared.policy_documents import CHISHUI_PLAN, GUANGYUAN_MECHANISMS
from tests.registry.integration.helpers import REGISTRAR, registry_app
from tests.support import service_client

pytestmark = pytest.mark.asyncio

BEFORE = "1d5eab54439b"  # the registry's head before the rewrite
# the old preset texts, as the presets wrote them before stop 27
KAIPING_SOURCE = (
    "seed 004 (Kaiping/Chishui): three batches, notice 7天以上, return-to-poverty chain; "
    "exit line 4,000 yuan = Guangdong relative poverty line 2016-2018 (OUTSIDE THE SEEDS), "
    "reached or exceeded (达到或超过); "
    "the chain only for 因重大自然灾害返贫"
)
KAIPING_NOTICE = "公示期要在7天以上 (seed 004 §五(一))"
KAIPING_ROUTES = [
    {
        "cause": "major_natural_disaster",
        "route": "chain",
        "wording": "因重大自然灾害返贫的,应根据镇农办、民政等部门认定,由镇扶贫办申请,呈市扶贫部门审核,"
        "并经江门市级扶贫部门审定,才能纳入下年度脱贫计划 (seed 004 §七(五))",
    },
    {
        "cause": "*",
        "route": "identification",
        "wording": "贫困人口进出严格按“拟选对象、精准扶持、民主评议、公示公告”程序办理 (seed 004 §七(五))",
    },
]
GUANGYUAN_VILLAGES = (
    "seed 001 (Guangyuan) 二(三): 贫困村退出'一低五有'; definitions OUTSIDE THE SEEDS (Sichuan): "
    "贫困发生率低于3%, 有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络"
)
ADMINS_OWN = "泉州市2019年薄弱村标准（市扶贫办2019年1月通知，参照 seed 002 §六）"


def _in_thread(*args: str) -> None:
    with ThreadPoolExecutor(1) as pool:  # Alembic's env runs its own event loop
        pool.submit(upgrade, *args).result()


async def test_old_preset_texts_are_rewritten_and_an_admins_record_is_left(stack) -> None:  # type: ignore[no-untyped-def]
    pg = stack.postgres()
    name = f"t_registry_sources_{os.getpid()}"
    pg.create_database(name)
    url = pg.database_url(name)
    _in_thread("registry", url, BEFORE)
    async with service_client(registry_app(url)):
        pass  # the start writes the presets
    engine = create_async_engine(url)
    async with engine.begin() as conn:  # as an older deployment holds them, one record changed by an admin
        await conn.execute(
            text(
                "UPDATE registry_policy SET source = :s, relapse_routes = CAST(:r AS jsonb),"
                " comparisons = jsonb_set(comparisons, '{notice_min_days,wording}',"
                " to_jsonb(CAST(:w AS text)))"
                " WHERE area_prefix = '440783' AND year = 2016"
            ),
            {"s": KAIPING_SOURCE, "r": json.dumps(KAIPING_ROUTES, ensure_ascii=False), "w": KAIPING_NOTICE},
        )
        await conn.execute(
            text("UPDATE registry_policy SET source = :s WHERE area_prefix = '3505' AND year = 2019"),
            {"s": ADMINS_OWN},
        )
        await conn.execute(
            text("UPDATE area_exit_policy SET source = :s WHERE area_prefix = '5108' AND kind = 'village'"),
            {"s": GUANGYUAN_VILLAGES},
        )

    _in_thread("registry", url, "head")
    _in_thread("registry", url, "head")  # nothing left to do a second time

    async with service_client(registry_app(url)) as c:
        p = (await c.get("/registry/v1/policies/440783101201/2017", headers=REGISTRAR)).json()
    assert f"440783/2016: {CHISHUI_PLAN}：三个一批；公示7天以上（五(一)）" in " ".join(p["sources"])
    assert not [s for s in p["sources"] if "seed" in s or "OUTSIDE THE SEEDS" in s], p["sources"]
    assert p["comparisons"]["notice_min_days"]["wording"] == f"公示期要在7天以上（{CHISHUI_PLAN}五(一)）"
    assert [r["wording"][-len(CHISHUI_PLAN) - 6 :] for r in p["relapse_routes"]] == [
        f"（{CHISHUI_PLAN}七(五)）"
    ] * 2
    async with engine.connect() as conn:
        own = await conn.scalar(
            text("SELECT source FROM registry_policy WHERE area_prefix = '3505' AND year = 2019")
        )
        villages = await conn.scalar(
            text("SELECT source FROM area_exit_policy WHERE area_prefix = '5108' AND kind = 'village'")
        )
        seeded = await conn.scalar(text("SELECT count(*) FROM registry_policy WHERE source LIKE '%seed 00%'"))
    await engine.dispose()
    assert own == ADMINS_OWN  # an administrator's words stay as written
    assert villages.startswith(f"{GUANGYUAN_MECHANISMS}二(三)：贫困村退出“一低五有”")
    assert seeded == 1  # the administrator's record only
