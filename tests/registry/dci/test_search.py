"""DCI search on real PostgreSQL (and NATS for the app's relay): by resident ID and by expression,
synchronous and asynchronous with a signed on-search callback, within each client's area and data
rights; refusals with the DCI error codes; a per-client search rate."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.registry.dci.delivery import DciDelivery
from services.registry.settings import RegistrySettings
from shared.clock import clock
from tests.registry.dci.support import (
    Caller,
    Registry,
    envelope,
    id_query,
    predicate_query,
    register_client,
    running,
    verified,
)
from tests.registry.integration.helpers import (
    ADMIN,
    COUNTY,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio
CIVIL_RIGHTS = ["name_masked", "resident_id_masked", "status", "area_code"]


def _only(message: dict[str, Any]) -> dict[str, Any]:
    [response] = message["search_response"]
    return response  # type: ignore[no-any-return]


async def test_a_person_is_found_by_resident_id_within_the_clients_area_and_rights(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        head_id = person_id()
        h = await registered(c, members=[member("head", name="王大明", resident_id=head_id)])
        civil = await register_client(c, "gd-civil-affairs", area_code=COUNTY, data_rights=CIVIL_RIGHTS)
        neighbour = await register_client(
            c, "village-b-office", area_code=OTHER_VILLAGE, data_rights=CIVIL_RIGHTS
        )

        r = await civil.search(
            id_query("r1", head_id), id_query("r2", person_id()), id_query("r3", head_id[:17] + "0")
        )
        assert r.status_code == 200, r.text
        reply = r.json()
        assert reply["header"]["action"] == "on-search"
        assert reply["header"]["receiver_id"] == "gd-civil-affairs"
        found, unknown, bad = verified(civil.secret, reply)["search_response"]
        # registered, in which area, in which status; names and IDs masked; nothing its agreement omits
        assert found["status"] == "succ"
        assert found["data"]["reg_records"] == [
            {
                "name_masked": "王**",
                "resident_id_masked": head_id[:6] + "********" + head_id[-4:],
                "household": {"area_code": VILLAGE, "status": "registered", "head_name_masked": "王**"},
            }
        ]
        assert found["pagination"] == {"page_size": 20, "page_number": 1, "total_count": 1}
        assert unknown["status"] == "succ"
        assert unknown["data"]["reg_records"] == []
        assert bad["status"] == "rjct"
        assert bad["status_reason_code"] == "rjct.search_criteria.invalid"
        assert "data" not in bad

        # the same person is not in the neighbouring village's area: not found there
        r = await neighbour.search(id_query("n1", head_id))
        assert r.status_code == 200, r.text
        assert _only(verified(neighbour.secret, r.json()))["data"]["reg_records"] == []

        # a statistics bureau whose agreement names the household's number and size sees those instead
        stats = await register_client(
            c, "gd-statistics", area_code=COUNTY, data_rights=["household_number", "member_count", "year"]
        )
        r = await stats.search(id_query("s1", head_id))
        assert _only(verified(stats.secret, r.json()))["data"]["reg_records"] == [
            {"household": {"household_number": h["household_number"], "member_count": 1, "year": 2017}}
        ]


async def test_households_are_searched_by_expression_a_page_at_a_time(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        ill_2016 = await registered(c, members=[member("head")], year=2016, poverty_causes=["illness"])
        ill_2017 = await registered(c, members=[member("head")], year=2017, poverty_causes=["illness"])
        school = await registered(c, members=[member("head")], year=2017, poverty_causes=["schooling"])
        other = await registered(
            c, members=[member("head")], area_code=OTHER_VILLAGE, poverty_causes=["illness"]
        )
        await candidate(c, poverty_causes=["illness"])  # not registered: never counted below
        caller = await register_client(
            c,
            "gd-bigdata",
            area_code=COUNTY,
            data_rights=["household_id", "area_code", "status", "year", "poverty_causes"],
        )

        sort = [
            {"attribute_name": "area_code", "sort_order": "asc"},
            {"attribute_name": "year", "sort_order": "asc"},
        ]
        ask = predicate_query(
            "p1",
            ("area_code", "eq", VILLAGE),
            ("status", "eq", "registered"),
            ("poverty_cause", "eq", "illness"),
            sort=sort,
            pagination={"page_size": 1, "page_number": 1},
        )
        r = await caller.search(ask)
        page1 = _only(verified(caller.secret, r.json()))
        assert page1["pagination"] == {"page_size": 1, "page_number": 1, "total_count": 2}
        assert [h["household_id"] for h in page1["data"]["reg_records"]] == [ill_2016["id"]]
        assert page1["data"]["reg_records"][0] == {
            "household_id": ill_2016["id"],
            "area_code": VILLAGE,
            "status": "registered",
            "year": 2016,
            "poverty_causes": ["illness"],
        }
        ask["search_criteria"]["pagination"]["page_number"] = 2
        page2 = _only(verified(caller.secret, (await caller.search(ask)).json()))
        assert [h["household_id"] for h in page2["data"]["reg_records"]] == [ill_2017["id"]]

        # the expression form: registered in the county in 2017, the last area first
        r = await caller.search(
            {
                "reference_id": "e1",
                "timestamp": clock.now().isoformat(),
                "search_criteria": {
                    "query_type": "expression",
                    "query": {
                        "type": "jingzhun:QueryType:attributes",
                        "value": {"area_code": COUNTY, "year": 2017, "status": "registered"},
                    },
                    "sort": [{"attribute_name": "area_code", "sort_order": "desc"}],
                },
            }
        )
        found = _only(verified(caller.secret, r.json()))
        assert found["pagination"]["total_count"] == 3  # year 2017 in the county: two here, one next door
        assert found["data"]["reg_records"][0]["household_id"] == other["id"]
        assert {h["household_id"] for h in found["data"]["reg_records"]} == {
            ill_2017["id"],
            school["id"],
            other["id"],
        }

        # a client of one village never sees the other's households, whatever it asks for
        village = await register_client(
            c, "village-a-office", area_code=VILLAGE, data_rights=["household_id"]
        )
        r = await village.search(predicate_query("v1", ("area_code", "eq", COUNTY)))
        records = _only(verified(village.secret, r.json()))["data"]["reg_records"]
        assert other["id"] not in {h["household_id"] for h in records}
        assert len(records) == 4  # its village's four households (three registered, one candidate)

        # criteria the registry cannot answer are refused one by one, with DCI's reason codes
        r = await caller.search(
            predicate_query("x1", ("income", "lt", 3000)),
            predicate_query("x2", ("status", "eq", "registered"), pagination={"page_size": 500}),
            predicate_query("x3", ("status", "eq", "registered"), sort=[{"attribute_name": "name"}]),
        )
        codes = [x["status_reason_code"] for x in verified(caller.secret, r.json())["search_response"]]
        assert codes == ["rjct.search_criteria.invalid", "rjct.pagination.invalid", "rjct.sort.invalid"]


async def test_signatures_are_checked_against_real_time_while_the_business_clock_is_pinned(make_db, nats_url):
    """A demo or end-to-end run pins the business clock hours ahead (JINGZHUN_CLOCK_FROZEN_AT); a
    client signs with its own, real clock as docs/DCI.md says, and checks the answer's the same way."""
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        caller = await register_client(c, "gd-civil-affairs", area_code=COUNTY)
        with clock.frozen(datetime.now(UTC) + timedelta(hours=9, minutes=30)):
            r = await caller.search(predicate_query("p1", ("area_code", "eq", VILLAGE)))
        assert r.status_code == 200, r.text
        assert _only(verified(caller.secret, r.json()))["status"] == "succ"


