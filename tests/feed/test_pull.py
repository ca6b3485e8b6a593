"""The pull feed and the subscriptions' status, through a service app on real NATS and PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext

from shared.app import create_service_app
from shared.db import Database
from shared.events import add_event
from shared.events.streams import ensure_stream
from shared.feed.status import STATUS_BUCKET
from shared.settings import ServiceSettings
from tests.feed.support import SECRET, Receiver, cloud_event, publish, running_receiver
from tests.support import auth, service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio

KAIPING = "440783000000"  # county: scope prefix 440783
KAIPING_VILLAGE = "440783101201"
TAISHAN_VILLAGE = "440781100201"
FEED = "/registry/v1/feed/events"
REGISTERED = "registry.household.registered.v1"


@pytest_asyncio.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=5)
    with contextlib.suppress(Exception):
        await js.delete_key_value(STATUS_BUCKET)
    await ensure_stream(js, "REGISTRY")
    yield js
    await nc.close()


def registry_settings(make_db: Any, nats_url: str, **overrides: Any) -> ServiceSettings:
    return settings_for(ServiceSettings, make_db("registry"), nats_url, service_name="registry", **overrides)


@pytest_asyncio.fixture
async def client(make_db: Any, nats_url: str, js: JetStreamContext) -> AsyncIterator[httpx.AsyncClient]:
    # An API-only replica: no relay, no consumers; the feed connects to NATS on first use.
    settings = registry_settings(make_db, nats_url, run_relay=False, run_consumers=False)
    app = create_service_app(settings, title="registry", routers=[])
    async with service_client(app) as c:
        yield c


async def test_pages_through_the_stream_with_cursors(client: httpx.AsyncClient, js: JetStreamContext) -> None:
    sent = [
        cloud_event("registry.household.registered.v1", household_id=str(i), area_code=KAIPING_VILLAGE)
        for i in range(7)
    ]
    seqs = [await publish(js, e) for e in sent]
    reader = auth("service", KAIPING)
    seen: list[tuple[int, str]] = []
    after, pages = 0, 0
    while True:
        r = await client.get(FEED, params={"after": after, "limit": 3}, headers=reader)
        assert r.status_code == 200, r.text
        page = r.json()
        pages += 1
        seen += [(entry["seq"], entry["event"]["id"]) for entry in page["events"]]
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert pages == 3
    assert seen == list(zip(seqs, [e["id"] for e in sent], strict=True))
    assert after == seqs[-1]
    # At the end: an empty page with the same cursor, to poll again later.
    r = await client.get(FEED, params={"after": after}, headers=reader)
    assert r.json() == {"events": [], "next_after": after, "has_more": False, "last_seq": after}
    # The event comes back as published (structured CloudEvent).
    r = await client.get(FEED, params={"after": 0, "limit": 1}, headers=reader)
    assert r.json()["events"][0]["event"] == sent[0]


async def test_subject_filter(client: httpx.AsyncClient, js: JetStreamContext) -> None:
    area = cloud_event("registry.area.upserted.v1", code=KAIPING_VILLAGE)
    household = cloud_event("registry.household.exited.v1", household_id="1", area_code=KAIPING_VILLAGE)
    await publish(js, area)
    await publish(js, household)
    r = await client.get(
        FEED, params={"types": "registry.household.>"}, headers=auth("auditor", KAIPING)
    )
    assert [e["event"]["id"] for e in r.json()["events"]] == [household["id"]]
    r = await client.get(
        FEED, params={"types": "registry.*.upserted.v1"}, headers=auth("auditor", KAIPING)
    )
    assert [e["event"]["id"] for e in r.json()["events"]] == [area["id"]]


async def test_area_scope_leaves_out_other_places_but_moves_the_cursor(
    client: httpx.AsyncClient, js: JetStreamContext
) -> None:
    ours = cloud_event("registry.household.registered.v1", household_id="1", area_code=KAIPING_VILLAGE)
    theirs = cloud_event("registry.household.registered.v1", household_id="2", area_code=TAISHAN_VILLAGE)
    placeless = cloud_event("registry.policy.upserted.v1", year=2017)  # concerns no one place
    their_area = cloud_event("registry.area.upserted.v1", code=TAISHAN_VILLAGE)  # the place is data.code
    our_area = cloud_event("registry.area.upserted.v1", code=KAIPING_VILLAGE)
    await publish(js, ours)
    last = await publish(js, theirs)
    r = await client.get(FEED, params={"limit": 2}, headers=auth("auditor", KAIPING))
    assert [e["event"]["id"] for e in r.json()["events"]] == [ours["id"]]
    assert r.json()["next_after"] == last  # past the Taishan event it did not show
    for e in (placeless, their_area, our_area):
        await publish(js, e)
    r = await client.get(FEED, params={"after": last}, headers=auth("auditor", KAIPING))
    assert [e["event"]["id"] for e in r.json()["events"]] == [placeless["id"], our_area["id"]]
    # The province sees both places.
    r = await client.get(FEED, headers=auth("service", "440000000000"))
    everything = [ours, theirs, placeless, their_area, our_area]
    assert [e["event"]["id"] for e in r.json()["events"]] == [e["id"] for e in everything]


async def test_roles(client: httpx.AsyncClient, js: JetStreamContext) -> None:
    await publish(js, cloud_event(REGISTERED, household_id="1", area_code=KAIPING_VILLAGE))
    for role in ("registrar", "inspector", "cadre", "finance"):
        r = await client.get(FEED, headers=auth(role, KAIPING))
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
    for role in ("service", "auditor", "admin"):
        assert (await client.get(FEED, headers=auth(role, KAIPING))).status_code == 200
    assert (await client.get(FEED)).status_code == 401
    r = await client.get("/registry/v1/feed/subscriptions", headers=auth("auditor", KAIPING))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "abc"}, "after"),
        ({"after": -1}, "after"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"types": "funds.>"}, "types"),  # another service's events are not in this stream
        ({"types": "registry.>.x"}, "types"),
        ({"types": "registry"}, "types"),
        ({"types": "registry.house hold"}, "types"),
    ],
)
async def test_bad_cursor_or_filter_is_a_422_problem(
    client: httpx.AsyncClient, js: JetStreamContext, params: dict[str, Any], field: str
) -> None:
    await publish(js, cloud_event(REGISTERED, household_id="1", area_code=KAIPING_VILLAGE))
    r = await client.get(FEED, params=params, headers=auth("service", KAIPING))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422
    assert field in body["detail"] or field in str(body.get("errors") or body.get("field"))


@pytest.mark.parametrize("types", ["funds.>", "registry.>.x", "registry", "registry.house hold"])
async def test_a_bad_filter_is_named_in_chinese(client: httpx.AsyncClient, types: str) -> None:
    """A platform's clerk reading the default (Chinese) answer was told 查询参数types格式不对."""
    r = await client.get(
        FEED, params={"types": types}, headers=auth("service", KAIPING) | {"Accept-Language": "zh"}
    )
    assert r.status_code == 422, r.text
    assert "事件类型" in r.json()["detail"]
    assert "types" not in r.json()["detail"]


