"""A database outage answers 503 with Retry-After, and every answer can be traced and counted.

With PostgreSQL down (stopped for real, or an app pointed at a port where nothing listens),
a request gets 503 problem+json with Retry-After instead of a bare 500; every response, errors
included, carries X-Request-ID; /metrics counts every status, unhandled errors included; the
log lines of the request carry its id.
"""

from __future__ import annotations

import json
import re
import signal

import pytest
from fastapi import APIRouter, Request
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from deploy.local.stack import LocalStack, free_port
from shared.app import create_service_app
from shared.db import SessionDep, read_rows
from shared.errors import database_unavailable
from shared.settings import ServiceSettings
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio

router = APIRouter()


@router.get("/now")
async def now(session: SessionDep) -> dict[str, str]:
    return {"now": str((await session.execute(text("SELECT now()"))).scalar_one())}


_NOW = select(func.now().label("now"))


@router.get("/hot")
async def hot(request: Request) -> dict[str, str]:
    """A hot read (a card's, a roll-up's): a read session's read_rows, on the driver's connection."""
    async with request.app.state.db.reading() as session:
        return {"now": str((await read_rows(session, _NOW, {}))[0]["now"])}


@router.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("a bug no handler knows")


def _app(url: str, service: str = "funds"):  # type: ignore[no-untyped-def]
    settings = settings_for(ServiceSettings, url, service_name=service, log_json=True, log_level="INFO")
    return create_service_app(settings, title="t", routers=[router])


def _count(metrics: str, service: str, route: str, status: int) -> float:
    want = {"service": service, "method": "GET", "route": route, "status": str(status)}
    total = 0.0
    for labels, value in re.findall(r"^jingzhun_http_requests_total\{(.*?)\} (\S+)$", metrics, re.M):
        if dict(re.findall(r'(\w+)="([^"]*)"', labels)) == want:
            total += float(value)
    return total


def _json_lines(out: str) -> list[dict[str, object]]:
    lines = []
    for line in out.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def _assert_unavailable(r, rid: str) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) >= 1
    assert r.headers["x-request-id"] == rid
    body = r.json()
    assert body["type"].endswith("/database-unavailable")
    assert body["status"] == 503
    assert "Traceback" not in r.text
    # the connection may have dropped during COMMIT: never "nothing was saved", but the safe way
    assert "用同一个 Idempotency-Key" in body["detail"]
    assert "请先查询是否已保存" in body["detail"]
    assert "未作任何保存" not in body["detail"]


async def test_database_at_a_closed_port_is_503_with_retry_after_and_counted(capsys) -> None:  # type: ignore[no-untyped-def]
    app = _app(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere", service="pairing")
    async with service_client(app) as c:
        before = _count((await c.get("/metrics")).text, "pairing", "/now", 503)
        capsys.readouterr()
        r = await c.get("/pairing/v1/now", headers={"X-Request-ID": "outage-1"})
        _assert_unavailable(r, "outage-1")
        logged = _json_lines(capsys.readouterr().out)
        mine = [line for line in logged if line.get("event") == "database_unavailable"]
        assert mine, logged
        assert all(line.get("request_id") == "outage-1" for line in mine)

        # No id sent: one is made and returned
        r = await c.get("/pairing/v1/now")
        assert r.status_code == 503
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])

        ready = await c.get("/health/ready")
        assert ready.status_code == 503
        assert ready.headers["x-request-id"]
        metrics = (await c.get("/metrics")).text
        assert _count(metrics, "pairing", "/now", 503) == before + 2

        r = await c.get("/pairing/v1/now", headers={"Accept-Language": "en"})
        assert "with the same Idempotency-Key" in r.json()["detail"]
        assert "check whether it was saved before entering it again" in r.json()["detail"]
        assert "nothing was saved" not in r.json()["detail"].lower()


async def test_unhandled_error_is_500_with_request_id_counted_and_logged(make_db, capsys) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        capsys.readouterr()
        r = await c.get("/funds/v1/boom", headers={"X-Request-ID": "bug-1"})
        assert r.status_code == 500
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["x-request-id"] == "bug-1"
        assert r.json()["type"].endswith("/internal-error")
        assert "a bug no handler knows" not in r.text
        logged = _json_lines(capsys.readouterr().out)
        errors = [line for line in logged if line.get("event") == "unhandled_error"]
        assert errors, logged
        assert errors[0]["request_id"] == "bug-1"
        assert "RuntimeError" in str(errors[0].get("exception"))
        metrics = (await c.get("/metrics")).text
        assert _count(metrics, "funds", "/boom", 500) >= 1
        # Domain answers keep their id too
        r = await c.get("/funds/v1/nothing-here", headers={"X-Request-ID": "nf-1"})
        assert r.status_code == 404
        assert r.headers["x-request-id"] == "nf-1"


def _stop_postgres(stack: LocalStack) -> None:
    for proc in list(stack._procs):
        if proc.args[0].endswith("/postgres") and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # fast shutdown: clients are cut off
            proc.wait(timeout=30)
            stack._procs.remove(proc)


async def test_postgresql_stopped_then_back(make_db, pg_stack: LocalStack) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("inspection"), service="inspection")
    async with service_client(app) as c:
        for path in ("/now", "/hot"):  # each pool holds a connection
            assert (await c.get(f"/inspection/v1{path}")).status_code == 200
        _stop_postgres(pg_stack)
        try:
            for path in ("/now", "/hot"):
                for attempt in range(3):  # the pooled connection is dead, then no new one can be made
                    r = await c.get(f"/inspection/v1{path}", headers={"X-Request-ID": f"down-{attempt}"})
                    _assert_unavailable(r, f"down-{attempt}")
                metrics = (await c.get("/metrics")).text
                assert _count(metrics, "inspection", path, 503) >= 3
                assert _count(metrics, "inspection", path, 500) == 0
        finally:
            pg_stack.start_postgres()
        for path in ("/now", "/hot"):
            r = await c.get(f"/inspection/v1{path}")
            assert r.status_code == 200, r.text



class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (OSError("Multiple exceptions: [Errno 111] Connect call failed"), True),
        (PoolTimeoutError("QueuePool limit of size 10 overflow 10 reached"), True),
        (DBAPIError("SELECT 1", None, _Orig("57P01")), True),  # admin shutdown
        (DBAPIError("SELECT 1", None, _Orig("57P03")), True),  # the database system is starting up
        (DBAPIError("SELECT 1", None, _Orig("08006")), True),  # connection failure
        (DBAPIError("SELECT 1", None, _Orig("53300")), True),  # too many connections
        (DBAPIError("SELECT 1", None, _Orig("42P01")), False),  # a bug: undefined table
        (FileNotFoundError("/no/such/file"), False),
        (RuntimeError("a bug"), False),
    ],
)
async def test_what_counts_as_the_database_being_out_of_reach(exc: BaseException, unavailable: bool) -> None:
    assert database_unavailable(exc) is unavailable
    wrapped = RuntimeError("while handling a request")
    wrapped.__cause__ = exc
    assert database_unavailable(wrapped) is unavailable
