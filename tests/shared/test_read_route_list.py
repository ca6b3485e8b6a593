"""The household list (GET /registry/v1/households) on the fast path of shared/read_route.py: its
eight query values are taken as FastAPI takes them, so every answer — pages, cursors, masking,
refusals (422 problem+json, 401, 404, 429), gzip — is the one FastAPI's own handler gives."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from shared.read_route import ReadRoute, plan_of
from tests.registry.integration.helpers import (
    COUNTY,
    COUNTY_REGISTRAR,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registry_app,
)
from tests.shared.test_read_route import _answers, _app, _count_solves, _read_routes
from tests.support import auth, service_client

LIST = "/registry/v1/households"


def test_the_list_takes_the_fast_path_with_all_its_query_values() -> None:
    contexts = {c.name: c for c in _read_routes(_app("registry"))}
    route = contexts["search_households"]
    assert isinstance(route.original_route, ReadRoute)
    plan = plan_of(route.dependant)
    assert plan is not None
    names = "limit cursor area_code status cause batch name resident_id"
    assert [v.name for v in plan.query] == names.split()
    # the rate limit first (the route's own dependency, which takes the caller), the caller, the cipher
    assert [d.name for d in plan.dependencies] == [None, "user", "cipher"]
    assert [d.name for d in plan.dependencies[0].dependencies] == ["user"]


def _queries(cursor: str) -> list[str]:
    wang = quote("王")
    return [
        "",
        "?",
        "?limit=2",
        "?limit=1",
        "?limit=200",
        f"?limit=2&cursor={cursor}",
        f"?cursor={cursor}",
        f"?area_code={COUNTY}",
        "?area_code=440783",
        "?area_code=44",  # above the caller's area
        f"?area_code={VILLAGE}&limit=1",
        f"?area_code={OTHER_VILLAGE}",
        "?area_code=440783999999",  # well formed, not on the register
        "?status=candidate",
        "?status=registered",
        f"?status={quote('拟识别')}",  # the Chinese label of a code
        f"?status={quote(' 拟识别 ')}",
        f"?cause={quote('因病')}",
        "?cause=illness&batch=production_employment",
        f"?batch={quote('扶持生产和就业发展一批')}",
        f"?name={wang}",
        f"?name={quote('李小红')}&limit=5",
        "?name=",
        f"?resident_id={person_id()}",
        "?unknown=1&limit=3",  # unknown values are ignored
        "?limit=3&limit=1",  # repeated: the last one counts
        "?limit=1&limit=0",
        "?limit=abc&limit=2",
        "?LIMIT=0",  # names are case-sensitive
        "?limit=%32",  # percent-encoded 2
        "?limit=+2",
        # refused: FastAPI's 422 problem+json, the dependencies run (and run once)
        "?limit=0",
        "?limit=201",
        "?limit=abc",
        "?limit=",
        "?limit=1.5",
        f"?limit={quote('２')}",  # a full-width digit
        "?cursor=",
        "?cursor=not%20base64!",
        "?cursor=" + "A" * 2049,
        "?cursor=WyJ4Il0",  # well formed, not one this list gave out: 404
        "?area_code=",
        "?area_code=44078300000x",
        "?area_code=4407831",
        f"?area_code={quote(' 440783')}",
        "?status=",
        "?status=bogus",
        "?status=CANDIDATE",
        f"?status={quote('已脱贫')}",
        f"?cause={quote('因穷')}",  # on no list: 422 naming the causes, not an empty page
        "?cause=bogus",
        f"?batch={quote('扶贫一批')}",
        f"?cause={quote('因病')}&batch=bogus",
        "?name=" + quote("王" * 51),
        "?resident_id=12345",
        "?resident_id=" + "1" * 19,
        "?limit=0&status=bogus&area_code=x",  # three errors in one answer
        "?name=%ZZ",  # not percent-encoding: taken as it is
    ]


@pytest.mark.asyncio
async def test_every_list_answer_is_the_one_fastapis_own_handler_gives(make_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    taken = _count_solves(monkeypatch)
    async with service_client(app) as c:
        await load_areas(c)
        for causes in (["illness"], ["schooling", "disability"], []):
            await candidate(c, poverty_causes=causes)
        await candidate(c, area_code=OTHER_VILLAGE, batches=[])
        await candidate(c, members=[member("head", name="王")])  # a one-character name
        await candidate(c, members=[member("head", name='王"引号\\斜杠')])  # characters JSON escapes
        first = await c.get(f"{LIST}?limit=2", headers=COUNTY_REGISTRAR)
        cursor = first.json()["next_cursor"]
        assert cursor
        english = {"Accept-Language": "en"}
        gzip = {"Accept-Encoding": "gzip"}
        callers = [
            COUNTY_REGISTRAR,
            REGISTRAR | gzip,
            COUNTY_REGISTRAR | english,
            auth("auditor", COUNTY),  # names masked
            auth("cadre", COUNTY),  # only the households paired to this cadre: none
        ]
        requests = [(LIST + q, who) for q in _queries(cursor) for who in callers[:3]]
        requests += [(LIST + q, who) for q in ("", "?limit=1", "?limit=0") for who in callers[3:]]
        requests += [
            (LIST, {}),  # no token: 401
            (LIST + "?limit=0", {}),  # 401 before the 422 (the caller is checked first)
            (LIST, {"Authorization": "Bearer not-a-token"}),
            (LIST + "?limit=2", COUNTY_REGISTRAR | gzip | english),
        ]
        fast = await _answers(c, requests)
        accepted = sum(1 for _, status, _, _ in fast if status not in (401, 422))
        assert len(taken) >= accepted > 40  # every request FastAPI would accept took the fast path
        assert {200, 401, 404, 422} <= {status for _, status, _, _ in fast}

        # Any dependency override sends every request to FastAPI's own handler
        def unused() -> None: ...

        app.dependency_overrides[unused] = unused
        taken.clear()
        plain = await _answers(c, requests)
        assert not taken
    assert fast == plain
