"""DCI subscribe → notify on real PostgreSQL and NATS: the registry's own events (through the
outbox, the stream and its consumer) become signed notify callbacks to the subscribed client, at
least once, in order, only for the kinds and areas subscribed and within the client's area."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from services.registry.dci.delivery import DciDelivery
from services.registry.settings import RegistrySettings
from shared.clock import clock
from tests.registry.dci.support import Caller, Registry, register_client, running, verified
from tests.registry.integration.helpers import (
    COUNTY,
    COUNTY_REGISTRAR,
    OTHER_VILLAGE,
    VILLAGE,
    load_areas,
    registered,
    registry_app,
)
from tests.support import service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio
RIGHTS = ["household_id", "area_code", "status", "member_count"]


def _criteria(kind: str, area: str, *, predicate: bool = False) -> dict[str, Any]:
    if predicate:
        return {
            "reg_event_type": kind,
            "filter_type": "predicate",
            "filter": [
                {"expression1": {"attribute_name": "area_code", "operator": "eq", "attribute_value": area}}
            ],
            "notify_record_type": "jingzhun:RecordType:Household",
        }
    return {
        "reg_event_type": f"jingzhun:RegistryEventType:{kind}",
        "filter_type": "expression",
        "filter": {"type": "jingzhun:QueryType:attributes", "value": {"area_code": area}},
        "notify_record_type": "jingzhun:RecordType:Household",
    }


async def _subscribe(caller: Caller, *criteria: dict[str, Any]) -> list[dict[str, Any]]:
    items = [
        {"reference_id": f"s{i}", "timestamp": clock.now().isoformat(), "subscribe_criteria": c}
        for i, c in enumerate(criteria)
    ]
    r = await caller.post(
        "subscribe",
        "subscribe",
        {"transaction_id": uuid.uuid4().hex, "subscribe_request": items},
        items=len(items),
    )
    assert r.status_code == 200, r.text
    assert r.json()["header"]["action"] == "on-subscribe"
    return verified(caller.secret, r.json())["subscribe_response"]  # type: ignore[no-any-return]


def _events(registry: Registry) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, household id, record) of every notify item received, in arrival order."""
    out = []
    for doc in registry.of("notify"):
        assert doc["header"]["action"] == "notify"
        assert doc["header"]["total_count"] == len(doc["message"]["notify_event"])
        for item in doc["message"]["notify_event"]:
            [record] = item["data"]["reg_records"]
            out.append((record["event"]["kind"], record["household_id"], record))
    return out


