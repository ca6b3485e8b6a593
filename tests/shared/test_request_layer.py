"""The one request layer (shared/observability.py RequestContextMiddleware): request id, metrics,
conditional GET and gzip, in that order, as the three middlewares it replaced answered."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from fastapi import APIRouter, Response

from shared.app import create_service_app
from shared.auth import CurrentUser
from shared.context import new_request_id
from shared.settings import ServiceSettings
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
VILLAGE = "440783101201"
BIG = json.dumps({"rows": [{"n": i, "name": f"户主{i}"} for i in range(200)]}, ensure_ascii=False).encode()

router = APIRouter()


@router.get("/card")
async def card(user: CurrentUser) -> Response:
    return Response(BIG, media_type="application/json", headers={"ETag": '"7"'})


@router.get("/small")
async def small(user: CurrentUser) -> Response:
    return Response(b'{"ok":true}', media_type="application/json", headers={"ETag": '"7"'})


@router.get("/picture")
async def picture(user: CurrentUser) -> Response:
    return Response(b"\x89PNG" + bytes(4000), media_type="image/png")


def _app(url: str):  # type: ignore[no-untyped-def]
    settings = settings_for(ServiceSettings, url, service_name="funds")
    return create_service_app(settings, title="t", routers=[router])


async def test_gzip_304_and_request_id_together(make_db) -> None:  # type: ignore[no-untyped-def]
    app = _app(make_db("funds"))
    who = auth("finance", VILLAGE)
    async with service_client(app) as c:
        asked = who | {"Accept-Encoding": "gzip", "X-Request-ID": "rl-1"}
        full = await c.get("/funds/v1/card", headers=asked)
        assert full.status_code == 200
        assert full.headers["content-encoding"] == "gzip"
        assert full.headers["vary"] == "Accept-Encoding"
        assert full.headers["x-request-id"] == "rl-1"
        assert full.content == BIG  # httpx undoes the gzip
        assert int(full.headers["content-length"]) < len(BIG) // 3

        plain = await c.get("/funds/v1/card", headers=who | {"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.headers["content-length"] == str(len(BIG))
        assert re.fullmatch(r"[0-9a-f]{32}", plain.headers["x-request-id"])

        small = await c.get("/funds/v1/small", headers=who | {"Accept-Encoding": "gzip"})
        assert "content-encoding" not in small.headers  # under 1 KiB: sent as it is
        picture = await c.get("/funds/v1/picture", headers=who | {"Accept-Encoding": "gzip"})
        assert "content-encoding" not in picture.headers  # an excluded content type

        same = await c.get(
            "/funds/v1/card",
            headers=who | {"Accept-Encoding": "gzip", "If-None-Match": 'W/"7"', "X-Request-ID": "rl-2"},
        )
        assert same.status_code == 304
        assert same.content == b""
        assert same.headers["etag"] == '"7"'
        assert same.headers["x-request-id"] == "rl-2"
        assert "content-type" not in same.headers
        assert "content-encoding" not in same.headers
        other = await c.get("/funds/v1/card", headers=who | {"If-None-Match": '"6"'})
        assert other.status_code == 200
        assert other.content == BIG

        refused = await c.get("/funds/v1/card", headers={"If-None-Match": '"7"'})
        assert refused.status_code == 401  # no token: no 304 either
        assert refused.headers["x-request-id"]

        metrics = (await c.get("/metrics")).text
        # the route's own status is counted (the 304 made for the client counts as its 200)
        counted = 'jingzhun_http_requests_total{method="GET",route="/card",service="funds",status="200"} 4.0'
        assert counted in metrics.splitlines()


async def test_a_request_id_made_here_is_a_random_uuid_in_hex() -> None:
    made = [new_request_id() for _ in range(1000)]
    assert len(set(made)) == 1000
    for rid in made:
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        assert uuid.UUID(rid).version == 4
        assert uuid.UUID(rid).variant == uuid.RFC_4122
