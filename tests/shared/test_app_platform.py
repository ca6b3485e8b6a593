"""The platform as a route sees it: auth, problem+json, the request-owned transaction, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import func, select

from shared import audit
from shared.app import create_service_app
from shared.auth import AreaScope, CurrentUser, Principal, require_roles
from shared.db import SessionDep
from shared.errors import Conflict
from shared.events import add_event
from shared.http import IfMatch, check_if_match
from shared.idempotency import IdempotencyDep
from shared.settings import ServiceSettings
from shared.tables import audit_log, outbox
from tests.support import auth, service_client, settings_for, token

pytestmark = pytest.mark.asyncio
VILLAGE = "440783101201"


class Grant(BaseModel):
    amount_fen: int


class Refused(Conflict):
    type_slug = "grant-refused"
    title = "Grant refused"


router = APIRouter()


@router.post("/grants", status_code=201)
async def grant(
    body: Grant,
    session: SessionDep,
    user: Annotated[Principal, Depends(require_roles("finance"))],
    scope: AreaScope,
    idem: IdempotencyDep,
) -> dict[str, object]:
    await audit.record(session, user, "grant", ("grant", scope), after=body.model_dump())
    await add_event(session, type="funds.grant.made.v1", subject=scope, data=body.model_dump())
    if body.amount_fen < 0:
        raise Refused("A grant cannot be negative; nothing was recorded", amount_fen=body.amount_fen)
    if body.amount_fen == 13:
        await asyncio.sleep(0.5)  # slow request: a second one with the same key arrives meanwhile
    out = {"area_prefix": scope, "amount_fen": body.amount_fen}
    await idem.save(201, out)
    return out


@router.post("/copies", status_code=201)
async def copy_twice(
    session: SessionDep, user: Annotated[Principal, Depends(require_roles("finance"))]
) -> None:
    """A bulk write on the driver's own connection (COPY, as the imports do) that the database
    refuses: the same outbox id twice."""
    await audit.record(session, user, "copy", ("copy", "x"), after={})
    driver = (await (await session.connection()).get_raw_connection()).driver_connection
    assert driver is not None
    row = (uuid.UUID(int=7), "t", "s", "{}")
    await driver.copy_records_to_table(
        "outbox", records=[row, row], columns=["id", "type", "subject", "envelope"]
    )


@router.get("/me")
async def me(user: CurrentUser) -> dict[str, object]:
    return {"sub": user.sub, "prefix": user.area_prefix}


def _app(url: str):  # type: ignore[no-untyped-def]
    settings = settings_for(ServiceSettings, url, service_name="funds")
    return create_service_app(settings, title="t", routers=[router])


async def _rows(app, table) -> int:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())


async def test_missing_or_bad_token_is_401_problem(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        r = await c.get("/funds/v1/me")
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/unauthorized")
        r = await c.get("/funds/v1/me", headers={"Authorization": "Bearer not-a-jwt"})
        assert r.status_code == 401
        r = await c.get("/funds/v1/me", headers={"Authorization": token("cadre", VILLAGE, ttl_s=-10)})
        assert r.status_code == 401
        assert r.json()["detail"] == "登录已过期，请重新登录"
        r = await c.get(
            "/funds/v1/me",
            headers={"Authorization": token("cadre", VILLAGE, ttl_s=-10), "Accept-Language": "en"},
        )
        assert "expired" in r.json()["detail"]
        r = await c.get("/funds/v1/me", headers=auth("cadre", "440783000000", sub="u1"))
        assert r.json() == {"sub": "u1", "prefix": "440783"}


async def test_wrong_role_is_403_and_bad_body_is_422(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        r = await c.post("/funds/v1/grants", json={"amount_fen": 1}, headers=auth("cadre", VILLAGE))
        assert r.status_code == 403
        assert r.json()["required_roles"] == ["finance"]
        # the clerk reads who may do it in words, not the role's code
        assert r.json()["required_roles_labels"] == ["财务人员"]
        assert r.json()["detail"] == (
            "此操作需要以下角色之一：财务人员；请由有该角色的人员办理，或联系管理员调整角色"
        )
        english = auth("cadre", VILLAGE) | {"Accept-Language": "en"}
        en = await c.post("/funds/v1/grants", json={"amount_fen": 1}, headers=english)
        assert en.json()["detail"] == "This action needs one of the roles: finance"
        r = await c.post("/funds/v1/grants", json={"amount_fen": "lots"}, headers=auth("finance", VILLAGE))
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "body.amount_fen"
        assert await _rows(app, audit_log) == 0


async def test_refused_change_is_409_and_writes_nothing(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        r = await c.post("/funds/v1/grants", json={"amount_fen": -5}, headers=auth("finance", VILLAGE))
        assert r.status_code == 409
        body = r.json()
        assert body["type"].endswith("/grant-refused")
        assert body["amount_fen"] == -5
        assert "Traceback" not in r.text
        assert await _rows(app, audit_log) == 0
        assert await _rows(app, outbox) == 0
        r = await c.post("/funds/v1/grants", json={"amount_fen": 5}, headers=auth("finance", VILLAGE))
        assert r.status_code == 201
        assert r.headers["x-request-id"]
        assert await _rows(app, audit_log) == 1
        assert await _rows(app, outbox) == 1


async def test_idempotency_key_replays_refuses_and_guards_in_flight(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    h = {**auth("finance", VILLAGE), "Idempotency-Key": "k-1"}
    async with service_client(app) as c:
        first = await c.post("/funds/v1/grants", json={"amount_fen": 7}, headers=h)
        again = await c.post("/funds/v1/grants", json={"amount_fen": 7}, headers=h)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        other = await c.post("/funds/v1/grants", json={"amount_fen": 8}, headers=h)
        assert other.status_code == 409
        assert other.json()["type"].endswith("/idempotency-key-reused")
        assert await _rows(app, audit_log) == 1

        h2 = {**auth("finance", VILLAGE), "Idempotency-Key": "k-2"}
        slow, racing = await asyncio.gather(
            c.post("/funds/v1/grants", json={"amount_fen": 13}, headers=h2),
            _after(0.15, c.post("/funds/v1/grants", json={"amount_fen": 13}, headers=h2)),
        )
        assert slow.status_code == 201
        assert racing.status_code == 409
        assert racing.json()["type"].endswith("/idempotency-key-in-flight")
        assert await _rows(app, audit_log) == 2


async def _after(delay: float, coro):  # type: ignore[no-untyped-def]
    await asyncio.sleep(delay)
    return await coro


async def test_health_and_metrics(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        assert (await c.get("/health/live")).status_code == 200
        ready = await c.get("/health/ready")
        # An API's readiness is its database; ?full=1 reports the bus, unused by this API-only replica.
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok"}
        full = await c.get("/health/ready", params={"full": "1"})
        assert full.status_code == 200
        assert full.json()["checks"] == {"database": "ok", "nats": "unused"}
        metrics = await c.get("/metrics")
        assert "jingzhun_http_requests_total" in metrics.text


async def test_ready_and_writing_while_the_bus_is_unreachable(make_db) -> None:  # type: ignore[no-untyped-def]
    """Relay on, NATS unreachable: the API stays ready and takes writes (into the outbox)."""
    settings = settings_for(ServiceSettings, make_db("funds"), "nats://127.0.0.1:1", service_name="funds")
    app = create_service_app(settings, title="t", routers=[router])
    async with service_client(app) as c:
        ready = await c.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}
        full = await c.get("/health/ready?full=1")
        assert full.status_code == 503
        assert full.json()["checks"]["nats"].startswith("failing")
        assert 'jingzhun_nats_connected{service="funds"} 0.0' in (await c.get("/metrics")).text
        r = await c.post("/funds/v1/grants", json={"amount_fen": 5}, headers=auth("finance", VILLAGE))
        assert r.status_code == 201
        async with app.state.db.transaction() as s:
            unsent = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            assert (await s.execute(unsent)).scalar_one() == 1


async def test_audit_chain_detects_tampering(make_db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    app = _app(make_db("funds"))
    async with service_client(app) as c:
        for amount in (1, 2, 3):
            r = await c.post(
                "/funds/v1/grants", json={"amount_fen": amount}, headers=auth("finance", VILLAGE)
            )
            assert r.status_code == 201
    async with app.state.db.transaction() as s:
        assert await audit.verify_chain(s) == (True, None)
        second = (
            await s.execute(select(audit_log.c.id).order_by(audit_log.c.id).offset(1).limit(1))
        ).scalar_one()
        # Someone edits the amount of the second grant directly in the database.
        await s.execute(update(audit_log).where(audit_log.c.id == second).values(after={"amount_fen": 200}))
        assert await audit.verify_chain(s) == (False, second)


@router.get("/echo")
async def echo(note: str, count: int, session: SessionDep, user: CurrentUser) -> dict[str, object]:
    # Stores nothing; sends the caller's text and number to PostgreSQL as query parameters.
    from sqlalchemy import Integer, literal

    row = (await session.execute(select(literal(note), literal(count, Integer)))).one()
    return {"note": row[0], "count": row[1], "by": user.sub}


async def test_values_the_database_refuses_are_422_not_500(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        h = auth("cadre", VILLAGE)
        ok = await c.get("/funds/v1/echo", params={"note": "正常", "count": 3}, headers=h)
        assert ok.json()["note"] == "正常"
        r = await c.get("/funds/v1/echo", params={"note": "a\x00b", "count": 3}, headers=h)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/text-not-storable")
        r = await c.get("/funds/v1/echo", params={"note": "x", "count": 2**31}, headers=h)
        assert r.status_code == 422
        assert r.json()["type"].endswith("/value-out-of-range")


async def test_openapi_documents_problem_json_errors(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        doc = (await c.get("/funds/v1/openapi.json")).json()
    responses = doc["paths"]["/funds/v1/grants"]["post"]["responses"]
    for code in ("401", "403", "404", "409", "422"):
        assert list(responses[code]["content"]) == ["application/problem+json"]
    assert "Problem" in doc["components"]["schemas"]


@router.patch("/grants/{grant_id}")
async def amend(grant_id: int, body: Grant, if_match: IfMatch, user: CurrentUser) -> dict[str, object]:
    check_if_match(if_match, 1)
    return {"id": grant_id, "amount_fen": body.amount_fen}


async def test_unreadable_body_is_422_and_conditional_routes_document_412_428(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        r = await c.post(
            "/funds/v1/grants",
            content=b"\x13\x0e\xff\x11",
            headers={**auth("finance", VILLAGE), "Content-Type": "application/json"},
        )
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        stale = await c.patch(
            "/funds/v1/grants/1",
            json={"amount_fen": 1},
            headers={**auth("finance", VILLAGE), "If-Match": '"0"'},
        )
        assert stale.status_code == 412
        doc = (await c.get("/funds/v1/openapi.json")).json()
    amend_doc = doc["paths"]["/funds/v1/grants/{grant_id}"]["patch"]["responses"]
    assert {"412", "428"} <= set(amend_doc)
    assert list(amend_doc["412"]["content"]) == ["application/problem+json"]
    assert "412" not in doc["paths"]["/funds/v1/grants"]["post"]["responses"]


async def test_a_refusal_on_the_drivers_own_connection_is_a_409_problem(make_db) -> None:  # type: ignore[no-untyped-def]
    """A COPY's unique violation comes from asyncpg itself, not through SQLAlchemy: still a 409
    problem in Chinese that says nothing was saved, not a 500, and the request's audit row is gone."""
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        r = await c.post("/funds/v1/copies", headers=auth("finance", VILLAGE))
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/conflicts-with-recorded-data")
        assert r.json()["title"] == "与已登记的数据冲突"
        assert "未作任何保存" in r.json()["detail"]
        assert "Traceback" not in r.text
        assert await _rows(app, audit_log) == 0
        assert await _rows(app, outbox) == 0
