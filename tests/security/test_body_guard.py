"""A body is bounded and the caller known before a byte of it is read (shared.bodyguard)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request

from services.funds.app import create_app as create_funds
from services.funds.settings import FundsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared import bodyguard
from shared.bodyguard import LARGE_BODY, BodyGuardMiddleware, guarded_routes
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

TRANSFERS = "/funds/v1/ledger/transfers"
FINANCE = auth("finance", "440783000000")


class Sender:
    """A client that announces a big body and sends only a few bytes of it, then waits forever."""

    def __init__(self) -> None:
        self.reads = 0
        self.messages: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        self.reads += 1
        if self.reads == 1:
            return {"type": "http.request", "body": b'{"kind": "rec', "more_body": True}
        await asyncio.Event().wait()  # the rest never comes
        raise AssertionError("unreachable")

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(next(m for m in self.messages if m["type"] == "http.response.start")["status"])

    @property
    def body(self) -> dict[str, Any]:
        return dict(
            json.loads(
                b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")
            )
        )


def _scope(path: str, headers: dict[str, str], *, length: int | None) -> dict[str, Any]:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()] + [
        (b"content-type", b"application/json")
    ]
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    else:
        raw.append((b"transfer-encoding", b"chunked"))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }


async def _call(app: Any, scope: dict[str, Any]) -> Sender:
    sender = Sender()
    await asyncio.wait_for(app(scope, sender.receive, sender.send), timeout=5)
    return sender


async def test_an_unauthenticated_129_mb_post_is_401_without_reading_the_body(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_funds(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app):
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            sender = await _call(app, _scope(TRANSFERS, headers, length=129 * 1024 * 1024))
            assert sender.status == 401
            assert sender.reads == 0  # not one chunk of the body was taken
            assert sender.body["type"].endswith("/unauthorized")
        # A valid token without the role: 403, also before the body.
        sender = await _call(app, _scope(TRANSFERS, auth("cadre", "440783000000"), length=129 * 1024 * 1024))
        assert (sender.status, sender.reads) == (403, 0)


async def test_a_body_over_the_limit_is_413_before_it_is_read(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_funds(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as c:
        sender = await _call(app, _scope(TRANSFERS, FINANCE, length=129 * 1024 * 1024))
        assert (sender.status, sender.reads) == (413, 0)
        assert sender.body["type"].endswith("/body-too-large")
        assert sender.body["max_bytes"] == 1024 * 1024
        # Sent in full: the same answer, through an ordinary client.
        r = await c.post(TRANSFERS, content=b"[" + b"1," * 600_000 + b"1]", headers=FINANCE)
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_chunked_body_is_cut_off_at_the_limit(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_funds(settings_for(FundsSettings, make_db("funds"), max_body_bytes=64 * 1024))
    chunk = b" " * 16 * 1024
    reads = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": chunk, "more_body": True}  # an endless stream

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async with service_client(app):
        await asyncio.wait_for(app(_scope(TRANSFERS, FINANCE, length=None), receive, send), timeout=5)
    assert sent[0]["status"] == 413
    assert reads == 5  # 64 KiB taken, the 5th chunk went over: no more was read


async def test_a_body_that_stops_arriving_is_408_not_a_hung_request(make_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A phone that loses its one bar halfway through an upload: the request is answered (408,
    nothing stored, Connection: close) instead of holding the connection and a worker forever."""
    monkeypatch.setattr(bodyguard, "BODY_IDLE_TIMEOUT_S", 0.2, raising=False)
    app = create_funds(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app):
        sender = await _call(app, _scope(TRANSFERS, FINANCE | {"Accept-Language": "en"}, length=500))
    assert sender.status == 408
    assert sender.body["type"].endswith("/body-timed-out")
    assert "nothing was stored" in sender.body["detail"]
    start = next(m for m in sender.messages if m["type"] == "http.response.start")
    assert (b"connection", b"close") in start["headers"]


