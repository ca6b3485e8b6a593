"""Seed 004 §三(一) read from real households: 力争每年有30%以上的有劳动能力贫困户年人均可支配收入超过
当地城乡年人均收入的45%. The local income (not in the seeds) is the reader's: 20,000 yuan here, so
the line is 9,000.00 yuan and 超过 means 900,001 fen or more."""

from __future__ import annotations

import pytest

from tests.registry.integration.helpers import (
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    registered,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
LOCAL = 2_000_000  # 20,000.00 yuan
EVALUATOR = auth("evaluator", "440783000000")


def share_url(code: str, year: int = 2017, local: int = LOCAL) -> str:
    return f"/registry/v1/rollups/{code}/income-share?year={year}&local_income_fen={local}"


async def test_share_of_labour_capable_households_over_45_percent_of_the_local_income(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        over = await registered(c)  # one ordinary labourer
        on_line = await registered(c, members=[member("head", labour_capacity="partial")])
        await registered(c)  # labour-capable, no income recorded for 2017
        await registered(c, members=[member("head", labour_capacity="none")])  # not labour-capable
        await candidate(c)  # not yet registered: not a poor household of the roll
        for h, fen in ((over, 900_001), (on_line, 900_000)):
            r = await c.put(
                f"/registry/v1/households/{h['id']}/incomes",
                json={"year": 2017, "per_capita_income_fen": fen},
                headers=REGISTRAR,
            )
            assert r.status_code == 204, r.text

        r = await c.get(share_url(VILLAGE), headers=REGISTRAR)
        assert r.status_code == 200, r.text
        s = r.json()
        assert (s["line_fen"], s["income_share_bp"], s["households_share_bp"]) == (900_000, 4_500, 3_000)
        assert (s["income_comparison"], s["households_comparison"]) == ("above", "at_or_above")
        assert (
            s["labour_capable_households"],
            s["households_over_line"],
            s["households_without_income"],
        ) == (3, 1, 1)
        assert (s["share_bp"], s["meets_target"]) == (3_333, True)  # 1 of 3: 33.33% ≥ 30%

        # a third-party evaluator sees the verdict, not counts of fewer than 5 households
        out = (await c.get(share_url("440783000000"), headers=EVALUATOR)).json()
        assert (out["labour_capable_households"], out["share_bp"], out["meets_target"]) == (None, None, True)

        # the target is Kaiping's for 2016-2018 only
        r = await c.get(share_url(VILLAGE, year=2019), headers=REGISTRAR | {"Accept-Language": "en"})
        assert r.status_code == 422
        assert "no income-share target" in r.json()["detail"]
        r = await c.get(share_url(VILLAGE, local=0), headers=REGISTRAR)
        assert r.status_code == 422
