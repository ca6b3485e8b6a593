"""The hot reads without FastAPI's per-request dependency solving (shared/read_route.py): every
answer is the one FastAPI's own handler gives, refusals included, and nothing is skipped."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from fastapi import FastAPI

from shared import read_route
from shared.read_route import ReadRoute, plan_of
from tests.registry.integration.helpers import (
    COUNTY,
    COUNTY_REGISTRAR,
    OTHER_REGISTRAR,
    REGISTRAR,
    candidate,
    load_areas,
    registry_app,
)
from tests.support import auth, service_client, settings_for

SERVICES = ("registry", "funds", "pairing", "inspection")
HOT_READS = {"read_household", "area_rollup"}


def _app(service: str) -> FastAPI:
    module = importlib.import_module(f"services.{service}.app")
    return module.create_app(settings_for(module.settings_class, "postgresql+asyncpg://u@127.0.0.1:1/none"))


def _read_routes(app: FastAPI) -> list[Any]:
    """The routes as the app runs them (with what their inclusion adds) that are ReadRoutes."""
    found = []
    for route in app.router.routes:
        for context in getattr(route, "effective_route_contexts", list)():
            if isinstance(context.original_route, ReadRoute):
                found.append(context)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_read_route_takes_no_dependency_from_its_inclusion(service: str) -> None:
    """Its plan is made from its own dependencies: one added where its router is included would
    be skipped on the fast path, so there must be none."""
    for context in _read_routes(_app(service)):
        own = [d.call for d in context.original_route.dependant.dependencies]
        assert [d.call for d in context.dependant.dependencies] == own, context.path


def test_the_hot_reads_take_the_fast_path() -> None:
    contexts = {c.name: c for c in _read_routes(_app("registry"))}
    assert HOT_READS <= set(contexts)
    for name in HOT_READS:
        plan = plan_of(contexts[name].dependant)
        assert plan is not None, name
        assert [d.name for d in plan.dependencies] == ["user"]  # the caller, as CurrentUser gives it


async def _answers(client: Any, requests: list[tuple[str, dict[str, str]]]) -> list[Any]:
    answers = []
    for url, headers in requests:
        r = await client.get(url, headers=headers)
        kept = sorted((k, v) for k, v in r.headers.items() if k != "x-request-id")
        answers.append((url, r.status_code, kept, r.content))
    return answers


def _count_solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time a request falls back to FastAPI's own dependency solving."""
    taken: list[int] = []
    solve = read_route._solve

    async def counted(*args: Any, **kw: Any) -> Any:
        taken.append(1)
        return await solve(*args, **kw)

    monkeypatch.setattr(read_route, "_solve", counted)
    return taken


@pytest.mark.asyncio
async def test_every_answer_is_the_one_fastapis_own_handler_gives(make_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    taken = _count_solves(monkeypatch)
    async with service_client(app) as c:
        await load_areas(c)
        h = (await candidate(c))["id"]
        tag = (await c.get(f"/registry/v1/households/{h}", headers=REGISTRAR)).headers["etag"]
        english = {"Accept-Language": "en"}
        cadre, auditor = auth("cadre", COUNTY), auth("auditor", COUNTY)
        card = f"/registry/v1/households/{h}"
        rollup = f"/registry/v1/rollups/{COUNTY}"
        requests = [
            (card, REGISTRAR),
            (card, COUNTY_REGISTRAR | {"Accept-Encoding": "gzip"}),
            (card, REGISTRAR | {"If-None-Match": tag}),
            (card, OTHER_REGISTRAR | english),  # another village's: 404
            (card, cadre),  # not paired to this cadre: 404
            (card, {}),  # no token: 401
            ("/registry/v1/households/00000000-0000-0000-0000-000000000001", REGISTRAR),
            (card + "?unknown=1", REGISTRAR),
            (rollup, COUNTY_REGISTRAR),
            (rollup, auditor),  # small cells suppressed
            (rollup, cadre),
            (rollup + "?year=2018", COUNTY_REGISTRAR | {"Accept-Encoding": "gzip"}),
            (rollup + "?year=2018&year=2019", COUNTY_REGISTRAR),
            (rollup + "?year=1999", COUNTY_REGISTRAR),  # out of range: 422
            (rollup + "?year=abc", COUNTY_REGISTRAR | english),
            (rollup + "?year=", COUNTY_REGISTRAR),
            ("/registry/v1/rollups/440783", COUNTY_REGISTRAR),
            ("/registry/v1/rollups/44078300000x", COUNTY_REGISTRAR),  # not an area code: 422
            ("/registry/v1/rollups/350500000000", COUNTY_REGISTRAR),  # outside the caller's area
            ("/registry/v1/rollups/440783101201", REGISTRAR),
        ]
        fast = await _answers(c, requests)
        assert len(taken) >= 12  # every request FastAPI would accept and a route reached
        statuses = {status for _, status, _, _ in fast}
        assert {200, 304, 401, 404, 422} <= statuses

        # Any dependency override sends every request to FastAPI's own handler (as in tests that
        # override one): the same requests again, answered the plain way.
        def unused() -> None: ...

        app.dependency_overrides[unused] = unused
        taken.clear()
        plain = await _answers(c, requests)
        assert not taken
    assert fast == plain


@pytest.mark.asyncio
async def test_a_default_factory_gives_each_request_what_fastapis_handler_would() -> None:
    """A query parameter's default factory (the roll-ups' year: this year in China) is called once
    for each request that leaves the parameter out, on the fast path as by FastAPI's own handler,
    and its value passes the same bounds."""
    import httpx
    from fastapi import Query
    from fastapi.responses import JSONResponse

    given = iter(range(2001, 2100))

    def next_year() -> int:
        return next(given)

    async def year_of(year: int = Query(default_factory=next_year, ge=2000, le=2100)) -> JSONResponse:
        return JSONResponse({"year": year})

    app = FastAPI()
    app.router.add_api_route("/year", year_of, methods=["GET"], route_class_override=ReadRoute)
    taken = []
    solve = read_route._solve

    async def counted(*args: Any, **kw: Any) -> Any:
        taken.append(1)
        return await solve(*args, **kw)

    read_route._solve = counted  # type: ignore[assignment]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            fast = [(await c.get(url)).json() for url in ("/year", "/year", "/year?year=2050", "/year")]
            assert len(taken) == 4
            app.dependency_overrides[next_year] = next_year  # FastAPI's own handler from here on
            plain = [(await c.get(url)).json() for url in ("/year", "/year?year=2050")]
            assert len(taken) == 4
    finally:
        read_route._solve = solve  # type: ignore[assignment]
    # one call of the factory per request without ?year=, in order, whichever handler answered
    assert [a["year"] for a in fast + plain] == [2001, 2002, 2050, 2003, 2004, 2050]