async def test_messages_are_refused_with_the_dci_error_codes(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        caller = await register_client(c, "gd-civil-affairs", search_per_minute=1, search_burst=3)
        request = [id_query("r1", person_id())]

        async def send(body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, str, str]:
            r = await c.post(
                "/registry/v1/dci/registry/sync/search", json=body, headers=headers or caller.token
            )
            assert r.headers["content-type"].startswith("application/problem+json"), r.text
            return r.status_code, r.json()["errors"][0]["code"], r.json()["type"]

        message = {"transaction_id": "t1", "search_request": request}
        unsigned = envelope(caller.id, "search", message, items=1, secret=None)
        assert (await send(unsigned))[:2] == (401, "err.signature.missing")
        forged = envelope(caller.id, "search", message, items=1, secret="not-the-registered-secret")
        status, code, type_ = await send(forged)
        assert (status, code) == (401, "err.signature.invalid")
        assert type_.endswith("/dci-signature-invalid")
        tampered = envelope(caller.id, "search", message, items=1, secret=caller.secret)
        tampered["message"]["search_request"][0]["search_criteria"]["query"]["value"] = person_id()
        assert (await send(tampered))[:2] == (401, "err.signature.invalid")
        # another system's token cannot speak for this client, nor an unregistered one for itself
        other = Caller(http=c, id="stranger", secret="x" * 32)
        assert (
            await send(envelope(caller.id, "search", message, items=1, secret=caller.secret), other.token)
        )[:2] == (
            403,
            "err.sender_id.invalid",
        )
        assert (await send(envelope("stranger", "search", message, items=1, secret="x" * 32), other.token))[
            :2
        ] == (
            403,
            "err.sender_id.invalid",
        )
        assert (await send(envelope(caller.id, "search", message, items=2, secret=caller.secret)))[:2] == (
            422,
            "rjct.total_count.invalid",
        )
        assert (await send(envelope(caller.id, "subscribe", message, items=1, secret=caller.secret)))[:2] == (
            422,
            "rjct.action.invalid",
        )
        assert (
            await send(envelope(caller.id, "search", message, items=1, secret=caller.secret, version="2.0.0"))
        )[:2] == (422, "err.version.not_supported")
        good = envelope(caller.id, "search", message, items=1, secret=caller.secret)
        r = await c.post("/registry/v1/dci/registry/sync/search", json=good, headers=caller.token)
        assert r.status_code == 200, r.text
        assert (await send(good))[:2] == (409, "rjct.message_id.duplicate")

        # the agreed rate: a burst of 3 (one used above), then one a minute
        assert (await caller.search(*request)).status_code == 200
        assert (await caller.search(*request)).status_code == 200
        r = await caller.search(*request)
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        assert r.json()["errors"][0]["code"] == "err.request.too_many_requests"
        # another client is not slowed by this one
        calm = await register_client(c, "gd-statistics")
        assert (await calm.search(*request)).status_code == 200


async def test_an_asynchronous_search_is_acknowledged_then_called_back_signed(make_db, nats_url):
    url = make_db("registry")
    app = registry_app(url, nats_url)
    settings = settings_for(RegistrySettings, url, dci_retry_base_s=30.0)
    registry = Registry()
    with running(registry):
        async with service_client(app) as c:
            await load_areas(c)
            head_id = person_id()
            await registered(c, members=[member("head", resident_id=head_id)])
            caller = await register_client(c, "gd-civil-affairs", callback_url=registry.url)
            registry.secret = caller.secret
            txn = uuid.uuid4().hex
            r = await caller.post(
                "search",
                "search",
                {"transaction_id": txn, "search_request": [id_query("a1", head_id)]},
                items=1,
            )
            assert r.status_code == 202, r.text
            ack = r.json()["message"]
            assert ack["ack_status"] == "ACK"

            async def status() -> dict[str, Any]:
                q = {
                    "reference_id": "q1",
                    "txn_type": "search",
                    "attribute_type": "transaction_id",
                    "attribute_value": txn,
                }
                r = await caller.post(
                    "txn/status",
                    "txn-status",
                    {"transaction_id": "s-" + uuid.uuid4().hex, "txnstatus_request": q},
                    items=1,
                )
                assert r.status_code == 200, r.text
                out = verified(caller.secret, r.json())
                assert out["correlation_id"] == ack["correlation_id"]
                return out["txnstatus_response"]["txn_status"]  # type: ignore[no-any-return]

            assert [x["status"] for x in (await status())["search_response"]] == ["pdng"]

            delivery = DciDelivery(settings)
            registry.failing = True  # the outside registry is down: answered, but not yet told
            report = await delivery.run(app.state.db)
            assert report.answered == 1
            assert registry.attempts == 1
            assert registry.of("on-search") == []
            assert (await status())["search_response"][0]["status"] == "succ"  # it can ask instead
            # not again before the back-off has passed; then once more, and it arrives
            registry.failing = False
            await delivery.run(app.state.db)
            assert registry.attempts == 1
            await delivery.run(app.state.db, clock.now() + timedelta(seconds=31))
            [callback] = registry.of("on-search")
            assert registry.bad_signatures == 0
            assert callback["header"]["action"] == "on-search"
            assert callback["message"]["transaction_id"] == txn
            assert callback["message"]["correlation_id"] == ack["correlation_id"]
            [answer] = callback["message"]["search_response"]
            assert answer["data"]["reg_records"][0]["household"] == {
                "area_code": VILLAGE,
                "status": "registered",
                "head_name_masked": "王**",
            }
            # delivered: never sent again
            await delivery.run(app.state.db, clock.now() + timedelta(hours=1))
            assert len(registry.of("on-search")) == 1


async def test_admins_register_rotate_and_stop_clients(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        caller = await register_client(c, "gd-civil-affairs")
        r = await c.get("/registry/v1/dci/clients", headers=ADMIN)
        assert r.status_code == 200, r.text
        [listed] = r.json()
        assert listed["data_rights"] == CIVIL_RIGHTS
        assert "secret" not in listed
        assert "secret_cipher" not in listed
        # the same id twice is refused; a clerk may not register clients
        body = {"id": "gd-civil-affairs", "name": "x", "area_code": COUNTY, "data_rights": ["status"]}
        assert (await c.post("/registry/v1/dci/clients", json=body, headers=ADMIN)).status_code == 409
        assert (await c.post("/registry/v1/dci/clients", json=body, headers=REGISTRAR)).status_code == 403

        # a change needs the ETag the admin read: without it 428, a stale one 412, nothing changed
        url = f"/registry/v1/dci/clients/{caller.id}"
        read = await c.get(url, headers=ADMIN)
        assert (await c.patch(url, json={"rotate_secret": True}, headers=ADMIN)).status_code == 428
        stale = ADMIN | {"If-Match": '"0"'}
        assert (await c.patch(url, json={"rotate_secret": True}, headers=stale)).status_code == 412
        # a new secret: the old one no longer signs
        fresh = ADMIN | {"If-Match": read.headers["ETag"]}
        r = await c.patch(url, json={"rotate_secret": True}, headers=fresh)
        assert r.status_code == 200, r.text
        new_secret = r.json()["secret"]
        assert new_secret != caller.secret
        assert (await caller.search(id_query("r1", person_id()))).status_code == 401
        caller.secret = new_secret
        assert (await caller.search(id_query("r2", person_id()))).status_code == 200

        # stopped: refused from now on
        r = await c.patch(url, json={"active": False}, headers=ADMIN | {"If-Match": r.headers["ETag"]})
        assert r.json()["active"] is False
        assert "secret" not in r.json()
        r = await caller.search(id_query("r3", person_id()))
        assert r.status_code == 403
        assert r.json()["errors"][0]["code"] == "err.sender_id.invalid"
        assert (await c.get("/registry/v1/dci/clients/nobody", headers=ADMIN)).status_code == 404


async def test_a_refused_request_says_why_in_chinese_and_in_english_when_asked(make_db, nats_url):
    """The platform's operators read status_reason_message in Chinese, as every refusal of the
    registry; a sender that asks with Accept-Language: en reads it in English. The code stays."""
    app = registry_app(make_db("registry"), nats_url)
    async with service_client(app) as c:
        await load_areas(c)
        civil = await register_client(c, "gd-civil-affairs", area_code=COUNTY, data_rights=CIVIL_RIGHTS)
        bad_area = predicate_query("r2", ("area_code", "eq", "4407"))
        bad_page = predicate_query("r3", ("area_code", "eq", COUNTY), pagination={"page_size": 0})
        for caller, words in (
            (
                civil,
                [
                    "地区代码应为12位数字的区划代码",
                    "每页条数（page_size）和页码（page_number）应为从1起的整数",
                ],
            ),
            (
                replace(civil, language="en"),
                [
                    "area_code is a 12-digit division code",
                    "page_size and page_number are whole numbers from 1",
                ],
            ),
        ):
            r = await caller.search(bad_area, bad_page)
            assert r.status_code == 200, r.text
            answers = verified(civil.secret, r.json())["search_response"]
            assert [a["status_reason_code"] for a in answers] == [
                "rjct.search_criteria.invalid",
                "rjct.pagination.invalid",
            ]
            assert [a["status_reason_message"] for a in answers] == words