async def test_a_cursor_past_the_end_is_a_409_problem(
    client: httpx.AsyncClient, js: JetStreamContext
) -> None:
    """Well-formed, but the stream does not reach it (rebuilt since): a conflict with its state."""
    await publish(js, cloud_event(REGISTERED, household_id="1", area_code=KAIPING_VILLAGE))
    r = await client.get(FEED, params={"after": 999}, headers=auth("service", KAIPING))
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"].endswith("/feed-cursor-ahead")
    assert (body["field"], body["last_seq"]) == ("after", 1)


async def test_openapi_documents_the_feed(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/registry/v1/openapi.json")).json()
    get = schema["paths"][FEED]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"after", "limit", "types"}
    for code in ("401", "403", "422", "503"):
        assert "application/problem+json" in get["responses"][code]["content"]
    assert "/registry/v1/feed/subscriptions" in schema["paths"]


async def test_the_app_delivers_its_outbox_to_subscribers_and_shows_their_status(
    make_db: Any, nats_url: str, js: JetStreamContext
) -> None:
    """Default deployment: the app runs relay and feed jobs; outbox -> JetStream -> webhook."""
    with running_receiver(Receiver()) as receiver:
        subscription = {
            "name": "gd-bigdata",
            "url": receiver.url,
            "secret": SECRET,
            "subjects": "registry.household.>",
            "area_prefix": "440783",
        }
        settings = registry_settings(make_db, nats_url, run_jobs=True, feed_subscriptions=[subscription])
        app = create_service_app(settings, title="registry", routers=[])
        async with service_client(app) as client:
            db: Database = app.state.db
            async with db.transaction() as session:
                for i in range(3):
                    await add_event(
                        session,
                        type="registry.household.registered.v1",
                        subject=str(i),
                        data={"household_id": str(i), "area_code": KAIPING_VILLAGE},
                    )
                await add_event(
                    session,
                    type="registry.household.registered.v1",
                    subject="9",
                    data={"household_id": "9", "area_code": TAISHAN_VILLAGE},
                )

            async def delivered() -> bool:
                return len(receiver.events) >= 3

            await wait_for(delivered, timeout_s=20, what="the outbox delivered to the webhook")

            async def settled() -> list[dict[str, Any]] | None:
                r = await client.get("/registry/v1/feed/subscriptions", headers=auth("admin", KAIPING))
                assert r.status_code == 200, r.text
                views: list[dict[str, Any]] = r.json()
                return views if views[0]["pending"] == 0 and views[0]["delivered_events"] == 3 else None

            views = await wait_for(settled, timeout_s=10, what="status shows the delivery")
    assert [e["data"]["household_id"] for e in receiver.events] == ["0", "1", "2"]
    view = views[0]
    assert view["name"] == "gd-bigdata"
    assert view["url"] == receiver.url
    assert view["last_delivery_at"] is not None
    assert view["last_error"] is None
    assert "secret" not in view
    assert SECRET not in str(views)
