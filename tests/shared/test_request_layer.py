"""The one request layer (shared/observability.py RequestContextMiddleware): request id, metrics,
conditional GET and gzip, in that order, as the three middlewares it replaced answered."""

from __future__ import annotations

import gzip
import json
import re
import uuid
import zlib

import pytest
from fastapi import APIRouter, Depends, Response
from starlette.types import Message

from shared.app import create_service_app
from shared.auth import CurrentUser, require_roles
from shared.compression import SizedGZipMiddleware
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
        assert "content-encoding" not in small.headers  # under 1,200 bytes: sent as it is
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


@router.get("/sized/{size}")
async def sized(size: int, user: CurrentUser) -> Response:
    return Response((CARD * 2)[:size], media_type="application/json")


@pytest.mark.parametrize(("size", "compressed"), [(1100, False), (1199, False), (1200, True), (1500, True)])
async def test_an_answer_that_fits_one_segment_is_sent_as_it_is(make_db, size: int, compressed: bool) -> None:  # type: ignore[no-untyped-def]
    """An answer under 1,200 bytes (a one-person household's card, ~1,100) goes out with its headers
    in one TCP segment even on a phone's link, compressed or not: it is sent as it is, without the
    cost of compressing it; from 1,200 bytes on (a card of two people, a list page) compressed."""
    app = _app(make_db("funds"))
    async with service_client(app) as c:
        asked = auth("finance", VILLAGE) | {"Accept-Encoding": "gzip"}
        r = await c.get(f"/funds/v1/sized/{size}", headers=asked)
        assert r.status_code == 200
        assert r.content == (CARD * 2)[:size]
        if compressed:
            assert r.headers["content-encoding"] == "gzip"
            assert r.headers["vary"] == "Accept-Encoding"
            assert int(r.headers["content-length"]) < size
        else:
            assert "content-encoding" not in r.headers
            assert "vary" not in r.headers
            assert r.headers["content-length"] == str(size)


def _counted(metrics: str, route: str, status: int) -> float:
    line = f'jingzhun_http_requests_total{{method="GET",route="{route}",service="funds",status="{status}"}} '
    return sum(float(x.removeprefix(line)) for x in metrics.splitlines() if x.startswith(line))


@pytest.mark.parametrize("cors", [False, True], ids=["gate-in-the-layer", "gate-inside-cors"])
async def test_the_gates_refusals_carry_the_request_id_and_are_counted(make_db, cors: bool) -> None:  # type: ignore[no-untyped-def]
    """The body guard's answers (401, 403, 413) leave through the request layer as the route's do:
    with the request id and counted under their status, the token read from the first
    Authorization header; a body announced by Content-Length or Transfer-Encoding is bounded."""
    origins = ["https://fupin.example.gov.cn"] if cors else []
    settings = settings_for(ServiceSettings, make_db("funds"), service_name="funds", cors_origins=origins)
    app = create_service_app(settings, title="t", routers=[router, _posts])
    async with service_client(app) as c:
        before = (await c.get("/metrics")).text
        none = await c.get("/funds/v1/card", headers={"X-Request-ID": "gate-1"})
        assert none.status_code == 401
        assert none.headers["x-request-id"] == "gate-1"
        assert none.headers["content-type"] == "application/problem+json"
        basic = await c.get("/funds/v1/card", headers={"Authorization": "Basic dXNlcg=="})
        assert basic.status_code == 401
        first = [("Authorization", auth("finance", VILLAGE)["Authorization"]), ("Authorization", "Basic x")]
        assert (await c.get("/funds/v1/card", headers=first)).status_code == 200
        second = [("Authorization", "Basic x"), ("Authorization", auth("finance", VILLAGE)["Authorization"])]
        assert (await c.get("/funds/v1/card", headers=second)).status_code == 401
        lowered = {"Authorization": "bearer " + auth("finance", VILLAGE)["Authorization"].split(" ", 1)[1]}
        assert (await c.get("/funds/v1/card", headers=lowered)).status_code == 200
        wrong_role = await c.get("/funds/v1/card", headers=auth("cadre", VILLAGE))
        assert wrong_role.status_code == 200  # the route names no role: any caller with a token
        refused = await c.post("/funds/v1/notes", headers=auth("cadre", VILLAGE) | {"X-Request-ID": "gate-2"},
                               content=b"{}")
        assert refused.status_code == 403
        assert refused.headers["x-request-id"] == "gate-2"
        assert refused.json()["required_roles"] == ["finance"]
        large = b'{"text": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
        too_large = await c.post("/funds/v1/notes", headers=auth("finance", VILLAGE), content=large)
        assert too_large.status_code == 413
        assert too_large.headers["x-request-id"]

        async def chunks():  # type: ignore[no-untyped-def]
            yield large

        chunked = await c.post("/funds/v1/notes", headers=auth("finance", VILLAGE), content=chunks())
        assert chunked.status_code == 413
        fine = await c.post("/funds/v1/notes", headers=auth("finance", VILLAGE), json={"text": "好"})
        assert fine.status_code == 200
        assert fine.json() == {"text": "好"}
        after = (await c.get("/metrics")).text
    assert _counted(after, "unmatched", 401) - _counted(before, "unmatched", 401) == 3
    assert _counted(after, "/card", 200) - _counted(before, "/card", 200) == 3