async def test_subscribed_events_are_notified_signed_in_order_at_least_once(make_db, nats_url):
    url = make_db("registry")
    app = registry_app(url, nats_url)
    delivery = DciDelivery(settings_for(RegistrySettings, url, dci_retry_base_s=30.0))
    registry = Registry()
    with running(registry):
        async with service_client(app) as c:
            await load_areas(c)
            before = await registered(c)  # registered before anyone subscribed: never notified
            caller = await register_client(
                c, "gd-civil-affairs", area_code=COUNTY, data_rights=RIGHTS, callback_url=registry.url
            )
            registry.secret = caller.secret
            subs = await _subscribe(
                caller,
                _criteria("registered", COUNTY),
                _criteria("moved", VILLAGE, predicate=True),
                _criteria("died", COUNTY),
                _criteria("exited", "450000000000"),  # another province: outside its agreement
                _criteria("born", COUNTY),  # not a kind this registry notifies
            )
            assert [s["status"] for s in subs] == ["succ", "succ", "succ", "rjct", "rjct"]
            assert [s.get("status_reason_code") for s in subs[3:]] == [
                "rjct.notify_details.invalid",
                "rjct.notify_types.invalid",
            ]
            registered_code = subs[0]["subscriptions"][0]["code"]
            assert subs[0]["subscriptions"][0]["status"] == "subscribe"
            again = await _subscribe(caller, _criteria("registered", COUNTY))
            assert again[0]["status_reason_code"] == "rjct.event.already_subscribed"

            first = await registered(c)
            second = await registered(c, area_code=OTHER_VILLAGE)
            r = await c.post(
                f"/registry/v1/households/{first['id']}/move",
                json={
                    "to_area_code": OTHER_VILLAGE,
                    "reason": "relocation",
                    "moved_on": clock.today().isoformat(),
                },
                headers=COUNTY_REGISTRAR,
            )
            assert r.status_code == 200, r.text
            spouse = next(m for m in second["members"] if m["relation"] != "head")
            r = await c.post(
                f"/registry/v1/households/{second['id']}/members/{spouse['id']}/removal",
                json={"reason": "death", "on": clock.today().isoformat()},
                headers=COUNTY_REGISTRAR,
            )
            assert r.status_code == 204, r.text

            # the outside registry is down at first: nothing is lost, the same items come again
            registry.failing = True

            async def tried() -> bool:
                await delivery.run(app.state.db)
                return registry.attempts > 0

            await wait_for(tried, timeout_s=20, what="a first notify attempt")
            assert _events(registry) == []
            registry.failing = False
            later = clock.now() + timedelta(seconds=31)

            async def four() -> bool:
                await delivery.run(app.state.db, later)
                return len(_events(registry)) >= 4

            await wait_for(four, timeout_s=20, what="four notifications")
            assert registry.bad_signatures == 0
            got = _events(registry)
            assert [(kind, hid) for kind, hid, _ in got] == [
                ("registered", first["id"]),
                ("registered", second["id"]),
                ("moved", first["id"]),
                ("died", second["id"]),
            ]
            assert before["id"] not in {hid for _, hid, _ in got}
            moved = got[2][2]
            assert moved["event"]["from_area_code"] == VILLAGE
            assert moved["event"]["area_code"] == OTHER_VILLAGE
            assert moved["area_code"] == OTHER_VILLAGE
            died = got[3][2]
            assert died["member_count"] == 1
            # the agreement names no names and no IDs: none are sent
            assert set(died) == {"household_id", "area_code", "status", "member_count", "event"}
            item = registry.of("notify")[0]["message"]["notify_event"][0]
            assert item["data"]["reg_event_type"] == "jingzhun:RegistryEventType:registered"

            # unsubscribed: registrations are no longer notified; deaths still are
            r = await caller.post(
                "unsubscribe",
                "unsubscribe",
                {
                    "transaction_id": uuid.uuid4().hex,
                    "timestamp": clock.now().isoformat(),
                    "subscription_codes": [registered_code],
                },
                items=1,
            )
            assert r.status_code == 200, r.text
            out = verified(caller.secret, r.json())
            assert out["status"] == "succ"
            assert out["subscription_status"] == [{"code": registered_code, "status": "unsubscribe"}]
            third = await registered(c)
            spouse = next(m for m in first["members"] if m["relation"] != "head")
            r = await c.post(
                f"/registry/v1/households/{first['id']}/members/{spouse['id']}/removal",
                json={"reason": "death", "on": clock.today().isoformat()},
                headers=COUNTY_REGISTRAR,
            )
            assert r.status_code == 204, r.text

            async def five() -> bool:
                await delivery.run(app.state.db, later)
                return len(_events(registry)) >= 5

            await wait_for(five, timeout_s=20, what="the second death")
            assert [(k, h) for k, h, _ in _events(registry)][4:] == [("died", first["id"])]
            assert third["id"] not in {hid for _, hid, _ in _events(registry)}
            # every item came exactly once after the outage (de-duplicate by reference_id = event id)
            ids = [i["reference_id"] for d in registry.of("notify") for i in d["message"]["notify_event"]]
            assert len(ids) == len(set(ids)) == 5

            # a second unsubscribe of the same code is refused, and codes of others are unknown
            r = await caller.post(
                "unsubscribe",
                "unsubscribe",
                {
                    "transaction_id": uuid.uuid4().hex,
                    "timestamp": clock.now().isoformat(),
                    "subscription_codes": [registered_code],
                },
                items=1,
            )
            assert (
                verified(caller.secret, r.json())["status_reason_code"] == "rjct.event.already_unsubscribed"
            )