async def test_imports_take_more_than_the_default(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_registry(settings_for(RegistrySettings, make_db("registry")))
    big = {"households": [{"padding": "x" * 1000} for _ in range(2000)]}  # ~2 MB, malformed rows
    async with service_client(app) as c:
        approver = auth("approver", "440783000000")
        r = await c.post("/registry/v1/households/imports", json=big, headers=approver)
        assert r.status_code == 422  # read and validated: not refused for its size
        r = await c.post("/registry/v1/households", json=big, headers=auth("registrar", "440783000000"))
        assert r.status_code == 413  # the same bytes to an ordinary operation


async def test_deep_json_and_huge_integers_are_422_with_a_message_that_says_so(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_funds(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as c:
        en = {"content-type": "application/json", "Accept-Language": "en"}
        for depth in (65, 5_000):
            deep = "[" * depth + "]" * depth
            r = await c.post(TRANSFERS, content=deep, headers=FINANCE | en)
            assert r.status_code == 422, r.text
            assert "nested more than 64 levels" in r.json()["detail"]
            assert "UTF-8" not in r.json()["detail"]
            zh = (
                await c.post(TRANSFERS, content=deep, headers=FINANCE | {"content-type": "application/json"})
            ).json()
            assert (zh["title"], zh["detail"]) == (
                "提交的内容有误",
                "请求内容嵌套超过64层，任何办理事项都不需要这么多层，请检查提交的内容",
            )
        ok_depth = "[" * 64 + "]" * 64
        r = await c.post(TRANSFERS, content=ok_depth, headers=FINANCE | {"content-type": "application/json"})
        assert r.status_code == 422
        assert "nested" not in r.json()["detail"]
        for number in ("9" * 5_000, str(2**64), "-" + "9" * 30):
            body = f'{{"kind": "receipt", "from_account": "a", "to_account": "b", "amount_fen": {number}}}'
            r = await c.post(TRANSFERS, content=body, headers=FINANCE | en)
            assert r.status_code == 422, r.text
            assert "too large" in r.json()["detail"]
            assert "UTF-8" not in r.json()["detail"]
            # a clerk who typed an amount with too many digits reads why, in Chinese
            zh = (
                await c.post(TRANSFERS, content=body, headers=FINANCE | {"content-type": "application/json"})
            ).json()
            assert zh["title"] == "提交的内容有误"
            assert zh["detail"].startswith("请求内容中的数字过大：整数须在±9,223,372,036,854,775,807以内")
        # Bytes that are not UTF-8 still get the UTF-8 message.
        r = await c.post(
            TRANSFERS, content=b'{"memo": "\xff"}', headers=FINANCE | {"content-type": "application/json"}
        )
        assert r.status_code == 422


async def test_an_upload_beyond_1_mib_is_spooled_to_disk_and_handed_on_in_chunks() -> None:
    """The gate holds no upload in memory: beyond 1 MiB it goes to a temporary file as it arrives,
    and the route reads it back in 64 KiB chunks, byte for byte (a small body stays one piece)."""
    seen: list[int] = []
    received = bytearray()

    async def upload(request: Request) -> dict[str, int]:
        async for chunk in request.stream():
            if chunk:
                seen.append(len(chunk))
                received.extend(chunk)
        return {"bytes": len(received)}

    router = APIRouter()
    router.add_api_route("/upload", upload, methods=["POST"], openapi_extra=LARGE_BODY)
    app = FastAPI()
    app.include_router(router)
    guarded = BodyGuardMiddleware(
        app, routes=guarded_routes([router], ""), max_body_bytes=1024, max_upload_bytes=16 * 1024 * 1024
    )
    payload = bytes(range(256)) * (5 * 4096)  # 5 MiB
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.post("/upload", content=payload, headers={"content-type": "application/octet-stream"})
        assert r.json() == {"bytes": len(payload)}
        assert bytes(received) == payload
        assert max(seen) <= 64 * 1024
        assert len(seen) == len(payload) // (64 * 1024)
        seen.clear()
        received.clear()
        r = await c.post("/upload", content=b"x" * 1000, headers={"content-type": "application/octet-stream"})
        assert seen == [1000]


async def test_a_spooled_json_import_is_still_checked_for_depth(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_registry(settings_for(RegistrySettings, make_db("registry")))
    padding = '{"padding": "' + "x" * (2 * 1024 * 1024) + '"}'
    deep = '{"households": [' + padding + ", " + "[" * 100 + "]" * 100 + "]}"  # 2 MiB, 101 levels
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/households/imports",
            content=deep,
            headers=auth("approver", "440783000000") | {"content-type": "application/json"},
        )
        assert r.status_code == 422, r.text
        assert "嵌套超过64层" in r.json()["detail"]


@pytest.mark.parametrize("service", ["registry", "funds", "pairing", "inspection"])
async def test_the_route_index_finds_what_trying_every_route_finds(service: str) -> None:
    """The gate looks up a request's operation by method and resource first; for every operation
    of every service (a concrete path of each, and near misses) it names the operation the plain
    scan in declaration order names."""
    import importlib
    import re

    from shared.bodyguard import _match, _RouteIndex

    app = importlib.import_module(f"services.{service}.app")
    routes = guarded_routes(app.ROUTERS, f"/{service}/v1")
    index = _RouteIndex(routes)
    samples = {"uuid": "5b0c2f8e-0f4e-4b9e-9a55-2a1c3a9a0b11", "int": "2018", "str": "440783101201"}
    for route in routes:
        concrete = re.sub(r"\{[^}:]+(?::(\w+))?\}", lambda m: samples[m.group(1) or "str"], route.path)
        for path in (concrete, concrete + "/extra", concrete.rsplit("/", 1)[0] + "/unknown"):
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                assert index.match(method, path) is _match(routes, method, path), (method, path)
    assert index.match("GET", f"/{service}/v1/no-such-resource/x") is _match(
        routes, "GET", f"/{service}/v1/no-such-resource/x"
    )