_posts = APIRouter()


@_posts.post("/notes", dependencies=[Depends(require_roles("finance"))])
async def note(body: dict[str, str]) -> dict[str, str]:
    return body


async def test_a_request_id_made_here_is_a_random_uuid_in_hex() -> None:
    made = [new_request_id() for _ in range(1000)]
    assert len(set(made)) == 1000
    for rid in made:
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        assert uuid.UUID(rid).version == 4
        assert uuid.UUID(rid).variant == uuid.RFC_4122


# A household card's answer as the registry sends it (1,070 bytes, Chinese names, ids, nulls).
CARD = json.dumps(
    {
        "status": "registered", "poverty_causes": ["schooling"], "batches": [],
        "id": "01a24628-c97d-7000-a1a1-1033c390ed4c", "household_number": "44078300100100000001",
        "area_code": "440783001001", "year": 2018, "head_name": "户主1", "member_count": 2,
        "labour_willing": None, "dibao": False, "five_guarantee": False, "basic_needs": {},
        "income_channels": [], "plan": None, "review_result": None, "review_held_on": None,
        "notice_starts_on": None, "confirmed_on": None, "registered_on": "2018-06-30",
        "exited_on": None, "version": 1,
        "members": [
            {"id": f"01a24628-c97d-7000-a1a1-1033c390ed{n:02d}", "name": f"户主{n}", "relation": "head",
             "resident_id_masked": "440783********0011", "birth_date": "1940-01-01", "sex": "male",
             "labour_capacity": "full", "in_school": False, "migrant_work": False, "active": True}
            for n in range(2)
        ],
        "incomes": [], "debts": [],
    },
    ensure_ascii=False,
).encode()


@pytest.mark.parametrize("size", [1024, len(CARD), 18_000, 64 * 1024, 200_000])
async def test_gzip_answers_decode_with_pythons_own_gzip(size: int) -> None:
    """Every compressed answer is one plain gzip member (what a phone's decoder reads): the hot
    reads' (ISA-L's igzip, up to 64 KiB) and the larger ones' (zlib) alike."""
    body = (CARD * (size // len(CARD) + 1))[:size]
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    outward = SizedGZipMiddleware(None, 1024).responder(send, "gzip, deflate, br")  # type: ignore[arg-type]
    start = [(b"content-length", str(size).encode()), (b"content-type", b"application/json")]
    await outward({"type": "http.response.start", "status": 200, "headers": start})
    await outward({"type": "http.response.body", "body": body, "more_body": False})
    headers = dict(sent[0]["headers"])
    assert headers[b"content-encoding"] == b"gzip"
    assert headers[b"vary"] == b"Accept-Encoding"
    assert int(headers[b"content-length"]) == len(sent[1]["body"])
    assert gzip.decompress(sent[1]["body"]) == body


async def test_a_card_compresses_as_small_as_zlibs_fast_level() -> None:
    """ISA-L's level 1 for a card: no more bytes on a field worker's link than zlib's level 1 sent."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    outward = SizedGZipMiddleware(None, 1024).responder(send, "gzip")  # type: ignore[arg-type]
    await outward({"type": "http.response.start", "status": 200, "headers": []})
    await outward({"type": "http.response.body", "body": CARD, "more_body": False})
    zlib_fast = zlib.compressobj(1, zlib.DEFLATED, 16 + 11, 6)
    assert len(sent[1]["body"]) <= len(zlib_fast.compress(CARD) + zlib_fast.flush())


JSON = [(b"content-type", b"application/json")]


@pytest.mark.parametrize(
    ("status", "headers", "bodies", "trailers"),
    [
        (200, [(b"content-length", b"2178"), *JSON], [CARD * 2], False),
        (200, [(b"vary", b"Origin"), (b"content-length", b"1089"), *JSON, (b"vary", b"Cookie")], [CARD],
         False),  # Vary kept and joined
        (200, [(b"content-length", b"2178"), *JSON], [CARD * 2], True),
        (200, [(b"content-length", b"100"), *JSON], [CARD[:100]], False),  # under the minimum
        (200, [(b"content-length", b"100"), *JSON], [CARD[:100]], True),  # with trailers
        (206, JSON, [CARD[:100]], False),  # under the minimum whatever the headers say: a range,
        (200, [(b"content-type", b"image/png")], [CARD[:100]], False),  # an excluded type,
        (200, [*JSON, (b"content-encoding", b"br")], [CARD[:100]], False),  # already encoded
        (200, [], [b""], False),  # no header at all, no body
        (200, [(b"content-type", b"image/png")], [CARD * 2], False),  # an excluded type
        (200, [(b"content-type", b"application/grpc+proto")], [CARD * 2], False),
        (200, [*JSON, (b"content-encoding", b"br")], [CARD * 2], False),  # already encoded
        (206, JSON, [CARD * 2], False),  # a range
        (200, JSON, [CARD * 2, CARD, b""], False),  # streamed
        (200, JSON, [CARD * 70], False),  # over 64 KiB: zlib's level 6
        (304, [(b"etag", b'"7"')], [b""], False),
        (200, [(b"content-type", b"")] + JSON, [CARD * 2], False),  # the first Content-Type counts
    ],
)
async def test_the_one_message_gzip_answers_as_starlettes_responder(
    status: int, headers: list[tuple[bytes, bytes]], bodies: list[bytes], trailers: bool
) -> None:
    """The gzip layer's own path for a one-message answer sends what Starlette's responder (sized as
    shared/compression.py sizes it) sends: the same messages, headers in the same order."""
    middleware = SizedGZipMiddleware(None, 1024)  # type: ignore[arg-type]

    async def answer(outward) -> list[Message]:  # type: ignore[no-untyped-def]
        await outward({"type": "http.response.start", "status": status, "headers": list(headers),
                       "trailers": trailers})
        for i, body in enumerate(bodies):
            await outward({"type": "http.response.body", "body": body, "more_body": i < len(bodies) - 1})
        if trailers:
            await outward({"type": "http.response.trailers", "headers": [], "more_trailers": False})
        return sent

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    ours = await answer(middleware.responder(send, "gzip"))
    sent = []
    theirs = await answer(middleware.starlette_responder(send, gzip=True))
    assert ours == theirs
    assert [m["type"] for m in ours][-1] == ("http.response.trailers" if trailers else "http.response.body")
